"""The catalogue of diagnostic codes: every ``WKnnn`` code worksheetkit gives, with its
severity, a one-line title and where the documentation explains it.

``Code`` is a ``StrEnum``: ``Code.WK105 == "WK105"``, and a diagnostic built with a member
prints, sorts and serialises exactly as one built with the text. Source code names codes only
through this module (``tests/test_codes.py`` checks that no ``"WKnnn"`` literal is left
elsewhere, that each code is explained at its anchor, and that diagnostics have the severity
listed here). Lint's ``WLnnn`` codes have their own registry (``worksheetkit.lint``).

Standard library only: the lowest layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

__all__ = ["CATALOGUE", "Code", "CodeInfo", "CodeSeverity", "explain"]

#: ``either`` for a code whose severity depends on the case (the docs say which).
CodeSeverity = Literal["error", "warning", "either"]


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What a code means: its severity, a one-line title, and the documentation anchors
    (``format.md#reading-the-file-wk0xx``, relative to ``docs/``) that explain it."""

    severity: CodeSeverity
    title: str
    docs: tuple[str, ...]

    @property
    def doc(self) -> str:
        """The first (main) documentation anchor."""
        return self.docs[0]


class Code(StrEnum):
    """Every diagnostic code; each member is its own text (``Code.WK105 == "WK105"``)."""

    WK001 = "WK001"
    WK002 = "WK002"
    WK003 = "WK003"
    WK004 = "WK004"
    WK005 = "WK005"
    WK006 = "WK006"
    WK007 = "WK007"
    WK008 = "WK008"
    WK009 = "WK009"
    WK010 = "WK010"
    WK011 = "WK011"
    WK012 = "WK012"
    WK014 = "WK014"
    WK099 = "WK099"
    WK101 = "WK101"
    WK102 = "WK102"
    WK103 = "WK103"
    WK104 = "WK104"
    WK105 = "WK105"
    WK106 = "WK106"
    WK107 = "WK107"
    WK201 = "WK201"
    WK202 = "WK202"
    WK203 = "WK203"
    WK204 = "WK204"
    WK205 = "WK205"
    WK206 = "WK206"
    WK207 = "WK207"
    WK208 = "WK208"
    WK209 = "WK209"
    WK210 = "WK210"
    WK211 = "WK211"
    WK212 = "WK212"
    WK213 = "WK213"
    WK214 = "WK214"
    WK215 = "WK215"
    WK216 = "WK216"
    WK217 = "WK217"
    WK218 = "WK218"
    WK219 = "WK219"
    WK220 = "WK220"
    WK221 = "WK221"
    WK222 = "WK222"
    WK223 = "WK223"
    WK224 = "WK224"
    WK225 = "WK225"
    WK226 = "WK226"
    WK227 = "WK227"
    WK228 = "WK228"
    WK229 = "WK229"
    WK235 = "WK235"
    WK301 = "WK301"
    WK302 = "WK302"
    WK303 = "WK303"
    WK304 = "WK304"
    WK305 = "WK305"
    WK306 = "WK306"
    WK307 = "WK307"
    WK308 = "WK308"
    WK309 = "WK309"
    WK310 = "WK310"
    WK311 = "WK311"
    WK400 = "WK400"
    WK401 = "WK401"
    WK402 = "WK402"
    WK403 = "WK403"
    WK404 = "WK404"
    WK405 = "WK405"
    WK406 = "WK406"
    WK407 = "WK407"
    WK408 = "WK408"
    WK409 = "WK409"
    WK410 = "WK410"
    WK411 = "WK411"
    WK412 = "WK412"
    WK413 = "WK413"
    WK414 = "WK414"
    WK501 = "WK501"
    WK502 = "WK502"
    WK503 = "WK503"
    WK601 = "WK601"
    WK701 = "WK701"
    WK702 = "WK702"
    WK703 = "WK703"
    WK704 = "WK704"
    WK705 = "WK705"
    WK706 = "WK706"
    WK707 = "WK707"
    WK708 = "WK708"
    WK710 = "WK710"
    WK711 = "WK711"
    WK712 = "WK712"
    WK713 = "WK713"
    WK714 = "WK714"
    WK715 = "WK715"
    WK716 = "WK716"
    WK717 = "WK717"
    WK718 = "WK718"
    WK719 = "WK719"
    WK720 = "WK720"
    WK721 = "WK721"
    WK722 = "WK722"
    WK740 = "WK740"
    WK741 = "WK741"
    WK742 = "WK742"
    WK743 = "WK743"
    WK744 = "WK744"
    WK745 = "WK745"

    @property
    def info(self) -> CodeInfo:
        return CATALOGUE[self]

    @property
    def severity(self) -> CodeSeverity:
        return CATALOGUE[self].severity


def _info(severity: CodeSeverity, title: str, *docs: str) -> CodeInfo:
    return CodeInfo(severity, title, docs)


#: Every code's severity, title and documentation anchors, in code order.
CATALOGUE: Final[dict[Code, CodeInfo]] = {
    Code.WK001: _info(
        "error", "the file or folder cannot be read", "format.md#reading-the-file-wk0xx"
    ),
    Code.WK002: _info("error", "not UTF-8 text, or a NUL byte", "format.md#reading-the-file-wk0xx"),
    Code.WK003: _info(
        "error",
        "YAML syntax error (at the offending character)",
        "format.md#reading-the-file-wk0xx",
    ),
    Code.WK004: _info(
        "error",
        "the same key twice in one mapping (both lines named)",
        "format.md#reading-the-file-wk0xx",
    ),
    Code.WK005: _info(
        "error", "a YAML tag such as `!!python/object`", "format.md#reading-the-file-wk0xx"
    ),
    Code.WK006: _info("error", "aliases expand too far", "format.md#reading-the-file-wk0xx"),
    Code.WK007: _info(
        "error", "nested too deeply (more than 48 levels)", "format.md#reading-the-file-wk0xx"
    ),
    Code.WK008: _info("error", "file larger than 5 MB", "format.md#reading-the-file-wk0xx"),
    Code.WK009: _info("error", "empty file", "format.md#reading-the-file-wk0xx"),
    Code.WK010: _info(
        "error", "the top is a list or a single value", "format.md#reading-the-file-wk0xx"
    ),
    Code.WK011: _info(
        "error", "several documents in one file (`---`)", "format.md#reading-the-file-wk0xx"
    ),
    Code.WK012: _info("error", "a tab used for indentation", "format.md#reading-the-file-wk0xx"),
    Code.WK014: _info(
        "error", "`worksheetkit:` missing or not `1`", "format.md#reading-the-file-wk0xx"
    ),
    Code.WK099: _info(
        "either", "more than 200 problems in one file", "format.md#reading-the-file-wk0xx"
    ),
    Code.WK101: _info(
        "error",
        "a required key is missing (`label`, `id`, `title`, `type`, …)",
        "format.md#the-shape-of-the-document-wk1xx",
    ),
    Code.WK102: _info(
        "error",
        "a value of the wrong kind (text where a number belongs, …)",
        "format.md#the-shape-of-the-document-wk1xx",
    ),
    Code.WK103: _info(
        "error", 'an unknown key (with "did you mean")', "format.md#the-shape-of-the-document-wk1xx"
    ),
    Code.WK104: _info(
        "error",
        "a value not in the allowed list (`repeat: dialy`)",
        "format.md#the-shape-of-the-document-wk1xx",
    ),
    Code.WK105: _info(
        "error",
        "out of range, too short, or wrong format (`at: 25:00`, `for: 4h`)",
        "format.md#the-shape-of-the-document-wk1xx",
    ),
    Code.WK106: _info(
        "error",
        "an id, version or reference in the wrong format",
        "format.md#the-shape-of-the-document-wk1xx",
    ),
    Code.WK107: _info(
        "error",
        'an unknown item type (with "did you mean")',
        "format.md#the-shape-of-the-document-wk1xx",
    ),
    Code.WK201: _info(
        "error",
        "an id used twice (items, table columns, scores)",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK202: _info(
        "error",
        "two documents in a pack with the same id and version",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK203: _info(
        "error",
        "`remove`/`change`/`add` names an item the template lacks",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK204: _info(
        "error",
        "a reference to a worksheet or pathway not in the pack",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK205: _info(
        "error",
        "the referenced version is not in the pack",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK206: _info(
        "error",
        "templates extend each other in a circle",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK207: _info(
        "either",
        "a translation missing for a declared language",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK208: _info(
        "error", "two options with the same value", "format.md#the-meaning-of-the-document-wk2xx"
    ),
    Code.WK209: _info(
        "error",
        "a minimum above its maximum (`min`/`max`, lengths, selections, rows)",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK210: _info(
        "error",
        "score bands overlap or are out of order",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK211: _info(
        "error",
        "score bands leave a gap at the bottom or the top",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK212: _info(
        "error",
        "a link or media address the link rule refuses",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK213: _info(
        "error", "a worksheet without items", "format.md#the-meaning-of-the-document-wk2xx"
    ),
    Code.WK214: _info(
        "error",
        "a likert item with both/neither `options` and `scale`, or an unknown preset",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK215: _info(
        "error",
        "rating anchors outside the scale, or a step larger than the scale",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK216: _info(
        "error",
        "a `default` that is not a valid answer",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK217: _info(
        "error",
        "a `pattern` outside the dialect RE2 and browsers share",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK218: _info("error", "invalid duration", "format.md#the-meaning-of-the-document-wk2xx"),
    Code.WK219: _info(
        "either",
        "schedule problem",
        "format.md#the-meaning-of-the-document-wk2xx",
        "scheduling.md#assignments",
    ),
    Code.WK220: _info(
        "error",
        "a file the pack may not hold, never opened",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK221: _info(
        "error",
        "unknown time zone",
        "format.md#the-meaning-of-the-document-wk2xx",
        "scheduling.md#assignments",
    ),
    Code.WK222: _info(
        "error", "a step id used twice in a pathway", "format.md#the-meaning-of-the-document-wk2xx"
    ),
    Code.WK223: _info(
        "error",
        "a translated text without the default language",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK224: _info(
        "error",
        "`change` makes an item invalid, or changes its id or type",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK225: _info(
        "warning",
        "`method: prorate` with `allow: 0` never prorates",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK226: _info(
        "warning",
        "a relative media link names no file in the pack, or leaves the pack folder",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK227: _info(
        "warning",
        "a title or plan text held control characters a calendar file cannot carry",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK228: _info(
        "error",
        "two worksheets (or two pathways) whose site pages would have one name",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK229: _info(
        "warning",
        "a Markdown text longer than 20,000 characters, or more than 200,000 in one document",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK235: _info(
        "error",
        "a line of a pack's response stream that fits no assignment or worksheet of the pack",
        "format.md#the-meaning-of-the-document-wk2xx",
    ),
    Code.WK301: _info("error", "syntax error", "expressions.md#problems-and-how-to-fix-them"),
    Code.WK302: _info("error", "unknown name", "expressions.md#problems-and-how-to-fix-them"),
    Code.WK303: _info("error", "unknown function", "expressions.md#problems-and-how-to-fix-them"),
    Code.WK304: _info(
        "error", "wrong number of arguments", "expressions.md#problems-and-how-to-fix-them"
    ),
    Code.WK305: _info("error", "type mismatch", "expressions.md#problems-and-how-to-fix-them"),
    Code.WK306: _info(
        "error",
        "column used outside its table, or unknown column",
        "expressions.md#problems-and-how-to-fix-them",
    ),
    Code.WK307: _info(
        "error",
        "dependency loop (reported by worksheet validation, using `find_cycle`)",
        "expressions.md#problems-and-how-to-fix-them",
    ),
    Code.WK308: _info(
        "error", "function not allowed here", "expressions.md#problems-and-how-to-fix-them"
    ),
    Code.WK309: _info(
        "error",
        "condition would check too many combinations of table rows",
        "expressions.md#problems-and-how-to-fix-them",
    ),
    Code.WK310: _info(
        "error",
        "compared with a value the item does not have (always false or always true)",
        "expressions.md#problems-and-how-to-fix-them",
    ),
    Code.WK311: _info(
        "warning",
        "compared with a number outside the rating's range",
        "expressions.md#problems-and-how-to-fix-them",
    ),
    Code.WK400: _info("either", "too many problems to list", "responses.md#3-validation-codes"),
    Code.WK401: _info("error", "wrong type of answer", "responses.md#3-validation-codes"),
    Code.WK402: _info(
        "either", "required question not answered", "responses.md#3-validation-codes"
    ),
    Code.WK403: _info(
        "error", "number out of range or off the scale", "responses.md#3-validation-codes"
    ),
    Code.WK404: _info(
        "error",
        "text too long, too short or not in the expected form",
        "responses.md#3-validation-codes",
    ),
    Code.WK405: _info("error", "not one of the options", "responses.md#3-validation-codes"),
    Code.WK406: _info(
        "error", "too few or too many options chosen", "responses.md#3-validation-codes"
    ),
    Code.WK407: _info("error", "too few or too many table rows", "responses.md#3-validation-codes"),
    Code.WK408: _info("either", "answer to an unknown question", "responses.md#3-validation-codes"),
    Code.WK409: _info("warning", "answer to a hidden question", "responses.md#3-validation-codes"),
    Code.WK410: _info(
        "either", "worksheet id or version mismatch", "responses.md#3-validation-codes"
    ),
    Code.WK411: _info(
        "either",
        "response document shape",
        "responses.md#3-validation-codes",
        "adherence.md#6-problems-in-the-responses",
    ),
    Code.WK412: _info(
        "error", "ranking is not a complete ordering", "responses.md#3-validation-codes"
    ),
    Code.WK413: _info(
        "error",
        "conditions stopped: too many table rows to check",
        "responses.md#3-validation-codes",
    ),
    Code.WK414: _info(
        "warning",
        "more responses naming no occurrence than can be matched by time",
        "adherence.md#6-problems-in-the-responses",
    ),
    Code.WK501: _info("warning", "client's confidence below 7", "scheduling.md#assignments"),
    Code.WK502: _info(
        "warning", "homework plan lacks a when or a where", "scheduling.md#assignments"
    ),
    Code.WK503: _info(
        "error",
        "assignment needs exactly one of worksheet and pathway",
        "scheduling.md#assignments",
    ),
    Code.WK601: _info(
        "warning",
        "a text shown in the default language: no translation for the language asked",
        "rendering.md#languages",
    ),
    Code.WK701: _info(
        "either",
        "FHIR export: an item field with no place in FHIR; adherence: a line that is not JSON",
        "fhir.md#warning-codes",
        "adherence.md#6-problems-in-the-responses",
    ),
    Code.WK702: _info(
        "warning",
        "export: a `show_if` could not be expressed; always shown in FHIR",
        "fhir.md#warning-codes",
    ),
    Code.WK703: _info(
        "either",
        "FHIR export: a ranking became a multiple choice; adherence: a response without submitted_at",
        "fhir.md#warning-codes",
        "adherence.md#6-problems-in-the-responses",
    ),
    Code.WK704: _info(
        "warning",
        "FHIR export: parts of a score left out; adherence and intake: an occurrence not in the schedule",
        "fhir.md#warning-codes",
        "adherence.md#6-problems-in-the-responses",
    ),
    Code.WK705: _info(
        "warning",
        "FHIR export: worksheet fields with no place in FHIR; adherence: the worksheet is not in the pack",
        "fhir.md#warning-codes",
        "adherence.md#6-problems-in-the-responses",
    ),
    Code.WK706: _info(
        "either",
        "responses of another assignment (skipped by adherence, refused by intake)",
        "adherence.md#6-problems-in-the-responses",
    ),
    Code.WK707: _info(
        "either",
        "a response of no known assignment, or an assignment's lines not together",
        "adherence.md#6-problems-in-the-responses",
    ),
    Code.WK708: _info(
        "error",
        "the assignment's schedule cannot be expanded",
        "adherence.md#6-problems-in-the-responses",
    ),
    Code.WK710: _info("error", "import: not a Questionnaire / not JSON", "fhir.md#warning-codes"),
    Code.WK711: _info(
        "warning", "import: a linkId was renamed to a valid item id", "fhir.md#warning-codes"
    ),
    Code.WK712: _info(
        "warning",
        "import: answer list not available offline (ValueSet) or missing; free-text question",
        "fhir.md#warning-codes",
    ),
    Code.WK713: _info(
        "warning", "import: answer codes replaced by their weights", "fhir.md#warning-codes"
    ),
    Code.WK714: _info(
        "warning",
        "import: a feature or extension a worksheet cannot hold was left out",
        "fhir.md#warning-codes",
    ),
    Code.WK715: _info(
        "warning",
        "import: a condition or calculation not understood, or nested repeating groups flattened",
        "fhir.md#warning-codes",
    ),
    Code.WK716: _info("warning", "import: item codes left out", "fhir.md#warning-codes"),
    Code.WK717: _info(
        "warning", "import: a weight-sum calculation became a score", "fhir.md#warning-codes"
    ),
    Code.WK718: _info(
        "error", "import: the result would not be a valid worksheet", "fhir.md#warning-codes"
    ),
    Code.WK719: _info(
        "warning",
        "import: `repeats`/`required`/`readOnly` is not a boolean; how it was read",
        "fhir.md#warning-codes",
    ),
    Code.WK720: _info(
        "warning",
        "import: Questionnaire fields left out, version or language not understood",
        "fhir.md#warning-codes",
    ),
    Code.WK721: _info(
        "error",
        "import: the resource is too large (items, options, nesting, or over 10 MB of JSON)",
        "fhir.md#warning-codes",
    ),
    Code.WK722: _info(
        "warning",
        "import: an answer option repeats an earlier option's code; left out",
        "fhir.md#warning-codes",
    ),
    Code.WK740: _info(
        "either",
        "response import: an answer matches no question, or not a QuestionnaireResponse",
        "fhir.md#warning-codes",
    ),
    Code.WK741: _info(
        "warning",
        "response import: an answer matches no option, or is a file/reference",
        "fhir.md#warning-codes",
    ),
    Code.WK742: _info(
        "warning",
        "response import: a stored score differs from the recomputed one",
        "fhir.md#warning-codes",
    ),
    Code.WK743: _info(
        "warning",
        "response export: an answer to a hidden question (or cell) was not exported",
        "fhir.md#warning-codes",
    ),
    Code.WK744: _info(
        "either", "response import: a linkId answered twice", "fhir.md#warning-codes"
    ),
    Code.WK745: _info(
        "warning",
        "response export: the response's `meta` (the app's own fields) was not exported",
        "fhir.md#warning-codes",
    ),
}


def explain(code: str) -> str:
    """``WK105 (error): out of range, … — see docs/format.md#…``; ``KeyError`` for a code
    that is not in the catalogue."""
    try:
        member = Code(code.strip().upper())
    except ValueError:
        raise KeyError(code) from None
    info = CATALOGUE[member]
    where = ", ".join(f"docs/{d}" for d in info.docs)
    return f"{member} ({info.severity}): {info.title} — see {where}"

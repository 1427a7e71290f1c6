"""FHIR R4 Questionnaire → worksheet: ``import_questionnaire`` and ``from_fhir``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .._results import JsonResult
from ..codes import Code
from ..errors import Diagnostic, DocPath, WorksheetError, has_errors, sort_diagnostics
from ..expressions import Expr, ExpressionSyntaxError, parse, references
from ..expressions.nodes import quote
from ..model import COLUMN_TYPES, LIKERT_PRESETS, Worksheet, is_language_code
from ..rendering import canonical_yaml, worksheet_to_yaml, worksheet_yaml_data
from ._common import (
    DURATION_REGEX,
    EXT_ANSWER_CONSTRAINT,
    EXT_CALCULATED_EXPRESSION,
    EXT_CHOICE_ORIENTATION,
    EXT_CO_VALUE,
    EXT_ENABLE_WHEN_EXPRESSION,
    EXT_ENTRY_FORMAT,
    EXT_HIDDEN,
    EXT_ITEM_CONTROL,
    EXT_ITEM_MEDIA,
    EXT_ITEM_WEIGHT,
    EXT_MARKDOWN,
    EXT_MAX_OCCURS,
    EXT_MAX_VALUE,
    EXT_MIN_LENGTH,
    EXT_MIN_OCCURS,
    EXT_MIN_VALUE,
    EXT_OPTION_EXCLUSIVE,
    EXT_ORDINAL,
    EXT_REGEX,
    EXT_SLIDER_STEP,
    EXT_UNIT,
    EXT_VARIABLE,
    EXT_WK_EXPRESSION,
    EXT_WK_ITEM_TYPE,
    EXT_WK_MISSING,
    EXT_WK_REVERSE,
    EXT_XHTML,
    SEMVER_RE,
    as_dict,
    as_list,
    code_of,
    doc_id_from,
    is_item_id,
    item_control_code,
    number_value,
    read_translations,
    slug_item_id,
)
from ._import_common import FhirSource, _number, read_resource
from .export import INSTRUCTIONS_LINK_ID
from .fhirpath import Scope, Untranslatable, to_fhirpath

__all__ = ["ImportResult", "from_fhir", "import_questionnaire"]

# Item-level extensions this importer understands (everything else is reported).
_KNOWN_ITEM_EXTENSIONS = frozenset(
    {
        EXT_ITEM_CONTROL,
        EXT_CHOICE_ORIENTATION,
        EXT_MIN_VALUE,
        EXT_MAX_VALUE,
        EXT_MIN_LENGTH,
        EXT_REGEX,
        EXT_ENTRY_FORMAT,
        EXT_UNIT,
        EXT_SLIDER_STEP,
        EXT_MIN_OCCURS,
        EXT_MAX_OCCURS,
        EXT_ITEM_MEDIA,
        EXT_ENABLE_WHEN_EXPRESSION,
        EXT_CALCULATED_EXPRESSION,
        EXT_WK_ITEM_TYPE,
        EXT_WK_REVERSE,
        EXT_WK_EXPRESSION,
        EXT_ANSWER_CONSTRAINT,
        EXT_VARIABLE,
    }
)
_KNOWN_ITEM_KEYS = frozenset(
    {
        "linkId",
        "text",
        "_text",
        "type",
        "required",
        "repeats",
        "readOnly",
        "maxLength",
        "answerOption",
        "answerValueSet",
        "initial",
        "item",
        "enableWhen",
        "enableBehavior",
        "extension",
        "prefix",
        "code",
        "definition",
        "id",
    }
)
_ROOT_KEYS = frozenset(
    {
        "resourceType",
        "id",
        "meta",
        "text",
        "language",
        "url",
        "version",
        "name",
        "title",
        "_title",
        "status",
        "description",
        "_description",
        "purpose",
        "_purpose",
        "copyright",
        "derivedFrom",
        "item",
        "contained",
        "extension",
        "implicitRules",
    }
)
# Question types that may carry answerOption in R4 (que-5) besides choice / open-choice.
_OPTION_TYPES = frozenset({"string", "text", "integer", "decimal", "date", "dateTime", "time"})
_FLAGS = ("repeats", "required", "readOnly")
# Imports larger than this are refused before any work is done (issue 13): real instruments
# have tens to a few hundred items; 100,000 items would take minutes and give a worksheet
# nobody can use. Worksheet YAML stays far below the loader's node limit at these sizes.
MAX_IMPORT_ITEMS = 5_000
MAX_IMPORT_OPTIONS = 10_000
MAX_IMPORT_DEPTH = 32
_OPERATORS = {"=": "==", "!=": "!=", ">": ">", "<": "<", ">=": ">=", "<=": "<="}
_ORDINAL_SUM = re.compile(r"\.(ordinal|weight)\(\)\s*\.\s*sum\(\)\s*$")


@dataclass(frozen=True)
class ImportResult(JsonResult):
    """A worksheet made from a Questionnaire (None when that was impossible), every problem
    and every approximation, and which item id each question's linkId became.
    ``to_dict()``/``to_json()``/``from_dict()``: schema ``fhir-import`` (the worksheet as its
    JSON document)."""

    worksheet: Worksheet | None
    diagnostics: list[Diagnostic]
    link_ids: dict[str, str] = field(default_factory=dict)
    # item id → {answer code → option value} where values are not the codes themselves
    answer_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The YAML the import already wrote to check it (the worksheet is frozen, so it is the
    # same text): to_yaml() returns it instead of writing it twice, a quarter of `fhir import`.
    _yaml: str | None = field(default=None, repr=False, compare=False)

    def to_yaml(self) -> str:
        if self.worksheet is None:
            raise ValueError("the Questionnaire could not be imported; see .diagnostics")
        if self._yaml is not None:
            return self._yaml
        return worksheet_to_yaml(self.worksheet)


# ---------------------------------------------------------------------------------------------
# The importer


@dataclass
class _Question:
    """One imported question: its dict (the future item) and where it came from."""

    data: dict[str, Any]
    fpath: DocPath
    link_id: str
    table: str | None  # the table id when a column
    codes: dict[str, Any]  # answer code → option value


@dataclass
class _Pending:
    target: dict[str, Any]
    fpath: DocPath
    item: dict[str, Any]
    table: str | None


def _ext(element: Any, url: str) -> dict[str, Any] | None:
    if not isinstance(element, dict):
        return None
    found = element.get("extension")
    if not found:
        return None  # most elements have none: 4,000 look-ups in 26 example imports
    for ext in as_list(found):
        if isinstance(ext, dict) and ext.get("url") == url:
            return ext
    return None


def _ext_value(element: Any, url: str) -> Any:
    # _ext's first test made here: half the look-ups are of elements without extensions, and
    # with the markdown-free texts below, 16.0 → 15.5 ms of the importer's time (26 example
    # imports, 2026-12-05).
    if not isinstance(element, dict) or not element.get("extension"):
        return None
    ext = _ext(element, url)
    if ext is None:
        return None
    for key, value in ext.items():
        if key.startswith("value"):
            return value
    return None


def _json_kind(value: Any) -> str:
    if isinstance(value, str):
        return "a long text"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else "another value"


def _weight(element: Any) -> int | float | None:
    """An option's score weight: ordinalValue, R5's itemWeight or iso21090-CO-value."""
    for url in (EXT_ORDINAL, EXT_ITEM_WEIGHT, EXT_CO_VALUE):
        weight = _number(_ext_value(element, url))
        if weight is not None:
            return weight
    return None


def _ext_value_all(ext: dict[str, Any]) -> Any:
    return next((v for k, v in ext.items() if k.startswith("value")), None)


class _Importer:
    def __init__(self, resource: Mapping[str, Any]) -> None:
        self.q = resource
        self.out: list[Diagnostic] = []
        self.lang = "en"
        self.used_ids: set[str] = set()
        self.table_links: dict[str, str] = {}  # table id → the group's linkId
        self.link_ids: dict[str, str] = {}
        self.questions: dict[str, _Question] = {}  # by linkId
        self.pending_when: list[_Pending] = []
        self.pending_expr: list[tuple[dict[str, Any], DocPath, str, str]] = []
        self.calculated: list[tuple[dict[str, Any], DocPath, str, str | None]] = []
        self.data: dict[str, Any] = {}
        self.parses: dict[str, Expr | None] = {}  # formula → its parse (see parsed())
        # FHIRPath of the `variable` extensions a calculation may use, by score id
        self.variables: dict[str, list[str]] = {}
        self.root_variables = [
            str(as_dict(_ext_value_all(e)).get("expression") or "")
            for e in as_list(resource.get("extension"))
            if isinstance(e, dict) and e.get("url") == EXT_VARIABLE
        ]
        self.untitled: list[dict[str, Any]] = []  # sections made from groups without text
        self.coded_lost = 0
        self.codes_left = 0
        self.contained = {
            c.get("id"): c
            for c in as_list(resource.get("contained"))
            if isinstance(c, dict) and c.get("resourceType") == "ValueSet"
        }

    # -- diagnostics ----------------------------------------------------------------------------
    def warn(
        self, code: str, message: str, hint: str, fpath: DocPath, *, error: bool = False
    ) -> None:
        self.out.append(
            Diagnostic(
                code=code,
                message=message,
                severity="error" if error else "warning",
                hint=hint,
                path=fpath,
            )
        )

    # -- texts ------------------------------------------------------------------------------------
    def text(self, element: Mapping[str, Any], key: str) -> Any:
        """A text field as worksheetkit writes it: a string, or a language map."""
        main = element.get(key)
        extra = element.get(f"_{key}")
        if extra is None:  # no markdown, no translations: most texts
            return main if isinstance(main, str) else None
        markdown = _ext_value(extra, EXT_MARKDOWN)
        if isinstance(markdown, str):
            main = markdown
        if not isinstance(main, str):
            return None
        others = read_translations(extra)
        others.pop(self.lang, None)
        if others:
            return {self.lang: main, **dict(sorted(others.items()))}
        return main

    # -- ids ----------------------------------------------------------------------------------------
    def new_id(self, link_id: str, fpath: DocPath, scope: set[str], *, quiet: bool = False) -> str:
        base = link_id if is_item_id(link_id) else slug_item_id(link_id)
        ident, n = base, 2
        while ident in scope:
            suffix = f"_{n}"
            ident = base[: 64 - len(suffix)] + suffix
            n += 1
        scope.add(ident)
        if ident != link_id and not quiet:
            self.warn(
                Code.WK711,
                f"The linkId '{link_id}' is not a valid item id; the question's id is '{ident}'.",
                "Answers sent back to FHIR use the worksheet's ids; keep this mapping if you "
                "exchange responses with the original form.",
                (*fpath, "linkId"),
            )
        return ident

    # -- the resource ---------------------------------------------------------------------------
    def run(self) -> Worksheet | None:
        q = self.q
        if not isinstance(q, Mapping) or q.get("resourceType") != "Questionnaire":
            found = q.get("resourceType") if isinstance(q, Mapping) else None
            self.warn(
                Code.WK710,
                "This is not a FHIR Questionnaire"
                + (f" (it is a {found})." if isinstance(found, str) else "."),
                "Give the importer a Questionnaire resource in FHIR JSON.",
                (),
                error=True,
            )
            return None
        lang = q.get("language")
        if is_language_code(lang):
            self.lang = lang
        elif lang is not None:
            self.warn(
                Code.WK720,
                f"The language code '{lang}' is not understood; English is assumed.",
                "Use a code such as en, es or pt-BR.",
                ("language",),
            )
        data: dict[str, Any] = {"worksheetkit": 1, "kind": "worksheet"}
        data["id"] = self.doc_id()
        data["version"] = self.version()
        title = self.text(q, "title") or q.get("name") or data["id"]
        data["title"] = title
        data["language"] = self.lang
        summary = self.text(q, "description")
        if summary:
            data["summary"] = summary
        rationale = self.text(q, "purpose")
        if rationale:
            data["rationale"] = rationale
        if isinstance(q.get("copyright"), str):
            data["source"] = {"copyright": q["copyright"]}
        derived = self.derived_from()
        if derived:
            data["derived_from"] = derived
        self.root_warnings()
        items = self.items(as_list(q.get("item")), (), None, top=True, data=data)
        data["items"] = items
        self.resolve_conditions()
        model = self.validated(data, ())
        if model is None:
            return None
        model = self.expressions(model, data)
        if self.untitled:
            data["items"] = self.inline_untitled(data["items"])
            model = self.validated(data, ()) or model
        self.data = data
        scores = self.scores(model)
        if scores:
            data["scores"] = scores
            model = self.validated(data, ()) or model
        if self.coded_lost:
            self.warn(
                Code.WK713,
                f"The answer codes of {self.coded_lost} question(s) were replaced by their score "
                "weights (ordinalValue), which is how worksheets store scored answers.",
                "Pass the Questionnaire to response_from_fhir so responses that use the codes "
                "can still be read.",
                ("item",),
            )
        if self.codes_left:
            self.warn(
                Code.WK716,
                f"The terminology codes (item.code) of {self.codes_left} item(s) have no place in "
                "a worksheet and were left out.",
                "Keep the Questionnaire if you need them for coded data exchange.",
                ("item",),
            )
        return model

    def inline_untitled(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """A group without text has no heading to show: its items take its place, each
        carrying the group's condition too (a disabled group disables what is in it). This
        keeps the meaning; a section with an empty title would export as "text": "", which
        FHIR forbids."""
        out: list[dict[str, Any]] = []
        ids = {id(s) for s in self.untitled}
        for item in items:
            if isinstance(item.get("items"), list):
                item["items"] = self.inline_untitled(item["items"])
            if id(item) not in ids or "help" in item:
                out.append(item)
                continue
            condition = item.get("show_if")
            for child in item["items"]:
                if condition:
                    own = child.get("show_if")
                    child["show_if"] = f"({condition}) and ({own})" if own else condition
                out.append(child)
        return out

    def validated(self, data: dict[str, Any], fpath: DocPath) -> Worksheet | None:
        try:
            model = Worksheet.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                self.warn(
                    Code.WK718,
                    f"The Questionnaire could not be turned into a valid worksheet ({loc}: "
                    f"{err['msg']}).",
                    "Report this Questionnaire to the worksheetkit maintainers.",
                    fpath,
                    error=True,
                )
            return None
        if not model.items:
            self.warn(
                Code.WK718,
                "The Questionnaire has no items that a worksheet can hold.",
                "Add at least one question or display item.",
                ("item",),
                error=True,
            )
            return None
        return model

    def doc_id(self) -> str:
        q = self.q
        for key in ("id", "name"):
            value = q.get(key)
            if isinstance(value, str) and value:
                return doc_id_from(value)
        url = q.get("url")
        if isinstance(url, str) and url.rstrip("/"):
            return doc_id_from(url.rstrip("/").rsplit("/", 1)[-1])
        return "imported.questionnaire"

    def version(self) -> str:
        raw = self.q.get("version")
        if raw is None:
            return "1.0.0"
        text = str(raw)
        if SEMVER_RE.match(text):
            return text
        parts = text.split(".")
        if all(p.isdigit() for p in parts) and 1 <= len(parts) <= 3:
            return ".".join(str(int(p)) for p in [*parts, "0", "0"][:3])
        self.warn(
            Code.WK720,
            f"The version '{text}' is not a semantic version; the worksheet is version 1.0.0.",
            "Set the worksheet's version by hand if it matters.",
            ("version",),
        )
        return "1.0.0"

    def derived_from(self) -> str | None:
        sources = self.q.get("derivedFrom")
        if not isinstance(sources, list) or not sources:
            return None
        first = sources[0]
        if not isinstance(first, str):
            return None
        url, _, version = first.partition("|")
        ident = doc_id_from(url.rstrip("/").rsplit("/", 1)[-1])
        if version and SEMVER_RE.match(version):
            ref = f"{ident}@{version}"
        else:
            ref = ident
        if len(sources) > 1:
            self.warn(
                Code.WK720,
                "Only the first of several 'derivedFrom' sources was kept.",
                "A worksheet is made from one template.",
                ("derivedFrom",),
            )
        return ref if re.fullmatch(r"[a-z0-9][a-z0-9_.-]*(@\d+(\.\d+){0,2})?", ref) else None

    def root_warnings(self) -> None:
        q = self.q
        lost = sorted(k for k in q if k not in _ROOT_KEYS and not k.startswith("_"))
        if q.get("status") not in (None, "active"):
            lost.insert(0, f"status ({q.get('status')})")
        if lost:
            self.warn(
                Code.WK720,
                "These Questionnaire fields have no place in a worksheet and were left out: "
                + ", ".join(lost)
                + ".",
                "Keep the Questionnaire alongside the worksheet if you need them.",
                (),
            )
        urls = sorted(
            {str(e.get("url")) for e in as_list(q.get("extension")) if isinstance(e, dict)}
        )
        if urls:
            self.warn(
                Code.WK714,
                "These Questionnaire extensions are not understood and were left out: "
                + ", ".join(urls)
                + ".",
                "Check whether the worksheet needs what they say.",
                ("extension",),
            )

    # -- items ----------------------------------------------------------------------------------
    def items(
        self,
        fhir_items: Any,
        fpath: DocPath,
        table: str | None,
        *,
        top: bool = False,
        data: dict[str, Any] | None = None,
        scope: set[str] | None = None,
    ) -> list[dict[str, Any]]:
        scope = self.used_ids if scope is None else scope
        out: list[dict[str, Any]] = []
        if not isinstance(fhir_items, list):
            return out
        for i, raw in enumerate(fhir_items):
            here = (*fpath, "item", i)
            if not isinstance(raw, dict):
                continue
            link_id = str(raw.get("linkId", ""))
            kind = raw.get("type")
            if top and link_id == INSTRUCTIONS_LINK_ID and kind == "display" and data is not None:
                data["instructions"] = self.text(raw, "text")
                continue
            control = item_control_code(raw)
            if kind == "display" and control in ("help", "lower", "upper"):
                continue  # read by the parent
            if kind == "display" and out and link_id.endswith("-transcript"):
                previous = out[-1]
                if previous.get("type") == "media" and "transcript" not in previous:
                    previous["transcript"] = self.text(raw, "text")
                    continue
            raw = self.flags(raw, here)
            if isinstance(raw.get("code"), list) and raw["code"]:
                self.codes_left += 1
            self.unknown(raw, here)
            if kind != "group" and (
                _ext(raw, EXT_CALCULATED_EXPRESSION) is not None
                or _ext(raw, EXT_WK_EXPRESSION) is not None
            ):
                self.calculated_item(raw, here)
                continue
            made = self.item(raw, here, table, scope)
            if made is not None:
                out.append(made)
        return out

    def flags(self, raw: dict[str, Any], fpath: DocPath) -> dict[str, Any]:
        """``repeats``, ``required`` and ``readOnly`` as booleans: the text "true" is read as
        true and anything else that is not a boolean as false, each with a located warning."""
        fixed: dict[str, Any] | None = None
        for key in _FLAGS:
            value = raw.get(key)
            if value is None or isinstance(value, bool):
                continue
            meant = isinstance(value, str) and value.strip().lower() == "true"
            fixed = dict(raw) if fixed is None else fixed
            fixed[key] = meant
            self.warn(
                Code.WK719,
                f"'{key}' of the item '{raw.get('linkId')}' is not true or false but "
                + (
                    f"the text '{value}'"
                    if isinstance(value, str) and len(value) <= 20
                    else _json_kind(value)
                )
                + f"; it was read as {'true' if meant else 'false'}.",
                f'Write "{key}": {"true" if meant else "false"} (without quotes).',
                (*fpath, key),
            )
        return raw if fixed is None else fixed

    def unknown(self, raw: dict[str, Any], fpath: DocPath) -> None:
        keys = sorted(k for k in raw if k not in _KNOWN_ITEM_KEYS)
        urls = sorted(
            {
                str(e.get("url"))
                for e in as_list(raw.get("extension"))
                if isinstance(e, dict) and e.get("url") not in _KNOWN_ITEM_EXTENSIONS
            }
        )
        name = raw.get("linkId")
        if keys:
            self.warn(
                Code.WK714,
                f"The item '{name}' uses features a worksheet cannot hold; they "
                "were left out: " + ", ".join(keys) + ".",
                "Check whether the worksheet needs them.",
                fpath,
            )
        for url in urls:
            what = "hidden items (they are shown)" if url == EXT_HIDDEN else f"the extension {url}"
            self.warn(
                Code.WK714,
                f"The item '{name}' uses {what}; it was left out.",
                "Check whether the worksheet needs it.",
                (*fpath, "extension"),
            )

    def base(
        self, raw: dict[str, Any], fpath: DocPath, scope: set[str], table: str | None
    ) -> dict[str, Any]:
        link_id = str(raw.get("linkId", ""))
        name = link_id
        if table is not None and link_id.startswith(f"{self.table_links.get(table, '')}."):
            name = link_id.split(".", 1)[1] if "." in link_id else link_id
        quiet = table is not None and name != link_id and is_item_id(name)
        ident = self.new_id(name or f"item_{len(scope) + 1}", fpath, scope, quiet=quiet)
        self.link_ids[link_id] = ident
        out: dict[str, Any] = {"id": ident}
        return out

    def label(self, raw: dict[str, Any]) -> Any:
        label = self.text(raw, "text")
        prefix = raw.get("prefix")
        if isinstance(prefix, str) and prefix:
            if isinstance(label, dict):
                label = {k: f"{prefix} {v}" for k, v in label.items()}
            else:
                label = f"{prefix} {label}" if label else prefix
        return label

    def children(self, raw: dict[str, Any], out: dict[str, Any], fpath: DocPath) -> None:
        """help/lower/upper display children of a question."""
        for j, child in enumerate(as_list(raw.get("item"))):
            if not isinstance(child, dict):
                continue
            control = item_control_code(child)
            text = self.text(child, "text")
            if child.get("type") == "display" and control == "help" and text is not None:
                out["help"] = text
            elif child.get("type") == "display" and control in ("lower", "upper") and text:
                out.setdefault("_anchors", {})[control] = text
            elif out.get("type") not in ("section", "table"):
                self.warn(
                    Code.WK714,
                    f"The question '{raw.get('linkId')}' has nested items; worksheets cannot nest "
                    "questions under a question, so they were left out.",
                    "Move them into a group (section).",
                    (*fpath, "item", j),
                )

    def item(
        self, raw: dict[str, Any], fpath: DocPath, table: str | None, scope: set[str]
    ) -> dict[str, Any] | None:
        kind = raw.get("type")
        if kind == "display":
            return self.display(raw, fpath)
        if kind == "group":
            return self.group(raw, fpath, table, scope)
        if kind in ("attachment", "reference"):
            self.warn(
                Code.WK714,
                f"The {kind} question '{raw.get('linkId')}' has no worksheet counterpart "
                "(worksheets collect no files or record links); it was left out.",
                "Ask for a description in a text question instead.",
                (*fpath, "type"),
            )
            return None
        out = self.base(raw, fpath, scope, table)
        link_id = str(raw.get("linkId", ""))
        label = self.label(raw)
        out["label"] = label if label is not None else out["id"].replace("_", " ").capitalize()
        codes: dict[str, Any] = {}
        handler = {
            "string": self.q_string,
            "text": self.q_string,
            "url": self.q_string,
            "question": self.q_string,
            "boolean": self.q_simple,
            "date": self.q_simple,
            "dateTime": self.q_simple,
            "time": self.q_simple,
            "integer": self.q_number,
            "decimal": self.q_number,
            "quantity": self.q_number,
            "choice": self.q_choice,
            "open-choice": self.q_choice,
        }.get(str(kind))
        if (
            isinstance(kind, str)
            and kind in _OPTION_TYPES
            and (
                (isinstance(raw.get("answerOption"), list) and raw["answerOption"])
                or isinstance(raw.get("answerValueSet"), str)
            )
        ):
            handler = self.q_choice  # the options are the answers (R4 que-5)
        if handler is None:
            self.warn(
                Code.WK714,
                f"The item type '{kind}' of '{link_id}' is not known; the item "
                "was imported as a text question.",
                "Check the item type.",
                (*fpath, "type"),
            )
            handler = self.q_string
        handler(raw, out, fpath, codes)
        if raw.get("required") is True:
            out["required"] = True
        if raw.get("readOnly") is True:
            out["readonly"] = True
        if _ext_value(raw, EXT_WK_REVERSE) is True and out["type"] in (
            "choice",
            "likert",
            "rating",
            "number",
        ):
            out["reverse"] = True
        if raw.get("repeats") is True and out["type"] not in ("checklist", "ranking"):
            self.warn(
                Code.WK714,
                f"The question '{link_id}' may be answered several times in FHIR; a worksheet "
                "question takes one answer.",
                "Use a table if several answers are needed.",
                (*fpath, "repeats"),
            )
        self.children(raw, out, fpath)
        anchors = out.pop("_anchors", None)
        if anchors and out["type"] == "rating":
            out["anchors"] = {
                out.get("min", 0) if where == "lower" else out.get("max", 10): text
                for where, text in sorted(anchors.items())
            }
        self.questions[link_id] = _Question(out, fpath, link_id, table, codes)
        self.conditions(raw, out, fpath, table)
        return out

    # -- question kinds -----------------------------------------------------------------------------
    def initial(self, raw: dict[str, Any], fpath: DocPath, key: str, convert: Any = None) -> Any:
        initial = raw.get("initial")
        if not isinstance(initial, list) or not initial:
            return None
        first = initial[0]
        if isinstance(first, dict) and key in first:
            value = first[key]
            return convert(value) if convert else value
        self.warn(
            Code.WK714,
            f"The initial value of '{raw.get('linkId')}' is of a type the "
            "question cannot take; it was left out.",
            "Set a default by hand.",
            (*fpath, "initial"),
        )
        return None

    def q_string(
        self, raw: dict[str, Any], out: dict[str, Any], fpath: DocPath, codes: dict[str, Any]
    ) -> None:
        regex = _ext_value(raw, EXT_REGEX)
        wk_type = _ext_value(raw, EXT_WK_ITEM_TYPE)
        if wk_type == "duration" or regex == DURATION_REGEX:
            out["type"] = "duration"
            default = self.initial(raw, fpath, "valueString")
            if default is not None:
                out["default"] = default
            return
        out["type"] = "text"
        if raw.get("type") == "text":
            out["multiline"] = True
        if raw.get("type") in ("url", "question"):
            self.warn(
                Code.WK714,
                f"The {raw.get('type')} question '{raw.get('linkId')}' became a "
                "free-text question.",
                "Add a pattern if the answer must be a link.",
                (*fpath, "type"),
            )
        if isinstance(raw.get("maxLength"), int) and raw["maxLength"] >= 1:
            out["max_length"] = raw["maxLength"]
        min_length = _ext_value(raw, EXT_MIN_LENGTH)
        if isinstance(min_length, int) and min_length >= 0:
            out["min_length"] = min_length
        if isinstance(regex, str):
            try:
                re.compile(regex)
                out["pattern"] = regex
            except re.error:
                self.warn(
                    Code.WK714,
                    f"The regex of '{raw.get('linkId')}' is not understood; it was left out.",
                    "Write the pattern by hand.",
                    (*fpath, "extension"),
                )
        placeholder = _ext_value(raw, EXT_ENTRY_FORMAT)
        if isinstance(placeholder, str):
            out["placeholder"] = placeholder
        default = self.initial(raw, fpath, "valueString")
        if default is not None:
            out["default"] = default

    def q_simple(
        self, raw: dict[str, Any], out: dict[str, Any], fpath: DocPath, codes: dict[str, Any]
    ) -> None:
        kind = raw["type"]
        out["type"] = {"boolean": "yesno", "date": "date", "dateTime": "datetime", "time": "time"}[
            kind
        ]
        key = {
            "boolean": "valueBoolean",
            "date": "valueDate",
            "dateTime": "valueDateTime",
            "time": "valueTime",
        }[kind]
        default = self.initial(raw, fpath, key)
        if kind == "time" and isinstance(default, str) and re.fullmatch(r"\d\d:\d\d:00", default):
            default = default[:5]
        if default is not None:
            out["default"] = default

    def q_number(
        self, raw: dict[str, Any], out: dict[str, Any], fpath: DocPath, codes: dict[str, Any]
    ) -> None:
        kind = raw["type"]
        control = item_control_code(raw)
        wk_type = _ext_value(raw, EXT_WK_ITEM_TYPE)
        low = _number(_ext_value(raw, EXT_MIN_VALUE))
        high = _number(_ext_value(raw, EXT_MAX_VALUE))
        if kind != "quantity" and (wk_type == "rating" or control == "slider"):
            out["type"] = "rating"
            if low is not None:
                out["min"] = low
            if high is not None:
                out["max"] = high
            step = _number(_ext_value(raw, EXT_SLIDER_STEP))
            if step is not None and step > 0:
                out["step"] = step
            widget = {"slider": "slider", "spinner": "number"}.get(str(control))
            if widget is None and wk_type == "rating":
                widget = "buttons"
            out["widget"] = widget or "slider"
            default = self.initial(
                raw, fpath, "valueInteger" if kind == "integer" else "valueDecimal"
            )
            if default is not None:
                out["default"] = number_value(default)
            return
        out["type"] = "number"
        if kind == "integer":
            out["integer"] = True
        if low is not None:
            out["min"] = low
        if high is not None:
            out["max"] = high
        unit = _ext_value(raw, EXT_UNIT)
        if kind == "quantity":
            options = _ext_value(
                raw, "http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption"
            )
            unit = unit or options
            self.warn(
                Code.WK714,
                f"The quantity question '{raw.get('linkId')}' became a number "
                "question; answers are numbers in the unit shown.",
                "Check the unit.",
                (*fpath, "type"),
            )
        if isinstance(unit, dict):
            text = unit.get("display") or unit.get("code")
            if isinstance(text, str):
                out["unit"] = text
        default = self.initial(
            raw,
            fpath,
            {"integer": "valueInteger", "decimal": "valueDecimal", "quantity": "valueQuantity"}[
                kind
            ],
        )
        if isinstance(default, dict):
            default = default.get("value")
        if _number(default) is not None:
            out["default"] = _number(default)

    def q_choice(
        self, raw: dict[str, Any], out: dict[str, Any], fpath: DocPath, codes: dict[str, Any]
    ) -> None:
        options = self.options(raw, fpath)
        if options is None:
            kind = raw.get("type")
            if kind in ("integer", "decimal"):
                self.q_number(raw, out, fpath, codes)
            elif kind in ("date", "dateTime", "time"):
                self.q_simple(raw, out, fpath, codes)
            else:
                out["type"] = "text"
            return
        is_open = self.open_answers(raw, fpath)
        values, use_weights = self.option_values(raw, options, fpath, codes)
        kind = _choice_kind(raw, values, use_weights, is_open=is_open)
        out["type"] = kind
        built = _built_options(options, values, kind, use_weights)
        preset = _likert_preset(built) if kind == "likert" else None
        if preset:
            out["scale"] = preset
        else:
            out["options"] = built
        if is_open:
            out["other"] = True
        if kind == "checklist":
            low = _ext_value(raw, EXT_MIN_OCCURS)
            high = _ext_value(raw, EXT_MAX_OCCURS)
            if isinstance(low, int) and low >= 0:
                out["min_selected"] = low
            if isinstance(high, int) and high >= 1:
                out["max_selected"] = high
        chosen = [v for o, v in zip(options, values, strict=True) if o["initial"]]
        if chosen:
            out["default"] = chosen if kind in ("checklist", "ranking") else chosen[0]

    def option_values(
        self,
        raw: dict[str, Any],
        options: list[dict[str, Any]],
        fpath: DocPath,
        codes: dict[str, Any],
    ) -> tuple[list[Any], bool]:
        """The options' values: their score weights when every option has its own, else their
        codes; and whether the weights were used. A code that is not its weight is recorded in
        ``codes`` (answer code → value), for reading responses that use the codes."""
        weighted = all(o["weight"] is not None for o in options)
        weights = [o["weight"] for o in options]
        use_weights = weighted and len(set(weights)) == len(weights)
        if weighted and not use_weights:
            self.warn(
                Code.WK714,
                f"Two answers of '{raw.get('linkId')}' have the same weight; the weights "
                "were left out and the codes kept.",
                "Give each option its own value by hand if the question is scored.",
                (*fpath, "answerOption"),
            )
        values = []
        for o in options:
            value = o["weight"] if use_weights else o["value"]
            values.append(value)
            if use_weights and o["code"] is not None and code_of(value) != o["code"]:
                codes[o["code"]] = value
        if codes:
            self.coded_lost += 1
        return values, use_weights

    def open_answers(self, raw: dict[str, Any], fpath: DocPath) -> bool:
        """May the question be answered with something else than its options? open-choice
        says so, and so does the answerConstraint extension (optionsOrString, optionsOrType).
        An 'other' answer is free text: for optionsOrType on a number, date or time question
        that is a change, reported once."""
        if raw.get("type") == "open-choice":
            return True
        constraint = _ext_value(raw, EXT_ANSWER_CONSTRAINT)
        if constraint not in ("optionsOrString", "optionsOrType"):
            return False
        if constraint == "optionsOrType" and raw.get("type") not in ("string", "text", "choice"):
            self.warn(
                Code.WK714,
                f"The question '{raw.get('linkId')}' accepts a {raw.get('type')} other than its "
                "options; the worksheet's 'Other' answer is free text.",
                "Check 'Other' answers by hand, or add the values you expect as options.",
                (*fpath, "extension"),
            )
        return True

    def options(self, raw: dict[str, Any], fpath: DocPath) -> list[dict[str, Any]] | None:
        link_id = raw.get("linkId")
        found: list[dict[str, Any]] = []
        answer_options = raw.get("answerOption")
        value_set = raw.get("answerValueSet")
        if isinstance(answer_options, list) and answer_options:
            for j, option in enumerate(answer_options):
                parsed = self.option(option, (*fpath, "answerOption", j))
                if parsed is not None:
                    found.append(parsed)
        elif isinstance(value_set, str):
            concepts = self.value_set(value_set)
            if concepts is None:
                self.warn(
                    Code.WK712,
                    f"The answers of '{link_id}' come from the ValueSet '{value_set}', which "
                    "cannot be looked up offline; the question was imported as free text.",
                    "Copy the answers into answerOption (or a contained ValueSet) and import "
                    "again, or add the options to the worksheet by hand.",
                    (*fpath, "answerValueSet"),
                )
                return None
            found = concepts
        else:
            self.warn(
                Code.WK712,
                f"The choice question '{link_id}' lists no answers; it was imported as free text.",
                "Add answerOption entries.",
                fpath,
            )
            return None
        if not found:
            return None
        seen: dict[str, dict[str, Any]] = {}
        unique = []
        for o in found:
            key = code_of(o["value"])
            first = seen.get(key)
            if first is None:
                seen[key] = o
                unique.append(o)
                continue
            other_system = first.get("system") != o.get("system")
            self.warn(
                Code.WK722,
                f"An answer option of '{link_id}' repeats the code '{key[:64]}' of an earlier "
                "option"
                + (" (from another code system)" if other_system else "")
                + "; a worksheet tells answers apart by their code, so this option was left out.",
                "Give each option its own code, or merge the two options.",
                o.get("fpath") or fpath,
            )
        return unique

    def option(self, option: Any, fpath: DocPath) -> dict[str, Any] | None:
        if not isinstance(option, dict):
            return None
        weight = _weight(option)
        entry: dict[str, Any] = {
            "weight": weight,
            "code": None,
            "label": None,
            "initial": option.get("initialSelected") is True,
            "exclusive": _ext_value(option, EXT_OPTION_EXCLUSIVE) is True,
            "fpath": fpath,
            "system": None,
        }
        if isinstance(option.get("valueCoding"), dict):
            coding = option["valueCoding"]
            if entry["weight"] is None:
                entry["weight"] = _weight(coding)
            code = coding.get("code")
            label = self.text(coding, "display")
            if not isinstance(code, str):
                code = label if isinstance(label, str) else None
            if code is None:
                return None
            entry.update(code=code, value=code, label=label)
            system = coding.get("system")
            if isinstance(system, str) and 1 <= len(system) <= 1024:
                entry["system"] = system
            return entry
        for key in ("valueString", "valueInteger", "valueDate", "valueTime"):
            if key in option:
                value = option[key]
                if isinstance(value, bool):
                    return None
                entry.update(
                    code=code_of(value),
                    value=value,
                    label=self.text(option, key) if key == "valueString" else None,
                )
                return entry
        self.warn(
            Code.WK714,
            "An answer option of a type worksheets cannot hold was left out.",
            "Use coded, text or number options.",
            fpath,
        )
        return None

    def value_set(self, ref: str) -> list[dict[str, Any]] | None:
        vs: Any = None
        if ref.startswith("#"):
            vs = self.contained.get(ref[1:])
        else:
            for candidate in self.contained.values():
                if candidate.get("url") == ref.partition("|")[0]:
                    vs = candidate
        if not isinstance(vs, dict):
            return None
        out: list[dict[str, Any]] = []
        expansion = as_dict(vs.get("expansion")).get("contains")
        if isinstance(expansion, list) and expansion:
            for concept in expansion:
                if isinstance(concept, dict) and isinstance(concept.get("code"), str):
                    out.append(self.concept(concept, concept.get("system")))
            return out or None
        includes = as_list(as_dict(vs.get("compose")).get("include"))
        for include in includes:
            if not isinstance(include, dict):
                continue
            concepts = include.get("concept")
            if not isinstance(concepts, list) or include.get("filter") or include.get("valueSet"):
                return None  # a rule, not a list: needs a terminology server
            for concept in concepts:
                if isinstance(concept, dict) and isinstance(concept.get("code"), str):
                    out.append(self.concept(concept, include.get("system")))
        return out or None

    def concept(self, concept: dict[str, Any], system: Any = None) -> dict[str, Any]:
        weight = _weight(concept)
        label = self.text(concept, "display")
        designations = {
            d.get("language"): d.get("value")
            for d in as_list(concept.get("designation"))
            if isinstance(d, dict)
            and isinstance(d.get("language"), str)
            and isinstance(d.get("value"), str)
        }
        designations.pop(self.lang, None)
        if designations and isinstance(label, str):
            label = {self.lang: label, **dict(sorted(designations.items()))}
        return {
            "weight": weight,
            "code": concept["code"],
            "value": concept["code"],
            "label": label,
            "initial": False,
            "exclusive": False,
            "system": system if isinstance(system, str) and 1 <= len(system) <= 1024 else None,
        }

    # -- display, groups ---------------------------------------------------------------------------
    def display(self, raw: dict[str, Any], fpath: DocPath) -> dict[str, Any] | None:
        link_id = str(raw.get("linkId", ""))
        text = self.text(raw, "text")
        media = _ext_value(raw, EXT_ITEM_MEDIA)
        wk_type = _ext_value(raw, EXT_WK_ITEM_TYPE)
        out: dict[str, Any]
        if isinstance(media, dict) and isinstance(media.get("url"), str):
            content = str(media.get("contentType") or "")
            kind = wk_type if wk_type in ("audio", "video", "image") else content.split("/")[0]
            if kind not in ("audio", "video", "image"):
                kind = "image"
                self.warn(
                    Code.WK714,
                    f"The media of '{link_id}' is of an unknown kind; it is shown as an image.",
                    "Set 'kind' by hand.",
                    (*fpath, "extension"),
                )
            out = {"type": "media", "kind": kind, "url": media["url"]}
            if is_item_id(link_id) and link_id not in self.used_ids:
                self.used_ids.add(link_id)
                out = {"id": link_id, **out}
            title = media.get("title")
            if isinstance(text, dict) or (text and text != title):
                out["label"] = text
            if isinstance(title, str):
                out["alt"] = title
            self.conditions(raw, out, fpath, None)
            return out
        if _ext_value(raw.get("_text"), EXT_XHTML) is not None and text is not None:
            self.warn(
                Code.WK714,
                f"The display item '{link_id}' carries formatted HTML; only its "
                "plain text was kept.",
                "Rewrite the formatting in Markdown.",
                (*fpath, "_text"),
            )
        if text is None:
            return None
        out = {"type": "note", "text": text}
        if is_item_id(link_id) and link_id not in self.used_ids:
            self.used_ids.add(link_id)
            out = {"id": link_id, **out}
        self.conditions(raw, out, fpath, None)
        return out

    def group(
        self, raw: dict[str, Any], fpath: DocPath, table: str | None, scope: set[str]
    ) -> dict[str, Any] | None:
        link_id = str(raw.get("linkId", ""))
        if raw.get("repeats") is True and table is None:
            return self.table(raw, fpath, scope)
        if table is not None:
            self.warn(
                Code.WK715,
                f"The group '{link_id}' sits inside a repeating group; worksheets do not nest "
                "tables, so its questions became columns of the outer table"
                + (" and are answered once per row." if raw.get("repeats") else "."),
                "Split the form if the inner repetition matters.",
                fpath,
            )
            return {"_flatten": self.items(raw.get("item"), fpath, table, scope=scope)}
        children = self.items(raw.get("item"), fpath, None)
        if not children:
            return None
        out: dict[str, Any] = {"type": "section"}
        if is_item_id(link_id) and link_id not in self.used_ids:
            self.used_ids.add(link_id)
            out["id"] = link_id
        title = self.label(raw)
        out["title"] = title or ""
        if not title:
            self.untitled.append(out)  # its items take its place (see inline_untitled)
        holder: dict[str, Any] = {"type": "section"}
        self.children(raw, holder, fpath)
        if "help" in holder:
            out["help"] = holder["help"]
        out["items"] = children
        self.conditions(raw, out, fpath, None)
        if raw.get("required") is True:
            self.warn(
                Code.WK714,
                f"The group '{link_id}' is required; worksheets require questions, "
                "not sections, so the requirement was left out.",
                "Mark the questions inside as required.",
                (*fpath, "required"),
            )
        return out

    def table(self, raw: dict[str, Any], fpath: DocPath, scope: set[str]) -> dict[str, Any] | None:
        link_id = str(raw.get("linkId", ""))
        out = self.base(raw, fpath, scope, None)
        self.table_links[out["id"]] = link_id
        out["type"] = "table"
        label = self.label(raw)
        out["label"] = label if label is not None else out["id"]
        columns_scope: set[str] = set()
        raw_columns = self.items(raw.get("item"), fpath, out["id"], scope=columns_scope)
        columns: list[dict[str, Any]] = []
        for column in raw_columns:
            if "_flatten" in column:
                columns.extend(
                    c for c in column["_flatten"] if c.get("type") not in ("note", "media")
                )
            elif column.get("type") in ("note", "media"):
                self.warn(
                    Code.WK714,
                    f"A display item inside the repeating group '{link_id}' was "
                    "left out; table rows hold questions only.",
                    "Move the text into the table's help.",
                    fpath,
                )
            else:
                columns.append(column)
        for column in columns:
            if column.get("type") not in COLUMN_TYPES:
                self.warn(
                    Code.WK714,
                    f"The question '{column.get('id')}' cannot be a table column "
                    "(rankings and tables cannot sit in a row); it was left out.",
                    "Move it out of the repeating group.",
                    fpath,
                )
        columns = [c for c in columns if c.get("type") in COLUMN_TYPES]
        if not columns:
            self.warn(
                Code.WK714,
                f"The repeating group '{link_id}' has no questions a table row can "
                "hold; it was left out.",
                "Add questions to it.",
                fpath,
            )
            return None
        out["columns"] = columns
        low = _ext_value(raw, EXT_MIN_OCCURS)
        high = _ext_value(raw, EXT_MAX_OCCURS)
        if isinstance(low, int) and low > 0:
            out["min_rows"] = low
        if isinstance(high, int) and 1 <= high <= 1000:
            out["max_rows"] = high
        if raw.get("required") is True:
            out["required"] = True
        holder: dict[str, Any] = {"type": "table"}
        self.children(raw, holder, fpath)
        if "help" in holder:
            out["help"] = holder["help"]
        self.questions[link_id] = _Question(out, fpath, link_id, None, {})
        self.conditions(raw, out, fpath, None)
        return out

    # -- scores ------------------------------------------------------------------------------------
    def calculated_item(self, raw: dict[str, Any], fpath: DocPath) -> None:
        ext = _ext_value(raw, EXT_CALCULATED_EXPRESSION)
        expression = ext if isinstance(ext, dict) else {}
        fhirpath = expression.get("expression")
        source = _ext_value(expression, EXT_WK_EXPRESSION)
        if ext is None:
            source, fhirpath = _ext_value(raw, EXT_WK_EXPRESSION), None
        link_id = str(raw.get("linkId", ""))
        ident = self.new_id(link_id, fpath, self.used_ids)
        self.link_ids[link_id] = ident
        label = self.label(raw) or ident
        entry: dict[str, Any] = {"id": ident, "label": label}
        self.variables[ident] = self.root_variables + [
            str(as_dict(_ext_value_all(e)).get("expression") or "")
            for e in as_list(raw.get("extension"))
            if isinstance(e, dict) and e.get("url") == EXT_VARIABLE
        ]
        rule = _ext_value(expression, EXT_WK_MISSING)
        found = re.fullmatch(r"(\d{1,6}) (none|prorate)", rule) if isinstance(rule, str) else None
        if found:
            entry["missing"] = {"allow": int(found.group(1)), "method": found.group(2)}
        self.calculated.append(
            (
                entry,
                fpath,
                str(fhirpath or ""),
                source if isinstance(source, str) else None,
            )
        )

    def scores(self, model: Worksheet) -> list[dict[str, Any]]:
        out = []
        scope_items = _scope_items(model)
        scored = [
            ident
            for ident, item in scope_items.items()
            if item.type in ("likert", "choice") and _all_numeric(item)
        ]
        from ..model import NumberItem

        for entry, fpath, fhirpath, source in self.calculated:
            formula = None
            if source is not None and not fhirpath:
                formula = source if self.parsed(source) is not None else None
            elif source is not None:
                scope = {
                    **scope_items,
                    **{
                        e["id"]: NumberItem(type="number", id=e["id"], label=e["id"])
                        for e, *_ in self.calculated
                    },
                }
                formula = self.checked(source, fhirpath, Scope(scope, reverse=True))
                if formula is None:
                    formula = self.checked_score(entry, source, fhirpath)
            summed = self.weight_sum(entry["id"], fhirpath, scored) if formula is None else None
            if summed:
                formula = "sum(" + ", ".join(summed) + ")"
                # FHIR adds up the answered weights: a partly answered form still has a total
                entry["missing"] = {"allow": len(summed), "method": "none"}
                self.warn(
                    Code.WK717,
                    f"The calculated item '{entry['id']}' adds up answer weights; it became the "
                    f"score '{entry['id']}' = {formula}, counting the answered questions (with "
                    "none answered there is no score).",
                    "Check that every scored question is included, and add bands by hand.",
                    fpath,
                )
            if formula is None:
                self.warn(
                    Code.WK715,
                    f"The calculation of '{entry['id']}' ({fhirpath or 'none'}) is not understood; "
                    "the calculated item was left out.",
                    "Write the score's formula by hand in the worksheet's scores.",
                    (*fpath, "extension"),
                )
                continue
            out.append({**entry, "formula": formula})
        return out

    def weight_sum(self, ident: str, fhirpath: str, scored: list[str]) -> list[str]:
        """The scored questions a weight-sum calculation adds up: ``….ordinal().sum()`` over
        the form (SDC), or sums of ``ordinal()``/``weight()`` of named questions, also through
        ``variable`` extensions (as LOINC forms from LHC-Forms write them). [] otherwise."""
        text = " ".join([fhirpath, *self.variables.get(ident, [])])
        if not scored or not re.search(r"\.(ordinal|weight)\(\)", text):
            return []
        named = [self.link_ids.get(link) for link in re.findall(r"linkId\s*=\s*'([^']*)'", text)]
        found = [i for i in scored if i in named]
        if found:
            return found
        return list(scored) if _ORDINAL_SUM.search(fhirpath) else []

    def checked_score(self, entry: dict[str, Any], source: str, fhirpath: str) -> str | None:
        """The stored formula when its FHIRPath is the one export writes (the formula inside
        its missing-answer rule)."""
        from .export import score_expression, score_items

        expr = self.parsed(source)
        if expr is None:
            return None  # not among the drafts below: the draft had no such score
        drafts = [
            {**e, "formula": s if s else "0"}
            for e, _, _, s in self.calculated
            if s is None or self.parsed(s) is not None
        ]
        # What export writes of a score (score_expression: the score's plan — the questions
        # its formula uses, in document order, and whether complete answers give a whole
        # number — and the items and scores its names stand for) depends on nothing but what
        # the formula names. So the draft holds only the questions the formula names (every
        # name in it, over-approximated; without conditions, never part of a score's plan)
        # and every score (validated as before); its plan is built for a copy holding only
        # the scores the formula names, and not cached. Before, the plan of the whole draft
        # was compiled (and cached) for every score just to read that.
        # 26 example imports (CPU time, bench/peers' set): the score check 16.6 → 7.5 ms,
        # the import 89 → 73 ms, 2026-12-04 (tests/test_fhir_score_check.py).
        names = references(expr)
        every = self.data.get("items", [])
        # Only valid items may be left out of the draft (its validation would fail on any
        # other): they are when no error was reported (each change to them was validated).
        items = every if has_errors(self.out) else _named_items(every, names)
        try:
            draft = Worksheet.model_validate({**self.data, "items": items, "scores": drafts})
            score = next(s for s in draft.scores if s.id == entry["id"])
            draft = draft.model_copy(
                update={"scores": [s for s in draft.scores if s is score or s.id in names]}
            )
            scope = {**_scope_items(draft), **score_items(draft.scores)}
            translated = score_expression(draft, score, scope, expr=expr, draft=True)
        except (ValidationError, StopIteration, ExpressionSyntaxError, Untranslatable):
            return None
        return source if translated == fhirpath else None

    def parsed(self, source: str) -> Expr | None:
        """``source`` parsed (None when it does not parse), once per import: each score's
        check reads every formula."""
        if source not in self.parses:
            try:
                self.parses[source] = parse(source)
            except ExpressionSyntaxError:
                self.parses[source] = None
        return self.parses[source]

    def checked(self, source: str, fhirpath: str, scope: Scope) -> str | None:
        """The worksheetkit expression stored beside a FHIRPath, when they still agree."""
        expr = self.parsed(source)
        if expr is None:
            return None
        try:
            translated = to_fhirpath(expr, scope)
        except Untranslatable:
            return None
        return source if fhirpath in (translated, f"iif({translated}, true, false)") else None

    # -- conditions ----------------------------------------------------------------------------------
    def conditions(
        self, raw: dict[str, Any], out: dict[str, Any], fpath: DocPath, table: str | None
    ) -> None:
        if isinstance(raw.get("enableWhen"), list) and raw["enableWhen"]:
            self.pending_when.append(_Pending(raw, fpath, out, table))
        ext = _ext_value(raw, EXT_ENABLE_WHEN_EXPRESSION)
        if isinstance(ext, dict):
            self.pending_expr.append(
                (
                    out,
                    fpath,
                    str(ext.get("expression") or ""),
                    str(_ext_value(ext, EXT_WK_EXPRESSION) or ""),
                )
            )

    def resolve_conditions(self) -> None:
        for pending in self.pending_when:
            raw, fpath = pending.target, pending.fpath
            parts: list[str] = []
            for j, when in enumerate(raw["enableWhen"]):
                part = self.condition(when, (*fpath, "enableWhen", j), pending.table)
                if part is None:
                    parts = []
                    break
                parts.append(part)
            if not parts:
                continue
            behavior = raw.get("enableBehavior")
            if len(parts) > 1 and behavior not in ("all", "any"):
                self.warn(
                    Code.WK715,
                    f"The item '{raw.get('linkId')}' has several enableWhen conditions but "
                    + ("no enableBehavior" if behavior is None else "an unknown enableBehavior")
                    + " (FHIR requires 'all' or 'any'); all of them must hold in the worksheet.",
                    "Set enableBehavior to all or any.",
                    (*fpath, "enableBehavior"),
                )
            if behavior != "any":
                parts = _merge_not_equal(parts)
            joiner = " or " if behavior == "any" else " and "
            pending.item["show_if"] = joiner.join(parts)

    def condition(self, when: Any, fpath: DocPath, table: str | None) -> str | None:
        def fail(why: str) -> None:
            self.warn(
                Code.WK715,
                f"This enableWhen condition {why}; the item is always shown in the worksheet.",
                "Write the show_if condition by hand.",
                fpath,
            )

        if not isinstance(when, dict):
            fail("cannot be read")
            return None
        target = self.questions.get(str(when.get("question")))
        if target is None:
            fail(f"refers to '{when.get('question')}', which is not a question of this form")
            return None
        if target.table is not None and target.table != table:
            fail("refers to a question inside a repeating group from outside it")
            return None
        name = target.data["id"]
        operator = when.get("operator")
        answer_key = next((k for k in when if k.startswith("answer")), None)
        answer = when.get(answer_key) if answer_key else None
        if operator == "exists":
            if answer is True:
                return f"answered({name})"
            if answer is False:
                return f"not answered({name})"
            fail("has an 'exists' test without true or false")
            return None
        op = _OPERATORS.get(str(operator))
        if op is None or answer_key is None:
            fail(f"uses the operator '{operator}', which is not understood")
            return None
        kind = target.data.get("type")
        if answer_key == "answerCoding":
            code = answer.get("code") if isinstance(answer, dict) else None
            value = target.codes.get(str(code), code)
            values = [
                o.get("value") if isinstance(o, dict) else o for o in target.data.get("options", [])
            ]
            if "scale" in target.data:
                values = [v for v, _ in LIKERT_PRESETS[target.data["scale"]]]
            match = next((v for v in values if code_of(v) == code_of(value)), None)
            if match is None:
                fail(f"compares with the answer '{code}', which is not an option")
                return None
            literal = _literal(match)
            if kind in ("checklist", "ranking") and op == "==":
                return f"selected({name}, {literal})"
            if kind in ("checklist", "ranking") and op == "!=":
                return f"not selected({name}, {literal})"  # true when none is that answer
            return _compare(name, op, literal)
        if answer_key == "answerQuantity" and isinstance(answer, dict):
            answer = answer.get("value")
        if (
            answer_key == "answerTime"
            and isinstance(answer, str)
            and answer.endswith(":00")
            and len(answer) == 8
        ):
            answer = answer[:5]
        if answer_key == "answerReference" or (not isinstance(answer, int | float | str | bool)):
            fail("compares with a value worksheets cannot hold")
            return None
        if kind in ("checklist", "ranking") and op in ("==", "!="):
            literal = _literal(answer)
            if op == "==":
                return f"selected({name}, {literal})"
            return f"not selected({name}, {literal})"
        return _compare(name, op, _literal(answer))

    def expressions(self, model: Worksheet, data: dict[str, Any]) -> Worksheet:
        if not self.pending_expr:
            return model
        scope_items = _scope_items(model)
        changed = False
        for out, fpath, fhirpath, source in self.pending_expr:
            accepted = self.checked(source, fhirpath, Scope(scope_items)) if source else None
            if accepted is None:
                self.warn(
                    Code.WK715,
                    f"The FHIRPath condition ({fhirpath or 'empty'}) is not understood; the item "
                    "is always shown in the worksheet.",
                    "Write the show_if condition by hand.",
                    (*fpath, "extension"),
                )
                continue
            out["show_if"] = accepted
            changed = True
        if changed:
            return self.validated(data, ()) or model
        return model


def _choice_kind(
    raw: dict[str, Any], values: list[Any], use_weights: bool, *, is_open: bool
) -> str:
    """The worksheet item type of a question with options."""
    wk_type = _ext_value(raw, EXT_WK_ITEM_TYPE)
    if raw.get("repeats") is True:
        return "ranking" if wk_type == "ranking" else "checklist"
    if is_open:
        return "choice"
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    orientation = _ext_value(raw, EXT_CHOICE_ORIENTATION)
    if wk_type == "likert" or (
        numeric and wk_type is None and orientation != "vertical" and use_weights
    ):
        return "likert"
    return "choice"


def _built_options(
    options: list[dict[str, Any]], values: list[Any], kind: str, use_weights: bool
) -> list[Any]:
    """The worksheet's options: a bare value when its label is the value itself."""
    built: list[Any] = []
    for o, value in zip(options, values, strict=True):
        entry: dict[str, Any] = {
            "value": value,
            "label": o["label"] if o["label"] is not None else str(value),
        }
        if o["exclusive"] and kind == "checklist":
            entry["exclusive"] = True
        if isinstance(o.get("system"), str) and not use_weights:
            entry["system"] = o["system"]
        bare = set(entry) == {"value", "label"} and entry["label"] == entry["value"]
        built.append(entry["value"] if bare and isinstance(entry["value"], str) else entry)
    return built


def _likert_preset(built: list[Any]) -> str | None:
    """The name of the Likert preset whose values and labels these options are, if any."""
    pairs = tuple((e["value"], e["label"]) if isinstance(e, dict) else (e, e) for e in built)
    return next((name for name, p in LIKERT_PRESETS.items() if p == pairs), None)


def _merge_not_equal(parts: list[str]) -> list[str]:
    """``answered(x)`` and FHIR's ``x != v`` together are worksheetkit's ``x != v`` (which is
    how a worksheet's ``x != v`` is exported)."""
    out = list(parts)
    for part in parts:
        found = re.fullmatch(r"\(not answered\(([a-z_][a-z0-9_]*)\) or (\1 != .*)\)", part)
        if found and f"answered({found.group(1)})" in out:
            out.remove(f"answered({found.group(1)})")
            out[out.index(part)] = found.group(2)
    return out


def _compare(name: str, op: str, literal: str) -> str:
    """One enableWhen comparison with FHIR's meaning (R4 questionnaire-enable-operator):
    ``=``, ``>``, ``<``, ``>=``, ``<=`` are true when an answer compares so, hence false for an
    unanswered question, exactly as worksheetkit's comparisons with null; ``!=`` is true when
    no answer equals the value, hence TRUE for an unanswered question."""
    if op == "!=":
        return f"(not answered({name}) or {name} != {literal})"
    return f"{name} {op} {literal}"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(number_value(value))
    return quote(str(value))


def _named_items(items: list[Any], names: set[str]) -> list[Any]:
    """The items (dicts) whose id is in ``names``, sections opened, in document order."""
    out: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "section":
            out.extend(_named_items(item.get("items") or [], names))
        elif item.get("id") in names:
            out.append({k: v for k, v in item.items() if k != "show_if"})
    return out


def _scope_items(model: Worksheet) -> dict[str, Any]:
    from .export import _walk

    return _walk(list(model.items))


def _all_numeric(item: Any) -> bool:
    from .fhirpath import _numeric_options

    return _numeric_options(item)


def _size_check(resource: Any) -> Diagnostic | None:
    """WK721 when the Questionnaire is beyond what is imported (counted before any work,
    stopping at the first limit passed, so a huge resource costs little)."""
    if not isinstance(resource, Mapping):
        return None
    items = options = 0
    stack: list[tuple[Any, int]] = [(resource.get("item"), 1)]
    while stack:
        children, depth = stack.pop()
        if not isinstance(children, list):
            continue
        if depth > MAX_IMPORT_DEPTH:
            what = f"its items are nested more than {MAX_IMPORT_DEPTH} levels deep"
            break
        items += len(children)
        if items > MAX_IMPORT_ITEMS:
            what = f"it has more than {MAX_IMPORT_ITEMS:,} items"
            break
        for child in children:
            if isinstance(child, dict):
                options += len(as_list(child.get("answerOption")))
                stack.append((child.get("item"), depth + 1))
        if options > MAX_IMPORT_OPTIONS:
            what = f"it has more than {MAX_IMPORT_OPTIONS:,} answer options"
            break
    else:
        return None
    return Diagnostic(
        code=Code.WK721,
        message=f"This Questionnaire is too large to import: {what}. Nothing was imported.",
        severity="error",
        hint=f"Split it into smaller Questionnaires (at most {MAX_IMPORT_ITEMS:,} items, "
        f"{MAX_IMPORT_OPTIONS:,} answer options and {MAX_IMPORT_DEPTH} levels each).",
        path=("item",),
    )


def _written_problems(written: dict[str, Any], text: str) -> list[Diagnostic]:
    """The errors ``worksheetkit validate`` finds in ``text``, the YAML written from
    ``written``.

    The writer's output reads back as the data it was given (``canonical_yaml`` quotes every
    text the reader would type otherwise; tests/test_canonical_yaml.py reads back every
    import), so the data is checked by the one checker ``validate`` runs
    (``worksheetkit.check``) instead of parsing the text again: reading the text back was about
    a third of an import (26 example imports 102 → 75 ms, 2026-12-04). What only a reading of
    the text sees is the reader's limits on size, nodes and nesting: a text shorter than the
    node limit (every node takes at least one character) and data nested at most half the depth
    limit are far within them; anything larger is read back as before."""
    from ..loading.strictjson import _depth_exceeds
    from ..loading.yamlsource import MAX_DEPTH, MAX_NODES

    if len(text) < MAX_NODES and not _depth_exceeds(written, MAX_DEPTH // 2):
        from ..validation.objects import check

        return [d for d in check(written) if d.severity == "error"]
    from ..validation import loads

    try:
        loads(text, source="<imported>")
    except WorksheetError as exc:
        return [d for d in exc.diagnostics if d.severity == "error"]
    return []


def import_questionnaire(resource: FhirSource) -> ImportResult:
    """A worksheet from an R4 Questionnaire, with a diagnostic for everything approximated,
    left out or impossible (codes WK710–WK722; paths are FHIR paths such as
    ``Questionnaire.item[3].answerValueSet``). ``resource`` may be a dict, JSON text or a
    :class:`pathlib.Path`; JSON over 10 MB is refused unparsed (WK721)."""
    data, refused = read_resource(resource, "Questionnaire")
    if refused is not None:
        return ImportResult(None, [refused])
    if not isinstance(data, Mapping):
        data = {}  # not an object: reported as "not a Questionnaire" (WK710)
    too_big = _size_check(data)
    if too_big is not None:
        return ImportResult(None, [too_big])
    importer = _Importer(data)
    model = importer.run()
    diagnostics = list(importer.out)
    text: str | None = None
    if model is not None:
        # The YAML a user gets must pass `worksheetkit validate`: check it the same way.
        written = worksheet_yaml_data(model)
        text = canonical_yaml(written)
        problems = _written_problems(written, text)
        for d in problems:
            diagnostics.append(
                Diagnostic(
                    code=Code.WK718,
                    message=f"The imported worksheet is not valid: {d.message}",
                    severity="error",
                    hint=d.hint,
                    path=d.path,
                )
            )
        if problems:
            model = None
    codes = {
        q.data["id"]: dict(q.codes)
        for q in importer.questions.values()
        if q.codes and q.table is None
    }
    kept = model if not has_errors(diagnostics) else None
    return ImportResult(
        kept,
        sort_diagnostics(diagnostics),
        dict(importer.link_ids),
        codes,
        text if kept is not None else None,  # the YAML checked above
    )


def from_fhir(resource: FhirSource) -> Worksheet:
    """A worksheet from an R4 Questionnaire; raises :class:`WorksheetError` when impossible.

    Warnings (what was approximated or left out) are dropped here; use
    :func:`import_questionnaire` to get them.
    """
    result = import_questionnaire(resource)
    if result.worksheet is None:
        raise WorksheetError(result.diagnostics)
    return result.worksheet

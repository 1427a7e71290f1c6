"""FHIR R4 QuestionnaireResponse → worksheetkit response: ``import_response`` and
``response_from_fhir``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..codes import Code
from ..errors import Diagnostic, DocPath, WorksheetError, has_errors, sort_diagnostics
from ..model import Worksheet, is_language_code
from ._common import as_list, code_of, slug_item_id
from ._import_common import FhirSource, _number, read_resource
from ._import_questionnaire import import_questionnaire

__all__ = ["ResponseImport", "import_response", "response_from_fhir"]


@dataclass(frozen=True)
class ResponseImport:
    response: dict[str, Any]
    diagnostics: list[Diagnostic]


def _walk_items(items: list[Any]) -> dict[str, Any]:
    from .export import _walk

    return _walk(items)


def import_response(
    qr: FhirSource,
    worksheet: Worksheet,
    *,
    questionnaire: FhirSource | None = None,
) -> ResponseImport:
    """A worksheetkit response document (a dict) from an R4 QuestionnaireResponse.

    Questions are matched by linkId: the item id itself, the id the importer gave the linkId
    (pass the original ``questionnaire`` for exact linkId and answer-code mappings), or the
    linkId slugified as the importer does. Answers to calculated scores are not copied: scores
    are computed from the answers, and a stored score that disagrees is reported (WK742).

    A question answered twice (its linkId repeated, at the top or in nested groups) with
    different answers is an error (WK744 at the second occurrence): no answer is picked, and
    the result has no response (``{}``); twice with the same answer is a warning. ``qr`` and
    ``questionnaire`` may be dicts, JSON text or :class:`pathlib.Path`; JSON over 10 MB is
    refused unparsed (WK721).
    """
    link_ids: dict[str, str] = {}
    codes: dict[str, dict[str, Any]] = {}
    qr, refused = read_resource(qr, "QuestionnaireResponse")
    if refused is None and questionnaire is not None:
        questionnaire, refused = read_resource(questionnaire, "Questionnaire")
    if refused is not None:
        return ResponseImport({}, [refused])
    if questionnaire is not None:
        imported = import_questionnaire(questionnaire)
        link_ids, codes = imported.link_ids, imported.answer_codes
    if not isinstance(qr, Mapping) or qr.get("resourceType") != "QuestionnaireResponse":
        not_qr = Diagnostic(
            code=Code.WK740,
            message="This is not a FHIR QuestionnaireResponse.",
            hint="Give a QuestionnaireResponse resource in FHIR JSON.",
            path=(),
        )
        return ResponseImport({}, [not_qr])
    reader = _AnswerReader(worksheet, link_ids, codes)
    reader.walk(qr.get("item"), ())
    out = reader.out
    response: dict[str, Any] = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": worksheet.id,
        "version": worksheet.version,
    }
    if isinstance(qr.get("id"), str):
        response["id"] = qr["id"]
    authored = qr.get("authored")
    if isinstance(authored, str):
        response["submitted_at" if qr.get("status") == "completed" else "started_at"] = authored
    if is_language_code(qr.get("language")):
        response["language"] = qr["language"]
    response["answers"] = reader.answers
    if has_errors(out):
        return ResponseImport({}, sort_diagnostics(out))
    if reader.stored_scores:
        _compare_scores(worksheet, response, reader.stored_scores, out)
    return ResponseImport(response, sort_diagnostics(out))


class _AnswerReader:
    """The answers of a QuestionnaireResponse's items, matched to a worksheet's questions,
    with a diagnostic (``out``) for each answer left out or given twice."""

    def __init__(
        self,
        worksheet: Worksheet,
        link_ids: Mapping[str, str],
        codes: Mapping[str, dict[str, Any]],
    ) -> None:
        self.link_ids = link_ids
        self.codes = codes
        self.items = _walk_items(list(worksheet.items))
        self.score_ids = {s.id: s.id for s in worksheet.scores}
        self.out: list[Diagnostic] = []
        self.answers: dict[str, Any] = {}
        # A stored score's answers and where they are, compared with the computed value.
        self.stored_scores: dict[str, Any] = {}
        # Every answer read per question (None: none), to catch a linkId answered twice:
        # keeping one of two different answers would silently hide the other (say PHQ-9
        # item 9).
        self.seen: dict[str, Any] = {}

    def warn(self, code: str, message: str, hint: str, fpath: DocPath) -> None:
        self.out.append(
            Diagnostic(code=code, message=message, severity="warning", hint=hint, path=fpath)
        )

    def resolve(self, link_id: str, scope: Mapping[str, Any], prefix: str = "") -> str | None:
        for candidate in (
            self.link_ids.get(link_id),
            link_id[len(prefix) :] if prefix and link_id.startswith(prefix) else None,
            link_id,
            slug_item_id(link_id),
        ):
            if candidate and candidate in scope:
                return candidate
        return None

    def twice(self, ident: str, link_id: str, fpath: DocPath, *, same: bool) -> None:
        # Names the question and its linkId, never the answers (they are health data).
        if same:
            self.out.append(
                Diagnostic(
                    code=Code.WK744,
                    message=f"The question '{ident}' (linkId '{link_id}') appears twice with "
                    "the same answer; it was read once.",
                    severity="warning",
                    hint="Check the software that wrote the response: each question is "
                    "answered in one place.",
                    path=fpath,
                )
            )
            return
        self.out.append(
            Diagnostic(
                code=Code.WK744,
                message=f"The question '{ident}' (linkId '{link_id}') is answered twice with "
                "different answers; neither can be trusted, so the response was not imported.",
                severity="error",
                hint="Fix the response at its source so each question is answered once, then "
                "import it again.",
                path=fpath,
            )
        )

    # -- items ----------------------------------------------------------------------------------
    def walk(self, qr_items: Any, fpath: DocPath) -> None:
        for i, raw in enumerate(qr_items if isinstance(qr_items, list) else []):
            if isinstance(raw, dict):
                self.item(raw, (*fpath, "item", i))

    def item(self, raw: dict[str, Any], here: DocPath) -> None:
        link_id = str(raw.get("linkId", ""))
        ident = self.resolve(link_id, self.items)
        score_id = self.resolve(link_id, self.score_ids) if ident is None else None
        if score_id is not None:
            self.stored_scores[score_id] = (raw.get("answer"), here)
            return
        item = self.items.get(ident) if ident else None
        if item is not None and item.type == "table":
            self.row(item, raw, link_id, here)
            return
        if item is not None:
            value = self.convert(
                item, as_list(raw.get("answer")), here, self.codes.get(item.id, {})
            )
            if item.id in self.seen:
                self.twice(item.id, link_id, here, same=self.seen[item.id] == value)
            else:
                self.seen[item.id] = value
                if value is not None:
                    self.answers[item.id] = value
        elif raw.get("answer"):
            self.warn(
                Code.WK740,
                f"The answer '{link_id}' matches no question of the worksheet; it was left out.",
                "Check that the response belongs to this worksheet.",
                here,
            )
        self.walk(raw.get("item"), here)
        for j, answer in enumerate(as_list(raw.get("answer"))):
            if isinstance(answer, dict) and answer.get("item"):
                self.walk(answer["item"], (*here, "answer", j))

    def row(self, item: Any, raw: dict[str, Any], link_id: str, here: DocPath) -> None:
        """One repetition of a repeating group: a row of the table ``item``."""
        row: dict[str, Any] = {}
        row_seen: dict[str, Any] = {}
        columns = {c.id: c for c in item.columns}
        for k, cell in enumerate(as_list(raw.get("item"))):
            if not isinstance(cell, dict):
                continue
            cell_link = str(cell.get("linkId", ""))
            col_id = self.resolve(cell_link, columns, prefix=f"{link_id}.")
            if col_id is None:
                self.warn(
                    Code.WK740,
                    f"The answer '{cell_link}' matches no column of '{item.id}'; it was left out.",
                    "Check the worksheet version.",
                    (*here, "item", k),
                )
                continue
            value = self.convert(
                columns[col_id], as_list(cell.get("answer")), (*here, "item", k), {}
            )
            if col_id in row_seen:
                self.twice(
                    f"{item.id}.{col_id}",
                    cell_link,
                    (*here, "item", k),
                    same=row_seen[col_id] == value,
                )
                continue
            row_seen[col_id] = value
            if value is not None:
                row[col_id] = value
        if row:
            self.answers.setdefault(item.id, []).append(row)

    # -- answers --------------------------------------------------------------------------------
    def convert(
        self, item: Any, raw_answers: list[Any], fpath: DocPath, item_codes: Mapping[str, Any]
    ) -> Any:
        values = []
        for j, answer in enumerate(raw_answers):
            if not isinstance(answer, dict):
                continue
            key = next((k for k in answer if k.startswith("value")), None)
            if key is None:
                continue
            value = self.value(item, key, answer[key], (*fpath, "answer", j), item_codes)
            if value is not _LEFT_OUT:
                values.append(value)
        if not values:
            return None
        if item.type in ("checklist", "ranking"):
            return values
        return values[0]

    def value(
        self, item: Any, key: str, value: Any, where: DocPath, item_codes: Mapping[str, Any]
    ) -> Any:
        """One FHIR answer value as the worksheet stores it, or ``_LEFT_OUT`` (reported)."""
        if key == "valueCoding" and isinstance(value, dict):
            coded = _coded(item, value, item_codes)
            if coded is None:
                self.warn(
                    Code.WK741,
                    f"An answer of '{item.id}' is not one of its options; it was left out.",
                    "Check that the response belongs to this worksheet version.",
                    where,
                )
                return _LEFT_OUT
            return coded
        if key == "valueString" and getattr(item, "other", False):
            coded = _coded(item, {"code": value}, item_codes)
            return {"other": value} if coded is None else coded
        if key == "valueQuantity" and isinstance(value, dict):
            return value.get("value")
        if (
            key == "valueTime"
            and item.type == "time"  # a choice of times keeps the option's spelling
            and isinstance(value, str)
            and len(value) == 8
            and value.endswith(":00")
        ):
            return value[:5]
        if key in ("valueAttachment", "valueReference"):
            self.warn(
                Code.WK741,
                f"An answer of '{item.id}' is a file or a record link; it was left out.",
                "Worksheets store text, numbers, dates and choices.",
                where,
            )
            return _LEFT_OUT
        return value


#: An answer value that was left out (and reported), unlike ``None``, a value of its own.
_LEFT_OUT: Final = object()


def _coded(item: Any, coding: Mapping[str, Any], item_codes: Mapping[str, Any]) -> Any:
    from ..model import item_options

    code = coding.get("code")
    display = coding.get("display")
    if isinstance(code, str) and code in item_codes:
        return item_codes[code]
    options = item_options(item)
    for option in options:
        if isinstance(code, str) and code_of(option.value) == code:
            return option.value
    for option in options:
        labels = option.label.values() if isinstance(option.label, dict) else [option.label]
        if (isinstance(display, str) and display in labels) or (
            isinstance(code, str) and code in labels
        ):
            return option.value
    if getattr(item, "other", False) and isinstance(display or code, str):
        return {"other": display or code}
    return None


def _compare_scores(
    worksheet: Worksheet, response: dict[str, Any], stored: dict[str, Any], out: list[Diagnostic]
) -> None:
    from ..responses import score as compute

    results = compute(worksheet, response)  # never fails because of the answers
    for score_id, (answer, where) in sorted(stored.items()):
        value = None
        for a in answer if isinstance(answer, list) else []:
            if isinstance(a, dict):
                raw = a.get("valueDecimal", a.get("valueInteger", a.get("valueQuantity")))
                value = raw.get("value") if isinstance(raw, dict) else raw
        result = results.get(score_id) if isinstance(results, Mapping) else None
        computed = getattr(result, "value", None)
        if _number(value) is not None and _number(computed) is not None and value != computed:
            out.append(
                Diagnostic(
                    code=Code.WK742,
                    message=f"The stored value of the score '{score_id}' differs from the value "
                    "computed from the answers; the computed value is the one to trust.",
                    severity="warning",
                    hint="The form that filled the response may score differently; check its "
                    "scoring rules.",
                    path=where,
                )
            )


def response_from_fhir(
    qr: FhirSource,
    worksheet: Worksheet,
    *,
    questionnaire: FhirSource | None = None,
) -> dict[str, Any]:
    """A worksheetkit response document from a QuestionnaireResponse (see
    :func:`import_response` for the matching rules and the warnings). Raises
    :class:`WorksheetError` when it cannot be imported (not a QuestionnaireResponse, a
    question answered twice differently, over 10 MB)."""
    result = import_response(qr, worksheet, questionnaire=questionnaire)
    if has_errors(result.diagnostics):
        raise WorksheetError(result.diagnostics)
    return result.response

"""Worksheet → FHIR R4 Questionnaire (SDC), and response → QuestionnaireResponse."""

from __future__ import annotations

import html
import mimetypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, assert_never
from urllib.parse import urlsplit

from .._results import JsonResult
from .._urls import link_ok
from ..codes import Code
from ..errors import Diagnostic, sort_diagnostics
from ..expressions import Expr, ExpressionSyntaxError, parse
from ..model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    InputItem,
    Likert,
    Media,
    Note,
    NumberItem,
    Ranking,
    Rating,
    Response,
    Section,
    Table,
    TextItem,
    TimeItem,
    Worksheet,
    YesNo,
    display_label,
    item_options,
    iter_items,
)
from ..model.items import Text
from ._common import (
    DEFAULT_BASE_URL,
    DURATION_REGEX,
    EXT_CALCULATED_EXPRESSION,
    EXT_CHOICE_ORIENTATION,
    EXT_ENABLE_WHEN_EXPRESSION,
    EXT_ENTRY_FORMAT,
    EXT_ITEM_MEDIA,
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
    EXT_WK_EXPRESSION,
    EXT_WK_ITEM_TYPE,
    EXT_WK_MISSING,
    EXT_WK_REVERSE,
    EXT_XHTML,
    FHIR_ID_RE,
    SDC_PROFILE,
    code_of,
    fhir_id,
    fhir_name,
    item_control,
    main_text,
    number_value,
    translations,
)
from .fhirpath import (
    Scope,
    Untranslatable,
    enable_when,
    fhir_time,
    score_fhirpath,
    to_fhirpath,
)

__all__ = [
    "ExportResult",
    "export_questionnaire",
    "export_response",
    "questionnaire_url",
    "response_to_fhir",
    "to_fhir",
]

INSTRUCTIONS_LINK_ID = "worksheet-instructions"


@dataclass(frozen=True)
class ExportResult(JsonResult):
    """A Questionnaire (plain JSON-ready dict) and what could not be expressed in it.
    ``to_dict()``/``to_json()``/``from_dict()``: schema ``fhir-export``."""

    resource: dict[str, Any]
    diagnostics: list[Diagnostic]


def questionnaire_url(worksheet: Worksheet, base_url: str = DEFAULT_BASE_URL) -> str:
    """The canonical url of a worksheet's Questionnaire: ``<base>/Questionnaire/<id>``."""
    return f"{base_url.rstrip('/')}/Questionnaire/{fhir_id(worksheet.id)}"


def to_fhir(worksheet: Worksheet, *, base_url: str = DEFAULT_BASE_URL) -> dict[str, Any]:
    """The worksheet as an R4 Questionnaire (a dict ready for ``json.dumps``).

    What FHIR cannot express is left out; :func:`export_questionnaire` returns the same
    resource together with a warning for each such thing.
    """
    return export_questionnaire(worksheet, base_url=base_url).resource


def export_questionnaire(worksheet: Worksheet, *, base_url: str = DEFAULT_BASE_URL) -> ExportResult:
    """The worksheet as an R4 Questionnaire, with a WK7xx warning for everything left out."""
    exporter = _Exporter(worksheet, base_url)
    resource = exporter.run()
    return ExportResult(resource, sort_diagnostics(exporter.out))


def score_expression(
    worksheet: Worksheet,
    score: Any,
    scope_items: Mapping[str, Any],
    *,
    expr: Expr | None = None,
    draft: bool = False,
) -> str:
    """The FHIRPath of a score: its formula inside the missing-answer rule, so that a FHIRPath
    engine gives the same value as :func:`worksheetkit.responses.score` on every response
    (complete or not). Raises ExpressionSyntaxError or Untranslatable. ``expr`` is the
    formula already parsed; ``draft``: the worksheet is built only for this call (FHIR import),
    so its plan is not cached."""
    from ..responses import plan_for, score_plan

    expr = parse(score.formula) if expr is None else expr
    scope = Scope(scope_items, reverse=True)
    planned = score_plan(worksheet, score.id) if draft else plan_for(worksheet).scores.get(score.id)
    if planned is None or planned.expr is None:
        return to_fhirpath(expr, scope)
    return score_fhirpath(
        expr,
        scope,
        planned.items,
        score.missing.allow,
        score.missing.method,
        planned.whole,
    )


def _walk(items: list[Any]) -> dict[str, Any]:
    """The questions of a tree (sections opened) by id."""
    return {
        item.id: item
        for item in iter_items(items)
        if getattr(item, "id", None) is not None and not isinstance(item, Note | Media | Section)
    }


def score_items(scores: list[Any]) -> dict[str, Any]:
    """Scores as the number items that hold them in FHIR (for expressions that use them)."""
    return {s.id: NumberItem(type="number", id=s.id, label=s.label) for s in scores}


def _extension_value(value: float | int, integer: bool) -> dict[str, Any]:
    v = number_value(value)
    if integer and isinstance(v, int):
        return {"valueInteger": v}
    return {"valueDecimal": v}


@dataclass
class _Question:
    """One question on its way to FHIR: what its type's handler fills in, and where it is."""

    path: tuple[str | int, ...]
    link_id: str
    fhir_type: str = "string"
    exts: list[dict[str, Any]] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)
    repeats: bool = False
    answer_options: list[dict[str, Any]] | None = None
    max_length: int | None = None
    initial: list[dict[str, Any]] = field(default_factory=list)


class _Exporter:
    def __init__(self, worksheet: Worksheet, base_url: str) -> None:
        self.ws = worksheet
        self.lang = worksheet.language
        self.base_url = base_url
        self.out: list[Diagnostic] = []
        self.items = _walk(worksheet.items)
        # Scores may use other scores; FHIR reads them from their calculated items.
        self.score_scope = {**self.items, **score_items(worksheet.scores)}

    # -- diagnostics --------------------------------------------------------------------------
    def warn(self, code: str, message: str, hint: str, path: tuple[str | int, ...]) -> None:
        self.out.append(
            Diagnostic(code=code, message=message, severity="warning", hint=hint, path=path)
        )

    def lost(self, what: str, ident: str | None, path: tuple[str | int, ...], key: str) -> None:
        owner = f"'{ident}'" if ident else "this item"
        self.warn(
            Code.WK701,
            f"FHIR Questionnaire has no place for {what} of {owner}; it was left out.",
            "Nothing to fix in the worksheet; say it in the question text if FHIR users need it.",
            (*path, key),
        )

    # -- texts --------------------------------------------------------------------------------
    def put_text(
        self, out: dict[str, Any], key: str, text: Text | None, *, markdown: bool = False
    ) -> None:
        main = main_text(text, self.lang)
        if not main:
            return  # FHIR strings are never empty ("text": "" is rejected by validators)
        out[key] = main
        exts = []
        if markdown:
            exts.append({"url": EXT_MARKDOWN, "valueMarkdown": _inert_markdown(main)})
        exts.extend(translations(text, self.lang))
        if exts:
            out[f"_{key}"] = {"extension": exts}

    # -- the resource -------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        ws = self.ws
        q: dict[str, Any] = {
            "resourceType": "Questionnaire",
            "id": fhir_id(ws.id),
            "meta": {"profile": [SDC_PROFILE]},
            "language": ws.language,
            "url": questionnaire_url(ws, self.base_url),
            "version": ws.version,
            "name": fhir_name(ws.id),
        }
        self.put_text(q, "title", ws.title if ws.title is not None else ws.id)
        if ws.derived_from:
            ident, _, version = ws.derived_from.partition("@")
            base = f"{self.base_url.rstrip('/')}/Questionnaire/{fhir_id(ident)}"
            q["derivedFrom"] = [f"{base}|{version}" if version else base]
        q["status"] = "active"
        self.put_text(q, "description", ws.summary)
        self.put_text(q, "purpose", ws.rationale)
        if ws.source is not None:
            copyright_ = ws.source.copyright or ws.source.license
            if copyright_:
                q["copyright"] = copyright_
        self.metadata_warnings()
        items: list[dict[str, Any]] = []
        if ws.instructions is not None:
            note: dict[str, Any] = {"linkId": INSTRUCTIONS_LINK_ID}
            self.put_text(note, "text", ws.instructions, markdown=True)
            note["type"] = "display"
            items.append(note)
        for i, item in enumerate(ws.items):
            items.extend(self.item(item, ("items", i), str(i + 1), None))
        for i, score in enumerate(ws.scores):
            items.append(self.score(score, ("scores", i)))
        if items:
            q["item"] = items
        return q

    def metadata_warnings(self) -> None:
        ws = self.ws
        lost = [
            name
            for name, present in (
                ("estimated_minutes", ws.estimated_minutes is not None),
                ("modalities", bool(ws.modalities)),
                ("tags", bool(ws.tags)),
                ("default_schedule", ws.default_schedule is not None),
                ("completion", ws.completion is not None),
                ("source.authors", ws.source is not None and bool(ws.source.authors)),
                ("source.citation", ws.source is not None and ws.source.citation is not None),
                ("source.url", ws.source is not None and ws.source.url is not None),
                (
                    "source.license",
                    ws.source is not None
                    and ws.source.license is not None
                    and ws.source.copyright is not None,
                ),
            )
            if present
        ]
        if lost:
            self.warn(
                Code.WK705,
                "FHIR Questionnaire has no place for these worksheet fields; they were left out: "
                + ", ".join(lost)
                + ".",
                "Keep the worksheet as the master copy; the schedule belongs to the FHIR "
                "CarePlan or Task that assigns the Questionnaire.",
                (),
            )

    # -- items --------------------------------------------------------------------------------
    def item(
        self, item: Any, path: tuple[str | int, ...], pos: str, table: Table | None
    ) -> list[dict[str, Any]]:
        if isinstance(item, Note):
            out: dict[str, Any] = {"linkId": item.id or f"note-{pos}"}
            self.put_text(out, "text", item.text, markdown=True)
            out["type"] = "display"
            self.condition(out, item, path, table)
            return [out]
        if isinstance(item, Media):
            return self.media(item, path, pos, table)
        if isinstance(item, Section):
            out = {"linkId": item.id or f"section-{pos}"}
            self.put_text(out, "text", item.title)
            out["type"] = "group"
            self.condition(out, item, path, table)
            children = self.help_child(out["linkId"], item.help)
            for i, child in enumerate(item.items):
                children.extend(self.item(child, (*path, "items", i), f"{pos}.{i + 1}", table))
            out["item"] = children
            return [out]
        return [self.question(item, path, table)]

    def help_child(self, link_id: str, help_: Text | None) -> list[dict[str, Any]]:
        if help_ is None:
            return []
        child: dict[str, Any] = {"extension": [item_control("help")], "linkId": f"{link_id}-help"}
        self.put_text(child, "text", help_, markdown=True)
        child["type"] = "display"
        return [child]

    def media(
        self, item: Media, path: tuple[str | int, ...], pos: str, table: Table | None
    ) -> list[dict[str, Any]]:
        link_id = item.id or f"media-{pos}"
        attachment: dict[str, Any] = {}
        guessed = mimetypes.guess_type(urlsplit(item.url).path)[0]
        if guessed and guessed.startswith(item.kind + "/"):
            attachment["contentType"] = guessed
        # The one link rule (worksheetkit._urls): a refused address is not exported at all.
        url = item.url if link_ok(item.url) else ""
        if url:
            attachment["url"] = url
        alt = main_text(item.alt, self.lang)
        if alt:
            attachment["title"] = alt
        src = f' src="{html.escape(url, quote=True)}"' if url else ""
        if item.kind == "image":
            xhtml = f'<img{src} alt="{html.escape(alt or "", quote=True)}"/>'
        else:
            xhtml = f'<{item.kind} controls="controls"{src}></{item.kind}>'
        text = item.label if item.label is not None else item.alt
        out: dict[str, Any] = {
            "extension": [
                {"url": EXT_WK_ITEM_TYPE, "valueCode": item.kind},
                {"url": EXT_ITEM_MEDIA, "valueAttachment": attachment},
            ],
            "linkId": link_id,
            "text": main_text(text, self.lang) or item.kind.capitalize(),
        }
        exts = [{"url": EXT_XHTML, "valueString": xhtml}, *translations(text, self.lang)]
        out["_text"] = {"extension": exts}
        out["type"] = "display"
        self.condition(out, item, path, table)
        for key in ("caption", "duration"):
            if getattr(item, key) is not None:
                self.lost(f"the {key}", item.id, path, key)
        if isinstance(item.alt, dict) and len(item.alt) > 1:
            self.lost("the translations of the alt text", item.id, path, "alt")
        result = [out]
        if item.transcript is not None:
            transcript: dict[str, Any] = {"linkId": f"{link_id}-transcript"}
            self.put_text(transcript, "text", item.transcript, markdown=True)
            transcript["type"] = "display"
            self.condition(transcript, item, path, table, quiet=True)
            result.append(transcript)
        return result

    # -- questions ----------------------------------------------------------------------------
    def question(
        self, item: InputItem, path: tuple[str | int, ...], table: Table | None
    ) -> dict[str, Any]:
        q = _Question(path, f"{table.id}.{item.id}" if table is not None else item.id)
        match item:
            case TextItem():
                self.q_text(item, q)
            case NumberItem():
                self.q_number(item, q)
            case YesNo():
                q.fhir_type = "boolean"
                if item.default is not None:
                    q.initial.append({"valueBoolean": item.default})
            case DateItem() | TimeItem() | DateTimeItem():
                self.q_temporal(item, q)
            case DurationItem():
                self.q_duration(item, q)
            case Choice() | Likert() | Checklist() | Ranking():
                self.q_choice(item, q)
            case Rating():
                self.q_rating(item, q)
            case Table():
                return self.table(item, path)
            case _:
                assert_never(item)
        return self.finish(item, q, table)

    def finish(self, item: InputItem, q: _Question, table: Table | None) -> dict[str, Any]:
        """The parts every question has, in FHIR's conventional key order."""
        out: dict[str, Any] = {}
        if getattr(item, "reverse", False):
            if isinstance(item, Choice | Likert | Rating | NumberItem):
                q.exts.append({"url": EXT_WK_REVERSE, "valueBoolean": True})
            else:
                self.lost("'reverse'", item.id, q.path, "reverse")
        if q.exts:
            out["extension"] = q.exts
        out["linkId"] = q.link_id
        self.put_text(out, "text", display_label(item))
        out["type"] = q.fhir_type
        self.condition(out, item, q.path, table)
        if item.required:
            out["required"] = True
        if q.repeats:
            out["repeats"] = True
        if item.readonly:
            out["readOnly"] = True
        if q.max_length is not None:
            out["maxLength"] = q.max_length
        if q.answer_options is not None:
            out["answerOption"] = q.answer_options
        if q.initial:
            out["initial"] = q.initial
        children = [*self.help_child(q.link_id, item.help), *q.children]
        if children:
            out["item"] = children
        return out

    def q_text(self, item: TextItem, q: _Question) -> None:
        q.fhir_type = "text" if item.multiline else "string"
        q.max_length = item.max_length
        if item.min_length is not None:
            q.exts.append({"url": EXT_MIN_LENGTH, "valueInteger": item.min_length})
        if item.pattern is not None:
            q.exts.append({"url": EXT_REGEX, "valueString": item.pattern})
        if item.pattern_message is not None:
            self.lost("the pattern message", item.id, q.path, "pattern_message")
        if item.placeholder is not None:
            q.exts.append(
                {"url": EXT_ENTRY_FORMAT, "valueString": main_text(item.placeholder, self.lang)}
            )
            if isinstance(item.placeholder, dict) and len(item.placeholder) > 1:
                self.lost("the translations of the placeholder", item.id, q.path, "placeholder")
        if item.default is not None:
            q.initial.append({"valueString": item.default})

    def q_number(self, item: NumberItem, q: _Question) -> None:
        q.fhir_type = "integer" if item.integer else "decimal"
        for url, bound in ((EXT_MIN_VALUE, item.min), (EXT_MAX_VALUE, item.max)):
            if bound is not None:
                q.exts.append({"url": url, **_extension_value(bound, item.integer)})
        if item.unit is not None:
            q.exts.append(
                {"url": EXT_UNIT, "valueCoding": {"display": main_text(item.unit, self.lang)}}
            )
            if isinstance(item.unit, dict) and len(item.unit) > 1:
                self.lost("the translations of the unit", item.id, q.path, "unit")
        if item.step is not None:
            self.lost("the step", item.id, q.path, "step")
        if item.default is not None:
            key = "valueInteger" if item.integer else "valueDecimal"
            q.initial.append({key: number_value(item.default)})

    def q_temporal(self, item: DateItem | TimeItem | DateTimeItem, q: _Question) -> None:
        q.fhir_type = {DateItem: "date", TimeItem: "time", DateTimeItem: "dateTime"}[type(item)]
        if item.default is not None:
            value_key = {"date": "valueDate", "time": "valueTime", "dateTime": "valueDateTime"}
            value = fhir_time(item.default) if q.fhir_type == "time" else item.default
            q.initial.append({value_key[q.fhir_type]: value})

    def q_duration(self, item: DurationItem, q: _Question) -> None:
        # A duration travels as ISO 8601 text (PT20M): a Quantity would need one unit for
        # every answer and loses "1 hour 30 minutes" as written.
        q.fhir_type = "string"
        q.exts.append({"url": EXT_WK_ITEM_TYPE, "valueCode": "duration"})
        q.exts.append({"url": EXT_REGEX, "valueString": DURATION_REGEX})
        q.exts.append({"url": EXT_ENTRY_FORMAT, "valueString": "PnDTnHnM"})
        for key in ("min", "max"):
            if getattr(item, key) is not None:
                what = f"the {'shortest' if key == 'min' else 'longest'} duration"
                self.lost(what, item.id, q.path, key)
        if item.default is not None:
            q.initial.append({"valueString": item.default})

    def q_choice(self, item: Choice | Likert | Checklist | Ranking, q: _Question) -> None:
        q.fhir_type = "open-choice" if getattr(item, "other", False) else "choice"
        answer_options = q.answer_options = self.options(item, q.path)
        exts = q.exts
        if isinstance(item, Likert):
            exts.append({"url": EXT_WK_ITEM_TYPE, "valueCode": "likert"})
            exts.append(item_control("radio-button"))
            exts.append({"url": EXT_CHOICE_ORIENTATION, "valueCode": "horizontal"})
        elif isinstance(item, Choice):
            exts.append(item_control("radio-button"))
            exts.append({"url": EXT_CHOICE_ORIENTATION, "valueCode": "vertical"})
        elif isinstance(item, Checklist):
            q.repeats = True
            exts.append(item_control("check-box"))
            if item.min_selected is not None:
                exts.append({"url": EXT_MIN_OCCURS, "valueInteger": item.min_selected})
            if item.max_selected is not None:
                exts.append({"url": EXT_MAX_OCCURS, "valueInteger": item.max_selected})
        else:
            q.repeats = True
            exts.append({"url": EXT_WK_ITEM_TYPE, "valueCode": "ranking"})
            exts.append(item_control("check-box"))
            self.warn(
                Code.WK703,
                f"FHIR has no ranking question; '{item.id}' becomes a multiple choice whose "
                "answers are listed in the client's order.",
                "FHIR forms will show check boxes; the order of the answers carries the ranking.",
                q.path,
            )
        default = item.default
        if default is not None:
            chosen = default if isinstance(default, list) else [default]
            codes = {code_of(v) for v in chosen}
            for option in answer_options:
                if option["valueCoding"]["code"] in codes:
                    option["initialSelected"] = True

    def q_rating(self, item: Rating, q: _Question) -> None:
        integer = all(isinstance(number_value(v), int) for v in (item.min, item.max, item.step))
        q.fhir_type = "integer" if integer else "decimal"
        q.exts.append({"url": EXT_WK_ITEM_TYPE, "valueCode": "rating"})
        control = {"slider": "slider", "number": "spinner", "buttons": None}[item.widget]
        if control:
            q.exts.append(item_control(control))
        q.exts.append({"url": EXT_MIN_VALUE, **_extension_value(item.min, integer)})
        q.exts.append({"url": EXT_MAX_VALUE, **_extension_value(item.max, integer)})
        step = number_value(item.step)
        if isinstance(step, int):
            q.exts.append({"url": EXT_SLIDER_STEP, "valueInteger": step})
        else:
            self.lost("a step that is not a whole number", item.id, q.path, "step")
        for number, text in sorted((item.anchors or {}).items()):
            if number_value(number) == number_value(item.min):
                q.children.append(self.anchor(q.link_id, "lower", text))
            elif number_value(number) == number_value(item.max):
                q.children.append(self.anchor(q.link_id, "upper", text))
            else:
                what = f"the label of the point {number_value(number)}"
                self.lost(what, item.id, q.path, "anchors")
        q.children.sort(key=lambda c: c["linkId"])
        if item.default is not None:
            key = "valueInteger" if integer else "valueDecimal"
            q.initial.append({key: number_value(item.default)})

    def anchor(self, link_id: str, where: str, text: Text) -> dict[str, Any]:
        child: dict[str, Any] = {"extension": [item_control(where)], "linkId": f"{link_id}-{where}"}
        self.put_text(child, "text", text)
        child["type"] = "display"
        return child

    def options(self, item: Any, path: tuple[str | int, ...]) -> list[dict[str, Any]]:
        out = []
        for i, option in enumerate(item_options(item)):
            coding: dict[str, Any] = {}
            if option.system is not None:
                coding["system"] = option.system
            coding["code"] = code_of(option.value)
            self.put_text(coding, "display", option.label)
            entry: dict[str, Any] = {}
            exts = []
            value = option.value
            if isinstance(value, int | float) and not isinstance(value, bool):
                exts.append({"url": EXT_ORDINAL, "valueDecimal": number_value(value)})
            if option.exclusive:
                exts.append({"url": EXT_OPTION_EXCLUSIVE, "valueBoolean": True})
            if exts:
                entry["extension"] = exts
            entry["valueCoding"] = coding
            if option.help is not None:
                self.lost("the help of an option", item.id, (*path, "options", i), "help")
            out.append(entry)
        return out

    def table(self, item: Table, path: tuple[str | int, ...]) -> dict[str, Any]:
        exts: list[dict[str, Any]] = [item_control("gtable")]
        if item.min_rows:
            exts.append({"url": EXT_MIN_OCCURS, "valueInteger": item.min_rows})
        if item.max_rows is not None:
            exts.append({"url": EXT_MAX_OCCURS, "valueInteger": item.max_rows})
        out: dict[str, Any] = {"extension": exts, "linkId": item.id}
        self.put_text(out, "text", display_label(item))
        out["type"] = "group"
        self.condition(out, item, path, None)
        if item.required:
            out["required"] = True
        out["repeats"] = True
        if item.readonly:
            self.lost("'readonly'", item.id, path, "readonly")
        if item.row_label is not None:
            self.lost("the row label", item.id, path, "row_label")
        if item.default is not None:
            self.lost("the default rows", item.id, path, "default")
        children = self.help_child(item.id, item.help)
        for i, column in enumerate(item.columns):
            children.append(self.question(column, (*path, "columns", i), item))
        out["item"] = children
        return out

    # -- conditions and scores ------------------------------------------------------------------
    def condition(
        self,
        out: dict[str, Any],
        item: Any,
        path: tuple[str | int, ...],
        table: Table | None,
        *,
        quiet: bool = False,
    ) -> None:
        source = item.show_if
        if source is None:
            return
        try:
            expr = parse(source)
        except ExpressionSyntaxError:
            return  # validation reports it; an invalid worksheet is not exported as valid
        items: dict[str, Any] = dict(self.items)
        link = {ident: ident for ident in items}
        if table is not None:
            for column in table.columns:
                items[column.id] = column
                link[column.id] = f"{table.id}.{column.id}"
        simple = enable_when(expr, items, link)
        if simple is not None:
            conditions, behavior = simple
            out["enableWhen"] = conditions
            if behavior is not None:
                out["enableBehavior"] = behavior
            return
        ident = getattr(item, "id", None)
        if table is not None:
            if not quiet:
                self.warn(
                    Code.WK702,
                    f"The condition (show_if) of the column '{ident}' cannot be written for FHIR "
                    "(only a comparison of one column with a value, or an 'and'/'or' of such "
                    "comparisons, can); the column is always shown there.",
                    "Simplify the condition, e.g. \"other_column == 'yes'\".",
                    (*path, "show_if"),
                )
            return
        try:
            fhirpath = to_fhirpath(expr, Scope(self.items))
        except Untranslatable as exc:
            if not quiet:
                self.warn(
                    Code.WK702,
                    f"The condition (show_if) of {repr(ident) if ident else 'this item'} cannot "
                    f"be written in FHIRPath ({exc}); the item is always shown there.",
                    "Simplify the condition if FHIR forms must hide the item.",
                    (*path, "show_if"),
                )
            return
        # SDC wants a boolean: "nothing" (an unanswered comparison) becomes false explicitly
        fhirpath = f"iif({fhirpath}, true, false)"
        extension = {
            "url": EXT_ENABLE_WHEN_EXPRESSION,
            "valueExpression": {
                "extension": [{"url": EXT_WK_EXPRESSION, "valueString": source}],
                "language": "text/fhirpath",
                "expression": fhirpath,
            },
        }
        out.setdefault("extension", []).append(extension)
        # keep "extension" first, as FHIR JSON conventionally orders it
        for key in [k for k in out if k != "extension"]:
            out[key] = out.pop(key)

    def score(self, score: Any, path: tuple[str | int, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        try:
            fhirpath: str | None = score_expression(self.ws, score, self.score_scope)
        except (ExpressionSyntaxError, Untranslatable) as exc:
            fhirpath = None
            reason = str(exc) if isinstance(exc, Untranslatable) else "it cannot be read"
            self.warn(
                Code.WK704,
                f"The formula of the score '{score.id}' cannot be written in FHIRPath ({reason}); "
                "the score is exported without a calculation.",
                "FHIR systems will have to compute it themselves.",
                (*path, "formula"),
            )
        if fhirpath is not None:
            own = [{"url": EXT_WK_EXPRESSION, "valueString": score.formula}]
            if score.missing.allow or score.missing.method != "none":
                rule = f"{score.missing.allow} {score.missing.method}"
                own.append({"url": EXT_WK_MISSING, "valueString": rule})
            out["extension"] = [
                {
                    "url": EXT_CALCULATED_EXPRESSION,
                    "valueExpression": {
                        "extension": own,
                        "name": fhir_id(score.id),
                        "language": "text/fhirpath",
                        "expression": fhirpath,
                    },
                }
            ]
        else:
            # Kept for worksheetkit (import restores the score); FHIR tools ignore it.
            out["extension"] = [{"url": EXT_WK_EXPRESSION, "valueString": score.formula}]
        out["linkId"] = score.id
        self.put_text(out, "text", score.label)
        out["type"] = "decimal"
        out["readOnly"] = True
        lost = [
            name
            for name, present in (
                ("bands", bool(score.bands)),
                ("alerts", bool(score.alerts)),
                ("min", score.min is not None),
                ("max", score.max is not None),
            )
            if present
        ]
        if lost:
            self.warn(
                Code.WK704,
                f"FHIR Questionnaire cannot carry the {', '.join(lost)} of the score "
                f"'{score.id}'; only its calculation was exported.",
                "Interpret the score with the worksheet, or describe the bands in the label.",
                path,
            )
        return out


# ---------------------------------------------------------------------------------------------
# Responses


def _answer(item: Any, value: Any, lang: str) -> list[dict[str, Any]]:
    """The ``answer`` list of one question for one stored value ([] when nothing fits)."""
    if value is None:
        return []
    if isinstance(item, Checklist | Ranking):
        values = value if isinstance(value, list) else [value]
        return [a for v in values for a in _answer_one(item, v, lang)]
    return _answer_one(item, value, lang)


def _answer_one(item: InputItem, value: Any, lang: str) -> list[dict[str, Any]]:
    if isinstance(value, bool) and not isinstance(item, YesNo):
        return []
    match item:
        case YesNo():
            return [{"valueBoolean": value}] if isinstance(value, bool) else []
        case NumberItem() | Rating():
            if not isinstance(value, int | float):
                return []
            v = number_value(value)
            integer = (
                item.integer
                if isinstance(item, NumberItem)
                else all(isinstance(number_value(x), int) for x in (item.min, item.max, item.step))
            )
            return [{"valueInteger": v} if integer and isinstance(v, int) else {"valueDecimal": v}]
        case Choice() | Likert() | Checklist() | Ranking():
            for option in item_options(item):
                if option.value == value and type(option.value) is not bool:
                    coding: dict[str, Any] = {}
                    if option.system is not None:
                        coding["system"] = option.system
                    coding["code"] = code_of(option.value)
                    label = main_text(option.label, lang)
                    if label is not None:
                        coding["display"] = label
                    return [{"valueCoding": coding}]
            other = value.get("other") if isinstance(value, Mapping) else None
            if isinstance(other, str) and getattr(item, "other", False):
                return [{"valueString": other}]  # the client's own words ("Other: …")
            return []
        case DateItem():
            return [{"valueDate": value}] if isinstance(value, str) else []
        case TimeItem():
            return [{"valueTime": fhir_time(value)}] if isinstance(value, str) else []
        case DateTimeItem():
            return [{"valueDateTime": value}] if isinstance(value, str) else []
        case TextItem() | DurationItem() | Table():
            return [{"valueString": value}] if isinstance(value, str) else []
        case _:
            assert_never(item)


def response_to_fhir(
    response: Response | Mapping[str, Any],
    worksheet: Worksheet,
    *,
    base_url: str = DEFAULT_BASE_URL,
) -> dict[str, Any]:
    """A response as an R4 QuestionnaireResponse referencing ``<url>|<version>`` of the
    worksheet's Questionnaire. Scores are filled in when :mod:`worksheetkit.responses` can
    compute them. Answers that do not fit their question are left out (validate the response
    first with ``validate_response``), and so are answers to questions their ``show_if``
    hides (:func:`export_response` says which, WK743)."""
    return export_response(response, worksheet, base_url=base_url).resource


def _hidden(worksheet: Worksheet, answers: Any) -> tuple[set[str], Any]:
    """The ids hidden by their conditions with these answers, and a test for table cells."""
    from ..expressions import evaluate
    from ..expressions.evaluator import truthy
    from ..responses import plan_for, run

    plan = plan_for(worksheet)
    session = run(plan, answers, [], all_scores=True)
    env = {**session.values, **session.score_values}

    def cell_hidden(table: str, column: str, row: Mapping[str, Any]) -> bool:
        f = plan.fields.get(table)
        col = (f.columns or {}).get(column) if f is not None else None
        if col is None or not col.conditions:
            return False
        return not all(truthy(evaluate(c, env, row=dict(row))) for c in col.conditions)

    return set(session.hidden), cell_hidden


def export_response(
    response: Response | Mapping[str, Any],
    worksheet: Worksheet,
    *,
    base_url: str = DEFAULT_BASE_URL,
) -> ExportResult:
    """:func:`response_to_fhir` with a warning (WK743) for each answer left out because its
    question is hidden by its ``show_if`` with these answers: such an answer is not an answer
    (scores ignore it), and a FHIR engine would count it."""
    model = response if isinstance(response, Response) else Response.model_validate(response)
    hidden, cell_hidden = _hidden(worksheet, dict(model.answers))
    lang = model.language or worksheet.language
    writer = _AnswerWriter(model.answers, lang, hidden, cell_hidden)
    qr: dict[str, Any] = {"resourceType": "QuestionnaireResponse"}
    if model.id and FHIR_ID_RE.match(model.id):
        qr["id"] = model.id
    qr["language"] = lang
    qr["questionnaire"] = f"{questionnaire_url(worksheet, base_url)}|{worksheet.version}"
    qr["status"] = "completed" if model.submitted_at is not None else "in-progress"
    when = model.submitted_at or model.started_at
    if when is not None:
        qr["authored"] = when.isoformat()
    items = writer.walk(worksheet.items, "")
    for score_id, value in sorted(_scores(worksheet, model).items()):
        del score_id
        items.append(value)
    if items:
        qr["item"] = items
    out = writer.out
    if model.meta:
        # The app's own fields have no place in a QuestionnaireResponse that an import would
        # read back: say so rather than carry them where they would be lost later.
        out.append(
            Diagnostic(
                code=Code.WK745,
                message="The response's 'meta' (the app's own fields) was not exported: a "
                "QuestionnaireResponse has no place for it.",
                severity="warning",
                hint="Keep the app's fields with the response in the app's own storage.",
                path=("meta",),
            )
        )
    return ExportResult(qr, out)


class _AnswerWriter:
    """The ``item`` list of a QuestionnaireResponse from a response's answers; an answer its
    question's ``show_if`` hides is left out with WK743 (in ``out``)."""

    def __init__(
        self,
        answers: Mapping[str, Any],
        lang: str,
        hidden: set[str],
        cell_hidden: Callable[[str, str, Mapping[str, Any]], bool],
    ) -> None:
        self.answers = answers
        self.lang = lang
        self.hidden = hidden
        self.cell_hidden = cell_hidden
        self.out: list[Diagnostic] = []

    def left_out(self, path: tuple[str | int, ...], who: str) -> None:
        self.out.append(
            Diagnostic(
                code=Code.WK743,
                message=f"The answer to {who} was not exported: its question is hidden by its "
                "'show_if' condition with these answers, so it is not an answer (scores "
                "ignore it too).",
                severity="warning",
                hint="Clear the answer in the app when the question is hidden.",
                path=path,
            )
        )

    def label(self, item: Any) -> str | None:
        return main_text(display_label(item), self.lang) if self.lang else None

    def walk(self, items: list[Any], pos: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            here = f"{pos}.{i + 1}" if pos else str(i + 1)
            if isinstance(item, Note | Media):
                continue
            if isinstance(item, Section):
                out.extend(self.section(item, here))
                continue
            value = self.answers.get(item.id)
            if item.id in self.hidden:
                if value is not None:
                    self.left_out(("answers", item.id), f"'{item.id}'")
                continue
            if isinstance(item, Table):
                out.extend(self.rows(item, value))
                continue
            out.extend(self.answered(item, item.id, value))
        return out

    def section(self, item: Section, here: str) -> list[dict[str, Any]]:
        children = self.walk(item.items, here)
        if not children:
            return []
        group: dict[str, Any] = {"linkId": item.id or f"section-{here}"}
        title = main_text(item.title, self.lang)
        if title:
            group["text"] = title
        group["item"] = children
        return [group]

    def rows(self, item: Table, value: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for r, row in enumerate(value if isinstance(value, list) else []):
            if not isinstance(row, Mapping):
                continue
            cells = []
            for column in item.columns:
                if row.get(column.id) is not None and self.cell_hidden(item.id, column.id, row):
                    self.left_out(
                        ("answers", item.id, r, column.id),
                        f"'{item.id}.{column.id}' in row {r + 1}",
                    )
                    continue
                cells.extend(self.answered(column, f"{item.id}.{column.id}", row.get(column.id)))
            if cells:
                out.append({"linkId": item.id, "item": cells})
        return out

    def answered(self, item: Any, link_id: str, value: Any) -> list[dict[str, Any]]:
        """The answered item (linkId, text, answer), or nothing when no answer fits."""
        answer = _answer(item, value, self.lang)
        if not answer:
            return []
        entry: dict[str, Any] = {"linkId": link_id}
        text = self.label(item)
        if text:
            entry["text"] = text
        entry["answer"] = answer
        return [entry]


def _scores(worksheet: Worksheet, response: Response) -> dict[str, dict[str, Any]]:
    """Computed scores as answered calculated items. Scoring never fails because of the
    answers; anything it raises is a bug and propagates."""
    from ..responses import score as compute

    if not worksheet.scores:
        return {}
    results = compute(worksheet, response)
    out: dict[str, dict[str, Any]] = {}
    order = {s.id: i for i, s in enumerate(worksheet.scores)}
    for score in worksheet.scores:
        result = results.get(score.id)
        value = result.value if result is not None else None
        if isinstance(value, bool) or value is None:
            continue
        entry: dict[str, Any] = {"linkId": score.id}
        text = main_text(score.label, worksheet.language)
        if text:
            entry["text"] = text
        entry["answer"] = [{"valueDecimal": number_value(value)}]
        out[f"{order[score.id]:06d}"] = entry
    return out


def _inert_markdown(text: str) -> str:
    """The author's Markdown for FHIR viewers, unless a link in it is one the link rule refuses
    (or it is too long to check): then the printable rebuild, which keeps refused links as
    their text only -- what the HTML and Markdown renderers show too."""
    from .._text import MAX_MARKDOWN_CHARS, markdown_links
    from ..rendering import printable_markdown

    if len(text) <= MAX_MARKDOWN_CHARS and ("[" not in text and "<" not in text):
        return text
    if len(text) <= MAX_MARKDOWN_CHARS and all(link_ok(x.href) for x in markdown_links(text)):
        return text
    return printable_markdown(text, 0)

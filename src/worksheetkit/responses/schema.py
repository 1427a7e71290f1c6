"""The JSON Schema (Draft 2020-12) of the responses to one worksheet.

It states the same rules as :func:`validate_response` wherever JSON Schema can: types, ranges,
lengths, patterns, options, counts, rows, unknown ids and the document's own keys; required
questions are required once ``submitted_at`` is set. What it cannot state is listed in
docs/responses.md ("What the schema cannot say").
"""

from __future__ import annotations

from typing import Any, assert_never

from .._dates import TIMESTAMP_MAX_LENGTH, TIMESTAMP_PATTERN
from ..model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    InputItem,
    Likert,
    NumberItem,
    Ranking,
    Rating,
    Table,
    TextItem,
    TimeItem,
    Worksheet,
    YesNo,
    item_options,
)
from ..model.envelope import ITEM_ID_PATTERN, LANG_PATTERN, MAX_FIELD, MAX_NOTE
from ._checks import (
    DATE_PATTERN,
    DATETIME_PATTERN,
    DURATION_PATTERN,
    MAX_OTHER,
    MAX_PATTERN_TEXT,
    MAX_ROWS,
    MAX_TEXT,
    TIME_PATTERN,
)
from ._plan import Field, plan_for

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_OTHER: dict[str, Any] = {
    "type": "object",
    "required": ["other"],
    "additionalProperties": False,
    "properties": {"other": {"type": "string", "minLength": 1, "maxLength": MAX_OTHER}},
}


# The syntax characters of ECMAScript regular expressions: the only ones a `u`-mode pattern
# (ajv, browsers) may escape. `re.escape` also escapes `-`, `#`, `~`…, which `u` mode refuses.
_SYNTAX = frozenset("^$\\.*+?()[]{}|/")


def js_escape(text: str) -> str:
    """``text`` as a literal in a pattern valid in Python ``re``, RE2 and JavaScript ``u`` mode."""
    return "".join("\\" + c if c in _SYNTAX else c for c in text)


def _values(item: Any) -> list[Any]:
    return [o.value for o in item_options(item)]


def _whole(x: float) -> bool:
    return float(x).is_integer()


def answer_schema(item: InputItem) -> dict[str, Any]:
    """The schema of one answer (null always allowed: it means "not answered")."""
    match item:
        case TextItem():
            return _text_schema(item)
        case NumberItem() | Rating():
            return _number_schema(item)
        case YesNo():
            return {"type": ["boolean", "null"]}
        case DateItem():
            return {
                "anyOf": [
                    {"type": "null"},
                    {"const": ""},
                    {"type": "string", "pattern": DATE_PATTERN, "format": "date"},
                ]
            }
        case TimeItem():
            return {"type": ["string", "null"], "pattern": "^$|" + TIME_PATTERN}
        case DateTimeItem():
            return {"type": ["string", "null"], "pattern": "^$|" + DATETIME_PATTERN}
        case DurationItem():
            return {"type": ["string", "null"], "pattern": "^$|" + DURATION_PATTERN}
        case Choice() | Likert():
            values = [None, "", *(v for v in _values(item) if v != "")]
            if isinstance(item, Choice) and item.other:
                return {"anyOf": [{"enum": values}, _OTHER]}
            return {"enum": values}
        case Checklist():
            return _checklist_schema(item)
        case Ranking():
            values = _values(item)
            return {
                "type": ["array", "null"],
                "anyOf": [
                    {"maxItems": 0},
                    {
                        "minItems": len(values),
                        "maxItems": len(values),
                        "uniqueItems": True,
                        "items": {"enum": values},
                    },
                ],
            }
        case Table():
            return _table_schema(item)
        case _:
            assert_never(item)


def _text_schema(item: TextItem) -> dict[str, Any]:
    limit = item.max_length or (MAX_PATTERN_TEXT if item.pattern else MAX_TEXT)
    schema: dict[str, Any] = {"type": ["string", "null"], "maxLength": limit}
    rule: dict[str, Any] = {}
    if item.min_length:
        rule["minLength"] = item.min_length
    if item.pattern is not None:
        rule["pattern"] = f"^(?:{item.pattern})$"
    if rule:
        schema["anyOf"] = [{"type": "null"}, {"const": ""}, rule]
    return schema


def _number_schema(item: NumberItem | Rating) -> dict[str, Any]:
    whole = isinstance(item, NumberItem) and item.integer
    schema: dict[str, Any] = {"type": ["integer" if whole else "number", "null"]}
    if item.min is not None:
        schema["minimum"] = item.min
    if item.max is not None:
        schema["maximum"] = item.max
    step, base = item.step, item.min if item.min is not None else 0
    # multipleOf counts from 0: only exact when the scale starts on a whole step.
    exact = step is not None and _whole(step) and _whole(base)
    if exact and int(base) % int(step) == 0 and not (whole and int(step) == 1):  # type: ignore[arg-type]
        schema["multipleOf"] = int(step)  # type: ignore[arg-type]
    return schema


def _checklist_schema(item: Checklist) -> dict[str, Any]:
    values = _values(item)
    most = len(values) + (1 if item.other else 0)
    if item.max_selected is not None:
        most = min(most, item.max_selected)
    element: dict[str, Any] = {"enum": values}
    if item.other:
        element = {"anyOf": [element, _OTHER]}
    schema: dict[str, Any] = {
        "type": ["array", "null"],
        "maxItems": most,
        "uniqueItems": True,
        "items": element,
    }
    rules: list[dict[str, Any]] = []
    if item.min_selected:
        rules.append({"anyOf": [{"maxItems": 0}, {"minItems": item.min_selected}]})
    for option in item_options(item):
        if option.exclusive:
            rules.append({"if": {"contains": {"const": option.value}}, "then": {"maxItems": 1}})
    if item.other:
        rules.append(
            {
                "anyOf": [
                    {"not": {"contains": {"type": "object"}}},
                    {"contains": {"type": "object"}, "maxContains": 1},
                ]
            }
        )
    if rules:
        schema["allOf"] = rules
    return schema


def _table_schema(item: Table) -> dict[str, Any]:
    row = {
        "type": "object",
        "additionalProperties": False,
        "properties": {c.id: answer_schema(c) for c in item.columns},
    }
    schema: dict[str, Any] = {
        "type": ["array", "null"],
        "maxItems": min(item.max_rows or MAX_ROWS, MAX_ROWS),
        "items": row,
    }
    if item.min_rows:
        schema["anyOf"] = [{"maxItems": 0}, {"minItems": item.min_rows}]
    return schema


def _answered(item: InputItem) -> dict[str, Any]:
    """What "answered" means for a required question."""
    match item:
        case TextItem() | DateItem() | TimeItem() | DateTimeItem() | DurationItem():
            return {"type": "string", "minLength": 1}
        case NumberItem() | Rating():
            return {"type": "number"}
        case YesNo():
            return {"type": "boolean"}
        case Checklist() | Ranking() | Table():
            return {"type": "array", "minItems": 1}
        case Choice() | Likert():
            return {"not": {"enum": [None, ""]}}
        case _:
            assert_never(item)


def _required_answers(fields: list[Field]) -> dict[str, Any] | None:
    """Questions required whatever the answers (no show_if on them or above them)."""
    required: list[str] = []
    properties: dict[str, Any] = {}
    for f in fields:
        if f.conditions:
            continue
        if f.required:
            required.append(f.id)
            properties[f.id] = _answered(f.item)
        if f.columns:
            cols = [c for c in f.columns.values() if c.required and not c.conditions]
            if cols:
                item_rule = {
                    "required": [c.id for c in cols],
                    "properties": {c.id: _answered(c.item) for c in cols},
                }
                item_rule["type"] = "object"
                rule: dict[str, Any] = {"type": ["array", "null"], "items": item_rule}
                if f.id in properties:
                    rule.update(properties[f.id])
                properties[f.id] = rule
    if not required and not properties:
        return None
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _nullable_text(limit: int) -> dict[str, Any]:
    return {"type": ["string", "null"], "minLength": 1, "maxLength": limit}


def response_json_schema(worksheet: Worksheet) -> dict[str, Any]:
    """A Draft 2020-12 JSON Schema for responses to ``worksheet`` (this exact version)."""
    plan = plan_for(worksheet)
    ws = worksheet
    major = ws.version.split(".", 1)[0]
    answers = {
        "type": "object",
        "additionalProperties": False,
        "properties": {f.id: answer_schema(f.item) for f in plan.fields.values()},
    }
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "title": f"Response to {ws.id} {ws.version}",
        "description": "Generated by worksheetkit from the worksheet; see docs/responses.md.",
        "type": "object",
        "required": ["worksheetkit", "kind", "worksheet"],
        "additionalProperties": False,
        "properties": {
            "worksheetkit": {"const": 1},
            "kind": {"const": "response"},
            "id": _nullable_text(MAX_FIELD),
            "worksheet": {
                "type": "string",
                "maxLength": 160,
                "pattern": f"^{js_escape(ws.id)}(@{major}(\\.\\d+){{0,2}})?$",
            },
            "version": {
                "type": ["string", "null"],
                "maxLength": 64,
                "pattern": f"^{major}\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?$",
            },
            "assignment": _nullable_text(MAX_FIELD),
            "step": {"type": ["string", "null"], "maxLength": 64, "pattern": ITEM_ID_PATTERN},
            "occurrence": _nullable_text(MAX_FIELD),
            "started_at": {
                "type": ["string", "null"],
                "maxLength": TIMESTAMP_MAX_LENGTH,
                "pattern": TIMESTAMP_PATTERN,
            },
            "submitted_at": {
                "type": ["string", "null"],
                "maxLength": TIMESTAMP_MAX_LENGTH,
                "pattern": TIMESTAMP_PATTERN,
            },
            "answers": answers,
            "ratings": {
                "type": ["object", "null"],
                "additionalProperties": False,
                "properties": {
                    k: {"type": ["number", "null"], "minimum": 0, "maximum": 4}
                    for k in ("difficulty", "obstacles", "quality")
                },
            },
            "obstacle": {
                "type": ["object", "null"],
                "required": ["kind"],
                "additionalProperties": False,
                "properties": {
                    "kind": {"enum": ["external", "internal"]},
                    "note": {"type": ["string", "null"], "maxLength": MAX_NOTE},
                },
            },
            "language": {"type": ["string", "null"], "maxLength": 35, "pattern": LANG_PATTERN},
            # The app's own fields: any JSON object, never looked into (docs/responses.md).
            "meta": {"type": ["object", "null"]},
        },
    }
    required = _required_answers(list(plan.fields.values()))
    if required is not None:
        schema["if"] = {
            "required": ["submitted_at"],
            "properties": {"submitted_at": {"type": "string"}},
        }
        schema["then"] = {
            "required": ["answers"] if "required" in required else [],
            "properties": {"answers": required},
        }
    return schema

"""What the browser runtime is told about a worksheet, besides its markup: each question's
constraints (one ``match`` over the item types), the options as values, and every expression
(``show_if``, formulas) as the JSON the evaluator in static/expr.js reads."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, NamedTuple, assert_never

from .._text import json_value, number_text
from ..model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    InputItem,
    Likert,
    NumberItem,
    Option,
    Ranking,
    Rating,
    Table,
    TextItem,
    TimeItem,
    YesNo,
    duration_seconds,
    item_options,
)


def duration_minutes(text: str | None) -> float | None:
    """ISO 8601 duration → minutes (a month 30 days, a year 365, as the answer check counts);
    None when unreadable."""
    seconds = duration_seconds(text)
    return None if seconds is None else seconds / 60


class _Opt(NamedTuple):
    value: int | float | str
    label: str | dict[str, str]  # a bare option's value as text, or a preset's labels
    exclusive: bool


_PRESETS: dict[str | None, tuple[_Opt, ...]] = {}


def _options(item: Any) -> list[_Opt]:
    """Like ``item_options`` without building models (this runs for every option shown)."""
    if isinstance(item, Likert) and item.options is None:
        # A named scale's options depend on its name alone: built (as models) once per scale
        # instead of for every likert item of every render (about 2 % of a render, 2026-12-04).
        preset = _PRESETS.get(item.scale)
        if preset is None:
            preset = tuple(_Opt(o.value, o.label or "", False) for o in item_options(item))
            _PRESETS[item.scale] = preset
        return list(preset)
    out = []
    for spec in item.options or []:
        if isinstance(spec, Option):
            label = (
                spec.label
                if isinstance(spec.label, str)
                else number_text(spec.value)
                if not isinstance(spec.value, str)
                else spec.value
            )
            out.append(_Opt(spec.value, label, spec.exclusive))
        else:
            out.append(_Opt(spec, spec if isinstance(spec, str) else number_text(spec), False))
    return out


def _expr_obj(source: str | None) -> Any:
    if not source:
        return None
    return json.loads(_expr_text(source))


@lru_cache(maxsize=4096)
def _expr_text(source: str) -> str:
    return json_value(_parse_to_json(source))


def _parse_to_json(source: str) -> Any:
    from ..expressions import ExpressionSyntaxError, parse, to_json

    try:
        return to_json(parse(source))
    except ExpressionSyntaxError:
        # Validation reports it; in the page an unreadable condition shows the item.
        return True


@lru_cache(maxsize=1024)
def _references(source: str) -> frozenset[str] | None:
    """The ids a formula reads (None when it cannot be read: validation reports it)."""
    from ..expressions import ExpressionSyntaxError, parse, references

    try:
        return frozenset(references(parse(source)))
    except ExpressionSyntaxError:
        return None


def _expr_json(source: str | None) -> str | None:
    if not source:
        return None
    return _expr_text(source)


def _fill_constraints(entry: dict[str, Any], item: InputItem) -> None:
    """The constraints the browser runtime checks, per item type."""
    if item.required:
        entry["required"] = True
    match item:
        case TextItem():
            _put(entry, min_length=item.min_length, max_length=item.max_length)
            _put(entry, pattern=item.pattern)
        case NumberItem():
            _put(entry, min=item.min, max=item.max)
            if item.integer:
                entry["integer"] = True
        case Rating():
            entry.update(min=item.min, max=item.max, step=item.step)
        case DurationItem():
            _put(entry, min=duration_minutes(item.min), max=duration_minutes(item.max))
        case Checklist():
            _put(entry, min_selected=item.min_selected, max_selected=item.max_selected)
            _choices(entry, item)
        case Choice() | Likert() | Ranking():
            _choices(entry, item)
        case YesNo() | DateItem() | TimeItem() | DateTimeItem() | Table():
            pass
        case _:
            assert_never(item)


def _put(entry: dict[str, Any], **values: Any) -> None:
    """Each value that is not None, in the order given."""
    for key, value in values.items():
        if value is not None:
            entry[key] = value


def _choices(entry: dict[str, Any], item: Choice | Likert | Checklist | Ranking) -> None:
    opts = _options(item)
    entry["options"] = [o.value for o in opts]
    entry["exclusive"] = [o.value for o in opts if o.exclusive]
    if isinstance(item, Choice | Checklist) and item.other:
        entry["other"] = True

"""Turning pydantic's validation errors into located, plain-language diagnostics."""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Iterator, Sequence
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .._suggest import did_you_mean as did_you_mean  # re-exported for older callers
from .._suggest import suggestion_budget
from ..codes import Code
from ..errors import Diagnostic
from ..model.values import redacted_value
from .yamlsource import Path, SourceMap

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
    "datetime_type": "a date and time (YYYY-MM-DDTHH:MM:SS+01:00)",
    "datetime_parsing": "a date and time (YYYY-MM-DDTHH:MM:SS+01:00)",
    "datetime_from_date_parsing": "a date and time (YYYY-MM-DDTHH:MM:SS+01:00)",
    "timezone_aware": "a date and time with a UTC offset (…+01:00 or …Z)",
    "is_instance_of": "a value of another kind",
}

_COMMA_HINT = (
    "Inside { } or [ ], ',' starts a new entry and ': ' a new key: put text containing them in "
    'quotes, e.g. {en: "How anxious were you today, on average?"}.'
)

_STRUCTURAL = {"missing", "extra_forbidden", "union_tag_invalid", "union_tag_not_found"}

_PATTERN_HINTS = {
    "id": "Ids of worksheets and pathways are dotted lowercase words, e.g. cbt.thought-record; "
    "ids of items are lowercase letters, digits and '_', starting with a letter, e.g. belief_after.",
    "version": "Use a semantic version: three numbers with dots, e.g. 1.0.0.",
    "language": "Use a language code such as en, es or pt-BR.",
    "at": 'Write times of day as 24-hour HH:MM in quotes, e.g. "20:00".',
    "extends": "Refer to a worksheet as id@major, e.g. cbt.thought-record@1.",
    "worksheet": "Refer to a worksheet as id, id@major or id@1.2.0.",
    "pathway": "Refer to a pathway as id, id@major or id@1.2.0.",
}
_CLOCK = re.compile(r"^\s*(\d{1,2})[:.h](\d{1,2})\s*$")


def _clock_hint(value: Any) -> str:
    """What is wrong with a time of day such as "25:00", "7:30" or "19:75", in words."""
    found = _CLOCK.match(value) if isinstance(value, str) else None
    if found is None:
        return _PATTERN_HINTS["at"]
    hour, minute = int(found.group(1)), int(found.group(2))
    problems = []
    if hour > 23:
        problems.append('hours go 00–23 (midnight is "00:00")')
    if minute > 59:
        problems.append("minutes go 00–59")
    if problems:
        return f'There is no "{found.group(0).strip()}": ' + " and ".join(problems) + "."
    return f'Write the time as 24-hour HH:MM in quotes: "{hour:02d}:{minute:02d}".'


_DURATION_KEYS = {"for", "window", "grace", "start", "before_due", "after_open"}


def describe_value(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return "infinity or not-a-number (.inf, .nan, 1e400)"
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "…"
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value"


def _get(data: Any, part: str | int) -> tuple[bool, Any]:
    if isinstance(data, dict) and part in data:
        return True, data[part]
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return True, data[part]
    return False, None


def _data_path(data: Any, loc: Sequence[str | int], missing_key: bool) -> tuple[Path, bool]:
    """Follow pydantic's ``loc`` through the data, skipping union-branch labels.

    Returns the path and whether the last element names a key absent from the data (a missing
    key), in which case the path ends with that key.
    """
    path: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        found, value = _get(current, part)
        if found:
            path.append(part)
            current = value
            continue
        if (
            missing_key
            and i == len(loc) - 1
            and isinstance(current, dict)
            and isinstance(part, str)
        ):
            path.append(part)
            return tuple(path), True
    return tuple(path), False


def _unwrap(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def _union_members(tp: Any) -> list[Any]:
    tp = _unwrap(tp)
    origin = get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        out: list[Any] = []
        for arg in get_args(tp):
            out.extend(_union_members(arg))
        return out
    return [tp]


def _pick_model(tp: Any, value: Any) -> type[BaseModel] | None:
    models = [m for m in _union_members(tp) if isinstance(m, type) and issubclass(m, BaseModel)]
    if not models or not isinstance(value, dict):
        return None
    if len(models) == 1:
        return models[0]
    for m in models:
        field = m.model_fields.get("type") or m.model_fields.get("kind")
        if field is None:
            continue
        allowed = get_args(_unwrap(field.annotation))
        if value.get("type", value.get("kind")) in allowed:
            return m
    return None


def _field_for(model: type[BaseModel], key: str) -> Any:
    for name, field in model.model_fields.items():
        if (field.alias or name) == key or name == key:
            return field.annotation
    return None


def model_at(root: Any, data: Any, path: Path) -> type[BaseModel] | None:
    """The model class that validates the mapping found at ``path`` (None if not a model)."""
    tp: Any = root
    current = data
    for part in path:
        model = _pick_model(tp, current)
        if model is not None:
            tp = _field_for(model, str(part))
        else:
            tp = _container_item(tp, current)
        if tp is None:
            return None
        found, current = _get(current, part)
        if not found:
            return None
    return _pick_model(tp, current)


def _container_item(tp: Any, current: Any) -> Any:
    for member in _union_members(tp):
        origin = get_origin(member)
        if origin is list and isinstance(current, list):
            return get_args(member)[0]
        if origin is dict and isinstance(current, dict):
            return get_args(member)[1]
    return None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _kind_of(model: type[BaseModel] | None, data: Any) -> str:
    if model is None:
        return "this mapping"
    if (
        isinstance(data, dict)
        and isinstance(data.get("type"), str)
        and "type" in model.model_fields
    ):
        return f"a {data['type']} item"
    name = model.__name__
    words = {
        "Worksheet": "a worksheet",
        "Pathway": "a pathway",
        "Pack": "a pack manifest",
        "Assignment": "an assignment",
        "Response": "a response",
        "Step": "a pathway step",
        "Schedule": "a schedule",
        "Score": "a score",
        "Band": "a score band",
        "Alert": "an alert",
        "Option": "an option",
        "Source": "a source",
        "Plan": "a homework plan",
        "Reminder": "a reminder",
        "Insertion": "an 'add' entry",
        "MissingPolicy": "a missing-item policy",
        "Excused": "an excused date",
    }
    return words.get(name, "this mapping")


def convert(
    exc: ValidationError, root: Any, data: Any, source: SourceMap, *, redact: bool = False
) -> list[Diagnostic]:
    """All of pydantic's errors as diagnostics, the most specific one per location.

    With ``redact`` (responses) messages name a value's kind, never its content.
    """
    with suggestion_budget():  # thousands of misspelt keys: hints for the first ones only
        return _convert(exc, root, data, source, redact=redact)


def _convert(
    exc: ValidationError, root: Any, data: Any, source: SourceMap, *, redact: bool
) -> list[Diagnostic]:
    show = redacted_value if redact else describe_value
    raw: list[tuple[Path, bool, dict[str, Any]]] = []
    for details in exc.errors(include_url=False, include_input=False):
        err: dict[str, Any] = dict(details)
        path, missing = _data_path(data, err["loc"], err["type"] in ("missing", "extra_forbidden"))
        raw.append((path, missing, err))
    # A union reports one error per branch. When some branch got deeper into the value, that
    # is what the author meant; drop the shallow "wrong type" errors of the other branches.
    # Likewise, when a branch accepted the value's type but not its content (a pattern, a
    # range), the other branches' "wrong type" errors at the same place are noise.
    deep = {p for p, _, _ in raw}
    constrained = {
        p for p, _, e in raw if e["type"] not in _TYPE_WORDS and e["type"] not in _STRUCTURAL
    }
    kept: list[tuple[Path, bool, dict[str, Any]]] = []
    for path, missing, err in raw:
        shallow = err["type"] in _TYPE_WORDS or err["type"] == "literal_error"
        if shallow and any(len(d) > len(path) and d[: len(path)] == path for d in deep):
            continue
        if err["type"] in _TYPE_WORDS and path in constrained:
            continue
        kept.append((path, missing, err))
    out: list[Diagnostic] = []
    type_errors: dict[Path, list[str]] = {}
    for path, missing, err in kept:
        kind = err["type"]
        if kind in _TYPE_WORDS:
            type_errors.setdefault(path, []).append(_TYPE_WORDS[kind])
            continue
        out.extend(_one(kind, path, missing, err, root, data, source, show))
    for path, expected in type_errors.items():
        _, value = _lookup(data, path)
        words = list(dict.fromkeys(expected))
        if ("a number" in words or "a finite number" in words) and "a whole number" in words:
            words.remove("a whole number")
        if "a date and time with a UTC offset (…+01:00 or …Z)" in words:
            words = ["a date and time with a UTC offset (…+01:00 or …Z)"]
        hint = "Check the value against the format reference (docs/format.md)."
        if value is None and _in_flow_mapping(source, path):
            hint = _COMMA_HINT
        elif words == ["true or false"]:
            hint = "Write true or false."
        elif "a list" in words and isinstance(value, str) and "," in value:
            hint = f"Write a list in square brackets, e.g. [{value}]."
        elif "text" in words and isinstance(value, int | float | bool):
            hint = "Put the value in quotes to make it text."
        elif "a mapping of keys to values" in words and "text" in words:
            hint = "Write plain text, or a map of languages, e.g. {en: …, es: …}."
        elif isinstance(value, str) and ("a number" in words or "a whole number" in words):
            hint = "Write the number without quotes or units, e.g. 10."
        out.append(
            source.diagnostic(
                Code.WK102,
                f"{_name(path)} should be {' or '.join(words)}, not {show(value)}.",
                path,
                hint=hint,
            )
        )
    return out


def convert_relative(
    exc: ValidationError, root: Any, data: Any, source: SourceMap
) -> list[tuple[Diagnostic, Path]]:
    """Like :func:`convert` for a value validated on its own (e.g. one item): each diagnostic
    with the path inside that value, for the caller to place in the file."""
    out: list[tuple[Diagnostic, Path]] = []
    for d in convert(exc, root, data, source):
        out.append((d, d.path))
    return out


def _in_flow_mapping(source: SourceMap, path: Path) -> bool:
    """Whether the value at ``path`` was written inside ``{ … }`` on one line."""
    import yaml

    parent = source.node_at(path[:-1]) if path else None
    return isinstance(parent, yaml.MappingNode) and bool(parent.flow_style)


def _lookup(data: Any, path: Path) -> tuple[bool, Any]:
    current = data
    for part in path:
        found, current = _get(current, part)
        if not found:
            return False, None
    return True, current


def _name(path: Path) -> str:
    keys = [p for p in path if isinstance(p, str)]
    if not keys:
        return "The document"
    if isinstance(path[-1], int):
        return f"Entry {path[-1] + 1} of '{keys[-1]}'"
    return f"'{keys[-1]}'"


def _one(
    kind: str,
    path: Path,
    missing: bool,
    err: dict[str, Any],
    root: Any,
    data: Any,
    source: SourceMap,
    show: Any = describe_value,
) -> Iterator[Diagnostic]:
    ctx = err.get("ctx") or {}
    key = path[-1] if path else ""
    if kind == "missing":
        parent = path[:-1] if missing else path
        model = model_at(root, data, parent)
        _, parent_value = _lookup(data, parent)
        yield source.diagnostic(
            Code.WK101,
            f"The key '{key}' is missing from {_kind_of(model, parent_value)}.",
            parent,
            hint=f"Add '{key}: …' here (see docs/format.md for what it takes).",
        )
    elif kind == "extra_forbidden":
        parent = path[:-1]
        model = model_at(root, data, parent)
        _, parent_value = _lookup(data, parent)
        candidates = allowed_keys(model) if model else []
        guess = did_you_mean(str(key), candidates)
        if " " in str(key).strip() and _in_flow_mapping(source, path):
            yield source.diagnostic(
                Code.WK103,
                f"Unknown key '{key}' in {_kind_of(model, parent_value)}.",
                path,
                hint=_COMMA_HINT,
                key=True,
            )
            return
        hint = (
            f"Did you mean '{guess}'?"
            if guess
            else (
                "Allowed keys here: " + ", ".join(sorted(candidates)) + "."
                if candidates
                else "Remove it."
            )
        )
        yield source.diagnostic(
            Code.WK103,
            f"Unknown key '{key}' in {_kind_of(model, parent_value)}.",
            path,
            hint=hint,
            key=True,
        )
    elif kind == "union_tag_invalid":
        tag = ctx.get("tag", "")
        expected = [t.strip().strip("'") for t in str(ctx.get("expected_tags", "")).split(",")]
        guess = did_you_mean(str(tag), expected)
        yield source.diagnostic(
            Code.WK107,
            f"'{tag}' is not a type of item.",
            (*path, "type"),
            hint=(f"Did you mean '{guess}'? " if guess else "")
            + "Item types: "
            + ", ".join(expected)
            + ".",
        )
    elif kind == "union_tag_not_found":
        yield source.diagnostic(
            Code.WK101,
            "This item has no 'type'.",
            path,
            hint="Add 'type:' (note, section, text, number, choice, likert, rating, table, …).",
        )
    elif kind == "literal_error":
        _, value = _lookup(data, path)
        expected_text = str(ctx.get("expected", ""))
        options = [o.strip().strip("'") for o in expected_text.replace(" or ", ", ").split(",")]
        guess = did_you_mean(str(value), options) if isinstance(value, str) else None
        if path and path[-1] == "worksheetkit":
            yield source.diagnostic(
                Code.WK014,
                f"Unsupported format version {show(value)}.",
                path,
                hint="This version of worksheetkit reads 'worksheetkit: 1'.",
            )
            return
        yield source.diagnostic(
            Code.WK104,
            f"{_name(path)} cannot be {show(value)}; it must be one of: {', '.join(options)}.",
            path,
            hint=f"Did you mean '{guess}'?" if guess else None,
        )
    elif kind == "string_pattern_mismatch":
        _, value = _lookup(data, path)
        pattern_hint: str | None = _PATTERN_HINTS.get(str(key))
        if key in _DURATION_KEYS or (
            str(key) in ("duration", "min", "max") and isinstance(value, str)
        ):
            pattern_hint = (
                "Write durations in ISO 8601: P7D (7 days), P3W (3 weeks), PT4H (4 hours), PT30M."
            )
        if path and isinstance(path[-1], int) and len(path) > 1 and path[-2] == "at":
            pattern_hint = _PATTERN_HINTS["at"]
        if pattern_hint == _PATTERN_HINTS["at"]:
            pattern_hint = _clock_hint(value)
        if path and isinstance(path[-1], int) and len(path) > 1 and path[-2] in ("remove",):
            pattern_hint = _PATTERN_HINTS["id"]
        code = (
            Code.WK106
            if key in ("id", "version", "extends", "worksheet", "pathway")
            else Code.WK105
        )
        yield source.diagnostic(
            code,
            f"{_name(path)} has an invalid format: {show(value)}.",
            path,
            hint=pattern_hint or "See docs/format.md for the expected format.",
        )
    elif kind == "finite_number":
        yield source.diagnostic(
            Code.WK105,
            f"{_name(path)} is not a usable number: infinity, not-a-number, or too large "
            "(.inf, .nan, 1e400 …).",
            path,
            hint="Use an ordinary number such as 100.",
        )
    elif kind in (
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "too_short",
        "too_long",
        "string_too_short",
        "string_too_long",
    ):
        _, value = _lookup(data, path)
        yield source.diagnostic(
            Code.WK105,
            f"{_name(path)} is out of range: {_range_words(kind, ctx, value, show)}.",
            path,
            hint=_range_hint(kind, ctx, path),
        )
    else:
        _, value = _lookup(data, path)
        yield source.diagnostic(
            Code.WK102,
            f"{_name(path)} has a value that is not allowed here ({show(value)}).",
            path,
            hint="Check the value against the format reference (docs/format.md).",
        )


def _range_words(kind: str, ctx: dict[str, Any], value: Any, show: Any = describe_value) -> str:
    if kind == "greater_than":
        return f"{show(value)} must be more than {ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"{show(value)} must be at least {ctx.get('ge')}"
    if kind == "less_than":
        return f"{show(value)} must be less than {ctx.get('lt')}"
    if kind == "less_than_equal":
        return f"{show(value)} must be at most {ctx.get('le')}"
    if kind in ("too_short", "string_too_short"):
        return (
            f"it needs at least {ctx.get('min_length')} entr{'y' if ctx.get('min_length') == 1 else 'ies'}"
            if kind == "too_short"
            else f"it needs at least {ctx.get('min_length')} character(s)"
        )
    return f"it allows at most {ctx.get('max_length')}"


def _range_hint(kind: str, ctx: dict[str, Any], path: tuple[Any, ...] = ()) -> str:
    """How to fix a value out of range, in the words of its fault (a number, a list's length
    or a text's length)."""
    if kind == "too_short":
        if path[-1:] == ("on",):  # a schedule's days
            return "List at least one day, e.g. on: [mon, thu]."
        return "Add the missing entries."
    if kind == "string_too_short":
        least = ctx.get("min_length")
        if least == 1:
            return "Fill it in: it cannot be empty."
        return f"Write at least {least} characters."
    if kind == "too_long":
        return f"Remove entries: at most {ctx.get('max_length')} are allowed."
    if kind == "string_too_long":
        return f"Shorten it to at most {ctx.get('max_length')} characters."
    return "Change the number to one inside the allowed range."

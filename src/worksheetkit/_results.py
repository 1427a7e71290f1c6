"""The JSON form shared by every result type: instants and dates as ISO 8601 text, the
deprecated ``as_dict`` alias, and the reverse conversions ``from_dict`` uses.

Every result (``Diagnostic``, ``Occurrence``, ``ScoreResult``, ``AdherenceReport``, …) has one
lossless ``to_dict()`` (JSON-ready, every field), ``to_json()`` and ``from_dict()``, with
``X.from_dict(json.loads(x.to_json())) == x``. Its JSON Schema is
``worksheetkit.schema.result_schema(name)``.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime as dt
import json
import sys
import types
import typing
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath
from typing import Any, Self, TypeVar
from zoneinfo import ZoneInfo

_T = TypeVar("_T")

__all__ = [
    "JsonResult",
    "dumps",
    "fields_from_data",
    "fields_to_data",
    "from_data",
    "instant",
    "instant_text",
    "optional_instant",
    "optional_instant_text",
    "to_data",
    "warn_as_dict",
    "zone_of",
]


def instant_text(moment: dt.datetime) -> str:
    """An aware datetime as ISO 8601 with its UTC offset: whole seconds when there is no
    fraction (``2026-12-01T20:00:00+00:00``), microseconds otherwise, so nothing is lost."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a result holds aware datetimes only (with a UTC offset)")
    return moment.isoformat(timespec="seconds" if moment.microsecond == 0 else "microseconds")


def optional_instant_text(moment: dt.datetime | None) -> str | None:
    return None if moment is None else instant_text(moment)


def instant(text: str, zone: str | None = None) -> dt.datetime:
    """The aware datetime :func:`instant_text` wrote; in the IANA ``zone`` when given (the same
    instant, with that zone's rules again, so later arithmetic follows its DST changes)."""
    if not isinstance(text, str):
        raise TypeError(f"expected an ISO 8601 timestamp, got {type(text).__name__}")
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no UTC offset")
    return moment.astimezone(ZoneInfo(zone)) if zone else moment


def optional_instant(text: str | None, zone: str | None = None) -> dt.datetime | None:
    return None if text is None else instant(text, zone)


def zone_of(moment: dt.datetime) -> str | None:
    """The IANA name of ``moment``'s zone, or None for a fixed offset."""
    tz = moment.tzinfo
    return tz.key if isinstance(tz, ZoneInfo) else None


def dumps(data: Any, indent: int | None) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent)


def warn_as_dict(owner: str) -> None:
    """``as_dict()`` stays for one release as an alias of ``to_dict()``."""
    warnings.warn(
        f"{owner}.as_dict() is deprecated; use {owner}.to_dict() (the same, lossless dict), "
        "or to_json()",
        DeprecationWarning,
        stacklevel=3,
    )


# -- the one dataclass-driven serializer --------------------------------------------------------
#
# ``to_data``/``from_data`` turn a result (a dataclass) into JSON data and back, driven by its
# fields and their type hints: tuples ↔ lists, nested results through their own ``to_dict``/
# ``from_dict``, datetimes and dates as ISO 8601 text, paths as text, document models through
# their JSON form. A class gets ``to_dict``/``to_json``/``from_dict`` by deriving from
# :class:`JsonResult`; ``_json_keys`` (optional) renames fields in the JSON (``{field: key}``),
# ``_json_order`` lists the fields in the JSON's order, ``_json_types`` (a function) names the
# types a module imports only for type checking, and fields whose name starts with ``_`` are
# left out.


def to_data(value: Any) -> Any:
    """``value`` as JSON-ready data (see the section comment)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return instant_text(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and not isinstance(value, type):
        return to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return fields_to_data(value)
    pydantic = sys.modules.get("pydantic")  # no model without pydantic: not imported for this
    if pydantic is not None and isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, Mapping):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [to_data(v) for v in items]
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def _serialised_fields(cls: type) -> list[tuple[str, str, dataclasses.Field[Any]]]:
    """``(field, JSON key, Field)`` in the order the JSON lists them: ``_json_order`` (field
    names; the command line's keys first, where DESIGN §6 fixes them), else field order."""
    names: Mapping[str, str] = getattr(cls, "_json_keys", {})
    order: Sequence[str] = getattr(cls, "_json_order", ())
    found = [f for f in dataclasses.fields(cls) if not f.name.startswith("_")]
    if order:
        rank = {name: i for i, name in enumerate(order)}
        found.sort(key=lambda f: rank.get(f.name, len(rank)))
    return [(f.name, names.get(f.name, f.name), f) for f in found]


def fields_to_data(obj: Any) -> dict[str, Any]:
    """Every field of the dataclass ``obj`` as JSON data, in field order."""
    return {key: to_data(getattr(obj, name)) for name, key, _ in _serialised_fields(type(obj))}


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The field types of ``cls`` (resolved once per class)."""
    known = _HINTS.get(cls)
    if known is not None:
        return known
    namespace: dict[str, Any] = {}
    hook = getattr(cls, "_json_types", None)
    if callable(hook):  # names a module imports only for type checking
        namespace = hook()
    hints = _HINTS[cls] = typing.get_type_hints(cls, localns=namespace)
    return hints


def fields_from_data(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """The dataclass ``cls`` from the data :func:`fields_to_data` wrote. Every key is
    required (``KeyError`` otherwise); values are checked against the field types
    (``TypeError``/``ValueError``)."""
    if not isinstance(data, Mapping):
        raise TypeError(f"expected a JSON object for {cls.__name__}, got {type(data).__name__}")
    hints = _hints(cls)
    values = {name: from_data(hints[name], data[key]) for name, key, _ in _serialised_fields(cls)}
    return cls(**values)


def from_data(hint: Any, data: Any) -> Any:
    """The value of type ``hint`` that :func:`to_data` wrote as ``data``."""
    if hint is Any:
        return data
    origin = typing.get_origin(hint)
    if origin is not None:
        return _from_generic(hint, origin, typing.get_args(hint), data)
    if not isinstance(hint, type):
        return data  # a type alias the serializer does not know: as written
    reader = _SCALARS.get(hint)
    if reader is not None:
        return reader(data)
    return _from_class(hint, data)


def _from_generic(hint: Any, origin: Any, args: tuple[Any, ...], data: Any) -> Any:
    if origin is typing.Literal:
        if data not in args:
            raise ValueError(f"{data!r} is not one of {', '.join(map(repr, args))}")
        return data
    if origin in (typing.Union, types.UnionType):
        return _from_union(hint, args, data)
    if origin is typing.Annotated:
        return from_data(args[0], data)
    if origin in (tuple, list, set, frozenset, Sequence, collections.abc.Sequence):
        return _from_array(origin, args, data)
    if origin in (dict, Mapping, collections.abc.Mapping):
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object, got {type(data).__name__}")
        inner = args[1] if len(args) == 2 else Any
        return {k: from_data(inner, v) for k, v in data.items()}
    return data  # another generic the serializer does not know: as written


def _from_union(hint: Any, args: tuple[Any, ...], data: Any) -> Any:
    if data is None and type(None) in args:
        return None
    errors: list[str] = []
    for arm in (a for a in args if a is not type(None)):
        try:
            return from_data(arm, data)
        except (TypeError, ValueError, KeyError) as exc:
            errors.append(str(exc))
    raise TypeError(f"{data!r} fits none of {hint}: {'; '.join(errors)}")


def _from_array(origin: Any, args: tuple[Any, ...], data: Any) -> Any:
    if not isinstance(data, list):
        raise TypeError(f"expected a JSON array, got {type(data).__name__}")
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        if len(args) != len(data):
            raise ValueError(f"expected {len(args)} values, got {len(data)}")
        return tuple(from_data(a, v) for a, v in zip(args, data, strict=True))
    inner = args[0] if args else Any
    items = [from_data(inner, v) for v in data]
    if origin is list:
        return items
    if origin in (set, frozenset):
        return origin(items)
    return tuple(items)


def _expect(kinds: type | tuple[type, ...], what: str) -> Callable[[Any], Any]:
    """A reader that returns ``data`` as written when it is one of ``kinds`` (never a bool
    where a number is expected)."""

    def read(data: Any) -> Any:
        if not isinstance(data, kinds) or (isinstance(data, bool) and bool not in _tuple(kinds)):
            raise TypeError(f"expected {what}, got {type(data).__name__}")
        return data

    return read


def _tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _none(data: Any) -> None:
    if data is not None:
        raise TypeError(f"expected null, got {type(data).__name__}")


#: Plain JSON values: read as written (a float stays as written: 14 stays 14, so the JSON is the
#: same bytes again).
_SCALARS: dict[Any, Callable[[Any], Any]] = {
    type(None): _none,
    bool: _expect(bool, "true or false"),
    int: _expect(int, "a whole number"),
    float: _expect((int, float), "a number"),
    str: _expect(str, "text"),
}


def _from_class(hint: type, data: Any) -> Any:
    if issubclass(hint, dt.datetime):
        return instant(data)
    if issubclass(hint, dt.date):
        return dt.date.fromisoformat(data)
    if issubclass(hint, dt.time):
        return dt.time.fromisoformat(data)
    if issubclass(hint, PurePath):
        if not isinstance(data, str):
            raise TypeError(f"expected a path as text, got {type(data).__name__}")
        return hint(data)
    from_dict = getattr(hint, "from_dict", None)
    if callable(from_dict):
        return from_dict(data)
    if dataclasses.is_dataclass(hint):
        return fields_from_data(hint, data)
    from pydantic import BaseModel

    if issubclass(hint, BaseModel):
        return hint.model_validate(data)
    raise TypeError(f"cannot read a {hint.__name__} from JSON")


class JsonResult:
    """``to_dict()``, ``to_json()`` and ``from_dict()`` for a result dataclass, from its fields
    (:func:`fields_to_data` / :func:`fields_from_data`)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON data; :meth:`from_dict` gives an equal value back."""
        return fields_to_data(self)

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (keys in field order, non-ASCII kept)."""
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The value :meth:`to_dict` wrote."""
        return fields_from_data(cls, data)

"""The JSON form shared by every result type: instants and dates as ISO 8601 text, the
deprecated ``as_dict`` alias, and the reverse conversions ``from_dict`` uses.

Every result (``Diagnostic``, ``Occurrence``, ``ScoreResult``, ``AdherenceReport``, …) has one
lossless ``to_dict()`` (JSON-ready, every field), ``to_json()`` and ``from_dict()``, with
``X.from_dict(json.loads(x.to_json())) == x``. Its JSON Schema is
``worksheetkit.schema.result_schema(name)``.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "dumps",
    "instant",
    "instant_text",
    "optional_instant",
    "optional_instant_text",
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

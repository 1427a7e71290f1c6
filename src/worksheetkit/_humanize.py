"""Durations and dates in the words people use ("2 weeks", "4 min", "Mon 7 Dec 2026, 07:30").

Babel (CLDR data) writes them as each locale does, so English and Spanish (and any language a
pack adds) need no hand-made tables. Babel is imported on first use: ``import worksheetkit``
stays light. Unknown languages fall back to English; output is deterministic.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from .model.durations import Duration, parse_duration

__all__ = [
    "date_text",
    "datetime_text",
    "duration_text",
    "minutes_text",
    "short_date_text",
    "time_text",
    "weekday_text",
]


@lru_cache(maxsize=16)
def _locale(language: str | None) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse((language or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _unit(value: int, unit: str, language: str | None, short: bool) -> str:
    from babel.units import format_unit

    return str(
        format_unit(
            value, f"duration-{unit}", length="short" if short else "long", locale=_locale(language)
        )
    )


def duration_text(value: Any, language: str | None = "en", *, short: bool = False) -> str:
    """An ISO 8601 duration (``"P14D"``), a ``Duration`` or a ``timedelta`` in words.

    Whole weeks read as weeks, whole days as days, otherwise hours and minutes ("1 hour 30
    minutes"; with ``short`` "1 hr, 30 min"). Months read as months. A zero length is "0 days".
    """
    if isinstance(value, str):
        value = parse_duration(value)
    if isinstance(value, dt.timedelta):
        value = Duration(0, value.days, value.seconds)
    if not isinstance(value, Duration):
        raise TypeError(f"not a duration: {value!r}")
    parts: list[str] = []
    if value.months:
        years, months = divmod(value.months, 12)
        if years:
            parts.append(_unit(years, "year", language, short))
        if months:
            parts.append(_unit(months, "month", language, short))
    days = value.days
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if days and not (hours or minutes or seconds) and days % 7 == 0:
        parts.append(_unit(days // 7, "week", language, short))
    elif days:
        parts.append(_unit(days, "day", language, short))
    if hours:
        parts.append(_unit(hours, "hour", language, short))
    if minutes:
        parts.append(_unit(minutes, "minute", language, short))
    if seconds:
        parts.append(_unit(seconds, "second", language, short))
    if not parts:
        return _unit(0, "day", language, short)
    if len(parts) == 1:
        return parts[0]
    from babel.lists import format_list

    try:
        if short:
            return str(format_list(parts, style="unit-short", locale=_locale(language)))
        return str(format_list(parts, style="unit", locale=_locale(language)))
    except KeyError:  # a locale without unit-list patterns in CLDR
        return " ".join(parts)


def minutes_text(minutes: float, language: str | None = "en") -> str:
    """A length in minutes as people write it: "4 min", "1 hr, 30 min"."""
    whole = round(minutes * 60)
    return duration_text(dt.timedelta(seconds=whole), language, short=True)


def _aware(moment: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    if zone is not None and moment.tzinfo is not None:
        return moment.astimezone(zone)
    return moment


def _zone_name(moment: dt.datetime, zone: Any) -> str:
    key = getattr(zone, "key", None) or getattr(moment.tzinfo, "key", None)
    return str(key) if key else ""


def datetime_text(
    moment: dt.datetime,
    zone: dt.tzinfo | None = None,
    language: str | None = "en",
    *,
    with_zone: bool = True,
) -> str:
    """ "Mon 7 Dec 2026, 07:30 (Europe/London)": weekday, date with year, 24-hour time, zone."""
    from babel.dates import format_datetime

    local = _aware(moment, zone)
    text = str(format_datetime(local, "EEE d MMM y, HH:mm", locale=_locale(language)))
    name = _zone_name(local, zone)
    return f"{text} ({name})" if with_zone and name else text


def date_text(day: dt.date, language: str | None = "en", *, year: bool = True) -> str:
    """ "Mon 7 Dec 2026" (or "Mon 7 Dec" without the year)."""
    from babel.dates import format_date

    pattern = "EEE d MMM y" if year else "EEE d MMM"
    return str(format_date(day, pattern, locale=_locale(language)))


def short_date_text(day: dt.date, language: str | None = "en") -> str:
    """ "7 Dec": a chart label."""
    from babel.dates import format_date

    return str(format_date(day, "d MMM", locale=_locale(language)))


def time_text(moment: dt.datetime | dt.time) -> str:
    """ "07:30": 24-hour local time."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def weekday_text(day: dt.date, language: str | None = "en") -> str:
    from babel.dates import format_date

    return str(format_date(day, "EEE", locale=_locale(language)))

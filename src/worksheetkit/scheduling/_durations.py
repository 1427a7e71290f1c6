"""Calendar arithmetic with durations (the grammar and ``Duration`` live in model.durations)."""

from __future__ import annotations

import datetime as dt

from ..model.durations import Duration


def add_calendar(local: dt.datetime, duration: Duration) -> dt.datetime:
    """Naive local wall time moved by the calendar part of ``duration`` (months clamp)."""
    if duration.months:
        month0 = local.month - 1 + duration.months
        year, month = local.year + month0 // 12, month0 % 12 + 1
        last = _month_length(year, month)
        local = local.replace(year=year, month=month, day=min(local.day, last))
    if duration.days:
        local = local + dt.timedelta(days=duration.days)
    return local


def _month_length(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day

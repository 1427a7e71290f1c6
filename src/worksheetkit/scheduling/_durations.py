"""ISO 8601 durations split the RFC 5545 way: calendar part (months, days) and exact seconds."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_DURATION = re.compile(
    r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$"
)
# Beyond this a duration is a typo, not a plan (and would overflow date arithmetic).
MAX_DAYS = 3660


@dataclass(frozen=True, slots=True)
class Duration:
    """``months`` and ``days`` move the local calendar; ``seconds`` is elapsed time.

    So ``P1D`` across a DST change is 23 or 25 hours (the same wall-clock time next day), while
    ``PT24H`` is always 24 hours. This is how RFC 5545 defines DURATION.
    """

    months: int = 0
    days: int = 0
    seconds: int = 0

    @property
    def exact(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.seconds)

    @property
    def is_exact(self) -> bool:
        return self.months == 0 and self.days == 0

    @property
    def is_zero(self) -> bool:
        return self.months == 0 and self.days == 0 and self.seconds == 0

    def approx_seconds(self) -> float:
        """Length for comparisons (a month counted as 28 days, its shortest)."""
        return self.months * 28 * 86400 + self.days * 86400 + self.seconds

    def to_ical(self) -> str:
        """RFC 5545 ``dur-value`` (months are not allowed there: counted as 30 days)."""
        days = self.days + 30 * self.months
        out = "P"
        if days and days % 7 == 0 and not self.seconds:
            return f"P{days // 7}W"
        if days:
            out += f"{days}D"
        if self.seconds or not days:
            hours, rest = divmod(self.seconds, 3600)
            minutes, seconds = divmod(rest, 60)
            out += "T"
            if hours:
                out += f"{hours}H"
            if minutes:
                out += f"{minutes}M"
            if seconds or not (hours or minutes):
                out += f"{seconds}S"
        return out


def parse_duration(text: str) -> Duration:
    """Parse ``P3W``, ``PT4H30M``…; raises ``ValueError`` for anything else."""
    m = _DURATION.match(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    years, months, weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in m.groups())
    total_months = years * 12 + months
    total_days = weeks * 7 + days
    total_seconds = hours * 3600 + minutes * 60 + seconds
    if total_months * 28 + total_days + total_seconds / 86400 > MAX_DAYS:
        raise ValueError(f"duration {text} is longer than ten years")
    return Duration(total_months, total_days, total_seconds)


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

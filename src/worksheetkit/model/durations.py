"""ISO 8601 durations (``P3W``, ``PT4H30M``): the one grammar every layer uses.

The model's pattern, validation (WK218, WK202), the answer check of a duration item, the JSON
Schemas, the HTML form's bounds, FHIR's ``regex`` extension and scheduling all read durations
through this module. Years, months, weeks, days, hours, minutes and whole seconds, each at
most once and in that order; at least one part; a ``T`` only before a time part.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache


def duration_pattern(number: str = r"\d+", *, empty_parts: bool = False) -> str:
    """The grammar as an anchored regular expression (JSON Schema and FHIR ``regex`` use it
    as text). ``number`` bounds each part's digits (answers: ``\\d{1,6}``). With
    ``empty_parts`` a bare ``P``, ``PT`` or trailing ``T`` also matches: the model accepts
    those so that validation can say what is wrong with them (WK218) instead of a bare
    pattern error. Groups: 1 years, 2 months, 3 weeks, 4 days, 6 hours, 7 minutes, 8 seconds
    (each with its unit letter)."""
    start, time = ("", "") if empty_parts else ("(?!$)", "(?=\\d)")
    n = number
    return rf"^P{start}({n}Y)?({n}M)?({n}W)?({n}D)?(T{time}({n}H)?({n}M)?({n}S)?)?$"


#: The grammar, as FHIR's ``regex`` extension and the model publish it.
DURATION_PATTERN = duration_pattern()


@cache
def _compiled(number: str) -> re.Pattern[str]:
    return re.compile(duration_pattern(number), re.ASCII)


def duration_parts(text: object, number: str = r"\d+") -> tuple[int, ...] | None:
    """``(years, months, weeks, days, hours, minutes, seconds)`` of a duration, or None when
    ``text`` is not one."""
    m = _compiled(number).fullmatch(text) if isinstance(text, str) else None
    if m is None:
        return None
    return tuple(int(m.group(i)[:-1]) if m.group(i) else 0 for i in (1, 2, 3, 4, 6, 7, 8))


def is_duration(text: object) -> bool:
    """True when ``text`` is an ISO 8601 duration of this grammar."""
    return duration_parts(text) is not None


def duration_seconds(text: object, number: str = r"\d+") -> float | None:
    """Length in seconds for comparing answers with a duration item's bounds: a year counts
    365 days and a month 30 (the form's minutes and the answer check use this one rule)."""
    parts = duration_parts(text, number)
    if parts is None:
        return None
    y, mo, w, d, h, mi, s = parts
    return float((((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60 + s)


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
    parts = duration_parts(text)
    if parts is None:
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    years, months, weeks, days, hours, minutes, seconds = parts
    total_months = years * 12 + months
    total_days = weeks * 7 + days
    total_seconds = hours * 3600 + minutes * 60 + seconds
    if total_months * 28 + total_days + total_seconds / 86400 > MAX_DAYS:
        raise ValueError(f"duration {text} is longer than ten years")
    return Duration(total_months, total_days, total_seconds)

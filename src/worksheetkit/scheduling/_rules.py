"""Schedules compiled to RFC 5545 recurrence rules (the canonical form) and to dateutil rules."""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from dateutil import rrule as du

from .._dates import date_problem
from ..model.durations import Duration, parse_duration
from ..model.schedule import Schedule
from ._durations import add_calendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQS = {
    "YEARLY": du.YEARLY,
    "MONTHLY": du.MONTHLY,
    "WEEKLY": du.WEEKLY,
    "DAILY": du.DAILY,
    "HOURLY": du.HOURLY,
    "MINUTELY": du.MINUTELY,
}
_FREQ_NAMES = {v: k for k, v in _FREQS.items()}
#: The most occurrences one series (an assignment's schedule, or one pathway step's) may
#: make; ``validate`` reports a schedule that would make more (WK219), and expansion stops
#: with a ``ScheduleError`` as soon as a series passes it.
MAX_OCCURRENCES = 5_000
#: The most occurrences one assignment may make across all its series (every step of a
#: pathway, every change): without it a pathway of many steps could make 5,000 x steps.
MAX_TOTAL_OCCURRENCES = 20_000
_ONE_DAY = dt.timedelta(days=1)
#: ``parse_duration`` remembered: a schedule's ``for``, ``window`` and ``grace`` are parsed for
#: every assignment expanded, and a pack repeats the same few texts (a parse is ~8 µs, a
#: lookup ~0.1 µs: ~2 % of expanding a year twice a day; measured 2026-12-04). ``Duration``
#: is frozen, so the values can be shared.
duration = lru_cache(maxsize=256)(parse_duration)


class ScheduleError(ValueError):
    """A schedule that cannot be expanded (``check_schedule`` explains it to authors)."""


class UnboundedScheduleError(ScheduleError):
    """The schedule has no end (no ``for``, ``count`` or ``until``) and no ``end`` was given:
    callers that can pick a horizon catch this type, never the message."""


@dataclass(frozen=True, slots=True)
class Group:
    """One recurrence rule: a set of days crossed with a set of times of day.

    ``at: ["08:00", "18:30"]`` is not a cross product of hours and minutes, so it needs two
    rules; RFC 5545 would otherwise read BYHOUR=8,18;BYMINUTE=0,30 as four times a day.
    """

    freq: int
    interval: int = 1
    byweekday: tuple[int, ...] | None = None
    bymonthday: tuple[int, ...] | None = None
    bysetpos: tuple[int, ...] | None = None
    byhour: tuple[int, ...] = (0,)
    byminute: tuple[int, ...] = (0,)
    raw: str | None = None  # a user's RRULE (COUNT/UNTIL taken out), BYHOUR… added

    def text(self) -> str:
        if self.raw is not None:
            return self.raw
        parts = [f"FREQ={_FREQ_NAMES[self.freq]}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.byweekday is not None:
            parts.append("BYDAY=" + ",".join(_ICAL_DAYS[d] for d in self.byweekday))
        if self.bymonthday is not None:
            parts.append("BYMONTHDAY=" + ",".join(str(d) for d in self.bymonthday))
        parts.append("BYHOUR=" + ",".join(str(h) for h in self.byhour))
        parts.append("BYMINUTE=" + ",".join(str(m) for m in self.byminute))
        parts.append("BYSECOND=0")
        if self.bysetpos is not None:
            parts.append("BYSETPOS=" + ",".join(str(p) for p in self.bysetpos))
        if self.freq == du.WEEKLY:
            parts.append("WKST=MO")
        return ";".join(parts)

    def rule(self, dtstart: dt.datetime) -> du.rrule:
        if self.raw is not None:
            return _parse_raw(self.raw, dtstart)
        return du.rrule(
            self.freq,  # type: ignore[arg-type]  # one of dateutil's own constants
            dtstart=dtstart,
            interval=self.interval,
            wkst=du.MO,
            byweekday=self.byweekday,
            bymonthday=self.bymonthday,
            bysetpos=self.bysetpos,
            byhour=self.byhour,
            byminute=self.byminute,
            bysecond=0,
            cache=False,
        )

    @property
    def times(self) -> list[tuple[int, int]]:
        """The times of day this rule makes; empty when a raw rule does not say."""
        if self.raw is not None:
            parts = dict(p.split("=", 1) for p in self.raw.upper().split(";") if "=" in p)
            if "BYHOUR" not in parts or "BYMINUTE" not in parts:
                return []
            hours = [int(h) for h in parts["BYHOUR"].split(",")]
            minutes = [int(m) for m in parts["BYMINUTE"].split(",")]
            return [(h, m) for h in hours for m in minutes]
        return [(h, m) for h in self.byhour for m in self.byminute]


def _parse_raw(text: str, dtstart: dt.datetime) -> du.rrule:
    rule = du.rrulestr(text, dtstart=dtstart, forceset=False, cache=False)
    if not isinstance(rule, du.rrule):  # pragma: no cover - rrulestr gives a set only when asked
        raise ScheduleError("the rrule is not a single recurrence rule")
    return rule


@dataclass(frozen=True, slots=True)
class Compiled:
    """A schedule made concrete for one series start (a local date)."""

    start: dt.datetime  # naive local midnight the series is expanded from
    groups: tuple[Group, ...]
    end: dt.datetime | None  # naive local wall time, exclusive (from `for`, `until`, `once`)
    count: int | None  # occurrences that actually happen
    slots: int  # `times_per_week`: occurrences per instance
    once: bool
    weekly_target: bool
    until_utc: dt.datetime | None = None  # a raw rule's UNTIL…Z, checked against instants
    # Shorthands: the days (a rule at 00:00) and the times of day crossed with them. The same
    # instants as the groups' RRULEs (RFC 5545 expands BYHOUR/BYMINUTE within each day), but
    # dateutil then steps once per day, not once per occurrence.
    days: Group | None = None
    times: tuple[tuple[int, int], ...] = ()

    def walls(self) -> Iterator[dt.datetime]:
        """Every scheduled wall time, in order, from the start (no DST policy applied)."""
        if self.days is not None:
            return self._crossed(self.days)
        if len(self.groups) == 1:
            return iter(self.groups[0].rule(self.start))
        return heapq.merge(*(g.rule(self.start) for g in self.groups))

    def _crossed(self, days: Group) -> Iterator[dt.datetime]:
        offsets = [dt.timedelta(hours=h, minutes=m) for h, m in self.times]
        for day in days.rule(self.start):
            for offset in offsets:
                yield day + offset

    def day_offsets(self, limit: dt.datetime) -> Iterable[dt.timedelta]:
        """The days of a shorthand before ``limit`` (local midnights) as offsets from
        ``start``, in order (a rule that is not translated may give one more, at or after
        ``limit``).

        Daily and weekly rules look the same from any start with the same weekday, so
        dateutil's expansion from a reference date is translated instead of redone for every
        assignment (expanding 10,000 assignments then costs what one costs).
        """
        days = self.days
        assert days is not None
        start = self.start
        if days.freq in (du.DAILY, du.WEEKLY) and limit - start <= _SPAN:
            offsets = _day_offsets(days, start.weekday())
            return offsets[: bisect.bisect_left(offsets, limit - start)]
        return (day - start for day in days.rule(start))


_SPAN = dt.timedelta(days=3 * 366)
_REFERENCE_MONDAY = dt.datetime(2001, 1, 1)


@lru_cache(maxsize=512)
def _day_offsets(days: Group, weekday: int) -> tuple[dt.timedelta, ...]:
    reference = _REFERENCE_MONDAY + dt.timedelta(days=weekday)
    out = []
    for day in days.rule(reference):
        offset = day - reference
        if offset > _SPAN:
            break
        out.append(offset)
    return tuple(out)


def clock_times(schedule: Schedule) -> list[tuple[int, int]]:
    out = sorted({(int(t[:2]), int(t[3:5])) for t in schedule.times()})
    return out or [(0, 0)]


def _time_groups(times: list[tuple[int, int]]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    hours = tuple(sorted({h for h, _ in times}))
    minutes = tuple(sorted({m for _, m in times}))
    if len(hours) * len(minutes) == len(times):
        return [(hours, minutes)]
    by_minute: dict[int, list[int]] = {}
    for h, m in times:
        by_minute.setdefault(m, []).append(h)
    return [(tuple(hs), (m,)) for m, hs in sorted(by_minute.items(), key=lambda kv: min(kv[1]))]


def _split_raw(text: str) -> tuple[dict[str, str], list[str]]:
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts: dict[str, str] = {}
    order: list[str] = []
    for chunk in body.split(";"):
        if not chunk.strip():
            continue
        if "=" not in chunk:
            raise ScheduleError(f"'{chunk}' is not NAME=VALUE")
        name, value = chunk.split("=", 1)
        name = name.strip().upper()
        if name in parts:
            raise ScheduleError(f"{name} is given twice")
        parts[name] = value.strip()
        order.append(name)
    if "FREQ" not in parts:
        raise ScheduleError("FREQ is missing")
    return parts, order


@lru_cache(maxsize=256)
def _raw_groups(
    text: str, times: tuple[tuple[int, int], ...], has_at: bool
) -> tuple[tuple[Group, ...], int | None, str | None]:
    parts, order = _split_raw(text)
    freq = parts["FREQ"].upper()
    if freq not in _FREQS:
        raise ScheduleError(f"FREQ={freq} is not supported (use DAILY, WEEKLY, MONTHLY…)")
    if "DTSTART" in parts:
        raise ScheduleError(
            "DTSTART cannot be part of the rule: the start comes from the assignment"
        )
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    until = parts.get("UNTIL")
    keep = [(n, parts[n]) for n in order if n not in ("COUNT", "UNTIL")]
    sub_daily = freq in ("HOURLY", "MINUTELY")
    has_time = any(n in parts for n in ("BYHOUR", "BYMINUTE", "BYSECOND"))
    if has_at and (sub_daily or has_time):
        raise ScheduleError("give the times of day either in the rrule or in 'at', not both")
    groups: list[Group] = []
    if has_time or sub_daily:
        base = ";".join(f"{n}={v}" for n, v in keep)
        if "BYSECOND" not in parts and not sub_daily:
            base += ";BYSECOND=0"
        groups.append(Group(_FREQS[freq], raw=base))
    else:
        for hours, minutes in _time_groups(list(times)):
            extra = [
                ("BYHOUR", ",".join(map(str, hours))),
                ("BYMINUTE", ",".join(map(str, minutes))),
                ("BYSECOND", "0"),
            ]
            groups.append(Group(_FREQS[freq], raw=";".join(f"{n}={v}" for n, v in keep + extra)))
    for group in groups:  # let dateutil judge the rest
        try:
            _parse_raw(group.text(), dt.datetime(2026, 1, 1))
        except (ValueError, TypeError) as exc:
            raise ScheduleError(str(exc)) from exc
    if count is not None and count < 1:
        raise ScheduleError("COUNT must be at least 1")
    return tuple(groups), count, until


def _parse_until(text: str) -> tuple[dt.datetime, bool]:
    """An RRULE UNTIL value: (naive datetime, is it UTC?)."""
    value = text.strip().upper()
    is_utc = value.endswith("Z")
    value = value.rstrip("Z")
    try:
        if len(value) == 8:
            day = dt.datetime.strptime(value, "%Y%m%d")
        else:
            day = dt.datetime.strptime(value, "%Y%m%dT%H%M%S")
    except ValueError as exc:
        raise ScheduleError(f"UNTIL={text} is not a date or date-time") from exc
    problem = date_problem(day, "UNTIL")
    if problem is not None:
        raise ScheduleError(problem.rstrip("."))
    if len(value) == 8:
        return day + _ONE_DAY - dt.timedelta(seconds=1), False
    return day, is_utc


def compile_schedule(schedule: Schedule, start: dt.date) -> Compiled:
    """The rule groups and bounds of ``schedule`` expanded from local midnight of ``start``."""
    for value, what in ((start, "The start date"), (schedule.until, "'until'")):
        problem = date_problem(value, what)
        if problem is not None:
            raise ScheduleError(problem.rstrip("."))
    midnight = dt.datetime(start.year, start.month, start.day)
    times = clock_times(schedule)
    end: dt.datetime | None = None
    count = schedule.count
    until_utc: dt.datetime | None = None
    once = False
    weekly_target = schedule.times_per_week is not None
    repeat = schedule.repeat
    if schedule.rrule is not None:
        groups, raw_count, raw_until = _raw_groups(
            schedule.rrule, tuple(times), schedule.at is not None
        )
        if raw_count is not None:
            count = raw_count if count is None else min(count, raw_count)
        if raw_until is not None:
            value, is_utc = _parse_until(raw_until)
            if is_utc:
                until_utc = value
            else:
                end = value + dt.timedelta(seconds=1)
    elif weekly_target:
        if repeat not in (None, "weekly"):
            raise ScheduleError("times_per_week needs repeat: weekly (or no repeat)")
        groups = (
            Group(
                du.WEEKLY,
                interval=schedule.every,
                byweekday=(start.weekday(),),
                byhour=(times[0][0],),
                byminute=(times[0][1],),
            ),
        )
    else:
        repeat = repeat or "once"
        groups_list: list[Group] = []
        for hours, minutes in _time_groups(times):
            if repeat in ("once", "daily"):
                group = Group(
                    du.DAILY,
                    interval=1 if repeat == "once" else schedule.every,
                    byhour=hours,
                    byminute=minutes,
                )
            elif repeat == "weekly":
                weekdays = (
                    tuple(sorted({WEEKDAYS.index(d) for d in schedule.on}))
                    if schedule.on
                    else (start.weekday(),)
                )
                group = Group(
                    du.WEEKLY,
                    interval=schedule.every,
                    byweekday=weekdays,
                    byhour=hours,
                    byminute=minutes,
                )
            else:  # monthly: on the start date's day of the month
                day = start.day
                if day > 28 and schedule.month_end == "clamp":
                    # The last existing day among 28…day: 31 → 31 Jan, 28 Feb, 31 Mar, 30 Apr.
                    n = len(hours) * len(minutes)
                    group = Group(
                        du.MONTHLY,
                        interval=schedule.every,
                        bymonthday=tuple(range(28, day + 1)),
                        bysetpos=tuple(range(-n, 0)),
                        byhour=hours,
                        byminute=minutes,
                    )
                else:  # RFC 5545 drops the 31st of a 30-day month
                    group = Group(
                        du.MONTHLY,
                        interval=schedule.every,
                        bymonthday=(day,),
                        byhour=hours,
                        byminute=minutes,
                    )
            groups_list.append(group)
        groups = tuple(groups_list)
        if repeat == "once":
            once = True
            end = midnight + _ONE_DAY
    if schedule.for_ is not None:
        span = duration(schedule.for_)
        limit = add_calendar(midnight, span) + span.exact
        end = limit if end is None else min(end, limit)
    if schedule.until is not None:
        u = schedule.until
        limit = dt.datetime(u.year, u.month, u.day) + _ONE_DAY
        end = limit if end is None else min(end, limit)
    day_rule: Group | None = None
    if schedule.rrule is None:
        first = groups[0]
        day_rule = Group(
            first.freq,
            first.interval,
            first.byweekday,
            first.bymonthday,
            (-1,) if first.bysetpos else None,
        )
    return Compiled(
        days=day_rule,
        times=tuple(times) if schedule.times_per_week is None else (times[0],),
        start=midnight,
        groups=groups,
        end=end,
        count=count,
        slots=schedule.times_per_week or 1,
        once=once,
        weekly_target=weekly_target,
        until_utc=until_utc,
    )


def window_of(schedule: Schedule) -> Duration | None:
    """The explicit window, or None for the default (see ``docs/scheduling.md``)."""
    if schedule.window is None:
        if schedule.times_per_week is not None:
            return Duration(days=7 * schedule.every)
        return None
    return duration(schedule.window)


def grace_of(schedule: Schedule) -> Duration:
    return duration(schedule.grace) if schedule.grace is not None else Duration()

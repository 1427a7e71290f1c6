"""Expanding one series (a schedule in force for one step over a span of dates) to occurrences.

Every occurrence is computed from the series start by the recurrence rule, never by stepping
from the previous occurrence. The loop has a fast path for the common case — a window that
lies wholly in one UTC offset — and falls back to the explicit DST policies near a change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from itertools import chain, pairwise
from typing import Any, Literal
from zoneinfo import ZoneInfo

from ..model.durations import Duration, parse_duration
from ..model.schedule import Reminder
from ._occurrence import Occurrence
from ._rules import MAX_OCCURRENCES, MAX_TOTAL_OCCURRENCES, Compiled, ScheduleError
from ._zones import UTC, Ambiguous, Nonexistent, Timeline, add, localize

_ONE_DAY = dt.timedelta(days=1)
_END = dt.datetime.max
#: ``unlocked_at`` value of a step whose unlock rule never became true.
NEVER = dt.datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ReminderSpec:
    anchor: Literal["open", "due"]
    offset: Duration
    sign: int

    @classmethod
    def from_model(cls, reminder: Reminder) -> ReminderSpec:
        if reminder.before_due is not None:
            return cls("due", parse_duration(reminder.before_due), -1)
        if reminder.after_open is not None:
            return cls("open", parse_duration(reminder.after_open), 1)
        return cls("due" if reminder.at == "due" else "open", Duration(), 1)


@dataclass
class Series:
    """One schedule in force for one step, from ``compiled.start`` until ``stop`` (exclusive)."""

    step: str | None
    worksheet: str
    compiled: Compiled
    window: Duration | None
    grace: Duration
    timing: Literal["flexible", "strict"]
    nonexistent: Nonexistent
    ambiguous: Ambiguous
    reminders: tuple[ReminderSpec, ...] = ()
    stop: dt.datetime | None = None  # naive local wall time where the next change takes over
    not_before: dt.datetime | None = None  # naive local wall time (step offsets with hours)
    excused_days: dict[dt.date, str | None] = field(default_factory=dict)
    excused_ids: dict[str, str | None] = field(default_factory=dict)
    unlocked_at: dt.datetime | None = None  # None: no unlock rule; NEVER: still locked
    index: int = 0  # position of the step in the pathway, for a stable sort


def _reminder_times(
    specs: tuple[ReminderSpec, ...],
    opens: dt.datetime,
    due: dt.datetime,
    tz: ZoneInfo,
    ambiguous: Ambiguous,
) -> tuple[dt.datetime, ...]:
    out = []
    for spec in specs:
        base = opens if spec.anchor == "open" else due
        if spec.offset.is_zero:
            out.append(base)
        else:
            d = spec.offset
            delta = Duration(spec.sign * d.months, spec.sign * d.days, spec.sign * d.seconds)
            out.append(add(base, delta, tz, ambiguous))
    return tuple(out)


def _occurrence(
    occurrence_id: str,
    local: str,
    step: str | None,
    worksheet: str,
    opens: dt.datetime,
    due: dt.datetime,
    grace_until: dt.datetime,
    timing: str,
) -> Occurrence:
    """An Occurrence built without the frozen dataclass's __init__ (the hot path of expansion:
    a year of a twice-daily schedule for 10,000 clients); the fields are the same."""
    occurrence = Occurrence.__new__(Occurrence)  # object.__new__, looked up where tests count
    object.__setattr__(
        occurrence,
        "__dict__",
        {"id": occurrence_id, "step": step, "worksheet": worksheet, "opens": opens, "due": due,
         "grace_until": grace_until, "timing": timing, "local_start": local},
    )  # fmt: skip
    return occurrence


def expand(
    series: Series,
    tz: ZoneInfo,
    timeline: Timeline,
    begin: dt.datetime | None = None,
    end: dt.datetime | None = None,
    begin_utc: dt.datetime | None = None,
    end_utc: dt.datetime | None = None,
) -> list[Occurrence]:
    """Occurrences of ``series`` whose scheduled wall time is in [begin, end) (naive local),
    and, when given, whose opening instant is in [begin_utc, end_utc)."""
    comp = series.compiled
    begin, stop, hard_end = _bounds(series, begin, end)
    count = comp.count
    until_utc = comp.until_utc
    if comp.days is not None and until_utc is None:
        return _expand_days(series, tz, timeline, begin, stop, count, begin_utc, end_utc, hard_end)
    return _expand_walls(series, tz, timeline, begin, stop, hard_end, begin_utc, end_utc)


def _expand_walls(
    series: Series,
    tz: ZoneInfo,
    timeline: Timeline,
    begin: dt.datetime,
    stop: dt.datetime,
    hard_end: dt.datetime,
    begin_utc: dt.datetime | None,
    end_utc: dt.datetime | None,
) -> list[Occurrence]:
    """The general loop: dateutil gives every wall time (any rule, an UNTIL in UTC)."""
    comp = series.compiled
    count = comp.count
    until_utc = comp.until_utc
    slots = comp.slots
    window = series.window
    plain, w_delta, g_delta, prefix, anchor = _constants(series, tz)
    w_step = _ONE_DAY if w_delta is None else w_delta
    anchor_wall = comp.start
    step = series.step
    worksheet = series.worksheet
    timing = series.timing
    nonexistent = series.nonexistent
    ambiguous = series.ambiguous
    clocks: dict[int, str] = {}
    out: list[Occurrence] = []
    allowed: list[int] = []  # slots kept per instance (times_per_week with a count)
    happened = 0
    trouble = dt.datetime.min
    day: dt.date | None = None
    day_text = ""
    day_end = _END
    # Occurrences are built without the frozen dataclass __init__ (one guarded setattr per
    # field costs more than dateutil's own work); fields left out (reminders, locked,
    # excused…) read the class defaults, and _finish() sets them with replace().
    walls = comp.walls()
    pairs = pairwise(chain(walls, (_END,))) if window is None else ((w, w) for w in walls)
    for wall, following in pairs:
        if wall >= stop or (count is not None and happened >= count):
            break
        if wall.date() != day:
            day = wall.date()
            day_text = day.isoformat() + "T"
            day_end = dt.datetime.combine(day, _MIDNIGHT) + _ONE_DAY
        if window is None:
            due_wall = following if following < day_end else day_end
        else:
            due_wall = wall + w_step
        last_wall = due_wall + g_delta
        if last_wall >= trouble:
            trouble = timeline.next_trouble(wall, last_wall)
        if last_wall < trouble and plain:
            # [wall, last_wall] lies in one UTC offset, so wall-clock arithmetic is exact.
            opens = anchor + (wall - anchor_wall)
            due = anchor + (due_wall - anchor_wall)
            grace_until = due + g_delta
        else:
            careful = _careful(wall, due_wall, tz, window, series.grace, nonexistent, ambiguous)
            if careful is None:
                continue  # a wall time that does not exist, and the policy is to skip it
            opens, due, grace_until = careful
        if until_utc is not None and opens.astimezone(UTC).replace(tzinfo=None) > until_utc:
            break
        happened += slots
        if wall < begin:
            continue
        if wall >= hard_end:
            break
        key = wall.hour * 60 + wall.minute
        local = day_text + (clocks.get(key) or _clock(clocks, key))
        out.append(
            _occurrence(prefix + local, local, step, worksheet, opens, due, grace_until, timing)
        )
        if len(out) * slots > MAX_OCCURRENCES:
            raise too_many(series)
        if slots > 1:
            allowed.append(slots if count is None else min(slots, count - happened + slots))
    return _finish(series, tz, out, allowed, begin_utc, end_utc)


_MIDNIGHT = dt.time()
_MIN = dt.datetime.min
#: One time of day of a shorthand: (time, due, end of grace) from midnight, and HH:MM.
_Slot = tuple[dt.timedelta, dt.timedelta, dt.timedelta, str]
#: A slot of one day with that day's texts: (time, due, end of grace, id, local start).
_Named = tuple[dt.timedelta, dt.timedelta, dt.timedelta, str, str]
#: The names of each day already expanded, per id prefix and table of times (see
#: ``_expand_days``): every assignment of a year crosses the same days, and one dictionary
#: lookup per day replaces a ``date().isoformat()`` per day and two concatenations per
#: occurrence (~0.1 µs of the ~1.2 µs an occurrence costs, measured 2026-12-04). Bounded: at
#: most 32 tables of 1,024 days; the texts are shared by the occurrences of every assignment.
_NAMES: dict[tuple[str, tuple[_Slot, ...]], dict[dt.datetime, tuple[_Named, ...]]] = {}


def _names_table(prefix: str, slots: tuple[_Slot, ...]) -> dict[dt.datetime, tuple[_Named, ...]]:
    """The remembered days of one id prefix and table of times (see ``_NAMES``)."""
    key = (prefix, slots)
    table = _NAMES.get(key)
    if table is None:
        if len(_NAMES) >= 32:
            _NAMES.clear()
        table = _NAMES[key] = {}
    return table


def _day_names(
    table: dict[dt.datetime, tuple[_Named, ...]],
    day: dt.datetime,
    prefix: str,
    slots: tuple[_Slot, ...],
) -> tuple[_Named, ...]:
    """Each slot of the local midnight ``day`` with its id and local start, remembered."""
    if len(table) >= 1024:
        table.clear()
    text = day.date().isoformat() + "T"
    named = table[day] = tuple(
        (offset, due, grace_end, prefix + text + clock, text + clock)
        for offset, due, grace_end, clock in slots
    )
    return named


def _constants(
    series: Series, tz: ZoneInfo
) -> tuple[bool, dt.timedelta | None, dt.timedelta, str, dt.datetime]:
    """Per-series values both loops keep in locals: (plain, window, grace, id prefix, anchor).

    ``plain`` is false when the window or grace has calendar months (those always take the
    careful path); ``window`` is None for the default window (until the next occurrence).
    Aware arithmetic from ``anchor`` (the start with the zone) is wall-clock arithmetic,
    exact inside one UTC offset.
    """
    window = series.window
    grace = series.grace
    plain = (window is None or window.months == 0) and grace.months == 0
    w_delta = dt.timedelta(days=window.days, seconds=window.seconds) if window is not None else None
    g_delta = dt.timedelta(days=grace.days, seconds=grace.seconds)
    prefix = f"{series.step or 'main'}/"
    return plain, w_delta, g_delta, prefix, series.compiled.start.replace(tzinfo=tz)


def _clock(clocks: dict[int, str], key: int) -> str:
    """The HH:MM text of ``key`` minutes after midnight, remembered in ``clocks``."""
    text = clocks[key] = f"{key // 60:02d}:{key % 60:02d}"
    return text


def _bounds(
    series: Series, begin: dt.datetime | None, end: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """(first wall time to list, wall time where expansion stops, end of the range asked for)."""
    comp = series.compiled
    stop = comp.end or _END
    if series.stop is not None and series.stop < stop:
        stop = series.stop
    if end is not None and end < stop and comp.count is None:
        stop = end  # with a count, occurrences before `end` still need every earlier one
    hard_end = end if end is not None else _END
    begin = begin or comp.start
    if series.not_before is not None and series.not_before > begin:
        begin = series.not_before
    return begin, stop, hard_end


def _careful(
    wall: dt.datetime,
    due_wall: dt.datetime,
    tz: ZoneInfo,
    window: Duration | None,
    grace: Duration,
    nonexistent: Nonexistent,
    ambiguous: Ambiguous,
) -> tuple[dt.datetime, dt.datetime, dt.datetime] | None:
    """(opens, due, grace_until) of one occurrence by the DST policies: the path near a UTC
    offset change, or with calendar months in the window or grace. ``due_wall`` (the end of
    the default window) is read only without a window. None: the wall time does not exist
    and the policy is to skip it."""
    opens = localize(wall, tz, nonexistent, ambiguous)
    if opens is None:
        return None
    if window is None:
        due = localize(due_wall, tz, "shift_forward", ambiguous) or opens
        if due.astimezone(UTC) < opens.astimezone(UTC):
            due = opens
    else:
        due = add(opens, window, tz, ambiguous)
    return opens, due, add(due, grace, tz, ambiguous)


def _expand_days(
    series: Series,
    tz: ZoneInfo,
    timeline: Timeline,
    begin: dt.datetime,
    stop: dt.datetime,
    count: int | None,
    begin_utc: dt.datetime | None,
    end_utc: dt.datetime | None,
    hard_end: dt.datetime,
) -> list[Occurrence]:
    """The hot loop for shorthands: dateutil steps over days, times of day are crossed here.

    A day is *plain* when it and its windows lie in one UTC offset, inside the range asked
    for, with no count to keep: then each of its occurrences costs three additions and one
    object. Other days (near a DST change, at the ends of the range, with a count) take the
    general path, one occurrence at a time (``_detailed_day``).
    """
    comp = series.compiled
    assert comp.days is not None
    limit = min(stop, hard_end)
    slots = comp.slots
    plain, w_delta, g_delta, prefix, anchor = _constants(series, tz)
    table, slot_key = _day_slots(comp.times, w_delta, g_delta)
    names_table = _names_table(prefix, slot_key)
    reach = slot_key[-1][2]  # the latest end of grace, from midnight
    last_time = table[-1][0]
    # Days from `last_full` on may have times at or after `limit`.
    last_full = limit - last_time if limit - _MIN > last_time else _MIN
    most = MAX_OCCURRENCES // slots  # len(out) * slots > MAX_OCCURRENCES
    counted = count is not None
    start = comp.start
    step = series.step
    worksheet = series.worksheet
    timing = series.timing
    out: list[Occurrence] = []
    allowed: list[int] = []
    happened = 0
    trouble = _MIN  # start of the next local interval near a change of UTC offset
    calm_until = _MIN  # days before this are plain as far as the zone goes (trouble - reach)
    plain_until = _MIN  # days in [begin, plain_until) are plain
    new = Occurrence.__new__  # object.__new__, as in _occurrence()
    set_fields = object.__setattr__
    append = out.append
    for day_offset in comp.day_offsets(limit):
        day = start + day_offset
        if day >= calm_until:
            trouble = timeline.next_trouble(day, day + reach) if plain else _MIN
            calm_until = trouble - reach if trouble - _MIN > reach else _MIN
            plain_until = _MIN if counted else min(calm_until, last_full)
        day_aware = anchor + day_offset
        named = names_table.get(day) or _day_names(names_table, day, prefix, slot_key)
        if begin <= day < plain_until:
            # A plain day, listed whole (the body of _occurrence() inlined: a call per
            # occurrence is ~0.1 µs of the ~1.2 µs each costs, measured 2026-12-04).
            for offset, due_offset, grace_offset, occurrence_id, local in named:
                occurrence = new(Occurrence)
                set_fields(
                    occurrence,
                    "__dict__",
                    {"id": occurrence_id, "step": step, "worksheet": worksheet,
                     "opens": day_aware + offset, "due": day_aware + due_offset,
                     "grace_until": day_aware + grace_offset, "timing": timing,
                     "local_start": local},
                )  # fmt: skip
                append(occurrence)
                if slots > 1:
                    allowed.append(slots)
        else:
            if day >= limit or (counted and happened >= count):  # type: ignore[operator]
                break
            fast = day + reach < trouble
            happened = _detailed_day(
                series, tz, table, named, day, day_aware, fast, (begin, limit), happened, out,
                allowed,
            )  # fmt: skip
        if len(out) > most:  # once a day: the inner loop stays lean
            raise too_many(series)
    return _finish(series, tz, out, allowed, begin_utc, end_utc)


def _day_slots(
    times: tuple[tuple[int, int], ...], w_delta: dt.timedelta | None, g_delta: dt.timedelta
) -> tuple[list[tuple[dt.timedelta, dt.timedelta]], tuple[_Slot, ...]]:
    """Per time of day: (time, end of its default window) for the general path, and
    (time, due, end of grace, clock text) from midnight: on a plain day the three instants
    are three additions to the day."""
    offsets = [dt.timedelta(hours=h, minutes=m) for h, m in times]
    table = []
    plain_slots = []
    for i, ((h, m), offset) in enumerate(zip(times, offsets, strict=True)):
        following = offsets[i + 1] if i + 1 < len(offsets) else _ONE_DAY
        due_offset = offset + w_delta if w_delta is not None else following
        table.append((offset, following))
        plain_slots.append((offset, due_offset, due_offset + g_delta, f"{h:02d}:{m:02d}"))
    return table, tuple(plain_slots)


def _detailed_day(
    series: Series,
    tz: ZoneInfo,
    table: list[tuple[dt.timedelta, dt.timedelta]],
    named: tuple[_Named, ...],
    day: dt.datetime,
    day_aware: dt.datetime,
    fast: bool,
    bounds: tuple[dt.datetime, dt.datetime],
    happened: int,
    out: list[Occurrence],
    allowed: list[int],
) -> int:
    """The occurrences of one day that is not plain, appended to ``out``: each checked
    against the range ``bounds`` and the count, and by the DST policies unless ``fast`` (the
    day lies in one UTC offset). Returns the occurrences that happened so far."""
    begin, limit = bounds
    comp = series.compiled
    count, slots, window = comp.count, comp.slots, series.window
    _, w_delta, g_delta, _, _ = _constants(series, tz)
    for (offset, following), (*_, occurrence_id, local) in zip(table, named, strict=True):
        wall = day + offset
        if wall >= limit or (count is not None and happened >= count):
            break
        if fast:
            opens = day_aware + offset
            due = opens + w_delta if w_delta is not None else day_aware + following
            grace_until = due + g_delta
        else:
            due_wall = day + following if window is None else day  # read without a window
            careful = _careful(
                wall, due_wall, tz, window, series.grace, series.nonexistent, series.ambiguous
            )
            if careful is None:
                continue  # a wall time that does not exist, and the policy is to skip it
            opens, due, grace_until = careful
        happened += slots
        if wall < begin:
            continue
        out.append(
            _occurrence(
                occurrence_id, local, series.step, series.worksheet, opens, due, grace_until,
                series.timing,
            )
        )  # fmt: skip
        if slots > 1:
            allowed.append(slots if count is None else min(slots, count - happened + slots))
    return happened


def too_many(series: Series) -> ScheduleError:
    """The error of a series that passed ``MAX_OCCURRENCES`` in the range asked for."""
    where = f"step '{series.step}'" if series.step else "the schedule"
    return ScheduleError(
        f"{where} makes more than {MAX_OCCURRENCES:,} occurrences in this range, the most one "
        "schedule may have: shorten it (for, count, until), or ask for a shorter range"
    )


class Tally:
    """Occurrences made so far for one assignment; raises once they pass
    ``MAX_TOTAL_OCCURRENCES`` (each series is checked after it is built, so at most one
    series' worth, 5,000, is built past the cap)."""

    __slots__ = ("made",)

    def __init__(self) -> None:
        self.made = 0

    def add(self, n: int) -> None:
        self.made += n
        if self.made > MAX_TOTAL_OCCURRENCES:
            raise ScheduleError(
                f"the assignment makes more than {MAX_TOTAL_OCCURRENCES:,} occurrences in all "
                "(counting every step of its pathway) in this range, the most one assignment "
                "may have: shorten the steps' schedules, use fewer steps, or ask for a "
                "shorter range"
            )


def _finish(
    series: Series,
    tz: ZoneInfo,
    found: list[Occurrence],
    allowed: list[int],
    begin_utc: dt.datetime | None,
    end_utc: dt.datetime | None,
) -> list[Occurrence]:
    """The rarer features, applied after the hot loop so that it stays lean."""
    if begin_utc is not None or end_utc is not None:
        keep = [
            (begin_utc is None or o.opens >= begin_utc) and (end_utc is None or o.opens < end_utc)
            for o in found
        ]
        if allowed:
            allowed = [n for n, k in zip(allowed, keep, strict=True) if k]
        found = [o for o, k in zip(found, keep, strict=True) if k]
    if allowed:
        found = [
            replace(o, id=f"{o.id}#{slot}")
            for o, n in zip(found, allowed, strict=True)
            for slot in range(1, n + 1)
        ]
    specs = series.reminders
    days = series.excused_days
    ids = series.excused_ids
    unlocked_at = series.unlocked_at
    if not (specs or days or ids or unlocked_at is not None):
        return found
    unlock_ts = unlocked_at.timestamp() if unlocked_at not in (None, NEVER) else None
    out = []
    for o in found:
        changes: dict[str, Any] = {}
        if specs:
            changes["reminders"] = _reminder_times(specs, o.opens, o.due, tz, series.ambiguous)
        day = dt.date.fromisoformat(str(o.local_start)[:10])
        if day in days:
            changes["excused"], changes["excused_reason"] = True, days[day]
        elif o.id in ids:
            changes["excused"], changes["excused_reason"] = True, ids[o.id]
        if unlocked_at is not None:
            changes["locked"] = unlock_ts is None or unlock_ts >= o.due.timestamp()
        out.append(replace(o, **changes) if changes else o)
    return out

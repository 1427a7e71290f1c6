"""An assignment's whole timeline: worksheet or pathway steps, changes, excused dates, unlocks."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .._dates import DateOutOfRange, check_date
from ..model.documents import Assignment, Pathway, Response, Step, Worksheet
from ..model.durations import Duration, parse_duration
from ..model.schedule import Schedule
from ._durations import add_calendar
from ._expand import NEVER, ReminderSpec, Series, Tally, expand
from ._occurrence import Occurrence
from ._rules import ScheduleError, UnboundedScheduleError, compile_schedule, grace_of, window_of
from ._zones import UTC, Timeline, get_zone, timeline_of

_ONCE = Schedule(repeat="once")


class PackLike(Protocol):
    """What scheduling needs from a loaded pack (``worksheetkit.load_pack``)."""

    def worksheet(self, ref: str) -> Worksheet: ...

    def pathway(self, ref: str) -> Pathway: ...


@dataclass(frozen=True)
class _StepPlan:
    step: str | None
    worksheet: str
    start: dt.datetime  # naive local wall time
    schedule: Schedule
    unlock_when: str | None
    index: int


def _ref_id(ref: str) -> str:
    return ref.split("@", 1)[0]


def _default_schedule(ref: str, pack: PackLike | None, what: str) -> Schedule:
    if pack is None:
        raise ScheduleError(
            f"{what} has no schedule of its own; pass the pack so the worksheet's "
            "default_schedule can be used"
        )
    try:
        worksheet = pack.worksheet(ref)
    except KeyError as exc:
        raise ScheduleError(f"worksheet '{ref}' is not in the pack") from exc
    return worksheet.default_schedule or _ONCE


def _negate(d: Duration) -> Duration:
    return Duration(-d.months, -d.days, -d.seconds)


def _shift(wall: dt.datetime, d: Duration) -> dt.datetime:
    return add_calendar(wall, d) + d.exact


def step_plans(assignment: Assignment, pack: PackLike | None) -> tuple[list[_StepPlan], set[str]]:
    """The steps to schedule and the ids of steps skipped by ``start_at_step``."""
    midnight = dt.datetime(assignment.start.year, assignment.start.month, assignment.start.day)
    if assignment.worksheet and assignment.pathway:
        raise ScheduleError("an assignment names a worksheet or a pathway, not both")
    if assignment.worksheet:
        schedule = assignment.schedule or _default_schedule(
            assignment.worksheet, pack, "the assignment"
        )
        return [_StepPlan(None, assignment.worksheet, midnight, schedule, None, 0)], set()
    if not assignment.pathway:
        raise ScheduleError("the assignment names neither a worksheet nor a pathway")
    if pack is None:
        raise ScheduleError("a pathway assignment needs the pack that holds the pathway")
    try:
        pathway = pack.pathway(assignment.pathway)
    except KeyError as exc:
        raise ScheduleError(f"pathway '{assignment.pathway}' is not in the pack") from exc
    steps: Sequence[Step] = pathway.steps
    first = 0
    if assignment.start_at_step is not None:
        ids = [s.id for s in steps]
        if assignment.start_at_step not in ids:
            raise ScheduleError(
                f"start_at_step: the pathway has no step '{assignment.start_at_step}'"
            )
        first = ids.index(assignment.start_at_step)
    skipped = {s.id for s in steps[:first]}
    # Enrolling at step N: step N starts on the assignment's start date, later steps keep their
    # distance from it.
    origin = _shift(midnight, _negate(parse_duration(steps[first].start)))
    plans = []
    for index, step in enumerate(steps[first:], start=first):
        begin = max(_shift(origin, parse_duration(step.start)), midnight)
        schedule = step.schedule or _default_schedule(step.worksheet, pack, f"step '{step.id}'")
        plans.append(_StepPlan(step.id, step.worksheet, begin, schedule, step.unlock_when, index))
    return plans, skipped


def _series_for(
    plan: _StepPlan,
    assignment: Assignment,
    excused_days: dict[dt.date, str | None],
    excused_ids: dict[str, str | None],
) -> list[Series]:
    changes = sorted(
        (c for c in assignment.changes if c.step is None or c.step == plan.step),
        key=lambda c: c.from_,
    )
    begin_day = plan.start.date()
    segments: list[tuple[dt.date, Schedule]] = [(begin_day, plan.schedule)]
    for change in changes:
        day = max(change.from_, begin_day)
        if day == segments[-1][0]:
            segments[-1] = (day, change.schedule)
        else:
            segments.append((day, change.schedule))
    out = []
    for i, (day, schedule) in enumerate(segments):
        stop = None
        if i + 1 < len(segments):
            nxt = segments[i + 1][0]
            stop = dt.datetime(nxt.year, nxt.month, nxt.day)
        out.append(
            Series(
                step=plan.step,
                worksheet=plan.worksheet,
                compiled=compile_schedule(schedule, day),
                window=window_of(schedule),
                grace=grace_of(schedule),
                timing=schedule.timing,
                nonexistent=schedule.nonexistent,
                ambiguous=schedule.ambiguous,
                reminders=tuple(ReminderSpec.from_model(r) for r in schedule.reminders),
                stop=stop,
                not_before=plan.start if i == 0 and plan.start.time() != dt.time() else None,
                excused_days=excused_days,
                excused_ids=excused_ids,
                index=plan.index,
            )
        )
    return out


def is_bounded(series: Series) -> bool:
    c = series.compiled
    return not (c.end is None and c.count is None and series.stop is None and c.until_utc is None)


def _aware(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


class _Unlocks:
    """When each step's ``unlock_when`` first became true, given the responses."""

    def __init__(
        self,
        assignment: Assignment,
        plans: list[_StepPlan],
        skipped: set[str],
        series: dict[str | None, list[Series]],
        responses: Iterable[Response],
        tz: Any,
        timeline: Timeline,
    ) -> None:
        self.plans = {p.step: p for p in plans}
        self.skipped = skipped
        self.series = series
        self.tz = tz
        self.timeline = timeline
        self.submitted: dict[str, list[float]] = {}
        by_worksheet: dict[str, list[str]] = {}
        for p in plans:
            if p.step is not None:
                by_worksheet.setdefault(_ref_id(p.worksheet), []).append(p.step)
        moments: set[float] = set()
        for r in responses:
            if r.submitted_at is None or (r.assignment not in (None, assignment.id)):
                continue
            step = r.step
            if step is None and r.occurrence and "/" in r.occurrence:
                head = r.occurrence.split("/", 1)[0]
                step = head if head in self.plans else None
            if step is None:
                candidates = by_worksheet.get(_ref_id(r.worksheet), [])
                step = candidates[0] if len(candidates) == 1 else None
            if step is None:
                continue
            ts = _aware(r.submitted_at, tz).timestamp()
            self.submitted.setdefault(step, []).append(ts)
            moments.add(ts)
        for times in self.submitted.values():
            times.sort()
        self.moments = sorted(moments)
        self.required: dict[str, float] = {}
        self.tally = Tally()  # occurrences expanded to count steps, all steps together
        self.unlocked: dict[str, dt.datetime | None] = {}
        self.visiting: set[str] = set()

    def unlocked_at(self, step: str) -> dt.datetime | None:
        if step in self.unlocked:
            return self.unlocked[step]
        plan = self.plans[step]
        if plan.unlock_when is None:
            self.unlocked[step] = None
            return None
        if step in self.visiting:  # a cycle (validation reports it): stays locked
            return NEVER
        self.visiting.add(step)
        try:
            result = self._first_true(plan.unlock_when)
        finally:
            self.visiting.discard(step)
        self.unlocked[step] = result
        return result

    def _required(self, step: str) -> float:
        if step not in self.required:
            all_series = self.series.get(step, [])
            if not all(is_bounded(s) for s in all_series[-1:]):
                return float("inf")
            unlocked = self.unlocked_at(step)
            n = 0
            for s in all_series:
                s.unlocked_at = unlocked
                found = expand(s, self.tz, self.timeline)
                self.tally.add(len(found))
                n += sum(1 for o in found if not o.excused and not o.locked)
            self.required[step] = n
        return self.required[step]

    def _first_true(self, source: str) -> dt.datetime | None:
        from ..expressions import evaluate, parse

        expr = parse(source)

        def done_by(moment: float) -> Any:
            def completed(step: str) -> bool:
                if step in self.skipped:
                    return True
                if step not in self.plans:
                    return False
                count = bisect.bisect_right(self.submitted.get(step, []), moment)
                return count > 0 and count >= self._required(step)

            return completed

        if evaluate(expr, {}, completed=done_by(float("-inf"))) is True:
            return None
        for moment in self.moments:
            if evaluate(expr, {}, completed=done_by(moment)) is True:
                return dt.datetime.fromtimestamp(moment, UTC)
        return NEVER


def _bounds(
    value: dt.date | dt.datetime | None, tz: Any, *, is_end: bool
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(naive local wall bound, UTC instant bound) of a range end given as a date or instant."""
    if value is None:
        return None, None
    try:
        check_date(value, "the range's end" if is_end else "the range's start")
    except DateOutOfRange as exc:
        raise ScheduleError(exc.message.rstrip(".")) from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("pass a date, or a datetime with a time zone (an instant)")
        local = value.astimezone(tz).replace(tzinfo=None)
        margin = dt.timedelta(days=1)
        return (local + margin if is_end else local - margin), value.astimezone(UTC)
    day = dt.datetime(value.year, value.month, value.day)
    return (day + dt.timedelta(days=1) if is_end else day), None


def build(
    assignment: Assignment,
    pack: PackLike | None,
    responses: Iterable[Response] | None,
) -> tuple[Any, Timeline, list[Series]]:
    try:
        tz = get_zone(assignment.timezone)
    except ValueError as exc:
        raise ScheduleError(str(exc)) from exc
    dates = [(assignment.start, "the assignment's start date")]
    dates += [(c.from_, "a change's 'from'") for c in assignment.changes]
    dates += [(e.date, "an excused date") for e in assignment.excused]
    for value, what in dates:
        try:
            check_date(value, what)
        except DateOutOfRange as exc:
            raise ScheduleError(exc.message.rstrip(".")) from None
    timeline = timeline_of(tz)
    plans, skipped = step_plans(assignment, pack)
    excused_days = {e.date: e.reason for e in assignment.excused if e.occurrence is None}
    excused_ids = {e.occurrence: e.reason for e in assignment.excused if e.occurrence is not None}
    by_step = {p.step: _series_for(p, assignment, excused_days, excused_ids) for p in plans}
    if any(p.unlock_when for p in plans):
        unlocks = _Unlocks(assignment, plans, skipped, by_step, responses or (), tz, timeline)
        for p in plans:
            if p.step is not None and p.unlock_when:
                at = unlocks.unlocked_at(p.step)
                for s in by_step[p.step]:
                    s.unlocked_at = at
    return tz, timeline, [s for p in plans for s in by_step[p.step]]


def occurrences(
    assignment: Assignment,
    start: dt.date | dt.datetime | None = None,
    end: dt.date | dt.datetime | None = None,
    *,
    pack: PackLike | None = None,
    responses: Iterable[Response] | None = None,
) -> list[Occurrence]:
    """Every occurrence of ``assignment`` whose scheduled local date is in [start, end].

    Dates are local calendar dates, both ends included. Aware datetimes are instants: the
    occurrences opening in [start, end). ``start`` defaults to the assignment's start; ``end``
    to the end of the schedule (a ``ScheduleError`` when the schedule never ends). ``pack``
    supplies the pathway and the worksheets' default schedules; ``responses`` decide pathway
    unlocks. The result is sorted by opening instant, then step order, then id.
    """
    tz, timeline, all_series = build(assignment, pack, responses)
    begin_wall, begin_utc = _bounds(start, tz, is_end=False)
    end_wall, end_utc = _bounds(end, tz, is_end=True)
    if end is None and not all(is_bounded(s) for s in all_series):
        raise UnboundedScheduleError("the schedule has no end (no for, count or until): pass end=")
    out: list[Occurrence] = []
    tally = Tally()
    for s in all_series:
        out.extend(expand(s, tz, timeline, begin_wall, end_wall, begin_utc, end_utc))
        tally.add(len(out) - tally.made)
    if len(all_series) > 1:
        index = {s.step: s.index for s in all_series}
        out.sort(key=lambda o: (o.opens.timestamp(), index.get(o.step, 0), o.id))
    return out

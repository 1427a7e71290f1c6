"""Static problems of schedules and assignments, as Problem values the validator places."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .._dates import MAX_DATE, MIN_DATE, date_problem
from ..codes import Code
from ..errors import Problem, Severity
from ..model.documents import Assignment
from ..model.durations import Duration, parse_duration
from ..model.schedule import Schedule
from ._rules import (
    MAX_OCCURRENCES,
    MAX_TOTAL_OCCURRENCES,
    ScheduleError,
    _parse_until,
    _raw_groups,
    clock_times,
    compile_schedule,
)

SCHEDULE_PROBLEM = Code.WK219
INVALID_DURATION = Code.WK218
UNKNOWN_TIME_ZONE = Code.WK221
LOW_CONFIDENCE = Code.WK501
PLAN_INCOMPLETE = Code.WK502
WORKSHEET_OR_PATHWAY = Code.WK503

#: Every code this package produces, with its title (from the catalogue, worksheetkit.codes).
_OWN = (INVALID_DURATION, SCHEDULE_PROBLEM, UNKNOWN_TIME_ZONE, LOW_CONFIDENCE, PLAN_INCOMPLETE,
        WORKSHEET_OR_PATHWAY)  # fmt: skip
CODES: dict[str, str] = {c: c.info.title for c in _OWN}

SubPath = tuple[str | int, ...]


def _schedule_problem(code: str, message: str, hint: str | None, path: SubPath) -> Problem:
    return Problem(code, message, "error", hint, path)


def _assignment_problem(
    code: str, severity: Severity, message: str, hint: str | None, path: SubPath
) -> Problem:
    return Problem(code, message, severity, hint, path)


_DATE_HINT = f"Use a real date from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()} (YYYY-MM-DD)."

_REFERENCE_START = dt.date(2026, 1, 5)  # a Monday; static checks need some start


def _min_gap_seconds(schedule: Schedule) -> float | None:
    """The shortest distance between two consecutive occurrences, on a plain (UTC) clock."""
    if schedule.repeat == "once" and schedule.rrule is None:
        return None
    if schedule.repeat == "monthly" and schedule.rrule is None:
        return 28 * 86400 * schedule.every
    try:
        compiled = compile_schedule(
            schedule.model_copy(update={"count": None, "for_": None, "until": None}),
            _REFERENCE_START,
        )
    except (ScheduleError, ValueError):
        return None
    previous: dt.datetime | None = None
    best: float | None = None
    for i, wall in enumerate(compiled.walls()):
        if i > 400 or wall.year > 2040:
            break
        if previous is not None:
            gap = (wall - previous).total_seconds()
            best = gap if best is None else min(best, gap)
        previous = wall
    return best


#: Days looked at when counting a shorthand schedule's occurrences (an `until` far away).
_MAX_COUNTED_DAYS = 40_000


def occurrence_count(
    schedule: Schedule, start: dt.date = _REFERENCE_START, limit: int = MAX_OCCURRENCES
) -> int | None:
    """How many occurrences ``schedule`` makes from ``start``; None when it has no end (or
    cannot be compiled). Shorthands are counted by days × times of day (times that a DST gap
    skips are counted too); other rules are expanded, stopping at ``limit + 1``."""
    try:
        comp = compile_schedule(schedule, start)
    except (ScheduleError, ValueError):
        return None
    if comp.end is None and comp.until_utc is None:
        return None if comp.count is None else comp.count
    per_wall = comp.slots
    total = 0
    if comp.days is not None and comp.until_utc is None:
        assert comp.end is not None
        per_day = len(comp.times) * per_wall
        # The days straight from the shorthand's day rule, not ``Compiled.day_offsets``: its
        # cache (for expanding many assignments) first lists three years of days, 1,098
        # steps for a `for: P7D` schedule, 2.5 ms of `worksheetkit validate ONE.yaml`; a
        # schedule's count is worked out once per distinct schedule (2026-12-05).
        for i, day in enumerate(comp.days.rule(comp.start)):
            if day >= comp.end or i >= _MAX_COUNTED_DAYS:
                break
            total += per_day
    else:
        end = comp.end or (comp.until_utc + dt.timedelta(days=1) if comp.until_utc else None)
        for wall in comp.walls():
            if end is not None and wall >= end:
                break
            total += per_wall
            if total > limit:
                # Stopped early: estimate the rest from the pace so far (the message says
                # "about"), rather than expanding millions of times.
                span = (wall - comp.start).total_seconds()
                if end is not None and span > 0:
                    total = max(total, round(total * (end - comp.start).total_seconds() / span))
                break
    return total if comp.count is None else min(total, comp.count * per_wall)


def _too_many(schedule: Schedule) -> Problem | None:
    n = occurrence_count(schedule)
    if n is None or n <= MAX_OCCURRENCES:
        return None
    end = next(
        (k for k, v in (("for", schedule.for_), ("count", schedule.count), ("until", schedule.until))
         if v is not None),
        "rrule" if schedule.rrule is not None else "at",
    )  # fmt: skip
    about = "" if schedule.rrule is None or schedule.count is not None else "about "
    return _schedule_problem(
        SCHEDULE_PROBLEM,
        f"This schedule makes {about}{n:,} occurrences; one schedule may make at most "
        f"{MAX_OCCURRENCES:,}.",
        "Shorten it (for, count or until), repeat less often, or give fewer times in 'at'.",
        (end,),
    )


def check_pathway_total(schedules: Sequence[Schedule]) -> Problem | None:
    """WK219 when the steps' schedules (in step order) make more than
    ``MAX_TOTAL_OCCURRENCES`` together, the most one assignment may make. Steps without an
    end are not counted (they are cut at a horizon when scored)."""
    total = 0
    for schedule in schedules:
        n = occurrence_count(schedule)
        total += n or 0
    if total <= MAX_TOTAL_OCCURRENCES:
        return None
    return _schedule_problem(
        SCHEDULE_PROBLEM,
        f"The steps of this pathway make {total:,} occurrences together; one assignment may "
        f"make at most {MAX_TOTAL_OCCURRENCES:,} across all its steps.",
        "Shorten the steps' schedules (for, count or until), repeat less often, or split the "
        "pathway into two.",
        (),
    )


def _words(seconds: float) -> str:
    if seconds % 86400 == 0:
        days = int(seconds // 86400)
        return f"{days} day{'s' if days != 1 else ''}"
    hours = seconds / 3600
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def _duration_problems(schedule: Schedule, out: list[Problem]) -> dict[str, Duration]:
    """``for``, ``window`` and ``grace`` read as durations (the usable ones, by key)."""
    durations: dict[str, Duration] = {}
    for key, value in (
        ("for", schedule.for_),
        ("window", schedule.window),
        ("grace", schedule.grace),
    ):
        if value is None:
            continue
        try:
            durations[key] = parse_duration(value)
        except ValueError as exc:
            out.append(
                _schedule_problem(
                    INVALID_DURATION,
                    f"'{key}: {value}' is not a usable duration: {exc}.",
                    "Write an ISO 8601 duration such as PT30M, PT4H, P7D or P3W.",
                    (key,),
                )
            )
            continue
        if key in ("for", "window") and durations[key].is_zero:
            out.append(
                _schedule_problem(
                    INVALID_DURATION,
                    f"'{key}: {value}' is zero, so nothing can happen.",
                    "Give a positive duration such as PT2H or P7D.",
                    (key,),
                )
            )
    return durations


def _reminder_problems(schedule: Schedule, out: list[Problem]) -> None:
    for i, reminder in enumerate(schedule.reminders):
        given = [k for k in ("at", "before_due", "after_open") if getattr(reminder, k) is not None]
        if len(given) != 1:
            out.append(
                _schedule_problem(
                    SCHEDULE_PROBLEM,
                    "A reminder needs exactly one of 'at', 'before_due' and 'after_open'"
                    + (f", not {' and '.join(given)}." if given else "."),
                    "Write e.g. {at: open} or {before_due: PT30M}.",
                    ("reminders", i),
                )
            )
        for key in ("before_due", "after_open"):
            value = getattr(reminder, key)
            if value is not None:
                try:
                    parse_duration(value)
                except ValueError as exc:
                    out.append(
                        _schedule_problem(
                            INVALID_DURATION,
                            f"'{key}: {value}' is not usable: {exc}.",
                            "Write an ISO 8601 duration such as PT30M.",
                            ("reminders", i, key),
                        )
                    )


def _shape_problems(schedule: Schedule, out: list[Problem]) -> list[str]:
    """How the schedule's keys fit together; returns the keys that say where it ends."""
    repeat = schedule.repeat
    if repeat is not None and schedule.rrule is not None:
        out.append(
            _schedule_problem(
                SCHEDULE_PROBLEM,
                f"Both 'repeat: {repeat}' and 'rrule' are given.",
                "Keep one: a shorthand (repeat) or an RFC 5545 rule (rrule).",
                ("rrule",),
            )
        )
    ends = [
        k
        for k, v in (("for", schedule.for_), ("count", schedule.count), ("until", schedule.until))
        if v is not None
    ]
    if len(ends) > 1:
        out.append(
            _schedule_problem(
                SCHEDULE_PROBLEM,
                f"The schedule's end is given twice ({' and '.join(ends)}).",
                "Keep one of for, count and until.",
                (ends[1],),
            )
        )
    if repeat == "once":
        extra = [
            k
            for k, v in (
                ("every", schedule.every != 1),
                ("on", schedule.on),
                ("for", schedule.for_),
                ("count", schedule.count),
                ("until", schedule.until),
                ("times_per_week", schedule.times_per_week),
            )
            if v
        ]
        for key in extra:
            out.append(
                _schedule_problem(
                    SCHEDULE_PROBLEM,
                    f"'{key}' has no meaning with 'repeat: once'.",
                    "Remove it, or choose repeat: daily, weekly or monthly.",
                    (key,),
                )
            )
    if schedule.on and repeat in ("daily", "monthly"):
        out.append(
            _schedule_problem(
                SCHEDULE_PROBLEM,
                f"'on' (days of the week) does not fit 'repeat: {repeat}'.",
                "Use repeat: weekly with on: [mon, thu], or remove 'on'.",
                ("on",),
            )
        )
    if schedule.on and schedule.rrule is not None:
        out.append(
            _schedule_problem(
                SCHEDULE_PROBLEM,
                "'on' cannot be combined with an rrule.",
                "Put the days in the rule: BYDAY=MO,TH.",
                ("on",),
            )
        )
    if schedule.on is not None and len(set(schedule.on)) != len(schedule.on):
        out.append(
            _schedule_problem(
                SCHEDULE_PROBLEM, "A day is listed twice in 'on'.", "List each day once.", ("on",)
            )
        )
    if schedule.times_per_week is not None:
        if schedule.on:
            out.append(
                _schedule_problem(
                    SCHEDULE_PROBLEM,
                    "'times_per_week' is a flexible target; it cannot be "
                    "combined with fixed days in 'on'.",
                    "Keep times_per_week (any days) or on (fixed days).",
                    ("times_per_week",),
                )
            )
        if repeat in ("daily", "monthly") or schedule.rrule is not None:
            out.append(
                _schedule_problem(
                    SCHEDULE_PROBLEM,
                    "'times_per_week' needs a weekly schedule.",
                    "Write repeat: weekly, or leave repeat out.",
                    ("times_per_week",),
                )
            )
        if len(clock_times(schedule)) > 1:
            out.append(
                _schedule_problem(
                    SCHEDULE_PROBLEM,
                    "'times_per_week' takes at most one time in 'at' (when the week opens).",
                    "Give one time, or none.",
                    ("at",),
                )
            )
    if isinstance(schedule.at, list) and len(set(schedule.at)) != len(schedule.at):
        out.append(
            _schedule_problem(
                SCHEDULE_PROBLEM,
                "A time is listed twice in 'at'.",
                "List each time once.",
                ("at",),
            )
        )
    if repeat is None and schedule.rrule is None and schedule.times_per_week is None:
        out.append(
            _schedule_problem(
                SCHEDULE_PROBLEM,
                "The schedule says neither 'repeat' nor 'rrule'.",
                "Add repeat: once, daily, weekly or monthly.",
                (),
            )
        )
    return ends


def _rrule_problems(schedule: Schedule, ends: list[str], out: list[Problem]) -> bool:
    """The rrule's own problems; False when it cannot be used at all."""
    assert schedule.rrule is not None
    try:
        times = tuple(clock_times(schedule))
        _groups, raw_count, raw_until = _raw_groups(schedule.rrule, times, schedule.at is not None)
        if raw_until is not None:
            _parse_until(raw_until)  # a date Python can hold, inside the accepted range
        if (raw_count is not None or raw_until is not None) and ends:
            out.append(
                _schedule_problem(
                    SCHEDULE_PROBLEM,
                    f"The rrule has its own COUNT or UNTIL and the schedule also says {ends[0]}.",
                    "Say the end once.",
                    ("rrule",),
                )
            )
    except (ScheduleError, ValueError) as exc:
        out.append(
            _schedule_problem(
                SCHEDULE_PROBLEM,
                f"The rrule '{schedule.rrule}' cannot be used: {exc}.",
                "Write an RFC 5545 rule such as FREQ=WEEKLY;BYDAY=MO,TH.",
                ("rrule",),
            )
        )
        return False
    return True


def check_schedule(schedule: Schedule) -> list[Problem]:
    """Every static problem of one schedule, each with its path inside the schedule."""
    out: list[Problem] = []
    out_of_range = date_problem(schedule.until, "'until'")
    if out_of_range is not None:  # nothing else can be computed from such a date
        return [_schedule_problem(SCHEDULE_PROBLEM, out_of_range, _DATE_HINT, ("until",))]

    durations = _duration_problems(schedule, out)
    _reminder_problems(schedule, out)
    ends = _shape_problems(schedule, out)
    if schedule.rrule is not None and not _rrule_problems(schedule, ends, out):
        return out
    if not any(p.code in (SCHEDULE_PROBLEM, INVALID_DURATION) for p in out):
        too_many = _too_many(schedule)
        if too_many is not None:
            out.append(too_many)
    if "window" in durations and not any(p.code == SCHEDULE_PROBLEM for p in out):
        window = durations["window"]
        gap = _min_gap_seconds(schedule)
        if gap is not None and window.approx_seconds() > gap:
            out.append(
                _schedule_problem(
                    SCHEDULE_PROBLEM,
                    f"The window ({schedule.window}) is longer than the time between two "
                    f"occurrences ({_words(gap)}), so occurrences would overlap.",
                    "Shorten the window, or space the occurrences further apart.",
                    ("window",),
                )
            )
    return out


def check_assignment(assignment: Assignment) -> list[Problem]:
    """Problems of an assignment beyond its schedules (which ``check_schedule`` covers)."""
    out: list[Problem] = []
    dates: list[tuple[dt.date, str, SubPath]] = [(assignment.start, "The start date", ("start",))]
    dates += [(c.from_, "'from'", ("changes", i, "from")) for i, c in enumerate(assignment.changes)]
    dates += [
        (e.date, "The date", ("excused", i, "date")) for i, e in enumerate(assignment.excused)
    ]
    for value, what, subpath in dates:
        problem = date_problem(value, what)
        if problem is not None:
            out.append(_assignment_problem(SCHEDULE_PROBLEM, "error", problem, _DATE_HINT, subpath))
    if bool(assignment.worksheet) == bool(assignment.pathway):
        both = bool(assignment.worksheet)
        out.append(
            _assignment_problem(
                WORKSHEET_OR_PATHWAY,
                "error",
                "The assignment names both a worksheet and a pathway."
                if both
                else "The assignment names neither a worksheet nor a pathway.",
                "Give exactly one: worksheet: <id@version> or pathway: <id@version>.",
                ("pathway",) if both else (),
            )
        )
    from ._zones import get_zone  # here: a worksheet's default_schedule needs no zone

    try:
        get_zone(assignment.timezone)
    except ValueError:
        out.append(
            _assignment_problem(
                UNKNOWN_TIME_ZONE,
                "error",
                f"'{assignment.timezone}' is not an IANA time zone.",
                "Use a name such as Europe/London, America/New_York or Asia/Kolkata.",
                ("timezone",),
            )
        )
    if assignment.worksheet and assignment.start_at_step is not None:
        out.append(
            _assignment_problem(
                SCHEDULE_PROBLEM,
                "error",
                "'start_at_step' needs a pathway assignment.",
                "Remove start_at_step, or assign a pathway.",
                ("start_at_step",),
            )
        )
    for i, change in enumerate(assignment.changes):
        if assignment.worksheet and change.step is not None:
            out.append(
                _assignment_problem(
                    SCHEDULE_PROBLEM,
                    "error",
                    f"This change names step '{change.step}', but the assignment is a single "
                    "worksheet.",
                    "Remove 'step'.",
                    ("changes", i, "step"),
                )
            )
        if assignment.pathway and change.step is None:
            out.append(
                _assignment_problem(
                    SCHEDULE_PROBLEM,
                    "warning",
                    "This change names no step, so it replaces the schedule of every step "
                    "of the pathway.",
                    "Add step: <step id> to change one step.",
                    ("changes", i),
                )
            )
        if change.from_ < assignment.start:
            out.append(
                _assignment_problem(
                    SCHEDULE_PROBLEM,
                    "warning",
                    f"This change starts on {change.from_}, before the assignment starts "
                    f"({assignment.start}); it takes effect from the start.",
                    "Use a date on or after the start.",
                    ("changes", i, "from"),
                )
            )
    seen: set[tuple[dt.date, str | None]] = set()
    for i, change in enumerate(assignment.changes):
        key = (change.from_, change.step)
        if key in seen:
            out.append(
                _assignment_problem(
                    SCHEDULE_PROBLEM,
                    "error",
                    f"Two changes start on {change.from_} for the same step.",
                    "Keep one change per date and step.",
                    ("changes", i, "from"),
                )
            )
        seen.add(key)
    if assignment.pathway and assignment.schedule is not None:
        out.append(
            _assignment_problem(
                SCHEDULE_PROBLEM,
                "error",
                "A pathway assignment cannot have one 'schedule': each step has its own.",
                "Change a step's schedule with changes: [{from: …, step: …, schedule: …}].",
                ("schedule",),
            )
        )
    plan = assignment.plan
    if plan is None:
        out.append(
            _assignment_problem(
                PLAN_INCOMPLETE,
                "warning",
                "The assignment has no homework plan (when and where it will be done).",
                "Agree a concrete plan with the client: plan: {when: After dinner, where: "
                "Kitchen table}.",
                (),
            )
        )
    else:
        missing = [k for k in ("when", "where") if not (getattr(plan, k) or "").strip()]
        if missing:
            out.append(
                _assignment_problem(
                    PLAN_INCOMPLETE,
                    "warning",
                    f"The homework plan does not say {' or '.join(missing)} it will be done.",
                    "Homework with a concrete time and place gets done more often: agree "
                    f"the {' and '.join(missing)} with the client.",
                    ("plan",),
                )
            )
        if plan.confidence is not None and plan.confidence < 7:
            out.append(
                _assignment_problem(
                    LOW_CONFIDENCE,
                    "warning",
                    f"The client's confidence is {plan.confidence:g} out of 10 (below 7).",
                    "Make the task smaller or easier until the client rates it 7 or more.",
                    ("plan", "confidence"),
                )
            )
    return out

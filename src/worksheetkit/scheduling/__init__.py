"""Scheduling: occurrences of an assignment in its client's time zone, RRULEs and ICS export.

Importing this package imports python-dateutil and zoneinfo; ``import worksheetkit`` does not.
See ``docs/scheduling.md`` for the schedule keys, the defaults and the DST policies.

Exception hierarchy::

    ValueError
     └── ScheduleError   an assignment or schedule that cannot be expanded (no schedule, no
                         end, unknown time zone, pathway not in the pack…); the validator
                         reports the same problems as diagnostics first.
         └── UnboundedScheduleError   the schedule has no end and no ``end`` was given
                                      (catch it to pick a horizon; never match the message).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .._lazy import lazy_names
from ..model.schedule import Schedule
from ._checks import CODES, check_assignment, check_pathway_total, check_schedule
from ._rules import MAX_TOTAL_OCCURRENCES, ScheduleError, UnboundedScheduleError, compile_schedule

if TYPE_CHECKING:
    from ._expand import expand
    from ._ics import to_ics
    from ._occurrence import Occurrence, local_start_of
    from ._plan import Plan, PlanStep, PlanTask, PlanWeek, plan
    from ._timeline import PackLike, build, is_bounded, occurrences, step_plans
    from ._zones import get_zone

# The calendar export, plans and pathway timelines are imported on first use (PEP 562):
# `worksheetkit validate` checks a worksheet's default_schedule with ``check_schedule`` alone,
# and these three modules were 0.03–0.05 s of CPU at its start-up (2026-12-04). So are the
# expansion, the occurrences and the time zones, which ``check_schedule`` does not use:
# importing this package took 9.6 ms, now 6.1 ms (2026-12-05).
_LAZY = {
    "expand": "_expand",
    "Occurrence": "_occurrence",
    "local_start_of": "_occurrence",
    "get_zone": "_zones",
    "to_ics": "_ics",
    "Plan": "_plan",
    "PlanStep": "_plan",
    "PlanTask": "_plan",
    "PlanWeek": "_plan",
    "plan": "_plan",
    "PackLike": "_timeline",
    "build": "_timeline",
    "is_bounded": "_timeline",
    "occurrences": "_timeline",
    "step_plans": "_timeline",
}


# Besides the public API, the names other worksheetkit packages use (validation: the pathway
# total; progress: expanding steps one at a time to count pathway unlocks; the CLI: step plans).
__all__ = [
    "CODES",
    "MAX_TOTAL_OCCURRENCES",
    "Occurrence",
    "PackLike",
    "Plan",
    "PlanStep",
    "PlanTask",
    "PlanWeek",
    "ScheduleError",
    "UnboundedScheduleError",
    "build",
    "check_assignment",
    "check_pathway_total",
    "check_schedule",
    "expand",
    "get_zone",
    "is_bounded",
    "local_start_of",  # intake: the day an occurrence id sent by a client names
    "occurrences",
    "plan",
    "step_plans",
    "to_ics",
    "to_rrule",
]


def to_rrule(schedule: Schedule, start: dt.date, tz: str | None = None) -> str:
    """The schedule as RFC 5545 text: a DTSTART line and one RRULE line per rule.

    ``start`` is the local start date. With ``tz`` (an IANA name) DTSTART carries a TZID and an
    end is written as ``UNTIL=…Z`` in UTC, as RFC 5545 asks; without it times are floating.
    ``count`` is written as COUNT, which RFC 5545 counts before dropping times that do not exist;
    worksheetkit counts only occurrences that happen (``docs/scheduling.md``).
    """
    if isinstance(start, dt.datetime):
        start = start.date()
    from ._zones import get_zone, localize

    compiled = compile_schedule(schedule, start)
    zone = get_zone(tz) if tz is not None else None
    h, m = compiled.groups[0].times[0] if compiled.groups[0].raw is None else (0, 0)
    first = compiled.start.replace(hour=h, minute=m)
    stamp = first.strftime("%Y%m%dT%H%M%S")
    lines = [f"DTSTART;TZID={zone.key}:{stamp}" if zone is not None else f"DTSTART:{stamp}"]
    end = ""
    if compiled.once and compiled.count is None:
        end = (
            f";COUNT={sum(len(g.times) for g in compiled.groups)}"
            if len(compiled.groups) == 1
            else ""
        )
    if compiled.count is not None:
        end = f";COUNT={compiled.count}"
    elif compiled.end is not None and not compiled.once:
        last = compiled.end - dt.timedelta(seconds=1)
        if zone is not None:
            moment = localize(last, zone, "shift_forward", "later")
            assert moment is not None
            end = ";UNTIL=" + moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        else:
            end = ";UNTIL=" + last.strftime("%Y%m%dT%H%M%S")
    elif compiled.until_utc is not None:
        end = ";UNTIL=" + compiled.until_utc.strftime("%Y%m%dT%H%M%SZ")
    rules: list[str] = []
    for group in compiled.groups:
        text = group.text()
        if compiled.once and len(compiled.groups) > 1:
            text += f";COUNT={len(group.times)}"
        rules.append(f"{text}{end}")
    # RFC 5545 counts DTSTART as the first occurrence, so it must be one: a weekly rule on
    # Mon/Wed/Fri starting on a Tuesday begins on the Wednesday.
    firsts = [_first_match(rule, first) for rule in rules]
    actual = min((f for f in firsts if f is not None), default=first)
    if actual != first:
        stamp = actual.strftime("%Y%m%dT%H%M%S")
        lines = [f"DTSTART;TZID={zone.key}:{stamp}" if zone is not None else f"DTSTART:{stamp}"]
    lines.extend(f"RRULE:{rule}" for rule in rules)
    return "\n".join(lines)


def _first_match(rule: str, start: dt.datetime) -> dt.datetime | None:
    from dateutil.rrule import rrulestr

    # UNTIL in UTC needs an aware start; only the first date matters here, so compare naively.
    naive_rule = ";".join(p for p in rule.split(";") if not p.startswith("UNTIL="))
    try:
        found = rrulestr(naive_rule, dtstart=start).after(start, inc=True)
    except (ValueError, TypeError):
        return None
    return found if isinstance(found, dt.datetime) else None


__getattr__, __dir__ = lazy_names(__name__, globals(), _LAZY)

"""RFC 5545 export: one VEVENT (or VTODO) series per step, with VALARM reminders.

Each series carries an RRULE whose expansion (by any RFC 5545 reader) gives exactly the
occurrences ``occurrences()`` computes: the end is an UNTIL at the last occurrence, wall times
that the DST policy skips become EXDATEs, and a fall-back time read as the *later* instant
becomes an EXDATE plus an RDATE in UTC. Nothing comes from the clock, so the bytes are
reproducible (DTSTAMP is the assignment's start).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from ..model.documents import Assignment, Response
from ._durations import Duration
from ._expand import ReminderSpec, Series, expand
from ._occurrence import Occurrence
from ._rules import Group
from ._timeline import PackLike, _bounded, _bounds, build
from ._zones import UTC, localize

Component = Literal["VEVENT", "VTODO"]


def _wall(occurrence: Occurrence) -> dt.datetime:
    """The scheduled wall time written in the id (before any DST shift)."""
    stamp = occurrence.id.split("/", 1)[1].split("#", 1)[0]
    return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M")


def _slot(occurrence: Occurrence) -> int:
    _, _, slot = occurrence.id.partition("#")
    return int(slot) if slot else 0


def _rule_text(group: Group, hours: tuple[int, ...], minutes: tuple[int, ...]) -> str:
    """The group's RRULE body limited to the given times of day."""
    parts = [p.split("=", 1) for p in group.text().split(";")]
    n = len(hours) * len(minutes)
    out = []
    for name, value in parts:
        if name == "BYHOUR":
            value = ",".join(map(str, hours))
        elif name == "BYMINUTE":
            value = ",".join(map(str, minutes))
        elif name == "BYSETPOS" and group.raw is None:  # our month-end clamp: last n instants
            value = ",".join(str(p) for p in range(-n, 0))
        out.append(f"{name}={value}")
    return ";".join(out)


def _trigger(spec: ReminderSpec) -> tuple[dt.timedelta, str]:
    d = spec.offset
    delta = dt.timedelta(days=d.days + 30 * d.months, seconds=d.seconds) * spec.sign
    return delta, ("END" if spec.anchor == "due" else "START")


def _buckets(
    series: Series, occurrences: list[Occurrence]
) -> list[tuple[Group, tuple[int, ...], tuple[int, ...], int, list[Occurrence]]]:
    """Split one series' occurrences into groups that one RRULE (and one DURATION) can carry."""
    out = []
    for group in series.compiled.groups:
        times = group.times
        mine = [o for o in occurrences if not times or (_wall(o).hour, _wall(o).minute) in times]
        # With the default window each time of day has its own length: one series per time.
        split = series.window is None and len(times) > 1
        subsets = [[t] for t in times] if split and group.raw is None else [times]
        for subset in subsets:
            hours = tuple(sorted({h for h, _ in subset}))
            minutes = tuple(sorted({m for _, m in subset}))
            chosen = [o for o in mine if not subset or (_wall(o).hour, _wall(o).minute) in subset]
            for slot in sorted({_slot(o) for o in chosen}):
                picked = [o for o in chosen if _slot(o) == slot]
                if picked:
                    out.append((group, hours, minutes, slot, picked))
    return out


def _default_duration(wall: dt.datetime, following: list[dt.datetime]) -> Duration:
    later = [f for f in following if f.date() == wall.date() and f > wall]
    end = (
        min(later) if later else dt.datetime.combine(wall.date() + dt.timedelta(days=1), dt.time())
    )
    if end - wall == dt.timedelta(days=1):
        return Duration(days=1)
    return Duration(seconds=int((end - wall).total_seconds()))


def to_ics(
    assignment: Assignment,
    start: dt.date | dt.datetime | None = None,
    end: dt.date | dt.datetime | None = None,
    *,
    pack: PackLike | None = None,
    responses: Iterable[Response] | None = None,
    component: Component = "VEVENT",
    titles: dict[str, str] | None = None,
) -> bytes:
    """The occurrences of ``assignment`` in [start, end] as an iCalendar file (bytes).

    ``component`` chooses calendar events (VEVENT) or to-dos (VTODO). ``titles`` maps worksheet
    references to the summary shown in the calendar (default: the worksheet's title from the
    pack, else its reference).
    """
    import icalendar

    tz, timeline, all_series = build(assignment, pack, responses)
    begin_wall, begin_utc = _bounds(start, tz, is_end=False)
    end_wall, end_utc = _bounds(end, tz, is_end=True)
    if end is None and not all(_bounded(s) for s in all_series):
        from ._rules import ScheduleError

        raise ScheduleError("the schedule has no end (no for, count or until): pass end=")
    stamp = dt.datetime(
        assignment.start.year, assignment.start.month, assignment.start.day, tzinfo=UTC
    )
    cal = icalendar.Calendar()
    cal.add("prodid", "-//worksheetkit//schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-timezone", tz.key)
    segment: dict[str | None, int] = {}
    dates: list[dt.date] = []
    for series in all_series:
        occurrences = expand(series, tz, timeline, begin_wall, end_wall, begin_utc, end_utc)
        seg = segment[series.step] = segment.get(series.step, -1) + 1
        if not occurrences:
            continue
        dates += [occurrences[0].opens.date(), occurrences[-1].grace_until.date()]
        for n, (group, hours, minutes, slot, picked) in enumerate(_buckets(series, occurrences)):
            parts = _component(
                assignment,
                series,
                group,
                hours,
                minutes,
                slot,
                picked,
                seg,
                n,
                stamp,
                tz,
                pack,
                titles,
                component,
            )
            for part in parts:
                cal.add_component(part)
    if dates:
        # VTIMEZONE rules only for the years the calendar needs (smaller, still deterministic).
        first = dt.date(min(dates).year - 1, 1, 1)
        last = dt.date(max(dates).year + 2, 1, 1)
        cal.add_missing_timezones(first_date=first, last_date=last)
    data: bytes = cal.to_ical()
    return data


def _title(ref: str, pack: PackLike | None, titles: dict[str, str] | None) -> str:
    if titles and ref in titles:
        return titles[ref]
    if pack is not None:
        try:
            title = pack.worksheet(ref).title
        except KeyError:
            title = None
        if isinstance(title, str):
            return title
        if isinstance(title, dict) and title:
            return str(next(iter(title.values())))
    return ref


def _component(
    assignment: Assignment,
    series: Series,
    group: Group,
    hours: tuple[int, ...],
    minutes: tuple[int, ...],
    slot: int,
    picked: list[Occurrence],
    seg: int,
    n: int,
    stamp: dt.datetime,
    tz: Any,
    pack: PackLike | None,
    titles: dict[str, str] | None,
    component: Component,
) -> list[Any]:
    import icalendar

    step = series.step or "main"
    item = icalendar.Todo() if component == "VTODO" else icalendar.Event()
    item.add("uid", f"{assignment.id}/{step}/{seg}/{n}@worksheetkit")
    item.add("dtstamp", stamp)
    summary = _title(series.worksheet, pack, titles)
    if series.step:
        summary += f" ({series.step})"
    if slot:
        summary += f" — {slot} of {series.compiled.slots} this week"
    item.add("summary", summary)
    plan = assignment.plan
    if plan is not None and (plan.when or plan.where):
        item.add("description", "Plan: " + ", ".join(p for p in (plan.when, plan.where) if p))
    first = picked[0]
    first_wall = _wall(first)
    item.add("dtstart", first_wall.replace(tzinfo=tz))
    if series.window is not None:
        duration = series.window
    else:
        times = [(h, m) for g in series.compiled.groups for (h, m) in g.times]
        following = [first_wall.replace(hour=h, minute=m) for h, m in times]
        duration = _default_duration(first_wall, following)
    item.add(
        "duration",
        dt.timedelta(days=duration.days + 30 * duration.months, seconds=duration.seconds),
    )
    walls = {_wall(o) for o in picked}
    if len(picked) > 1 or series.compiled.weekly_target or not series.compiled.once:
        last = picked[-1]
        until = localize(_wall(last), tz, "shift_forward", "later")
        assert until is not None
        rule = _rule_text(group, hours, minutes)
        rule += ";UNTIL=" + until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        item.add("rrule", icalendar.vRecur.from_ical(rule))
        # Wall times the rule makes but the policy skipped become EXDATEs.
        exdates: list[dt.datetime] = []
        chosen_times = {(h, m) for h in hours for m in minutes}
        for wall in group.rule(series.compiled.start):
            if wall > _wall(last):
                break
            if wall < first_wall:
                continue
            if (wall.hour, wall.minute) not in chosen_times:
                continue
            if wall not in walls:
                exdates.append(wall.replace(tzinfo=tz))
        if exdates:
            item.add("exdate", sorted(set(exdates), key=lambda d: d.replace(tzinfo=None)))
    # A fall-back time read as the later instant: readers take the earlier one (RFC 5545
    # §3.3.5), so that instance is overridden (same UID, RECURRENCE-ID) with a UTC DTSTART.
    overrides = []
    for o in picked:
        wall = _wall(o)
        default = localize(wall, tz, "shift_forward", "earlier")
        if default is not None and default.astimezone(UTC) != o.opens.astimezone(UTC):
            override = icalendar.Todo() if component == "VTODO" else icalendar.Event()
            for key in ("uid", "dtstamp", "summary", "description"):
                if key in item:
                    override[key] = item[key]
            override.add("recurrence-id", wall.replace(tzinfo=tz))
            override.add("dtstart", o.opens.astimezone(UTC))
            override["duration"] = item["duration"]
            overrides.append(override)
    grace = series.grace
    if not grace.is_zero:
        item.add("x-worksheetkit-grace", grace.to_ical())
    item.add("x-worksheetkit-timing", series.timing)
    item.add("x-worksheetkit-step", step)
    for spec in series.reminders:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Reminder: {summary}")
        delta, related = _trigger(spec)
        alarm.add("trigger", delta, parameters={"RELATED": related})
        item.add_component(alarm)
    return [item, *overrides]

"""RFC 5545 export: one VEVENT (or VTODO) series per step, with VALARM reminders.

Each series carries an RRULE whose expansion (by any RFC 5545 reader) gives exactly the
occurrences ``occurrences()`` computes: the end is an UNTIL at the last occurrence, wall times
that the DST policy skips become EXDATEs, and a fall-back time read as the *later* instant
becomes an EXDATE plus an RDATE in UTC. Nothing comes from the clock, so the bytes are
reproducible (DTSTAMP is the assignment's start).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from .._urls import link_kind
from ..codes import Code
from ..model.documents import Assignment, Response
from ..model.durations import Duration
from ._expand import ReminderSpec, Series, Tally, expand
from ._occurrence import Occurrence
from ._rules import Group
from ._timeline import PackLike, _bounds, build, is_bounded
from ._zones import UTC

Component = Literal["VEVENT", "VTODO"]


def _wall(occurrence: Occurrence) -> dt.datetime:
    """The scheduled wall time written in the id (before any DST shift)."""
    stamp = occurrence.id.split("/", 1)[1].split("#", 1)[0]
    return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M")


def _slot(occurrence: Occurrence) -> int:
    _, _, slot = occurrence.id.partition("#")
    return int(slot) if slot else 0


def _rule_text(group: Group, hours: tuple[int, ...], minutes: tuple[int, ...]) -> str:
    """The group's RRULE body limited to the given times of day.

    Our month-end clamp (``BYMONTHDAY=28,…,D;BYSETPOS=-1``) is valid RFC 5545 but ical.js
    expands it to several events a month: it is written as ``BYMONTHDAY=-1`` when it means the
    last day (D = 31), else as ``BYMONTHDAY=D``; the clamped days that rule does not make
    (30 February…) are written as events of their own.
    """
    parts = [p.split("=", 1) for p in group.text().split(";")]
    clamp = group.raw is None and group.bysetpos is not None
    out = []
    for name, value in parts:
        if name == "BYHOUR":
            value = ",".join(map(str, hours))
        elif name == "BYMINUTE":
            value = ",".join(map(str, minutes))
        elif clamp and name == "BYMONTHDAY":
            day = max(int(d) for d in value.split(","))
            value = "-1" if day == 31 else str(day)
        elif clamp and name == "BYSETPOS":
            continue
        out.append(f"{name}={value}")
    return ";".join(out)


def _walls(rule: str, first: dt.datetime, last: dt.datetime) -> Iterator[dt.datetime]:
    """The wall times ``rule`` makes from DTSTART ``first`` up to ``last`` (what a reader
    expands before reading them in the time zone), lazily."""
    from dateutil.rrule import rrulestr

    for wall in rrulestr(rule, dtstart=first):
        if wall > last:
            return
        yield wall


def _runs(
    rule: str, agreed: list[Occurrence], tz: Any
) -> list[tuple[list[Occurrence], list[dt.datetime]]]:
    """Split the occurrences every reader agrees on into RRULE runs: (occurrences, EXDATEs).

    A run starts at an occurrence the rule makes and stops before the first wall time the rule
    makes that is not plain (a DST gap or fold): readers disagree on which instant such a time
    is, so it can be neither an instance nor an EXDATE (Python readers compare EXDATEs as
    instants, and 01:30 in London's gap is the same instant as 02:30). EXDATEs are plain wall
    times the rule makes that are not occurrences. Each wall time is generated once per run.
    """
    runs: list[tuple[list[Occurrence], list[dt.datetime]]] = []
    by_wall = {_wall(o): o for o in agreed}
    pending = agreed
    while pending:
        first = _wall(pending[0])
        last = _wall(pending[-1])
        covered: list[Occurrence] = []
        skipped: list[dt.datetime] = []
        for wall in _walls(rule, first, last):
            if not covered and wall != first:
                break  # the rule does not make this occurrence: it is written on its own
            if not _plain(wall, tz):
                break
            if wall in by_wall:
                covered.append(by_wall[wall])
            else:
                skipped.append(wall)
        if not covered:
            pending = pending[1:]
            continue
        end = _wall(covered[-1])
        runs.append((covered, [w for w in skipped if w < end]))
        pending = [o for o in pending if _wall(o) > end]
    return runs


def _plain(wall: dt.datetime, tz: Any) -> bool:
    """True when ``wall`` happens exactly once in ``tz`` (neither in a DST gap nor a fold):
    every reader then turns it into the same instant."""
    return (
        wall.replace(tzinfo=tz, fold=0).utcoffset() == wall.replace(tzinfo=tz, fold=1).utcoffset()
    )


def _agreed(
    o: Occurrence, tz: Any, lengths: tuple[dt.timedelta, ...], ends: tuple[Any, ...]
) -> bool:
    """Whether a reader that expands DTSTART;TZID and adds each of ``lengths`` on the wall
    clock (ical.js and the Python readers both do) lands on this occurrence's opening instant
    and on each of ``ends`` (instants)."""
    wall = _wall(o)
    if o.opens.replace(tzinfo=None) != wall or not _plain(wall, tz):
        return False
    for length, expected in zip(lengths, ends, strict=True):
        end = wall + length
        if not _plain(end, tz):
            return False
        if end.replace(tzinfo=tz).astimezone(UTC) != expected.astimezone(UTC):
            return False
    return True


def task_end(o: Occurrence, minutes: float | None) -> dt.datetime:
    """Where the calendar event of ``o`` ends: after the task's ``estimated_minutes`` (never
    after the occurrence is due), or when it is due if the worksheet gives no estimate."""
    if minutes is None:
        return o.due
    return min(o.opens + dt.timedelta(minutes=minutes), o.due, key=lambda t: t.astimezone(UTC))


# RFC 5545 §3.3.11: TEXT may hold no control character but HTAB (line breaks are escaped).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


class CalendarTextWarning(UserWarning):
    """Text written into an .ics file was changed: control characters RFC 5545 forbids were
    removed. The message names the field, never the text."""

    code = Code.WK227


def _text(value: str, field: str) -> str:
    """``value`` safe for an iCalendar TEXT property: CR LF and CR become line breaks (escaped
    as ``\\n`` by the writer), other control characters are removed with a warning."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _CONTROLS.sub("", text)
    if cleaned != text:
        warnings.warn(
            CalendarTextWarning(
                f"WK227 the calendar's {field} held control characters that calendar files "
                "cannot carry; they were left out."
            ),
            stacklevel=3,
        )
    return cleaned


def _vtimezone(tz: Any, first: dt.date, last: dt.date) -> Any:
    """A VTIMEZONE every common reader reads alike: one STANDARD or DAYLIGHT component per
    change of offset, each with its own DTSTART and no RDATE list (ical.js reads only the
    first value of a multi-value RDATE), plus the offset in force at ``first``."""
    import icalendar

    from ._zones import _transitions

    vtz = icalendar.Timezone()
    vtz.add("tzid", tz.key)
    begin = dt.datetime(first.year, first.month, first.day)
    at_begin = begin.replace(tzinfo=tz)
    changes: list[tuple[dt.datetime, dt.timedelta, dt.timedelta, dt.datetime]] = []
    for year in range(first.year, last.year + 1):
        for instant, before, after in _transitions(tz, year):
            moment = instant.replace(tzinfo=UTC).astimezone(tz)
            changes.append((instant + before, before, after, moment))
    offset = at_begin.utcoffset()
    assert offset is not None
    rows = [(begin, offset, offset, at_begin), *changes]
    for local, before, after, moment in rows:
        daylight = bool(moment.dst())
        part = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
        part.add("dtstart", local)
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        name = moment.tzname()
        if name:
            part.add("tzname", name)
        vtz.add_component(part)
    return vtz


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
    url: str | None = None,
) -> bytes:
    """The occurrences of ``assignment`` in [start, end] as an iCalendar file (bytes).

    ``component`` chooses calendar events (VEVENT) or to-dos (VTODO). ``titles`` maps worksheet
    references to the summary shown in the calendar (default: the worksheet's title from the
    pack, else its reference). ``url`` (http or https), a link the app gives to open the task,
    is written as URL and at the end of DESCRIPTION.

    Events are free time (``TRANSP:TRANSPARENT``) and last as long as the task: the worksheet's
    ``estimated_minutes`` when the pack gives it (never past the due time), else the window.
    To-dos run from opening to due.
    """
    if url is not None and not (
        isinstance(url, str) and url.isprintable() and link_kind(url) == "web"  # the link rule
    ):
        raise ValueError("url must be an http(s) link")
    import icalendar

    tz, timeline, all_series = build(assignment, pack, responses)
    begin_wall, begin_utc = _bounds(start, tz, is_end=False)
    end_wall, end_utc = _bounds(end, tz, is_end=True)
    if end is None and not all(is_bounded(s) for s in all_series):
        from ._rules import UnboundedScheduleError

        raise UnboundedScheduleError("the schedule has no end (no for, count or until): pass end=")
    stamp = dt.datetime(
        assignment.start.year, assignment.start.month, assignment.start.day, tzinfo=UTC
    )
    cal = icalendar.Calendar()
    cal.add("prodid", "-//worksheetkit//schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    segment: dict[str | None, int] = {}
    dates: list[dt.date] = []
    tally = Tally()
    for series in all_series:
        occurrences = expand(series, tz, timeline, begin_wall, end_wall, begin_utc, end_utc)
        tally.add(len(occurrences))
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
                url,
            )
            for part in parts:
                cal.add_component(part)
    if dates:
        # VTIMEZONE rules only for the years the calendar needs (smaller, still deterministic).
        first = dt.date(min(dates).year - 1, 1, 1)
        last = dt.date(max(dates).year + 2, 1, 1)
        cal.subcomponents.insert(0, _vtimezone(tz, first, last))
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


def _worksheet(ref: str, pack: PackLike | None) -> Any:
    if pack is None:
        return None
    try:
        return pack.worksheet(ref)
    except (KeyError, ValueError):
        return None


def _plain_text(value: Any) -> str:
    """A text field (a string, or a map of languages: the first one) as one string."""
    if isinstance(value, dict):
        return str(next(iter(value.values()), ""))
    return str(value)


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
    url: str | None = None,
) -> list[Any]:
    import icalendar

    step = series.step or "main"
    worksheet = _worksheet(series.worksheet, pack)
    summary = _summary(series, slot, pack, titles)
    description = _description(assignment, worksheet, url)
    task_minutes = None
    if component == "VEVENT" and worksheet is not None and worksheet.estimated_minutes:
        task_minutes = float(worksheet.estimated_minutes)
    length = _length(series, picked)
    # The event lasts as long as the task; alarms before the due time then count from the start.
    event_length = (
        length if task_minutes is None else min(length, dt.timedelta(minutes=task_minutes))
    )
    head = (component, stamp, summary, description, url)

    # The series carries the occurrences every reader expands to the same instants; the others
    # (DST gaps and folds, windows across a DST change, clamped month ends) are written as
    # events of their own in UTC, which no reader can read differently.
    agreed = [
        o
        for o in picked
        if _agreed(o, tz, (length, event_length), (o.due, task_end(o, task_minutes)))
    ]
    repeating = len(picked) > 1 or series.compiled.weekly_target or not series.compiled.once
    rule = _rule_text(group, hours, minutes)
    if repeating:
        runs = _runs(rule, agreed, tz)
    else:
        runs = [(agreed[:1], [])] if agreed else []
    out: list[Any] = []
    done: set[str] = set()
    for r, (covered, exdates) in enumerate(runs):
        suffix = f".{r}" if r else ""
        item = _new_item(*head, f"{assignment.id}/{step}/{seg}/{n}{suffix}@worksheetkit")
        item.add("dtstart", _wall(covered[0]).replace(tzinfo=tz))
        item.add("duration", event_length)
        if repeating:
            last = covered[-1].opens.astimezone(UTC)
            item.add("rrule", icalendar.vRecur.from_ical(f"{rule};UNTIL={last:%Y%m%dT%H%M%SZ}"))
            for wall in exdates:  # one value per line: some readers read only the first
                item.add("exdate", wall.replace(tzinfo=tz))
        out.append(_finish_item(item, series, summary, length, event_length))
        done.update(o.id for o in covered)
    for o in picked:
        if o.id in done:
            continue
        stamp_text = o.id.split("/", 1)[1].replace("#", "-")
        item = _new_item(*head, f"{assignment.id}/{step}/{seg}/{n}/{stamp_text}@worksheetkit")
        item.add("dtstart", o.opens.astimezone(UTC))
        opens = o.opens.astimezone(UTC)
        window = o.due.astimezone(UTC) - opens
        event = task_end(o, task_minutes).astimezone(UTC) - opens
        item.add("duration", event)
        out.append(_finish_item(item, series, summary, window, event))
    return out


def _summary(
    series: Series, slot: int, pack: PackLike | None, titles: dict[str, str] | None
) -> str:
    """The SUMMARY of a series' components: the worksheet's title, the step, the weekly slot."""
    summary = _title(series.worksheet, pack, titles)
    if series.step:
        summary += f" ({series.step})"
    if slot:
        summary += f" — {slot} of {series.compiled.slots} this week"
    return _text(summary, "title")


def _description(assignment: Assignment, worksheet: Any, url: str | None) -> str | None:
    """The DESCRIPTION: the worksheet's summary, the plan (when, where) and the link."""
    plan = assignment.plan
    lines = []
    if worksheet is not None and worksheet.summary:
        lines.append(_text(_plain_text(worksheet.summary), "worksheet summary"))
    if plan is not None and (plan.when or plan.where):
        lines.append(
            _text("Plan: " + ", ".join(p for p in (plan.when, plan.where) if p), "plan description")
        )
    if url is not None:
        lines.append(url)
    return "\n".join(lines) if lines else None


def _length(series: Series, picked: list[Occurrence]) -> dt.timedelta:
    """The window of the series' occurrences (the default window: until the next one)."""
    if series.window is not None:
        duration = series.window
    else:
        first_wall = _wall(picked[0])
        times = [(h, m) for g in series.compiled.groups for (h, m) in g.times]
        following = [first_wall.replace(hour=h, minute=m) for h, m in times]
        duration = _default_duration(first_wall, following)
    return dt.timedelta(days=duration.days + 30 * duration.months, seconds=duration.seconds)


def _new_item(
    component: Component,
    stamp: dt.datetime,
    summary: str,
    description: str | None,
    url: str | None,
    uid: str,
) -> Any:
    """A VEVENT or VTODO with the properties every component of a series shares."""
    import icalendar

    item = icalendar.Todo() if component == "VTODO" else icalendar.Event()
    item.add("uid", uid)
    item.add("dtstamp", stamp)
    item.add("summary", summary)
    if description is not None:
        item.add("description", description)
    if url is not None:
        item.add("url", url)
    if component == "VEVENT":
        item.add("transp", "TRANSPARENT")
    return item


def _finish_item(
    item: Any, series: Series, summary: str, window: dt.timedelta, event: dt.timedelta
) -> Any:
    """``item`` with the worksheetkit properties and one alarm per reminder."""
    import icalendar

    grace = series.grace
    if not grace.is_zero:
        item.add("x-worksheetkit-grace", grace.to_ical())
    item.add("x-worksheetkit-timing", series.timing)
    item.add("x-worksheetkit-step", series.step or "main")
    for spec in series.reminders:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Reminder: {summary}")
        delta, related = _trigger(spec)
        if related == "END" and event != window:
            delta, related = window + delta, "START"
        alarm.add("trigger", delta, parameters={"RELATED": related})
        item.add_component(alarm)
    return item

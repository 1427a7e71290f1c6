"""An assignment's plan as people read it: week by week, step titles, schedules and unlocks in words.

``plan(assignment, pack)`` returns plain values (``Plan``: steps and weeks of ready-to-show
text) for the CLI, the site and apps; ``Plan.to_text()`` is the clinician's text listing.
Nothing here shows an occurrence id, an ISO duration or an expression: those stay in the JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._humanize import date_text, duration_text, minutes_text
from .._results import JsonResult, warn_as_dict
from ..model.documents import Assignment, Response
from ..model.durations import parse_duration
from ..model.schedule import Schedule
from ..model.text import text_in
from ._occurrence import Occurrence
from ._timeline import PackLike, step_plans

__all__ = ["Plan", "PlanStep", "PlanTask", "PlanWeek", "plan"]

# The plan's own words, per language (English when a language is missing).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "week": "Week {n}",
        "week_range": "Week {n}: {first} – {last}",
        "every_day": "every day",
        "every_n_days": "every {n} days",
        "every_week": "once a week",
        "every_n_weeks": "every {n} weeks",
        "on_days": "on {days}",
        "every_n_weeks_on": "every {n} weeks on {days}",
        "times_per_week": "{n} times a week",
        "every_month": "every month",
        "every_n_months": "every {n} months",
        "once": "once",
        "custom": "on a custom repeat rule",
        "at": "at {times}",
        "for": "for {duration}",
        "count": "{n} times in all",
        "until": "until {date}",
        "open_for": "open for {duration}",
        "starts_now": "starts on {date}",
        "starts_later": "starts after {duration}, on {date}",
        "after": "after you finish “{title}”",
        "and": " and ",
        "or": " or ",
        "not_yet": "when your therapist unlocks it",
        "locked": "opens {condition}",
        "times": "{n} times",
        "one_time": "once",
        "minutes": "about {length} each time",
        "none": "Nothing is scheduled.",
        "excused": "{n} excused",
        "from": "any day from {date}",
    },
    "es": {
        "week": "Semana {n}",
        "week_range": "Semana {n}: {first} – {last}",
        "every_day": "todos los días",
        "every_n_days": "cada {n} días",
        "every_week": "una vez por semana",
        "every_n_weeks": "cada {n} semanas",
        "on_days": "los {days}",
        "every_n_weeks_on": "cada {n} semanas, los {days}",
        "times_per_week": "{n} veces por semana",
        "every_month": "cada mes",
        "every_n_months": "cada {n} meses",
        "once": "una vez",
        "custom": "según una regla de repetición propia",
        "at": "a las {times}",
        "for": "durante {duration}",
        "count": "{n} veces en total",
        "until": "hasta el {date}",
        "open_for": "abierta durante {duration}",
        "starts_now": "empieza el {date}",
        "starts_later": "empieza después de {duration}, el {date}",
        "after": "cuando termines «{title}»",
        "and": " y ",
        "or": " o ",
        "not_yet": "cuando tu terapeuta la desbloquee",
        "locked": "se abre {condition}",
        "times": "{n} veces",
        "one_time": "una vez",
        "minutes": "unos {length} cada vez",
        "none": "No hay nada programado.",
        "excused": "{n} justificadas",
        "from": "cualquier día desde el {date}",
    },
}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _w(language: str, key: str, **values: Any) -> str:
    table = WORDS.get(language, WORDS["en"])
    return table.get(key, WORDS["en"][key]).format(**values)


def _join(parts: Sequence[str], language: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    from babel.lists import format_list

    from .._humanize import _locale

    return str(format_list(list(parts), locale=_locale(language)))


def _day_names(days: Iterable[str], language: str) -> str:
    from babel.dates import get_day_names

    from .._humanize import _locale

    names = get_day_names("abbreviated", locale=_locale(language))
    ordered = sorted(days, key=lambda d: _DAYS.index(d) if d in _DAYS else 7)
    return _join([str(names[_DAYS.index(d)]) if d in _DAYS else d for d in ordered], language)


def schedule_words(schedule: Schedule, start: dt.date, language: str = "en") -> str:
    """ "every day at 20:00, for 1 week": how often, at what time, for how long."""
    parts: list[str] = []
    n = schedule.every
    if schedule.rrule:
        parts.append(_w(language, "custom"))
    elif schedule.repeat == "once":
        parts.append(_w(language, "once"))
    elif schedule.repeat == "daily":
        parts.append(_w(language, "every_day") if n == 1 else _w(language, "every_n_days", n=n))
    elif schedule.repeat == "weekly":
        if schedule.times_per_week:
            parts.append(_w(language, "times_per_week", n=schedule.times_per_week))
        elif schedule.on:
            days = _day_names([str(d) for d in schedule.on], language)
            parts.append(
                _w(language, "on_days", days=days)
                if n == 1
                else _w(language, "every_n_weeks_on", n=n, days=days)
            )
        else:
            parts.append(
                _w(language, "every_week") if n == 1 else _w(language, "every_n_weeks", n=n)
            )
    elif schedule.repeat == "monthly":
        parts.append(_w(language, "every_month") if n == 1 else _w(language, "every_n_months", n=n))
    times = schedule.times()
    if times:
        parts[-1] += " " + _w(language, "at", times=_join(times, language))
    if schedule.for_:
        parts.append(_w(language, "for", duration=duration_text(schedule.for_, language)))
    if schedule.count and schedule.repeat != "once":
        parts.append(_w(language, "count", n=schedule.count))
    if schedule.until:
        parts.append(_w(language, "until", date=date_text(schedule.until, language)))
    if schedule.window and schedule.repeat == "once":
        parts.append(_w(language, "open_for", duration=duration_text(schedule.window, language)))
    return ", ".join(p for p in parts if p)


def unlock_words(source: str | None, titles: Mapping[str, str], language: str = "en") -> str:
    """``completed(hierarchy)`` → "after you finish “Fear ladder”"; ``and``/``or`` chains too."""
    if not source:
        return ""
    from ..expressions import Binary, Call, ExpressionSyntaxError, Name
    from ..expressions import parse as parse_expression

    try:
        expr = parse_expression(source)
    except ExpressionSyntaxError:
        return _w(language, "not_yet")

    def words(node: Any) -> str | None:
        if isinstance(node, Call) and node.function == "completed" and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, Name):
                return _w(language, "after", title=titles.get(arg.name, _label(arg.name)))
            return None
        if isinstance(node, Binary) and node.op in ("and", "or"):
            left, right = words(node.left), words(node.right)
            if left is None or right is None:
                return None
            return left + _w(language, node.op) + right
        return None

    return words(expr) or _w(language, "not_yet")


def _label(step: str) -> str:
    text = step.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else step


@dataclass(frozen=True)
class PlanStep(JsonResult):
    """One step (or the one worksheet) of the plan, in words."""

    id: str
    title: str
    worksheet_title: str
    rationale: str  # why (the worksheet's rationale)
    note: str  # the step's note from the pathway author
    starts: str  # "starts after 1 week, on Mon 14 Dec 2026"
    schedule: str  # "on Mon, Wed and Fri at 18:00, for 2 weeks"
    unlock: str  # "after you finish “Fear ladder”", or ""
    minutes: str  # "about 15 min each time", or ""


@dataclass(frozen=True)
class PlanTask(JsonResult):
    """One step's tasks within one week: "7 times: Mon 7 Dec – Sun 13 Dec at 20:00"."""

    step: str
    title: str
    count: int
    when: str
    locked: str  # "opens after you finish “Fear ladder”" while locked, else ""
    excused: int


@dataclass(frozen=True)
class PlanWeek(JsonResult):
    number: int
    label: str  # "Week 2: Mon 14 Dec 2026 – Sun 20 Dec 2026"
    first: dt.date
    last: dt.date
    starting: tuple[str, ...]  # titles of the steps that start this week
    tasks: tuple[PlanTask, ...]


@dataclass(frozen=True)
class Plan(JsonResult):
    title: str
    summary: str
    rationale: str
    timezone: str
    language: str
    starts: str  # "Mon 7 Dec 2026"
    steps: tuple[PlanStep, ...]
    weeks: tuple[PlanWeek, ...]
    total: int

    def as_dict(self) -> dict[str, Any]:
        """Deprecated alias of :meth:`to_dict`."""
        warn_as_dict("Plan")
        return self.to_dict()

    def to_text(self) -> str:
        """The plan as a clinician's text listing (no ids, no ISO durations, no offsets)."""
        lines = [self.title]
        if self.summary:
            lines.append(self.summary)
        lines.append(f"{self.starts} ({self.timezone})")
        if self.rationale:
            lines += ["", self.rationale]
        for s in self.steps:
            lines += ["", f"■ {s.title}"]
            if s.title != s.worksheet_title:
                lines.append(f"  {s.worksheet_title}")
            opens = [_w(self.language, "locked", condition=s.unlock)] if s.unlock else []
            detail = [s.starts, s.schedule, *opens]
            lines.append("  " + "; ".join(d for d in detail if d))
            if s.minutes:
                lines.append(f"  {s.minutes}")
            if s.rationale:
                lines.append(f"  {s.rationale}")
            if s.note:
                lines.append(f"  {s.note}")
        if not self.weeks:
            lines += ["", _w(self.language, "none")]
        for week in self.weeks:
            lines += ["", week.label]
            for t in week.tasks:
                tail = f" — {t.locked}" if t.locked else ""
                if t.excused:
                    tail += " (" + _w(self.language, "excused", n=t.excused) + ")"
                lines.append(f"  {t.title}: {t.when}{tail}")
        return "\n".join(lines) + "\n"


def _times_text(found: Sequence[Occurrence]) -> str:
    times = sorted({f"{o.opens:%H:%M}" for o in found})
    return ", ".join(times)


def _when(found: Sequence[Occurrence], language: str) -> str:
    days = sorted({o.opens.date() for o in found})
    times = _times_text(found)
    at = " " + _w(language, "at", times=times) if times else ""
    count = len(found)
    how_many = _w(language, "one_time") if count == 1 else _w(language, "times", n=count)
    if len(days) == 1 and count > 1:  # a weekly quota: any time from that day
        return f"{how_many}, " + _w(language, "from", date=date_text(days[0], language, year=False))
    if len(days) <= 3:
        listed = _join([date_text(d, language, year=False) for d in days], language)
        return f"{how_many}: {listed}{at}"
    span = (
        f"{date_text(days[0], language, year=False)} – {date_text(days[-1], language, year=False)}"
    )
    return f"{how_many}: {span}{at}"


def plan(
    assignment: Assignment,
    pack: PackLike | None = None,
    *,
    language: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    responses: Iterable[Response] | None = None,
) -> Plan:
    """The assignment's plan, week by week (weeks count from the assignment's start date).

    ``language`` picks the text of translated fields and the wording (default: the pathway's or
    worksheet's language). ``start``/``end`` bound the listed weeks as in ``occurrences`` (an
    open-ended schedule needs ``end``). ``responses`` decide which steps have unlocked.
    """
    from ._timeline import occurrences

    plans, _ = step_plans(assignment, pack)
    pathway = pack.pathway(assignment.pathway) if (pack and assignment.pathway) else None
    lang = language or (pathway.language if pathway else None)
    worksheets: dict[str, Any] = {}
    for p in plans:
        try:
            worksheets[p.worksheet] = pack.worksheet(p.worksheet) if pack else None
        except KeyError:
            worksheets[p.worksheet] = None
    if lang is None:
        first = next((w for w in worksheets.values() if w is not None), None)
        lang = first.language if first is not None else "en"
    step_models = {s.id: s for s in pathway.steps} if pathway else {}
    titles: dict[str, str] = {}
    for p in plans:
        ws = worksheets.get(p.worksheet)
        ws_title = (
            text_in(ws.title, lang, ws.language)
            if ws is not None
            else _label(p.worksheet.split("@")[0])
        )
        model = step_models.get(p.step or "")
        titles[p.step or "main"] = text_in(model.title, lang) if model and model.title else ws_title
    for s in step_models.values():  # steps skipped by start_at_step, for unlock words
        titles.setdefault(s.id, text_in(s.title, lang) if s.title else _label(s.id))

    begin = assignment.start
    steps = []
    for p in plans:
        ws = worksheets.get(p.worksheet)
        model = step_models.get(p.step or "")
        offset = parse_duration(model.start) if model else None
        day = p.start.date()
        starts = (
            _w(
                lang,
                "starts_later",
                duration=duration_text(offset, lang),
                date=date_text(day, lang),
            )
            if offset is not None and not offset.is_zero and day > begin
            else _w(lang, "starts_now", date=date_text(day, lang))
        )
        minutes = ""
        if ws is not None and ws.estimated_minutes:
            minutes = _w(lang, "minutes", length=minutes_text(ws.estimated_minutes, lang))
        steps.append(
            PlanStep(
                id=p.step or "main",
                title=titles[p.step or "main"],
                worksheet_title=text_in(ws.title, lang, ws.language)
                if ws is not None
                else titles[p.step or "main"],
                rationale=text_in(ws.rationale, lang, ws.language) if ws is not None else "",
                note=text_in(model.note, lang) if model else "",
                starts=starts,
                schedule=schedule_words(p.schedule, day, lang),
                unlock=unlock_words(p.unlock_when, titles, lang),
                minutes=minutes,
            )
        )
    unlocks = {s.id: s.unlock for s in steps}

    found = occurrences(assignment, start, end, pack=pack, responses=responses)
    by_week: dict[int, list[Occurrence]] = {}
    for o in found:
        by_week.setdefault((o.opens.date() - begin).days // 7, []).append(o)
    order = {p.step or "main": k for k, p in enumerate(plans)}
    starts_in: dict[int, list[str]] = {}
    for p in plans:
        starts_in.setdefault((p.start.date() - begin).days // 7, []).append(
            titles[p.step or "main"]
        )
    weeks = []
    for index in sorted(by_week):
        first = begin + dt.timedelta(days=7 * index)
        last = first + dt.timedelta(days=6)
        groups: dict[str, list[Occurrence]] = {}
        for o in by_week[index]:
            groups.setdefault(o.step or "main", []).append(o)
        tasks = []
        for step_id in sorted(groups, key=lambda s: order.get(s, len(order))):
            items = groups[step_id]
            live = [o for o in items if not o.excused]
            locked = any(o.locked for o in items)
            tasks.append(
                PlanTask(
                    step=step_id,
                    title=titles.get(step_id, _label(step_id)),
                    count=len(live),
                    when=_when(live or items, lang),
                    locked=_w(lang, "locked", condition=unlocks.get(step_id) or _w(lang, "not_yet"))
                    if locked
                    else "",
                    excused=len(items) - len(live),
                )
            )
        weeks.append(
            PlanWeek(
                number=index + 1,
                label=_w(
                    lang,
                    "week_range",
                    n=index + 1,
                    first=date_text(first, lang),
                    last=date_text(last, lang),
                ),
                first=first,
                last=last,
                starting=tuple(starts_in.get(index, ())),
                tasks=tuple(tasks),
            )
        )
    if pathway is not None:
        title = text_in(pathway.title, lang, pathway.language)
        summary = text_in(pathway.summary, lang, pathway.language)
        rationale = text_in(pathway.rationale, lang, pathway.language)
    else:
        title = steps[0].title if steps else assignment.id
        summary, rationale = "", ""
    return Plan(
        title=title,
        summary=summary,
        rationale=rationale,
        timezone=assignment.timezone,
        language=lang,
        starts=date_text(begin, lang),
        steps=tuple(steps),
        weeks=tuple(weeks),
        total=len(found),
    )

"""The view model of a session report: plain values the templates lay out.

Everything a template shows is computed here, so templates stay dumb and user text (obstacle
notes, alert messages, labels) only ever reaches them as data to escape.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from .._humanize import date_text, datetime_text, short_date_text
from .._results import JsonResult
from ..model import text_in
from ..progress import AdherenceReport, OccurrenceResult, Series

# Which answer series a report charts: ``auto`` charts the scores when the worksheet has any
# (a PHQ-9 shows its total, not nine item charts) and the answers otherwise.
#: Which answer series a report charts: ``auto`` (the scores when there are any, else the
#: answers), ``scores``, ``items``, ``all`` or ``none``.
Charts = Literal["auto", "scores", "items", "all", "none"]
CHART_CHOICES: tuple[str, ...] = get_args(Charts)

STATUS_TEXT = {
    "completed_on_time": "Done on time",
    "completed_late": "Done late",
    "partial": "Partly done",
    "missed": "Missed",
    "excused": "Excused",
    "open": "Open now",
    "upcoming": "Upcoming",
}
# A symbol next to the words: status is never told by colour alone.
STATUS_MARK = {
    "completed_on_time": "✓",
    "completed_late": "✓",
    "partial": "◐",
    "missed": "✗",
    "excused": "–",
    "open": "○",
    "upcoming": "·",
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SEVERITY_ORDER = {"urgent": 0, "warning": 1, "info": 2}


def pct(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


def num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


def day_text(day: dt.date) -> str:
    return date_text(day)


def step_label(step: str) -> str:
    """A step id as words when no title is known: ``body_scan`` → "Body scan"."""
    words = step.replace("_", " ").replace("-", " ").replace(".", " ").strip()
    return words[:1].upper() + words[1:] if words else step


def titles_from_pack(report: AdherenceReport, pack: Any) -> dict[str, str]:
    """Step and worksheet titles, keyed by step id and by worksheet reference."""
    out: dict[str, str] = {}
    if pack is None:
        return out
    refs: set[str] = set()
    for r in report.occurrences:
        if r.slot.worksheet:
            refs.add(r.slot.worksheet)
    for a in report.alerts:
        refs.add(a.worksheet)
    for ref in sorted(refs):
        try:
            ws = pack.worksheet(ref)
        except (KeyError, ValueError):
            continue
        out[ref] = text_in(ws.title, ws.language)
        for score in ws.scores:  # "score:<ref>:<id>" → the score's label, for alerts
            out[f"score:{ref}:{score.id}"] = text_in(score.label, ws.language)
    for r in report.occurrences:
        if r.slot.step and r.slot.step not in out and r.slot.worksheet in out:
            out[r.slot.step] = out[r.slot.worksheet]
    pathways = getattr(pack, "pathways", ()) or ()
    steps_seen = {r.slot.step for r in report.occurrences if r.slot.step}
    for pathway in pathways:
        for step in pathway.steps:
            if step.id in steps_seen and step.title is not None:
                out[step.id] = text_in(step.title, pathway.language)
    return out


@dataclass(frozen=True)
class CalendarEntry:
    time: str
    status: str
    text: str
    mark: str
    step: str | None  # the step's title (never its id)
    credit: str


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    label: str
    entries: tuple[CalendarEntry, ...]
    in_range: bool


@dataclass(frozen=True)
class CalendarWeek:
    label: str
    days: tuple[CalendarDay, ...]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart with its text alternative and a data table."""

    id: str
    title: str
    desc: str
    width: int
    height: int
    bars: tuple[Bar, ...] = ()
    path: str = ""
    dots: tuple[tuple[float, float], ...] = ()
    y_ticks: tuple[tuple[float, str], ...] = ()
    texts: tuple[Label, ...] = ()  # every <text> of the chart, placed to fit
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    plot: tuple[float, float, float, float] = (0, 0, 0, 0)  # left, top, right, bottom


@dataclass(frozen=True)
class ScoreRow:
    name: str
    value: str
    basis: str


@dataclass(frozen=True)
class View(JsonResult):
    """What a report page shows, computed once for HTML and Markdown. ``to_dict()``/
    ``to_json()``/``from_dict()``: schema ``report-view``."""

    title: str
    summary: str
    as_of: str
    timezone: str
    scores: list[ScoreRow]
    calendar: list[CalendarWeek]
    charts: list[Chart]
    obstacles: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    extra: int
    notes: list[str] = field(default_factory=list)

    @property
    def urgent(self) -> bool:
        """Whether any raised alert is urgent (the banner then says so first)."""
        return any(a["severity"] == "urgent" for a in self.alerts)


def _local(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return moment.astimezone(tz)


def summary_sentence(report: AdherenceReport) -> str:
    s = report.overall
    c = s.counts
    if s.n == 0:
        waiting = c["open"] + c["upcoming"]
        return (
            f"No homework was due yet as of {day_text(report.as_of.date())}"
            f" ({waiting} occurrence{'s' if waiting != 1 else ''} open or upcoming)."
        )
    done = c["completed_on_time"] + c["completed_late"]
    parts = [f"{c['completed_on_time']} on time"]
    if c["completed_late"]:
        parts.append(f"{c['completed_late']} late")
    tail = []
    if c["partial"]:
        tail.append(f"{c['partial']} partly done")
    if c["missed"]:
        tail.append(f"{c['missed']} missed")
    if c["excused"]:
        tail.append(f"{c['excused']} excused")
    sentence = (
        f"Of {s.n} homework occurrence{'s' if s.n != 1 else ''} due, the client completed "
        f"{done} ({', '.join(parts)})"
    )
    if tail:
        sentence += ", " + ", ".join(tail)
    sentence += f", for an adherence of {pct(s.quantity)}"
    if s.quality is not None:
        sentence += f" and a self-rated quality of {pct(s.quality)}"
    if report.evaluation.trend.declining:
        sentence += ", declining over recent weeks"
    return sentence + "."


def _score_rows(report: AdherenceReport) -> list[ScoreRow]:
    s = report.overall
    t = report.evaluation.trend
    n = f"{s.n} occurrence{'s' if s.n != 1 else ''} due"
    rows = [
        ScoreRow("Adherence (quantity, partial credit)", pct(s.quantity), n),
        ScoreRow("Done on time", pct(s.strict_rate), n),
        ScoreRow("Done at all (on time or late)", pct(s.any_rate), n),
        ScoreRow(
            "Quality (client's rating)",
            pct(s.quality),
            f"{s.quality_n} rated" if s.quality_n else "no ratings yet",
        ),
        ScoreRow(
            "Difficulty-weighted adherence",
            pct(s.difficulty_weighted),
            f"{s.difficulty_n} with a planned difficulty",
        ),
        ScoreRow(
            "Adherence leaving out outside obstacles",
            pct(s.obstacle_adjusted),
            f"{s.obstacle_n} counted, {len(s.obstacle_excluded)} left out",
        ),
        ScoreRow("Engagement (heuristic composite)", pct(s.engagement), report.scoring_key),
        ScoreRow(
            "Recent level (moving average)",
            pct(s.level_bias_corrected),
            "recent weeks count most",
        ),
        ScoreRow("Streak (current / longest)", f"{s.streak_current} / {s.streak_longest}", n),
    ]
    if t.slope is not None:
        direction = "declining" if t.declining else "steady or rising"
        rows.append(
            ScoreRow(
                "Weekly trend",
                f"{t.slope * 100:+.0f} points a week ({direction})",
                f"{len(t.used)} complete weeks",
            )
        )
    else:
        rows.append(ScoreRow("Weekly trend", "—", "needs 3 complete weeks"))
    return rows


def _calendar(report: AdherenceReport, tz: dt.tzinfo, titles: dict[str, str]) -> list[CalendarWeek]:
    by_day: dict[dt.date, list[OccurrenceResult]] = {}
    for r in report.occurrences:
        by_day.setdefault(_local(r.slot.opens, tz).date(), []).append(r)
    if not by_day:
        return []
    first, last = min(by_day), max(by_day)
    monday = first - dt.timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        days = []
        for k in range(7):
            day = monday + dt.timedelta(days=k)
            entries = tuple(
                CalendarEntry(
                    time=_local(r.slot.opens, tz).strftime("%H:%M"),
                    status=r.status,
                    text=STATUS_TEXT[r.status],
                    mark=STATUS_MARK[r.status],
                    step=_step_title(r.slot.step, titles),
                    credit=pct(r.credit) if r.credit is not None else "",
                )
                for r in by_day.get(day, [])
            )
            days.append(
                CalendarDay(
                    day,
                    date_text(day, year=False),
                    entries,
                    first <= day <= last,
                )
            )
        weeks.append(CalendarWeek(f"Week of {date_text(monday)}", tuple(days)))
        monday += dt.timedelta(days=7)
    return weeks


# Chart geometry (SVG user units). A narrow viewBox keeps text legible when the chart shrinks
# to a phone's width (400 units drawn in ~330 px: 15-unit text shows at ~12 px).
W, H = 400, 230
LEFT, RIGHT, TOP, BOTTOM = 56, 14, 20, 40
FONT = 15
CHAR_WIDTH = 0.6  # average glyph width as a share of the font size (a safe estimate)
GAP = 8  # the least space between two axis labels


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * CHAR_WIDTH


@dataclass(frozen=True)
class Label:
    """One ``<text>`` of a chart, placed so that its estimated width fits the viewBox."""

    x: float
    y: float
    text: str
    anchor: str = "middle"  # start, middle or end
    size: int = FONT


def _ticks(lo: float, hi: float) -> list[float]:
    """Grid values at a round step (1, 2, 2.5 or 5 times a power of ten), 3 to 6 of them."""
    span = hi - lo
    if span <= 0:
        return [lo]
    power = 10 ** math.floor(math.log10(span / 4))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if span / step <= 5:
            break
    first = math.ceil(lo / step - 1e-9) * step
    out = []
    k = 0
    while first + k * step <= hi + 1e-9:
        out.append(round(first + k * step, 10))
        k += 1
    return out


def _x_labels(xs: list[float], texts: list[str], y: float) -> tuple[Label, ...]:
    """As many labels along the x axis as fit without overlapping, first and last kept."""
    if not xs:
        return ()
    widest = max(text_width(t) for t in texts) + 8
    spacing = (xs[-1] - xs[0]) / max(len(xs) - 1, 1) if len(xs) > 1 else widest
    every = max(1, -(-int(widest * 100) // max(int(spacing * 100), 1)))
    keep = list(range(0, len(xs), every))
    last = len(xs) - 1
    if keep[-1] != last:
        if xs[last] - xs[keep[-1]] < widest:
            keep.pop()
        keep.append(last)
    placed: list[tuple[float, float, str]] = []  # (left, right, text)
    for k in keep:
        half = text_width(texts[k]) / 2
        x = min(max(xs[k], half + 1), W - half - 1)  # never past either edge
        placed.append((x - half, x + half, texts[k]))
    # Moving the end labels inwards can crowd a neighbour: drop it (the data table has all).
    out = [placed[0]]
    for box in placed[1:]:
        while out and box[0] < out[-1][1] + GAP and len(out) > 1:
            out.pop()
        if box[0] >= out[-1][1] + GAP:
            out.append(box)
    return tuple(Label(round((a + b) / 2, 2), y, t) for a, b, t in out)


def _y_labels(ticks: list[tuple[float, str]]) -> tuple[Label, ...]:
    return tuple(Label(LEFT - 6, round(y + 4, 2), text, "end") for y, text in ticks)


def adherence_chart(report: AdherenceReport, tz: dt.tzinfo, language: str = "en") -> Chart | None:
    weeks: dict[int, list[float]] = {}
    for r in report.occurrences:
        if r.credit is None:
            continue
        index = (_local(r.slot.opens, tz).date() - report.start).days // 7
        weeks.setdefault(index, []).append(r.credit)
    if not weeks:
        return None
    indexes = sorted(weeks)
    values = [sum(weeks[i]) / len(weeks[i]) for i in indexes]
    plot_w = W - LEFT - RIGHT
    plot_h = H - TOP - BOTTOM
    slot = plot_w / len(indexes)
    bars = []
    rows = []
    for k, (i, q) in enumerate(zip(indexes, values, strict=True)):
        first = report.start + dt.timedelta(days=7 * i)
        height = plot_h * q
        bars.append(
            Bar(
                LEFT + slot * k + slot * 0.15,
                TOP + plot_h - height,
                slot * 0.7,
                height,
                f"Week {i + 1}",
                pct(q),
            )
        )
        rows.append((f"Week {i + 1}", date_text(first, language), pct(q), str(len(weeks[i]))))
    y_ticks = tuple((TOP + plot_h * (1 - v), pct(v)) for v in _ticks(0, 1))
    centres = [b.x + b.width / 2 for b in bars]
    # "Week 3" while it fits under its bar, else the bare week number ("3").
    names = [b.label for b in bars]
    if max(text_width(n) for n in names) + 4 > slot:
        names = [str(i + 1) for i in indexes]
    texts = list(_x_labels(centres, names, TOP + plot_h + 20))
    texts.extend(_y_labels(list(y_ticks)))
    # A value above each bar only when it fits the bar's slot (the data table has them all).
    if text_width("100 %") + 2 <= slot:
        for b in bars:
            texts.append(Label(round(b.x + b.width / 2, 2), round(max(b.y - 4, FONT), 2), b.value))
    best = max(values)
    worst = min(values)
    desc = (
        f"Share of scheduled homework done each week, {len(values)} week"
        f"{'s' if len(values) != 1 else ''}: from {pct(worst)} to {pct(best)}; "
        f"latest week {pct(values[-1])}."
    )
    return Chart(
        id="chart-adherence",
        title="Weekly adherence",
        desc=desc,
        width=W,
        height=H,
        bars=tuple(bars),
        y_ticks=y_ticks,
        texts=tuple(texts),
        columns=("Week", "Starts", "Adherence", "Occurrences due"),
        rows=tuple(rows),
        plot=(LEFT, TOP, W - RIGHT, TOP + plot_h),
    )


def series_chart(series: Series, index: int, tz: dt.tzinfo, language: str = "en") -> Chart | None:
    points = series.points
    if not points:
        return None
    values = [p.value for p in points]
    lo = series.min if series.min is not None else min(values)
    hi = series.max if series.max is not None else max(values)
    lo, hi = min(lo, min(values)), max(hi, max(values))
    if hi == lo:
        hi = lo + 1
    plot_w = W - LEFT - RIGHT
    plot_h = H - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)
    coords = []
    for k, p in enumerate(points):
        x = LEFT + (step * k if len(points) > 1 else plot_w / 2)
        y = TOP + plot_h * (1 - (p.value - lo) / (hi - lo))
        coords.append((round(x, 2), round(y, 2)))
    path = "M " + " L ".join(f"{x} {y}" for x, y in coords)
    y_ticks = tuple((TOP + plot_h * (1 - (v - lo) / (hi - lo)), num(v)) for v in _ticks(lo, hi))
    dates = [short_date_text(_local(p.submitted_at, tz).date(), language) for p in points]
    texts = list(_x_labels([c[0] for c in coords], dates, TOP + plot_h + 20))
    texts.extend(_y_labels(list(y_ticks)))
    rows = tuple(
        (
            datetime_text(p.submitted_at, tz, language, with_zone=False),
            str(p.row + 1) if p.row is not None else "",
            num(p.value),
            p.band or "",
        )
        for p in points
    )
    kind = {"score": "Score", "item": "Answer", "column": "Table column"}[series.kind]
    desc = (
        f"{kind} over time, {len(points)} value{'s' if len(points) != 1 else ''}: first "
        f"{num(values[0])}, last {num(values[-1])}, lowest {num(min(values))}, highest "
        f"{num(max(values))}."
    )
    return Chart(
        id=f"chart-series-{index}",
        title=series.label or step_label(series.id),
        desc=desc,
        width=W,
        height=H,
        path=path,
        dots=tuple(coords),
        y_ticks=y_ticks,
        texts=tuple(texts),
        columns=("Submitted", "Row", "Value", "Band"),
        rows=rows,
        plot=(LEFT, TOP, W - RIGHT, TOP + plot_h),
    )


def chosen_series(report: AdherenceReport, charts: Charts = "auto") -> list[Series]:
    """The answer series a report charts (``CHART_CHOICES``; ``auto``: scores if any)."""
    if charts not in CHART_CHOICES:
        raise ValueError(f"unknown chart choice {charts!r} ({', '.join(CHART_CHOICES)})")
    scores = [s for s in report.series if s.kind == "score"]
    answers = [s for s in report.series if s.kind != "score"]
    if charts == "none":
        return []
    if charts == "scores":
        return scores
    if charts == "items":
        return answers
    if charts == "all":
        return list(report.series)
    return scores or answers


def _step_title(step: str | None, titles: dict[str, str]) -> str | None:
    if step is None or step == "main":
        return None
    return titles.get(step) or step_label(step)


def _occurrence_words(
    report: AdherenceReport, occurrence: str | None, tz: dt.tzinfo, titles: dict[str, str]
) -> str:
    """An occurrence as a person says it: its step and its scheduled local time."""
    if not occurrence:
        return "—"
    for r in report.occurrences:
        if r.slot.id == occurrence:
            when = datetime_text(r.slot.opens, tz, with_zone=False)
            title = _step_title(r.slot.step, titles)
            return f"{title}, {when}" if title else when
    return "—"


NOT_MATCHED = "— (not a scheduled task)"


def build_view(report: AdherenceReport, *, charts: Charts = "auto", pack: Any = None) -> View:
    """The report's view model. ``charts`` picks the answer series to chart
    (``auto`` = scores when there are any, else the answers; ``scores``, ``items``, ``all``,
    ``none``); ``pack`` supplies worksheet and step titles (ids are shown in words otherwise)."""
    from ..scheduling import get_zone

    tz = get_zone(report.timezone)
    titles = titles_from_pack(report, pack)
    drawn = []
    first = adherence_chart(report, tz)
    if first is not None:
        drawn.append(first)
    for k, series in enumerate(chosen_series(report, charts), start=1):
        chart = series_chart(series, k, tz)
        if chart is not None:
            drawn.append(chart)
    obstacles = [
        {
            "when": datetime_text(o.submitted_at, tz, with_zone=False),
            "occurrence": _occurrence_words(report, o.occurrence, tz, titles),
            "kind": "Outside the client's control" if o.kind == "external" else "Internal",
            "note": o.note or "",
            "status": STATUS_TEXT.get(o.status or "", NOT_MATCHED),
        }
        for o in report.obstacles
    ]
    alerts = [
        {
            "when": datetime_text(a.submitted_at, tz, with_zone=False),
            "severity": a.severity,
            "score": titles.get(f"score:{a.worksheet}:{a.score}", step_label(a.score)),
            "worksheet": titles.get(a.worksheet, a.worksheet),
            "message": a.message,
        }
        for a in sorted(
            report.alerts, key=lambda a: (SEVERITY_ORDER.get(a.severity, 3), a.submitted_at)
        )
    ]
    notes = [
        "Engagement is a heuristic composite of quantity, quality, difficulty and obstacles "
        "(not a validated instrument).",
        "A dash (—) means nothing counts towards that score yet (no answers yet); it is never "
        "shown as 0 % or 100 %.",
        f"Times are the client's local times ({report.timezone}).",
    ]
    if any(o["status"] == NOT_MATCHED for o in obstacles):
        notes.append(
            "An obstacle marked “— (not a scheduled task)” was reported with a response that "
            "matched no scheduled task (extra practice, or a task outside the schedule)."
        )
    return View(
        title=f"Homework report — assignment {report.assignment}",
        summary=summary_sentence(report),
        as_of=datetime_text(report.as_of, tz),
        timezone=report.timezone,
        scores=_score_rows(report),
        calendar=_calendar(report, tz, titles),
        charts=drawn,
        obstacles=obstacles,
        alerts=alerts,
        extra=len(report.evaluation.extra),
        notes=notes,
    )

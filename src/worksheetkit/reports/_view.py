"""The view model of a session report: plain values the templates lay out.

Everything a template shows is computed here, so templates stay dumb and user text (obstacle
notes, alert messages, labels) only ever reaches them as data to escape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..progress import AdherenceReport, OccurrenceResult
from ..progress._series import Series

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
    return f"{WEEKDAYS[day.weekday()]} {day.day} {day.strftime('%b %Y')}"


@dataclass(frozen=True)
class CalendarEntry:
    time: str
    status: str
    text: str
    mark: str
    step: str | None
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
    x_labels: tuple[tuple[float, str], ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    plot: tuple[float, float, float, float] = (0, 0, 0, 0)  # left, top, right, bottom


@dataclass(frozen=True)
class ScoreRow:
    name: str
    value: str
    basis: str


@dataclass
class View:
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
        ScoreRow("Quality (client's rating)", pct(s.quality), f"{s.quality_n} rated"),
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
        ScoreRow("Recent level (moving average)", pct(s.level_bias_corrected), "bias-corrected"),
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


def _calendar(report: AdherenceReport, tz: dt.tzinfo) -> list[CalendarWeek]:
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
                    step=r.slot.step,
                    credit=pct(r.credit) if r.credit is not None else "",
                )
                for r in by_day.get(day, [])
            )
            days.append(
                CalendarDay(
                    day,
                    f"{WEEKDAYS[k]} {day.day} {day.strftime('%b')}",
                    entries,
                    first <= day <= last,
                )
            )
        weeks.append(CalendarWeek(f"Week of {monday.day} {monday.strftime('%b %Y')}", tuple(days)))
        monday += dt.timedelta(days=7)
    return weeks


# Chart geometry (SVG user units); text sizes stay legible when printed.
W, H = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48


def _ticks(lo: float, hi: float) -> list[float]:
    return [lo + (hi - lo) * k / 4 for k in range(5)]


def adherence_chart(report: AdherenceReport, tz: dt.tzinfo) -> Chart | None:
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
        label = f"Week {i + 1}"
        height = plot_h * q
        bars.append(
            Bar(
                LEFT + slot * k + slot * 0.15,
                TOP + plot_h - height,
                slot * 0.7,
                height,
                label,
                pct(q),
            )
        )
        rows.append((label, first.isoformat(), pct(q), str(len(weeks[i]))))
    y_ticks = tuple((TOP + plot_h * (1 - v), pct(v)) for v in _ticks(0, 1))
    x_labels = tuple((b.x + b.width / 2, b.label) for b in bars)
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
        x_labels=x_labels,
        columns=("Week", "Starts", "Adherence", "Occurrences due"),
        rows=tuple(rows),
        plot=(LEFT, TOP, W - RIGHT, TOP + plot_h),
    )


def series_chart(series: Series, index: int, tz: dt.tzinfo) -> Chart | None:
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
    dates = [_local(p.submitted_at, tz).strftime("%d %b") for p in points]
    show = sorted({0, len(points) - 1, (len(points) - 1) // 2})
    x_labels = tuple((coords[k][0], dates[k]) for k in show)
    rows = tuple(
        (
            _local(p.submitted_at, tz).strftime("%Y-%m-%d %H:%M"),
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
        title=series.label or series.id,
        desc=desc,
        width=W,
        height=H,
        path=path,
        dots=tuple(coords),
        y_ticks=y_ticks,
        x_labels=x_labels,
        columns=("Submitted", "Row", "Value", "Band"),
        rows=rows,
        plot=(LEFT, TOP, W - RIGHT, TOP + plot_h),
    )


def build_view(report: AdherenceReport) -> View:
    from ..progress._api import zone

    tz = zone(report.timezone)
    charts = []
    first = adherence_chart(report, tz)
    if first is not None:
        charts.append(first)
    for k, series in enumerate(report.series, start=1):
        chart = series_chart(series, k, tz)
        if chart is not None:
            charts.append(chart)
    obstacles = [
        {
            "when": _local(o.submitted_at, tz).strftime("%Y-%m-%d %H:%M"),
            "occurrence": o.occurrence or "—",
            "kind": "Outside the client's control" if o.kind == "external" else "Internal",
            "note": o.note or "",
            "status": STATUS_TEXT.get(o.status or "", "Not matched"),
        }
        for o in report.obstacles
    ]
    alerts = [
        {
            "when": _local(a.submitted_at, tz).strftime("%Y-%m-%d %H:%M"),
            "severity": a.severity,
            "score": a.score,
            "worksheet": a.worksheet,
            "message": a.message,
        }
        for a in sorted(
            report.alerts, key=lambda a: (SEVERITY_ORDER.get(a.severity, 3), a.submitted_at)
        )
    ]
    notes = [
        "Engagement is a heuristic composite of quantity, quality, difficulty and obstacles "
        "(not a validated instrument).",
        "Scores are null (—) when nothing counts towards them, never 0 % or 100 %.",
    ]
    return View(
        title=f"Homework report — assignment {report.assignment}",
        summary=summary_sentence(report),
        as_of=_local(report.as_of, tz).strftime("%Y-%m-%d %H:%M"),
        timezone=report.timezone,
        scores=_score_rows(report),
        calendar=_calendar(report, tz),
        charts=charts,
        obstacles=obstacles,
        alerts=alerts,
        extra=len(report.evaluation.extra),
        notes=notes,
    )

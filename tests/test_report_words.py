"""Reports in the words people use: no raw forms, readable dates, charts whose text fits."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import shared
from worksheetkit import loads
from worksheetkit._humanize import datetime_text, duration_text, minutes_text
from worksheetkit.progress import AdherenceReport, adherence
from worksheetkit.reports import build_view, to_html, to_markdown
from worksheetkit.reports._view import CHAR_WIDTH

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SVG = "{http://www.w3.org/2000/svg}"
# Raw forms a clinician must never read in a report.
RAW = ("null", "bias-corrected", "Not matched", "+0000", "+00:00", "P14D", "PT")
OCCURRENCE_ID = re.compile(r"\b[a-z_]+/\d{4}-\d\d-\d\dT\d\d:\d\d")


@cache
def _pack() -> Any:
    return shared.examples_pack()  # loaded once per session


def example_reports() -> dict[str, AdherenceReport]:
    """A report for every example assignment that has sample responses (as the site builds)."""
    pack = _pack()
    lines = [data for _, _, data in pack.response_lines]
    out = {}
    for assignment in sorted(pack.assignments, key=lambda a: a.id):
        mine = [r for r in lines if r.get("assignment") == assignment.id]
        if not mine:
            continue
        latest = max(dt.datetime.fromisoformat(r["submitted_at"]) for r in mine)
        out[assignment.id] = adherence(assignment, mine, latest + dt.timedelta(days=1), pack=pack)
    return out


PHQ9 = """
worksheetkit: 1
kind: assignment
id: phq-weekly
worksheet: instruments.phq-9@1
start: 2026-12-01
timezone: Europe/London
schedule: {repeat: weekly, at: "09:00", for: P12W, window: P2D, grace: P1D}
"""


def phq9_report() -> AdherenceReport:
    assignment = loads(PHQ9, source="phq.yaml")
    responses = []
    for week in range(10):
        day = dt.date(2026, 12, 1) + dt.timedelta(days=7 * week)
        answers = {f"q{k}": (3 - week // 3) % 4 for k in range(1, 9)}
        answers["q9"] = 1 if week == 0 else 0
        responses.append(
            {
                "worksheetkit": 1,
                "kind": "response",
                "worksheet": "instruments.phq-9",
                "assignment": "phq-weekly",
                "submitted_at": f"{day.isoformat()}T10:00:00+00:00",
                "answers": answers,
                "obstacle": {"kind": "external", "note": "flu"} if week == 4 else None,
            }
        )
    responses = [{k: v for k, v in r.items() if v is not None} for r in responses]
    # One obstacle sent with extra practice that matches no scheduled task.
    responses.append(
        {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": "instruments.phq-9",
            "assignment": "phq-weekly",
            "occurrence": "main/2026-12-02T09:00",
            "submitted_at": "2026-12-02T18:00:00+00:00",
            "answers": {f"q{k}": 0 for k in range(1, 10)},
            "obstacle": {"kind": "internal", "note": "extra"},
        }
    )
    return adherence(assignment, responses, dt.date(2027, 2, 20), pack=_pack())


def all_reports() -> dict[str, AdherenceReport]:
    return {**example_reports(), "phq-weekly": phq9_report()}


@pytest.fixture(scope="module")
def reports() -> dict[str, AdherenceReport]:
    found = all_reports()
    assert len(found) >= 3  # the examples' two sample streams and the PHQ-9 series
    return found


def _outputs(report: AdherenceReport) -> dict[str, str]:
    return {
        "html": to_html(report, pack=_pack()),
        "html-no-pack": to_html(report),
        "markdown": to_markdown(report, pack=_pack()),
        "html-all": to_html(report, charts="all", pack=_pack()),
    }


def _visible_text(html: str) -> str:
    """The HTML with its CSS and tags removed (class names are not words people read)."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_reports_never_show_raw_forms(reports: dict[str, AdherenceReport]) -> None:
    for name, report in reports.items():
        for kind, text in _outputs(report).items():
            shown = _visible_text(text) if kind.startswith("html") else text
            for raw in RAW:
                assert raw not in shown, (name, kind, raw)
            assert not OCCURRENCE_ID.search(shown), (name, kind, OCCURRENCE_ID.search(shown))


def test_reports_use_plain_words(reports: dict[str, AdherenceReport]) -> None:
    report = reports["phq-weekly"]
    html = to_html(report, pack=_pack())
    md = to_markdown(report, pack=_pack())
    for text in (html, md):
        assert "As of Sun 21 Feb 2027, 00:00 (Europe/London)" in text
        assert "no answers yet" in text
        assert "no ratings yet" in text
        assert "recent weeks count most" in text
        assert "— (not a scheduled task)" in text  # the unmatched obstacle, explained
    # The obstacle's task is named by its date and time, not its id.
    assert "Tue 29 Dec 2026, 09:00" in html
    # The alert names the worksheet by its title.
    view = build_view(report, pack=_pack())
    assert [a["worksheet"] for a in view.alerts] == ["PHQ-9 (Patient Health Questionnaire)"]


def test_calendar_uses_step_titles_not_ids() -> None:
    pack = _pack()
    assignment = next(a for a in pack.assignments if a.pathway)
    report = adherence(assignment, [], dt.date(2026, 12, 20), pack=pack)
    html = to_html(report, pack=pack)
    assert "(Thought record)" in html
    assert "(thoughts)" not in html
    assert "(body_scan)" not in html
    # Without the pack, ids still read as words.
    assert "(Body scan)" in to_html(report)


def test_phq9_charts_its_score_by_default(reports: dict[str, AdherenceReport]) -> None:
    report = reports["phq-weekly"]
    kinds = {s.kind for s in report.series}
    assert {"score", "item"} <= kinds
    default = build_view(report)
    titles = [c.title for c in default.charts]
    assert titles[0] == "Weekly adherence"
    assert len(titles) == 1 + sum(1 for s in report.series if s.kind == "score")
    every = build_view(report, charts="all")
    assert len(every.charts) == 1 + len(report.series)
    items = build_view(report, charts="items")
    assert len(items.charts) == 1 + sum(1 for s in report.series if s.kind != "score")
    assert len(build_view(report, charts="none").charts) == 1
    with pytest.raises(ValueError, match="unknown chart choice"):
        build_view(report, charts="everything")


def test_a_worksheet_without_scores_charts_its_answers(
    reports: dict[str, AdherenceReport],
) -> None:
    report = next(
        r for r in reports.values() if r.series and not any(s.kind == "score" for s in r.series)
    )
    assert len(build_view(report).charts) > 1


def _fits(svg_text: str) -> list[str]:
    """Every <text> whose estimated width (chars × font size × 0.6) leaves the viewBox."""
    root = ET.fromstring(svg_text)
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    bad = []
    texts = root.iter(f"{SVG}text")
    count = 0
    for t in texts:
        count += 1
        x, y = float(t.attrib["x"]), float(t.attrib["y"])
        size = float(t.attrib["font-size"])
        w = len(t.text or "") * size * CHAR_WIDTH
        anchor = t.attrib.get("text-anchor", "start")
        left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
        if left < 0 or left + w > width or y - size < 0 or y > height:
            bad.append(f"{t.text!r} at x={x} ({anchor}, {w:.0f} wide) in {width:.0f}")
    assert count, "a chart without any text"
    return bad


def _overlaps(svg_text: str) -> list[str]:
    """x-axis labels (same baseline) that overlap or touch each other."""
    root = ET.fromstring(svg_text)
    rows: dict[str, list[tuple[float, float, str]]] = {}
    for t in root.iter(f"{SVG}text"):
        if t.attrib.get("text-anchor") != "middle":
            continue
        w = len(t.text or "") * float(t.attrib["font-size"]) * CHAR_WIDTH
        x = float(t.attrib["x"])
        rows.setdefault(t.attrib["y"], []).append((x - w / 2, x + w / 2, t.text or ""))
    bad = []
    for labels in rows.values():
        labels.sort()
        for a, b in itertools.pairwise(labels):
            if b[0] < a[1] + 8:  # GAP: labels never touch
                bad.append(f"{a[2]!r} overlaps {b[2]!r}")
    return bad


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg .*?</svg>", html, flags=re.S)


def test_every_chart_text_fits_its_viewbox(reports: dict[str, AdherenceReport]) -> None:
    seen = 0
    for name, report in reports.items():
        for svg in _svgs(to_html(report, charts="all")):
            seen += 1
            assert _fits(svg) == [], name
            assert _overlaps(svg) == [], name
    assert seen >= 5


def test_chart_dates_are_short_and_whole(reports: dict[str, AdherenceReport]) -> None:
    svg = _svgs(to_html(reports["phq-weekly"]))[1]
    labels = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "1 Dec" in labels  # "1 Dec", never a clipped "01 De"
    assert all(not re.fullmatch(r"\d+ [A-Z][a-z]?", t or "") for t in labels)


def test_many_weeks_of_bars_keep_their_labels_apart() -> None:
    assignment = loads(PHQ9.replace("P12W", "P40W"), source="phq.yaml")
    report = adherence(assignment, [], dt.date(2027, 9, 30), pack=_pack())
    svg = _svgs(to_html(report))[0]
    assert _fits(svg) == []
    assert _overlaps(svg) == []


def test_humanized_durations_and_dates_in_english_and_spanish() -> None:
    assert duration_text("P14D") == "2 weeks"
    assert duration_text("P2W", "es") == "2 semanas"
    assert duration_text("P1D") == "1 day"
    assert duration_text("PT4M", short=True) == "4 min"
    assert minutes_text(4) == "4 min"
    assert minutes_text(90) == "1 hr, 30 min"
    assert duration_text("PT3H") == "3 hours"
    from zoneinfo import ZoneInfo

    moment = dt.datetime(2026, 12, 7, 7, 30, tzinfo=dt.UTC)
    london = ZoneInfo("Europe/London")
    assert datetime_text(moment, london) == "Mon 7 Dec 2026, 07:30 (Europe/London)"
    assert datetime_text(moment, london, "es") == "lun 7 dic 2026, 07:30 (Europe/London)"
    assert datetime_text(moment, london, "xx") == "Mon 7 Dec 2026, 07:30 (Europe/London)"


@pytest.mark.slow  # starts processes or lays out PDFs: seconds
def test_score_cli_charts_flag(tmp_path: Path) -> None:
    assignment = tmp_path / "phq.yaml"
    assignment.write_text(PHQ9, encoding="utf-8")
    stream = tmp_path / "r.jsonl"
    stream.write_text(
        "".join(
            json.dumps(
                {
                    "worksheetkit": 1,
                    "kind": "response",
                    "worksheet": "instruments.phq-9",
                    "assignment": "phq-weekly",
                    "submitted_at": f"2026-12-{d:02d}T10:00:00+00:00",
                    "answers": {f"q{k}": 1 for k in range(1, 10)},
                }
            )
            + "\n"
            for d in (1, 8, 15)
        ),
        encoding="utf-8",
    )

    def run(*extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "worksheetkit", "score", str(assignment), str(stream),
             "--pack", str(EXAMPLES), "--as-of", "2026-12-20", "--to", "html", *extra],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    default = run()
    items = run("--charts", "all")
    assert default.count("<svg ") == 2  # weekly adherence and the total score
    assert items.count("<svg ") == 2 + 9  # and one per PHQ-9 item
    assert "bias-corrected" not in default

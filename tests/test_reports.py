"""Session reports (Markdown and HTML): content, escaping, determinism."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import pytest

import shared
from worksheetkit import loads
from worksheetkit.progress import AdherenceReport, adherence
from worksheetkit.reports import environment, md_escape, render_report, to_html, to_markdown

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

PHYSIO = """
worksheetkit: 1
kind: assignment
id: physio-1
worksheet: physio.home-exercise-log@1
start: 2026-03-28
timezone: Europe/London
schedule: {repeat: daily, at: ["08:00", "18:00"], for: P3D, window: PT2H, grace: PT4H}
late_credit: 0.75
"""
HOSTILE_NOTE = '<script>alert("x")</script><img src=x onerror=alert(1)> {{ 7*7 }} | *b* # h'


def response(occurrence: str | None, when: str, reps: int, pain: int = 2) -> dict[str, object]:
    return {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "physio.home-exercise-log",
        "assignment": "physio-1",
        "occurrence": occurrence,
        "submitted_at": when,
        "answers": {"sets": 3, "reps": reps, "pain": pain},
        "ratings": {"quality": 3},
    }


@cache
def _pack():  # type: ignore[no-untyped-def]
    return shared.examples_pack()  # loaded once per session


def physio_report(note: str = "Had to work a double shift") -> AdherenceReport:
    responses = [
        response("main/2026-03-28T08:00", "2026-03-28T09:00:00+00:00", 30),
        response("main/2026-03-28T18:00", "2026-03-28T19:00:00+00:00", 30),
        response("main/2026-03-29T08:00", "2026-03-29T08:10:00+01:00", 20, pain=8),
        {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": "physio.home-exercise-log",
            "assignment": "physio-1",
            "occurrence": "main/2026-03-29T18:00",
            "submitted_at": "2026-03-29T21:00:00+01:00",
            "answers": {},
            "obstacle": {"kind": "external", "note": note},
        },
        response("main/2026-03-30T08:00", "2026-03-30T11:30:00+01:00", 30),
        response(None, "2026-03-30T19:00:00+01:00", 45),
    ]
    return adherence(loads(PHYSIO), responses, dt.date(2026, 3, 30), pack=_pack())


def hostile_report() -> AdherenceReport:
    return physio_report(HOSTILE_NOTE)


def test_markdown_report_has_every_section() -> None:
    text = to_markdown(physio_report())
    for heading in ("## Scores", "## Calendar", "## Trends", "## Obstacles reported", "## Alerts"):
        assert heading in text
    summary = text.split("\n")[2]
    assert summary.startswith("Of 6 homework occurrences due, the client completed 4")
    assert "for an adherence of 74 %" in summary  # 0.736111 (worked example 3)
    assert "| Sun 29 Mar | 08:00 ◐ Partly done; 18:00 ✗ Missed |" in text
    assert "Had to work a double shift" in text
    assert "Pain of 8 or more reported" in text  # the score's alert
    assert "Engagement \\(heuristic composite\\)" not in text  # parentheses stay readable
    assert "Engagement (heuristic composite)" in text


def test_html_report_has_charts_with_text_alternatives() -> None:
    html = to_html(physio_report())
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html
    svgs = re.findall(r"<svg [^>]*>", html)
    assert len(svgs) >= 2
    for svg in svgs:
        assert 'role="img"' in svg
        assert "aria-labelledby=" in svg
    assert html.count("<title id=") == len(svgs)
    assert html.count("<desc id=") == len(svgs)
    assert "Obstacles reported" in html
    assert "✗ 18:00 Missed" in re.sub(r"<[^>]+>", "", html).replace("  ", " ")


def test_html_fragment_has_no_document_shell() -> None:
    html = to_html(physio_report(), fragment=True)
    assert "<html" not in html
    assert "<head" not in html
    # Embeddable under a strict Content-Security-Policy: no <style>, no style attribute, no
    # script; the stylesheet is served once by the app (reports.stylesheet()).
    assert "<style" not in html
    assert " style=" not in html
    assert "<script" not in html
    assert html.lstrip().startswith('<section class="wkr-report"')
    # Its title sits under the page's own heading: <h2> by default, sections <h3>.
    assert '<h2 id="wkr-title">' in html
    assert "<h1" not in html
    assert "<h3>Scores</h3>" in html


def test_report_heading_level_and_stylesheet() -> None:
    from worksheetkit.reports import stylesheet

    report = physio_report()
    html = to_html(report, fragment=True, heading_level=3)
    assert '<h3 id="wkr-title">' in html
    assert "<h4>Calendar</h4>" in html
    assert "<h2" not in html
    assert "<h1" not in html
    page = to_html(report)
    assert '<h1 id="wkr-title">' in page
    assert f"<style>{stylesheet()}</style>" in page
    assert stylesheet().count("{") == stylesheet().count("}")
    assert ".wkr-report" in stylesheet()
    for bad in (0, 5, True):
        with pytest.raises(ValueError, match="heading_level"):
            to_html(report, fragment=True, heading_level=bad)


def test_client_text_is_escaped_never_evaluated() -> None:
    report = hostile_report()
    html = to_html(report)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html
    assert "49" not in html.split("{{ 7*7 }}")[0][-5:]
    md = to_markdown(report)
    assert "<script>" not in md
    assert "&lt;script&gt;" in md
    assert "&#124; \\*b\\*" in md  # cannot break the table or start emphasis


def test_markdown_escape() -> None:
    assert md_escape("a|b") == "a&#124;b"
    assert md_escape("- item") == "\\- item"
    assert md_escape("1. first") == "1\\. first"
    assert md_escape("1.5") == "1.5"
    assert md_escape("two\nlines") == "two lines"


def test_reports_are_deterministic() -> None:
    assert to_html(physio_report()) == to_html(physio_report())
    assert to_markdown(physio_report()) == to_markdown(physio_report())


def test_one_environment_per_process_with_strict_undefined() -> None:
    from jinja2 import StrictUndefined

    assert environment() is environment()
    assert environment().undefined is StrictUndefined


def test_render_report_dispatch() -> None:
    report = physio_report()
    assert render_report(report, "json").startswith("{")
    assert render_report(report, "markdown").startswith("# Homework report")


def test_empty_report_says_nothing_was_due() -> None:
    assignment = loads(PHYSIO)
    report = adherence(assignment, [], dt.date(2026, 3, 1), pack=_pack())
    md = to_markdown(report)
    assert "No homework was due yet" in md
    assert "| Adherence (quantity, partial credit) | — |" in md

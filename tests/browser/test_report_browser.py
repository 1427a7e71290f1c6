"""Adherence session reports in a real browser: axe-core (WCAG 2.1 A/AA) and the Nu checker."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_reports import hostile_report, physio_report
from worksheetkit.reports import to_html

pytestmark = pytest.mark.browser


def _reports() -> dict[str, Any]:
    from worksheetkit import loads
    from worksheetkit.progress import adherence

    empty = loads(
        """
worksheetkit: 1
kind: assignment
id: nothing-yet
worksheet: cbt.thought-record@1
start: 2026-12-01
timezone: Europe/London
schedule: {repeat: daily, at: "20:00", for: P7D}
"""
    )
    return {
        "physio": physio_report(),
        "hostile": hostile_report(),
        "empty": adherence(empty, [], dt.date(2026, 11, 30)),
    }


@pytest.fixture(scope="module")
def report_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    files = {}
    for name, report in _reports().items():
        path = folder / f"{name}.html"
        path.write_text(to_html(report), encoding="utf-8")
        files[name] = path
    return files


@pytest.mark.parametrize("name", ["physio", "hostile", "empty"])
def test_report_has_no_axe_violations(name, report_files, page, axe_violations) -> None:  # type: ignore[no-untyped-def]
    from conftest import describe_violations  # type: ignore[import-not-found]

    page.goto(report_files[name].as_uri())
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert page.dialogs == []  # hostile notes never run
    assert page.js_errors == []
    assert page.evaluate("() => document.scripts.length") == 0


def test_report_passes_the_nu_html_checker(report_files, vnu_errors) -> None:  # type: ignore[no-untyped-def]
    errors = vnu_errors(sorted(report_files.values()))
    assert errors == [], errors


def test_charts_have_text_alternatives_and_data_tables(report_files, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(report_files["physio"].as_uri())
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 2
    for k in range(charts.count()):
        svg = charts.nth(k)
        labelled = svg.get_attribute("aria-labelledby") or ""
        title_id, desc_id = labelled.split()
        assert (page.locator(f"#{title_id}").text_content() or "").strip()
        assert (page.locator(f"#{desc_id}").text_content() or "").strip()
    assert page.locator(".wkr-chart details table").count() == charts.count()
    # Status is written in words in the calendar, not only coloured.
    assert page.locator(".wkr-calendar li", has_text="Missed").count() == 1


def test_report_prints_without_the_data_tables(report_files, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(report_files["physio"].as_uri())
    page.emulate_media(media="print")
    assert page.locator("details.wkr-data").first.is_hidden()
    assert page.locator("svg[role=img]").first.is_visible()


@pytest.fixture(scope="module")
def word_report_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example reports and a PHQ-9 series (tests/test_report_words.py), with the pack."""
    from test_report_words import _pack, all_reports

    folder = tmp_path_factory.mktemp("word-reports")
    files = {}
    for name, report in {**all_reports(), "physio": physio_report()}.items():
        path = folder / f"{name}.html"
        path.write_text(to_html(report, pack=_pack()), encoding="utf-8")
        files[name] = path
    return files


@pytest.mark.parametrize("width", [320, 360, 768, 1280])
def test_report_fits_the_width_without_sideways_scrolling(  # type: ignore[no-untyped-def]
    width, word_report_files, page
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in word_report_files.items():
        page.goto(path.as_uri())
        scroll, client = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, (name, width, scroll, client)
        # Chart text stays inside each chart as drawn.
        outside = page.evaluate(
            """() => [...document.querySelectorAll('svg text')].filter(t => {
                 const s = t.ownerSVGElement.getBoundingClientRect(), r = t.getBoundingClientRect();
                 return r.left < s.left - 0.5 || r.right > s.right + 0.5;
               }).map(t => t.textContent)"""
        )
        assert outside == [], (name, width, outside)


def test_narrow_calendar_is_a_list_per_week(word_report_files, page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 360, "height": 900})
    page.goto(word_report_files["a-example-0001"].as_uri())
    assert (
        page.locator(".wkr-calendar thead").evaluate("e => e.getBoundingClientRect().height") <= 1
    )
    row = page.locator(".wkr-calendar tbody tr").first
    assert row.evaluate("e => getComputedStyle(e).display") == "block"
    # Days without homework are left out of the list; days with homework show their status.
    assert page.locator(".wkr-calendar td.wkr-out").first.is_hidden()
    assert page.locator(".wkr-calendar li", has_text="Done on time").first.is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    assert row.evaluate("e => getComputedStyle(e).display") == "table-row"

"""Print-first HTML printed for real: Chromium's print-to-PDF (``page.pdf``) read back with
``pdftotext`` (Debian poppler-utils), and an unanswered slider looked at.

For every example (and the kitchen sink) the PDF has every option label and every conditional
question with its condition words, a scale to circle for each rating, and none of "Choose…",
character counters, placeholders, date hints or buttons. The markup-level checks and helpers
live in tests/test_print_html.py.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_print_html import (
    FORBIDDEN,
    IDS,
    WORKSHEETS,
    blocked,
    condition_words,
    pdf_text,
)
from test_print_html import _expected as expected
from test_print_html import _views as views
from worksheetkit import Worksheet
from worksheetkit.rendering import render
from worksheetkit.rendering._views import FieldView

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _pdftotext() -> None:
    if shutil.which("pdftotext") is not None:
        return
    if os.environ.get("WORKSHEETKIT_SKIP_BROWSER") == "1":
        pytest.skip("browser tests skipped (WORKSHEETKIT_SKIP_BROWSER=1)")
    pytest.fail("pdftotext is missing: install the Debian package poppler-utils", pytrace=False)


@pytest.mark.parametrize("ws", WORKSHEETS, ids=IDS)
def test_printed_pdf_is_a_complete_handout(
    ws: Worksheet, browser_context: Any, tmp_path: Path
) -> None:
    text = pdf_text(browser_context, render(ws), tmp_path, ws.id)
    options, conditional = expected(ws)
    missing = sorted(o for o in options if " ".join(o.split()) not in text)
    assert not missing, f"options not printed: {missing}"
    missing = sorted(c for c in conditional if " ".join(c.split()) not in text)
    assert not missing, f"conditional questions not printed: {missing}"
    for item in _conditional_items(ws.items):
        words = " ".join(condition_words(ws, item, ws.language).split())
        assert words in text, item.show_if
    for word in FORBIDDEN:
        assert word not in text, word
    for v in views(ws):
        if isinstance(v, FieldView) and "placeholder" in v.attrs:
            assert v.attrs["placeholder"] not in text
        if isinstance(v, FieldView) and v.marks and v.type == "rating" and not v.in_cell:
            assert " ".join(v.marks[:3]) in text  # a scale to circle


def test_printed_spanish_handout(browser_context: Any, tmp_path: Path) -> None:
    ws = next(w for w in WORKSHEETS if "es" in (w.languages or []) and any(expected(w)))
    text = pdf_text(browser_context, render(ws, language="es"), tmp_path, "es")
    assert "Elige…" not in text
    assert "Enviar" not in text


def test_unanswered_slider_draws_no_knob(browser_context: Any, tmp_path: Path) -> None:
    ws = next(w for w in WORKSHEETS if w.id == "physio.weekly-review")
    page_file = tmp_path / "slider.html"
    page_file.write_text(render(ws), encoding="utf-8")
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": 360, "height": 800})
        page.route("**/*", blocked)
        page.goto(page_file.as_uri())
        item = page.locator("[data-wk-item=pain_average]")
        slider = item.locator("input[type=range]")
        assert slider.is_visible()
        assert "wk-range--unset" in (slider.get_attribute("class") or "")
        # No knob: the same slider at the same value looks different once answered.
        unset = slider.screenshot()
        slider.evaluate("el => el.classList.remove('wk-range--unset')")
        assert slider.screenshot() != unset
        slider.evaluate("el => el.classList.add('wk-range--unset')")
        assert slider.screenshot() == unset
        assert item.locator("[data-wk-range-state]").is_visible()
        assert slider.get_attribute("aria-valuetext") == "Not answered"
        # The anchor words sit at the two ends of the slider.
        ends = item.locator(".wk-slider .wk-end")
        track = slider.bounding_box()
        first, last = ends.nth(0).bounding_box(), ends.nth(ends.count() - 1).bounding_box()
        assert track
        assert first
        assert last
        assert abs(first["x"] - track["x"]) < 2
        assert abs((last["x"] + last["width"]) - (track["x"] + track["width"])) < 2
        slider.focus()
        page.keyboard.press("ArrowRight")
        assert "wk-range--unset" not in (slider.get_attribute("class") or "")
        assert not item.locator("[data-wk-range-state]").is_visible()
        assert item.locator("input[type=number]").input_value() == "1"
        # Clearing the number makes it unanswered again.
        item.locator("input[type=number]").fill("")
        assert "wk-range--unset" in (slider.get_attribute("class") or "")
    finally:
        page.close()


def _conditional_items(items: Any) -> list[Any]:
    """Items (sections opened, table columns not) that carry a show_if."""
    found = []
    for item in items:
        if getattr(item, "show_if", None):
            found.append(item)
        found.extend(_conditional_items(getattr(item, "items", None) or []))
    return found

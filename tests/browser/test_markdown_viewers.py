"""Printable Markdown of every hostile case, shown by three real viewers (markdown-it with
raw HTML on, Python-Markdown, cmark-gfm unsafe), loaded in Chromium with a sentinel that any
script, handler or javascript: link would set. It must never fire."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from worksheetkit import Worksheet, render

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from markdown_corpus import CASES, viewers
from test_markdown_inert import worksheet_with

pytestmark = pytest.mark.browser

SENTINEL = (
    "<script>window.__fired = []; window.fire = function () { window.__fired.push(1); };"
    " window.alert = window.fire;</script>"
)
# Events a reader's mouse or keyboard would send; no click on links (that would navigate),
# links are judged by the browser's own URL parser instead.
SWEEP = """() => {
  const bad = [];
  for (const el of document.body.querySelectorAll('*')) {
    for (const type of ['mouseover', 'mouseenter', 'focus', 'pointerdown', 'mouseup']) {
      el.dispatchEvent(new Event(type, {bubbles: true}));
    }
    if (el.tagName !== 'A') el.dispatchEvent(new MouseEvent('click', {bubbles: false}));
    for (const attr of ['href', 'src']) {
      if (!el.hasAttribute(attr)) continue;
      const url = new URL(el.getAttribute(attr), document.baseURI);
      if (!['http:', 'https:', 'file:'].includes(url.protocol)) bad.push(el.tagName + ' ' + url.protocol);
    }
  }
  return {fired: window.__fired.length, bad: bad, scripts: document.scripts.length};
}"""


def _page_html(markdown_text: str) -> str:
    sections = "\n".join(
        f"<section data-viewer='{name}'>\n{html}\n</section>"
        for name, html in viewers(markdown_text).items()
    )
    return f"<!doctype html><html><head><meta charset='utf-8'>{SENTINEL}</head><body>{sections}</body></html>"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("markdown-viewers")


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_viewer_runs_anything(page: Any, folder: Path, name: str) -> None:
    ws = Worksheet.model_validate(worksheet_with(CASES[name]))
    markdown_text = render(ws, "markdown")
    path = folder / f"{name}.html"
    path.write_text(_page_html(markdown_text), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    result = page.evaluate(SWEEP)
    assert result["fired"] == 0, name
    assert result["bad"] == [], name
    assert result["scripts"] == 1, name  # only the sentinel's own script
    assert page.dialogs == []


def test_the_sentinel_fires_on_the_raw_corpus(page: Any, folder: Path) -> None:
    # The harness can see an execution: the author's raw Markdown fires in these viewers.
    raw = "\n\n".join(CASES[n] for n in ("raw-html", "svg-onload", "backslash-before-lt"))
    path = folder / "raw.html"
    path.write_text(_page_html(raw), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert page.evaluate(SWEEP)["fired"] > 0

"""Every example form and filled-in view fits 320, 360, 768 and 1280 px without sideways scrolling.

Tables stay tables while their columns fit the space they are given and become one labelled
card per row otherwise; no table spills out of the form column, no control in a table is
squeezed below a usable width (a "Choose…" menu shows all of its word), and a filled-in table
answer keeps its column label in every layout ("Intensity: 80", never a bare "80").
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from worksheetkit import Response, Worksheet, load_pack
from worksheetkit.model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    Likert,
    NumberItem,
    Rating,
    Table,
    TimeItem,
    YesNo,
    item_options,
)
from worksheetkit.rendering import render

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
WIDTHS = (320, 360, 768, 1280)
MIN_CONTROL_PX = 64  # 4rem: room for a few digits or a short word

MEASURE = """() => {
  const de = document.documentElement;
  const out = {page: [de.scrollWidth, de.clientWidth], tables: [], small: [], clipped: [],
               bare: []};
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  document.querySelectorAll('.wk-table').forEach(t => {
    if (!visible(t)) return;
    const box = t.getBoundingClientRect();
    const holder = (t.closest('.wk-table-fit') || t.parentElement).getBoundingClientRect();
    if (box.right > holder.right + 1 || box.left < holder.left - 1) out.tables.push(t.id || 'answers');
    t.querySelectorAll('input, select, textarea').forEach(el => {
      if (!visible(el) || el.type === 'checkbox' || el.type === 'radio' || el.type === 'hidden') return;
      const w = el.getBoundingClientRect().width;
      if (w < 64) out.small.push([el.id, Math.round(w)]);
      if (el.tagName === 'SELECT') {
        const ctx = document.createElement('canvas').getContext('2d');
        const cs = getComputedStyle(el);
        ctx.font = cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily;
        const need = ctx.measureText(el.options[0].text).width + 28;
        if (el.clientWidth < need) out.clipped.push([el.id, el.clientWidth, Math.round(need)]);
      }
    });
  });
  document.querySelectorAll('.wk-table--answers').forEach(t => {
    const heads = Array.from(t.querySelectorAll('thead th')).map(th => th.textContent.trim());
    t.querySelectorAll('tbody tr').forEach(tr => {
      Array.from(tr.children).forEach((td, k) => {
        if (!td.innerText.trim().startsWith(heads[k] + ':')) out.bare.push([heads[k], td.innerText]);
      });
    });
  });
  return out;
}"""


@cache
def _pack() -> Any:
    return load_pack(EXAMPLES)


def _sample(item: Any) -> Any:
    """A plausible answer for one table cell (only its shape matters here)."""
    if isinstance(item, Choice | Likert):
        return item_options(item)[0].value
    if isinstance(item, Checklist):
        return [item_options(item)[0].value]
    if isinstance(item, YesNo):
        return True
    if isinstance(item, Rating | NumberItem):
        return getattr(item, "max", None) or 7
    if isinstance(item, DateItem):
        return "2026-12-01"
    if isinstance(item, TimeItem):
        return "08:30"
    if isinstance(item, DateTimeItem):
        return "2026-12-01T08:30"
    return "A sample answer that is a little longer than one word"


def _table_response(ws: Worksheet) -> Response | None:
    answers: dict[str, Any] = {}
    for item in ws.items:
        if isinstance(item, Table):
            answers[item.id] = [{c.id: _sample(c) for c in item.columns} for _ in range(2)]
    if not answers:
        return None
    return Response.model_validate(
        {"worksheetkit": 1, "kind": "response", "worksheet": ws.id, "answers": answers}
    )


@cache
def _pages() -> tuple[tuple[str, str], ...]:
    pack = _pack()
    pages: list[tuple[str, str]] = []
    for ws in sorted(pack.worksheets, key=lambda w: w.id):
        pages.append((f"form-{ws.id}", render(ws)))
        filled = _table_response(ws)
        if filled is not None:
            pages.append((f"filled-{ws.id}", render(filled, worksheet=ws)))
    for r in pack.responses:
        ref = f"{r.worksheet.split('@')[0]}@{r.version}" if r.version else r.worksheet
        pages.append((f"response-{r.id}", render(r, worksheet=pack.worksheet(ref))))
    for jsonl in sorted((EXAMPLES / "responses").glob("*.jsonl")):
        with jsonl.open(encoding="utf-8") as lines:
            first = Response.model_validate(json.loads(lines.readline()))
        ws = pack.worksheet(first.worksheet)
        pages.append((f"jsonl-{jsonl.stem}", render(first, worksheet=ws)))
    return tuple(pages)


def test_there_are_filled_in_tables() -> None:
    names = [name for name, _ in _pages()]
    assert sum(n.startswith("filled-") for n in names) >= 5
    assert any(n.startswith("form-") for n in names)


@pytest.mark.parametrize(("name", "html"), _pages(), ids=[n for n, _ in _pages()])
def test_page_fits_every_width(name: str, html: str, page: Any, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        m = page.evaluate(MEASURE)
        scroll, client = m["page"]
        if scroll > client:
            problems.append(f"{width}px: page scrolls sideways ({scroll} > {client})")
        if m["tables"]:
            problems.append(f"{width}px: tables spill out: {m['tables']}")
        if m["small"]:
            problems.append(f"{width}px: controls under {MIN_CONTROL_PX}px: {m['small'][:3]}")
        if m["clipped"]:
            problems.append(f"{width}px: menus cut their first option: {m['clipped'][:3]}")
        if m["bare"]:
            problems.append(f"{width}px: answers without their column label: {m['bare'][:3]}")
    assert not problems, "\n".join(problems)

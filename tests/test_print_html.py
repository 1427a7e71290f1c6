"""Print-first HTML: the form printed from a browser is a handout a client can fill in by hand.

The tests here read the markup the print needs (tick boxes, scales, rows, condition words);
tests/browser/test_print_pdf.py prints every example to PDF with Chromium and reads it back with
``pdftotext`` using the helpers below (``pdf_text``, ``FORBIDDEN``), and looks at an unanswered
slider.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from worksheetkit import Worksheet, WorksheetError, load_pack, loads
from worksheetkit._text import Localiser
from worksheetkit.model import Rating, Table, TextItem
from worksheetkit.rendering import render
from worksheetkit.rendering._conditions import for_worksheet
from worksheetkit.rendering._print import scale_marks, table_rows, text_lines
from worksheetkit.rendering._strings import ui_strings
from worksheetkit.rendering._views import BlockView, FieldView, ViewBuilder

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
KITCHEN_SINK = ROOT / "tests" / "browser" / "worksheets" / "kitchen-sink.yaml"


@cache
def _worksheets() -> tuple[Worksheet, ...]:
    pack = load_pack(EXAMPLES)
    found = list(pack.worksheets)
    found.append(loads(KITCHEN_SINK.read_text(encoding="utf-8"), source=str(KITCHEN_SINK)))
    return tuple(sorted(found, key=lambda w: w.id))


WORKSHEETS = _worksheets()
IDS = [w.id for w in WORKSHEETS]


def _views(ws: Worksheet, language: str | None = None) -> list[FieldView | BlockView]:
    lang = language or ws.language
    builder = ViewBuilder(ws, Localiser(lang, ws.language), ui_strings(lang), level=1)
    out: list[FieldView | BlockView] = []

    def walk(items: list[FieldView | BlockView]) -> None:
        for v in items:
            out.append(v)
            if isinstance(v, BlockView):
                walk(v.children)

    walk(builder.page().items)
    return out


def _expected(ws: Worksheet) -> tuple[set[str], set[str]]:
    """(option labels, conditional question labels) a printout must show."""
    options: set[str] = set()
    conditional: set[str] = set()
    for v in _views(ws):
        if isinstance(v, FieldView):
            for o in v.options:
                options.add(o.label_text)
            for c in v.columns:
                options.update(o.label_text for o in c.options)
            if v.show_if:
                conditional.add(v.label_text)
        elif v.show_if and v.type == "section" and v.title is not None:
            conditional.add(str(v.title.striptags()))
    return options, conditional


def condition_words(ws: Worksheet, item: Any, language: str) -> str:
    """The sentence the renderer prints before ``item`` (the one translator, rendering/_conditions)."""
    return for_worksheet(ws, Localiser(language, ws.language), ui_strings(language)).sentence(
        item.show_if
    )


# -- the markup the print needs (no browser) ---------------------------------------------------


@pytest.mark.parametrize("ws", WORKSHEETS, ids=IDS)
def test_every_conditional_question_carries_its_condition_words(ws: Worksheet) -> None:
    html = render(ws)
    conditional = [v for v in _views(ws) if v.show_if]
    for v in conditional:
        item = _find(ws, v.id)
        words = condition_words(ws, item, ws.language)
        assert f'<p class="wk-print-only wk-condition">{escape(words)}</p>' in html, v.show_if
    assert html.count('<p class="wk-print-only wk-condition">') == len(conditional)
    assert "show_if" not in re.sub(r"<script.*?</script>", "", html, flags=re.S)


@pytest.mark.parametrize("ws", WORKSHEETS, ids=IDS)
def test_tables_print_enough_rows_and_choice_cells_as_tick_boxes(ws: Worksheet) -> None:
    html = render(ws)
    for v in _views(ws):
        if not (isinstance(v, FieldView) and v.type == "table"):
            continue
        table = re.search(rf'<table class="wk-table[^"]*" id="{v.dom_id}".*?</table>', html, re.S)
        assert table is not None
        body = table.group(0)
        screen = body.count("data-wk-row>")
        printed = screen + body.count('class="wk-print-only wk-print-row"')
        item = _find(ws, v.id)
        assert isinstance(item, Table)
        assert printed == table_rows(item) >= min(5, item.max_rows or 5)
        for c in v.columns:
            if c.options:  # each row (screen and paper) lists the options with boxes
                assert body.count(f">{c.options[0].label_text}<") >= printed


def _find(ws: Worksheet, ident: str) -> Any:
    def walk(items: list[Any]) -> Any:
        for item in items:
            if getattr(item, "id", None) == ident:
                return item
            found = walk(getattr(item, "items", None) or [])
            if found is not None:
                return found
        return None

    return walk(ws.items)


TABLE = """
worksheetkit: 1
id: test.rows
version: 1.0.0
title: Rows
items:
  - id: t
    type: table
    label: Steps
    {extra}
    columns: [{{id: step, type: text}}]
"""


@pytest.mark.parametrize(
    ("extra", "rows"),
    [
        ("min_rows: 0", 5),
        ("min_rows: 8", 8),
        ("print_rows: 12", 12),
        ("print_rows: 12\n    max_rows: 10", 10),
        ("max_rows: 3", 3),
        ("default: [{step: a}, {step: b}, {step: c}, {step: d}, {step: e}, {step: f}]", 6),
        ("print_rows: 2\n    default: [{step: a}, {step: b}, {step: c}]", 3),
    ],
)
def test_print_rows(extra: str, rows: int) -> None:
    ws = loads(TABLE.format(extra=extra), source="rows.yaml")
    item = ws.items[0]
    assert isinstance(item, Table)
    assert table_rows(item) == rows
    html = render(ws)
    assert html.count("data-wk-row>") + html.count("wk-print-row") == rows
    if item.default:  # pre-filled rows are kept, first
        assert 'value="a"' in html


def test_print_rows_must_be_positive_and_is_located() -> None:
    with pytest.raises(WorksheetError) as info:
        loads(TABLE.format(extra="print_rows: 0"), source="rows.yaml")
    (d,) = [d for d in info.value.diagnostics if "print_rows" in d.path]
    assert (d.code, d.line) == ("WK105", 10)


def test_writing_space_grows_with_max_length() -> None:
    def text(**kw: Any) -> TextItem:
        return TextItem.model_validate({"id": "x", "type": "text", "label": "X", **kw})

    assert text_lines(text()) == 1
    assert text_lines(text(max_length=300)) == 3
    assert text_lines(text(multiline=True)) == 5
    assert text_lines(text(multiline=True, max_length=200)) == 3
    assert text_lines(text(multiline=True, max_length=1000)) == 7
    assert text_lines(text(multiline=True, max_length=5000)) == 8


def test_scale_marks() -> None:
    def rating(**kw: Any) -> Rating:
        return Rating.model_validate({"id": "r", "type": "rating", "label": "R", **kw})

    assert scale_marks(rating(min=0, max=10)) == [str(n) for n in range(11)]
    assert scale_marks(rating(min=0, max=100, step=1)) == [str(n) for n in range(0, 101, 10)]
    assert scale_marks(rating(min=1, max=7, step=0.5))[:3] == ["1", "1.5", "2"]


def test_condition_words_never_show_the_expression() -> None:
    ws = next(w for w in WORKSHEETS if w.id == "cbt.thought-record")
    item = _find(ws, "balanced_thought")
    for lang in ("en", "es", "fr"):
        words = condition_words(ws, item, lang)
        assert words
        assert ">=" not in words
        assert "belief" not in words
    assert condition_words(ws, item, "es") != condition_words(ws, item, "en")


# -- printed to PDF in Chromium -----------------------------------------------------------------


def blocked(route: Any) -> None:
    url = route.request.url
    if url.startswith(("file:", "data:", "about:")):
        route.continue_()
    else:
        route.abort()


def pdf_text(browser: Any, html: str, tmp_path: Path, name: str) -> str:
    """The PDF's text twice, whitespace collapsed: in reading order, then laid out as printed
    (pdftotext -layout keeps a scale's numbers on one line)."""
    page_file = tmp_path / f"{name}.html"
    page_file.write_text(html, encoding="utf-8")
    page = browser.new_page()
    try:
        page.route("**/*", blocked)
        page.goto(page_file.as_uri())
        pdf = tmp_path / f"{name}.pdf"
        page.pdf(path=str(pdf), format="A4")
    finally:
        page.close()
    texts = []
    for mode in ([], ["-layout"]):
        out = subprocess.run(
            ["pdftotext", *mode, "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            check=True,
            text=True,
        )
        texts.append(" ".join(out.stdout.split()))
    return "\n".join(texts)


FORBIDDEN = ("Choose…", "characters remaining", "mm/dd/yyyy", "dd/mm/yyyy", "Submit", "Remove row")

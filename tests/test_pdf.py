"""``render --to pdf`` / ``render_pdf``: the print-first page laid out by WeasyPrint (the ``pdf``
extra) and read back with ``pdftotext`` / ``pdfinfo`` (Debian poppler-utils).

Every example prints every option label and every conditional question with its condition in
words, and none of the screen-only chrome; A4 and Letter are the sizes asked for; the same input
gives the same bytes; without WeasyPrint the CLI says what to install and exits 2.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_print_html import FORBIDDEN, IDS, WORKSHEETS, condition_words
from test_print_html import _expected as expected
from test_print_html import _views as views
from worksheetkit import Worksheet, load_pack
from worksheetkit.cli import cli
from worksheetkit.rendering import _pdf, render_pdf
from worksheetkit.rendering._views import FieldView

pytestmark = pytest.mark.slow  # WeasyPrint lays out every handout: seconds each

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(autouse=True)
def _tools() -> None:
    missing = [t for t in ("pdftotext", "pdfinfo") if shutil.which(t) is None]
    if not _pdf.pdf_available():
        missing.append("WeasyPrint (pip install 'worksheetkit[pdf]')")
    if not missing:
        return
    if os.environ.get("WORKSHEETKIT_SKIP_BROWSER") == "1":
        pytest.skip("PDF tests skipped (WORKSHEETKIT_SKIP_BROWSER=1)")
    pytest.fail(f"missing for the PDF tests: {', '.join(missing)} (scripts/setup-browser.sh)",
                pytrace=False)  # fmt: skip


def text_of(pdf: bytes, tmp_path: Path, name: str) -> str:
    """The PDF's text, whitespace collapsed: in reading order, as laid out, and in drawing order
    (``-raw`` keeps a label that wraps inside a narrow table cell together)."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    texts = []
    for mode in ([], ["-layout"], ["-raw"]):
        out = subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(path), "-"],
                             capture_output=True, check=True, text=True)  # fmt: skip
        texts.append(" ".join(out.stdout.split()))
    return "\n".join(texts)


def page_size(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "size.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return next(line for line in info.stdout.splitlines() if line.startswith("Page size:"))


def _conditional_items(items: Any) -> list[Any]:
    found = []
    for item in items:
        if getattr(item, "show_if", None):
            found.append(item)
        found.extend(_conditional_items(getattr(item, "items", None) or []))
    return found


@pytest.mark.parametrize("ws", WORKSHEETS, ids=IDS)
def test_pdf_is_a_complete_handout(ws: Worksheet, tmp_path: Path) -> None:
    pdf = render_pdf(ws)
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf, tmp_path, ws.id)
    options, conditional = expected(ws)
    missing = sorted(o for o in options if " ".join(o.split()) not in text)
    assert not missing, f"options not printed: {missing}"
    missing = sorted(c for c in conditional if " ".join(c.split()) not in text)
    assert not missing, f"conditional questions not printed: {missing}"
    for item in _conditional_items(ws.items):
        assert " ".join(condition_words(ws, item, ws.language).split()) in text, item.show_if
    for word in (*FORBIDDEN, "Not answered yet"):
        assert word not in text, word
    for v in views(ws):
        if isinstance(v, FieldView) and "placeholder" in v.attrs:
            assert v.attrs["placeholder"] not in text
        if isinstance(v, FieldView) and v.marks and v.type == "rating" and not v.in_cell:
            assert " ".join(v.marks[:3]) in text  # a scale to circle


def test_letter_and_a4_page_sizes(tmp_path: Path) -> None:
    ws = load_pack(EXAMPLES).worksheet("instruments.phq-9")
    assert "(letter)" in page_size(render_pdf(ws, paper="letter"), tmp_path)
    assert "(A4)" in page_size(render_pdf(ws), tmp_path)
    with pytest.raises(ValueError, match="paper"):
        render_pdf(ws, paper="a5")


def test_same_input_same_bytes() -> None:
    ws = load_pack(EXAMPLES).worksheet("cbt.thought-record")
    first = render_pdf(ws)
    assert render_pdf(ws) == first
    assert b"/CreationDate" not in first
    assert b"/ModDate" not in first
    assert render_pdf(ws, paper="letter") != first


def test_spanish_pdf_and_filled_in_response(tmp_path: Path) -> None:
    pack = load_pack(EXAMPLES)
    ws = next(w for w in pack.worksheets if "es" in (w.languages or []) and any(expected(w)))
    text = text_of(render_pdf(ws, language="es"), tmp_path, "es")
    assert "Elige…" not in text
    assert "Enviar" not in text
    response = next(r for r in pack.responses if r.id and "item9" in r.id)
    phq = pack.worksheet("instruments.phq-9")
    text = text_of(render_pdf(response, worksheet=phq), tmp_path, "response")
    assert "URGENT" in text.upper()


def test_cli_writes_a_pdf(tmp_path: Path) -> None:
    out = tmp_path / "phq.pdf"
    source = str(EXAMPLES / "instruments" / "phq-9.yaml")
    result = CliRunner().invoke(cli, ["render", source, "--to", "pdf", "--paper", "letter",
                                      "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "(letter)" in page_size(out.read_bytes(), tmp_path)
    result = CliRunner().invoke(cli, ["render", source, "--to", "pdf", "--fragment",
                                      "-o", str(out)])  # fmt: skip
    assert result.exit_code == 2


def test_cli_without_weasyprint_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> Any:
        raise _pdf.PdfUnavailable(_pdf.INSTALL_HINT)

    monkeypatch.setattr(_pdf, "_weasyprint", missing)
    out = tmp_path / "x.pdf"
    source = str(EXAMPLES / "instruments" / "phq-9.yaml")
    result = CliRunner().invoke(cli, ["render", source, "--to", "pdf", "-o", str(out)])
    assert result.exit_code == 2
    assert "worksheetkit[pdf]" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_nothing_is_fetched(tmp_path: Path) -> None:
    # A stylesheet and an image the page links from disk: neither may be read into the PDF.
    leak = tmp_path / "leak.css"
    leak.write_text('body::before { content: "LEAKED-FILE" }', encoding="utf-8")
    html = (f'<html><head><link rel="stylesheet" href="{leak.as_uri()}">'
            '<style>@import url("http://127.0.0.1:9/leak.css");</style></head>'
            f'<body><img src="{leak.as_uri()}" alt="picture"><p>kept</p>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="inline"></body></html>')  # fmt: skip
    text = text_of(_pdf.html_to_pdf(html), tmp_path, "fetch")
    assert "kept" in text
    assert "LEAKED-FILE" not in text


def _pieces(document: Any) -> list[set[int]]:
    """Per page, the questions (``wk-item``, table questions aside: they run row by row) and the
    table rows that have a box on it."""

    def walk(box: Any) -> Any:
        yield box
        for child in getattr(box, "children", None) or []:
            yield from walk(child)

    pages = []
    for page in document.pages:
        found = set()
        repeated: set[int] = set()  # a long table's header row is drawn again on each page
        for box in walk(page._page_box):
            element = getattr(box, "element", None)
            if element is None:
                continue
            if getattr(box, "element_tag", None) == "thead":
                repeated.update(id(e) for e in element.iter() if str(e.tag).endswith("tr"))
            classes = (element.get("class") or "").split()
            is_item = "wk-item" in classes and "wk-item--table" not in classes
            if is_item or getattr(box, "element_tag", None) == "tr":
                found.add(id(element))
        pages.append(found - repeated)
    return pages


@pytest.mark.parametrize(
    "ident", ["exposure.hierarchy", "dbt.diary-card", "cbt.thought-record", "instruments.phq-9"]
)
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_page_break_inside_a_question_or_a_row(ident: str, paper: str) -> None:
    from worksheetkit.rendering import render

    ws = next(w for w in WORKSHEETS if w.id == ident)
    document = _pdf.layout(render(ws), paper=paper)
    pages = _pieces(document)
    assert len(pages) >= 2  # long enough to break somewhere
    assert sum(map(len, pages)) > 5  # the questions and rows were found
    for a in range(len(pages)):
        for b in range(a + 1, len(pages)):
            split = [_describe(document, e) for e in pages[a] & pages[b]]
            assert not split, f"split between pages {a + 1} and {b + 1}: {split}"


def _describe(document: Any, ident: int) -> str:
    for element in document.pages[0]._page_box.children[0].element.iter():
        if id(element) == ident:
            return f"<{element.tag} class={element.get('class')} id={element.get('id')}>"
    return str(ident)

"""The site's navigation: every page leads back to the index, translated worksheets link each
other, printable means the form page or a PDF (never raw Markdown), tags read as words, and the
PDF handouts are there when WeasyPrint is (and left out, said once, when it is not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from worksheetkit import load_pack
from worksheetkit.rendering import _pdf
from worksheetkit.site import build_site, tag_words

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
HREF = re.compile(r'href="([^"]+)"')


def links(page: Path) -> list[tuple[str, str]]:
    """(href, visible text) of every link on the page."""
    out = []
    for attrs, inner in LINK.findall(page.read_text(encoding="utf-8")):
        href = HREF.search(attrs)
        if href:
            out.append((href.group(1), re.sub(r"<[^>]+>", "", inner)))
    return out


@pytest.fixture
def site(examples_site: Path) -> Path:
    """The examples' site without PDF handouts, built once per session (tests/conftest.py)."""
    return examples_site


def test_every_page_links_the_index(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        targets = {(page.parent / href).resolve() for href, _ in links(page)}
        assert (site / "index.html").resolve() in targets, page.relative_to(site)


def test_translated_pages_link_each_other(site: Path) -> None:
    pack = load_pack(EXAMPLES)
    translated = [w for w in pack.worksheets if len(set(w.languages or [])) > 1]
    assert translated
    for ws in translated:
        slug = f"{ws.id}-{ws.version}"
        names = {lang: f"{slug}.html" if lang == ws.language else f"{slug}.{lang}.html"
                 for lang in ws.languages or []}  # fmt: skip
        for lang, name in names.items():
            page = site / "worksheets" / name
            hrefs = {href for href, _ in links(page)}
            for other, other_name in names.items():
                assert other_name in hrefs, f"{name} does not link its {other} version"
            html = page.read_text(encoding="utf-8")
            assert f'hreflang="{lang}" lang="{lang}" aria-current="page"' in html


def test_nothing_printable_is_raw_markdown(site: Path) -> None:
    for page in sorted(site.rglob("*.html")):
        for href, text in links(page):
            if href.endswith(".md"):
                assert "print" not in text.lower(), f"{page.name}: {text!r} → {href}"
    index = links(site / "index.html")
    assert any(t.startswith("Markdown (text)") for h, t in index if h.endswith(".md"))
    assert any(t.startswith("Form (fill in, or print)") for h, t in index if h.endswith(".html"))


@pytest.mark.slow  # lays out every example's PDF handout: ~25 s
def test_pdfs_are_linked_when_weasyprint_is_installed(tmp_path: Path) -> None:
    if not _pdf.pdf_available():
        pytest.skip("WeasyPrint is not installed (the pdf extra)")
    site = tmp_path / "site"
    build_site(EXAMPLES, site)
    pack = load_pack(EXAMPLES)
    index = dict(links(site / "index.html"))
    for ws in pack.worksheets:
        rel = f"worksheets/{ws.id}-{ws.version}.pdf"
        assert (site / rel).read_bytes().startswith(b"%PDF-"), rel
        assert index[rel].startswith("PDF handout (A4)")
        for lang in ws.languages or []:
            if lang != ws.language:
                assert (site / f"worksheets/{ws.id}-{ws.version}.{lang}.pdf").is_file()


def test_without_weasyprint_the_site_builds_without_pdfs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> None:
        raise _pdf.PdfUnavailable(_pdf.INSTALL_HINT)

    monkeypatch.setattr(_pdf, "_weasyprint", missing)
    result = build_site(EXAMPLES, tmp_path / "site")
    assert not list((tmp_path / "site").rglob("*.pdf"))
    assert len(result.notes) == 1
    assert "worksheetkit[pdf]" in result.notes[0]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert index.count("worksheetkit[pdf]") == 1
    assert ".pdf" not in index


def test_tags_read_as_words(site: Path) -> None:
    assert tag_words("cbt") == "CBT"
    assert tag_words("cbt-i") == "CBT-I"
    assert tag_words("behavioural-activation") == "Behavioural activation"
    assert tag_words("cbt.thought-record") == "CBT thought record"
    index = (site / "index.html").read_text(encoding="utf-8")
    cells = re.findall(r'<td data-label="Kind of practice">(.*?)</td>', index, re.S)
    assert cells
    text = " ".join(cells)
    assert "CBT" in text
    assert "Behavioural activation" in text
    for slug in ("cbt", "behavioural-activation", "self-monitoring", "thinking-traps"):
        assert not re.search(rf"(?<![\w-]){re.escape(slug)}(?![\w-])", text), slug


def test_filled_in_worksheets_beyond_the_instruments(site: Path) -> None:
    names = [p.name for p in (site / "responses").glob("*.html")]
    assert any(n.startswith("cbt.thought-record-") for n in names)
    assert any(n.startswith("physio.home-exercise-log-") for n in names)
    page = next((site / "responses").glob("cbt.thought-record-*.html")).read_text(encoding="utf-8")
    assert "Synthetic example: managers ask to talk" in page  # the shown conditional answer

"""PDF handouts: the print-first HTML page laid out by WeasyPrint (the optional ``pdf`` extra).

The PDF is the same page a browser prints (its ``@media print`` CSS: every option with a tick
box, scales to circle, writing rows, conditions in words, no interactive chrome). WeasyPrint runs
no JavaScript, so nothing printed may depend on it. Nothing is fetched while laying out: pages
link no resources except ``data:`` URLs, so a worksheet cannot make the PDF read a file or the
network. The same input gives the same bytes (no creation date, a fixed document identifier).
"""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["PAPER_SIZES", "PdfUnavailable", "html_to_pdf", "layout", "pdf_available"]

PAPER_SIZES: dict[str, str] = {"a4": "A4", "letter": "letter"}

INSTALL_HINT = "PDF output needs WeasyPrint: pip install 'worksheetkit[pdf]'"

# Added to the page's own print CSS: the paper, and no page break inside a question or a
# table row (the print CSS asks for this too; repeated here so the PDF never depends on it).
_PAGE_CSS = """
@page {{ size: {size} !important; }}
.wk-item, .wk-table tr, .wk-rank, .wk-option, .wk-print-scale-wrap, .wk-alerts,
.wk-review-entry {{ break-inside: avoid !important; }}
.wk-table thead {{ display: table-header-group !important; }}
/* A table question may run over pages (row by row), or a long table leaves a blank page. */
.wk-item--table {{ break-inside: auto !important; }}
"""


class PdfUnavailable(RuntimeError):
    """WeasyPrint (the ``pdf`` extra) is not installed or its system libraries are missing."""


def pdf_available() -> bool:
    """True when WeasyPrint and the Pango libraries it needs can be loaded."""
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def _weasyprint() -> Any:
    try:
        import weasyprint  # type: ignore[import-untyped,unused-ignore]
        import weasyprint.urls  # type: ignore[import-untyped,unused-ignore]
    except (ImportError, OSError) as exc:  # OSError: Pango/HarfBuzz shared libraries missing
        raise PdfUnavailable(INSTALL_HINT) from exc
    return weasyprint


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """URL fetcher for WeasyPrint before 66 (a function): only ``data:`` URLs, nothing else."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher  # type: ignore[import-untyped,unused-ignore]

        result: dict[str, Any] = default_url_fetcher(url)
        return result
    raise ValueError("worksheetkit PDFs load nothing from files or the network")


def _fetcher(weasyprint: Any) -> Any:
    """What may be loaded while laying out: inline ``data:`` URLs only (no files, no network)."""
    fetcher_class = getattr(weasyprint.urls, "URLFetcher", None)
    if fetcher_class is not None:  # WeasyPrint 66+: a fetcher object with allowed protocols
        return fetcher_class(allowed_protocols={"data"}, allow_redirects=False)
    return _no_fetch


def layout(html: str, *, paper: str = "a4") -> Any:
    """The page laid out on paper (a WeasyPrint ``Document``: its pages and boxes)."""
    if paper not in PAPER_SIZES:
        raise ValueError(f"unknown paper {paper!r}; use one of: {', '.join(PAPER_SIZES)}")
    weasyprint = _weasyprint()
    import logging

    # WeasyPrint logs each refused URL and each screen-only CSS property it skips; the printed
    # page is right without them, and a clinician running `render --to pdf` need not see them.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    css = weasyprint.CSS(string=_PAGE_CSS.format(size=PAPER_SIZES[paper]))
    page = weasyprint.HTML(string=html, url_fetcher=_fetcher(weasyprint), base_url=None)
    return page.render(stylesheets=[css])


def html_to_pdf(html: str, *, paper: str = "a4") -> bytes:
    """Lay out a standalone HTML page (from :func:`worksheetkit.render`) as PDF bytes."""
    document = layout(html, paper=paper)
    # A fixed identifier derived from the content: same page and paper, same bytes.
    identifier = hashlib.sha256(f"{paper}\n{html}".encode()).hexdigest()[:32].encode("ascii")
    pdf: bytes = document.write_pdf(pdf_identifier=identifier)
    return pdf

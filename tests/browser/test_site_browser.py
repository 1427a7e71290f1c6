"""Every page of the demo site opens from file://, with zero axe WCAG 2.1 A/AA violations and
zero Nu HTML Checker errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from worksheetkit.site import build_site

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"

pytestmark = pytest.mark.browser


def describe_violations(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {v['id']} ({v.get('impact')}): {v.get('help')} — "
        + "; ".join(str(n.get("target")) for n in v.get("nodes", [])[:3])
        for v in violations
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(EXAMPLES, out)
    return out


def _site_pages(site: Path) -> list[Path]:
    # Worksheet forms and response views are checked by the renderer's suite; here the pages
    # the site adds (index, pathways), the reports, and one translated form and one response
    # with the site's links added.
    return [site / "index.html", *sorted((site / "pathways").glob("*.html")),
            *sorted((site / "reports").glob("*.html")),
            *sorted((site / "worksheets").glob("cbt.thought-record-*.es.html")),
            *sorted((site / "responses").glob("cbt.thought-record-*.html"))]  # fmt: skip


def test_site_pages_pass_axe(
    site: Path, page: Any, axe_violations: Callable[[Any], list[dict[str, Any]]]
) -> None:
    failures = []
    for path in _site_pages(site):
        page.goto(path.as_uri())
        violations = axe_violations(page)
        if violations:
            failures.append(f"{path.relative_to(site)}:\n{describe_violations(violations)}")
    assert not failures, "\n".join(failures)


def test_site_pages_pass_the_html_checker(
    site: Path, vnu_errors: Callable[[list[Path]], list[dict[str, Any]]]
) -> None:
    assert vnu_errors(_site_pages(site)) == []


def test_index_links_open(site: Path, page: Any) -> None:
    page.goto((site / "index.html").as_uri())
    links = page.locator("main a[href$='.html']")
    assert links.count() > 30
    first = links.first.get_attribute("href")
    page.goto((site / first).as_uri())
    assert page.locator("form").count() >= 1


@pytest.mark.parametrize("width", [320, 360, 768, 1280])
def test_index_fits_every_width(site: Path, page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto((site / "index.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Every worksheet link lies inside the viewport (nothing cut off at the right edge).
    boxes = page.locator("main a").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect()).map(r => [r.left, r.right])"
    )
    assert boxes
    assert all(left >= 0 and right <= width + 0.5 for left, right in boxes)
    # The site's way back sits at the top of a worksheet page, and is not printed.
    first = page.locator("main a[href^='worksheets/'][href$='.html']").first.get_attribute("href")
    page.goto((site / first).as_uri())
    back = page.locator("nav.wk-site-nav a[href='../index.html']")
    assert back.is_visible()
    page.emulate_media(media="print")
    assert not back.is_visible()
    page.emulate_media(media="screen")


@pytest.mark.parametrize("width", [320, 360, 768, 1280])
def test_every_site_page_fits_every_width(site: Path, page: Any, width: int) -> None:
    # The pathway plans, reports, translated form and filled-in views the site adds: none
    # scrolls sideways at any width a clinician or client reads them at.
    page.set_viewport_size({"width": width, "height": 900})
    wide = []
    for path in _site_pages(site):
        page.goto(path.as_uri())
        if page.evaluate("document.documentElement.scrollWidth") > width:
            wide.append(str(path.relative_to(site)))
    assert not wide, f"wider than {width} px: {wide}"

"""`worksheetkit site` / `make demo`: the static site of the example pack is complete and
works from file:// (every link relative and resolving)."""

from __future__ import annotations

import re
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from worksheetkit import load_pack
from worksheetkit.cli import cli
from worksheetkit.site import build_site

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HREF = re.compile(r'(?:href|src)="([^"]+)"')


@pytest.fixture
def site(examples_site: Path) -> Path:
    """The examples' site, built once per session without PDF handouts (tests/conftest.py);
    tests/test_site_nav.py checks the handouts on a site built with them."""
    return examples_site


def test_every_worksheet_has_form_printable_and_json(site: Path) -> None:
    pack = load_pack(EXAMPLES)
    for ws in pack.worksheets:
        stem = site / "worksheets" / f"{ws.id}-{ws.version}"
        for suffix in (".html", ".md", ".json"):
            assert stem.with_name(stem.name + suffix).is_file(), f"{stem.name}{suffix}"
        for lang in ws.languages or []:
            if lang != ws.language:
                assert stem.with_name(f"{stem.name}.{lang}.html").is_file()


def test_every_pathway_has_a_plan_and_a_calendar(site: Path) -> None:
    pack = load_pack(EXAMPLES)
    assert pack.pathways
    for pathway in pack.pathways:
        stem = site / "pathways" / f"{pathway.id}-{pathway.version}"
        page = stem.with_name(stem.name + ".html").read_text(encoding="utf-8")
        assert "Week by week" in page
        assert "Week 1:" in page
        for step in pathway.steps:  # titles and durations in words, never ids or ISO periods
            assert f"<td>{step.id}</td>" not in page
        assert not re.search(r"\bP\d+[DW]\b", page)
        assert "completed(" not in page
        calendar = icalendar.Calendar.from_ical(stem.with_name(stem.name + ".ics").read_bytes())
        assert any(c.name in ("VEVENT", "VTODO") for c in calendar.walk())


def test_sample_assignments_have_reports(site: Path) -> None:
    reports = sorted((site / "reports").glob("*.html"))
    assert reports, "no adherence reports were built from the synthetic sample data"
    for report in reports:
        assert report.with_suffix(".md").is_file()


def test_every_link_is_relative_and_resolves(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        for target in HREF.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("https://", "http://", "#", "data:")):
                continue
            assert not target.startswith(("/", "file:")), f"{page.name}: absolute link {target}"
            resolved = (page.parent / target.split("#")[0]).resolve()
            assert resolved.exists(), f"{page.relative_to(site)} links to missing {target}"


def test_build_is_deterministic(tmp_path: Path, site: Path, no_pdf: None) -> None:
    again = tmp_path / "again"
    build_site(EXAMPLES, again)
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_cli_site_refuses_a_folder_without_pack(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["site", str(tmp_path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "pack.yaml" in result.output


@pytest.mark.slow  # starts processes or lays out PDFs: seconds
def test_site_never_replaces_the_pack_or_foreign_folders(tmp_path: Path, no_pdf: None) -> None:
    import shutil

    from worksheetkit.site import SiteError

    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLES, pack)
    for out in (pack, pack / "site", tmp_path):
        with pytest.raises(SiteError):
            build_site(pack, out)
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(SiteError):
        build_site(pack, foreign)
    assert (pack / "pack.yaml").is_file()
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "keep"
    build_site(pack, tmp_path / "out")
    build_site(pack, tmp_path / "out")  # its own previous output is replaced


def test_ids_cannot_steer_files_outside_the_site(tmp_path: Path, no_pdf: None) -> None:
    import json as _json
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(EXAMPLES, pack)
    response = _json.loads((pack / "responses" / "phq-9-mild.json").read_text(encoding="utf-8"))
    response["id"] = "/../../../escaped"
    (pack / "responses" / "evil.json").write_text(_json.dumps(response), encoding="utf-8")
    out = tmp_path / "deep" / "out"
    build_site(pack, out)
    assert not list(tmp_path.glob("escaped*"))
    assert not list((tmp_path / "deep").glob("escaped*"))
    assert any("escaped" in p.name for p in (out / "responses").iterdir())

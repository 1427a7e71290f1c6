"""The compiled-template cache (rendering/_env.py): the same pages with or without it, a
changed template compiled again, a broken entry only costs a compile, and a folder another user
could write to is never used."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import worksheetkit as wk
from worksheetkit import _templates
from worksheetkit.rendering import _env, render

ROOT = Path(__file__).resolve().parent.parent
PHQ9 = ROOT / "examples" / "instruments" / "phq-9.yaml"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("WORKSHEETKIT_NO_CACHE", raising=False)
    _env._environment.cache_clear()
    yield tmp_path / "cache"
    _env._environment.cache_clear()


def _entries(home: Path) -> list[Path]:
    return sorted(home.glob("worksheetkit/templates-*/__jinja2_*.cache"))


def test_pages_are_the_same_from_the_cache(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = wk.load(PHQ9, kind=wk.Worksheet)
    first = render(ws, "html")
    entries = _entries(cache_home)
    assert entries, "rendering filled the cache"
    folder = entries[0].parent
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0
    _env._environment.cache_clear()  # a new process: templates come from the cache
    assert render(ws, "html") == first
    monkeypatch.setenv("WORKSHEETKIT_NO_CACHE", "1")
    _env._environment.cache_clear()
    assert _templates.cache_dir() is None
    assert render(ws, "html") == first


def test_a_changed_template_is_compiled_again(cache_home: Path, tmp_path: Path) -> None:
    ws = wk.load(PHQ9, kind=wk.Worksheet)
    own = tmp_path / "own"
    own.mkdir()
    source = (ROOT / "src/worksheetkit/rendering/templates/page.html.j2").read_text("utf-8")
    (own / "page.html.j2").write_text(source.replace("</body>", "<!-- one --></body>"))
    assert "<!-- one -->" in render(ws, "html", template_dir=own)
    (own / "page.html.j2").write_text(source.replace("</body>", "<!-- two --></body>"))
    _env._environment.cache_clear()
    page = render(ws, "html", template_dir=own)
    assert "<!-- two -->" in page
    assert "<!-- one -->" not in page


def test_a_broken_entry_costs_only_a_compile(cache_home: Path) -> None:
    ws = wk.load(PHQ9, kind=wk.Worksheet)
    first = render(ws, "html")
    for entry in _entries(cache_home):
        entry.write_bytes(entry.read_bytes()[:40])  # truncated inside its checksum
    _env._environment.cache_clear()
    assert render(ws, "html") == first


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_can_write_to_is_not_used(cache_home: Path) -> None:
    folder = _templates.cache_dir()
    assert folder is not None
    folder.chmod(0o777)
    assert _templates.cache_dir() is None
    folder.chmod(0o700)
    assert _templates.cache_dir() == folder


def test_no_cache_where_none_can_be_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.delenv("WORKSHEETKIT_NO_CACHE", raising=False)
    assert _templates.cache_dir() is None
    _env._environment.cache_clear()
    try:
        assert "<form" in render(wk.load(PHQ9, kind=wk.Worksheet), "html")
    finally:
        _env._environment.cache_clear()

"""Shared test fixtures: inline YAML helpers, paths, and the expensive set-up built once.

Reuse these instead of building the same thing again in a test module (tests/README.md says
what each costs):

- ``write``: write a dedented YAML/JSON text under ``tmp_path``; returns the path.
- ``examples_pack`` (session): ``load_pack(examples/)`` once. Read it, never change it; a
  test about loading itself calls ``load_pack`` (or copies the pack) on its own.
- ``phq9`` (session): the example PHQ-9 as ``load`` returns it. The model is frozen but its
  lists are not: a test that changes ``items`` loads its own copy.
- ``no_pdf``: site builds in this test leave the PDF handouts out (WeasyPrint laying out the
  examples' handouts takes ~25 s of CPU; only tests about PDFs should pay for it).
- ``examples_site`` (session): ``build_site(examples/)`` without PDF handouts, once. Read it,
  never write into it. ``examples_site_result`` is the ``SiteResult`` of that build.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# No per-example deadline anywhere (a loaded CI machine must not turn slowness into failures);
# in CI (CI=true) the examples are derandomized so a run is reproducible, while local runs keep
# exploring new examples.
settings.register_profile("worksheetkit", deadline=None, derandomize=bool(os.environ.get("CI")))
# `make test-fast` passes --hypothesis-profile=fast: every property test runs with a tenth of
# its examples (``strategies.examples``; tests without a count get 10). `make test` runs them all.
settings.register_profile("fast", parent=settings.get_profile("worksheetkit"), max_examples=10)
settings.load_profile("worksheetkit")

# Compiled templates are cached in the user's cache folder (docs/rendering.md): tests (and the
# command lines they start) use a folder of this run's own, never the developer's ~/.cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="worksheetkit-test-cache-")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PHQ9 = EXAMPLES / "instruments" / "phq-9.yaml"


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """write("name.yaml", "yaml text") → the path, text dedented."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


def _leave_pdfs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every PDF path goes through ``rendering._pdf._weasyprint``: make it say "not installed"
    (``pdf_available()`` is then False, so ``site`` writes no handouts and notes why)."""
    from worksheetkit.rendering import _pdf

    def missing() -> None:
        raise _pdf.PdfUnavailable(_pdf.INSTALL_HINT)

    monkeypatch.setattr(_pdf, "_weasyprint", missing)
    assert not _pdf.pdf_available()


@pytest.fixture
def no_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Site builds without PDF handouts: laying out takes seconds and is not under test."""
    _leave_pdfs_out(monkeypatch)


@pytest.fixture(scope="session")
def examples_pack() -> Any:
    """The examples pack, loaded once for the session (a ``LoadedPack``; do not change it).
    Code that cannot take a fixture calls ``shared.examples_pack()``: the same object."""
    import shared

    return shared.examples_pack()


@pytest.fixture(scope="session")
def phq9() -> Any:
    """examples/instruments/phq-9.yaml as ``load`` gives it, shared: never change its lists.
    ``load`` of a file in a pack reads the whole pack, so this saves a pack load per use."""
    from worksheetkit import Worksheet, load

    return load(PHQ9, kind=Worksheet)


@pytest.fixture(scope="session")
def examples_site_result(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``build_site(examples/)`` without PDF handouts, built once: its ``SiteResult``."""
    from worksheetkit.site import build_site

    out = tmp_path_factory.mktemp("examples-site") / "site"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _leave_pdfs_out(monkeypatch)
        return build_site(EXAMPLES, out)


@pytest.fixture(scope="session")
def examples_site(examples_site_result: Any) -> Path:
    """The folder of the examples' site without PDF handouts, built once."""
    out: Path = examples_site_result.out
    return out


def pytest_addoption(parser: pytest.Parser) -> None:
    # Registered here (the root conftest) so it works however the tests are selected.
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files under tests/golden/ from the current output",
    )

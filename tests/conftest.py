"""Shared test fixtures: inline YAML helpers and paths."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

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

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """write("name.yaml", "yaml text") → the path, text dedented."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


def pytest_addoption(parser: pytest.Parser) -> None:
    # Registered here (the root conftest) so it works however the tests are selected.
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files under tests/golden/ from the current output",
    )

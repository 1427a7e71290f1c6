"""Golden-file options: ``--update-golden`` (or ``UPDATE_GOLDEN=1``) rewrites the files."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files from the current output instead of comparing.",
    )

"""Expensive values built once per test session, for code that cannot take a fixture (helpers
called at import time for ``parametrize``, ``@cache`` functions): ``from shared import
examples_pack``. Tests take the fixtures of the same name in tests/conftest.py.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from worksheetkit.validation import LoadedPack, load_pack

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@cache
def examples_pack() -> LoadedPack:
    """``load_pack(examples/)``, once: about 0.3 s of CPU each time. Shared: read it, never
    change it (a test about loading calls ``load_pack`` itself)."""
    return load_pack(EXAMPLES)

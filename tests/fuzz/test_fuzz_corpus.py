"""Every fuzz corpus file through its target, without atheris: the corpora run in CI.

A corpus input that crashes here is a regression; fuzz_targets.py says what counts as a crash
(any exception but the documented ones, a diagnostic without a location, an answer quoted in a
message, a canonical JSON that does not load back to the same worksheet).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz_targets import CORPUS, TARGETS

INPUTS = [
    pytest.param(name, path, id=f"{name}/{path.name}")
    for name in sorted(TARGETS)
    for path in sorted((CORPUS / name).iterdir())
    if path.is_file()
]


def test_every_target_has_a_seed_corpus() -> None:
    for name in TARGETS:
        seeds = [p for p in (CORPUS / name).iterdir() if p.name.startswith("seed-")]
        assert len(seeds) >= 10, name


@pytest.mark.parametrize(("name", "path"), INPUTS)
def test_corpus_input_runs_clean(name: str, path: Path) -> None:
    TARGETS[name](path.read_bytes())

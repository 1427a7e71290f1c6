"""Evidence-based lint: warnings (``WL###``) about homework that is unlikely to get done.

``validate`` says whether a document is *correct*; ``lint`` says whether it is likely to
*work*: a stated rationale, a realistic length, plain words, a concrete schedule, a question
about what got in the way. Each rule and the research behind it is described in docs/lint.md.

Python::

    from worksheetkit.lint import lint
    for d in lint("examples"):
        print(d.format())
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..codes import Code
from ..errors import Diagnostic
from .config import DEFAULT_AVOID_WORDS, SETTINGS, LintConfig
from .engine import LintRun, lint_paths
from .registry import RULES, Rule, rule_code
from .translations import StampSuggestion, source_hash, suggest_stamps

__all__ = [
    "DEFAULT_AVOID_WORDS",
    "RULES",
    "SETTINGS",
    "LintConfig",
    "LintRun",
    "Rule",
    "StampSuggestion",
    "lint",
    "lint_pack",
    "lint_paths",
    "rule_code",
    "source_hash",
    "stamp_translations",
    "suggest_stamps",
]


def lint(
    *paths: str | os.PathLike[str], config: Mapping[str, Any] | None = None
) -> list[Diagnostic]:
    """Validate, then lint, files and folders; every diagnostic, sorted. Never raises for
    content problems.

    Files that have validation errors are reported with those (``WK`` codes) and not linted.
    ``config`` takes the same settings as ``lint:`` in ``pack.yaml`` and is layered over it;
    a wrong setting raises ``ValueError``.
    """
    return lint_paths(*paths, config=config).diagnostics


def lint_pack(
    folder: str | os.PathLike[str], config: Mapping[str, Any] | None = None
) -> list[Diagnostic]:
    """Lint every document of a pack folder."""
    if not Path(folder).is_dir():
        raise FileNotFoundError(f"not a folder: {folder}")
    return lint_paths(folder, config=config).diagnostics


def stamp_translations(path: str | os.PathLike[str]) -> list[StampSuggestion]:
    """The translation stamps a file is missing or has out of date. Nothing is written.

    Raises ``OSError`` when the file cannot be read, and ``ValueError`` when it is not YAML
    or JSON that worksheetkit can read.
    """
    from ..validation import _read

    doc = _read(Path(path), str(path))
    if doc.data is None:
        first = next((d for d in doc.diagnostics if d.severity == "error"), None)
        if first is not None and first.code == Code.WK001:
            raise OSError(first.message)
        raise ValueError(first.format() if first else f"{path} could not be read")
    return suggest_stamps(doc)

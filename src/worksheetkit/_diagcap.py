"""At most :data:`MAX_PER_FILE` diagnostics per file, then one closing "N more problems" line.

A file with thousands of problems would bury the first ones (which are usually the cause of the
rest) and make every report slow to write and read. After the first ``MAX_PER_FILE`` problems of
one file (in the usual order: line, column, code), the rest are replaced by a single WK099
diagnostic at the first hidden problem. Its severity is the worst hidden one, so a hidden error
still fails the run (exit status 1), and it says how many errors and warnings it stands for
(``hidden``, ``hidden_errors`` in JSON).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from .codes import Code
from .errors import Diagnostic, HiddenProblems

MAX_PER_FILE: Final = 200
CODE: Final = Code.WK099


def _closing(hidden: list[Diagnostic]) -> HiddenProblems:
    first = hidden[0]
    errors = sum(1 for d in hidden if d.severity == "error")
    warnings = len(hidden) - errors
    parts = []
    if errors:
        parts.append(f"{errors:,} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings:,} warning{'s' if warnings != 1 else ''}")
    return HiddenProblems(
        code=CODE,
        message=f"{len(hidden):,} more problem{'s' if len(hidden) != 1 else ''} in this file "
        f"not shown ({' and '.join(parts)}), from here on.",
        severity="error" if errors else "warning",
        hint=f"Only the first {MAX_PER_FILE} problems of a file are listed; fix those and "
        "validate again.",
        file=first.file,
        line=first.line,
        column=first.column,
        path=first.path,
        hidden=len(hidden),
        hidden_errors=errors,
    )


def cap_per_file(diagnostics: Iterable[Diagnostic], limit: int = MAX_PER_FILE) -> list[Diagnostic]:
    """Keep the first ``limit`` diagnostics of each file (in the given order), then close.

    Diagnostics that already close a file (from an earlier cap) are kept as they are.
    """
    kept: list[Diagnostic] = []
    hidden: dict[str | None, list[Diagnostic]] = {}
    counts: dict[str | None, int] = {}
    for d in diagnostics:
        n = counts.get(d.file, 0)
        if n < limit or isinstance(d, HiddenProblems):
            counts[d.file] = n + (0 if isinstance(d, HiddenProblems) else 1)
            kept.append(d)
        else:
            hidden.setdefault(d.file, []).append(d)
    if not hidden:
        return kept
    kept.extend(_closing(rest) for rest in hidden.values())
    return sorted(kept, key=Diagnostic.sort_key)


def totals(diagnostics: Iterable[Diagnostic]) -> tuple[int, int, int]:
    """(errors, warnings, hidden): every problem found, counting those behind closing lines."""
    errors = warnings = hidden = 0
    for d in diagnostics:
        if isinstance(d, HiddenProblems):
            errors += d.hidden_errors
            warnings += d.hidden - d.hidden_errors
            hidden += d.hidden
        elif d.severity == "error":
            errors += 1
        else:
            warnings += 1
    return errors, warnings, hidden


__all__ = ["CODE", "MAX_PER_FILE", "HiddenProblems", "cap_per_file", "totals"]

"""'Did you mean …?': the closest known name to a misspelt one, in bounded work.

One helper for every hint (unknown keys, ids, functions, presets, templates). It uses rapidfuzz
(C speed, one pass over the candidates, cut off below a similarity of 60 — the 0.6 that
difflib used) and a **comparison budget**: inside :func:`suggestion_budget` (one per document,
one per response) at most ``comparisons`` candidate names are compared in total. When the
budget is spent the remaining problems are still reported, only without a suggestion, so a file
with thousands of misspellings costs at most ``budget`` comparisons instead of
misspellings × names.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, KeysView, Mapping, Set
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

MAX_WORD: Final = 64  # a longer "name" is not a misspelling of an id or key
CUTOFF: Final = 60.0  # similarity 0–100 (indel ratio), the 0.6 difflib used
BUDGET: Final = 500_000  # candidate comparisons per document or response (~0.1 s)

_budget: ContextVar[list[int] | None] = ContextVar("worksheetkit_suggestions", default=None)


@contextmanager
def suggestion_budget(comparisons: int = BUDGET) -> Iterator[None]:
    """Bound the did-you-mean work of everything inside; a nested scope shares the outer one."""
    if _budget.get() is not None:
        yield
        return
    token = _budget.set([comparisons])
    try:
        yield
    finally:
        _budget.reset(token)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word``, or None when none is close or the budget is spent.

    Ties go to the first candidate in iteration order (sets are sorted first), so the answer is
    the same on every run.
    """
    left = _budget.get()
    if not word or len(word) > MAX_WORD or (left is not None and left[0] <= 0):
        return None
    pool: Collection[str]
    if isinstance(candidates, Mapping):
        pool = candidates.keys()  # rapidfuzz would match a mapping's values
    elif isinstance(candidates, Collection):
        pool = candidates
    else:
        pool = list(candidates)
    size = len(pool)
    if size == 0:
        return None
    if left is not None:
        if left[0] < size:
            return None  # too many names for what is left; smaller lists may still fit
        left[0] -= size
    if isinstance(pool, Set) and not isinstance(pool, KeysView):
        pool = sorted(pool)  # a set's order changes from run to run
    # Imported by the first hint, not with this module: most runs have nothing misspelt, and
    # rapidfuzz's 47 modules are about 0.01 s of every command's start-up (2026-12-04).
    from rapidfuzz import fuzz, process

    match = process.extractOne(word, pool, scorer=fuzz.ratio, score_cutoff=CUTOFF)
    if match is None:
        return None
    return str(match[0])


__all__ = ["BUDGET", "did_you_mean", "suggestion_budget"]

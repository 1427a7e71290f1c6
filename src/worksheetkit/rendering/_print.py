"""What a printed handout needs that the screen form does not: writing lines, scales to circle,
enough table rows, and the few words that go with them (en/es; English for the others).

The screen form carries this markup hidden (``wk-print-only``); ``@media print`` shows it and
hides the interactive chrome, so one HTML page is both the form and the handout.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from ..model import Rating, Table, TextItem
from ._strings import Words

WORDS: dict[str, Words] = {
    language: Words(words)
    for language, words in {
        "en": {
            "circle_one": "Circle one number.",
            "tick_one": "Tick one.",
            "tick_any": "Tick all that apply.",
            "rank_print": "Write 1 next to the most important, then 2, and so on.",
            "not_answered_yet": "Not answered yet: move the slider or type a number.",
            "media_print": "Watch or listen at:",
        },
        "es": {
            "circle_one": "Rodea un número con un círculo.",
            "tick_one": "Marca una.",
            "tick_any": "Marca todas las que correspondan.",
            "rank_print": "Escribe 1 junto a lo más importante, luego 2, y así sucesivamente.",
            "not_answered_yet": "Aún sin responder: mueve el control o escribe un número.",
            "media_print": "Puedes verlo o escucharlo en:",
        },
    }.items()
}

#: A printed scale shows every step up to this many marks, else this many evenly spaced ones.
MAX_MARKS = 21
SPACED_MARKS = 11
DEFAULT_TABLE_ROWS = 5


def print_words(language: str) -> Words:
    return WORDS.get(language) or WORDS.get(language.split("-")[0].lower()) or WORDS["en"]


def text_lines(item: TextItem) -> int:
    """Writing lines for a text answer: more for long answers, at least one."""
    if item.multiline:
        if item.max_length is None:
            return 5
        return max(3, min(8, math.ceil(item.max_length / 150)))
    if item.max_length is None:
        return 1
    return max(1, min(3, math.ceil(item.max_length / 100)))


def table_rows(item: Table) -> int:
    """Rows of a printed table: ``print_rows``, else enough for ``min_rows`` and the pre-filled
    rows and at least five; never more than ``max_rows``."""
    filled = len(item.default or [])
    if item.print_rows is not None:
        rows = max(item.print_rows, filled)
    else:
        rows = max(DEFAULT_TABLE_ROWS, item.min_rows, filled)
    if item.max_rows is not None:
        rows = min(rows, max(item.max_rows, filled))
    return max(rows, 1)


def scale_marks(item: Rating) -> list[str]:
    """The numbers of a rating to circle on paper (every step, or 11 evenly spaced ones)."""
    return list(_marks(item.min, item.max, item.step))


# The marks depend on the three numbers alone and forms repeat a few scales (0–10, 0–100 by
# 10): worked out once per scale, not for each rating and table cell of every render (3 % of
# a 30-item render, 2026-12-04). ``typed``: 10 and 10.0 stay apart, as their marks may.
@lru_cache(maxsize=256, typed=True)
def _marks(low: float, high: float, step: float) -> tuple[str, ...]:
    if step <= 0 or high <= low:
        return (_num(low), _num(high))
    n = math.floor((high - low) / step + 1e-9) + 1
    if n <= MAX_MARKS:
        values = [low + k * step for k in range(n)]
    else:
        span = high - low
        values = []
        for k in range(SPACED_MARKS):
            raw = low + span * k / (SPACED_MARKS - 1)
            snapped = low + round((raw - low) / step) * step
            values.append(min(snapped, high))
        values = sorted(set(values))
    return tuple(_num(round(v, 10)) for v in values)


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

"""Facts about items that every layer asks: what an item stands for in expressions, the range
it scores in, and every item of a tree. One definition here; validation, responses, rendering
and FHIR read them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from .items import Choice, Likert, NumberItem, Rating, Section, item_options

#: What each item type stands for in expressions (``None``: it holds no answer). Keyed by
#: every item type; tests/test_dispatch.py keeps it complete.
SYMBOL_KINDS: Final[Mapping[str, str | None]] = {
    "note": None,
    "section": None,
    "text": "text",
    "number": "number",
    "yesno": "boolean",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "duration": "duration",
    "choice": "choice",
    "checklist": "list",
    "likert": "choice",
    "rating": "number",
    "ranking": "list",
    "table": "table",
    "media": None,
}


def symbol_kind(item: Any) -> str | None:
    """The expression type of an item's answer (``number``, ``text``, ``list`` …), or None
    for items that hold no answer (notes, sections, media) and for anything not an item."""
    kind = getattr(item, "type", None)
    return SYMBOL_KINDS.get(kind) if isinstance(kind, str) else None


def item_range(item: Any) -> tuple[float, float] | None:
    """Lowest and highest value an item can score, when it is numeric."""
    if isinstance(item, Rating):
        return float(item.min), float(item.max)
    if isinstance(item, NumberItem) and item.min is not None and item.max is not None:
        return float(item.min), float(item.max)
    if isinstance(item, Choice | Likert):
        values = [o.value for o in item_options(item)]
        nums = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if nums and len(nums) == len(values):
            return min(nums), max(nums)
    return None


def iter_items(items: Iterable[Any]) -> Iterator[Any]:
    """Every item of a tree, depth-first: a section, then the items inside it (table columns
    are not items of the tree; read ``table.columns``)."""
    for item in items:
        yield item
        if isinstance(item, Section):
            yield from iter_items(item.items)

"""How a response's values and keys are named without quoting them, and its numbers read.

Shared by the envelope reader (model/envelope.py), the answer checks (responses) and the
document loader: a value is named by its kind, never its content (answers and timestamps are
health data); a key written by a client appears in a path or a message only when it is a plain
name, else by its position (docs/responses.md, "Paths").
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

__all__ = ["finite", "named", "redacted_value", "segment", "shorten"]

_PLAIN_KEY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def redacted_value(value: Any) -> str:
    """How a value is named in a response's diagnostics: its kind, never its content (answers
    and timestamps are health data)."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of named values"
    return "a value"


def finite(value: Any) -> float | None:
    """The answer as a finite double, or None (booleans, text, NaN, ±Infinity, huge integers)."""
    if type(value) is int:
        if -(2**53) <= value <= 2**53:
            return float(value)
        try:
            number = float(value)
        except OverflowError:
            return None
        return number if math.isfinite(number) else None
    if type(value) is float:
        return value if math.isfinite(value) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError, TypeError):
        return None
    return number if math.isfinite(number) else None


def segment(key: Any, position: int) -> str:
    """``key`` as a path segment: itself when it is a plain name (the item-id grammar, either
    case, at most 64 characters), else ``#N``, its 1-based ``position`` among its object's keys.

    Keys are written by clients: a path never carries one that could hold a newline, a forged
    log line or 5,000 characters (docs/responses.md, "Paths").
    """
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
        return key
    return f"#{position}"


def named(key: Any, position: int) -> str:
    """How a message names a key: ``'q9'``, or ``#3`` when it is not a plain name."""
    part = segment(key, position)
    return part if part.startswith("#") else f"'{part}'"


def shorten(key: Any, limit: int = 40) -> str:
    """A key for a message: printable characters only, at most ``limit`` of them."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(key)[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"

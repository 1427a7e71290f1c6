"""Paths of response diagnostics back to the keys they name, to find them in a file."""

from __future__ import annotations

from typing import Any

__all__ = ["resolve_positions"]


def resolve_positions(parts: tuple[str | int, ...], data: Any) -> tuple[str | int, ...]:
    """Paths name a key that is not a plain name by its position (``#3``, 1-based, see
    docs/responses.md): turn those back into the real keys to find them in the text."""
    out: list[str | int] = []
    node = data
    for part in parts:
        if (
            isinstance(part, str)
            and part.startswith("#")
            and part[1:].isascii()
            and part[1:].isdigit()
        ):
            keys = list(node) if isinstance(node, dict) else []
            index = int(part[1:]) - 1
            if not 0 <= index < len(keys):
                return tuple(out)
            part = keys[index]
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)

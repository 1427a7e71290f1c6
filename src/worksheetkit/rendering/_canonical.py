"""Canonical JSON: the resolved document, defaults applied, in model field order."""

from __future__ import annotations

import json
import math
from typing import Any

from ..model import Model, Worksheet

# Template-authoring keys: after ``extends`` is resolved they say nothing, so they are left out
# when empty (they load back to the same empty defaults).
_RESOLVED_AWAY = ("extends", "remove", "change", "add")


def _normalise(value: Any) -> Any:
    """Whole floats print as integers ("0" not "0.0") in keys: a JSON object key is always a
    string, and loading "0.0" back would turn into a different key text on the next render."""
    if isinstance(value, dict):
        return {_key(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("documents cannot hold NaN or infinite numbers")
    return value


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def canonical_data(document: Model) -> dict[str, Any]:
    data = document.model_dump(mode="python", by_alias=True, exclude_none=True)
    if isinstance(document, Worksheet):
        for key in _RESOLVED_AWAY:
            if key in data and not data[key]:
                del data[key]
    dumped = json.loads(
        json.dumps(_normalise(data), default=_default, ensure_ascii=False, allow_nan=False)
    )
    assert isinstance(dumped, dict)
    return dumped


def _default(value: Any) -> Any:
    iso = getattr(value, "isoformat", None)
    if iso is not None:
        return iso()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def canonical_json(document: Model) -> str:
    """Two-space indented UTF-8 JSON ending in a newline; the key order is the model's field
    order (never sorted: authors order items, options and columns on purpose)."""
    return json.dumps(canonical_data(document), ensure_ascii=False, indent=2) + "\n"

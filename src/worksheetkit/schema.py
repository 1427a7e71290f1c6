"""Published JSON Schemas (Draft 2020-12), generated from the models."""

from __future__ import annotations

import json
from typing import Any

from .model import KINDS, MODELS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://schemas.worksheetkit.org/v1/"


# pydantic writes the bounds of a union (``Annotated[int | float, Field(gt=0)]``) under its own
# names; Draft 2020-12 spells them differently and a strict validator refuses unknown keywords.
_BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}
_NUMERIC = ("integer", "number")


def _standard(node: Any) -> Any:
    """``node`` with only Draft 2020-12 keywords: pydantic's ``gt``/``ge``/``lt``/``le`` become
    ``exclusiveMinimum``/``minimum``/… on every numeric branch, and ``discriminator`` (an OpenAPI
    keyword) is dropped: the ``oneOf`` it annotates already tells the branches apart by the
    ``const`` on ``type``."""
    if isinstance(node, list):
        return [_standard(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _standard(v) for k, v in node.items() if k != "discriminator"}
    bounds = {_BOUNDS[k]: out.pop(k) for k in list(out) if k in _BOUNDS}
    if bounds:
        branches = out.get("anyOf")
        if out.get("type") in _NUMERIC:
            out.update(bounds)
        elif branches and all(b.get("type") in _NUMERIC for b in branches):
            out["anyOf"] = [{**b, **bounds} for b in branches]
        else:  # pragma: no cover - a model change the generator does not know yet
            raise ValueError(f"cannot place bounds {sorted(bounds)} in a JSON Schema")
    return out


def schema_id(kind: str) -> str:
    return f"{BASE_ID}{kind}.json"


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one document kind (worksheet, pathway, pack, assignment, response)."""
    if kind not in MODELS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    schema = _standard(MODELS[kind].model_json_schema(by_alias=True, mode="validation"))
    out: dict[str, Any] = {"$schema": DIALECT, "$id": schema_id(kind)}
    out.update(schema)
    out["title"] = f"worksheetkit {kind}"
    if kind == "worksheet":
        # `kind` may be left out of a worksheet (DESIGN §1); it is required on the others.
        out.get("required", []).sort()
    return out


def schema_text(kind: str) -> str:
    """Stable bytes: sorted keys, two-space indent, trailing newline."""
    return json.dumps(json_schema(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

"""Published JSON Schemas (Draft 2020-12), generated from the models."""

from __future__ import annotations

import json
from typing import Any

from .model import KINDS, MODELS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://schemas.worksheetkit.org/v1/"


def schema_id(kind: str) -> str:
    return f"{BASE_ID}{kind}.json"


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one document kind (worksheet, pathway, pack, assignment, response)."""
    if kind not in MODELS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    schema = MODELS[kind].model_json_schema(by_alias=True, mode="validation")
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

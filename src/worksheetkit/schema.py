"""Published JSON Schemas (Draft 2020-12): the documents', generated from the models, and the
results' (``to_dict()`` of ``Occurrence``, ``ScoreResult``, ``AdherenceReport``, …)."""

from __future__ import annotations

import importlib
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


# -- results -------------------------------------------------------------------------------------


def _result_names() -> tuple[str, ...]:
    from ._result_schemas import RESULTS as table

    return tuple(table)


#: The published result names: ``worksheetkit schema NAME`` and :func:`result_schema`.
RESULTS: tuple[str, ...] = _result_names()


def result_schema_id(name: str) -> str:
    return f"{BASE_ID}results/{name}.json"


def result_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of one result's ``to_dict()``: ``diagnostic``,
    ``occurrence``, ``score``, ``response-check``, ``report``, ``plan``, ``diff``, … (see
    :data:`RESULTS`). Every object is closed, every key required: a dict with a key missing or
    added does not validate."""
    from ._result_schemas import RESULTS as table
    from ._result_schemas import build

    if name not in table:
        raise ValueError(f"unknown result {name!r}; expected one of {', '.join(RESULTS)}")
    out: dict[str, Any] = {"$schema": DIALECT, "$id": result_schema_id(name)}
    out["title"] = f"worksheetkit {name} (result)"
    out.update(build(name))
    return out


def result_type(name: str) -> type[Any]:
    """The class whose ``to_dict()`` :func:`result_schema` describes (``occurrence`` →
    ``Occurrence``); it has ``to_dict()``, ``to_json()`` and ``from_dict()``."""
    from ._result_schemas import RESULTS as table

    if name not in table:
        raise ValueError(f"unknown result {name!r}; expected one of {', '.join(RESULTS)}")
    module, _, attr = table[name][1].partition(":")
    found: type[Any] = getattr(importlib.import_module(module), attr)
    return found


def result_schema_text(name: str) -> str:
    """Stable bytes: sorted keys, two-space indent, trailing newline."""
    return json.dumps(result_schema(name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

"""The published JSON Schemas: generated from the models, valid Draft 2020-12, no drift."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from worksheetkit.loading.yamlsource import parse_text
from worksheetkit.model import KINDS
from worksheetkit.schema import schema_text

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
EXAMPLES = ROOT / "examples"


@pytest.mark.parametrize("kind", KINDS)
def test_published_schema_has_not_drifted(kind: str) -> None:
    published = (SCHEMAS / f"{kind}.json").read_text(encoding="utf-8")
    assert published == schema_text(kind), (
        f"schemas/{kind}.json is out of date: run `make schemas` and commit the result"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_draft_2020_12_with_id(kind: str) -> None:
    schema = json.loads((SCHEMAS / f"{kind}.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/{kind}.json")
    jsonschema.Draft202012Validator.check_schema(schema)


def _example_documents() -> list[Path]:
    return sorted(
        p for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()
    )


def _as_json(data: object) -> object:
    # What a YAML-aware editor or check-jsonschema sees: JSON types, string keys.
    return json.loads(json.dumps(data, default=str))


@pytest.mark.parametrize("path", _example_documents(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_every_example_is_accepted_by_its_schema(path: Path) -> None:
    parsed = parse_text(path.read_text(encoding="utf-8"), str(path))
    assert parsed.data is not None, parsed.diagnostics
    kind = parsed.data.get("kind", "pack" if path.name == "pack.yaml" else "worksheet")
    schema = json.loads((SCHEMAS / f"{kind}.json").read_text(encoding="utf-8"))
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(_as_json(parsed.data)),
        key=lambda e: list(e.absolute_path),
    )
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_examples_point_editors_at_the_schema() -> None:
    for path in _example_documents():
        if path.suffix == ".json":
            continue
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1].strip()).resolve()
        assert target.is_file(), f"{path}: schema line points at missing {target}"


def test_schema_rejects_what_the_model_rejects() -> None:
    schema = json.loads((SCHEMAS / "worksheet.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    base = {"worksheetkit": 1, "id": "a.b", "version": "1.0.0", "title": "T", "items": []}
    assert validator.is_valid(base)
    assert not validator.is_valid({**base, "colour": "red"})  # closed: unknown keys
    bad_item = {**base, "items": [{"type": "txt", "id": "x", "label": "X"}]}
    assert not validator.is_valid(bad_item)  # unknown item type
    assert not validator.is_valid({**base, "worksheetkit": 2})


# Every keyword of JSON Schema Draft 2020-12 (core, applicator, unevaluated, validation,
# meta-data, format-annotation, content). Anything else is refused by strict validators.
DRAFT_2020_12 = frozenset(
    [
        "$schema",
        "$id",
        "$ref",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$vocabulary",
        "$comment",
        "$defs",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "dependentSchemas",
        "prefixItems",
        "items",
        "contains",
        "properties",
        "patternProperties",
        "additionalProperties",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
        "type",
        "enum",
        "const",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "maxContains",
        "minContains",
        "maxProperties",
        "minProperties",
        "required",
        "dependentRequired",
        "title",
        "description",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "examples",
        "format",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
    ]
)
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMAS = [
    "not",
    "if",
    "then",
    "else",
    "items",
    "contains",
    "additionalProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
]


def _unknown_keywords(node: object, where: str = "#") -> list[str]:
    if not isinstance(node, dict):
        return []
    out = [f"{where}/{k}" for k in node if k not in DRAFT_2020_12]
    for key in _SUBSCHEMA_MAPS:
        for name, sub in node.get(key, {}).items():
            out += _unknown_keywords(sub, f"{where}/{key}/{name}")
    for key in _SUBSCHEMA_LISTS:
        for i, sub in enumerate(node.get(key, [])):
            out += _unknown_keywords(sub, f"{where}/{key}/{i}")
    for key in _SUBSCHEMAS:
        out += _unknown_keywords(node.get(key), f"{where}/{key}")
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_schema_uses_only_draft_2020_12_keywords(kind: str) -> None:
    schema = json.loads((SCHEMAS / f"{kind}.json").read_text(encoding="utf-8"))
    assert _unknown_keywords(schema) == []


def test_walker_finds_pydantic_keywords() -> None:
    sample = {"properties": {"x": {"anyOf": [{"type": "number"}], "gt": 0}}, "discriminator": {}}
    assert _unknown_keywords(sample) == ["#/discriminator", "#/properties/x/gt"]


def test_bounds_the_library_enforces_are_in_the_schema() -> None:
    worksheet = json.loads((SCHEMAS / "worksheet.json").read_text(encoding="utf-8"))
    assignment = json.loads((SCHEMAS / "assignment.json").read_text(encoding="utf-8"))
    base = {"worksheetkit": 1, "id": "a.b", "version": "1.0.0", "title": "T", "items": []}
    ws = jsonschema.Draft202012Validator(worksheet)
    assert ws.is_valid({**base, "estimated_minutes": 1440})
    assert ws.is_valid({**base, "estimated_minutes": 2.5})
    for minutes in (1e20, 1441, 0, -1):
        assert not ws.is_valid({**base, "estimated_minutes": minutes}), minutes
    rating = {"id": "r", "type": "rating", "label": "R", "step": 0}
    assert not ws.is_valid({**base, "items": [rating]})
    assert ws.is_valid({**base, "items": [{**rating, "step": 0.5}]})
    plan_doc = {
        "worksheetkit": 1,
        "kind": "assignment",
        "id": "a-1",
        "client": "c-1",
        "worksheet": "a.b@1",
        "start": "2026-12-01",
        "timezone": "Europe/London",
    }
    av = jsonschema.Draft202012Validator(assignment)
    assert av.is_valid({**plan_doc, "plan": {"confidence": 10}}), list(av.iter_errors(plan_doc))
    assert not av.is_valid({**plan_doc, "plan": {"confidence": 11}})
    assert not av.is_valid({**plan_doc, "plan": {"confidence": 10.5}})

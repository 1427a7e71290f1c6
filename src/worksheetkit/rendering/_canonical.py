"""Canonical JSON (the resolved document, defaults applied, in model field order) and the one
YAML writer of documents (``canonical_yaml``; ``worksheet_to_yaml`` for ``fhir import``)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import yaml

from ..loading.yamlsource import _WORDS as _READ_WORDS
from ..loading.yamlsource import _plain as _read_plain
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


# -- YAML ---------------------------------------------------------------------------------------
# One writer for documents as YAML text (``fhir import``, worksheet_to_yaml). libyaml's emitter
# (``CSafeDumper``) writes the same bytes as PyYAML's pure-Python one for the same representer
# (tests/test_fhir*.py and the golden files compare them), 3.3× faster: it was more than half of
# ``fhir import`` (issue 21). Without libyaml, the pure-Python dumper is used.
_Base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


_STR_TAG = "tag:yaml.org,2002:str"
# The first characters of the plain scalars some resolver types: PyYAML's (YAML 1.1) and the
# reader's (its words, numbers: a digit, a sign or a dot).
_TYPED_FIRST = frozenset(
    [k for k in yaml.SafeDumper.yaml_implicit_resolvers if k]
    + [w[0] for w in _READ_WORDS if w]
    + list("0123456789+-.")
)


class _ReadBack:
    """Texts that worksheetkit's reader would type otherwise are quoted.

    PyYAML's resolver is YAML 1.1; worksheetkit reads YAML 1.2 (core schema), which also reads
    ``1e20``, ``1E3``, ``+.5e3`` and ``0o17`` as numbers, so PyYAML wrote these texts unquoted and
    they came back as numbers. A text is written plain only when the reader's own typing of a
    plain scalar (``loading.yamlsource._plain``, the one rule) gives the same text back: what
    this writer writes reads back as the data it was given (tests/test_canonical_yaml.py), which
    is what lets ``fhir import`` check the data instead of parsing its output again."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and (
            not implicit[0] or (value and value[0] not in _TYPED_FIRST)
        ):
            # The default tag asked for (PyYAML's answer too), or a text no resolver (PyYAML's
            # nor the reader's) types: most calls are decided here, without PyYAML's look-up
            # (resolving was 25 of the 290 ms of a profiled run of 26 imports, 2026-12-04).
            return _STR_TAG
        tag = super().resolve(kind, value, implicit)  # type: ignore[misc]
        typed = tag == _STR_TAG and implicit[0] and kind is yaml.ScalarNode and value
        if typed and _read_plain(value) != value:
            return "tag:yaml.org,2002:float"  # not the text's own tag: the emitter quotes it
        return tag


class _Dumper(_ReadBack, _Base):  # type: ignore[valid-type,misc]
    """Safe YAML with multi-line texts (instructions, notes) as readable ``|`` blocks."""

    def represent_data(self, data: Any) -> yaml.Node:
        """PyYAML's own representation, with plain dicts, lists and texts built here: the
        representer is Python even on libyaml, and its per-value dispatch (alias check, type
        look-up through the MRO, style guess) was a fifth of ``fhir import`` in-process.
        The nodes are the ones ``represent_dict``/``represent_list`` build when keys are not
        sorted and ``default_flow_style`` is set (a container met twice is the same node, so an
        anchor is written as before); everything else goes to PyYAML. Same bytes
        (tests/test_canonical_yaml.py); writing the 27 example worksheets took 199 ms with
        PyYAML's dispatch, 131 ms with this (2026-12-04)."""
        kind = type(data)
        if kind is str:
            self.alias_key = None  # as PyYAML's: a text is never an anchor
            return _str(self, data)
        if (kind is not dict and kind is not list) or self.sort_keys:
            return super().represent_data(data)  # type: ignore[no-any-return]
        flow = self.default_flow_style
        if flow is None:
            return super().represent_data(data)  # type: ignore[no-any-return]
        seen = self.represented_objects.get(id(data))
        if seen is not None:
            return seen  # type: ignore[no-any-return]
        self.object_keeper.append(data)
        if kind is dict:
            pairs: list[tuple[yaml.Node, yaml.Node]] = []
            node: yaml.Node = yaml.MappingNode(_MAP, pairs, flow_style=flow)
            self.represented_objects[id(data)] = node
            represent = self.represent_data
            for key, value in data.items():
                pairs.append((represent(key), represent(value)))
            return node
        items: list[yaml.Node] = []
        node = yaml.SequenceNode(_SEQ, items, flow_style=flow)
        self.represented_objects[id(data)] = node
        items.extend(map(self.represent_data, data))
        return node


_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


# Control characters but tab and newline, and the line breaks YAML readers fold (\r is among
# the controls): one regular-expression search instead of two generator passes per text
# (the representer was half of writing the YAML).
_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\x85\u2028\u2029]")


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if _ESCAPE.search(value):
        # YAML readers fold these line breaks; only a double-quoted escape keeps them exact.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value and not any(line != line.rstrip() for line in value.split("\n")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def canonical_yaml(data: dict[str, Any], *, pure_python: bool = False) -> str:
    """``data`` as YAML text in the order given: unicode as it is, lines up to 100 columns,
    multi-line texts as ``|`` blocks. ``pure_python`` uses PyYAML's own emitter (the same
    bytes, slower; for tests that compare the two)."""
    if not pure_python:
        text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        # libyaml escapes characters beyond the BMP (emoji) as \U…; PyYAML writes them as they
        # are. Such output (or a text that merely holds "\U") is written again the slow way.
        if "\\U" not in text:
            return text
    text = yaml.dump(data, Dumper=_PureDumper, sort_keys=False, allow_unicode=True, width=100)
    return text


class _PureDumper(_ReadBack, yaml.SafeDumper):
    """The same writer on PyYAML's pure-Python emitter."""


_PureDumper.add_representer(str, _str)


# -- a worksheet as YAML text ---------------------------------------------------------------------
_ITEM_ORDER = ("id", "type", "title", "label", "text", "kind", "url")


def _tidy(value: Any) -> Any:
    """Items read id, type, label first and show_if last; options collapse to bare values."""
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    if not isinstance(value, dict):
        return value
    keys = list(value)
    if "type" in value or "formula" in value:
        first = [k for k in _ITEM_ORDER if k in value]
        keys = first + [k for k in keys if k not in first and k != "show_if"]
        keys += ["show_if"] if "show_if" in value else []
    out = {k: _tidy(value[k]) for k in keys}
    if isinstance(out.get("options"), list):
        out["options"] = [
            o["value"]
            if isinstance(o, dict)
            and set(o) == {"value", "label"}
            and isinstance(o["value"], str)
            and o["label"] == o["value"]
            else o
            for o in out["options"]
        ]
    return out


def worksheet_yaml_data(worksheet: Worksheet) -> dict[str, Any]:
    """The data :func:`worksheet_to_yaml` writes (and the YAML text reads back as)."""
    data = worksheet.model_dump(mode="python", by_alias=True, exclude_defaults=True)
    data.pop("worksheetkit", None)
    data.pop("kind", None)
    return {"worksheetkit": 1, "kind": "worksheet", **_tidy(data)}


def worksheet_to_yaml(worksheet: Worksheet) -> str:
    """A worksheet as YAML text: defaults left out, keys in a stable, readable order."""
    return canonical_yaml(worksheet_yaml_data(worksheet))

"""Canonical JSON (the resolved document, defaults applied, in model field order) and the one
YAML writer of documents (``canonical_yaml``; ``worksheet_to_yaml`` for ``fhir import``)."""

from __future__ import annotations

import functools
import io
import json
import math
import re
import threading
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


def _text_style(value: str) -> str | None:
    """The style a text asks the emitter for (the emitter may still refuse it): the one rule
    of both writers, PyYAML's (``_str``) and the direct one (``_direct_yaml``)."""
    if _ESCAPE.search(value):
        # YAML readers fold these line breaks; only a double-quoted escape keeps them exact.
        return '"'
    if "\n" in value and not any(line != line.rstrip() for line in value.split("\n")):
        return "|"
    return None


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(_STR_TAG, value, style=_text_style(value))


_Dumper.add_representer(str, _str)


def canonical_yaml(data: dict[str, Any], *, pure_python: bool = False) -> str:
    """``data`` as YAML text in the order given: unicode as it is, lines up to 100 columns,
    multi-line texts as ``|`` blocks. ``pure_python`` uses PyYAML's own emitter (the same
    bytes, slower; for tests that compare the two)."""
    if not pure_python:
        direct = _direct_yaml(data)
        if direct is not None:
            return direct
    return _pyyaml_yaml(data, pure_python=pure_python)


def _pyyaml_yaml(data: Any, *, pure_python: bool = False) -> str:
    """``canonical_yaml`` by PyYAML's writer (libyaml's emitter unless ``pure_python``)."""
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


# -- the same bytes, written directly ------------------------------------------------------------
# PyYAML builds a node per value and libyaml calls back into Python to resolve each scalar's tag:
# writing the YAML was a quarter of `fhir import` (26 example imports: 14.6 of 66 ms; written
# directly 6.7-7.5 ms, 2026-12-05). ``_direct_yaml`` writes the block layout PyYAML's emitter gives these documents
# (mappings and sequences, indentless sequences in mappings, plain, single-quoted and literal
# texts) straight from the data. The decisions are not copied: the tag of each scalar comes
# from the writer's own resolver (``_ReadBack``), the style from PyYAML's emitter
# (``choose_scalar_style`` on its ``analyze_scalar``), asked for texts the short test
# ``_SIMPLE`` cannot settle. What it does not know (double quotes, empty or shared containers,
# long keys, numbers PyYAML tags explicitly, text beyond the BMP) makes it give up, and the
# PyYAML writer above writes the document. tests/test_canonical_yaml_direct.py proves the bytes
# equal (hypothesis, awkward cases and every example import, which must not give up).
class _Resolver(_ReadBack, yaml.resolver.Resolver):
    """The writer's resolver, as ``_Dumper`` has it."""


_RESOLVER = _Resolver()


_EMITTERS = threading.local()


def _emitter() -> yaml.emitter.Emitter:
    """PyYAML's emitter as ``canonical_yaml`` configures it, asked about one scalar at a time
    (one a thread: asking sets its state)."""
    emitter: yaml.emitter.Emitter | None = getattr(_EMITTERS, "emitter", None)
    if emitter is None:
        emitter = _EMITTERS.emitter = yaml.emitter.Emitter(
            io.StringIO(), allow_unicode=True, width=100
        )
    return emitter


_WIDTH = _emitter().best_width
_INDENT = _emitter().best_indent
_REPRESENTER = yaml.SafeDumper(io.StringIO())
# Texts the emitter certainly writes plain (when the resolver leaves them texts): no leading
# indicator, only printable characters and no line break, no ": " or " #", no trailing space
# or colon (checked beside it); and texts asking for a literal block that it certainly writes
# as one (printable lines). Anything else asks the emitter. tests/test_canonical_yaml.py checks
# both against ``analyze_scalar``.
# The printable characters (YAML's, as the emitter's analysis has them, with line breaks and
# text beyond the BMP left out) as the characters they are not: a class of a few ranges
# compiles in 0.3 ms, the same class as ranges of what is printable took 6 ms of every start.
_NOT_PRINTABLE = (
    "\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff"
)
_SIMPLE = re.compile(f"(?![-?:,\\[\\]{{}}#&*!|>'\"%@`. ])[^\n{_NOT_PRINTABLE}]+")
_BLOCK = re.compile(f"[^{_NOT_PRINTABLE}]+")
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")
_RUNS = re.compile(" +|[^ ]+")
_LONGEST_KEY = 64  # keys up to this many characters are simple keys for PyYAML and libyaml


class _GiveUp(Exception):
    """A document the direct writer does not know: PyYAML's writer takes it."""


def _simple(text: str) -> bool:
    return (
        _SIMPLE.fullmatch(text) is not None
        and text[-1] not in " :"
        and ": " not in text
        and " #" not in text
    )


def _style(tag: str, text: str, asked: str | None, key: bool) -> str:
    """The emitter's style for this scalar ('' plain, "'" or '|'), or give up."""
    if asked is None and tag == _STR_TAG and _simple(text):
        if _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == tag:
            return ""
    elif asked == "|" and not key and _BLOCK.fullmatch(text):
        return "|"
    if asked == '"' or _BEYOND_BMP.search(text):
        raise _GiveUp
    # Short scalars (numbers, true, short labels with a colon) recur across documents: their
    # answer is kept (the emitter's analysis was most of the writer's time on the examples).
    found = (_emitter_style_kept if len(text) <= 32 else _emitter_style)(tag, text, asked, key)
    if found is None:
        raise _GiveUp
    return found


def _emitter_style(tag: str, text: str, asked: str | None, key: bool) -> str | None:
    """PyYAML's emitter's style for the scalar, or None where the direct writer gives up."""
    implicit = (
        _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == tag,
        _RESOLVER.resolve(yaml.ScalarNode, text, (False, True)) == tag,
    )
    emitter = _emitter()
    emitter.event = yaml.ScalarEvent(None, None, implicit, text, style=asked)
    emitter.analysis = None
    emitter.simple_key_context = key
    style: str = emitter.choose_scalar_style()
    tagged = not (implicit[0] if style == "" else implicit[1])
    if tagged or style not in ("", "'", "|") or (style and "\n" in text and style != "|"):
        return None
    if key and style == "|":
        return None
    return style


_emitter_style_kept = functools.lru_cache(maxsize=1024)(_emitter_style)


def _folded(text: str, column: int, indent: int) -> str:
    """``text`` as the emitter writes it from ``column``: a single space, not first or last,
    met past the width becomes a new line at ``indent``."""
    if column + len(text) <= _WIDTH:
        return text
    out: list[str] = []
    last = len(text)
    for run in _RUNS.finditer(text):
        chunk = run.group()
        if chunk == " " and column > _WIDTH and run.start() and run.end() != last:
            out.append("\n" + " " * indent)
            column = indent
        else:
            out.append(chunk)
            column += len(chunk)
    return "".join(out)


def _text_of(value: Any, key: bool) -> tuple[str, str]:
    """A scalar's text and style (as ``_style``), from the representer's tag and text."""
    kind = type(value)
    if kind is str:
        tag, text, asked = _STR_TAG, value, _text_style(value)
    elif kind is bool or kind is int or kind is float or value is None:
        node = _REPRESENTER.represent_data(value)
        tag, text, asked = node.tag, node.value, None
    else:
        raise _GiveUp
    return text, _style(tag, text, asked, key)


def _literal(text: str, indent: int) -> str:
    hints = _emitter().determine_block_hints(text)
    if hints not in ("", "-"):
        raise _GiveUp  # kept ("+") or indented ("2") blocks are PyYAML's to write
    lines = text.split("\n")
    if not hints:
        lines.pop()  # the final line break
    pad = " " * indent
    return " |" + hints + "\n" + "".join(pad + line + "\n" if line else "\n" for line in lines)


def _written(text: str, style: str, column: int, indent: int) -> str:
    """A scalar after ``column`` (a mapping's ":" or a sequence's "-"), to the end of its line;
    ``indent`` is the scalar's own (its container's plus 2)."""
    if style == "":
        if column + 1 + len(text) > _WIDTH:
            text = _folded(text, column + 1, indent)
        return " " + text + "\n"
    if style == "'":
        return " '" + _folded(text.replace("'", "''"), column + 2, indent) + "'\n"
    return _literal(text, indent)


def _written_key(key: Any) -> str:
    text, style = _text_of(key, True)
    if len(text) > _LONGEST_KEY:
        raise _GiveUp  # a long key may be written as "? key"
    return (text if style == "" else "'" + text.replace("'", "''") + "'") + ":"


class _Direct:
    """One document written: the per-value work is a few dictionary look-ups (a document's
    keys and many of its values repeat)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.append = self.out.append
        self.seen: set[int] = set()
        self.keys: dict[str, str] = {}  # key → its written form, "key:"
        self.texts: dict[str, str] = {}  # text value → style
        self.others: dict[tuple[type, Any], tuple[str, str]] = {}  # other scalar → text, style

    def value(self, item: Any, indent: int, column: int, in_mapping: bool) -> None:
        """A mapping value or sequence item of the container at ``indent``, after ``column``."""
        kind = type(item)
        if kind is str:
            style = self.texts.get(item)
            if style is None:
                style = self.texts[item] = _text_of(item, False)[1]
            if style == "" and column + 1 + len(item) <= _WIDTH:
                self.append(" " + item + "\n")
            else:
                self.append(_written(item, style, column, indent + _INDENT))
        elif kind is dict or kind is list:
            self.append("\n" if in_mapping else " ")
            if kind is dict:
                self.mapping(item, indent + _INDENT, not in_mapping)
            else:  # PyYAML's sequences in mappings are not indented
                self.sequence(item, indent if in_mapping else indent + _INDENT, not in_mapping)
        else:
            found = self.others.get((kind, item))
            if found is None:
                found = self.others[(kind, item)] = _text_of(item, False)
            self.append(_written(*found, column, indent + _INDENT))

    def enter(self, data: dict[Any, Any] | list[Any]) -> None:
        if not data or id(data) in self.seen:
            raise _GiveUp  # written in flow style ({} or []), or an anchor and an alias
        self.seen.add(id(data))

    def mapping(self, data: dict[Any, Any], indent: int, inline: bool) -> None:
        """A block mapping at ``indent``; ``inline``: its first key follows "- "."""
        self.enter(data)
        append, keys, value = self.append, self.keys, self.value
        pad = " " * indent
        for key, item in data.items():
            if inline:
                inline = False
            else:
                append(pad)
            if type(key) is str:
                written = keys.get(key)
                if written is None:
                    written = keys[key] = _written_key(key)
            else:
                written = _written_key(key)
            append(written)
            value(item, indent, indent + len(written), True)

    def sequence(self, data: list[Any], indent: int, inline: bool) -> None:
        self.enter(data)
        append, value = self.append, self.value
        pad = " " * indent + "-"
        for item in data:
            if inline:
                inline = False
                append("-")
            else:
                append(pad)
            value(item, indent, indent + 1, False)


def _direct_yaml(data: Any) -> str | None:
    """``data`` as ``yaml.dump`` with ``_Dumper`` writes it, or None where it gives up."""
    if type(data) is not dict:
        return None
    direct = _Direct()
    try:
        direct.mapping(data, 0, False)
    except _GiveUp:
        return None
    return "".join(direct.out)


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

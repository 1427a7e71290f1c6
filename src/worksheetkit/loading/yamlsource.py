"""Safe YAML/JSON reading: data with a source map, hostile input turned into diagnostics.

The C composer gives every node its line and column; we build plain Python values from the
node tree ourselves. That is faster than PyYAML's constructor and is where we refuse tags,
duplicate keys, alias bombs and deep nesting before anything is expanded. Scalars follow the
YAML 1.2 core schema, so ``yes``/``no``/``on``/``off`` stay text and ``20:00`` is a time of day,
not the sexagesimal number 72000 of YAML 1.1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..codes import Code
from ..errors import Diagnostic

_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"

try:  # pragma: no cover - the C loader is a hard requirement in practice
    _Base: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc]
    """The C parser and composer, with untagged nodes left as plain str/seq/map.

    Scalars are typed afterwards by the YAML 1.2 core rules in ``_plain``; PyYAML's 1.1
    resolver would otherwise run a Python regex loop on every scalar.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


MAX_BYTES = 5 * 1024 * 1024
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")  # shown in WK004; others are not
MAX_DEPTH = 48
MAX_NODES = 200_000  # nodes visited, counting every alias expansion
#: UTF-8 bytes of text (scalars and keys) a document may expand to, counting every alias
#: expansion: four times the file's size, at least MIN_TEXT and at most MAX_TEXT
#: (``text_limit``). A file without aliases stays under it (its text is at most its size);
#: aliases repeating one long text (3,000 × 100 KB) would otherwise make hundreds of
#: megabytes, and a small file of nested aliases could still make 10 MB.
MAX_TEXT = 10 * 1024 * 1024
MIN_TEXT = 1024 * 1024


def text_limit(size: int) -> int:
    """The expanded-text budget of a document of ``size`` bytes."""
    return min(MAX_TEXT, max(MIN_TEXT, 4 * size))


def _utf8_len(text: str) -> int:
    # isascii() is O(1) for Python's compact strings; only other text is encoded to count it.
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


Path = tuple[str | int, ...]

_WORDS: dict[str, Any] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
}  # fmt: skip
_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(
    r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"
    r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
)
_STD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:value",
}


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a document stands in its file (1-based).

    Positions are looked up in the composed node tree only when a diagnostic needs one, so
    reading a clean document pays nothing for them.
    """

    file: str | None
    root: yaml.Node | None = None
    text: str = ""
    # Set on a copy that crossed a process boundary without its node tree (see __getstate__).
    _recompose: bool = field(default=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        # The parallel reader (validation._parallel) sends documents between processes. The
        # node tree is most of a pickled document (54 KB of a 58 KB thought record; pickling
        # it cost more than reading the file): send the text and compose it again in the
        # rare case a diagnostic needs a position.
        return {"file": self.file, "text": self.text, "composed": self._composed()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.file, self.text, self.root = state["file"], state["text"], None
        self._recompose = state["composed"]

    def _composed(self) -> bool:
        return self.root is not None or self._recompose

    def release(self) -> None:
        """Drop the node tree; it is composed again from the text if a position is needed.

        The tree is most of a document's memory (a 3.5 KB thought record: about 150 KB of
        nodes and marks against 20 KB for its data and model), so a reader that keeps many
        documents (``validate`` of a pack) releases each one once its own checks are done.
        """
        if self.root is not None:
            self.root = None
            self._recompose = True

    def _tree(self) -> yaml.Node | None:
        if self._recompose:
            self._recompose = False
            nodes = yaml.compose_all(self.text, Loader=_Loader)
            self.root = next((n for n in nodes if n is not None), None)
        return self.root

    def node_at(self, path: Path, *, key: bool = False) -> yaml.Node | None:
        """The node at ``path`` (or, with ``key``, the key node naming its last step)."""
        node = self._tree()
        for i, part in enumerate(path):
            if node is None:
                return None
            last = i == len(path) - 1
            if isinstance(node, yaml.MappingNode):
                found = None
                for key_node, value_node in _merged(node):
                    if isinstance(key_node, yaml.ScalarNode) and _key_matches(key_node, part):
                        found = key_node if (key and last) else value_node
                        break
                node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                node = node.value[part] if 0 <= part < len(node.value) else None
            else:
                return None
        return node

    def locate(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The nearest known position for ``path`` (walking up to its parents)."""
        p = tuple(path)
        while True:
            node = self.node_at(p, key=key) if p else self._tree()
            if node is not None:
                return node.start_mark.line + 1, node.start_mark.column + 1
            if not p:
                return (1, 1)
            p = p[:-1]

    def style(self, path: Path) -> str | None:
        node = self.node_at(path)
        return node.style if isinstance(node, yaml.ScalarNode) else None

    def block_position(self, path: Path, offset: int, value: str) -> tuple[int, int]:
        """Line and column of ``value[offset]`` inside a ``|`` or ``>`` block scalar."""
        line, _ = self.locate(path)
        lines = self.text.splitlines()
        first = line  # the indicator's line is 1-based ``line``; content starts on the next
        while first < len(lines) and not lines[first].strip():
            first += 1
        indent = len(lines[first]) - len(lines[first].lstrip(" ")) if first < len(lines) else 0
        before = value[:offset]
        row = first + before.count("\n")
        col = indent + (len(before) - (before.rfind("\n") + 1))
        return row + 1, col + 1

    def diagnostic(
        self,
        code: str,
        message: str,
        path: Path,
        *,
        hint: str | None = None,
        severity: str = "error",
        key: bool = False,
        position: tuple[int, int] | None = None,
    ) -> Diagnostic:
        line, column = position or self.locate(path, key=key)
        return Diagnostic(
            code=code,
            message=message,
            severity="warning" if severity == "warning" else "error",
            hint=hint,
            file=self.file,
            line=line,
            column=column,
            path=path,
        )


def _key_matches(key_node: yaml.ScalarNode, part: str | int) -> bool:
    raw = key_node.value
    if raw == part:
        return True
    if key_node.style:
        return False
    value = _plain(raw)
    return value == part and type(value) is type(part)


@dataclass
class Parsed:
    data: Any
    source: SourceMap
    diagnostics: list[Diagnostic]


def _diag(
    code: str, message: str, file: str | None, line: int, column: int, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(code=code, message=message, hint=hint, file=file, line=line, column=column)


def decode(raw: bytes, file: str | None) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8 (a BOM is accepted and dropped); anything else is a located diagnostic."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [
            _diag(
                Code.WK002,
                f"This file is not valid UTF-8 text (byte 0x{raw[exc.start]:02x} at byte "
                f"{exc.start}).",
                file,
                line,
                column,
                "Save the file as UTF-8 (most editors offer it under 'Save with encoding').",
            )
        ]


def parse_text(text: str, file: str | None = None) -> Parsed:
    """Compose one YAML (or JSON) document into plain data plus a source map."""
    source = SourceMap(file)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\\u" in text:
        text = _join_surrogates(text)
    source.text = text
    size = _utf8_len(text)
    if size > MAX_BYTES:
        return Parsed(
            None,
            source,
            [
                _diag(
                    Code.WK008,
                    f"This file is larger than the {MAX_BYTES // (1024 * 1024)} MB limit for one "
                    "document.",
                    file,
                    1,
                    1,
                    "Split it into several worksheets, or move long media transcripts elsewhere.",
                )
            ],
        )
    if "\x00" in text:
        before = text[: text.index("\x00")]
        line = before.count("\n") + 1
        return Parsed(
            None,
            source,
            [
                _diag(
                    Code.WK002,
                    "This file contains a NUL character, so it is not a text file.",
                    file,
                    line,
                    len(before) - (before.rfind("\n") + 1) + 1,
                    "Check that you picked the right file; re-save it as plain UTF-8 text.",
                )
            ],
        )
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return Parsed(
            None,
            source,
            [
                _diag(
                    Code.WK009,
                    "This file is empty.",
                    file,
                    1,
                    1,
                    "Start the file with 'worksheetkit: 1' and 'kind: worksheet'.",
                )
            ],
        )
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        return Parsed(None, source, [_syntax_diagnostic(exc, text, file)])
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml always gives marks
        return Parsed(None, source, [_diag(Code.WK003, f"YAML error: {exc}", file, 1, 1)])
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return Parsed(None, source, [_diag(Code.WK009, "This file is empty.", file, 1, 1)])
    if len(nodes) > 1:
        second = nodes[1].start_mark
        return Parsed(
            None,
            source,
            [
                _diag(
                    Code.WK011,
                    "This file holds more than one document (separated by '---').",
                    file,
                    second.line + 1,
                    second.column + 1,
                    "Put each worksheet, pathway or assignment in a file of its own.",
                )
            ],
        )
    builder = _Builder(source, text_limit=text_limit(size))
    data = builder.build(nodes[0])
    diagnostics = builder.diagnostics
    if builder.fatal:
        return Parsed(None, source, diagnostics)
    if not isinstance(data, dict):
        mark = nodes[0].start_mark
        what = "a list" if isinstance(data, list) else "a single value"
        diagnostics.append(
            _diag(
                Code.WK010,
                f"The top of this file is {what}; a worksheetkit document is a mapping of keys "
                "to values.",
                file,
                mark.line + 1,
                mark.column + 1,
                "Start the file with 'worksheetkit: 1' on its own line, then 'kind:', 'id:' …",
            )
        )
        return Parsed(None, source, diagnostics)
    return Parsed(data, source, diagnostics)


_SURROGATE_PAIR = re.compile(
    r"(?<!\\)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
)


def _join_surrogates(text: str) -> str:
    """JSON writers (Python's json.dumps among them) spell characters beyond the Basic
    Multilingual Plane — emoji — as two escapes, "\\ud83d\\ude00"; libyaml refuses them one by
    one. Join each pair into the one character it stands for."""

    def join(m: re.Match[str]) -> str:
        high, low = int(m.group(1), 16), int(m.group(2), 16)
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))

    return _SURROGATE_PAIR.sub(join, text)


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, text: str, file: str | None) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
        mark = exc.context_mark  # an unclosed quote or bracket: point at where it opened
    line = (mark.line + 1) if mark else 1
    column = (mark.column + 1) if mark else 1
    problem = (exc.problem or "syntax error").strip()
    lines = text.splitlines()
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in current[: max(column, len(current) - len(current.lstrip()))] or (
        "tab" in problem.lower()
    ):
        tab = current.find("\t")
        return _diag(
            Code.WK012,
            "A tab character is used for indentation; YAML only allows spaces.",
            file,
            line,
            (tab + 1) if tab >= 0 else column,
            "Replace the tab with spaces (two per level is usual). Most editors can show tabs.",
        )
    hint = "Check the indentation and the punctuation (':' after keys, '- ' before list entries)."
    previous = lines[line - 2] if 1 < line <= len(lines) + 1 else ""
    indent = len(current) - len(current.lstrip(" "))
    deeper = indent > len(previous) - len(previous.lstrip(" ")) and previous.strip() != ""
    if "mapping values are not allowed" in problem:
        if deeper and not previous.rstrip().endswith(":"):
            hint = (
                "This line is indented further than the one above: line it up with the keys "
                "of its item. (If the value contains ': ', put it in quotes.)"
            )
        else:
            hint = (
                "A value containing ': ' must be quoted, e.g. label: \"Note: this matters\"; "
                "otherwise check the indentation of this line."
            )
    elif "could not find expected ':'" in problem:
        hint = (
            "A key is missing its ':' (on this line or the one above), or a quoted text is "
            "not closed."
        )
    elif "while parsing a block mapping" in (exc.context or "") and "expected key" in problem:
        hint = (
            "This line is indented differently from the lines around it: items of a list start "
            "with '- ' at the same indentation, and their keys line up under the first one."
        )
    elif "flow mapping" in (exc.context or "") or "flow sequence" in (exc.context or ""):
        closer = "}" if "mapping" in (exc.context or "") else "]"
        hint = (
            f"Inside {{ }} or [ ], ': ' and ',' have special meanings: put text containing them "
            f'in quotes, e.g. label: "Looking back: did it happen?". Also check the closing '
            f"'{closer}' is there."
        )
    elif "found undefined alias" in problem or "found unknown escape" in problem:
        hint = "Quote the value, or remove the '*' / '\\' that YAML treats specially."
    elif "maximum nesting depth" in problem:
        return _diag(
            Code.WK007,
            "The document is nested too deeply.",
            file,
            line,
            column,
            f"Nest at most {MAX_DEPTH} levels; use sections and tables instead.",
        )
    context = f" {exc.context.strip()}" if exc.context else ""
    return _diag(Code.WK003, f"YAML syntax error: {problem}{context}.", file, line, column, hint)


def _plain(value: str) -> Any:
    """A plain (unquoted) scalar typed by the YAML 1.2 core schema."""
    if value in _WORDS:
        return _WORDS[value]
    first = value[0]
    if not (first.isdigit() or first in "+-."):
        return value
    if _INT.match(value):
        if len(value) > 4300:
            return value  # Python refuses to convert; the validator reports a wrong type
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value)
    if _FLOAT.match(value):
        low = value.lower()
        if low.endswith("inf"):
            return -math.inf if low.startswith("-") else math.inf
        if low.endswith("nan"):
            return math.nan
        return float(value)
    return value


class _Fatal(Exception):
    pass


class _Builder:
    """Plain values from the node tree: refuses tags, duplicate keys, alias bombs, depth."""

    def __init__(self, source: SourceMap, *, text_limit: int = MAX_TEXT) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.budget = MAX_NODES
        self.text_limit = text_limit
        self.text_budget = text_limit
        self.fatal = False
        # The top-level value being built: where an alias bomb is reported (the expansion
        # overflows deep inside shared nodes whose own marks point at their anchors).
        self.top_value: yaml.Node | None = None

    def _error(self, code: str, message: str, node: yaml.Node, hint: str) -> None:
        self.pending.append((code, message, node, hint))

    def build(self, node: yaml.Node) -> Any:
        self.source.root = node
        self.pending: list[tuple[str, str, yaml.Node, str]] = []
        try:
            return self._node(node, 0)
        except _Fatal:
            self.fatal = True
            return None
        finally:
            # Paths are worked out only for the (rare) problems, by finding their node.
            for code, message, bad, hint in self.pending:
                self.diagnostics.append(
                    Diagnostic(
                        code=code,
                        message=message,
                        hint=hint,
                        file=self.source.file,
                        line=bad.start_mark.line + 1,
                        column=bad.start_mark.column + 1,
                        path=_path_of(node, bad) or (),
                    )
                )

    def _node(self, node: Any, depth: int) -> Any:
        tag = node.tag
        cls = type(node)
        if cls is yaml.ScalarNode:
            value = node.value
            # _utf8_len inlined (see _mapping)
            self.text_budget -= len(value) if value.isascii() else _utf8_len(value)
            if self.text_budget < 0:
                self._too_much_text(node)
            if tag == _STR:
                return _plain(value) if not node.style else value
        else:
            self.budget -= len(node.value) + 1
            if self.budget < 0:
                self._error(
                    Code.WK006,
                    "This document expands to too many values (YAML aliases repeated inside "
                    "each other: a 'billion laughs' pattern).",
                    self.top_value or node,
                    "Write the values out, or use fewer '*alias' references.",
                )
                raise _Fatal
            if depth >= MAX_DEPTH:
                self._error(
                    Code.WK007,
                    "The document is nested too deeply.",
                    node,
                    f"Nest at most {MAX_DEPTH} levels; use sections and tables instead.",
                )
                raise _Fatal
            if cls is yaml.MappingNode:
                if tag == _MAP:
                    return self._mapping(node, depth)
            elif tag == _SEQ:
                return [self._node(child, depth + 1) for child in node.value]
        if tag in _STD_TAGS:
            # An explicit standard tag (!!str, !!int …): honour it as YAML 1.2 would.
            if cls is yaml.ScalarNode:
                return node.value if tag == _STR else _plain(node.value)
            if cls is yaml.MappingNode:
                return self._mapping(node, depth)
            return [self._node(child, depth + 1) for child in node.value]
        self._error(
            Code.WK005,
            f"The YAML tag '{_short_tag(tag)}' is not allowed; worksheetkit reads data only "
            "and never runs code.",
            node,
            "Remove the tag (the part starting with '!').",
        )
        # Keep going so other problems are reported; the value is treated as text.
        return str(node.value) if cls is yaml.ScalarNode else None

    def _too_much_text(self, node: yaml.Node) -> None:
        self._error(
            Code.WK006,
            f"This document expands to more than {self.text_limit:,} bytes of text (four "
            "times its size, at least 1 MiB, at most 10 MiB): YAML aliases ('*name') repeat "
            "the same text over and over.",
            self.top_value or node,
            "Write the text out once where it is needed, or use fewer '*alias' references "
            "to long texts.",
        )
        raise _Fatal

    def _merged_pairs(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node, bool]]:
        budget = [self.budget]
        try:
            pairs = list(_pairs(node, budget=budget))
        except _MergeBomb:
            self._error(
                Code.WK006,
                "This document expands to too many values ('<<' merge keys repeated inside "
                "each other).",
                self.top_value or node,
                "Write the values out, or use fewer '<<: *alias' merges.",
            )
            raise _Fatal from None
        self.budget = budget[0]
        return pairs

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, yaml.Node] | None = None
        # A loop, not any() over a generator, and the UTF-8 length inlined below: both run for
        # every mapping or value; together parse_text of a thought record went from 0.66 to
        # 0.60 × yaml.CSafeLoader's time (690 → 620 µs, best of 7 × 300, 2026-12-04).
        for k, _ in node.value:
            if k.value == "<<" or k.tag == _MERGE:
                pairs = self._merged_pairs(node)
                break
        else:  # no merge keys: the common case, without the generator
            pairs = [(k, v, False) for k, v in node.value]
        for key_node, value_node, merged in pairs:
            if type(key_node) is not yaml.ScalarNode:
                self._error(
                    Code.WK003,
                    "A key here is a list or mapping; keys must be plain words.",
                    key_node,
                    "Write the key as text followed by ':'.",
                )
                continue
            raw = key_node.value
            self.text_budget -= len(raw) if raw.isascii() else _utf8_len(raw)  # see above
            if self.text_budget < 0:
                self._too_much_text(key_node)
            if key_node.tag != _STR and key_node.tag not in _STD_TAGS:
                self._error(
                    Code.WK005,
                    f"The YAML tag '{_short_tag(key_node.tag)}' is not allowed; worksheetkit "
                    "reads data only and never runs code.",
                    key_node,
                    "Remove the tag (the part starting with '!').",
                )
                continue
            key = raw if key_node.style else _plain(raw)
            if (
                key is None
                or isinstance(key, bool)
                or (isinstance(key, float) and not math.isfinite(key))
            ):
                key = raw
            if merged and key in result:
                continue  # a key written next to '<<' overrides the merged one (YAML spec)
            if key in result or (first_seen is not None and key in first_seen):
                first = (first_seen or {}).get(key) or _first_key(node, key_node, key)
                # Name the key only when it is a plain name: in a response it is client data.
                shown = f"The key '{raw}'" if _PLAIN_KEY.fullmatch(raw) else "A key"
                self._error(
                    Code.WK004,
                    f"{shown} appears twice in this mapping (first at line "
                    f"{first.start_mark.line + 1}, column {first.start_mark.column + 1}; again at "
                    f"line {key_node.start_mark.line + 1}, column {key_node.start_mark.column + 1}).",
                    key_node,
                    "Keep one of them; YAML would otherwise silently use only the last.",
                )
                continue
            if depth == 0:
                self.top_value = value_node
            result[key] = self._node(value_node, depth + 1)
        return result


def _path_of(root: yaml.Node, target: yaml.Node) -> Path | None:
    """The data path of ``target`` (a value or key node) in the tree, breadth-first, bounded."""
    queue: list[tuple[yaml.Node, Path]] = [(root, ())]
    seen: set[int] = set()
    while queue and len(seen) < 50_000:
        node, path = queue.pop(0)
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                part: str | int = "?"
                if isinstance(key_node, yaml.ScalarNode):
                    raw = key_node.value
                    plain = raw if key_node.style else _plain(raw)
                    is_int = isinstance(plain, int) and not isinstance(plain, bool)
                    part = plain if is_int else raw
                if key_node is target:
                    return (*path, part)
                queue.append((value_node, (*path, part)))
        elif isinstance(node, yaml.SequenceNode):
            queue.extend((child, (*path, i)) for i, child in enumerate(node.value))
    return None


def _first_key(node: yaml.MappingNode, duplicate: yaml.Node, key: Any) -> yaml.Node:
    for key_node, _ in _merged(node):
        if key_node is duplicate:
            break
        if isinstance(key_node, yaml.ScalarNode):
            k = key_node.value if key_node.style else _plain(key_node.value)
            if k == key:
                return key_node
    return duplicate


def _merged(node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    """Key/value pairs, explicit keys first, then those brought in by ``<<: *base``."""
    try:
        for key_node, value_node, _ in _pairs(node, budget=[MAX_NODES]):
            yield key_node, value_node
    except _MergeBomb:
        return  # only reached for a document already refused with WK006


def _is_merge(key_node: yaml.Node) -> bool:
    return key_node.tag == _MERGE or (
        isinstance(key_node, yaml.ScalarNode)
        and key_node.value == "<<"
        and not key_node.style
        and key_node.tag == _STR
    )


class _MergeBomb(Exception):
    """Merge keys (``<<``) that expand to more pairs than the node budget."""


def _pairs(
    node: yaml.MappingNode, depth: int = 0, budget: list[int] | None = None
) -> Iterator[tuple[yaml.Node, yaml.Node, bool]]:
    """(key, value, came from a merge). Explicit keys come first so that they win.

    ``budget`` (a one-element list, shared down the recursion) is charged for every pair:
    merges of merges of … can expand exponentially, like nested aliases.
    """
    if budget is None:
        budget = [MAX_NODES]
    merges: list[yaml.Node] = []
    for key_node, value_node in node.value:
        if _is_merge(key_node):
            merges.append(value_node)
            continue
        budget[0] -= 1
        if budget[0] < 0:
            raise _MergeBomb
        yield key_node, value_node, depth > 0
    if depth > MAX_DEPTH:
        return
    for value_node in merges:
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for src in sources:
            if isinstance(src, yaml.MappingNode):
                yield from _pairs(src, depth + 1, budget)


def _short_tag(tag: str) -> str:
    if tag.startswith("tag:yaml.org,2002:"):
        return "!!" + tag[len("tag:yaml.org,2002:") :]
    return tag

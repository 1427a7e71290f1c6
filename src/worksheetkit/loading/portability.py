"""YAML that every reader reads alike: where common YAML readers disagree (lint rule WL020).

worksheetkit reads YAML 1.2 (core schema) with libyaml. Worksheets travel to other tools, and
many of them — PyYAML's ``yaml.safe_load``, YAML 1.1 libraries, older editors — read some
unquoted text differently or not at all. Each construct below was found by reading it both ways
(``tests/test_portability.py`` checks every rule against PyYAML's pure-Python ``SafeLoader``):

- a ``?`` inside a plain text in ``{…}`` or ``[…]`` (``{en: Why?, es: ¿Por qué?}``): PyYAML's
  Python loader stops with an error;
- YAML 1.1 booleans: ``yes``/``no``/``on``/``off`` (any capitalisation PyYAML knows) read as
  true/false, and ``y``/``n``, which the YAML 1.1 specification also makes booleans — as keys
  too (``on: [mon, thu]`` becomes ``True: [mon, thu]``);
- numbers that YAML 1.1 spells differently: sexagesimal ``1:30`` (90) and ``20:00`` (1200),
  octal ``010`` (8), ``1_000``, ``0b101``, and ``1e20`` / ``0o17`` that YAML 1.1 keeps as text;
- merge keys (``<<: *base``), which YAML 1.2 dropped: other readers keep ``<<`` as a key;
- plain text a YAML 1.1 reader cannot build at all (``=``).

Dates and timestamps (``2026-12-01``) are read as dates by YAML 1.1 readers and as text here;
both mean the same day, so they are not reported. Only plain (unquoted, untagged) scalars are
checked; the fix is always to quote the text.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Final

import yaml

from ..errors import Diagnostic, Severity
from .yamlsource import Path, _plain

CODE: Final = "WL020"  # a lint rule: yaml-portability
MAX_WARNINGS: Final = 50  # per file: enough to find the pattern, never a flood

_MERGE_TAG = "tag:yaml.org,2002:merge"
_RESOLVERS: dict[Any, list[tuple[str, Any]]] = yaml.SafeLoader.yaml_implicit_resolvers
_CONSTRUCTORS: dict[Any, Any] = yaml.constructor.SafeConstructor.yaml_constructors
# The YAML 1.1 specification's booleans that PyYAML does not implement.
_SPEC_BOOLEANS: Final = {"y": True, "Y": True, "n": False, "N": False}


class _Unreadable:
    """What a YAML 1.1 reader makes of a scalar it cannot build."""


_UNREADABLE: Final = _Unreadable()

try:  # pragma: no cover - the C parser is a hard requirement in practice
    _Parser: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Parser = yaml.SafeLoader


def yaml11_value(text: str) -> Any:
    """What PyYAML's SafeLoader (YAML 1.1) builds from the plain scalar ``text``."""
    if text in _SPEC_BOOLEANS:
        return _SPEC_BOOLEANS[text]
    resolvers = _RESOLVERS.get(text[:1] if text else "", []) + _RESOLVERS.get(None, [])
    tag = next((t for t, regexp in resolvers if regexp.match(text)), None)
    if tag is None:
        return text
    if tag == _MERGE_TAG or tag not in _CONSTRUCTORS:
        return _UNREADABLE
    try:
        return _CONSTRUCTORS[tag](yaml.constructor.SafeConstructor(), yaml.ScalarNode(tag, text))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return _UNREADABLE


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(theirs, dt.date | dt.datetime):
        return isinstance(ours, str)  # a date either way
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, float) and math.isnan(ours):
        return math.isnan(theirs)
    return bool(ours == theirs)


def _describe(value: Any) -> str:
    if value is _UNREADABLE:
        return "something they cannot read (an error)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "empty (null)"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return "text"


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Portability:
    """One place where YAML readers disagree: the path of the value, where its text starts
    (0-based line and column, as the YAML marks give them), a message and a fix."""

    path: Path
    line: int
    column: int
    message: str
    hint: str

    def diagnostic(
        self, file: str | None, code: str = CODE, severity: Severity = "warning"
    ) -> Diagnostic:
        return Diagnostic(
            code=code,
            message=self.message,
            severity=severity,
            hint=self.hint,
            file=file,
            line=self.line + 1,
            column=self.column + 1,
            path=self.path,
        )


@dataclass
class _Open:
    path: Path
    mapping: bool
    flow: bool
    want_key: bool = True
    key: str | int = ""
    index: int = 0


def find_portability(text: str) -> list[Portability]:
    """The plain scalars of ``text`` that YAML readers read differently (at most
    :data:`MAX_WARNINGS`).

    Reads the event stream only (no aliases expanded), so the work is linear in the text.
    Returns nothing for text libyaml cannot parse: the loader reports that.
    """
    out: list[Portability] = []
    stack: list[_Open] = []
    flow = 0
    try:
        for event in yaml.parse(text, Loader=_Parser):
            if isinstance(event, yaml.CollectionEndEvent):
                flow -= stack.pop().flow
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            is_key = False
            path: Path = ()
            if stack:
                parent = stack[-1]
                if not parent.mapping:
                    path = (*parent.path, parent.index)
                    parent.index += 1
                elif parent.want_key:
                    is_key = True
                    parent.want_key = False
                    key: Any = ""
                    if isinstance(event, yaml.ScalarEvent):
                        key = event.value if event.style else _plain(event.value)
                    parent.key = (
                        key
                        if isinstance(key, str | int) and not isinstance(key, bool)
                        else str(key)
                    )
                    path = (*parent.path, parent.key)
                else:
                    parent.want_key = True
                    path = (*parent.path, parent.key)
            if isinstance(event, yaml.CollectionStartEvent):
                is_flow = bool(event.flow_style)
                stack.append(_Open(path, isinstance(event, yaml.MappingStartEvent), is_flow))
                flow += is_flow
                continue
            if not isinstance(event, yaml.ScalarEvent) or event.style or event.tag is not None:
                continue
            found = _check(event.value, is_key, flow > 0)
            if found is not None:
                mark = event.start_mark
                line, column = (mark.line, mark.column) if mark is not None else (0, 0)
                out.append(Portability(path, line, column, *found))
                if len(out) >= MAX_WARNINGS:
                    break
    except yaml.YAMLError:
        return []
    return out


def portability_warnings(text: str, file: str | None = None, code: str = CODE) -> list[Diagnostic]:
    """:func:`find_portability` as warnings with ``code``."""
    return [p.diagnostic(file, code) for p in find_portability(text)]


def _check(value: str, is_key: bool, in_flow: bool) -> tuple[str, str] | None:
    """(message, hint) when readers disagree on this plain scalar, else None."""
    quoted = '"' + _shown(value).replace('"', '\\"') + '"'
    if in_flow and "?" in value:
        return (
            "A '?' inside { } or [ ] stops YAML 1.1 readers (such as PyYAML's Python loader) "
            "with an error, although worksheetkit reads it.",
            "Quote the text that holds the '?': " + quoted + ".",
        )
    if is_key and value == "<<":
        return (
            "A merge key ('<<') is not part of YAML 1.2: other readers keep '<<' as an ordinary "
            "key instead of merging.",
            "Write the keys out instead of merging them in.",
        )
    ours = _plain(value)
    theirs = yaml11_value(value)
    if _same(ours, theirs):
        return None
    what = "key" if is_key else "value"
    return (
        f"The {what} '{_shown(value)}' is {_describe(ours)} for worksheetkit (YAML 1.2), but "
        f"YAML 1.1 readers read it as {_describe(theirs)}.",
        f"Quote it so every reader sees the same: {quoted}.",
    )

"""Silencing comments: ``# worksheetkit: disable=WL004`` on an item's line or the line above.

A comment silences a finding when it stands

- at the end of the line of the offending value, or
- at the end of the first line of an item, list entry or top-level field that contains it, or
- on its own line(s) directly above such a line.

Codes are separated by commas; rule names work too (``disable=reading-grade``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from ..errors import Diagnostic
from ..loading import SourceDocument
from ..loading.yamlsource import Path
from .registry import RULES, rule_code

_DIRECTIVE = re.compile(r"#\s*worksheetkit:\s*disable\s*=\s*([A-Za-z0-9_,\- ]+)")
UNKNOWN_RULE = "WL901"


@dataclass
class Silencer:
    """The disable comments of one document, by line (1-based)."""

    doc: SourceDocument
    lines: list[str] = field(default_factory=list)
    by_line: dict[int, frozenset[str]] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)

    @classmethod
    def of(cls, doc: SourceDocument) -> Silencer:
        text = doc.source.text or ""
        self = cls(doc, text.splitlines())
        if "worksheetkit:" not in text:
            return self
        for number, line in enumerate(self.lines, 1):
            match = _DIRECTIVE.search(line)
            if match is None:
                continue
            codes: set[str] = set()
            for given in (g.strip() for g in match.group(1).split(",")):
                if not given:
                    continue
                code = rule_code(given)
                if code in RULES:
                    codes.add(code)
                else:
                    self.problems.append(
                        Diagnostic(
                            code=UNKNOWN_RULE,
                            message=f"This comment disables '{given}', which is not a lint rule.",
                            hint="Use a code such as WL004; see docs/lint.md for the list.",
                            file=doc.file,
                            line=number,
                            column=match.start(1) + line[match.start(1) :].find(given) + 1,
                        )
                    )
            self.by_line[number] = frozenset(codes)
        return self

    def silenced(self, code: str, path: Path) -> bool:
        if not self.by_line:
            return False
        return any(code in self._codes_for(line) for line in self._anchor_lines(path))

    def _anchor_lines(self, path: Path) -> Iterator[int]:
        source = self.doc.source
        for depth in range(len(path), 0, -1):
            prefix = path[:depth]
            # The offending value itself, every list entry (item, column, option) holding it,
            # and its top-level field.
            if isinstance(prefix[-1], int):
                node = source.node_at(prefix)
            elif depth == len(path) or depth == 1:
                node = source.node_at(prefix, key=True)
            else:
                continue
            if node is not None:
                yield node.start_mark.line + 1
        if path:
            value = source.node_at(path)
            if isinstance(value, yaml.ScalarNode):
                yield value.start_mark.line + 1

    def _codes_for(self, line: int) -> frozenset[str]:
        codes = set(self.by_line.get(line, frozenset()))
        above = line - 1
        while above >= 1 and self.lines[above - 1].lstrip().startswith("#"):
            codes |= self.by_line.get(above, frozenset())
            above -= 1
        return frozenset(codes)

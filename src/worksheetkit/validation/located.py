"""Values that remember where they were written, so every check can say file:line:col."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Diagnostic, Problem, Severity
from ..loading import SourceDocument
from ..loading.yamlsource import Path


@dataclass(frozen=True)
class Located:
    """A raw value plus the document and path it came from."""

    value: Any
    doc: SourceDocument
    path: Path

    def at(self, key: str | int) -> Located:
        value: Any = None
        if isinstance(self.value, dict):
            value = self.value.get(key)
        elif isinstance(self.value, list) and isinstance(key, int) and 0 <= key < len(self.value):
            value = self.value[key]
        return Located(value, self.doc, (*self.path, key))

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and key in self.value

    def position(self, *, key: bool = False, offset: int | None = None) -> tuple[int, int]:
        source = self.doc.source
        style = source.style(self.path) if offset is not None else None
        if offset is not None and style in ("|", ">") and isinstance(self.value, str):
            return source.block_position(self.path, offset, self.value)
        line, column = source.locate(self.path, key=key)
        if offset is not None and style not in ("|", ">"):
            column += (1 if style in ("'", '"') else 0) + offset
        return line, column

    def place(self, problem: Problem) -> Diagnostic:
        """``problem`` (found in this value, its path relative to it) at its line and column
        in the file."""
        target = self
        for part in problem.path:
            target = target.at(part)
        line, column = target.position(offset=problem.offset)
        return problem.at(file=self.doc.file, line=line, column=column, within=self.path)

    def diag(
        self,
        code: str,
        message: str,
        hint: str | None = None,
        *,
        severity: Severity = "error",
        key: bool = False,
        offset: int | None = None,
    ) -> Diagnostic:
        line, column = self.position(key=key, offset=offset)
        return Diagnostic(
            code=code,
            message=message,
            severity=severity,
            hint=hint,
            file=self.doc.file,
            line=line,
            column=column,
            path=self.path,
        )

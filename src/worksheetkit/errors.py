"""Diagnostics: the values that describe problems in a user's content.

Exception hierarchy::

    Exception
     └── WorksheetError        raised only by the convenience loaders (``load``/``loads``/
                               ``load_pack``) when a document has errors; ``.diagnostics``
                               holds every problem found, sorted.

Content problems are never raised half-way: checks yield :class:`Diagnostic` values, which are
collected, sorted and returned. Bugs and wrong arguments raise ordinary exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final, Literal, Self

from ._results import dumps, warn_as_dict

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in a document, at a real location.

    ``line`` and ``column`` are 1-based; ``path`` is the JSON path of the offending node inside
    the document (``$.items[2].label``), or a JSON pointer for responses (``/answers/q1``).
    """

    code: str
    message: str
    severity: Severity = "error"
    hint: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str = "$"
    # Not part of equality: a second location (e.g. the first of two duplicate keys).
    related: tuple[str, ...] = field(default=(), compare=False)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file or "", self.line or 0, self.column or 0, self.code, self.path)

    def with_location(
        self, *, file: str | None = None, line: int | None = None, column: int | None = None
    ) -> Diagnostic:
        return replace(
            self,
            file=file if file is not None else self.file,
            line=line if line is not None else self.line,
            column=column if column is not None else self.column,
        )

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-ready (``related`` as a list); schema ``diagnostic``."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "related": list(self.related),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The diagnostic :meth:`to_dict` described (``related`` may be left out). The closing
        WK099 line of a file with too many problems keeps its ``hidden`` counts."""
        severity = data.get("severity", "error")
        if severity not in ("error", "warning"):
            raise ValueError(f"severity must be 'error' or 'warning', not {severity!r}")
        if cls is Diagnostic and "hidden" in data:
            return HiddenProblems.from_dict(data)  # type: ignore[return-value]
        return cls(
            code=data["code"],
            message=data["message"],
            severity=severity,
            hint=data.get("hint"),
            file=data.get("file"),
            line=data.get("line"),
            column=data.get("column"),
            path=data.get("path", "$"),
            related=tuple(data.get("related", ())),
        )

    def as_dict(self) -> dict[str, Any]:
        """Deprecated alias of :meth:`to_dict`."""
        warn_as_dict("Diagnostic")
        return self.to_dict()

    def format(self) -> str:
        """``FILE:LINE:COL: error WK102 message`` (the CLI's text line)."""
        where = f"{self.file or '<string>'}:{self.line or 1}:{self.column or 1}"
        return f"{where}: {self.severity} {self.code} {self.message}"


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Deterministic order: file, line, column, code, path; duplicates removed."""
    seen: set[Diagnostic] = set()
    unique: list[Diagnostic] = []
    for d in diagnostics:
        if d not in seen:
            seen.add(d)
            unique.append(d)
    return sorted(unique, key=Diagnostic.sort_key)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


class WorksheetError(Exception):
    """A document could not be loaded; ``diagnostics`` says every reason, sorted."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: list[Diagnostic] = sort_diagnostics(diagnostics)
        first = next((d for d in self.diagnostics if d.severity == "error"), None)
        summary = first.format() if first else "invalid document"
        more = len([d for d in self.diagnostics if d.severity == "error"]) - 1
        if more > 0:
            summary += f" (and {more} more)"
        super().__init__(summary)


@dataclass(frozen=True, slots=True)
class HiddenProblems(Diagnostic):
    """(WK099, written by ``_diagcap``) The closing line: ``hidden`` problems of this file, ``hidden_errors`` of them errors."""

    hidden: int = 0
    hidden_errors: int = 0

    def to_dict(self) -> dict[str, Any]:
        out = Diagnostic.to_dict(self)
        out["hidden"] = self.hidden
        out["hidden_errors"] = self.hidden_errors
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        base = Diagnostic.from_dict({k: v for k, v in data.items() if k not in _COUNTS})
        return cls(
            **{f.name: getattr(base, f.name) for f in fields(Diagnostic)},
            hidden=int(data["hidden"]),
            hidden_errors=int(data["hidden_errors"]),
        )


_COUNTS: Final = ("hidden", "hidden_errors")

"""Diagnostics: the values that describe problems in a user's content.

Exception hierarchy::

    Exception
     └── WorksheetError        raised only by the convenience loaders (``load``/``loads``/
                               ``load_pack``) when a document has errors; ``.diagnostics``
                               holds every problem found, sorted.

Content problems are never raised half-way: checks yield :class:`Diagnostic` values, which are
collected, sorted and returned. Checks that find a fault before it has a place in a file
(expressions, schedules, assignments built in code) return :class:`Problem` values, which the
caller places with :meth:`Problem.at`. Bugs and wrong arguments raise ordinary exceptions.

Paths are tuples of keys and list indexes (``("items", 2, "label")``, ``()`` for the root);
:func:`json_path` and :func:`json_pointer` render them, :func:`parse_path` reads either
rendering back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final, Literal, Self

from ._results import dumps, warn_as_dict

Severity = Literal["error", "warning"]
#: A location inside a document: mapping keys and list indexes from the root.
DocPath = tuple[str | int, ...]

_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# RFC 9535 normalized-path escapes inside a single-quoted name.
_ESCAPES: Final = {"'": "\\'", "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}  # fmt: skip
_NEEDS_ESCAPE: Final = re.compile(r"['\\\x00-\x1f]")
_SEGMENT: Final = re.compile(
    r"\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\[(?P<index>\d+)\]"
    r"|\['(?P<single>(?:[^'\\]|\\.)*)'\]"
    r'|\["(?P<double>(?:[^"\\]|\\.)*)"\]'
)


def _quote(key: str) -> str:
    def escape(m: re.Match[str]) -> str:
        char = m.group()
        return _ESCAPES.get(char) or f"\\u{ord(char):04x}"

    return "['" + _NEEDS_ESCAPE.sub(escape, key) + "']"


def json_path(path: Sequence[str | int]) -> str:
    """``("items", 0, "label")`` → ``$.items[0].label``: a name-like key in dotted form, any
    other key single-quoted with RFC 9535 escapes (``$.items[0]['it"s']``, ``$['a b']``)."""
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _NAME.fullmatch(part):
            out.append(f".{part}")
        else:
            out.append(_quote(part))
    return "".join(out)


def json_pointer(path: Sequence[str | int]) -> str:
    """``("answers", "a/b", 2)`` → ``/answers/a~1b/2`` (RFC 6901); ``""`` for the root."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


_UNESCAPE: Final = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "/": "/", "\\": "\\", "'": "'", '"': '"'}  # fmt: skip


def _unquote(body: str, text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        escaped = body[i + 1]
        if escaped == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", body[i + 2 : i + 6]):
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        elif escaped in _UNESCAPE:
            out.append(_UNESCAPE[escaped])
            i += 2
        else:
            raise ValueError(f"not a JSONPath: {text!r} (unknown escape \\{escaped})")
    # \uD83D\uDE00 → one character
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16")


def parse_path(text: str) -> DocPath:
    """The tuple a JSONPath (``$.items[0]['it"s']``, ``$["a"]``) or a JSON pointer
    (``/answers/q1``, ``""``) names; a pointer segment of digits is a list index. Anything
    else raises ``ValueError``."""
    if text == "" or text.startswith("/"):
        return tuple(
            int(seg) if seg.isascii() and seg.isdigit() else seg
            for seg in (s.replace("~1", "/").replace("~0", "~") for s in text.split("/")[1:])
        )
    if not text.startswith("$"):
        raise ValueError(f"not a JSONPath ($…) or a JSON pointer (/…): {text!r}")
    parts: list[str | int] = []
    pos = 1
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        if m is None:
            raise ValueError(f"not a JSONPath: {text!r} (at character {pos + 1})")
        if m["name"] is not None:
            parts.append(m["name"])
        elif m["index"] is not None:
            parts.append(int(m["index"]))
        elif m["single"] is not None:
            parts.append(_unquote(m["single"], text))
        else:
            parts.append(_unquote(m["double"], text))
        pos = m.end()
    return tuple(parts)


def _as_path(value: object) -> DocPath:
    """A path given as a tuple or list of keys and indexes, or (for code written against the
    string paths of 0.x) as JSONPath / JSON pointer text, which is parsed."""
    if isinstance(value, str):
        return parse_path(value)
    if isinstance(value, (tuple, list)):
        return tuple(_key_text(p) for p in value)
    raise TypeError(f"a path is a tuple of keys and indexes, not {type(value).__name__}")


def _key_text(part: object) -> str | int:
    """One step of a path. A YAML mapping may have keys that are not text — ``2.5``, ``true``,
    ``null``, a date (rating anchors are numbers) — so a diagnostic about such a key names it
    by its text as YAML writes it, instead of failing while reporting a problem."""
    if type(part) in (str, int):
        return part  # type: ignore[return-value]
    if isinstance(part, bool):
        return "true" if part else "false"
    if part is None:
        return "null"
    if isinstance(part, float):
        return repr(part)
    if isinstance(part, (str, int)):  # subclasses (an enum member): the plain value
        return str(part) if isinstance(part, str) else int(part)
    return str(part)


def path_sort_key(path: DocPath) -> tuple[tuple[int, int, str], ...]:
    """Indexes compare as numbers (``item[2]`` before ``item[10]``), keys as text, an index
    before a key at the same depth."""
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in path)


class _Pathed:
    """What Diagnostic and Problem share about their ``path``: a tuple however it was given,
    and its two renderings."""

    __slots__ = ()
    path: DocPath

    def __post_init__(self) -> None:
        path: object = self.path
        if type(path) is not tuple or not all(type(p) in (str, int) for p in path):
            object.__setattr__(self, "path", _as_path(path))

    @property
    def json_path(self) -> str:
        """The path as JSONPath: ``$.items[2].label``, ``$['it"s']`` (RFC 9535 quoting)."""
        return json_path(self.path)

    @property
    def json_pointer(self) -> str:
        """The path as an RFC 6901 JSON pointer: ``/items/2/label``, ``""`` for the root."""
        return json_pointer(self.path)


@dataclass(frozen=True, slots=True)
class Diagnostic(_Pathed):
    """One problem in a document, at a real location.

    ``line`` and ``column`` are 1-based; ``path`` is where the offending node stands inside the
    document, as a tuple of keys and list indexes (``("items", 2, "label")``; ``()`` is the
    root), rendered by :attr:`json_path` (``$.items[2].label``) and :attr:`json_pointer`
    (``/items/2/label``). For code written against 0.x, a ``path`` given as JSONPath or JSON
    pointer text is parsed into the tuple; any other text raises ``ValueError``.
    """

    code: str
    message: str
    severity: Severity = "error"
    hint: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: DocPath = ()
    # Not part of equality: a second location (e.g. the first of two duplicate keys).
    related: tuple[str, ...] = field(default=(), compare=False)

    def sort_key(self) -> tuple[str, int, int, str, tuple[tuple[int, int, str], ...]]:
        return (
            self.file or "",
            self.line or 0,
            self.column or 0,
            self.code,
            path_sort_key(self.path),
        )

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
        """Every field, JSON-ready; schema ``diagnostic``. ``path`` is the list of keys and
        indexes, ``json_path``/``json_pointer`` its two renderings (read, never needed back)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": list(self.path),
            "json_path": json_path(self.path),
            "json_pointer": json_pointer(self.path),
            "related": list(self.related),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The diagnostic :meth:`to_dict` described (``related``, ``json_path`` and
        ``json_pointer`` may be left out; ``path`` may also be JSONPath/pointer text, as 0.x
        wrote it). The closing WK099 line of a file with too many problems keeps its
        ``hidden`` counts."""
        severity = _severity(data)
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
            path=_as_path(data.get("path", ())),
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


def _severity(data: Mapping[str, Any]) -> Severity:
    severity = data.get("severity", "error")
    if severity not in ("error", "warning"):
        raise ValueError(f"severity must be 'error' or 'warning', not {severity!r}")
    return severity  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Problem(_Pathed):
    """A fault found before it has a place in a file: in an expression, a schedule, an
    assignment built in code. ``path`` is where it stands inside the checked value (a tuple,
    like :attr:`Diagnostic.path`); for a problem inside a text (an expression), ``offset`` is
    the 0-based character offset of the offending part and ``length`` its length (0 for "at the
    end"). :meth:`at` places it in a file."""

    code: str
    message: str
    severity: Severity = "error"
    hint: str | None = None
    path: DocPath = ()
    offset: int | None = None
    length: int = 0

    def sort_key(self) -> tuple[tuple[tuple[int, int, str], ...], int, int, str, str]:
        offset = -1 if self.offset is None else self.offset
        return (path_sort_key(self.path), offset, self.length, self.code, self.message)

    def at(
        self,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        within: Sequence[str | int] = (),
    ) -> Diagnostic:
        """This problem as a :class:`Diagnostic` at ``file:line:column``, its path prefixed
        with ``within`` (the path of the checked value inside the document)."""
        return Diagnostic(
            code=self.code,
            message=self.message,
            severity=self.severity,
            hint=self.hint,
            file=file,
            line=line,
            column=column,
            path=(*within, *self.path),
        )

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-ready; schema ``problem``."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "path": list(self.path),
            "json_path": json_path(self.path),
            "json_pointer": json_pointer(self.path),
            "offset": self.offset,
            "length": self.length,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            code=data["code"],
            message=data["message"],
            severity=_severity(data),
            hint=data.get("hint"),
            path=_as_path(data.get("path", ())),
            offset=data.get("offset"),
            length=int(data.get("length", 0)),
        )


class Counted:
    """``errors`` and ``warnings``: how many of ``self.diagnostics`` are of each severity (a
    run's result: ``ValidationRun``, ``LintRun``)."""

    diagnostics: Sequence[Diagnostic]

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Deterministic order: file, line, column, code, path (indexes as numbers); duplicates
    removed."""
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

"""Strict JSON reading: one reader for every JSON text worksheetkit parses.

``json.loads`` keeps the *last* of two equal keys, so ``{"q9": 3, "q9": 0}`` reads as 0 while a
first-wins reader (or a person) sees 3. Here a duplicate key, ``NaN``/``Infinity``, an integer
of thousands of digits and nesting deeper than a limit are all refused with a
:class:`JSONProblem` that says where (line and column; for a duplicate, both occurrences) and at
which path, never quoting a key that is not a plain name (keys written by clients are data).

Detecting duplicates costs one length comparison per object (``object_pairs_hook``); only when
one is found is the text scanned again, linearly, to locate both occurrences.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any, Final

from ..errors import DocPath, json_pointer
from ..model.values import segment

__all__ = [
    "MAX_DEPTH",
    "JSONProblem",
    "StrictDecoder",
    "key_segment",
    "loads",
]

#: Nesting deeper than this is refused (a response is answers, rows and cells: five levels;
#: a FHIR resource nests groups of items, rarely beyond twenty).
MAX_DEPTH: Final = 64

# A key quoted in paths and messages is the item-id grammar of model/ (``[a-z_][a-z0-9_]*``),
# letters of either case, at most 64 characters; anything else (spaces, punctuation, a newline,
# 5,000 characters) is shown by its position instead: ``#3`` is the third key. One rule with
# the response checks: model/values.py ``segment``.
key_segment = segment


class JSONProblem(ValueError):
    """Why a JSON text was refused. ``line``/``column`` are 1-based; ``first`` is the position
    of the first occurrence of a duplicate key. ``reason`` is one of ``syntax``, ``duplicate``,
    ``constant``, ``number``, ``depth``."""

    def __init__(
        self,
        reason: str,
        message: str,
        hint: str,
        line: int = 1,
        column: int = 1,
        path: DocPath = (),
        first: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.hint = hint
        self.line = line
        self.column = column
        self.path = path
        self.first = first


class _Duplicate(Exception):
    """Raised inside the parser; replaced by a located JSONProblem."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Duplicate
    return result


def _reject_constant(name: str) -> Any:
    raise _Constant(name)


class _Constant(Exception):
    pass


def _int_or_text(digits: str) -> int | str:
    # Python refuses to convert more than 4,300 digits; such a number stays text so that the
    # answer is reported as the wrong type, not a crash.
    return int(digits) if len(digits) <= 4300 else digits


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


_SPACE: Final = re.compile(r"[ \t\n\r]*")
_SCALAR: Final = re.compile(r"[^\s,:\[\]{}\"]+")


def find_duplicate(text: str) -> tuple[int, int, DocPath] | None:
    """``(first index, second index, path)`` of the first duplicate key in document order.

    One linear pass over text that the parser has accepted up to the duplicate; keys are decoded
    with the parser's own string scanner, so ``"q\\u0039"`` and ``"q9"`` are the same key.
    """
    # Each open container: [is_object, seen keys (object) or None, path, next index/position,
    # expecting a key]
    stack: list[list[Any]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\n\r":
            i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
            continue
        top = stack[-1] if stack else None
        if c == '"':
            value, end = scanstring(text, i + 1)
            if top is not None and top[0] and top[4]:
                top[3] += 1
                seen: dict[str, int] = top[1]
                if value in seen:
                    return seen[value], i, (*top[2], key_segment(value, top[3]))
                seen[value] = i
                top[4] = False
                top.append(key_segment(value, top[3]))  # the current member's segment
            i = end
            continue
        if c in "{[":
            if top is None:
                path: list[str | int] = []
            elif top[0]:
                path = [*top[2], top[-1]]
            else:
                path = [*top[2], top[3]]
            stack.append([c == "{", {} if c == "{" else None, path, 0, c == "{"])
            i += 1
            continue
        if c in "}]":
            stack.pop()
            i += 1
            continue
        if c == ",":
            if top is not None:
                if top[0]:
                    top[4] = True
                    del top[5:]
                else:
                    top[3] += 1
            i += 1
            continue
        if c == ":":
            i += 1
            continue
        match = _SCALAR.match(text, i)
        i = match.end() if match else i + 1
    return None


def _depth_exceeds(value: Any, limit: int) -> bool:
    """True when ``value`` nests containers more than ``limit`` deep (iterative: no recursion)."""
    # Level by level, with list comprehensions: about half the time of a stack of (node, depth)
    # pairs filled by generators (13 of the 264 ms of a profiled run of 26 `fhir import`s,
    # which walk the Questionnaire and the written worksheet; 2026-12-04).
    level = [value]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        for node in level:
            if type(node) is dict:
                below += [v for v in node.values() if type(v) is dict or type(v) is list]
            elif type(node) is list:
                below += [v for v in node if type(v) is dict or type(v) is list]
        level = below
    return False


class StrictDecoder:
    """A reusable strict reader (build one per policy; ``loads`` uses a shared default)."""

    def __init__(self, *, max_depth: int = MAX_DEPTH, big_ints_as_text: bool = False) -> None:
        self.max_depth = max_depth
        self._decoder = json.JSONDecoder(
            object_pairs_hook=_pairs,
            parse_constant=_reject_constant,
            parse_int=_int_or_text if big_ints_as_text else None,
        )
        # The C scanner, called directly: ``decode`` adds two regex matches per call.
        self._scan: Callable[[str, int], tuple[Any, int]] = self._decoder.scan_once  # type: ignore[attr-defined]

    def loads(self, text: str) -> Any:
        """The value of ``text``; raises :class:`JSONProblem` (never anything else for content)."""
        try:
            try:
                value, end = self._scan(text, 0)
            except StopIteration:
                value = self._decoder.decode(text)  # leading space, or not JSON: it says why
            else:
                if end != len(text) and text[end:].strip(" \t\n\r"):
                    value = self._decoder.decode(text)  # raises "Extra data" with its position
        except _Duplicate:
            raise _duplicate_problem(text) from None
        except _Constant:
            raise JSONProblem(
                "constant",
                "This JSON contains NaN or Infinity, which are not JSON numbers.",
                "Write a finite number, or null for no answer.",
            ) from None
        except json.JSONDecodeError as exc:
            raise JSONProblem(
                "syntax",
                f"This is not valid JSON ({exc.msg}).",
                "Check the brackets, commas and quotes near this position.",
                exc.lineno,
                exc.colno,
            ) from None
        except RecursionError:
            raise _depth_problem(self.max_depth) from None
        except ValueError:
            # int() refuses more than 4,300 digits (a guard against slow conversion).
            raise JSONProblem(
                "number",
                "This JSON contains a number with thousands of digits.",
                "Check what was saved: no answer is a number that long.",
            ) from None
        # Containers nested deeper than the limit need at least that many brackets: counting
        # them (C speed) spares the walk for nearly every text.
        if (
            len(text) > 2 * self.max_depth
            and text.count("[") + text.count("{") > self.max_depth
            and _depth_exceeds(value, self.max_depth)
        ):
            raise _depth_problem(self.max_depth)
        return value


def _depth_problem(limit: int) -> JSONProblem:
    return JSONProblem(
        "depth",
        f"This JSON is nested more than {limit} levels deep.",
        "A response has answers, lists and rows; nothing deeper.",
    )


def _duplicate_problem(text: str) -> JSONProblem:
    found = find_duplicate(text)
    if found is None:  # pragma: no cover - the parser saw one, so the scan does too
        return JSONProblem("duplicate", "This JSON has a key twice in one object.", _DUP_HINT)
    first, second, path = found
    line, column = _position(text, second)
    first_pos = _position(text, first)
    last = str(path[-1])
    named = f"The key '{last}'" if not last.startswith("#") else "A key (not a plain name)"
    where = f"at {json_pointer(path)}" if len(path) > 1 else "at the top level"
    return JSONProblem(
        "duplicate",
        f"{named} appears twice in one object {where} (first at line {first_pos[0]}, column "
        f"{first_pos[1]}; again at line {line}, column {column}). Readers disagree on which one "
        "counts, so neither is used.",
        _DUP_HINT,
        line,
        column,
        path,
        first_pos,
    )


_DUP_HINT: Final = "Keep exactly one of the two; fix the app or tool that wrote this file."

_DEFAULT: Final = StrictDecoder()
_BIG_AS_TEXT: Final = StrictDecoder(big_ints_as_text=True)


def loads(text: str | bytes, *, big_ints_as_text: bool = False) -> Any:
    """Strictly parse ``text`` (UTF-8 bytes are decoded, a BOM is not allowed)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONProblem(
                "syntax",
                "This is not UTF-8 text.",
                "Save it as UTF-8 JSON.",
            ) from exc
    return (_BIG_AS_TEXT if big_ints_as_text else _DEFAULT).loads(text)

"""The JSON form of an expression: what the browser evaluator (static/expr.js) runs.

Compact, stable, offset-free:

* ``null``, ``true``, ``false``, numbers, strings — literals (a JSON string is *text*)
* ``["name", id]`` — an item, step or row-column id
* ``["col", table, column]`` — ``table.column``
* ``["list", e1, e2, …]`` — a list literal
* ``["neg", e]`` and ``["not", e]`` — unary minus and ``not``
* ``[op, left, right]`` for ``or and == != < <= > >= in + - * /``
* ``["call", function, arg1, …]`` — a function call
"""

from __future__ import annotations

import math
import re
from typing import Any, TypeAlias

from .nodes import BINARY_OPS, Binary, Call, ColumnRef, Const, Expr, ListExpr, Name, Unary
from .parser import KEYWORDS, MAX_DEPTH

_IDENTIFIER = re.compile(r"[a-z_][A-Za-z0-9_]*")

JSON: TypeAlias = bool | int | float | str | list["JSON"] | dict[str, "JSON"] | None


def to_json(expr: Expr) -> JSON:
    """The JSON-serialisable parsed form of ``expr`` (lists, str, numbers, bools, None)."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Name):
        return ["name", expr.name]
    if isinstance(expr, ColumnRef):
        return ["col", expr.table, expr.column]
    if isinstance(expr, ListExpr):
        return ["list", *(to_json(item) for item in expr.items)]
    if isinstance(expr, Unary):
        return ["neg" if expr.op == "-" else "not", to_json(expr.operand)]
    if isinstance(expr, Binary):
        return [expr.op, to_json(expr.left), to_json(expr.right)]
    return ["call", expr.function, *(to_json(arg) for arg in expr.args)]


def from_json(data: Any) -> Expr:
    """Rebuild a tree from :func:`to_json` output (offsets are 0). Raises ``ValueError`` when
    ``data`` is not a well-formed expression or nests deeper than the parser allows."""
    return _from_json(data, 1)


def _bad(data: object, why: str) -> ValueError:
    shown = repr(data)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ValueError(f"not an expression in JSON form ({why}): {shown}")


def _string(data: list[Any], index: int) -> str:
    """An id at ``data[index]``: spelled as the parser would accept it."""
    value = data[index] if index < len(data) else None
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value) or value in KEYWORDS:
        raise _bad(data, f"element {index} must be an id")
    return value


def _from_json(data: Any, level: int) -> Expr:
    if level > MAX_DEPTH:
        raise _bad(data, f"nested deeper than {MAX_DEPTH} levels")
    if data is None or isinstance(data, bool | str):
        return Const(data)
    if isinstance(data, int | float):
        if isinstance(data, float) and not math.isfinite(data):
            raise _bad(data, "numbers must be finite")
        return Const(data)
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        raise _bad(data, "expected a literal or a list starting with an operator")
    tag, rest = data[0], data[1:]

    def sub(items: list[Any]) -> tuple[Expr, ...]:
        return tuple(_from_json(item, level + 1) for item in items)

    if tag == "name":
        if len(data) != 2:
            raise _bad(data, "'name' takes one id")
        return Name(_string(data, 1))
    if tag == "col":
        if len(data) != 3:
            raise _bad(data, "'col' takes a table and a column")
        return ColumnRef(_string(data, 1), _string(data, 2))
    if tag == "list":
        return ListExpr(sub(rest))
    if tag in ("neg", "not"):
        if len(rest) != 1:
            raise _bad(data, f"'{tag}' takes one operand")
        return Unary("-" if tag == "neg" else "not", sub(rest)[0])
    if tag in BINARY_OPS:
        if len(rest) != 2:
            raise _bad(data, f"'{tag}' takes two operands")
        left, right = sub(rest)
        return Binary(tag, left, right)  # type: ignore[arg-type]
    if tag == "call":
        return Call(_string(data, 1), sub(rest[1:]))
    raise _bad(data, f"unknown operator {tag!r}")

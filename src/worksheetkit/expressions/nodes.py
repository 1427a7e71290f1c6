"""The expression syntax tree: immutable nodes that remember where they came from.

Every node carries ``offset`` and ``length`` (0-based character span in the source). Both are
excluded from equality, so a tree parsed from text equals the same tree rebuilt from its JSON
form (whose offsets are 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, TypeAlias

BinaryOp = Literal["or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/"]
UnaryOp = Literal["-", "not"]
ConstValue: TypeAlias = int | float | str | bool | None

BINARY_OPS: frozenset[str] = frozenset(
    {"or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/"}
)
COMPARISONS: frozenset[str] = frozenset({"==", "!=", "<", "<=", ">", ">=", "in"})
ARITHMETIC: frozenset[str] = frozenset({"+", "-", "*", "/"})

# Binding powers, lowest first: or < and < not < comparisons < + - < * / < unary minus.
PRECEDENCE: dict[str, int] = {
    "or": 10,
    "and": 20,
    "not": 30,
    **dict.fromkeys(COMPARISONS, 40),
    "+": 50,
    "-": 50,
    "*": 60,
    "/": 60,
    "neg": 70,
}
ATOM_PRECEDENCE = 100


@dataclass(frozen=True, slots=True)
class Const:
    """A literal: number, text, ``true``/``false`` or ``null``."""

    value: ConstValue
    offset: int = field(default=0, compare=False)
    length: int = field(default=0, compare=False)
    # The evaluator's compiled form, set on first evaluation (expressions/evaluator.py).
    _compiled: object = field(default=None, init=False, repr=False, compare=False)

    def __eq__(self, other: object) -> bool:
        # ``True == 1`` in Python; in this language a boolean is never a number.
        if not isinstance(other, Const):
            return NotImplemented
        mine, theirs = self.value, other.value
        if isinstance(mine, bool) or isinstance(theirs, bool):
            return type(mine) is type(theirs) and mine == theirs
        if _is_number(mine) and _is_number(theirs):
            return mine == theirs
        return type(mine) is type(theirs) and mine == theirs

    def __hash__(self) -> int:
        return hash((Const, type(self.value) is bool, self.value))


@dataclass(frozen=True, slots=True)
class ListExpr:
    """A list literal ``[a, b, …]``."""

    items: tuple[Expr, ...]
    offset: int = field(default=0, compare=False)
    length: int = field(default=0, compare=False)
    # The evaluator's compiled form, set on first evaluation (expressions/evaluator.py).
    _compiled: object = field(default=None, init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Name:
    """An item id, a step id, or (inside ``any``/``all``) a column id of the current row."""

    name: str
    offset: int = field(default=0, compare=False)
    length: int = field(default=0, compare=False)
    # The evaluator's compiled form, set on first evaluation (expressions/evaluator.py).
    _compiled: object = field(default=None, init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ColumnRef:
    """``table.column``: the list of that column's values over the table's rows."""

    table: str
    column: str
    offset: int = field(default=0, compare=False)
    length: int = field(default=0, compare=False)
    # The evaluator's compiled form, set on first evaluation (expressions/evaluator.py).
    _compiled: object = field(default=None, init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Unary:
    """``-x`` or ``not x``."""

    op: UnaryOp
    operand: Expr
    offset: int = field(default=0, compare=False)
    length: int = field(default=0, compare=False)
    # The evaluator's compiled form, set on first evaluation (expressions/evaluator.py).
    _compiled: object = field(default=None, init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Binary:
    """``left op right`` for every infix operator, including ``and``/``or``/``in``."""

    op: BinaryOp
    left: Expr
    right: Expr
    offset: int = field(default=0, compare=False)
    length: int = field(default=0, compare=False)
    # The evaluator's compiled form, set on first evaluation (expressions/evaluator.py).
    _compiled: object = field(default=None, init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """``function(arg, …)``; the function name starts at ``offset``."""

    function: str
    args: tuple[Expr, ...]
    offset: int = field(default=0, compare=False)
    length: int = field(default=0, compare=False)
    # The evaluator's compiled form, set on first evaluation (expressions/evaluator.py).
    _compiled: object = field(default=None, init=False, repr=False, compare=False)


Expr: TypeAlias = Const | ListExpr | Name | ColumnRef | Unary | Binary | Call


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``expr``, left to right."""
    if isinstance(expr, ListExpr):
        return expr.items
    if isinstance(expr, Unary):
        return (expr.operand,)
    if isinstance(expr, Binary):
        return (expr.left, expr.right)
    if isinstance(expr, Call):
        return expr.args
    return ()


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of the tree, pre-order, without recursion."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def depth(expr: Expr) -> int:
    """The height of the tree (a lone literal has depth 1), computed without recursion."""
    deepest = 0
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(node))
    return deepest


# ---------------------------------------------------------------------------------------------
# Back to source text (canonical spelling; used in messages and in round-trip tests)


def format_number(value: int | float) -> str:
    """A number as this language spells it: no exponent, no ``inf``."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError("non-finite numbers have no spelling in the expression language")
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
        if "." not in text:
            text += ".0"
    return text


def quote(text: str) -> str:
    """A text literal in single quotes with the escapes ``parse`` understands."""
    out = ["'"]
    for ch in text:
        if ch in "\\'":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append("'")
    return "".join(out)


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return PRECEDENCE[expr.op]
    if isinstance(expr, Unary):
        return PRECEDENCE["not"] if expr.op == "not" else PRECEDENCE["neg"]
    if isinstance(expr, Const) and _is_number(expr.value) and str(expr.value).startswith("-"):
        return PRECEDENCE["neg"]
    return ATOM_PRECEDENCE


def to_source(expr: Expr) -> str:
    """Canonical source text for ``expr``; ``parse(to_source(e)) == e`` for any tree."""
    if isinstance(expr, Const):
        value = expr.value
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return quote(value)
        return format_number(value)
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, ColumnRef):
        return f"{expr.table}.{expr.column}"
    if isinstance(expr, ListExpr):
        return "[" + ", ".join(to_source(item) for item in expr.items) + "]"
    if isinstance(expr, Call):
        return expr.function + "(" + ", ".join(to_source(arg) for arg in expr.args) + ")"
    if isinstance(expr, Unary):
        inner = to_source(expr.operand)
        if expr.op == "not":
            if _precedence(expr.operand) < PRECEDENCE["not"]:
                inner = f"({inner})"
            return f"not {inner}"
        # Unary minus binds tighter than everything but atoms. "-1" parses as the literal -1,
        # so a minus applied to a number literal keeps its parentheses: "-(1)", "-(-1)".
        operand = expr.operand
        if isinstance(operand, Unary) and operand.op != "not":
            # "- -a", not "-(-a)": parentheses would count towards the nesting limit, so a long
            # run of minus signs would no longer parse back.
            return f"- {inner}"
        if _precedence(operand) < ATOM_PRECEDENCE or (
            isinstance(operand, Const) and _is_number(operand.value)
        ):
            inner = f"({inner})"
        return f"-{inner}"
    mine = PRECEDENCE[expr.op]
    left = to_source(expr.left)
    right = to_source(expr.right)
    # Left-associative operators; comparisons do not chain, so they need parentheses on both
    # sides when nested.
    left_limit = mine + 1 if expr.op in COMPARISONS else mine
    if _precedence(expr.left) < left_limit:
        left = f"({left})"
    if _precedence(expr.right) <= mine:
        right = f"({right})"
    return f"{left} {expr.op} {right}"

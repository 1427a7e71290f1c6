"""Static checks of an expression against the ids in scope: names, functions, arity and types.

``check`` walks the whole tree once and reports every problem it finds (never only the
first), each with the offset and length of the offending text. Unknown parts are typed
``any`` so one mistake does not cascade into a dozen follow-on reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from .._suggest import did_you_mean
from ..errors import Problem
from .cost import check_cost
from .evaluator import equal
from .functions import AGGREGATES, SIGNATURES, WORKSHEET_FUNCTIONS
from .nodes import (
    ARITHMETIC,
    Binary,
    Call,
    ColumnRef,
    Const,
    Expr,
    ListExpr,
    Name,
    Unary,
    children,
)
from .nodes import to_source as _to_source
from .problems import (
    ARITY,
    COLUMN_SCOPE,
    FUNCTION_NOT_ALLOWED,
    NOT_A_VALUE,
    OUT_OF_RANGE,
    TYPE_MISMATCH,
    UNKNOWN_FUNCTION,
    UNKNOWN_NAME,
)

SymbolKind = Literal[
    "number",
    "text",
    "boolean",
    "date",
    "time",
    "datetime",
    "duration",
    "choice",
    "list",
    "table",
    "step",
    "score",
]


Value = int | float | str | bool


@dataclass(frozen=True)
class Symbol:
    """What an id stands for. ``columns`` describes a table's columns (None: unknown);
    ``max_rows`` a table's most rows (None: the hard row limit), used for the cost bound.
    ``values`` are the only values a choice, likert, checklist or yes/no item can hold, and
    ``bounds`` a rating's (min, max, step): comparing with anything else is a mistake (WK310)."""

    kind: SymbolKind
    columns: Mapping[str, Symbol] | None = field(default=None, hash=False)
    max_rows: int | None = None
    values: tuple[Value, ...] | None = None
    bounds: tuple[float, float, float] | None = None


# Internal kinds: the symbol kinds plus "null" (the literal) and "any" (unknown; never wrong).
_DESCRIPTIONS: Final[dict[str, str]] = {
    "number": "a number",
    "text": "text",
    "boolean": "a yes/no value",
    "date": "a date",
    "time": "a time",
    "datetime": "a date and time",
    "duration": "a duration",
    "choice": "a single choice",
    "list": "a checklist (a list of choices)",
    "table": "a table",
    "step": "a pathway step",
    "score": "a score",
    "null": "null",
    "any": "a value",
}
_NUMERIC: Final = frozenset({"number", "score", "choice"})
_TEXTUAL: Final = frozenset({"text", "choice"})
_ORDERED_TEMPORAL: Final = frozenset({"date", "time", "datetime"})
_LOOSE: Final = frozenset({"any", "null"})


@dataclass(frozen=True, slots=True)
class _Typed:
    kind: str
    description: str


def _typed(kind: str, description: str | None = None) -> _Typed:
    return _Typed(kind, description or _DESCRIPTIONS[kind])


_ANY: Final = _typed("any")
_NUMBER: Final = _typed("number")
_BOOLEAN: Final = _typed("boolean")


def _snippet(expr: Expr) -> str:
    text = _to_source(expr)
    return text if len(text) <= 40 else text[:37] + "…"


def _did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    match = did_you_mean(word, candidates)
    return f"Did you mean '{match}'?" if match else None


class SymbolTable(Mapping[str, Symbol]):
    """The symbols in scope, frozen, with the index unknown-name hints need (column → the
    tables having it) built once, on first use. One worksheet checks thousands of expressions
    against the same symbols: pass them as one ``SymbolTable`` and the index is built once,
    not once per unknown name. A plain mapping works too (its index is built per question)."""

    __slots__ = ("_columns", "_symbols")

    def __init__(self, symbols: Mapping[str, Symbol]) -> None:
        self._symbols = dict(symbols)
        self._columns: dict[str, list[str]] | None = None

    def __getitem__(self, key: str) -> Symbol:
        return self._symbols[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._symbols)

    def __len__(self) -> int:
        return len(self._symbols)

    def __contains__(self, key: object) -> bool:
        return key in self._symbols

    def get(self, key: str, default: Any = None) -> Any:
        return self._symbols.get(key, default)

    def tables_with_column(self, word: str) -> list[str]:
        if self._columns is None:
            self._columns = _column_index(self._symbols)
        return sorted(self._columns.get(word, ()))


def _column_index(symbols: Mapping[str, Symbol]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for table, sym in symbols.items():
        if sym.kind == "table" and sym.columns is not None:
            for column in sym.columns:
                index.setdefault(column, []).append(table)
    return index


def _tables_with_column(symbols: Mapping[str, Symbol], word: str) -> list[str]:
    if isinstance(symbols, SymbolTable):
        return symbols.tables_with_column(word)
    return sorted(_column_index(symbols).get(word, ()))


class _Checker:
    def __init__(
        self,
        symbols: Mapping[str, Symbol],
        functions_allowed: frozenset[str],
    ) -> None:
        self.symbols = symbols
        self.allowed = functions_allowed
        self.problems: list[Problem] = []
        # Column symbols of the enclosing rows, innermost last; None = columns unknown.
        self.rows: list[Mapping[str, Symbol] | None] = []
        self.lenient = 0  # > 0: names may be unknown (their table could not be resolved)
        # Bare names already reported as unquoted option values (WK310), not as unknown names.
        self.quiet: set[int] = set()

    def report(
        self,
        code: str,
        message: str,
        hint: str | None,
        offset: int,
        length: int,
        *,
        severity: Literal["error", "warning"] = "error",
    ) -> None:
        self.problems.append(Problem(code, message, severity, hint, offset=offset, length=length))

    def mismatch(self, expr: Expr, message: str, hint: str | None = None) -> None:
        self.report(TYPE_MISMATCH, message, hint, expr.offset, expr.length)

    # -- names --------------------------------------------------------------------------------

    def name(self, expr: Name, *, as_step: bool = False) -> _Typed:
        word = expr.name
        if id(expr) in self.quiet:
            return _ANY
        for scope in reversed(self.rows):
            if scope is None:
                return _ANY
            if word in scope:
                return _typed(scope[word].kind)
        symbol = self.symbols.get(word)
        if symbol is not None:
            if symbol.kind == "step" and not as_step:
                self.mismatch(
                    expr,
                    f"'{word}' is a pathway step, not a value",
                    f"Use completed({word}) to ask whether the step is done.",
                )
                return _ANY
            return _typed(symbol.kind)
        if self.lenient:
            return _ANY
        tables = _tables_with_column(self.symbols, word)
        if tables:
            table = tables[0]
            self.report(
                COLUMN_SCOPE,
                f"'{word}' is a column of the table '{table}'; it has a value only inside one row",
                f"Use any({table}, …) or all({table}, …) to look at each row, or an "
                f"aggregate of the column such as mean({table}.{word}).",
                expr.offset,
                expr.length,
            )
            return _ANY
        candidates: Iterable[str] = self.symbols
        if self.rows:  # the columns of the enclosing rows too (a name may be written in both)
            candidates = dict.fromkeys([*self.symbols, *(c for s in self.rows for c in s or ())])
        hint = _did_you_mean(word, candidates)
        if hint is None and word in SIGNATURES:
            hint = f"'{word}' is a function; call it like {SIGNATURES[word].spelling}."
        self.report(UNKNOWN_NAME, f"Unknown name '{word}'", hint, expr.offset, expr.length)
        return _ANY

    def column(self, expr: ColumnRef) -> _Typed:
        described = _typed("list", "a column of a table (a list with one value per row)")
        symbol = self.symbols.get(expr.table)
        if symbol is None:
            if not self.lenient:
                self.report(
                    UNKNOWN_NAME,
                    f"Unknown table '{expr.table}'",
                    _did_you_mean(
                        expr.table, (k for k, s in self.symbols.items() if s.kind == "table")
                    ),
                    expr.offset,
                    len(expr.table),
                )
            return _ANY
        if symbol.kind != "table":
            self.report(
                TYPE_MISMATCH,
                f"'{expr.table}' is {_DESCRIPTIONS[symbol.kind]}, not a table; only a table "
                "has columns",
                None,
                expr.offset,
                len(expr.table),
            )
            return _ANY
        if symbol.columns is not None and expr.column not in symbol.columns:
            self.report(
                COLUMN_SCOPE,
                f"The table '{expr.table}' has no column '{expr.column}'",
                _did_you_mean(expr.column, symbol.columns),
                expr.offset + len(expr.table) + 1,
                len(expr.column),
            )
        return described

    # -- expressions --------------------------------------------------------------------------

    def visit(self, expr: Expr) -> _Typed:
        if isinstance(expr, Const):
            value = expr.value
            if value is None:
                return _typed("null")
            if isinstance(value, bool):
                return _BOOLEAN
            return _typed("text") if isinstance(value, str) else _NUMBER
        if isinstance(expr, Name):
            return self.name(expr)
        if isinstance(expr, ColumnRef):
            return self.column(expr)
        if isinstance(expr, ListExpr):
            for item in expr.items:
                self.visit(item)
            return _typed("list", "a list")
        if isinstance(expr, Unary):
            operand = self.visit(expr.operand)
            if expr.op == "not":
                return _BOOLEAN
            self.need_number(expr.operand, operand, "a minus sign")
            return _NUMBER
        if isinstance(expr, Binary):
            return self.binary(expr)
        return self.call(expr)

    def need_number(self, expr: Expr, typed: _Typed, what: str) -> None:
        if typed.kind in _NUMERIC or typed.kind in _LOOSE:
            return
        hints = {
            "list": f"Use count({_snippet(expr)}) or sum({_snippet(expr)}).",
            "table": f"Use rows({_snippet(expr)}) or sum({_snippet(expr)}.column).",
            "boolean": f"Use if({_snippet(expr)}, 1, 0) to turn yes/no into a number.",
        }
        self.mismatch(
            expr,
            f"'{_snippet(expr)}' is {typed.description}; {what} needs numbers",
            hints.get(typed.kind),
        )

    def binary(self, expr: Binary) -> _Typed:
        op = expr.op
        if op not in ("and", "or") and op not in ARITHMETIC:
            self.bare_values(expr)
        left, right = self.visit(expr.left), self.visit(expr.right)
        if op in ("and", "or"):
            return _BOOLEAN
        if op in ARITHMETIC:
            self.need_number(expr.left, left, f"'{op}'")
            self.need_number(expr.right, right, f"'{op}'")
            return _NUMBER
        if op == "in":
            self.containment(expr, left, right)
            self.contained_values(expr)
            return _BOOLEAN
        if not _comparable(op, left.kind, right.kind):
            self.incomparable(expr, left, right)
        else:
            self.compared_values(expr)
        return _BOOLEAN

    # -- values of choices, likerts, ratings and yes/no items (WK310, WK311) -------------------

    def lookup(self, expr: Expr) -> tuple[str, Symbol] | None:
        """The symbol a bare id stands for, in the rows' scopes first; None when unknown."""
        if not isinstance(expr, Name):
            return None
        for scope in reversed(self.rows):
            if scope is None:
                return None
            if expr.name in scope:
                return expr.name, scope[expr.name]
        symbol = self.symbols.get(expr.name)
        return (expr.name, symbol) if symbol is not None else None

    def unknown(self, expr: Expr) -> bool:
        """A bare name that is no id in scope (no item, score, column or step)."""
        if not isinstance(expr, Name) or self.lenient or None in self.rows:
            return False
        if self.lookup(expr) is not None:
            return False
        return not _tables_with_column(self.symbols, expr.name)

    def bare_values(self, expr: Binary) -> None:
        """``mood == Low``: a value written without quotes reads as an id that is not there."""
        pairs: list[tuple[Expr, Expr]] = [(expr.left, expr.right), (expr.right, expr.left)]
        if expr.op == "in" and isinstance(expr.right, ListExpr):
            pairs = [(expr.left, item) for item in expr.right.items]
        for subject, other in pairs:
            found = self.lookup(subject)
            if found is None or not found[1].values or not self.unknown(other):
                continue
            assert isinstance(other, Name)
            word, symbol = found
            values = symbol.values or ()
            self.quiet.add(id(other))
            match = next(
                (v for v in values if isinstance(v, str) and v.lower() == other.name.lower()),
                None,
            )
            self.report(
                NOT_A_VALUE,
                f"'{other.name}' is not an id here; the values of '{word}' are "
                f"{_listing(values)}, written in quotes",
                f"Write '{match}' (in quotes)."
                if match is not None
                else f"Compare '{word}' with one of its values: {_listing(values)}.",
                other.offset,
                other.length,
            )

    def not_a_value(self, word: str, symbol: Symbol, literal: Expr, value: object) -> None:
        listing = _listing(symbol.values or ()) if symbol.values else _span(symbol)
        guess = _near_value(value, symbol.values or ())
        self.report(
            NOT_A_VALUE,
            f"{_show(value)} is not one of the values of '{word}' ({listing}), so this "
            "comparison can never match",
            f"Did you mean {_show(guess)}?"
            if guess is not None
            else f"Compare '{word}' with one of its values: {listing}.",
            literal.offset,
            literal.length,
        )

    def compared_values(self, expr: Binary) -> None:
        for subject, literal, flipped in (
            (expr.left, expr.right, False),
            (expr.right, expr.left, True),
        ):
            found = self.lookup(subject)
            value = _literal(literal)
            if found is None or value is _NONE:
                continue
            word, symbol = found
            if expr.op in ("==", "!="):
                if not _holds(symbol, value):
                    self.not_a_value(word, symbol, literal, value)
                return
            span = _numeric_span(symbol)
            number = _number(value)
            if span is None:
                if symbol.values and not _holds(symbol, value):
                    self.not_a_value(word, symbol, literal, value)
                return
            if number is None:
                self.not_a_value(word, symbol, literal, value)
                return
            low, high = span
            if low <= number <= high:
                return
            op = _FLIPPED[expr.op] if flipped else expr.op
            always = (op in ("<", "<=")) == (number > high)
            self.report(
                OUT_OF_RANGE,
                f"'{word}' goes from {_show(low)} to {_show(high)}, so '{_snippet(expr)}' is "
                f"always {'true' if always else 'false'}",
                f"Compare with a number from {_show(low)} to {_show(high)}.",
                literal.offset,
                literal.length,
                severity="warning",
            )
            return

    def contained_values(self, expr: Binary) -> None:
        """``mood in ['low', 'mid']`` and ``'sad' in feelings``: every value one it can hold."""
        found = self.lookup(expr.left)
        if found is not None and isinstance(expr.right, ListExpr):
            for item in expr.right.items:
                value = _literal(item)
                if value is not _NONE and not _holds(found[1], value):
                    self.not_a_value(found[0], found[1], item, value)
            return
        found = self.lookup(expr.right)
        value = _literal(expr.left)
        if (
            found is not None
            and found[1].kind == "list"
            and value is not _NONE
            and not _holds(found[1], value)
        ):
            self.not_a_value(found[0], found[1], expr.left, value)

    def containment(self, expr: Binary, left: _Typed, right: _Typed) -> None:
        if right.kind in _LOOSE:
            return
        if right.kind == "list":
            if left.kind in ("table", "list"):
                self.mismatch(
                    expr.left,
                    f"'{_snippet(expr.left)}' is {left.description}; 'in' looks for one value "
                    "in a list",
                )
            return
        if right.kind == "text":
            if left.kind not in _TEXTUAL | _LOOSE:
                self.mismatch(
                    expr.left,
                    f"'{_snippet(expr.left)}' is {left.description}; 'in' with text on its "
                    "right looks for a piece of text",
                )
            return
        self.mismatch(
            expr.right,
            f"'{_snippet(expr.right)}' is {right.description}; 'in' needs a list or text on "
            "its right",
            f"Use == to compare with one value, or a list: {_snippet(expr.left)} in [1, 2].",
        )

    def incomparable(self, expr: Binary, left: _Typed, right: _Typed) -> None:
        odd = ("list", "table", "step", "boolean", "duration")
        culprit, culprit_t, other_t = expr.left, left, right
        if (right.kind in odd and left.kind not in odd) or (
            isinstance(expr.left, Const) and not isinstance(expr.right, Const)
        ):
            culprit, culprit_t, other_t = expr.right, right, left
        subject = _snippet(culprit)
        if culprit_t.kind == "duration" and other_t.kind in ("duration", "text"):
            self.mismatch(
                culprit,
                f"'{subject}' is a duration; durations can be tested with == and != but not "
                f"ordered with '{expr.op}'",
            )
            return
        hints = {
            "list": f"Use count({subject}) or selected({subject}, 'value')."
            if not isinstance(culprit, ColumnRef)
            else f"Aggregate the column, like mean({subject}), or test each row with "
            f"any({culprit.table}, {culprit.column} …).",
            "table": f"Use rows({subject}), any({subject}, …) or an aggregate of one column "
            f"such as mean({subject}.column).",
            "boolean": "Compare it with true or false.",
        }
        if culprit_t.kind == "boolean" and other_t.kind == "boolean":
            message = f"yes/no values cannot be ordered with '{expr.op}'"
            self.mismatch(culprit, f"'{subject}' is a yes/no value; {message}")
            return
        self.mismatch(
            culprit,
            f"'{subject}' is {culprit_t.description}; it cannot be compared with "
            f"{other_t.description}",
            hints.get(culprit_t.kind),
        )

    # -- calls --------------------------------------------------------------------------------

    def call(self, expr: Call) -> _Typed:
        name, args = expr.function, expr.args
        signature = SIGNATURES.get(name)
        if signature is None:
            hint = _did_you_mean(name, SIGNATURES)
            if hint is None and name in self.symbols:
                hint = f"'{name}' is an item id, not a function."
            self.report(
                UNKNOWN_FUNCTION, f"Unknown function '{name}'", hint, expr.offset, len(name)
            )
            for arg in args:
                self.visit(arg)
            return _ANY
        if name not in self.allowed:
            hint = (
                "completed(step) works only in a pathway's unlock_when."
                if name == "completed"
                else "Allowed here: " + ", ".join(sorted(self.allowed)) + "."
            )
            self.report(
                FUNCTION_NOT_ALLOWED, f"{name}() is not allowed here", hint, expr.offset, len(name)
            )
        if not signature.accepts(len(args)):
            self.report(
                ARITY,
                f"{name}() takes {signature.describe()}; it was given {len(args)}",
                f"Write {signature.spelling}.",
                expr.offset,
                len(name),
            )
            self.lenient += name in ("any", "all")
            for arg in args:
                self.visit(arg)
            self.lenient -= name in ("any", "all")
            return _result_kind(name, [])
        if name in ("any", "all"):
            self.quantifier(expr)
            return _BOOLEAN
        if name == "completed":
            self.step(expr, args[0])
            return _BOOLEAN
        if name == "selected":
            self.bare_values(Binary("==", args[0], args[1], expr.offset, expr.length))
        typed = [self.visit(arg) for arg in args]
        self.arguments(expr, typed)
        if name == "selected" and not self.problems_at(args):
            found, value = self.lookup(args[0]), _literal(args[1])
            if found is not None and value is not _NONE and not _holds(found[1], value):
                self.not_a_value(found[0], found[1], args[1], value)
        return _result_kind(name, typed)

    def arguments(self, expr: Call, typed: list[_Typed]) -> None:
        name, args = expr.function, expr.args
        if name == "selected":
            if typed[0].kind not in {"choice", "list"} | _LOOSE:
                self.mismatch(
                    args[0],
                    f"'{_snippet(args[0])}' is {typed[0].description}; selected() needs a "
                    "choice or checklist item",
                    "Use == to compare other answers with a value.",
                )
            if typed[1].kind not in _NUMERIC | _TEXTUAL | _LOOSE:
                self.mismatch(
                    args[1],
                    f"'{_snippet(args[1])}' is {typed[1].description}; selected() needs an "
                    "option value such as 'sad' or 2",
                )
        elif name == "count":
            if typed[0].kind not in {"list", "table"} | _LOOSE:
                self.mismatch(
                    args[0],
                    f"'{_snippet(args[0])}' is {typed[0].description}; count() counts the "
                    "ticked choices of a checklist or the rows of a table",
                    f"Use answered({_snippet(args[0])}) to ask whether it was answered.",
                )
        elif name == "rows":
            if typed[0].kind not in {"table"} | _LOOSE:
                self.mismatch(
                    args[0],
                    f"'{_snippet(args[0])}' is {typed[0].description}; rows() needs a table",
                )
        elif name in AGGREGATES:
            for arg, kind in zip(args, typed, strict=True):
                if kind.kind not in _NUMERIC | {"list"} | _LOOSE:
                    hint = (
                        f"Aggregate one column: {name}({_snippet(arg)}.column)."
                        if kind.kind == "table"
                        else None
                    )
                    self.mismatch(
                        arg,
                        f"'{_snippet(arg)}' is {kind.description}; {name}() needs numbers "
                        "or lists of numbers",
                        hint,
                    )
        elif name in ("abs", "round"):
            for arg, kind in zip(args, typed, strict=True):
                self.need_number(arg, kind, f"{name}()")

    def problems_at(self, args: Iterable[Expr]) -> bool:
        spans = {(a.offset, a.length) for a in args}
        return any((p.offset, p.length) in spans for p in self.problems)

    def quantifier(self, expr: Call) -> None:
        table_expr, condition = expr.args
        columns: Mapping[str, Symbol] | None = None
        resolved = False
        if isinstance(table_expr, Name) and not any(
            scope is None or table_expr.name in scope for scope in self.rows
        ):
            symbol = self.symbols.get(table_expr.name)
            if symbol is not None and symbol.kind == "table":
                columns, resolved = symbol.columns, True
        typed = self.visit(table_expr)
        if not resolved and typed.kind not in _LOOSE:
            self.mismatch(
                table_expr,
                f"'{_snippet(table_expr)}' is {typed.description}; {expr.function}() needs a "
                "table as its first argument",
                f"Write {SIGNATURES[expr.function].spelling}.",
            )
        if resolved:
            self.rows.append(columns)
            self.visit(condition)
            self.rows.pop()
        else:
            # The row's columns are unknown: do not report every column id as unknown.
            self.lenient += 1
            self.rows.append(None)
            self.visit(condition)
            self.rows.pop()
            self.lenient -= 1

    def step(self, expr: Call, arg: Expr) -> None:
        if not isinstance(arg, Name):
            self.visit(arg)
            self.mismatch(
                arg, "completed() needs the id of a pathway step", "Write completed(step)."
            )
            return
        symbol = self.symbols.get(arg.name)
        if symbol is None:
            steps = (k for k, s in self.symbols.items() if s.kind == "step")
            self.report(
                UNKNOWN_NAME,
                f"Unknown step '{arg.name}'",
                _did_you_mean(arg.name, steps),
                arg.offset,
                arg.length,
            )
        elif symbol.kind != "step":
            self.mismatch(
                arg,
                f"'{arg.name}' is {_DESCRIPTIONS[symbol.kind]}, not a pathway step",
                "completed() takes the id of a step of this pathway.",
            )


def _comparable(op: str, a: str, b: str) -> bool:
    if a in _LOOSE or b in _LOOSE:
        return True
    if a in _NUMERIC and b in _NUMERIC:
        return True
    if a in _TEXTUAL and b in _TEXTUAL:
        return True
    if a in _ORDERED_TEMPORAL or b in _ORDERED_TEMPORAL:
        return a == b or ("text" in (a, b))
    if a == "duration" or b == "duration":
        return op in ("==", "!=") and {a, b} <= {"duration", "text"}
    if op not in ("==", "!="):
        return False
    return a == b and a in ("boolean", "list", "table")


_NONE: Final = object()  # "not a literal"
_FLIPPED: Final = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _literal(expr: Expr) -> object:
    """The value of a literal (``'sad'``, ``2``, ``-1``, ``true``); ``_NONE`` for anything else."""
    if isinstance(expr, Const):
        return _NONE if expr.value is None else expr.value
    if isinstance(expr, Unary) and expr.op == "-" and isinstance(expr.operand, Const):
        number = _number(expr.operand.value)
        return _NONE if number is None else -number
    return _NONE


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _holds(symbol: Symbol, value: object) -> bool:
    """Whether the item can hold ``value`` (True when nothing is known about its values)."""
    if symbol.values:
        return any(equal(v, value) for v in symbol.values)
    if symbol.bounds is not None:
        number = _number(value)
        if number is None:
            return True  # a text compared with a number is a type mismatch (WK305)
        low, high, step = symbol.bounds
        steps = (number - low) / step
        return low <= number <= high and abs(steps - round(steps)) < 1e-9
    return True


def _numeric_span(symbol: Symbol) -> tuple[float, float] | None:
    if symbol.bounds is not None:
        return symbol.bounds[0], symbol.bounds[1]
    numbers = [_number(v) for v in symbol.values or ()]
    if numbers and all(n is not None for n in numbers):
        found = [n for n in numbers if n is not None]
        return min(found), max(found)
    return None


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return "'" + value.replace("'", "\\'") + "'"
    return str(value)


def _listing(values: Iterable[object], limit: int = 12) -> str:
    shown = [_show(v) for v in values]
    return ", ".join(shown[:limit]) + (
        f" and {len(shown) - limit} more" if len(shown) > limit else ""
    )


def _span(symbol: Symbol) -> str:
    assert symbol.bounds is not None
    low, high, step = symbol.bounds
    by = "" if step == 1 else f" in steps of {_show(step)}"
    return f"{_show(low)} to {_show(high)}{by}"


def _near_value(value: object, values: Iterable[Value]) -> Value | None:
    """The value meant when only the case or the quotes differ (``'Low'``, ``'2'`` for 2)."""
    text = str(value).strip().lower() if not isinstance(value, bool) else None
    for v in values:
        if text is not None and not isinstance(v, bool) and _show(v).strip("'").lower() == text:
            return v
    return None


def value_hint(word: str, symbols: Mapping[str, Symbol]) -> str | None:
    """A hint for a bare word the parser refused (``mood == Low``) that is a value of a choice
    in scope: values are written in quotes. None when it is no item's value."""
    wanted = word.lower()
    named = [(k, s) for k, s in symbols.items()]
    named += [(c, cs) for s in symbols.values() for c, cs in (s.columns or {}).items()]
    for item_id, symbol in sorted(named, key=lambda pair: pair[0]):
        for v in symbol.values or ():
            if isinstance(v, str) and v.lower() == wanted:
                return (
                    f"'{word}' looks like a value of '{item_id}'; values are written in quotes, "
                    f"e.g. {item_id} == {_show(v)}. Its values: {_listing(symbol.values or ())}."
                )
    return None


def _result_kind(name: str, typed: list[_Typed]) -> _Typed:
    if name in ("answered", "selected", "any", "all", "completed"):
        return _BOOLEAN
    if name == "if":
        if len(typed) == 3 and typed[1].kind == typed[2].kind:
            return typed[1]
        return _ANY
    if name == "coalesce":
        kinds = {t.kind for t in typed} - {"null"}
        return typed[0] if len(kinds) == 1 and typed[0].kind != "null" else _ANY
    return _NUMBER


def check(
    expr: Expr,
    symbols: Mapping[str, Symbol],
    *,
    functions_allowed: frozenset[str] | None = None,
    row: Mapping[str, Symbol] | None = None,
    repeat: int = 1,
) -> list[Problem]:
    """Every static problem of ``expr`` (WK302–WK309), sorted by position.

    ``symbols`` maps the ids in scope to what they are; ``row`` adds one table row's columns
    (for an expression written inside a table, such as a column's ``show_if``). ``repeat`` is
    how often it runs per response (a column's ``show_if``: the table's rows), for the cost
    bound (WK309, see ``cost.py``).
    ``functions_allowed`` defaults to every function but ``completed`` (pass
    ``PATHWAY_FUNCTIONS`` for a pathway's ``unlock_when``).
    """
    checker = _Checker(
        symbols, WORKSHEET_FUNCTIONS if functions_allowed is None else functions_allowed
    )
    if row is not None:
        checker.rows.append(row)
    checker.visit(expr)
    too_costly = check_cost(expr, symbols, repeat=repeat)
    if too_costly is not None:
        checker.problems.append(too_costly)
    unique = sorted(set(checker.problems), key=Problem.sort_key)
    return unique


def references(expr: Expr, *, symbols: Mapping[str, Symbol] | None = None) -> set[str]:
    """The item and step ids ``expr`` depends on (for ``table.column``, the table's id).

    Inside ``any(table, …)``/``all(table, …)`` the table's own column ids are not references;
    which ids those are comes from ``symbols[table].columns``. Without ``symbols`` (or when a
    table's columns are unknown) every name inside is reported, which over-approximates.
    """
    found: set[str] = set()
    _collect(expr, symbols or {}, (), found)
    return found


def _collect(
    expr: Expr,
    symbols: Mapping[str, Symbol],
    shadowed: tuple[frozenset[str], ...],
    found: set[str],
) -> None:
    if isinstance(expr, Name):
        if not any(expr.name in scope for scope in shadowed):
            found.add(expr.name)
        return
    if isinstance(expr, ColumnRef):
        found.add(expr.table)
        return
    if isinstance(expr, Call) and expr.function in ("any", "all") and len(expr.args) == 2:
        table_expr, condition = expr.args
        _collect(table_expr, symbols, shadowed, found)
        columns: frozenset[str] = frozenset()
        if isinstance(table_expr, Name):
            symbol = symbols.get(table_expr.name)
            if symbol is not None and symbol.columns is not None:
                columns = frozenset(symbol.columns)
        _collect(condition, symbols, (*shadowed, columns), found)
        return
    for child in children(expr):
        _collect(child, symbols, shadowed, found)

"""Evaluating a syntax tree against answers: total (never raises on any answers), no eval/exec.

The rules here are mirrored line for line by ``worksheetkit/static/expr.js``; a test runs both
over a generated corpus and requires identical results. Numbers are computed as IEEE doubles
(like JavaScript), and a whole-valued result up to 2**53 is returned as an ``int``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, Final

from .functions import SIGNATURES
from .nodes import Binary, Call, ColumnRef, Const, Expr, ListExpr, Name, Unary

#: Lists and rows nested deeper than this inside answers compare unequal and do not flatten.
MAX_VALUE_DEPTH: Final = 16
_POWERS: Final = tuple(10.0**k for k in range(16))  # exact doubles 1 … 1e15
# Up to 2**53 every whole double is an exact integer that both engines print digit for digit.
_INT_LIMIT: Final = 2.0**53


#: Row visits (one per row that ``any``/``all`` looks at, and one per row of a table whose
#: column ``t.x`` is built: the unit ``cost.py`` bounds) allowed per response when the caller
#: opens a ``step_budget()``, else per ``evaluate()`` call.
MAX_STEPS: Final = 1_000_000


class StepBudget:
    """Row visits left for the evaluations sharing this budget; ``exhausted`` once it ran out.

    When it runs out the evaluation that was running stops and returns null, and so does every
    later one sharing the budget: a second line of defence behind the static bound (WK309)
    for worksheets that never went through ``validate`` (built in code, or from an old pack).
    """

    __slots__ = ("exhausted", "limit", "used")

    def __init__(self, limit: int = MAX_STEPS) -> None:
        self.limit = limit
        self.used = 0
        self.exhausted = False


class _OutOfSteps(Exception):
    pass


_BUDGET: ContextVar[StepBudget | None] = ContextVar("worksheetkit_step_budget", default=None)


class step_budget:  # lower case: it is used like the function it was
    """Every ``evaluate()`` inside the ``with`` block draws on one shared budget of ``limit``
    row visits (a response's show_if, scores, alerts and completion together).

    A class rather than ``@contextmanager``: entering and leaving costs 1.0–1.1 µs instead of
    2.0–2.8 µs (measured 2026-12-04 on the loaded shared machine), paid by every response to a
    worksheet with tables."""

    __slots__ = ("_budget", "_token")

    def __init__(self, limit: int = MAX_STEPS) -> None:
        self._budget = StepBudget(limit)

    def __enter__(self) -> StepBudget:
        self._token = _BUDGET.set(self._budget)
        return self._budget

    def __exit__(self, *exc: object) -> None:
        _BUDGET.reset(self._token)


class _Invalid:
    """Marks a wrong-typed value inside an aggregate (the aggregate becomes null)."""


_INVALID: Final = _Invalid()


_isfinite = math.isfinite
_INT_FAST = 2**53  # ints below this convert to float exactly and stay ints in results


def as_number(value: object) -> float | None:
    """A finite double for a number value; None for anything else (booleans are not numbers)."""
    kind = type(value)
    if kind is float:  # the common cases first: this runs for every number in every formula
        return value if _isfinite(value) else None  # type: ignore[arg-type,return-value]
    if kind is int and -_INT_FAST < value < _INT_FAST:  # type: ignore[operator]
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def number_result(value: float) -> int | float | None:
    """How a computed number is returned: null when not finite, ``int`` when whole."""
    if not math.isfinite(value):
        return None
    if value == int(value) and abs(value) <= _INT_LIMIT:
        return int(value)
    return value


def clean(value: object) -> object:
    """An answer as the language sees it: JSON-like values pass, anything else is null."""
    kind = type(value)
    if value is None or kind is str or kind is bool:
        return value
    if kind is int and -_INT_FAST < value < _INT_FAST:  # type: ignore[operator]
        return value  # a whole number within 2**53 is returned as it is by number_result
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        number = as_number(value)
        return None if number is None else number_result(number)
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, Mapping):
        return value
    return None


def truthy(value: object) -> bool:
    """Truth in ``and``/``or``/``not``/``if``/``any``/``all``: null, false, 0, '' and [] are
    false; everything else is true."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    number = as_number(value)
    if number is not None:
        return number != 0
    if isinstance(value, str | list | tuple | Mapping):
        return len(value) > 0
    return False


def equal(a: object, b: object, level: int = 0) -> bool:
    """Value equality: numbers by value (1 == 1.0), never bool == number, lists element-wise,
    rows key-wise; nothing nested deeper than ``MAX_VALUE_DEPTH`` is equal."""
    if level > MAX_VALUE_DEPTH:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    x, y = as_number(a), as_number(b)
    if x is not None or y is not None:
        return x is not None and y is not None and x == y
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(
            equal(clean(p), clean(q), level + 1) for p, q in zip(a, b, strict=True)
        )
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(equal(clean(a[k]), clean(b[k]), level + 1) for k in a)
    return False


def _utf16(text: str) -> bytes:
    # JavaScript orders strings by UTF-16 code units; so must we, or the engines disagree.
    return text.encode("utf-16-be", "surrogatepass")


def _order(op: str, a: object, b: object) -> bool:
    x, y = as_number(a), as_number(b)
    left: float | bytes
    right: float | bytes
    if x is not None and y is not None:
        left, right = x, y
    elif isinstance(a, str) and isinstance(b, str):
        left, right = _utf16(a), _utf16(b)
    else:
        return False
    if op == "<":
        return left < right  # type: ignore[operator]
    if op == "<=":
        return left <= right  # type: ignore[operator]
    if op == ">":
        return left > right  # type: ignore[operator]
    return left >= right  # type: ignore[operator]


def _contains(a: object, b: object) -> bool:
    if a is None:
        return False
    if isinstance(b, list | tuple):
        return any(equal(a, clean(item)) for item in b)
    if isinstance(a, str) and isinstance(b, str):
        return a in b
    return False


def _arithmetic(op: str, a: object, b: object) -> object:
    x, y = as_number(a), as_number(b)
    if x is None or y is None:
        return None
    if op == "+":
        return number_result(x + y)
    if op == "-":
        return number_result(x - y)
    if op == "*":
        return number_result(x * y)
    if y == 0:
        return None  # division by zero is "no value", never an error
    return number_result(x / y)


def round_half_away(value: float, digits: int) -> float:
    """Round half away from zero at ``digits`` decimals (negative: tens, hundreds, …),
    with the same IEEE steps as expr.js."""
    sign = -1.0 if value < 0 else 1.0
    magnitude = abs(value)
    factor = _POWERS[abs(digits)]
    scaled = magnitude * factor if digits >= 0 else magnitude / factor
    whole = float(math.floor(scaled))
    if scaled - whole >= 0.5:
        whole += 1.0
    result = whole / factor if digits >= 0 else whole * factor
    return sign * result


def _flatten(value: object, out: list[float], level: int = 0) -> bool:
    """Collect numbers from ``value`` (nested lists flattened, nulls skipped); False when a
    non-number is met."""
    if value is None:
        return True
    number = as_number(value)
    if number is not None:
        out.append(number)
        return True
    if isinstance(value, list | tuple) and level < MAX_VALUE_DEPTH:
        return all(_flatten(clean(item), out, level + 1) for item in value)
    return False


class _Evaluator:
    __slots__ = ("budget", "completed", "rows", "values")

    def __init__(
        self,
        values: Mapping[str, Any],
        rows: tuple[Mapping[str, Any], ...],
        completed: Callable[[str], bool] | None,
        budget: StepBudget | None = None,
    ) -> None:
        self.values = values
        self.rows = rows
        self.completed = completed
        self.budget = budget  # made on first use when not shared: most calls never need one

    def lookup(self, name: str) -> object:
        if self.rows:  # only inside any()/all() or a table row: most look-ups skip the loop
            for scope in reversed(self.rows):
                if name in scope:
                    return clean(scope[name])
        try:
            return clean(self.values.get(name))
        except Exception:
            # may raise anything; the language promises never to raise, so the name is null
            return None

    def run(self, expr: Expr) -> object:
        if isinstance(expr, Const):
            return clean(expr.value)
        if isinstance(expr, Name):
            return self.lookup(expr.name)
        if isinstance(expr, ColumnRef):
            table = self.lookup(expr.table)
            if not isinstance(table, list):
                return None
            # Building the column reads every row: charged like a row visit, or an expression
            # naming `t.x` hundreds of times would do rows x names of work for free.
            self.charge(len(table))
            return [
                clean(row.get(expr.column)) if isinstance(row, Mapping) else None for row in table
            ]
        if isinstance(expr, ListExpr):
            return [self.run(item) for item in expr.items]
        if isinstance(expr, Unary):
            value = self.run(expr.operand)
            if expr.op == "not":
                return not truthy(value)
            number = as_number(value)
            return None if number is None else number_result(-number)
        if isinstance(expr, Binary):
            return self.binary(expr)
        return self.call(expr)

    def binary(self, expr: Binary) -> object:
        op = expr.op
        if op == "and":
            return truthy(self.run(expr.left)) and truthy(self.run(expr.right))
        if op == "or":
            return truthy(self.run(expr.left)) or truthy(self.run(expr.right))
        a, b = self.run(expr.left), self.run(expr.right)
        if op in ("==", "!="):
            if _is_null_literal(expr.left) or _is_null_literal(expr.right):
                # "x == null" tests for a missing answer; the only comparison that sees null.
                both_null = a is None and b is None
                return both_null if op == "==" else not both_null
            if a is None or b is None:
                return False
            return equal(a, b) if op == "==" else not equal(a, b)
        if op == "in":
            return _contains(a, b)
        if op in ("<", "<=", ">", ">="):
            return _order(op, a, b)
        return _arithmetic(op, a, b)

    def call(self, expr: Call) -> object:
        name, args = expr.function, expr.args
        signature = SIGNATURES.get(name)
        if signature is None or not signature.accepts(len(args)):
            return None
        if name == "if":
            return self.run(args[1]) if truthy(self.run(args[0])) else self.run(args[2])
        if name == "coalesce":
            for arg in args:
                value = self.run(arg)
                if value is not None:
                    return value
            return None
        if name in ("any", "all"):
            return self.quantifier(name, args[0], args[1])
        if name == "completed":
            return self.step_completed(args[0])
        values = [self.run(arg) for arg in args]
        return _FUNCTIONS[name](values)

    def quantifier(self, name: str, table_expr: Expr, condition: Expr) -> bool:
        table = self.run(table_expr)
        if not isinstance(table, list) or not table:
            return False  # no rows: neither "some row" nor "every row" holds
        outer = self.rows
        try:
            for row in table:
                self.charge(1)
                self.rows = (*outer, row if isinstance(row, Mapping) else {})
                result = truthy(self.run(condition))
                if name == "any" and result:
                    return True
                if name == "all" and not result:
                    return False
        finally:
            self.rows = outer
        return name == "all"

    def charge(self, steps: int) -> None:
        """Spend ``steps`` row visits; stop the evaluation once the budget is spent."""
        budget = self.budget
        if budget is None:
            budget = self.budget = StepBudget()
        budget.used += steps
        if budget.used > budget.limit:
            budget.exhausted = True
            raise _OutOfSteps

    def step_completed(self, arg: Expr) -> bool:
        if self.completed is None:
            return False
        step = arg.name if isinstance(arg, Name) else self.run(arg)
        return isinstance(step, str) and bool(self.completed(step))


def _is_null_literal(expr: Expr) -> bool:
    return isinstance(expr, Const) and expr.value is None


def _answered(args: Sequence[object]) -> object:
    value = args[0]
    if value is None or value == "":
        return False
    return not (isinstance(value, list | tuple) and len(value) == 0)


def _selected(args: Sequence[object]) -> object:
    value, wanted = args
    if value is None or wanted is None:
        return False
    if isinstance(value, list | tuple):
        return any(equal(clean(item), wanted) for item in value)
    return equal(value, wanted)


def _count(args: Sequence[object]) -> object:
    value = args[0]
    if value is None:
        return 0
    if isinstance(value, list | tuple):
        return sum(1 for item in value if clean(item) is not None)
    return None


def _rows(args: Sequence[object]) -> object:
    value = args[0]
    if value is None:
        return 0
    return len(value) if isinstance(value, list | tuple) else None


def _numbers(args: Sequence[object]) -> list[float] | None:
    numbers: list[float] = []
    for arg in args:
        kind = type(arg)
        if kind is float or kind is int:  # a plain number: what _flatten would do, faster
            number = as_number(arg)
            if number is None:
                return None
            numbers.append(number)
        elif not _flatten(arg, numbers):
            return None
    return numbers or None


def _sum(args: Sequence[object]) -> object:
    numbers = _numbers(args)
    if numbers is None:
        return None
    total = 0.0
    for number in numbers:  # left to right, exactly as expr.js (no math.fsum)
        total += number
    return number_result(total)


def _mean(args: Sequence[object]) -> object:
    numbers = _numbers(args)
    if numbers is None:
        return None
    total = 0.0
    for number in numbers:
        total += number
    return number_result(total / len(numbers))


def _min(args: Sequence[object]) -> object:
    # A missing argument makes min/max missing (so ``min(1, reps / 30)`` is not 1 when reps is
    # unanswered); missing values inside a list (a table column) are skipped, as in sum/mean.
    numbers = None if any(arg is None for arg in args) else _numbers(args)
    return None if numbers is None else number_result(min(numbers))


def _max(args: Sequence[object]) -> object:
    numbers = None if any(arg is None for arg in args) else _numbers(args)
    return None if numbers is None else number_result(max(numbers))


def _abs(args: Sequence[object]) -> object:
    number = as_number(args[0])
    return None if number is None else number_result(abs(number))


def _round(args: Sequence[object]) -> object:
    number = as_number(args[0])
    digits = as_number(args[1]) if len(args) > 1 else 0.0
    if number is None or digits is None or digits != int(digits) or abs(digits) > 15:
        return None
    return number_result(round_half_away(number, int(digits)))


_FUNCTIONS: Final[dict[str, Callable[[Sequence[object]], object]]] = {
    "answered": _answered,
    "selected": _selected,
    "count": _count,
    "rows": _rows,
    "sum": _sum,
    "mean": _mean,
    "min": _min,
    "max": _max,
    "abs": _abs,
    "round": _round,
}


def evaluate(
    expr: Expr,
    values: Mapping[str, Any],
    *,
    row: Mapping[str, Any] | None = None,
    completed: Callable[[str], bool] | None = None,
) -> Any:
    """The value of ``expr`` given the answers in ``values`` (missing ids are null).

    ``row`` puts one table row's column ids in scope (as inside ``any``/``all``);
    ``completed(step_id)`` answers ``completed(step)`` (false when not given). Never raises
    because of the answers; values that are not JSON-like count as null.

    Work is bounded: ``any``/``all`` and column references (``t.x``) may visit at most
    ``MAX_STEPS`` rows per call, or per
    enclosing ``step_budget()`` block; past that the result is null and the budget is marked
    ``exhausted`` (so the caller can say so).
    """
    # "row is None" first (isinstance against the Mapping ABC costs 0.2 µs), no empty
    # reversed() in lookup, slots: 0.3–0.6 µs less per call (2026-12-04), and a response's
    # show_if conditions, scores and alerts each make one.
    rows: tuple[Mapping[str, Any], ...] = (
        () if row is None else (row,) if isinstance(row, Mapping) else ()
    )
    budget = _BUDGET.get()
    if budget is not None and budget.exhausted:
        return None
    try:
        return _compiled(expr)(_Evaluator(values, rows, completed, budget))
    except _OutOfSteps:
        return None


# -- compiled form ---------------------------------------------------------------------------
# Each parsed expression is turned once into nested closures over the very same primitives
# (clean, truthy, equal, _order, _contains, _arithmetic, the function table) that
# ``_Evaluator.run`` uses, so the results are identical; only the per-node dispatch is gone.
# Scores and completion run once per response, so this matters for batch scoring.

_Compiled = Callable[[_Evaluator], object]


def _compiled(expr: Expr) -> _Compiled:
    """The compiled form of ``expr``, kept on the node itself (a frozen node's one mutable
    slot, outside equality): it lives and dies with the expression, and no other object can
    ever find it — unlike a module-level cache keyed by ``id()``."""
    fn = expr._compiled
    if fn is None:
        fn = _compile(expr)
        object.__setattr__(expr, "_compiled", fn)
    return fn  # type: ignore[return-value]


def _compile(expr: Expr) -> _Compiled:
    if isinstance(expr, Const):
        value = clean(expr.value)
        if isinstance(value, list):
            return lambda ev: list(value)
        return lambda ev: value
    if isinstance(expr, Name):
        name = expr.name
        return lambda ev: ev.lookup(name)
    if isinstance(expr, ListExpr):
        items = [_compile(item) for item in expr.items]
        return lambda ev: [f(ev) for f in items]
    if isinstance(expr, Unary):
        operand = _compile(expr.operand)
        if expr.op == "not":
            return lambda ev: not truthy(operand(ev))

        def negate(ev: _Evaluator) -> object:
            number = as_number(operand(ev))
            return None if number is None else number_result(-number)

        return negate
    if isinstance(expr, Binary):
        return _compile_binary(expr)
    if isinstance(expr, Call):
        return _compile_call(expr)
    return lambda ev: ev.run(expr)  # ColumnRef and anything else: the interpreter


def _compile_binary(expr: Binary) -> _Compiled:
    op = expr.op
    left, right = _compile(expr.left), _compile(expr.right)
    if op == "and":
        return lambda ev: truthy(left(ev)) and truthy(right(ev))
    if op == "or":
        return lambda ev: truthy(left(ev)) or truthy(right(ev))
    if op in ("==", "!="):
        wanted = op == "=="
        if _is_null_literal(expr.left) or _is_null_literal(expr.right):

            def null_test(ev: _Evaluator) -> object:
                a, b = left(ev), right(ev)
                return (a is None and b is None) is wanted

            return null_test

        def compare(ev: _Evaluator) -> object:
            a, b = left(ev), right(ev)
            if a is None or b is None:
                return False
            return equal(a, b) is wanted

        return compare
    if op == "in":
        return lambda ev: _contains(left(ev), right(ev))
    if op in ("<", "<=", ">", ">="):
        return lambda ev: _order(op, left(ev), right(ev))
    return lambda ev: _arithmetic(op, left(ev), right(ev))


def _compile_call(expr: Call) -> _Compiled:
    name, args = expr.function, expr.args
    signature = SIGNATURES.get(name)
    if signature is None or not signature.accepts(len(args)):
        return lambda ev: None
    if name in ("if", "coalesce", "any", "all", "completed"):
        return lambda ev: ev.call(expr)  # control flow and scopes: the interpreter
    compiled = [_compile(arg) for arg in args]
    function = _FUNCTIONS[name]
    return lambda ev: function([f(ev) for f in compiled])

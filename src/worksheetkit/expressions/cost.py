"""A static bound on the work of one expression: the table rows ``any()``/``all()`` may visit
and the rows read to build table columns (``t.x``).

A quantifier runs its condition once per row, so nested quantifiers multiply:
``any(t, any(t, any(t, …)))`` over 1,000 rows visits 10⁹ row combinations. A column reference
``t.x`` reads every row of ``t``, so an expression naming ``t.x`` 400 times over 1,000 rows
reads 400,000 rows, and inside ``any(t, …)`` that is multiplied again. ``cost`` counts
both from each table's ``max_rows`` (or the hard row limit when a table sets none) before
anything is evaluated; the evaluator counts the same units at run time
(``evaluator.StepBudget``), so the static bound is an upper bound of the counted steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .._results import JsonResult
from ..errors import Problem
from .nodes import Call, ColumnRef, Expr, Name, children, walk
from .problems import TOO_COSTLY

if TYPE_CHECKING:
    from .checker import Symbol

#: No table answer may have more rows than this (``max_rows`` is at most this, and a response
#: with more rows is refused), so a table without ``max_rows`` counts as this many rows.
ROW_LIMIT: Final = 1_000
#: The most row combinations one evaluation of one condition may visit (checked statically).
COST_BUDGET: Final = 100_000


@dataclass(frozen=True, slots=True)
class Cost(JsonResult):
    """Row visits of one evaluation, and the tables counted at ``ROW_LIMIT`` (no max_rows).
    ``to_dict()``/``to_json()``/``from_dict()``: schema ``cost``."""

    steps: int
    unbounded_tables: tuple[str, ...]


def cost(expr: Expr, symbols: Mapping[str, Symbol], *, row_limit: int = ROW_LIMIT) -> Cost:
    """The most row visits one evaluation of ``expr`` can make.

    ``any(t, c)`` costs ``rows(t) × (1 + cost(c))`` plus the cost of ``t`` itself; ``t.x``
    costs ``rows(t)``; everything else costs the sum of its parts. ``rows(t)`` is the table's ``max_rows`` when ``symbols``
    knows it, else ``row_limit``.
    """
    unbounded: set[str] = set()
    steps = _cost(expr, symbols, row_limit, unbounded)
    return Cost(steps, tuple(sorted(unbounded)))


def _rows(name: str, symbols: Mapping[str, Symbol], limit: int, unbounded: set[str]) -> int:
    """The most rows the table ``name`` may have: its ``max_rows``, else ``limit``."""
    symbol = symbols.get(name)
    most = getattr(symbol, "max_rows", None) if symbol is not None else None
    if isinstance(most, int) and 0 <= most <= limit:
        return most
    if symbol is not None and symbol.kind == "table":
        unbounded.add(name)
    return limit


def _cost(expr: Expr, symbols: Mapping[str, Symbol], limit: int, unbounded: set[str]) -> int:
    if isinstance(expr, Call) and expr.function in ("any", "all") and len(expr.args) == 2:
        table, condition = expr.args
        rows = _rows(table.name, symbols, limit, unbounded) if isinstance(table, Name) else limit
        inner = _cost(condition, symbols, limit, unbounded)
        return _cost(table, symbols, limit, unbounded) + rows * (1 + inner)
    if isinstance(expr, ColumnRef):
        # `t.x` reads every row of t to build the column (the evaluator charges the same).
        return _rows(expr.table, symbols, limit, unbounded)
    return sum(_cost(child, symbols, limit, unbounded) for child in children(expr))


def check_cost(
    expr: Expr,
    symbols: Mapping[str, Symbol],
    *,
    repeat: int = 1,
    budget: int = COST_BUDGET,
    row_limit: int = ROW_LIMIT,
) -> Problem | None:
    """WK309 when ``repeat`` evaluations of ``expr`` may visit more than ``budget`` rows.

    ``repeat`` is how often the expression runs per response: a table column's ``show_if``
    runs once per row of its table.
    """
    found = cost(expr, symbols, row_limit=row_limit)
    total = found.steps * max(1, repeat)
    if total <= budget:
        return None
    first = next(
        (n for n in walk(expr) if isinstance(n, Call) and n.function in ("any", "all")),
        next((n for n in walk(expr) if isinstance(n, ColumnRef)), expr),
    )
    why = ""
    if found.unbounded_tables:
        names = ", ".join(f"'{t}'" for t in found.unbounded_tables)
        why = (
            f" ({names} set{'s' if len(found.unbounded_tables) == 1 else ''} no max_rows, "
            f"so it counts as {row_limit:,} rows, the most any answer may have)"
        )
    per_row = " once for each row of its table" if repeat > 1 else ""
    return Problem(
        TOO_COSTLY,
        f"This condition would check up to {total:,} combinations of rows{per_row}{why}; "
        f"at most {budget:,} are allowed, so nest fewer any()/all() over tables, name fewer "
        "table columns (t.x) or set max_rows",
        hint="Give each table a max_rows that fits what a client will really fill in, or look "
        "at one table at a time instead of any() inside any().",
        offset=first.offset,
        length=first.length,
    )

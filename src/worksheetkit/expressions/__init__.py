"""The expression language: parse, check, evaluate and serialise show_if/formula/when/unlock_when.

See ``docs/expressions.md`` for the language reference. The browser twin of ``evaluate`` is
``worksheetkit/static/expr.js``; both evaluate the JSON form produced by ``to_json``.

Exception hierarchy::

    Exception
     └── ExpressionSyntaxError   parse() could not read the text; ``.problem`` (WK301)
"""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from .checker import Symbol, SymbolKind, SymbolTable, check, references, value_hint
from .cost import COST_BUDGET, ROW_LIMIT, Cost, cost
from .evaluator import MAX_STEPS, StepBudget, evaluate, step_budget
from .functions import FUNCTIONS, PATHWAY_FUNCTIONS, WORKSHEET_FUNCTIONS
from .graph import find_cycle
from .jsonform import JSON, from_json, to_json
from .nodes import Binary, Call, ColumnRef, Const, Expr, ListExpr, Name, Unary, to_source
from .parser import MAX_DEPTH, MAX_LENGTH, parse
from .problems import CODES, ExpressionSyntaxError

__all__ = [
    "CODES",
    "COST_BUDGET",
    "FUNCTIONS",
    "JSON",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_STEPS",
    "PATHWAY_FUNCTIONS",
    "ROW_LIMIT",
    "WORKSHEET_FUNCTIONS",
    "Binary",
    "Call",
    "ColumnRef",
    "Const",
    "Cost",
    "Expr",
    "ExpressionSyntaxError",
    "ListExpr",
    "Name",
    "Problem",
    "StepBudget",
    "Symbol",
    "SymbolKind",
    "SymbolTable",
    "Unary",
    "check",
    "cost",
    "evaluate",
    "find_cycle",
    "from_json",
    "parse",
    "references",
    "step_budget",
    "to_json",
    "to_source",
    "value_hint",
]


def __getattr__(name: str) -> Any:
    if name == "ExprProblem":  # deprecated alias of Problem, for one release
        from . import problems

        return problems.ExprProblem
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

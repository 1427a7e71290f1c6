"""Problems in expression text: the frozen problem value, the syntax exception and the codes.

Exception hierarchy::

    Exception
     └── ExpressionSyntaxError   raised by ``parse()``; ``.problem`` is the WK301 Problem

Static checks never raise: ``check()`` returns every problem it finds as
:class:`~worksheetkit.errors.Problem` values (``offset``/``length`` say where in the text),
which the caller turns into located ``Diagnostic``s. ``ExprProblem`` is a deprecated alias of
``Problem``.
"""

from __future__ import annotations

import warnings
from typing import Any, Final

from ..errors import Problem

SYNTAX: Final = "WK301"
UNKNOWN_NAME: Final = "WK302"
UNKNOWN_FUNCTION: Final = "WK303"
ARITY: Final = "WK304"
TYPE_MISMATCH: Final = "WK305"
COLUMN_SCOPE: Final = "WK306"
FUNCTION_NOT_ALLOWED: Final = "WK308"
TOO_COSTLY: Final = "WK309"
NOT_A_VALUE: Final = "WK310"
OUT_OF_RANGE: Final = "WK311"

#: Every code this package can produce, with a short title (used by the docs).
CODES: Final[dict[str, str]] = {
    SYNTAX: "syntax error",
    UNKNOWN_NAME: "unknown name",
    UNKNOWN_FUNCTION: "unknown function",
    ARITY: "wrong number of arguments",
    TYPE_MISMATCH: "type mismatch",
    COLUMN_SCOPE: "column used outside its table, or unknown column",
    FUNCTION_NOT_ALLOWED: "function not allowed here",
    TOO_COSTLY: "condition would check too many combinations of table rows",
    NOT_A_VALUE: "compared with a value the item does not have (always false or always true)",
    OUT_OF_RANGE: "compared with a number outside the rating's range (warning)",
}


def __getattr__(name: str) -> Any:
    if name == "ExprProblem":
        warnings.warn(
            "ExprProblem is deprecated; expression checks return worksheetkit.Problem "
            "(the same fields: code, message, severity, hint, offset, length)",
            DeprecationWarning,
            stacklevel=2,
        )
        return Problem
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ExpressionSyntaxError(Exception):
    """The expression text cannot be parsed; ``problem`` says where and why (code WK301)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.code} at offset {problem.offset}: {problem.message}")
        self.problem = problem

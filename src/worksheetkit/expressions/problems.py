"""Problems in expression text: the frozen problem value, the syntax exception and the codes.

Exception hierarchy::

    Exception
     └── ExpressionSyntaxError   raised by ``parse()``; ``.problem`` is the WK301 ExprProblem

Static checks never raise: ``check()`` returns every problem it finds as ``ExprProblem``
values, which the caller turns into located ``Diagnostic``s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

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


@dataclass(frozen=True, slots=True)
class ExprProblem:
    """One problem in one expression.

    ``offset`` is the 0-based character offset of the offending text within the expression
    source and ``length`` its length in characters (0 for "end of expression"). Every
    problem is an error but a comparison outside a rating's range (WK311), which is a warning.
    """

    code: str
    message: str
    hint: str | None
    offset: int
    length: int
    severity: Literal["error", "warning"] = "error"

    def sort_key(self) -> tuple[int, int, str, str]:
        return (self.offset, self.length, self.code, self.message)


class ExpressionSyntaxError(Exception):
    """The expression text cannot be parsed; ``problem`` says where and why (code WK301)."""

    def __init__(self, problem: ExprProblem) -> None:
        super().__init__(f"{problem.code} at offset {problem.offset}: {problem.message}")
        self.problem = problem

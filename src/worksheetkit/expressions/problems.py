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

from ..codes import Code
from ..errors import Problem

SYNTAX: Final = Code.WK301
UNKNOWN_NAME: Final = Code.WK302
UNKNOWN_FUNCTION: Final = Code.WK303
ARITY: Final = Code.WK304
TYPE_MISMATCH: Final = Code.WK305
COLUMN_SCOPE: Final = Code.WK306
FUNCTION_NOT_ALLOWED: Final = Code.WK308
TOO_COSTLY: Final = Code.WK309
NOT_A_VALUE: Final = Code.WK310
OUT_OF_RANGE: Final = Code.WK311

#: Every code this package can produce, with its title (from the catalogue, worksheetkit.codes).
_OWN: Final = (SYNTAX, UNKNOWN_NAME, UNKNOWN_FUNCTION, ARITY, TYPE_MISMATCH, COLUMN_SCOPE,
               FUNCTION_NOT_ALLOWED, TOO_COSTLY, NOT_A_VALUE, OUT_OF_RANGE)  # fmt: skip
CODES: Final[dict[str, str]] = {c: c.info.title for c in _OWN}


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

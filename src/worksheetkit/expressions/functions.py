"""The catalogue of built-in functions: names, argument counts and where each may be used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Signature:
    """How many arguments a function takes (``max_args`` None: any number from ``min_args``)."""

    min_args: int
    max_args: int | None
    spelling: str  # how the docs and messages write the call

    def accepts(self, count: int) -> bool:
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    def describe(self) -> str:
        if self.max_args is None:
            return f"at least {_arguments(self.min_args)}"
        if self.min_args == self.max_args:
            return _arguments(self.min_args)
        return f"{self.min_args} or {_arguments(self.max_args)}"


def _arguments(count: int) -> str:
    return f"{count} argument" + ("" if count == 1 else "s")


SIGNATURES: Final[dict[str, Signature]] = {
    "abs": Signature(1, 1, "abs(x)"),
    "all": Signature(2, 2, "all(table, condition)"),
    "answered": Signature(1, 1, "answered(x)"),
    "any": Signature(2, 2, "any(table, condition)"),
    "coalesce": Signature(1, None, "coalesce(a, b, …)"),
    "completed": Signature(1, 1, "completed(step)"),
    "count": Signature(1, 1, "count(x)"),
    "if": Signature(3, 3, "if(condition, then, otherwise)"),
    "max": Signature(1, None, "max(a, b, …)"),
    "mean": Signature(1, None, "mean(a, b, …)"),
    "min": Signature(1, None, "min(a, b, …)"),
    "round": Signature(1, 2, "round(x) or round(x, digits)"),
    "rows": Signature(1, 1, "rows(table)"),
    "selected": Signature(2, 2, "selected(x, 'value')"),
    "sum": Signature(1, None, "sum(a, b, …)"),
}

#: Every function name the language knows.
FUNCTIONS: Final[frozenset[str]] = frozenset(SIGNATURES)
#: Functions usable in pathways (``unlock_when``): all of them.
PATHWAY_FUNCTIONS: Final[frozenset[str]] = FUNCTIONS
#: The default for ``check(functions_allowed=None)``: all but ``completed`` (pathways only).
WORKSHEET_FUNCTIONS: Final[frozenset[str]] = FUNCTIONS - {"completed"}
#: Functions that combine numbers, flattening lists and skipping nulls.
AGGREGATES: Final[frozenset[str]] = frozenset({"sum", "mean", "min", "max"})

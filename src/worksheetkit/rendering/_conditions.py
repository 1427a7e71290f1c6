"""A ``show_if`` in words for clients: "If you answered “Yes” to “Did you …?”".

Only simple conditions are put in words: one choice, likert, rating, yes/no, number or
checklist item compared with a value it can take, and flat ``and``/``or`` chains of those.
Anything else gets a neutral sentence. Expression text, and string literals in particular,
never reach the output: a value is shown by its option label or as a number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from .._text import Localiser, number_text
from ..expressions import Binary, Call, Const, Expr, ExpressionSyntaxError, ListExpr, Name, Unary
from ..expressions import parse as parse_expression
from ..model import (
    Checklist,
    Choice,
    Likert,
    NumberItem,
    Rating,
    Section,
    Worksheet,
    YesNo,
    display_label,
    item_options,
)

# Every render puts each ``show_if`` in words; the tree of a text is the same every time (its
# nodes are frozen), so it is parsed once per process: about 45 µs of a 30-item render
# with five conditions (4 % of it, 2026-12-04). Syntax errors are not kept (validation
# reports them; the neutral sentence is shown).
_parse = lru_cache(maxsize=1024)(parse_expression)

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_ORDER = {">=": "ge", ">": "gt", "<=": "le", "<": "lt", "==": "eq"}
MAX_PARTS = 4  # longer chains read badly: the neutral sentence instead


def items_by_id(items: Iterable[Any]) -> dict[str, Any]:
    """Every item with an id, sections opened."""
    found: dict[str, Any] = {}
    stack = list(items)
    while stack:
        item = stack.pop()
        if isinstance(item, Section):
            stack.extend(item.items)
        ident = getattr(item, "id", None)
        if isinstance(ident, str):
            found[ident] = item
    return found


class ConditionWords:
    """Puts conditions in words with the interface strings ``ui`` (``cond_*`` keys).

    ``label(item)`` gives an item's label in the page language; ``option_label(item, value)``
    an option's label, or None when the value is not one of the item's options.
    """

    def __init__(
        self,
        items: dict[str, Any],
        ui: dict[str, str],
        label: Callable[[Any], str],
        option_label: Callable[[Any, Any], str | None],
    ) -> None:
        self.items = items
        self.ui = ui
        self.label = label
        self.option_label = option_label

    def sentence(self, source: str) -> str:
        """The whole sentence shown before a conditional question."""
        words = self.words(source)
        if words is None:
            return self.ui["cond_complex"]
        return self.ui["cond_if"].format(condition=words)

    def words(self, source: str) -> str | None:
        try:
            expr = _parse(source)
        except (ExpressionSyntaxError, RecursionError, ValueError):
            return None
        for op in ("and", "or"):
            parts = _chain(expr, op)
            if len(parts) > 1:
                if len(parts) > MAX_PARTS:
                    return None
                said = [self.simple(p) for p in parts]
                if any(s is None for s in said):
                    return None
                return self.ui[f"cond_{op}"].join(s for s in said if s is not None)
        return self.simple(expr)

    def simple(self, expr: Expr) -> str | None:
        """One condition in words, or None when it has no plain sentence."""
        if isinstance(expr, Name):  # a yes/no item on its own: answered "Yes"
            return self._yes_no(expr.name, True)
        if isinstance(expr, Unary) and expr.op == "not" and isinstance(expr.operand, Name):
            return self._yes_no(expr.operand.name, False)
        if isinstance(expr, Call) and len(expr.args) >= 1 and isinstance(expr.args[0], Name):
            return self._call(expr, expr.args[0].name)
        if isinstance(expr, Binary):
            return self._binary(expr)
        return None

    def _yes_no(self, name: str, yes: bool) -> str | None:
        item = self.items.get(name)
        return self.answered(item, yes) if isinstance(item, YesNo) else None

    def _call(self, expr: Call, name: str) -> str | None:
        """``answered(x)`` and ``selected(x, 'value')``."""
        item = self.items.get(name)
        if item is None:
            return None
        if expr.function == "answered" and len(expr.args) == 1:
            return self.ui["cond_answered_any"].format(label=self.label(item))
        if (
            expr.function == "selected"
            and len(expr.args) == 2
            and isinstance(expr.args[1], Const)
            and isinstance(item, Checklist | Choice)
        ):
            answer = self.option_label(item, expr.args[1].value)
            if answer is None:
                return None
            return self.ui["cond_ticked"].format(answer=answer, label=self.label(item))
        return None

    def _binary(self, expr: Binary) -> str | None:
        """``x == value``, ``x in [...]``, ``x >= n`` (either side first)."""
        left, right, op = expr.left, expr.right, expr.op
        if isinstance(left, Const | ListExpr) and isinstance(right, Name) and op in _FLIP:
            left, right, op = right, left, _FLIP[op]  # type: ignore[assignment]
        if not isinstance(left, Name):
            return None
        item = self.items.get(left.name)
        if item is None:
            return None
        if op == "in" and isinstance(right, ListExpr) and isinstance(item, Choice | Likert):
            labels = [self.value_label(item, v) for v in right.items]
            if not labels or any(x is None for x in labels) or len(labels) > MAX_PARTS:
                return None
            either = self.ui["cond_either"].join(
                self.ui["cond_quote"].format(text=x) for x in labels
            )
            return self.ui["cond_answered_in"].format(answers=either, label=self.label(item))
        if not isinstance(right, Const):
            return None
        return self._compare(item, op, right.value)

    def _compare(self, item: Any, op: str, value: Any) -> str | None:
        """An item compared with a constant."""
        if isinstance(item, YesNo) and isinstance(value, bool) and op in ("==", "!="):
            return self.answered(item, value if op == "==" else not value)
        number = _number(value)
        equality = op in ("==", "!=")
        if equality and (
            isinstance(item, Choice)
            or (isinstance(item, Likert) and (number is None or op not in _ORDER))
        ):
            answer = self.option_label(item, value)
            if answer is None:
                return None
            key = "cond_answered_is" if op == "==" else "cond_answered_not"
            return self.ui[key].format(answer=answer, label=self.label(item))
        if number is None or op not in _ORDER:
            return None
        if isinstance(item, Likert | Rating):
            if isinstance(item, Likert) and self.option_label(item, value) is None:
                return None
            if isinstance(item, Rating) and not item.min <= number <= item.max:
                return None
            return self.ui[f"cond_rated_{_ORDER[op]}"].format(
                label=self.label(item), n=number_text(number)
            )
        if isinstance(item, NumberItem):
            return self.ui[f"cond_number_{_ORDER[op]}"].format(
                label=self.label(item), n=number_text(number)
            )
        return None

    def answered(self, item: YesNo, yes: bool) -> str:
        answer = self.ui["yes"] if yes else self.ui["no"]
        return self.ui["cond_answered_is"].format(answer=answer, label=self.label(item))

    def value_label(self, item: Any, expr: Expr) -> str | None:
        if not isinstance(expr, Const):
            return None
        return self.option_label(item, expr.value)


def _chain(expr: Expr, op: str) -> list[Expr]:
    """``a and b and c`` as [a, b, c] (only when every link is ``op``)."""
    if isinstance(expr, Binary) and expr.op == op:
        return [*_chain(expr.left, op), *_chain(expr.right, op)]
    return [expr]


def _number(value: object) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def for_worksheet(ws: Worksheet, loc: Localiser, ui: dict[str, str]) -> ConditionWords:
    """Condition words for ``ws`` in ``loc``'s language: the one translator used by the
    printable Markdown and the printed HTML form alike."""
    quiet = Localiser(loc.language, loc.default)  # missing translations are reported elsewhere

    def label(item: Any) -> str:
        return " ".join(quiet.text(display_label(item), "").split())

    def option_label(item: Any, value: Any) -> str | None:
        if isinstance(value, bool) or value is None:
            return None
        for opt in item_options(item):
            if isinstance(opt.value, str) != isinstance(value, str) or opt.value != value:
                continue
            if opt.label is not None:
                return " ".join(quiet.text(opt.label, "").split())
            return number_text(opt.value) if isinstance(opt.value, int | float) else str(opt.value)
        return None

    return ConditionWords(items_by_id(ws.items), ui, label, option_label)

"""Translating worksheetkit expressions into FHIRPath (SDC enableWhenExpression /
calculatedExpression), and simple ``show_if`` conditions into structured ``enableWhen``.

Answers are read the way SDC forms fill them in a QuestionnaireResponse:
``%resource.repeat(item).where(linkId='q1').answer.value``. Choice answers are Codings whose
code is the option value, so numeric option values are read back with ``code.toDecimal()``.
Semantics follow the expression language: an unanswered item is empty, a comparison with it is
empty (treated as false), and ``not`` uses ``iif`` so that "not (unanswered == 1)" is true, as
it is in worksheetkit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, assert_never

from ..expressions import Binary, Call, ColumnRef, Const, Expr, ListExpr, Name, Unary
from ..expressions.nodes import format_number
from ..model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    InputItem,
    Likert,
    NumberItem,
    Ranking,
    Rating,
    Table,
    TextItem,
    TimeItem,
    YesNo,
    item_options,
)
from ._common import code_of, number_value


class Untranslatable(Exception):
    """The expression uses something FHIRPath (as SDC forms evaluate it) cannot say."""


@dataclass
class Scope:
    """What names mean: top-level (and section) items, and table columns."""

    items: Mapping[str, Any]
    reverse: bool = False  # score formulas: reverse-scored items are flipped in their range
    row_table: str | None = None  # inside any()/all() or a table column: the row's table
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    # prorated scores: what an unanswered item counts as (the mean of the answered ones)
    fill: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for ident, item in self.items.items():
            if isinstance(item, Table):
                self.columns[ident] = {c.id: c for c in item.columns}


def literal(value: object) -> str:
    if value is None:
        return "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(number_value(value))
    text = str(value)
    out = ["'"]
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "'":
            out.append("\\'")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append("'")
    return "".join(out)


def _numeric_options(item: Any) -> bool:
    values = [o.value for o in item_options(item)]
    return bool(values) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    )


def _is_coded(item: Any) -> bool:
    return isinstance(item, Choice | Likert | Checklist | Ranking)


def _paren(text: str) -> str:
    simple = all(ch.isalnum() or ch in "._%'()" for ch in text) and text.count("(") == text.count(
        ")"
    )
    return text if simple and not text.startswith("(") else f"({text})"


class Translator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    # -- names --------------------------------------------------------------------------------
    def _lookup(self, name: str) -> tuple[Any, str]:
        """The item a name refers to and the FHIRPath of its question item(s)."""
        table = self.scope.row_table
        if table is not None and name in self.scope.columns.get(table, {}):
            column = self.scope.columns[table][name]
            return column, f"item.where(linkId={literal(f'{table}.{name}')})"
        item = self.scope.items.get(name)
        if item is None:
            raise Untranslatable(f"'{name}' is not a question of this worksheet")
        return item, f"%resource.repeat(item).where(linkId={literal(name)})"

    def _value(self, item: Any, question: str) -> str:
        if _is_coded(item):
            if isinstance(item, Choice | Likert) and _numeric_options(item):
                return f"{question}.answer.value.code.toDecimal()"
            return f"{question}.answer.value.code"
        if isinstance(item, Table):
            raise Untranslatable("a whole table has no single value")
        return f"{question}.answer.value"

    def name(self, name: str) -> str:
        item, question = self._lookup(name)
        value = self._value(item, question)
        if self.scope.reverse and getattr(item, "reverse", False):
            bounds = _range(item)
            if bounds is None:
                raise Untranslatable(f"the reverse-scored item '{name}' has no fixed range")
            value = f"({literal(bounds[0] + bounds[1])} - {_paren(value)})"
        fill = self.scope.fill.get(name) if self.scope.row_table is None else None
        if fill is not None:
            return f"iif({_paren(value)}.exists(), {value}, {fill})"
        return value

    # -- the tree -------------------------------------------------------------------------------
    def run(self, expr: Expr) -> str:
        if isinstance(expr, Const):
            return literal(expr.value)
        if isinstance(expr, Name):
            return self.name(expr.name)
        if isinstance(expr, ColumnRef):
            table = self.scope.items.get(expr.table)
            column = self.scope.columns.get(expr.table, {}).get(expr.column)
            if not isinstance(table, Table) or column is None:
                raise Untranslatable(f"'{expr.table}.{expr.column}' is not a table column")
            rows = f"%resource.repeat(item).where(linkId={literal(expr.table)})"
            inner = f"item.where(linkId={literal(f'{expr.table}.{expr.column}')})"
            return self._value(column, f"{rows}.{inner}")
        if isinstance(expr, ListExpr):
            if not expr.items:
                return "{}"
            return "(" + " | ".join(self.run(i) for i in expr.items) + ")"
        if isinstance(expr, Unary):
            inner = self.run(expr.operand)
            if expr.op == "not":
                return f"iif({inner}, false, true)"
            return f"(-{_paren(inner)})" if not inner.startswith("-") else f"(0 - {_paren(inner)})"
        if isinstance(expr, Binary):
            return self.binary(expr)
        return self.call(expr)

    def _coded_equality(self, expr: Binary) -> str | None:
        """``choice == 2`` compares codes exactly (the option whose value equals 2)."""
        name, const = expr.left, expr.right
        if isinstance(name, Const) and isinstance(const, Name):
            name, const = const, name
        if not isinstance(name, Name) or not isinstance(const, Const) or const.value is None:
            return None
        item, question = self._lookup(name.name)
        if not _is_coded(item):
            return None
        code = code_of(const.value)
        op = "=" if expr.op == "==" else "!="
        if isinstance(item, Checklist | Ranking):
            return None  # a list equals a single value never; keep the generic path
        return f"{question}.answer.value.code {op} {literal(code)}"

    def binary(self, expr: Binary) -> str:
        op = expr.op
        if op in ("and", "or"):
            return f"{_paren(self.run(expr.left))} {op} {_paren(self.run(expr.right))}"
        if op in ("==", "!="):
            for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
                if isinstance(side, Const) and side.value is None:
                    probe = self.run(other)
                    return f"{_paren(probe)}.{'empty' if op == '==' else 'exists'}()"
            coded = self._coded_equality(expr)
            if coded is not None:
                return coded
            fop = "=" if op == "==" else "!="
            return f"{_paren(self.run(expr.left))} {fop} {_paren(self.run(expr.right))}"
        if op == "in":
            left = self.run(expr.left)
            right = expr.right
            if isinstance(right, Name):
                item, question = self._lookup(right.name)
                if _is_coded(item):
                    # 'value' in checklist: is that option among the answers
                    code = (
                        literal(code_of(expr.left.value))
                        if isinstance(expr.left, Const)
                        else _paren(left)
                    )
                    return f"{question}.answer.value.code contains {code}"
            return f"{_paren(left)} in {_paren(self.run(right))}"
        return f"{_paren(self.run(expr.left))} {op} {_paren(self.run(expr.right))}"

    def _listlike(self, arg: Expr) -> bool:
        if isinstance(arg, ColumnRef | ListExpr):
            return True
        if isinstance(arg, Name):
            table = self.scope.row_table
            if table is not None and arg.name in self.scope.columns.get(table, {}):
                return False
            return isinstance(self.scope.items.get(arg.name), Checklist | Ranking | Table)
        return False

    def call(self, expr: Call) -> str:
        fn, args = expr.function, expr.args
        if fn == "answered":
            arg = args[0]
            if isinstance(arg, Name):
                item, question = self._lookup(arg.name)
                if isinstance(item, Table):
                    return f"{question}.exists()"
                return f"{question}.answer.value.exists()"
            return f"{_paren(self.run(arg))}.exists()"
        if fn == "selected":
            target, wanted = args
            if isinstance(target, Name) and isinstance(wanted, Const):
                item, question = self._lookup(target.name)
                if _is_coded(item):
                    return f"{question}.answer.value.code contains {literal(code_of(wanted.value))}"
            return f"{_paren(self.run(target))} contains {_paren(self.run(wanted))}"
        if fn == "count":
            arg = args[0]
            if isinstance(arg, Name):
                item, question = self._lookup(arg.name)
                if isinstance(item, Table):
                    return f"{question}.count()"
                return f"{question}.answer.value.count()"
            return f"{_paren(self.run(arg))}.count()"
        if fn == "rows":
            arg = args[0]
            if isinstance(arg, Name) and isinstance(self.scope.items.get(arg.name), Table):
                return f"%resource.repeat(item).where(linkId={literal(arg.name)}).count()"
            raise Untranslatable("rows() needs a table")
        if fn in ("sum", "mean", "min", "max"):
            parts = [self.run(a) for a in args]
            first = parts[0]
            joined = f"({first})" if isinstance(args[0], Const) else _paren(first)
            for part in parts[1:]:
                joined += f".combine({part})"
            method = {"sum": "sum", "mean": "avg", "min": "min", "max": "max"}[fn]
            constant = any(isinstance(a, Const) and isinstance(a.value, int | float) for a in args)
            if fn in ("sum", "mean") and constant:
                return f"{joined}.{method}()"
            if fn in ("sum", "mean"):
                # nothing answered: no value (FHIRPath's sum() of nothing would be 0)
                return f"iif({joined}.exists(), {joined}.{method}(), {{}})"
            # a missing single argument makes min/max missing (lists skip their gaps)
            needed = [
                f"{_paren(part)}.exists()"
                for part, arg in zip(parts, args, strict=True)
                if not self._listlike(arg)
            ]
            if needed:
                return f"iif({' and '.join(needed)}, {joined}.{method}(), {{}})"
            return f"{joined}.{method}()"
        if fn == "abs":
            return f"{_paren(self.run(args[0]))}.abs()"
        if fn == "round":
            digits = self.run(args[1]) if len(args) > 1 else ""
            return f"{_paren(self.run(args[0]))}.round({digits})"
        if fn == "if":
            return "iif(" + ", ".join(self.run(a) for a in args) + ")"
        if fn == "coalesce":
            parts = [self.run(a) for a in args]
            out = parts[-1]
            for part in reversed(parts[:-1]):
                out = f"iif({_paren(part)}.exists(), {part}, {out})"
            return out
        if fn in ("any", "all"):
            table, condition = args
            if not isinstance(table, Name) or not isinstance(
                self.scope.items.get(table.name), Table
            ):
                raise Untranslatable(f"{fn}() needs a table")
            rows = f"%resource.repeat(item).where(linkId={literal(table.name)})"
            outer = self.scope.row_table
            self.scope.row_table = table.name
            try:
                inner = self.run(condition)
            finally:
                self.scope.row_table = outer
            if fn == "any":
                return f"{rows}.where({inner}).exists()"
            return f"({rows}.exists() and {rows}.all({inner}))"
        raise Untranslatable(f"the function {fn}() has no FHIRPath counterpart here")


def _range(item: Any) -> tuple[float | int, float | int] | None:
    if isinstance(item, Rating):
        return number_value(item.min), number_value(item.max)
    if isinstance(item, NumberItem) and item.min is not None and item.max is not None:
        return number_value(item.min), number_value(item.max)
    if isinstance(item, Choice | Likert) and _numeric_options(item):
        values = [float(o.value) for o in item_options(item)]
        return number_value(min(values)), number_value(max(values))
    return None


def to_fhirpath(expr: Expr, scope: Scope) -> str:
    """FHIRPath text for ``expr``; raises :class:`Untranslatable`."""
    return Translator(scope).run(expr)


def score_fhirpath(
    expr: Expr,
    scope: Scope,
    fields: Sequence[str],
    allow: int,
    method: str,
    whole: bool,
) -> str:
    """FHIRPath for a score formula WITH the missing-answer rule, as the score calculator
    applies it (``responses.score``): ``fields`` are the answers the formula reads. With more
    than ``allow`` of them unanswered there is no score; with ``method: prorate`` each missing
    scalar answer counts as the mean of the answered numbers and the result is rounded (to a
    whole number when complete answers always give one, else to 2 decimals, half away from
    zero); a missing table gives no score. Raises :class:`Untranslatable`."""
    translator = Translator(scope)
    body = translator.run(expr)
    if not fields:
        return body
    answered: list[str] = []
    tables: list[str] = []
    numbers: list[str] = []
    for fid in fields:
        item, question = translator._lookup(fid)
        if isinstance(item, Table):
            answered.append(f"{question}.exists()")
            tables.append(answered[-1])
            continue
        answered.append(f"{_paren(translator._value(item, question))}.exists()")
        if isinstance(item, NumberItem | Rating) or (
            isinstance(item, Choice | Likert) and _numeric_options(item)
        ):
            numbers.append(translator.name(fid))
    n = len(fields)
    if allow >= n and method != "prorate":
        return body
    every = " and ".join(answered)
    count = "(" + " + ".join(f"iif({a}, 1, 0)" for a in answered) + ")"
    enough = every if allow == 0 else f"{count} >= {n - allow}"
    if method != "prorate" or allow == 0:
        return f"iif({enough}, {body}, {{}})"
    if not numbers:
        return f"iif({every}, {body}, {{}})"
    joined = _paren(numbers[0]) + "".join(f".combine({x})" for x in numbers[1:])
    mean = f"{joined}.avg()"
    filled = Scope(
        scope.items,
        reverse=scope.reverse,
        fill={fid: mean for fid in fields if not isinstance(scope.items.get(fid), Table)},
    )
    value = Translator(filled).run(expr)
    digits = 0 if whole else 2
    rounded = (
        f"iif({_paren(value)} < 0, 0 - (0 - {_paren(value)}).round({digits}), "
        f"{_paren(value)}.round({digits}))"
    )
    conditions = [enough, *tables, f"{joined}.exists()"]
    return f"iif({every}, {body}, iif({' and '.join(conditions)}, {rounded}, {{}}))"


# ---------------------------------------------------------------------------------------------
# Structured enableWhen for the simple cases


_ORDERED = (NumberItem, Rating, DateItem, TimeItem, DateTimeItem)
_OPS = {"==": "=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "=="}


def _integer_item(item: Any) -> bool:
    if isinstance(item, NumberItem):
        return item.integer
    if isinstance(item, Rating):
        return all(isinstance(number_value(v), int) for v in (item.min, item.max, item.step))
    return False


def answer_field(item: InputItem, value: object) -> tuple[str, object] | None:
    """``("answerInteger", 3)`` for a literal compared with ``item``; None when it cannot be."""
    if (isinstance(value, bool) and not isinstance(item, YesNo)) or value is None:
        return None
    match item:
        case YesNo():
            return ("answerBoolean", value) if isinstance(value, bool) else None
        case NumberItem() | Rating():
            if not isinstance(value, int | float):
                return None
            v = number_value(value)
            if _integer_item(item):
                return ("answerInteger", v) if isinstance(v, int) else None
            return ("answerDecimal", v)
        case Choice() | Likert() | Checklist():
            option = next((o for o in item_options(item) if _same(o.value, value)), None)
            if option is None:
                return None
            coding = {"code": code_of(value)}
            if option.system is not None:
                coding = {"system": option.system, **coding}
            return ("answerCoding", coding)
        case TextItem() | DurationItem():
            return ("answerString", value) if isinstance(value, str) else None
        case DateItem():
            return ("answerDate", value) if isinstance(value, str) else None
        case TimeItem():
            return ("answerTime", fhir_time(value)) if isinstance(value, str) else None
        case DateTimeItem():
            return ("answerDateTime", value) if isinstance(value, str) else None
        case Ranking() | Table():
            return None  # no literal stands for a whole ordering or table
        case _:
            assert_never(item)


def _same(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def fhir_time(value: str) -> str:
    """FHIR times carry seconds: "20:00" → "20:00:00"."""
    return value + ":00" if len(value) == 5 and value[2:3] == ":" else value


def _condition(
    expr: Expr, items: Mapping[str, Any], link: Mapping[str, str]
) -> dict[str, Any] | None:
    if isinstance(expr, Call) and expr.function == "answered" and isinstance(expr.args[0], Name):
        name = expr.args[0].name
        if name in items and not isinstance(items[name], Table):
            return {"question": link[name], "operator": "exists", "answerBoolean": True}
        return None
    if (
        isinstance(expr, Unary)
        and expr.op == "not"
        and isinstance(expr.operand, Call)
        and expr.operand.function == "answered"
        and isinstance(expr.operand.args[0], Name)
    ):
        name = expr.operand.args[0].name
        if name in items and not isinstance(items[name], Table):
            return {"question": link[name], "operator": "exists", "answerBoolean": False}
        return None
    if isinstance(expr, Call) and expr.function == "selected":
        target, wanted = expr.args
        if isinstance(target, Name) and isinstance(wanted, Const):
            item = items.get(target.name)
            if isinstance(item, Checklist | Choice | Likert):
                answer = answer_field(item, wanted.value)
                if answer:
                    return {"question": link[target.name], "operator": "=", answer[0]: answer[1]}
        return None
    if isinstance(expr, Binary) and expr.op in _OPS:
        left, right = expr.left, expr.right
        op: str = expr.op
        if isinstance(left, Const) and isinstance(right, Name):
            left, right, op = right, left, _FLIP[op]
        if not isinstance(left, Name) or not isinstance(right, Const):
            return None
        item = items.get(left.name)
        if item is None or isinstance(item, Checklist | Ranking | Table):
            return None
        if right.value is None:
            return None
        if op != "==" and not isinstance(item, _ORDERED):
            return None
        answer = answer_field(item, right.value)
        if answer is None:
            return None
        return {"question": link[left.name], "operator": _OPS[op], answer[0]: answer[1]}
    return None


def _not_equal(
    expr: Expr, items: Mapping[str, Any], link: Mapping[str, str]
) -> dict[str, Any] | None:
    """FHIR's ``!=`` for a ``x != v`` on a single-answer question (true when no answer is
    ``v``, so also when unanswered): None unless ``expr`` is such a comparison."""
    if not (isinstance(expr, Binary) and expr.op == "!="):
        return None
    left, right = expr.left, expr.right
    if isinstance(left, Const) and isinstance(right, Name):
        left, right = right, left
    if not isinstance(left, Name) or not isinstance(right, Const) or right.value is None:
        return None
    item = items.get(left.name)
    if item is None or isinstance(item, Checklist | Ranking | Table):
        return None
    answer = answer_field(item, right.value)
    if answer is None:
        return None
    return {"question": link[left.name], "operator": "!=", answer[0]: answer[1]}


def _fhir_not_equal(
    expr: Expr, items: Mapping[str, Any], link: Mapping[str, str]
) -> dict[str, Any] | None:
    """``not answered(x) or x != v`` is exactly FHIR's ``x != v``."""
    if not (isinstance(expr, Binary) and expr.op == "or"):
        return None
    for first, second in ((expr.left, expr.right), (expr.right, expr.left)):
        unanswered = _condition(first, items, link)
        other = _not_equal(second, items, link)
        if (
            unanswered is not None
            and other is not None
            and unanswered["operator"] == "exists"
            and unanswered.get("answerBoolean") is False
            and unanswered["question"] == other["question"]
        ):
            return other
    return None


def _conditions(
    expr: Expr, items: Mapping[str, Any], link: Mapping[str, str], conjunction: bool
) -> list[dict[str, Any]] | None:
    """The enableWhen entries one part of a condition needs. worksheetkit's ``x != v`` is
    false when ``x`` is unanswered, FHIR's is true: inside an 'all' it is written as two
    entries, "x exists" and "x != v"."""
    single = _condition(expr, items, link) or _fhir_not_equal(expr, items, link)
    if single is not None:
        return [single]
    if conjunction:
        other = _not_equal(expr, items, link)
        if other is not None:
            exists = {"question": other["question"], "operator": "exists", "answerBoolean": True}
            return [exists, other]
    return None


def enable_when(
    expr: Expr, items: Mapping[str, Any], link: Mapping[str, str]
) -> tuple[list[dict[str, Any]], str | None] | None:
    """``(enableWhen list, enableBehavior)`` for a simple condition; None otherwise.

    Simple: ``x == v``, ``x != v``, ``x >= n`` (numbers, dates, times), ``answered(x)``,
    ``not answered(x)``, ``selected(x, 'v')``, and an ``and`` (or an ``or``) of those.
    Each keeps worksheetkit's meaning under FHIR's rules (R4 questionnaire-enable-operator):
    ``=``, ``>``, … are false for an unanswered question in both; ``!=`` is not (see
    :func:`_conditions`).
    """
    single = _conditions(expr, items, link, conjunction=True)
    if single is not None:
        return single, "all" if len(single) > 1 else None
    if isinstance(expr, Binary) and expr.op in ("and", "or"):
        if expr.op == "or" and _fhir_not_equal(expr, items, link) is not None:
            return None  # handled above; never reached
        parts: list[Expr] = []
        stack: list[Expr] = [expr]
        while stack:
            node = stack.pop()
            if (
                isinstance(node, Binary)
                and node.op == expr.op
                and _fhir_not_equal(node, items, link) is None
            ):
                stack.extend([node.right, node.left])
            else:
                parts.append(node)
        found: list[dict[str, Any]] = []
        for part in parts:
            conditions = _conditions(part, items, link, conjunction=expr.op == "and")
            if conditions is None:
                return None
            found.extend(conditions)
        return found, "all" if expr.op == "and" else "any"
    return None

"""Tests of the expression language: parsing, JSON form, null rules, functions, checks, cycles."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import worksheetkit.expressions as ex
from budget import counted
from strategies import examples
from worksheetkit.errors import Problem
from worksheetkit.expressions import (
    PATHWAY_FUNCTIONS,
    Binary,
    Call,
    ColumnRef,
    Const,
    Expr,
    ExpressionSyntaxError,
    ListExpr,
    Name,
    Symbol,
    Unary,
    check,
    evaluate,
    find_cycle,
    from_json,
    parse,
    references,
    to_json,
    to_source,
)

PACKAGE = Path(ex.__file__).parent
EXPR_JS = PACKAGE.parent / "static" / "expr.js"


def j(source: str) -> Any:
    return to_json(parse(source))


def ev(source: str, values: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return evaluate(parse(source), values or {}, **kwargs)


def syntax_problem(source: str) -> Problem:
    with pytest.raises(ExpressionSyntaxError) as info:
        parse(source)
    assert info.value.problem.code == "WK301"
    return info.value.problem


# ---------------------------------------------------------------------------------------------
# Parsing


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1", 1),
        ("2.5", 2.5),
        ("-3", -3),
        ("'it\\'s'", "it's"),
        ('"say \\"hi\\""', 'say "hi"'),
        ("'a\\nb\\tc\\\\'", "a\nb\tc\\"),
        ("'\\u00e9'", "é"),
        ("'\\u0000'", "\x00"),
        ("true", True),
        ("false", False),
        ("null", None),
        ("[]", ["list"]),
        ("[1, 'a', null]", ["list", 1, "a", None]),
        ("belief", ["name", "belief"]),
        ("_x9Y", ["name", "_x9Y"]),
        ("exposures.suds_before", ["col", "exposures", "suds_before"]),
        ("a or b and c", ["or", ["name", "a"], ["and", ["name", "b"], ["name", "c"]]]),
        ("(a or b) and c", ["and", ["or", ["name", "a"], ["name", "b"]], ["name", "c"]]),
        ("not a and b", ["and", ["not", ["name", "a"]], ["name", "b"]]),
        ("not a == 1", ["not", ["==", ["name", "a"], 1]]),
        ("a == 1 or b", ["or", ["==", ["name", "a"], 1], ["name", "b"]]),
        ("1 + 2 * 3", ["+", 1, ["*", 2, 3]]),
        ("(1 + 2) * 3", ["*", ["+", 1, 2], 3]),
        ("1 - 2 - 3", ["-", ["-", 1, 2], 3]),
        ("8 / 4 / 2", ["/", ["/", 8, 4], 2]),
        ("-a * b", ["*", ["neg", ["name", "a"]], ["name", "b"]]),
        ("- -1", ["neg", -1]),
        ("a - -1", ["-", ["name", "a"], -1]),
        ("a + 1 >= b * 2", [">=", ["+", ["name", "a"], 1], ["*", ["name", "b"], 2]]),
        ("x in [1, 2]", ["in", ["name", "x"], ["list", 1, 2]]),
        ("'v' in symptoms", ["in", "v", ["name", "symptoms"]]),
        ("sum()", ["call", "sum"]),
        ("sum (q1, q2)", ["call", "sum", ["name", "q1"], ["name", "q2"]]),
        (
            "any(t, c > 1 and outer)",
            ["call", "any", ["name", "t"], ["and", [">", ["name", "c"], 1], ["name", "outer"]]],
        ),
        ("  belief\n  >= 2 ", [">=", ["name", "belief"], 2]),
        ("a\u00a0== 1", ["==", ["name", "a"], 1]),
    ],
)
def test_parse_to_json(source: str, expected: Any) -> None:
    assert j(source) == expected


def test_numbers_keep_int_and_decimal_apart() -> None:
    assert type(parse("2").value) is int  # type: ignore[union-attr]
    assert type(parse("2.0").value) is float  # type: ignore[union-attr]


def test_nodes_carry_source_offsets() -> None:
    expr = parse("a + sum(b, c.d) >= 10")
    assert isinstance(expr, Binary)
    assert (expr.offset, expr.length) == (0, 21)
    plus = expr.left
    assert isinstance(plus, Binary)
    call = plus.right
    assert isinstance(call, Call)
    assert (call.offset, call.length) == (4, 11)
    col = call.args[1]
    assert isinstance(col, ColumnRef)
    assert (col.offset, col.length) == (11, 3)
    assert isinstance(expr.right, Const)
    assert (expr.right.offset, expr.right.length) == (19, 2)


def test_equality_ignores_offsets_but_not_bool_versus_number() -> None:
    assert parse("a  ==  1") == Binary("==", Name("a"), Const(1))
    assert Const(True) != Const(1)
    assert Const(1) == Const(1.0)
    assert Const("1") != Const(1)
    assert len({Const(True), Const(1), Const(1.0)}) == 2


@pytest.mark.parametrize(
    ("source", "offset", "length", "message"),
    [
        ("belief >=", 9, 0, "Expected a value after '>='"),
        ("belief >= )", 10, 1, "Expected a value after '>='"),
        ("sum(a", 5, 0, "Unclosed parenthesis opened at column 4"),
        ("(1 + 2", 6, 0, "Unclosed parenthesis opened at column 1"),
        ("[1, 2", 5, 0, "Unclosed bracket opened at column 1"),
        ("(1 + 2]", 6, 1, "Expected ')'"),
        ("a b", 2, 1, "Unexpected 'b'"),
        ("a)", 1, 1, "')' has no matching '('"),
        (")", 0, 1, "Expected a value"),
        ("", 0, 0, "The expression is empty"),
        ("   ", 0, 3, "The expression is empty"),
        ("1 < x < 3", 6, 1, "Comparisons cannot be chained"),
        ("a == b != c", 7, 2, "Comparisons cannot be chained"),
        ("a = 1", 2, 1, "A single '='"),
        ("a && b", 2, 2, "'&&' is not an operator"),
        ("a || b", 2, 2, "'||' is not an operator"),
        ("!a", 0, 1, "'!' is not an operator"),
        ("a <> b", 2, 2, "'<>' is not an operator"),
        ("a => 1", 2, 2, "'=>' is not an operator"),
        ("True", 0, 4, "'True' is not a valid name"),
        ("Belief > 1", 0, 6, "'Belief' is not a valid name"),
        ("1.", 0, 2, "Expected a digit after the decimal point"),
        (".5", 0, 1, "A number cannot start with '.'"),
        ("1e5", 0, 3, "'1e5' is not a number"),
        ("1.2.3", 0, 5, "'1.2.3' is not a number"),
        ("a.b.c", 0, 5, "more than one dot"),
        ("a.", 0, 2, "Expected a column id"),
        ("a.and", 2, 3, "'and' is a keyword"),
        ("'abc", 0, 4, "has no closing '"),
        ('x == "abc', 5, 4, 'has no closing "'),
        ("'\\u12'", 1, 5, "four hex digits"),
        ("'\\", 1, 1, "backslash"),
        ("‘sad’", 0, 1, "Curly quote"),
        ("a # b", 2, 1, "Unexpected character: '#'"),
        ("a\x00", 1, 1, "NUL"),
        ("'a\x00'", 2, 1, "NUL"),
        ("f(1,)", 4, 1, "Expected a value after ','"),
        ("f(1 2)", 4, 1, "Expected ')' to close the parenthesis opened at column 2"),
        ("[1 2]", 3, 1, "Expected ']'"),
        ("1" * 400, 0, 400, "too large"),
        ("not", 3, 0, "Expected a value after 'not'"),
        ("a and", 5, 0, "Expected a value after 'and'"),
    ],
)
def test_syntax_errors_point_at_the_bad_token(
    source: str, offset: int, length: int, message: str
) -> None:
    problem = syntax_problem(source)
    assert message in problem.message
    assert (problem.offset, problem.length) == (offset, length)


def test_syntax_error_hints_are_given_for_common_slips() -> None:
    assert syntax_problem("a = 1").hint == "Use '==' to compare two values."
    assert syntax_problem("TRUE").hint == "Write 'true' in lowercase."
    assert syntax_problem("a && b").hint == "Use 'and'."


def test_syntax_error_is_an_exception_with_its_problem() -> None:
    with pytest.raises(ExpressionSyntaxError, match="WK301 at offset 9"):
        parse("belief >=")


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        parse(3)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Hostile input


def test_ten_thousand_nested_parentheses_fail_fast_without_recursion_error() -> None:
    # Refused by the length check before a single token is read: a handful of calls.
    problem, calls = counted(50, syntax_problem, "(" * 10_000 + "1" + ")" * 10_000)
    assert calls < 50
    assert problem.offset == ex.MAX_LENGTH


def test_deep_nesting_within_the_length_limit_is_rejected() -> None:
    problem = syntax_problem("(" * 900 + "1" + ")" * 900)
    assert "nested too deeply" in problem.message
    assert problem.offset == 64  # the token where the 65th level starts
    assert "nested too deeply" in syntax_problem("[" * 500 + "]" * 500).message
    assert "nested too deeply" in syntax_problem("not " * 400 + "a").message
    assert "nested too deeply" in syntax_problem("-" * 1000 + "a").message
    assert "nested too deeply" in syntax_problem("f(" * 300 + ")" * 300).message


def test_sixty_four_levels_are_fine() -> None:
    assert parse("(" * 63 + "1" + ")" * 63) == Const(1)
    assert parse("+".join(["a"] * 64)) is not None


def test_long_operator_chains_are_rejected_by_tree_depth() -> None:
    problem = syntax_problem("+".join(["a"] * 65))
    assert "nested too deeply" in problem.message
    assert problem.hint is not None
    assert "sum(" in problem.hint


def test_one_megabyte_string_is_rejected_quickly() -> None:
    source = "'" + "x" * 1_000_000 + "'"
    problem, calls = counted(50, syntax_problem, source)
    assert calls < 50
    assert (problem.offset, problem.length) == (2000, len(source) - 2000)
    assert "2,000" in problem.message


def test_exactly_two_thousand_characters_is_allowed() -> None:
    source = "'" + "x" * 1998 + "'"
    assert len(source) == ex.MAX_LENGTH
    assert parse(source) == Const("x" * 1998)


@given(st.text(max_size=200))
@settings(max_examples=examples(300))
def test_parse_never_fails_with_anything_but_a_syntax_error(source: str) -> None:
    try:
        parse(source)
    except ExpressionSyntaxError as error:
        problem: Problem | None = error.problem
    else:
        problem = None
    if problem is not None:
        assert problem.code == "WK301"
        assert 0 <= problem.offset <= len(source)
        assert problem.offset + problem.length <= len(source)


_ALPHABET = st.sampled_from(
    [*"abcxyz_019.,()[]'\"+-*/<>=! ", "and ", "or ", "not ", "in ", "null", "sum(", "any("]
)


@given(st.lists(_ALPHABET, max_size=40).map("".join))
@settings(max_examples=examples(500))
def test_parse_of_token_soup_is_total(source: str) -> None:
    try:
        expr = parse(source)
    except ExpressionSyntaxError as error:
        problem = error.problem
    else:
        assert parse(to_source(expr)) == expr
        return
    assert problem.code == "WK301"


# ---------------------------------------------------------------------------------------------
# JSON form and canonical source: round trips

_ID = st.from_regex(r"[a-z_][a-zA-Z0-9_]{0,6}", fullmatch=True).filter(
    lambda s: s not in {"and", "or", "not", "in", "true", "false", "null"}
)
_CONST = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    st.text(max_size=8),
).map(Const)
_BINARY_OPS = sorted(ex.nodes.BINARY_OPS)
_FUNCS = sorted(ex.FUNCTIONS)


def _trees(leaves: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    def extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        return st.one_of(
            st.builds(Unary, st.sampled_from(["-", "not"]), children),
            st.builds(Binary, st.sampled_from(_BINARY_OPS), children, children),
            st.builds(
                Call,
                st.sampled_from(_FUNCS),
                st.lists(children, max_size=3).map(tuple),
            ),
            st.lists(children, max_size=3).map(lambda items: ListExpr(tuple(items))),
        )

    return st.recursive(leaves, extend, max_leaves=12)


_EXPRS = _trees(
    st.one_of(_CONST, _ID.map(Name), st.builds(ColumnRef, _ID, _ID)),
)


@given(_EXPRS)
@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
def test_json_round_trip(expr: Expr) -> None:
    data = to_json(expr)
    text = json.dumps(data)
    again = from_json(json.loads(text))
    assert again == expr
    assert json.dumps(to_json(again)) == text


@given(_EXPRS)
@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
def test_source_round_trip(expr: Expr) -> None:
    source = to_source(expr)
    assert parse(source) == expr, source
    assert json.dumps(to_json(parse(source))) == json.dumps(to_json(expr))


def test_json_form_is_compact_and_stable() -> None:
    assert j("sum(q1, q2) / 2 >= 1.5 and not answered(x) or t.c == 'a'") == [
        "or",
        [
            "and",
            [">=", ["/", ["call", "sum", ["name", "q1"], ["name", "q2"]], 2], 1.5],
            ["not", ["call", "answered", ["name", "x"]]],
        ],
        ["==", ["col", "t", "c"], "a"],
    ]


def test_from_json_gives_zero_offsets() -> None:
    expr = from_json(["+", ["name", "a"], 1])
    assert isinstance(expr, Binary)
    assert (expr.offset, expr.left.offset, expr.right.offset) == (0, 0, 0)


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"op": "+"},
        ["nope", 1],
        ["name"],
        ["name", 3],
        ["name", "Bad"],
        ["name", "and"],
        ["name", "a", "b"],
        ["col", "t"],
        ["neg", 1, 2],
        ["+", 1],
        ["call"],
        ["call", "a-b"],
        [1, 2],
        float("inf"),
        object(),
    ],
)
def test_from_json_rejects_malformed_data(data: Any) -> None:
    with pytest.raises(ValueError, match="not an expression in JSON form"):
        from_json(data)


def test_from_json_rejects_deep_nesting() -> None:
    data: Any = 1
    for _ in range(100):
        data = ["neg", data]
    with pytest.raises(ValueError, match="deeper"):
        from_json(data)


def test_to_source_spells_numbers_without_exponents() -> None:
    assert to_source(Const(1e-7)) == "0.0000001"
    assert to_source(Const(1e20)) == "100000000000000000000.0"
    assert parse(to_source(Const(1e-7))) == Const(1e-7)
    with pytest.raises(ValueError, match="non-finite"):
        to_source(Const(math.inf))


def test_to_source_escapes_control_characters() -> None:
    assert to_source(Const("a'\\\n\x01")) == "'a\\'\\\\\\n\\u0001'"
    assert parse(to_source(Const("a'\\\n\x01"))) == Const("a'\\\n\x01")


def test_to_source_keeps_negation_of_literals_apart_from_negative_literals() -> None:
    assert to_source(Unary("-", Const(1))) == "-(1)"
    assert parse("-(1)") == Unary("-", Const(1))
    assert parse("-1") == Const(-1)
    assert to_source(Unary("-", Const(-1))) == "-(-1)"


# ---------------------------------------------------------------------------------------------
# Null semantics


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # comparisons with a missing answer are false, whichever way round
        ("x == 1", False),
        ("x != 1", False),
        ("x < 1", False),
        ("x <= 1", False),
        ("x > 1", False),
        ("x >= 1", False),
        ("1 > x", False),
        ("x in [1, 2]", False),
        ("x in [null]", False),
        ("1 in x", False),
        ("x == y", False),
        ("x != y", False),
        # ... except a comparison with the literal null, which tests for missing
        ("x == null", True),
        ("null == x", True),
        ("x != null", False),
        ("one == null", False),
        ("one != null", True),
        ("null == null", True),
        ("(one / 0) == null", True),
        # arithmetic with null is null
        ("x + 1", None),
        ("1 - x", None),
        ("x * 2", None),
        ("x / 2", None),
        ("-x", None),
        # truthiness: null is false
        ("not x", True),
        ("x and true", False),
        ("x or true", True),
        ("x or false", False),
        ("if(x, 'yes', 'no')", "no"),
        # aggregates skip nulls; all-null is null
        ("sum(x, one)", 1),
        ("sum(x, y)", None),
        ("sum(x)", None),
        ("mean(x, one, three)", 2),
        ("mean(x, y)", None),
        # min/max: a missing argument makes the result missing (min(1, reps / 30) must not be
        # 1 when reps is unanswered); nulls inside a list are skipped
        ("min(x, one)", None),
        ("max(one, x)", None),
        ("min(1, x / 30)", None),
        ("max(x, y)", None),
        ("min([x, one, three])", 1),
        ("max([x, one, three])", 3),
        ("count(x)", 0),
        ("rows(x)", 0),
        ("answered(x)", False),
        ("selected(x, 1)", False),
        ("abs(x)", None),
        ("round(x)", None),
        ("coalesce(x, y, 3)", 3),
        ("coalesce(x, y)", None),
        ("x.c", None),
        ("any(x, true)", False),
        ("all(x, true)", False),
        # division by zero is null
        ("one / 0", None),
        ("one / (three - 3)", None),
    ],
)
def test_null_semantics(source: str, expected: Any) -> None:
    result = ev(source, {"one": 1, "three": 3, "y": None})
    assert result == expected
    assert type(result) is type(expected)


# ---------------------------------------------------------------------------------------------
# Values, operators and functions

ANSWERS: dict[str, Any] = {
    "q1": 1,
    "q2": 2,
    "q3": 3.5,
    "belief": 3,
    "mood": "sad",
    "symptoms": ["sleep", "appetite", "focus"],
    "likert_list": [1, 2, 3],
    "flag": True,
    "no": False,
    "empty_text": "",
    "empty_list": [],
    "day": "2026-12-01",
    "exposures": [
        {"situation": "lift", "suds_before": 80, "suds_after": 40},
        {"situation": "bus", "suds_before": 60, "suds_after": None},
        {"situation": "shop", "suds_before": 50, "suds_after": 55},
    ],
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("q1 + q2 * 2", 5),
        ("(q1 + q2) * 2", 6),
        ("q2 - q1 - 1", 0),
        ("8 / 4 / 2", 1),
        ("q3 * 2", 7),
        ("1 / 3", 1 / 3),
        ("0.1 + 0.2", 0.1 + 0.2),
        ("-q1", -1),
        ("1 == 1.0", True),
        ("true == 1", False),
        ("'1' == 1", False),
        ("belief >= 2", True),
        ("mood == 'sad'", True),
        ("mood != 'sad'", False),
        ("mood < 'tired'", True),
        ("day >= '2026-11-30'", True),
        ("day < '2026-12-01T00:00'", True),
        ("'b' > 'a'", True),
        ("mood > 1", False),
        ("flag == true", True),
        ("flag and not no", True),
        ("no or flag", True),
        ("not 0", True),
        ("not ''", True),
        ("not empty_list", True),
        ("not symptoms", False),
        ("'sleep' in symptoms", True),
        ("'mood' in symptoms", False),
        ("belief in [1, 2, 3]", True),
        ("belief in [1.0]", False),
        ("3.0 in [1, 2, 3]", True),
        ("'ad' in mood", True),
        ("1 in mood", False),
        ("symptoms == ['sleep', 'appetite', 'focus']", True),
        ("symptoms == ['appetite', 'sleep', 'focus']", False),
        ("likert_list == [1.0, 2, 3]", True),
        ("[1, [2]] == [1, [2]]", True),
        ("q1 + mood", None),
        ("q1 + flag", None),
        ("-mood", None),
        ("1 < 'a'", False),
    ],
)
def test_operators(source: str, expected: Any) -> None:
    result = ev(source, ANSWERS)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("answered(q1)", True),
        ("answered(no)", True),
        ("answered(empty_text)", False),
        ("answered(empty_list)", False),
        ("answered(symptoms)", True),
        ("answered(exposures)", True),
        ("selected(symptoms, 'sleep')", True),
        ("selected(symptoms, 'worry')", False),
        ("selected(mood, 'sad')", True),
        ("selected(belief, 3)", True),
        ("selected(belief, 3.0)", True),
        ("selected(belief, '3')", False),
        ("selected(likert_list, 2)", True),
        ("count(symptoms)", 3),
        ("count(empty_list)", 0),
        ("count(exposures)", 3),
        ("count(exposures.suds_after)", 2),
        ("count([1, null, 'a'])", 2),
        ("count(q1)", None),
        ("rows(exposures)", 3),
        ("rows(empty_list)", 0),
        ("rows(q1)", None),
        ("sum(q1, q2, q3)", 6.5),
        ("sum(likert_list)", 6),
        ("sum(likert_list, q1, [10, [20]])", 37),
        ("sum(symptoms)", None),
        ("sum(q1, flag)", None),
        ("sum(exposures)", None),
        ("sum(empty_list)", None),
        ("mean(q1, q2)", 1.5),
        ("mean(likert_list)", 2),
        ("min(likert_list, 0.5)", 0.5),
        ("max(likert_list, q3)", 3.5),
        ("max(mood)", None),
        ("abs(-2.5)", 2.5),
        ("abs(q1 - q2)", 1),
        ("abs(mood)", None),
        ("round(2.5)", 3),
        ("round(-2.5)", -3),
        ("round(0.5)", 1),
        ("round(1.4999)", 1),
        ("round(2.675, 2)", 2.68),
        ("round(1.005, 2)", 1),
        ("round(-1.25, 1)", -1.3),
        ("round(1234.5, -2)", 1200),
        ("round(1250, -2)", 1300),
        ("round(q3)", 4),
        ("round(1, 0.5)", None),
        ("round(1, 16)", None),
        ("round(1, 'a')", None),
        ("if(flag, 1, 2)", 1),
        ("if(no, 1, 2)", 2),
        ("if(mood, 'some', 'none')", "some"),
        ("coalesce(missing, q2, q1)", 2),
        ("coalesce(missing)", None),
        ("completed(step)", False),
        ("nosuch(1)", None),
        ("sum()", None),
        ("if(flag, 1)", None),
    ],
)
def test_functions(source: str, expected: Any) -> None:
    result = ev(source, ANSWERS)
    assert result == expected
    assert type(result) is type(expected)


def test_round_is_half_away_from_zero_not_bankers() -> None:
    assert [ev(f"round({x})") for x in ("0.5", "1.5", "2.5", "-0.5", "-1.5")] == [
        1,
        2,
        3,
        -1,
        -2,
    ]
    # 0.49999999999999994 + 0.5 rounds up to 1.0 in floating point; round() must not.
    assert ev("round(0.49999999999999994)") == 0


def test_whole_numbers_come_back_as_int() -> None:
    assert type(ev("4 / 2")) is int
    assert type(ev("q", {"q": 2.0})) is int
    assert type(ev("2.0")) is int
    assert type(ev("9007199254740992.0")) is int  # 2**53: still exactly countable
    assert type(ev("9007199254740994.0")) is float
    assert ev("-0.0") == 0


def test_numbers_behave_like_ieee_doubles() -> None:
    big = 2**60 + 1
    assert ev("x + 0", {"x": big}) == float(big)
    assert type(ev("x", {"x": big})) is float
    assert ev("x == y", {"x": 2**53, "y": 2**53 + 1})  # as in JavaScript
    assert ev("x * x", {"x": 1e300}) is None  # overflow to infinity is null
    assert ev("x", {"x": 10**400}) is None  # not representable: null, never OverflowError


def test_completed_uses_the_callback() -> None:
    done = {"hierarchy"}
    assert ev("completed(hierarchy)", completed=done.__contains__) is True
    assert ev("completed(monitor)", completed=done.__contains__) is False
    assert ev("completed(if(true, 'hierarchy', 'x'))", completed=done.__contains__) is True
    assert ev("completed(1)", completed=done.__contains__) is False
    assert ev("completed(hierarchy)") is False


def test_text_ordering_follows_utf16_like_javascript() -> None:
    # U+1F600 sorts after U+FF5E by code point but before it by UTF-16 code unit (D83D).
    assert ev("a < b", {"a": "\U0001f600", "b": "\uff5e"}) is True
    assert ev("a > b", {"a": "\U0001f600", "b": "\uff5e"}) is False


# ---------------------------------------------------------------------------------------------
# Table columns and row scope


def test_column_aggregates() -> None:
    assert ev("mean(exposures.suds_before)", ANSWERS) == pytest.approx(190 / 3)
    assert ev("sum(exposures.suds_after)", ANSWERS) == 95
    assert ev("max(exposures.suds_after)", ANSWERS) == 55
    assert ev("exposures.situation", ANSWERS) == ["lift", "bus", "shop"]
    assert ev("exposures.nosuch", ANSWERS) == [None, None, None]
    assert ev("'bus' in exposures.situation", ANSWERS) is True
    assert ev("mean(t.c)", {"t": []}) is None
    assert ev("mean(t.c)", {"t": [1, "x", {"c": 4}]}) == 4
    assert ev("t.c", {"t": "not a table"}) is None


def test_any_and_all_evaluate_per_row_with_outer_ids_in_scope() -> None:
    answers = {**ANSWERS, "limit": 50}
    assert ev("any(exposures, suds_after < suds_before)", answers) is True
    assert ev("all(exposures, suds_after < suds_before)", answers) is False
    assert ev("all(exposures, suds_before >= limit)", answers) is True
    assert ev("any(exposures, suds_before > limit and situation == 'shop')", answers) is False
    assert ev("any(exposures, situation == 'bus' and suds_after == null)", answers) is True
    # a column shadows an outer id of the same name, only inside the row
    shadow = {"situation": "outer", "exposures": ANSWERS["exposures"]}
    assert ev("any(exposures, situation == 'outer')", shadow) is False
    assert ev("situation == 'outer'", shadow) is True
    assert ev("all(e, true)", {"e": []}) is False
    assert ev("any(e, true)", {"e": [{}, 3]}) is True
    assert ev("all(e, x == null)", {"e": [{}, 3, None]}) is True


def test_nested_quantifiers_see_both_rows() -> None:
    answers = {"a": [{"x": 1}, {"x": 2}], "b": [{"y": 2}]}
    assert ev("any(a, any(b, y == x))", answers) is True
    assert ev("all(a, any(b, y == x))", answers) is False


def test_row_argument_puts_columns_in_scope() -> None:
    row = {"intensity": 70}
    assert ev("intensity > 50", {"intensity": 1}, row=row) is True
    assert ev("intensity > 50", {"intensity": 1}) is False


# ---------------------------------------------------------------------------------------------
# Evaluation is total


class _Weird:
    pass


_JSONISH = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=5),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(_ID, children, max_size=4),
        st.tuples(children),
    ),
    max_leaves=10,
)


@given(_EXPRS, st.dictionaries(_ID, _JSONISH, max_size=6), st.dictionaries(_ID, _JSONISH))
@settings(max_examples=examples(500), suppress_health_check=[HealthCheck.too_slow])
def test_evaluate_never_raises(expr: Expr, values: dict[str, Any], row: dict[str, Any]) -> None:
    evaluate(expr, values, row=row, completed=lambda step: step.startswith("a"))


def test_evaluate_survives_hostile_values() -> None:
    deep: Any = [1]
    for _ in range(5000):
        deep = [deep]
    values = {
        "deep": deep,
        "nan": math.nan,
        "inf": math.inf,
        "obj": _Weird(),
        "table": [_Weird(), {"c": math.nan}, {"c": deep}],
        "huge": 10**1000,
        "nul": "\x00",
    }
    for source in [
        "sum(deep)",
        "deep == deep",
        "1 in deep",
        "count(deep)",
        "nan + 1",
        "nan == nan",
        "inf > 1",
        "obj == null",
        "answered(obj)",
        "mean(table.c)",
        "any(table, c > 1)",
        "huge + 1",
        "nul == '\\u0001'",
    ]:
        evaluate(parse(source), values)
    assert ev("sum(deep)", values) is None
    assert ev("deep == deep", values) is False
    assert ev("nan == null", values) is True
    assert ev("answered(obj)", values) is False


def test_no_eval_or_exec_anywhere() -> None:
    for path in PACKAGE.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"(?<![.\w])(eval|exec|compile)\(", text), path
    js = EXPR_JS.read_text()
    assert not re.search(r"\beval\s*\(|\bFunction\s*\(|new\s+Function", js)


# ---------------------------------------------------------------------------------------------
# Static checks

SYMBOLS: dict[str, Symbol] = {
    "belief": Symbol("choice"),
    "symptoms": Symbol("list"),
    "situation": Symbol("text"),
    "took_meds": Symbol("boolean"),
    "q1": Symbol("number"),
    "total": Symbol("score"),
    "day": Symbol("date"),
    "at": Symbol("time"),
    "when": Symbol("datetime"),
    "rest": Symbol("duration"),
    "emotions": Symbol("table", {"emotion": Symbol("choice"), "intensity": Symbol("number")}),
    "freeform": Symbol("table"),
}
PATHWAY_SYMBOLS: dict[str, Symbol] = {
    "monitor": Symbol("step"),
    "hierarchy": Symbol("step"),
    "belief": Symbol("number"),
}


def codes(source: str, **kwargs: Any) -> list[tuple[str, int, int]]:
    symbols = kwargs.pop("symbols", SYMBOLS)
    return [(p.code, p.offset, p.length) for p in check(parse(source), symbols, **kwargs)]


@pytest.mark.parametrize(
    "source",
    [
        "belief >= 2",
        "belief == 'somewhat'",
        "belief + 1 > total",
        "count(symptoms) >= 2 and selected(symptoms, 'sleep')",
        "'sleep' in symptoms",
        "situation == 'home' or 'home' in situation",
        "took_meds == true and not took_meds",
        "day >= '2026-01-01' and day < day",
        "at > '08:00' and when <= '2026-01-01T10:00'",
        "rest == 'PT30M'",
        "mean(emotions.intensity) > 50",
        "any(emotions, intensity > 50 and belief > 1)",
        "all(emotions, emotion == 'sad')",
        "any(freeform, whatever > 1)",
        "rows(emotions) >= 1 and count(emotions) < 5",
        "sum(q1, total, belief, symptoms)",
        "round(mean(q1, total), 1) + abs(q1)",
        "if(took_meds, q1, 0) + coalesce(q1, 0)",
        "answered(situation) and q1 != null and null == day",
        "q1 == null",
        "[1, 2] == [1, 2]",
        "emotions.emotion == ['sad']",
    ],
)
def test_valid_expressions_have_no_problems(source: str) -> None:
    assert codes(source) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("beleif >= 2", [("WK302", 0, 6)]),
        ("q1 > 1 and nothere", [("WK302", 11, 7)]),
        ("summ(q1)", [("WK303", 0, 4)]),
        ("sum()", [("WK304", 0, 3)]),
        ("answered(q1, q1)", [("WK304", 0, 8)]),
        ("round(q1, 1, 2)", [("WK304", 0, 5)]),
        ("if(q1, 1)", [("WK304", 0, 2)]),
        ("symptoms > 3", [("WK305", 0, 8)]),
        ("3 < symptoms", [("WK305", 4, 8)]),
        ("emotions == 1", [("WK305", 0, 8)]),
        ("situation + 1", [("WK305", 0, 9)]),
        ("1 * situation", [("WK305", 4, 9)]),
        ("situation == 3", [("WK305", 0, 9)]),
        ("-situation", [("WK305", 1, 9)]),
        ("took_meds > 1", [("WK305", 0, 9)]),
        ("took_meds < took_meds", [("WK305", 0, 9)]),
        ("day > 3", [("WK305", 0, 3)]),
        ("day == at", [("WK305", 0, 3)]),
        ("rest > 'PT1H'", [("WK305", 0, 4)]),
        ("rows(belief)", [("WK305", 5, 6)]),
        ("count(belief)", [("WK305", 6, 6)]),
        ("selected(situation, 'a')", [("WK305", 9, 9)]),
        ("selected(symptoms, symptoms)", [("WK305", 19, 8)]),
        ("sum(situation, q1)", [("WK305", 4, 9)]),
        ("mean(emotions)", [("WK305", 5, 8)]),
        ("any(belief, x > 1)", [("WK305", 4, 6)]),
        ("belief in belief", [("WK305", 10, 6)]),
        ("symptoms in symptoms", [("WK305", 0, 8)]),
        ("1 in situation", [("WK305", 0, 1)]),
        ("abs(situation)", [("WK305", 4, 9)]),
        ("intensity > 50", [("WK306", 0, 9)]),
        ("mean(emotions.intensty)", [("WK306", 14, 8)]),
        ("mean(emotion.intensity)", [("WK302", 5, 7)]),
        ("mean(belief.x)", [("WK305", 5, 6)]),
        ("completed(hierarchy)", [("WK308", 0, 9), ("WK302", 10, 9)]),
        ("completed(q1)", [("WK308", 0, 9), ("WK305", 10, 2)]),
    ],
)
def test_each_check_code_with_its_offset(source: str, expected: list[tuple[str, int, int]]) -> None:
    assert codes(source) == expected


def test_messages_are_plain_words_with_hints() -> None:
    (problem,) = check(parse("symptoms > 3"), SYMBOLS)
    assert problem.message == (
        "'symptoms' is a checklist (a list of choices); it cannot be compared with a number"
    )
    assert problem.hint == "Use count(symptoms) or selected(symptoms, 'value')."
    (problem,) = check(parse("beleif >= 2"), SYMBOLS)
    assert problem.message == "Unknown name 'beleif'"
    assert problem.hint == "Did you mean 'belief'?"
    (problem,) = check(parse("summ(q1)"), SYMBOLS)
    assert problem.hint == "Did you mean 'sum'?"
    (problem,) = check(parse("intensity > 50"), SYMBOLS)
    assert problem.hint is not None
    assert "any(emotions" in problem.hint
    assert "mean(emotions.intensity)" in problem.hint
    (problem,) = check(parse("emotions.intensity > 50"), SYMBOLS)
    assert problem.message == (
        "'emotions.intensity' is a column of a table (a list with one value per row); "
        "it cannot be compared with a number"
    )
    assert problem.hint == (
        "Aggregate the column, like mean(emotions.intensity), or test each row with "
        "any(emotions, intensity …)."
    )
    (problem,) = check(parse("zzzz"), SYMBOLS)
    assert problem.hint is None
    (problem,) = check(parse("sum"), SYMBOLS)
    assert problem.hint == "'sum' is a function; call it like sum(a, b, …)."


def test_all_problems_are_reported_in_order() -> None:
    problems = check(parse("beleif > 1 and summ(q1) and symptoms > 3 and sum()"), SYMBOLS)
    assert [(p.code, p.offset) for p in problems] == [
        ("WK302", 0),
        ("WK303", 15),
        ("WK305", 28),
        ("WK304", 45),
    ]


def test_unknown_parts_do_not_cascade() -> None:
    # an unknown name is reported once; its use in arithmetic and comparison is not
    assert codes("nothere + 1 > 2 and nothere.x > 1") == [("WK302", 0, 7), ("WK302", 20, 7)]
    # an unknown table in any() does not make every column id unknown too
    assert codes("any(nothere, a > 1 and b)") == [("WK302", 4, 7)]


def test_row_scope_in_check() -> None:
    columns = SYMBOLS["emotions"].columns
    assert columns is not None
    assert codes("intensity > 50 and belief > 1", row=columns) == []
    assert codes("emotion + 1", row=columns) == []  # a choice may be a number
    assert codes("intesity > 50", row=columns) == [("WK302", 0, 8)]
    (problem,) = check(parse("intesity > 50"), SYMBOLS, row=columns)
    assert problem.hint == "Did you mean 'intensity'?"
    assert codes("any(emotions, nothere > 1)") == [("WK302", 14, 7)]
    assert codes("any(emotions, intensity > 1) and intensity > 1") == [("WK306", 33, 9)]


def test_completed_is_for_pathways() -> None:
    pathway = {"symbols": PATHWAY_SYMBOLS, "functions_allowed": PATHWAY_FUNCTIONS}
    assert codes("completed(hierarchy) and belief > 1", **pathway) == []
    assert codes("completed(hierarchy)", symbols=PATHWAY_SYMBOLS) == [("WK308", 0, 9)]
    assert codes("completed(hierarchi)", **pathway) == [("WK302", 10, 9)]
    assert codes("completed(belief)", **pathway) == [("WK305", 10, 6)]
    assert codes("completed('hierarchy')", **pathway) == [("WK305", 10, 11)]
    assert codes("hierarchy", **pathway) == [("WK305", 0, 9)]
    (problem,) = check(
        parse("completed(hierarchi)"), PATHWAY_SYMBOLS, functions_allowed=PATHWAY_FUNCTIONS
    )
    assert problem.hint == "Did you mean 'hierarchy'?"


def test_functions_allowed_restricts_any_function() -> None:
    assert codes("sum(q1) + abs(q1)", functions_allowed=frozenset({"abs"})) == [("WK308", 0, 3)]


def test_check_works_on_trees_from_json() -> None:
    expr = from_json(["+", ["name", "situation"], 1])
    (problem,) = check(expr, SYMBOLS)
    assert (problem.code, problem.offset) == ("WK305", 0)


# ---------------------------------------------------------------------------------------------
# References and cycles


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2", set()),
        ("belief >= 2 and answered(situation)", {"belief", "situation"}),
        ("mean(emotions.intensity) > q1", {"emotions", "q1"}),
        ("any(emotions, intensity > limit)", {"emotions", "limit"}),
        ("all(emotions, emotion == 'sad') and intensity", {"emotions", "intensity"}),
        ("completed(hierarchy)", {"hierarchy"}),
        ("any(freeform, x > 1)", {"freeform", "x"}),  # columns unknown: over-approximate
    ],
)
def test_references(source: str, expected: set[str]) -> None:
    assert references(parse(source), symbols=SYMBOLS) == expected


def test_references_without_symbols_over_approximate() -> None:
    expr = parse("any(emotions, intensity > limit)")
    assert references(expr) == {"emotions", "intensity", "limit"}


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({}, None),
        ({"a": []}, None),
        ({"a": ["b"], "b": ["c"]}, None),
        ({"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": []}, None),
        ({"a": ["a"]}, ["a", "a"]),
        ({"a": ["b"], "b": ["a"]}, ["a", "b", "a"]),
        ({"c": ["a"], "a": ["b"], "b": ["c"]}, ["a", "b", "c", "a"]),
        ({"z": ["y"], "y": ["x"], "x": ["z"], "a": []}, ["x", "z", "y", "x"]),
        ({"a": ["b"], "b": ["c"], "c": ["b"]}, ["b", "c", "b"]),
    ],
)
def test_find_cycle(graph: dict[str, list[str]], expected: list[str] | None) -> None:
    assert find_cycle(graph) == expected


def test_find_cycle_is_deterministic_and_handles_long_chains() -> None:
    n = 50_000
    chain = {f"n{i}": [f"n{i + 1}"] for i in range(n)}
    assert find_cycle(chain) is None
    chain[f"n{n}"] = ["n0"]
    cycle = find_cycle(chain)
    assert cycle is not None
    assert cycle[0] == cycle[-1] == "n0"
    assert len(cycle) == n + 2
    graph = {"b": {"a", "c"}, "a": {"b"}, "c": {"b"}}
    assert find_cycle(graph) == find_cycle(dict(reversed(list(graph.items())))) == ["a", "b", "a"]


def test_find_cycle_on_expression_references() -> None:
    formulas = {"total": "sum(q1, q2) + bonus", "bonus": "if(total > 3, 1, 0)", "q1": "1"}
    graph = {k: references(parse(v)) for k, v in formulas.items()}
    assert find_cycle(graph) == ["bonus", "total", "bonus"]


# ---------------------------------------------------------------------------------------------
# Public surface


def test_all_is_sorted_and_complete() -> None:
    def isort_style(name: str) -> tuple[int, str]:  # ruff's RUF022 order
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert ex.__all__ == sorted(ex.__all__, key=isort_style)
    for name in ex.__all__:
        assert hasattr(ex, name), name
    for name in ("parse", "check", "evaluate", "to_json", "from_json", "references"):
        assert name in ex.__all__
    assert set(ex.CODES) == {
        "WK301",
        "WK302",
        "WK303",
        "WK304",
        "WK305",
        "WK306",
        "WK308",
        "WK309",
        "WK310",
        "WK311",
    }


def test_every_module_opens_with_a_docstring() -> None:
    for path in PACKAGE.glob("*.py"):
        assert path.read_text().startswith('"""'), path


def test_problems_are_frozen() -> None:
    problem = syntax_problem("a >=")
    with pytest.raises(AttributeError):
        problem.offset = 3  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# The reference stays in step with the code

DOCS = Path(__file__).parent.parent / "docs" / "expressions.md"


def test_docs_list_every_function_and_code() -> None:
    text = DOCS.read_text()
    for name in ex.FUNCTIONS:
        assert f"| `{name}(" in text, name
    for code in ex.CODES:
        assert f"| {code} |" in text, code


def test_docs_function_examples_parse_and_check() -> None:
    text = DOCS.read_text()
    section = text.split("## Functions", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"\| `([^`]+)` \|\n", section)
    used = {name for example in examples for name in re.findall(r"([a-z_]+)\(", example)}
    assert used == set(ex.FUNCTIONS)
    for example in examples:
        parse(example)


def test_docs_json_example_is_what_to_json_gives() -> None:
    text = DOCS.read_text()
    match = re.search(r"Example: `([^`]+)` is\n`([^`]+)`", text)
    assert match is not None
    assert to_json(parse(match.group(1))) == json.loads(match.group(2))


def test_docs_broken_examples_give_their_code() -> None:
    text = DOCS.read_text()
    rows = re.findall(r"^\| (WK30\d) \|[^|]*\| `([^`]+)`", text, flags=re.MULTILINE)
    assert len(rows) >= 10
    symbols = {**SYMBOLS, "mood": Symbol("text"), "pain": Symbol("number"), "x": Symbol("text")}
    for code, source in rows:
        if code == "WK307":
            continue
        try:
            found = {p.code for p in check(parse(source), symbols)}
        except ExpressionSyntaxError as error:
            found = {error.problem.code}
        assert code in found, (code, source)

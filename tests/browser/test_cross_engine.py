"""Python and the browser agree: the same expressions over the same answers give the same JSON.

A seeded corpus of 600 generated expressions (every operator and function, wrong argument types,
table rows, lists, huge and tiny numbers) is evaluated over seven answer sets — nothing answered,
everything null, ordinary, empty, wrong types, odd Unicode — with and without a table row in
scope, by ``worksheetkit.expressions.evaluate`` and by ``static/expr.js`` running in Chromium.
One page load, one batched ``page.evaluate`` call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import worksheetkit.expressions as ex
from strategies import ANSWER_SETS, expression_corpus
from worksheetkit.expressions import evaluate, from_json

pytestmark = pytest.mark.browser

EXPR_JS = Path(ex.__file__).resolve().parent.parent / "static" / "expr.js"
ROWS: list[dict[str, Any] | None] = [None, {"x": 4, "y": None, "z": "a"}]
CORPUS_SIZE = 600

_BATCH = """
(cases) => cases.map((c) => {
  const done = new Set(c.completed || []);
  try {
    const value = window.worksheetkitExpr.evaluate(
      c.expr, c.values, c.row, c.completed ? (step) => done.has(step) : null);
    return value === undefined ? {undefined: true} : {ok: value};
  } catch (e) {
    return {error: String(e && e.message || e)};
  }
})
"""


def _canonical(value: Any) -> Any:
    """Numbers as the double they denote: both engines compute the same doubles and only spell
    them differently (Python 1e+21 / 1.152921504606847e+18, JavaScript 1e21 / 1152921504606847000;
    -0.0 against 0)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        number = float(value)
        return int(number) if number.is_integer() and abs(number) <= 2**53 else number
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return repr(value)


def _cases() -> tuple[list[dict[str, Any]], list[Any], list[str]]:
    cases: list[dict[str, Any]] = []
    expected: list[Any] = []
    labels: list[str] = []
    for expr_json in expression_corpus(CORPUS_SIZE):
        expr = from_json(expr_json)
        for index, answers in enumerate(ANSWER_SETS):
            values = json.loads(json.dumps(answers))  # exactly what reaches the browser
            for row in ROWS:
                completed = ["s1"] if index % 2 else None
                result = evaluate(
                    expr,
                    values,
                    row=row,
                    completed=None if completed is None else set(completed).__contains__,
                )
                cases.append(
                    {"expr": expr_json, "values": values, "row": row, "completed": completed}
                )
                expected.append(_canonical(result))
                labels.append(f"{ex.to_source(expr)!r} over answer set {index}, row {row}")
    return cases, expected, labels


def test_the_corpus_is_large_and_full_of_nulls() -> None:
    corpus = expression_corpus(CORPUS_SIZE)
    assert len(corpus) == CORPUS_SIZE
    assert len({json.dumps(e) for e in corpus}) == CORPUS_SIZE
    text = json.dumps(corpus)
    for name in ex.FUNCTIONS:
        assert f'"call", "{name}"' in text, name
    for op in ("==", "!=", "<", "<=", ">", ">=", "and", "or", "in", "+", "-", "*", "/"):
        assert f'["{op}", ' in text, op
    nothing = [evaluate(from_json(e), {}) for e in corpus]
    assert nothing.count(None) >= 100  # unanswered items are null, and null spreads
    assert any(v is False for v in nothing)  # comparisons with null are false


def test_python_and_chromium_agree_exactly(page: Any) -> None:
    cases, expected, labels = _cases()
    assert len(cases) >= 500
    page.goto("about:blank")
    page.add_script_tag(content=EXPR_JS.read_text(encoding="utf-8"))
    assert page.evaluate("() => typeof window.worksheetkitExpr.evaluate") == "function"
    results = page.evaluate(_BATCH, cases)
    assert len(results) == len(cases)
    mismatches = []
    for label, want, got in zip(labels, expected, results, strict=True):
        if "ok" not in got:
            mismatches.append(f"{label}: expr.js gave {got}")
            continue
        mine = json.dumps(want, sort_keys=True)
        theirs = json.dumps(_canonical(got["ok"]), sort_keys=True)
        if mine != theirs:
            mismatches.append(f"{label}: python {mine} != chromium {theirs}")
    assert not mismatches, "\n".join(mismatches[:20]) + f"\n({len(mismatches)} in all)"
    assert not page.js_errors
    assert not page.dialogs

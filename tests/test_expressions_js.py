"""The browser evaluator (static/expr.js) agrees exactly with the Python one on a corpus."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import worksheetkit.expressions as ex
from worksheetkit.expressions import (
    Binary,
    Call,
    ColumnRef,
    Const,
    Expr,
    ListExpr,
    Name,
    Unary,
    evaluate,
    from_json,
    parse,
    to_json,
)

EXPR_JS = Path(ex.__file__).parent.parent / "static" / "expr.js"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed: cannot run expr.js"),
    pytest.mark.slow,  # Node: seconds
]

_RUNNER = r"""
const fs = require("fs");
globalThis.window = {};
require(process.argv[1]);
const api = window.worksheetkitExpr;
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
const out = cases.map((c) => {
  const done = new Set(c.completed || []);
  try {
    const result = api.evaluate(c.expr, c.values, c.row, c.completed ? (s) => done.has(s) : null);
    return {ok: result === undefined ? "<undefined>" : result};
  } catch (e) {
    return {error: String(e)};
  }
});
process.stdout.write(JSON.stringify({globals: Object.keys(window), results: out}));
"""

# Hand-written cases: every operator and function, with the edge cases named in the docs.
HANDWRITTEN = [
    "a + b * c",
    "a - b - c",
    "a / b",
    "a / 0",
    "(a + b) / (c - c)",
    "-a",
    "- -a",
    "0.1 + 0.2",
    "1 / 3",
    "a * 100000000000000000000",
    "a == b",
    "a != b",
    "a < b",
    "a <= c",
    "a > b",
    "a >= b",
    "a == null",
    "a != null",
    "null == null",
    "s == 'sad'",
    "s < t",
    "s > t",
    "s == t",
    "'ad' in s",
    "s in lst",
    "a in nums",
    "a in [1, 2, 3]",
    "2.0 in nums",
    "a in s",
    "lst == ['sad', 'tired']",
    "nums == [1, 2.0, 3]",
    "tbl == tbl",
    "flag",
    "not flag",
    "flag and a > 1",
    "flag or s == 'x'",
    "not a",
    "not s",
    "not lst",
    "not tbl",
    "answered(a)",
    "answered(s)",
    "answered(lst)",
    "answered(tbl)",
    "answered(flag)",
    "selected(lst, 'sad')",
    "selected(s, 'sad')",
    "selected(nums, 2)",
    "selected(a, 1)",
    "count(lst)",
    "count(nums)",
    "count(tbl)",
    "count(tbl.x)",
    "count(a)",
    "rows(tbl)",
    "rows(a)",
    "sum(a, b, c)",
    "sum(nums)",
    "sum(nums, a, [b, [c]])",
    "sum(lst)",
    "sum(tbl.x)",
    "sum(tbl)",
    "mean(a, b)",
    "mean(nums)",
    "mean(tbl.x)",
    "mean(tbl.y)",
    "min(nums, a)",
    "max(nums, b)",
    "min(tbl.x)",
    "max(tbl.z)",
    "abs(a - b)",
    "round(a)",
    "round(b)",
    "round(a / 3, 2)",
    "round(2.5)",
    "round(-2.5)",
    "round(0.49999999999999994)",
    "round(2.675, 2)",
    "round(1.005, 2)",
    "round(a * 1234.5, -2)",
    "round(a, 15)",
    "round(a, 0.5)",
    "if(flag, a, b)",
    "if(s, 'yes', 'no')",
    "coalesce(zz, a, b)",
    "coalesce(zz)",
    "any(tbl, x > 1)",
    "all(tbl, x > 1)",
    "any(tbl, y == null)",
    "all(tbl, x != null)",
    "any(tbl, x > a)",
    "any(tbl, any(tbl, y == x))",
    "all(tbl, a == a)",
    "any(a, true)",
    "tbl.x",
    "tbl.w",
    "a.x",
    "completed(s1)",
    "completed(s2)",
    "completed(if(flag, 's1', 's2'))",
    "[a, s, null]",
    "lst",
    "tbl",
    "zz",
    "x",
    "x + a",
    "u < v",
    "u > v",
    "big + 1",
    "bigger * 3",
    "bigger",
    "[bigger, big]",
    "big == big + 1",
    "tiny * tiny",
    "huge * huge",
]

_NAMES = ["a", "b", "c", "s", "t", "flag", "lst", "nums", "tbl", "zz", "big", "u", "v"]
_COLUMNS = ["x", "y", "z"]
_CONSTS: list[Any] = [0, 1, 2, -1, 0.5, 2.5, -2.5, 3, 10, 1e-07, "a", "sad", "", True, False, None]
_OPS = sorted(ex.nodes.BINARY_OPS)
_FUNCS = sorted(ex.FUNCTIONS)


def _random_expr(rng: random.Random, depth: int, columns: bool) -> Expr:
    if depth <= 0 or rng.random() < 0.25:
        roll = rng.random()
        if roll < 0.35:
            return Const(rng.choice(_CONSTS))
        if roll < 0.9 or not columns:
            pool = _NAMES + (_COLUMNS if columns else [])
            return Name(rng.choice(pool))
        return ColumnRef("tbl", rng.choice(_COLUMNS))
    roll = rng.random()

    def sub() -> Expr:
        return _random_expr(rng, depth - 1, columns)

    if roll < 0.45:
        return Binary(rng.choice(_OPS), sub(), sub())  # type: ignore[arg-type]
    if roll < 0.55:
        return Unary(rng.choice(["-", "not"]), sub())
    if roll < 0.62:
        return ListExpr(tuple(sub() for _ in range(rng.randint(0, 3))))
    name = rng.choice(_FUNCS)
    if name in ("any", "all"):
        table: Expr = Name(rng.choice(["tbl", "tbl", "lst", "a"]))
        return Call(name, (table, _random_expr(rng, depth - 1, True)))
    if name == "completed":
        return Call(name, (Name(rng.choice(["s1", "s2"])),))
    signature = ex.functions.SIGNATURES[name]
    high = signature.max_args if signature.max_args is not None else signature.min_args + 3
    count = rng.randint(signature.min_args, high)
    if rng.random() < 0.05:
        count = max(0, count - 1)  # sometimes the wrong number: null in both engines
    return Call(name, tuple(sub() for _ in range(count)))


ANSWER_SETS: list[dict[str, Any]] = [
    {},  # nothing answered
    {
        "a": 1,
        "b": 2,
        "c": 3,
        "s": "sad",
        "t": "tired",
        "flag": True,
        "lst": ["sad", "tired"],
        "nums": [1, 2.0, 3],
        "tbl": [{"x": 1, "y": 2, "z": "a"}, {"x": 5, "y": None}, {"x": 2.5, "z": ["q"]}],
        "big": 2**53,
        "bigger": 2**60 + 1,
        "tiny": 1e-200,
        "huge": 1e200,
        "u": "\U0001f600",
        "v": "\uff5e",
    },
    {
        "a": 0,
        "b": -1.5,
        "c": None,
        "s": "",
        "t": "Sad",
        "flag": False,
        "lst": [],
        "nums": [None, 4, [5, [6]]],
        "tbl": [],
        "x": 7,
    },
    {
        "a": 2.5,
        "b": 0.1,
        "c": 1e21,
        "s": "é",
        "t": "e\u0301",
        "flag": None,
        "lst": ["sad", None, 1],
        "nums": [1, "2", 3],
        "tbl": [3, None, {"x": None}, {"x": "1"}],
        "zz": 0,
    },
    {
        "a": "1",
        "b": True,
        "c": [1],
        "s": 5,
        "t": {"k": 1},
        "flag": "yes",
        "lst": "sad",
        "nums": {"x": 1},
        "tbl": {"x": [1, 2]},
    },
    {
        "a": -7,
        "b": 3,
        "c": 0.3,
        "s": "2026-12-01",
        "t": "2026-11-30T23:59",
        "flag": 1,
        "lst": [[1, 2], [1, 2]],
        "nums": [0.1, 0.2, 0.3],
        "tbl": [{"x": 10, "y": 10, "z": 10}, {"x": 20, "y": 20}],
    },
]
ROWS: list[dict[str, Any] | None] = [None, {"x": 4, "y": None}]


def _canonical(value: Any) -> Any:
    """Numbers as the double they denote, whole ones up to 2**53 as ints, recursively.

    Both engines compute the same doubles; only their spelling differs beyond 2**53
    (Python writes 1.152921504606847e+18 where JavaScript writes 1152921504606847000)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        value = float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def _corpus() -> list[tuple[str, Any]]:
    rng = random.Random(20261201)
    exprs: list[tuple[str, Any]] = [(source, to_json(parse(source))) for source in HANDWRITTEN]
    seen = {json.dumps(data) for _, data in exprs}
    while len(exprs) < 400:
        tree = _random_expr(rng, rng.randint(1, 5), columns=False)
        data = to_json(tree)
        key = json.dumps(data)
        if key not in seen:
            seen.add(key)
            exprs.append((ex.to_source(tree), data))
    return exprs


def test_corpus_is_large_enough() -> None:
    corpus = _corpus()
    assert len(corpus) >= 300
    assert len(corpus) * len(ANSWER_SETS) >= 1800


def test_python_and_javascript_agree_exactly() -> None:
    assert NODE is not None
    cases: list[dict[str, Any]] = []
    expected: list[Any] = []
    labels: list[str] = []
    for source, data in _corpus():
        expr = from_json(json.loads(json.dumps(data)))
        for index, values in enumerate(ANSWER_SETS):
            for row in ROWS:
                completed = ["s1"] if index % 2 else None
                # Python sees exactly what JSON carries to the browser.
                values_json = json.loads(json.dumps(values))
                result = evaluate(
                    expr,
                    values_json,
                    row=row,
                    completed=None if completed is None else set(completed).__contains__,
                )
                cases.append(
                    {"expr": data, "values": values_json, "row": row, "completed": completed}
                )
                expected.append(_canonical(result))
                labels.append(f"{source!r} with answers #{index} row={row}")
    run = subprocess.run(
        [NODE, "-e", _RUNNER, str(EXPR_JS)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    output = json.loads(run.stdout)
    assert output["globals"] == ["worksheetkitExpr"]
    mismatches = []
    for label, want, got in zip(labels, expected, output["results"], strict=True):
        if "error" in got:
            mismatches.append(f"{label}: expr.js threw {got['error']}")
            continue
        mine = json.dumps(want, sort_keys=True)
        theirs = json.dumps(_canonical(got["ok"]), sort_keys=True)
        if mine != theirs:
            mismatches.append(f"{label}: python {mine} != js {theirs}")
    assert not mismatches, "\n".join(mismatches[:20]) + f"\n({len(mismatches)} in all)"


def test_corpus_exercises_nulls_and_every_function() -> None:
    corpus = _corpus()
    text = json.dumps([data for _, data in corpus])
    for name in ex.FUNCTIONS:
        assert f'"call", "{name}"' in text, name
    values: dict[str, Any] = {}
    results = [evaluate(from_json(data), values) for _, data in corpus]
    assert results.count(None) > 50  # nothing answered: plenty of nulls
    assert any(r is False for r in results)


def test_expr_js_defines_exactly_one_global_in_a_browser_like_scope() -> None:
    assert NODE is not None
    script = (
        "const vm = require('vm'); const fs = require('fs');"
        "const ctx = {window: {}}; vm.createContext(ctx);"
        "vm.runInContext(fs.readFileSync(process.argv[1], 'utf8'), ctx);"
        "const keys = Object.keys(ctx).sort();"
        "process.stdout.write(JSON.stringify([keys, Object.keys(ctx.window),"
        " ctx.window.worksheetkitExpr.evaluate(['+', ['name', 'a'], 1], {a: 1}, null, null)]));"
    )
    run = subprocess.run(
        [NODE, "-e", script, str(EXPR_JS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(run.stdout) == [["window"], ["worksheetkitExpr"], 2]

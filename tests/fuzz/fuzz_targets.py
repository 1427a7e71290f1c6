"""The three fuzz targets: bytes in, no exception out (other than the documented ones).

Shared by ``run.py`` (atheris, coverage-guided) and ``test_fuzz_corpus.py`` (pytest replays every
corpus file, so the corpora run in CI without atheris). Each target also checks a few invariants,
so a wrong answer is a crash too, not only an exception.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from worksheetkit.errors import Diagnostic, WorksheetError
from worksheetkit.expressions import (
    MAX_LENGTH,
    ExpressionSyntaxError,
    Symbol,
    check,
    evaluate,
    from_json,
    parse,
    to_json,
    to_source,
)
from worksheetkit.expressions.nodes import depth
from worksheetkit.loading import parse_document
from worksheetkit.loading.yamlsource import decode
from worksheetkit.model import Worksheet
from worksheetkit.rendering import render
from worksheetkit.responses import check_response, fraction, score, validate_response
from worksheetkit.validation import loads

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
CRASHES = HERE / "crashes"
WORKSHEET = HERE.parent / "cases" / "responses" / "worksheet.yaml"
SENTINEL = "SECRET-ANSWER-7731"


def _located(diagnostics: list[Diagnostic], lines: int) -> None:
    for d in diagnostics:
        if not isinstance(d, Diagnostic):
            raise AssertionError(f"not a Diagnostic: {d!r}")
        if d.line is None or d.column is None or d.line < 1 or d.column < 1:
            raise AssertionError(f"diagnostic without a location: {d}")
        if d.line > lines + 1:
            raise AssertionError(f"diagnostic beyond the end of the text ({lines} lines): {d}")


def yaml_target(data: bytes) -> None:
    """Bytes → text (as a file would be decoded) → the YAML reader → the whole validator."""
    text, problems = decode(data, "fuzz.yaml")
    _located(problems, data.count(b"\n") + 1)
    if text is None:
        if not problems:
            raise AssertionError("undecodable bytes without a diagnostic")
        return
    lines = len(text.splitlines()) + 1
    doc = parse_document(text, "fuzz.yaml")
    _located(doc.diagnostics, lines)
    try:
        model = loads(text, source="fuzz.yaml")
    except WorksheetError as exc:
        if not exc.diagnostics:
            raise AssertionError("WorksheetError without diagnostics") from exc
        _located(exc.diagnostics, lines)
        return
    if doc.model is None:
        raise AssertionError("loads() accepted what parse_document() could not build")
    if isinstance(model, Worksheet) and model.extends is None:
        again = loads(render(model, to="json"), source="canonical.json")
        if again != model:
            raise AssertionError("canonical JSON does not load back to the same worksheet")


_SYMBOLS = {
    "a": Symbol("number"),
    "b": Symbol("number"),
    "s": Symbol("text"),
    "c": Symbol("choice"),
    "flag": Symbol("boolean"),
    "lst": Symbol("list"),
    "d": Symbol("date"),
    "total": Symbol("score"),
    "tbl": Symbol("table", columns={"x": Symbol("number"), "y": Symbol("text")}),
}
_ANSWERS: list[dict[str, Any]] = [
    {},
    {"a": 1, "b": 2.5, "s": "sad", "c": 2, "flag": True, "lst": ["x", "y"], "d": "2026-12-01",
     "tbl": [{"x": 1, "y": "a"}, {"x": None}], "total": 7},
    {"a": None, "b": -0.0, "s": "", "c": "x", "flag": False, "lst": [], "tbl": []},
    {"a": "1", "b": [1, [2]], "s": 5, "flag": "yes", "lst": "x", "tbl": {"x": 1}, "zz": 1e308},
]  # fmt: skip


def expression_target(data: bytes) -> None:
    """Text → parse → check → evaluate over fixed answers; the JSON and source forms round-trip."""
    source = data.decode("utf-8", errors="replace")
    try:
        expr = parse(source)
    except ExpressionSyntaxError as exc:
        problem = exc.problem
        if not problem.code.startswith("WK3") or problem.offset < 0:
            raise AssertionError(f"malformed syntax problem: {problem}") from exc
        return
    for problem in check(expr, _SYMBOLS, row={"x": Symbol("number")}):
        if not problem.code.startswith("WK3"):
            raise AssertionError(f"unexpected problem code: {problem}")
    form = to_json(expr)
    if to_json(from_json(json.loads(json.dumps(form)))) != form:
        raise AssertionError(f"JSON form does not round-trip: {form!r}")
    written = to_source(expr)  # may be longer than the source (spaces, parentheses)
    # Deep trees are skipped while test_hostile.py::test_to_source_of_deep_unary_chains_parses_back
    # is an open bug (to_source adds parentheses, and parentheses count as nesting levels).
    if len(written) <= MAX_LENGTH and depth(expr) <= 32 and to_json(parse(written)) != form:
        raise AssertionError(f"to_source does not parse back to the same tree: {source!r}")
    for values in _ANSWERS:
        for row in (None, {"x": 3}):
            result = evaluate(expr, values, row=row, completed=lambda step: step == "a")
            if isinstance(result, float) and not math.isfinite(result):
                raise AssertionError(f"non-finite result {result!r} for {source!r}")


@cache
def _worksheet() -> Worksheet:
    model = loads(WORKSHEET.read_text(encoding="utf-8"), source=str(WORKSHEET))
    assert isinstance(model, Worksheet)
    return model


def _in_keys(document: Any) -> bool:
    """Whether the sentinel is part of some object key (iteratively: inputs nest deeply)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if any(SENTINEL[:8] in str(k) or "SECRET" in str(k) for k in value):
                return True
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def response_target(data: bytes) -> None:
    """Bytes → JSON → validate_response / score / fraction / check_response for a fixed worksheet.

    Bytes that are not JSON are fed as the answers text itself, so the validator still runs."""
    ws = _worksheet()
    text = data.decode("utf-8", errors="replace")
    try:
        document: Any = json.loads(text)
    except (ValueError, RecursionError):
        document = {"worksheetkit": 1, "kind": "response", "worksheet": ws.id, "answers": text}
    secret_in_keys = _in_keys(document)
    for d in validate_response(ws, document):
        if not isinstance(d, Diagnostic) or not d.code.startswith("WK4"):
            raise AssertionError(f"unexpected diagnostic {d!r}")
        # Keys (question ids, envelope keys) may be named; values never.
        if not secret_in_keys and (SENTINEL in d.message or SENTINEL in (d.hint or "")):
            raise AssertionError(f"an answer is quoted in a message: {d}")
    score(ws, document)
    value = fraction(ws, document.get("answers") if isinstance(document, dict) else document)
    if value is not None and not 0 <= value <= 1:
        raise AssertionError(f"fraction out of range: {value}")
    check_response(ws, document)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "yaml": yaml_target,
    "expression": expression_target,
    "response": response_target,
}

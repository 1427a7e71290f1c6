"""No swallowed exceptions: a bug in scoring shows instead of becoming a warning or silence,
and control flow never reads an exception's message."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from worksheetkit import adherence, load_pack, loads

SRC = Path(__file__).resolve().parents[1] / "src" / "worksheetkit"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

ASSIGNMENT = """
worksheetkit: 1
kind: assignment
id: phq-1
worksheet: instruments.phq-9@1
start: 2026-12-01
timezone: Europe/London
schedule: {repeat: daily, at: "09:00", for: P3D, window: PT4H, grace: PT4H}
"""


def _responses() -> list[dict[str, Any]]:
    return [
        {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": "instruments.phq-9",
            "assignment": "phq-1",
            "submitted_at": "2026-12-01T10:00:00+00:00",
            "answers": {f"q{k}": 1 for k in range(1, 10)},
        }
    ]


class ScoringBug(Exception):
    pass


def _broken(*_: Any, **__: Any) -> Any:
    raise ScoringBug


def test_a_scoring_bug_in_adherence_is_raised_not_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Before: `except Exception` turned it into WK709 and a report without score charts.
    monkeypatch.setattr("worksheetkit.progress._api.response_score", _broken)
    assignment = loads(ASSIGNMENT, source="a.yaml")
    with pytest.raises(ScoringBug):
        adherence(assignment, _responses(), as_of=dt.date(2026, 12, 4), pack=load_pack(EXAMPLES))


def test_a_scoring_bug_in_fhir_export_is_raised_not_an_empty_score(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from worksheetkit.fhir import response_to_fhir
    from worksheetkit.model import Response

    monkeypatch.setattr("worksheetkit.responses.score", _broken)
    ws = load_pack(EXAMPLES).worksheet("instruments.phq-9")
    response = Response.model_validate({**_responses()[0], "worksheet": "instruments.phq-9"})
    with pytest.raises(ScoringBug):
        response_to_fhir(response, ws)


def _handlers() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ExceptHandler)
                and isinstance(node.type, ast.Name)
                and node.type.id == "Exception"
            ):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_except_exception_only_where_foreign_code_may_raise_anything() -> None:
    # The one left: the expression language reads the caller's own Mapping, whose methods
    # may raise anything, and promises never to raise itself.
    assert [h.split(":")[0] for h in _handlers()] == ["expressions/evaluator.py"]


def test_no_control_flow_on_exception_messages() -> None:
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(
                isinstance(op, ast.In | ast.NotIn) for op in node.ops
            ):
                right = node.comparators[0]
                if (
                    isinstance(right, ast.Call)
                    and isinstance(right.func, ast.Name)
                    and right.func.id == "str"
                    and right.args
                    and isinstance(right.args[0], ast.Name)
                    and right.args[0].id in ("exc", "e", "err", "error")
                ):
                    pytest.fail(f"{path.relative_to(SRC)}:{node.lineno} reads a message")


def test_an_unbounded_schedule_is_a_type() -> None:
    from worksheetkit.scheduling import ScheduleError, UnboundedScheduleError, occurrences

    assignment = loads(ASSIGNMENT.replace("for: P3D, ", ""), source="a.yaml")
    with pytest.raises(UnboundedScheduleError) as caught:
        occurrences(assignment)
    assert isinstance(caught.value, ScheduleError)

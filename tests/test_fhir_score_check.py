"""``fhir import`` keeps a score's stored worksheetkit formula only when export would write the
same FHIRPath for it; that check builds a draft of the worksheet with what the formula names,
and its plan is neither built for the whole form nor kept in the plan cache."""

from __future__ import annotations

from typing import Any

from worksheetkit import loads
from worksheetkit.fhir import import_questionnaire, to_fhir
from worksheetkit.model import Worksheet
from worksheetkit.responses import _plan, plan_for

SOURCE = """\
worksheetkit: 1
kind: worksheet
id: test.scored
version: 1.0.0
title: Scored
items:
{notes}
  - id: mood
    type: likert
    label: Mood
    scale: agreement-5
  - id: section_a
    type: section
    title: More
    items:
      - id: sleep
        type: likert
        label: Sleep
        scale: agreement-5
        show_if: answered(mood)
      - id: diary
        type: text
        label: Diary
scores:
  - id: total
    label: Total
    formula: sum(mood, sleep)
    missing: {{allow: 1, method: prorate}}
"""


def _worksheet(extra: int = 30) -> Worksheet:
    notes = "\n".join(
        f"  - id: q{i}\n    type: text\n    label: Question {i}\n    show_if: answered(mood)"
        for i in range(extra)
    )
    ws = loads(SOURCE.format(notes=notes))
    assert isinstance(ws, Worksheet)
    return ws


def _compiled(monkeypatch: Any) -> list[tuple[str, ...]]:
    """The field ids of every plan compiled while the test runs."""
    seen: list[tuple[str, ...]] = []
    real = _plan._compile

    def counting(ws: Worksheet) -> _plan.Plan:
        plan = real(ws)
        seen.append(tuple(plan.fields))
        return plan

    monkeypatch.setattr(_plan, "_compile", counting)
    return seen


def test_the_score_check_compiles_only_what_the_formula_names(monkeypatch: Any) -> None:
    ws = _worksheet()
    resource = to_fhir(ws)
    compiled = _compiled(monkeypatch)
    result = import_questionnaire(resource)
    assert result.worksheet is not None
    assert [s.formula for s in result.worksheet.scores] == ["sum(mood, sleep)"]  # check passed
    assert compiled == [("mood", "sleep")]  # not the 33 questions of the form


def test_import_drafts_do_not_push_plans_out_of_the_cache() -> None:
    ws = _worksheet(extra=0)
    plan = plan_for(ws)
    resource = to_fhir(ws)
    for _ in range(_plan._CACHE_SIZE + 1):
        result = import_questionnaire(resource)
        assert result.worksheet is not None
    assert plan_for(ws) is plan  # still cached: no draft took its place

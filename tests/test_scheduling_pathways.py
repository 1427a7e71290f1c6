"""Pathways: step offsets, per-step schedules, unlock_when against responses, enrolment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from worksheetkit.loading.yamlsource import parse_text
from worksheetkit.model import Assignment, Pathway, Response, Worksheet
from worksheetkit.scheduling import ScheduleError, occurrences

PATHWAY = """
worksheetkit: 1
kind: pathway
id: ocd.erp-first-month
version: 1.0.0
title: OCD — first month of exposure and response prevention
steps:
  - {id: monitor, worksheet: ocd.ritual-monitoring, start: P0D,
     schedule: {repeat: daily, at: "20:00", for: P7D}}
  - {id: hierarchy, worksheet: exposure.hierarchy, start: P7D, schedule: {repeat: once}}
  - {id: practice, worksheet: exposure.practice-log, start: P8D,
     schedule: {repeat: weekly, on: [mon, wed, fri], at: "18:00", for: P3W},
     unlock_when: "completed(hierarchy)"}
  - {id: review, worksheet: exposure.review, start: P28D}
"""


class FakePack:
    def __init__(self, pathway: str = PATHWAY) -> None:
        self._pathway = Pathway.model_validate(_yaml(pathway))

    def pathway(self, ref: str) -> Pathway:
        if ref.split("@")[0] != self._pathway.id:
            raise KeyError(ref)
        return self._pathway

    def worksheet(self, ref: str) -> Worksheet:
        ident = ref.split("@")[0]
        schedule = {"repeat": "once", "at": "10:00"} if ident == "exposure.review" else None
        return Worksheet.model_validate(
            {
                "worksheetkit": 1,
                "id": ident,
                "version": "1.0.0",
                "title": ident,
                "default_schedule": schedule,
            }
        )


def _yaml(text: str) -> Any:
    """YAML 1.2 as the loader reads it (PyYAML's 1.1 would read `on:` as true)."""
    return parse_text(text).data


def assignment(extra: str = "") -> Assignment:
    data: dict[str, Any] = {
        "worksheetkit": 1,
        "kind": "assignment",
        "id": "a-erp",
        "client": "c-1",
        "pathway": "ocd.erp-first-month@1.0.0",
        "start": "2026-11-30",  # a Monday
        "timezone": "America/New_York",
        "plan": {"when": "After work", "where": "Living room", "confidence": 7},
    }
    if extra:
        data.update(_yaml(extra))
    return Assignment.model_validate(data)


def response(
    step: str | None,
    submitted: str,
    worksheet: str = "exposure.hierarchy",
    occurrence: str | None = None,
) -> Response:
    return Response.model_validate(
        {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": worksheet,
            "assignment": "a-erp",
            "step": step,
            "occurrence": occurrence,
            "submitted_at": submitted,
            "answers": {},
        }
    )


def test_combined_timeline_with_offsets_and_locked_steps() -> None:
    found = occurrences(assignment(), pack=FakePack())
    steps = [o.step for o in found]
    assert steps.count("monitor") == 7
    assert steps.count("hierarchy") == 1
    assert steps.count("practice") == 9
    assert steps.count("review") == 1
    assert [o.opens_utc for o in found] == sorted(o.opens_utc for o in found)
    hierarchy = next(o for o in found if o.step == "hierarchy")
    assert hierarchy.opens.isoformat() == "2026-12-07T00:00:00-05:00"
    practice = [o for o in found if o.step == "practice"]
    assert practice[0].id == "practice/2026-12-09T18:00"  # P8D is Tuesday: first is Wednesday
    assert all(o.locked for o in practice)  # no responses: listed, but locked
    assert not any(o.locked for o in found if o.step != "practice")
    review = next(o for o in found if o.step == "review")
    assert review.id == "review/2026-12-28T10:00"  # the worksheet's default schedule


def test_unlock_when_completed_by_a_response() -> None:
    responses = [response("hierarchy", "2026-12-11T19:30:00-05:00")]
    found = occurrences(assignment(), pack=FakePack(), responses=responses)
    practice = [o for o in found if o.step == "practice"]
    # Wed 9th and Fri 11th 18:00 were due (midnight) before/after the unlock at 19:30 on the
    # 11th: the 11th still had time left, so only the 9th stays locked.
    assert [(o.opens.day, o.locked) for o in practice[:3]] == [(9, True), (11, False), (14, False)]


def test_responses_match_steps_by_occurrence_id_or_worksheet() -> None:
    by_id = [
        response(
            None,
            "2026-12-08T09:00:00-05:00",
            worksheet="x",
            occurrence="hierarchy/2026-12-07T00:00",
        )
    ]
    by_worksheet = [response(None, "2026-12-08T09:00:00-05:00")]
    for responses in (by_id, by_worksheet):
        found = occurrences(assignment(), pack=FakePack(), responses=responses)
        assert not any(o.locked for o in found)


def test_response_to_another_assignment_does_not_unlock() -> None:
    other = response("hierarchy", "2026-12-08T09:00:00-05:00").model_copy(
        update={"assignment": "a-other"}
    )
    found = occurrences(assignment(), pack=FakePack(), responses=[other])
    assert all(o.locked for o in found if o.step == "practice")


def test_completed_needs_every_occurrence_of_a_repeating_step() -> None:
    pathway = PATHWAY.replace(
        'unlock_when: "completed(hierarchy)"', 'unlock_when: "completed(monitor)"'
    )
    six = [
        response("monitor", f"2026-12-0{d}T21:00:00-05:00", "ocd.ritual-monitoring")
        for d in range(1, 7)
    ]
    found = occurrences(assignment(), pack=FakePack(pathway), responses=six)
    assert all(o.locked for o in found if o.step == "practice")
    seven = [*six, response("monitor", "2026-12-07T21:00:00-05:00", "ocd.ritual-monitoring")]
    found = occurrences(assignment(), pack=FakePack(pathway), responses=seven)
    assert not any(o.locked for o in found if o.step == "practice")


def test_start_at_step_rebases_offsets_and_counts_earlier_steps_done() -> None:
    found = occurrences(
        assignment("{start_at_step: hierarchy, start: 2026-12-14}"), pack=FakePack()
    )
    assert {o.step for o in found} == {"hierarchy", "practice", "review"}
    assert found[0].id == "hierarchy/2026-12-14T00:00"
    practice = [o for o in found if o.step == "practice"]
    assert practice[0].opens.date() == dt.date(2026, 12, 16)  # P8D - P7D = one day later
    assert all(o.locked for o in practice)  # the hierarchy itself still has to be done


def test_start_at_step_skipped_steps_count_as_completed() -> None:
    pathway = PATHWAY.replace(
        'unlock_when: "completed(hierarchy)"', 'unlock_when: "completed(monitor)"'
    )
    found = occurrences(assignment("{start_at_step: hierarchy}"), pack=FakePack(pathway))
    assert not any(o.locked for o in found)


def test_step_change_from_a_date() -> None:
    a = assignment(
        "changes: [{from: 2026-12-04, step: monitor, "
        "schedule: {repeat: daily, at: '07:00', for: P3D}}]"
    )
    monitor = [o.id for o in occurrences(a, pack=FakePack()) if o.step == "monitor"]
    assert monitor == [
        "monitor/2026-11-30T20:00",
        "monitor/2026-12-01T20:00",
        "monitor/2026-12-02T20:00",
        "monitor/2026-12-03T20:00",
        "monitor/2026-12-04T07:00",
        "monitor/2026-12-05T07:00",
        "monitor/2026-12-06T07:00",
    ]


def test_pathway_errors() -> None:
    with pytest.raises(ScheduleError, match="pack"):
        occurrences(assignment())
    with pytest.raises(ScheduleError, match="no step"):
        occurrences(assignment("{start_at_step: nope}"), pack=FakePack())
    with pytest.raises(ScheduleError, match="not in the pack"):
        occurrences(assignment("{pathway: other@1}"), pack=FakePack())

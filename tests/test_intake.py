"""``check_submission`` and ``find_occurrence``: taking one submitted response in one call."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

import worksheetkit as wk
from worksheetkit.progress import adherence

UTC = dt.UTC
ASSIGNMENT = """\
worksheetkit: 1
kind: assignment
id: a-0001
worksheet: instruments.phq-9
start: 2026-12-01
timezone: Europe/London
schedule: {repeat: weekly, on: [wed], at: "09:00", for: P8W, window: PT12H, grace: P1D}
"""
ANSWERS = {"q1": 2, "q2": 3, "q3": 2, "q4": 3, "q5": 1, "q6": 2, "q7": 2, "q8": 1, "q9": 1}


@pytest.fixture(scope="module")
def pack() -> wk.LoadedPack:
    return wk.load_pack("examples")


@pytest.fixture(scope="module")
def assignment() -> wk.Assignment:
    return wk.loads(ASSIGNMENT, kind=wk.Assignment)


def _response(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "worksheetkit": 1, "kind": "response", "worksheet": "instruments.phq-9",
        "version": "1.0.0", "assignment": "a-0001", "occurrence": "main/2026-12-02T09:00",
        "submitted_at": "2026-12-02T09:05:30Z", "answers": dict(ANSWERS),
    }  # fmt: skip
    data.update(changes)
    return data


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_find_occurrence(assignment: wk.Assignment, pack: wk.LoadedPack) -> None:
    found = wk.find_occurrence(assignment, "main/2026-12-09T09:00", pack=pack)
    assert found is not None
    assert found.id == "main/2026-12-09T09:00"
    assert found.due == dt.datetime(2026, 12, 9, 21, tzinfo=found.opens.tzinfo)
    assert wk.find_occurrence(assignment, "main/2026-12-10T09:00") is None  # a Thursday
    assert wk.find_occurrence(assignment, "main/2027-06-02T09:00") is None  # after 8 weeks
    assert wk.find_occurrence(assignment, "not an id") is None
    assert wk.find_occurrence(assignment, "main/9999-12-01T09:00") is None


@pytest.mark.parametrize(
    ("now", "status", "adherence_status"),
    [
        (at(2, 9, 30), "on_time", "completed_on_time"),
        (at(2, 22), "late", "completed_late"),
        (at(3, 22), "outside_window", "missed"),
        (at(2, 8), "outside_window", "completed_on_time"),
    ],
)
def test_status_follows_the_window(
    pack: wk.LoadedPack, assignment: wk.Assignment, now: dt.datetime, status: str,
    adherence_status: str,
) -> None:  # fmt: skip
    result = wk.check_submission(pack, assignment, _response(), now=now)
    assert (result.status, result.adherence_status) == (status, adherence_status)
    assert result.valid
    assert result.worksheet == "instruments.phq-9@1.0.0"
    assert result.key == ("a-0001", "main/2026-12-02T09:00")


def test_credit_is_adherences_own(pack: wk.LoadedPack, assignment: wk.Assignment) -> None:
    """A submission checked at intake earns what adherence later counts for it."""
    partial = _response(answers={k: v for k, v in ANSWERS.items() if k != "q9"})
    now = at(2, 9, 30)
    result = wk.check_submission(pack, assignment, partial, now=now)
    stored = {**partial, "submitted_at": now.isoformat()}
    report = adherence(assignment, [stored], as_of=dt.date(2026, 12, 4), pack=pack)
    (only,) = [o for o in report.occurrences if o.slot.id == "main/2026-12-02T09:00"]
    assert (result.adherence_status, result.credit) == (only.status, only.credit)


def test_unknown_occurrence_and_other_assignment(
    pack: wk.LoadedPack, assignment: wk.Assignment
) -> None:
    result = wk.check_submission(
        pack, assignment, _response(occurrence="main/2026-12-03T09:00", assignment="a-9"),
        now=at(3, 9),
    )  # fmt: skip
    assert result.status == "unknown"
    assert result.occurrence is None
    assert [(d.code, d.severity, d.path) for d in result.diagnostics] == [
        ("WK706", "error", "/assignment"),
        ("WK704", "warning", "/occurrence"),
    ]
    assert not result.valid


def test_urgent_alerts_survive_other_errors(pack: wk.LoadedPack, assignment: wk.Assignment) -> None:
    bad = _response(ratings={"difficulty": 9}, answers={**ANSWERS, "q3": 7}, extra="x")
    result = wk.check_submission(pack, assignment, bad, now=at(2, 10))
    assert not result.valid
    assert {d.code for d in result.diagnostics} == {"WK405", "WK411"}
    assert [(a.score, a.message) for a in result.urgent_alerts] == [
        ("total", "Item 9 endorsed: review risk before the next session.")
    ]


def test_the_version_the_response_names_is_used(
    pack: wk.LoadedPack, assignment: wk.Assignment
) -> None:
    result = wk.check_submission(pack, assignment, _response(version="7.0.0"), now=at(2, 10))
    assert result.worksheet == "instruments.phq-9@1.0.0"
    assert ("WK410", "error") in {(d.code, d.severity) for d in result.diagnostics}
    missing = wk.check_submission(
        pack, assignment, _response(worksheet="instruments.nope"), now=at(2, 10)
    )
    assert missing.worksheet is None
    assert [(d.code, d.path) for d in missing.diagnostics] == [("WK204", "$.worksheet")]


def test_submission_round_trips_losslessly(pack: wk.LoadedPack, assignment: wk.Assignment) -> None:
    partial = _response(answers={k: v for k, v in ANSWERS.items() if k != "q5"}, ratings=[1])
    result = wk.check_submission(pack, assignment, partial, now=at(2, 22))
    assert result.scores["total"].prorated
    assert result.diagnostics
    data = json.loads(result.to_json())
    assert data == result.to_dict()
    back = wk.Submission.from_dict(data)
    assert back == result
    assert back.to_dict() == result.to_dict()
    assert back.occurrence is not None
    assert back.occurrence.due == result.occurrence.due
    assert json.loads(result.to_json(indent=None)) == data


def test_naive_now_is_a_programming_error(pack: wk.LoadedPack, assignment: wk.Assignment) -> None:
    with pytest.raises(ValueError, match="aware"):
        wk.check_submission(pack, assignment, _response(), now=dt.datetime(2026, 12, 2, 9))

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
    assert [(d.code, d.severity, d.json_pointer) for d in result.diagnostics] == [
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
    assert [(d.code, d.json_path) for d in missing.diagnostics] == [("WK204", "$.worksheet")]


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


# -- the one matching rule: check_submission files a response where adherence will ------------


@pytest.mark.parametrize(
    "reference",
    [
        "main/2026-12-02T09:00",  # the id
        "2026-12-02T09:00",  # the scheduled local start
        "2026-12-02T09:00:00Z",  # an instant (London is on UTC in December)
        "2026-12-02T10:00:00+01:00",  # the same instant, another offset
        None,  # none: the occurrence open at submitted_at
    ],
)
def test_every_reference_form_adherence_accepts_finds_the_same_occurrence(
    assignment: wk.Assignment, pack: wk.LoadedPack, reference: str | None
) -> None:
    response = _response(occurrence=reference, submitted_at="2026-12-02T09:30:00Z")
    if reference is None:
        del response["occurrence"]
    got = wk.check_submission(pack, assignment, response, now=at(2, 9, 31))
    assert got.occurrence_id == "main/2026-12-02T09:00"
    assert got.key == ("a-0001", "main/2026-12-02T09:00")
    assert got.status == "on_time"
    assert not [d for d in got.diagnostics if d.code == "WK704"]
    report = adherence(assignment, [response], as_of=dt.date(2026, 12, 31), pack=pack)
    assert report.status_of("main/2026-12-02T09:00") == got.adherence_status == "completed_on_time"
    if reference is not None:
        found = wk.find_occurrence(assignment, reference, pack=pack)
        assert found is not None
        assert found.id == "main/2026-12-02T09:00"


def test_a_reference_to_no_occurrence_is_unknown_in_both(
    assignment: wk.Assignment, pack: wk.LoadedPack
) -> None:
    response = _response(occurrence="2026-12-03T09:00")  # a Thursday: nothing scheduled
    got = wk.check_submission(pack, assignment, response, now=at(3, 9, 31))
    assert got.status == "unknown"
    assert got.occurrence is None
    assert [d.code for d in got.diagnostics if d.code == "WK704"] == ["WK704"]
    report = adherence(assignment, [response], as_of=dt.date(2026, 12, 31), pack=pack)
    assert report.status_of("main/2026-12-02T09:00") == "missed"


@pytest.mark.parametrize("q9", ["2", True, "one", [1]])
def test_a_safety_answer_that_is_not_valid_still_raises_the_urgent_alert(
    assignment: wk.Assignment, pack: wk.LoadedPack, q9: Any
) -> None:
    # PHQ-9 item 9 sent as a string (or any wrong type) cannot be checked: it must not hide
    # the alert. It is raised as urgent, naming the question, never quoting the answer.
    response = _response(answers={**ANSWERS, "q9": q9})
    got = wk.check_submission(pack, assignment, response, now=at(2, 9, 31))
    assert not got.valid
    assert len(got.urgent_alerts) == 1
    message = got.urgent_alerts[0].message
    assert "'q9'" in message
    assert "could not be checked" in message.lower()
    assert str(q9) not in message.replace("q9", "")
    worksheet = pack.worksheet("instruments.phq-9")
    scored = wk.score(worksheet, response)
    assert [a.severity for r in scored.values() for a in r.alerts] == ["urgent"]


def test_a_valid_safety_answer_of_zero_raises_no_alert(
    assignment: wk.Assignment, pack: wk.LoadedPack
) -> None:
    got = wk.check_submission(pack, assignment, _response(answers={**ANSWERS, "q9": 0}),
                              now=at(2, 9, 31))  # fmt: skip
    assert got.valid
    assert got.urgent_alerts == ()

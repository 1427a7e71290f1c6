"""WK105 (a value out of range) says how to fix the fault it found: a number outside its
bounds, a text too short or too long, a list with too few entries."""

from __future__ import annotations

from typing import Any

import worksheetkit as wk

ASSIGNMENT: dict[str, Any] = {
    "worksheetkit": 1,
    "kind": "assignment",
    "id": "a-0001",
    "client": "c-0001",
    "worksheet": "cbt.thought-record",
    "start": "2026-12-01",
    "timezone": "Europe/London",
    "schedule": {"repeat": "daily", "at": "20:00", "for": "P2W"},
}


def _wk105(data: dict[str, Any]) -> wk.Diagnostic:
    found = [d for d in wk.check(data) if d.code == "WK105"]
    assert len(found) == 1, found
    return found[0]


def test_an_empty_text_is_asked_to_be_filled_in_not_to_change_a_number() -> None:
    problem = _wk105({**ASSIGNMENT, "client": ""})
    assert problem.hint == "Fill it in: it cannot be empty."
    assert "number" not in (problem.hint or "")


def test_a_text_too_long_says_the_limit() -> None:
    problem = _wk105({**ASSIGNMENT, "client": "c" * 129})
    assert problem.hint == "Shorten it to at most 128 characters."


def test_a_number_out_of_range_still_asks_for_a_number_in_range() -> None:
    schedule = {**ASSIGNMENT["schedule"], "every": 0}
    problem = _wk105({**ASSIGNMENT, "schedule": schedule})
    assert problem.hint == "Change the number to one inside the allowed range."


def test_a_schedule_without_days_asks_for_a_day() -> None:
    schedule = {"repeat": "weekly", "on": [], "at": "20:00", "for": "P2W"}
    problem = _wk105({**ASSIGNMENT, "schedule": schedule})
    assert problem.path == "$.schedule.on" or problem.path == ("schedule", "on")
    assert problem.hint == "List at least one day, e.g. on: [mon, thu]."

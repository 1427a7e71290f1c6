"""RawResponse holds its submission's draft (issue 18): finished once into the very record the
plain constructor gives, and a second reading gets a record of its own."""

from __future__ import annotations

import dataclasses
import datetime as dt

from worksheetkit.progress import SubmissionRecord
from worksheetkit.progress._reading import RawResponse, read_response

LINE = {
    "worksheetkit": 1,
    "kind": "response",
    "worksheet": "physio.home-exercise-log",
    "assignment": "a-1",
    "step": "main",
    "occurrence": "main/2026-01-05T18:00",
    "submitted_at": "2026-01-05T18:35:00+00:00",
    "answers": {"sets": 3, "reps": 30},
    "ratings": {"quality": 3, "difficulty": 2, "obstacles": 1},
    "obstacle": {"kind": "internal", "note": "tired"},
    "id": "r-9",
}


def _plain(fraction: float) -> SubmissionRecord:
    return SubmissionRecord(
        submitted_at=dt.datetime(2026, 1, 5, 18, 35, tzinfo=dt.UTC),
        fraction=fraction,
        occurrence="main/2026-01-05T18:00",
        step="main",
        worksheet="physio.home-exercise-log",
        quality=3.0,
        difficulty=2.0,
        obstacles=1.0,
        obstacle_kind="internal",
        obstacle_note="tired",
        answered=True,
        index=7,
        id="r-9",
    )


def test_the_draft_becomes_the_plain_record() -> None:
    raw = read_response(LINE, line=7, file="x.jsonl")
    assert type(raw) is RawResponse
    assert (raw.assignment, raw.line, raw.answers) == ("a-1", 7, {"sets": 3, "reps": 30})
    sub = raw.submission(0.5)
    assert type(sub) is SubmissionRecord
    assert sub == _plain(0.5)
    assert [getattr(sub, f.name) for f in dataclasses.fields(sub)] == [
        getattr(_plain(0.5), f.name) for f in dataclasses.fields(sub)
    ]
    # The fields read through the response are the record's.
    assert (raw.submitted_at, raw.occurrence, raw.step, raw.worksheet) == (
        sub.submitted_at, sub.occurrence, sub.step, sub.worksheet,
    )  # fmt: skip
    assert (raw.quality, raw.difficulty, raw.obstacles, raw.id, raw.answered) == (
        3.0, 2.0, 1.0, "r-9", True,
    )  # fmt: skip
    assert (raw.obstacle_kind, raw.obstacle_note) == ("internal", "tired")


def test_a_second_reading_gets_its_own_record() -> None:
    raw = read_response(LINE, line=7)
    assert type(raw) is RawResponse
    first = raw.submission(1.0)
    second = raw.submission(0.25)
    assert first is not second
    assert first == _plain(1.0)  # unchanged by the second reading
    assert second == _plain(0.25)
    try:
        first.fraction = 0.0  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:  # pragma: no cover - the record must be frozen like any other
        raise AssertionError("a finished submission must be frozen")

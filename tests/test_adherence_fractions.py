"""Completion fractions in adherence: each distinct set of answers is worked out once per
scoring run (``progress._api.Shelf``), and what is remembered is exactly what the library says.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from worksheetkit import load_pack
from worksheetkit.model import Assignment, Worksheet
from worksheetkit.progress import AdherenceReport, _api
from worksheetkit.progress._combine import adherence_stream
from worksheetkit.responses import fraction as library_fraction

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PACK = load_pack(EXAMPLES)
LOG = "physio.home-exercise-log"  # completion: min(1, reps / 30)


def _worksheet() -> Worksheet:
    ws = PACK.worksheet(LOG)
    assert isinstance(ws, Worksheet)
    return ws


def _plain(ws: Worksheet | None, answers: Mapping[str, Any]) -> float:
    """The library's fraction with nothing remembered (what the memo must reproduce)."""
    if ws is None:
        return _api.default_fraction(answers)
    value = library_fraction(ws, dict(answers))
    return float(value) if value is not None else 0.0


def _assignments(n: int) -> dict[str, Assignment]:
    base = {
        "worksheetkit": 1,
        "kind": "assignment",
        "worksheet": f"{LOG}@1",
        "start": "2026-01-05",
        "timezone": "Europe/London",
        "schedule": {"repeat": "daily", "at": "18:00", "for": "P20D", "window": "PT4H"},
    }
    return {f"a{i}": Assignment.model_validate({**base, "id": f"a{i}"}) for i in range(n)}


def _write(path: Path, table: dict[str, Assignment], answers: list[dict[str, Any]]) -> None:
    lines = []
    for ident in table:
        for day in range(20):
            when = dt.datetime(2026, 1, 5, 18, 30) + dt.timedelta(days=day)
            record = {
                "worksheetkit": 1,
                "kind": "response",
                "worksheet": LOG,
                "assignment": ident,
                "submitted_at": f"{when:%Y-%m-%dT%H:%M:%S}+00:00",
                "answers": answers[day % len(answers)],
            }
            lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n", "utf-8")


def test_a_stream_works_out_each_distinct_answer_set_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _assignments(5)
    answers = [
        {"sets": 3, "reps": 30, "pain": 2},
        {"sets": 3, "reps": 15, "pain": 2},
        {"sets": 3, "reps": 30, "pain": 2},
        {"sets": 3, "reps": 20, "pain": 4},
    ]
    path = tmp_path / "responses.jsonl"
    _write(path, table, answers)
    as_of = dt.date(2026, 1, 26)

    calls = 0

    def counting(ws: Worksheet, given: Any) -> float | None:
        nonlocal calls
        calls += 1
        return library_fraction(ws, given)

    monkeypatch.setattr(_api, "response_fraction", counting)
    remembered = [r.to_json() for r in adherence_stream(table, path, as_of, pack=PACK)]
    # 100 responses, 3 distinct answer sets: each is worked out once for the whole file.
    assert calls == 3
    monkeypatch.undo()
    plain = [r.to_json() for r in adherence_stream(table, path, as_of, pack=PACK, fraction=_plain)]
    assert remembered == plain
    reports = list(adherence_stream(table, path, as_of, pack=PACK))
    assert len(reports) == 5
    assert all(isinstance(r, AdherenceReport) for r in reports)


@pytest.mark.parametrize(
    "answers",
    [
        {"sets": 3, "reps": 15, "pain": 1},
        {"sets": 3, "reps": 15.0, "pain": 1},
        {"sets": 3, "reps": True, "pain": 1},  # == 1 in Python, not a number of reps
        {"sets": 3, "reps": 1, "pain": 1},
        {"sets": 3, "reps": "15", "pain": 1},
        {"sets": 3, "reps": None, "pain": 1},
        {"sets": 3, "reps": [15], "pain": 1},  # not hashable: worked out each time
        {"reps": 15, "sets": 3, "pain": 1},  # other order
        {},
    ],
)
def test_what_is_remembered_is_what_the_library_says(answers: dict[str, Any]) -> None:
    ws = _worksheet()
    shelf = _api.Shelf(PACK)
    # Every other answer set first, so that a key that confused True with 1, 1.0 with 1 or
    # one order with another would hand back the wrong value.
    others: list[dict[str, Any]] = [
        {"sets": 3, "reps": 1, "pain": 1},
        {"sets": 3, "reps": 1.0, "pain": 1},
        {"sets": 3, "reps": True, "pain": 1},
        {"sets": 3, "reps": 15, "pain": 1},
        {"reps": 15, "sets": 3, "pain": 1},
    ]
    for other in others:
        shelf.fraction(ws, other)
    assert shelf.fraction(ws, answers) == _plain(ws, answers)
    assert shelf.fraction(ws, answers) == _plain(ws, answers)  # from the memo this time
    assert shelf.fraction(ws, {"sets": 3, "reps": True, "pain": 1}) == 0.0  # refused: missing
    assert shelf.fraction(ws, {"sets": 3, "reps": 1, "pain": 1}) == pytest.approx(1 / 30)


def test_the_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_api.Shelf, "FRACTIONS_KEPT", 8)
    ws = _worksheet()
    shelf = _api.Shelf(PACK)
    for reps in range(50):
        answers = {"sets": 3, "reps": reps, "pain": 1}
        assert shelf.fraction(ws, answers) == _plain(ws, answers)
        assert all(len(memo) <= 8 for memo in shelf.fractions.values())

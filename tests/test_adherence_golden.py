"""adherence_stream's output, byte for byte, on a small generated file shaped like
bench_adherence's (plus obstacles, unnamed and unknown occurrences, bad lines and repeats):
every report's JSON and combine()'s result must hash to what they did before the issue 18
speed-ups (digests taken with the code of main at a8e9c48, 2026-12-05). A change that alters
a status, a credit, a diagnostic or a byte of the JSON fails here."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from pathlib import Path

import pytest

from worksheetkit import load_pack
from worksheetkit.model import Assignment
from worksheetkit.progress import AdherenceReport, combine
from worksheetkit.progress._combine import adherence_stream

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
START = dt.date(2026, 1, 5)
DAYS = 60


def _assignments(n: int) -> dict[str, Assignment]:
    base = Assignment.model_validate(
        {
            "worksheetkit": 1,
            "kind": "assignment",
            "id": "a-0",
            "worksheet": "physio.home-exercise-log@1",
            "start": START.isoformat(),
            "timezone": "Europe/London",
            "schedule": {
                "repeat": "daily",
                "at": "18:00",
                "for": f"P{DAYS}D",
                "window": "PT4H",
                "grace": "PT12H",
            },
        }
    )
    return {f"a-{i:03d}": base.model_copy(update={"id": f"a-{i:03d}"}) for i in range(n)}


def _write(path: Path, ids: list[str]) -> None:
    rng = random.Random(18)
    with path.open("w", encoding="utf-8") as fh:
        for ident in ids:
            for day in range(DAYS):
                roll = rng.random()
                if roll < 0.12:
                    continue
                local = dt.datetime(2026, 1, 5, 18, 0) + dt.timedelta(days=day)
                offset = "+01:00" if local >= dt.datetime(2026, 3, 29, 1) else "+00:00"
                minutes = rng.randint(5, 230) if roll < 0.9 else rng.randint(250, 700)
                when = local + dt.timedelta(minutes=minutes)
                reps = 30 if roll < 0.8 else rng.choice([0, 10, 20, 45, 30.0])
                occurrence: str | None = f"main/{local:%Y-%m-%dT%H:%M}" if roll < 0.7 else None
                if 0.7 <= roll < 0.72:
                    occurrence = f"{local:%Y-%m-%dT%H:%M}"  # a scheduled local start
                elif 0.72 <= roll < 0.73:
                    occurrence = "main/2030-01-01T18:00"  # not in the schedule
                record: dict[str, object] = {
                    "worksheetkit": 1,
                    "kind": "response",
                    "worksheet": "physio.home-exercise-log",
                    "assignment": ident,
                    "occurrence": occurrence,
                    "submitted_at": f"{when:%Y-%m-%dT%H:%M:%S}{offset}",
                    "answers": {"sets": 3, "reps": reps, "pain": rng.randint(0, 6)},
                    "ratings": {"quality": rng.randint(1, 4), "difficulty": rng.randint(0, 4)},
                }
                if rng.random() < 0.05:
                    record["obstacle"] = {"kind": rng.choice(["external", "internal"])}
                    record["answers"] = {}
                line = json.dumps(record)
                if rng.random() < 0.01:
                    line = line.replace('"kind"', '"kind": "response", "kind"', 1)  # duplicate
                elif rng.random() < 0.01:
                    line = line.replace('"ratings": {', '"ratings": {"quality": 7, ', 1)
                elif rng.random() < 0.01:
                    line = line.replace('"submitted_at": "2026', '"submitted_at": "2026x', 1)
                fh.write(line + "\n")
                if rng.random() < 0.03:
                    fh.write(line + "\n")  # a repeat


# (series, as_of) → (sha256 of every item's to_dict JSON, one per line; sha256 of combine())
GOLDEN = {
    (False, "2026-03-10"): (
        "5d142b9ce95c69dff5c5491bb2b67b6c3a7030d3fcd0d5363299f374b510626e",
        "76bf0b445eb4cb7004e095379f9a1f1cf0ac3f067cad964c03514a2a0a217752",
    ),
    (True, "2026-03-10"): (
        "02a7229e3a1ffc0e30df7aba3334c9797166da6ae0c5c726b55120e85fe3b52f",
        "76bf0b445eb4cb7004e095379f9a1f1cf0ac3f067cad964c03514a2a0a217752",
    ),
    (False, "2026-02-01"): (
        "7dceb16bebcd5aa208d498264f467538f8c27312e78f3fc733d0281eefd4b8b6",
        "45a0b76851c0b74603a58d450066cebc4cc88c76fa0c7caba397f0d2f17f64a3",
    ),
}


@pytest.mark.parametrize(("series", "when"), sorted(GOLDEN))
def test_stream_output_is_unchanged(tmp_path: Path, series: bool, when: str) -> None:
    table = _assignments(12)
    path = tmp_path / "responses.jsonl"
    _write(path, list(table))
    pack = load_pack(EXAMPLES)
    as_of = dt.date.fromisoformat(when)
    items = list(adherence_stream(table, path, as_of, pack=pack, series=series))
    # The file has every kind of problem a line can have, and obstacles to report.
    assert sum(not isinstance(i, AdherenceReport) for i in items) == 9
    digest = hashlib.sha256()
    for item in items:
        text = json.dumps(item.to_dict(), default=str).replace(str(path), "responses.jsonl")
        digest.update(text.encode() + b"\n")
    summary = combine(i for i in items if isinstance(i, AdherenceReport))
    summed = hashlib.sha256(json.dumps(summary).encode()).hexdigest()
    assert (digest.hexdigest(), summed) == GOLDEN[(series, when)]

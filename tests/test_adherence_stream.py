"""The fast paths of adherence (streaming many assignments) give exactly what the plain paths do:
the same JSON values, the same frozen records, the same reports byte for byte."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from collections.abc import Mapping
from pathlib import Path

import pytest

from worksheetkit.model import Assignment
from worksheetkit.progress import (
    AdherenceReport,
    OccurrenceResult,
    Policy,
    Slot,
    SubmissionRecord,
    adherence,
)
from worksheetkit.progress._combine import adherence_stream
from worksheetkit.progress._core import _decide, make_result, make_submission
from worksheetkit.progress._reading import loads_line

UTC = dt.UTC


@pytest.mark.parametrize(
    "line",
    [
        b'{"a": 1, "b": [1, 2.5, "x"], "c": {"d": null}}\n',
        b'{"a": 1}',
        b'{"a": 1}\r\n',
        b'  {"a": 1}  \t\n',
        b'"just text"\n',
        b"[1, 2]\n",
        '{"caf\u00e9": "\u2713"}\n'.encode(),
    ],
)
def test_loads_line_is_json_loads(line: bytes) -> None:
    assert loads_line(line) == json.loads(line)


@pytest.mark.parametrize(
    "line",
    [
        b'{"a": 1} trailing\n',
        b'{"a": 1}\xc2\xa0\n',  # a non-breaking space is not JSON whitespace
        b'{"a": 1',
        b"\n",
        b"NaN\n",
        b'{"a": Infinity}\n',
        b'{"a": -Infinity}\n',
        b"\xff\xfe{}\n",
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_loads_line_refuses_what_is_not_one_json_value(line: bytes) -> None:
    with pytest.raises((ValueError, RecursionError)):
        loads_line(line)


def test_fast_records_are_the_frozen_records() -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    values = (when, 0.5, "main/x", "s1", "w.x", 3.0, 1.0, 2.0, "external", "n", True, 7, "r1")
    fast = make_submission(*values)  # type: ignore[arg-type]
    plain = SubmissionRecord(*values)  # type: ignore[arg-type]
    assert type(fast) is SubmissionRecord
    assert fast == plain
    assert hash(fast) == hash(plain)
    assert repr(fast) == repr(plain)
    assert dataclasses.astuple(fast) == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.fraction = 1.0  # type: ignore[misc]
    slot = Slot("d1", when, when, when)
    r = make_result(slot, "partial", 0.5, fast, 1, "internal", None, 0.25)
    assert type(r) is OccurrenceResult
    assert r == OccurrenceResult(slot, "partial", 0.5, fast, 1, "internal", None, 0.25)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.status = "missed"  # type: ignore[misc]


def _assignment(ident: str, rng: random.Random) -> Assignment:
    schedule: dict[str, object] = {
        "repeat": "daily",
        "at": rng.choice(["18:00", ["08:00", "20:00"]]),
        "for": "P21D",
        "window": "PT4H",
        "grace": rng.choice(["PT12H", "PT1H"]),
        "timing": rng.choice(["flexible", "strict"]),
    }
    doc: dict[str, object] = {
        "worksheetkit": 1,
        "kind": "assignment",
        "id": ident,
        "worksheet": "w.x@1",
        "start": "2026-03-16",
        "timezone": rng.choice(["Europe/London", "America/New_York"]),
        "schedule": schedule,
        "difficulty": rng.choice([None, 0.5]),
        "excused": [{"date": "2026-03-20", "reason": "ill"}] if rng.random() < 0.3 else [],
    }
    if rng.random() < 0.5:
        doc["late_credit"] = rng.choice([0, 0.5])
    return Assignment.model_validate(doc)


def _lines(a: Assignment, rng: random.Random) -> list[str]:
    out = []
    base = dt.datetime(2026, 3, 16, 6, tzinfo=UTC)
    for k in range(rng.randint(0, 40)):
        t = base + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 24))
        offset = rng.choice([0, 1, -4])
        stamp = t.astimezone(dt.timezone(dt.timedelta(hours=offset))).isoformat()
        if offset == 0 and rng.random() < 0.5:
            stamp = stamp.replace("+00:00", "Z")
        record: dict[str, object] = {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": "w.x",
            "assignment": a.id,
            "submitted_at": stamp,
            "answers": {"reps": rng.choice([30, 30, 15, 0, 45, None])},
            "ratings": {"quality": rng.randint(0, 4), "difficulty": rng.randint(0, 4)},
        }
        roll = rng.random()
        if roll < 0.3:
            record["occurrence"] = f"main/{t:%Y-%m-%d}T18:00"
        elif roll < 0.35:
            record["occurrence"] = "main/nowhere"
        if rng.random() < 0.1:
            record["obstacle"] = {"kind": rng.choice(["external", "internal"]), "note": "n"}
            record["answers"] = {}
        if rng.random() < 0.03:
            record["ratings"] = {"quality": 9}
        if rng.random() < 0.03:
            record["id"] = k
        out.append(json.dumps(record))
        if rng.random() < 0.03:
            out.append('{"cut": ')
    return out


def _fraction(worksheet: object, answers: Mapping[str, object]) -> float:
    reps = answers.get("reps")
    return min(1.0, reps / 30) if isinstance(reps, int | float) else 0.0


@pytest.mark.parametrize("seed", [1, 2])
def test_stream_reports_are_the_single_assignment_reports(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    table = {f"a{i}": _assignment(f"a{i}", rng) for i in range(12)}  # shared schedules
    groups = {ident: _lines(a, rng) for ident, a in table.items()}
    path = tmp_path / "all.jsonl"
    path.write_text("\n".join(line for g in groups.values() for line in g) + "\n", "utf-8")
    checked = 0
    for as_of in (dt.date(2026, 3, 25), dt.date(2026, 4, 30), dt.date(2026, 3, 25)):
        streamed = {
            r.assignment: r
            for r in adherence_stream(table, path, as_of, fraction=_fraction)
            if isinstance(r, AdherenceReport)
        }
        assert list(streamed) == [i for i in table if groups[i]] + [
            i for i in table if not groups[i]
        ]
        for ident, a in table.items():
            # The same lines through the plain path, with their line numbers.
            alone = tmp_path / f"{ident}.jsonl"
            alone.write_text("\n".join(groups[ident]) + "\n", "utf-8")
            single = adherence(a, alone, as_of, fraction=_fraction, series=False)
            mine = json.loads(streamed[ident].to_json())
            theirs = json.loads(single.to_json())
            # Only the file and line numbers of diagnostics and of submissions (their
            # ``index``) differ (one file vs many), and a line that is not JSON names no
            # assignment: the stream reports it on its own.
            for data in (mine, theirs):
                data["diagnostics"] = [
                    (d["code"], d["json_pointer"])
                    for d in data["diagnostics"]
                    if d["code"] != "WK701"
                ]
                subs = [o["submission"] for o in data["occurrences"] if o["submission"]]
                subs += [e["submission"] for e in data["extra_practice"]]
                for sub in subs:
                    sub.pop("index")
            assert mine == theirs
            # The inline common case of evaluate() decides as the general rule does.
            policy = Policy(threshold=a.completion_threshold, late_credit=a.late_credit)
            for r in streamed[ident].occurrences:
                if r.submissions == 1 and r.submission is not None:
                    checked += 1
                    assert _decide(r.slot, [r.submission], streamed[ident].as_of, policy) == r
        problems = [
            p for p in adherence_stream(table, path, as_of) if not isinstance(p, AdherenceReport)
        ]
        cut = sum(line.startswith('{"cut"') for g in groups.values() for line in g)
        assert [p.code for p in problems] == ["WK701"] * cut
    assert checked > 30

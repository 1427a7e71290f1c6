"""Streaming means bounded memory: scoring a responses file holds O(occurrences), not O(lines).

Measured with tracemalloc (allocated bytes, deterministic for the same input), never the clock.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import multiprocessing.context  # imported before any measurement: its import is not the stream's memory
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from worksheetkit.model import Assignment
from worksheetkit.progress import _reading, adherence
from worksheetkit.progress._reduce import KEEP_PER_OCCURRENCE, unmatched_limit

pytestmark = pytest.mark.slow  # tens of thousands of response lines, measured with tracemalloc

DAYS = 20


def _assignment() -> Assignment:
    return Assignment.model_validate(
        {
            "worksheetkit": 1,
            "kind": "assignment",
            "id": "a-0",
            "worksheet": "t.log@1",
            "start": "2026-01-05",
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


def _write(path: Path, lines: int, *, named: bool = True) -> None:
    """``lines`` responses spread over the occurrences: many repeats of each, some late."""
    with path.open("w", encoding="utf-8") as fh:
        for i in range(lines):
            day = dt.date(2026, 1, 5) + dt.timedelta(days=i % DAYS)
            minute = 30 + (i // DAYS) % 29
            record: dict[str, Any] = {
                "worksheetkit": 1,
                "kind": "response",
                "worksheet": "t.log",
                "assignment": "a-0",
                "submitted_at": f"{day}T18:{minute:02d}:00+00:00",
                "answers": {"reps": 20 + i % 15, "note": "x" * 40},
            }
            if named:
                record["occurrence"] = f"main/{day}T18:00"
            fh.write(json.dumps(record) + "\n")


def _peak(path: Path, *, series: bool, jobs: int = 1) -> tuple[int, Any]:
    gc.collect()
    tracemalloc.start()
    try:
        report = adherence(_assignment(), path, dt.date(2026, 3, 1), series=series, jobs=jobs)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, report


@pytest.mark.parametrize(("series", "jobs"), [(False, 1), (True, 1), (False, 2), (True, 2)])
def test_peak_memory_does_not_grow_with_the_number_of_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, series: bool, jobs: int
) -> None:
    """Serially, and with a worker reading the lines (jobs=2: this process holds a few blocks
    of read lines besides the responses it keeps; blocks of 16 KiB here, so that both files
    are many blocks long)."""
    assert multiprocessing  # imported above, before tracemalloc starts
    monkeypatch.setattr(_reading, "BLOCK", 1 << 14)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # the runner's threads aside
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    _write(small, 1_000)
    _write(large, 10_000)
    started: list[object] = []
    real_start = multiprocessing.context.ForkProcess.start
    monkeypatch.setattr(
        multiprocessing.context.ForkProcess,
        "start",
        lambda self: (started.append(self), real_start(self))[1],
    )
    small_peak, small_report = _peak(small, series=series, jobs=jobs)
    large_peak, large_report = _peak(large, series=series, jobs=jobs)
    assert len(started) == (2 if jobs == 2 else 0)  # the parallel runs did fork
    # Ten times the lines: the peak grows by far less than 2× (it was ~10× when every line's
    # answers and records were kept).
    assert large_peak < 2 * small_peak, (small_peak, large_peak)
    # Same occurrences, same verdicts; the counts still see every response.
    assert [r.status for r in large_report.occurrences] == [
        r.status for r in small_report.occurrences
    ]
    assert all(r.submissions == 500 for r in large_report.occurrences)
    listed = len(large_report.evaluation.extra)
    assert listed <= DAYS * 2 * KEEP_PER_OCCURRENCE
    assert listed + large_report.extra_not_listed == 10_000 - DAYS
    assert large_report.to_dict()["extra_practice_not_listed"] == large_report.extra_not_listed


def test_a_small_file_is_scored_exactly_as_before(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    _write(path, 10 * DAYS)  # 10 per occurrence: under the per-occurrence limit
    _peak_bytes, report = _peak(path, series=False)
    assert report.extra_not_listed == 0
    assert "extra_practice_not_listed" not in report.to_dict()
    assert len(report.evaluation.extra) == 9 * DAYS  # every repeat listed
    assert all(r.submissions == 10 for r in report.occurrences)


def test_responses_naming_no_occurrence_are_bounded_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    limit = unmatched_limit([None] * DAYS)  # type: ignore[list-item]
    _write(path, limit + 500, named=False)
    _peak_bytes, report = _peak(path, series=False)
    (warning,) = [d for d in report.diagnostics if d.code == "WK414"]
    assert warning.severity == "warning"
    assert "500 response(s)" in warning.message
    assert report.counts["completed_on_time"] == DAYS


def test_reducing_changes_no_verdict_score_or_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100 responses per occurrence — on time, late, after grace, empty with obstacles, out of
    order — scored with and without the reducer: the same report but for the listing."""
    path = tmp_path / "r.jsonl"
    lines = []
    for i in range(100 * DAYS):
        day = dt.date(2026, 1, 5) + dt.timedelta(days=i % DAYS)
        hour = (18, 19, 23, 7)[(i // DAYS) % 4]  # on time, on time, late, after grace (+1 day)
        when = day + dt.timedelta(days=1) if hour == 7 else day
        record: dict[str, Any] = {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": "t.log",
            "assignment": "a-0",
            "occurrence": f"main/{day}T18:00",
            "submitted_at": f"{when}T{hour:02d}:{i % 60:02d}:00+00:00",
            "answers": {} if i % 7 == 0 else {"reps": i % 30},
        }
        if i % 7 == 0:
            record["obstacle"] = {"kind": "external" if i % 2 else "internal"}
        lines.append(json.dumps(record))
    lines.reverse()  # not in time order
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    as_of = dt.date(2026, 3, 1)
    reduced = adherence(_assignment(), path, as_of, series=False)
    assert reduced.extra_not_listed > 0
    import worksheetkit.progress._api as api

    monkeypatch.setattr(api, "reduce_after", lambda slots: 10**9)
    everything = adherence(_assignment(), path, as_of, series=False)
    assert everything.extra_not_listed == 0
    a, b = reduced.to_dict(), everything.to_dict()
    listed = a.pop("extra_practice")
    assert a.pop("extra_practice_not_listed") + len(listed) == len(b.pop("extra_practice"))
    # Obstacle reports are listed for the responses kept (each occurrence's latest among them).
    obstacles = a.pop("obstacles")
    all_obstacles = b.pop("obstacles")
    assert obstacles
    assert all(o in all_obstacles for o in obstacles)
    assert a == b
    assert [(r.status, r.credit, r.submissions, r.obstacle_kind) for r in reduced.occurrences] == [
        (r.status, r.credit, r.submissions, r.obstacle_kind) for r in everything.occurrences
    ]


# ------------------------------------------------------------------ pathways (unlock rules)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PATHWAY_AS_OF = dt.date(2026, 12, 31)
_WORKSHEETS = {
    "thoughts": "cbt.thought-record@1",
    "body_scan": "mindfulness.body-scan@1",
    "exposure": "exposure.practice-log@1",
}


@pytest.fixture(scope="module")
def pathway_case() -> tuple[Any, Assignment, list[Any]]:
    """The example pack, its pathway assignment (exposure unlocks once every thought record
    is in) and that assignment's occurrences."""
    import yaml

    from worksheetkit import load_pack
    from worksheetkit.scheduling import occurrences

    pack = load_pack(EXAMPLES)
    text = (EXAMPLES / "assignments" / "anxiety-pathway-new-york.yaml").read_text("utf-8")
    assignment = Assignment.model_validate(yaml.safe_load(text))
    return pack, assignment, occurrences(assignment, pack=pack)


def _share(_worksheet: Any, answers: Any) -> float:
    return float(answers.get("f", 0))


def _pathway_lines(occs: list[Any], lines: int) -> list[str]:
    """Many responses per occurrence: partial, complete, late, "could not do it" reports, a
    few matched by time; thought records completed only days after their window, so exposure
    unlocks part-way (its first occurrences stay locked). Written newest first."""
    out = []
    for i in range(lines):
        o = occs[i % len(occs)]
        kind = (i // len(occs)) % 6
        minute = i % 50
        record: dict[str, Any] = {
            "worksheetkit": 1,
            "kind": "response",
            "assignment": "a-example-0003",
            "worksheet": _WORKSHEETS[o.step],
            "occurrence": o.id,
            "answers": {"f": 0.5},
        }
        at = o.opens + dt.timedelta(minutes=20 + minute)
        if kind == 1:
            record["answers"] = {"f": 1.0}
            if o.step == "thoughts":  # after grace: counts for the unlock only
                at = dt.datetime(2026, 12, 8, 12, tzinfo=dt.UTC) + dt.timedelta(hours=minute)
        elif kind == 2:
            record["answers"] = {"f": 1.0}
            at = o.grace_until + dt.timedelta(hours=1 + minute % 5)
        elif kind == 3:
            record["answers"] = {}
            record["obstacle"] = {"kind": "external" if i % 2 else "internal"}
            at = o.opens + dt.timedelta(minutes=minute, days=i % 3)
        elif kind == 4:
            record["answers"] = {"f": 0.8 + (i % 3) / 10}
        elif kind == 5 and i < 400:
            del record["occurrence"]  # matched by time
            record["step"] = o.step
            record["answers"] = {"f": 1.0}
        if o.step == "thoughts" and kind != 1 and record["answers"]:
            record["answers"] = {"f": 0.5}  # thought records completed only after grace
        record["submitted_at"] = at.isoformat()
        out.append(json.dumps(record))
    out.reverse()
    return out


def _keep_every_unlock_fact(monkeypatch: pytest.MonkeyPatch) -> None:
    """The behaviour before reducing: every completing response goes to the scheduler."""
    import worksheetkit.progress._api as api
    from worksheetkit.model import Response

    class Everything:
        def __init__(self, assignment: Assignment, pack: Any, counts: Any) -> None:
            self.all: list[Response] = []

        def add(self, at: Any, step: Any, occurrence: Any, worksheet: Any) -> None:
            self.all.append(
                Response.model_construct(
                    worksheetkit=1,
                    kind="response",
                    worksheet=worksheet or "",
                    assignment="a-example-0003",
                    step=step,
                    occurrence=occurrence,
                    submitted_at=at,
                    answers={},
                )
            )

        def responses(self) -> list[Response]:
            return self.all

    monkeypatch.setattr(api, "UnlockFacts", Everything)
    monkeypatch.setattr(api, "reduce_after", lambda slots: 10**9)


def test_pathway_streaming_changes_no_status_credit_score_or_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pathway_case: Any
) -> None:
    pack, assignment, occs = pathway_case
    path = tmp_path / "r.jsonl"
    lines = _pathway_lines(occs, 100 * len(occs))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    streamed = adherence(assignment, path, PATHWAY_AS_OF, pack=pack, series=False, fraction=_share)
    assert streamed.extra_not_listed > 0  # the reducer was used
    # The unlock happened part-way: some exposure occurrences locked, others not.
    exposure = [r for r in streamed.occurrences if r.slot.step == "exposure"]
    assert any(r.slot.excused_reason == "locked" for r in exposure)
    assert any(not r.slot.excused for r in exposure)
    assert any(r.status == "completed_on_time" for r in exposure)

    _keep_every_unlock_fact(monkeypatch)
    records = [json.loads(line) for line in lines]
    in_memory = adherence(
        assignment, records, PATHWAY_AS_OF, pack=pack, series=False, fraction=_share
    )
    assert in_memory.extra_not_listed == 0
    a, b = streamed.to_dict(), in_memory.to_dict()
    listed = a.pop("extra_practice")
    assert a.pop("extra_practice_not_listed") + len(listed) == len(b.pop("extra_practice"))
    obstacles, all_obstacles = a.pop("obstacles"), b.pop("obstacles")
    assert obstacles
    assert all(o in all_obstacles for o in obstacles)
    # Diagnostics name lines only when read from a file; compare their codes.
    assert [d["code"] for d in a.pop("diagnostics", [])] == [
        d["code"] for d in b.pop("diagnostics", [])
    ]
    assert a == b
    assert [
        (r.slot.id, r.slot.excused, r.status, r.credit, r.submissions, r.obstacle_kind)
        for r in streamed.occurrences
    ] == [
        (r.slot.id, r.slot.excused, r.status, r.credit, r.submissions, r.obstacle_kind)
        for r in in_memory.occurrences
    ]


def test_unlock_facts_hold_at_most_the_occurrences_of_each_step(pathway_case: Any) -> None:
    from worksheetkit.progress._unlock import UnlockFacts

    pack, assignment, occs = pathway_case
    facts = UnlockFacts(assignment, pack)
    per_step = {step: sum(1 for o in occs if o.step == step) for step in _WORKSHEETS}
    assert facts.limit == per_step
    # Counted from the occurrences already expanded (the path scoring takes): the same.
    assert UnlockFacts(assignment, pack, per_step).limit == per_step
    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    for n in range(10_000):
        facts.add(start + dt.timedelta(minutes=10_000 - n), "thoughts", None, None)
    assert facts.held() == per_step["thoughts"]
    # The earliest ones are kept, in time order.
    kept = [r.submitted_at for r in facts.responses()]
    assert kept == [start + dt.timedelta(minutes=m) for m in range(1, per_step["thoughts"] + 1)]


@pytest.mark.parametrize(("series", "jobs"), [(False, 1), (True, 1), (False, 2)])
def test_pathway_peak_memory_does_not_grow_with_the_number_of_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pathway_case: Any, series: bool, jobs: int
) -> None:
    monkeypatch.setattr(_reading, "BLOCK", 1 << 14)  # both files many blocks long (jobs=2)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # the runner's threads aside
    pack, assignment, occs = pathway_case
    peaks = []
    for n in (1_000, 10_000):
        path = tmp_path / f"r{n}.jsonl"
        path.write_text("\n".join(_pathway_lines(occs, n)) + "\n", encoding="utf-8")
        gc.collect()
        tracemalloc.start()
        try:
            report = adherence(
                assignment,
                path,
                PATHWAY_AS_OF,
                pack=pack,
                series=series,
                fraction=_share,
                jobs=jobs,
            )
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        # Every response naming an occurrence is still counted.
        assert sum(r.submissions for r in report.occurrences) > 0
    small_peak, large_peak = peaks
    assert large_peak < 2 * small_peak, (small_peak, large_peak)


def test_reducing_an_excused_occurrence_counts_as_keeping_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An excused day with many "could not do it" reports and answered obstacle reports after
    grace: it counts no submissions and shows its latest report without answers, as when every
    response is kept."""
    data = _assignment().model_dump(mode="json", by_alias=True, exclude_none=True)
    data["excused"] = [{"date": "2026-01-06", "reason": "travel"}]
    assignment = Assignment.model_validate(data)
    lines = []
    for i in range(100 * DAYS):
        day = dt.date(2026, 1, 5) + dt.timedelta(days=i % DAYS)
        late = i % 5 == 0  # answered, with an obstacle, the next day (after grace)
        record: dict[str, Any] = {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": "t.log",
            "assignment": "a-0",
            "occurrence": f"main/{day}T18:00",
            "submitted_at": f"{day + dt.timedelta(days=1) if late else day}T"
            f"{'09' if late else '19'}:{i % 60:02d}:00+00:00",
            "answers": {"reps": 30} if late or i % 3 else {},
        }
        if late or i % 3 == 0:
            record["obstacle"] = {"kind": "external" if late else "internal"}
        lines.append(json.dumps(record))
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    as_of = dt.date(2026, 3, 1)
    reduced = adherence(assignment, path, as_of, series=False)
    assert reduced.extra_not_listed > 0
    import worksheetkit.progress._api as api

    monkeypatch.setattr(api, "reduce_after", lambda slots: 10**9)
    everything = adherence(assignment, path, as_of, series=False)
    excused = [r for r in reduced.occurrences if r.status == "excused"]
    assert len(excused) == 1
    assert excused[0].submissions == 0
    assert excused[0].obstacle_kind == "internal"
    assert [(r.status, r.credit, r.submissions, r.obstacle_kind) for r in reduced.occurrences] == [
        (r.status, r.credit, r.submissions, r.obstacle_kind) for r in everything.occurrences
    ]

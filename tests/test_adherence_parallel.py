"""Lines read by forked workers (``jobs``) give exactly what reading them here gives: the same
reports and diagnostics, the same line numbers, in the same order; a worker that fails or dies
is an error, never a hang or a silent loss; and no worker is left behind."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import multiprocessing.context
import os
import random
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_adherence_stream import _assignment, _fraction, _lines
from worksheetkit import _workers
from worksheetkit.errors import Diagnostic
from worksheetkit.model import Assignment
from worksheetkit.progress import AdherenceReport, _reading, adherence
from worksheetkit.progress._combine import adherence_stream
from worksheetkit.validation import ReadingStopped

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="workers are forked on Linux only"
)

AS_OF = dt.date(2026, 4, 30)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Forking allowed here (the test runner may have threads of its own), and every worker
    started recorded: a parity test that never forked would prove nothing."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    started: list[object] = []
    real = multiprocessing.context.ForkProcess.start

    def start(self: Any) -> None:
        started.append(self)
        real(self)

    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", start)
    return started


def _table(seed: int) -> tuple[dict[str, Assignment], list[str]]:
    """Twelve assignments and their responses' lines, with the faults a real export has."""
    rng = random.Random(seed)
    table = {f"a{i}": _assignment(f"a{i}", rng) for i in range(12)}
    lines: list[str] = []
    for a in table.values():
        lines += _lines(a, rng)
        roll = rng.random()
        if roll < 0.2:
            lines.append("")  # blank
        elif roll < 0.3:
            lines.append("   \t")
        elif roll < 0.4:
            lines.append('{"a": 1, "a": 2}')  # a duplicate key
        elif roll < 0.5:
            lines.append("[1, 2]")  # not an object
        elif roll < 0.6:
            lines.append('{"assignment": "nobody", "submitted_at": "2026-03-20T18:00:00Z"}')
        elif roll < 0.7:
            lines.append('{"assignment": "a0", "x": ' + '"' + "y" * 3000 + '"}')  # long
    lines.append(lines[3] if len(lines) > 3 else "{}")  # a0's line again: not grouped
    return table, lines


def _write(path: Path, lines: list[str], *, crlf: bool, final_newline: bool) -> None:
    end = "\r\n" if crlf else "\n"
    text = end.join(lines) + (end if final_newline else "")
    path.write_bytes(text.encode("utf-8") + b"\n\xff\xfe{}\n")  # and a line that is not UTF-8


def _outcome(items: Iterator[AdherenceReport | Diagnostic]) -> list[Any]:
    return [
        json.loads(item.to_json()) if isinstance(item, AdherenceReport) else item.to_dict()
        for item in items
    ]


@pytest.mark.parametrize("block", [64, 700, 1 << 18])
@pytest.mark.parametrize(("seed", "crlf", "final_newline"), [(1, False, True), (2, True, False)])
def test_the_stream_read_by_workers_is_the_stream_read_here(
    forks: list[object],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    block: int,
    seed: int,
    crlf: bool,
    final_newline: bool,
) -> None:
    monkeypatch.setattr(_reading, "BLOCK", block)
    table, lines = _table(seed)
    path = tmp_path / "all.jsonl"
    _write(path, lines, crlf=crlf, final_newline=final_newline)
    here = _outcome(adherence_stream(table, path, AS_OF, fraction=_fraction, jobs=1))
    assert not forks
    for jobs in (2, 3):
        there = _outcome(adherence_stream(table, path, AS_OF, fraction=_fraction, jobs=jobs))
        assert there == here
    assert len(forks) == 1 + 2  # one worker for two jobs, two for three
    codes = {d["code"] for d in here if "code" in d}
    assert {"WK701", "WK707"} <= codes  # the faults were there to be read
    assert sum("code" not in d for d in here) == len(table)  # and a report for each


def test_one_assignment_read_by_workers_is_the_same_report(
    forks: list[object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_reading, "BLOCK", 128)
    rng = random.Random(5)
    a = _assignment("a0", rng)
    lines = _lines(a, rng) * 3 + ["", "NaN", '{"assignment": "a0"}']
    path = tmp_path / "a0.jsonl"
    _write(path, lines, crlf=False, final_newline=True)
    here = adherence(a, path, AS_OF, fraction=_fraction, jobs=1)
    there = adherence(a, path, AS_OF, fraction=_fraction, jobs=2)
    assert forks
    assert there.to_json() == here.to_json()
    assert [d.line for d in there.diagnostics] == [d.line for d in here.diagnostics]
    assert any(d.line for d in here.diagnostics)


# Line fragments: responses with each timestamp form, faults, blank and long lines, bytes that
# are not UTF-8 and carriage returns; joined by "\n" into files cut into blocks of any size.
_FRAGMENTS = [
    b'{"worksheetkit": 1, "kind": "response", "assignment": "a", "submitted_at": '
    b'"2026-03-20T18:05:00Z", "answers": {"reps": 30}}',
    b'{"worksheetkit": 1, "kind": "response", "assignment": "a", "submitted_at": '
    b'"2026-03-20 18:05:00.250+05:30", "answers": {}, "ratings": {"quality": 3}}',
    b'{"worksheetkit": 1, "kind": "response", "assignment": "b", "submitted_at": '
    b'"2026-03-20T18:05:00-04:00", "obstacle": {"kind": "external", "note": "x"}}',
    b'{"assignment": "a", "submitted_at": "2026-03-20T18:05:00"}',
    b'{"assignment": "a", "answers": {"r": 1}}',
    b'{"a": 1, "a": 2}',
    b'{"a": NaN}',
    b"[1]",
    b'"text"',
    b"",
    b"  \r",
    b"\xff\xfe",
    b'{"cut": ',
    b'{"assignment": "a", "note": "' + b"\xc3\xa9" * 400 + b'"}',
]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(st.integers(0, len(_FRAGMENTS) - 1), max_size=40),
    block=st.integers(1, 2000),
    final_newline=st.booleans(),
)
def test_any_file_cut_into_any_blocks_reads_the_same(
    forks: list[object],
    tmp_path_factory: pytest.TempPathFactory,
    picks: list[int],
    block: int,
    final_newline: bool,
) -> None:
    path = tmp_path_factory.mktemp("lines") / "r.jsonl"
    path.write_bytes(b"\n".join(_FRAGMENTS[i] for i in picks) + (b"\n" if final_newline else b""))
    saved = _reading.BLOCK
    _reading.BLOCK = block
    try:
        before = len(forks)
        there = list(_reading.read_lines(path, 2))
        assert len(forks) == before + 1
    finally:
        _reading.BLOCK = saved
    assert there == list(_reading.read_lines(path, 1))


def _bench_lines(n: int) -> bytes:
    line = (
        b'{"worksheetkit": 1, "kind": "response", "assignment": "a0", "submitted_at": '
        b'"2026-03-20T18:05:00Z", "answers": {"reps": 30}}\n'
    )
    return line * n


def test_a_small_file_is_read_here_and_a_large_one_by_workers_by_default(
    forks: list[object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_workers, "default_jobs", lambda: 2)
    monkeypatch.setattr(_reading, "default_jobs", lambda: 2)
    path = tmp_path / "r.jsonl"
    path.write_bytes(_bench_lines(50))
    assert len(list(_reading.read_lines(path))) == 50
    assert not forks  # under PARALLEL_MIN: forking would cost more than it saves
    monkeypatch.setattr(_reading, "PARALLEL_MIN", 100)
    monkeypatch.setattr(_reading, "BLOCK", 1000)
    assert len(list(_reading.read_lines(path))) == 50
    assert len(forks) == 1
    monkeypatch.setattr(_reading, "default_jobs", lambda: 1)  # one core: never
    assert len(list(_reading.read_lines(path))) == 50
    assert len(forks) == 1


def test_what_is_not_a_regular_file_is_read_here(forks: list[object], tmp_path: Path) -> None:
    fifo = tmp_path / "r.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(_bench_lines(10)))
    writer.start()
    try:
        assert len(list(_reading.read_lines(fifo, 2))) == 10
    finally:
        writer.join()
    assert not forks


def test_closing_the_stream_early_leaves_no_worker_behind(
    forks: list[object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_reading, "BLOCK", 256)
    path = tmp_path / "r.jsonl"
    path.write_bytes(_bench_lines(2000))
    lines = _reading.read_lines(path, 2)
    next(lines)
    lines.close()
    assert len(forks) == 1
    assert not multiprocessing.active_children()


def test_a_failure_in_a_worker_is_raised_here(
    forks: list[object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    parent = os.getpid()
    real = _reading.read_line

    def fail_in_worker(raw: bytes, number: int, name: str) -> Any:
        if os.getpid() != parent:
            raise ValueError("worker failed")
        return real(raw, number, name)

    monkeypatch.setattr(_reading, "read_line", fail_in_worker)
    monkeypatch.setattr(_reading, "BLOCK", 128)
    path = tmp_path / "r.jsonl"
    path.write_bytes(_bench_lines(500))
    with pytest.raises(ValueError, match="worker failed"):
        list(_reading.read_lines(path, 2))
    assert not multiprocessing.active_children()


def test_a_worker_killed_while_reading_is_an_error_not_a_hang(
    forks: list[object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The worker is SIGKILLed halfway (as the out-of-memory killer would); the parent, which
    # takes blocks itself only when it has to wait, must notice the worker's pipe end. The
    # alarm only turns such a hang into a failure; it bounds nothing else.
    parent = os.getpid()
    real = _reading.read_line
    seen = [0]

    def die_in_worker(raw: bytes, number: int, name: str) -> Any:
        if os.getpid() != parent:
            seen[0] += 1
            if seen[0] == 300:
                os.kill(os.getpid(), signal.SIGKILL)
        return real(raw, number, name)

    def hung(*_a: object) -> None:
        raise AssertionError("the parent hung waiting for a dead worker")

    monkeypatch.setattr(_reading, "read_line", die_in_worker)
    monkeypatch.setattr(_reading, "BLOCK", 4096)
    path = tmp_path / "r.jsonl"
    path.write_bytes(_bench_lines(5000))
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        with pytest.raises(ReadingStopped, match="reading the responses stopped before it"):
            list(_reading.read_lines(path, 2))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert forks[0].exitcode == -signal.SIGKILL  # type: ignore[attr-defined]


def test_forking_is_refused_where_it_is_not_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert _workers.can_fork()
    monkeypatch.setattr(_workers.sys, "platform", "darwin")  # fork exists, but is unsafe there
    assert not _workers.can_fork()
    monkeypatch.setattr(_workers.sys, "platform", "linux")
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # another thread: may deadlock
    assert not _workers.can_fork()
    monkeypatch.setattr(threading, "active_count", lambda: 1)

    class Daemon:
        daemon = True

    monkeypatch.setattr(multiprocessing, "current_process", lambda: Daemon())
    assert not _workers.can_fork()  # a Pool's worker may not have children


def test_a_stopped_worker_is_one_line_and_exit_2_for_score(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from worksheetkit.cli import cli
    from worksheetkit.progress import _api

    def stopped(*_a: object, **_k: object) -> None:
        raise ReadingStopped(_workers.stopped("the responses"))

    monkeypatch.setattr(_api, "iter_raw", stopped)
    root = Path(__file__).resolve().parent.parent / "examples"
    assignment = sorted((root / "assignments").glob("*.yaml"))[0]
    responses = tmp_path / "r.jsonl"
    responses.write_bytes(b"{}\n")
    result = CliRunner().invoke(
        cli, ["score", str(assignment), str(responses), "--as-of", "2026-12-31"]
    )
    assert result.exit_code == 2, result.output
    assert "stopped before it was done" in result.output
    assert "--jobs 1" in result.output
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1

"""Reading a pack on several processes (``check_paths(jobs=…)``, ``validate --jobs``) gives the
same result as reading it in one: the same diagnostics, at the same lines and columns, in the
same order."""

from __future__ import annotations

import multiprocessing
import pickle
import shutil
import threading
from pathlib import Path

import pytest

from worksheetkit.model import Worksheet
from worksheetkit.validation import ReadingStopped, _parallel, check_paths, default_jobs
from worksheetkit.validation._discovery import _read

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork (Linux)"
)


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fork for any number of files, three files per task; record each pool made.

    In a full test run, earlier tests (the browser's and the servers' fixtures) leave idle
    threads behind, and the library then reads serially (``can_fork``); here forking is forced
    — the workers only read files — so the parallel path is what is tested."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(_parallel, "MIN_FILES", 0)
    monkeypatch.setattr(_parallel, "CHUNK", 3)
    pools: list[str] = []
    real = multiprocessing.get_context

    def spy(method: str):  # type: ignore[no-untyped-def]
        pools.append(method)
        return real(method)

    monkeypatch.setattr(multiprocessing, "get_context", spy)
    return pools


def _same(paths: list[Path]) -> None:
    serial = check_paths(*paths, jobs=1)
    parallel = check_paths(*paths, jobs=2)
    assert parallel.files == serial.files
    assert [d.to_dict() for d in parallel.diagnostics] == [d.to_dict() for d in serial.diagnostics]


def test_examples_pack_gives_the_same_result(always_parallel: list[int]) -> None:
    _same([ROOT / "examples"])
    assert always_parallel == ["fork"]  # the run with jobs=2 forked


def test_every_invalid_case_gives_the_same_diagnostics(
    always_parallel: list[int], tmp_path: Path
) -> None:
    # All invalid documents in one folder: errors located by recomposing the YAML node tree in
    # the parent process, since documents cross the process boundary without it.
    folder = tmp_path / "cases"
    folder.mkdir()
    for case in sorted((CASES / "invalid").glob("*.y*ml")):
        shutil.copy(case, folder / case.name)
    run = check_paths(folder, jobs=1)
    assert run.errors > 50
    _same([folder])
    assert always_parallel == ["fork"]


def test_packs_with_templates_and_references_give_the_same_result(
    always_parallel: list[int],
) -> None:
    packs = [p for p in sorted((CASES / "invalid").iterdir()) if p.is_dir()]
    assert len(packs) >= 10
    for pack in packs:
        _same([pack])
    assert always_parallel == ["fork"] * len(packs)


def test_a_document_that_crossed_a_process_locates_like_the_original() -> None:
    case = CASES / "invalid" / "bands-overlap.yaml"
    doc = _read(case, str(case))
    copy = pickle.loads(pickle.dumps(doc))
    assert copy.source.root is None  # the node tree did not travel
    for path in [(), ("items",), ("items", 0), ("scoring",), ("no-such-key",)]:
        assert copy.source.locate(path) == doc.source.locate(path)
        assert copy.source.locate(path, key=True) == doc.source.locate(path, key=True)
    assert copy.data == doc.data
    assert copy.model == doc.model


def test_few_files_or_one_job_never_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a, **_k):  # type: ignore[no-untyped-def]
        raise AssertionError("forked")

    monkeypatch.setattr(multiprocessing, "get_context", refuse)
    assert check_paths(ROOT / "examples", jobs=4).errors == 0  # fewer than MIN_FILES files
    monkeypatch.setattr(_parallel, "MIN_FILES", 0)
    assert check_paths(ROOT / "examples", jobs=1).errors == 0


@pytest.mark.skipif(default_jobs() < 2, reason="one core: the default is one job")
def test_cli_jobs_option_gives_the_same_output(always_parallel: list[str]) -> None:
    from click.testing import CliRunner

    from worksheetkit.cli import cli

    runner = CliRunner()
    one = runner.invoke(
        cli, ["validate", "--format", "json", "--jobs", "1", str(CASES / "invalid")]
    )
    many = runner.invoke(cli, ["validate", "--format", "json", str(CASES / "invalid")])
    assert one.exit_code == many.exit_code == 1
    assert one.output == many.output
    assert always_parallel == ["fork"]  # the default (every core) forked; --jobs 1 did not
    bad = runner.invoke(cli, ["validate", "--jobs", "-1", str(CASES / "valid")])
    assert bad.exit_code == 2


def test_a_file_named_inside_a_pack_reads_its_context_the_same_way(
    always_parallel: list[str],
) -> None:
    # The rest of the pack is read (in parallel) as context; only the named file is reported.
    packs = [p for p in sorted((CASES / "invalid").iterdir()) if p.is_dir()]
    named = [f for p in packs for f in sorted(p.rglob("*.yaml")) if f.name != "pack.yaml"]
    assert len(named) >= 10
    for path in named:
        _same([path])
    assert len(always_parallel) == 2 * len(named)  # the named file, then its context


def test_a_process_with_other_threads_reads_serially(monkeypatch: pytest.MonkeyPatch) -> None:
    # Forking a process with other threads running can deadlock the child: never done.
    monkeypatch.setattr(_parallel, "MIN_FILES", 0)

    def refuse(*_a, **_k):  # type: ignore[no-untyped-def]
        raise AssertionError("forked")

    monkeypatch.setattr(multiprocessing, "get_context", refuse)
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not _parallel.can_fork()
        assert check_paths(ROOT / "examples", jobs=2).errors == 0
    finally:
        stop.set()
        worker.join()


def test_each_worksheets_own_checks_run_in_the_workers(always_parallel: list[str]) -> None:
    # The pack check (one process, after the reading) was mostly each worksheet's own checks:
    # a worksheet without a template is checked where it is read, and comes back with them
    # and without its YAML node tree (its memory); one with `extends` is checked by the pack.
    pack = CASES / "invalid" / "extends-change-type"
    files = [(p, str(p)) for p in sorted(pack.rglob("*.yaml")) if p.name != "pack.yaml"]
    docs = _parallel.read_all(files, 2)
    assert always_parallel == ["fork"]
    own = [d for d in docs if isinstance(d.model, Worksheet)]
    extending = [d for d in own if isinstance(d.model, Worksheet) and d.model.extends]
    assert own
    assert extending
    for doc in own:
        assert (doc.checked is None) == (doc in extending), doc.file
        assert doc.source.root is None
    serial = _parallel.read_all(files, 1)  # the same in one process
    assert [d.checked for d in serial] == [d.checked for d in docs]
    assert all(d.source.root is None for d in serial)


def test_a_duplicate_worksheet_drops_its_own_checks(
    always_parallel: list[str], tmp_path: Path
) -> None:
    (tmp_path / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: t.pack\nname: T\nversion: 1.0.0\n", encoding="utf-8"
    )
    body = (
        "worksheetkit: 1\nkind: worksheet\nid: t.same\nversion: 1.0.0\ntitle: Same\n"
        "items:\n  - {id: a, type: text, label: A}\n"
    )
    (tmp_path / "a.yaml").write_text(body, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        body + "  - {id: b, type: text, label: B, show_if: 'nowhere > 1'}\n", encoding="utf-8"
    )
    _same([tmp_path])
    codes = [d.code for d in check_paths(tmp_path, jobs=2).diagnostics]
    assert codes == ["WK202"]  # b.yaml is left out: its WK302 (unknown name) is not reported


def _files() -> list[tuple[Path, str]]:
    return [(p, str(p)) for p in sorted((ROOT / "examples").rglob("*.yaml"))]


def test_this_process_reads_chunks_too_and_forks_one_worker_for_two_jobs(
    always_parallel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The parent takes chunks from the same counter as its jobs - 1 workers: what it reads
    # itself is never pickled. Recorded here are the parent's own chunks only (a worker's
    # list is its own copy).
    import multiprocessing.context
    import os

    parent, mine, started = os.getpid(), [], []
    real_read, real_start = _parallel._read_chunk, multiprocessing.context.ForkProcess.start

    def spy(chunk):  # type: ignore[no-untyped-def]
        if os.getpid() == parent:
            mine.append(len(chunk))
        return real_read(chunk)

    def start(self):  # type: ignore[no-untyped-def]
        started.append(self)
        real_start(self)

    monkeypatch.setattr(_parallel, "_read_chunk", spy)
    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", start)
    files = _files()
    docs = _parallel.read_all(files, 2)
    assert [d.file for d in docs] == [shown for _, shown in files]  # in file order
    assert 0 < sum(mine) <= len(files)
    assert always_parallel == ["fork"]
    assert len(started) == 1  # two jobs: this process and one worker
    assert not any(p.is_alive() for p in started)  # and no worker is left behind


def test_a_worker_failure_is_raised_in_the_parent(
    always_parallel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    parent = os.getpid()
    real = _parallel._read_checked

    def fail_in_worker(path, display):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            raise ValueError("worker failed")
        time.sleep(0.002)  # the parent is slower: the worker surely takes a chunk
        return real(path, display)

    monkeypatch.setattr(_parallel, "_read_checked", fail_in_worker)
    monkeypatch.setattr(_parallel, "CHUNK", 1)
    with pytest.raises(ValueError, match="worker failed"):
        _parallel.read_all(_files() * 5, 2)


def test_a_worker_killed_halfway_through_sending_is_an_error_not_a_hang(
    always_parallel: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker is SIGKILLed while it writes a message far larger than a pipe holds, and the
    # parent (waiting for that death in its first chunk) then reads the first part of it: it
    # must see the pipe end (with a queue all processes wrote to, it waited for the rest
    # forever). The alarm only turns such a hang into a failure; it bounds nothing else.
    import multiprocessing.context
    import os
    import signal
    import time

    parent, started = os.getpid(), []
    real_read, real_start = _parallel._read_chunk, multiprocessing.context.ForkProcess.start

    def start(self):  # type: ignore[no-untyped-def]
        started.append(self)
        real_start(self)

    def die_while_sending(chunk):  # type: ignore[no-untyped-def]
        if os.getpid() == parent:
            while started[0].exitcode is None:  # until the worker is dead
                time.sleep(0.01)
            return real_read(chunk)
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGKILL)).start()
        return [*real_read(chunk), "x" * 8_000_000]  # the pipe is full long before the kill

    def hung(*_a):  # type: ignore[no-untyped-def]
        raise AssertionError("the parent hung waiting for a dead worker")

    monkeypatch.setattr(multiprocessing.context.ForkProcess, "start", start)
    monkeypatch.setattr(_parallel, "_read_chunk", die_while_sending)
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        with pytest.raises(RuntimeError, match="stopped before it was done"):
            _parallel.read_all(_files(), 2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert started[0].exitcode == -signal.SIGKILL


def test_without_fork_reading_is_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    def refuse(*_a, **_k):  # type: ignore[no-untyped-def]
        raise AssertionError("forked")

    monkeypatch.setattr(_parallel, "MIN_FILES", 0)
    monkeypatch.setattr(multiprocessing, "get_context", refuse)
    monkeypatch.delattr(os, "fork")
    files = _files()
    assert [d.file for d in _parallel.read_all(files, 2)] == [shown for _, shown in files]


@pytest.mark.parametrize("own", [True, False])
def test_only_the_commands_own_process_keeps_what_was_read(
    own: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command's own process leaves the documents to its exit (a cycle, frozen with the
    # rest of the run); a process calling the command (here the test runner) frees them.
    from click.testing import CliRunner

    from worksheetkit import validation
    from worksheetkit.cli import cli, cmd_validate

    given: list[list[object] | None] = []

    def spy(*paths, keep=None, **options):  # type: ignore[no-untyped-def]
        given.append(keep)
        return check_paths(*paths, keep=keep, **options)

    monkeypatch.setattr(validation, "check_paths", spy)
    monkeypatch.setattr(cmd_validate, "owns_process", lambda: own)
    result = CliRunner().invoke(cli, ["validate", "--jobs", "1", str(ROOT / "examples")])
    assert result.exit_code == 0, result.output
    assert len(given) == 1
    kept = given[0]
    if not own:
        assert kept is None
        return
    assert kept is not None
    assert any(item is kept for item in kept)  # a cycle: only the exit frees it
    groups = [item for item in kept if isinstance(item, dict)]
    assert sum(len(docs) for group in groups for docs in group.values()) > 20


def test_a_stopped_worker_is_one_line_and_exit_2_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A worker killed (the out-of-memory killer) stops the reading: the command says so in one
    # line with what to do, exits 2 (not "problems found") and shows no traceback.
    import worksheetkit.validation as validation
    from clirun import run_cli

    def stopped(*args: object, **kwargs: object) -> None:
        raise ReadingStopped(_parallel._STOPPED)

    monkeypatch.setattr(validation, "check_paths", stopped)
    result = run_cli("validate", ROOT / "examples")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "stopped before it was done; nothing was checked" in result.stderr
    assert "--jobs 1" in result.stderr

"""Reading many files on several cores (``check_paths(jobs=…)``, the CLI's ``--jobs``).

Reading is most of validating a pack — a file costs about what ``yaml.CSafeLoader`` takes to
parse it, the pack checks after it about a sixth of that — so a large pack is read by forked
worker processes and this one, each taking the next run of files, and the documents come back
in file order (the
result is the same bytes as a serial run: every diagnostic is sorted afterwards anyway).

A document crosses the process boundary without its YAML node tree (``SourceMap`` pickles its
text and composes again only if a diagnostic needs a position), so sending one costs about a
tenth of reading it. Measured 2026-12-04 on two cores: a 5,000-worksheet pack in about 0.6× the
serial time (``bench/bench_startup.py``, ``cli_validate_pack_vs_parse_process``).

Only ``fork`` is used (no re-import in the workers) and only from a process with one thread:
elsewhere (Windows, macOS's default, a threaded server) reading stays serial. The library
default is one job; the command line chooses.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..loading import SourceDocument
from ._discovery import _read
from ._pack import precheck

#: Below this many files the workers cost more than they save (forking ~5 ms each, and the
#: pool's set-up); a pre-commit hook naming a few files never forks.
MIN_FILES = 200
#: Files per task: big enough that the per-task round trip is noise, small enough that both
#: workers finish together.
CHUNK = 64


def default_jobs() -> int:
    """The command line's default: every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _read_checked(path: Path, display: str) -> SourceDocument:
    """One document read, a worksheet's own checks run (``_pack.precheck``), its YAML node tree
    released: the pack check after the reading rarely needs a position again (a problem in a
    template or a reference), and the tree is most of a document's memory — kept, a 10,000
    worksheet pack peaked at 1.7 GB."""
    doc = precheck(_read(path, display))
    doc.source.release()
    return doc


def _read_chunk(chunk: Sequence[tuple[Path, str]]) -> list[SourceDocument]:
    return [_read_checked(path, display) for path, display in chunk]


def can_fork() -> bool:
    # ``hasattr(os, "fork")`` is what decides whether multiprocessing offers "fork"; asking
    # multiprocessing would import it, 11 ms of the start of every ``validate`` of a few files
    # (2026-12-04): it is imported only when a pool is made.
    return hasattr(os, "fork") and threading.active_count() == 1


#: What the parent says when a worker ended before sending every chunk it took.
_STOPPED = "a worker process reading the pack stopped before it was done"


class ReadingStopped(RuntimeError):
    """A process reading the pack ended before it was done (killed, out of memory): nothing
    was checked. ``worksheetkit validate`` says so in one line and exits 2."""


def _take(counter: Any, given_up: Callable[[], bool]) -> int:
    """The next chunk's number from the counter every process shares.

    A process killed while it holds the counter's lock never releases it: the wait is given
    up when ``given_up()`` says the others are gone (a worker killed, the parent gone)."""
    lock = counter.get_lock()
    while not lock.acquire(timeout=1):
        if given_up():
            raise ReadingStopped(_STOPPED)
    try:
        i: int = counter.value
        counter.value = i + 1
    finally:
        lock.release()
    return i


def _work(
    chunks: Sequence[Sequence[tuple[Path, str]]],
    counter: Any,
    parent: int,
    pipes: Sequence[tuple[Any, Any]],
    mine: int,
) -> None:
    """A worker's loop: read the next chunk nobody has taken and send it, until none is left.

    Sending is a thread of its own (as in a ``multiprocessing.Queue``): a chunk is about
    0.6 MB of pickle, ten pipefuls, and reading goes on while the parent, busy with a chunk of
    its own, is not yet taking it. If sending fails (the parent is gone, or a result does not
    pickle) the worker exits: the parent sees its pipe end."""
    import queue

    conn = pipes[mine][1]
    for end in (end for pipe in pipes for end in pipe):
        if end is not conn:  # inherited: the pipe's one writer is its worker
            end.close()
    outbox: queue.SimpleQueue[tuple[int, object] | None] = queue.SimpleQueue()

    def send() -> None:
        try:
            while (item := outbox.get()) is not None:
                conn.send(item)
        except BaseException:
            os._exit(1)

    sender = threading.Thread(target=send)
    sender.start()
    i = -1
    try:
        while (i := _take(counter, lambda: os.getppid() != parent)) < len(chunks):
            outbox.put((i, _read_chunk(chunks[i])))
    except BaseException as exc:  # the parent re-raises it
        outbox.put((i, exc))
    outbox.put(None)
    sender.join()


def read_all(
    files: Sequence[tuple[Path, str]],
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> list[SourceDocument]:
    """The documents of ``files``, in order; on ``jobs`` processes when that pays."""
    if jobs <= 1 or not files or len(files) < MIN_FILES or not can_fork():
        docs = []
        for path, display in files:
            docs.append(_read_checked(path, display))
            if progress is not None:
                progress(1)
        return docs
    return _read_shared(files, jobs, progress)


def _read_shared(
    files: Sequence[tuple[Path, str]],
    jobs: int,
    progress: Callable[[int], None] | None,
) -> list[SourceDocument]:
    """``jobs - 1`` forked workers and this process take chunks of ``files`` from one counter.

    This process reads too, rather than only waiting for the workers (a ``Pool`` of ``jobs``):
    what it reads itself is never pickled and unpickled (together about a fifth of reading a
    worksheet), and on two cores it needs one fork, not two. A 5,000-worksheet pack, two cores
    (2026-12-05, best of 4, same run): 3.34 s against 3.70 s with a pool of two workers.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")
    chunks = [files[i : i + CHUNK] for i in range(0, len(files), CHUNK)]
    counter = ctx.Value("i", 0)
    # One pipe a worker, whose writing end only that worker holds once started (the parent
    # closes its copy, each worker the copies of the others' ends it inherited): a worker that
    # dies, even halfway through a message, ends its pipe, and the parent is never left
    # waiting for the rest (with one shared queue a SIGKILLed worker could hang the parent).
    pipes = [ctx.Pipe(duplex=False) for _ in range(jobs - 1)]
    workers = [
        ctx.Process(target=_work, args=(chunks, counter, os.getpid(), pipes, k), daemon=True)
        for k in range(len(pipes))
    ]
    readers = [reader for reader, _ in pipes]
    out: list[list[SourceDocument] | None] = [None] * len(chunks)
    missing = len(chunks)

    def done(i: int, docs: list[SourceDocument]) -> None:
        nonlocal missing
        out[i] = docs
        missing -= 1
        if progress is not None:
            progress(len(docs))

    def receive(timeout: float | None) -> None:
        ready = wait(readers, timeout)
        for reader in [r for r in readers if r in ready]:
            try:
                i, docs = reader.recv()
            except (EOFError, OSError):  # the worker is gone: done, or died
                readers.remove(reader)
                continue
            if isinstance(docs, BaseException):
                raise docs
            done(i, docs)

    def worker_died() -> bool:
        return any(worker.exitcode not in (None, 0) for worker in workers)

    try:
        for worker in workers:
            worker.start()
        for _, end in pipes:
            end.close()
        while (i := _take(counter, worker_died)) < len(chunks):
            done(i, _read_chunk(chunks[i]))
            receive(0)  # what the workers sent meanwhile
        while missing:
            if not readers:
                raise ReadingStopped(_STOPPED)
            receive(None)
    finally:
        for worker in workers:
            if missing and worker.is_alive():
                worker.terminate()
            if worker.pid is not None:
                worker.join()
        for reader, end in pipes:
            reader.close()
            end.close()
    return [doc for docs in out if docs is not None for doc in docs]

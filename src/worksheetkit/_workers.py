"""Forked worker processes, one pipe each: what ``validate`` and the adherence readers share.

Only ``fork`` is used (the workers re-import nothing) and only on Linux, from a process with
one thread: elsewhere (Windows, macOS, whose system libraries are not safe to use after a
fork, a threaded server) the callers work serially. Each worker holds the writing end of its
own pipe and nothing else: a worker that dies, even halfway through a message, ends its pipe,
and the parent raises :class:`ReadingStopped` instead of waiting for the rest.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

_T = TypeVar("_T")


def default_jobs() -> int:
    """Every core this process may use (the command line's default for ``--jobs``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether forking workers is safe here: Linux, one thread.

    ``hasattr(os, "fork")`` is what decides whether multiprocessing offers "fork"; asking
    multiprocessing would import it, 11 ms of the start of every ``validate`` of a few files
    (2026-12-04): it is imported only when workers are made. macOS has ``fork`` but its system
    frameworks may crash in a forked child (Python's own default there is "spawn"). A daemonic
    ``multiprocessing`` worker (a ``Pool``'s) may not have children of its own."""
    if not (
        sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1
    ):
        return False
    mp = sys.modules.get("multiprocessing")  # not imported: this is no multiprocessing worker
    return mp is None or not mp.current_process().daemon


class ReadingStopped(RuntimeError):
    """A worker process ended before it was done (killed, out of memory): nothing it was
    reading was used. ``worksheetkit validate`` says so in one line and exits 2."""


def close_others(pipes: Sequence[tuple[Any, Any]], mine: Any) -> None:
    """In a worker: close every inherited pipe end but its own writing end ``mine``."""
    for end in (end for pipe in pipes for end in pipe):
        if end is not mine:
            end.close()


def take(counter: Any, given_up: Callable[[], bool], what: str) -> int:
    """The next task's number from the counter every process shares.

    A process killed while it holds the counter's lock never releases it: the wait is given
    up when ``given_up()`` says the others are gone (a worker killed, the parent gone)."""
    lock = counter.get_lock()
    while not lock.acquire(timeout=1):
        if given_up():
            raise ReadingStopped(stopped(what))
    try:
        i: int = counter.value
        counter.value = i + 1
    finally:
        lock.release()
    return i


def stopped(what: str) -> str:
    """What the parent says when a worker ended before sending every result it took."""
    return f"a worker process reading {what} stopped before it was done"


def _work(
    work: Callable[[int], object],
    count: int,
    counter: Any,
    parent: int,
    pipes: Sequence[tuple[Any, Any]],
    mine: int,
    held: int,
    what: str,
) -> None:
    """A worker's loop: take the next task nobody has taken, do it, send ``(number,
    result)``, until none is left.

    Sending is a thread of its own (as in a ``multiprocessing.Queue``): a result can be many
    pipefuls, and the next task goes on while the parent, busy with work of its own, is not
    yet taking it. At most ``held`` results wait in this process (0: no limit). If sending
    fails (the parent is gone, or a result does not pickle) the worker exits: the parent sees
    its pipe end."""
    import queue

    conn = pipes[mine][1]
    close_others(pipes, conn)  # inherited: the pipe's one writer is its worker
    outbox: queue.Queue[tuple[int, object] | None] = queue.Queue(held)

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
        while (i := take(counter, lambda: os.getppid() != parent, what)) < count:
            outbox.put((i, work(i)))
    except BaseException as exc:  # the parent raises it again
        outbox.put((i, exc))
    outbox.put(None)
    sender.join()


def in_order(
    work: Callable[[int], _T],
    count: int,
    workers: int,
    what: str,
    *,
    ahead: int | None = None,
) -> Iterator[_T]:
    """``work(0)``, ``work(1)``, … ``work(count - 1)``, yielded in that order, computed by
    ``workers`` forked processes and this one, each taking the next number nobody has taken
    from one shared counter.

    This process works too, rather than only waiting: what it computes itself is never
    pickled, and it takes a task only when the result it needs next has not arrived, so it
    balances the work with the workers whatever each costs. ``ahead`` bounds the results held
    here besides the one being yielded, and each worker holds at most one waiting to be sent
    (memory stays bounded for a stream); None: no bound (all of it is kept anyway).

    An exception in ``work`` is raised here; a worker that died raises
    :class:`ReadingStopped` ("a worker process reading ``what`` stopped…"). Closing the
    iterator early stops the workers. The caller checks :func:`can_fork` first.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("i", 0)
    # One pipe a worker, whose writing end only that worker holds once started (the parent
    # closes its copy, each worker the copies of the others' ends it inherited): a worker that
    # dies, even halfway through a message, ends its pipe, and the parent is never left
    # waiting for the rest (with one shared queue a SIGKILLed worker could hang the parent).
    pipes = [ctx.Pipe(duplex=False) for _ in range(workers)]
    held = 0 if ahead is None else 1
    procs = [
        ctx.Process(
            target=_work,
            args=(work, count, counter, os.getpid(), pipes, k, held, what),
            daemon=True,
        )
        for k in range(workers)
    ]
    readers = [reader for reader, _ in pipes]
    ready: dict[int, Any] = {}

    def receive(timeout: float | None) -> None:
        for reader in [r for r in readers if r in wait(readers, timeout)]:
            try:
                i, result = reader.recv()
            except (EOFError, OSError):  # the worker is gone: done, or died
                readers.remove(reader)
                continue
            if isinstance(result, BaseException):
                raise result
            ready[i] = result

    def worker_died() -> bool:
        return any(proc.exitcode not in (None, 0) for proc in procs)

    finished = False
    try:
        for proc in procs:
            proc.start()
        for _, end in pipes:
            end.close()
        taken = 0  # every number below this one is taken (counter.value, read without a lock)
        for want in range(count):
            while want not in ready:
                if readers:
                    receive(0)  # what the workers sent meanwhile
                    if want in ready:
                        break
                if taken < count and (ahead is None or len(ready) <= ahead):
                    i = take(counter, worker_died, what)
                    taken = i + 1
                    if i < count:
                        ready[i] = work(i)
                        continue
                if not readers:
                    raise ReadingStopped(stopped(what))
                receive(None)
            result = ready.pop(want)
            yield result
            result = None  # not held while the next one is made or received
        finished = True
    finally:
        for proc in procs:
            if not finished and proc.is_alive():
                proc.terminate()
            if proc.pid is not None:
                proc.join()
        for reader, end in pipes:
            reader.close()
            end.close()

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

Only ``fork`` is used, on Linux, from a process with one thread (``worksheetkit._workers``,
which the adherence readers share): elsewhere reading stays serial. The library default is
one job; the command line chooses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .._workers import can_fork, in_order, stopped
from ..loading import SourceDocument
from ._discovery import _read
from ._pack import precheck

#: Below this many files the workers cost more than they save (forking ~5 ms each, and the
#: pool's set-up); a pre-commit hook naming a few files never forks.
MIN_FILES = 200
#: Files per task: big enough that the per-task round trip is noise, small enough that both
#: workers finish together.
CHUNK = 64


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


#: What the parent says when a worker ended before sending every chunk it took.
_STOPPED = stopped("the pack")


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
    """``jobs - 1`` forked workers and this process take chunks of ``files`` from one counter
    (``worksheetkit._workers.in_order``).

    This process reads too, rather than only waiting for the workers (a ``Pool`` of ``jobs``):
    what it reads itself is never pickled and unpickled (together about a fifth of reading a
    worksheet), and on two cores it needs one fork, not two. A 5,000-worksheet pack, two cores
    (2026-12-05, best of 4, same run): 3.34 s against 3.70 s with a pool of two workers.
    """
    chunks = [files[i : i + CHUNK] for i in range(0, len(files), CHUNK)]
    docs: list[SourceDocument] = []
    for read in in_order(lambda i: _read_chunk(chunks[i]), len(chunks), jobs - 1, "the pack"):
        docs.extend(read)
        if progress is not None:
            progress(len(read))
    return docs

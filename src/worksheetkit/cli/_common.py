"""Helpers shared by the commands: output, atomic writes, exit codes."""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def fail_usage(message: str) -> NoReturn:
    """An I/O or usage problem: one line on stderr, exit 2."""
    click.echo(f"worksheetkit: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


_D = TypeVar("_D", dt.date, dt.datetime)
_F = TypeVar("_F", bound=Callable[..., Any])


def jobs_option(what: str) -> Callable[[_F], _F]:
    """``--jobs/-j N``, shared by the commands that read on several cores (``validate``,
    ``score``): 0 (the default) every core, 1 this process only; ``what`` says when workers
    are used."""
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=0),
        default=0,
        show_default="0: every core",
        help=f"Processes that read {what}; 1 reads in this process.",
    )


def usable_date(value: _D, param: click.Parameter | None = None) -> _D:
    """``value`` when it is within the dates worksheetkit accepts; else one line, exit 2."""
    from .._dates import date_problem

    name = (param.opts[0] if param.opts else param.name) if param is not None else "The date"
    problem = date_problem(value, str(name))
    if problem is not None:
        fail_usage(problem)
    return value


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write a file so readers never see half of it."""
    import tempfile  # here, not at import: 9 ms of every command's start (2026-12-04)

    target = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp creates 0600; give the file the usual permissions (0666 less the umask) so
        # a web server or a colleague can read it.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def is_same_file(a: str | Path, b: str | Path) -> bool:
    """True when ``a`` and ``b`` name one file: the same path once links are resolved, or
    hard links to one file (``os.path.samefile``)."""
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:
        pass  # one of them does not exist yet
    return os.path.realpath(a) == os.path.realpath(b)


def refuse_input_as_output(output: str | None, inputs: Sequence[str | None]) -> None:
    """Exit 2 when ``output`` is one of ``inputs``, or an existing file of the pack an input
    belongs to (writing would destroy what was read)."""
    if not output or output == "-":
        return
    from ..loading.files import overwrites
    from ..validation import find_pack_root

    for given in inputs:
        if not given or given == "-":
            continue
        if is_same_file(output, given):
            fail_usage(
                f"the output {output} is the input {given}; writing it would replace what was "
                "read. Choose another output file."
            )
        root = find_pack_root(given) if os.path.exists(given) else None
        if root is not None and overwrites(output, root):
            fail_usage(
                f"the output {output} is an existing file of the pack {root}; writing it would "
                "replace part of the pack being read. Choose an output outside the pack."
            )


def emit(text: str, output: str | None, inputs: Sequence[str | None] = ()) -> None:
    """Print to stdout, or write atomically to ``output`` ('-' is stdout) — never over one
    of ``inputs``."""
    refuse_input_as_output(output, inputs)
    if output and output != "-":
        try:
            write_atomic(output, text)
        except OSError as exc:
            fail_usage(f"cannot write {output}: {exc.strerror}")
    else:
        click.echo(text, nl=not text.endswith("\n"))


def owns_process() -> bool:
    """True when this process is the ``worksheetkit`` command itself (the console script or
    ``python -m worksheetkit``), not a test runner or an application calling the CLI."""
    from . import main

    return getattr(sys.modules.get("__main__"), "main", None) is main


def freeze_if_own() -> None:
    """Freeze what the process made so far (``gc.freeze()``: later collections skip it;
    reference counting still frees it) — only when the process is the command's own. In a test
    runner or an application calling the CLI, objects must stay collectable: a frozen cycle is
    never freed. The one place the command line freezes."""
    if owns_process():
        gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one command's work.

    The process belongs to the command line, so it may do this; the library never touches the
    process-wide collector. A run keeps every file's node tree alive (positions are looked up
    only for diagnostics) and the collector would rescan those objects again and again; the
    documents hold no reference cycles, so reference counting still frees the garbage.

    What the command made is frozen when it resumes, in the command's own process only
    (:func:`freeze_if_own`): the command is over, and the first collection after it scanned
    everything it imported and read once more, 5–7 ms of `worksheetkit validate ONE.yaml`
    (2026-12-05).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            freeze_if_own()
            gc.enable()

"""``worksheetkit validate PATH…``: check files and folders; text, JSON or GitHub output."""

from __future__ import annotations

import sys

import click

from ..codes import Code
from ..errors import Diagnostic
from ._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    collector_paused,
    fail_usage,
    jobs_option,
    owns_process,
)
from .reporting import REPORTERS, progress_callback


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="Output format: text for people, json for programs, github for Actions annotations.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as failures (exit 1).")
@jobs_option("a large pack (200 files or more)")
def command(paths: tuple[str, ...], fmt: str, strict: bool, jobs: int) -> None:
    """Check worksheets, pathways, packs, assignments and responses.

    PATHS are files or folders; folders are searched for *.yaml, *.yml and *.json.
    Exit status: 0 clean, 1 problems found, 2 usage or I/O error.
    """
    # In the command's own process, the documents read are not freed one by one when the check
    # returns: kept in a reference cycle that is frozen with the rest of the run
    # (``collector_paused``), they are left to the process's exit, as the modules are. Freeing
    # them was 0.15-0.25 s of the 3.3-3.7 s `worksheetkit validate` of 5,000 worksheets took
    # (2026-12-05). Elsewhere (a test runner, an application) they are freed as usual.
    kept: list[object] | None = [] if owns_process() else None
    with collector_paused(), progress_callback(enabled=fmt == "text") as progress:
        # Imported with the collector paused too: the validator's modules, pydantic's and the
        # models are objects for the whole run, which the collector scanned 38 times (6 ms
        # of `worksheetkit validate ONE.yaml`, 2026-12-05).
        from ..validation import ReadingStopped, check_paths, default_jobs

        try:
            run = check_paths(*paths, progress=progress, jobs=jobs or default_jobs(), keep=kept)
        except ReadingStopped as exc:  # a worker killed (out of memory?): nothing was checked
            fail_usage(f"{exc}; nothing was checked. Run again, or with --jobs 1.")
        if kept is not None:
            kept.append(kept)
    io_errors = [d for d in run.diagnostics if d.code == Code.WK001]
    REPORTERS[fmt](run.files, run.diagnostics)
    sys.exit(
        exit_code(
            run.diagnostics,
            strict,
            io_only=bool(io_errors) and len(io_errors) == len(run.diagnostics),
        )
    )


def exit_code(diagnostics: list[Diagnostic], strict: bool, *, io_only: bool = False) -> int:
    if io_only:
        return EXIT_USAGE
    if any(d.severity == "error" for d in diagnostics):
        return EXIT_PROBLEMS
    if strict and diagnostics:
        return EXIT_PROBLEMS
    return EXIT_OK

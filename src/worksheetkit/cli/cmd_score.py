"""``worksheetkit score``: the adherence report of an assignment from its responses (JSONL)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from ._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    emit,
    fail_usage,
    jobs_option,
    refuse_input_as_output,
    usable_date,
)

if TYPE_CHECKING:
    from ..reports import Charts, ReportFormat


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        if len(value) == 10:
            return usable_date(dt.date.fromisoformat(value), param)
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date (YYYY-MM-DD) or a date and time with a UTC offset"
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter(
            f"'{value}' has no UTC offset; add one (e.g. +00:00 or Z) or give a date"
        )
    return usable_date(moment, param)


@click.command(name="score")
@click.argument("assignment", metavar="ASSIGNMENT")
@click.argument("responses", metavar="RESPONSES.jsonl")
@click.option(
    "--as-of",
    "as_of",
    metavar="T",
    callback=_as_of,
    help="Evaluate as of this date (end of that local day) or instant. Default: now.",
)
@click.option(
    "--to",
    "to",
    type=click.Choice(["json", "markdown", "html"]),
    default="json",
    show_default=True,
    help="json for apps; markdown or html for the session.",
)
@click.option(
    "--pack",
    "pack_dir",
    metavar="FOLDER",
    help="Pack that holds the worksheets and pathways (default: nearest pack.yaml upwards).",
)
@click.option(
    "--charts",
    "charts",
    type=click.Choice(["auto", "scores", "items", "all", "none"]),
    default="auto",
    show_default=True,
    help="Answer series to chart in markdown/html: auto = the scores when the worksheet has "
    "any (a PHQ-9 charts its total), else the answers; items adds one chart per answer.",
)
@click.option("-o", "--output", metavar="OUT", help="Write to this file instead of stdout.")
@jobs_option("a large responses file (1 MiB or more)")
def command(
    assignment: str,
    responses: str,
    as_of: dt.date | dt.datetime | None,
    to: str,
    pack_dir: str | None,
    charts: str,
    output: str | None,
    jobs: int,
) -> None:
    """Adherence report for ASSIGNMENT from RESPONSES.jsonl (one response per line).

    Problems in the responses are listed on stderr (file:line, never the answers) and the rest
    is still scored. Exit status: 0 scored, 1 scored but some responses or the schedule had
    errors, 2 usage or I/O error.
    """
    from ..errors import WorksheetError, sort_diagnostics
    from ..model import Assignment
    from ..validation import find_pack_root, load, load_pack

    refuse_input_as_output(output, (assignment, responses))
    path = Path(assignment)
    if not path.is_file():
        fail_usage(f"cannot read {assignment}: no such file")
    if not Path(responses).is_file():
        fail_usage(f"cannot read {responses}: no such file")
    if pack_dir and not Path(pack_dir).is_dir():
        fail_usage(f"--pack {pack_dir}: no such folder")
    try:
        model = load(path)
    except WorksheetError as exc:
        for d in exc.diagnostics:
            click.echo(d.format(), err=True)
        sys.exit(EXIT_PROBLEMS)
    except OSError as exc:
        fail_usage(f"cannot read {assignment}: {exc.strerror}")
        return
    if not isinstance(model, Assignment):
        fail_usage(f"{assignment} is a {getattr(model, 'kind', 'document')}, not an assignment")
        return
    pack: Any = None
    root = Path(pack_dir) if pack_dir else find_pack_root(path)
    if root is not None:
        try:
            pack = load_pack(root)
        except WorksheetError as exc:
            for d in exc.diagnostics:
                click.echo(d.format(), err=True)
            sys.exit(EXIT_PROBLEMS)
    from ..progress import adherence
    from ..reports import render_report
    from ..validation import ReadingStopped

    moment = as_of if as_of is not None else dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        report = adherence(model, Path(responses), moment, pack=pack, jobs=jobs or None)
    except ReadingStopped as exc:  # a worker killed (out of memory?): nothing was scored
        fail_usage(f"{exc}; nothing was scored. Run again, or with --jobs 1.")
    except OSError as exc:
        fail_usage(f"cannot read {responses}: {exc.strerror}")
        return
    except ValueError as exc:  # an unknown time zone: the validator reports it too
        click.echo(f"{assignment}: error: {exc}", err=True)
        sys.exit(EXIT_PROBLEMS)
    for d in sort_diagnostics(report.diagnostics):
        click.echo(
            d.format() if d.file else f"{responses}: {d.severity} {d.code} {d.message}", err=True
        )
    emit(
        render_report(report, cast("ReportFormat", to), charts=cast("Charts", charts), pack=pack),
        output,
        inputs=(assignment, responses),
    )
    failed = any(d.severity == "error" for d in report.diagnostics)
    sys.exit(EXIT_PROBLEMS if failed else EXIT_OK)

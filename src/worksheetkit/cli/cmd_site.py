"""``worksheetkit site PACK [-o DIR]``: a static site of a pack that works from file://."""

from __future__ import annotations

import sys

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, collector_paused, fail_usage
from .cmd_validate import exit_code


@click.command("site")
@click.argument("pack", type=click.Path(file_okay=False), default=".")
@click.option(
    "-o",
    "--output",
    default="site",
    show_default=True,
    help="Folder to write: a new one, or one an earlier `worksheetkit site` wrote (replaced); never the pack.",
)
def command(pack: str, output: str) -> None:
    """Build a static site of PACK: every worksheet as a form (it prints as a handout), a PDF
    (A4, with the pdf extra), Markdown text and JSON; each pathway's timeline and calendar
    file; adherence reports for sample responses.

    Exit status (as for validate): 0 clean; 1 when the pack has errors (files refused as
    WK220 are left out and the rest is written; any other error writes nothing); 2 for
    usage or I/O errors.
    """
    from pathlib import Path

    from ..errors import WorksheetError
    from ..site import SiteError, build_site

    if not (Path(pack) / "pack.yaml").is_file():
        fail_usage(f"{pack} is not a pack folder (it has no pack.yaml)")
    try:
        with collector_paused():
            result = build_site(pack, output)
    except WorksheetError as exc:
        for d in exc.diagnostics:
            click.echo(d.format(), err=True)
        click.echo("The pack has errors; fix them (worksheetkit validate) and try again.", err=True)
        sys.exit(EXIT_PROBLEMS)
    except SiteError as exc:
        fail_usage(str(exc))
    except OSError as exc:
        fail_usage(f"cannot write {output}: {exc.strerror}")
    for d in result.diagnostics:
        click.echo(d.format(), err=True)
    for note in result.notes:
        click.echo(note, err=True)
    click.echo(f"Wrote {len(result.pages)} files to {result.out}; open {result.out / 'index.html'}")
    # The same rule as `validate`: 1 after any error (the files it names were left out of
    # the site, the rest was written), 0 when clean; usage and I/O problems exit 2 above.
    code = exit_code(result.diagnostics, strict=False)
    if code != EXIT_OK:
        errors = sum(1 for d in result.diagnostics if d.severity == "error")
        click.echo(
            f"{errors} error(s) above: the files they name were left out of the site; "
            "fix them (worksheetkit validate) and build again.",
            err=True,
        )
    sys.exit(code)

"""``worksheetkit lint PATH…``: evidence-based warnings; same formats and exit codes as validate."""

from __future__ import annotations

import sys

import click

from ..codes import Code
from ._common import EXIT_OK, fail_usage
from .cmd_validate import exit_code
from .reporting import REPORTERS, progress_callback


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="Output format: text for people, json for programs, github for Actions annotations.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as failures (exit 1).")
@click.option(
    "--disable",
    "disabled",
    multiple=True,
    metavar="RULE",
    help="Turn a rule off for this run (a code such as WL010, or its name); repeatable.",
)
@click.option(
    "--stamp-translations",
    "stamp",
    metavar="FILE",
    type=click.Path(path_type=str),
    help="Print the translation stamps FILE is missing or has out of date; writes nothing.",
)
def command(
    paths: tuple[str, ...], fmt: str, strict: bool, disabled: tuple[str, ...], stamp: str | None
) -> None:
    """Warn about homework that is unlikely to get done (rules WL001…, see docs/lint.md).

    PATHS are files or folders; folders are searched for *.yaml, *.yml and *.json. Files with
    validation errors are reported with those and not linted.
    Exit status: 0 clean, 1 problems found, 2 usage or I/O error.
    """
    if stamp is not None:
        _stamp(stamp)
        return
    if not paths:
        fail_usage("give at least one file or folder to lint")
    from ..lint import RULES, lint_paths, rule_code

    unknown = [r for r in disabled if rule_code(r) not in RULES]
    if unknown:
        fail_usage(f"--disable {unknown[0]}: there is no such lint rule (see docs/lint.md)")
    config = {"disable": list(disabled)} if disabled else None
    with progress_callback(enabled=fmt == "text") as progress:
        run = lint_paths(*paths, config=config, progress=progress)
    io_errors = [d for d in run.diagnostics if d.code == Code.WK001]
    REPORTERS[fmt](run.files, run.diagnostics)
    sys.exit(
        exit_code(
            run.diagnostics,
            strict,
            io_only=bool(io_errors) and len(io_errors) == len(run.diagnostics),
        )
    )


def _stamp(path: str) -> None:
    from ..lint import stamp_translations

    try:
        suggestions = stamp_translations(path)
    except OSError as exc:
        fail_usage(f"cannot read {path}: {exc}")
        return
    except ValueError as exc:
        fail_usage(str(exc))
        return
    if not suggestions:
        click.echo(f"{path}: every translation stamp is up to date.")
    for s in suggestions:
        click.echo(s.format())
    if suggestions:
        click.echo(
            f"{len(suggestions)} stamp{'s' if len(suggestions) != 1 else ''} to add or update "
            "(nothing was written; put each key next to its translation)."
        )
    sys.exit(EXIT_OK)

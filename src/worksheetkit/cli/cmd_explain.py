"""``worksheetkit explain CODE…``: what a diagnostic code means, from the catalogue."""

from __future__ import annotations

import click

from ._common import fail_usage


@click.command("explain")
@click.argument("codes", nargs=-1, required=True, metavar="CODE...")
def command(codes: tuple[str, ...]) -> None:
    """Print each code's severity, title and where the documentation explains it.

    CODE is a diagnostic code such as WK105 (any case). Lint's WL codes: see docs/lint.md.
    """
    from ..codes import explain

    lines = []
    for code in codes:
        try:
            lines.append(explain(code))
        except KeyError:
            fail_usage(f"unknown code: {code[:20]!r} (codes look like WK105; see docs/format.md)")
    for line in lines:
        click.echo(line)

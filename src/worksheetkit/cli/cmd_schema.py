"""``worksheetkit schema KIND``: print a published JSON Schema."""

from __future__ import annotations

import click

from ..model import KINDS
from ._common import emit


@click.command("schema")
@click.argument("kind", type=click.Choice(KINDS), default="worksheet")
@click.option("-o", "--output", default=None, help="Write to this file instead of stdout.")
@click.option(
    "--for",
    "for_file",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="With 'response': the schema of responses to this worksheet.",
)
def command(kind: str, output: str | None, for_file: str | None) -> None:
    """Print the JSON Schema (Draft 2020-12) of a document KIND."""
    if for_file is not None:
        if kind != "response":
            raise click.UsageError("--for works with 'schema response' only.")
        from ._response_schema import response_schema_for

        emit(response_schema_for(for_file), output, inputs=(for_file,))
        return
    from ..schema import schema_text

    emit(schema_text(kind), output)

"""``worksheetkit schema NAME``: print a published JSON Schema (a document kind or a result)."""

from __future__ import annotations

import click

from ..model import KINDS
from ._common import emit


def _names() -> list[str]:
    from ..schema import RESULTS

    return [*KINDS, *RESULTS]


@click.command("schema")
@click.argument("kind", type=click.Choice(_names()), default="worksheet", metavar="NAME")
@click.option("-o", "--output", default=None, help="Write to this file instead of stdout.")
@click.option(
    "--for",
    "for_file",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="With 'response': the schema of responses to this worksheet.",
)
def command(kind: str, output: str | None, for_file: str | None) -> None:
    """Print the JSON Schema (Draft 2020-12) of a document kind or of a result's JSON.

    NAME is a document kind (worksheet, pathway, pack, assignment, response) or a result:
    occurrence, score, report, diagnostic, response-check, plan, diff, … (the JSON that
    `schedule`, `check-response`, `score --to json` and the Python results' to_json() write).
    """
    if for_file is not None:
        if kind != "response":
            raise click.UsageError("--for works with 'schema response' only.")
        from ._response_schema import response_schema_for

        emit(response_schema_for(for_file), output, inputs=(for_file,))
        return
    from ..schema import result_schema_text, schema_text

    emit(schema_text(kind) if kind in KINDS else result_schema_text(kind), output)

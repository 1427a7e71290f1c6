"""``worksheetkit schema response --for WORKSHEET``: the JSON Schema of one worksheet's responses."""

from __future__ import annotations

import json

import click

from ._common import fail_usage


def response_schema_for(worksheet_file: str) -> str:
    """The schema text (Draft 2020-12, two-space indent, trailing newline) for the responses to
    the worksheet in ``worksheet_file`` (templates resolved when it sits in a pack)."""
    from ..errors import WorksheetError
    from ..model import Worksheet
    from ..responses import response_json_schema
    from ..validation import load

    try:
        ws = load(worksheet_file)
    except WorksheetError as exc:
        for d in exc.diagnostics:
            click.echo(d.format(), err=True)
        fail_usage(f"{worksheet_file} has errors; fix the worksheet first.")
        raise  # pragma: no cover - fail_usage exits
    except OSError as exc:
        fail_usage(f"cannot read {worksheet_file}: {exc.strerror or exc}")
        raise  # pragma: no cover
    if not isinstance(ws, Worksheet):
        fail_usage(f"{worksheet_file} is not a worksheet.")
    assert isinstance(ws, Worksheet)
    return json.dumps(response_json_schema(ws), indent=2, ensure_ascii=False) + "\n"

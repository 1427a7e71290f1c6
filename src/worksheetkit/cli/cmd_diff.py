"""``worksheetkit diff OLD NEW``: compatible and breaking changes between two worksheet versions."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, fail_usage


def _load(path: str) -> Any:
    from ..errors import WorksheetError
    from ..model import Worksheet
    from ..validation import load

    try:
        ws = load(path)
    except WorksheetError as exc:
        for d in exc.diagnostics:
            click.echo(d.format(), err=True)
        fail_usage(f"{path} has errors; fix the worksheet first.")
    except OSError as exc:
        fail_usage(f"cannot read {path}: {exc.strerror or exc}")
    if not isinstance(ws, Worksheet):
        fail_usage(f"{path} is not a worksheet.")
    return ws


MAX_RESPONSES_BYTES = 256 * 1024 * 1024  # a regular file of at most this size


def _jsonl(path: str, unreadable: list[int]) -> list[tuple[int, Any]]:
    from ..loading.files import FileRefused, read_bounded
    from ..loading.strictjson import JSONProblem, StrictDecoder

    try:
        text = read_bounded(path, MAX_RESPONSES_BYTES).decode("utf-8-sig")
    except FileRefused as exc:
        fail_usage(exc.message)
        return []
    except UnicodeDecodeError:
        fail_usage(f"{path} is not UTF-8 text.")
        return []
    strict = StrictDecoder()
    stored: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            stored.append((number, strict.loads(line)))
        except JSONProblem:  # not JSON, a key twice, NaN, too deep: never guessed at
            unreadable.append(number)
    return stored


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=str))
@click.argument("new", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--responses",
    "responses",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Stored responses (JSON Lines, one response per line) to check against the changes.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def command(old: str, new: str, responses: str | None, fmt: str) -> None:
    """Classify every change from OLD to NEW as compatible or breaking.

    With --responses, say which stored responses (by line number and response id, never by
    content) a breaking change affects. Exit status: 0 compatible only, 1 breaking changes,
    2 usage or I/O error.
    """
    from ..diff import affected_responses, diff_worksheets

    a, b = _load(old), _load(new)
    result = diff_worksheets(a, b)
    unreadable: list[int] = []
    affected = None
    total = 0
    if responses is not None:
        stored = list(_jsonl(responses, unreadable))
        total = len(stored)
        affected = affected_responses(result, a, b, stored)
    advice = result.version_advice()
    if fmt == "json":
        payload: dict[str, Any] = {
            "old": result.old,
            "new": result.new,
            "breaking": len(result.breaking),
            "compatible": len(result.compatible),
            "changes": [c.to_dict() for c in result.changes],
            "version_advice": advice,
        }
        if affected is not None:
            payload["responses"] = total
            payload["affected"] = [x.to_dict() for x in affected]
            payload["unreadable_lines"] = unreadable
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        n, m = len(result.breaking), len(result.compatible)
        click.echo(
            f"{result.old} → {result.new}: {n} breaking, {m} compatible change"
            f"{'s' if m != 1 else ''}"
        )
        for c in result.changes:
            click.echo(f"  {c.kind:<10} {c.change:<22} {c.message}")
        if advice:
            click.echo(f"advice: {advice}")
        if affected is not None:
            click.echo(f"stored responses affected by breaking changes: {len(affected)} of {total}")
            for x in affected:
                names = ", ".join(
                    f"{result.changes[i].change}"
                    + (f" ({result.changes[i].item})" if result.changes[i].item else "")
                    for i in x.changes
                )
                who = f" (response {x.response})" if x.response else ""
                click.echo(f"  line {x.line}{who}: {names}")
            if unreadable:
                click.echo(
                    "  lines that cannot be read (not JSON, or a key written twice): "
                    + ", ".join(map(str, unreadable))
                )
    sys.exit(EXIT_PROBLEMS if result.breaking else EXIT_OK)

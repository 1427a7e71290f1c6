"""``worksheetkit check-response WORKSHEET RESPONSE.json``: validate, measure and score one response."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..codes import Code
from ..errors import Diagnostic
from ..loading.strictjson import JSONProblem
from ..loading.strictjson import loads as strict_loads
from ._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, fail_usage

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_LOCATE_LIMIT = 2 * 1024 * 1024  # larger files are reported without line numbers


def locate(
    diagnostics: list[Diagnostic], text: str, file: str, data: Any = None
) -> list[Diagnostic]:
    """Fill in line and column of each diagnostic from the response's text."""
    if not diagnostics:
        return diagnostics
    if len(text) > _LOCATE_LIMIT:
        return [d.with_location(file=file) for d in diagnostics]
    from ..loading.yamlsource import parse_text
    from ..responses.pointers import resolve_positions

    source = parse_text(text, file).source  # never raises: problems are its diagnostics
    located = []
    for d in diagnostics:
        line, column = source.locate(resolve_positions(d.path, data))
        located.append(d.with_location(file=file, line=line, column=column))
    return located


def _read_json(path: str) -> tuple[Any, str, Diagnostic | None]:
    from ..loading.files import FileRefused, read_bounded

    try:
        raw = read_bounded(path, MAX_RESPONSE_BYTES)
    except FileRefused as exc:
        if exc.reason != "large":  # missing, a folder, /dev/zero, a pipe: never read
            fail_usage(exc.message)
        return (
            None,
            "",
            Diagnostic(
                code=Code.WK411,
                message=f"This response file is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB.",
                hint="A single response is never this large; check what was saved.",
                file=path,
                line=1,
                column=1,
                path=(),
            ),
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return (
            None,
            "",
            Diagnostic(
                code=Code.WK411,
                message="This response file is not UTF-8 text.",
                hint="Save it as UTF-8 JSON.",
                file=path,
                line=1,
                column=1,
                path=(),
            ),
        )
    try:
        # An integer too long for Python (more than 4,300 digits) stays text, as the YAML
        # reader does, so the answer is reported as a wrong type (WK401), not a crash.
        return strict_loads(text, big_ints_as_text=True), text, None
    except JSONProblem as exc:
        message = exc.message.replace("This is", "This response is").replace(
            "This JSON", "This response"
        )
        return (
            None,
            text,
            Diagnostic(
                code=Code.WK411,
                message=message,
                hint=exc.hint,
                file=path,
                line=exc.line,
                column=exc.column,
                path=exc.path,
            ),
        )


def _pick_worksheet(worksheet_path: str, data: Any, pack_dir: str | None) -> Any:
    """The worksheet the response was recorded against: the given file, or — when the response
    names another version — that version from the pack."""
    from ..errors import WorksheetError
    from ..model import Worksheet
    from ..validation import find_pack_root, load, load_pack

    try:
        ws = load(worksheet_path)
    except WorksheetError as exc:
        for d in exc.diagnostics:
            click.echo(d.format(), err=True)
        fail_usage(f"{worksheet_path} has errors; fix the worksheet first.")
        raise  # pragma: no cover
    except OSError as exc:
        fail_usage(f"cannot read {worksheet_path}: {exc.strerror or exc}")
        raise  # pragma: no cover
    if not isinstance(ws, Worksheet):
        fail_usage(f"{worksheet_path} is not a worksheet.")
    assert isinstance(ws, Worksheet)
    if type(data) is not dict:
        return ws
    wanted = data.get("version")
    ref = data.get("worksheet")
    if not isinstance(wanted, str) and isinstance(ref, str) and "@" in ref:
        wanted = ref.partition("@")[2]
    if not isinstance(wanted, str) or wanted == ws.version:
        return ws
    root = Path(pack_dir) if pack_dir else find_pack_root(worksheet_path)
    if root is None:
        return ws
    try:
        pack = load_pack(root, strict=False)
        return pack.worksheet(f"{ws.id}@{wanted}")
    except (KeyError, OSError, ValueError):
        return ws  # not in the pack: checked against the given file (WK410 says so)


@click.command("check-response")
@click.argument("worksheet", type=click.Path(dir_okay=False, path_type=str))
@click.argument("response", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)
@click.option(
    "--pack",
    "pack_dir",
    type=click.Path(file_okay=False, exists=True, path_type=str),
    default=None,
    help="Pack to look up the version the response was recorded against "
    "(default: the nearest folder upwards with pack.yaml).",
)
@click.option("--lang", default=None, help="Language of band labels and alert messages.")
def command(
    worksheet: str, response: str, fmt: str, pack_dir: str | None, lang: str | None
) -> None:
    """Validate one response to WORKSHEET, say how complete it is and compute its scores.

    Exit status: 0 valid, 1 invalid, 2 usage or I/O error.
    """
    from ..responses import ResponseCheck, check_response

    data, text, problem = _read_json(response)
    if problem is not None:
        result = ResponseCheck(False, None, [problem], {})
    else:
        ws = _pick_worksheet(worksheet, data, pack_dir)
        result = check_response(ws, data, language=lang)
        result = ResponseCheck(
            result.valid,
            result.fraction,
            locate(result.diagnostics, text, response, data),
            result.scores,
        )
    if fmt == "json":
        click.echo(result.to_json())
    else:
        _text(result)
    sys.exit(EXIT_OK if result.valid else EXIT_PROBLEMS)


def _text(result: Any) -> None:
    for d in result.diagnostics:
        click.echo(d.format())
        if d.hint:
            click.echo(f"    hint: {d.hint}")
    errors = sum(d.severity == "error" for d in result.diagnostics)
    warnings = len(result.diagnostics) - errors
    verdict = "valid" if result.valid else "invalid"
    click.echo(
        f"response {verdict}: {errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
    )
    if result.fraction is not None:
        click.echo(f"completion: {round(result.fraction * 100)}%")
    for sid, s in result.scores.items():
        value = "not computed" if s.value is None else f"{s.value}"
        extra = []
        if s.band:
            extra.append(s.band)
        if s.prorated:
            extra.append("prorated")
        if s.missing:
            extra.append(f"{s.missing} missing")
        click.echo(f"score {sid}: {value}" + (f" ({', '.join(extra)})" if extra else ""))
        for a in s.alerts:
            click.echo(f"    {a.severity}: {a.message}")


__all__ = ["EXIT_USAGE", "command"]

"""``worksheetkit fhir …``: export worksheets and responses to FHIR R4, import Questionnaires."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..codes import Code
from ..errors import Diagnostic, sort_diagnostics
from ._common import EXIT_OK, EXIT_PROBLEMS, collector_paused, emit, fail_usage

MAX_INPUT_BYTES = 64 * 1024 * 1024  # a regular file of at most this size; never /dev/zero


def _read(path: str, what: str | None = None) -> str:
    """The text of ``path``. A FHIR resource (``what`` names it) over 10 MB is WK721 (exit 1),
    refused after reading at most 10 MB + 1 byte and before any parsing."""
    from ..fhir.importer import MAX_FHIR_BYTES, _too_large
    from ..loading.files import FileRefused, read_bounded

    if not Path(path).exists():
        fail_usage(f"{path}: no such file")
    if Path(path).is_dir():
        fail_usage(f"{path}: is a folder, not a file")
    try:
        return read_bounded(path, MAX_FHIR_BYTES if what else MAX_INPUT_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        fail_usage(f"{path}: not a UTF-8 text file")
    except FileRefused as exc:
        if exc.reason == "large" and what:
            _report([_too_large(what).with_location(file=path, line=1, column=1)])
            sys.exit(EXIT_PROBLEMS)
        fail_usage(exc.message)
    raise AssertionError  # pragma: no cover - fail_usage exits


def _located(diagnostics: list[Diagnostic], file: str, text: str | None) -> list[Diagnostic]:
    """Give each diagnostic the line and column of its path in ``file``."""
    source = None
    # Parsed only when some diagnostic needs a line: a clean import or export (most runs) does
    # not read its input a second time (about 0.01 s of a `fhir import` process, 2026-12-04).
    if text is not None and any(d.file is None for d in diagnostics):
        from ..loading.yamlsource import parse_text

        source = parse_text(text, file).source  # never raises: problems are its diagnostics
    out = []
    for d in diagnostics:
        if d.file is not None:
            out.append(d)
            continue
        line, column = source.locate(d.path) if source is not None else (1, 1)
        out.append(d.with_location(file=file, line=line, column=column))
    return sort_diagnostics(out)


def _report(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        click.echo(d.format(), err=True)
        if d.hint:
            click.echo(f"    hint: {d.hint}", err=True)


def _finish(diagnostics: list[Diagnostic], strict: bool) -> None:
    if any(d.severity == "error" for d in diagnostics) or (strict and diagnostics):
        sys.exit(EXIT_PROBLEMS)
    sys.exit(EXIT_OK)


def _load_worksheet(path: str) -> Any:
    """The worksheet in ``path`` (templates resolved inside its pack); exits on problems."""
    from ..errors import WorksheetError
    from ..model import Worksheet
    from ..validation import load

    if not Path(path).is_file():
        fail_usage(f"{path}: no such file")
    try:
        model = load(path)
    except WorksheetError as exc:
        _report(exc.diagnostics)
        click.echo(f"worksheetkit: {path} has errors; fix them before converting it.", err=True)
        sys.exit(EXIT_PROBLEMS)
    except OSError as exc:
        fail_usage(f"cannot read {path}: {exc.strerror}")
    if not isinstance(model, Worksheet):
        fail_usage(f"{path} is a {model.kind}, not a worksheet")
    return model


def _json_file(path: str, what: str, *, fhir: bool = True) -> tuple[Any, str]:
    from ..loading.strictjson import JSONProblem
    from ..loading.strictjson import loads as strict_loads

    text = _read(path, what if fhir else None)
    try:
        data = strict_loads(text)
    except JSONProblem as exc:
        # Duplicate keys are refused too: readers disagree on which one counts.
        message = (
            exc.message.replace("This is", "This file is").replace(
                ").", f"), so it is not a FHIR {what}."
            )
            if exc.reason == "syntax"
            else exc.message.replace("This JSON", "This file")
        )
        _report(
            [
                Diagnostic(
                    code=Code.WK710,
                    message=message,
                    hint=exc.hint
                    if exc.reason == "duplicate"
                    else "FHIR resources are read in their JSON form; check the file.",
                    file=path,
                    line=exc.line,
                    column=exc.column,
                    path=exc.path,
                )
            ]
        )
        sys.exit(EXIT_PROBLEMS)
    if not isinstance(data, dict):
        _report(
            [
                Diagnostic(
                    code=Code.WK710,
                    message=f"This file holds JSON, but not an object, so it is not a FHIR {what}.",
                    hint="A FHIR resource is a JSON object with a 'resourceType'.",
                    file=path,
                    line=1,
                    column=1,
                )
            ]
        )
        sys.exit(EXIT_PROBLEMS)
    return data, text


def _dump(resource: dict[str, Any]) -> str:
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"


base_url_option = click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="Where the Questionnaires are published; their canonical url is "
    "URL/Questionnaire/<id> (default https://worksheetkit.example).",
)
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as failures (exit 1).")
output_option = click.option(
    "-o",
    "--output",
    default=None,
    metavar="OUT",
    help="Write to this file instead of standard output.",
)


@click.group("fhir")
def command() -> None:
    """Export to or import from FHIR R4 Questionnaire.

    What FHIR cannot express is reported on standard error as warnings
    (FILE:LINE:COL: warning WK7xx message). Exit status: 0 done, 1 problems found (or warnings
    with --strict), 2 usage or I/O error.
    """


@command.command("export")
@click.argument("file", type=click.Path(path_type=str))
@output_option
@base_url_option
@strict_option
def export_cmd(file: str, output: str | None, base_url: str | None, strict: bool) -> None:
    """Write the worksheet FILE as a FHIR R4 Questionnaire (JSON)."""
    from ..fhir import DEFAULT_BASE_URL, export_questionnaire

    worksheet = _load_worksheet(file)
    result = export_questionnaire(worksheet, base_url=base_url or DEFAULT_BASE_URL)
    text = None if worksheet.derived_from else _read(file)
    diagnostics = _located(result.diagnostics, file, text)
    _report(diagnostics)
    emit(_dump(result.resource), output, inputs=(file,))
    _finish(diagnostics, strict)


@command.command("import")
@click.argument("file", type=click.Path(path_type=str))
@output_option
@strict_option
def import_cmd(file: str, output: str | None, strict: bool) -> None:
    """Turn the FHIR R4 Questionnaire FILE (JSON) into a worksheet (YAML)."""
    # The imports (pydantic, the models, the checker) and the first validation (building the
    # models' validators) make hundreds of thousands of lasting objects that the cyclic
    # collector would walk again and again for nothing: it is off until the worksheet is made
    # (one command, its input bounded: 10 MB, 5,000 items), and what was made is then frozen
    # (enabled again, the collector leaves it be). Collector time in the command: 75
    # collections, 11-18 ms → 25 collections (before this command), 3 ms; 2026-12-05.
    with collector_paused():
        from ..fhir import import_questionnaire

        resource, text = _json_file(file, "Questionnaire")
        result = import_questionnaire(resource)
    diagnostics = _located(result.diagnostics, file, text)
    _report(diagnostics)
    if result.worksheet is not None:
        emit(result.to_yaml(), output, inputs=(file,))
    _finish(diagnostics, strict)


@command.command("export-response")
@click.argument("worksheet", type=click.Path(path_type=str))
@click.argument("response", type=click.Path(path_type=str))
@output_option
@base_url_option
@strict_option
def export_response_cmd(
    worksheet: str, response: str, output: str | None, base_url: str | None, strict: bool
) -> None:
    """Write the RESPONSE (JSON) to WORKSHEET as a FHIR R4 QuestionnaireResponse."""
    from ..fhir import DEFAULT_BASE_URL, export_response
    from ..responses import validate_response

    model = _load_worksheet(worksheet)
    data, text = _json_file(response, "response", fhir=False)
    diagnostics = _located(validate_response(model, data), response, text)
    _report(diagnostics)
    if any(d.severity == "error" for d in diagnostics):
        click.echo(f"worksheetkit: {response} has errors; fix them before converting it.", err=True)
        sys.exit(EXIT_PROBLEMS)
    result = export_response(data, model, base_url=base_url or DEFAULT_BASE_URL)
    left_out = _located(result.diagnostics, response, text)
    _report(left_out)
    emit(_dump(result.resource), output, inputs=(worksheet, response))
    _finish(diagnostics + left_out, strict)


@command.command("import-response")
@click.argument("worksheet", type=click.Path(path_type=str))
@click.argument("response", type=click.Path(path_type=str))
@click.option(
    "--questionnaire",
    default=None,
    metavar="Q.json",
    help="The Questionnaire the worksheet was imported from: exact linkId and "
    "answer-code matching.",
)
@output_option
@strict_option
def import_response_cmd(
    worksheet: str, response: str, questionnaire: str | None, output: str | None, strict: bool
) -> None:
    """Turn the FHIR QuestionnaireResponse RESPONSE (JSON) into a worksheetkit response."""
    from ..fhir import import_response

    model = _load_worksheet(worksheet)
    data, text = _json_file(response, "QuestionnaireResponse")
    original = _json_file(questionnaire, "Questionnaire")[0] if questionnaire else None
    result = import_response(data, model, questionnaire=original)
    diagnostics = _located(result.diagnostics, response, text)
    _report(diagnostics)
    if result.response and not any(d.severity == "error" for d in diagnostics):
        emit(_dump(result.response), output, inputs=(worksheet, response, questionnaire))
    _finish(diagnostics, strict)

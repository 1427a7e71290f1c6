"""``worksheetkit render FILE --to html|markdown|json|pdf``: one document as a page, a fragment,
printable Markdown, canonical JSON or a PDF handout (``--paper a4|letter``); a response (``--response``) as a filled-in view."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from ..errors import Diagnostic
from ._common import EXIT_OK, EXIT_PROBLEMS, collector_paused, emit, fail_usage, freeze_if_own

if TYPE_CHECKING:
    from ..rendering import Format


def _report(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        click.echo(d.format(), err=True)
        if d.hint:
            click.echo(f"    hint: {d.hint}", err=True)


def _rendered() -> None:
    """Exit 0 after the page is written. The interpreter's exit then runs the cyclic garbage
    collector over every object of the run (pydantic's validators, Jinja2, the model, the
    page): about 30 ms of a ~0.3 s `worksheetkit render` process, 10 % of it (2026-12-05).
    ``gc.freeze()`` leaves them out of those collections; everything else of the exit
    (atexit handlers, flushing, closing files) happens as ever. Only when the process is the
    command's own: in a test runner or an application the objects must stay collectable."""
    freeze_if_own()
    sys.exit(EXIT_OK)


def _locate(diagnostics: list[Diagnostic], path: str) -> list[Diagnostic]:
    """Line and column of each text in the file, when the path can be found there."""
    if not diagnostics:  # nothing to place: the file is not read and parsed again
        return []
    from ..loading.yamlsource import parse_text

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # read once already; gone or changed since
        return [d.with_location(file=path) for d in diagnostics]
    source = parse_text(text, path).source  # never raises: problems are its diagnostics
    out = []
    for d in diagnostics:
        line, column = source.locate(d.path)
        out.append(d.with_location(file=path, line=line, column=column))
    return out


def _load(path: str) -> Any:
    from ..errors import WorksheetError
    from ..validation import load

    if not Path(path).is_file():
        fail_usage(f"no such file: {path}")
    try:
        return load(path)
    except WorksheetError as exc:
        _report(exc.diagnostics)
        sys.exit(EXIT_PROBLEMS)
    except OSError as exc:
        fail_usage(f"cannot read {path}: {exc.strerror or exc}")


def _worksheet_for(response: Any, path: str) -> Any:
    """The worksheet a response answers, looked up in the pack the response sits in."""
    from ..validation import find_pack_root, load_pack

    root = find_pack_root(path)
    if root is None:
        return fail_usage(
            f"{path} is a response; give its worksheet: "
            "worksheetkit render WORKSHEET --response RESPONSE.json"
        )
    pack = load_pack(root, strict=False)
    ref = response.worksheet.split("@")[0]
    ref = f"{ref}@{response.version}" if response.version else response.worksheet
    try:
        return pack.worksheet(ref)
    except KeyError:
        fail_usage(f"the pack at {root} has no worksheet {ref} for this response")


@click.command("render")
@click.argument("file", type=click.Path(path_type=str))
@click.option(
    "--to",
    "to",
    type=click.Choice(["html", "markdown", "json", "pdf"]),
    default="html",
    show_default=True,
    help="html: an accessible form; markdown: printable; json: the canonical document; "
    "pdf: a handout to print (needs worksheetkit[pdf]; use -o).",
)
@click.option(
    "--paper",
    type=click.Choice(["a4", "letter"]),
    default="a4",
    show_default=True,
    help="Paper size of --to pdf.",
)
@click.option("--lang", "language", metavar="XX", help="Language of the texts (e.g. es).")
@click.option("--fragment", is_flag=True, help="HTML without <html>/<head>, to embed in a page.")
@click.option("-o", "--output", metavar="OUT", help="Write to this file instead of stdout.")
@click.option(
    "--templates",
    "template_dir",
    type=click.Path(path_type=str),
    metavar="DIR",
    help="A folder of templates that replace the built-in ones of the same name.",
)
@click.option(
    "--response",
    "response_path",
    type=click.Path(path_type=str),
    metavar="RESPONSE.json",
    help="Render this response to FILE (a worksheet) as a filled-in view.",
)
def command(
    file: str,
    to: str,
    paper: str,
    language: str | None,
    fragment: bool,
    output: str | None,
    template_dir: str | None,
    response_path: str | None,
) -> None:
    """Render a worksheet or response as HTML, Markdown, JSON or PDF.

    Missing translations (--lang) fall back to the worksheet's language and are reported on
    stderr as WK601 warnings. Exit status: 0 rendered, 1 the document has errors, 2 usage or
    I/O error.
    """
    # The collector is paused for the run, as `validate` and `site` do (_common): the run
    # keeps what it builds, and its collections were ~13 ms of a ~0.3 s render process
    # (2026-12-05).
    with collector_paused():
        _command(file, to, paper, language, fragment, output, template_dir, response_path)


def _command(
    file: str,
    to: str,
    paper: str,
    language: str | None,
    fragment: bool,
    output: str | None,
    template_dir: str | None,
    response_path: str | None,
) -> None:
    from ..model import Response, Worksheet, is_language_code
    from ..rendering import render_with_diagnostics

    if language is not None and not is_language_code(language):
        fail_usage(
            f"--lang must be a language code such as 'en', 'es' or 'pt-BR', not '{language}'"
        )
    if template_dir is not None and not Path(template_dir).is_dir():
        fail_usage(f"--templates: no such folder: {template_dir}")
    document = _load(file)
    target: Any = document
    if response_path is not None:
        if not isinstance(document, Worksheet):
            fail_usage(f"{file} is not a worksheet; --response needs the worksheet it answers")
        response = _load(response_path)
        if not isinstance(response, Response):
            fail_usage(f"{response_path} is not a response document")
        target = (document, response)
    elif isinstance(document, Response) and to != "json":
        target = (_worksheet_for(document, file), document)
    elif not isinstance(document, Worksheet | Response) and to != "json":
        fail_usage(f"only worksheets and responses render to {to}; use --to json for this document")
    from jinja2 import TemplateError

    if to == "pdf":
        _pdf(target, file, response_path, language, paper, output, fragment, template_dir)
    try:
        text, diagnostics = render_with_diagnostics(
            target,
            cast("Format", to),
            language=language,
            fragment=fragment,
            template_dir=template_dir,
        )
    except TemplateError as exc:
        lineno = getattr(exc, "lineno", None)
        where = (
            f" ({getattr(exc, 'filename', None) or 'template'}, line {lineno})" if lineno else ""
        )
        fail_usage(f"a template in {template_dir} cannot be used{where}: {exc.message}")
        return
    _report(_locate(diagnostics, file))
    emit(text, output, inputs=(file, response_path))
    _rendered()


def _pdf(
    target: Any,
    file: str,
    response_path: str | None,
    language: str | None,
    paper: str,
    output: str | None,
    fragment: bool,
    template_dir: str | None,
) -> None:
    """``--to pdf``: the printable page as a PDF, written to ``-o`` (never to a terminal)."""
    from ..rendering import PdfUnavailable, html_to_pdf, render_with_diagnostics
    from ._common import refuse_input_as_output, write_atomic

    if fragment or template_dir is not None:
        fail_usage("--to pdf prints the built-in page; drop --fragment and --templates")
    if (not output or output == "-") and sys.stdout.isatty():
        fail_usage("--to pdf writes binary data; give a file with -o handout.pdf")
    refuse_input_as_output(output, (file, response_path))
    html, diagnostics = render_with_diagnostics(target, "html", language=language)
    try:
        data = html_to_pdf(html, paper=paper)
    except PdfUnavailable as exc:
        fail_usage(str(exc))
        return
    _report(_locate(diagnostics, file))  # WK601: missing translations, as for the HTML
    if output and output != "-":
        try:
            write_atomic(output, data)
        except OSError as exc:
            fail_usage(f"cannot write {output}: {exc.strerror}")
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    sys.exit(EXIT_OK)

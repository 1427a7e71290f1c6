"""Reporters for diagnostics (text, json, github), chosen from a registry; and the progress bar."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from .._diagcap import totals
from ..errors import Diagnostic

PROGRESS_THRESHOLD = 50  # files; smaller runs finish before a bar is worth drawing


def report_text(files: int, diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        click.echo(d.format())
        if d.hint:
            click.echo(f"    hint: {d.hint}")
    click.echo(_summary(files, diagnostics))


def report_json(files: int, diagnostics: list[Diagnostic]) -> None:
    # Counts include problems behind a WK099 "not shown" line; "hidden" says how many those are.
    errors, warnings, hidden = totals(diagnostics)
    payload: dict[str, object] = {"files": files, "errors": errors, "warnings": warnings}
    if hidden:
        payload["hidden"] = hidden
    payload["diagnostics"] = [d.to_dict() for d in diagnostics]
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def report_github(files: int, diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        level = "error" if d.severity == "error" else "warning"
        props = (
            f"file={_gh_escape(d.file or '', prop=True)},line={d.line or 1},"
            f"col={d.column or 1},title={_gh_escape(d.code, prop=True)}"
        )
        message = f"{d.code} {d.message}" + (f" Hint: {d.hint}" if d.hint else "")
        click.echo(f"::{level} {props}::{_gh_escape(message)}")
    report_text_summary(files, diagnostics)


def _summary(files: int, diagnostics: list[Diagnostic]) -> str:
    errors, warnings, hidden = totals(diagnostics)
    return (
        f"{files} file{'s' if files != 1 else ''} checked: "
        f"{errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
        + (f" ({hidden:,} not shown)" if hidden else "")
    )


def report_text_summary(files: int, diagnostics: list[Diagnostic]) -> None:
    click.echo(_summary(files, diagnostics))


REPORTERS: dict[str, Callable[[int, list[Diagnostic]], None]] = {
    "text": report_text,
    "json": report_json,
    "github": report_github,
}


@contextmanager
def progress_callback(*, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing when piped or in CI."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        transient=True,
        console=Console(stderr=True),
        # No refresh thread: `validate --jobs` forks its readers only from a one-thread process.
        auto_refresh=False,
    ) as bar:
        task = bar.add_task("files", total=None, visible=False)

        shown = [0.0]

        def update(done: int, total: int) -> None:
            if total >= PROGRESS_THRESHOLD:
                now = time.monotonic()  # drawn ten times a second at most, and at the end
                draw = done == total or now - shown[0] >= 0.1
                bar.update(task, completed=done, total=total, visible=True, refresh=draw)
                if draw:
                    shown[0] = now

        yield update

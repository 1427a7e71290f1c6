"""The ``worksheetkit`` command line: the only module that prints, exits or parses argv.

Each command lives in its own module (``cmd_<name>.py``) and is imported only when it runs, so
``worksheetkit --version`` stays fast and never imports Jinja2, dateutil or the browser stack.
Exit codes: 0 clean, 1 problems found, 2 usage or I/O error.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import types
from typing import Any

# Click is imported with the collector paused, as the rest of start-up is (see _STARTUP):
# its 19 collections were 2–3 ms of every command (2026-12-05).
_was_enabled = gc.isenabled()
gc.disable()
try:
    import click
finally:
    if _was_enabled:
        gc.enable()

from .._version import __version__  # noqa: E402 - after the paused import

# command name → (module, one-line help). Listed here so `--help` needs no imports.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("cmd_validate", "Check worksheets, pathways, packs, assignments and responses."),
    "lint": ("cmd_lint", "Warn about homework that is unlikely to get done (evidence-based)."),
    "render": ("cmd_render", "Render a worksheet or response as HTML, Markdown or JSON."),
    "schema": ("cmd_schema", "Print the JSON Schema of a document kind or a result."),
    "explain": ("cmd_explain", "Say what a diagnostic code means and where it is documented."),
    "check-response": ("cmd_check_response", "Validate and score one response."),
    "diff": ("cmd_diff", "Classify the changes between two versions of a worksheet."),
    "schedule": ("cmd_schedule", "List an assignment's occurrences, or write an .ics calendar."),
    "score": ("cmd_score", "Adherence report for an assignment and its responses."),
    "fhir": ("cmd_fhir", "Export to or import from FHIR R4 Questionnaire."),
    "preview": ("cmd_preview", "Preview a pack live in the browser while you edit it."),
    "new": ("cmd_new", "Start a new worksheet from a template in the pack."),
    "site": ("cmd_site", "Build a static site of a pack (forms, printables, calendars, reports)."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        try:
            module = importlib.import_module(f"{__name__}.{entry[0]}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(entry[0]):
                return None  # not built yet
            raise
        command: click.Command = module.command
        _startup_done()
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_) for name, (_, help_) in sorted(COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="worksheetkit")
def cli() -> None:
    """worksheetkit: declarative, checkable therapy homework."""


#: Whether :func:`main` paused the cyclic garbage collector for the start-up (and so must
#: turn it back on). Start-up is imports: modules, classes and functions that live as long as
#: the process, which the collector would only scan again and again (2–10 ms of a command's
#: start-up, 2026-12-05). Once the command is imported they are frozen (never scanned again)
#: and the collector runs as usual for the command's own work.
_STARTUP = {"paused": False}


def _startup_done() -> None:
    if _STARTUP["paused"]:
        _STARTUP["paused"] = False
        from ._common import freeze_if_own

        freeze_if_own()
        gc.enable()


#: The values of PYDANTIC_DISABLE_PLUGINS with which pydantic loads no plugin at all.
_ALL_OFF = ("__all__", "1", "true")


def _without_plugin_loader() -> None:
    """With every plugin off, pydantic's plugin loader answers "none"; but importing it
    imports ``importlib.metadata`` (with email, zipfile and csv), 15–19 ms of the 0.25 s that
    ``worksheetkit validate ONE.yaml`` took, its largest import after pydantic's own
    (2026-12-04). Stand in for the loader with that answer, only when plugins are all off
    and the loader is not loaded yet, so a user's plugin setting is never overridden."""
    name = "pydantic.plugin._loader"
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in _ALL_OFF or name in sys.modules:
        return
    stand_in = types.ModuleType(name, "worksheetkit's stand-in: every pydantic plugin is off.")
    setattr(stand_in, "get_plugins", tuple)  # noqa: B010 - get_plugins() == ()
    sys.modules[name] = stand_in


def main(argv: list[str] | None = None) -> Any:
    # pydantic looks for plugins (``importlib.metadata`` entry points) the first time it builds
    # a validator; worksheetkit uses none. Off unless the user set the variable themselves
    # (docs/performance.md): the entry-point scan is about 5 ms of CPU of every command that
    # reads a document (2026-12-04).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _without_plugin_loader()
    _STARTUP["paused"] = gc.isenabled()
    gc.disable()
    try:
        return cli.main(args=argv, prog_name="worksheetkit", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
    finally:
        # What is left is freed by the exit: frozen, the interpreter's last collections skip
        # it instead of scanning every module, class and validator again — 15–20 ms of the
        # 0.21 s of `worksheetkit validate ONE.yaml` (2026-12-05). Open files are closed and
        # atexit handlers run as before; only cyclic garbage is left to the operating system.
        from ._common import freeze_if_own

        freeze_if_own()
        _startup_done()

"""The public surface: __all__ complete and sorted, import stays light, the CLI is wired."""

from __future__ import annotations

import subprocess
import sys

import worksheetkit

HEAVY = (
    "jinja2", "dateutil", "playwright", "icalendar", "markdown_it", "fhir", "rich", "textstat",
    "starlette", "uvicorn", "watchfiles", "pydantic", "yaml", "jsonschema", "babel",
    "worksheetkit.model", "worksheetkit.validation",
)  # fmt: skip


def test_all_is_sorted_and_complete() -> None:
    assert worksheetkit.__all__ == sorted(worksheetkit.__all__)
    design = {
        "load", "loads", "load_pack", "validate", "render", "validate_response", "score",
        "occurrences", "adherence", "to_fhir", "from_fhir", "Diagnostic", "WorksheetError",
    }  # fmt: skip
    assert design <= set(worksheetkit.__all__)
    for name in worksheetkit.__all__:
        assert getattr(worksheetkit, name) is not None, name


def _imported_after(code: str) -> list[str]:
    probe = (
        f"import sys\n{code}\n"
        f"print('\\n' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    return [m for m in last.split(",") if m and m in HEAVY]


def test_import_does_not_load_the_heavy_stack() -> None:
    assert _imported_after("import worksheetkit") == []


def test_version_command_does_not_load_the_heavy_stack() -> None:
    code = (
        "from worksheetkit.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass"
    )
    assert _imported_after(code) == []


def test_version_is_printed() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "worksheetkit", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert worksheetkit.__version__ in out.stdout


def test_every_registered_command_exists() -> None:
    import click

    from worksheetkit.cli import COMMANDS, cli

    ctx = click.Context(cli)
    for name in COMMANDS:
        assert cli.get_command(ctx, name) is not None, f"command {name!r} is not built"


def test_unknown_command_is_a_usage_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "worksheetkit", "frobnicate"], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert "Traceback" not in out.stderr


def test_public_functions_are_not_shadowed_by_submodules() -> None:
    # Importing a submodule binds it as an attribute of the package: a submodule named like a
    # public function (e.g. `worksheetkit.adherence`) would replace the function.
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(worksheetkit.__path__):
        if info.name != "__main__":  # that one runs the command line
            importlib.import_module(f"worksheetkit.{info.name}")
    for name in worksheetkit.__all__:
        value = getattr(worksheetkit, name)
        assert not isinstance(value, type(worksheetkit)), f"worksheetkit.{name} is a module"

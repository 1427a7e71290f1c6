"""The public surface: __all__ complete and sorted, import stays light, the CLI is wired."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

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
    probe = f"import sys\n{code}\nprint('\\n' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
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


def test_validating_a_worksheet_loads_no_rendering_or_hint_stack() -> None:
    """`worksheetkit validate ONE.yaml` (a pre-commit hook's whole run) imports neither the
    renderers' Jinja2 and markdown-it (a worksheet without links never parses Markdown) nor
    rapidfuzz (nothing misspelt, no did-you-mean), nor the calendar export, plans and
    timelines, expansion and occurrences of scheduling (its default_schedule needs
    ``check_schedule`` alone)."""
    phq9 = ROOT / "examples" / "instruments" / "phq-9.yaml"
    code = (
        "import sys\nfrom worksheetkit.cli import main\n"
        f"try:\n    main(['validate', {str(phq9)!r}])\nexcept SystemExit:\n    pass\n"
        "light = ('jinja2', 'markdown_it', 'rapidfuzz', 'worksheetkit.scheduling._ics',"
        " 'worksheetkit.scheduling._plan', 'worksheetkit.scheduling._timeline',"
        " 'worksheetkit.scheduling._expand', 'worksheetkit.scheduling._occurrence')\n"
        "print('\\n' + ','.join(m for m in light if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "1 file checked: 0 errors, 0 warnings"


def _validate_one_and_list(modules: tuple[str, ...], env: dict[str, str] | None = None) -> str:
    one = ROOT / "examples" / "worksheets" / "thought-record.yaml"
    code = (
        "import sys\nfrom worksheetkit.cli import main\n"
        f"try:\n    main(['validate', {str(one)!r}])\nexcept SystemExit:\n    pass\n"
        f"print(','.join(m for m in {modules!r} if m in sys.modules))\n"
        "loader = sys.modules.get('pydantic.plugin._loader')\n"
        "print('real loader' if getattr(loader, '__file__', None) else 'stand-in')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout


def test_validating_one_file_starts_no_more_than_it_needs() -> None:
    """`worksheetkit validate ONE.yaml` (issue 18: at most 3× `import pydantic, yaml`) does not
    import the package-metadata scanner pydantic's plugin loader brings (every plugin is off),
    the process pool (one file is read in this process), the temporary-file module (nothing is
    written), the response-stream reader (there is no stream) or html's entity tables (no
    link holds '&' or '%')."""
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    unneeded = (
        "importlib.metadata", "multiprocessing", "tempfile", "worksheetkit.validation.streams",
        "html",
    )  # fmt: skip
    lines = _validate_one_and_list(unneeded, env).strip().splitlines()
    assert lines[-3:] == ["1 file checked: 0 errors, 0 warnings", "", "stand-in"]


def _collector_after(command: str, before: str = "") -> list[str]:
    one = ROOT / "examples" / "worksheets" / "thought-record.yaml"
    args = [command, str(one)] if command == "validate" else [command]
    code = (
        f"import gc, sys\n{before}\nfrom worksheetkit.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print('\\n' + str(gc.isenabled()) + ',' + str(gc.get_freeze_count()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1].split(",")


def test_the_command_line_freezes_what_start_up_and_the_command_made() -> None:
    """The collector is paused while the command line starts (imports only), then what was
    imported is frozen (never scanned again) and the collector runs as before; what is left
    at the end is frozen too, so the interpreter's last collections need not scan it."""
    for command in ("validate", "--version"):
        enabled, frozen = _collector_after(command)
        assert enabled == "True", command
        assert int(frozen) > 10_000, command  # the modules' objects, not a handful


def test_validating_one_file_runs_no_collection() -> None:
    """Start-up, the validator's imports and the run happen with the collector paused, and
    what they made is frozen before it resumes: validating one file ran 38 collections
    (6 ms), then one after the run that scanned all it had made (5–7 ms). What is made after
    it (the report) stays below the collector's first threshold (700 objects)."""
    one = ROOT / "examples" / "worksheets" / "thought-record.yaml"
    code = (
        "import gc\nfrom worksheetkit.cli import main\n"
        "runs = []\ngc.callbacks.append(lambda phase, info: runs.append(phase))\n"
        f"try:\n    main(['validate', {str(one)!r}])\nexcept SystemExit:\n    pass\n"
        "print('\\n' + str(runs.count('start')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout.strip().splitlines()[-1]) == 0


def test_the_command_line_leaves_a_paused_collector_paused() -> None:
    enabled, _ = _collector_after("validate", before="gc.disable()")
    assert enabled == "False"


def test_a_users_plugin_setting_keeps_the_real_plugin_loader() -> None:
    env = {**os.environ, "PYDANTIC_DISABLE_PLUGINS": "some_plugin"}
    lines = _validate_one_and_list((), env).strip().splitlines()
    assert lines[-1] == "real loader"


def test_no_model_field_uses_a_builtin_default_factory() -> None:
    """pydantic asks a builtin factory (``list``) for its signature by tokenizing its text
    signature, compiling the tokenizer's regular expression on first use (6 ms of validating
    one file): the models use the Python functions of model/base.py instead."""
    from pydantic import BaseModel

    from worksheetkit import model

    seen = 0
    for name in model.__all__:
        cls = getattr(model, name)
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            continue
        for field_name, field in cls.model_fields.items():
            factory = field.default_factory
            if factory is not None:
                seen += 1
                assert factory not in (list, dict, set, tuple), (name, field_name)
    assert seen >= 15


def test_fhir_import_loads_no_renderer(tmp_path: Path) -> None:
    """`worksheetkit fhir import` needs the YAML writer alone: the rendering package gives its
    names out on first use, so Jinja2, markdown-it and the form views are not imported."""
    import json

    from worksheetkit.fhir import to_fhir

    q = tmp_path / "q.json"
    phq9 = worksheetkit.loads((ROOT / "examples" / "instruments" / "phq-9.yaml").read_text())
    q.write_text(json.dumps(to_fhir(phq9)), encoding="utf-8")
    out_file = tmp_path / "out.yaml"
    code = (
        "import sys\nfrom worksheetkit.cli import main\n"
        f"try:\n    main(['fhir', 'import', {str(q)!r}, '-o', {str(out_file)!r}])\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('jinja2', 'markdown_it', 'worksheetkit.rendering._render')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert out_file.read_text(encoding="utf-8").startswith("worksheetkit: 1\n")


def test_every_rendering_name_is_still_importable() -> None:
    from worksheetkit import rendering

    for name in [*rendering.__all__, "FORMATS", "problems_from", "canonical_json"]:
        assert getattr(rendering, name) is not None, name
    assert sorted(dir(rendering)) == dir(rendering)
    with pytest.raises(AttributeError):
        _ = rendering.no_such_name


def test_models_are_built_when_first_used() -> None:
    """Importing the models builds no validator (pydantic's defer_build): a command pays only
    for the models it uses."""
    code = (
        "from worksheetkit import model\n"
        "before = [m.__name__ for m in (model.Worksheet, model.Pack, model.Response)"
        " if m.__pydantic_complete__]\n"
        "model.Worksheet.model_validate({'worksheetkit': 1, 'kind': 'worksheet', 'id': 'a.b',"
        " 'version': '1.0.0', 'title': 'T', 'items': [{'id': 'q', 'type': 'text',"
        " 'label': 'Q'}]})\n"
        "print(before, model.Worksheet.__pydantic_complete__, model.Pack.__pydantic_complete__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "True", "False"]


def test_version_is_printed() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "worksheetkit", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert worksheetkit.__version__ in out.stdout


ROOT = Path(__file__).resolve().parent.parent


def test_the_version_is_written_in_one_place() -> None:
    # pyproject.toml takes it from _version.py (hatch); the docs that show it (the pre-commit
    # `rev:` to copy, the output of --version) must name that same version.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/worksheetkit/_version.py"
    shown = re.compile(r"rev: v(\d+\.\d+\.\d+)|worksheetkit, version (\d+\.\d+\.\d+)")
    files = [ROOT / ".pre-commit-hooks.yaml", ROOT / "README.md", *sorted(ROOT.glob("docs/*.md"))]
    found = [
        (f.name, m.group(1) or m.group(2))
        for f in files
        for m in shown.finditer(f.read_text(encoding="utf-8"))
    ]
    # The pattern still finds the hooks file, lint.md, ci.md and getting-started.md.
    assert len(found) >= 4
    assert [(name, v) for name, v in found if v != worksheetkit.__version__] == []


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


def test_the_command_line_turns_pydantic_plugins_off_unless_told_otherwise() -> None:
    code = (
        "import os\nfrom worksheetkit.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(os.environ.get('PYDANTIC_DISABLE_PLUGINS'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip().splitlines()[-1] == "__all__"
    env["PYDANTIC_DISABLE_PLUGINS"] = "some_plugin"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip().splitlines()[-1] == "some_plugin"


def test_the_command_line_freezes_nothing_in_a_process_not_its_own(tmp_path: Path) -> None:
    """An application or a test runner calling the command line in-process keeps its objects
    collectable: every command that pauses the collector freezes only when the process is the
    command's own (cli._common.freeze_if_own). Found when a test run of the whole suite ended
    with 1.4 million objects frozen by in-process `validate` and `fhir import` runs."""
    import gc

    from click.testing import CliRunner

    from worksheetkit.cli import cli, main

    one = ROOT / "examples" / "worksheets" / "thought-record.yaml"
    fhir = ROOT / "tests" / "fixtures" / "fhir" / "questionnaire-sdc-profile-example-PHQ9.json"
    runs = [
        ["validate", str(one)],
        ["render", "--to", "html", str(one), "-o", str(tmp_path / "one.html")],
        ["fhir", "import", str(fhir), "-o", str(tmp_path / "one.yaml")],
    ]
    frozen = gc.get_freeze_count()
    for args in runs:
        CliRunner().invoke(cli, args)
        assert gc.get_freeze_count() == frozen, args[0]
        assert gc.isenabled(), args[0]
    with pytest.raises(SystemExit):
        main(["validate", str(one)])
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()

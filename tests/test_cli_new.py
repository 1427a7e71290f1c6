"""`worksheetkit new`: scaffolds that validate, from blank or from a template of the pack."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from worksheetkit import load, validate
from worksheetkit.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    root.mkdir()
    (root / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: t.pack\nname: T\nversion: 1.0.0\n", encoding="utf-8"
    )
    shutil.copy(EXAMPLES / "worksheets" / "thought-record.yaml", root / "thought-record.yaml")
    return root


def test_blank_worksheet_validates(pack: Path) -> None:
    result = CliRunner().invoke(cli, ["new", "clinic.worry-log", "--pack", str(pack)])
    assert result.exit_code == 0, result.output
    created = pack / "worksheets" / "worry-log.yaml"
    assert created.is_file()
    assert [d for d in validate(pack) if d.severity == "error"] == []
    ws = load(created)
    assert ws.id == "clinic.worry-log"
    assert ws.rationale
    assert ws.estimated_minutes
    assert ws.default_schedule


def test_from_template_extends_it(pack: Path) -> None:
    result = CliRunner().invoke(
        cli, ["new", "clinic.tr", "--from", "cbt.thought-record@1", "--pack", str(pack)]
    )
    assert result.exit_code == 0, result.output
    ws = load(pack / "worksheets" / "tr.yaml")
    assert ws.derived_from == "cbt.thought-record@1.0.0"
    assert [getattr(i, "id", None) for i in ws.items][1] == "situation"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["new", "Not An Id"], "not a worksheet id"),
        (["new", "clinic.x", "--from", "cbt.thought-recrd"], "did you mean 'cbt.thought-record'"),
        (["new", "cbt.thought-record"], "already has a worksheet"),
    ],
)
def test_mistakes_are_usage_errors(pack: Path, args: list[str], needle: str) -> None:
    result = CliRunner().invoke(cli, [*args, "--pack", str(pack)])
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output


def test_never_overwrites(pack: Path) -> None:
    target = pack / "mine.yaml"
    target.write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, ["new", "clinic.mine", "--pack", str(pack), "-o", str(target)])
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == "keep me"

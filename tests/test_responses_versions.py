"""Versioning: a response recorded against version 1 is checked and rendered against version 1
when version 2 is in the pack; check-response picks the recorded version from the pack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import worksheetkit as wk
from worksheetkit.cli import cli
from worksheetkit.responses import check_response, validate_response

V1 = """\
worksheetkit: 1
id: mood.check
version: 1.0.0
title: Mood check
items:
  - {id: mood, type: rating, min: 0, max: 10, label: Mood, required: true}
  - {id: note, type: text, label: Anything else?}
scores:
  - {id: mood_score, label: Mood, formula: "mood"}
"""
V2 = """\
worksheetkit: 1
id: mood.check
version: 2.0.0
title: Mood check
items:
  - {id: mood, type: rating, min: 1, max: 5, label: Mood, required: true}
  - {id: sleep, type: number, min: 0, max: 24, label: Hours slept, required: true}
scores:
  - {id: mood_score, label: Mood, formula: "mood"}
"""


def _response(version: str, answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "worksheetkit": 1,
        "kind": "response",
        "id": "r-1",
        "worksheet": "mood.check",
        "version": version,
        "submitted_at": "2026-12-01T20:21:00+00:00",
        "answers": answers,
    }


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    (tmp_path / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: t.pack\nname: Test\nversion: 1.0.0\n", encoding="utf-8"
    )
    (tmp_path / "mood-v1.yaml").write_text(V1, encoding="utf-8")
    (tmp_path / "mood-v2.yaml").write_text(V2, encoding="utf-8")
    return tmp_path


OLD_ANSWERS = {"mood": 8, "note": "fine"}


def test_version_1_response_validates_against_version_1_in_the_pack(pack: Path) -> None:
    loaded = wk.load_pack(pack)
    v1 = loaded.worksheet("mood.check@1")
    v2 = loaded.worksheet("mood.check")
    assert (v1.version, v2.version) == ("1.0.0", "2.0.0")
    data = _response("1.0.0", OLD_ANSWERS)
    assert validate_response(v1, data) == []
    against_v2 = {d.code for d in validate_response(v2, data) if d.severity == "error"}
    assert against_v2 == {"WK410", "WK403", "WK408", "WK402"}
    assert check_response(v1, data).scores["mood_score"].value == 8


def test_version_1_response_renders_against_version_1(pack: Path) -> None:
    rendering = pytest.importorskip("worksheetkit.rendering")
    v1 = wk.load_pack(pack).worksheet("mood.check@1")
    html = rendering.render(v1, to="html")
    assert "Anything else?" in html
    assert "Hours slept" not in html


def test_stored_response_inside_the_pack_is_checked_against_its_version(pack: Path) -> None:
    (pack / "response.json").write_text(
        json.dumps(_response("1.0.0", OLD_ANSWERS)), encoding="utf-8"
    )
    assert wk.validate(pack) == []
    bad = _response("1.0.0", {"mood": 11})
    (pack / "response.json").write_text(json.dumps(bad, indent=1), encoding="utf-8")
    diags = wk.validate(pack)
    assert [(d.code, d.json_pointer) for d in diags] == [("WK403", "/answers/mood")]
    assert diags[0].file is not None
    assert diags[0].file.endswith("response.json")
    assert diags[0].line is not None
    assert diags[0].line > 1


def test_check_response_cli_uses_the_recorded_version_from_the_pack(pack: Path) -> None:
    path = pack / "stored.json"
    path.write_text(json.dumps(_response("1.0.0", OLD_ANSWERS)), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "check-response",
            str(pack / "mood-v2.yaml"),
            str(path),
            "--format",
            "json",
            "--pack",
            str(pack),
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["valid"] is True
    assert payload["scores"]["mood_score"]["value"] == 8
    # Without the pack (a copy of v2 elsewhere), the response is checked against v2 and fails.
    lonely = pack.parent / "lonely"
    lonely.mkdir()
    (lonely / "mood.yaml").write_text(V2, encoding="utf-8")
    result = runner.invoke(
        cli, ["check-response", str(lonely / "mood.yaml"), str(path), "--format", "json"]
    )
    assert result.exit_code == 1
    assert "WK410" in {d["code"] for d in json.loads(result.output)["diagnostics"]}

"""``worksheetkit check-response``: output keys (DESIGN §6), exit codes, locations, no leaks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from worksheetkit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
PHQ9 = ROOT / "examples" / "instruments" / "phq-9.yaml"
SAMPLE = ROOT / "examples" / "responses" / "phq-9-moderately-severe-item9.json"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check-response", *args])
    return result.exit_code, result.output


def test_json_output_has_exactly_the_design_keys() -> None:
    code, out = run(str(PHQ9), str(SAMPLE), "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert list(payload) == ["valid", "fraction", "diagnostics", "scores"]
    assert payload["valid"] is True
    assert payload["fraction"] == 1.0
    assert payload["diagnostics"] == []
    # The DESIGN §6 keys first, then the rest of ScoreResult.to_dict() (nothing dropped).
    assert list(payload["scores"]["total"])[:3] == ["value", "band", "alerts"]
    assert payload["scores"] == {
        "total": {
            "value": 17,
            "band": "Moderately severe",
            "alerts": [
                {
                    "severity": "urgent",
                    "message": "Item 9 endorsed: review risk before the next session.",
                }
            ],
            "id": "total",
            "label": "PHQ-9 total",
            "missing": 0,
            "prorated": False,
            "band_severity": None,
        }
    }
    assert run(str(PHQ9), str(SAMPLE), "--format", "json")[1] == out  # deterministic


def test_invalid_response_exits_1_with_located_diagnostics(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"worksheetkit": 1, "kind": "response", "worksheet": "instruments.phq-9",\n'
        ' "submitted_at": "2026-12-01T09:00:00+00:00",\n'
        ' "answers": {"q1": "PRIVATE-WORDS", "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1,\n'
        '             "q7": 1, "q8": 1, "q9": 0}}\n',
        encoding="utf-8",
    )
    code, out = run(str(PHQ9), str(bad))
    assert code == 1
    assert f"{bad}:3:20: error WK405" in out
    assert "PRIVATE-WORDS" not in out
    assert "score total: 8 (Mild, prorated, 1 missing)" in out
    code, out = run(str(PHQ9), str(bad), "--format", "json")
    payload = json.loads(out)
    assert payload["valid"] is False
    assert payload["diagnostics"][0]["json_pointer"] == "/answers/q1"
    assert (payload["diagnostics"][0]["line"], payload["diagnostics"][0]["column"]) == (3, 20)


@pytest.mark.parametrize(
    "text",
    ["{not json", "[" * 100_000, '{"worksheetkit": 1, "answers": {"q1": NaN}}', "\xff"],
)
def test_unreadable_or_hostile_files_are_invalid_not_crashes(tmp_path: Path, text: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(text.encode("latin-1") if text == "\xff" else text.encode("utf-8"))
    code, out = run(str(PHQ9), str(bad), "--format", "json")
    assert code == 1
    assert json.loads(out)["valid"] is False


def test_io_and_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(str(PHQ9), str(tmp_path / "missing.json"))[0] == 2
    assert run(str(tmp_path / "missing.yaml"), str(SAMPLE))[0] == 2
    pathway = ROOT / "examples" / "pathways"
    first = sorted(pathway.glob("*.yaml"))[0]
    assert run(str(first), str(SAMPLE))[0] == 2
    assert run(str(PHQ9))[0] == 2

"""``worksheetkit fhir …`` on the command line: outputs, warnings on stderr, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from worksheetkit import validate
from worksheetkit.cli import cli

HERE = Path(__file__).resolve().parent
EXTRA = HERE / "fixtures_fhir_extra" / "pack"
# A copy of ../shared/fixtures/fhir (CC0), kept in the repository so the tests need nothing else.
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fhir"
LINE = re.compile(
    r"^(?P<file>[^\n]+):(?P<line>\d+):(?P<col>\d+): (warning|error) (?P<code>WK\d{3}) "
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_export_writes_json_and_located_warnings(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "q.json"
    source = EXTRA / "everything.yaml"
    result = runner.invoke(cli, ["fhir", "export", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    resource = json.loads(out.read_text(encoding="utf-8"))
    assert resource["resourceType"] == "Questionnaire"
    warnings = [LINE.match(line) for line in result.stderr.splitlines() if "WK7" in line]
    assert all(warnings)
    ranking = next(m for m in warnings if m and m["code"] == "WK703")
    line = source.read_text(encoding="utf-8").splitlines()[int(ranking["line"]) - 1]
    assert "id: priorities" in line


def test_export_to_stdout_and_strict(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["fhir", "export", str(EXTRA / "everything.yaml")])
    assert json.loads(result.stdout)["id"] == "fhir.every-type"
    strict = runner.invoke(cli, ["fhir", "export", "--strict", str(EXTRA / "everything.yaml")])
    assert strict.exit_code == 1


def test_export_base_url(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["fhir", "export", "--base-url", "https://c.example", str(EXTRA / "short.yaml")]
    )
    assert result.exit_code == 0, result.output
    resource = json.loads(result.stdout)
    assert resource["url"] == "https://c.example/Questionnaire/fhir.short"
    assert resource["derivedFrom"] == ["https://c.example/Questionnaire/fhir.every-type|1.2.0"]


def test_export_of_an_invalid_worksheet_fails(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("worksheetkit: 1\nid: x\nversion: 1.0.0\nitems: []\n", encoding="utf-8")
    result = runner.invoke(cli, ["fhir", "export", str(bad)])
    assert result.exit_code == 1
    assert "error WK" in result.stderr
    assert result.stdout == ""


def test_import_writes_valid_yaml(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "phq9.yaml"
    source = FIXTURES / "questionnaire-sdc-profile-example-PHQ9.json"
    result = runner.invoke(cli, ["fhir", "import", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert validate(out) == []
    first = next(m for m in map(LINE.match, result.stderr.splitlines()) if m)
    assert first["file"] == str(source)
    rename = next(
        line for line in result.stderr.splitlines() if "WK711" in line and "H1/T1/Q1" in line
    )
    match = LINE.match(rename)
    assert match is not None
    text = source.read_text(encoding="utf-8").splitlines()[int(match["line"]) - 1]
    assert '"H1/T1/Q1"' in text


def test_import_reports_value_sets_at_their_line(runner: CliRunner) -> None:
    source = FIXTURES / "questionnaire-sdc-test-all-data-types.json"
    result = runner.invoke(cli, ["fhir", "import", str(source)])
    assert result.exit_code == 0
    assert result.stdout.startswith("worksheetkit: 1\n")
    lines = [m for m in map(LINE.match, result.stderr.splitlines()) if m and m["code"] == "WK712"]
    assert len(lines) == 4
    text = source.read_text(encoding="utf-8").splitlines()
    assert all('"answerValueSet"' in text[int(m["line"]) - 1] for m in lines)
    assert runner.invoke(cli, ["fhir", "import", "--strict", str(source)]).exit_code == 1


def test_import_of_something_else_is_a_problem(runner: CliRunner, tmp_path: Path) -> None:
    qr = FIXTURES / "questionnaireresponse-sdc-profile-example-PHQ9.json"
    result = runner.invoke(cli, ["fhir", "import", str(qr)])
    assert result.exit_code == 1
    assert "error WK710" in result.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"resourceType": "Questionnaire",\n  "item": [}', encoding="utf-8")
    result = runner.invoke(cli, ["fhir", "import", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:2:" in result.stderr


def test_missing_files_are_usage_errors(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["fhir", "import", str(tmp_path / "nope.json")]).exit_code == 2
    assert runner.invoke(cli, ["fhir", "export", str(tmp_path / "nope.yaml")]).exit_code == 2
    assert runner.invoke(cli, ["fhir"]).exit_code in (0, 2)  # help
    assert runner.invoke(cli, ["fhir", "export"]).exit_code == 2


def test_export_response_and_back(runner: CliRunner, tmp_path: Path) -> None:
    response = tmp_path / "r.json"
    response.write_text(
        json.dumps(
            {
                "worksheetkit": 1,
                "kind": "response",
                "worksheet": "fhir.every_type",
                "version": "1.2.0",
                "submitted_at": "2026-12-01T20:21:00+00:00",
                "answers": {"situation": "At home", "hours": 7, "mood": "calm", "interest": 2},
            }
        ),
        encoding="utf-8",
    )
    worksheet = str(EXTRA / "everything.yaml")
    result = runner.invoke(cli, ["fhir", "export-response", worksheet, str(response)])
    assert result.exit_code == 0, result.output
    qr = json.loads(result.stdout)
    assert qr["resourceType"] == "QuestionnaireResponse"
    assert qr["questionnaire"].endswith("/Questionnaire/fhir.every-type|1.2.0")
    qr_file = tmp_path / "qr.json"
    qr_file.write_text(result.stdout, encoding="utf-8")
    back = runner.invoke(cli, ["fhir", "import-response", worksheet, str(qr_file)])
    assert back.exit_code == 0, back.output
    assert json.loads(back.stdout)["answers"] == {
        "situation": "At home",
        "hours": 7,
        "mood": "calm",
        "interest": 2,
    }


def test_export_response_rejects_invalid_responses(runner: CliRunner, tmp_path: Path) -> None:
    response = tmp_path / "r.json"
    response.write_text(
        json.dumps(
            {
                "worksheetkit": 1,
                "kind": "response",
                "worksheet": "fhir.every_type",
                "answers": {"hours": "many"},
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(
        cli, ["fhir", "export-response", str(EXTRA / "everything.yaml"), str(response)]
    )
    assert result.exit_code == 1
    assert "many" not in result.stderr  # answers are health data: never echoed
    assert result.stdout == ""


def test_import_turns_the_collector_back_on(runner: CliRunner, tmp_path: Path) -> None:
    """`fhir import` runs with the cyclic collector off (cmd_fhir.import_cmd): it is on again
    after the command, whether the import worked or the file was refused; and in a process
    that is not the command's own (this test runner) nothing is frozen."""
    import gc

    source = FIXTURES / "questionnaire-sdc-profile-example-PHQ9.json"
    out = tmp_path / "out.yaml"
    frozen = gc.get_freeze_count()
    for args in ([str(source), "-o", str(out)], [str(tmp_path / "none.json")]):
        assert gc.isenabled()
        runner.invoke(cli, ["fhir", "import", *args])
        assert gc.isenabled(), args
        assert gc.get_freeze_count() == frozen, args
    assert out.read_text(encoding="utf-8").startswith("worksheetkit: 1")

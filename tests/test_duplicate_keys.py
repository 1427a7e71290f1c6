"""Duplicate JSON keys are refused wherever JSON is read, naming both positions (issue 13 §3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from worksheetkit import validate
from worksheetkit.cli import cli
from worksheetkit.loading.strictjson import JSONProblem, find_duplicate, loads
from worksheetkit.progress._reading import iter_jsonl

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PHQ9 = EXAMPLES / "instruments" / "phq-9.yaml"
BASE = (EXAMPLES / "responses" / "phq-9-moderately-severe-item9.json").read_text()
# "q9": 3 written first, then "q9": 0 — last-wins readers would hide the endorsed item 9.
DUPLICATED = BASE.replace('"q9": 1,', '"q9": 3, "q9": 0,')


def test_the_reader_names_both_positions_and_the_path() -> None:
    with pytest.raises(JSONProblem) as exc:
        loads(DUPLICATED)
    problem = exc.value
    line = DUPLICATED.splitlines().index(next(x for x in DUPLICATED.splitlines() if '"q9"' in x))
    assert problem.reason == "duplicate"
    assert problem.path == ("answers", "q9")
    assert problem.first == (line + 1, 5)
    assert (problem.line, problem.column) == (line + 1, 14)
    assert "line" in problem.message
    assert "column 5" in problem.message


def test_escaped_spellings_are_the_same_key() -> None:
    with pytest.raises(JSONProblem) as exc:
        loads('{"answers": {"q\\u0039": 3, "q9": 0}}')
    assert exc.value.path == ("answers", "q9")


def test_a_key_that_is_not_a_plain_name_is_named_by_position() -> None:
    with pytest.raises(JSONProblem) as exc:
        loads('{"a": [{"x": 1, "my secret\\n": 2, "my secret\\n": 3}]}')
    assert exc.value.path == ("a", 0, "#3")
    assert "secret" not in exc.value.message


def test_nan_depth_and_huge_numbers_keep_their_policies() -> None:
    for text, reason in (("[NaN]", "constant"), ("[" * 100 + "]" * 100, "depth"),
                         ("1" + "0" * 5000, "number")):  # fmt: skip
        with pytest.raises(JSONProblem) as exc:
            loads(text)
        assert exc.value.reason == reason
    assert loads("1" + "0" * 5000, big_ints_as_text=True) == "1" + "0" * 5000


def test_the_scan_is_linear_in_the_text() -> None:
    # 20,000 distinct keys then one repeat: one pass, every key visited once.
    text = "{" + ", ".join(f'"k{i}": {i}' for i in range(20_000)) + ', "k7": 0}'
    found = find_duplicate(text)
    assert found is not None
    assert found[2] == ("k7",)


def test_check_response_refuses_a_duplicate(tmp_path: Path) -> None:
    response = tmp_path / "r.json"
    response.write_text(DUPLICATED)
    result = CliRunner().invoke(cli, ["check-response", str(PHQ9), str(response),
                                      "--format", "json"])  # fmt: skip
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False
    [d] = report["diagnostics"]
    assert d["code"] == "WK411"
    assert d["json_pointer"] == "/answers/q9"
    assert "column 5" in d["message"]
    assert "column 14" in d["message"]
    assert report["scores"] == {}  # nothing is scored from a response readers disagree on


def test_validate_refuses_a_duplicate_in_a_pack_response(tmp_path: Path) -> None:
    # .json documents are read by the YAML reader, whose WK004 covers JSON flow mappings too.
    response = tmp_path / "r.json"
    response.write_text(DUPLICATED)
    [d] = validate(response)
    assert d.code == "WK004"
    assert "'q9'" in d.message
    line = DUPLICATED.splitlines().index(next(x for x in DUPLICATED.splitlines() if '"q9"' in x))
    assert f"line {line + 1}, column 5; again at line {line + 1}, column 14" in d.message


def test_the_yaml_reader_never_quotes_a_duplicate_key_that_is_not_a_plain_name(
    tmp_path: Path,
) -> None:
    forged = "x\\nFORGEDLOG: error WK000 " + "A" * 300
    response = tmp_path / "r.json"
    response.write_text(BASE.replace('"q9": 1,', f'"{forged}": 3, "{forged}": 0,'))
    diagnostics = validate(response)
    assert "WK004" in {d.code for d in diagnostics}
    assert all("FORGEDLOG" not in d.message for d in diagnostics)


def test_a_stream_line_with_a_duplicate_is_located(tmp_path: Path) -> None:
    stream = tmp_path / "s.jsonl"
    stream.write_text(json.dumps({"a": 1}) + "\n" + '{"answers": {"q9": 3, "q9": 0}}\n')
    [(_, first), (number, second)] = list(iter_jsonl(stream))
    assert first == {"a": 1}
    assert number == 2
    assert second.code == "WK701"
    assert second.json_pointer == "/answers/q9"
    assert second.column == 23
    assert "column 14" in second.message


@pytest.mark.parametrize("command", ["import", "import-response"])
def test_fhir_imports_refuse_a_duplicate(tmp_path: Path, command: str) -> None:
    resource = tmp_path / "q.json"
    resource.write_text('{"resourceType": "Questionnaire", "status": "draft", "status": "active"}')
    args = ["fhir", command, str(resource)] if command == "import" else [
        "fhir", command, str(PHQ9), str(resource)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "WK710" in result.output
    assert "'status' appears twice" in result.output
    assert "column 35" in result.output
    assert "column 54" in result.output


def test_diff_does_not_guess_at_a_duplicate(tmp_path: Path) -> None:
    stream = tmp_path / "s.jsonl"
    stream.write_text(DUPLICATED.replace("\n", " ") + "\n")
    result = CliRunner().invoke(cli, ["diff", str(PHQ9), str(PHQ9), "--responses", str(stream),
                                      "--format", "json"])  # fmt: skip
    assert json.loads(result.output)["unreadable_lines"] == [1]

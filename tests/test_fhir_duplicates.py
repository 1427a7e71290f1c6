"""FHIR imports that could hide an answer or use unbounded memory: a linkId answered twice
(WK744), and JSON over 10 MB (WK721, refused before parsing)."""

from __future__ import annotations

import copy
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from worksheetkit import Worksheet, WorksheetError
from worksheetkit.cli import cli
from worksheetkit.fhir import from_fhir, import_questionnaire, import_response, response_from_fhir
from worksheetkit.fhir.importer import MAX_FHIR_BYTES

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fhir"
QUESTIONNAIRE = FIXTURES / "questionnaire-sdc-profile-example-PHQ9.json"
RESPONSE = FIXTURES / "questionnaireresponse-sdc-profile-example-PHQ9.json"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def phq9() -> Worksheet:
    return from_fhir(_load(QUESTIONNAIRE))


def _item9(qr: dict[str, Any]) -> dict[str, Any]:
    group = qr["item"][0]["item"]
    found: dict[str, Any] = next(i for i in group if i["linkId"] == "H1/T1/Q9")
    return found


def _answered(item: dict[str, Any], code: str, display: str) -> dict[str, Any]:
    again = copy.deepcopy(item)
    again["answer"] = [{"valueCoding": {"code": code, "display": display}}]
    return again


def _with_second_item9(code: str, display: str, *, nested: bool) -> dict[str, Any]:
    """The PHQ-9 response with item 9 answered a second time: in the same group, or in a
    second copy of the group (``nested``)."""
    qr = _load(RESPONSE)
    second = _answered(_item9(qr), code, display)
    if nested:
        group = {"linkId": "H1/T1", "item": [second]}
        qr["item"].append(group)
    else:
        qr["item"][0]["item"].append(second)
    return qr


def test_the_fixture_answers_item9_once(phq9: Worksheet) -> None:
    # The baseline the attack changes: item 9 is answered 1 ("Several days").
    result = import_response(_load(RESPONSE), phq9)
    assert result.response["answers"]["h1_t1_q9"] == 1
    assert "WK744" not in {d.code for d in result.diagnostics}


@pytest.mark.parametrize("nested", [False, True])
def test_item9_answered_twice_differently_is_an_error(phq9: Worksheet, nested: bool) -> None:
    qr = _with_second_item9("Nearly-every-day", "Nearly every day", nested=nested)
    result = import_response(qr, phq9)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert [d.code for d in errors] == ["WK744"]
    expected = (
        "$.item[1].item[0]" if nested else f"$.item[0].item[{len(qr['item'][0]['item']) - 1}]"
    )
    assert errors[0].json_path == expected  # the second occurrence
    assert "H1/T1/Q9" in errors[0].message
    assert "h1_t1_q9" in errors[0].message
    for leaked in ("Nearly", "Several", "3", "1 "):  # never the answers
        assert leaked not in errors[0].message
    assert result.response == {}  # nothing to write: no answer was picked
    with pytest.raises(WorksheetError) as raised:
        response_from_fhir(qr, phq9)
    assert [d.code for d in raised.value.diagnostics if d.severity == "error"] == ["WK744"]


def test_an_unanswered_second_copy_still_conflicts(phq9: Worksheet) -> None:
    qr = _load(RESPONSE)
    empty = copy.deepcopy(_item9(qr))
    del empty["answer"]
    qr["item"][0]["item"].insert(0, empty)  # first an empty item 9, then the answered one
    result = import_response(qr, phq9)
    assert [d.code for d in result.diagnostics if d.severity == "error"] == ["WK744"]


def test_item9_answered_twice_the_same_is_a_warning(phq9: Worksheet) -> None:
    qr = _with_second_item9("Several-days", "Several days", nested=True)
    result = import_response(qr, phq9)
    twice = [d for d in result.diagnostics if d.code == "WK744"]
    assert [d.severity for d in twice] == ["warning"]
    assert result.response["answers"]["h1_t1_q9"] == 1


def test_repeated_groups_of_a_table_are_rows_not_duplicates(tmp_path: Path) -> None:
    from worksheetkit import loads

    ws = loads(
        "worksheetkit: 1\nkind: worksheet\nid: t.rows\ntitle: Rows\nversion: 1.0.0\nitems:\n"
        "  - {id: log, type: table, label: Log, columns: [{id: what, type: text, label: What}]}\n"
    )
    assert isinstance(ws, Worksheet)

    def row(*answers: str) -> dict[str, Any]:
        cells = [{"linkId": "log.what", "answer": [{"valueString": a}]} for a in answers]
        return {"linkId": "log", "item": cells}

    qr = {"resourceType": "QuestionnaireResponse", "item": [row("a"), row("b")]}
    result = import_response(qr, ws)
    assert result.response["answers"] == {"log": [{"what": "a"}, {"what": "b"}]}
    assert "WK744" not in {d.code for d in result.diagnostics}
    clash = {"resourceType": "QuestionnaireResponse", "item": [row("a", "b")]}
    result = import_response(clash, ws)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert [(d.code, d.json_path) for d in errors] == [("WK744", "$.item[0].item[1]")]
    assert result.response == {}


def test_cli_refuses_a_conflicting_response_and_writes_nothing(tmp_path: Path) -> None:
    worksheet = tmp_path / "phq9.yaml"
    runner = CliRunner()
    made = runner.invoke(cli, ["fhir", "import", str(QUESTIONNAIRE), "-o", str(worksheet)])
    assert made.exit_code == 0, made.output
    qr = tmp_path / "qr.json"
    qr.write_text(json.dumps(_with_second_item9("Not-at-all", "Not at all", nested=True)))
    out = tmp_path / "out.json"
    result = runner.invoke(
        cli, ["fhir", "import-response", str(worksheet), str(qr), "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "error WK744" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


# -- JSON over 10 MB ---------------------------------------------------------------------------


def _padded(resource: dict[str, Any], size: int) -> str:
    """``resource`` as JSON of at least ``size`` bytes (padding in an ignored string)."""
    text = json.dumps(resource)
    return text[:-1] + ', "_pad": "' + "x" * (size - len(text)) + '"}'


def test_library_refuses_big_json_before_parsing(phq9: Worksheet, tmp_path: Path) -> None:
    big = _padded(_load(QUESTIONNAIRE), MAX_FHIR_BYTES + 1)
    for source in (big, big.encode(), _write(tmp_path / "q.json", big)):
        result = import_questionnaire(source)
        assert result.worksheet is None
        assert [d.code for d in result.diagnostics] == ["WK721"]
    response = _padded(_load(RESPONSE), MAX_FHIR_BYTES + 1)
    imported = import_response(response, phq9)
    assert [d.code for d in imported.diagnostics] == ["WK721"]
    assert imported.response == {}
    imported = import_response(_load(RESPONSE), phq9, questionnaire=big)
    assert [d.code for d in imported.diagnostics] == ["WK721"]
    # Just under the limit is read (padding is an unknown field, not a refusal).
    ok = import_questionnaire(_padded(_load(QUESTIONNAIRE), MAX_FHIR_BYTES - 100))
    assert "WK721" not in {d.code for d in ok.diagnostics}
    assert ok.worksheet is not None
    # JSON text and files are parsed strictly too.
    assert [d.code for d in import_questionnaire("{not json").diagnostics] == ["WK710"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_40mb_file_costs_little_memory(phq9: Worksheet, tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("w", encoding="utf-8") as f:
        f.write('{"resourceType": "QuestionnaireResponse", "item": [')
        chunk = ", ".join(['{"linkId": "H1/T1/Q1", "answer": [{"valueInteger": 1}]}'] * 1000)
        written = 0
        while written < 40 * 1024 * 1024:
            f.write(chunk + ", ")
            written += len(chunk) + 2
        f.write("{}]}")
    tracemalloc.start()
    try:
        result = import_response(path, phq9)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [d.code for d in result.diagnostics] == ["WK721"]
    assert peak < 2 * 1024 * 1024  # not even the 10 MB it may read: the size is checked first
    runner = CliRunner()
    worksheet = tmp_path / "phq9.yaml"
    assert (
        runner.invoke(cli, ["fhir", "import", str(QUESTIONNAIRE), "-o", str(worksheet)]).exit_code
        == 0
    )
    out = tmp_path / "out.json"
    for args in (
        ["fhir", "import", str(path), "-o", str(out)],
        ["fhir", "import-response", str(worksheet), str(path), "-o", str(out)],
        ["fhir", "import-response", str(worksheet), str(RESPONSE), "--questionnaire", str(path)],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert f"{path}:1:1: error WK721" in result.stderr
        assert "Traceback" not in result.output
        assert not out.exists()

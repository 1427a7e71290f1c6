"""The per-worksheet JSON Schema agrees with validate_response on a corpus of responses.

tests/cases/responses/{valid,invalid}/*.json answer tests/cases/responses/worksheet.yaml; an
invalid file's name starts with the code it must produce. Both validators must call each file
valid or invalid alike. Rules the schema cannot state (show_if-dependent required questions,
calendar dates such as 30 February in date-times, duration bounds, steps that do not start at
a multiple of the step, NaN/Infinity, numbers beyond double range) are left out of the corpus
and listed in docs/responses.md.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

import worksheetkit as wk
from worksheetkit.cli import cli
from worksheetkit.model import Worksheet
from worksheetkit.responses import response_json_schema, validate_response

CASES = Path(__file__).resolve().parent / "cases" / "responses"
VALID = sorted((CASES / "valid").glob("*.json"))
INVALID = sorted((CASES / "invalid").glob("*.json"))


@pytest.fixture(scope="module")
def ws() -> Worksheet:
    doc = wk.load(CASES / "worksheet.yaml")
    assert isinstance(doc, Worksheet)
    return doc


@pytest.fixture(scope="module")
def validator(ws: Worksheet) -> Draft202012Validator:
    schema = response_json_schema(ws)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_corpus_is_large_enough() -> None:
    assert len(VALID) + len(INVALID) >= 40
    assert len(VALID) >= 15
    assert len(INVALID) >= 40


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_responses_pass_both(
    ws: Worksheet, validator: Draft202012Validator, path: Path
) -> None:
    data = _load(path)
    errors = [d for d in validate_response(ws, data) if d.severity == "error"]
    assert errors == []
    assert [e.message for e in validator.iter_errors(data)] == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_responses_fail_both(
    ws: Worksheet, validator: Draft202012Validator, path: Path
) -> None:
    data = _load(path)
    expected = path.stem.split("-")[0]
    errors = [d for d in validate_response(ws, data) if d.severity == "error"]
    assert [d.code for d in errors] == [expected]
    assert not validator.is_valid(data)


def test_schema_is_deterministic_and_published_by_the_cli(ws: Worksheet) -> None:
    assert json.dumps(response_json_schema(ws)) == json.dumps(response_json_schema(ws))
    result = CliRunner().invoke(cli, ["schema", "response", "--for", str(CASES / "worksheet.yaml")])
    assert result.exit_code == 0
    assert json.loads(result.output) == response_json_schema(ws)


@functools.cache  # load() of a file in a pack reads the whole pack: once per instrument
def _instrument(path: Path) -> Worksheet:
    ws = wk.load(path)
    assert isinstance(ws, Worksheet)
    return ws


def test_schema_for_the_instruments_accepts_the_samples() -> None:
    root = Path(__file__).resolve().parent.parent / "examples"
    for sample in sorted((root / "responses").glob("*.json")):
        data = _load(sample)
        name = "phq-9.yaml" if "phq" in sample.name else "gad-7.yaml"
        ws = _instrument(root / "instruments" / name)
        Draft202012Validator(response_json_schema(ws)).validate(data)


def test_schema_cli_on_a_broken_worksheet_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("worksheetkit: 1\nid: Bad Id\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["schema", "response", "--for", str(bad)])
    assert result.exit_code == 2

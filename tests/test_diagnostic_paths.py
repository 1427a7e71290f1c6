"""Structured diagnostic paths (issue 14 item 3): ``Diagnostic.path`` is a tuple of keys and
indexes; ``json_path`` (RFC 9535 quoting) and ``json_pointer`` (RFC 6901) render it; sorting
compares indexes as numbers; every output writes the same path whatever the document kind."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import worksheetkit as wk
from worksheetkit.errors import (
    Diagnostic,
    Problem,
    json_path,
    json_pointer,
    parse_path,
    sort_diagnostics,
)
from worksheetkit.fhir import import_questionnaire

ROOT = Path(__file__).resolve().parent.parent

# RFC 9535 (2.3.1 name selector, 2.3.3 index selector, 2.5.1.1 member-name shorthand), written
# here independently of the renderer: a path is `$` and segments, a quoted name escapes `'`,
# `\` and control characters.
_SEGMENT = (
    r"\.[A-Za-z_][A-Za-z0-9_]*"
    r"|\[(?:0|[1-9][0-9]*)\]"
    r"|\['(?:[^'\\\x00-\x1f]|\\[bfnrt'\\/]|\\u[0-9a-fA-F]{4})*'\]"
)
_JSONPATH = re.compile(rf"\$(?:{_SEGMENT})*")

_parts = st.lists(st.text(max_size=8) | st.integers(0, 10**6), max_size=6).map(tuple)


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


WORKSHEET = """\
worksheetkit: 1
kind: worksheet
id: demo.quotes
version: 1.0.0
title: Quotes
items:
  - id: q1
    type: text
    label: One
    {key}: 1
"""


def test_a_key_with_a_quote_renders_as_valid_jsonpath(tmp_path: Path) -> None:
    # Was `$.items[0]["it"s"]`: not JSONPath at all (the quote ends the name).
    path = _file(tmp_path, "w.yaml", WORKSHEET.format(key="'it\"s'"))
    (d,) = [d for d in wk.validate(path) if d.code == "WK103"]
    assert d.path == ("items", 0, 'it"s')
    assert d.json_path == "$.items[0]['it\"s']"
    assert _JSONPATH.fullmatch(d.json_path)
    assert d.json_pointer == '/items/0/it"s'
    assert parse_path(d.json_path) == d.path


@pytest.mark.parametrize(
    ("key", "rendered"),
    [
        ("a b", "['a b']"),
        ("it's", "['it\\'s']"),
        ("back\\slash", "['back\\\\slash']"),
        ("new\nline", "['new\\nline']"),
        ("bell\x07", "['bell\\u0007']"),
        ("2nd", "['2nd']"),
        ("ok_name", ".ok_name"),
    ],
)
def test_keys_that_are_not_names_are_quoted_and_escaped(key: str, rendered: str) -> None:
    text = json_path(("items", 3, key))
    assert text == "$.items[3]" + rendered
    assert _JSONPATH.fullmatch(text)
    assert parse_path(text) == ("items", 3, key)


def test_json_pointer_escapes_tilde_and_slash() -> None:
    assert json_pointer(()) == ""
    assert json_pointer(("a/b", "m~n", 0)) == "/a~1b/m~0n/0"
    assert parse_path("/a~1b/m~0n/0") == ("a/b", "m~n", 0)


@given(_parts)
def test_json_path_reads_back_to_the_same_tuple(parts: tuple[str | int, ...]) -> None:
    text = json_path(parts)
    assert _JSONPATH.fullmatch(text)
    assert parse_path(text) == parts


def test_fhir_diagnostics_sort_by_item_number() -> None:
    # Was: item[10] and item[11] sorted before item[2] (text order of "Questionnaire.item[1…").
    items = [{"linkId": f"Q {i}", "text": f"q{i}", "type": "string"} for i in range(12)]
    q = {"resourceType": "Questionnaire", "status": "active", "title": "T", "item": items}
    found = [d for d in import_questionnaire(q).diagnostics if d.code == "WK711"]
    assert [d.path for d in found] == [("item", i, "linkId") for i in range(12)]
    shuffled = list(reversed(found))
    assert sort_diagnostics(shuffled) == found


def test_sorting_compares_indexes_as_numbers_and_never_mixes_types() -> None:
    made = [Diagnostic("WK1", "m", path=p) for p in [("a", 10), ("a", 2), ("a", "x"), ("a",), ()]]
    assert [d.path for d in sort_diagnostics(made)] == [(), ("a",), ("a", 2), ("a", 10), ("a", "x")]


def test_text_paths_from_older_code_are_parsed_or_refused() -> None:
    assert Diagnostic("WK1", "m", path="$.items[0].label").path == ("items", 0, "label")  # type: ignore[arg-type]
    assert Diagnostic("WK1", "m", path="/answers/q1").path == ("answers", "q1")  # type: ignore[arg-type]
    assert Diagnostic("WK1", "m", path=["answers", 2]).path == ("answers", 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a JSONPath"):
        Diagnostic("WK1", "m", path="Questionnaire.item[3]")  # type: ignore[arg-type]
    # A YAML mapping key that is not text (rating anchors are numbers) is named by its text
    # as YAML writes it: reporting a problem never fails.
    assert Diagnostic("WK1", "m", path=("a", 1.5)).path == ("a", "1.5")  # type: ignore[arg-type]
    assert Diagnostic("WK1", "m", path=("a", True, None)).path == ("a", "true", "null")  # type: ignore[arg-type]


def test_to_dict_writes_the_list_and_both_renderings_and_reads_back() -> None:
    d = Diagnostic("WK405", "Out of range.", path=("answers", "t", 0, "a/b"))
    data = d.to_dict()
    assert (data["path"], data["json_path"], data["json_pointer"]) == (
        ["answers", "t", 0, "a/b"],
        "$.answers.t[0]['a/b']",
        "/answers/t/0/a~1b",
    )
    assert Diagnostic.from_dict(json.loads(d.to_json())) == d
    # The 0.x form (path as text) still reads.
    old = {k: v for k, v in data.items() if k not in ("json_path", "json_pointer")}
    assert Diagnostic.from_dict({**old, "path": "/answers/t/0/a~1b"}) == d


def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    (pack / "worksheets").mkdir(parents=True)
    (pack / "responses").mkdir()
    (pack / "worksheetkit.yaml").write_text("worksheetkit: 1\nkind: pack\nid: demo\n")
    source = ROOT / "examples" / "instruments" / "phq-9.yaml"
    (pack / "worksheets" / "phq-9.yaml").write_text(source.read_text(encoding="utf-8"))
    (pack / "worksheets" / "bad.yaml").write_text(WORKSHEET.format(key="lable"))
    ws = wk.load(source, kind=wk.Worksheet)
    response = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": f"{ws.id}@{ws.version}",
        "submitted_at": "2026-12-01T20:00:00+00:00",
        "answers": {**{f"q{i}": 1 for i in range(1, 10)}, "q3": 7},
    }
    (pack / "responses" / "r.json").write_text(json.dumps(response))
    return pack


def test_validate_writes_one_path_form_for_worksheets_and_responses(tmp_path: Path) -> None:
    # Was: JSONPath text for the worksheet ($.items[0].lable), a JSON pointer for the response
    # (/answers/q3), in one "path" field.
    pack = _pack(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "worksheetkit", "validate", "--format", "json", str(pack)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    diagnostics = json.loads(done.stdout)["diagnostics"]
    by_code = {d["code"]: d for d in diagnostics}
    assert by_code["WK103"]["path"] == ["items", 0, "lable"]
    assert by_code["WK405"]["path"] == ["answers", "q3"]
    for d in diagnostics:
        assert isinstance(d["path"], list)
        assert d["json_path"] == json_path(tuple(d["path"]))
        assert d["json_pointer"] == json_pointer(tuple(d["path"]))


def test_problem_is_placed_as_a_diagnostic() -> None:
    p = Problem("WK219", "Twice.", hint="Once.", path=("on",))
    d = p.at(file="a.yaml", line=3, column=5, within=("changes", 0, "schedule"))
    assert d == Diagnostic(
        "WK219", "Twice.", "error", "Once.", "a.yaml", 3, 5, ("changes", 0, "schedule", "on")
    )
    assert Problem.from_dict(json.loads(p.to_json())) == p
    assert p.json_path == "$.on"


def test_exprproblem_is_a_deprecated_alias_of_problem() -> None:
    import worksheetkit.expressions as ex

    with pytest.warns(DeprecationWarning, match="ExprProblem is deprecated"):
        alias = ex.ExprProblem
    assert alias is Problem
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (problem,) = ex.check(ex.parse("nope + 1"), {})
    assert isinstance(problem, Problem)
    assert (problem.code, problem.offset, problem.length) == ("WK302", 0, 4)

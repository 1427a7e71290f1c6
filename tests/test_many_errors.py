"""Many errors: bounded did-you-mean work, at most 200 diagnostics per file, a closing WK099."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import rapidfuzz.process
from click.testing import CliRunner

from worksheetkit import load
from worksheetkit._diagcap import CODE, MAX_PER_FILE, HiddenProblems, cap_per_file, totals
from worksheetkit._suggest import BUDGET, did_you_mean, suggestion_budget
from worksheetkit.cli import cli
from worksheetkit.cli.cmd_validate import exit_code
from worksheetkit.errors import Diagnostic
from worksheetkit.model import Worksheet
from worksheetkit.responses import validate_response
from worksheetkit.validation import check_paths

ROOT = Path(__file__).resolve().parent.parent
N = 3000


class Spy:
    """Counts calls into rapidfuzz and the candidate names each compared."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.compared = 0
        real = rapidfuzz.process.extractOne

        def spy(word: str, choices: Any, **kwargs: Any) -> Any:
            self.calls += 1
            self.compared += len(choices)
            return real(word, choices, **kwargs)

        monkeypatch.setattr(rapidfuzz.process, "extractOne", spy)


def _broken(path: Path, n: int = N) -> Path:
    """n items, each with a show_if naming a misspelt id (the old quadratic difflib case)."""
    lines = ["worksheetkit: 1", "id: many.errors", "version: 1.0.0", "title: Many", "items:"]
    for i in range(n):
        lines += [
            f"  - id: item_{i}",
            "    type: text",
            "    label: L",
            f"    show_if: \"itme_{i} == 'x'\"",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_3000_broken_items_report_200_and_a_closing_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    path = _broken(tmp_path / "many.yaml")
    run = check_paths(path)
    assert len(run.diagnostics) == MAX_PER_FILE + 1
    shown, closing = run.diagnostics[:-1], run.diagnostics[-1]
    assert {d.code for d in shown} == {"WK302"}
    assert isinstance(closing, HiddenProblems)
    assert closing.code == CODE
    assert closing.severity == "error"
    assert (closing.hidden, closing.hidden_errors) == (N - MAX_PER_FILE, N - MAX_PER_FILE)
    assert "2,800 more problems" in closing.message
    assert (closing.line or 0) == (
        shown[-1].line or 0
    ) + 4  # the first hidden problem, the next item
    assert totals(run.diagnostics) == (N, 0, N - MAX_PER_FILE)
    # The work is bounded by the budget, not by misspellings × ids (3,000 × 3,000 = 9 M).
    assert spy.compared <= BUDGET
    assert spy.calls <= BUDGET // N + 1
    # … and the first problems still get their suggestion.
    assert shown[0].hint == "Did you mean 'item_0'?"


def test_cli_text_and_json_say_what_was_hidden(tmp_path: Path) -> None:
    path = _broken(tmp_path / "many.yaml")
    text = CliRunner().invoke(cli, ["validate", str(path)])
    assert text.exit_code == 1
    lines = text.output.splitlines()
    assert lines[-1] == "1 file checked: 3000 errors, 0 warnings (2,800 not shown)"
    assert sum(" WK099 " in line for line in lines) == 1
    as_json = CliRunner().invoke(cli, ["validate", "--format", "json", str(path)])
    assert as_json.exit_code == 1
    payload = json.loads(as_json.output)
    assert (payload["errors"], payload["warnings"], payload["hidden"]) == (N, 0, N - 200)
    last = payload["diagnostics"][-1]
    assert (last["code"], last["severity"], last["hidden"], last["hidden_errors"]) == (
        "WK099",
        "error",
        2800,
        2800,
    )
    assert len(payload["diagnostics"]) == 201


def _d(i: int, severity: str = "warning", file: str = "a.yaml") -> Diagnostic:
    return Diagnostic("WK225", f"problem {i}", severity=severity, file=file, line=i + 1)  # type: ignore[arg-type]


def test_a_hidden_error_still_fails_the_run() -> None:
    diags = [_d(i) for i in range(250)] + [_d(999, "error")]
    capped = cap_per_file(diags)
    assert len(capped) == 201
    closing = capped[-1]
    assert closing.severity == "error"
    assert all(d.severity == "warning" for d in capped[:-1])
    assert exit_code(capped, strict=False) == 1


def test_hidden_warnings_close_with_a_warning() -> None:
    capped = cap_per_file([_d(i) for i in range(300)])
    assert capped[-1].severity == "warning"
    assert isinstance(capped[-1], HiddenProblems)
    assert capped[-1].hidden == 100
    assert exit_code(capped, strict=False) == 0
    assert exit_code(capped, strict=True) == 1


def test_the_cap_is_per_file_and_leaves_small_files_alone() -> None:
    diags = [_d(i, file="a.yaml") for i in range(205)] + [_d(i, file="b.yaml") for i in range(5)]
    capped = cap_per_file(diags)
    assert [d.file for d in capped].count("a.yaml") == 201
    assert [d.file for d in capped].count("b.yaml") == 5
    assert cap_per_file(capped) == capped  # a second pass changes nothing
    assert cap_per_file(diags[:10]) == diags[:10]


def test_20000_unknown_answer_keys_stay_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch)
    ws = load(ROOT / "tests" / "cases" / "responses" / "worksheet.yaml")
    assert isinstance(ws, Worksheet)
    answers = {f"q{i}": "x" for i in range(20_000)}
    response = {"worksheetkit": 1, "kind": "response", "worksheet": ws.id, "answers": answers}
    diags = validate_response(ws, response)
    assert len(diags) <= 201
    assert diags[-1].code == "WK400"
    # One bounded pass: never more comparisons than the budget, whatever the number of keys.
    assert 0 < spy.compared <= BUDGET
    assert spy.calls <= 20_000


def test_did_you_mean_is_deterministic_and_bounded() -> None:
    assert did_you_mean("lable", ["label", "table"]) == "label"
    assert did_you_mean("zzz", ["label"]) is None
    assert did_you_mean("x" * 65, ["x" * 65]) is None  # not a misspelling of an id
    assert did_you_mean("abc", {"abe", "abd"}) == "abd"  # sets are sorted: same every run
    assert did_you_mean("a", {"a": 1, "b": 2}) == "a"  # a mapping offers its keys
    with suggestion_budget(5):
        assert did_you_mean("item_1", ["item_1", "item_2", "item_3"]) == "item_1"
        assert did_you_mean("item_1", ["item_1", "item_2", "item_3"]) is None  # 2 left < 3
        assert did_you_mean("lable", ["label", "table"]) == "label"  # a short list still fits
        with suggestion_budget(1000):  # nested: shares the outer budget
            assert did_you_mean("lable", ["label"]) is None


def test_no_difflib_left() -> None:
    for path in (ROOT / "src").rglob("*.py"):
        assert "import difflib" not in path.read_text(encoding="utf-8"), path

"""``worksheetkit score``: JSON/Markdown/HTML output, diagnostics on stderr, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from worksheetkit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ROOT / "examples" / "assignments"
RESPONSES = ROOT / "examples" / "responses"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["score", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_report_of_the_dst_example() -> None:
    code, out, err = run(
        str(ASSIGNMENTS / "home-exercise-dst.yaml"),
        str(RESPONSES / "synthetic-home-exercise-dst.jsonl"),
        "--as-of", "2026-04-01",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    # The sample assignment sets late_credit: 0.75, as worked example 3 does.
    assert [o["credit"] for o in data["occurrences"]] == pytest.approx(
        [1, 1, 2 / 3, 0, 0.75, 1], abs=1e-6
    )
    assert data["quantity"] == pytest.approx(0.736111, abs=1e-6)  # worked example 3
    assert data["obstacles"][0]["kind"] == "internal"
    assert {a["severity"] for a in data["alerts"]} == {"warning"}  # pain of 8
    assert err == ""


def test_markdown_and_html_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, _, err = run(
        str(ASSIGNMENTS / "thought-record-london.yaml"),
        str(RESPONSES / "synthetic-thought-record-london.jsonl"),
        "--as-of", "2026-12-15T12:00:00+00:00", "--to", "html", "-o", str(out),
    )  # fmt: skip
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "Homework report — assignment a-example-0001" in html
    code, md, _ = run(
        str(ASSIGNMENTS / "thought-record-london.yaml"),
        str(RESPONSES / "synthetic-thought-record-london.jsonl"),
        "--as-of", "2026-12-15", "--to", "markdown",
    )  # fmt: skip
    assert md.startswith("# Homework report")
    assert "Synthetic: hospital visit" in md


def test_same_input_same_bytes() -> None:
    args = (
        str(ASSIGNMENTS / "thought-record-london.yaml"),
        str(RESPONSES / "synthetic-thought-record-london.jsonl"),
        "--as-of", "2026-12-15",
    )  # fmt: skip
    assert run(*args)[1] == run(*args)[1]


def test_bad_lines_are_reported_with_file_and_line_and_exit_1(tmp_path: Path) -> None:
    good = (RESPONSES / "synthetic-home-exercise-dst.jsonl").read_text().splitlines()
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join([good[0], '{"answers": {"reps": "secret-value"', *good[1:]]) + "\n")
    code, out, err = run(str(ASSIGNMENTS / "home-exercise-dst.yaml"), str(path),
                         "--as-of", "2026-04-01")  # fmt: skip
    assert code == 1
    assert f"{path}:2:1: error WK701" in err
    assert "secret-value" not in err + out
    assert json.loads(out)["counts"]["completed_on_time"] == 3  # the rest still scored


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.yaml", "r.jsonl"], "no such file"),
        (["{a}", "nope.jsonl"], "no such file"),
        (["{a}", "{r}", "--as-of", "yesterday"], "not a date"),
        (["{a}", "{r}", "--as-of", "2026-04-01T10:00:00"], "no UTC offset"),
        (["{a}", "{r}", "--to", "pdf"], "pdf"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    fill = {
        "a": str(ASSIGNMENTS / "home-exercise-dst.yaml"),
        "r": str(RESPONSES / "synthetic-home-exercise-dst.jsonl"),
    }
    code, _, err = run(*[a.format(**fill) for a in args])
    assert code == 2
    assert message in err


def test_not_an_assignment_is_a_usage_error() -> None:
    code, _, err = run(
        str(ROOT / "examples" / "worksheets" / "home-exercise-log.yaml"),
        str(RESPONSES / "synthetic-home-exercise-dst.jsonl"),
    )
    assert code == 2
    assert "not an assignment" in err


def test_the_python_example_in_the_docs_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import re

    text = (ROOT / "docs" / "adherence.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(block.group(1), "docs/adherence.md", "exec"), {})
    finally:
        os.chdir(here)
    out = capsys.readouterr().out
    assert out.startswith("0.736111 (2, 2)\n{\n")

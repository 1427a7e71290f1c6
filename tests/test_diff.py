"""``diff``: compatible vs breaking changes, affected stored responses, CLI exit codes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import worksheetkit as wk
from worksheetkit.cli import cli
from worksheetkit.diff import affected_responses, diff_worksheets
from worksheetkit.model import Worksheet

BASE = """
worksheetkit: 1
id: t.diff
version: 1.0.0
title: Diff me
items:
  - {id: mood, type: rating, min: 0, max: 10, label: Mood}
  - {id: feel, type: choice, options: [sad, calm, angry], other: true, label: Feel}
  - {id: notes, type: text, label: Notes, max_length: 500}
  - {id: q1, type: likert, scale: frequency-4, label: Q1}
  - {id: q2, type: likert, label: Q2, options: [{value: 0, label: No}, {value: 1, label: Yes}]}
  - id: log
    type: table
    label: Log
    max_rows: 10
    columns:
      - {id: what, type: text}
      - {id: suds, type: rating, min: 0, max: 100, step: 10}
scores:
  - {id: total, label: Total, formula: "sum(q1, q2)", bands: [{max: 100, label: All}]}
"""


def ws(text: str = BASE, **replace: str) -> Worksheet:
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    doc = wk.loads(textwrap.dedent(text))
    assert isinstance(doc, Worksheet)
    return doc


def changes(new: Worksheet) -> list[tuple[str, str, str | None]]:
    return [(c.kind, c.change, c.item) for c in diff_worksheets(ws(), new).changes]


def test_identical_versions_have_no_changes() -> None:
    assert changes(ws()) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("label: Mood}", "label: Your mood}", ("compatible", "wording", "mood")),
        ("title: Diff me", "title: Diffed", ("compatible", "wording", None)),
        ("[sad, calm, angry]", "[sad, calm, angry, proud]", ("compatible", "option_added", "feel")),
        ("max: 10, label: Mood", "max: 20, label: Mood", ("compatible", "range_widened", "mood")),
        ("max_length: 500", "max_length: 900", ("compatible", "range_widened", "notes")),
        (
            "  - {id: notes,",
            "  - {id: extra, type: text, label: Extra}\n  - {id: notes,",
            ("compatible", "item_added", "extra"),
        ),
        (
            "bands: [{max: 100, label: All}]",
            "bands: [{max: 2, label: Low}, {max: 100, label: High}]",
            ("compatible", "bands_changed", "score:total"),
        ),
        ("step: 10}", "step: 5}", ("compatible", "range_widened", "log.suds")),
        (
            "  - {id: mood, type: rating, min: 0, max: 10, label: Mood}\n",
            "",
            ("breaking", "item_removed", "mood"),
        ),
        (
            "{id: mood, type: rating",
            "{id: mood, type: number",
            ("breaking", "item_retyped", "mood"),
        ),
        ("[sad, calm, angry]", "[sad, calm]", ("breaking", "option_removed", "feel")),
        ("other: true, label: Feel", "label: Feel", ("breaking", "other_removed", "feel")),
        (
            "min: 0, max: 10, label: Mood",
            "min: 1, max: 10, label: Mood",
            ("breaking", "range_narrowed", "mood"),
        ),
        ("max_length: 500", "max_length: 100", ("breaking", "range_narrowed", "notes")),
        ("max_rows: 10", "max_rows: 3", ("breaking", "range_narrowed", "log")),
        ("step: 10}", "step: 15}", ("breaking", "range_narrowed", "log.suds")),
        (
            "  - {id: notes,",
            "  - {id: extra, type: text, label: Extra, required: true}\n  - {id: notes,",
            ("breaking", "required_item_added", "extra"),
        ),
        (
            "      - {id: what, type: text}",
            "      - {id: what, type: text, required: true}",
            ("breaking", "made_required", "log.what"),
        ),
        ("sum(q1, q2)", "sum(q1, q2) * 2", ("breaking", "formula_changed", "score:total")),
        (
            "{id: q1, type: likert, scale: frequency-4, label: Q1}",
            "{id: q1, type: likert, scale: frequency-4, label: Q1, reverse: true}",
            ("breaking", "reverse_changed", "q1"),
        ),
    ],
)
def test_each_change_is_classified(old: str, new: str, expected: tuple[str, str, str]) -> None:
    assert changes(ws(**{old: new})) == [expected]


def test_changed_weight_of_a_scored_option_is_breaking() -> None:
    new = ws(**{"{value: 1, label: Yes}": "{value: 2, label: Yes}"})
    found = changes(new)
    assert ("breaking", "option_value_changed", "q2") in found
    assert ("breaking", "option_removed", "q2") in found
    assert ("compatible", "option_added", "q2") in found


def test_affected_responses_by_line_and_id_never_content() -> None:
    old = ws()
    new = ws(**{"[sad, calm, angry]": "[sad, calm]", "sum(q1, q2)": "sum(q1, q2) * 2"})
    result = diff_worksheets(old, new)
    stored = [
        (1, {"id": "r-1", "answers": {"feel": "angry", "q1": 1, "q2": 0}}),
        (5, {"id": "r-5", "answers": {"q1": 1}}),  # score not computed before or after
        (2, {"id": "r-2", "answers": {"feel": "sad"}}),
        (3, {"answers": {"feel": "calm", "q1": 2, "q2": 1}}),
        (4, "not a response"),
    ]
    affected = affected_responses(result, old, new, stored)
    by_line = {
        a.line: (a.response, [result.changes[i].change for i in a.changes]) for a in affected
    }
    assert by_line == {
        1: ("r-1", ["option_removed", "formula_changed"]),
        3: (None, ["formula_changed"]),
    }


def test_version_advice_for_breaking_changes_without_a_major_bump() -> None:
    new = ws(**{"[sad, calm, angry]": "[sad, calm]", "version: 1.0.0": "version: 1.1.0"})
    assert "2.0.0" in (diff_worksheets(ws(), new).version_advice() or "")
    bumped = ws(**{"[sad, calm, angry]": "[sad, calm]", "version: 1.0.0": "version: 2.0.0"})
    assert diff_worksheets(ws(), bumped).version_advice() is None


def test_cli_exit_codes_and_json(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(textwrap.dedent(BASE), encoding="utf-8")
    wording = tmp_path / "wording.yaml"
    wording.write_text(
        textwrap.dedent(BASE).replace("label: Mood}", "label: Today's mood}"), encoding="utf-8"
    )
    breaking = tmp_path / "breaking.yaml"
    breaking.write_text(
        textwrap.dedent(BASE)
        .replace("[sad, calm, angry]", "[sad, calm]")
        .replace("version: 1.0.0", "version: 2.0.0"),
        encoding="utf-8",
    )
    stored = tmp_path / "responses.jsonl"
    stored.write_text(
        json.dumps({"id": "r-1", "answers": {"feel": "angry", "notes": "PRIVATE"}})
        + "\n"
        + json.dumps({"id": "r-2", "answers": {"feel": "sad"}})
        + "\n"
        + "{broken\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["diff", str(old), str(wording)])
    assert result.exit_code == 0
    assert "0 breaking" in result.output
    result = runner.invoke(
        cli, ["diff", str(old), str(breaking), "--responses", str(stored), "--format", "json"]
    )
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["breaking"] == 1
    assert payload["changes"][0]["change"] == "option_removed"
    assert payload["affected"] == [{"line": 1, "response": "r-1", "changes": [0]}]
    assert payload["unreadable_lines"] == [3]
    assert "PRIVATE" not in result.output
    text = runner.invoke(cli, ["diff", str(old), str(breaking), "--responses", str(stored)])
    assert "line 1 (response r-1): option_removed (feel)" in text.output
    assert runner.invoke(cli, ["diff", str(old), str(tmp_path / "nope.yaml")]).exit_code == 2

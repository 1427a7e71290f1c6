"""Authoring details (issue 17): values a comparison can never match (WK310/WK311), hints for
impossible times, lint for leftover `new` placeholders, `new --from` the shipped examples."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from worksheetkit.errors import Diagnostic
from worksheetkit.expressions import Symbol, check, parse, value_hint
from worksheetkit.validation import validate

ROOT = Path(__file__).resolve().parent.parent

HEADER = """\
worksheetkit: 1
kind: worksheet
id: t.values
version: 1.0.0
title: Values
items:
  - {id: belief, type: likert, label: Belief, options: [0, 1, 2]}
  - {id: mood, type: choice, label: Mood, options: [low, mid, high]}
  - {id: pain, type: rating, label: Pain, min: 0, max: 10}
  - {id: done, type: yesno, label: Done?}
  - {id: feelings, type: checklist, label: Feelings, options: [sad, angry]}
"""


def diags(tmp_path: Path, show_if: str) -> list[Diagnostic]:
    path = tmp_path / "w.yaml"
    path.write_text(
        HEADER + f"  - {{id: why, type: text, label: Why?, show_if: {json.dumps(show_if)}}}\n"
    )
    return validate(path)


# -- WK310: values the item cannot hold ---------------------------------------------------


@pytest.mark.parametrize(
    ("show_if", "column_of", "values"),
    [
        ("belief == 'completely'", "'completely'", "0, 1, 2"),
        ("belief != 'completely'", "'completely'", "0, 1, 2"),
        ("mood == 'Low'", "'Low'", "'low', 'mid', 'high'"),
        ("mood == 2", "2", "'low', 'mid', 'high'"),
        ("mood in ['low', 'meh']", "'meh'", "'low', 'mid', 'high'"),
        ("selected(mood, 'meh')", "'meh'", "'low', 'mid', 'high'"),
        ("selected(feelings, 'happy')", "'happy'", "'sad', 'angry'"),
        ("'happy' in feelings", "'happy'", "'sad', 'angry'"),
        ("pain == 11", "11", "0 to 10"),
        ("pain == 2.5", "2.5", "0 to 10"),
        ("done in ['yes']", "'yes'", "true, false"),
    ],
)
def test_a_value_the_item_cannot_hold_is_a_located_error_listing_its_values(
    tmp_path: Path, show_if: str, column_of: str, values: str
) -> None:
    (d,) = diags(tmp_path, show_if)
    assert (d.code, d.severity, d.line) == ("WK310", "error", 12)
    line = (tmp_path / "w.yaml").read_text().splitlines()[11]
    assert line[d.column - 1 :].startswith(column_of)
    assert f"({values})" in d.message


@pytest.mark.parametrize(
    "show_if",
    [
        "belief == 2",
        "belief >= 1",
        "mood == 'low' or mood != 'high'",
        "mood in ['low', 'mid']",
        "selected(feelings, 'sad') and 'angry' in feelings",
        "pain >= 5 and pain < 10 and pain == 10 and 0 <= pain",
        "done == true or done != false",
        "mood == null",
    ],
)
def test_values_the_item_can_hold_are_fine(tmp_path: Path, show_if: str) -> None:
    assert diags(tmp_path, show_if) == []


def test_a_number_outside_a_ratings_range_is_a_warning_saying_what_it_always_is(
    tmp_path: Path,
) -> None:
    found = diags(tmp_path, "pain > 12 or -1 < pain or belief > 5")
    assert [(d.code, d.severity) for d in found] == [("WK311", "warning")] * 3
    assert "'pain > 12' is always false" in found[0].message
    assert "'-1 < pain' is always true" in found[1].message
    assert "'belief' goes from 0 to 2" in found[2].message


def test_a_bare_word_where_a_quoted_value_belongs(tmp_path: Path) -> None:
    (d,) = diags(tmp_path, "mood == low")
    assert d.code == "WK310"
    assert d.column == 58
    assert "'low', 'mid', 'high'" in d.message
    assert d.hint == "Write 'low' (in quotes)."
    (d,) = diags(tmp_path, "mood == Low")  # a capital cannot start a name: a syntax error
    assert d.code == "WK301"
    assert d.column == 58
    assert d.hint is not None
    assert "mood == 'low'" in d.hint
    assert "'low', 'mid', 'high'" in d.hint


def test_a_yes_no_compared_with_text_names_true_and_false(tmp_path: Path) -> None:
    (d,) = diags(tmp_path, "done == 'yes'")
    assert d.code == "WK305"
    assert d.hint == "Compare it with true or false."


def test_near_misses_are_suggested(tmp_path: Path) -> None:
    (d,) = diags(tmp_path, "belief == '2'")
    assert d.code == "WK310"
    assert d.hint == "Did you mean 2?"


def test_unknown_values_are_never_reported() -> None:
    # Without a list of values (a text item, a table whose columns are unknown) nothing is said.
    symbols = {"x": Symbol(kind="choice"), "t": Symbol(kind="table")}
    assert check(parse("x == 'anything' and any(t, c == 'z')"), symbols) == []
    assert value_hint("Low", symbols) is None


def test_every_example_still_validates_clean() -> None:
    assert validate(ROOT / "examples") == []


# -- times of day ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "hint"),
    [
        ('"25:00"', 'There is no "25:00": hours go 00–23 (midnight is "00:00").'),
        ('"19:75"', 'There is no "19:75": minutes go 00–59.'),
        (
            '"24:60"',
            'There is no "24:60": hours go 00–23 (midnight is "00:00") and minutes go 00–59.',
        ),
        ('"7:30"', 'Write the time as 24-hour HH:MM in quotes: "07:30".'),
        ('"noon"', 'Write times of day as 24-hour HH:MM in quotes, e.g. "20:00".'),
    ],
)
def test_impossible_times_say_what_is_out_of_range(tmp_path: Path, at: str, hint: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        textwrap.dedent(f"""\
        worksheetkit: 1
        kind: worksheet
        id: t.time
        version: 1.0.0
        title: Time
        default_schedule: {{repeat: daily, at: {at}}}
        items: [{{type: note, text: Hi}}]
        """)
    )
    (d,) = validate(path)
    assert (d.code, d.line, d.column) == ("WK105", 6, 39)
    assert d.hint == hint


# -- WL016: placeholder text from `worksheetkit new` ------------------------------------------


def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: demo\nversion: 1.0.0\nname: Demo\n"
    )
    return pack


def test_a_fresh_blank_worksheet_warns_about_every_placeholder_until_replaced(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from worksheetkit.cli import cli
    from worksheetkit.lint import lint
    from worksheetkit.lint.placeholders import AUTHOR, PLACEHOLDERS

    pack = _pack(tmp_path)
    result = CliRunner().invoke(cli, ["new", "clinic.worry-log", "--pack", str(pack)])
    assert result.exit_code == 0, result.output
    path = pack / "worksheets" / "worry-log.yaml"
    text = path.read_text()
    found = [d for d in lint(path) if d.code == "WL016"]
    assert [d.json_path for d in found] == [
        "$.summary",
        "$.rationale",
        "$.instructions",
        "$.source.authors[0]",
    ]
    lines = text.splitlines()
    for d, phrase in zip(found, [*PLACEHOLDERS], strict=True):
        assert lines[d.line - 1][d.column - 1 :].startswith(phrase)
        assert d.severity == "warning"
        assert d.hint
    for phrase in PLACEHOLDERS:
        text = text.replace(phrase, "Written by us" if phrase == AUTHOR else "Our own words.")
    path.write_text(text)
    assert [d for d in lint(path) if d.code == "WL016"] == []


# -- new --from the shipped examples -----------------------------------------------------------


def test_shipped_starters_are_identical_to_the_examples() -> None:
    from importlib import resources

    from worksheetkit.starters import starters

    shipped = starters()
    assert len(shipped) >= 6
    for s in shipped:
        example = ROOT / "examples" / "worksheets" / f"{s.name}.yaml"
        assert example.read_bytes() == s.text.encode("utf-8"), f"{s.name} drifted from examples/"
        # new replaces these keys line by line: each must stay a one-line top-level value.
        for key in ("id", "version", "title"):
            assert sum(line.startswith(f"{key}: ") for line in s.text.splitlines()) == 1
    files = {p.name for p in resources.files("worksheetkit.starters").iterdir()}
    assert {f"{s.name}.yaml" for s in shipped} <= files


@pytest.mark.parametrize("ref", ["thought-record", "cbt.thought-record", "cbt.thought-record@1"])
def test_new_from_a_shipped_example_copies_it_under_the_new_id(tmp_path: Path, ref: str) -> None:
    from click.testing import CliRunner

    from worksheetkit import load
    from worksheetkit.cli import cli

    pack = _pack(tmp_path)
    result = CliRunner().invoke(
        cli, ["new", "clinic.my-record", "--from", ref, "--pack", str(pack), "--title", "Mine"]
    )
    assert result.exit_code == 0, result.output
    assert "a copy of the worksheetkit example 'thought-record'" in result.output
    created = pack / "worksheets" / "my-record.yaml"
    ws = load(created)
    original = load(ROOT / "examples" / "worksheets" / "thought-record.yaml")
    assert (ws.id, ws.version, ws.title) == (
        "clinic.my-record",
        "1.0.0",
        {"en": "Mine", "es": "Mine"},
    )
    assert [i.model_dump() for i in ws.items] == [i.model_dump() for i in original.items]
    assert ws.extends is None  # a copy to adapt: the pack has no template to extend
    assert validate(pack) == []


def test_every_shipped_example_starts_a_clean_worksheet(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from worksheetkit.cli import cli
    from worksheetkit.lint import lint
    from worksheetkit.starters import starters

    pack = _pack(tmp_path)
    for s in starters():
        result = CliRunner().invoke(
            cli, ["new", f"clinic.{s.name}", "--from", s.name, "--pack", str(pack)]
        )
        assert result.exit_code == 0, result.output
    assert len(list((pack / "worksheets").glob("*.yaml"))) == len(starters())
    assert validate(pack) == []
    assert lint(pack) == []


def test_new_list_shows_the_shipped_examples_and_the_packs_worksheets(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from worksheetkit.cli import cli
    from worksheetkit.starters import starters

    pack = _pack(tmp_path)
    CliRunner().invoke(cli, ["new", "clinic.worry-log", "--pack", str(pack)])
    result = CliRunner().invoke(cli, ["new", "--list", "--pack", str(pack)])
    assert result.exit_code == 0, result.output
    for s in starters():
        assert f"  {s.name} " in result.output
        assert f"({s.id})" in result.output
    assert "  clinic.worry-log@1" in result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["clinic.x", "--from", "thougt-record"], "did you mean 'thought-record'?"),
        (["clinic.x", "--from", "cbt.thought-record@2"], "worksheetkit new --list"),
        ([], "give the new worksheet's id"),
    ],
)
def test_new_from_names_what_exists(tmp_path: Path, args: list[str], said: str) -> None:
    from click.testing import CliRunner

    from worksheetkit.cli import cli

    pack = _pack(tmp_path)
    result = CliRunner().invoke(cli, ["new", *args, "--pack", str(pack)])
    assert result.exit_code == 2
    assert said in result.output
    assert not (pack / "worksheets").exists()


def test_a_likert_preset_scale_knows_its_values(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        HEADER.split("items:\n")[0]
        + "items:\n"
        + "  - {id: difficulty, type: likert, scale: difficulty-5, label: How hard?}\n"
        + '  - {id: why, type: text, label: Why?, show_if: "difficulty == 5 or difficulty >= 3"}\n'
    )
    (d,) = validate(path)
    assert d.code == "WK310"
    assert "(0, 1, 2, 3, 4)" in d.message

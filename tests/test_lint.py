"""Evidence-based lint: each rule on weak and strong worksheets, settings, silencing, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from worksheetkit.cli import cli
from worksheetkit.lint import RULES, lint, lint_pack, source_hash, stamp_translations
from worksheetkit.lint import text as lint_text
from worksheetkit.validation import validate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CASES = ROOT / "tests" / "cases" / "lint"

STRONG = """
worksheetkit: 1
id: t.strong
version: 1.0.0
title: Worry time
rationale: Putting worries off to a set time shows you that you can choose when to think.
estimated_minutes: 15
default_schedule: {repeat: daily, at: "18:00", for: P7D}
items:
  - id: worries
    type: text
    label: What did you worry about today?
    required: true
  - id: difficulty
    type: likert
    scale: difficulty-5
    label: How hard was it to put the worries off?
"""


def codes(diagnostics: list) -> list[str]:  # type: ignore[type-arg]
    return [d.code for d in diagnostics]


_EXPECT = re.compile(r"^# (expect|expect-warning): (W[KL]\d{3}) (\d+):(\d+)$")


def expected(path: Path) -> list[tuple[str, str, int, int]]:
    """The leading ``# expect-warning: WL001 4:1`` lines of a case (``# expect:`` = an error),
    in the same format as tests/cases/valid and invalid; ``# expect: nothing`` for none."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# expect"):
            break
        match = _EXPECT.match(line)
        if match:
            kind, code, row, col = match.groups()
            severity = "error" if kind == "expect" else "warning"
            out.append((severity, code, int(row), int(col)))
        else:
            assert line == "# expect: nothing", line
    return out


# -- the case folder: each weak worksheet gets exactly its diagnostics, where they belong ------


@pytest.mark.parametrize("case", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_case(case: Path) -> None:
    found = lint(case)
    assert [(d.severity, d.code, d.line, d.column) for d in found] == expected(case)
    for d in found:
        assert d.file == str(case)
        assert d.json_path.startswith("$")
        assert d.hint


def test_every_rule_has_a_weak_case() -> None:
    covered = {code for case in CASES.glob("*.yaml") for _, code, _, _ in expected(case)}
    assert set(RULES) - covered == {"WL008"}  # textstat missing: tested below by hiding it


def test_strong_case_is_valid_and_quiet() -> None:
    assert validate(CASES / "strong.yaml") == []
    assert lint(CASES / "strong.yaml") == []


def test_paths_and_hints_name_the_offending_node() -> None:
    by_code = {d.code: d for d in lint(CASES)}
    assert by_code["WL004"].json_path == "$.items[12]"  # the 13th required question
    assert "14 required questions" in by_code["WL004"].message
    assert by_code["WL003"].json_path == "$.estimated_minutes"
    assert by_code["WL001"].json_path == "$.rationale"  # missing: located at the worksheet's id
    assert by_code["WL002"].json_path == "$.estimated_minutes"
    assert by_code["WL012"].json_path == "$.items[1].kind"
    assert by_code["WL009"].json_path == "$.title"
    assert "'diary'" in by_code["WL009"].message
    fail = next(d for d in lint(CASES / "avoid-words.yaml") if "'fail'" in d.message)
    assert "didn't get to it" in (fail.hint or "")


def test_messages_name_the_language_and_text_of_stale_translations() -> None:
    found = [d for d in lint(CASES / "stale-translation.yaml") if d.code == "WL013"]
    assert len(found) == 1  # the title stamp matches; the summary stamp is malformed (WL014)
    assert "'es'" in found[0].message
    assert "rationale" in found[0].message
    assert found[0].json_path == "$.rationale['es~en']"


# -- rule by rule, inline ---------------------------------------------------------------------


def lint_text_of(write, text: str, name: str = "w.yaml", **kw) -> list:  # type: ignore[no-untyped-def,type-arg]
    return lint(write(name, text), **kw)


def test_inline_strong_worksheet_is_quiet(write) -> None:  # type: ignore[no-untyped-def]
    assert lint_text_of(write, STRONG) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            (
                "rationale: Putting worries off to a set time shows you that you can choose when to think.\n",
                "",
            ),
            "WL001",
        ),
        (("estimated_minutes: 15", "estimated_minutes: 45"), "WL003"),
        (("estimated_minutes: 15\n", ""), "WL002"),
        (
            (
                "id: difficulty\n    type: likert\n    scale: difficulty-5\n    label: How hard was it to put the worries off?",
                "id: kept\n    type: likert\n    scale: agreement-5\n    label: I kept to my worry time.",
            ),
            "WL010",
        ),
        (
            ("label: What did you worry about today?", "label: Did you do your homework today?"),
            "WL015",
        ),
        (
            ("label: What did you worry about today?", "label: Was the procedure noncompliant?"),
            "WL015",
        ),
    ],
)
def test_each_rule_fires_on_one_weakness(write, change, code) -> None:  # type: ignore[no-untyped-def]
    old, new = change
    assert old in STRONG
    found = lint_text_of(write, STRONG.replace(old, new))
    assert codes(found) == [code]


def test_difficulty_question_found_by_id_label_or_preset(write) -> None:  # type: ignore[no-untyped-def]
    base = STRONG.split("  - id: difficulty")[0]
    for extra in (
        "  - {id: obstacles, type: checklist, label: 'Anything?', options: [time, noise]}\n",
        "  - {id: q2, type: text, label: 'What got in the way?'}\n",
        "  - {id: q2, type: rating, label: 'How difficult was it?'}\n",
        "  - {id: q2, type: likert, scale: difficulty-5, label: Today}\n",
        "  - {id: q2, type: table, label: Log, columns: [{id: barrier, type: text}]}\n",
    ):
        assert lint_text_of(write, base + extra) == [], extra
    assert codes(lint_text_of(write, base + "  - {id: q2, type: text, label: Notes}\n")) == [
        "WL010"
    ]


def test_once_worksheet_needs_no_difficulty_question(write) -> None:  # type: ignore[no-untyped-def]
    text = STRONG.replace('{repeat: daily, at: "18:00", for: P7D}', "{repeat: once}")
    text = text.split("  - id: difficulty")[0]
    assert lint_text_of(write, text) == []


def test_diary_without_schedule_warns_by_tag_id_or_title(write) -> None:  # type: ignore[no-untyped-def]
    text = STRONG.replace('default_schedule: {repeat: daily, at: "18:00", for: P7D}\n', "")
    assert lint_text_of(write, text) == []  # "Worry time": nothing says it repeats
    tagged = lint_text_of(
        write, text.replace("title: Worry time", "title: Worry time\ntags: [self-monitoring]")
    )
    assert codes(tagged) == ["WL009"]
    assert "tag 'self-monitoring'" in tagged[0].message
    assert tagged[0].json_path == "$.tags[0]"
    assert codes(lint_text_of(write, text.replace("id: t.strong", "id: t.worry-log"))) == ["WL009"]


def test_reading_grade_skips_short_and_non_english_text(write) -> None:  # type: ignore[no-untyped-def]
    jargon = (
        "Cognitive restructuring facilitates identification and modification of maladaptive "
        "automatic cognitions."
    )
    weak = lint_text_of(
        write, STRONG.replace("label: What did you worry about today?", f"label: {jargon}")
    )
    assert codes(weak) == ["WL007"]
    assert weak[0].json_path == "$.items[0].label"
    short = lint_text_of(
        write,
        STRONG.replace("label: What did you worry about today?", "label: Rumination frequency"),
    )
    assert short == []  # two words: too short for a grade to mean anything
    spanish = STRONG.replace(
        "label: What did you worry about today?", f"label: {{en: Worries, es: {jargon}}}"
    )
    assert lint_text_of(write, spanish) == []  # the Flesch–Kincaid formula is for English


def test_reading_grade_threshold_is_the_whole_school_grade() -> None:
    tools = lint_text.readability()
    assert tools is not None
    grade, count = lint_text.reading_grade(
        "Rate your distress from 0 to 100 at the start, at its highest, and at the end of each "
        "practice you do this week.",
        tools,
    )
    assert count >= 10
    assert grade < 9


def test_readability_missing_reports_once(write, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(lint_text, "readability", lambda: None)
    monkeypatch.setattr("worksheetkit.lint.rules.readability", lambda: None)
    a = write("a.yaml", STRONG)
    b = write("b.yaml", STRONG.replace("t.strong", "t.other"))
    found = lint(a, b)
    assert codes(found) == ["WL008"]
    assert "worksheetkit[lint]" in (found[0].hint or "")
    assert lint(a, b, config={"disable": ["WL007"]}) == []


def test_media_transcript_or_alt_fixes_it(write) -> None:  # type: ignore[no-untyped-def]
    media = STRONG + (
        "  - {type: media, kind: video, url: https://x.org/v.mp4}\n"
        "  - {type: media, kind: image, url: a.png, alt: A clock}\n"
    )
    assert codes(lint_text_of(write, media)) == ["WL011"]
    fixed = media.replace("v.mp4}", "v.mp4, transcript: Breathe in slowly.}")
    assert lint_text_of(write, fixed) == []


def test_validated_instruments_keep_their_wording(write) -> None:  # type: ignore[no-untyped-def]
    questions = "".join(
        f"  - {{id: q{i}, type: likert, scale: frequency-4, required: true, label: '"
        f"Feeling that you are a failure or have let yourself or your family down, number {i}'}}\n"
        for i in range(1, 15)
    )
    text = STRONG.split("items:")[0].replace(
        "title: Worry time", "title: Scale\ntags: [measurement]"
    )
    text = text.replace('{repeat: daily, at: "18:00", for: P7D}', "{repeat: weekly, every: 2}")
    assert lint_text_of(write, text + "items:\n" + questions) == []
    untagged = text.replace("tags: [measurement]", "tags: [mood]") + "items:\n" + questions
    assert set(codes(lint_text_of(write, untagged))) == {"WL004", "WL010", "WL015"}
    # the framing the pack author writes is still checked
    jargon = text.replace(
        "rationale: Putting worries off to a set time shows you that you can choose when to think.",
        "rationale: Standardised psychometric measurement facilitates the early identification of "
        "clinically significant symptomatology.",
    )
    assert codes(lint_text_of(write, jargon + "items:\n" + questions)) == ["WL007"]
    custom = untagged + "lint: {instrument_tags: [mood]}\n"
    assert lint_text_of(write, custom) == []


def test_word_to_avoid_in_a_folded_block_is_located_on_its_own_line(write) -> None:  # type: ignore[no-untyped-def]
    text = STRONG.replace(
        "rationale: Putting worries off to a set time shows you that you can choose when to think.",
        "rationale: >-\n  Putting worries off to a set time shows you\n  that this homework helps.",
    )
    (d,) = lint_text_of(write, text)
    assert (d.code, d.line, d.column, d.json_path) == ("WL015", 7, 13, "$.rationale")


# -- translation stamps -----------------------------------------------------------------------


STAMPED = """
worksheetkit: 1
id: t.stamped
version: 1.0.0
languages: [en, es]
title: {en: Worry time, es: Tiempo de preocupación}
rationale: {en: Putting worries off shows you that you can choose., es: Aplazar las preocupaciones te muestra que puedes elegir.}
estimated_minutes: 15
default_schedule: {repeat: once}
items:
  - {id: worries, type: text, label: {en: "What did you worry about?", es: "¿Qué te preocupó?"}}
"""


def test_stamp_round_trip(write) -> None:  # type: ignore[no-untyped-def]
    path = write("s.yaml", STAMPED)
    suggestions = stamp_translations(path)
    assert [s.key for s in suggestions] == ["es~en"] * 3
    assert suggestions[0].value == source_hash("Worry time")
    assert suggestions[0].current is None
    assert suggestions[0].line == 5
    text = STAMPED.replace(
        "es: Tiempo de preocupación}",
        f'es: Tiempo de preocupación, es~en: "{source_hash("Worry time")}"}}',
    )
    path = write("s.yaml", text)
    assert lint(path) == []
    assert [s.path for s in stamp_translations(path)] == ["$.rationale", "$.items[0].label"]
    # the English title changes after translation: the Spanish one is now out of date
    path = write("s.yaml", text.replace("en: Worry time", "en: Time to worry"))
    found = lint(path)
    assert codes(found) == ["WL013"]
    assert "'es'" in found[0].message
    assert "title" in found[0].message
    (again,) = [s for s in stamp_translations(path) if s.path == "$.title"]
    assert again.current == source_hash("Worry time")
    assert "update" in again.format()


def test_stamp_helper_cli(write) -> None:  # type: ignore[no-untyped-def]
    path = write("s.yaml", STAMPED)
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["lint", "--stamp-translations", str(path)])
    assert result.exit_code == 0
    assert f'es~en: "{source_hash("Worry time")}"' in result.output
    assert "3 stamps" in result.output
    assert path.read_bytes() == before  # nothing is written
    missing = CliRunner().invoke(cli, ["lint", "--stamp-translations", str(path) + ".nope"])
    assert missing.exit_code == 2


def test_stamp_keys_do_not_trouble_validate(write) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "s.yaml",
        STAMPED.replace(
            "es: Tiempo de preocupación}", 'es: Tiempo de preocupación, es~en: "00000000"}'
        ),
    )
    assert validate(path) == []


# -- settings ---------------------------------------------------------------------------------


def pack(write, lint_settings: str, worksheet: str = STRONG) -> Path:  # type: ignore[no-untyped-def]
    write(
        "pack/pack.yaml",
        f"worksheetkit: 1\nkind: pack\nid: t.pack\nname: Test\nversion: 1.0.0\n{lint_settings}",
    )
    return write("pack/worksheets/w.yaml", worksheet)  # type: ignore[no-any-return]


def test_pack_settings_disable_and_limits(write) -> None:  # type: ignore[no-untyped-def]
    weak = STRONG.replace("estimated_minutes: 15", "estimated_minutes: 45")
    path = pack(write, "", weak)
    assert codes(lint(path)) == ["WL003"]
    pack(write, "lint: {disable: [WL003]}\n", weak)
    assert lint(path) == []
    pack(write, "lint: {disable: [too-long-to-do]}\n", weak)
    assert lint(path) == []
    pack(write, "lint: {max_minutes: 60}\n", weak)
    assert lint(path) == []
    pack(write, "lint: {max_minutes: 10}\n")
    assert codes(lint(path)) == ["WL003"]


def test_pack_severity_makes_a_rule_an_error(write) -> None:  # type: ignore[no-untyped-def]
    path = pack(
        write, "lint: {severity: {WL003: error}}\n", STRONG.replace("minutes: 15", "minutes: 45")
    )
    (d,) = lint(path)
    assert (d.code, d.severity) == ("WL003", "error")
    result = CliRunner().invoke(cli, ["lint", str(path)])
    assert result.exit_code == 1


def test_pack_settings_apply_when_one_file_is_linted_and_the_whole_pack(write) -> None:  # type: ignore[no-untyped-def]
    path = pack(write, "lint:\n  avoid_words: {worry: concern}\n")
    assert codes(lint(path)) == ["WL015", "WL015"]
    assert codes(lint_pack(path.parent.parent)) == ["WL015", "WL015"]


def test_worksheet_settings_override_the_pack(write) -> None:  # type: ignore[no-untyped-def]
    weak = STRONG.replace("estimated_minutes: 15", "estimated_minutes: 45")
    path = pack(write, "lint: {max_minutes: 20}\n", weak + "lint: {max_minutes: 50}\n")
    assert lint(path) == []
    path = pack(write, "", weak + "lint: {disable: [WL003]}\n")
    assert lint(path) == []


def test_config_argument_layers_over_the_pack(write) -> None:  # type: ignore[no-untyped-def]
    path = pack(write, "lint: {max_minutes: 60}\n", STRONG.replace("minutes: 15", "minutes: 45"))
    assert codes(lint(path, config={"max_minutes": 30})) == ["WL003"]
    with pytest.raises(ValueError, match="WL900"):
        lint(path, config={"max_minutse": 30})


def test_settings_problems_are_located_with_did_you_mean(write) -> None:  # type: ignore[no-untyped-def]
    path = pack(
        write,
        "lint:\n  max_minuts: 20\n  disable: [WL999, too-long-to-d]\n  severity: {WL001: fatal}\n"
        "  reading_grade_max: high\n",
    )
    found = [d for d in lint(path) if d.file and d.file.endswith("pack.yaml")]
    assert codes(found) == ["WL900", "WL901", "WL901", "WL902", "WL902"]
    assert all(d.severity == "error" for d in found)
    unknown_key = found[0]
    assert (unknown_key.line, unknown_key.column) == (7, 3)
    assert "max_minutes" in (unknown_key.hint or "")
    assert "too-long-to-do" in (found[2].hint or "")
    # the worksheet itself is still linted, with the settings that were right
    assert not [d for d in lint(path) if d.file == str(path)]


def test_worksheet_settings_problems(write) -> None:  # type: ignore[no-untyped-def]
    (d,) = lint(write("w.yaml", STRONG + "lint: {disabel: [WL001]}\n"))
    assert d.code == "WL900"
    assert "disable" in (d.hint or "")


# -- silencing comments -----------------------------------------------------------------------

SILENCE = """
worksheetkit: 1
id: t.silence
version: 1.0.0
title: Practice
rationale: Practice makes it easier.
estimated_minutes: 10
default_schedule: {{repeat: once}}
items:
  - id: a{a}
    type: yesno
    label: Did you do the homework?
{above}  - id: b
    type: yesno
    label: Was the homework useful?
"""


def test_comment_on_the_item_line_silences_that_item_only(write) -> None:  # type: ignore[no-untyped-def]
    plain = lint_text_of(write, SILENCE.format(a="", above=""))
    assert [d.json_path for d in plain] == ["$.items[0].label", "$.items[1].label"]
    silenced = lint_text_of(write, SILENCE.format(a="  # worksheetkit: disable=WL015", above=""))
    assert [d.json_path for d in silenced] == ["$.items[1].label"]


def test_comment_on_the_line_above_silences_the_next_item(write) -> None:  # type: ignore[no-untyped-def]
    found = lint_text_of(
        write, SILENCE.format(a="", above="  # worksheetkit: disable=WL015,WL001\n")
    )
    assert [d.json_path for d in found] == ["$.items[0].label"]
    by_name = lint_text_of(
        write, SILENCE.format(a="", above="  # worksheetkit: disable=avoid-word\n")
    )
    assert [d.json_path for d in by_name] == ["$.items[0].label"]


def test_comment_for_another_rule_does_not_silence(write) -> None:  # type: ignore[no-untyped-def]
    found = lint_text_of(write, SILENCE.format(a="  # worksheetkit: disable=WL004", above=""))
    assert len([d for d in found if d.code == "WL015"]) == 2


def test_comment_with_unknown_rule_is_reported(write) -> None:  # type: ignore[no-untyped-def]
    found = lint_text_of(write, SILENCE.format(a="  # worksheetkit: disable=WL0015", above=""))
    bad = [d for d in found if d.code == "WL901"]
    assert len(bad) == 1
    assert bad[0].line == 9
    assert bad[0].column == 36


def test_comment_on_a_top_level_field(write) -> None:  # type: ignore[no-untyped-def]
    text = STRONG.replace(
        "estimated_minutes: 15", "estimated_minutes: 45  # worksheetkit: disable=WL003"
    )
    assert lint_text_of(write, text) == []


# -- validation first -------------------------------------------------------------------------


def test_validation_errors_replace_lint_for_that_file_only(write) -> None:  # type: ignore[no-untyped-def]
    bad = write(
        "bad.yaml", STRONG.replace("type: likert", "type: likret").replace("Worry time", "Homework")
    )
    good = write(
        "good.yaml", STRONG.replace("t.strong", "t.good").replace("minutes: 15", "minutes: 45")
    )
    found = lint(bad, good)
    assert {d.code for d in found if d.file == str(bad)} == {"WK107"}
    assert codes([d for d in found if d.file == str(good)]) == ["WL003"]


def test_validation_warnings_are_left_to_validate(write) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "a.yaml",
        "worksheetkit: 1\nkind: assignment\nid: a1\nworksheet: t.strong\nstart: 2026-12-01\n"
        "plan: {confidence: 4}\n",
    )
    assert any(d.code == "WK501" for d in validate(path))
    assert lint(path) == []


# -- templates and pathways -------------------------------------------------------------------


def test_template_findings_stay_with_the_template(write) -> None:  # type: ignore[no-untyped-def]
    base = STRONG.replace("What did you worry about today?", "Did you do your homework?")
    pack(write, "", base)
    derived = write(
        "pack/worksheets/short.yaml",
        """
        worksheetkit: 1
        id: t.short
        version: 1.0.0
        extends: t.strong@1
        change:
          worries: {label: "What was the homework about?"}
        """,
    )
    found = lint(derived)  # linted alone: the template is found in the pack
    assert [(d.code, d.json_path) for d in found] == [("WL015", "$.change.worries.label")]


def test_pathway_text_and_repeating_steps(write) -> None:  # type: ignore[no-untyped-def]
    once = STRONG.replace('{repeat: daily, at: "18:00", for: P7D}', "{repeat: once}")
    once = once.split("  - id: difficulty")[0]
    path = pack(write, "", once)
    assert lint(path) == []
    pathway = write(
        "pack/pathways/p.yaml",
        """
        worksheetkit: 1
        kind: pathway
        id: t.path
        version: 1.0.0
        title: Two weeks of homework
        steps:
          - {id: s1, worksheet: t.strong@1, schedule: {repeat: daily, for: P14D}}
        """,
    )
    found = lint(path.parent.parent)
    assert [(d.code, Path(d.file or "").name) for d in found] == [
        ("WL015", "p.yaml"),
        ("WL010", "w.yaml"),
    ]
    assert "pathway" in next(d for d in found if d.code == "WL010").message
    assert pathway.exists()


def test_responses_are_never_linted(write) -> None:  # type: ignore[no-untyped-def]
    pack(write, "")
    response = write(
        "pack/responses/r.json",
        json.dumps(
            {
                "worksheetkit": 1,
                "kind": "response",
                "worksheet": "t.strong",
                "answers": {"worries": "I failed my homework again"},
            }
        ),
    )
    assert lint(response) == []


# -- command line -----------------------------------------------------------------------------


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["lint", *args])


def test_cli_exit_codes(write) -> None:  # type: ignore[no-untyped-def]
    clean = write("clean.yaml", STRONG)
    weak = write(
        "weak.yaml", STRONG.replace("t.strong", "t.weak").replace("minutes: 15", "minutes: 45")
    )
    assert run(str(clean)).exit_code == 0
    assert run("--strict", str(clean)).exit_code == 0
    assert run(str(weak)).exit_code == 0
    assert run("--strict", str(weak)).exit_code == 1
    assert run("--strict", "--disable", "WL003", str(weak)).exit_code == 0
    assert run("--disable", "WL999", str(weak)).exit_code == 2
    assert run(str(weak) + ".missing").exit_code == 2
    assert run().exit_code == 2
    assert run(str(CASES / "invalid.yaml")).exit_code == 1


def test_cli_text_and_github_format(write) -> None:  # type: ignore[no-untyped-def]
    weak = write("weak.yaml", STRONG.replace("minutes: 15", "minutes: 45"))
    text = run(str(weak)).output.splitlines()
    assert text[0].startswith(f"{weak}:6:20: warning WL003 ")
    assert text[1].startswith("    hint: ")
    assert text[-1] == "1 file checked: 0 errors, 1 warning"
    github = run("--format", "github", str(weak)).output.splitlines()
    assert github[0].startswith(f"::warning file={weak},line=6,col=20,title=WL003::WL003 ")


def test_cli_json_has_the_same_keys_as_validate(write) -> None:  # type: ignore[no-untyped-def]
    weak = write("weak.yaml", STRONG.replace("minutes: 15", "minutes: 45"))
    linted = json.loads(run("--format", "json", str(weak)).output)
    validated = json.loads(
        CliRunner().invoke(cli, ["validate", "--format", "json", str(weak)]).output
    )
    assert list(linted) == list(validated) == ["files", "errors", "warnings", "diagnostics"]
    assert linted["warnings"] == 1
    assert linted["errors"] == 0
    (d,) = linted["diagnostics"]
    assert list(d) == [  # Diagnostic.to_dict(), as validate writes it
        *(
            "code",
            "severity",
            "message",
            "hint",
            "file",
            "line",
            "column",
            "path",
            "json_path",
            "json_pointer",
            "related",
        ),
    ]
    assert (d["code"], d["line"], d["column"], d["json_path"]) == (
        "WL003",
        6,
        20,
        "$.estimated_minutes",
    )


def test_a_file_named_twice_is_linted_once() -> None:
    twice = lint(EXAMPLES, EXAMPLES / "worksheets" / "sleep-diary.yaml")
    assert not [d for d in twice if d.code.startswith("WK")]
    assert twice == lint(EXAMPLES)


def test_output_is_deterministic() -> None:
    first = run("--format", "json", str(CASES)).output
    assert first == run("--format", "json", str(CASES)).output


# -- the example pack: well-written worksheets raise no false alarms --------------------------

# Findings on the example pack that are true weaknesses, reported to the pack's maintainers
# rather than silenced here. Anything else the example pack raises is a false alarm.
KNOWN_EXAMPLE_WEAKNESSES: set[tuple[str, str, str]] = set()  # (file, code, path) allowed


@pytest.mark.skipif(not (EXAMPLES / "pack.yaml").exists(), reason="no example pack")
def test_example_pack_raises_no_false_alarms() -> None:
    found = lint_pack(EXAMPLES)
    assert not [d for d in found if d.severity == "error"], [d.format() for d in found]
    unexpected = [
        d
        for d in found
        if (Path(d.file or "").name, d.code, d.json_path) not in KNOWN_EXAMPLE_WEAKNESSES
    ]
    assert unexpected == [], [d.format() for d in unexpected]


# -- registry, docs and the pre-commit hooks --------------------------------------------------


DOC = ROOT / "docs" / "lint.md"
_FENCE = re.compile(r"^```yaml (lint-base|lint-before|lint-after)\n(.*?)^```$", re.M | re.S)


def doc_examples() -> tuple[dict, list[tuple[str, str, dict]]]:  # type: ignore[type-arg]
    """The base worksheet of docs/lint.md and every (rule, before/after, fragment)."""
    text = DOC.read_text(encoding="utf-8")
    base: dict = {}  # type: ignore[type-arg]
    examples = []
    for section in re.split(r"^### ", text, flags=re.M):
        code = section[:5]
        for kind, body in _FENCE.findall(section):
            data = yaml.safe_load(body)
            if kind == "lint-base":
                base = data
            else:
                examples.append((code, kind, data))
    return base, examples


def test_docs_base_worksheet_passes_every_rule(tmp_path: Path) -> None:
    base, _ = doc_examples()
    path = tmp_path / "base.yaml"
    path.write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    assert lint(path) == []


def test_docs_before_and_after_examples(tmp_path: Path) -> None:
    base, examples = doc_examples()
    by_rule: dict[str, dict[str, dict]] = {}  # type: ignore[type-arg]
    for code, kind, data in examples:
        by_rule.setdefault(code, {})[kind] = data
    assert len(by_rule) >= 12
    for code, pair in by_rule.items():
        after = pair.get("lint-after", {})
        for kind, fragment in pair.items():
            doc = dict(base)
            if kind == "lint-before":
                for key in set(after) - set(fragment):
                    doc.pop(key, None)  # what the fix adds is missing before it
            doc.update(fragment)
            path = tmp_path / f"{code}-{kind}.yaml"
            path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
            found = codes(lint(path))
            assert not [c for c in found if c.startswith("WK")], (code, kind, found)
            if kind == "lint-before":
                assert code in found, (code, found)
            else:
                assert code not in found, (code, found)
                assert found == [], (code, kind, found)


def test_every_rule_is_documented() -> None:
    doc = (ROOT / "docs" / "lint.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert re.search(rf"^### {code} ", doc, re.M), f"{code} has no section in docs/lint.md"
        assert rule.name in doc
    for code in ("WL900", "WL901", "WL902"):
        assert code in doc


def test_pre_commit_hooks() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"worksheetkit-validate", "worksheetkit-lint"}
    assert by_id["worksheetkit-validate"]["entry"] == "worksheetkit validate"
    assert by_id["worksheetkit-lint"]["entry"] == "worksheetkit lint"
    for hook in hooks:
        assert hook["language"] == "python"
        files = re.compile(hook["files"])
        assert files.search("worksheets/a.yaml")
        assert files.search("b.yml")
        assert files.search("c.json")
        assert not files.search("README.md")


def test_public_names() -> None:
    import worksheetkit.lint as module

    assert len(set(module.__all__)) == len(module.__all__)
    for name in module.__all__:
        assert hasattr(module, name), name
    assert all(code.startswith("WL") and rule.code == code for code, rule in RULES.items())


def test_plain_sentences_reads_the_markdown_parse() -> None:
    from worksheetkit.lint.text import plain_sentences

    text = "# Head\n\nSome *em* and [link](http://x) <http://auto> `code` ![alt](i.png)\n\n- one\n- two?"
    assert plain_sentences(text) == "Head. Some em and link code alt. one. two?"

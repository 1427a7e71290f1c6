"""validate_response / check_response / fraction: codes, JSON pointers, hostile input."""

from __future__ import annotations

import json
import math
import textwrap
from typing import Any

import pytest

import worksheetkit as wk
from worksheetkit.model import Worksheet
from worksheetkit.responses import CODES, check_response, fraction, validate_response

THOUGHT_RECORD = """
worksheetkit: 1
id: cbt.thought-record
version: 1.2.0
title: Thought record
items:
  - type: note
    id: intro
    text: Think of one moment from today.
  - id: situation
    type: text
    label: What was happening?
    required: true
    max_length: 200
  - id: code
    type: text
    label: Code
    pattern: "[A-Z]{3}-[0-9]{2}"
    pattern_message: three capitals, a dash, two digits
  - id: emotions
    type: table
    label: Emotions
    min_rows: 1
    max_rows: 5
    columns:
      - id: emotion
        type: choice
        options: [sad, anxious, angry]
        other: true
        required: true
      - id: intensity
        type: rating
        min: 0
        max: 100
        step: 10
      - id: why
        type: text
        show_if: "intensity >= 50"
  - id: belief
    type: likert
    label: How much?
    options: [{value: 0, label: No}, {value: 1, label: Bit}, {value: 2, label: Some},
              {value: 3, label: Mostly}, {value: 4, label: Completely}]
  - id: balanced_thought
    type: text
    label: Balanced
    required: true
    show_if: "belief >= 2"
  - id: sleep
    type: number
    label: Hours slept
    min: 0
    max: 24
    step: 0.5
  - id: days
    type: number
    label: Days
    integer: true
  - id: ok
    type: yesno
    label: OK?
  - id: day
    type: date
    label: Day
  - id: at
    type: time
    label: At
  - id: when
    type: datetime
    label: When
  - id: took
    type: duration
    label: Took
    min: PT1M
    max: PT2H
  - id: helped
    type: checklist
    label: What helped
    options: [walk, call, music, {value: none, label: Nothing, exclusive: true}]
    other: true
    max_selected: 3
  - id: order
    type: ranking
    label: Order
    options: [a, b, c]
"""


@pytest.fixture(scope="module")
def ws() -> Worksheet:
    doc = wk.loads(textwrap.dedent(THOUGHT_RECORD))
    assert isinstance(doc, Worksheet)
    return doc


def response(answers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "cbt.thought-record",
        "version": "1.2.0",
        "submitted_at": "2026-12-01T20:21:00+00:00",
        "answers": answers,
    }
    doc.update(extra)
    return doc


GOOD: dict[str, Any] = {
    "situation": "At work",
    "code": "ABC-12",
    "emotions": [{"emotion": "sad", "intensity": 70, "why": "x"}, {"emotion": {"other": "numb"}}],
    "belief": 3,
    "balanced_thought": "Maybe not",
    "sleep": 7.5,
    "days": 3,
    "ok": True,
    "day": "2026-12-01",
    "at": "20:30",
    "when": "2026-12-01T20:30",
    "took": "PT20M",
    "helped": ["walk", {"other": "tea"}],
    "order": ["c", "a", "b"],
}


def codes(diags: list[wk.Diagnostic]) -> list[tuple[str, str, str]]:
    return [(d.code, d.severity, d.json_pointer) for d in diags]


def test_a_complete_valid_response_has_no_diagnostics(ws: Worksheet) -> None:
    assert validate_response(ws, response(GOOD)) == []
    result = check_response(ws, response(GOOD))
    assert result.valid
    assert result.fraction == 1.0


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"sleep": "seven"}, ("WK401", "/answers/sleep")),
        ({"sleep": True}, ("WK401", "/answers/sleep")),
        ({"ok": "yes"}, ("WK401", "/answers/ok")),
        ({"emotions": {"emotion": "sad"}}, ("WK401", "/answers/emotions")),
        ({"emotions": [{"emotion": "sad"}, 7]}, ("WK401", "/answers/emotions/1")),
        ({"day": "2026-02-30"}, ("WK401", "/answers/day")),
        ({"day": "01/12/2026"}, ("WK401", "/answers/day")),
        ({"at": "25:00"}, ("WK401", "/answers/at")),
        ({"when": "2026-12-01 20:30"}, ("WK401", "/answers/when")),
        ({"took": "20 minutes"}, ("WK401", "/answers/took")),
        ({"sleep": 25}, ("WK403", "/answers/sleep")),
        ({"sleep": -1}, ("WK403", "/answers/sleep")),
        ({"sleep": 7.25}, ("WK403", "/answers/sleep")),
        ({"days": 2.5}, ("WK403", "/answers/days")),
        (
            {"emotions": [{"emotion": "sad", "intensity": 75}]},
            ("WK403", "/answers/emotions/0/intensity"),
        ),
        ({"took": "PT3H"}, ("WK403", "/answers/took")),
        ({"took": "PT30S"}, ("WK403", "/answers/took")),
        ({"situation": "x" * 201}, ("WK404", "/answers/situation")),
        ({"code": "abc-12"}, ("WK404", "/answers/code")),
        ({"belief": 7}, ("WK405", "/answers/belief")),
        ({"belief": "3"}, ("WK405", "/answers/belief")),
        ({"belief": {"other": "x"}}, ("WK405", "/answers/belief")),
        ({"emotions": [{"emotion": "happy"}]}, ("WK405", "/answers/emotions/0/emotion")),
        (
            {"emotions": [{"emotion": {"other": ""}}]},
            ("WK404", "/answers/emotions/0/emotion/other"),
        ),
        (
            {"emotions": [{"emotion": {"other": "x", "more": 1}}]},
            ("WK405", "/answers/emotions/0/emotion"),
        ),
        ({"helped": ["walk", "walk"]}, ("WK405", "/answers/helped/1")),
        ({"helped": ["fly"]}, ("WK405", "/answers/helped/0")),
        ({"helped": ["walk", "call", "music", "none"]}, ("WK406", "/answers/helped")),
        ({"helped": ["walk", "none"]}, ("WK406", "/answers/helped")),
        ({"emotions": [{"emotion": "sad"}] * 6}, ("WK407", "/answers/emotions")),
        ({"mood": 3}, ("WK408", "/answers/mood")),
        ({"intro": "x"}, ("WK408", "/answers/intro")),
        (
            {"emotions": [{"emotion": "sad", "colour": "blue"}]},
            ("WK408", "/answers/emotions/0/colour"),
        ),
        ({"order": ["a", "b"]}, ("WK412", "/answers/order")),
        ({"order": ["a", "a", "b"]}, ("WK412", "/answers/order")),
    ],
)
def test_each_rule_has_its_code_and_pointer(
    ws: Worksheet, answers: dict[str, Any], expected: tuple[str, str]
) -> None:
    diags = validate_response(ws, response({**GOOD, **answers}))
    assert [(d.code, d.json_pointer) for d in diags if d.severity == "error"] == [expected]
    assert all(d.line is None and d.column is None for d in diags)
    assert all(d.code in CODES for d in diags)


def test_required_only_where_show_if_shows_the_item(ws: Worksheet) -> None:
    low = {**GOOD, "belief": 1}
    del low["balanced_thought"]
    assert validate_response(ws, response(low)) == []
    high = {**GOOD, "belief": 3}
    del high["balanced_thought"]
    assert codes(validate_response(ws, response(high))) == [
        ("WK402", "error", "/answers/balanced_thought")
    ]


def test_answer_to_hidden_item_is_a_warning(ws: Worksheet) -> None:
    diags = validate_response(ws, response({**GOOD, "belief": 0}))
    assert codes(diags) == [("WK409", "warning", "/answers/balanced_thought")]
    assert check_response(ws, response({**GOOD, "belief": 0})).valid


def test_column_show_if_and_required_columns_per_row(ws: Worksheet) -> None:
    rows = [{"intensity": 20, "why": "x"}, {"emotion": "sad", "intensity": 90}]
    diags = validate_response(ws, response({**GOOD, "emotions": rows}))
    assert codes(diags) == [
        ("WK402", "error", "/answers/emotions/0/emotion"),
        ("WK409", "warning", "/answers/emotions/0/why"),
    ]


def test_draft_without_submitted_at_may_miss_required_answers(ws: Worksheet) -> None:
    doc = response({"belief": 3})
    del doc["submitted_at"]
    result = check_response(ws, doc)
    assert result.valid
    assert {(d.code, d.severity) for d in result.diagnostics} == {("WK402", "warning")}
    # situation and balanced_thought are the shown required items; neither answered.
    assert result.fraction == 0.0


def test_messages_never_quote_the_answer(ws: Worksheet) -> None:
    secret = "SECRET-HEALTH-DATA"
    answers = {
        "situation": secret * 50,
        "code": secret,
        "belief": secret,
        "sleep": secret,
        "day": secret,
        "helped": [secret],
        "order": [secret],
        "emotions": [{"emotion": secret, "intensity": secret}],
        "when": secret,
    }
    diags = validate_response(ws, response(answers))
    assert len(diags) >= 9
    for d in diags:
        assert secret not in d.message
        assert secret not in (d.hint or "")


def test_worksheet_id_and_version_mismatch(ws: Worksheet) -> None:
    other = validate_response(ws, response(GOOD, worksheet="cbt.other"))
    assert codes(other) == [("WK410", "error", "/worksheet")]
    major = validate_response(ws, response(GOOD, version="2.0.0"))
    assert codes(major) == [("WK410", "error", "/version")]
    minor = validate_response(ws, response(GOOD, version="1.0.0"))
    assert codes(minor) == [("WK410", "warning", "/version")]
    ref = validate_response(ws, response(GOOD, worksheet="cbt.thought-record@1"))
    assert ref == []


@pytest.mark.parametrize(
    ("patch", "path"),
    [
        ({"worksheetkit": 2}, "/worksheetkit"),
        ({"kind": "worksheet"}, "/kind"),
        ({"submitted_at": "yesterday"}, "/submitted_at"),
        ({"submitted_at": "2026-12-01T20:21:00"}, "/submitted_at"),  # no offset
        ({"started_at": 5}, "/started_at"),
        ({"answers": []}, "/answers"),
        ({"ratings": {"difficulty": 9}}, "/ratings/difficulty"),
        ({"ratings": {"fun": 1}}, "/ratings/fun"),
        ({"obstacle": {"kind": "weather"}}, "/obstacle/kind"),
        ({"language": "English"}, "/language"),
        ({"step": "Bad Step"}, "/step"),
        ({"id": ""}, "/id"),
        ({"colour": "red"}, "/colour"),
    ],
)
def test_document_shape(ws: Worksheet, patch: dict[str, Any], path: str) -> None:
    diags = validate_response(ws, {**response(GOOD), **patch})
    assert [(d.code, d.json_pointer) for d in diags if d.severity == "error"] == [("WK411", path)]


def test_missing_keys_and_not_an_object(ws: Worksheet) -> None:
    diags = validate_response(ws, {"answers": {}})
    assert [d.code for d in diags if d.severity == "error"] == ["WK411", "WK411", "WK411"]
    for bad in (None, [], "response", 3, 2.5):
        assert codes(validate_response(ws, bad)) == [("WK411", "error", "")]


def test_started_after_submitted_is_a_warning(ws: Worksheet) -> None:
    diags = validate_response(ws, response(GOOD, started_at="2026-12-02T20:21:00+00:00"))
    assert codes(diags) == [("WK411", "warning", "/started_at")]


def test_unknown_keys_that_are_not_plain_names_are_named_by_position(ws: Worksheet) -> None:
    # A client's key is never copied into a path: "a/b~c" is the 15th key of the answers.
    diags = validate_response(ws, response({**GOOD, "a/b~c": 1}))
    assert [d.json_pointer for d in diags] == [f"/answers/#{len(GOOD) + 1}"]


# -- hostile input ------------------------------------------------------------------------------


def deep(n: int) -> Any:
    value: Any = 1
    for _ in range(n):
        value = [value]
    return value


HOSTILE: list[Any] = [
    {"situation": "x" * 5_000_000},
    {"sleep": math.nan},
    {"sleep": math.inf},
    {"sleep": -math.inf},
    {"sleep": 10**400},
    {"days": 10**400},
    {"belief": math.nan},
    {"emotions": [{"emotion": "sad", "intensity": 10}] * 10_000},
    {"emotions": deep(50_000)},
    {"helped": deep(50_000)},
    {"helped": ["walk"] * 10_000},
    {"belief": deep(50_000)},
    {f"extra{i}": i for i in range(5_000)},
    {"emotions": [{f"c{i}": i for i in range(3_000)}]},
    {"code": "a" * 999 + "!"},
    {"order": [[], {}, None]},
    {"emotions": [None, "row", [], {"emotion": [1]}]},
]


@pytest.mark.parametrize("answers", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_answers_give_diagnostics_not_exceptions(ws: Worksheet, answers: Any) -> None:
    result = check_response(ws, response(answers))
    assert not result.valid
    assert 1 <= len(result.diagnostics) <= 201
    assert all(d.code.startswith("WK4") for d in result.diagnostics)


def test_hostile_documents(ws: Worksheet) -> None:
    for doc in (
        deep(50_000),
        {"worksheetkit": math.nan, "kind": ["response"], "worksheet": {"x": 1}, "answers": None},
        {"worksheetkit": 1, "kind": "response", "worksheet": "x" * 10_000, "version": 1.0},
        {1: 2, None: 3},
    ):
        assert check_response(ws, doc).diagnostics
    json.dumps([d.to_dict() for d in check_response(ws, response(HOSTILE[12])).diagnostics])


def test_too_many_problems_are_capped_with_a_count(ws: Worksheet) -> None:
    diags = validate_response(ws, response({f"extra{i}": i for i in range(500)}))
    assert len(diags) == 201
    assert diags[-1].code == "WK400"
    # 500 unknown answers + the unanswered required 'situation' = 501; 200 listed.
    assert diags[-1].message.startswith("301 more problems")


def test_ten_thousand_rows_rejected_without_reading_rows(ws: Worksheet) -> None:
    rows = [{"emotion": "nope", "intensity": "x"}] * 10_000
    diags = validate_response(ws, response({**GOOD, "emotions": rows}))
    assert codes(diags) == [("WK407", "error", "/answers/emotions")]


def test_diagnostics_are_deterministic_and_in_document_order(ws: Worksheet) -> None:
    answers = {"zzz": 1, "order": ["a"], "situation": 5, "belief": 9}
    first = validate_response(ws, response(answers))
    second = validate_response(ws, response(dict(reversed(list(answers.items())))))
    assert first == second
    assert [d.json_pointer for d in first] == [
        "/answers/situation",
        "/answers/belief",
        "/answers/order",
        "/answers/zzz",
    ]


# -- fraction -----------------------------------------------------------------------------------


def test_fraction_counts_shown_required_items(ws: Worksheet) -> None:
    assert fraction(ws, {"belief": 0}) == 0.0  # situation is the only shown required item
    assert fraction(ws, {"belief": 0, "situation": "x"}) == 1.0
    assert fraction(ws, {"belief": 3, "situation": "x"}) == 0.5  # balanced_thought now shown
    assert fraction(ws, {"situation": 12}) == 0.0  # a wrong answer is not an answer
    assert fraction(ws, response({"situation": "x"})) == 1.0
    assert fraction(ws, ["not", "answers"]) is None


def _ws(text: str) -> Worksheet:
    doc = wk.loads(textwrap.dedent(text))
    assert isinstance(doc, Worksheet)
    return doc


def test_fraction_without_required_items_counts_shown_items() -> None:
    ws = _ws("""
        worksheetkit: 1
        id: t.optional
        version: 1.0.0
        title: T
        items:
          - {id: a, type: text, label: A}
          - {id: b, type: number, label: B}
          - {id: c, type: yesno, label: C}
          - {id: d, type: text, label: D, show_if: "c == true"}
    """)
    assert fraction(ws, {}) == 0.0
    assert fraction(ws, {"a": "x"}) == pytest.approx(1 / 3)
    assert fraction(ws, {"a": "x", "c": True}) == 0.5
    notes = _ws("""
        worksheetkit: 1
        id: t.notes
        version: 1.0.0
        title: T
        items:
          - {type: note, text: Read this.}
    """)
    assert fraction(notes, {}) == 1.0


def test_completion_expression_overrides_and_is_clamped() -> None:
    ws = _ws("""
        worksheetkit: 1
        id: t.reps
        version: 1.0.0
        title: T
        completion: "reps / 30"
        items:
          - {id: reps, type: number, label: Reps, required: true}
    """)
    assert fraction(ws, {"reps": 15}) == 0.5
    assert fraction(ws, {"reps": 45}) == 1.0
    assert fraction(ws, {"reps": -5}) == 0.0
    assert fraction(ws, {}) == 0.0


def test_response_model_accepted(ws: Worksheet) -> None:
    model = wk.Response.model_validate(response(GOOD))
    assert validate_response(ws, model) == []
    assert check_response(ws, model).valid


def test_wrong_worksheet_argument_is_a_bug_not_a_diagnostic() -> None:
    with pytest.raises(TypeError):
        validate_response({"not": "a worksheet"}, {})  # type: ignore[arg-type]


def test_every_code_is_documented_with_an_example() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "responses.md").read_text("utf-8")
    for code in CODES:
        assert f"| **{code}**" in doc, code


def test_the_docs_first_example_runs() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    phq9 = wk.load(root / "examples" / "instruments" / "phq-9.yaml")
    assert isinstance(phq9, Worksheet)
    data = json.loads(
        (root / "examples" / "responses" / "phq-9-moderately-severe-item9.json").read_text()
    )
    assert wk.validate_response(phq9, data) == []
    assert wk.score(phq9, data)["total"].value == 17
    assert wk.score(phq9, data)["total"].band == "Moderately severe"


def test_completion_fraction_is_exact_for_every_answer_type() -> None:
    # fraction() remembers results by answer; True, 1 and 1.0 must not share an entry.
    from worksheetkit import loads
    from worksheetkit.responses import fraction

    ws = loads(
        "worksheetkit: 1\nid: t.reps\nversion: 1.0.0\ntitle: R\ncompletion: 'min(1, reps / 30)'\n"
        "items: [{id: reps, type: number, label: Reps, integer: true, min: 0, max: 300}]\n"
    )
    cases = [({"reps": 15}, 0.5), ({"reps": True}, 0.0), ({"reps": 1.5}, 0.0),
             ({"reps": 15}, 0.5), ({"reps": "15"}, 0.0), ({}, 0.0), ({"reps": 500}, 0.0),
             ({"reps": 45}, 1.0)]  # fmt: skip
    for answers, expected in cases * 2:  # the second round is answered from memory
        assert fraction(ws, answers) == expected, answers

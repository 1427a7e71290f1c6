"""Forms that round-trip: response_from_form reads the no-JavaScript POST back, and
render(answers=, diagnostics=) redisplays a rejected submission (docs/rendering.md)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import worksheetkit as wk
from worksheetkit import Worksheet, load
from worksheetkit.model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    Likert,
    NumberItem,
    Ranking,
    Rating,
    Section,
    Table,
    TextItem,
    TimeItem,
    YesNo,
    item_options,
)
from worksheetkit.rendering import (
    render,
    response_from_form,
    response_from_form_with_diagnostics,
    runtime,
    runtime_script,
)
from worksheetkit.rendering._forms import duration_text
from worksheetkit.responses import validate_response

sys.path.insert(0, str(Path(__file__).resolve().parent))
from form_serialise import serialise
from strategies import examples
from test_render_golden import example_worksheets

HERE = Path(__file__).resolve().parent
NOW = dt.datetime(2026, 12, 1, 20, 21, tzinfo=dt.UTC)
SECRET = "SECRET-ANSWER-7731"


def kitchen_sink() -> Worksheet:
    ws = load(HERE / "browser" / "worksheets" / "kitchen-sink.yaml")
    assert isinstance(ws, Worksheet)
    return ws


SHEETS: list[tuple[str, Worksheet]] = [*example_worksheets(), ("kitchen-sink", kitchen_sink())]
THOUGHT = load("examples/worksheets/thought-record.yaml")
assert isinstance(THOUGHT, Worksheet)


# -- answers of the right shape for any worksheet model --------------------------------------

_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() != "")
_MULTILINE = st.lists(_TEXT, min_size=1, max_size=3).map("\n".join)


def _number(item: Any) -> st.SearchStrategy[Any]:
    if isinstance(item, Rating):
        steps = round((item.max - item.min) / item.step)
        return st.integers(0, steps).map(lambda k: _whole(item.min + k * item.step))
    ints = st.integers(-(10**9), 10**9)
    floats = st.floats(-1e9, 1e9, allow_nan=False).map(lambda f: _whole(round(f, 4)))
    return ints if item.integer else ints | floats


def _whole(x: float) -> int | float:
    x = round(x, 10)
    return int(x) if float(x).is_integer() else x


def _values(item: Any) -> list[Any]:
    return [o.value for o in item_options(item)]


def answer(item: Any) -> st.SearchStrategy[Any]:
    """A value the form's controls can hold (which need not pass validate_response)."""
    if isinstance(item, TextItem):
        return _MULTILINE if item.multiline and not item_in_cell(item) else _TEXT
    if isinstance(item, NumberItem | Rating):
        return _number(item)
    if isinstance(item, YesNo):
        return st.booleans()
    if isinstance(item, DateItem):
        return st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)).map(dt.date.isoformat)
    if isinstance(item, TimeItem):
        return st.sampled_from(["00:00", "08:30", "20:00", "23:59:59"])
    if isinstance(item, DateTimeItem):
        return st.sampled_from(["2026-12-01T20:00", "2026-03-29T01:30", "2026-12-01T20:00:30"])
    if isinstance(item, DurationItem):
        return st.integers(0, 100_000).map(duration_text)
    if isinstance(item, Choice | Likert):
        plain = st.sampled_from(_values(item))
        if isinstance(item, Choice) and item.other:
            return plain | _TEXT.map(lambda t: {"other": t.strip()})
        return plain
    if isinstance(item, Checklist):
        values = _values(item)

        @st.composite
        def pick(draw: st.DrawFn) -> list[Any]:
            chosen = draw(st.lists(st.sampled_from(values), unique=True, max_size=len(values)))
            out: list[Any] = [v for v in values if v in chosen]
            if item.other and draw(st.booleans()):
                out.append({"other": draw(_TEXT).strip()})
            if not out:
                out = [values[0]]
            return out

        return pick()
    if isinstance(item, Ranking):
        return st.permutations(_values(item)).map(list)
    if isinstance(item, Table):
        row = st.fixed_dictionaries(
            {}, optional={c.id: answer(c) for c in item.columns if not c.readonly}
        ).filter(bool)
        high = min(item.max_rows or 3, 3)
        return st.lists(row, min_size=1, max_size=max(high, 1))
    raise AssertionError(type(item))


_CELLS: set[int] = set()


def item_in_cell(item: Any) -> bool:
    return id(item) in _CELLS


def inputs(items: list[Any]) -> list[Any]:
    out = []
    for item in items:
        if isinstance(item, Section):
            out.extend(inputs(item.items))
        elif getattr(item, "id", None) and hasattr(item, "required"):
            out.append(item)
            if isinstance(item, Table):
                _CELLS.update(id(c) for c in item.columns)
    return out


@st.composite
def answers_for(draw: st.DrawFn, ws: Worksheet) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in inputs(ws.items):
        if item.readonly:
            continue
        # A ranking is always sent: its order is the answer (docs/rendering.md).
        if not isinstance(item, Ranking) and not draw(st.booleans()):
            continue
        out[item.id] = draw(answer(item))
    return out


def _same(value: Any) -> Any:
    """Answers compared as JSON sees them (1 == 1.0; durations by length)."""
    if isinstance(value, dict):
        return {k: _same(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_same(v) for v in value]
    return value


def expected(ws: Worksheet, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers minus those show_if hides (the form leaves them out, as the script does)."""
    response = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": ws.id,
        "version": ws.version,
        "answers": answers,
    }
    hidden = [d.path for d in validate_response(ws, response) if d.code == "WK409"]
    out = {
        k: [dict(r) for r in v] if isinstance(v, list) and v and isinstance(v[0], dict) else v
        for k, v in answers.items()
    }
    for path in hidden:
        parts = path[1:]
        if len(parts) == 1:
            out.pop(parts[0], None)
        else:
            out[parts[0]][parts[1]].pop(parts[2], None)
    for key, value in list(out.items()):
        if isinstance(value, list) and value and isinstance(value[0], dict):
            rows = [r for r in value if r]
            if rows:
                out[key] = rows
            else:
                del out[key]
    return out


@pytest.mark.parametrize(("name", "ws"), SHEETS, ids=[n for n, _ in SHEETS])
@settings(max_examples=examples(15), suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_answers_survive_render_post_and_read_back(name: str, ws: Worksheet, data: Any) -> None:
    answers = data.draw(answers_for(ws))
    html = render(ws, "html", fragment=True, answers=answers)
    posted = serialise(html)
    response, _ = response_from_form_with_diagnostics(ws, posted, submitted_at=NOW)
    assert response["worksheet"] == ws.id
    assert response["version"] == ws.version
    readonly = {i.id for i in inputs(ws.items) if i.readonly}
    got = {k: v for k, v in response["answers"].items() if k not in readonly}
    assert _same(got) == _same(expected(ws, answers))


def test_every_item_type_is_in_the_round_trip() -> None:
    kinds = {type(i).__name__ for _, ws in SHEETS for i in inputs(ws.items)}
    cols = {
        type(c).__name__
        for _, ws in SHEETS
        for i in inputs(ws.items)
        if isinstance(i, Table)
        for c in i.columns
    }
    assert kinds >= {
        "TextItem",
        "NumberItem",
        "Rating",
        "YesNo",
        "DateItem",
        "TimeItem",
        "DateTimeItem",
        "DurationItem",
        "Choice",
        "Likert",
        "Checklist",
        "Ranking",
        "Table",
    }
    assert cols >= {"TextItem", "NumberItem", "Rating", "Choice"}


def test_an_empty_form_reads_as_no_answers() -> None:
    ws = kitchen_sink()
    posted = serialise(render(ws, "html", fragment=True))
    response = response_from_form(ws, posted, submitted_at=NOW)
    rankings = {i.id for i in inputs(ws.items) if isinstance(i, Ranking)}
    defaults = {i.id for i in inputs(ws.items) if getattr(i, "default", None) is not None}
    # Only what the form sends by itself: a ranking's order (the order is the answer) and
    # questions with a default.
    assert set(response["answers"]) <= rankings | defaults
    assert response["submitted_at"] == response["started_at"] == "2026-12-01T20:21:00Z"


# -- what does not read is kept, never dropped ------------------------------------------------


def test_values_that_do_not_read_are_kept_for_validate_response_to_report() -> None:
    form = [
        ("situation", "At work\r\nlate"),
        ("emotions[0][emotion]", "sad"),
        ("emotions[0][intensity]", "eighty " + SECRET),
        ("emotions[3][emotion]", "not-an-option"),
        ("belief", SECRET),
        ("difficulty", "1.5e1"),
        ("thought", "x"),
    ]
    response = response_from_form(THOUGHT, form, submitted_at=NOW)
    answers = response["answers"]
    assert answers["situation"] == "At work\nlate"
    assert answers["emotions"] == [
        {"emotion": "sad", "intensity": "eighty " + SECRET},
        {"emotion": "not-an-option"},
    ]
    assert answers["belief"] == SECRET
    assert answers["difficulty"] == 15
    problems = validate_response(THOUGHT, response)
    codes = {(d.code, d.json_pointer) for d in problems}
    assert ("WK401", "/answers/emotions/0/intensity") in codes
    assert ("WK405", "/answers/emotions/1/emotion") in codes
    assert ("WK405", "/answers/belief") in codes
    assert ("WK403", "/answers/difficulty") in codes
    assert all(SECRET not in d.message for d in problems)


def test_two_values_for_one_question_are_kept() -> None:
    response = response_from_form(THOUGHT, [("thought", "a"), ("thought", "b")], submitted_at=NOW)
    assert response["answers"]["thought"] == ["a", "b"]
    assert ("WK401", "/answers/thought") in {
        (d.code, d.json_pointer) for d in validate_response(THOUGHT, response)
    }


def test_unknown_fields_are_left_out_and_named_never_their_values() -> None:
    form = [
        ("thought", "x"),
        ("csrf_token", SECRET),
        ("emotions[0][nope]", SECRET),
        ("emotions[x][emotion]", SECRET),
        ("go", ""),
    ]
    response, problems = response_from_form_with_diagnostics(
        THOUGHT, form, submitted_at=NOW, ignore=["go"]
    )
    assert response["answers"] == {"thought": "x"}
    assert [d.code for d in problems] == ["WK408"] * 3
    assert all(d.severity == "warning" for d in problems)
    text = " ".join(d.message + (d.hint or "") for d in problems)
    assert "'csrf_token'" in text
    assert "'emotions[0][nope]'" in text
    assert SECRET not in text


def test_answers_to_hidden_questions_are_left_out_as_the_script_does() -> None:
    ws = wk.loads(
        """
worksheetkit: 1
id: demo.hidden
version: 1.0.0
title: Hidden
items:
  - {id: smoke, type: yesno, label: Do you smoke?}
  - {id: cigs, type: number, label: How many a day?, show_if: "smoke == true"}
"""
    )
    response, problems = response_from_form_with_diagnostics(
        ws, [("smoke", "false"), ("cigs", "12")], submitted_at=NOW
    )
    assert response["answers"] == {"smoke": False}
    assert [(d.code, d.json_pointer) for d in problems] == [("WK409", "/answers/cigs")]
    shown = response_from_form(ws, [("smoke", "true"), ("cigs", "12")], submitted_at=NOW)
    assert shown["answers"] == {"smoke": True, "cigs": 12}


def test_other_choice_without_its_text_is_kept_for_validation() -> None:
    form = [("emotions[0][emotion]", "__other__"), ("emotions[0][emotion]__other", "  ")]
    response = response_from_form(THOUGHT, form, submitted_at=NOW)
    assert response["answers"]["emotions"] == [{"emotion": {"other": ""}}]
    assert validate_response(THOUGHT, response)  # reported, not silently dropped


def test_multidicts_and_pairs_read_the_same() -> None:
    class MultiDict:
        def __init__(self, pairs: list[tuple[str, str]]) -> None:
            self.pairs = pairs

        def keys(self) -> list[str]:
            return [k for k, _ in self.pairs]

        def getlist(self, key: str) -> list[str]:
            return [v for k, v in self.pairs if k == key]

    ws = kitchen_sink()
    pairs = serialise(render(ws, "html", fragment=True))
    assert response_from_form(ws, MultiDict(pairs), submitted_at=NOW) == response_from_form(
        ws, pairs, submitted_at=NOW
    )
    with pytest.raises(TypeError, match="multidict"):
        response_from_form(ws, dict(pairs), submitted_at=NOW)
    starlette = pytest.importorskip("starlette.datastructures")
    assert response_from_form(ws, starlette.FormData(pairs), submitted_at=NOW) == (
        response_from_form(ws, pairs, submitted_at=NOW)
    )


def test_draft_and_stamps() -> None:
    response = response_from_form(THOUGHT, [], draft=True, submitted_at=NOW, language="es")
    assert "submitted_at" not in response
    assert response["language"] == "es"
    assert {d.severity for d in validate_response(THOUGHT, response)} == {"warning"}  # a draft
    with pytest.raises(ValueError, match="aware"):
        response_from_form(THOUGHT, [], submitted_at=dt.datetime(2026, 12, 1))


def test_top_level_exports() -> None:
    assert wk.response_from_form is response_from_form
    assert "response_from_form" in wk.__all__


# -- redisplaying a rejected submission -------------------------------------------------------


def _rejected() -> tuple[dict[str, Any], list[Any], str]:
    form = [
        ("situation", "At work"),
        ("emotions[0][emotion]", "sad"),
        ("emotions[0][intensity]", "80"),
        ("emotions[1][emotion]", "__other__"),
        ("emotions[1][emotion]__other", "flat"),
        ("emotions[1][intensity]", "lots"),
        ("belief", "3"),
    ]
    response = response_from_form(THOUGHT, form, submitted_at=NOW)
    problems = validate_response(THOUGHT, response)
    return response, problems, render(THOUGHT, "html", answers=response, diagnostics=problems)


def test_redisplay_keeps_the_answers() -> None:
    response, _, html = _rejected()
    again = response_from_form(THOUGHT, serialise(html), submitted_at=NOW)
    # All but the text in a number box, which HTML cannot show there: its message says so.
    assert response["answers"]["emotions"][1].pop("intensity") == "lots"
    assert again["answers"] == response["answers"]
    assert 'value="flat"' in html
    assert "data-wk-prefilled" in html


def test_redisplay_shows_each_problem_beside_its_question_and_in_a_summary() -> None:
    _, problems, html = _rejected()
    assert [(d.code, d.json_pointer) for d in problems] == [
        ("WK401", "/answers/emotions/1/intensity"),
        ("WK402", "/answers/thought"),
    ]
    prefix = "wk-cbt-thought-record"
    assert "<title>Error: Thought record</title>" in html
    summary = re.search(r'<div class="wk-error-summary"[^>]*>.*?</div>', html, re.S)
    assert summary is not None
    assert " hidden" not in summary.group(0).split(">")[0]
    links = re.findall(r'<a href="#([^"]+)">', summary.group(0))
    assert links == [f"{prefix}-emotions-r1-intensity", f"{prefix}-thought"]
    for target in links:  # every link leads to a control that exists
        assert f'id="{target}"' in html
    # beside the questions: the message, aria-invalid and aria-describedby
    box = re.search(rf'<p class="wk-error" id="{prefix}-thought-error">(.*?)</p>', html)
    assert box is not None
    assert box.group(1).startswith('<span class="wk-vh">Error: </span>')
    assert f'class="wk-item wk-item--text wk-item--error" id="{prefix}-thought-item"' in html
    textarea = re.search(rf'<textarea [^>]*id="{prefix}-thought"[^>]*>', html)
    assert textarea is not None
    assert 'aria-invalid="true"' in textarea.group(0)
    assert f'aria-describedby="{prefix}-thought-error' in textarea.group(0)
    cell = re.search(rf'<input [^>]*id="{prefix}-emotions-r1-intensity"[^>]*>', html)
    assert cell is not None
    assert 'aria-invalid="true"' in cell.group(0)
    assert f'aria-describedby="{prefix}-emotions-error"' in cell.group(0)
    # the questions without a problem stay as they were
    assert f'<p class="wk-error" id="{prefix}-situation-error" hidden></p>' in html


def test_diagnostics_as_dicts_and_without_a_question() -> None:
    _, problems, _html = _rejected()
    as_dicts = [d.as_dict() for d in problems]
    general = {
        "code": "WK410",
        "severity": "error",
        "message": "Wrong version.",
        "path": "/version",
    }
    unknown = {"code": "WK408", "message": "Not here.", "path": "/answers/zzz"}
    own = {"code": "app-duplicate", "message": "Already sent.", "path": "/occurrence"}
    out = render(THOUGHT, "html", diagnostics=[*as_dicts, general, unknown, own])
    # worksheetkit's problems that are not at a question: one plain sentence, said once
    assert (
        out.count("<li>Some answers could not be accepted. Check them and submit again.</li>") == 1
    )
    assert "Wrong version." not in out
    assert "Not here." not in out
    # an app's own code: its own words, as given
    assert "<li>Already sent.</li>" in out
    assert out.count('<span class="wk-error-message">') == 2


def test_no_diagnostics_renders_exactly_as_before() -> None:
    assert render(THOUGHT, "html", diagnostics=[]) == render(THOUGHT, "html")
    assert render(THOUGHT, "html", fragment=True, heading_level=2) == render(
        THOUGHT, "html", fragment=True
    )


def test_heading_level_for_every_fragment() -> None:
    html = render(THOUGHT, "html", fragment=True, heading_level=3)
    assert '<h3 class="wk-title"' in html
    assert "<h2" not in html
    phq9 = load("examples/instruments/phq-9.yaml")
    resp = load("examples/responses/phq-9-mild.json")
    review = render(resp, "html", fragment=True, worksheet=phq9, heading_level=4)
    assert "<h4" in review
    assert "<h2" not in review
    assert "<h3" not in review
    for bad in (0, 6, True, 2.0):
        with pytest.raises(ValueError, match="heading_level"):
            render(THOUGHT, "html", fragment=True, heading_level=bad)  # type: ignore[arg-type]


# -- the runtime as a file ---------------------------------------------------------------------


def test_runtime_as_a_file_with_its_hashes() -> None:
    import base64
    import hashlib

    rt = runtime()
    assert rt.text == runtime_script()
    assert rt.bytes == rt.text.encode("utf-8")
    assert (
        rt.sha384_integrity
        == "sha384-" + base64.b64encode(hashlib.sha384(rt.bytes).digest()).decode()
    )
    assert (
        rt.csp_hash
        == "'sha256-" + base64.b64encode(hashlib.sha256(rt.bytes).digest()).decode() + "'"
    )
    assert re.fullmatch(r"worksheetkit-[0-9a-f]{12}\.js", rt.filename)
    assert len(rt.bytes) > 30_000


def test_include_runtime_false_references_the_runtime() -> None:
    inline = render(THOUGHT, "html", fragment=True)
    bare = render(THOUGHT, "html", fragment=True, include_runtime=False)
    assert runtime_script() in inline
    assert runtime_script() not in bare
    assert "<script>" not in bare
    assert "<script src" not in bare
    linked = render(THOUGHT, "html", fragment=True, include_runtime=False, runtime_url="/s/wk.js")
    assert (
        f'<script src="/s/wk.js" integrity="{runtime().sha384_integrity}" crossorigin="anonymous">'
        "</script>" in linked
    )
    assert len(linked) < len(inline) - 30_000


def test_no_inline_style_attributes() -> None:
    """A strict CSP (style-src 'self') refuses style="" attributes: the form has none."""
    for name, ws in SHEETS:
        html = render(ws, "html", fragment=True)
        assert " style=" not in html, name


def test_drafts_attributes() -> None:
    html = render(THOUGHT, "html", fragment=True, drafts=True, draft_key='a-1/o"2')
    assert 'data-wk-drafts="local" data-wk-draft-key="a-1/o&#34;2"' in html
    assert 'data-wk-drafts="event"' in render(THOUGHT, "html", fragment=True, drafts="event")
    plain = render(THOUGHT, "html", fragment=True, include_runtime=False)
    assert "data-wk-drafts" not in plain
    with pytest.raises(ValueError, match="drafts"):
        render(THOUGHT, "html", drafts="cloud")  # type: ignore[arg-type]


# -- the client's words: a redisplayed problem never shows an item id -----------------------------

PHQ9 = load("examples/instruments/phq-9.yaml")


def _visible_problems(html: str) -> list[str]:
    """The texts a client reads: each message beside a question and each summary entry."""
    beside = re.findall(r'<span class="wk-error-message">(.*?)</span>', html)
    summary = re.search(r"data-wk-error-list[^>]*>(.*?)</ul>", html, re.S)
    assert summary is not None
    entries = re.findall(r"<li>(?:<a [^>]*>)?(.*?)(?:</a>)?</li>", summary.group(1))
    return beside + entries


def test_redisplayed_problems_read_naturally_and_name_no_item_id() -> None:
    response = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "instruments.phq-9",
        "submitted_at": "2026-12-02T09:05:30Z",
        "answers": {"q1": 2, "q2": 7, "q3": "often", "q4": 1, "q5": 1, "q6": 1, "q7": 1,
                    "q8": 1, "zz": 3},
    }  # fmt: skip
    problems = validate_response(PHQ9, response)
    ids = {d.path[1] for d in problems if d.path[:1] == ("answers",) and len(d.path) > 1}
    assert ids == {"q2", "q3", "q9", "zz"}
    assert any("'q2'" in d.message for d in problems)  # clinicians' messages name the item
    for language in ("en", "es"):
        html = render(PHQ9, "html", language=language, answers=response, diagnostics=problems)
        shown = _visible_problems(html)
        assert len(shown) == 7  # q2, q3, q9 beside their questions and in the summary; zz once
        for text in shown:
            assert not re.search(r"\bq\d\b|\bzz\b", text), text
    html = render(PHQ9, "html", answers=response, diagnostics=problems)
    shown = _visible_problems(html)
    assert shown[0] == "Select an answer: Feeling down, depressed, or hopeless"  # q2's label


def test_the_client_words_for_numbers_say_the_range() -> None:
    from worksheetkit.rendering._client_words import client_words
    from worksheetkit.rendering._strings import ui_strings

    ui = ui_strings("en")
    spec = {"type": "number", "label": "Hours slept", "min": 0, "max": 10}
    assert client_words("WK403", spec, ui) == "Enter a number from 0 to 10: Hours slept"
    assert client_words("WK401", spec, ui) == "Enter a number: Hours slept"
    assert client_words("WK403", {**spec, "max": None}, ui) == "Hours slept must be 0 or more"
    text = {"type": "text", "label": "Note", "max_length": 20}
    assert client_words("WK404", text, ui) == "Note must be 20 characters or fewer"
    assert client_words("WK402", {"type": "table", "label": "Log", "min_rows": 0}, ui) == (
        "Add at least 1 rows: Log"
    )

"""The compiled fast path of validate_response (responses/_compiled.py) and is_valid_response.

Whichever path a response takes, validate_response returns exactly what the complete pass
returns, and is_valid_response gives its verdict. Checked on every response case, the examples'
responses and variants of them (unknown keys, faults, drafts, hidden answers, lookalike values).
"""

from __future__ import annotations

import copy
import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import worksheetkit as wk
from strategies import (
    answers_for,
    examples,
    hostile_responses,
    json_like,
    response_for,
    to_yaml,
    worksheets,
)
from worksheetkit._patterns import compile_pattern
from worksheetkit.errors import Diagnostic, has_errors
from worksheetkit.expressions import step_budget
from worksheetkit.responses import is_valid_response, validate_response
from worksheetkit.responses import validate as complete
from worksheetkit.responses._checks import CHECKS, MEMO_LIMIT, memoized
from worksheetkit.responses._compiled import _source, compiled
from worksheetkit.responses._plan import plan_for

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases" / "responses"


def full_pass(ws: wk.Worksheet, data: Any) -> list[Diagnostic]:
    """What validate_response returned before the fast path: the complete pass alone."""
    plan, out, _ = complete._session(ws, data, all_scores=False)
    return complete._ordered(plan, out)


def variants(doc: Any) -> list[Any]:
    """``doc`` and documents one change away from it."""
    found = [doc]
    if type(doc) is not dict or type(doc.get("answers")) is not dict:
        return found
    answers = doc["answers"]
    found.append({**doc, "answers": {**answers, "qq_unknown": 1}})
    found.append({**doc, "answers": {**answers, "zz": 1, "also not known": [1], "3": None}})
    found.append({k: v for k, v in doc.items() if k != "submitted_at"})  # a draft
    found.append({**doc, "started_at": "2026-13-01T00:00:00Z"})
    found.append({**doc, "version": "9.0.0"})
    for key in list(answers)[:6]:
        for value in (True, 1, 1.0, "1", None, "", [], {"other": "x"}, 10**20, -0.0):
            changed = copy.deepcopy(doc)
            changed["answers"][key] = value
            found.append(changed)
    return found


def documents() -> list[tuple[wk.Worksheet, Any]]:
    out: list[tuple[wk.Worksheet, Any]] = []
    case_ws = wk.load(CASES / "worksheet.yaml")
    for path in sorted(CASES.glob("*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        out.extend((case_ws, v) for v in variants(doc))
    pack = wk.load_pack(ROOT / "examples")
    sheets = {ws.id: ws for ws in pack.worksheets}
    for path in sorted((ROOT / "examples" / "responses").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        ws = sheets[doc["worksheet"].partition("@")[0]]
        out.extend((ws, v) for v in variants(doc))
    return out


DOCUMENTS = documents()


def test_the_corpus_reaches_both_paths() -> None:
    clean = sum(1 for ws, d in DOCUMENTS if not full_pass(ws, d))
    only_unknown = sum(
        1
        for ws, d in DOCUMENTS
        if (found := full_pass(ws, d)) and all(x.code == "WK408" for x in found)
    )
    assert clean >= 20
    assert only_unknown >= 20
    assert len(DOCUMENTS) - clean - only_unknown >= 200


def test_validate_response_equals_the_complete_pass() -> None:
    for ws, doc in DOCUMENTS:
        assert validate_response(ws, doc) == full_pass(ws, doc), doc


def test_is_valid_response_is_the_verdict_of_validate_response() -> None:
    for ws, doc in DOCUMENTS:
        assert is_valid_response(ws, doc) is not has_errors(full_pass(ws, doc)), doc


def test_not_a_response_at_all() -> None:
    ws = wk.load(CASES / "worksheet.yaml")
    for data in (None, [], "x", 3, {"answers": []}):
        assert is_valid_response(ws, data) is False
        assert validate_response(ws, data) == full_pass(ws, data)


def _yes_no_sheet() -> wk.Worksheet:
    return wk.loads(
        """
worksheetkit: 1
id: memo.check
version: 1.0.0
title: Memo
items:
  - {id: did, type: yesno, label: Did it}
  - {id: level, type: choice, label: Level, options: [1, 2]}
"""
    )


def _doc(answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "memo.check",
        "version": "1.0.0",
        "submitted_at": "2026-12-01T20:00:00+00:00",
        "answers": answers,
    }


def test_the_verdict_memo_tells_true_from_1_and_1_from_1_0() -> None:
    # True == 1 == 1.0 in Python; as answers they differ (a yes/no is never a number).
    ws = _yes_no_sheet()
    assert validate_response(ws, _doc({"did": True, "level": 1})) == []
    assert [d.code for d in validate_response(ws, _doc({"did": 1}))] == ["WK401"]
    assert [d.code for d in validate_response(ws, _doc({"level": True}))] == ["WK401"]
    assert validate_response(ws, _doc({"level": 1.0})) == []
    assert is_valid_response(ws, _doc({"did": 1})) is False


def test_the_verdict_memo_is_bounded() -> None:
    ws = wk.loads(
        """
worksheetkit: 1
id: memo.check
version: 1.0.0
title: Memo
items:
  - {id: steps, type: number, label: Steps, integer: true, min: 0}
"""
    )
    for n in range(MEMO_LIMIT * 3):
        assert validate_response(ws, _doc({"steps": n})) == []
    check = plan_for(ws).fields["steps"].check
    memo = inspect.getclosurevars(check).nonlocals["memo"]
    assert len(memo) == MEMO_LIMIT


@pytest.mark.parametrize("count", [1, 3])
def test_unknown_keys_are_worded_as_before(count: int) -> None:
    ws = _yes_no_sheet()
    doc = _doc({"did": True, **{f"dids{i}": 1 for i in range(count)}})
    found = validate_response(ws, doc)
    assert found == full_pass(ws, doc)
    assert [d.code for d in found] == ["WK408"] * count
    assert found[0].hint == "Did you mean 'did'?"


# -- generated responses: the compiled path agrees with the complete pass ----------------------

_PROPS = settings(
    max_examples=examples(60),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _sheet(data: dict[str, Any]) -> wk.Worksheet:
    ws = wk.loads(to_yaml(data))
    assert isinstance(ws, wk.Worksheet)
    return ws


def _agree(ws: wk.Worksheet, doc: Any) -> None:
    expected = full_pass(ws, doc)
    for _ in range(2):  # the second time through, every clean verdict comes from the memos
        assert validate_response(ws, doc) == expected, doc
        assert is_valid_response(ws, doc) is not has_errors(expected), doc


@_PROPS
@given(data=worksheets(), draw=st.data())
def test_compiled_path_agrees_on_well_formed_responses(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    ws = _sheet(data)
    answers = draw.draw(answers_for(data))
    doc = response_for(data, answers, draft=draw.draw(st.booleans()))
    _agree(ws, doc)
    # One unknown key more, somewhere among the others.
    keys = list(answers.items())
    at = draw.draw(st.integers(0, len(keys)))
    name = draw.draw(st.sampled_from(["zz_not_a_question", "q1x", "", "3", "é"]))
    _agree(ws, {**doc, "answers": dict([*keys[:at], (name, 1), *keys[at:]])})


@_PROPS
@given(data=worksheets(), draw=st.data())
def test_compiled_path_agrees_on_hostile_responses(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    ws = _sheet(data)
    _agree(ws, draw.draw(hostile_responses(data)))


@_PROPS
@given(data=worksheets(), values=st.lists(json_like, max_size=6))
def test_a_memoized_check_says_what_the_check_says(data: dict[str, Any], values: list[Any]) -> None:
    ws = _sheet(data)
    plan = plan_for(ws)
    items = [f.item for f in plan.fields.values()]
    items += [c.item for f in plan.fields.values() for c in (f.columns or {}).values()]
    for item in items:
        if type(item) not in CHECKS:
            continue
        raw, kept = CHECKS[type(item)](item), memoized(CHECKS[type(item)](item))
        for value in [*values, *values]:  # twice: the second answer comes from the memo
            want: list[Diagnostic] = []
            got: list[Diagnostic] = []
            expected = raw(value, ("answers", "x"), "'x'", want)
            result = kept(value, ("answers", "x"), "'x'", got)
            assert got == want
            assert result is expected or (result == expected and type(result) is type(expected))


def test_a_str_subclass_key_is_an_unknown_key_as_in_the_complete_pass() -> None:
    class Key(str):
        pass

    ws = _yes_no_sheet()
    for answers in ({Key("did"): True}, {Key("did"): True, "zz": 1}, {"did": True, Key("x"): 1}):
        doc = _doc(answers)  # type: ignore[arg-type]
        found = validate_response(ws, doc)
        assert found == full_pass(ws, doc)
        assert "WK408" in [d.code for d in found]
        assert is_valid_response(ws, doc) is False


# -- the generated code: author text never becomes source ----------------------------------------

HOSTILE = [
    'x"]; __import__("os").system("echo owned") #',
    "y'''\nraise SystemExit\n'''",
    'z"""\n__import__("sys").exit(3)\n"""',
    "K0",
    "C1",
    "NO",
    "return values, found",
    "\u202eevil\u0000",
    "é\n\t\\",
    "__builtins__",
]


def _hostile_plan() -> tuple[Any, list[str]]:
    """A plan whose field ids are hostile texts (the loader refuses such ids, so they are put
    into a plan built from a plain worksheet, as a worksheet built in code could carry them)."""
    ws = wk.loads(
        "worksheetkit: 1\nid: hostile.ids\nversion: 1.0.0\ntitle: Hostile\nitems:\n"
        + "".join(
            f"  - {{id: f{i}, type: choice, label: L, options: [1, 2]}}\n"
            for i in range(len(HOSTILE))
        )
    )
    plan = copy.copy(plan_for(ws))
    fields = {}
    for hostile, f in zip(HOSTILE, plan.fields.values(), strict=True):
        g = copy.copy(f)
        g.id = hostile
        fields[hostile] = g
    plan.fields = fields
    plan.compiled = None
    return plan, HOSTILE


def test_ids_reach_the_generated_code_as_values_never_as_source() -> None:
    plan, ids = _hostile_plan()
    source = _source(plan)
    plain, _ = _hostile_plan()
    plain.fields = {f"f{i}": f for i, f in enumerate(plain.fields.values())}
    assert source == _source(plain)  # the same text whatever the ids are
    for hostile in ids:
        if hostile not in ("K0", "C1", "NO", "return values, found"):  # names the template uses
            assert hostile not in source
    c = compiled(plan)
    answers = dict.fromkeys(ids, 1)
    assert c.answers(answers, []) == (dict.fromkeys(ids, 1), [])
    # Keys that spell the generated code's own names are unknown keys like any other.
    odd = {"get": 1, "values": 2, "found": 3, "v": 4, "r": 5, "f0": 6}
    assert c.answers(odd, []) == ({}, [(k, i) for i, k in enumerate(odd, 1)])
    scratch: list[Diagnostic] = []
    assert c.answers({ids[0]: 3}, scratch) is None  # 3 is not an option: the check said so
    assert [d.code for d in scratch] == ["WK405"]


def test_hostile_labels_patterns_and_messages_change_nothing() -> None:
    ws = _sheet(
        {
            "worksheetkit": 1,
            "id": "hostile.texts",
            "version": "1.0.0",
            "title": HOSTILE[2],
            "items": [
                {
                    "id": "code",
                    "type": "text",
                    "label": HOSTILE[2],
                    "pattern": '("""|__import__\\(\'os\'\\)|[a-z]{2})',
                    "pattern_message": HOSTILE[1],
                },
                {
                    "id": "pick",
                    "type": "choice",
                    "label": HOSTILE[0],
                    "options": ['"""', "__import__('os')", "é\n"],
                },
            ],
        }
    )
    plan = plan_for(ws)
    source = _source(plan)
    assert "__import__" not in source
    assert '"""' not in source
    assert "code" not in source
    for answers in (
        {"code": '"""', "pick": '"""'},
        {"code": "__import__('os')", "pick": "__import__('os')"},
        {"code": "ab", "pick": "é\n"},
        {"code": "'''", "pick": "x"},
        {"code": "abc"},
    ):
        _agree(ws, _doc_for(ws, answers))
    assert validate_response(ws, _doc_for(ws, {"code": '"""', "pick": "é\n"})) == []
    found = validate_response(ws, _doc_for(ws, {"code": "'''"}))
    assert [d.code for d in found] == ["WK404"]
    assert HOSTILE[1] in found[0].message  # the author's own message, as written


def _doc_for(ws: wk.Worksheet, answers: dict[str, Any]) -> dict[str, Any]:
    return {**_doc(answers), "worksheet": ws.id}


def test_the_generated_code_has_no_builtins() -> None:
    c = compiled(plan_for(_yes_no_sheet()))
    assert c.check.__globals__["__builtins__"] == {}


# -- the pattern matcher's own fast call ------------------------------------------------------


@settings(max_examples=examples(300), deadline=None, derandomize=True, database=None)
@given(text=st.text(max_size=12) | st.sampled_from(["ABC-12", "ab", "é", "\ud800", "a\nb", ""]))
def test_the_pattern_fast_call_matches_like_the_binding(text: str) -> None:
    for source in ("[A-Z]{3}-[0-9]{2}", "[a-z]{2}", "é?.", "(a|)", "\\p{Lu}\\d*", "\\s*"):
        pattern = compile_pattern(source)
        assert pattern is not None
        assert pattern._match is not None
        try:
            public = pattern._compiled.fullmatch(text) is not None
        except UnicodeEncodeError:
            public = False
        assert pattern.fullmatch(text) is public


def test_a_callers_spent_step_budget_changes_no_verdict() -> None:
    # The fast path skips the step budget where no row can be read; a caller's own budget,
    # spent, must not leak in (evaluate would say null, hiding 'why'), nor into the memos.
    ws = wk.loads(
        """
worksheetkit: 1
id: memo.check
version: 1.0.0
title: Memo
items:
  - {id: did, type: yesno, label: Did it}
  - {id: why, type: text, label: Why, show_if: "did == true", required: true}
"""
    )
    clean = _doc({"did": True, "why": "because"})
    missing = _doc({"did": True})
    with step_budget() as spent:
        spent.exhausted = True
        assert validate_response(ws, clean) == []
        assert [d.code for d in validate_response(ws, missing)] == ["WK402"]
        assert is_valid_response(ws, missing) is False
    assert validate_response(ws, clean) == []
    assert [d.code for d in validate_response(ws, missing)] == ["WK402"]


def test_the_layout_and_condition_memos_are_bounded() -> None:
    ws = wk.loads(
        """
worksheetkit: 1
id: memo.check
version: 1.0.0
title: Memo
items:
  - {id: steps, type: number, label: Steps}
  - {id: why, type: text, label: Why, show_if: "steps > 10"}
"""
    )
    c = compiled(plan_for(ws))
    for n in range(MEMO_LIMIT * 2):
        doc = _doc({"steps": n, f"zz{n}": 1})
        assert validate_response(ws, doc) == full_pass(ws, doc)
    assert validate_response(ws, _doc({"steps": 1, "z" * 65: 1})) == full_pass(
        ws, _doc({"steps": 1, "z" * 65: 1})
    )
    assert len(c.layouts) == MEMO_LIMIT
    assert not any(len(k) > 64 for layout in c.layouts for k in layout)
    ((_names, memo),) = c.conditions.values()
    assert len(memo) == MEMO_LIMIT

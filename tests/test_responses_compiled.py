"""The compiled fast path of validate_response (responses/_compiled.py) and is_valid_response.

Whichever path a response takes, validate_response returns exactly what the complete pass
returns, and is_valid_response gives its verdict. Checked on every response case, the examples'
responses and variants of them (unknown keys, faults, drafts, hidden answers, lookalike values).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import worksheetkit as wk
from worksheetkit.errors import Diagnostic, has_errors
from worksheetkit.responses import is_valid_response, validate_response
from worksheetkit.responses import validate as complete
from worksheetkit.responses._compiled import MEMO_LIMIT, compiled
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
    _field, memo = compiled(plan_for(ws)).entries["steps"]
    assert memo is not None
    assert len(memo) == MEMO_LIMIT


@pytest.mark.parametrize("count", [1, 3])
def test_unknown_keys_are_worded_as_before(count: int) -> None:
    ws = _yes_no_sheet()
    doc = _doc({"did": True, **{f"dids{i}": 1 for i in range(count)}})
    found = validate_response(ws, doc)
    assert found == full_pass(ws, doc)
    assert [d.code for d in found] == ["WK408"] * count
    assert found[0].hint == "Did you mean 'did'?"

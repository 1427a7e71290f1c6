"""FHIR meaning is preserved both ways (issue 16): enableWhen operators under the R4 rules,
scores with their missing-answer rule, hidden answers, codes, options on non-choice questions,
and the cross-tool check — every exported FHIRPath evaluated by fhirpath.js (one node process
for the whole module) on exported QuestionnaireResponses agrees with the library."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from worksheetkit import Worksheet, load_pack, loads
from worksheetkit.expressions import evaluate, parse
from worksheetkit.expressions.evaluator import truthy
from worksheetkit.fhir import (
    export_questionnaire,
    export_response,
    import_questionnaire,
    response_to_fhir,
)
from worksheetkit.fhir.export import _hidden
from worksheetkit.model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    Likert,
    Media,
    Note,
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
from worksheetkit.responses import score, validate_response

ROOT = Path(__file__).resolve().parent.parent
EXTRA = Path(__file__).resolve().parent / "fixtures_fhir_extra" / "pack"
NODE = shutil.which("node")
HAS_FHIRPATH = (ROOT / "node_modules" / "fhirpath" / "package.json").is_file()


def all_worksheets() -> list[Worksheet]:
    found: list[Worksheet] = []
    for folder in (ROOT / "examples", EXTRA):
        if (folder / "pack.yaml").is_file():
            found.extend(load_pack(folder, strict=False).worksheets)
    return found


WORKSHEETS = all_worksheets()


# ---------------------------------------------------------------------------------------------
# The R4 definition of each operator (questionnaire-enable-operator), for a question's answers


def resp(ws: Worksheet, answers: dict[str, Any]) -> dict[str, Any]:
    return {"worksheetkit": 1, "kind": "response", "worksheet": ws.id, "answers": answers}


def fhir_operator(op: str, answers: list[Any], wanted: Any) -> bool:
    if op == "exists":
        return bool(answers) == wanted
    if op == "=":
        return any(a == wanted for a in answers)
    if op == "!=":
        return not any(a == wanted for a in answers)  # so: true when unanswered
    compare = {
        ">": lambda a: a > wanted,
        "<": lambda a: a < wanted,
        ">=": lambda a: a >= wanted,
        "<=": lambda a: a <= wanted,
    }[op]
    return any(compare(a) for a in answers)


def questionnaire(source: dict[str, Any], when: list[dict[str, Any]], **extra: Any) -> Any:
    target = {"linkId": "target", "type": "string", "text": "Target", "enableWhen": when, **extra}
    return {
        "resourceType": "Questionnaire",
        "id": "ops",
        "status": "active",
        "item": [source, target],
    }


INTEGER = {"linkId": "n", "type": "integer", "text": "N"}
CHOICE = {
    "linkId": "c",
    "type": "choice",
    "text": "C",
    "answerOption": [{"valueCoding": {"code": code, "display": code}} for code in ("a", "b")],
}
CHECKS = {**CHOICE, "linkId": "k", "repeats": True}
OPS = ["exists", "=", "!=", ">", "<", ">=", "<="]


def imported_condition(q: dict[str, Any]) -> str:
    result = import_questionnaire(q)
    assert result.worksheet is not None, result.diagnostics
    target = next(i for i in result.worksheet.items if getattr(i, "id", None) == "target")
    assert target.show_if is not None
    return target.show_if


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("answer", [None, 1, 2, 3])
def test_import_integer_operator_keeps_fhir_meaning(op: str, answer: int | None) -> None:
    wanted: Any = True if op == "exists" else 2
    key = "answerBoolean" if op == "exists" else "answerInteger"
    show_if = imported_condition(
        questionnaire(INTEGER, [{"question": "n", "operator": op, key: wanted}])
    )
    env = {} if answer is None else {"n": answer}
    expected = fhir_operator(op, [] if answer is None else [answer], wanted)
    assert truthy(evaluate(parse(show_if), env)) is expected, show_if


@pytest.mark.parametrize("op", ["=", "!=", "exists"])
@pytest.mark.parametrize("answer", [None, "a", "b"])
def test_import_choice_operator_keeps_fhir_meaning(op: str, answer: str | None) -> None:
    wanted: Any = True if op == "exists" else "a"
    when = (
        {"question": "c", "operator": op, "answerBoolean": True}
        if op == "exists"
        else {"question": "c", "operator": op, "answerCoding": {"code": "a"}}
    )
    show_if = imported_condition(questionnaire(CHOICE, [when]))
    env = {} if answer is None else {"c": answer}
    expected = fhir_operator(op, [] if answer is None else [answer], wanted)
    assert truthy(evaluate(parse(show_if), env)) is expected, show_if


@pytest.mark.parametrize("op", ["=", "!="])
@pytest.mark.parametrize("answer", [None, ["a"], ["b"], ["a", "b"]])
def test_import_checklist_operator_keeps_fhir_meaning(op: str, answer: list[str] | None) -> None:
    when = {"question": "k", "operator": op, "answerCoding": {"code": "a"}}
    show_if = imported_condition(questionnaire(CHECKS, [when]))
    env = {} if answer is None else {"k": answer}
    expected = fhir_operator(op, answer or [], "a")
    assert truthy(evaluate(parse(show_if), env)) is expected, show_if


@pytest.mark.parametrize("behavior", ["all", "any"])
@pytest.mark.parametrize("answers", [(None, None), (1, None), (None, "a"), (2, "b"), (3, "a")])
def test_import_enable_behavior_with_not_equal(
    behavior: str, answers: tuple[int | None, str | None]
) -> None:
    """``!=`` becomes an 'or' inside the worksheet condition: joined by 'and' it must keep
    its parentheses."""
    when = [
        {"question": "n", "operator": "!=", "answerInteger": 2},
        {"question": "c", "operator": "=", "answerCoding": {"code": "a"}},
    ]
    q = questionnaire(INTEGER, when, enableBehavior=behavior)
    q["item"].insert(1, CHOICE)
    show_if = imported_condition(q)
    n, c = answers
    env = {k: v for k, v in (("n", n), ("c", c)) if v is not None}
    parts = [
        fhir_operator("!=", [] if n is None else [n], 2),
        fhir_operator("=", [] if c is None else [c], "a"),
    ]
    expected = all(parts) if behavior == "all" else any(parts)
    assert truthy(evaluate(parse(show_if), env)) is expected, show_if


def fhir_enabled(item: dict[str, Any], answers: dict[str, list[Any]]) -> bool:
    results = []
    for when in item.get("enableWhen", []):
        key = next(k for k in when if k.startswith("answer"))
        wanted = when[key]["code"] if key == "answerCoding" else when[key]
        results.append(fhir_operator(when["operator"], answers.get(when["question"], []), wanted))
    if not results:
        return True
    return any(results) if item.get("enableBehavior") == "any" else all(results)


@pytest.mark.parametrize(
    "show_if",
    [
        "n != 2",
        "not answered(n) or n != 2",
        "n != 2 and c == 'a'",
        "c != 'a'",
        "n > 1",
        "n <= 2",
        "n == 2 or c == 'b'",
    ],
)
@pytest.mark.parametrize("n", [None, 1, 2, 3])
@pytest.mark.parametrize("c", [None, "a", "b"])
def test_export_structured_condition_keeps_worksheet_meaning(
    show_if: str, n: int | None, c: str | None
) -> None:
    ws = loads(
        f"""
worksheetkit: 1
id: t.ops
version: 1.0.0
title: Ops
items:
  - {{id: n, type: number, integer: true, label: N}}
  - {{id: c, type: choice, label: C, options: [a, b]}}
  - {{id: t, type: text, label: T, show_if: "{show_if}"}}
"""
    )
    assert isinstance(ws, Worksheet)
    target = export_questionnaire(ws).resource["item"][2]
    assert "enableWhen" in target, target  # all of these are structured conditions
    answers = {"n": [] if n is None else [n], "c": [] if c is None else [c]}
    env = {k: v[0] for k, v in answers.items() if v}
    assert fhir_enabled(target, answers) is truthy(evaluate(parse(show_if), env))


# ---------------------------------------------------------------------------------------------
# Import: what used to change without a word


def test_options_on_string_integer_date_time_questions_are_kept() -> None:
    q = {
        "resourceType": "Questionnaire",
        "id": "opts",
        "status": "active",
        "item": [
            {
                "linkId": "s",
                "type": "string",
                "text": "S",
                "answerOption": [{"valueString": "red"}, {"valueString": "blue"}],
            },
            {
                "linkId": "i",
                "type": "integer",
                "text": "I",
                "repeats": True,
                "answerOption": [{"valueInteger": 1}, {"valueInteger": 5}],
            },
            {
                "linkId": "d",
                "type": "date",
                "text": "D",
                "answerOption": [{"valueDate": "2026-01-01"}],
            },
            {
                "linkId": "t",
                "type": "time",
                "text": "T",
                "answerOption": [{"valueTime": "08:00:00"}, {"valueTime": "20:00:00"}],
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/StructureDefinition/"
                        "questionnaire-answerConstraint",
                        "valueCode": "optionsOrString",
                    }
                ],
            },
            {
                "linkId": "dep",
                "type": "string",
                "text": "Dep",
                "enableWhen": [{"question": "i", "operator": "=", "answerInteger": 5}],
            },
        ],
    }
    result = import_questionnaire(q)
    assert result.worksheet is not None, result.diagnostics
    items = {i.id: i for i in result.worksheet.items}  # type: ignore[union-attr]
    assert isinstance(items["s"], Choice)
    assert [o.value for o in item_options(items["s"])] == ["red", "blue"]
    assert isinstance(items["i"], Checklist)
    assert [o.value for o in item_options(items["i"])] == [1, 5]
    assert isinstance(items["d"], Choice)
    assert isinstance(items["t"], Choice)
    assert items["t"].other is True
    assert items["s"].other is False
    # the dependent shows when 5 is ticked, as in FHIR
    assert items["dep"].show_if is not None
    assert truthy(evaluate(parse(items["dep"].show_if), {"i": [1, 5]}))
    assert not truthy(evaluate(parse(items["dep"].show_if), {"i": [1]}))


def test_code_systems_kept_and_duplicate_codes_warned_each() -> None:
    loinc = "http://loinc.org"
    q = {
        "resourceType": "Questionnaire",
        "id": "codes",
        "status": "active",
        "item": [
            {
                "linkId": "c",
                "type": "choice",
                "text": "C",
                "answerOption": [
                    {"valueCoding": {"system": loinc, "code": "LA1", "display": "One"}},
                    {"valueCoding": {"system": loinc, "code": "LA2", "display": "Two"}},
                    {"valueCoding": {"system": loinc, "code": "LA1", "display": "Again"}},
                    {"valueCoding": {"system": "urn:other", "code": "LA2", "display": "Other"}},
                ],
            }
        ],
    }
    result = import_questionnaire(q)
    assert result.worksheet is not None
    item = result.worksheet.items[0]
    options = item_options(item)
    assert [(o.value, o.system) for o in options] == [("LA1", loinc), ("LA2", loinc)]
    dupes = [d for d in result.diagnostics if d.code == "WK722"]
    assert [d.json_path for d in dupes] == [
        "$.item[0].answerOption[2]",
        "$.item[0].answerOption[3]",
    ]
    assert "another code system" in dupes[1].message
    # and the system goes back out, in the Questionnaire and in responses
    again = export_questionnaire(result.worksheet).resource["item"][0]["answerOption"]
    assert again[0]["valueCoding"] == {"system": loinc, "code": "LA1", "display": "One"}
    qr = response_to_fhir(resp(result.worksheet, {"c": "LA2"}), result.worksheet)
    assert qr["item"][0]["answer"][0]["valueCoding"]["system"] == loinc


def test_untitled_group_is_inlined_with_its_condition() -> None:
    q = {
        "resourceType": "Questionnaire",
        "id": "groups",
        "status": "active",
        "item": [
            {"linkId": "a", "type": "boolean", "text": "A"},
            {
                "linkId": "g",
                "type": "group",
                "enableWhen": [{"question": "a", "operator": "=", "answerBoolean": True}],
                "item": [
                    {"linkId": "b", "type": "string", "text": "B"},
                    {
                        "linkId": "c",
                        "type": "integer",
                        "text": "C",
                        "enableWhen": [
                            {"question": "a", "operator": "exists", "answerBoolean": True}
                        ],
                    },
                ],
            },
        ],
    }
    result = import_questionnaire(q)
    assert result.worksheet is not None, result.diagnostics
    items = result.worksheet.items
    assert not any(isinstance(i, Section) for i in items)
    by_id = {i.id: i for i in items}  # type: ignore[union-attr]
    assert by_id["b"].show_if == "a == true"
    assert by_id["c"].show_if == "(a == true) and (answered(a))"
    exported = export_questionnaire(result.worksheet).resource
    assert '"text": ""' not in json.dumps(exported)


def test_empty_section_title_is_never_exported_as_empty_text() -> None:
    ws = loads(
        """
worksheetkit: 1
id: t.empty
version: 1.0.0
title: T
items:
  - {type: section, title: '', items: [{id: a, type: text, label: A}]}
"""
    )
    assert isinstance(ws, Worksheet)
    group = export_questionnaire(ws).resource["item"][0]
    assert group["type"] == "group"
    assert "text" not in group


@pytest.mark.parametrize(("raw", "meant"), [("true", True), ("false", False), (1, False)])
def test_flags_written_as_text_are_warned(raw: Any, meant: bool) -> None:
    q = {
        "resourceType": "Questionnaire",
        "id": "flags",
        "status": "active",
        "item": [{**CHOICE, "repeats": raw}],
    }
    result = import_questionnaire(q)
    assert result.worksheet is not None
    assert isinstance(result.worksheet.items[0], Checklist) is meant
    [warning] = [d for d in result.diagnostics if d.code == "WK719"]
    assert warning.json_path == "$.item[0].repeats"


def test_huge_questionnaire_is_refused_early_with_a_true_message() -> None:
    items = [{"linkId": f"q{i}", "type": "string", "text": "Q"} for i in range(100_000)]
    result = import_questionnaire({"resourceType": "Questionnaire", "item": items})
    assert result.worksheet is None
    [error] = result.diagnostics
    assert error.code == "WK721"
    assert error.severity == "error"
    assert "5,000 items" in error.message
    assert "alias" not in error.message


def test_deep_nesting_is_refused() -> None:
    item: dict[str, Any] = {"linkId": "leaf", "type": "string", "text": "L"}
    for depth in range(40):
        item = {"linkId": f"g{depth}", "type": "group", "text": "G", "item": [item]}
    result = import_questionnaire({"resourceType": "Questionnaire", "item": [item]})
    assert result.worksheet is None
    assert [d.code for d in result.diagnostics] == ["WK721"]


def test_export_response_leaves_hidden_answers_out() -> None:
    ws = loads(
        """
worksheetkit: 1
id: t.hidden
version: 1.0.0
title: T
items:
  - {id: gate, type: yesno, label: Gate}
  - {id: x, type: number, label: X, show_if: "gate == true"}
  - id: t
    type: table
    label: T
    columns:
      - {id: a, type: number}
      - {id: b, type: number, show_if: "a > 1"}
scores:
  - {id: total, label: Total, formula: "sum(x, 1)"}
"""
    )
    assert isinstance(ws, Worksheet)
    response = resp(ws, {"gate": False, "x": 50, "t": [{"a": 1, "b": 9}, {"a": 2, "b": 3}]})
    result = export_response(response, ws)
    assert [d.json_pointer for d in result.diagnostics] == ["/answers/x", "/answers/t/0/b"]
    assert all(d.code == "WK743" for d in result.diagnostics)
    text = json.dumps(result.resource)
    assert '"linkId": "x"' not in text
    rows = [i for i in result.resource["item"] if i["linkId"] == "t"]
    assert [[c["linkId"] for c in r["item"]] for r in rows] == [["t.a"], ["t.a", "t.b"]]
    assert "50" not in " ".join(d.message for d in result.diagnostics)


# ---------------------------------------------------------------------------------------------
# Cross-tool: fhirpath.js on every example


def _value(item: Any, k: int) -> Any:
    if isinstance(item, TextItem):
        size = max(item.min_length or 0, 4)
        text = ("Some words " * (size // 10 + 1))[:size].strip() or "word"
        return text.ljust(size, "x")[: item.max_length or 2000]
    if isinstance(item, NumberItem):
        low = item.min if item.min is not None else 0
        high = item.max if item.max is not None else low + 10
        value = [low, high, (low + high) / 2][k % 3]
        return int(value) if item.integer else value
    if isinstance(item, Rating):
        steps = int((item.max - item.min) / item.step)
        value = item.min + item.step * ((k * 3 + 1) % (steps + 1))
        return int(value) if float(value).is_integer() else value
    if isinstance(item, YesNo):
        return k % 2 == 0
    if isinstance(item, DateItem):
        return f"2026-03-0{1 + k % 9}"
    if isinstance(item, TimeItem):
        return f"0{8 + k % 2}:30"
    if isinstance(item, DateTimeItem):
        return f"2026-03-0{1 + k % 9}T08:30:00+00:00"
    if isinstance(item, DurationItem):
        return item.min or "PT20M"
    if isinstance(item, Choice | Likert):
        options = item_options(item)
        return options[(k + len(options) - 1) % len(options)].value
    if isinstance(item, Checklist):
        options = [o for o in item_options(item) if not o.exclusive]
        return [options[k % len(options)].value] if options else None
    if isinstance(item, Ranking):
        values = [o.value for o in item_options(item)]
        return values[k % len(values) :] + values[: k % len(values)]
    if isinstance(item, Table):
        rows = []
        for r in range(2):
            row = {c.id: _value(c, k + r) for c in item.columns}
            rows.append({key: v for key, v in row.items() if v is not None})
        return rows
    return None


def _questions(items: list[Any]) -> list[Any]:
    out = []
    for item in items:
        if isinstance(item, Section):
            out.extend(_questions(item.items))
        elif not isinstance(item, Note | Media):
            out.append(item)
    return out


def responses_for(ws: Worksheet) -> list[tuple[str, dict[str, Any]]]:
    """Complete answers (hidden questions answered too), partial ones, and none."""
    out: list[tuple[str, dict[str, Any]]] = []
    questions = [q for q in _questions(list(ws.items)) if not q.readonly]
    for k in range(3):
        answers = {q.id: v for q in questions if (v := _value(q, k)) is not None}
        # drop answers the validator finds wrong (patterns, limits): they are not the point
        for _ in range(3):
            bad = {
                d.path[1]
                for d in validate_response(ws, resp(ws, answers))
                if d.severity == "error" and d.path[:1] == ("answers",) and len(d.path) > 1
            }
            if not bad:
                break
            answers = {key: v for key, v in answers.items() if key not in bad}
        out.append((f"complete-{k}", answers))
        out.append(
            (
                f"partial-{k}",
                {key: v for i, (key, v) in enumerate(sorted(answers.items())) if i % 2 == k % 2},
            )
        )
    out.append(("none", {}))
    return out


_FHIRPATH_RUNNER = r"""
const fs = require("fs");
const fhirpath = require("fhirpath");
const r4 = require("fhirpath/fhir-context/r4");
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
const out = cases.map((c) => {
  try {
    const got = fhirpath.evaluate(c.qr, c.expression, {resource: c.qr}, r4);
    return {ok: got};
  } catch (e) {
    return {error: String(e)};
  }
});
process.stdout.write(JSON.stringify(out));
"""


def _walk_q(items: list[dict[str, Any]], parents: tuple[dict[str, Any], ...] = ()) -> Any:
    for item in items:
        yield item, parents
        if item.get("type") == "group" and not item.get("repeats"):
            yield from _walk_q(item.get("item", []), (*parents, item))


def _enable_expression(item: dict[str, Any]) -> str | None:
    for ext in item.get("extension", []):
        if ext["url"].endswith("sdc-questionnaire-enableWhenExpression"):
            return str(ext["valueExpression"]["expression"])
    return None


def _calculated(item: dict[str, Any]) -> str | None:
    for ext in item.get("extension", []):
        if ext["url"].endswith("sdc-questionnaire-calculatedExpression"):
            return str(ext["valueExpression"]["expression"])
    return None


def _qr_answers(qr: dict[str, Any]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            for answer in item.get("answer", []):
                key = next(k for k in answer if k.startswith("value"))
                value = answer[key]
                found.setdefault(item["linkId"], []).append(
                    value["code"] if key == "valueCoding" else value
                )
            walk(item.get("item", []))

    walk(qr.get("item", []))
    return found


@cache
def cross_tool_results() -> dict[str, Any]:
    """Every case of every example, evaluated by fhirpath.js in one node process."""
    cases: list[dict[str, Any]] = []
    meta: list[dict[str, Any]] = []
    for ws in WORKSHEETS:
        q = export_questionnaire(ws).resource
        for name, answers in responses_for(ws):
            response = resp(ws, answers)
            qr = export_response(response, ws).resource
            scores = score(ws, response)
            hidden, _ = _hidden(ws, answers)
            fhir_answers = _qr_answers(qr)
            for item, parents in _walk_q(q.get("item", [])):
                expression = _calculated(item)
                if expression is not None:
                    value = scores[item["linkId"]].value
                    cases.append({"qr": qr, "expression": expression})
                    meta.append(
                        {
                            "ws": ws.id,
                            "case": name,
                            "kind": "score",
                            "id": item["linkId"],
                            "expected": value,
                        }
                    )
                    continue
                chain = (*parents, item)
                if not any("enableWhen" in i or _enable_expression(i) for i in chain):
                    continue
                link = item["linkId"]
                is_question = item.get("type") not in ("display", "group") or item.get("repeats")
                if not is_question or "." in link:
                    continue
                structured = all(fhir_enabled(i, fhir_answers) for i in chain)
                expressions = [e for i in chain if (e := _enable_expression(i))]
                cases.append(
                    {
                        "qr": qr,
                        "expression": " and ".join(f"({e}) = true" for e in expressions) or "true",
                    }
                )
                meta.append(
                    {
                        "ws": ws.id,
                        "case": name,
                        "kind": "visible",
                        "id": link,
                        "expected": link not in hidden,
                        "structured": structured,
                    }
                )
    assert NODE is not None
    run = subprocess.run(
        [NODE, "-e", _FHIRPATH_RUNNER],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return {"cases": cases, "meta": meta, "results": json.loads(run.stdout)}


needs_fhirpath = pytest.mark.skipif(
    NODE is None or not HAS_FHIRPATH, reason="node or the npm package fhirpath is missing"
)


@pytest.mark.slow
@needs_fhirpath
def test_fhirpath_js_agrees_with_the_library_on_every_score_and_condition() -> None:
    data = cross_tool_results()
    meta, results = data["meta"], data["results"]
    assert len(results) == len(meta)
    scores = [m for m in meta if m["kind"] == "score"]
    conditions = [m for m in meta if m["kind"] == "visible"]
    # every example with a score or a condition took part, in every kind of response
    assert len({m["ws"] for m in scores}) >= 15
    assert len(conditions) >= 100
    disagreements = []
    for m, r in zip(meta, results, strict=True):
        if "error" in r:
            disagreements.append((m, r["error"]))
            continue
        got = r["ok"]
        if m["kind"] == "score":
            expected = m["expected"]
            value = got[0] if got else None
            if (
                isinstance(value, dict)
                or (expected is None) != (value is None)
                or (expected is not None and abs(float(value) - float(expected)) > 1e-9)
            ):  # a Quantity or the like: never expected
                disagreements.append((m, got))
        else:
            fhir = got == [True] and m["structured"]
            if fhir is not m["expected"]:
                disagreements.append((m, got))
    assert not disagreements, disagreements[:10]


@pytest.mark.slow
@needs_fhirpath
def test_partial_responses_exercise_the_missing_answer_rule() -> None:
    """The suite is not vacuous: some scores are missing by the rule and some are not."""
    meta = cross_tool_results()["meta"]
    scores = [m for m in meta if m["kind"] == "score"]
    assert any(m["expected"] is None and m["case"].startswith("partial") for m in scores)
    assert any(m["expected"] is not None and m["case"].startswith("partial") for m in scores)
    assert any(m["expected"] is None for m in scores if m["case"] == "none")
    visible = [m for m in meta if m["kind"] == "visible"]
    assert any(m["expected"] for m in visible)
    assert any(not m["expected"] for m in visible)


@pytest.mark.slow
@needs_fhirpath
@pytest.mark.parametrize("method", ["none", "prorate"])
@pytest.mark.parametrize("given", [(), ("q1",), ("q1", "q2"), ("q1", "q2", "q3")])
def test_missing_rule_in_fhirpath_matches_score(method: str, given: tuple[str, ...]) -> None:
    ws = loads(
        f"""
worksheetkit: 1
id: t.missing
version: 1.0.0
title: T
items:
  - {{id: q1, type: likert, label: Q1, scale: frequency-4}}
  - {{id: q2, type: likert, label: Q2, scale: frequency-4, reverse: true}}
  - {{id: q3, type: rating, label: Q3, min: 0, max: 10}}
  - {{id: reps, type: number, label: Reps, integer: true}}
scores:
  - {{id: total, label: Total, formula: "sum(q1, q2, q3)", missing: {{allow: 1, method: {method}}}}}
  - {{id: share, label: Share, formula: "min(1, reps / 30)"}}
"""
    )
    assert isinstance(ws, Worksheet)
    values = {"q1": 3, "q2": 1, "q3": 7}
    answers = {k: values[k] for k in given}
    qr = response_to_fhir(resp(ws, answers), ws)
    items = export_questionnaire(ws).resource["item"]
    cases = [{"qr": qr, "expression": _calculated(i)} for i in items if _calculated(i)]
    run = subprocess.run(
        [str(NODE), "-e", _FHIRPATH_RUNNER],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    got = [r["ok"] for r in json.loads(run.stdout)]
    expected = score(ws, resp(ws, answers))
    assert got[0] == ([] if expected["total"].value is None else [expected["total"].value])
    assert got[1] == []  # reps unanswered: no share, in both
    assert expected["share"].value is None


# ---------------------------------------------------------------------------------------------
# A LOINC-coded PHQ-9 in the style LHC-Forms exports (LOINC codes, iso21090-CO-value weights,
# `variable` extensions and a calculatedExpression over them, a `{score}` unit). Written here
# from the public structure of such forms; the LOINC panel itself is not copied.

LOINC = "http://loinc.org"
PHQ_QUESTIONS = [f"/4425{i}-9" for i in range(9)]
PHQ_ANSWERS = [
    ("LA6568-5", "Not at all"),
    ("LA6569-3", "Several days"),
    ("LA6570-1", "More than half the days"),
    ("LA6571-9", "Nearly every day"),
]
SD = "http://hl7.org/fhir/StructureDefinition/"


def loinc_phq9() -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    variables = []
    for n, link in enumerate(PHQ_QUESTIONS):
        items.append(
            {
                "linkId": link,
                "code": [{"system": LOINC, "code": link[1:]}],
                "text": f"Question {n + 1}",
                "type": "choice",
                "required": False,
                "answerOption": [
                    {
                        "valueCoding": {
                            "extension": [{"url": SD + "iso21090-CO-value", "valueDecimal": w}],
                            "system": LOINC,
                            "code": code,
                            "display": display,
                        }
                    }
                    for w, (code, display) in enumerate(PHQ_ANSWERS)
                ],
            }
        )
        variables.append(
            {
                "url": SD + "variable",
                "valueExpression": {
                    "name": f"v{n}",
                    "language": "text/fhirpath",
                    "expression": f"%resource.item.where(linkId='{link}').answer.value.ordinal()",
                },
            }
        )
    total = " + ".join(f"iif(%v{n}.exists(), %v{n}, 0)" for n in range(9))
    items.append(
        {
            "linkId": "/44261-6",
            "code": [{"system": LOINC, "code": "44261-6"}],
            "text": "Patient health questionnaire 9 item total score",
            "type": "decimal",
            "readOnly": True,
            "extension": [
                {
                    "url": SD + "questionnaire-unit",
                    "valueCoding": {"system": "http://unitsofmeasure.org", "code": "{score}"},
                },
                *variables,
                {
                    "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
                    "sdc-questionnaire-calculatedExpression",
                    "valueExpression": {
                        "language": "text/fhirpath",
                        "expression": f"iif(%v0.exists() or %v1.exists(), {total}, {{}})",
                    },
                },
            ],
        }
    )
    return {
        "resourceType": "Questionnaire",
        "id": "loinc-phq9",
        "status": "active",
        "code": [{"system": LOINC, "code": "44249-1"}],
        "item": items,
    }


def test_loinc_phq9_imports_with_its_total_score() -> None:
    result = import_questionnaire(loinc_phq9())
    assert result.worksheet is not None, result.diagnostics
    ws = result.worksheet
    [total] = ws.scores
    assert total.id == "q_44261_6"
    ids = [result.link_ids[link] for link in PHQ_QUESTIONS]
    assert total.formula == "sum(" + ", ".join(ids) + ")"
    assert "WK717" in [d.code for d in result.diagnostics]
    # the LOINC answer codes keep their system; the weights are the values scored
    first = item_options(ws.items[0])
    assert [o.value for o in first] == [0, 1, 2, 3]
    full = dict.fromkeys(ids, 2)
    assert score(ws, resp(ws, full))[total.id].value == 18
    # partly answered: FHIR adds up what was answered, and so does the imported score
    assert score(ws, resp(ws, {ids[0]: 3, ids[4]: 1}))[total.id].value == 4
    assert score(ws, resp(ws, {}))[total.id].value is None


def test_options_or_type_on_a_number_is_open_and_said() -> None:
    q = {
        "resourceType": "Questionnaire",
        "id": "open",
        "status": "active",
        "item": [
            {
                "linkId": "n",
                "type": "integer",
                "text": "N",
                "repeats": True,
                "answerOption": [{"valueInteger": 1}, {"valueInteger": 2}],
                "extension": [
                    {"url": SD + "questionnaire-answerConstraint", "valueCode": "optionsOrType"}
                ],
            },
            {
                "linkId": "m",
                "type": "integer",
                "text": "M",
                "answerValueSet": "http://example.org/ValueSet/unknown",
            },
        ],
    }
    result = import_questionnaire(q)
    assert result.worksheet is not None
    n, m = result.worksheet.items
    assert isinstance(n, Checklist)
    assert n.other is True
    assert [d.json_path for d in result.diagnostics if d.code == "WK714"] == ["$.item[0].extension"]
    # an answer list that cannot be looked up leaves the number question a number
    assert isinstance(m, NumberItem)
    assert [d.json_path for d in result.diagnostics if d.code == "WK712"] == [
        "$.item[1].answerValueSet"
    ]


def test_answers_to_typed_options_come_back() -> None:
    from worksheetkit.fhir import import_response

    q = {
        "resourceType": "Questionnaire",
        "id": "typed",
        "status": "active",
        "item": [
            {
                "linkId": "t",
                "type": "time",
                "text": "T",
                "answerOption": [{"valueTime": "08:00:00"}, {"valueTime": "20:00:00"}],
            },
            {
                "linkId": "i",
                "type": "integer",
                "text": "I",
                "repeats": True,
                "answerOption": [{"valueInteger": 1}, {"valueInteger": 5}],
            },
        ],
    }
    imported = import_questionnaire(q)
    assert imported.worksheet is not None
    qr = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "item": [
            {"linkId": "t", "answer": [{"valueTime": "20:00:00"}]},
            {"linkId": "i", "answer": [{"valueInteger": 1}, {"valueInteger": 5}]},
        ],
    }
    result = import_response(qr, imported.worksheet, questionnaire=q)
    assert result.response["answers"] == {"t": "20:00:00", "i": [1, 5]}
    assert not validate_response(imported.worksheet, result.response)

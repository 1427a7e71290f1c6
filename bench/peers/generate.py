"""Peer definitions and responses, generated from the example worksheets.

Nothing here is written by hand per worksheet: each example worksheet (``examples/worksheets``
and ``examples/instruments``) becomes

- an XLSForm workbook (``.xlsx``, written with openpyxl) for pyxform: one ``survey`` row per
  item (sections → groups, tables → repeats, ``show_if`` → ``relevant`` in XPath), one
  ``choices`` row per option, ``required`` and numeric ranges as ``constraint``;
- a FHIR Questionnaire (our own ``to_fhir`` export) for fhir.resources;
- a JSON Schema (our own ``response_json_schema``) for fastjsonschema and jsonschema;
- a SurveyJS JSON (``survey_json``) for survey-core: one question per answerable item,
  ``show_if`` → ``visibleIf``;
- responses: valid ones (random answers inside each item's rules; answers to questions their
  condition hides are dropped) and invalid variants (one answer out of range, of the wrong type,
  not an option, or an unknown key).

Which responses are valid is decided by worksheetkit and then *checked* against every peer
(``peers.py`` refuses to time a worksheet whose verdicts differ).
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

from worksheetkit.expressions import parse
from worksheetkit.expressions.nodes import Binary, Call, Const, ListExpr, Name, Unary
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
    Worksheet,
    YesNo,
    item_options,
)

ROOT = Path(__file__).resolve().parents[2]
# Worksheets that stand alone (a worksheet that ``extends`` another needs its pack to load).
EXAMPLES = [
    path
    for path in [
        *sorted((ROOT / "examples" / "worksheets").glob("*.yaml")),
        *sorted((ROOT / "examples" / "instruments").glob("*.yaml")),
    ]
    if not path.read_text(encoding="utf-8").startswith("extends:")
    and "\nextends:" not in path.read_text(encoding="utf-8")
]


def text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


# -- XLSForm -----------------------------------------------------------------------------------


def xpath(source: str | None) -> str:
    """A ``show_if`` expression in XLSForm's XPath (``${id}`` references)."""
    if not source:
        return ""
    return _xp(parse(source))


def _xp(node: Any) -> str:
    if isinstance(node, Const):
        if node.value is True:
            return "'yes'"
        if node.value is False:
            return "'no'"
        if node.value is None:
            return "''"
        if isinstance(node.value, str):
            return "'" + node.value.replace("'", "") + "'"
        return repr(node.value)
    if isinstance(node, Name):
        return "${" + node.name + "}"
    if isinstance(node, Unary):
        inner = _xp(node.operand)
        return f"not({inner})" if node.op == "not" else f"-({inner})"
    if isinstance(node, Binary):
        op = {"==": "=", "and": "and", "or": "or", "/": "div"}.get(node.op, node.op)
        return f"({_xp(node.left)} {op} {_xp(node.right)})"
    if isinstance(node, ListExpr):
        return " | ".join(_xp(i) for i in node.items)
    if isinstance(node, Call):
        args = [_xp(a) for a in node.args]
        if node.function == "sum":
            return "(" + " + ".join(f"coalesce({a}, 0)" for a in args) + ")"
        if node.function == "answered":
            return f"(string-length({args[0]}) > 0)"
        if node.function == "selected":
            return f"selected({args[0]}, {args[1]})"
        if node.function == "rows":
            return f"count({args[0]})"
        return f"{node.function}({', '.join(args)})"
    return "true()"


def _survey_rows(items: list[Any], lang: str, choices: list[list[Any]]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for item in items:
        relevant = xpath(getattr(item, "show_if", None))
        if isinstance(item, Note):
            rows.append(["note", f"note_{len(rows)}", text(item.text, lang), relevant, "", ""])
        elif isinstance(item, Media):
            rows.append(
                ["note", f"media_{len(rows)}", text(item.label, lang) or "media", relevant, "", ""]
            )
        elif isinstance(item, Section):
            name = item.id or f"section_{len(rows)}"
            rows.append(["begin_group", name, text(item.title, lang), relevant, "", ""])
            rows.extend(_survey_rows(item.items, lang, choices))
            rows.append(["end_group", name, "", "", "", ""])
        elif isinstance(item, Table):
            rows.append(["begin_repeat", item.id, text(item.label, lang), relevant, "", ""])
            rows.extend(_survey_rows(item.columns, lang, choices))
            rows.append(["end_repeat", item.id, "", "", "", ""])
        else:
            kind, constraint = _xls_type(item, choices, lang)
            required = "yes" if item.required else ""
            label = text(item.label, lang) or item.id
            rows.append([kind, item.id, label, relevant, required, constraint])
    return rows


def _xls_type(item: Any, choices: list[list[Any]], lang: str) -> tuple[str, str]:
    if isinstance(item, Choice | Likert | Checklist | Ranking):
        list_name = f"list_{item.id}_{len(choices)}"
        for option in item_options(item):
            choices.append(
                [
                    list_name,
                    str(option.value).replace(" ", "_"),
                    text(option.label, lang) or option.value,
                ]
            )
        kind = {Choice: "select_one", Likert: "select_one", Checklist: "select_multiple"}
        return f"{kind.get(type(item), 'rank')} {list_name}", ""
    if isinstance(item, YesNo):
        if not any(c[0] == "yesno" for c in choices):
            choices.extend([["yesno", "yes", "Yes"], ["yesno", "no", "No"]])
        return "select_one yesno", ""
    if isinstance(item, Rating):
        return "integer" if float(item.step).is_integer() else "decimal", (
            f". >= {item.min} and . <= {item.max}"
        )
    if isinstance(item, NumberItem):
        parts = [f". >= {item.min}" if item.min is not None else ""]
        parts.append(f". <= {item.max}" if item.max is not None else "")
        return "integer" if item.integer else "decimal", " and ".join(p for p in parts if p)
    if isinstance(item, TextItem):
        limit = f"string-length(.) <= {item.max_length}" if item.max_length else ""
        return "text", limit
    if isinstance(item, DateItem):
        return "date", ""
    if isinstance(item, TimeItem):
        return "time", ""
    if isinstance(item, DateTimeItem):
        return "dateTime", ""
    if isinstance(item, DurationItem):
        return "text", ""
    raise TypeError(type(item).__name__)


def write_xlsform(ws: Worksheet, path: Path) -> int:
    """Write ``ws`` as an XLSForm workbook; the number of survey rows."""
    from openpyxl import Workbook

    lang = ws.language
    choices: list[list[Any]] = []
    rows = _survey_rows(ws.items, lang, choices)
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", "label", "relevant", "required", "constraint"])
    for row in rows:
        survey.append(row)
    sheet = book.create_sheet("choices")
    sheet.append(["list_name", "name", "label"])
    for row in choices:
        sheet.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append([text(ws.title, lang), ws.id.replace(".", "_"), ws.version])
    book.save(path)
    return len(rows)


def answerable_ids(items: list[Any]) -> list[str]:
    """Ids of the questions (not notes, sections or media), sections' contents included."""
    found: list[str] = []
    for item in items:
        if isinstance(item, Section):
            found.extend(answerable_ids(item.items))
        elif not isinstance(item, Note | Media):
            found.append(item.id)
    return found


# -- SurveyJS ---------------------------------------------------------------------------------


def _sjs_expr(node: Any) -> str:
    if isinstance(node, Const):
        if isinstance(node.value, bool):
            return "true" if node.value else "false"
        if node.value is None:
            return "empty"
        if isinstance(node.value, str):
            return "'" + node.value.replace("'", "") + "'"
        return repr(node.value)
    if isinstance(node, Name):
        return "{" + node.name + "}"
    if isinstance(node, Unary):
        return (
            f"!({_sjs_expr(node.operand)})" if node.op == "not" else f"-({_sjs_expr(node.operand)})"
        )
    if isinstance(node, Binary):
        op = {"==": "=", "and": "and", "or": "or"}.get(node.op, node.op)
        return f"({_sjs_expr(node.left)} {op} {_sjs_expr(node.right)})"
    if isinstance(node, Call):
        args = [_sjs_expr(a) for a in node.args]
        if node.function == "sum":
            return "sum(" + ", ".join(args) + ")"
        if node.function == "answered":
            return f"({args[0]} notempty)"
        if node.function == "selected":
            return f"({args[0]} contains {args[1]})"
        if node.function == "rows":
            return f"{args[0]}.length"
    return "true"


def survey_json(ws: Worksheet) -> dict[str, Any]:
    """A SurveyJS survey with one question per answerable item (``show_if`` → ``visibleIf``)."""
    lang = ws.language

    def question(item: Any, extra_condition: str = "") -> list[dict[str, Any]]:
        visible = _sjs_expr(parse(item.show_if)) if getattr(item, "show_if", None) else ""
        if extra_condition:
            visible = f"({extra_condition}) and ({visible})" if visible else extra_condition
        if isinstance(item, Section):
            return [q for child in item.items for q in question(child, visible)]
        if isinstance(item, Note | Media):
            return []
        q: dict[str, Any] = {"name": item.id, "title": text(item.label, lang) or item.id}
        if item.required:
            q["isRequired"] = True
        if visible:
            q["visibleIf"] = visible
        if isinstance(item, Choice | Likert):
            q["type"] = "radiogroup"
            q["choices"] = [o.value for o in item_options(item)]
        elif isinstance(item, Checklist):
            q["type"] = "checkbox"
            q["choices"] = [o.value for o in item_options(item)]
        elif isinstance(item, Ranking):
            q["type"] = "ranking"
            q["choices"] = [o.value for o in item_options(item)]
        elif isinstance(item, YesNo):
            q["type"] = "boolean"
        elif isinstance(item, Rating | NumberItem):
            q["type"] = "text"
            q["inputType"] = "number"
            if item.min is not None:
                q["min"] = item.min
            if item.max is not None:
                q["max"] = item.max
        elif isinstance(item, Table):
            q["type"] = "paneldynamic"
            q["templateElements"] = [e for c in item.columns for e in question(c)]
        else:
            q["type"] = "text"
            if isinstance(item, TextItem) and item.max_length:
                q["maxLength"] = item.max_length
        return [q]

    return {"elements": [q for item in ws.items for q in question(item)]}


# -- responses --------------------------------------------------------------------------------


def _answer(item: Any, rng: random.Random) -> Any:
    if isinstance(item, Choice | Likert):
        return rng.choice(item_options(item)).value
    if isinstance(item, Checklist):
        options = [o for o in item_options(item) if not o.exclusive]
        low = item.min_selected or 1
        high = min(item.max_selected or len(options), len(options))
        k = rng.randint(min(low, high), high) if options else 0
        return [o.value for o in rng.sample(options, k)]
    if isinstance(item, Ranking):
        values = [o.value for o in item_options(item)]
        rng.shuffle(values)
        return values
    if isinstance(item, YesNo):
        return rng.random() < 0.6
    if isinstance(item, Rating):
        steps = int((item.max - item.min) // item.step)
        value = item.min + item.step * rng.randint(0, steps)
        return int(value) if float(value).is_integer() else value
    if isinstance(item, NumberItem):
        low = item.min if item.min is not None else 0
        high = item.max if item.max is not None else low + 100
        step = item.step or 1
        value = low + step * rng.randint(0, int((high - low) // step))
        return int(value) if item.integer or float(value).is_integer() else value
    if isinstance(item, TextItem):
        if item.pattern:
            return None
        words = [
            "I",
            "noticed",
            "the",
            "thought",
            "and",
            "let",
            "it",
            "pass",
            "before",
            "deciding",
            "what",
            "to",
            "do",
            "next",
        ]
        out = " ".join(rng.sample(words, rng.randint(3, len(words))))
        if item.min_length and len(out) < item.min_length:
            out = (out + " ") * (item.min_length // len(out) + 1)
        return out[: item.max_length] if item.max_length else out
    if isinstance(item, DateItem):
        return f"2026-12-{rng.randint(1, 28):02d}"
    if isinstance(item, TimeItem):
        return f"{rng.randint(0, 23):02d}:{rng.choice([0, 15, 30, 45]):02d}"
    if isinstance(item, DateTimeItem):
        return f"2026-12-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:15:00+00:00"
    if isinstance(item, DurationItem):
        return f"PT{rng.randint(5, 60)}M"
    if isinstance(item, Table):
        count = rng.randint(max(item.min_rows, 1), min(item.max_rows or 3, 3))
        rows = []
        for _ in range(count):
            row = {c.id: _answer(c, rng) for c in item.columns if not c.show_if}
            rows.append({k: v for k, v in row.items() if v is not None})
        return rows
    raise TypeError(type(item).__name__)


def _questions(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if isinstance(item, Section):
            out.extend(_questions(item.items))
        elif not isinstance(item, Note | Media):
            out.append(item)
    return out


def envelope(ws: Worksheet, answers: dict[str, Any], i: int) -> dict[str, Any]:
    return {
        "worksheetkit": 1,
        "kind": "response",
        "id": f"r-{i}",
        "worksheet": ws.id,
        "version": ws.version,
        "started_at": f"2026-12-01T20:{i % 50:02d}:00+00:00",
        "submitted_at": "2026-12-01T20:55:00+00:00",
        "answers": answers,
    }


def valid_responses(ws: Worksheet, n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` responses worksheetkit finds free of any problem (hidden answers dropped)."""
    from worksheetkit.responses import validate_response

    rng = random.Random(seed)
    questions = _questions(ws.items)
    out: list[dict[str, Any]] = []
    attempts = 0
    while len(out) < n and attempts < n * 20:
        attempts += 1
        answers = {}
        for q in questions:
            if q.required or rng.random() < 0.85:
                value = _answer(q, rng)
                if value is not None:
                    answers[q.id] = value
        doc = envelope(ws, answers, len(out))
        for _ in range(3):  # drop answers to hidden questions (their conditions may chain)
            hidden = [
                d.path.split("/")[2]
                for d in validate_response(ws, doc)
                if d.code == "WK409" and d.path.count("/") == 2
            ]
            if not hidden:
                break
            for key in hidden:
                answers.pop(key, None)
        if not validate_response(ws, doc):
            out.append(doc)
    return out


def invalid_variant(ws: Worksheet, doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``doc`` with one fault: an answer out of range, of the wrong type, not an option, or an
    answer to an unknown question."""
    bad = copy.deepcopy(doc)
    answers = bad["answers"]
    questions = [q for q in _questions(ws.items) if q.id in answers]
    fault = rng.randrange(4)
    if fault == 3 or not questions:
        answers["zz_not_a_question"] = 1
        return bad
    q = rng.choice(questions)
    if fault == 0 and isinstance(q, Rating | NumberItem):
        answers[q.id] = (q.max if q.max is not None else 10**6) + 1000
    elif fault == 1:
        answers[q.id] = {"wrong": "type"} if not isinstance(q, Choice) else [[1]]
    elif isinstance(q, Choice | Likert):
        answers[q.id] = "not-an-option"
    else:
        answers[q.id] = True if not isinstance(q, YesNo) else "maybe"
    return bad


def responses(
    ws: Worksheet, n: int, seed: int = 7
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    good = valid_responses(ws, n, seed)
    rng = random.Random(seed + 1)
    return good, [invalid_variant(ws, d, rng) for d in good]

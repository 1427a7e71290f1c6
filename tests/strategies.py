"""Hypothesis strategies for valid worksheets and their responses, plus a seeded expression
corpus (reusable by any test: ``from strategies import worksheets, answers_for, to_yaml``).

``worksheets()`` draws the *data* of a worksheet that validates without errors: every item type,
sections, tables, options in every spelling, ``show_if`` over earlier items, scores whose bands
cover the whole range, alerts, translations. ``to_yaml(data)`` writes it as YAML the way a person
would (plain scalars where they stay text under YAML 1.2, quotes where they would not).
``answers_for(data)`` draws answers of the right shape for the unconditional questions (a
draft response built from them has no errors); ``hostile_answers(data)`` draws anything at all.
``expression_corpus(n, seed)`` and ``ANSWER_SETS`` feed the cross-engine test.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

import yaml
from hypothesis import settings
from hypothesis import strategies as st

from worksheetkit.loading.yamlsource import _plain
from worksheetkit.model import LIKERT_PRESETS

SENTINEL = "SECRET-ANSWER-7731"

# Texts a clinician (or an attacker) might type: markup, template syntax, quotes, scripts in
# other languages. They are valid labels and must render as literal text.
HOSTILE_TEXTS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "{{ 7*7 }}",
    "{% raw %}x{% endraw %}",
    "${7*7} #{7*7}",
    'Tom & Jerry\'s "quote"',
    "</textarea><b>bold</b>",
    "javascript:alert(1)",
    "Ünïcödé — ½ ✓ 😀",
    "مرحبا بالعالم",
    "* not a list\n# not a heading",
    "| a | b |",
    "line one\nline two",
    "  leading and trailing  ",
    "yes",
    "null",
    "1e3",
    "0o17",
    "20:00",
    "- item",
    "#",
    "@at `backtick`",
]

_CHARS = st.characters(
    blacklist_categories=("Cs", "Cc", "Co", "Cn"),
    blacklist_characters="[]()<>\ufeff\u2028\u2029\x85",
)
_WORDS = st.text(_CHARS, min_size=1, max_size=24).filter(lambda s: s.strip() != "")


def examples(n: int) -> int:
    """``n`` examples in the full run; a tenth (at least 5) under the ``fast`` profile that
    ``make test-fast`` loads (tests/conftest.py)."""
    return n if settings.default.max_examples >= 100 else max(5, n // 10)


def plain_text() -> st.SearchStrategy[str]:
    return st.one_of(_WORDS, st.sampled_from(HOSTILE_TEXTS))


@dataclass
class _Ctx:
    """What the worksheet drawn so far holds (ids, kinds) so later parts can refer to it."""

    translated: bool
    counter: int = 0
    inputs: list[dict[str, Any]] = field(default_factory=list)  # top-level and section inputs

    def new_id(self, prefix: str = "q") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"


def _text(draw: st.DrawFn, ctx: _Ctx) -> Any:
    if ctx.translated:
        return {"en": draw(plain_text()), "es": draw(plain_text())}
    return draw(plain_text())


_PATTERNS = {
    "^[a-z]+$": "abc",
    "[A-Z]{3}-[0-9]{2}": "ABC-12",
    r"^\d{4}$": "2026",
}
_DURATIONS = ["PT1M", "PT5M", "PT30M", "PT1H", "PT1H30M", "P1D"]


def _option_values(draw: st.DrawFn, numeric: bool) -> list[Any]:
    n = draw(st.integers(1, 5))
    if numeric:
        start = draw(st.integers(-2, 3))
        step = draw(st.sampled_from([1, 1, 2, 0.5]))
        return [start + i * step for i in range(n)]
    pool = draw(
        st.lists(
            st.one_of(
                st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True),
                st.integers(-5, 20),
                st.sampled_from(["Other thing", "n/a", "<b>x</b>", "{{ 7*7 }}", "ñandú"]),
            ),
            min_size=n,
            max_size=n,
            unique_by=lambda v: (type(v) is str, v),
        )
    )
    return pool


def _options(draw: st.DrawFn, ctx: _Ctx, values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        bare_ok = not ctx.translated and (not isinstance(value, float))
        style = draw(st.sampled_from(["bare", "full", "full_help"] if bare_ok else ["full"]))
        if style == "bare":
            out.append(value)
        else:
            option: dict[str, Any] = {"value": value, "label": _text(draw, ctx)}
            if style == "full_help":
                option["help"] = _text(draw, ctx)
            out.append(option)
    return out


def _common(draw: st.DrawFn, ctx: _Ctx, item: dict[str, Any], column: bool) -> None:
    if not column or draw(st.booleans()):
        item["label"] = _text(draw, ctx)
    if draw(st.integers(0, 3)) == 0:
        item["help"] = _text(draw, ctx)
    if draw(st.booleans()):
        item["required"] = True
    if draw(st.integers(0, 6)) == 0:
        item["readonly"] = True


def _input_item(draw: st.DrawFn, ctx: _Ctx, kind: str, column: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"id": ctx.new_id("c" if column else "q"), "type": kind}
    _common(draw, ctx, item, column)
    if kind == "text":
        if draw(st.booleans()):
            item["multiline"] = True
        if draw(st.booleans()):
            low = draw(st.integers(0, 5))
            item["min_length"] = low
            item["max_length"] = draw(st.integers(max(low, 1) + 5, 500))
        if draw(st.integers(0, 3)) == 0:
            item["pattern"] = draw(st.sampled_from(sorted(_PATTERNS)))
            item["pattern_message"] = _text(draw, ctx)
            # The answer for a pattern is fixed (_PATTERNS); keep the lengths compatible with it.
            item.pop("min_length", None)
            if "max_length" in item:
                item["max_length"] = max(item["max_length"], len(_PATTERNS[item["pattern"]]))
        if draw(st.integers(0, 3)) == 0:
            item["placeholder"] = _text(draw, ctx)
    elif kind == "number":
        if draw(st.booleans()):
            low = draw(st.integers(-100, 100))
            item["min"] = low
            item["max"] = low + draw(st.integers(0, 1000))
            if draw(st.booleans()):
                item["default"] = low
        if draw(st.booleans()):
            item["step"] = draw(st.sampled_from([1, 2, 5, 0.5, 0.25]))
        if draw(st.booleans()):
            item["integer"] = True
            item.pop("step", None)
        if draw(st.booleans()):
            item["unit"] = _text(draw, ctx)
    elif kind == "yesno":
        if draw(st.integers(0, 3)) == 0:
            item["default"] = draw(st.booleans())
    elif kind in ("date", "time", "datetime"):
        if draw(st.integers(0, 3)) == 0:
            item["default"] = {
                "date": "2026-12-01",
                "time": "20:00",
                "datetime": "2026-12-01T20:00",
            }[kind]
    elif kind == "duration":
        if draw(st.booleans()):
            item["min"] = "PT1M"
            item["max"] = "PT2H"
    elif kind in ("choice", "checklist", "ranking"):
        values = _option_values(draw, numeric=draw(st.booleans()))
        if kind == "ranking" and len(values) < 2:
            values = [*values, "zz_last" if "zz_last" not in values else "zz_other"]
        item["options"] = _options(draw, ctx, values)
        if kind in ("choice", "checklist") and draw(st.integers(0, 3)) == 0:
            item["other"] = True
        if kind == "choice" and draw(st.integers(0, 3)) == 0:
            item["default"] = draw(st.sampled_from(values))
        if kind == "checklist":
            if draw(st.booleans()):
                low = draw(st.integers(0, len(values)))
                item["min_selected"] = low
                item["max_selected"] = draw(st.integers(max(low, 1), len(values) + 2))
            if len(values) > 2 and draw(st.integers(0, 3)) == 0:
                last = item["options"][-1]
                if not isinstance(last, dict):
                    last = {"value": last, "label": str(last)}
                item["options"][-1] = {**last, "exclusive": True}
                item.pop("min_selected", None)
                item.pop("max_selected", None)
    elif kind == "likert":
        if draw(st.booleans()):
            item["scale"] = draw(st.sampled_from(sorted(LIKERT_PRESETS)))
        else:
            item["options"] = _options(draw, ctx, _option_values(draw, numeric=True))
        if draw(st.integers(0, 4)) == 0:
            item["reverse"] = True
    elif kind == "rating":
        low = draw(st.sampled_from([0, 0, 1, -5, 0.5]))
        step = draw(st.sampled_from([1, 1, 2, 5, 10, 0.5]))
        span = step * draw(st.integers(1, 20))
        item["min"], item["max"], item["step"] = low, low + span, step
        if draw(st.booleans()):
            item["anchors"] = {low: _text(draw, ctx), low + span: _text(draw, ctx)}
        if draw(st.booleans()):
            item["widget"] = draw(st.sampled_from(["slider", "buttons", "number"]))
        if draw(st.integers(0, 4)) == 0:
            item["reverse"] = True
    return item


def _condition(draw: st.DrawFn, target: dict[str, Any]) -> str:
    """A show_if over an earlier item, of a form that type-checks for its kind."""
    ident, kind = target["id"], target["type"]
    forms = [f"answered({ident})", f"not answered({ident})"]
    if kind in ("number", "rating"):
        # a rating's own lowest value: `== 0` on a 1–2 scale is WK310 (it can never match)
        low = _literal(target.get("min", 0)) if kind == "rating" else "0"
        forms += [f"{ident} >= 3", f"{ident} + 1 > 2 and {ident} != null", f"{ident} == {low}"]
    elif kind == "text":
        forms += [f"{ident} == 'yes'", f"{ident} != ''"]
    elif kind == "yesno":
        forms += [ident, f"{ident} == false", f"not {ident}"]
    elif kind in ("choice", "likert"):
        values = [_value(o) for o in target.get("options", [])] or [
            v for v, _ in LIKERT_PRESETS.get(target.get("scale", ""), ())
        ]
        value = draw(st.sampled_from(values))
        forms += [f"{ident} == {_literal(value)}", f"{ident} != {_literal(value)}"]
    elif kind in ("checklist", "ranking"):
        value = draw(st.sampled_from([_value(o) for o in target["options"]]))
        forms += [f"selected({ident}, {_literal(value)})", f"count({ident}) >= 1"]
    elif kind == "table":
        col = target["columns"][0]["id"]
        forms += [f"rows({ident}) >= 1", f"any({ident}, answered({col}))"]
    return draw(st.sampled_from(forms))


def _value(option: Any) -> Any:
    return option["value"] if isinstance(option, dict) else option


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return json.dumps(value)


_INPUT_KINDS = [
    "text",
    "number",
    "yesno",
    "date",
    "time",
    "datetime",
    "duration",
    "choice",
    "checklist",
    "likert",
    "rating",
    "ranking",
]
_COLUMN_KINDS = [k for k in _INPUT_KINDS if k != "ranking"]


def _item(draw: st.DrawFn, ctx: _Ctx, depth: int) -> dict[str, Any]:
    kinds = [*_INPUT_KINDS, "table", "table", "note", "media", *(["section"] if depth < 2 else [])]
    kind = draw(st.sampled_from(kinds))
    earlier = list(ctx.inputs)
    item: dict[str, Any]
    if kind == "note":
        item = {"type": "note", "text": _text(draw, ctx)}
        if draw(st.booleans()):
            item["id"] = ctx.new_id("n")
    elif kind == "media":
        item = {
            "type": "media",
            "kind": draw(st.sampled_from(["audio", "video", "image"])),
            "url": draw(st.sampled_from(["https://example.org/a.mp3", "media/b.png", "c.mp4"])),
        }
        for key in ("label", "transcript", "alt", "caption"):
            if draw(st.booleans()):
                item[key] = _text(draw, ctx)
        if draw(st.booleans()):
            item["duration"] = draw(st.sampled_from(_DURATIONS))
    elif kind == "section":
        item = {"type": "section", "title": _text(draw, ctx)}
        if draw(st.booleans()):
            item["id"] = ctx.new_id("s")
        if draw(st.booleans()):
            item["help"] = _text(draw, ctx)
        item["items"] = [_item(draw, ctx, depth + 1) for _ in range(draw(st.integers(1, 3)))]
    elif kind == "table":
        item = {"id": ctx.new_id("t"), "type": "table"}
        _common(draw, ctx, item, column=False)
        columns = [
            _input_item(draw, ctx, draw(st.sampled_from(_COLUMN_KINDS)), column=True)
            for _ in range(draw(st.integers(1, 4)))
        ]
        if len(columns) > 1 and draw(st.booleans()):
            columns[-1]["show_if"] = _condition(draw, columns[0])
        item["columns"] = columns
        low = draw(st.integers(0, 2))
        if low:
            item["min_rows"] = low
        if draw(st.booleans()):
            item["max_rows"] = draw(st.integers(max(low, 1), 10))
        if draw(st.booleans()):
            item["row_label"] = _text(draw, ctx)
        ctx.inputs.append(item)
    else:
        item = _input_item(draw, ctx, kind, column=False)
        ctx.inputs.append(item)
    if earlier and draw(st.integers(0, 2)) == 0:
        item["show_if"] = _condition(draw, draw(st.sampled_from(earlier)))
    return item


def _range(item: dict[str, Any]) -> tuple[float, float] | None:
    kind = item["type"]
    if kind == "rating":
        return float(item["min"]), float(item["max"])
    if kind == "number" and "min" in item:
        return float(item["min"]), float(item["max"])
    if kind in ("choice", "likert"):
        if "scale" in item:
            values = [v for v, _ in LIKERT_PRESETS[item["scale"]]]
        else:
            values = [_value(o) for o in item["options"]]
        if all(isinstance(v, int | float) for v in values):
            return float(min(values)), float(max(values))
    return None


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def _scores(draw: st.DrawFn, ctx: _Ctx) -> list[dict[str, Any]]:
    numeric = [(i, r) for i in ctx.inputs if (r := _range(i)) is not None]
    if not numeric:
        return []
    scores = []
    for n in range(draw(st.sampled_from([0, 1, 1, 2]))):
        chosen = draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=5, unique_by=id))
        ids = [i["id"] for i, _ in chosen]
        func = draw(st.sampled_from(["sum", "sum", "mean", "max"]))
        formula = f"{func}({', '.join(ids)})"
        lows = [r[0] for _, r in chosen]
        highs = [r[1] for _, r in chosen]
        if func == "sum":
            low, high = sum(lows), sum(highs)
        elif func == "mean":
            low, high = sum(lows) / len(lows), sum(highs) / len(highs)
        else:
            low, high = max(lows), max(highs)
        score: dict[str, Any] = {
            "id": f"score{n + 1}",
            "label": _text(draw, ctx),
            "formula": formula,
        }
        if draw(st.booleans()):
            allow = draw(st.integers(0, len(ids)))
            score["missing"] = {"allow": allow, "method": "prorate" if allow else "none"}
        if draw(st.integers(0, 3)):
            cuts = sorted(
                set(draw(st.lists(st.integers(int(low), int(high)), max_size=3))) - {int(high)}
            )
            cuts = [c for c in cuts if c >= low]
            score["bands"] = [{"max": _num(c), "label": _text(draw, ctx)} for c in [*cuts, high]]
            if draw(st.booleans()):
                score["bands"][-1]["severity"] = draw(
                    st.sampled_from(["none", "info", "warning", "urgent"])
                )
        if draw(st.booleans()):
            target = chosen[0][0]["id"]
            score["alerts"] = [
                {
                    "when": f"{target} >= {_literal(_num(chosen[0][1][1]))}",
                    "severity": draw(st.sampled_from(["info", "warning", "urgent"])),
                    "message": _text(draw, ctx),
                }
            ]
        scores.append(score)
    return scores


@st.composite
def worksheets(draw: st.DrawFn, *, translated: bool | None = None) -> dict[str, Any]:
    """The data of a worksheet that validates with no errors."""
    if translated is None:
        translated = draw(st.integers(0, 4)) == 0
    ctx = _Ctx(translated=translated)
    data: dict[str, Any] = {
        "worksheetkit": 1,
        "kind": "worksheet",
        "id": draw(st.from_regex(r"gen\.[a-z][a-z0-9-]{0,10}", fullmatch=True)),
        "version": draw(st.sampled_from(["1.0.0", "0.1.0", "2.10.3"])),
        "title": _text(draw, ctx),
    }
    if translated:
        data["language"] = "en"
        data["languages"] = ["en", "es"]
    elif draw(st.integers(0, 4)) == 0:
        data["language"] = draw(st.sampled_from(["es", "fr", "ar", "pt-BR"]))
    for key in ("summary", "rationale", "instructions"):
        if draw(st.booleans()):
            data[key] = _text(draw, ctx)
    if draw(st.booleans()):
        data["estimated_minutes"] = draw(st.sampled_from([1, 5, 15, 2.5, 60]))
    if draw(st.booleans()):
        data["modalities"] = draw(st.lists(st.sampled_from(["cbt", "act", "dbt"]), unique=True))
        data["tags"] = draw(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), max_size=3))
    if draw(st.integers(0, 3)) == 0:
        data["source"] = {
            "authors": ["A. Clinician"],
            "license": "CC-BY-4.0",
            "url": "https://example.org/source",
        }
    if draw(st.integers(0, 3)) == 0:
        data["default_schedule"] = draw(
            st.sampled_from(
                [
                    {"repeat": "daily", "at": "20:00", "for": "P7D"},
                    {"repeat": "once"},
                    {
                        "repeat": "weekly",
                        "on": ["mon", "thu"],
                        "at": ["08:00", "18:00"],
                        "count": 6,
                    },
                ]
            )
        )
    data["items"] = [_item(draw, ctx, 0) for _ in range(draw(st.integers(1, 6)))]
    scores = _scores(draw, ctx)
    if scores:
        data["scores"] = scores
    return data


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # PyYAML writes "1e3" or "0o17" plain (text in YAML 1.1); YAML 1.2 would read a number.
    style = None
    if value and (_plain(value) != value or type(_plain(value)) is not str):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def to_yaml(data: Any, *, flow: bool = False) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=flow,
        width=80,
    )


# -- answers ------------------------------------------------------------------------------------


def _walk_inputs(
    items: list[dict[str, Any]], hidden: bool = False
) -> list[tuple[dict[str, Any], bool]]:
    """(item, conditional) for every input item outside tables, sections opened."""
    out = []
    for item in items:
        conditional = hidden or "show_if" in item
        if item["type"] == "section":
            out.extend(_walk_inputs(item["items"], conditional))
        elif item["type"] not in ("note", "media"):
            out.append((item, conditional))
    return out


def _answer(draw: st.DrawFn, item: dict[str, Any]) -> Any:
    kind = item["type"]
    if kind == "text":
        if "pattern" in item:
            return _PATTERNS[item["pattern"]]
        low = item.get("min_length", 0)
        high = min(item.get("max_length", 60), 60)
        body = draw(st.text(_CHARS, min_size=max(low, 1), max_size=max(high, 1)))
        return (body + SENTINEL)[: max(high, len(body))] if high >= len(SENTINEL) + 1 else body
    if kind == "number":
        low = item.get("min", 0)
        step = 1 if item.get("integer") else item.get("step", 1)
        high = item.get("max", low + 100)
        k = draw(st.integers(0, int((high - low) / step)))
        return _num(low + k * step)
    if kind == "rating":
        k = draw(st.integers(0, round((item["max"] - item["min"]) / item["step"])))
        return _num(item["min"] + k * item["step"])
    if kind == "yesno":
        return draw(st.booleans())
    if kind == "date":
        return draw(st.sampled_from(["2026-12-01", "2024-02-29", "1999-01-31"]))
    if kind == "time":
        return draw(st.sampled_from(["00:00", "20:00", "23:59:59"]))
    if kind == "datetime":
        return draw(
            st.sampled_from(["2026-12-01T20:00:00Z", "2026-03-29T01:30", "2026-12-01T20:00+01:00"])
        )
    if kind == "duration":
        return draw(st.sampled_from(["PT5M", "PT30M", "PT1H"]))
    if kind in ("choice", "likert"):
        if "scale" in item:
            return draw(st.sampled_from([v for v, _ in LIKERT_PRESETS[item["scale"]]]))
        if item.get("other") and draw(st.integers(0, 3)) == 0:
            return {"other": SENTINEL}
        return _value(draw(st.sampled_from(item["options"])))
    if kind == "checklist":
        options = item["options"]
        exclusive = [_value(o) for o in options if isinstance(o, dict) and o.get("exclusive")]
        plain = [_value(o) for o in options if not (isinstance(o, dict) and o.get("exclusive"))]
        if exclusive and draw(st.booleans()):
            return [exclusive[0]]
        low = item.get("min_selected", 0)
        high = min(item.get("max_selected", len(plain)), len(plain))
        if low > len(plain):  # only reachable with "other"
            return [*plain, {"other": SENTINEL}]
        chosen = (
            draw(
                st.lists(
                    st.sampled_from(plain),
                    min_size=max(low, 1) if plain else 0,
                    max_size=max(high, low, 1),
                    unique=True,
                )
            )
            if plain
            else []
        )
        return [v for v in plain if v in chosen]
    if kind == "ranking":
        return draw(st.permutations([_value(o) for o in item["options"]]))
    if kind == "table":
        low = item.get("min_rows", 0)
        high = item.get("max_rows", low + 3)
        rows = []
        for _ in range(draw(st.integers(max(low, 1), max(min(high, 3), low, 1)))):
            row = {}
            for col in item["columns"]:
                if "show_if" in col:
                    continue
                if col.get("required") or draw(st.booleans()):
                    row[col["id"]] = _answer(draw, col)
            rows.append(row)
        return rows
    raise AssertionError(kind)


@st.composite
def answers_for(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """Answers of the right shape to (some of) the questions no ``show_if`` can hide."""
    answers: dict[str, Any] = {}
    for item, conditional in _walk_inputs(data["items"]):
        if conditional or item.get("readonly"):
            continue
        if item.get("required") or draw(st.booleans()):
            answers[item["id"]] = _answer(draw, item)
    return answers


def response_for(
    data: dict[str, Any], answers: dict[str, Any], *, draft: bool = True
) -> dict[str, Any]:
    response: dict[str, Any] = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": data["id"],
        "version": data["version"],
        "started_at": "2026-12-01T20:05:00+00:00",
        "answers": answers,
    }
    if not draft:
        response["submitted_at"] = "2026-12-01T20:21:00+00:00"
    return response


json_like: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.just(SENTINEL),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def hostile_answers(draw: st.DrawFn, data: dict[str, Any]) -> Any:
    """Answers of any shape: right ids with wrong values, unknown ids, non-objects."""
    ids = [item["id"] for item, _ in _walk_inputs(data["items"])]
    base = draw(answers_for(data)) if draw(st.booleans()) else {}
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(ids) if ids and draw(st.booleans()) else st.text(max_size=12))
        base[key] = draw(json_like)
    if draw(st.integers(0, 9)) == 0:
        return draw(json_like)
    return base


@st.composite
def hostile_responses(draw: st.DrawFn, data: dict[str, Any]) -> Any:
    """A response document mutated anywhere: envelope keys dropped, retyped or added."""
    response = response_for(data, draw(hostile_answers(data)), draft=draw(st.booleans()))
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from([*response, "ratings", "obstacle", "language", "x-extra"]))
        if draw(st.booleans()):
            response.pop(key, None)
        else:
            response[key] = draw(json_like)
    if draw(st.integers(0, 9)) == 0:
        return draw(json_like)
    return response


# -- expressions for the cross-engine test -------------------------------------------------------

_NAMES = ["a", "b", "c", "s", "t", "flag", "lst", "nums", "tbl", "zz", "big", "d", "dt"]
_COLUMNS = ["x", "y", "z"]
_CONSTS: list[Any] = [0, 1, 2, -1, 0.5, 2.5, -3.5, 7, 100, 1e-7, 1e21, "a", "sad", "", "é",
                      True, False, None]  # fmt: skip
_BINARY = ["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or", "in"]

ANSWER_SETS: list[dict[str, Any]] = [
    {},
    {"a": None, "b": None, "s": None, "lst": None, "tbl": None, "flag": None},
    {
        "a": 1, "b": 2, "c": 3, "s": "sad", "t": "tired", "flag": True,
        "lst": ["sad", "tired"], "nums": [1, 2.5, 3],
        "tbl": [{"x": 1, "y": 2, "z": "a"}, {"x": 5, "y": None}, {"x": 2.5, "z": ["q"]}],
        "big": 2**53, "d": "2026-12-01", "dt": "2026-12-01T20:00:00Z",
    },
    {
        "a": 0, "b": -1.5, "c": None, "s": "", "t": "Sad", "flag": False, "lst": [],
        "nums": [None, 4, [5, [6]]], "tbl": [], "x": 7, "d": "2024-02-29",
    },
    {
        "a": 2.5, "b": 0.1, "c": 1e21, "s": "é", "t": "e\u0301", "flag": None,
        "lst": ["sad", None, 1], "nums": [1, "2", 3], "tbl": [3, None, {"x": None}, {"x": "1"}],
        "zz": 0,
    },
    {
        "a": "1", "b": True, "c": [1], "s": 5, "t": {"k": 1}, "flag": "yes", "lst": "sad",
        "nums": {"x": 1}, "tbl": {"x": [1, 2]}, "big": -(2**60),
    },
    {
        "a": -7, "b": 3, "c": 0.3, "s": "\U0001f600", "t": "\uff5e", "flag": 1,
        "lst": [[1, 2], [1, 2]], "nums": [0.1, 0.2, 0.3],
        "tbl": [{"x": 10, "y": 10, "z": 10}, {"x": 20, "y": 20}],
    },
]  # fmt: skip


def _random_expr(rng: random.Random, depth: int, in_row: bool) -> Any:
    """A random expression in the JSON form (``to_json``), built from the language's parts."""
    from worksheetkit.expressions import FUNCTIONS
    from worksheetkit.expressions.functions import SIGNATURES

    if depth <= 0 or rng.random() < 0.25:
        roll = rng.random()
        if roll < 0.35:
            return rng.choice(_CONSTS)
        if roll < 0.9 or not in_row:
            return ["name", rng.choice(_NAMES + (_COLUMNS if in_row else []))]
        return ["col", "tbl", rng.choice(_COLUMNS)]
    roll = rng.random()
    if roll < 0.45:
        return [
            rng.choice(_BINARY),
            _random_expr(rng, depth - 1, in_row),
            _random_expr(rng, depth - 1, in_row),
        ]
    if roll < 0.55:
        return [rng.choice(["neg", "not"]), _random_expr(rng, depth - 1, in_row)]
    if roll < 0.62:
        return ["list", *[_random_expr(rng, depth - 1, in_row) for _ in range(rng.randint(0, 3))]]
    name = rng.choice(sorted(FUNCTIONS))
    if name in ("any", "all"):
        return ["call", name, ["name", rng.choice(["tbl", "tbl", "lst", "a"])],
                _random_expr(rng, depth - 1, True)]  # fmt: skip
    if name == "completed":
        return ["call", name, ["name", rng.choice(["s1", "s2"])]]
    sig = SIGNATURES[name]
    high = sig.max_args if sig.max_args is not None else sig.min_args + 3
    count = rng.randint(sig.min_args, high)
    return ["call", name, *[_random_expr(rng, depth - 1, in_row) for _ in range(count)]]


def expression_corpus(n: int, seed: int = 20261201) -> list[Any]:
    """``n`` distinct random expressions (JSON form), each round-tripped through the parser so
    only spellings the language can write are kept."""
    from worksheetkit.expressions import from_json, parse, to_json, to_source

    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[Any] = []
    while len(out) < n:
        data = _random_expr(rng, rng.randint(1, 5), in_row=False)
        try:
            canonical = to_json(parse(to_source(from_json(data))))
        except ValueError:  # nested deeper than the language allows: draw again
            continue
        key = json.dumps(canonical, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(canonical)
    return out

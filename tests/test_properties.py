"""Properties that must hold for every worksheet and response, checked over generated ones.

Worksheets come from ``strategies.worksheets()`` (every item type, sections, tables, options,
show_if over earlier items, scores with bands covering their range, translations). Each test sets
its own modest ``max_examples`` and ``derandomize=True`` so CI runs the same examples every time
and the whole module stays well under a minute.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies import (
    SENTINEL,
    answers_for,
    examples,
    hostile_responses,
    json_like,
    response_for,
    to_yaml,
    worksheets,
)
from test_hostile import assert_no_injected_markup
from worksheetkit import render, score, validate_response
from worksheetkit.errors import Diagnostic, WorksheetError, has_errors
from worksheetkit.model import Worksheet
from worksheetkit.validation import loads, validate


def _settings(n: int) -> settings:
    return settings(
        max_examples=examples(n),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


def _load(data: dict[str, Any]) -> Worksheet:
    model = loads(to_yaml(data), source="generated.yaml")
    assert isinstance(model, Worksheet)
    return model


# -- generated worksheets are valid, and survive every trip ---------------------------------------


@_settings(60)
@given(data=worksheets())
def test_generated_worksheets_validate_without_errors(tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(to_yaml(data), encoding="utf-8")
    diagnostics = validate(path)
    assert not has_errors(diagnostics), diagnostics


@_settings(80)
@given(data=worksheets())
def test_load_json_load_round_trips_exactly(data: dict[str, Any]) -> None:
    first = _load(data)
    text = render(first, to="json")
    second = loads(text, source="canonical.json")
    assert second == first
    again = render(second, to="json")
    assert again == text  # byte-identical on the second trip
    assert json.loads(text)["id"] == data["id"]


@_settings(40)
@given(data=worksheets())
def test_block_and_flow_yaml_give_the_same_model(data: dict[str, Any]) -> None:
    block = loads(to_yaml(data), source="block.yaml")
    flow = loads(to_yaml(data, flow=True), source="flow.yaml")
    as_json = loads(json.dumps(data, ensure_ascii=False), source="data.json")
    assert block == flow == as_json


@_settings(50)
@given(data=worksheets())
def test_every_generated_worksheet_renders_in_every_format(data: dict[str, Any]) -> None:
    ws = _load(data)
    page = render(ws, to="html")
    fragment = render(ws, to="html", fragment=True)
    markdown = render(ws, to="markdown")
    canonical = render(ws, to="json")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "<html" not in fragment.lower()
    assert markdown.strip()
    assert canonical.endswith("\n")
    for html in (page, fragment):
        # user text is data: never markup, never a template
        assert_no_injected_markup(html)
        labels = [data["title"], *(i.get("label") for i in data["items"])]
        if "{{ 7*7 }}" in labels:
            assert "{{ 7*7 }}" in html  # shown as written, never evaluated to 49
    if "languages" in data:
        assert render(ws, to="html", language="es")
        assert render(ws, to="markdown", language="es")


@_settings(30)
@given(data=worksheets(), answers=st.data())
def test_responses_render_with_their_worksheet(
    data: dict[str, Any], answers: st.DataObject
) -> None:
    ws = _load(data)
    response_data = response_for(data, answers.draw(answers_for(data)), draft=False)
    response = loads(json.dumps(response_data), source="response.json")
    for to in ("html", "markdown", "json"):
        assert render(response, to=to, worksheet=ws)
    assert render((ws, response), to="html", fragment=True)


# -- responses --------------------------------------------------------------------------------------


@_settings(80)
@given(data=worksheets(), draw=st.data())
def test_a_draft_with_well_formed_answers_has_no_errors(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    ws = _load(data)
    answers = draw.draw(answers_for(data))
    diagnostics = validate_response(ws, response_for(data, answers))
    errors = [d for d in diagnostics if d.severity == "error"]
    assert not errors, (answers, errors)


@_settings(120)
@given(data=worksheets(), draw=st.data())
def test_validate_response_and_score_never_raise_and_never_quote_answers(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    ws = _load(data)
    response = draw.draw(hostile_responses(data))
    diagnostics = validate_response(ws, response)
    for d in diagnostics:
        assert isinstance(d, Diagnostic)
        assert d.code.startswith("WK4")
        assert isinstance(d.path, tuple)
        assert d.json_pointer == "" or d.json_pointer.startswith("/")
        assert SENTINEL not in d.message
        assert SENTINEL not in (d.hint or "")
    results = score(ws, response)
    assert list(results) == [s["id"] for s in data.get("scores", [])]
    for result in results.values():
        assert result.value is None or math.isfinite(result.value)
        for alert in result.alerts:
            assert SENTINEL not in str(alert.to_dict())


@_settings(80)
@given(data=worksheets(), draw=st.data())
def test_complete_scores_fall_inside_a_band(data: dict[str, Any], draw: st.DataObject) -> None:
    ws = _load(data)
    answers = draw.draw(answers_for(data))
    results = score(ws, response_for(data, answers))
    for spec in data.get("scores", []):
        result = results[spec["id"]]
        ids = re.findall(r"[a-z_][a-z0-9_]*", spec["formula"].partition("(")[2])
        if not all(i in answers for i in ids):
            continue
        assert result.value is not None, (spec, answers)
        if spec.get("bands"):
            assert result.value <= spec["bands"][-1]["max"] + 1e-9
            assert result.band is not None, (spec, result)


# -- arbitrary input gives diagnostics, located inside the file -------------------------------------

_YAML_BREAKS = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")


def _assert_located(path: Path, text: str, diagnostics: list[Diagnostic]) -> None:
    lines = _YAML_BREAKS.split(text.lstrip("\ufeff"))
    for d in diagnostics:
        assert isinstance(d, Diagnostic)
        assert d.file == str(path)
        assert d.line is not None, d
        assert d.column is not None, d
        assert 1 <= d.line <= len(lines) + 1, (d, len(lines))
        assert d.column >= 1, d
        if d.line <= len(lines):
            assert d.column <= len(lines[d.line - 1]) + 1, (d, lines[d.line - 1])


def _mutate(data: Any, draw: st.DataObject) -> Any:
    """Replace, drop or add one value somewhere inside the document."""
    if isinstance(data, dict) and data:
        key = draw.draw(st.sampled_from(sorted(data, key=str)))
        action = draw.draw(st.integers(0, 3))
        out = dict(data)
        if action == 0:
            del out[key]
        elif action == 1:
            out[key] = draw.draw(json_like)
        elif action == 2:
            out[draw.draw(st.sampled_from(["lable", "typo", "show_if", "id", "x"]))] = draw.draw(
                json_like | st.sampled_from(["q1 >", "javascript:x", "", "nope(q1)"])
            )
        else:
            out[key] = _mutate(data[key], draw)
        return out
    if isinstance(data, list) and data:
        index = draw.draw(st.integers(0, len(data) - 1))
        out_list = list(data)
        if draw.draw(st.booleans()):
            out_list[index] = _mutate(data[index], draw)
        else:
            out_list[index] = draw.draw(json_like)
        return out_list
    return draw.draw(json_like)


@_settings(150)
@given(data=worksheets(), draw=st.data(), flow=st.booleans())
def test_mutated_worksheets_give_located_diagnostics(
    tmp_path: Path, data: dict[str, Any], draw: st.DataObject, flow: bool
) -> None:
    mutated = data
    for _ in range(draw.draw(st.integers(1, 3))):
        mutated = _mutate(mutated, draw)
    try:
        text = to_yaml(mutated, flow=flow)
    except (yaml.YAMLError, ValueError, TypeError):
        return
    path = tmp_path / "mutated.yaml"
    path.write_text(text, encoding="utf-8")
    _assert_located(path, text, validate(path))
    raised: list[Diagnostic] = []
    try:
        loads(text, source=str(path))
    except WorksheetError as exc:
        raised = exc.diagnostics
        assert raised, "WorksheetError without diagnostics"
    _assert_located(path, text, raised)


_YAMLISH = st.lists(
    st.sampled_from(
        [
            "worksheetkit: 1\n", "kind: worksheet\n", "id: a.b\n", "version: 1.0.0\n",
            "title: T\n", "items:\n", "  - id: q1\n", "    type: rating\n", "    label: L\n",
            "    show_if: \"q1 >\"\n", "  - {id: q2, type: choice, options: [a, a]}\n",
            "scores:\n", "  - {id: s, label: S, formula: 'sum(q1, zz)'}\n", "&a [*a]\n",
            "key: &x {a: *x}\n", "<<: *nope\n", "\t- tab\n", "- [unclosed\n", "'quote\n",
            "!!python/object:os.system x\n", "? complex\n: key\n", "---\n", "...\n",
            "    text: |\n      block\n", "label: >-\n  folded\n", "é: ü\n", "\ufeff", "\r\n",
            "#comment\n", "  ", "\u2028", "\x85",
        ]
    ),
    max_size=25,
).map("".join)  # fmt: skip


@_settings(200)
@given(text=_YAMLISH | st.text(max_size=200))
def test_arbitrary_yaml_gives_located_diagnostics(tmp_path: Path, text: str) -> None:
    path = tmp_path / "any.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    _assert_located(path, text, validate(path))


@_settings(100)
@given(data=json_like)
def test_arbitrary_json_gives_located_diagnostics(tmp_path: Path, data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False)
    path = tmp_path / "any.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _assert_located(path, text, validate(path))


@_settings(60)
@given(data=json_like, ws=worksheets())
def test_validate_response_never_raises_on_arbitrary_json(ws: dict[str, Any], data: Any) -> None:
    model = _load(ws)
    for d in validate_response(model, data):
        assert isinstance(d, Diagnostic)
        assert SENTINEL not in d.message
        assert SENTINEL not in (d.hint or "")
    score(model, data)

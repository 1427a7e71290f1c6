"""score(): formulas, missing-item policy, reverse items, table columns, bands, alerts."""

from __future__ import annotations

import textwrap

import pytest

import worksheetkit as wk
from worksheetkit.model import Worksheet
from worksheetkit.responses import score


def _ws(text: str) -> Worksheet:
    doc = wk.loads(textwrap.dedent(text))
    assert isinstance(doc, Worksheet)
    return doc


FOUR = _ws("""
    worksheetkit: 1
    id: t.four
    version: 1.0.0
    title: Four items
    items:
      - {id: a, type: likert, scale: frequency-4, label: A}
      - {id: b, type: likert, scale: frequency-4, label: B}
      - {id: c, type: likert, scale: frequency-4, label: C, reverse: true}
      - {id: d, type: likert, scale: frequency-4, label: D}
    scores:
      - id: total
        label: Total
        formula: "sum(a, b, c, d)"
        missing: {allow: 1, method: prorate}
        bands:
          - {max: 3, label: Low}
          - {max: 8, label: Middle}
          - {max: 12, label: High}
        alerts:
          - {when: "d == 3", severity: urgent, message: "D at its highest."}
          - {when: "total >= 9", severity: warning, message: "High total."}
      - id: strict
        label: Strict
        formula: "sum(a, b, c, d)"
        missing: {allow: 0, method: none}
      - id: lenient
        label: Lenient
        formula: "sum(a, b, c, d)"
        missing: {allow: 2, method: none}
      - id: average
        label: Mean
        formula: "mean(a, b, c, d)"
        missing: {allow: 1, method: prorate}
      - id: doubled
        label: Twice the total
        formula: "total * 2"
""")


def test_reverse_scored_item_counts_min_plus_max_minus_value() -> None:
    result = score(FOUR, {"a": 1, "b": 2, "c": 0, "d": 1})
    assert result["total"].value == 1 + 2 + 3 + 1
    assert result["total"].band == "Middle"
    assert result["total"].missing == 0
    assert not result["total"].prorated


def test_bands_are_inclusive_upper_bounds() -> None:
    assert score(FOUR, {"a": 1, "b": 1, "c": 3, "d": 1})["total"].band == "Low"  # 3
    assert score(FOUR, {"a": 1, "b": 1, "c": 2, "d": 1})["total"].band == "Middle"  # 4
    assert score(FOUR, {"a": 3, "b": 2, "c": 0, "d": 0})["total"].band == "Middle"  # 8
    assert score(FOUR, {"a": 3, "b": 3, "c": 0, "d": 0})["total"].band == "High"  # 9


def test_prorate_one_missing_item_rounds_a_whole_number_scale() -> None:
    # a=3, b=2, c(reversed)=3-1=2, d missing: mean 7/3 → 7 × 4/3 = 9.33 → 9
    result = score(FOUR, {"a": 3, "b": 2, "c": 1})
    assert result["total"].value == 9
    assert result["total"].prorated
    assert result["total"].missing == 1
    assert result["total"].band == "High"
    # half rounds away from zero: a=1, b=2, c=3-2=1 → 4 × 4/3 = 5.33 → 5; a=2,b=2,c=3-3=0 → 5.33
    assert score(FOUR, {"a": 3, "b": 3, "c": 2})["total"].value == 9  # 7 × 4/3 = 9.33
    assert score(FOUR, {"a": 3, "b": 3, "c": 0})["total"].value == 12  # 9 × 4/3 = 12


def test_prorate_exact_half_rounds_up() -> None:
    two = _ws("""
        worksheetkit: 1
        id: t.two
        version: 1.0.0
        title: T
        items:
          - {id: p, type: likert, scale: frequency-4, label: P}
          - {id: q, type: likert, scale: frequency-4, label: Q}
          - {id: r, type: likert, scale: frequency-4, label: R}
          - {id: s, type: likert, scale: frequency-4, label: S}
        scores:
          - {id: t, label: T, formula: "sum(p, q, r, s)", missing: {allow: 2, method: prorate}}
    """)
    # p=1, q=2 → mean 1.5 → 1.5 × 4 = 6 (exact); p=1,q=0,r=0 → 1/3 × 4 = 1.33 → 1
    assert score(two, {"p": 1, "q": 2})["t"].value == 6
    assert score(two, {"p": 1, "q": 0, "r": 0})["t"].value == 1
    # p=3, q=2, r=2 → 7/3 × 4 = 9.33 → 9 ; p=1, q=1, r=0 → 2/3 × 4 = 2.67 → 3
    assert score(two, {"p": 1, "q": 1, "r": 0})["t"].value == 3
    # p=1 only: 3 missing > allow 2 → not computed
    assert score(two, {"p": 1})["t"].value is None


def test_too_many_missing_gives_null_not_zero() -> None:
    result = score(FOUR, {"a": 3, "b": 2})
    assert result["total"].value is None
    assert result["total"].band is None
    assert result["total"].missing == 2
    assert result["doubled"].value is None


def test_method_none_allow_zero_and_allow_two() -> None:
    assert score(FOUR, {"a": 1, "b": 1, "c": 3})["strict"].value is None
    lenient = score(FOUR, {"a": 1, "b": 1})["lenient"]
    assert lenient.value == 2  # the formula as written: sum skips the missing items
    assert not lenient.prorated
    assert score(FOUR, {"a": 1})["lenient"].value is None


def test_mean_scores_are_not_rounded_to_whole_numbers() -> None:
    result = score(FOUR, {"a": 1, "b": 2, "c": 2})  # 1, 2, 1 → mean 4/3
    assert result["average"].value == pytest.approx(1.33)
    assert result["average"].prorated


def test_scores_use_other_scores_and_alerts_use_scores_and_items() -> None:
    result = score(FOUR, {"a": 3, "b": 3, "c": 0, "d": 3})
    assert result["total"].value == 12
    assert result["doubled"].value == 24
    assert [(a.severity, a.message) for a in result["total"].alerts] == [
        ("urgent", "D at its highest."),
        ("warning", "High total."),
    ]
    assert score(FOUR, {"a": 0, "b": 0, "c": 3, "d": 0})["total"].alerts == ()


def test_wrong_and_other_answers_count_as_missing() -> None:
    result = score(FOUR, {"a": "3", "b": 9, "c": 0, "d": 0})
    assert result["total"].value is None
    assert result["total"].missing == 2


def test_score_accepts_a_response_document_or_model() -> None:
    doc = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "t.four",
        "answers": {"a": 1, "b": 1, "c": 3, "d": 1},
    }
    assert score(FOUR, doc)["total"].value == 3
    assert score(FOUR, wk.Response.model_validate(doc))["total"].value == 3
    assert list(score(FOUR, doc)) == ["total", "strict", "lenient", "average", "doubled"]


TABLE = _ws("""
    worksheetkit: 1
    id: exposure.log
    version: 1.0.0
    title: Exposure log
    items:
      - id: exposures
        type: table
        label: Exposures
        columns:
          - {id: task, type: text}
          - {id: suds_before, type: rating, min: 0, max: 100, step: 5}
          - {id: suds_after, type: rating, min: 0, max: 100, step: 5}
          - {id: calm, type: rating, min: 0, max: 10, reverse: true}
    scores:
      - {id: before, label: Mean SUDS before, formula: "mean(exposures.suds_before)"}
      - {id: after, label: Mean SUDS after, formula: "mean(exposures.suds_after)"}
      - {id: drop, label: Drop, formula: "before - after"}
      - {id: tension, label: Tension, formula: "sum(exposures.calm)"}
      - id: count
        label: Exposures done
        formula: "rows(exposures)"
        alerts:
          - {when: "any(exposures, suds_after > suds_before)", severity: info,
             message: "Anxiety rose during at least one exposure."}
""")


def test_scores_over_table_columns() -> None:
    rows = [
        {"task": "lift", "suds_before": 70, "suds_after": 40, "calm": 2},
        {"task": "shop", "suds_before": 60, "suds_after": 30, "calm": 8},
        {"task": "call", "suds_before": 50, "suds_after": 55},
    ]
    result = score(TABLE, {"exposures": rows})
    assert result["before"].value == 60
    assert result["after"].value == pytest.approx(125 / 3)
    assert result["drop"].value == pytest.approx(60 - 125 / 3)
    assert result["tension"].value == (10 - 2) + (10 - 8)
    assert result["count"].value == 3
    assert [a.severity for a in result["count"].alerts] == ["info"]
    empty = score(TABLE, {"exposures": []})
    assert empty["before"].value is None
    assert empty["count"].value is None  # an empty table is a missing answer


def test_hidden_items_do_not_score() -> None:
    ws = _ws("""
        worksheetkit: 1
        id: t.hidden
        version: 1.0.0
        title: T
        items:
          - {id: gate, type: yesno, label: Gate}
          - {id: x, type: number, label: X, show_if: "gate == true"}
          - {id: y, type: number, label: Y}
        scores:
          - {id: s, label: S, formula: "sum(x, y)", missing: {allow: 1}}
    """)
    assert score(ws, {"gate": True, "x": 5, "y": 1})["s"].value == 6
    assert score(ws, {"gate": False, "x": 5, "y": 1})["s"].value == 1


def test_labels_in_the_requested_language() -> None:
    ws = _ws("""
        worksheetkit: 1
        id: t.lang
        version: 1.0.0
        title: {en: T, es: T}
        language: en
        languages: [en, es]
        items:
          - {id: a, type: number, label: {en: A, es: A}}
        scores:
          - id: s
            label: {en: Score, es: Puntuación}
            formula: "a"
            bands: [{max: 10, label: {en: Low, es: Bajo}}]
            alerts: [{when: "a > 5", message: {en: High, es: Alto}}]
    """)
    assert score(ws, {"a": 7}, language="es")["s"].band == "Bajo"
    assert score(ws, {"a": 7}, language="es")["s"].alerts[0].message == "Alto"
    assert score(ws, {"a": 7})["s"].label == "Score"
    doc = {"worksheetkit": 1, "kind": "response", "language": "es", "answers": {"a": 7}}
    assert score(ws, doc)["s"].band == "Bajo"


def test_score_result_reads_like_the_json_output() -> None:
    result = score(FOUR, {"a": 3, "b": 3, "c": 0, "d": 3})["total"]
    assert result["value"] == 12
    assert result["band"] == "High"
    assert result["alerts"][0] == {"severity": "urgent", "message": "D at its highest."}
    assert result["prorated"] is False
    with pytest.raises(KeyError):
        result["nope"]

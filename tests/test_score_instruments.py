"""PHQ-9 and GAD-7 in examples/: hand-scored synthetic responses and the FHIR PHQ-9 fixture."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

import worksheetkit as wk
from worksheetkit.model import Worksheet
from worksheetkit.responses import check_response, score

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

INSTRUMENTS = EXAMPLES / "instruments"
RESPONSES = EXAMPLES / "responses"
# A copy of ../shared/fixtures/fhir (CC0), kept in the repository so the tests need nothing else.
FHIR_RESPONSE = (
    ROOT / "tests" / "fixtures" / "fhir" / "questionnaireresponse-sdc-profile-example-PHQ9.json"
)
PHQ_COPYRIGHT = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with "
    "an educational grant from Pfizer Inc. No permission required to reproduce, translate, "
    "display or distribute."
)


@functools.cache  # load() of a file in a pack reads the whole pack; the model is frozen
def _load(name: str) -> Worksheet:
    ws = wk.load(INSTRUMENTS / name)
    assert isinstance(ws, Worksheet)
    return ws


@pytest.fixture(scope="module")
def phq9() -> Worksheet:
    return _load("phq-9.yaml")


@pytest.fixture(scope="module")
def gad7() -> Worksheet:
    return _load("gad-7.yaml")


# file → (expected total, band, alert severities), computed by hand (see examples/responses/README.md)
EXPECTED: dict[str, tuple[int, str, list[str]]] = {
    "phq-9-mild.json": (6, "Mild", []),
    "phq-9-moderately-severe-item9.json": (17, "Moderately severe", ["urgent"]),
    "phq-9-severe.json": (23, "Severe", []),
    "phq-9-none.json": (0, "Minimal", []),
    "gad-7-moderate.json": (12, "Moderate", []),
    "gad-7-minimal.json": (2, "Minimal", []),
}


def test_every_sample_response_is_listed() -> None:
    assert sorted(p.name for p in RESPONSES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hand_scored_sample_responses(name: str) -> None:
    data = json.loads((RESPONSES / name).read_text(encoding="utf-8"))
    assert data["id"].startswith("synthetic-")
    ws = _load("phq-9.yaml" if name.startswith("phq") else "gad-7.yaml")
    result = check_response(ws, data)
    assert result.valid, result.diagnostics
    assert result.fraction == 1.0
    total, band, alerts = EXPECTED[name]
    assert result.scores["total"].value == total
    assert result.scores["total"].band == band
    assert [a.severity for a in result.scores["total"].alerts] == alerts


def test_instruments_metadata(phq9: Worksheet, gad7: Worksheet) -> None:
    for ws, n, top in ((phq9, 9, 27), (gad7, 7, 21)):
        assert ws.version == "1.0.0"
        assert ws.source is not None
        assert ws.source.copyright is not None
        assert " ".join(ws.source.copyright.split()) == PHQ_COPYRIGHT
        assert ws.rationale
        assert ws.instructions
        assert ws.estimated_minutes
        assert ws.default_schedule is not None
        assert ws.default_schedule.every == 2
        assert ws.scores[0].bands[-1].max == top
        answers = {f"q{i}": 3 for i in range(1, n + 1)}
        assert score(ws, answers)["total"].value == top
    for path in INSTRUMENTS.glob("*.yaml"):
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=../../schemas/worksheet.json\n"
        )


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "Minimal"),
        (4, "Minimal"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Moderately severe"),
        (19, "Moderately severe"),
        (20, "Severe"),
        (27, "Severe"),
    ],
)
def test_phq9_band_edges(phq9: Worksheet, total: int, band: str) -> None:
    answers = {f"q{i}": 0 for i in range(1, 10)}
    left = total
    for i in range(1, 10):
        answers[f"q{i}"] = min(3, left)
        left -= answers[f"q{i}"]
    answers["q9"], answers["q1"] = answers["q1"], answers["q9"]  # keep q9 low where possible
    assert score(phq9, answers)["total"].value == total
    assert score(phq9, answers)["total"].band == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "Minimal"),
        (4, "Minimal"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Severe"),
        (21, "Severe"),
    ],
)
def test_gad7_band_edges(gad7: Worksheet, total: int, band: str) -> None:
    answers: dict[str, Any] = {}
    left = total
    for i in range(1, 8):
        answers[f"q{i}"] = min(3, left)
        left -= answers[f"q{i}"]
    assert score(gad7, answers)["total"].band == band


def test_item_9_alert_fires_whatever_the_total(phq9: Worksheet) -> None:
    answers = {f"q{i}": 0 for i in range(1, 10)} | {"q9": 1}
    result = score(phq9, answers)["total"]
    assert result.value == 1
    assert result.band == "Minimal"
    assert [(a.severity, a.message) for a in result.alerts] == [
        ("urgent", "Item 9 endorsed: review risk before the next session.")
    ]
    assert score(phq9, {f"q{i}": 3 for i in range(1, 9)} | {"q9": 0})["total"].alerts == ()


def test_phq9_prorates_one_missing_item_and_refuses_two(phq9: Worksheet) -> None:
    answers = {"q1": 2, "q2": 2, "q3": 1, "q4": 2, "q5": 1, "q6": 1, "q7": 2, "q8": 1}
    # 12 over 8 answered items → 12 × 9 / 8 = 13.5 → 14 (half away from zero)
    result = score(phq9, answers)["total"]
    assert (result.value, result.prorated, result.missing, result.band) == (14, True, 1, "Moderate")
    del answers["q8"]
    result = score(phq9, answers)["total"]
    assert (result.value, result.missing, result.band) == (None, 2, None)


def test_functional_difficulty_item_is_not_scored_and_shown_only_when_needed(
    phq9: Worksheet,
) -> None:
    zero = {f"q{i}": 0 for i in range(1, 10)}
    hidden = check_response(
        phq9,
        {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": "instruments.phq-9",
            "answers": zero | {"difficulty": "very-difficult"},
        },
    )
    assert [(d.code, d.severity) for d in hidden.diagnostics] == [("WK409", "warning")]
    assert hidden.scores["total"].value == 0
    some = zero | {"q2": 1, "difficulty": "extremely-difficult"}
    assert score(phq9, some)["total"].value == 1


FHIR_CODES = {
    "Not-at-all": 0,
    "Not at all": 0,
    "Several-days": 1,
    "Several days": 1,
    "More than half the days": 2,
    "More-than-half-the-days": 2,
    "Nearly every day": 3,
    "Nearly-every-day": 3,
}


def _fhir_items(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for item in items:
        found[item["linkId"]] = item
        found.update(_fhir_items(item.get("item", [])))
    return found


def test_fhir_phq9_fixture_totals_ten_not_the_stored_thirteen(phq9: Worksheet) -> None:
    resource = json.loads(Path(FHIR_RESPONSE).read_text(encoding="utf-8"))
    items = _fhir_items(resource["item"])
    answers = {}
    for n in range(1, 10):
        coding = items[f"H1/T1/Q{n}"]["answer"][0]["valueCoding"]
        answers[f"q{n}"] = FHIR_CODES[coding["code"]]
    stored = items["H1/TS"]["answer"][0]["valueQuantity"]["value"]
    assert stored == 13  # the fixture's own (wrong) total
    result = score(phq9, answers)["total"]
    assert result.value == 10
    assert result.band == "Moderate"
    assert [a.severity for a in result.alerts] == ["urgent"]  # item 9: several days

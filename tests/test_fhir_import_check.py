"""``fhir import`` checks what it writes with the one checker ``validate`` runs, without reading
its YAML again — except where only a reading sees a problem (the reader's size, node and
nesting limits)."""

from __future__ import annotations

from typing import Any

import pytest

from worksheetkit.fhir import import_questionnaire
from worksheetkit.loading import yamlsource


def _nested(depth: int) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": "leaf", "type": "string", "text": "Leaf"}
    for i in range(depth):
        item = {"linkId": f"g{i}", "type": "group", "text": f"Group {i}", "item": [item]}
    return {"resourceType": "Questionnaire", "status": "active", "title": "Deep", "item": [item]}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every YAML text parsed while the test runs."""
    seen: list[str] = []
    real = yamlsource.parse_text

    def counting(text: str, file: str | None = None) -> yamlsource.Parsed:
        seen.append(text)
        return real(text, file)

    monkeypatch.setattr(yamlsource, "parse_text", counting)
    import worksheetkit.loading as loading

    monkeypatch.setattr(loading, "parse_text", counting)
    return seen


def test_an_ordinary_import_does_not_read_its_yaml_again(reads: list[str]) -> None:
    result = import_questionnaire(_nested(3))
    assert result.worksheet is not None
    assert reads == []


def test_a_text_option_that_looks_like_a_number_stays_a_text() -> None:
    q = {
        "resourceType": "Questionnaire",
        "status": "active",
        "title": "Codes",
        "item": [
            {
                "linkId": "code",
                "type": "choice",
                "text": "Which code?",
                "answerOption": [{"valueString": "1e3"}, {"valueString": "2E5"}],
            }
        ],
    }
    result = import_questionnaire(q)
    assert result.worksheet is not None
    from worksheetkit.validation import loads

    again = loads(result.to_yaml())
    options = again.items[0].options
    assert [getattr(o, "value", o) for o in options] == ["1e3", "2E5"]


def test_nesting_beyond_the_readers_limit_is_still_refused(reads: list[str]) -> None:
    result = import_questionnaire(_nested(23))
    assert result.worksheet is None
    assert [d.code for d in result.diagnostics if d.severity == "error"] == ["WK718"]
    assert "nested too deeply" in result.diagnostics[0].message
    assert len(reads) == 1  # read back: only a reading sees the nesting limit

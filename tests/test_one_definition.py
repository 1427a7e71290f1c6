"""One definition per small grammar and policy: ISO durations, language codes, a text in a
language, item types derived from the model — and the bugs two disagreeing copies caused."""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser
from typing import Any

import pytest

from worksheetkit import loads, render
from worksheetkit.model import (
    COLUMN_TYPES,
    DURATION_PATTERN,
    ITEM_TYPES,
    duration_parts,
    duration_pattern,
    duration_seconds,
    is_duration,
    text_in,
)


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name"):
            self.inputs[str(found["name"])] = found


def _duration_form(bounds: str) -> dict[str, str | None]:
    ws = loads(
        textwrap.dedent(
            f"""\
            worksheetkit: 1
            kind: worksheet
            id: lengths
            version: 1.0.0
            title: Lengths
            items:
              - {{id: gap, type: duration, label: How long, {bounds}}}
            """
        )
    )
    parser = _Inputs()
    parser.feed(render(ws, to="html", fragment=True))
    return parser.inputs["gap"]


def test_a_month_bound_reaches_the_html_form() -> None:
    # The form's copy of the grammar had no years or months: `max: P1M` vanished from it
    # while the answer check refused 31 days.
    field = _duration_form("min: P1W, max: P1M")
    assert field["min"] == "10080"
    assert field["max"] == "43200"  # 30 days, the month the answer check counts
    assert _duration_form("max: P1Y")["max"] == str(365 * 24 * 60)


def test_the_form_and_the_answer_check_count_the_same_minutes() -> None:
    from worksheetkit import Worksheet
    from worksheetkit.responses import validate_response

    field = _duration_form("max: P1M")
    ws = loads(
        "worksheetkit: 1\nkind: worksheet\nid: lengths\nversion: 1.0.0\ntitle: L\n"
        "items:\n  - {id: gap, type: duration, label: L, max: P1M}\n"
    )
    assert isinstance(ws, Worksheet)
    limit = float(str(field["max"]))

    def refused(answer: str) -> bool:
        data = {"worksheetkit": 1, "kind": "response", "worksheet": "lengths@1.0.0"}
        data["answers"] = {"gap": answer}  # type: ignore[assignment]
        return any(d.severity == "error" for d in validate_response(ws, data))

    assert limit == 30 * 24 * 60
    assert not refused("P30D")
    assert refused("P31D")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("P1Y2M3W4DT5H6M7S", (1, 2, 3, 4, 5, 6, 7)),
        ("PT20M", (0, 0, 0, 0, 0, 20, 0)),
        ("P3W", (0, 0, 3, 0, 0, 0, 0)),
        ("P", None),
        ("PT", None),
        ("P1DT", None),
        ("P1D\n", None),
        ("P1.5D", None),
        ("p1d", None),
        ("P\u0661D", None),  # an Arabic-Indic digit: JSON Schema's \d is ASCII, so is ours
        (7, None),
    ],
)
def test_one_duration_grammar(text: object, parts: tuple[int, ...] | None) -> None:
    assert duration_parts(text) == parts
    assert is_duration(text) is (parts is not None)


def test_every_published_spelling_is_the_one_grammar() -> None:
    from worksheetkit.fhir._common import DURATION_REGEX
    from worksheetkit.model.schedule import Reminder
    from worksheetkit.responses._checks import DURATION_PATTERN as ANSWER_PATTERN

    assert DURATION_REGEX == DURATION_PATTERN
    assert duration_pattern(r"\d{1,6}") == ANSWER_PATTERN
    schema = Reminder.model_json_schema()
    spelled = schema["properties"]["before_due"]["anyOf"][0]["pattern"]
    assert spelled == duration_pattern(empty_parts=True)
    for text in ("P1D", "PT4H30M", "P", "PT", "P1DT"):
        assert re.search(spelled, text)
    assert duration_seconds("P1M") == 30 * 86400.0
    assert duration_seconds("PT1234567S", r"\d{1,6}") is None


@pytest.mark.parametrize(
    ("value", "language", "default", "shown"),
    [
        ("plain", "es", "en", "plain"),
        ({"en": "Hi", "es": "Hola"}, "es", "en", "Hola"),
        ({"en": "Hi", "es": "Hola"}, "fr", "en", "Hi"),  # the document's language next
        ({"es": "Hola", "de": "Hallo"}, "fr", "en", "Hola"),  # then the first written
        ({"es~en": "stamp", "de": "Hallo"}, "fr", "en", "Hallo"),  # lint stamps are no language
        ({}, "en", "en", ""),
        (None, "en", "en", ""),
    ],
)
def test_one_rule_for_a_text_in_a_language(
    value: object, language: str, default: str, shown: str
) -> None:
    assert text_in(value, language, default) == shown


def test_every_copy_of_the_language_rule_agrees() -> None:
    # Before: the adherence series took the alphabetically first language, the site the
    # first written, the renderer the document's language. Now all read model.text_in.
    from worksheetkit._text import Localiser

    value = {"fr": "Bonjour", "es": "Hola", "en": "Hi"}
    assert Localiser("de", "es").text(value, "$.title") == "Hola"
    assert text_in(value, "de", "es") == "Hola"
    assert Localiser("de", "it").text(value, "$.title") == "Bonjour"
    assert text_in(value, "de", "it") == "Bonjour"
    from worksheetkit.fhir._common import main_text  # FHIR took the alphabetically first

    assert main_text(value, "it") == "Bonjour"
    assert main_text({}, "en") is None
    assert main_text("plain", "en") == "plain"


def test_item_types_are_read_from_the_unions() -> None:
    from typing import get_args

    from worksheetkit.model.items import ColumnItem, Item

    def tags(union: object) -> tuple[str, ...]:
        members = get_args(get_args(union)[0])
        return tuple(get_args(m.model_fields["type"].annotation)[0] for m in members)

    assert tags(Item) == ITEM_TYPES
    assert tags(ColumnItem) == COLUMN_TYPES
    assert "table" in ITEM_TYPES
    assert "table" not in COLUMN_TYPES


_LONDON = "a-example-0001"  # examples/assignments/thought-record-london.yaml


@pytest.mark.parametrize("url", ["https://", "http:///path", "https:host", "https://\x00x"])
def test_calendar_links_follow_the_one_link_rule(url: str, examples_pack: Any) -> None:
    # The calendar's own copy of the rule took any text starting with https:// as a link.
    from worksheetkit.scheduling import to_ics

    pack = examples_pack  # loaded once per session (tests/conftest.py)
    (assignment,) = [a for a in pack.assignments if a.id == _LONDON]
    with pytest.raises(ValueError, match="http"):
        to_ics(assignment, pack=pack, url=url)
    assert "URL:https://app.example/t/1" in to_ics(
        assignment, pack=pack, url="https://app.example/t/1"
    ).decode("utf-8").replace("\r\n ", "")

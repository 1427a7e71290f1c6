"""Every item type has a handler in every per-type table and every ``match`` over item types.

The ``match`` statements end in ``assert_never``, so mypy proves them exhaustive; these tests
prove it at run time too (one sample of every type through every dispatcher), and that the
tables keyed by type name or class cover the types the model's unions list.
"""

from __future__ import annotations

from typing import Any, get_args

import pytest
from markupsafe import Markup

from worksheetkit.model import COLUMN_TYPES, ITEM_TYPES, SYMBOL_KINDS, Worksheet
from worksheetkit.model.items import InputItem

# One minimal item of every type (a new item type must add one here: see the first test).
SAMPLES: dict[str, dict[str, Any]] = {
    "note": {"type": "note", "text": "Read this."},
    "section": {"type": "section", "title": "Part", "items": [{"type": "note", "text": "x"}]},
    "text": {"type": "text", "id": "t", "label": "T", "pattern": "[a-z]+"},
    "number": {"type": "number", "id": "n", "label": "N", "min": 0, "max": 9, "unit": "kg"},
    "yesno": {"type": "yesno", "id": "y", "label": "Y"},
    "date": {"type": "date", "id": "d", "label": "D"},
    "time": {"type": "time", "id": "ti", "label": "Ti"},
    "datetime": {"type": "datetime", "id": "dt", "label": "Dt"},
    "duration": {"type": "duration", "id": "du", "label": "Du", "max": "P1M"},
    "choice": {"type": "choice", "id": "c", "label": "C", "options": ["a", "b"], "other": True},
    "checklist": {"type": "checklist", "id": "cl", "label": "Cl", "options": ["a", "b"]},
    "likert": {"type": "likert", "id": "li", "label": "Li", "scale": "agreement-5"},
    "rating": {"type": "rating", "id": "r", "label": "R", "anchors": {0: "none", 10: "all"}},
    "ranking": {"type": "ranking", "id": "ra", "label": "Ra", "options": ["a", "b"]},
    "table": {
        "type": "table",
        "id": "tb",
        "label": "Tb",
        "columns": [{"type": "text", "id": "what"}, {"type": "number", "id": "how"}],
    },
    "media": {"type": "media", "kind": "image", "url": "pic.png", "alt": "A picture"},
}
INPUT_CLASSES = get_args(InputItem)


def _worksheet() -> Worksheet:
    return Worksheet.model_validate(
        {
            "worksheetkit": 1,
            "kind": "worksheet",
            "id": "every.type",
            "version": "1.0.0",
            "title": "Every type",
            "items": [SAMPLES[t] for t in ITEM_TYPES],
        }
    )


def _items() -> list[Any]:
    return list(_worksheet().items)


def test_the_samples_cover_every_item_type() -> None:
    assert list(SAMPLES) == list(ITEM_TYPES)
    assert [item.type for item in _items()] == list(ITEM_TYPES)
    assert set(COLUMN_TYPES) < set(ITEM_TYPES)


def test_symbol_kinds_name_every_item_type() -> None:
    assert set(SYMBOL_KINDS) == set(ITEM_TYPES)
    answering = {t for t, kind in SYMBOL_KINDS.items() if kind is not None}
    assert answering == {_tag(cls) for cls in INPUT_CLASSES}


def _tag(cls: Any) -> str:
    return str(get_args(cls.model_fields["type"].annotation)[0])


def test_every_answer_type_has_an_answer_check() -> None:
    from worksheetkit.model import Table, TextItem
    from worksheetkit.responses._checks import CHECKS

    # text (its pattern message is localised first) and table (row by row) are checked
    # by the plan itself; every other answer type by its entry in CHECKS.
    assert set(CHECKS) | {TextItem, Table} == set(INPUT_CLASSES)


def test_every_item_type_reaches_every_match() -> None:
    from worksheetkit._text import Localiser
    from worksheetkit.diff import _Differ
    from worksheetkit.fhir._common import DEFAULT_BASE_URL
    from worksheetkit.fhir.export import _answer_one, _Exporter
    from worksheetkit.fhir.fhirpath import answer_field
    from worksheetkit.rendering._markdown import MarkdownWriter
    from worksheetkit.rendering._strings import ui_strings
    from worksheetkit.responses.schema import _answered, answer_schema

    ws = _worksheet()
    items = list(ws.items)
    writer = MarkdownWriter(ws, Localiser("en", "en"), ui_strings("en"))
    exporter = _Exporter(ws, DEFAULT_BASE_URL)
    differ = _Differ(ws, ws)
    for item in items:
        assert isinstance(writer.blank(item, "$.items[0]"), list)
        differ.item("k", item, item)  # an item compared with itself: handled, no change
        if isinstance(item, INPUT_CLASSES):
            assert answer_schema(item)
            assert _answered(item)
            assert exporter.question(item, ("items", 0), None)["linkId"] == item.id
            assert isinstance(_answer_one(item, "a", "en"), list)
            answer_field(item, "a")  # None or a field, never a fall-through


def _builder() -> Any:
    from worksheetkit._text import Localiser
    from worksheetkit.rendering._strings import ui_strings
    from worksheetkit.rendering._views import ViewBuilder

    return ViewBuilder(_worksheet(), Localiser("en", "en"), ui_strings("en"), 2)


def test_every_answer_type_has_a_form_control_and_runtime_constraints() -> None:
    """The HTML form's per-type ``match`` statements (``_views._fill_control``, the control;
    ``_config._fill_constraints``, what the browser runtime checks) handle every answer type,
    table columns included."""
    from worksheetkit.rendering._config import _fill_constraints
    from worksheetkit.rendering._views import FieldView

    builder = _builder()
    seen = set()
    for item in _items():
        if not isinstance(item, INPUT_CLASSES):
            continue
        for one in (item, *getattr(item, "columns", ())):
            fv = builder._control(
                one, "$.items[0]", name=one.id, dom_id=f"x-{one.id}", default=None,
                conditional=False,
            )  # fmt: skip
            assert isinstance(fv, FieldView)
            assert fv.type == one.type
            entry: dict[str, Any] = {}
            _fill_constraints(entry, one)
            seen.add(one.type)
    assert seen == {_tag(cls) for cls in INPUT_CLASSES}


def test_an_unknown_type_reaches_no_form_handler_silently() -> None:
    from worksheetkit.rendering._config import _fill_constraints
    from worksheetkit.rendering._views import FieldView

    class Stranger:
        type = "stranger"
        required = False

    builder = _builder()
    fv = FieldView(type="stranger", id="s", name="s", dom_id="s", label=Markup(""),
                   label_text="")  # fmt: skip
    with pytest.raises(AssertionError):
        builder._fill_control(Stranger(), fv, "$", None, False)  # type: ignore[arg-type]
    with pytest.raises(AssertionError):
        _fill_constraints({}, Stranger())  # type: ignore[arg-type]


def test_a_type_no_table_knows_fails_loudly() -> None:
    from worksheetkit.responses.schema import answer_schema

    class Stranger:
        type = "stranger"

    with pytest.raises(AssertionError):
        answer_schema(Stranger())  # type: ignore[arg-type]

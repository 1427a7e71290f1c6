"""The blank form's view is built once per worksheet object, language and heading level, and
never given for another object, for a worksheet changed in place, or for a filled-in form.
Checked by counting the builds (never by the clock; the times are in bench/bench_render.py)."""

from __future__ import annotations

import gc
import textwrap
import weakref
from typing import Any

import pytest
import yaml

from worksheetkit import Worksheet
from worksheetkit.rendering import _render, render, render_with_diagnostics
from worksheetkit.rendering._views import ViewBuilder

WORKSHEET = textwrap.dedent(
    """\
    worksheetkit: 1
    id: cache.sample
    version: 1.0.0
    language: en
    title: {en: Sample, es: Muestra}
    items:
      - {id: mood, type: choice, label: {en: Mood, es: Ánimo}, options: [sad, calm]}
      - id: sleep
        type: rating
        label: How well?
        min: 0
        max: 10
        anchors: {0: Badly, 10: Well}
      - id: steps
        type: table
        label: Steps
        columns:
          - {id: step, type: text, label: Step}
    """
)


def sheet() -> Worksheet:
    """Built straight from the model: Spanish texts are missing on purpose (WK601)."""
    return Worksheet.model_validate(yaml.safe_load(WORKSHEET))


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The id of the worksheet of every view built."""
    seen: list[str] = []
    original = ViewBuilder.page

    def page(self: ViewBuilder) -> Any:
        seen.append(self.ws.id)
        return original(self)

    monkeypatch.setattr(ViewBuilder, "page", page)
    return seen


def test_a_blank_form_is_built_once_and_rendered_the_same(builds: list[str]) -> None:
    ws = sheet()
    first = render(ws, "html")
    assert render(ws, "html") == first
    assert len(builds) == 1
    fragment = render(ws, "html", fragment=True)  # another heading level: another view
    assert render(ws, "html", fragment=True) == fragment
    render(ws, "html", fragment=True, heading_level=1)  # the page's view
    assert len(builds) == 2
    render(ws, "html", "es")
    render(ws, "html", "es")
    assert len(builds) == 3


def test_another_object_with_the_same_content_is_built_for_itself(builds: list[str]) -> None:
    assert render(sheet(), "html") == render(sheet(), "html")
    assert len(builds) == 2


def test_answers_and_problems_are_never_cached(builds: list[str]) -> None:
    ws = sheet()
    blank = render(ws, "html")
    filled = render(ws, "html", answers={"mood": "calm"})
    assert filled != blank
    assert 'value="calm" checked' in filled
    render(ws, "html", diagnostics=[{"path": ["answers", "mood"], "message": "m", "code": "X"}])
    assert render(ws, "html") == blank
    assert len(builds) == 3  # the blank form once, each filled-in form for itself


def test_a_worksheet_changed_in_place_is_built_again(builds: list[str]) -> None:
    ws = sheet()
    before = render(ws, "html")
    ws.items[0].__dict__["label"]["en"] = "Feeling"  # a text's dict, changed in place
    after = render(ws, "html")
    assert "Feeling" in after
    assert "Feeling" not in before
    ws.items[0].__dict__["options"].append("angry")  # a list, changed in place
    assert 'value="angry"' in render(ws, "html")
    ws.items[1].__dict__["anchors"][10] = "Very well"  # a dict inside an item
    assert "Very well" in render(ws, "html")
    ws.items[2].__dict__["columns"][0].__dict__["label"] = "Step"  # not a container: frozen
    assert len(builds) == 4


def test_missing_translations_are_reported_on_every_render(builds: list[str]) -> None:
    ws = sheet()
    first = render_with_diagnostics(ws, "html", "es")
    again = render_with_diagnostics(ws, "html", "es")
    assert len(builds) == 1
    assert first == again
    paths = [d.path for d in first[1]]
    assert ("items", 1, "label") in paths
    assert ("items", 0, "label") not in paths
    assert len(paths) == len(set(paths))  # once per path


def test_the_cache_keeps_no_worksheet_alive() -> None:
    ws = sheet()
    render(ws, "html")
    ref = weakref.ref(ws)
    assert _render._blank_views.get(ws) is not None
    del ws
    gc.collect()
    assert ref() is None
    assert not any(k.ref() is None for k in list(_render._blank_views._entries))


def test_a_users_templates_get_a_view_of_their_own(builds: list[str], tmp_path: Any) -> None:
    """A template of the user's could change the view it is given: never the cached one."""
    (tmp_path / "page.html.j2").write_text("{{ v.title }}|{{ body }}", encoding="utf-8")
    ws = sheet()
    render(ws, "html", template_dir=tmp_path)
    render(ws, "html", template_dir=tmp_path)
    assert len(builds) == 2

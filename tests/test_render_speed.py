"""The render's speed-ups, checked by the work they save (counts, identities, imports), never
by the clock (the times are in bench/bench_render.py). Issue 18: render ≤ 0.8 × load."""

from __future__ import annotations

import gc
import html
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from typing import Any

import jinja2
import pytest
from markupsafe import Markup, escape

from worksheetkit import Worksheet, loads, render
from worksheetkit._text import Localiser
from worksheetkit.rendering import _conditions, _config
from worksheetkit.rendering._env import Kept, esc
from worksheetkit.rendering._print import WORDS
from worksheetkit.rendering._strings import TABLES, ui_strings

WORKSHEET = textwrap.dedent(
    """\
    worksheetkit: 1
    id: speed.sample
    version: 1.0.0
    title: Sample
    instructions: Fill in **what applies**.
    items:
      - {id: mood, type: likert, label: "How often?", scale: frequency-4, required: true}
      - {id: feel, type: choice, label: Which?, options: [sad, calm], other: true,
         show_if: "answered(mood)"}
      - {id: sleep, type: rating, label: How well?, min: 0, max: 10,
         anchors: {0: Badly, 10: Well}, widget: slider}
      - {id: note, type: text, label: Anything else?, help: "A *few* words.", max_length: 300}
      - id: steps
        type: table
        label: Steps
        columns:
          - {id: step, type: text, label: Step}
          - {id: suds, type: rating, min: 0, max: 100, step: 10, label: SUDS}
    """
)


@pytest.fixture
def ws() -> Worksheet:
    doc = loads(WORKSHEET, source="speed.yaml")
    assert isinstance(doc, Worksheet)
    return doc


@pytest.fixture
def getattr_fallbacks() -> Iterator[Counter[str]]:
    """Each attribute a template read that Jinja2 found only as a key (after an exception)."""
    seen: Counter[str] = Counter()
    original = jinja2.Environment.getattr

    def counting(self: jinja2.Environment, obj: Any, attribute: str) -> Any:
        try:
            return getattr(obj, attribute)
        except AttributeError:
            seen[attribute] += 1
        return original(self, obj, attribute)

    jinja2.Environment.getattr = counting  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        jinja2.Environment.getattr = original  # type: ignore[method-assign]


def test_templates_read_words_as_attributes_without_exceptions(
    ws: Worksheet, getattr_fallbacks: Counter[str]
) -> None:
    for language in (None, "es"):
        render(ws, "html", language=language)
    assert getattr_fallbacks == Counter()  # was 98 in a 30-item render


def test_word_tables_never_hide_a_dict_method() -> None:
    names = set(dir(dict))
    for language in [*TABLES, "pt-BR"]:
        ui = ui_strings(language)
        assert not names & set(ui)
        assert ui.other == ui["other"]  # attribute and key alike
        assert ui.get("other") == ui["other"]
        assert isinstance(ui, dict)
    for words in WORDS.values():
        assert not names & set(words)
        assert words.circle_one == words["circle_one"]


def test_kept_markup_gives_its_plain_text_without_copying() -> None:
    text = "<script>var a = 1 < 2;</script>" * 100
    kept = Kept(text)
    assert isinstance(kept, Markup)
    assert kept == text
    assert kept.__html__() is text
    assert str(kept) is text
    assert escape(kept) == text  # trusted: not escaped again
    assert isinstance(kept + "<b>", Markup)
    assert kept + "<b>" == text + "&lt;b&gt;"


@pytest.mark.parametrize(
    "value", ["plain", "<a href=\"x\">'&'</a>", "&#34;&#39;", Markup("<b>x</b>"), 3, 2.5, None]
)
def test_esc_is_html_escape(value: object) -> None:
    out = esc(value)
    assert isinstance(out, Markup)
    assert str(out) == html.escape(str(value))


def test_a_condition_is_parsed_once_per_text(ws: Worksheet) -> None:
    _conditions._parse.cache_clear()
    render(ws, "html")
    render(ws, "html", language="es")
    info = _conditions._parse.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_a_named_scale_is_built_once(ws: Worksheet, monkeypatch: pytest.MonkeyPatch) -> None:
    render(ws, "html")
    calls: list[object] = []
    real = _config.item_options
    monkeypatch.setattr(_config, "item_options", lambda item: calls.append(item) or real(item))
    render(ws, "html")
    assert calls == []


def test_each_text_is_chosen_once_per_render(
    ws: Worksheet, monkeypatch: pytest.MonkeyPatch
) -> None:
    picked: Counter[str] = Counter()
    real = Localiser.pick

    def pick(self: Localiser, value: Any, path: str) -> Any:
        if path:  # the condition sentences' own quiet localiser passes no path
            picked[path] += 1
        return real(self, value, path)

    monkeypatch.setattr(Localiser, "pick", pick)
    render(ws, "html")
    assert picked["$.items[0].label"] >= 1
    # A table column's label names the column header and each row's cell, and a named
    # scale's options share the scale's path: those are the only repeats.
    twice = {
        p: n for p, n in picked.items() if n > 1 and ".columns[" not in p and ".scale" not in p
    }
    assert twice == {}


def test_an_html_render_imports_only_what_it_uses(tmp_path: Any) -> None:
    (tmp_path / "w.yaml").write_text(WORKSHEET, encoding="utf-8")
    code = (
        "import sys; from worksheetkit import load; from worksheetkit.rendering import render; "
        f"render(load({str(tmp_path / 'w.yaml')!r}), 'html'); "
        "print(' '.join(sorted(m for m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    for module in ("_canonical", "_markdown", "_pdf", "_alerts", "_client_words"):
        assert f"worksheetkit.rendering.{module}" not in out
    assert "markdown_it.tree" not in out
    # The stylesheet and the runtime are read beside the package, not through
    # importlib.resources.files() (with its import, ~6 ms of a render process; the readers
    # module is what the first files() imports).
    assert "importlib.readers" not in out
    assert "worksheetkit.rendering._views" in out  # (the check itself is live)


def test_a_scale_is_marked_once(ws: Worksheet) -> None:
    from worksheetkit.rendering import _print

    _print._marks.cache_clear()
    render(ws, "html")
    render(ws, "html")
    info = _print._marks.cache_info()
    # two scales (0–10 for the item, 0–100 by 10 for the table column), then only hits
    assert info.misses == 2
    assert info.hits > 0


def test_the_render_command_skips_collections_only_in_its_own_process(tmp_path: Any) -> None:
    """`worksheetkit render` pauses the cyclic collector while it runs and freezes what it
    built before the interpreter's exit (whose collections over it were ~10 % of the
    process): only when the process is the command's own — never in a test runner."""
    (tmp_path / "w.yaml").write_text(WORKSHEET, encoding="utf-8")
    out = tmp_path / "w.html"
    code = (
        "import atexit, gc, sys\n"
        "from worksheetkit.cli import main\n"  # as the console script does: __main__.main
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: runs.append(phase))\n"
        "atexit.register(lambda: print(gc.get_freeze_count() > 0, gc.isenabled(), file=sys.stderr))\n"
        "sys.argv = ['worksheetkit', 'render', '--to', 'html', sys.argv[1], '-o', sys.argv[2]]\n"
        "import worksheetkit.cli.cmd_render as c\n"
        "inner = c._command\n"
        "def counted(*a):\n"
        "    before = len(runs)\n"
        "    try:\n"
        "        inner(*a)\n"
        "    finally:\n"
        "        print('collections', len(runs) - before, file=sys.stderr)\n"
        "c._command = counted\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "w.yaml"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.split() == ["collections", "0", "True", "True"]
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

    from click.testing import CliRunner

    from worksheetkit.cli import cli

    result = CliRunner().invoke(cli, ["render", "--to", "html", str(tmp_path / "w.yaml")])
    assert result.exit_code == 0
    assert gc.get_freeze_count() == 0  # in this (pytest) process: nothing frozen
    assert gc.isenabled()

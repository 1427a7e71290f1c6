"""Renderers: HTML structure and safety, Markdown, canonical JSON, translations, the CLI."""

from __future__ import annotations

import json
import re
import textwrap
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from worksheetkit import Response, Worksheet, load, loads, render
from worksheetkit.cli import cli
from worksheetkit.rendering import render_with_diagnostics, runtime_script, stylesheet
from worksheetkit.rendering._env import environment

HERE = Path(__file__).resolve().parent
SHEETS = HERE / "browser" / "worksheets"


class Elements(HTMLParser):
    """Every element and its attributes, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, dict(attrs)))


def ws_from(text: str) -> Worksheet:
    """A worksheet built straight from the model (no validation): the renderer must be safe
    even for content that validation would reject."""
    return Worksheet.model_validate(yaml.safe_load(textwrap.dedent(text)))


@pytest.fixture(scope="module")
def sink() -> Worksheet:
    ws = load(SHEETS / "kitchen-sink.yaml")
    assert isinstance(ws, Worksheet)
    return ws


@pytest.fixture(scope="module")
def hostile() -> Worksheet:
    return Worksheet.model_validate(
        yaml.safe_load((SHEETS / "hostile.yaml").read_text(encoding="utf-8"))
    )


# -- HTML ---------------------------------------------------------------------------------


def test_page_is_standalone_and_fragment_is_embeddable(sink: Worksheet) -> None:
    page = render(sink, "html")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en" dir="ltr">')
    assert "<style>" in page
    assert stylesheet()[:40] in page
    frag = render(sink, "html", fragment=True)
    assert "<html" not in frag
    assert "<head>" not in frag
    assert "<style" not in frag
    assert frag.startswith('<div class="wk-root"')
    # The runtime is inlined once, and expr.js inside it, kept out of the global scope.
    assert frag.count("<script>") == 1
    assert "worksheetkitExpr" in runtime_script()
    assert "eval(" not in runtime_script()
    assert "new Function" not in runtime_script()
    # A fragment's headings start one level lower (it sits inside someone else's page).
    assert '<h2 class="wk-title"' in frag
    assert '<h1 class="wk-title"' in page


def test_every_answer_has_one_named_field(sink: Worksheet) -> None:
    html = render(sink, "html")
    names = set(re.findall(r' name="([^"]+)"', html))
    for expected in (
        "situation",
        "code",
        "hours",
        "walked",
        "walk_minutes",
        "day",
        "at",
        "when",
        "mood",
        "mood__other",
        "symptoms[]",
        "belief",
        "balanced",
        "suds",
        "confidence",
        "energy",
        "values[]",
        "emotions[0][emotion]",
        "emotions[0][intensity]",
        "emotions[0][note]",
    ):
        assert expected in names, expected
    assert 'method="post"' in html


def test_controls_are_labelled_and_described(sink: Worksheet) -> None:
    html = render(sink, "html")
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"
    for control_id in re.findall(r'<(?:input|textarea|select) [^>]*id="([^"]+)"', html):
        if control_id.endswith("-range"):
            continue  # the slider is named by aria-label; its number twin has the <label>
        assert f'for="{control_id}"' in html, control_id
    # Help text is tied to its control; optional questions are marked in words.
    assert 'aria-describedby="wk-test-kitchen-sink-situation-hint' in html
    assert '<span class="wk-optional">(optional)</span>' in html
    # Radio groups are fieldsets with legends; table cells have their own names.
    assert '<legend class="wk-legend">Did you go for a walk?</legend>' in html
    assert ">Intensity (0–100), row 1</label>" in html  # a rating column says its scale
    assert '<th scope="col">Emotion</th>' in html
    assert 'data-wk-show-if="[&quot;==&quot;,[&quot;name&quot;,&quot;walked&quot;],true]"' in html


def test_hostile_text_is_inert(hostile: Worksheet) -> None:
    html = render(hostile, "html")
    body = html.split("<script>")[0]  # our runtime comes last; user text is all before it
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    elements = Elements()
    elements.feed(html)
    scripts = [attrs for tag, attrs in elements.seen if tag == "script"]
    assert scripts == [{"type": "application/json", "class": "wk-config"}, {}]
    for tag, attrs in elements.seen:
        assert tag not in ("iframe", "svg", "object", "embed", "b"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action", "formaction"):
                assert re.match(r"^(https?:|[^:]*$)", (value or "").strip(), re.I), (tag, value)
    assert "{{ 7*7 }}" in body
    assert ">49<" not in body
    config = re.search(
        r'<script type="application/json" class="wk-config">(.*?)</script>', html, re.S
    )
    assert config is not None
    assert "</" not in config.group(1)
    assert "<" not in config.group(1)
    json.loads(config.group(1))  # still valid JSON with < > & escaped
    md = render(hostile, "markdown")
    assert "](javascript:" not in md.lower()
    assert "](<javascript" not in md.lower()
    assert re.search(r"(?<!\\)<", md) is None  # every "<" is escaped: no raw HTML
    assert "&lt;script&gt;alert(1)" in md  # the title, shown literally


def test_same_input_same_bytes(sink: Worksheet) -> None:
    for to in ("html", "markdown", "json"):
        assert render(sink, to) == render(sink, to)


def test_environment_is_shared_and_strict(tmp_path: Path) -> None:
    assert environment() is environment()
    env = environment()
    assert callable(env.autoescape)  # by extension: every form template is HTML
    assert all(env.autoescape(name) for name in env.list_templates())
    assert env.undefined.__name__ == "StrictUndefined"


def test_template_override_replaces_one_template(sink: Worksheet, tmp_path: Path) -> None:
    (tmp_path / "page.html.j2").write_text(
        '<!DOCTYPE html><html lang="{{ v.language }}"><head><title>{{ title }}</title>'
        '<style>{{ css }}</style></head><body class="clinic-brand">{{ body }}</body></html>',
        encoding="utf-8",
    )
    html = render(sink, "html", template_dir=tmp_path)
    assert 'class="clinic-brand"' in html
    assert 'class="wk-form"' in html
    assert 'class="clinic-brand"' not in render(sink, "html")
    with pytest.raises(FileNotFoundError):
        render(sink, "html", template_dir=tmp_path / "missing")


def test_rtl_languages_set_direction() -> None:
    ws = ws_from(
        """
        worksheetkit: 1
        id: t.rtl
        version: 1.0.0
        title: {ar: مرحبا, en: Hello}
        language: ar
        items: [{id: q, type: text, label: {ar: سؤال, en: Question}}]
        """
    )
    html = render(ws, "html")
    assert '<html lang="ar" dir="rtl">' in html
    assert 'class="wk-root" lang="ar" dir="rtl"' in html
    english, warnings = render_with_diagnostics(ws, "html", language="en")
    assert '<html lang="en" dir="ltr">' in english
    assert warnings == []


# -- translations ---------------------------------------------------------------------------


TRANSLATED = """
worksheetkit: 1
id: t.lang
version: 1.0.0
language: en
title: {en: Mood check, es: Control del ánimo, es~en: 3f2a}
items:
  - id: mood
    type: choice
    label: {en: "How is your mood?", es: "¿Cómo está su ánimo?"}
    options:
      - {value: good, label: {en: Good, es: Bueno}}
      - {value: bad, label: {en: Bad}}
  - id: note
    type: text
    label: Anything else?
"""


def test_language_choice_and_missing_translation_warnings() -> None:
    ws = ws_from(TRANSLATED)
    html, warnings = render_with_diagnostics(ws, "html", language="es")
    assert "Control del ánimo" in html
    assert "¿Cómo está su ánimo?" in html
    assert "Bueno" in html
    assert "3f2a" not in html  # keys with "~" are not languages
    # Fallbacks are shown in English, marked with their language, and reported.
    assert '<span lang="en" dir="ltr">Bad</span>' in html
    assert {d.code for d in warnings} == {"WK601"}
    assert {d.severity for d in warnings} == {"warning"}
    assert sorted(d.json_path for d in warnings) == [
        "$.items[0].options[1].label",
        "$.items[1].label",
    ]
    assert "Enviar" in html  # the renderer's own words follow the language
    _, none = render_with_diagnostics(ws, "html")
    assert none == []
    # render() gives the same text and keeps quiet.
    assert render(ws, "html", language="es") == html


def test_unknown_format_and_bad_language_are_errors(sink: Worksheet) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(sink, "pdf")
    with pytest.raises(ValueError, match="language code"):
        render(sink, "html", language="<script>")


# -- Markdown -----------------------------------------------------------------------------


def test_markdown_is_printable(sink: Worksheet) -> None:
    md = render(sink, "markdown")
    assert md.startswith("# Every item type\n")
    assert "**1. What was happening?**" in md
    assert "| Strongly disagree (1) | Disagree (2) |" in md  # Likert as a table
    assert "- ☐ headache" in md
    assert "☐ Yes   ☐ No" in md
    table = md.split("**17. Emotions you felt**")[1].split("\n\n")[1]
    assert table.splitlines()[0] == "| Emotion | Intensity | Note |"
    assert len(table.splitlines()) == 2 + 1  # header, rule, min_rows empty rows
    assert "0 = Calm; 100 = Worst ever" in md
    assert md.endswith("\n")
    assert "\n\n\n" not in md


def test_markdown_escapes_plain_text() -> None:
    ws = ws_from(
        """
        worksheetkit: 1
        id: t.md
        version: 1.0.0
        title: "# not a heading *really*"
        items: [{id: q, type: yesno, label: "[click](https://x.org) <b>bold</b> _x_"}]
        """
    )
    md = render(ws, "markdown")
    assert md.startswith("# \\# not a heading \\*really\\*")
    assert "\\[click\\](https://x.org) &lt;b&gt;bold&lt;/b&gt; \\_x\\_" in md


# -- JSON ---------------------------------------------------------------------------------


def test_json_is_canonical_and_round_trips(sink: Worksheet) -> None:
    text = render(sink, "json")
    data = json.loads(text)
    assert list(data)[:4] == ["worksheetkit", "kind", "id", "version"]
    assert data["items"][1]["required"] is True  # defaults applied
    assert data["items"][1]["readonly"] is False
    assert "extends" not in data
    assert "remove" not in data
    # Author order is kept, never sorted.
    assert [o if isinstance(o, str) else o["value"] for o in data["items"][10]["options"]] == [
        "headache",
        "tiredness",
        "none",
    ]
    again = loads(text, source="sink.json")
    assert again == sink
    assert render(again, "json") == text


def test_json_of_a_resolved_template_round_trips(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: t.pack\nname: T\nversion: 1.0.0\n", encoding="utf-8"
    )
    (tmp_path / "base.yaml").write_text(
        textwrap.dedent(
            """
            worksheetkit: 1
            id: t.base
            version: 1.0.0
            title: Base
            items:
              - {id: a, type: rating, label: A, min: 0, max: 10, anchors: {0: None, 10: Most}}
              - {id: b, type: text, label: B}
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "child.yaml").write_text(
        "worksheetkit: 1\nid: t.child\nversion: 1.0.0\nextends: t.base@1\nremove: [b]\n",
        encoding="utf-8",
    )
    child = load(tmp_path / "child.yaml")
    text = render(child, "json")
    data = json.loads(text)
    assert data["derived_from"] == "t.base@1.0.0"
    assert "extends" not in data
    assert [i["id"] for i in data["items"]] == ["a"]
    assert data["items"][0]["anchors"] == {"0": "None", "10": "Most"}
    again = loads(text, source="child.json")
    assert again == child
    assert render(again, "json") == text


# -- responses ----------------------------------------------------------------------------


def response_for(ws: Worksheet, answers: dict[str, object]) -> Response:
    return Response.model_validate(
        {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": ws.id,
            "version": ws.version,
            "submitted_at": "2026-12-01T20:21:00+00:00",
            "answers": answers,
        }
    )


def test_response_views(sink: Worksheet) -> None:
    response = response_for(
        sink,
        {
            "situation": "At <b>work</b>",
            "walked": False,
            "belief": 4,
            "mood": {"other": "flat"},
            "symptoms": ["headache"],
            "values": ["health", "family", "work"],
            "confidence": 7,
            "emotions": [{"emotion": "sad", "intensity": 70}],
        },
    )
    md = render(response, "markdown", worksheet=sink)
    assert "> At &lt;b&gt;work&lt;/b&gt;" in md
    assert "> Agree (4)" in md
    assert "> Other: flat" in md
    assert "> No" in md
    assert "> 1\\. health; 2. family; 3. work" in md
    assert "How long did you walk?" not in md  # hidden (walked is false) and unanswered
    assert "| sad | 70 |" in md
    assert "- **Wellbeing:** 11 (High)" in md
    html = render((sink, response), "html")
    assert "At &lt;b&gt;work&lt;/b&gt;" in html
    assert "<b>work" not in html
    assert ": </span>sad</td>" in html  # labelled for the card layout
    assert "11 (High)" in html
    # Hidden questions (show_if false) without an answer are left out of the review.
    assert "How long did you walk?" not in html
    assert "A more balanced thought" in html  # belief >= 4: shown, not answered
    json_text = render(response, "json")
    assert json.loads(json_text)["answers"]["mood"] == {"other": "flat"}
    with pytest.raises(TypeError, match="worksheet"):
        render(response, "html")


# -- command line -------------------------------------------------------------------------


def test_cli_render_formats_and_output(tmp_path: Path) -> None:
    runner = CliRunner()
    sheet = str(SHEETS / "kitchen-sink.yaml")
    out = tmp_path / "page.html"
    result = runner.invoke(cli, ["render", sheet, "--to", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = runner.invoke(cli, ["render", sheet, "--to", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == "test.kitchen-sink"
    result = runner.invoke(cli, ["render", sheet, "--to", "markdown", "--fragment"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# Every item type")


def test_cli_reports_missing_translations_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TRANSLATED, encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(path), "--to", "html", "--lang", "es"])
    assert result.exit_code == 0
    assert "<!DOCTYPE html>" in result.stdout
    assert "WK601" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if "WK601" in line]
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}:13:")
    assert "warning WK601" in lines[0]


def test_cli_response_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    sheet = SHEETS / "kitchen-sink.yaml"
    resp = tmp_path / "r.json"
    resp.write_text(
        json.dumps(
            {
                "worksheetkit": 1,
                "kind": "response",
                "worksheet": "test.kitchen-sink",
                "answers": {"situation": "Bus", "walked": True},
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["render", str(sheet), "--response", str(resp), "--to", "markdown"])
    assert result.exit_code == 0, result.output
    assert "> Bus" in result.stdout
    assert "> Yes" in result.stdout
    result = runner.invoke(cli, ["render", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("worksheetkit: 1\nid: t.bad\nversion: 1.0.0\ntitle: x\nitems: [{id: q}]\n")
    result = runner.invoke(cli, ["render", str(bad)])
    assert result.exit_code == 1
    assert "error" in result.stderr
    assert "Traceback" not in result.output
    result = runner.invoke(cli, ["render", str(sheet), "--lang", "not a language"])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["render", str(resp)])
    assert result.exit_code == 2
    assert "--response" in result.stderr
    broken = tmp_path / "tpl"
    broken.mkdir()
    (broken / "page.html.j2").write_text("{% if %}", encoding="utf-8")
    result = runner.invoke(cli, ["render", str(sheet), "--templates", str(broken)])
    assert result.exit_code == 2
    assert "template" in result.stderr


def test_named_scales_follow_the_language() -> None:
    ws = ws_from(
        """
        worksheetkit: 1
        id: t.scale
        version: 1.0.0
        title: {en: Scale, es: Escala}
        items:
          - {id: q, type: likert, scale: agreement-5, label: {en: "Agree?", es: "¿De acuerdo?"}}
        """
    )
    html, warnings = render_with_diagnostics(ws, "html", language="es")
    assert ">Totalmente de acuerdo</label>" in html
    assert warnings == []
    md, _ = render_with_diagnostics(ws, "markdown", language="es")
    assert "| Totalmente en desacuerdo (1) |" in md
    _, french = render_with_diagnostics(ws, "html", language="fr")
    assert "$.items[0].scale" in {d.json_path for d in french}


def test_markdown_output_never_carries_a_script_link() -> None:
    # The printable Markdown is opened in viewers that may decode entities or follow
    # reference definitions; none of these may become a live javascript: link.
    from markdown_it import MarkdownIt

    from worksheetkit.model import Worksheet

    tricks = [
        "[a](javascript&#58;alert(1))",
        "[a](&#106;avascript:alert(1))",
        "[g][r]\n\n[r]: javascript&#58;alert(1)",
        "[g][r]\n\n[r]: javascript:alert(1)",
        "<javascript:alert(1)>",
    ]
    ws = Worksheet.model_validate(
        {
            "worksheetkit": 1,
            "id": "t.md",
            "version": "1.0.0",
            "title": "T",
            "instructions": "\n\n".join(tricks),
            "items": [
                {
                    "type": "media",
                    "kind": "audio",
                    "label": "A",
                    "url": "https://ok.example/a.mp3>)[y](javascript:alert(1))",
                }
            ],
        }
    )
    text = render(ws, to="markdown")
    plain = MarkdownIt("commonmark", {"html": True})
    plain.validateLink = lambda url: True  # a permissive viewer
    html_out = plain.render(text).lower()
    assert "<a " in html_out  # links are still links
    assert 'href="javascript' not in html_out


def test_an_override_reaches_the_controls_markup(sink: Worksheet, tmp_path: Path) -> None:
    """The controls' markup is a template (controls.html.j2), not Python: overriding it by name
    changes every control, and hostile text still arrives escaped."""
    source = resources.files("worksheetkit.rendering").joinpath("templates", "controls.html.j2")
    text = source.read_text("utf-8")
    assert '<p class="wk-error"' in text
    (tmp_path / "controls.html.j2").write_text(
        text.replace('<p class="wk-error"', '<p class="wk-error clinic-error"'), encoding="utf-8"
    )
    html = render(sink, "html", template_dir=tmp_path)
    plain = render(sink, "html")
    assert 'class="wk-error clinic-error"' in html
    assert "clinic-error" not in plain
    assert html.replace(" clinic-error", "") == plain


def test_hostile_answers_reach_every_control_escaped() -> None:
    """Autoescape is off inside controls.html.j2's macros (as in the f-strings they replaced):
    every value there is escaped by hand. A redisplayed submission whose answers and messages
    carry markup shows them as text, in every control that writes them."""
    evil = "\"><script>alert('x')</script>"
    ws = loads(
        textwrap.dedent(
            """\
            worksheetkit: 1
            kind: worksheet
            id: hostile.controls
            version: 1.0.0
            title: Controls
            items:
              - {id: c, type: choice, label: C, options: ["a", "it's \\"quoted\\""], other: true}
              - {id: k, type: checklist, label: K, options: ["a", "b"], other: true}
              - {id: t, type: text, label: T, placeholder: "<b>"}
              - {id: n, type: number, label: N, min: 0, max: 5, show_if: "c == 'a'"}
              - id: tb
                type: table
                label: Tb
                min_rows: 2
                columns:
                  - {id: w, type: choice, options: ["a", "b"], other: true}
                  - {id: x, type: text}
            """
        )
    )
    assert isinstance(ws, Worksheet)
    answers = {
        "c": {"other": evil},
        "k": ["a", {"other": evil}],
        "t": evil,
        "n": 9,
        "tb": [{"w": {"other": evil}, "x": evil}],
    }
    diagnostics = [{"code": "WK400", "message": evil, "path": "/answers/t"}]
    html = render(ws, "html", answers=answers, diagnostics=diagnostics)
    assert "<script>alert" not in html
    assert "&quot;&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert 'value="it&#x27;s &quot;quoted&quot;"' in html


RATING_ANCHORS = (
    "worksheetkit: 1\nkind: worksheet\nid: t.anchors\nversion: 1.0.0\ntitle: Anchors\n"
    "items:\n  - id: r\n    type: rating\n    label: How much?\n    min: 0\n    max: 5\n"
    "    step: 0.5\n    anchors: {0: none, 2.5: half, 5: all}\n"
)


def test_a_problem_at_a_number_key_is_located_not_a_crash() -> None:
    # Anchor keys are numbers: a problem at one names it by its text (a path of text keys and
    # indexes), at its line — before, reporting it raised TypeError.
    from worksheetkit import WorksheetError, loads

    with pytest.raises(WorksheetError) as caught:
        loads(RATING_ANCHORS.replace("2.5: half", "2.5: {en: half}").replace(
            "title: Anchors", "title: {en: Anchors, es: Anclas}\nlanguages: [en, es]"
        ).replace("label: How much?", "label: {en: How much?, es: ¿Cuánto?}")
         .replace("0: none", "0: {en: none, es: nada}").replace("5: all", "5: {en: all, es: todo}"),
              "anchors.yaml")  # fmt: skip
    found = [(d.code, d.path) for d in caught.value.diagnostics]
    assert ("WK207", ("items", 0, "anchors", "2.5")) in found


@pytest.mark.parametrize("to", ["html", "markdown"])
def test_untranslated_rating_anchors_are_located_not_a_crash(to: str) -> None:
    # Rendering in a language the worksheet lacks: each text falls back with WK601, and the
    # anchors' warnings name their number keys as quoted keys (a path the file can locate).
    from worksheetkit import loads
    from worksheetkit.rendering import render_with_diagnostics

    ws = loads(RATING_ANCHORS, "anchors.yaml")
    _out, warnings = render_with_diagnostics(ws, to, language="es")  # type: ignore[arg-type]
    paths = [d.path for d in warnings if d.code == "WK601"]
    assert ("items", 0, "anchors", "2.5") in paths
    assert ("items", 0, "anchors", "0") in paths

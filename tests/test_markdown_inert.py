"""Printable Markdown stays inert in any viewer (issue 13 §1).

Author Markdown is parsed (markdown-it, raw HTML off) and rebuilt from the token stream; every
text run is escaped for Markdown and HTML. Each hostile case is rendered, then shown by three
real viewers with raw HTML allowed (markdown-it ``html=True``, Python-Markdown, cmark-gfm
unsafe) and the resulting HTML must hold only inert formatting with safe links.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from strategies import examples
from worksheetkit import Response, Worksheet, render, validate
from worksheetkit._text import (
    MARKDOWN_BUDGET,
    MAX_MARKDOWN_CHARS,
    link_ok,
    markdown_html,
    markdown_links,
    markdown_parser,
    md_escape,
)
from worksheetkit.fhir import import_questionnaire
from worksheetkit.rendering._markdown import md_url, printable_markdown

sys.path.insert(0, str(Path(__file__).parent))
from markdown_corpus import CASES, IMG, assert_inert, problems, viewers


def worksheet_with(text: str) -> dict[str, Any]:
    """A worksheet carrying ``text`` in every place the printable shows author text."""
    return {
        "worksheetkit": 1,
        "id": "test.hostile",
        "version": "1.0.0",
        "title": text,
        "summary": text,
        "rationale": text,
        "instructions": text,
        "items": [
            {"type": "note", "text": text},
            {
                "type": "section",
                "title": text,
                "help": text,
                "items": [{"type": "note", "text": text}],
            },
            {"id": "q1", "type": "text", "label": text, "help": text},
            {
                "id": "mood",
                "type": "choice",
                "label": text,
                "options": [{"value": "a", "label": text}, text[:200] or "b"],
            },
            {
                "id": "agree",
                "type": "likert",
                "label": text,
                "options": [
                    {"value": text[:200] or "v", "label": "Yes"},
                    {"value": 2, "label": text},
                ],
            },
            {
                "id": "later",
                "type": "text",
                "label": "Later",
                "show_if": "mood == 'a'",
            },
            {
                "type": "media",
                "kind": "audio",
                "url": "https://example.org/a.mp3",
                "label": text,
                "transcript": text,
            },
            {
                "id": "t",
                "type": "table",
                "label": text,
                "columns": [{"id": "c", "type": "text", "label": text}],
            },
        ],
        "source": {"authors": [text], "citation": text, "license": "CC-BY-4.0"},
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_printable_markdown_is_inert_in_three_viewers(name: str) -> None:
    text = CASES[name]
    ws = Worksheet.model_validate(worksheet_with(text))
    md = render(ws, "markdown")
    assert_inert(md, name)
    # no raw "<" at all: no viewer can read a tag, an autolink or an HTML block out of it
    assert "<" not in md
    # and the filled-in view, with the case as the client's answer too
    response = Response.model_validate(
        {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": "test.hostile",
            "answers": {"q1": text or "x", "mood": "a", "t": [{"c": text or "x"}]},
        }
    )
    filled = render(response, "markdown", worksheet=ws)
    assert_inert(filled, f"{name} (response)")
    assert "<" not in filled


@pytest.mark.parametrize("name", sorted(CASES))
def test_html_renderer_markdown_is_inert(name: str) -> None:
    # The HTML form renders the same parse (raw HTML off, same link rule).
    for level in (1, 3):
        found = problems(str(markdown_html(CASES[name], level)))
        assert not found, (name, found)


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_output_has_no_live_link(name: str) -> None:
    md = printable_markdown(CASES[name], 1)
    for viewer, page in viewers(md).items():
        for href in re.findall(r'(?:href|src)="([^"]*)"', page):
            assert link_ok(href.replace("&amp;", "&")), (name, viewer, href)


def test_reported_vectors_are_neutralised() -> None:
    # 1. a backslash before "<" (the old escape escaped the backslash and the tag was live)
    assert printable_markdown("\\<img src=x onerror=fire()>", 1) == (
        "&lt;img src=x onerror=fire()&gt;"
    )
    # 3. raw HTML in a note is text in every viewer (Python-Markdown ignores "\<")
    md = printable_markdown("<script>fire()</script>", 1)
    assert md == "&lt;script&gt;fire()&lt;/script&gt;"
    assert "<script" not in viewers(md)["Python-Markdown"]
    # 4. "javascript\:" is a javascript: link once CommonMark unescapes it: dropped
    assert printable_markdown("[click](javascript\\:fire())", 1) == "click"
    # 5. reference definitions inside a block quote and a list item are resolved and checked
    assert printable_markdown("> [r]: javascript:fire()\n\n[go][r]", 1) == "go"
    assert "javascript" not in printable_markdown("- [r]: javascript:fire()\n\n[go][r]", 1)


def test_show_if_string_literal_never_reaches_the_printable() -> None:
    # 2. a show_if literal with a blank line and a tag ended the code span the condition sat in
    literal = "x`\n\n" + IMG + "\n\n`"
    data = worksheet_with("Plain")
    data["items"][3]["options"] = ["a", "b"]
    data["items"][5]["show_if"] = f"mood == '{literal}'"
    ws = Worksheet.model_validate(data)
    md = render(ws, "markdown")
    assert "onerror" not in md
    assert "mood ==" not in md
    assert "Answer this if it applies to you (it depends on earlier answers)." in md
    assert_inert(md, "show_if literal")


def test_show_if_literal_that_is_an_option_is_shown_by_its_label() -> None:
    data = worksheet_with("Plain")
    data["items"][3]["options"] = [{"value": IMG, "label": "<b>Bold</b> & co"}]
    data["items"][5]["show_if"] = f"mood == '{IMG}'"
    md = render(Worksheet.model_validate(data), "markdown")
    assert "*If you answered “&lt;b&gt;Bold&lt;/b&gt; &amp; co” to “Plain”:*" in md
    assert "onerror" not in md
    assert_inert(md, "option literal")


def _questionnaire(markdown_text: str) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "status": "active",
        "title": "Imported",
        "item": [
            {
                "linkId": "n1",
                "type": "display",
                "text": "plain",
                "_text": {
                    "extension": [
                        {
                            "url": "http://hl7.org/fhir/StructureDefinition/rendering-markdown",
                            "valueMarkdown": markdown_text,
                        }
                    ]
                },
            },
            {"linkId": "q1", "type": "string", "text": "Q"},
        ],
    }


def test_fhir_rendering_markdown_note_is_inert() -> None:
    # 6. a Questionnaire's rendering-markdown imported verbatim as a note
    hostile = IMG + "\n\n\\<script>fire()</script>\n\n<!-- x -->\n\n[ok](https://example.org)"
    result = import_questionnaire(_questionnaire(hostile))
    assert result.worksheet is not None
    notes = [i for i in result.worksheet.items if getattr(i, "type", "") == "note"]
    assert notes
    assert notes[0].text == hostile
    md = render(result.worksheet, "markdown")
    assert "&lt;img src=x onerror=fire()&gt;" in md  # ... and shown as text
    assert "[ok](https://example.org)" in md
    assert_inert(md, "fhir")


@pytest.mark.parametrize(
    "link",
    ["[x](javascript\\:fire())", "> [r]: javascript:fire()\n\n[go][r]", "<javascript:fire()>"],
)
def test_fhir_rendering_markdown_with_unsafe_link_is_refused(link: str) -> None:
    result = import_questionnaire(_questionnaire(link))
    assert result.worksheet is None
    assert any("WK212" in d.message or d.code == "WK718" for d in result.diagnostics)


# -- WK212 agrees with the render ---------------------------------------------------------------

_LINK_CASES = sorted(
    name for name, text in CASES.items() if markdown_links(text) and "\x00" not in text
)


def _kept_links(markdown_text: str) -> int:
    html = MarkdownIt("commonmark").render(markdown_text)
    return len(re.findall(r"<a |<img ", html))


@pytest.mark.parametrize("name", _LINK_CASES)
def test_wk212_flags_a_link_exactly_when_the_render_drops_it(name: str, tmp_path: Path) -> None:
    text = CASES[name]
    path = tmp_path / "w.yaml"
    doc = {
        "worksheetkit": 1,
        "id": "test.links",
        "version": "1.0.0",
        "title": "Links",
        "instructions": text,
        "items": [{"id": "q1", "type": "text", "label": "Q"}],
    }
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    flagged = [d for d in validate(path) if d.code == "WK212"]
    dropped = len(markdown_links(text)) - _kept_links(printable_markdown(text, 1))
    assert len(flagged) == dropped, (name, [d.message for d in flagged])
    for d in flagged:
        assert d.line is not None
        assert d.column is not None


def test_wk212_points_at_the_link(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "worksheetkit: 1\nid: test.x\nversion: 1.0.0\ntitle: X\ninstructions: |\n"
        "  Read this.\n\n  > [r]: javascript:fire()\n\n  Then [go][r] and [x](java\\:y).\n"
        "items:\n- {id: q1, type: text, label: Q}\n",
        encoding="utf-8",
    )
    found = sorted((d.line, d.column) for d in validate(path) if d.code == "WK212")
    # the definition inside the quote; a scheme split by "\\" is located at its paragraph
    assert found == [(8, 10), (10, 24)]


def test_safe_destinations_read_back_the_same_in_every_viewer() -> None:
    for href in (
        "https://example.org/a_b(c)?q=1&r=2#frag",
        "media/a b.png",
        "https://example.org/ü?x=<y>&z='\"",
        "page.html#a*b",
    ):
        text = f"[t]({md_url(href)})"
        got = set()
        for viewer, page in viewers(text).items():
            found = re.search(r'href="([^"]*)"', page)
            assert found is not None, (viewer, page)
            got.add(found.group(1))
        assert len(got) == 1, got  # the three viewers read the same destination ...
        assert unquote(html.unescape(got.pop())) == href  # ... the one the author wrote


# -- the escaper ---------------------------------------------------------------------------------


def test_one_escaper_keeps_ordinary_sentences_readable() -> None:
    plain = "Hello, world. Really! (Yes): 1.5 kg; 3-4 times; e-mail a@b.org? #1 fan"
    assert md_escape(plain) == plain
    assert md_escape("Fish & chips <3") == "Fish &amp; chips &lt;3"
    assert md_escape("# not a heading") == "\\# not a heading"
    assert md_escape("- not a list") == "\\- not a list"
    assert md_escape("12. not a list") == "12\\. not a list"
    assert md_escape("===") == "&#61;=="
    assert md_escape("*a* _b_ `c` [d]") == "\\*a\\* \\_b\\_ \\`c\\` \\[d\\]"
    assert md_escape("a|b ~~c~~") == "a&#124;b &#126;&#126;c&#126;&#126;"
    assert md_escape("two\nlines\x00\x07") == "two lines"


def test_reports_use_the_same_escaper() -> None:
    from worksheetkit.reports import md_escape as report_escape

    for text in ("<b>&", "- x", "a|b", "*y*"):
        assert report_escape(text) == md_escape(text)


# -- conditions in words -------------------------------------------------------------------------


def _conditions_sheet(show_if: str, language: str = "en") -> str:
    data = {
        "worksheetkit": 1,
        "id": "test.cond",
        "version": "1.0.0",
        "title": "C",
        "language": "en",
        "items": [
            {"id": "did", "type": "yesno", "label": "Did you go out?"},
            {"id": "belief", "type": "rating", "label": "Belief", "min": 0, "max": 10},
            {"id": "mood", "type": "choice", "label": "Mood", "options": ["low", "ok"]},
            {"id": "hours", "type": "number", "label": "Hours slept"},
            {"id": "scale", "type": "likert", "label": "Agree", "scale": "agreement-5"},
            {"id": "x", "type": "text", "label": "X", "show_if": show_if},
        ],
    }
    md = render(Worksheet.model_validate(data), "markdown", language=language)
    line = [ln for ln in md.splitlines() if ln.startswith("*") and "**" not in ln]
    return line[-1].strip("*")


@pytest.mark.parametrize(
    ("show_if", "words"),
    [
        ("did == true", "If you answered “Yes” to “Did you go out?”:"),
        ("did", "If you answered “Yes” to “Did you go out?”:"),
        ("not did", "If you answered “No” to “Did you go out?”:"),
        ("belief >= 2", "If you rated “Belief” 2 or more:"),
        ("2 < belief", "If you rated “Belief” more than 2:"),
        ("mood == 'low'", "If you answered “low” to “Mood”:"),
        ("mood in ['low', 'ok']", "If you answered “low” or “ok” to “Mood”:"),
        ("hours < 6", "If your answer to “Hours slept” is less than 6:"),
        ("scale >= 4", "If you rated “Agree” 4 or more:"),
        ("answered(hours)", "If you answered “Hours slept”:"),
        (
            "did == true and belief >= 2",
            "If you answered “Yes” to “Did you go out?” and you rated “Belief” 2 or more:",
        ),
        (
            "did or mood == 'ok'",
            "If you answered “Yes” to “Did you go out?” or you answered “ok” to “Mood”:",
        ),
    ],
)
def test_simple_conditions_are_words(show_if: str, words: str) -> None:
    assert _conditions_sheet(show_if) == words


@pytest.mark.parametrize(
    "show_if",
    [
        "did and (belief > 2 or hours < 3)",  # mixed and/or
        "belief + hours > 3",  # arithmetic
        "mood == 'sad'",  # not one of the options: never shown raw
        "belief >= 20",  # outside the scale
        "sum(belief, hours) > 0",
    ],
)
def test_other_conditions_get_the_neutral_sentence(show_if: str) -> None:
    assert _conditions_sheet(show_if) == (
        "Answer this if it applies to you (it depends on earlier answers)."
    )


def test_conditions_are_translated() -> None:
    data_words = _conditions_sheet("belief >= 2", language="es")
    assert data_words == "Si puntuaste «Belief» con 2 o más:"
    assert _conditions_sheet("hours + 1 > 2", language="es").startswith("Responde a esto")


# -- bounded work ----------------------------------------------------------------------------


class _Counter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.chars = 0
        self.calls = 0
        parser = markdown_parser()
        original = parser.parse

        def parse(src: str, env: Any = None) -> Any:
            self.chars += len(src)
            self.calls += 1
            return original(src, env)

        monkeypatch.setattr(parser, "parse", parse)


def _soup(n: int) -> str:
    unit = "<[(\\\\a](<b>`*_&#!:" * 50 + "\n"
    return (unit * (n // len(unit) + 1))[:n]


@pytest.mark.slow
def test_five_megabyte_note_validates_with_bounded_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = _Counter(monkeypatch)
    soup = _soup(4_900_000)
    path = tmp_path / "big.yaml"
    doc = {
        "worksheetkit": 1,
        "id": "test.big",
        "version": "1.0.0",
        "title": "Big",
        "items": [{"type": "note", "text": soup}, {"id": "q1", "type": "text", "label": "Q"}],
    }
    path.write_text(yaml.safe_dump(doc, width=10**9), encoding="utf-8")
    assert path.stat().st_size > 4_800_000  # close to the 5 MB file limit
    diagnostics = validate(path)
    assert [d.code for d in diagnostics if d.severity == "error"] == ["WK229"], diagnostics[:1]
    assert diagnostics[0].json_path == "$.items[0].text"
    assert counter.chars == 0  # too long to parse: reported, not parsed


def test_markdown_is_parsed_within_a_budget_per_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = _Counter(monkeypatch)
    note = ("word " * (MAX_MARKDOWN_CHARS // 5))[: MAX_MARKDOWN_CHARS - 10] + " [x](y)"
    count = MARKDOWN_BUDGET // len(note) + 5
    doc = {
        "worksheetkit": 1,
        "id": "test.many",
        "version": "1.0.0",
        "title": "Many",
        "items": [{"type": "note", "text": note + str(i)} for i in range(count)]
        + [{"id": "q1", "type": "text", "label": "Q"}],
    }
    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    codes = [d.code for d in validate(path)]
    assert "WK229" in codes
    assert counter.chars <= MARKDOWN_BUDGET
    ws = Worksheet.model_validate(doc)
    before = counter.chars
    render(ws, "markdown")
    assert counter.chars - before <= MARKDOWN_BUDGET


def test_overlong_text_is_shown_as_plain_text() -> None:
    text = "[x](javascript:fire()) <b>" + "a" * MAX_MARKDOWN_CHARS
    md = printable_markdown(text, 1)
    assert md.startswith("\\[x\\](javascript:fire()) &lt;b&gt;")
    assert_inert(md, "overlong")
    assert "<b>" not in str(markdown_html(text))


# -- property: any text from a hostile alphabet --------------------------------------------------

ALPHABET = "<>&[]()\\`*_!:;#=-+|~\"' \n\tajsvcrpt/.1"


@settings(max_examples=examples(150))
@given(st.text(alphabet=ALPHABET, max_size=120))
def test_any_text_is_inert_in_every_viewer(text: str) -> None:
    md = printable_markdown(text, 1)
    assert "<" not in md
    assert_inert(md, repr(text))


@settings(max_examples=examples(100))
@given(
    st.lists(
        st.sampled_from(
            [
                "<",
                ">",
                "&",
                "[",
                "]",
                "(",
                ")",
                "\\",
                "`",
                "*",
                "_",
                "!",
                ":",
                "\n",
                "\n\n",
                "javascript",
                "&#106;",
                "<img src=x onerror=fire()>",
                "[r]: ",
                "> ",
                "- ",
                "1. ",
                "    ",
                "](",
                "<script>",
                "data:",
                "http://x",
                "`` ",
                "&#58;",
                "\\:",
            ]
        ),
        max_size=25,
    )
)
def test_any_token_soup_is_inert_and_wk212_agrees(parts: list[str]) -> None:
    text = "".join(parts)
    md = printable_markdown(text, 1)
    assert_inert(md, repr(text))
    unsafe = [link for link in markdown_links(text) if not link_ok(link.href)]
    assert _kept_links(md) == len(markdown_links(text)) - len(unsafe)

"""Picking a language for each text, reporting missing translations, and Markdown as data:
one parse, one link rule and one escaper for every renderer and for validation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from markupsafe import Markup, escape

from ._urls import link_ok as link_ok  # re-exported: the one link rule
from ._urls import link_problem as link_problem
from .codes import Code
from .errors import Diagnostic, parse_path
from .model.text import text_choice

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MISSING_TRANSLATION = Code.WK601

# Languages written right to left (ISO 639-1/-2 codes; a region suffix is ignored).
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ku", "ps", "sd", "ug", "ur", "yi"}
)


def is_rtl(language: str) -> bool:
    return language.split("-")[0].lower() in RTL_LANGUAGES


def direction(language: str) -> str:
    return "rtl" if is_rtl(language) else "ltr"


class Chosen(NamedTuple):
    """A text in the language it is shown in. ``fallback`` is true when the requested
    language was missing and the worksheet's default language is shown instead.

    A named tuple rather than a frozen dataclass: one is made for every text a form shows,
    and a frozen dataclass sets each field through ``object.__setattr__`` (making them was
    4 % of a 30-item render, a third of that now; 2026-12-04)."""

    text: str
    lang: str
    fallback: bool = False


@dataclass
class Localiser:
    """Chooses, for every text field, the requested language or the default language.

    Keys that contain ``~`` (e.g. ``es~en``, the lint tool's record of the source a
    translation was made from) are not languages and are ignored. Every fallback is recorded
    once per path as a ``WK601`` warning.
    """

    language: str
    default: str
    file: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def pick(self, value: str | Mapping[str, str] | None, path: str) -> Chosen | None:
        if value is None:
            return None
        text, lang = text_choice(value, self.language, self.default)  # the one rule
        if lang == self.language:
            return Chosen(text, lang)
        self._missing(path)
        return Chosen(text, lang or self.default, True)

    def text(self, value: str | Mapping[str, str] | None, path: str) -> str:
        chosen = self.pick(value, path)
        return chosen.text if chosen else ""

    def _missing(self, path: str) -> None:
        if path in self._seen:
            return
        self._seen.add(path)
        self.diagnostics.append(
            Diagnostic(
                code=MISSING_TRANSLATION,
                severity="warning",
                message=f"This text has no '{self.language}' translation; the "
                f"'{self.default}' text is shown instead.",
                hint=f"Add '{self.language}: …' to this text.",
                file=self.file,
                path=parse_path(path),  # the JSONPath text rendering builds for every text
            )
        )

    def inline(self, value: str | Mapping[str, str] | None, path: str) -> Markup:
        """Escaped text for element content, marked with its language when it fell back."""
        return self._inline(self.pick(value, path))

    def text_and_inline(
        self, value: str | Mapping[str, str] | None, path: str
    ) -> tuple[str, Markup]:
        """``text`` and ``inline`` of one value, its language chosen once (a form shows most
        labels both ways: 8 % of a render chose each twice, 2026-12-04)."""
        chosen = self.pick(value, path)
        return (chosen.text if chosen else ""), self._inline(chosen)

    def _inline(self, chosen: Chosen | None) -> Markup:
        if chosen is None:
            return Markup("")
        return wrap_lang(escape(chosen.text), chosen, self.language, "span")

    def markdown(self, value: str | Mapping[str, str] | None, path: str, level: int = 2) -> Markup:
        """Safe Markdown → HTML (block), headings shifted below ``level``."""
        chosen = self.pick(value, path)
        if chosen is None:
            return Markup("")
        return wrap_lang(markdown_html(chosen.text, level), chosen, self.language, "div")


def wrap_lang(content: Markup, chosen: Chosen, page_language: str, tag: str) -> Markup:
    if chosen.lang == page_language:
        return content
    return Markup('<{0} lang="{1}" dir="{2}">{3}</{0}>').format(
        Markup(tag),  # noqa: S704 - "span" or "div", chosen by this module
        chosen.lang,
        direction(chosen.lang),
        content,
    )


# -- Markdown ---------------------------------------------------------------------------------
#
# Author Markdown is parsed once, with raw HTML off, by ``markdown_parser()``. The HTML
# renderer renders that parse; the printable Markdown is rebuilt from it (``_markdown.py``);
# validation (WK212) reads link destinations from it with ``markdown_links``. One parse, one
# link rule (``link_ok``, from ``worksheetkit._urls``), one escaper (``md_escape``): validate and render cannot disagree.

# Longer Markdown texts are not parsed (WK229): shown as plain text, links not followed.
MAX_MARKDOWN_CHARS = 20_000
# Characters of Markdown parsed per document; texts past it are plain text (WK229).
MARKDOWN_BUDGET = 200_000


def _validate_link(url: str) -> bool:
    return link_ok(url)


# markdown-it is imported by the first parse, not with this module: `worksheetkit validate` on a
# worksheet without links or images never needs it (about 0.03 s of CPU at start-up, 2026-12-04).


@cache
def _parser() -> MarkdownIt:
    """The HTML renderer's parser: links the rule refuses stay text."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.disable(["html_block", "html_inline"])
    return md


@cache
def markdown_parser() -> MarkdownIt:
    """The same parse, keeping every link as a link token so that the printable rebuild and
    WK212 both see it and apply ``link_ok`` themselves."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.disable(["html_block", "html_inline"])
    return md


@lru_cache(maxsize=32)
def _parsed(text: str) -> tuple[Token, ...]:
    return tuple(markdown_parser().parse(text))


def parse_markdown(text: str) -> tuple[Token, ...]:
    """The token stream of ``text``; callers read it and never change it. Remembered for the
    last few texts: validate (WK212), lint and the printable read the same text in one run,
    and markdown-it costs up to ~20 µs a character on crafted input (linear, but not cheap)."""
    return _parsed(text)


@dataclass(frozen=True, slots=True)
class MarkdownLink:
    """A link or image destination as the parser read it, and the 0-based source line of the
    block it stands in."""

    href: str
    line: int
    image: bool


def markdown_links(text: str) -> list[MarkdownLink]:
    """Every link and image destination in ``text`` (inline, autolink, reference-style with
    the definition anywhere, inside quotes and lists), from the token stream."""
    out: list[MarkdownLink] = []
    for token in parse_markdown(text):
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map else 0
        stack = list(reversed(token.children))
        while stack:
            child = stack.pop()
            if child.type == "link_open":
                out.append(MarkdownLink(str(child.attrs.get("href", "")), line, False))
            elif child.type == "image":
                out.append(MarkdownLink(str(child.attrs.get("src", "")), line, True))
            if child.children:
                stack.extend(reversed(child.children))
    return out


_MD_TABLE = {
    **{ord(c): "\\" + c for c in "\\`*_[]"},
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord("&"): "&amp;",
    ord("|"): "&#124;",
    ord("~"): "&#126;",
    **{c: None for c in range(0x20) if chr(c) not in "\t\n\r\f\v"},
    0x7F: None,
}
_WS = re.compile(r"\s+")
_BLOCK_START = re.compile(
    r"^(?:(#)|([-+])(?=\s|$)|(=)(?=[=\s]*$)|([-+])(?=[-+\s]*$)|(\d{1,9})([.)])(?=\s|$))"
)


def md_escape(text: str, *, strip: bool = True) -> str:
    """Literal text for Markdown, on one line: the only Markdown escaper.

    ``<``, ``>``, ``&`` (and ``|``, ``~``) become character references, which every viewer
    shows as the character and none reads as a tag, a table or a strike; ``\\ ` * _ [ ]``
    get a backslash (CommonMark and Python-Markdown both honour these). At the start, a
    heading, list or setext marker is escaped. Ordinary punctuation is left alone. Runs of
    white space (line breaks too) become one space; control characters are dropped."""
    text = _WS.sub(" ", text.translate(_MD_TABLE))
    if strip:
        text = text.strip()
    return _BLOCK_START.sub(_escape_start, text)


def _escape_start(m: re.Match[str]) -> str:
    if m.group(1):
        return "\\#"
    if m.group(2) or m.group(4):
        return "\\" + (m.group(2) or m.group(4))
    if m.group(3):
        return "&#61;"
    return m.group(5) + "\\" + m.group(6)


def _plain_html(text: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join(
        "<p>" + "<br>\n".join(str(escape(line.strip())) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )


def _render(text: str, level: int) -> str:
    if len(text) > MAX_MARKDOWN_CHARS:
        return _plain_html(text)
    md = _parser()
    tokens = md.parse(text)
    # Headings the author wrote become consecutive levels just below ``level``: the page's
    # outline never skips a level, whatever "#" count the author chose.
    used = sorted({int(t.tag[1]) for t in tokens if t.type == "heading_open"})
    if used:
        mapping = {h: min(6, level + 1 + rank) for rank, h in enumerate(used)}
        for t in tokens:
            if t.type in ("heading_open", "heading_close"):
                t.tag = f"h{mapping[int(t.tag[1])]}"
    html: str = md.renderer.render(tokens, md.options, {})
    return html.strip()


@lru_cache(maxsize=4096)
def _markdown_cached(text: str, level: int) -> str:
    return _render(text, level)


def markdown_html(text: str, level: int = 1) -> Markup:
    """CommonMark with raw HTML disabled and only http(s)/relative links; headings start one
    level below ``level`` (the enclosing heading) so they never outrank the page's own."""
    if len(text) > 4096:  # not worth caching
        return Markup(_render(text, level))  # noqa: S704 - markdown-it with raw HTML off
    return Markup(_markdown_cached(text, level))  # noqa: S704 - markdown-it with raw HTML off


def json_value(value: Any) -> str:
    """Deterministic compact JSON for data attributes and embedded configuration."""
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def number_text(value: float | int) -> str:
    """1.0 → "1", 0.5 → "0.5": how numbers appear in attributes and text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)

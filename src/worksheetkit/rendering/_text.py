"""Picking a language for each text, reporting missing translations, and safe Markdown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from ..errors import Diagnostic

MISSING_TRANSLATION = "WK601"

# Languages written right to left (ISO 639-1/-2 codes; a region suffix is ignored).
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ku", "ps", "sd", "ug", "ur", "yi"}
)

_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def is_rtl(language: str) -> bool:
    return language.split("-")[0].lower() in RTL_LANGUAGES


def direction(language: str) -> str:
    return "rtl" if is_rtl(language) else "ltr"


def safe_url(url: str) -> bool:
    """Only http(s) and relative URLs. Browsers ignore tabs, newlines and spaces inside a
    scheme (``java\\tscript:``), so those are removed before looking at it."""
    cleaned = _CONTROL.sub("", url).lower()
    match = _SCHEME.match(cleaned)
    return match is None or match.group(1) in ("http", "https")


@dataclass(frozen=True, slots=True)
class Chosen:
    """A text in the language it is shown in. ``fallback`` is true when the requested
    language was missing and the worksheet's default language is shown instead."""

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
        if isinstance(value, str):
            if self.language == self.default:
                return Chosen(value, self.default)
            self._missing(path)
            return Chosen(value, self.default, True)
        texts = {k: v for k, v in value.items() if "~" not in k and isinstance(v, str)}
        if self.language in texts:
            return Chosen(texts[self.language], self.language)
        self._missing(path)
        if self.default in texts:
            return Chosen(texts[self.default], self.default, True)
        if texts:  # neither language: the first one written (validation reports WK223)
            first = next(iter(texts))
            return Chosen(texts[first], first, True)
        return Chosen("", self.default, True)

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
                path=path,
            )
        )

    def inline(self, value: str | Mapping[str, str] | None, path: str) -> Markup:
        """Escaped text for element content, marked with its language when it fell back."""
        chosen = self.pick(value, path)
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


def _validate_link(url: str) -> bool:
    # markdown-it hands over the percent-encoded link: judge what it decodes to as well.
    from urllib.parse import unquote

    return safe_url(url) and safe_url(unquote(url))


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.disable(["html_block", "html_inline"])
    return md


def _render(text: str, level: int) -> str:
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

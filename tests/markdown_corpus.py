"""Hostile Markdown and the three real viewers that must show it inert (shared by
tests/test_markdown_inert.py and tests/browser/test_markdown_viewers.py).

Every payload calls ``fire()``: the browser test defines it to set a sentinel.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import cmarkgfm
import markdown as python_markdown
from markdown_it import MarkdownIt

IMG = "<img src=x onerror=fire()>"

# name → author Markdown (a note, instructions, help …)
CASES: dict[str, str] = {
    # the six reported vectors (issue 13 §1); show_if and FHIR are built in the tests
    "backslash-before-lt": "\\<img src=x onerror=fire()>",
    "raw-html": "<script>fire()</script>\n\n" + IMG + "\n\n<b onclick=fire()>bold</b>",
    "escaped-colon-link": "[click](javascript\\:fire())",
    "reference-in-blockquote": "> [r]: javascript:fire()\n\n[go][r]",
    "reference-in-list-item": "- [r]: javascript:fire()\n\n[go][r] and ![pic][r]",
    # variants
    "entity-scheme": "[x](&#106;avascript:fire()) [y](javascript&#58;fire())",
    "hex-entity-scheme": "[x](&#x6A;avascript&#x3A;fire())",
    "svg-onload": "<svg onload=fire()>",
    "autolink-javascript": "<javascript:fire()> <JAVASCRIPT:fire()>",
    "autolink-data": "<data:text/html,%3Cscript%3Efire()%3C/script%3E>",
    "data-link": "[x](data:text/html,<script>fire()</script>)",
    "data-image": "![x](data:image/svg+xml,<svg onload=fire()>)",
    "vbscript": "[v](vbscript:fire())",
    "html-comment": "<!-- c -->" + IMG + " a <!-- x -->" + IMG,
    "cdata": "<![CDATA[" + IMG + "]]>",
    "processing-instruction": "<?php fire() ?>" + IMG,
    "declaration": "<!DOCTYPE html>" + IMG,
    "html-block-starts": "<script\n\n<!--\n\n<?\n\n<!X\n\n<![CDATA[\n\n<div\n\n<a href=javascript:fire()>",
    "html-block-types": "<pre>\n"
    + IMG
    + "\n</pre>\n\n<style>x</style>\n\n<div onclick=fire()>\n\n*x*\n\n</div>",
    "a-tag": "<a href=javascript:fire()>x</a> <a href='&#106;avascript:fire()'>y</a>",
    "nested-emphasis-tags": "*<b onmouseover=fire()>x</b>* __<i>__ ***<u>y</u>***",
    "tabs-crlf-nul": "a\t<img\r\nsrc=x\x00 onerror=fire()>\r\n\r\n\t<script>fire()</script>\x00",
    "unicode-lookalikes": "＜script＞fire()＜/script＞ ‹img› [x](ｊavascript:fire()) \u202e<b>",
    "long-line": "<" * 3000 + "img src=x onerror=fire()>" + "[" * 3000 + "](javascript:fire())",
    "link-title-quotes": '[x](https://example.org "a\\" onmouseover=fire() x=\\"") '
    "[y](https://example.org 'b\\' onclick=fire()') [z](https://example.org (c\" onclick=fire()))",
    "setext-heading": IMG + "\n===\n\n<b>x</b>\n---",
    "code-span-blank-line": "`a\n\n" + IMG + "`",
    "code-span-tags": "`<script>fire()</script>` and ``a`<b>`b``",
    "fenced-code": "```\n<script>fire()</script>\n```\n\n~~~html\n" + IMG + "\n~~~",
    "indented-code": "    <script>fire()</script>\n\n    safe code",
    "backslash-run": "\\\\<img src=x onerror=fire()> \\\\\\<script>fire()</script>",
    "link-in-code-span": "`[x](javascript:fire())`",
    "protocol-relative": "[x](//evil.example/x) [y](\\\\evil.example) [z](/\\evil.example)",
    "percent-scheme": "[x](javascript%3Afire()) [y](%6Aavascript:fire())",
    "spaces-in-scheme": "[x](<java script:fire()>) [y](java\tscript:fire())",
    "image-alt-quotes": '![x" onerror="fire()](https://example.org/a.png)',
    "link-in-link": "[a [b](javascript:fire())](https://example.org)",
    "image-in-link": "[![i](javascript:fire())](https://example.org) [![j](a.png)](javascript:fire())",
    "entities-as-text": "&lt;img src=x onerror=fire()&gt; &#60;script&#62;fire()&#60;/script&#62;",
    "gfm-table": "| a |\n|---|\n| " + IMG + " |",
    "gfm-strike-and-task": "~~<b>x</b>~~\n\n- [ ] task <i>\n- [x] done",
    "www-autolink": "www.example.org/<script>fire()</script> http://a.b/<b>",
    "heading-with-html": "# " + IMG + "\n## `<b>`\n###### <i>",
    "list-with-html": "1. <b>x</b>\n   - <i onclick=fire()>y</i>\n\n     <script>fire()</script>",
    "ordered-list-start": "999999999. <b>x</b>\n1) " + IMG,
    "deep-quotes": ">" * 60 + " " + IMG,
    "deep-lists": "".join("  " * i + "- " + IMG + "\n" for i in range(40)),
    "hard-breaks": "a\\\n<b>c</b>  \n" + IMG,
    "reference-definition-title": '[r]: https://example.org "t" \n[r]: javascript:fire()\n\n[go][r]',
    "reference-case-fold": "[R]: javascript:fire()\n\n[go][r] [ß][SS]\n\n[SS]: javascript:fire()",
    "safe-links": "[ok](https://example.org/a_b(c)?q=1&r=2#f) [rel](media/a%20b.png) <https://x.org>",
}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.other.append("comment")

    def handle_pi(self, data: str) -> None:
        self.other.append("processing instruction")

    def handle_decl(self, decl: str) -> None:
        self.other.append("declaration")

    def unknown_decl(self, data: str) -> None:
        self.other.append("declaration")


ALLOWED_TAGS = frozenset(
    {"p", "em", "strong", "ul", "ol", "li", "a", "code", "pre", "br", "hr", "blockquote", "img"}
    | {f"h{n}" for n in range(1, 7)}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)
# class: a fenced block's language (markdown-it escapes it)
ALLOWED_ATTRS = frozenset({"href", "src", "alt", "title", "align", "start", "class"})
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def url_ok(value: str) -> bool:
    """http(s), or relative without a scheme and not to another host (``//``)."""
    cleaned = _CONTROL.sub("", html.unescape(value)).lower()
    if re.match(r"^[\\/][\\/]", cleaned):
        return False
    match = _SCHEME.match(cleaned)
    return match is None or match.group(1) in ("http", "https")


def problems(page: str) -> list[str]:
    """Everything in a viewer's HTML that is not inert formatting."""
    parser = _Collector()
    parser.feed(page)
    parser.close()
    found = list(parser.other)
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            found.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name not in ALLOWED_ATTRS:
                found.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src") and not url_ok(value or ""):
                found.append(f"{name}={value!r} on <{tag}>")
    return found


_MARKDOWN_IT = MarkdownIt("commonmark", {"html": True})


def viewers(text: str) -> dict[str, str]:
    """The Markdown as three real viewers show it, raw HTML allowed where they allow it."""
    return {
        "markdown-it (html=True)": _MARKDOWN_IT.render(text),
        "Python-Markdown": python_markdown.markdown(text),
        "cmark-gfm (unsafe)": cmarkgfm.github_flavored_markdown_to_html(
            text, options=cmarkgfm.Options.CMARK_OPT_UNSAFE
        ),
    }


def assert_inert(markdown_text: str, where: Any = "") -> None:
    for name, page in viewers(markdown_text).items():
        found = problems(page)
        assert not found, (
            f"{where}: {name} shows live markup {found}\n--- markdown:\n{markdown_text}"
        )

"""Client-facing text: finding it in a document, turning Markdown into plain prose, grading it.

The reading grade is the Flesch–Kincaid grade level. Words and sentences are counted by
``textstat``; syllables by the Pyphen hyphenation dictionary, which is textstat's own fallback.
textstat's first choice, the CMU pronouncing dictionary, is downloaded from the internet on
first use: lint never goes online, and gives the same grade on every machine.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..model import LANGUAGE_CODE
from ..validation.located import Located
from ..validation.worksheet import TEXT_KEYS

# Keys whose text a client reads. Scores, bands and alerts are for the clinician; `source` is
# bibliographic; `lint` is settings.
CLIENT_TEXT_KEYS = TEXT_KEYS  # the same keys the validator checks for translations
# Keys holding prose worth a reading grade (titles, units and alt text are not prose).
PROSE_KEYS = CLIENT_TEXT_KEYS - {"title", "unit", "alt", "row_label"}
SKIP_KEYS = frozenset({"scores", "source", "lint", "worksheetkit", "id", "url"})
# A translation's stamp key: the language, then the one it was made from (``es~en``).
STAMP = re.compile(rf"^(?P<lang>{LANGUAGE_CODE})~(?P<source>{LANGUAGE_CODE})$")


@dataclass(frozen=True)
class TextNode:
    """One string a client reads: where it is, which field, which language."""

    node: Located
    key: str  # the field: label, help, option, anchor, …
    language: str

    @property
    def text(self) -> str:
        value: str = self.node.value
        return value


def client_texts(root: Located, language: str) -> Iterator[TextNode]:
    """Every client-facing string written in this document, in document order."""
    yield from _walk(root, language)


def _texts(node: Located, key: str, language: str) -> Iterator[TextNode]:
    value = node.value
    if isinstance(value, str):
        yield TextNode(node, key, language)
    elif isinstance(value, dict):
        for lang, text in value.items():
            if isinstance(lang, str) and isinstance(text, str) and "~" not in lang:
                yield TextNode(node.at(lang), key, lang)


def _walk(node: Located, language: str) -> Iterator[TextNode]:
    value = node.value
    if isinstance(value, dict):
        for key, child_value in value.items():
            if key in SKIP_KEYS:
                continue
            child = node.at(key)
            if key in CLIENT_TEXT_KEYS and (
                isinstance(child_value, str) or _is_text_map(child_value)
            ):
                yield from _texts(child, str(key), language)
            elif key == "anchors" and isinstance(child_value, dict):
                for anchor in child_value:
                    yield from _texts(child.at(anchor), "anchor", language)
            elif key == "options" and isinstance(child_value, list):
                for i, opt in enumerate(child_value):
                    if isinstance(opt, str):
                        yield TextNode(child.at(i), "option", language)
                    elif isinstance(opt, dict):
                        opt_node = child.at(i)
                        if "label" in opt:
                            yield from _texts(opt_node.at("label"), "option", language)
                        if "help" in opt:
                            yield from _texts(opt_node.at("help"), "help", language)
            else:
                yield from _walk(child, language)
    elif isinstance(value, list):
        for i in range(len(value)):
            yield from _walk(node.at(i), language)


def _is_text_map(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    )


def text_maps(root: Located) -> Iterator[Located]:
    """Every language map ({en: …, es: …}) in the document, stamps included."""
    value = root.value
    if isinstance(value, dict):
        if _is_text_map(value) and any(STAMP.match(k) for k in value):
            yield root
            return
        for key in value:
            if key not in ("lint",):
                yield from text_maps(root.at(key))
    elif isinstance(value, list):
        for i in range(len(value)):
            yield from text_maps(root.at(i))


# -- plain text ---------------------------------------------------------------------------

_END = re.compile(r"[.!?:;…][\"'”’)\]]*$")


def plain_sentences(text: str) -> str:
    """Markdown → prose in which every heading, list item and paragraph ends a sentence.

    Read from the same markdown-it parse the renderers and WK212 use (linear in the text;
    the regular expressions this replaced were quadratic on crafted input such as a long run
    of ``[``). Link text and image alt text are kept, autolinks and destinations dropped.
    """
    from .._text import parse_markdown  # not at import time: lint stays light

    out: list[str] = []
    for token in parse_markdown(text):
        if token.type != "inline":
            continue
        parts: list[str] = []
        in_autolink = False
        for child in token.children or ():
            if child.type in ("link_open", "link_close") and child.markup == "autolink":
                in_autolink = child.type == "link_open"
            elif in_autolink:
                continue
            elif child.type in ("text", "code_inline", "image"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        block = " ".join("".join(parts).split())
        if block:
            out.append(block if _END.search(block) else block + ".")
    return " ".join(out)


_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def words(text: str) -> list[str]:
    """The words of a (Markdown) text; contractions and hyphenated words count once."""
    return _WORD.findall(plain_sentences(text))


# -- reading grade --------------------------------------------------------------------------


@dataclass(frozen=True)
class Readability:
    textstat: Any
    hyphenator: Any


@cache
def readability() -> Readability | None:
    """textstat and Pyphen (the ``lint`` extra), imported on first use; None if missing."""
    try:
        textstat = importlib.import_module("textstat")
        pyphen = importlib.import_module("pyphen")
    except ImportError:
        return None
    return Readability(textstat, pyphen.Pyphen(lang="en_US"))


def reading_grade(text: str, tools: Readability) -> tuple[float, int]:
    """Flesch–Kincaid grade of a (Markdown) text, and its number of words."""
    prose = plain_sentences(text)
    ws = tools.textstat.remove_punctuation(prose).lower().split()
    if not ws:
        return 0.0, 0
    sentences = max(1, int(tools.textstat.sentence_count(prose)))
    syllables = sum(_syllables(w, tools) for w in ws)
    grade = 0.39 * (len(ws) / sentences) + 11.8 * (syllables / len(ws)) - 15.59
    return round(grade, 1), len(ws)


def _syllables(word: str, tools: Readability) -> int:
    letters = "".join(ch for ch in word if ch.isalpha())
    if not letters:
        return 1
    return len(tools.hyphenator.positions(letters)) + 1


def is_english(language: str) -> bool:
    return language == "en" or language.startswith("en-")

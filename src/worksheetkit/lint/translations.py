"""Translation stamps: ``es~en: "1a2b3c4d"`` records which source text a translation was made from.

The stamp is the first 8 hex digits of the SHA-256 of the source-language string (UTF-8, exactly
as written, after YAML has read it). When the source text changes, its hash no longer matches
the stamp, and lint says the translation may be out of date (WL013).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..loading import SourceDocument, json_path
from ..validation.located import Located
from .text import STAMP, text_maps

HEX8 = re.compile(r"^[0-9a-f]{8}$")


def source_hash(text: str) -> str:
    """The stamp for a source text: 8 lowercase hex digits of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class StampSuggestion:
    """One stamp to add or refresh in a document."""

    file: str | None
    line: int
    column: int
    path: str  # JSON path of the text map
    key: str  # es~en
    value: str  # the hash of the current source text
    current: str | None  # the stamp written now, if any

    def format(self) -> str:
        where = f"{self.file or '<string>'}:{self.line}:{self.column}"
        if self.current is None:
            return f'{where}: add    {self.key}: "{self.value}"    # {self.path}'
        return (
            f'{where}: update {self.key}: "{self.value}"    # {self.path} (was "{self.current}"; '
            "check the translation first)"
        )


def _all_maps(node: Located) -> Iterator[Located]:
    """Every language map with at least two languages (stamped or not)."""
    from .text import _is_text_map

    value = node.value
    if isinstance(value, dict):
        if _is_text_map(value) and sum("~" not in k for k in value) >= 2:
            yield node
            return
        for key in value:
            if key not in ("lint",):
                yield from _all_maps(node.at(key))
    elif isinstance(value, list):
        for i in range(len(value)):
            yield from _all_maps(node.at(i))


def suggest_stamps(doc: SourceDocument, language: str | None = None) -> list[StampSuggestion]:
    """Stamps that are missing or do not match the current source text, in document order.

    ``language`` is the source language (default: the document's ``language``, else ``en``).
    Nothing is written: the caller decides.
    """
    data = doc.data if isinstance(doc.data, dict) else {}
    source_lang = (
        language
        or (data.get("language") if isinstance(data.get("language"), str) else None)
        or "en"
    )
    out: list[StampSuggestion] = []
    for node in _all_maps(Located(doc.data, doc, ())):
        value: dict[str, str] = node.value
        source = value.get(source_lang)
        if source is None:
            continue
        wanted = source_hash(source)
        for lang in value:
            if "~" in lang or lang == source_lang:
                continue
            key = f"{lang}~{source_lang}"
            current = value.get(key)
            if current == wanted:
                continue
            line, column = node.position(key=True)
            out.append(
                StampSuggestion(doc.file, line, column, json_path(node.path), key, wanted, current)
            )
    return out


@dataclass(frozen=True)
class StampCheck:
    """One stamp found in a document and what it says."""

    node: Located  # the stamp's value
    language: str
    source_language: str
    problem: str  # "outdated", "malformed", "no-source", "no-translation"


def check_stamps(root: Located) -> Iterator[StampCheck]:
    for node in text_maps(root):
        value: dict[str, str] = node.value
        for key, stamp in value.items():
            match = STAMP.match(key)
            if match is None:
                continue
            lang, source_lang = match.group("lang"), match.group("source")
            child = node.at(key)
            if source_lang not in value:
                yield StampCheck(child, lang, source_lang, "no-source")
            elif lang not in value:
                yield StampCheck(child, lang, source_lang, "no-translation")
            elif not HEX8.match(stamp.strip().lower()):
                yield StampCheck(child, lang, source_lang, "malformed")
            elif stamp.strip().lower() != source_hash(value[source_lang]):
                yield StampCheck(child, lang, source_lang, "outdated")

"""A text in a language: the one rule every renderer, report, score and calendar uses.

A text field is a string (written in the document's language) or a map language → string.
Shown in ``language``: that language's text; when it is missing, the document's ``default``
language; when that is missing too, the first text written. Keys holding ``~`` (``es~en``:
lint's record of what a translation was made from) are not languages and never shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeGuard

__all__ = ["LANGUAGE_CODE", "LANGUAGE_PATTERN", "is_language_code", "text_choice", "text_in"]

#: A language code as documents, responses, FHIR and ``--lang`` write it: ISO 639 (two or
#: three lower-case letters) and optional BCP 47 subtags (``pt-BR``, ``zh-Hant-TW``).
LANGUAGE_CODE = r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*"
#: The same, anchored, as the model and the JSON Schemas publish it.
LANGUAGE_PATTERN = rf"^{LANGUAGE_CODE}$"
_LANGUAGE = re.compile(LANGUAGE_CODE)


def is_language_code(text: object) -> TypeGuard[str]:
    """True when ``text`` is a language code (the whole text: no trailing line break)."""
    return isinstance(text, str) and _LANGUAGE.fullmatch(text) is not None


def text_choice(
    value: object, language: str | None, default: str | None = None
) -> tuple[str, str | None]:
    """The text shown and the language it is in (``default`` for a plain string; None when
    there is no text at all)."""
    if isinstance(value, str):
        return value, default
    if isinstance(value, Mapping):
        texts = {
            k: v
            for k, v in value.items()
            if isinstance(k, str) and "~" not in k and isinstance(v, str)
        }
        for lang in (language, default):
            if lang is not None and lang in texts:
                return texts[lang], lang
        for lang, text in texts.items():
            return text, lang
    return "", None


def text_in(value: object, language: str | None, default: str | None = None) -> str:
    """The text of ``value`` shown in ``language`` (see the module docstring for the rule)."""
    return text_choice(value, language, default)[0]

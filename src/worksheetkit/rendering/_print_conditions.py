"""The plain-words condition printed above a conditional question on a printed handout.

A stub with the final signature: the coordinator wires it to the show_if → words translator
(rendering/_conditions.py) at merge. Until then every conditional question says, neutrally,
that it depends on an earlier answer — never the raw expression.
"""

from __future__ import annotations

from typing import Any

from ..model import Worksheet

_NEUTRAL = {
    "en": "Answer this if it applies to you (it depends on an earlier answer).",
    "es": "Responde a esto si se aplica a ti (depende de una respuesta anterior).",
}


def condition_words(worksheet: Worksheet, item: Any, language: str) -> str:
    """The condition of ``item``'s ``show_if`` in words for a client, in ``language``."""
    del worksheet, item  # the real translator reads both
    return _NEUTRAL.get(language) or _NEUTRAL.get(language.split("-")[0].lower()) or _NEUTRAL["en"]

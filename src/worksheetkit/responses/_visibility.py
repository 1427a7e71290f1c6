"""Which questions a response's answers hide: the one visibility rule (renderers ask it too)."""

from __future__ import annotations

from typing import Any

from ..errors import Diagnostic
from ..model import Worksheet
from ._engine import run
from ._plan import plan_for


def hidden_items(worksheet: Worksheet, answers: Any) -> frozenset[str]:
    """Ids of the questions whose ``show_if`` (or a section's around them) is false for
    ``answers``. Conditions see only the answers of questions that are shown, and the scores
    (as ``validate_response`` and ``score`` do). Never raises because of ``answers``."""
    ignored: list[Diagnostic] = []
    return frozenset(run(plan_for(worksheet), answers, ignored, all_scores=True).hidden)

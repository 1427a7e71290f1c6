"""The catalogue of lint rules: stable codes, short names, default severities."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Severity


@dataclass(frozen=True)
class Rule:
    """One lint rule. ``code`` is stable; ``name`` may be used in settings instead of it."""

    code: str
    name: str
    summary: str
    severity: Severity = "warning"


_ALL = (
    Rule(
        "WL001", "missing-rationale", "The worksheet does not say why the client is asked to do it."
    ),
    Rule("WL002", "missing-time-estimate", "The worksheet has no estimated_minutes."),
    Rule("WL003", "too-long-to-do", "estimated_minutes is above the limit (30 by default)."),
    Rule("WL004", "too-many-required", "More required questions than the limit (12 by default)."),
    Rule("WL005", "too-many-items", "More questions than the limit (25 by default)."),
    Rule(
        "WL006", "long-instructions", "Instructions longer than the limit (120 words by default)."
    ),
    Rule("WL007", "reading-grade", "Text above the reading grade limit (Flesch–Kincaid grade 8)."),
    Rule("WL008", "readability-unavailable", "The reading-grade check could not run."),
    Rule("WL009", "missing-default-schedule", "A log, diary or practice has no default_schedule."),
    Rule(
        "WL010", "no-difficulty-question", "A repeating worksheet never asks what got in the way."
    ),
    Rule("WL011", "media-without-transcript", "Audio or video without a transcript."),
    Rule("WL012", "image-without-alt", "An image without alt text."),
    Rule("WL013", "outdated-translation", "A translation was made from an older source text."),
    Rule("WL014", "unreadable-translation-stamp", "A translation stamp cannot be checked."),
    Rule("WL015", "avoid-word", "Client-facing text uses a word to avoid (e.g. homework)."),
    Rule(
        "WL016",
        "placeholder-text",
        "Placeholder text from `worksheetkit new` was left in (summary, rationale, …).",
    ),
    Rule(
        "WL020",
        "yaml-portability",
        "Unquoted YAML that other YAML readers read differently (yes/on, 1:30, '?' in { }, <<).",
    ),
)

RULES: dict[str, Rule] = {r.code: r for r in _ALL}
_BY_NAME: dict[str, str] = {r.name: r.code for r in _ALL}


def rule_code(given: str) -> str:
    """``WL003``, ``wl003`` or ``too-long-to-do`` → ``WL003``; anything else is returned as is."""
    text = given.strip()
    if text.upper() in RULES:
        return text.upper()
    return _BY_NAME.get(text.lower(), text)

"""Lint settings: defaults, the ``lint:`` mapping of ``pack.yaml`` or a worksheet, and its checks.

Settings layer: built-in defaults, then ``pack.yaml``, then the ``config`` given to
:func:`worksheetkit.lint.lint`, then the worksheet's own ``lint:``. ``disable`` lists add up;
``severity`` maps merge; every other setting is replaced by the later layer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from ..errors import Diagnostic, Severity
from ..loading.modelerrors import did_you_mean
from ..validation.located import Located
from .registry import RULES, rule_code

CONFIG_UNKNOWN_KEY = "WL900"
CONFIG_UNKNOWN_RULE = "WL901"
CONFIG_BAD_VALUE = "WL902"

# Words that suggest a worksheet is practised again and again (logs, diaries, trackers).
DEFAULT_REPEAT_WORDS: tuple[str, ...] = (
    "log",
    "diary",
    "journal",
    "tracker",
    "tracking",
    "monitoring",
    "practice",
    "daily",
    "weekly",
)

# Words in an item's id or label that show it asks how hard the task was or what got in the way.
DEFAULT_DIFFICULTY_WORDS: tuple[str, ...] = (
    "difficult",
    "difficulty",
    "difficulties",
    "hard",
    "harder",
    "easy",
    "easier",
    "obstacle",
    "obstacles",
    "barrier",
    "barriers",
    "in the way",
    "challenging",
    "struggle",
    "struggled",
)

# Word → what to say instead (None: just rephrase). Matched as whole words, any case.
DEFAULT_AVOID_WORDS: Mapping[str, str | None] = MappingProxyType(
    {
        "homework": "practice",
        "fail": "didn't get to it",
        "fails": "doesn't get to it",
        "failed": "didn't get to it",
        "failing": "not getting to it",
        "failure": "it didn't work out this time",
        "failures": "times it didn't work out",
        "non-compliant": "found it hard to do",
        "noncompliant": "found it hard to do",
        "non-compliance": "finding it hard to do",
        "noncompliance": "finding it hard to do",
        "compliance": "practice",
        "comply": "do the practice",
        "non-adherent": "found it hard to do",
        "nonadherent": "found it hard to do",
    }
)

# Tags that mark a validated questionnaire (PHQ-9, GAD-7, …): its questions and instructions must
# be used as published, so rules about their wording and length do not apply.
DEFAULT_INSTRUMENT_TAGS: tuple[str, ...] = (
    "measurement",
    "instrument",
    "questionnaire",
    "outcome-measure",
    "screening",
)

SETTINGS: dict[str, str] = {
    "disable": "rules to turn off (codes such as WL003, or names such as too-long-to-do)",
    "severity": "a map from rule to 'error' or 'warning'",
    "max_minutes": "the longest estimated_minutes before WL003 warns",
    "max_required": "the most required questions before WL004 warns",
    "max_items": "the most questions before WL005 warns",
    "max_instruction_words": "the most words of instructions before WL006 warns",
    "reading_grade_max": "the highest Flesch–Kincaid grade before WL007 warns",
    "reading_min_words": "texts shorter than this many words are not graded by WL007",
    "avoid_words": "a map from a word to avoid to what to say instead (replaces the default list)",
    "repeat_words": "words in an id, title or tag that mark a worksheet meant to repeat (WL009)",
    "difficulty_words": "words in an item's id or label that ask about difficulty (WL010)",
    "instrument_tags": "tags that mark a validated questionnaire, whose wording is fixed",
}


@dataclass(frozen=True)
class LintConfig:
    """Effective settings for one document."""

    disable: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    max_minutes: float = 30
    max_required: int = 12
    max_items: int = 25
    max_instruction_words: int = 120
    reading_grade_max: float = 8
    reading_min_words: int = 10
    avoid_words: Mapping[str, str | None] = field(default_factory=lambda: DEFAULT_AVOID_WORDS)
    repeat_words: tuple[str, ...] = DEFAULT_REPEAT_WORDS
    difficulty_words: tuple[str, ...] = DEFAULT_DIFFICULTY_WORDS
    instrument_tags: tuple[str, ...] = DEFAULT_INSTRUMENT_TAGS

    def enabled(self, code: str) -> bool:
        return code not in self.disable

    def severity_of(self, code: str) -> Severity:
        return self.severity.get(code, RULES[code].severity if code in RULES else "warning")

    def merged(self, settings: Mapping[str, Any]) -> LintConfig:
        """This configuration with already-checked ``settings`` layered on top."""
        changes: dict[str, Any] = {}
        for key, value in settings.items():
            if key == "disable":
                changes["disable"] = self.disable | frozenset(value)
            elif key == "severity":
                changes["severity"] = {**self.severity, **value}
            else:
                changes[key] = value
        return replace(self, **changes)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _words(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(w, str) and w.strip() for w in value)


def check_settings(node: Located, where: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Check a raw ``lint:`` mapping; return the usable settings and the problems found.

    ``where`` names the mapping in messages ("pack.yaml", "this worksheet"). A wrong entry is
    reported and left out; the rest still applies.
    """
    problems: list[Diagnostic] = []
    settings: dict[str, Any] = {}
    value = node.value
    if value is None:
        return settings, problems
    if not isinstance(value, dict):
        problems.append(
            node.diag(
                CONFIG_BAD_VALUE,
                f"'lint' in {where} must be a mapping of settings.",
                "For example: lint: {disable: [WL003], max_minutes: 20}",
            )
        )
        return settings, problems
    for key, raw in value.items():
        child = node.at(key)
        if key not in SETTINGS:
            guess = did_you_mean(str(key), sorted(SETTINGS))
            problems.append(
                child.diag(
                    CONFIG_UNKNOWN_KEY,
                    f"'{key}' is not a lint setting.",
                    f"Did you mean '{guess}'?"
                    if guess
                    else "Lint settings are: " + ", ".join(sorted(SETTINGS)) + ".",
                    key=True,
                )
            )
            continue
        found = list(_check_value(child, str(key), raw))
        problems.extend(found)
        if key == "disable" and isinstance(raw, list):
            settings[key] = [rule_code(str(r)) for r in raw if rule_code(str(r)) in RULES]
        elif key == "severity" and isinstance(raw, dict):
            settings[key] = {
                rule_code(str(r)): s
                for r, s in raw.items()
                if rule_code(str(r)) in RULES and s in ("error", "warning")
            }
        elif found:
            continue
        elif key == "avoid_words":
            settings[key] = MappingProxyType(
                {str(w).strip().lower(): (None if s is None else str(s)) for w, s in raw.items()}
            )
        elif key in ("repeat_words", "difficulty_words", "instrument_tags"):
            settings[key] = tuple(w.strip().lower() for w in raw)
        else:
            settings[key] = raw
    return settings, problems


def _unknown_rule(node: Located, given: str) -> Diagnostic:
    names = sorted([*RULES, *(r.name for r in RULES.values())])
    guess = did_you_mean(given, names)
    return node.diag(
        CONFIG_UNKNOWN_RULE,
        f"There is no lint rule '{given}'.",
        f"Did you mean '{guess}'?"
        if guess
        else "Lint rules are WL001 to " + max(RULES) + "; see docs/lint.md.",
    )


def _check_value(node: Located, key: str, raw: Any) -> Iterator[Diagnostic]:
    if key == "disable":
        if not isinstance(raw, list):
            yield node.diag(
                CONFIG_BAD_VALUE,
                "'disable' must be a list of rules.",
                "For example: disable: [WL003, WL010]",
            )
            return
        for i, r in enumerate(raw):
            if rule_code(str(r)) not in RULES:
                yield _unknown_rule(node.at(i), str(r))
    elif key == "severity":
        if not isinstance(raw, dict):
            yield node.diag(
                CONFIG_BAD_VALUE,
                "'severity' must map rules to error or warning.",
                "For example: severity: {WL001: error}",
            )
            return
        for r, s in raw.items():
            child = node.at(r)
            if rule_code(str(r)) not in RULES:
                yield _unknown_rule(child, str(r))
            elif s not in ("error", "warning"):
                yield child.diag(
                    CONFIG_BAD_VALUE,
                    f"The severity of {r} must be 'error' or 'warning', not '{s}'.",
                    f"Write {r}: error or {r}: warning.",
                )
    elif key == "avoid_words":
        if not isinstance(raw, dict) or not all(
            isinstance(w, str) and w.strip() and (s is None or isinstance(s, str))
            for w, s in raw.items()
        ):
            yield node.diag(
                CONFIG_BAD_VALUE,
                "'avoid_words' must map each word to avoid to what to say instead.",
                "For example: avoid_words: {homework: practice, fail: didn't get to it}",
            )
    elif key in ("repeat_words", "difficulty_words", "instrument_tags"):
        if not _words(raw):
            yield node.diag(
                CONFIG_BAD_VALUE,
                f"'{key}' must be a list of words.",
                f"For example: {key}: [log, diary]",
            )
    elif key in ("max_required", "max_items", "max_instruction_words", "reading_min_words"):
        if not (isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0):
            yield node.diag(
                CONFIG_BAD_VALUE,
                f"'{key}' must be a whole number of 0 or more.",
                f"For example: {key}: 12",
            )
    elif not (_number(raw) and raw > 0):
        yield node.diag(
            CONFIG_BAD_VALUE,
            f"'{key}' must be a number above 0.",
            f"For example: {key}: {LintConfig.__dataclass_fields__[key].default}",
        )


def from_mapping(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """Settings given from Python (``lint(config=…)``); a wrong one raises ``ValueError``."""
    if settings is None:
        return {}
    from ..loading import SourceDocument, SourceMap

    doc = SourceDocument("<config>", {"lint": dict(settings)}, SourceMap("<config>"), None)
    checked, problems = check_settings(Located(doc.data, doc, ()).at("lint"), "the config")
    if problems:
        raise ValueError("; ".join(f"{d.code} {d.message}" for d in problems))
    return checked

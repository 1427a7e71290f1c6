"""The fast path of ``validate_response`` and ``is_valid_response``, built once per plan.

Nothing here restates a rule. The answers are checked by the plan's own check closures
(``_checks.py``, through ``Plan.fields``); what is shown, required and scored is decided by the
engine's own :func:`~._engine.follow`; the envelope by ``validate.py``'s own function, passed
in. What this module adds is *when* the costly parts run:

- **Diagnostics only when something is wrong.** The common case, a response with no problem at
  all, returns ``[]`` without building a message, sorting or naming a path: the checks run with
  empty names (``""``) into a scratch list, and the first entry there sends the response to the
  complete path (``validate.py``), which words every problem. On the 27 example worksheets this
  took a valid response from 26 µs to 11 µs (2-core machine, load ~3; ``make bench`` prints
  the current figure).
- **A verdict memo per question** for answers that are plain values (numbers, option values,
  yes/no, dates): checks are pure functions of the answer, so the verdict of ``(type, value)``
  is looked up instead of recomputed (at most ``MEMO_LIMIT`` entries per question, clean
  verdicts only; free text is never memoized — it rarely repeats). A Likert answer costs one
  dict look-up instead of a call, ``key_of`` and ``finite``: −3 µs on a PHQ-9 response.
- **Unknown answer keys without the complete path.** When the only problems are answers to
  unknown questions (an app one version ahead), their WK408 diagnostics are built here by the
  engine's own ``_unknown`` (did-you-mean through rapidfuzz, inside a suggestion budget), after
  everything else was found clean — so such a response costs about what a valid one does
  instead of 1.4× (``unknown_key_cost`` in ``make bench``).
- **No shared step budget without tables.** Row visits (the budget's unit) only happen over
  table answers; a plan without tables cannot use one, so the context manager (2 µs) is skipped.

Whether a response goes through here or through the complete path, ``validate_response``
returns the same list (tests/test_responses_compiled.py compares both on every case).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from .._suggest import BUDGET, did_you_mean, suggestion_budget
from ..errors import Diagnostic, has_errors
from ..expressions import step_budget
from ..model import TextItem, Worksheet
from ._checks import INVALID, MISSING
from ._engine import Session, _unknown, follow
from ._plan import Field, Plan

#: Verdicts remembered per question (clean ones only); past this, new values are checked.
MEMO_LIMIT: Final = 512

Envelope = Callable[[Worksheet, dict[Any, Any], list[Diagnostic]], None]

_SCALARS: Final = frozenset({int, float, str, bool})
_OK: Final = 1
_ABSENT: Final = 2  # the check said MISSING (null, "", [])


@dataclass(eq=False, slots=True)
class Compiled:
    """What the fast path needs of one plan: each answer key's field and verdict memo."""

    plan: Plan
    entries: dict[str, tuple[Field, dict[tuple[type, Any], int] | None]]
    budgeted: bool  # the plan has tables, so conditions share one step budget
    hints: dict[str, str | None]  # did-you-mean answers already found, by unknown key

    def hint(self, name: str) -> str | None:
        """The engine's did-you-mean for ``name``, remembered: an app a version ahead sends the
        same unknown key in every response, and the look-up (rapidfuzz over every id, 4–5 µs)
        was most of what such a response cost beyond a valid one. Used only where the
        suggestion budget cannot run out, so the answer is the same as without the memo."""
        found = self.hints.get(name, _ABSENT)
        if found == _ABSENT:
            found = did_you_mean(name, self.plan.fields.keys())
            if len(self.hints) < MEMO_LIMIT:
                self.hints[name] = found
        return found  # type: ignore[return-value]

    def answers(
        self, answers: dict[Any, Any], scratch: list[Diagnostic]
    ) -> tuple[dict[str, Any], list[Any]] | None:
        """The answers as expressions see them and the unknown keys; None as soon as a check
        has something to say (it is in ``scratch``, without names)."""
        values: dict[str, Any] = {}
        unknown: list[Any] = []
        entries = self.entries
        for key, raw in answers.items():
            entry = entries.get(key) if type(key) is str else None
            if entry is None:
                unknown.append(key)
                continue
            f, memo = entry
            kind = type(raw)
            if memo is not None and kind in _SCALARS:
                verdict = memo.get((kind, raw))
                if verdict is None:
                    result = f.check(raw, (), "", scratch)
                    if scratch or result is INVALID:
                        return None
                    if result is MISSING:
                        verdict = _ABSENT
                    elif result is raw:
                        verdict = _OK
                    else:  # a check that changes the value: not memoized
                        values[key] = result
                        continue
                    if len(memo) < MEMO_LIMIT:
                        memo[(kind, raw)] = verdict
                if verdict == _OK:
                    values[key] = raw
                continue
            result = f.check(raw, (), "", scratch)
            if scratch or result is INVALID:
                return None
            if result is not MISSING:
                values[key] = result
        return values, unknown


def compiled(plan: Plan) -> Compiled:
    """The fast path of ``plan``, built on first use and kept on the plan."""
    found = plan.compiled
    if isinstance(found, Compiled):
        return found
    entries: dict[str, tuple[Field, dict[tuple[type, Any], int] | None]] = {
        fid: (f, None if f.columns is not None or isinstance(f.item, TextItem) else {})
        for fid, f in plan.fields.items()
    }
    made = Compiled(
        plan=plan,
        entries=entries,
        budgeted=any(f.columns is not None for f in plan.fields.values()),
        hints={},
    )
    plan.compiled = made
    return made


def _follow(
    c: Compiled, values: dict[str, Any], out: list[Diagnostic], data: dict[Any, Any]
) -> bool:
    """The engine's second half on checked answers; False when the step budget ran out."""
    plan = c.plan
    language = data.get("language")
    lang = language if type(language) is str and language else plan.language
    session = Session(values=values, hidden=set(), invalid=set())
    draft = data.get("submitted_at") is None
    if not c.budgeted:
        follow(plan, session, out, draft=draft, all_scores=False, lang=lang)
        return True
    with step_budget() as budget:
        follow(plan, session, out, draft=draft, all_scores=False, lang=lang)
    return not budget.exhausted


def quick_diagnostics(plan: Plan, data: Any, envelope: Envelope) -> list[Diagnostic] | None:
    """Every diagnostic of ``data`` when there is none, or when the only ones are answers to
    unknown questions (WK408, unsorted); None for every other response (then the complete path
    lists its problems). The answers are checked before the envelope: a wrong answer, the
    common fault, then costs no envelope check here (the complete path does that one)."""
    if type(data) is not dict:
        return None
    answers = data.get("answers", {})
    if type(answers) is not dict:
        return None
    out: list[Diagnostic] = []
    c = compiled(plan)
    checked = c.answers(answers, out)
    if checked is None:
        return None
    values, unknown = checked
    if not _follow(c, values, out, data) or out:
        return None
    envelope(plan.worksheet, data, out)
    if out:
        return None
    if unknown:
        positions = {k: i for i, k in enumerate(answers, 1)}
        if len(unknown) * len(plan.fields) <= BUDGET:
            # The budget cannot run out on these (each hint compares against every field at
            # most once), so its context (2 µs) is left out: the same hints either way.
            for key in unknown:
                _unknown(plan, key, out, positions[key], c.hint)
        else:
            with suggestion_budget():
                for key in unknown:
                    _unknown(plan, key, out, positions[key])
    return out


def first_problem(plan: Plan, data: Any, envelope: Envelope) -> bool | None:
    """True when ``data`` has no error, False at the first one found; None when only the
    complete path can tell (a check reported a warning, which no check does today)."""
    if type(data) is not dict:
        return False  # WK411
    answers = data.get("answers", {})
    if type(answers) is not dict:
        return False  # WK411
    c = compiled(plan)
    scratch: list[Diagnostic] = []
    checked = c.answers(answers, scratch)
    if checked is None:
        return False if has_errors(scratch) else None
    values, unknown = checked
    if unknown:
        return False  # WK408 is an error
    out: list[Diagnostic] = []
    if not _follow(c, values, out, data) or has_errors(out):
        return False  # WK413, WK402, table rows
    envelope(plan.worksheet, data, out)
    return not has_errors(out)

"""Validating a response document (DESIGN §5) against its worksheet; completion and scores.

``validate_response`` never raises because of the response: every problem is a
:class:`~worksheetkit.errors.Diagnostic` with a JSON-pointer ``path`` (``/answers/q1``) and no
line or column (callers with a source map fill those in). Messages never quote answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from .._results import JsonResult, warn_as_dict
from ..codes import Code
from ..errors import Diagnostic, DocPath, has_errors, path_sort_key
from ..expressions import MAX_STEPS, evaluate, references, step_budget
from ..expressions.evaluator import _BUDGET, as_number
from ..model import Response, Worksheet
from ..model.envelope import ENVELOPE_KEYS, check_envelope
from ._checks import INVALID, MISSING, describe, diag
from ._compiled import compiled, first_problem, quick_diagnostics
from ._engine import MAX_DIAGNOSTICS, ScoreResult, Session, run
from ._plan import Field, Plan, plan_for

__all__ = [
    "ResponseCheck",
    "check_response",
    "fraction",
    "is_valid_response",
    "score",
    "validate_response",
]

_KEYS: Final = ENVELOPE_KEYS
_KNOWN: Final = frozenset(_KEYS)


@dataclass(frozen=True)
class ResponseCheck(JsonResult):
    """Everything ``check-response`` reports about one response."""

    valid: bool
    fraction: float | None
    diagnostics: list[Diagnostic]
    scores: dict[str, ScoreResult] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Deprecated alias of :meth:`to_dict`."""
        warn_as_dict("ResponseCheck")
        return self.to_dict()


# -- ordering -----------------------------------------------------------------------------------


def _ordered(plan: Plan, out: list[Diagnostic]) -> list[Diagnostic]:
    """Document order: the response's own keys, then answers in the worksheet's item order,
    then unknown answers; within one answer by row, then code. Capped at MAX_DIAGNOSTICS."""
    fields = plan.fields
    unknown = len(fields)

    def key(d: Diagnostic) -> tuple[Any, ...]:
        parts = d.path
        if len(parts) < 2 or parts[0] != "answers":
            return (
                0,
                _KEYS.index(parts[0]) if parts and parts[0] in _KNOWN else 99,
                path_sort_key(parts),
                d.code,
            )
        f = fields.get(parts[1]) if isinstance(parts[1], str) else None
        return (1, f.index if f else unknown, str(parts[1]), path_sort_key(parts[2:]), d.code)

    ordered = sorted(out, key=key)
    if len(ordered) <= MAX_DIAGNOSTICS:
        return ordered
    kept, dropped = ordered[:MAX_DIAGNOSTICS], ordered[MAX_DIAGNOSTICS:]
    kept.append(
        Diagnostic(
            code=Code.WK400,
            message=f"{len(dropped):,} more problems in this response are not listed.",
            severity="error" if has_errors(dropped) else "warning",
            hint="Fix the problems above and check again.",
            path=(),
        )
    )
    return kept


# -- public API ---------------------------------------------------------------------------------


def _plain(data: Any) -> Any:
    if type(data) is dict:  # the common case first: pydantic's isinstance costs ~0.3 µs
        return data
    if isinstance(data, Response):
        return data.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _shape(out: list[Diagnostic], message: str, hint: str, path: DocPath) -> None:
    diag(out, Code.WK411, message, hint, path)


def _session(
    ws: Worksheet,
    data: Any,
    *,
    all_scores: bool,
    language: str | None = None,
    plan: Plan | None = None,
) -> tuple[Plan, list[Diagnostic], Session | None]:
    """The complete pass; ``plan`` when the caller has it already (and ``data`` plain)."""
    if plan is None:
        plan = plan_for(ws)
        data = _plain(data)
    out: list[Diagnostic] = []
    if type(data) is not dict:
        _shape(
            out,
            f"A response should be a JSON object, but this is {describe(data)}.",
            'Start it with {"worksheetkit": 1, "kind": "response", …}.',
            (),
        )
        return plan, out, None
    check_envelope(data, out, ws, read_times=False)
    draft = data.get("submitted_at") is None
    lang = language or (data.get("language") if type(data.get("language")) is str else None)
    answers = data.get("answers", {})
    if not all_scores and not compiled(plan).budgeted and _BUDGET.get() is None:
        # No condition this pass evaluates reads a table row, so no budget can run out: its
        # context (~1 µs) is left out, as on the fast path (unless the caller has a budget of
        # its own: this pass never shares it).
        session = run(plan, answers, out, draft=draft, all_scores=False, language=lang)
        return plan, out, session
    with step_budget() as budget:
        session = run(plan, answers, out, draft=draft, all_scores=all_scores, language=lang)
    if budget.exhausted:
        diag(
            out,
            Code.WK413,
            f"Checking this worksheet's conditions against these table rows needed more than "
            f"{MAX_STEPS:,} steps, so the checks stopped; conditions and scores that were not "
            "finished count as having no value.",
            "Run 'worksheetkit validate' on the worksheet: a condition nests any()/all() over "
            "tables too deeply (WK309) or a table needs max_rows.",
            ("answers",),
        )
    return plan, out, session


def _envelope(ws: Worksheet, data: dict[Any, Any], out: list[Diagnostic]) -> None:
    """The one envelope reader (model/envelope.py), in the shape the compiled path calls."""
    check_envelope(data, out, ws, read_times=False)


def validate_response(worksheet: Worksheet, data: Any) -> list[Diagnostic]:
    """Every problem of a response document (the JSON-decoded dict) for ``worksheet``.

    A response without ``submitted_at`` is a draft: unanswered required questions are then
    warnings, so unfinished work can be saved. Never raises because of ``data``.
    """
    # Most responses have no problem: the compiled path says so without building a message
    # (and lists answers to unknown questions); only other problems need the complete pass.
    plan = plan_for(worksheet)
    data = _plain(data)
    quick = quick_diagnostics(plan, data, _envelope)
    if quick is not None:
        return _ordered(plan, quick) if len(quick) > 1 else quick  # one needs no sorting
    _, out, _ = _session(worksheet, data, all_scores=False, plan=plan)
    return _ordered(plan, out)


def is_valid_response(worksheet: Worksheet, data: Any) -> bool:
    """Whether ``data`` is a response to ``worksheet`` without errors (warnings allowed): the
    verdict of ``validate_response``, found faster because it stops at the first error and
    words no message. Use ``validate_response`` to learn what is wrong."""
    plan = plan_for(worksheet)
    data = _plain(data)
    verdict = first_problem(plan, data, _envelope)
    if verdict is None:
        return not has_errors(validate_response(worksheet, data))
    return verdict


def _answers_of(response_or_answers: Any) -> tuple[Any, str | None]:
    value = response_or_answers
    if isinstance(value, Response):
        return value.answers, value.language
    if type(value) is dict and "answers" in value and "worksheetkit" in value:
        language = value.get("language")
        return value.get("answers"), language if type(language) is str else None
    return value, None


def score(
    worksheet: Worksheet, response: Any, *, language: str | None = None
) -> dict[str, ScoreResult]:
    """The worksheet's scores for a response (a ``Response``, a response dict or just its
    ``answers``), in the order the worksheet lists them.

    Wrong or hidden answers count as not given. Texts (band labels, alert messages) are in
    ``language``, else the response's language, else the worksheet's.
    """
    plan = plan_for(worksheet)
    answers, lang = _answers_of(response)
    session = run(plan, answers, [], all_scores=True, language=language or lang)
    return {sid: session.scores[sid] for sid in plan.scores}


def _fraction(plan: Plan, session: Session) -> float:
    if plan.completion is not None:
        return _clamp(evaluate(plan.completion, {**session.values, **session.score_values}))
    shown = [f for f in plan.fields.values() if f.id not in session.hidden and not f.readonly]
    required = [f for f in shown if f.required]
    counted = required or shown
    if not counted:
        return 1.0
    done = sum(1 for f in counted if f.id in session.values)
    return done / len(counted)


def fraction(worksheet: Worksheet, answers: Any) -> float | None:
    """How much of the worksheet was done, from 0 to 1 (DESIGN §2, Completion).

    Default: the share of shown required questions answered; with no required question shown,
    the share of shown questions answered; with no question at all, 1. A ``completion:``
    expression replaces this (clamped to 0–1; no value counts as 0). ``answers`` may also be a
    response; None when the answers are not a JSON object.
    """
    plan = plan_for(worksheet)
    raw, _ = _answers_of(answers)
    if type(raw) is not dict:
        return None
    fields = _completion_fields(plan)
    if fields is not None:
        # The common case of a completion formula over always-shown questions (an exercise
        # log's reps / target): check just those answers and evaluate, with the same rules as
        # the full run (an invalid answer counts as missing). The result depends on those
        # answers only, so it is remembered for scalar answers (logs repeat the same counts).
        # Types are part of the key: True == 1 == 1.0 in Python, but not as answers.
        key = tuple((type(v), v) for v in (raw.get(f.id) for f in fields))
        memo = _memo(plan)
        scalar = all(t in _SCALARS for t, _ in key)
        if scalar:
            hit = memo.get(key)
            if hit is not None:
                return hit
        values: dict[str, Any] = {}
        for f in fields:
            if f.id in raw:
                result = f.check(raw[f.id], f.path, f.who, [])
                if result is not INVALID and result is not MISSING:
                    values[f.id] = result
        done = _clamp(evaluate(plan.completion, values)) if plan.completion else 0.0
        if scalar:
            if len(memo) >= 4096:
                memo.clear()
            memo[key] = done
        return done
    session = run(plan, raw, [], all_scores=plan.completion is not None)
    return _fraction(plan, session)


_SCALARS = frozenset({int, float, str, bool, type(None)})


@lru_cache(maxsize=256)
def _memo(plan: Plan) -> dict[tuple[Any, ...], float]:
    """Completion fractions already computed for a plan, by the answers they read."""
    return {}


@lru_cache(maxsize=256)
def _completion_fields(plan: Plan) -> tuple[Field, ...] | None:
    """The questions a completion formula reads, when none can be hidden and it reads no score
    (so the full run would compute the same); None otherwise. Plans hash by identity."""
    if plan.completion is None:
        return None
    refs = references(plan.completion)
    if any(r not in plan.fields or plan.fields[r].conditions or r in plan.scores for r in refs):
        return None
    return tuple(plan.fields[r] for r in sorted(refs))


def _clamp(value: Any) -> float:
    if value is True:
        return 1.0
    number = as_number(value)
    if number is None:
        return 0.0
    return min(1.0, max(0.0, float(number)))


def check_response(
    worksheet: Worksheet, data: Any, *, language: str | None = None
) -> ResponseCheck:
    """Validate, measure completion and score one response in a single pass."""
    plan, out, session = _session(worksheet, data, all_scores=True, language=language)
    diagnostics = _ordered(plan, out)
    if session is None:
        return ResponseCheck(False, None, diagnostics, {})
    data = _plain(data)
    answers = data.get("answers", {}) if type(data) is dict else {}
    frac = _fraction(plan, session) if type(answers) is dict else None
    scores = {sid: session.scores[sid] for sid in plan.scores}
    return ResponseCheck(not has_errors(diagnostics), frac, diagnostics, scores)

"""Validating a response document (DESIGN §5) against its worksheet; completion and scores.

``validate_response`` never raises because of the response: every problem is a
:class:`~worksheetkit.errors.Diagnostic` with a JSON-pointer ``path`` (``/answers/q1``) and no
line or column (callers with a source map fill those in). Messages never quote answers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from .._dates import date_problem
from ..errors import Diagnostic, has_errors
from ..expressions import MAX_STEPS, evaluate, references, step_budget
from ..expressions.evaluator import as_number
from ..model import Response, Worksheet
from ._checks import INVALID, MISSING, describe, diag, finite
from ._compiled import first_problem, quick_diagnostics
from ._engine import MAX_DIAGNOSTICS, ScoreResult, Session, run
from ._plan import Field, Plan, named, plan_for, segment, shorten

__all__ = [
    "ResponseCheck",
    "check_response",
    "fraction",
    "is_valid_response",
    "score",
    "validate_response",
]

SEMVER_PATTERN: Final = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$"
REF_PATTERN: Final = r"^[a-z0-9][a-z0-9_.-]*(@\d+(\.\d+){0,2})?$"
ITEM_ID_PATTERN: Final = r"^[a-z_][a-z0-9_]*$"
LANG_PATTERN: Final = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
TIMESTAMP_PATTERN: Final = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
#: Free-text fields of the response itself (ids, occurrence, obstacle note) are at most this long.
MAX_FIELD: Final = 256
MAX_NOTE: Final = 2000

_SEMVER: Final = re.compile(SEMVER_PATTERN)
_REF: Final = re.compile(REF_PATTERN)
_ITEM_ID: Final = re.compile(ITEM_ID_PATTERN)
_LANG: Final = re.compile(LANG_PATTERN)
_TIMESTAMP: Final = re.compile(TIMESTAMP_PATTERN)
_KEYS: Final = (
    "worksheetkit",
    "kind",
    "id",
    "worksheet",
    "version",
    "assignment",
    "step",
    "occurrence",
    "started_at",
    "submitted_at",
    "answers",
    "ratings",
    "obstacle",
    "language",
)
_KNOWN: Final = frozenset(_KEYS)
_RATINGS: Final = ("difficulty", "obstacles", "quality")


@dataclass(frozen=True)
class ResponseCheck:
    """Everything ``check-response`` reports about one response."""

    valid: bool
    fraction: float | None
    diagnostics: list[Diagnostic]
    scores: dict[str, ScoreResult] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The ``check-response --format json`` payload (DESIGN §6)."""
        return {
            "valid": self.valid,
            "fraction": self.fraction,
            "diagnostics": [d.as_dict() for d in self.diagnostics],
            "scores": {k: v.as_dict() for k, v in self.scores.items()},
        }


# -- the document around the answers -------------------------------------------------------------


def _shape(
    out: list[Diagnostic], message: str, hint: str, path: str, severity: Any = "error"
) -> None:
    diag(out, "WK411", message, hint, path, severity)


def _check_version(
    out: list[Diagnostic], ws: Worksheet, declared: str, path: str, *, partial: bool
) -> None:
    """``declared`` is the version the response was recorded against (maybe only ``1`` or
    ``1.2`` when it comes from ``worksheet: id@1``)."""
    have = ws.version.partition("-")[0].split(".")
    want = declared.partition("-")[0].split(".")
    if want[0] != have[0]:
        diag(
            out,
            "WK410",
            f"This response was recorded against version {declared} of the worksheet, but is "
            f"checked against version {ws.version} (a different major version).",
            f"Check it against version {declared} of '{ws.id}' (with --pack, the pack's copy is "
            "used).",
            path,
        )
    elif (partial and have[: len(want)] != want) or (not partial and declared != ws.version):
        diag(
            out,
            "WK410",
            f"This response was recorded against version {declared} of the worksheet, but is "
            f"checked against version {ws.version}.",
            "Minor versions should be compatible; check against the recorded version to be sure.",
            path,
            "warning",
        )


def _timestamp(value: Any) -> dt.datetime | None:
    if type(value) is not str or len(value) > 40 or _TIMESTAMP.fullmatch(value) is None:
        return None
    text = value.upper().replace("Z", "+00:00")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _text_field(out: list[Diagnostic], data: Mapping[str, Any], key: str, limit: int) -> None:
    value = data.get(key)
    if value is None:
        return
    if type(value) is not str or not value or len(value) > limit:
        _shape(
            out,
            f"'{key}' should be text of 1 to {limit} characters"
            + (f", but it is {describe(value)}." if type(value) is not str else "."),
            f"Write '{key}' as a short text, or leave it out.",
            "/" + key,
        )


def _envelope(ws: Worksheet, data: dict[Any, Any], out: list[Diagnostic]) -> None:
    for position, key in enumerate(data if not data.keys() <= _KNOWN else (), 1):
        if key not in _KNOWN:
            _shape(
                out,
                f"A response has no key {named(key, position)}.",
                "Allowed keys: " + ", ".join(_KEYS) + ".",
                "/" + segment(key, position),
            )
    for key in ("worksheetkit", "kind", "worksheet"):
        if key not in data:
            _shape(
                out,
                f"The key '{key}' is missing from the response.",
                {
                    "worksheetkit": 'Add "worksheetkit": 1.',
                    "kind": 'Add "kind": "response".',
                    "worksheet": f'Add "worksheet": "{ws.id}".',
                }[key],
                "",
            )
    if "worksheetkit" in data and finite(data["worksheetkit"]) != 1.0:
        _shape(
            out,
            "'worksheetkit' should be 1 (the format version).",
            'Write "worksheetkit": 1.',
            "/worksheetkit",
        )
    if "kind" in data and data["kind"] != "response":
        _shape(
            out,
            "'kind' should be \"response\" in a response.",
            'Write "kind": "response".',
            "/kind",
        )
    ref = data.get("worksheet")
    declared_in_ref: str | None = None
    if "worksheet" in data:
        if type(ref) is not str or len(ref) > 160 or _REF.fullmatch(ref) is None:
            _shape(
                out,
                "'worksheet' should be the worksheet's id, optionally with @version.",
                f'Write "worksheet": "{ws.id}".',
                "/worksheet",
            )
        else:
            ident, _, declared_in_ref = ref.partition("@")
            if ident != ws.id:
                diag(
                    out,
                    "WK410",
                    f"This response is for the worksheet '{shorten(ident, 128)}', "
                    f"but it is checked against '{ws.id}'.",
                    "Check the response against the worksheet it was recorded for.",
                    "/worksheet",
                )
                declared_in_ref = None
            elif declared_in_ref:
                _check_version(out, ws, declared_in_ref, "/worksheet", partial=True)
    version = data.get("version")
    if version is not None:
        if type(version) is not str or len(version) > 64 or _SEMVER.fullmatch(version) is None:
            _shape(
                out,
                "'version' should be a version number such as 1.0.0.",
                f'Write "version": "{ws.version}".',
                "/version",
            )
        else:
            _check_version(out, ws, version, "/version", partial=False)
    for key in ("id", "assignment", "occurrence"):
        _text_field(out, data, key, MAX_FIELD)
    step = data.get("step")
    if step is not None and (
        type(step) is not str or len(step) > 64 or not _ITEM_ID.fullmatch(step)
    ):
        _shape(
            out,
            "'step' should be the id of a pathway step.",
            'Write the step id, e.g. "practice".',
            "/step",
        )
    times: dict[str, dt.datetime] = {}
    for key in ("started_at", "submitted_at"):
        value = data.get(key)
        if value is None:
            continue
        stamp = _timestamp(value)
        out_of_range = date_problem(stamp, f"'{key}'")
        if stamp is None:
            _shape(
                out,
                f"'{key}' should be a date and time with its UTC offset.",
                f'Write it like "{key}": "2026-12-01T20:05:00+00:00".',
                "/" + key,
            )
        elif out_of_range is not None:
            _shape(
                out,
                out_of_range,
                "Check the device clock that wrote the response.",
                "/" + key,
            )
        else:
            times[key] = stamp
    if len(times) == 2 and times["started_at"] > times["submitted_at"]:
        _shape(
            out,
            "'started_at' is later than 'submitted_at'.",
            "Check the device clock: a response is started before it is submitted.",
            "/started_at",
            "warning",
        )
    language = data.get("language")
    if language is not None and (
        type(language) is not str or len(language) > 35 or not _LANG.fullmatch(language)
    ):
        _shape(
            out,
            "'language' should be a language code such as en or es.",
            'Write "language": "en".',
            "/language",
        )
    if "answers" in data and type(data["answers"]) is not dict:
        _shape(
            out,
            f"'answers' should be a group of answers keyed by question id, but it is "
            f"{describe(data['answers'])}.",
            'Write "answers": {"question_id": answer, …}.',
            "/answers",
        )
    ratings = data.get("ratings")
    if ratings is not None:
        if type(ratings) is not dict:
            _shape(
                out,
                "'ratings' should be a group of ratings (difficulty, obstacles, quality).",
                'Write "ratings": {"difficulty": 2}.',
                "/ratings",
            )
        else:
            for position, (key, value) in enumerate(ratings.items(), 1):
                if key not in _RATINGS:
                    _shape(
                        out,
                        f"'ratings' has no rating {named(key, position)}.",
                        "Ratings are: difficulty, obstacles, quality.",
                        "/ratings/" + segment(key, position),
                    )
                    continue
                number = finite(value)
                if value is not None and (number is None or not 0 <= number <= 4):
                    _shape(
                        out,
                        f"The rating '{key}' should be a number from 0 to 4.",
                        "Use the 0–4 scale.",
                        "/ratings/" + key,
                    )
    obstacle = data.get("obstacle")
    if obstacle is not None:
        if type(obstacle) is not dict:
            _shape(
                out,
                "'obstacle' should be a group with 'kind' (external or internal).",
                'Write "obstacle": {"kind": "external"}.',
                "/obstacle",
            )
        else:
            if obstacle.get("kind") not in ("external", "internal"):
                _shape(
                    out,
                    "'obstacle' needs a 'kind' of external or internal.",
                    'Write "kind": "external" (or "internal").',
                    "/obstacle/kind" if "kind" in obstacle else "/obstacle",
                )
            for position, key in enumerate(obstacle, 1):
                if key not in ("kind", "note"):
                    _shape(
                        out,
                        f"'obstacle' has no key {named(key, position)}.",
                        "Use kind and note.",
                        "/obstacle/" + segment(key, position),
                    )
            note = obstacle.get("note")
            if note is not None and (type(note) is not str or len(note) > MAX_NOTE):
                _shape(
                    out,
                    f"The obstacle note should be text of at most {MAX_NOTE} characters.",
                    "Shorten the note.",
                    "/obstacle/note",
                )


# -- ordering -----------------------------------------------------------------------------------


def _ordered(plan: Plan, out: list[Diagnostic]) -> list[Diagnostic]:
    """Document order: the response's own keys, then answers in the worksheet's item order,
    then unknown answers; within one answer by row, then code. Capped at MAX_DIAGNOSTICS."""
    fields = plan.fields
    unknown = len(fields)

    def key(d: Diagnostic) -> tuple[Any, ...]:
        parts = d.path.split("/")[1:]
        if len(parts) < 2 or parts[0] != "answers":
            return (
                0,
                _KEYS.index(parts[0]) if parts and parts[0] in _KNOWN else 99,
                d.path,
                d.code,
            )
        f = fields.get(parts[1])
        rest = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts[2:])
        return (1, f.index if f else unknown, parts[1], rest, d.code)

    ordered = sorted(out, key=key)
    if len(ordered) <= MAX_DIAGNOSTICS:
        return ordered
    kept, dropped = ordered[:MAX_DIAGNOSTICS], ordered[MAX_DIAGNOSTICS:]
    kept.append(
        Diagnostic(
            code="WK400",
            message=f"{len(dropped):,} more problems in this response are not listed.",
            severity="error" if has_errors(dropped) else "warning",
            hint="Fix the problems above and check again.",
            path="",
        )
    )
    return kept


# -- public API ---------------------------------------------------------------------------------


def _plain(data: Any) -> Any:
    if isinstance(data, Response):
        return data.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _session(
    ws: Worksheet, data: Any, *, all_scores: bool, language: str | None = None
) -> tuple[Plan, list[Diagnostic], Session | None]:
    plan = plan_for(ws)
    out: list[Diagnostic] = []
    data = _plain(data)
    if type(data) is not dict:
        _shape(
            out,
            f"A response should be a JSON object, but this is {describe(data)}.",
            'Start it with {"worksheetkit": 1, "kind": "response", …}.',
            "",
        )
        return plan, out, None
    _envelope(ws, data, out)
    draft = data.get("submitted_at") is None
    lang = language or (data.get("language") if type(data.get("language")) is str else None)
    with step_budget() as budget:
        session = run(
            plan, data.get("answers", {}), out, draft=draft, all_scores=all_scores, language=lang
        )
    if budget.exhausted:
        diag(
            out,
            "WK413",
            f"Checking this worksheet's conditions against these table rows needed more than "
            f"{MAX_STEPS:,} steps, so the checks stopped; conditions and scores that were not "
            "finished count as having no value.",
            "Run 'worksheetkit validate' on the worksheet: a condition nests any()/all() over "
            "tables too deeply (WK309) or a table needs max_rows.",
            "/answers",
        )
    return plan, out, session


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
    plan, out, _ = _session(worksheet, data, all_scores=False)
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

"""One pass over a response's answers: type checks, which items are shown, required answers,
scores and alerts. Shared by validation, scoring and completion so they always agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from .._results import JsonResult, warn_as_dict
from .._suggest import did_you_mean, suggestion_budget
from ..codes import Code
from ..errors import Diagnostic, DocPath
from ..expressions import Expr, evaluate, references
from ..expressions.evaluator import as_number, round_half_away, truthy
from ..model import text_in
from ..model.values import named, segment
from ._checks import INVALID, MISSING, diag
from ._plan import Field, Plan, ScorePlan

#: At most this many diagnostics are listed for one response; a last one (WK400) counts the rest.
MAX_DIAGNOSTICS: Final = 200


@dataclass(frozen=True, slots=True)
class ScoreAlert(JsonResult):
    """A triggered alert: ``severity`` (info | warning | urgent) and the clinician's message."""

    severity: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """Deprecated alias of :meth:`to_dict`."""
        warn_as_dict("ScoreAlert")
        return self.to_dict()


@dataclass(frozen=True, slots=True)
class ScoreResult(JsonResult):
    """One computed score. ``value`` is None when too many of its items are missing (see
    ``missing``) or the formula gives no number; ``prorated`` says missing items were filled in
    with the mean of the answered ones."""

    id: str
    label: str
    value: int | float | None
    band: str | None
    alerts: tuple[ScoreAlert, ...] = ()
    missing: int = 0
    prorated: bool = False
    band_severity: str | None = None

    # The DESIGN §6 keys ``value``, ``band``, ``alerts`` first, then the rest (schema ``score``):
    # a prorated score stays told apart from a complete one.
    _json_order: ClassVar[tuple[str, ...]] = (
        "value", "band", "alerts", "id", "label", "missing", "prorated", "band_severity"
    )  # fmt: skip

    def __getitem__(self, key: str) -> Any:
        """``result["value"]``, ``result["band"]``, ``result["alerts"]`` (as in the JSON
        output), and the other fields by name."""
        if key == "alerts":
            return [a.to_dict() for a in self.alerts]
        if key in self.__dataclass_fields__:
            return getattr(self, key)
        raise KeyError(key)

    def as_dict(self) -> dict[str, Any]:
        """Deprecated alias of :meth:`to_dict`."""
        warn_as_dict("ScoreResult")
        return self.to_dict()


@dataclass(slots=True)  # −0.2 µs per response (one is made for each)
class Session:
    """The outcome of one pass."""

    values: dict[str, Any]  # answered, well-formed answers of the items that are shown
    hidden: set[str]
    invalid: set[str]
    scores: dict[str, ScoreResult] = field(default_factory=dict)
    score_values: dict[str, Any] = field(default_factory=dict)


def run(
    plan: Plan,
    answers: Any,
    out: list[Diagnostic],
    *,
    draft: bool = False,
    all_scores: bool = False,
    language: str | None = None,
) -> Session:
    """Check ``answers`` (the raw ``answers`` object) against the plan, appending diagnostics
    to ``out``; compute the scores the conditions need (all of them with ``all_scores``)."""
    lang = language or plan.language
    values: dict[str, Any] = {}
    invalid: set[str] = set()
    fields = plan.fields
    readable = type(answers) is dict  # otherwise WK411 says so; no answer is "missing"
    unknown: list[Any] = []
    if readable:
        for key, raw in answers.items():
            f = fields.get(key) if type(key) is str else None
            if f is None:
                unknown.append(key)
                continue
            result = f.check(raw, f.path, f.who, out)
            if result is INVALID:
                invalid.add(key)
            elif result is not MISSING:
                values[key] = result
    if unknown:
        # Worded after the known answers (callers sort diagnostics by path), inside one
        # suggestion budget: 20,000 unknown keys get hints for the first ones, bounded work.
        # Entered only here: the context costs ~1.5 µs, and most responses have no unknown key.
        positions = {k: i for i, k in enumerate(answers, 1)}
        with suggestion_budget():
            for key in unknown:
                _unknown(plan, key, out, positions[key])
    session = Session(values=values, hidden=set(), invalid=invalid)
    follow(plan, session, out, draft=draft, all_scores=all_scores, lang=lang, readable=readable)
    return session


def follow(
    plan: Plan,
    session: Session,
    out: list[Diagnostic],
    *,
    draft: bool,
    all_scores: bool,
    lang: str,
    readable: bool = True,
    holds: Callable[[Expr, dict[str, Any]], bool] | None = None,
) -> None:
    """The second half of :func:`run`, once the answers are checked (``session.values`` and
    ``session.invalid``): which items are shown, hidden answers, required answers, table rows
    and scores. The compiled fast path (``_compiled.py``) runs the same function, with
    ``holds``: its way of telling whether a ``show_if`` condition holds (the truth of
    :func:`evaluate`, remembered)."""
    values = session.values
    invalid = session.invalid
    hidden = session.hidden
    visible = values
    steps = plan.full_order if all_scores else plan.check_order
    if steps:
        visible = dict(values)
        for node in steps:
            if isinstance(node, ScorePlan):
                _score(plan, node, visible, session, lang)
                continue
            env = _env(visible, session.score_values)
            for condition in node.conditions:
                if not (
                    truthy(evaluate(condition, env)) if holds is None else holds(condition, env)
                ):
                    hidden.add(node.id)
                    visible.pop(node.id, None)
                    break
    session.values = visible
    for f in plan.watched:
        if f.id in hidden:
            if f.id in values:
                diag(
                    out,
                    Code.WK409,
                    f"The answer to {f.who} was given, but the question is hidden by its "
                    "'show_if' condition with these answers.",
                    "Clear the answer when the question is hidden, or check the answers it "
                    "depends on.",
                    ("answers", f.id),
                    "warning",
                )
            continue
        if f.required and readable and f.id not in visible and f.id not in invalid:
            _required(out, f, ("answers", f.id), f.who, draft)
        if f.columns is not None and f.id in visible:
            _rows(f, visible, session.score_values, out, draft)
    if all_scores:
        for sid, sp in plan.scores.items():
            if sid not in session.scores:
                _score(plan, sp, visible, session, lang)
        _alerts(plan, visible, session, lang)


def _env(visible: dict[str, Any], scores: dict[str, Any]) -> dict[str, Any]:
    if not scores:
        return visible
    return {**visible, **scores}


def _required(out: list[Diagnostic], f: Field, path: DocPath, who: str, draft: bool) -> None:
    diag(
        out,
        Code.WK402,
        f"The question {who} is required but has no answer.",
        "Answer it before submitting (an unfinished response without 'submitted_at' may be "
        "saved as it is).",
        path,
        "warning" if draft else "error",
    )


def _unknown(
    plan: Plan,
    key: Any,
    out: list[Diagnostic],
    position: int,
    suggest: Callable[[str], str | None] | None = None,
) -> None:
    name = str(key)
    if name in plan.not_answerable:
        message = (
            f"The answers include '{name}', which is a note, section or media item, not a question."
        )
        hint = "Remove it: only questions have answers."
    else:
        message = (
            f"The answers include the key {named(key, position)}, which is not a question of this "
            "worksheet."
        )
        guess = suggest(name) if suggest else did_you_mean(name, plan.fields.keys())
        hint = (
            f"Did you mean '{guess}'?"
            if guess
            else "Check the id against the worksheet (and its version)."
        )
    diag(out, Code.WK408, message, hint, ("answers", segment(key, position)))


def _rows(
    f: Field, visible: dict[str, Any], scores: dict[str, Any], out: list[Diagnostic], draft: bool
) -> None:
    columns = f.columns or {}
    special = [c for c in columns.values() if c.conditions or c.required]
    if not special:
        return
    env = _env(visible, scores)
    rows = visible[f.id]
    for i, row in enumerate(rows):
        if row is None:
            continue  # not a row at all (WK401)
        for col in special:
            # (a required column without show_if is shown: no generator to find that out)
            shown = not col.conditions or all(
                truthy(evaluate(c, env, row=row)) for c in col.conditions
            )
            path = ("answers", f.id, i, col.id)
            if not shown:
                if row.get(col.id, INVALID) is not INVALID:
                    diag(
                        out,
                        Code.WK409,
                        f"In row {i + 1}, {col.who} was answered, but its 'show_if' condition "
                        "hides it in that row.",
                        "Clear the answer when the column is hidden.",
                        path,
                        "warning",
                    )
                continue
            if col.required and col.id not in row:
                _required(out, col, path, f"{col.who} in row {i + 1}", draft)


# -- scores ---------------------------------------------------------------------------------


def _shown_cells(f: Field, rows: Any, env: dict[str, Any]) -> Any:
    """Table rows without the cells their column's ``show_if`` hides in that row: a hidden
    answer never counts (the validator warns about it, WK409)."""
    hiding = [c for c in (f.columns or {}).values() if c.conditions]
    if not hiding or type(rows) is not list:
        return rows
    out: list[Any] = []
    for row in rows:
        if type(row) is not dict:
            out.append(row)
            continue
        hidden = [
            c.id
            for c in hiding
            if c.id in row and not all(truthy(evaluate(x, env, row=row)) for x in c.conditions)
        ]
        out.append({k: v for k, v in row.items() if k not in hidden} if hidden else row)
    return out


def _scoring_env(plan: Plan, sp: ScorePlan, visible: dict[str, Any]) -> dict[str, Any]:
    env: dict[str, Any] = {}
    for fid in sp.items:
        if fid not in visible:
            continue
        f = plan.fields[fid]
        value = _shown_cells(f, visible[fid], visible) if f.columns else visible[fid]
        if f.columns is None and type(value) is dict:
            continue  # an 'Other' answer carries no weight: it counts as missing
        if f.reverse is not None:
            value = _reverse(value, f.reverse)
        elif fid in plan.reversed_columns:
            value = _reverse_rows(value, plan.reversed_columns[fid], f)
        env[fid] = value
    return env


def _reverse(value: Any, span: tuple[float, float]) -> Any:
    number = as_number(value)
    if number is None:
        return value
    result = span[0] + span[1] - number
    return int(result) if result.is_integer() else result


def _reverse_rows(rows: list[dict[str, Any] | None], columns: tuple[str, ...], f: Field) -> Any:
    cols = f.columns or {}
    out: list[dict[str, Any] | None] = []
    for row in rows:
        if row is None:
            out.append(row)
            continue
        new = dict(row)
        for cid in columns:
            span = cols[cid].reverse
            if cid in new and span is not None:
                new[cid] = _reverse(new[cid], span)
        out.append(new)
    return out


def _score(plan: Plan, sp: ScorePlan, visible: dict[str, Any], session: Session, lang: str) -> None:
    score = sp.score
    env = _scoring_env(plan, sp, visible)
    for sid in sp.scores:
        env[sid] = session.score_values.get(sid)
    missing = [fid for fid in sp.items if fid not in env]
    policy = score.missing
    value: Any = None
    prorated = False
    if sp.expr is not None and len(missing) <= policy.allow:
        if missing and policy.method == "prorate":
            numbers = [
                n
                for fid in sp.items
                if fid in env and plan.fields[fid].columns is None
                if (n := as_number(env[fid])) is not None
            ]
            scalar_missing = [fid for fid in missing if plan.fields[fid].columns is None]
            if numbers and len(scalar_missing) == len(missing):
                total = 0.0
                for n in numbers:
                    total += n
                mean = total / len(numbers)
                value = evaluate(sp.expr, {**env, **dict.fromkeys(missing, mean)})
                prorated = True
                number = as_number(value)
                if number is not None:
                    digits = 0 if sp.whole else 2
                    rounded = round_half_away(number, digits)
                    value = int(rounded) if rounded.is_integer() else rounded
        else:
            value = evaluate(sp.expr, env)
    number = as_number(value)
    if number is None:
        value = None
    band = None
    band_severity = None
    if value is not None:
        for b in score.bands:
            if number is not None and number <= b.max:
                band = text_in(b.label, lang, plan.language)
                band_severity = b.severity
                break
    session.score_values[score.id] = value
    session.scores[score.id] = ScoreResult(
        id=score.id,
        label=text_in(score.label, lang, plan.language),
        value=value,
        band=band,
        missing=len(missing),
        prorated=prorated and value is not None,
        band_severity=band_severity,
    )


def _alerts(plan: Plan, visible: dict[str, Any], session: Session, lang: str) -> None:
    shown = {
        fid: _shown_cells(plan.fields[fid], value, visible)
        if fid in plan.fields and plan.fields[fid].columns
        else value
        for fid, value in visible.items()
    }
    env = _env(shown, session.score_values)
    for sid, sp in plan.scores.items():
        fired = tuple(
            ScoreAlert(alert.severity, text_in(alert.message, lang, plan.language))
            for alert, expr in sp.alerts
            if expr is not None and truthy(evaluate(expr, env))
        )
        if session.invalid:
            fired += _unreadable(plan, sp, session.invalid, lang)
        if fired:
            result = session.scores[sid]
            session.scores[sid] = ScoreResult(
                id=result.id,
                label=result.label,
                value=result.value,
                band=result.band,
                alerts=fired,
                missing=result.missing,
                prorated=result.prorated,
                band_severity=result.band_severity,
            )


def _unreadable(plan: Plan, sp: ScorePlan, invalid: set[str], lang: str) -> tuple[ScoreAlert, ...]:
    """An urgent alert that reads an answer which is there but not valid (``"2"`` for 2, ``true``
    for an option) cannot be checked, and a safety item must never be lost to a typing
    mistake: it is raised as urgent, saying it could not be checked and which question to
    review (the answer itself is never quoted)."""
    out = []
    for alert, expr in sp.alerts:
        if alert.severity != "urgent" or expr is None:
            continue
        unread = sorted(references(expr) & invalid)
        if unread:
            names = ", ".join(f"'{i}'" for i in unread)
            message = text_in(alert.message, lang, plan.language)
            out.append(
                ScoreAlert(
                    "urgent",
                    f"{message} (Could not be checked: the answer to {names} is not valid. "
                    "Review it with the client.)",
                )
            )
    return tuple(out)

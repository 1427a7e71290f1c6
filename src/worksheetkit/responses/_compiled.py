"""The fast path of ``validate_response`` and ``is_valid_response``: per plan, one function of
straight-line Python, generated once from the plan's fields and kept on the plan.

Nothing here restates a rule. Each answer is checked by its field's own check closure
(``_checks.py``, through ``Plan.fields``) — the generated code only *calls* it, bound as a
constant; what is shown, required and scored is decided by the engine's own
:func:`~._engine.follow`; the envelope by ``validate.py``'s own function, passed in. What this
module adds is *when* the costly parts run, and how little happens around them:

- **Straight-line code per worksheet.** :func:`_source` writes, for each field of the plan in
  order, a look-up of its key and a call of its check, as plain statements of one function:
  no loop over the answers, no dispatch through a table of fields, no tuple unpacking per
  answer. Nothing the author wrote becomes source: ids and checks reach the code as constants
  of its namespace (``K3``, ``C3``, ``M3``), named by their position in the plan alone, so an id such
  as ``x"]; __import__("os")`` is a value the code compares, never code it runs
  (tests/test_responses_compiled.py checks both). The text is compiled once per plan.
- **Diagnostics only when something is wrong.** The common case, a response with no problem at
  all, returns ``[]`` without building a message, sorting or naming a path: the checks run with
  empty names (``""``) into a scratch list, and the first entry there sends the response to the
  complete path (``validate.py``), which words every problem. The checks remember their clean
  verdicts on plain values themselves (``_checks.memoized``), for both paths.
- **Unknown answer keys without the complete path.** When the only problems are answers to
  unknown questions (an app one version ahead), their WK408 diagnostics are built here by the
  engine's own ``_unknown`` after everything else was found clean, and remembered per
  ``(key, position)`` (diagnostics are frozen; the hint comes from a suggestion budget that
  cannot run out on them, so it is the same every time): an app a version ahead sends the same
  unknown key in every response, which then costs one dict look-up beyond a valid one instead
  of a did-you-mean, a message and a ``Diagnostic`` (``unknown_key_cost`` in ``make bench``).
- **Conditions remembered.** A ``show_if`` that reads one or two plain values
  (``practised == true``) is evaluated once per ``(type, value)`` of each
  (:meth:`Compiled.holds`, passed to ``follow``): about 0.7 µs less per such condition and
  response. **Where unknown keys are** is remembered per key layout (an app sends its keys in
  the same order every time). Both memos are bounded like the others (``MEMO_LIMIT``).
- **No shared step budget where no row can be visited.** Row visits (the budget's unit) only
  happen when a condition or score that is evaluated reads a table; when none does, the
  context manager (~1 µs) is skipped.

Whether a response goes through here or through the complete path, ``validate_response``
returns the same list (tests/test_responses_compiled.py compares both, on cases and on
hypothesis-generated responses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from .._suggest import BUDGET, suggestion_budget
from ..errors import Diagnostic, has_errors
from ..expressions import Expr, evaluate, references, step_budget
from ..expressions.evaluator import _BUDGET, truthy
from ..model import Worksheet
from ._checks import CLEAN, INVALID, MEMO_LIMIT, MISSING, PLAIN
from ._engine import Session, _unknown, follow
from ._plan import Field, Plan, ScorePlan

Envelope = Callable[[Worksheet, dict[Any, Any], list[Diagnostic]], None]
#: The generated function: the checked answers and how many keys were known, or None as soon
#: as a check has something to say (it is then in the scratch list, without names).
Answers = Callable[[dict[Any, Any], list[Diagnostic]], tuple[dict[str, Any], int] | None]

_NO: Final = object()
_VALUES: Final = frozenset(
    {int, float, str, bool, type(None)}
)  # plain values a condition reads  # "no such key" (None is an answer)


# The code for one field; ``{i}`` is the field's position in the plan, the only thing that
# varies. The check is the plan's own; where it remembers clean verdicts (``_checks.memoized``)
# its memo is read here first, without the call (−0.1 µs an answer, −1.5 µs on a 20-item
# response, 2026-12-04), and a miss calls the check, which checks and remembers.
_FIELD: Final = """\
    v = get(K{i}, NO)
    if v is not NO:
        found += 1
        r = C{i}(v, (), "", scratch)
        if scratch or r is INVALID:
            return None
        if r is not MISSING:
            values[K{i}] = r
"""
_MEMO: Final = """\
    v = get(K{i}, NO)
    if v is not NO:
        found += 1
        t = type(v)
        if t in PLAIN and M{i}.get((t, v)) is CLEAN:
            values[K{i}] = v
        else:
            r = C{i}(v, (), "", scratch)
            if scratch or r is INVALID:
                return None
            if r is not MISSING:
                values[K{i}] = r
"""


def _memo(f: Field) -> dict[tuple[type, Any], int] | None:
    memo = getattr(f.check, "memo", None)
    return memo if type(memo) is dict else None


def _source(plan: Plan) -> str:
    """The text of the answers function of ``plan``: a template above once per field, told
    apart by position only (no id, label or pattern of the worksheet is ever part of it)."""
    head = "def answers(answers, scratch):\n    get = answers.get\n    values = {}\n    found = 0\n"
    body = "".join(
        (_FIELD if _memo(f) is None else _MEMO).format(i=i)
        for i, f in enumerate(plan.fields.values())
    )
    return head + body + "    return values, found\n"


def _generate(plan: Plan) -> Answers:
    """The answers function of ``plan``, compiled from :func:`_source` into a namespace that
    holds the plan's ids and checks as constants (and no builtins)."""
    namespace: dict[str, Any] = {
        "__builtins__": {},
        "NO": _NO,
        "INVALID": INVALID,
        "MISSING": MISSING,
        "PLAIN": PLAIN,
        "type": type,
        "CLEAN": CLEAN,
    }
    for i, (fid, f) in enumerate(plan.fields.items()):
        namespace[f"K{i}"] = fid
        namespace[f"C{i}"] = f.check
        memo = _memo(f)
        if memo is not None:
            namespace[f"M{i}"] = memo
    exec(compile(_source(plan), "<worksheetkit answers>", "exec"), namespace)  # noqa: S102
    fn: Answers = namespace["answers"]
    return fn


def _reads_rows(plan: Plan) -> bool:
    """Whether anything ``follow`` evaluates without ``all_scores`` can visit table rows: a
    condition or needed score that reads a table, or a column's own condition."""
    tables = {fid for fid, f in plan.fields.items() if f.columns is not None}
    if not tables:
        return False
    for step in plan.check_order:
        if step.deps & tables:
            return True
        if isinstance(step, ScorePlan) and set(step.items) & tables:
            return True
    return any(c.conditions for t in tables for c in (plan.fields[t].columns or {}).values())


@dataclass(eq=False, slots=True)
class Compiled:
    """What the fast path needs of one plan."""

    plan: Plan
    check: Answers  # the generated function
    budgeted: bool  # an evaluated expression may visit table rows: they share one step budget
    unknowns: dict[tuple[type, Any, int], Diagnostic]  # WK408 already worded, by key and place
    conditions: dict[int, tuple[tuple[str, ...], dict[tuple[Any, ...], bool]]]  # by id(expr)
    layouts: dict[tuple[str, ...], list[tuple[Any, int]]]  # unknown keys, by the keys' order

    def holds(self, condition: Expr, env: dict[str, Any]) -> bool:
        """Whether ``condition`` holds with ``env``: the truth of ``evaluate``, remembered for
        conditions that read one or two plain values (``practised == true``, ``mood >= 5``).
        An expression's value depends on the values of the names it reads alone (no row can be
        visited when these are plain values); what evaluate said is kept per ``(type, value)``
        of each — the type, as in the answers' memo, keeps ``true`` apart from ``1``. Never
        while a step budget ran out (evaluate then says null whatever the values). Saves the
        evaluation (~0.7 µs) of each such condition of each response."""
        entry = self.conditions.get(id(condition))
        if entry is None:
            entry = self._remember(condition)
        names, memo = entry
        if names:
            v = env.get(names[0])
            t = type(v)
            if t in _VALUES:
                if len(names) == 1:
                    slot: tuple[Any, ...] = (t, v)
                else:
                    w = env.get(names[1])
                    u = type(w)
                    slot = (t, v, u, w) if u in _VALUES else ()
                if slot:
                    found = memo.get(slot)
                    if found is not None:
                        return found
                    found = truthy(evaluate(condition, env))
                    budget = _BUDGET.get()
                    if len(memo) < MEMO_LIMIT and (budget is None or not budget.exhausted):
                        memo[slot] = found
                    return found
        return truthy(evaluate(condition, env))

    def _remember(self, condition: Expr) -> tuple[tuple[str, ...], dict[tuple[Any, ...], bool]]:
        names = tuple(sorted(references(condition)))
        memo: dict[tuple[Any, ...], bool] = {}
        entry = (names if 1 <= len(names) <= 2 else (), memo)  # no names: always evaluated
        self.conditions[id(condition)] = entry  # the plan keeps the expression alive
        return entry

    def answers(
        self, answers: dict[Any, Any], scratch: list[Diagnostic]
    ) -> tuple[dict[str, Any], list[tuple[Any, int]]] | None:
        """The answers as expressions see them and the unknown keys with their positions
        (1-based, among all the keys); None as soon as a check
        has something to say (it is in ``scratch``, without names), or when a key only looks
        like an id (a ``str`` subclass: the complete path names it as unknown)."""
        checked = self.check(answers, scratch)
        if checked is None:
            return None
        values, found = checked
        exact = _EXACT_KEYS.issuperset(map(type, answers))  # C-speed; False for a str subclass
        if found == len(answers):
            # Every key is a field id (a str subclass equal to one would have been found too).
            return (values, []) if exact else None
        if exact:
            # An app a version ahead sends the same keys in the same order in every response:
            # where they are is remembered per layout (plain keys only, so tuples compare like
            # the keys; short unknown keys only, so the memo stays small): −0.4 µs a response.
            layout = tuple(answers)
            known = self.layouts.get(layout)
            if known is not None:
                return values, known
            # Else found by a set difference and placed by list.index (both in C).
            extra = answers.keys() - self.plan.fields.keys()
            if len(extra) <= _FEW:
                unknown = sorted(((k, layout.index(k) + 1) for k in extra), key=_position)
                if len(self.layouts) < MEMO_LIMIT and all(len(k) <= _SHORT for k in extra):
                    self.layouts[layout] = unknown
                return values, unknown
        fields = self.plan.fields
        unknown = [
            (k, i) for i, k in enumerate(answers, 1) if type(k) is not str or k not in fields
        ]
        if found + len(unknown) != len(answers):
            return None  # a str subclass equal to an id was taken for it
        return values, unknown


def _position(entry: tuple[Any, int]) -> int:
    return entry[1]


_FEW: Final = 8
_SHORT: Final = 64  # an unknown key remembered in a layout is at most this long
_EXACT_KEYS: Final = frozenset({str})


def compiled(plan: Plan) -> Compiled:
    """The fast path of ``plan``, built on first use and kept on the plan."""
    found = plan.compiled
    if found is not None:
        return found  # type: ignore[no-any-return]
    made = Compiled(
        plan=plan,
        check=_generate(plan),
        budgeted=_reads_rows(plan),
        unknowns={},
        conditions={},
        layouts={},
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
    session = Session(values, set(), set())
    draft = data.get("submitted_at") is None
    if not c.budgeted and _BUDGET.get() is None:  # (a caller's own budget is never shared)
        follow(plan, session, out, draft=draft, all_scores=False, lang=lang, holds=c.holds)
        return True
    with step_budget() as budget:
        follow(plan, session, out, draft=draft, all_scores=False, lang=lang, holds=c.holds)
    return not budget.exhausted


def _unknowns(c: Compiled, unknown: list[tuple[Any, int]], out: list[Diagnostic]) -> None:
    """WK408 for each unknown key, worded by the engine's ``_unknown``."""
    plan = c.plan
    if len(unknown) * len(plan.fields) > BUDGET:
        with suggestion_budget():
            for key, position in unknown:
                _unknown(plan, key, out, position)
        return
    # The budget cannot run out on these (each hint compares against every field at most
    # once), so each key's diagnostic depends on the key and its position alone: worded once.
    memo = c.unknowns
    for key, position in unknown:
        slot = (type(key), key, position)
        found = memo.get(slot)
        if found is None:
            one: list[Diagnostic] = []
            _unknown(plan, key, one, position)
            found = one[0]
            if len(memo) < MEMO_LIMIT:
                memo[slot] = found
        out.append(found)


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
    c = plan.compiled or compiled(plan)
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
        _unknowns(c, unknown, out)
    return out


def first_problem(plan: Plan, data: Any, envelope: Envelope) -> bool | None:
    """True when ``data`` has no error, False at the first one found; None when only the
    complete path can tell (a check reported a warning, which no check does today)."""
    if type(data) is not dict:
        return False  # WK411
    answers = data.get("answers", {})
    if type(answers) is not dict:
        return False  # WK411
    c = plan.compiled or compiled(plan)
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

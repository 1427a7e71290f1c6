"""A worksheet compiled once for its responses: answer fields, conditions, scores and the order
in which conditions and scores are evaluated. Plans are cached per worksheet object."""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .._identity import WeakIdentityCache
from ..codes import Code
from ..errors import DocPath
from ..expressions import Expr, ExpressionSyntaxError, Symbol, evaluate, parse, references
from ..model import (
    Alert,
    Checklist,
    Choice,
    Likert,
    NumberItem,
    Ranking,
    Rating,
    Score,
    Section,
    Table,
    TextItem,
    Worksheet,
    item_options,
    item_range,
    symbol_kind,
    text_in,
)
from ..model.values import named, segment
from ._checks import (
    CHECKS,
    INVALID,
    MAX_ROWS,
    MISSING,
    Check,
    Out,
    describe,
    diag,
    memoized,
    text_check,
)

_CACHE_SIZE: Final = 128


def escape(key: str) -> str:
    """A key as one JSON-pointer segment (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


@dataclass(eq=False)
class Field:
    """One answer the response may carry: a top-level item, or a column inside a table row."""

    id: str
    item: Any
    who: str  # how messages name it: 'situation'
    check: Check
    required: bool
    readonly: bool
    conditions: tuple[Expr, ...]  # every one must hold for the item to be shown
    deps: frozenset[str]
    index: int = 0
    columns: dict[str, Field] | None = None
    reverse: tuple[float, float] | None = None  # the range to reverse within
    path: DocPath = ()  # of a top-level answer: ("answers", id)


@dataclass(eq=False)
class ScorePlan:
    score: Score
    expr: Expr | None  # None when the formula does not parse (reported by worksheet validation)
    items: tuple[str, ...]  # the answer fields it uses, in document order
    scores: tuple[str, ...]  # the other scores it uses
    whole: bool  # complete answers always give a whole number → prorated values are rounded
    alerts: tuple[tuple[Alert, Expr | None], ...]
    deps: frozenset[str]


@dataclass(eq=False)
class Plan:
    worksheet: Worksheet
    language: str
    fields: dict[str, Field]
    not_answerable: frozenset[str]  # ids of notes, sections and media
    scores: dict[str, ScorePlan]
    order: tuple[str, ...]  # conditioned field ids and "score:<id>", dependencies first
    completion: Expr | None
    reversed_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The order resolved to objects: every step, and only what validation needs.
    full_order: tuple[Field | ScorePlan, ...] = ()
    check_order: tuple[Field | ScorePlan, ...] = ()
    watched: tuple[Field, ...] = ()  # fields that may be hidden, required, or are tables
    compiled: Any = None  # the fast path (_compiled.py), built on first use


# A worksheet → (its lists, their members, its plan), found only by that very worksheet
# object (_identity.py: never by an address a later object could reuse). The members catch a
# worksheet whose lists were changed in place (the models are frozen, their lists are not);
# comparing the tuples is C-speed, and identical members compare without calling ``==``.
_Entry = tuple[tuple[list[Any], ...], tuple[tuple[Any, ...], ...], Plan]
_cache: WeakIdentityCache[Worksheet, _Entry] = WeakIdentityCache(_CACHE_SIZE)
_last: tuple[weakref.ref[Worksheet], _Entry] | None = None


def _lists(worksheet: Worksheet) -> tuple[list[Any], ...]:
    """The item and score lists of ``worksheet``, sections' and tables' nested lists too."""
    found: list[list[Any]] = [worksheet.items, worksheet.scores]
    todo: list[list[Any]] = [worksheet.items]
    while todo:
        for item in todo.pop():
            # __dict__, not getattr: a missing attribute on a pydantic model is slow to report.
            fields = item.__dict__
            nested = fields.get("items") or fields.get("columns")
            if type(nested) is list:
                found.append(nested)
                todo.append(nested)
    return tuple(found)


def plan_for(worksheet: Worksheet) -> Plan:
    """The compiled plan of ``worksheet`` (rebuilt when its item or score lists change)."""
    global _last
    if type(worksheet) is not Worksheet and not isinstance(worksheet, Worksheet):
        raise TypeError(f"expected a Worksheet, not {type(worksheet).__name__}")
    # The worksheet of the previous call first (responses come in runs of one worksheet):
    # a weak reference's call instead of the cache's key object and look-up, −0.8 µs a call.
    last = _last
    hit = last[1] if last is not None and last[0]() is worksheet else _cache.get(worksheet)
    if hit is not None and tuple(map(tuple, hit[0])) == hit[1]:  # C-speed: −0.5 µs a call
        if last is None or last[1] is not hit:
            _last = (weakref.ref(worksheet), hit)
        return hit[2]
    lists = _lists(worksheet)
    plan = _compile(worksheet)
    _cache.put(worksheet, (lists, tuple(tuple(m) for m in lists), plan))
    return plan


def score_plan(worksheet: Worksheet, score_id: str) -> ScorePlan | None:
    """The plan of one score of ``worksheet``, not cached: for a worksheet built only to ask
    this (FHIR import's score check builds one per score; cached, each draft and its plan
    stayed until pushed out, and evicting them cost a fifth of the check, 2026-12-04)."""
    return _compile(worksheet).scores.get(score_id)


def _parse(source: str | None) -> Expr | None:
    if not source:
        return None
    try:
        return parse(source)
    except ExpressionSyntaxError:
        return None  # reported by the worksheet's own validation (WK301)


def _walk(items: list[Any], conditions: tuple[Expr, ...]) -> Iterator[tuple[Any, tuple[Expr, ...]]]:
    for item in items:
        own = _parse(getattr(item, "show_if", None))
        chain = (*conditions, own) if own is not None else conditions
        yield item, chain
        if isinstance(item, Section):
            yield from _walk(item.items, chain)


def _symbols(ws: Worksheet, fields: Mapping[str, Field]) -> dict[str, Symbol]:
    table: dict[str, Symbol] = {}
    for f in fields.values():
        kind = symbol_kind(f.item) or "text"
        columns = None
        if f.columns is not None:
            columns = {
                c.id: Symbol(kind=symbol_kind(c.item) or "text")  # type: ignore[arg-type]
                for c in f.columns.values()
            }
        table[f.id] = Symbol(kind=kind, columns=columns)  # type: ignore[arg-type]
    for s in ws.scores:
        table.setdefault(s.id, Symbol(kind="score"))
    return table


def _check_for(item: Any, language: str, fallback: str) -> Check:
    if isinstance(item, TextItem):
        message = item.pattern_message
        return text_check(item, text_in(message, language, fallback) if message else None)
    return memoized(CHECKS[type(item)](item))


def _reverse_range(item: Any) -> tuple[float, float] | None:
    if not getattr(item, "reverse", False):
        return None
    return item_range(item)


def _compile(ws: Worksheet) -> Plan:
    lang = ws.language
    fields: dict[str, Field] = {}
    not_answerable: set[str] = set()
    for item, chain in _walk(ws.items, ()):
        item_id = getattr(item, "id", None)
        if item_id is None:
            continue
        if symbol_kind(item) is None:
            not_answerable.add(item_id)
            continue
        if item_id in fields:
            continue  # a duplicate id (WK201); the first one wins
        f = Field(
            id=item_id,
            item=item,
            who=f"'{item_id}'",
            check=_noop,
            required=item.required,
            readonly=item.readonly,
            conditions=chain,
            deps=frozenset(),
            index=len(fields),
            reverse=_reverse_range(item),
            path=("answers", item_id),
        )
        if isinstance(item, Table):
            f.columns = {}
            for col in item.columns:
                own = _parse(col.show_if)
                f.columns.setdefault(
                    col.id,
                    Field(
                        id=col.id,
                        item=col,
                        who=f"'{item_id}.{col.id}'",
                        check=_check_for(col, lang, lang),
                        required=col.required,
                        readonly=col.readonly,
                        conditions=(own,) if own is not None else (),
                        deps=frozenset(),
                        reverse=_reverse_range(col),
                    ),
                )
            f.check = _table_check(item, f.columns)
        else:
            f.check = _check_for(item, lang, lang)
        fields[item_id] = f
    symbols = _symbols(ws, fields)
    for f in fields.values():
        deps: set[str] = set()
        for c in f.conditions:
            deps |= references(c, symbols=symbols)
        f.deps = frozenset(deps)
        for cf in (f.columns or {}).values():
            cdeps: set[str] = set()
            for c in cf.conditions:
                cdeps |= references(c, symbols=symbols)
            cf.deps = frozenset(cdeps - set(f.columns or {}))
    score_ids = {s.id for s in ws.scores}
    scores: dict[str, ScorePlan] = {}
    for s in ws.scores:
        if s.id in scores:
            continue
        expr = _parse(s.formula)
        refs = references(expr, symbols=symbols) if expr is not None else set()
        used_items = tuple(fid for fid in fields if fid in refs)
        used_scores = tuple(sorted(r for r in refs if r in score_ids and r not in fields))
        alerts = tuple((a, _parse(a.when)) for a in s.alerts)
        scores[s.id] = ScorePlan(
            score=s,
            expr=expr,
            items=used_items,
            scores=used_scores,
            whole=expr is not None and _whole(expr, [fields[i] for i in used_items]),
            alerts=alerts,
            deps=frozenset(refs),
        )
    order = _order(fields, scores)
    needed: set[str] = set()
    stack = [d for f in fields.values() for d in f.deps if d in scores]
    stack += [
        d
        for f in fields.values()
        for c in (f.columns or {}).values()
        for d in c.deps
        if d in scores
    ]
    while stack:
        sid = stack.pop()
        if sid not in needed:
            needed.add(sid)
            stack.extend(scores[sid].scores)
    reversed_columns = {
        f.id: tuple(c.id for c in f.columns.values() if c.reverse is not None)
        for f in fields.values()
        if f.columns and any(c.reverse is not None for c in f.columns.values())
    }
    full = tuple(scores[n[6:]] if n.startswith("score:") else fields[n] for n in order)
    check = tuple(
        step for step in full if not isinstance(step, ScorePlan) or step.score.id in needed
    )
    watched = tuple(f for f in fields.values() if f.conditions or f.required or f.columns)
    return Plan(
        full_order=full,
        check_order=check,
        watched=watched,
        worksheet=ws,
        language=lang,
        fields=fields,
        not_answerable=frozenset(not_answerable - set(fields)),
        scores=scores,
        order=order,
        completion=_parse(ws.completion),
        reversed_columns=reversed_columns,
    )


def _noop(value: Any, path: DocPath, who: str, out: Out) -> Any:  # pragma: no cover - replaced
    return value


def _order(fields: Mapping[str, Field], scores: Mapping[str, ScorePlan]) -> tuple[str, ...]:
    """Conditioned fields and scores, each after everything it depends on (document order
    otherwise). A cycle (already an error of the worksheet, WK307) is cut where it closes."""
    nodes: dict[str, list[str]] = {}

    def node_of(ident: str) -> str | None:
        if ident in fields:
            return ident if fields[ident].conditions else None
        if ident in scores:
            return f"score:{ident}"
        return None

    for f in fields.values():
        if f.conditions:
            nodes[f.id] = [n for d in sorted(f.deps) if (n := node_of(d)) and n != f.id]
    for sid, sp in scores.items():
        nodes[f"score:{sid}"] = [n for d in sorted(sp.deps) if (n := node_of(d))]
    order: list[str] = []
    state: dict[str, int] = {}
    for root in nodes:
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            succ = nodes.get(node, [])
            if i < len(succ):
                stack[-1] = (node, i + 1)
                nxt = succ[i]
                if nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                stack.pop()
                state[node] = 2
                order.append(node)
    return tuple(order)


def _whole(expr: Expr, items: list[Field]) -> bool:
    """Whether the formula gives a whole number whenever every item it uses is answered with
    one of its (whole-number) values: probed at the lowest, highest and mixed answers."""
    if not items:
        return False
    choices: list[list[int]] = []
    for f in items:
        values = _whole_values(f.item)
        if values is None:
            return False
        choices.append(values)
    probes = [
        [v[0] for v in choices],
        [v[-1] for v in choices],
        [v[i % len(v)] for i, v in enumerate(choices)],
        [v[(i + 1) % len(v)] for i, v in enumerate(choices)],
        [v[-1] if i % 2 else v[0] for i, v in enumerate(choices)],
        [v[0] if i % 3 else v[-1] for i, v in enumerate(choices)],
    ]
    for probe in probes:
        result = evaluate(expr, {f.id: x for f, x in zip(items, probe, strict=True)})
        if isinstance(result, bool) or not isinstance(result, int | float):
            return False
        if not float(result).is_integer():
            return False
    return True


def _whole_values(item: Any) -> list[int] | None:
    if isinstance(item, Choice | Likert):
        values = [o.value for o in item_options(item)]
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return sorted(int(v) for v in values)
        return None
    if isinstance(item, Rating | NumberItem):
        low, high, step = item.min, item.max, item.step
        if isinstance(item, NumberItem) and not item.integer and (step is None or step % 1):
            return None
        if low is None or high is None or low % 1 or high % 1 or (step is not None and step % 1):
            return None
        span = [int(low), int(high)]
        return span
    if isinstance(item, Checklist | Ranking | Table):
        return None
    return None


def _table_check(item: Table, columns: dict[str, Field]) -> Check:
    most = min(item.max_rows or MAX_ROWS, MAX_ROWS)
    low = item.min_rows

    def check(value: Any, path: DocPath, who: str, out: Out) -> Any:
        if value is None:
            return MISSING
        if type(value) is not list:
            diag(
                out,
                Code.WK401,
                f"The answer to {who} should be a list of rows, but it is {describe(value)}.",
                "Send a list with one group of answers (keyed by column id) per row.",
                path,
            )
            return INVALID
        if not value:
            return MISSING
        n = len(value)
        if n > MAX_ROWS:
            diag(
                out,
                Code.WK407,
                f"The answer to {who} has {n:,} rows; no table may have more than {MAX_ROWS:,}.",
                "Split the entries over several responses.",
                path,
            )
            return INVALID  # rows beyond the limit are never read
        if n > most:
            diag(
                out,
                Code.WK407,
                f"The answer to {who} has {n} rows; at most {most} are allowed.",
                f"Keep at most {most} rows.",
                path,
            )
        elif n < low:
            diag(
                out,
                Code.WK407,
                f"The answer to {who} has {n} row{'s' if n != 1 else ''}; at "
                f"least {low} are asked for.",
                f"Add rows until there are {low}.",
                path,
            )
        rows: list[dict[str, Any] | None] = []
        for i, row in enumerate(value):
            where = (*path, i)
            if type(row) is not dict:
                diag(
                    out,
                    Code.WK401,
                    f"Row {i + 1} of {who} should be a group of answers keyed by column id, but "
                    f"it is {describe(row)}.",
                    'Write each row like {"column_id": answer, …}.',
                    where,
                )
                rows.append(None)  # expressions see a row with no answers
                continue
            clean: dict[str, Any] = {}
            for position, (key, cell) in enumerate(row.items(), 1):
                col = columns.get(key) if type(key) is str else None
                if col is None:
                    cell_path = (*where, segment(key, position))
                    diag(
                        out,
                        Code.WK408,
                        f"Row {i + 1} of {who} has an answer for the key {named(key, position)}, which is not "
                        "a column of this table.",
                        "Use the column ids of the table: " + ", ".join(columns) + ".",
                        cell_path,
                    )
                    continue
                # Checks are pure: run once without the (costly) names, again to word errors.
                mark = len(out)
                result = col.check(cell, (), "", out)
                if len(out) > mark:
                    del out[mark:]
                    result = col.check(cell, (*where, key), f"{col.who} in row {i + 1}", out)
                if result is not MISSING:
                    clean[key] = result  # INVALID stays as a marker; expressions see null
            rows.append(clean)
        return rows

    return check

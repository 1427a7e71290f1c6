"""Checks of one worksheet's meaning: ids, options, ranges, bands, URLs, languages, expressions.

Each check is a generator of diagnostics over *located* items, so a worksheet made from a
template (``extends``) reports each problem in the file that wrote it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from .._urls import ALLOWED_LINKS, link_problem
from ..codes import Code
from ..errors import Diagnostic
from ..loading.modelerrors import did_you_mean
from ..model import (
    LIKERT_PRESETS,
    PRESET_LANGUAGES,
    Checklist,
    Choice,
    DurationItem,
    Likert,
    Media,
    Note,
    NumberItem,
    Ranking,
    Rating,
    Section,
    Table,
    TextItem,
    Worksheet,
    YesNo,
    is_duration,
    item_options,
    item_range,
    symbol_kind,
)
from .located import Located

if TYPE_CHECKING:  # pragma: no cover
    from ..expressions import SymbolKind, SymbolTable

TEXT_KEYS = frozenset(
    {
        "title",
        "summary",
        "rationale",
        "instructions",
        "label",
        "help",
        "text",
        "pattern_message",
        "placeholder",
        "unit",
        "row_label",
        "transcript",
        "alt",
        "caption",
        "message",
        "note",
    }
)
MARKDOWN_KEYS = frozenset({"instructions", "text", "help", "rationale", "summary", "transcript"})
DURATION_KEYS = frozenset({"for", "window", "grace", "before_due", "after_open", "duration"})
_NEWLINE = re.compile(r"\r\n?|\n")


@dataclass(frozen=True)
class LocatedItem:
    model: Any
    node: Located
    table: Table | None = None  # the table whose column this is


def walk_items(models: Iterable[Any], nodes: Iterable[Located]) -> Iterator[LocatedItem]:
    """Every item, depth-first, sections opened, table columns after their table."""
    for model, node in zip(models, nodes, strict=False):
        yield LocatedItem(model, node)
        if isinstance(model, Section):
            items = node.at("items")
            yield from walk_items(model.items, [items.at(i) for i in range(len(model.items))])
        elif isinstance(model, Table):
            cols = node.at("columns")
            for i, col in enumerate(model.columns):
                yield LocatedItem(col, cols.at(i), model)


def item_symbol(item: Any, **more: Any) -> Any:
    """What an item stands for in expressions, with the values it can hold (WK310)."""
    from ..expressions import Symbol

    kind = symbol_kind(item) or "text"
    values: tuple[Any, ...] | None = None
    bounds: tuple[float, float, float] | None = None
    if isinstance(item, Choice | Likert | Checklist | Ranking):
        values = tuple(o.value for o in item_options(item))
    elif isinstance(item, YesNo):
        values = (True, False)
    elif isinstance(item, Rating):
        bounds = (float(item.min), float(item.max), float(item.step))
    return Symbol(kind=cast("SymbolKind", kind), values=values or None, bounds=bounds, **more)


class WorksheetChecker:
    """Runs every meaning check of one (resolved) worksheet."""

    def __init__(self, ws: Worksheet, root: Located, item_nodes: list[Located]) -> None:
        self.ws = ws
        self.root = root
        self.item_nodes = item_nodes
        self.items = list(walk_items(ws.items, item_nodes))

    def run(self) -> Iterator[Diagnostic]:
        if self.ws.extends is None:
            if self.ws.title is None:
                yield self.root.diag(
                    Code.WK101,
                    "The key 'title' is missing from a worksheet.",
                    "Add 'title: …' (the name the client sees).",
                )
            if not self.ws.items:
                yield self.root.diag(
                    Code.WK213,
                    "This worksheet has no items.",
                    "Add 'items:' with at least one question, note or exercise.",
                )
        yield from self.check_ids()
        for entry in self.items:
            yield from self.check_item(entry)
        yield from self.check_scores()
        yield from self.check_expressions()

    # -- ids ------------------------------------------------------------------------------
    def check_ids(self) -> Iterator[Diagnostic]:
        seen: dict[str, Located] = {}
        table_cols: dict[int, dict[str, Located]] = {}
        for entry in self.items:
            item_id = getattr(entry.model, "id", None)
            if item_id is None:
                continue
            scope = seen if entry.table is None else table_cols.setdefault(id(entry.table), {})
            if item_id in scope:
                first = scope[item_id]
                line = first.position()[0]
                yield entry.node.at("id").diag(
                    Code.WK201,
                    f"The id '{item_id}' is used twice (first on line {line}"
                    + (f" of {first.doc.file}" if first.doc.file != entry.node.doc.file else "")
                    + ").",
                    "Give each item its own id; answers are stored under it.",
                )
            else:
                scope[item_id] = entry.node
        scores = self.root.at("scores")
        score_ids: dict[str, int] = {}
        for i, score in enumerate(self.ws.scores):
            node = scores.at(i).at("id")
            if score.id in score_ids:
                yield node.diag(
                    Code.WK201,
                    f"The score id '{score.id}' is used twice (scores {score_ids[score.id] + 1} "
                    f"and {i + 1}).",
                    "Give each score its own id.",
                )
            elif score.id in seen:
                yield node.diag(
                    Code.WK201,
                    f"The score id '{score.id}' is also the id of an item.",
                    f"Give the score an id of its own, e.g. total or {score.id}_score.",
                )
            score_ids.setdefault(score.id, i)

    # -- items ----------------------------------------------------------------------------
    def check_item(self, entry: LocatedItem) -> Iterator[Diagnostic]:
        item, node = entry.model, entry.node
        if entry.table is None and symbol_kind(item) is not None and item.label is None:
            yield node.diag(
                Code.WK101,
                f"The key 'label' is missing from a {item.type} item.",
                "Add 'label: …' (the question the client sees).",
            )
        if isinstance(item, Choice | Checklist | Ranking | Likert):
            yield from self._options(item, node)
        if isinstance(item, NumberItem | Rating):
            yield from self._min_max(node, item.min, item.max, "min", "max")
        if isinstance(item, Rating):
            yield from self._rating(item, node)
        if isinstance(item, TextItem):
            yield from self._min_max(
                node, item.min_length, item.max_length, "min_length", "max_length"
            )
            if item.pattern is not None:
                # Imported here: RE2 is 7 ms of starting a validate, and most worksheets
                # have no pattern (2026-12-04).
                from .._patterns import check_pattern

                problem = check_pattern(item.pattern)
                if problem is not None:
                    yield node.at("pattern").diag(
                        Code.WK217,
                        f"The pattern is not allowed (character {problem.offset + 1}): "
                        f"{problem.message}",
                        problem.hint + " Patterns must mean the same in RE2 and in browsers "
                        "(see 'Patterns' in docs/format.md).",
                    )
        if isinstance(item, Checklist):
            yield from self._min_max(
                node, item.min_selected, item.max_selected, "min_selected", "max_selected"
            )
            n = len(item.options)
            if item.min_selected is not None and item.min_selected > n + (1 if item.other else 0):
                yield node.at("min_selected").diag(
                    Code.WK209,
                    f"'min_selected' is {item.min_selected} but there are only {n} options.",
                    "Lower min_selected or add options.",
                )
        if isinstance(item, Table):
            yield from self._min_max(node, item.min_rows, item.max_rows, "min_rows", "max_rows")
        if isinstance(item, DurationItem):
            for key in ("min", "max", "default"):
                value = getattr(item, key)
                if value is not None and not is_duration(value):
                    yield node.at(key).diag(
                        Code.WK218,
                        f"'{key}' is not a duration: '{value}'.",
                        "Write durations in ISO 8601: PT5M (5 minutes), PT1H30M, P1D.",
                    )
        if isinstance(item, Media):
            refused = link_problem(item.url)
            if refused is not None:
                yield node.at("url").diag(
                    Code.WK212,
                    f"This media link {refused.said}; {ALLOWED_LINKS}.",
                    "Use an https:// link or a path relative to the pack, e.g. media/breathing.mp3.",
                )
            if item.duration is not None and not is_duration(item.duration):
                yield node.at("duration").diag(
                    Code.WK218,
                    f"'duration' is not a duration: '{item.duration}'.",
                    "Write durations in ISO 8601: PT10M (10 minutes).",
                )
        if isinstance(item, Note | Section | Media) and getattr(item, "id", None) is None:
            return
        yield from self._default(item, node)

    def _options(self, item: Any, node: Located) -> Iterator[Diagnostic]:
        if isinstance(item, Likert):
            if (item.options is None) == (item.scale is None):
                yield node.diag(
                    Code.WK214,
                    "A likert item needs either 'options' or 'scale' (a named preset), not "
                    + ("both." if item.options is not None else "neither."),
                    "Use 'scale: agreement-5' (or frequency-4, …) or list the options with values.",
                )
            if item.scale is not None and item.scale not in LIKERT_PRESETS:
                guess = did_you_mean(item.scale, list(LIKERT_PRESETS))
                yield node.at("scale").diag(
                    Code.WK214,
                    f"There is no likert scale called '{item.scale}'.",
                    (f"Did you mean '{guess}'? " if guess else "")
                    + "Presets: "
                    + ", ".join(LIKERT_PRESETS)
                    + ".",
                )
            missing = [
                lang
                for lang in dict.fromkeys([self.ws.language, *(self.ws.languages or [])])
                if lang not in PRESET_LANGUAGES
            ]
            if item.scale in LIKERT_PRESETS and missing:
                # An error when a declared translation would be missing; a warning when the
                # worksheet is simply written in another language (the labels show in English).
                declared = bool(set(missing) & set(self.ws.languages or []))
                yield node.at("scale").diag(
                    Code.WK207,
                    f"The preset scale '{item.scale}' has no labels in: {', '.join(missing)}; "
                    "they would be shown in English.",
                    "Write the options out with their translations, e.g. "
                    "{value: 0, label: {en: Not at all, "
                    f"{missing[0]}: …}}}}.",
                    severity="error" if declared else "warning",
                )
            if item.options is not None:
                for i, opt in enumerate(item.options):
                    value = getattr(opt, "value", opt)
                    if isinstance(value, str):
                        yield (
                            node.at("options")
                            .at(i)
                            .diag(
                                Code.WK102,
                                "A likert option's value must be a number (its score weight).",
                                "Write it as {value: 0, label: Not at all}.",
                            )
                        )
        raw = getattr(item, "options", None) or []
        seen: dict[Any, int] = {}
        for i, opt in enumerate(raw):
            value = getattr(opt, "value", opt)
            key = (type(value) is str, value)
            if key in seen:
                yield (
                    node.at("options")
                    .at(i)
                    .diag(
                        Code.WK208,
                        f"The option value '{value}' appears twice (entries {seen[key] + 1} and {i + 1}).",
                        "Give every option a different value; answers store the value.",
                    )
                )
            else:
                seen[key] = i

    def _min_max(
        self, node: Located, low: Any, high: Any, low_key: str, high_key: str
    ) -> Iterator[Diagnostic]:
        if low is not None and high is not None and low > high:
            yield node.at(low_key).diag(
                Code.WK209,
                f"'{low_key}' ({low}) is greater than '{high_key}' ({high}).",
                f"Swap them, or lower '{low_key}'.",
            )

    def _rating(self, item: Rating, node: Located) -> Iterator[Diagnostic]:
        if item.min < item.max and item.step > item.max - item.min:
            yield node.at("step").diag(
                Code.WK215,
                f"The step ({item.step}) is larger than the whole scale ({item.min}–{item.max}).",
                "Use a smaller step, e.g. 1.",
            )
        span = (item.max - item.min) / item.step if item.step else 0
        if span > 10_000:
            yield node.at("step").diag(
                Code.WK215,
                "This scale has more than 10,000 steps.",
                "Use a larger step or a smaller range.",
            )
        for value in item.anchors or {}:
            if not item.min <= value <= item.max:
                yield (
                    node.at("anchors")
                    .at(_anchor_key(value))
                    .diag(
                        Code.WK215,
                        f"The anchor at {value} is outside the scale ({item.min}–{item.max}).",
                        "Anchor only values the client can choose.",
                        key=True,
                    )
                )

    def _default(self, item: Any, node: Located) -> Iterator[Diagnostic]:
        default = getattr(item, "default", None)
        if default is None:
            return
        problem: str | None = None
        if isinstance(item, Choice | Likert):
            values = [o.value for o in item_options(item)]
            if default not in values:
                problem = "is not one of the options"
        elif isinstance(item, Checklist | Ranking):
            values = [o.value for o in item_options(item)]
            if any(v not in values for v in default):
                problem = "names a value that is not an option"
        elif isinstance(item, NumberItem | Rating):
            low = getattr(item, "min", None)
            high = getattr(item, "max", None)
            if (low is not None and default < low) or (high is not None and default > high):
                problem = "is outside the allowed range"
        if problem:
            yield node.at("default").diag(
                Code.WK216,
                f"The default value {problem}.",
                "Change 'default' to an allowed answer, or remove it.",
            )

    # -- scores ---------------------------------------------------------------------------
    def check_scores(self) -> Iterator[Diagnostic]:
        scores = self.root.at("scores")
        for i, score in enumerate(self.ws.scores):
            node = scores.at(i)
            bands = node.at("bands")
            previous: float | None = None
            for j, band in enumerate(score.bands):
                if previous is not None and band.max <= previous:
                    yield (
                        bands.at(j)
                        .at("max")
                        .diag(
                            Code.WK210,
                            f"Score band {j + 1} ends at {band.max}, not above the band before it "
                            f"({previous}): the bands overlap or are out of order.",
                            "List bands from lowest to highest; each 'max' is the band's inclusive "
                            "upper bound.",
                        )
                    )
                previous = float(band.max)
            if score.missing.method == "prorate" and score.missing.allow == 0:
                yield node.at("missing").diag(
                    Code.WK225,
                    "'method: prorate' with 'allow: 0' never prorates.",
                    "Set 'allow' to the number of items that may be missing, or use method: none.",
                    severity="warning",
                )
            rng = self.score_range(score)
            if rng is None or not score.bands:
                continue
            low, high = rng
            if score.bands[0].max < low:
                yield (
                    bands.at(0)
                    .at("max")
                    .diag(
                        Code.WK211,
                        f"The first band ends at {score.bands[0].max}, below the lowest possible score "
                        f"({_num(low)}).",
                        "Start the bands at the lowest possible score.",
                    )
                )
            last = score.bands[-1]
            if last.max < high:
                yield (
                    bands.at(len(score.bands) - 1)
                    .at("max")
                    .diag(
                        Code.WK211,
                        f"The last band ends at {last.max}, but the score can reach {_num(high)}: "
                        "scores above it would have no band.",
                        f"Set the last band's max to {_num(high)}.",
                    )
                )

    def score_range(self, score: Any) -> tuple[float, float] | None:
        if score.min is not None and score.max is not None:
            return float(score.min), float(score.max)
        from ..expressions import ExpressionSyntaxError, evaluate, parse

        try:
            expr = parse(score.formula)
        except ExpressionSyntaxError:
            return None
        lows: dict[str, Any] = {}
        highs: dict[str, Any] = {}
        for entry in self.items:
            if entry.table is not None:
                continue
            rng = item_range(entry.model)
            item_id = getattr(entry.model, "id", None)
            if rng is not None and item_id:
                lows[item_id], highs[item_id] = rng
        a = evaluate(expr, lows)  # the language never raises: a failure is None
        b = evaluate(expr, highs)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b)):
            return None
        if any(math.isnan(float(v)) for v in (a, b)):
            return None
        return min(float(a), float(b)), max(float(a), float(b))

    # -- expressions ----------------------------------------------------------------------
    def symbols(self) -> SymbolTable:
        """The worksheet's items and scores as the expression checker sees them (built once
        per worksheet: its column index serves every expression)."""
        from ..expressions import Symbol, SymbolTable

        table: dict[str, Any] = {}
        for entry in self.items:
            if entry.table is not None:
                continue
            kind = symbol_kind(entry.model)
            item_id = getattr(entry.model, "id", None)
            if kind is None or item_id is None:
                continue
            columns = most = None
            if isinstance(entry.model, Table):  # the one item with columns and max_rows
                columns = {c.id: item_symbol(c) for c in entry.model.columns}
                # (asked of every item, getattr went through pydantic's __getattr__ and its
                # AttributeError: a third of this method, 26 example imports 1.49 → 1.01 ms,
                # 2026-12-05)
                most = entry.model.max_rows
            table[item_id] = item_symbol(entry.model, columns=columns, max_rows=most)
        for score in self.ws.scores:
            table.setdefault(score.id, Symbol(kind="score"))
        return SymbolTable(table)

    def expressions(self) -> Iterator[tuple[str, str, Located, Mapping[str, Any] | None]]:
        """(owner id, source, node, row scope) for every expression of the worksheet."""

        for entry in self.items:
            item = entry.model
            if getattr(item, "show_if", None):
                owner = getattr(item, "id", None) or f"@{entry.node.path}"
                row = None
                if entry.table is not None:
                    row = {c.id: item_symbol(c) for c in entry.table.columns}
                    owner = f"{entry.table.id}.{owner}"
                yield owner, item.show_if, entry.node.at("show_if"), row
        scores = self.root.at("scores")
        for i, score in enumerate(self.ws.scores):
            yield score.id, score.formula, scores.at(i).at("formula"), None
            for j, alert in enumerate(score.alerts):
                yield f"@alert{i}.{j}", alert.when, scores.at(i).at("alerts").at(j).at("when"), None
        if self.ws.completion:
            yield "@completion", self.ws.completion, self.root.at("completion"), None

    def check_expressions(self) -> Iterator[Diagnostic]:
        from ..expressions import (
            ROW_LIMIT,
            WORKSHEET_FUNCTIONS,
            ExpressionSyntaxError,
            check,
            find_cycle,
            parse,
            references,
            value_hint,
        )

        symbols = self.symbols()
        allowed = WORKSHEET_FUNCTIONS
        graph: dict[str, set[str]] = {}
        where: dict[str, Located] = {}
        item_ids = {
            i for e in self.items if e.table is None and (i := getattr(e.model, "id", None))
        }
        clashing = {s.id for s in self.ws.scores if s.id in item_ids}
        fallback: dict[tuple[str, tuple[str, ...]], str] = {}  # one listing per worksheet

        def hint_for(code: str, row: Mapping[str, Any] | None) -> str:
            key = (code, tuple(row or ()))
            if key not in fallback:
                fallback[key] = _expr_hint(code, symbols, row)
            return fallback[key]

        for owner, source, node, row in self.expressions():
            try:
                expr = parse(source)
            except ExpressionSyntaxError as exc:
                p = exc.problem
                start = p.offset or 0
                word = source[start : start + p.length]
                hint = value_hint(word, {**symbols, **(row or {})}) if word[:1].isupper() else None
                yield node.diag(
                    p.code, p.message, hint or p.hint or hint_for(p.code, row), offset=p.offset
                )
                continue
            # A column's show_if runs once per row of its table (the cost bound, WK309).
            table = symbols.get(owner.split(".")[0]) if row is not None else None
            repeat = (table.max_rows or ROW_LIMIT) if table is not None else 1
            for p in check(expr, symbols, functions_allowed=allowed, row=row, repeat=repeat):
                yield node.diag(
                    p.code,
                    p.message,
                    p.hint or hint_for(p.code, row),
                    severity=p.severity,
                    offset=p.offset,
                )
            if not owner.startswith("@") and not (
                owner in clashing and node.path and node.path[-1] == "formula"
            ):
                key = owner.split(".")[0]
                graph.setdefault(key, set()).update(
                    r for r in references(expr, symbols=symbols) if r in symbols
                )
                where.setdefault(key, node)
        cycle = find_cycle({k: sorted(v) for k, v in graph.items()})
        if cycle:
            node = where.get(cycle[0], self.root)
            yield node.diag(
                Code.WK307,
                "These depend on each other in a circle: " + " → ".join(cycle) + ".",
                "Break the circle: an item's show_if or a formula cannot depend, even "
                "indirectly, on itself.",
            )


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def check_text_fields(
    root: Located,
    language: str,
    languages: list[str] | None,
) -> list[Diagnostic]:
    """Translations for declared languages; a language map always has the default language;
    links are http(s) or relative; durations are ISO 8601."""
    required = list(dict.fromkeys([language, *(languages or [])]))
    walker = _TextWalker(root, language, required, bool(languages))
    walker.walk(root.value, root.path)
    return walker.out


class _TextWalker:
    """One pass over the raw data; ``Located`` values are made only where there is a problem."""

    def __init__(self, root: Located, language: str, required: list[str], declared: bool) -> None:
        self.root = root
        self.language = language
        self.required = required
        self.declared = declared
        self.out: list[Diagnostic] = []
        self.markdown_budget: list[int] = []  # characters of Markdown left to parse (WK229)

    def node(self, value: Any, path: tuple[str | int, ...]) -> Located:
        return Located(value, self.root.doc, path)

    def walk(self, value: Any, path: tuple[str | int, ...]) -> None:
        # Dispatched on the child's type first (numbers, booleans and None skip every key
        # test), the text and link checks in methods of their own; the same checks in the
        # same order as one chain of conditions per key, 12 % faster: 0.146 → 0.128 ms per
        # thought record (CPU, best of 7 × 400 documents, 2026-12-04).
        if isinstance(value, dict):
            for key, child in value.items():
                if isinstance(child, str):
                    if key in TEXT_KEYS:
                        self.text(child, (*path, key), key)
                    elif key in ("url", "homepage"):
                        self.link(value, child, (*path, key))
                elif isinstance(child, dict):
                    if key in TEXT_KEYS and _is_text(child):
                        self.text(child, (*path, key), key)
                    elif key == "anchors":
                        for anchor, text in child.items():
                            self.out.extend(
                                _check_text(
                                    text,
                                    partial(self.node, text, (*path, key, anchor)),
                                    "anchor",
                                    self.language,
                                    self.required,
                                    self.declared,
                                )
                            )
                    else:
                        self.walk(child, (*path, key))
                elif isinstance(child, list):
                    if key == "options":
                        self.options(child, (*path, key))
                    else:
                        self.walk(child, (*path, key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                if isinstance(child, dict | list):
                    self.walk(child, (*path, i))

    def text(self, value: Any, path: tuple[str | int, ...], key: Any) -> None:
        self.out.extend(
            _check_text(
                value,
                partial(self.node, value, path),
                str(key),
                self.language,
                self.required,
                self.declared,
                self.markdown_budget,
            )
        )

    def link(self, owner: dict[Any, Any], url: str, path: tuple[str | int, ...]) -> None:
        if owner.get("type") == "media":
            return  # the media check reports it, with a media-specific hint
        problem = link_problem(url)
        if problem is not None:
            self.out.append(
                self.node(url, path).diag(
                    Code.WK212,
                    f"This link {problem.said}; {ALLOWED_LINKS}.",
                    "Use an https:// address or a path inside the pack.",
                )
            )

    def options(self, options: list[Any], path: tuple[str | int, ...]) -> None:
        for i, opt in enumerate(options):
            if (
                isinstance(opt, dict)
                and "label" not in opt
                and isinstance(opt.get("value"), str)
                and self.declared
                and len(self.required) > 1
            ):
                opt = opt["value"]  # shown as its value: as untranslated as a bare word
            if isinstance(opt, str) and self.declared and len(self.required) > 1:
                self.out.append(
                    self.node(opt, (*path, i)).diag(
                        Code.WK207,
                        f"The option '{opt}' has no translations for: "
                        + ", ".join(self.required[1:])
                        + ".",
                        f"Write it as {{value: {opt}, label: {{{self.language}: …, "
                        f"{self.required[1]}: …}}}}.",
                    )
                )
            elif isinstance(opt, dict | list):
                self.walk(opt, (*path, i))


def _is_text(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    )


def _check_text(
    value: Any,
    at: Callable[[], Located],
    key: str,
    language: str,
    required: list[str],
    declared: bool,
    budget: list[int] | None = None,
) -> Iterator[Diagnostic]:
    # The text's Located is made (``at()``) only for a diagnostic: most texts have none, and
    # making one for each was a fifth of the text check (26 example FHIR imports: 1.85 → 1.47 ms,
    # 2026-12-05).
    if isinstance(value, dict):
        if language not in value:
            yield at().diag(
                Code.WK223,
                f"This text has no '{language}' version, the worksheet's default language.",
                f"Add '{language}: …' to the map (languages given: {', '.join(map(str, value))}).",
            )
        if declared:
            missing = [lang for lang in required if lang not in value and lang != language]
            if missing:
                yield at().diag(
                    Code.WK207,
                    f"The {key} has no translation for: {', '.join(missing)}.",
                    "Add the translation, or remove the language from 'languages'.",
                )
    elif declared and len(required) > 1:
        yield at().diag(
            Code.WK207,
            f"The {key} is only written in '{language}'; 'languages' also asks for: "
            + ", ".join(required[1:])
            + ".",
            f"Write it as a map: {{{language}: …, {required[1]}: …}}.",
        )
    if key in MARKDOWN_KEYS:
        texts = (
            [value] if isinstance(value, str) else [v for v in value.values() if isinstance(v, str)]
        )
        for text in texts:
            yield from _check_links(at, value, text, budget)


def _check_links(
    at: Callable[[], Located], value: Any, text: str, budget: list[int] | None
) -> Iterator[Diagnostic]:
    """WK212 from the same parse the renderers use (``markdown_links``): a link is reported
    exactly when the printable and the HTML page drop it. Texts too long to parse (or past
    the document's budget) are WK229, and their links are not followed by any renderer."""
    from .._text import (  # not at import time: `import worksheetkit` stays light
        MARKDOWN_BUDGET,
        MAX_MARKDOWN_CHARS,
        markdown_links,
    )

    if budget is not None and not budget:
        budget.append(MARKDOWN_BUDGET)
    if len(text) > MAX_MARKDOWN_CHARS or (budget is not None and len(text) > budget[0]):
        too_long = len(text) > MAX_MARKDOWN_CHARS
        if budget is not None:
            budget[0] = 0
        yield at().diag(
            Code.WK229,
            f"This text is {len(text):,} characters long; formatted text (Markdown) is kept "
            f"to {MAX_MARKDOWN_CHARS:,} characters a text"
            if too_long
            else f"This worksheet has more than {MARKDOWN_BUDGET:,} characters of formatted "
            "text (Markdown) in all",
            "Shorten it or split it into several notes or worksheets; until then it is shown "
            "as plain text and its links are not followed.",
        )
        return
    if budget is not None:
        budget[0] -= len(text)
    if "[" not in text and "<" not in text:
        return  # no link or image can be written without one of these
    lines = [0]
    for m in _NEWLINE.finditer(text):
        lines.append(m.end())
    lowered = text.lower()
    used: set[int] = set()
    for link in markdown_links(text):
        problem = link_problem(link.href)
        if problem is None:
            continue
        start = lines[min(link.line, len(lines) - 1)]
        found = _locate(lowered, problem.needle, (start, 0), used)
        used.add(found)
        kind = "An image" if link.image else "A link"
        yield at().diag(
            Code.WK212,
            f"{kind} in this text {problem.said}; {ALLOWED_LINKS}.",
            "Use an https:// link or a path inside the pack, or remove it.",
            offset=_offset(value, text, found),
        )


def _locate(lowered: str, needle: str, starts: tuple[int, ...], used: set[int]) -> int:
    """Where a refused link's scheme is written: from its paragraph on, else anywhere (a
    reference definition may stand elsewhere), else the paragraph; never a place already
    reported, so two links are two diagnostics."""
    for begin in starts:
        found = lowered.find(needle, begin)
        while found >= 0 and found in used:
            found = lowered.find(needle, found + 1)
        if found >= 0:
            return found
    found = starts[0]
    while found in used:
        found += 1
    return found


def _offset(value: Any, text: str, index: int) -> int | None:
    """Offsets point into the scalar only when the text is the scalar itself (not a map)."""
    return index if isinstance(value, str) and value == text else None


def _anchor_key(value: float) -> str | int:
    return int(value) if float(value).is_integer() else str(value)


def expr_hint(code: str, names: Iterable[str]) -> str:
    """A fallback hint for expression problems that came without one."""
    if code == Code.WK302:
        listed = sorted(names)
        shown = ", ".join(listed[:12]) + (", …" if len(listed) > 12 else "")
        return (
            f"Names are item ids of this worksheet: {shown}."
            if listed
            else ("This worksheet has no items to refer to.")
        )
    return "See docs/expressions.md for the expression language."


def _expr_hint(code: str, symbols: Mapping[str, Any], row: Mapping[str, Any] | None) -> str:
    return expr_hint(code, [*symbols, *(row or {})])

"""From a worksheet to what the HTML templates show: localised, escaped, with ids and names.

The templates stay simple: every decision (which control, which name, which id, which text)
is made here, once, with the JSON path of every text so a missing translation can be reported.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, assert_never

from markupsafe import Markup, escape

from .._text import Localiser, json_value, link_ok, number_text
from ..model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    InputItem,
    Likert,
    Media,
    Note,
    NumberItem,
    Option,
    Ranking,
    Rating,
    Section,
    Table,
    TextItem,
    TimeItem,
    Worksheet,
    YesNo,
    display_label,
)
from ._conditions import for_worksheet as conditions_for
from ._config import (
    _expr_json,
    _expr_obj,
    _fill_constraints,
    _Opt,
    _options,
    _references,
    duration_minutes,
)
from ._print import print_words, scale_marks, table_rows, text_lines

OTHER = "__other__"


# the form value of an "Other" choice; its text goes in "<name>__other"
_SLUG = re.compile(r"[^a-z0-9_-]+")
MAX_BUTTONS = 21  # a rating with more steps than this is shown as a slider/number instead


@dataclass(slots=True)
class OptionView:
    value: Any
    form_value: str
    label: Markup
    label_text: str
    dom_id: str
    help: Markup | None = None
    exclusive: bool = False
    checked: bool = False
    anchor: Markup | None = None  # a rating button's anchor words, after its number


@dataclass(slots=True)
class FieldView:
    """One answer control (an item, or one cell of a table row)."""

    type: str
    id: str
    name: str
    dom_id: str
    label: Markup
    label_text: str
    help: Markup | None = None
    required: bool = False
    conditional: bool = False
    readonly: bool = False
    show_if: str | None = None
    options: list[OptionView] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    value: str = ""
    unit: Markup | None = None
    anchors: list[tuple[str, Markup]] = field(default_factory=list)
    # A slider's or printed scale's anchors with where each sits (``at``), worked out here
    # once rather than by a method call from the template for each (2 % of a render).
    ends: list[tuple[str, Markup, str]] = field(default_factory=list)
    other: bool = False
    other_value: str = ""
    other_checked: bool = False
    widget: str = ""
    multiline: bool = False
    columns: list[FieldView] = field(default_factory=list)
    rows: list[list[FieldView]] = field(default_factory=list)
    row_label: str = ""
    in_cell: bool = False
    max_length: int | None = None
    optional_text: str = "(optional)"
    # For the printed handout (docs/rendering.md, Printing).
    condition: str = ""  # the show_if in words
    print_lines: int = 1
    marks: list[str] = field(default_factory=list)  # a rating's numbers to circle
    range_min: float = 0
    range_max: float = 0
    print_extra: int = 0  # blank table rows only on paper
    col_hint: Markup | None = None  # a rating column's scale, under its header
    words: dict[str, str] = field(default_factory=dict)
    # A redisplayed submission (render(answers=, diagnostics=)): the messages shown beside the
    # question, and for a table cell the id of its table's message.
    errors: list[str] = field(default_factory=list)
    invalid: bool = False
    error_ref: str = ""
    error_prefix: str = "Error:"

    @property
    def hint_id(self) -> str:
        return f"{self.dom_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.dom_id}-error"

    @property
    def describedby(self) -> str:
        ids = []
        if self.errors:
            ids.append(self.error_id)
        if self.help is not None:
            ids.append(self.hint_id)
        if self.anchors and self.widget != "buttons":
            ids.append(f"{self.dom_id}-anchors")
        if self.unit is not None:
            ids.append(f"{self.dom_id}-unit")
        if self.max_length is not None:
            ids.append(f"{self.dom_id}-count")
        return " ".join(ids)

    @property
    def error_class(self) -> str:
        return " wk-item--error" if self.errors else ""

    def at(self, value: str) -> str:
        """Where ``value`` sits along the scale, in whole percents (the stylesheet's
        ``wk-at-0`` … ``wk-at-100``: a style attribute would be refused by a strict
        Content-Security-Policy, and 1 % of a slider is under a pixel or two)."""
        span = self.range_max - self.range_min
        pct = 0.0 if span <= 0 else (float(value) - self.range_min) / span * 100
        return str(round(min(max(pct, 0.0), 100.0)))


@dataclass(slots=True)
class BlockView:
    """A display block: note, section (with children) or media."""

    type: str
    dom_id: str
    show_if: str | None = None
    text: Markup | None = None
    title: Markup | None = None
    help: Markup | None = None
    level: int = 2
    children: list[FieldView | BlockView] = field(default_factory=list)
    kind: str = ""
    url: str = ""
    alt: str = ""
    label: Markup | None = None
    caption: Markup | None = None
    transcript: Markup | None = None
    duration: str = ""
    item_id: str = ""
    condition: str = ""  # on paper, the show_if in words


@dataclass
class ScoreView:
    id: str
    dom_id: str
    label: Markup


@dataclass
class PageView:
    worksheet: Worksheet
    language: str
    direction: str
    prefix: str
    title: Markup
    title_text: str
    summary: Markup | None
    rationale: Markup | None
    instructions: Markup | None
    minutes: str | None
    level: int
    items: list[FieldView | BlockView]
    scores: list[ScoreView]
    config: str
    source: list[tuple[str, Markup]]
    ui: dict[str, str]
    pw: dict[str, str] = field(default_factory=dict)  # the printed handout's words
    # A redisplayed submission: the error summary's entries (link target or "", message).
    errors: list[tuple[str, str]] = field(default_factory=list)


class ViewBuilder:
    """Builds a :class:`PageView` for one worksheet in one language.

    ``answers`` (a redisplayed submission) replace the items' defaults; ``problems`` are
    ``(item id, row, column, message)`` from the diagnostics to show beside the questions."""

    def __init__(
        self,
        ws: Worksheet,
        loc: Localiser,
        ui: dict[str, str],
        level: int,
        *,
        answers: dict[str, Any] | None = None,
        problems: list[tuple[str | None, int | None, str | None, str]] | None = None,
    ) -> None:
        self.ws = ws
        self.loc = loc
        self.ui = ui
        self.level = level
        self.answers = answers
        self.problems = problems or []
        self.item_errors: dict[str, list[str]] = {}
        self.bad_cells: set[tuple[str, int, str]] = set()
        for item_id, row, col, message in self.problems:
            if item_id is None:
                continue
            self.item_errors.setdefault(item_id, []).append(message)
            if row is not None and col is not None:
                self.bad_cells.add((item_id, row, col))
        self.fields_by_id: dict[str, FieldView] = {}
        self.prefix = "wk-" + _SLUG.sub("-", ws.id.lower())
        self.config_items: list[dict[str, Any]] = []
        self.context_level = level
        self.conditions = conditions_for(ws, loc, ui)
        self.print_words = print_words(loc.language)

    # -- entry -----------------------------------------------------------------------------
    def page(self) -> PageView:
        ws, loc = self.ws, self.loc
        title_text, title = loc.text_and_inline(ws.title, "$.title")
        title_text = title_text or ws.id
        items = self.items(ws.items, "$.items", self.level + 1, conditional=False)
        scores = [
            ScoreView(
                s.id, f"{self.prefix}-score-{s.id}", loc.inline(s.label, f"$.scores[{i}].label")
            )
            for i, s in enumerate(ws.scores)
            if s.shown_to_client
        ]
        source: list[tuple[str, Markup]] = []
        if ws.source is not None:
            if ws.source.authors:
                source.append((self.ui["authors"], escape(", ".join(ws.source.authors))))
            if ws.source.citation:
                source.append((self.ui["source"], escape(ws.source.citation)))
            if ws.source.license:
                source.append((self.ui["licence"], escape(ws.source.license)))
            if ws.source.copyright:
                source.append(("©", escape(ws.source.copyright)))
        minutes = None
        if ws.estimated_minutes is not None:
            minutes = self.ui["minutes_estimate"].format(n=number_text(ws.estimated_minutes))
        return PageView(
            worksheet=ws,
            language=loc.language,
            direction="rtl" if _rtl(loc.language) else "ltr",
            prefix=self.prefix,
            title=title if ws.title is not None else escape(ws.id),
            title_text=title_text,
            summary=self._md(ws.summary, "$.summary"),
            rationale=self._md(ws.rationale, "$.rationale"),
            instructions=self._md(ws.instructions, "$.instructions"),
            minutes=minutes,
            level=self.level,
            items=items,
            scores=scores,
            config=self.config(),
            source=source,
            ui=self.ui,
            pw=print_words(loc.language),
            errors=self._summary(),
        )

    def _summary(self) -> list[tuple[str, str]]:
        """The error summary: every problem, linked to its control (as the runtime links)."""
        out = []
        for item_id, row, col, message in self.problems:
            fv = self.fields_by_id.get(item_id) if item_id is not None else None
            out.append((focus_target(fv, row, col) if fv is not None else "", message))
        return out

    def _md(self, value: Any, path: str, level: int | None = None) -> Markup | None:
        if value is None:
            return None
        # ``level``: the enclosing heading's level; a Markdown "#" becomes one below it.
        return self.loc.markdown(value, path, level if level is not None else self.level)

    # -- items -----------------------------------------------------------------------------
    def items(
        self, items: list[Any], path: str, level: int, *, conditional: bool
    ) -> list[FieldView | BlockView]:
        out: list[FieldView | BlockView] = []
        self.context_level = level - 1
        for i, item in enumerate(items):
            p = f"{path}[{i}]"
            show_if = _expr_json(item.show_if)
            if isinstance(item, Note):
                out.append(
                    BlockView(
                        "note",
                        f"{self.prefix}-note-{p_slug(p)}"
                        if item.id is None
                        else f"{self.prefix}-{item.id}",
                        show_if=show_if,
                        text=self._md(item.text, f"{p}.text", level - 1),
                    )
                )
            elif isinstance(item, Section):
                dom = f"{self.prefix}-{item.id}" if item.id else f"{self.prefix}-s-{p_slug(p)}"
                out.append(
                    BlockView(
                        "section",
                        dom,
                        show_if=show_if,
                        title=self.loc.inline(item.title, f"{p}.title"),
                        help=self._md(item.help, f"{p}.help", level),
                        level=min(level, 6),
                        children=self.items(
                            item.items,
                            f"{p}.items",
                            level + 1,
                            conditional=conditional or show_if is not None,
                        ),
                    )
                )
                self.context_level = level - 1
            elif isinstance(item, Media):
                out.append(self.media(item, p, show_if))
            else:
                fv = self.field(item, p, conditional=conditional or show_if is not None)
                out.append(fv)
            if item.show_if:
                out[-1].condition = self.conditions.sentence(item.show_if)
        return out

    def media(self, item: Media, p: str, show_if: str | None) -> BlockView:
        loc = self.loc
        url = item.url if link_ok(item.url) else ""
        return BlockView(
            "media",
            f"{self.prefix}-{item.id}" if item.id else f"{self.prefix}-m-{p_slug(p)}",
            show_if=show_if,
            kind=item.kind,
            url=url,
            alt=loc.text(item.alt, f"{p}.alt")
            if item.alt is not None
            else loc.text(item.label, f"{p}.label"),
            label=loc.inline(item.label, f"{p}.label") if item.label is not None else None,
            caption=loc.inline(item.caption, f"{p}.caption") if item.caption is not None else None,
            transcript=self._md(item.transcript, f"{p}.transcript", self.context_level)
            if item.transcript is not None
            else None,
            duration=_duration_words(item.duration),
            item_id=item.id or "",
        )

    def field(self, item: Any, p: str, *, conditional: bool) -> FieldView:
        default = getattr(item, "default", None)
        if self.answers is not None and not item.readonly:
            default = self.answers.get(item.id)
        fv = self._control(
            item,
            p,
            name=item.id,
            dom_id=f"{self.prefix}-{item.id}",
            default=default,
            conditional=conditional,
        )
        fv.errors = self.item_errors.get(item.id, [])
        self.fields_by_id[item.id] = fv
        self.config_items.append(self._config(item, fv, p))
        if isinstance(item, Table):
            self._table(item, fv, p, default)
        return fv

    def _control(
        self,
        item: InputItem,
        p: str,
        *,
        name: str,
        dom_id: str,
        default: Any,
        conditional: bool,
        in_cell: bool = False,
        cell_label: str | None = None,
    ) -> FieldView:
        loc = self.loc
        label_path = f"{p}.label"
        label_text, label = loc.text_and_inline(display_label(item), label_path)
        if item.label is None:  # an unlabelled column's id in words, never marked as a fallback
            label = escape(label_text)
        if cell_label is not None:
            label_text = cell_label
            label = escape(cell_label)
        fv = FieldView(
            type=item.type,
            id=item.id,
            name=name,
            dom_id=dom_id,
            label=label,
            label_text=label_text,
            help=None if in_cell else self._md(item.help, f"{p}.help", self.context_level),
            required=bool(item.required),
            conditional=conditional,
            readonly=bool(item.readonly),
            show_if=None if in_cell else _expr_json(item.show_if),
            in_cell=in_cell,
            optional_text=self.ui["optional"],
            words=self.print_words,
            error_prefix=self.ui["error_prefix"],
        )
        self._fill_control(item, fv, p, default, in_cell)
        return fv

    def _fill_control(
        self, item: InputItem, fv: FieldView, p: str, default: Any, in_cell: bool
    ) -> None:
        """What is particular to each item type (a table's cells are filled by ``_table``)."""
        match item:
            case TextItem():
                self._text_control(item, fv, p, default, in_cell)
            case NumberItem():
                self._number_control(item, fv, p, default)
            case Rating():
                self._rating_control(item, fv, p, default, in_cell)
            case YesNo():
                self._yesno_control(fv, default)
            case DateItem() | TimeItem() | DateTimeItem():
                fv.value = default if isinstance(default, str) else ""
            case DurationItem():
                self._duration_control(item, fv, default)
            case Choice() | Likert() | Checklist() | Ranking():
                self._choice_control(item, fv, p, default)
            case Table():
                loc = self.loc
                fv.row_label = loc.text(item.row_label, f"{p}.row_label") if item.row_label else ""
            case _:
                assert_never(item)

    def _text_control(
        self, item: TextItem, fv: FieldView, p: str, default: Any, in_cell: bool
    ) -> None:
        attrs = fv.attrs
        fv.print_lines = text_lines(item)
        fv.multiline = item.multiline
        fv.max_length = None if in_cell else item.max_length
        if item.min_length is not None:
            attrs["minlength"] = str(item.min_length)
        if item.pattern and not item.multiline:
            attrs["pattern"] = item.pattern
        if item.placeholder is not None:
            attrs["placeholder"] = self.loc.text(item.placeholder, f"{p}.placeholder")
        fv.value = default if isinstance(default, str) else ""

    def _number_control(self, item: NumberItem, fv: FieldView, p: str, default: Any) -> None:
        attrs = fv.attrs
        for key in ("min", "max"):
            v = getattr(item, key)
            if v is not None:
                attrs[key] = number_text(v)
        attrs["step"] = number_text(item.step) if item.step else ("1" if item.integer else "any")
        attrs["inputmode"] = "numeric" if item.integer else "decimal"
        if item.unit is not None:
            fv.unit = self.loc.inline(item.unit, f"{p}.unit")
        fv.value = _shown(default)

    def _rating_control(
        self, item: Rating, fv: FieldView, p: str, default: Any, in_cell: bool
    ) -> None:
        fv.attrs.update(
            min=number_text(item.min), max=number_text(item.max), step=number_text(item.step)
        )
        fv.attrs["inputmode"] = "numeric" if _whole(item.step) and _whole(item.min) else "decimal"
        steps = _steps(item) if item.widget == "buttons" and not in_cell else None
        fv.widget = item.widget
        if fv.widget == "buttons" and (steps is None or len(steps) > MAX_BUTTONS):
            fv.widget = "slider"
        if in_cell:
            fv.widget = "number"
        if fv.widget != "buttons":
            fv.marks = scale_marks(item)
            fv.range_min, fv.range_max = float(item.min), float(item.max)
        anchors = item.anchors or {}
        for anchor in sorted(anchors, key=float):
            at = number_text(anchor)
            fv.anchors.append((at, self.loc.inline(anchors[anchor], f"{p}.anchors[{at!r}]")))
        if fv.widget != "buttons":
            fv.ends = [(at, words, fv.at(at)) for at, words in fv.anchors]
        if fv.widget == "buttons" and steps is not None:
            self._rating_buttons(fv, steps, default)
        fv.value = _shown(default)

    @staticmethod
    def _rating_buttons(fv: FieldView, steps: list[int | float], default: Any) -> None:
        anchor_map = {float(val): words for val, words in fv.anchors}
        for k, step_value in enumerate(steps):
            text = number_text(step_value)
            fv.options.append(
                OptionView(
                    step_value,
                    text,
                    escape(text),
                    text,
                    f"{fv.dom_id}-{k}",
                    checked=_is_number(default) and float(default) == float(step_value),
                    anchor=anchor_map.get(float(step_value)),
                )
            )

    def _yesno_control(self, fv: FieldView, default: Any) -> None:
        for k, (value, word) in enumerate(((True, "yes"), (False, "no"))):
            text = self.ui[word]
            fv.options.append(
                OptionView(
                    value,
                    "true" if value else "false",
                    escape(text),
                    text,
                    f"{fv.dom_id}-{k}",
                    checked=default is value,
                )
            )

    def _duration_control(self, item: DurationItem, fv: FieldView, default: Any) -> None:
        attrs = fv.attrs
        attrs["min"] = number_text(duration_minutes(item.min) or 0)
        mx = duration_minutes(item.max)
        if mx is not None:
            attrs["max"] = number_text(mx)
        attrs["step"] = "any"
        attrs["inputmode"] = "decimal"
        fv.unit = escape(self.ui["minutes"])
        dm = duration_minutes(default) if isinstance(default, str) else None
        fv.value = number_text(dm) if dm is not None else ""

    def _choice_control(
        self, item: Choice | Likert | Checklist | Ranking, fv: FieldView, p: str, default: Any
    ) -> None:
        opts = _options(item)
        chosen: list[Any]
        if isinstance(default, list):
            chosen = list(default)
        else:
            chosen = [] if default is None else [default]
        raw_path = f"{p}.options" if getattr(item, "options", None) is not None else None
        for k, opt in enumerate(opts):
            fv.options.append(self._option(opt, k, fv.dom_id, raw_path, item, chosen, p))
        if isinstance(item, Ranking) and chosen:
            order: dict[str, int] = {}
            for n, v in enumerate(chosen):
                order.setdefault(_key(v), n)
            fv.options.sort(key=lambda o: order.get(_key(o.value), len(order)))
        fv.other = isinstance(item, Choice | Checklist) and item.other
        if fv.other:
            for c in chosen:
                if isinstance(c, dict) and isinstance(c.get("other"), str):
                    fv.other_checked, fv.other_value = True, c["other"]
        if isinstance(item, Checklist):
            if item.min_selected is not None:
                fv.attrs["data-min"] = str(item.min_selected)
            if item.max_selected is not None:
                fv.attrs["data-max"] = str(item.max_selected)

    def _option(
        self,
        opt: _Opt,
        k: int,
        dom_id: str,
        raw_path: str | None,
        item: Any,
        chosen: list[Any],
        item_path: str,
    ) -> OptionView:
        raw = item.options[k] if raw_path is not None else None
        if isinstance(raw, Option) and raw.label is not None:
            label_text, label = self.loc.text_and_inline(raw.label, f"{raw_path}[{k}].label")
        else:
            # A bare option ("sad") or a preset: the value is the label. Bare strings are
            # in the default language (validation asks for maps when there are translations).
            text = opt.label if isinstance(opt.label, str) else ""
            if isinstance(opt.label, dict):  # a named scale: labels in several languages
                label_text, label = self.loc.text_and_inline(opt.label, f"{item_path}.scale")
            elif raw_path is not None and self.loc.language != self.loc.default:
                label = self.loc.inline(text, f"{raw_path}[{k}]")
                label_text = text
            else:
                label = escape(text)
                label_text = text
        help_ = None
        if isinstance(raw, Option) and raw.help is not None:
            help_ = self.loc.inline(raw.help, f"{raw_path}[{k}].help")
        # (a blank form chooses nothing: no JSON key made for each option)
        checked = bool(chosen) and any(_key(c) == _key(opt.value) for c in chosen)
        return OptionView(
            value=opt.value,
            form_value=opt.value if isinstance(opt.value, str) else number_text(opt.value),
            label=label,
            label_text=label_text,
            dom_id=f"{dom_id}-{k}",
            help=help_,
            exclusive=opt.exclusive,
            checked=checked,
        )

    def _table(self, item: Table, fv: FieldView, p: str, given: Any) -> None:
        defaults = given if isinstance(given, list) else []
        count = max(item.min_rows, len(defaults), 1)
        if item.max_rows is not None and self.answers is None:
            count = min(count, item.max_rows)  # answers sent are all shown, even too many
        for c, col in enumerate(item.columns):
            fv.columns.append(
                self._control(
                    col,
                    f"{p}.columns[{c}]",
                    name=col.id,
                    dom_id=f"{fv.dom_id}-h-{col.id}",
                    default=None,
                    conditional=False,
                    in_cell=True,
                )
            )
        for c, col in enumerate(item.columns):
            if isinstance(col, Rating):
                fv.columns[c].col_hint = self._scale_hint(col, fv.columns[c])
        # Each column's header in words, once for all its rows (striptags is a regex).
        headers = [
            h.label_text if h.col_hint is None else f"{h.label_text} {h.col_hint.striptags()}"
            for h in fv.columns
        ]
        for r in range(count):
            row_default = defaults[r] if r < len(defaults) and isinstance(defaults[r], dict) else {}
            cells = []
            for c, col in enumerate(item.columns):
                header = headers[c]
                cell = self._control(
                    col,
                    f"{p}.columns[{c}]",
                    name=f"{item.id}[{r}][{col.id}]",
                    dom_id=f"{fv.dom_id}-r{r}-{col.id}",
                    default=row_default.get(col.id)
                    if self.answers is not None
                    else row_default.get(col.id, getattr(col, "default", None)),
                    conditional=False,
                    in_cell=True,
                    cell_label=f"{header}, {self.ui['row'].format(n=r + 1)}",
                )
                cell.show_if = _expr_json(col.show_if)
                if (item.id, r, col.id) in self.bad_cells:
                    cell.invalid = True
                    if not isinstance(col, Checklist):
                        cell.error_ref = fv.error_id
                cells.append(cell)
            fv.rows.append(cells)
        fv.print_extra = max(0, table_rows(item) - count)

    def _scale_hint(self, col: Rating, head: FieldView) -> Markup | None:
        """A rating column's scale in words: "0–100: 0 Not at all, 100 Most intense ever"."""
        lo, hi = number_text(col.min), number_text(col.max)
        span = f"{lo}–{hi}"
        compact = head.label_text.replace(" ", "").replace("-", "–")
        parts: list[Markup] = []
        if span not in compact:
            parts.append(escape(span))
        for value, words in head.anchors:
            parts.append(Markup("{} {}").format(value, words))
        if not parts:
            return None
        return Markup("(") + Markup("; ").join(parts) + Markup(")")

    # -- configuration for the browser runtime ----------------------------------------------
    def _config(self, item: Any, fv: FieldView, p: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": item.id, "type": item.type, "label": fv.label_text}
        _fill_constraints(entry, item)
        if isinstance(item, Table):
            entry["min_rows"] = item.min_rows
            if item.max_rows is not None:
                entry["max_rows"] = item.max_rows
            cols = []
            for c, col in enumerate(item.columns):
                centry: dict[str, Any] = {
                    "id": col.id,
                    "type": col.type,
                    "label": self.loc.text(display_label(col), f"{p}.columns[{c}].label"),
                }
                _fill_constraints(centry, col)
                if col.show_if:
                    centry["show_if"] = _expr_obj(col.show_if)
                cols.append(centry)
            entry["columns"] = cols
        return entry

    def config(self) -> str:
        scores = []
        input_ids = {e["id"] for e in self.config_items}
        for i, s in enumerate(self.ws.scores):
            if not s.shown_to_client:  # a clinician-only score is not computed in the form
                continue
            names = _references(s.formula)
            if names is None:
                continue
            refs = sorted(r for r in names if r in input_ids)
            scores.append(
                {
                    "id": s.id,
                    "formula": _expr_obj(s.formula),
                    "refs": refs,
                    "missing": {"allow": s.missing.allow, "method": s.missing.method},
                    "bands": [
                        {
                            "max": b.max,
                            "label": self.loc.text(b.label, f"$.scores[{i}].bands[{j}].label"),
                        }
                        for j, b in enumerate(s.bands)
                    ],
                }
            )
        keys = [
            "optional",
            "error_prefix",
            "error_title",
            "row",
            "remove_row",
            "moved",
            "row_added",
            "row_removed",
            "chars_left",
            "chars_over",
            "not_answered",
            "submitted",
            "slider",
        ]
        strings = {k: self.ui[k] for k in keys}
        strings.update({k: v for k, v in self.ui.items() if k.startswith("err_")})
        data = {
            "worksheet": self.ws.id,
            "version": self.ws.version,
            "language": self.loc.language,
            "items": self.config_items,
            "scores": scores,
            "strings": strings,
        }
        return json_value(data)


def _key(value: Any) -> str:
    """How a chosen value is matched with an option (any JSON an app passes; never raises)."""
    try:
        return json_value(value)
    except (ValueError, TypeError):
        return repr(value)


def _shown(value: Any) -> str:
    """What a number box shows: the number, or nothing when the answer is no number (HTML
    allows only numbers there, and browsers blank anything else; the message beside the
    question says what to enter)."""
    if _is_number(value):
        return number_text(value)
    return ""


def focus_target(fv: FieldView, row: int | None, col: str | None) -> str:
    """The id of the control an error summary entry links to (the runtime's ``focusTarget``)."""
    if fv.type == "table" and fv.rows:
        r = row if row is not None and 0 <= row < len(fv.rows) else 0
        cells = fv.rows[r]
        cell = next((c for c in cells if c.id == col), cells[0])
        return f"{cell.dom_id}-0" if cell.type == "checklist" else cell.dom_id
    if fv.type == "ranking":
        return fv.dom_id
    if fv.type in ("choice", "likert", "yesno", "checklist") or (
        fv.type == "rating" and fv.widget == "buttons"
    ):
        return fv.options[0].dom_id if fv.options else f"{fv.dom_id}-o"
    return fv.dom_id


def p_slug(path: str) -> str:
    return _SLUG.sub("-", path.lower().replace("$.", "")).strip("-")


def _rtl(language: str) -> bool:
    from .._text import is_rtl

    return is_rtl(language)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _whole(v: float) -> bool:
    return float(v).is_integer()


def _steps(item: Rating) -> list[int | float] | None:
    if item.step <= 0 or item.max < item.min:
        return None
    n = math.floor((item.max - item.min) / item.step + 1e-9) + 1
    if n > 1000:
        return None
    out: list[int | float] = []
    for k in range(n):
        v = item.min + k * item.step
        v = round(v, 10)
        out.append(int(v) if float(v).is_integer() else v)
    return out


def _duration_words(text: str | None) -> str:
    """PT4M → "4 min", PT1H30M → "1 h 30 min": a media length as people write it."""
    minutes = duration_minutes(text)
    if minutes is None:
        return ""
    if minutes < 1:
        return f"{round(minutes * 60)} s"
    hours, rest = divmod(round(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"

"""Comparing two versions of a worksheet: every change, compatible or breaking, and which stored
responses a breaking change affects.

A change is **breaking** when a response that was valid for the old version may be invalid for
the new one, or may score differently; everything else (wording, a new optional question, a new
option, a wider range, new bands) is **compatible**. See docs/responses.md, "Versions".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, assert_never

from ._results import JsonResult, warn_as_dict
from .model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    Item,
    Likert,
    Media,
    Note,
    NumberItem,
    Ranking,
    Rating,
    Section,
    Table,
    TextItem,
    TimeItem,
    Worksheet,
    YesNo,
    duration_seconds,
    item_options,
)
from .responses import key_of, plan_for, run, score, shorten

__all__ = ["Affected", "Change", "WorksheetDiff", "affected_responses", "diff_worksheets"]

Kind = Literal["breaking", "compatible"]
_WORDING = (
    "label",
    "help",
    "placeholder",
    "pattern_message",
    "unit",
    "row_label",
    "anchors",
    "title",
    "text",
    "caption",
    "transcript",
    "alt",
)
_HANDLED = frozenset(
    {
        *_WORDING,
        "id",
        "type",
        "items",
        "columns",
        "options",
        "scale",
        "other",
        "required",
        "show_if",
        "min",
        "max",
        "step",
        "integer",
        "min_length",
        "max_length",
        "pattern",
        "min_selected",
        "max_selected",
        "min_rows",
        "max_rows",
        "reverse",
    }
)


@dataclass(frozen=True)
class Change(JsonResult):
    """One difference. ``change`` is a stable name (``item_removed``, ``range_narrowed``, …);
    ``item`` is the item id, ``table.column``, or ``score:<id>``."""

    kind: Kind
    change: str
    item: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """Deprecated alias of :meth:`to_dict`."""
        warn_as_dict("Change")
        return self.to_dict()


@dataclass(frozen=True)
class Affected(JsonResult):
    """A stored response that a breaking change affects: where it is, never what it says."""

    line: int
    response: str | None
    changes: tuple[int, ...]  # indexes into ``WorksheetDiff.changes``

    def as_dict(self) -> dict[str, Any]:
        """Deprecated alias of :meth:`to_dict`."""
        warn_as_dict("Affected")
        return self.to_dict()


@dataclass(frozen=True)
class WorksheetDiff(JsonResult):
    """Every change from ``old`` to ``new`` (``id@version`` each), breaking ones first."""

    old: str
    new: str
    changes: tuple[Change, ...] = ()

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "breaking"]

    @property
    def compatible(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "compatible"]

    def version_advice(self) -> str | None:
        old_major = self.old.rpartition("@")[2].split(".")[0]
        new_major = self.new.rpartition("@")[2].split(".")[0]
        if self.breaking and old_major == new_major:
            return (
                f"These changes are breaking: give the new version a new major number "
                f"({int(new_major) + 1}.0.0) so stored responses keep their version."
            )
        return None


def _flatten(items: Iterable[Any]) -> Iterator[tuple[str, Any, bool]]:
    """(key, item, has a show_if above it) for every item with an id; columns as table.column."""

    def walk(items: Iterable[Any], conditioned: bool) -> Iterator[tuple[str, Any, bool]]:
        for item in items:
            cond = conditioned or bool(getattr(item, "show_if", None))
            item_id = getattr(item, "id", None)
            if item_id:
                yield item_id, item, cond
            if isinstance(item, Section):
                yield from walk(item.items, cond)
            if isinstance(item, Table) and item_id:
                for col in item.columns:
                    yield f"{item_id}.{col.id}", col, cond or bool(col.show_if)

    yield from walk(items, False)


def _scored(ws: Worksheet) -> set[str]:
    plan = plan_for(ws)
    return {fid for sp in plan.scores.values() for fid in sp.items}


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Differ:
    def __init__(self, old: Worksheet, new: Worksheet) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.scored = _scored(old) | _scored(new)

    def add(self, kind: Kind, change: str, item: str | None, message: str) -> None:
        self.changes.append(Change(kind, change, item, message))

    def run(self) -> list[Change]:
        old, new = self.old, self.new
        if old.id != new.id:
            self.add(
                "breaking",
                "worksheet_changed",
                None,
                f"These are different worksheets ('{old.id}' and '{new.id}').",
            )
        for key in ("title", "summary", "rationale", "instructions"):
            if getattr(old, key) != getattr(new, key):
                self.add("compatible", "wording", None, f"The worksheet's {key} changed.")
        if old.completion != new.completion:
            self.add(
                "compatible",
                "completion_changed",
                None,
                "The completion rule changed: stored responses may count as more or less complete.",
            )
        if old.default_schedule != new.default_schedule:
            self.add("compatible", "schedule_changed", None, "The default schedule changed.")
        before = {k: (item, cond) for k, item, cond in _flatten(old.items)}
        after = {k: (item, cond) for k, item, cond in _flatten(new.items)}
        for key in before:
            if key not in after:
                what = "column" if "." in key else "item"
                self.add(
                    "breaking",
                    "item_removed",
                    key,
                    f"The {what} '{key}' was removed: stored answers to it no longer "
                    "belong to the worksheet.",
                )
        for key, (item, cond) in after.items():
            if key not in before:
                what = "column" if "." in key else "item"
                if getattr(item, "required", False):
                    self.add(
                        "breaking",
                        "required_item_added",
                        key,
                        f"The required {what} '{key}' was added"
                        + (" (shown only under a condition)" if cond else "")
                        + ": stored responses have no answer to it.",
                    )
                else:
                    self.add(
                        "compatible", "item_added", key, f"The optional {what} '{key}' was added."
                    )
        for key, (item, _) in before.items():
            if key in after:
                self.item(key, item, after[key][0])
        self.scores()
        return self.changes

    # -- items ----------------------------------------------------------------------------
    def item(self, key: str, a: Item, b: Any) -> None:
        if a.type != b.type:
            self.add(
                "breaking",
                "item_retyped",
                key,
                f"'{key}' changed from a {a.type} item to a {b.type} item: stored answers "
                "have the old shape.",
            )
            return
        for name in _WORDING:
            if getattr(a, name, None) != getattr(b, name, None):
                self.add(
                    "compatible",
                    "wording",
                    key,
                    f"The {name.replace('_', ' ')} of '{key}' changed.",
                )
        if getattr(a, "required", False) != getattr(b, "required", False):
            if b.required:
                self.add(
                    "breaking",
                    "made_required",
                    key,
                    f"'{key}' is now required: stored responses may have no answer to it.",
                )
            else:
                self.add("compatible", "made_optional", key, f"'{key}' is now optional.")
        if getattr(a, "show_if", None) != getattr(b, "show_if", None):
            if getattr(b, "required", False):
                self.add(
                    "breaking",
                    "show_if_changed",
                    key,
                    f"The condition that shows the required '{key}' changed: it may now "
                    "be asked where stored responses have no answer.",
                )
            else:
                self.add(
                    "compatible",
                    "show_if_changed",
                    key,
                    f"The condition that shows '{key}' changed.",
                )
        if getattr(a, "reverse", False) != getattr(b, "reverse", False):
            scored = key in self.scored
            self.add(
                "breaking" if scored else "compatible",
                "reverse_changed",
                key,
                f"'{key}' is {'now' if b.reverse else 'no longer'} reverse-scored"
                + (": scores of stored responses change." if scored else "."),
            )
        match a:  # the constraints of each type (same type on both sides, checked above)
            case Choice() | Ranking() | Likert():
                self.options(key, a, b)
            case Checklist():
                self.options(key, a, b)
                self.bound(key, "min_selected", a.min_selected, b.min_selected, low=True)
                self.bound(key, "max_selected", a.max_selected, b.max_selected, low=False)
            case NumberItem() | Rating():
                self.bound(key, "min", a.min, b.min, low=True)
                self.bound(key, "max", a.max, b.max, low=False)
                self.step(key, a, b)
                if isinstance(a, NumberItem) and a.integer != b.integer:
                    self.add(
                        "breaking" if b.integer else "compatible",
                        "range_narrowed" if b.integer else "range_widened",
                        key,
                        f"'{key}' {'now' if b.integer else 'no longer'} needs a whole number.",
                    )
            case DurationItem():
                for name, low in (("min", True), ("max", False)):
                    x, y = getattr(a, name), getattr(b, name)
                    self.bound(
                        key,
                        name,
                        duration_seconds(x) if x else None,
                        duration_seconds(y) if y else None,
                        low=low,
                        shown=(x, y),
                    )
            case TextItem():
                self.bound(key, "min_length", a.min_length or None, b.min_length or None, low=True)
                self.bound(key, "max_length", a.max_length, b.max_length, low=False)
                if a.pattern != b.pattern:
                    narrowing = b.pattern is not None
                    self.add(
                        "breaking" if narrowing else "compatible",
                        "range_narrowed" if narrowing else "range_widened",
                        key,
                        f"The pattern of '{key}' was "
                        + (
                            "changed"
                            if a.pattern and b.pattern
                            else "added"
                            if b.pattern
                            else "removed"
                        )
                        + (": stored answers may not match it." if narrowing else "."),
                    )
            case Table():
                self.bound(key, "min_rows", a.min_rows or None, b.min_rows or None, low=True)
                self.bound(key, "max_rows", a.max_rows, b.max_rows, low=False)
            case YesNo() | DateItem() | TimeItem() | DateTimeItem() | Note() | Section() | Media():
                pass  # no constraint beyond the wording and presentation compared here
            case _:
                assert_never(a)
        da = a.model_dump(exclude_defaults=True)
        db = b.model_dump(exclude_defaults=True)
        rest = sorted(k for k in set(da) | set(db) if k not in _HANDLED and da.get(k) != db.get(k))
        if rest:
            self.add(
                "compatible",
                "presentation_changed",
                key,
                f"'{key}' changed how it is presented ({', '.join(rest)}).",
            )

    def bound(
        self,
        key: str,
        name: str,
        old: Any,
        new: Any,
        *,
        low: bool,
        shown: tuple[Any, Any] | None = None,
    ) -> None:
        if old == new:
            return
        a, b = shown or (old, new)
        if low:
            narrowed = new is not None and (old is None or new > old)
        else:
            narrowed = new is not None and (old is None or new < old)
        text = (
            f"'{name}' of '{key}' changed from "
            f"{'none' if a is None else _fmt(a)} to {'none' if b is None else _fmt(b)}"
        )
        if narrowed:
            self.add(
                "breaking", "range_narrowed", key, text + ": stored answers may fall outside it."
            )
        else:
            self.add("compatible", "range_widened", key, text + ".")

    def step(self, key: str, a: Any, b: Any) -> None:
        if a.step == b.step:
            return
        base_a = a.min if a.min is not None else 0
        base_b = b.min if b.min is not None else 0
        widened = b.step is None or (
            a.step is not None and base_a == base_b and (a.step / b.step).is_integer()
        )
        self.add(
            "compatible" if widened else "breaking",
            "range_widened" if widened else "range_narrowed",
            key,
            f"The step of '{key}' changed from {_fmt(a.step)} to {_fmt(b.step)}"
            + ("." if widened else ": stored answers may fall between the new steps."),
        )

    def options(self, key: str, a: Any, b: Any) -> None:
        old = {key_of(o.value): o for o in item_options(a)}
        new = {key_of(o.value): o for o in item_options(b)}
        for k, o in old.items():
            if k not in new:
                self.add(
                    "breaking",
                    "option_removed",
                    key,
                    f"The option with value {_fmt(o.value)!s} was removed from '{key}': "
                    "stored answers may have chosen it.",
                )
        for k, o in new.items():
            if k not in old:
                self.add(
                    "compatible",
                    "option_added",
                    key,
                    f"The option with value {_fmt(o.value)!s} was added to '{key}'.",
                )
            elif old[k].label != o.label:
                self.add(
                    "compatible",
                    "wording",
                    key,
                    f"The label of the option with value {_fmt(o.value)} of '{key}' changed.",
                )
            elif o.exclusive and not old[k].exclusive:
                self.add(
                    "breaking",
                    "range_narrowed",
                    key,
                    f"The option with value {_fmt(o.value)} of '{key}' now excludes the others.",
                )
        if key in self.scored:
            by_label_old = {_label(o): o.value for o in item_options(a)}
            for o in item_options(b):
                label = _label(o)
                if label in by_label_old and key_of(by_label_old[label]) != key_of(o.value):
                    self.add(
                        "breaking",
                        "option_value_changed",
                        key,
                        f"An option of '{key}' kept its label but its value (score weight) "
                        f"changed from {_fmt(by_label_old[label])} to {_fmt(o.value)}: "
                        "scores of stored responses change.",
                    )
        if isinstance(a, Choice | Checklist) and a.other != b.other:
            self.add(
                "breaking" if a.other else "compatible",
                "other_removed" if a.other else "other_added",
                key,
                f"'{key}' {'no longer offers' if a.other else 'now offers'} an 'Other' "
                "answer" + (": stored 'Other' answers become invalid." if a.other else "."),
            )

    # -- scores ---------------------------------------------------------------------------
    def scores(self) -> None:
        before = {s.id: s for s in self.old.scores}
        after = {s.id: s for s in self.new.scores}
        for sid, s in before.items():
            if sid not in after:
                self.add(
                    "breaking", "score_removed", f"score:{sid}", f"The score '{sid}' was removed."
                )
                continue
            t = after[sid]
            if s.formula != t.formula:
                self.add(
                    "breaking",
                    "formula_changed",
                    f"score:{sid}",
                    f"The formula of the score '{sid}' changed: stored responses may "
                    "score differently.",
                )
            if s.missing != t.missing:
                self.add(
                    "breaking",
                    "missing_changed",
                    f"score:{sid}",
                    f"The missing-item rule of the score '{sid}' changed: stored responses "
                    "with missing items may score differently.",
                )
            if s.bands != t.bands:
                self.add(
                    "compatible",
                    "bands_changed",
                    f"score:{sid}",
                    f"The bands of the score '{sid}' changed (the values do not).",
                )
            if s.alerts != t.alerts:
                self.add(
                    "compatible",
                    "alerts_changed",
                    f"score:{sid}",
                    f"The alerts of the score '{sid}' changed.",
                )
            if s.label != t.label:
                self.add(
                    "compatible",
                    "wording",
                    f"score:{sid}",
                    f"The label of the score '{sid}' changed.",
                )
        for sid in after:
            if sid not in before:
                self.add(
                    "compatible", "score_added", f"score:{sid}", f"The score '{sid}' was added."
                )


def _label(option: Any) -> str:
    label = option.label
    if isinstance(label, dict):
        return str(sorted(label.items()))
    return str(label)


def diff_worksheets(old: Worksheet, new: Worksheet) -> WorksheetDiff:
    """Every change from ``old`` to ``new``, breaking ones first, then in document order."""
    changes = _Differ(old, new).run()
    ordered = [c for c in changes if c.kind == "breaking"] + [
        c for c in changes if c.kind == "compatible"
    ]
    return WorksheetDiff(f"{old.id}@{old.version}", f"{new.id}@{new.version}", tuple(ordered))


def _error_items(ws: Worksheet, data: dict[str, Any]) -> set[str]:
    """Item keys (``q1``, ``table``, ``table.column``) with errors against ``ws``."""
    out: list[Any] = []
    run(plan_for(ws), data.get("answers", {}), out, draft=data.get("submitted_at") is None)
    keys: set[str] = set()
    for d in out:
        if d.severity != "error":
            continue
        path = d.path  # ("answers", item[, row, column, …])
        if len(path) >= 2 and path[0] == "answers":
            keys.add(str(path[1]))
            if len(path) >= 4 and isinstance(path[3], str):
                keys.add(f"{path[1]}.{path[3]}")
    return keys


def affected_responses(
    result: WorksheetDiff,
    old: Worksheet,
    new: Worksheet,
    responses: Iterable[tuple[int, Any]],
) -> list[Affected]:
    """For each stored response (line number, decoded JSON), the breaking changes that affect
    it: its answers are invalid for the new version where the change is, or its scores differ."""
    breaking = [(i, c) for i, c in enumerate(result.changes) if c.kind == "breaking"]
    found: list[Affected] = []
    for line, data in responses:
        if type(data) is not dict:
            continue
        answers = data.get("answers")
        if type(answers) is not dict:
            answers = {}
        errors = _error_items(new, {**data, "answers": answers})
        old_scores = score(old, answers)
        new_scores = score(new, answers)
        hits: list[int] = []
        for i, c in breaking:
            item = c.item
            if item is None:
                hits.append(i)
            elif item.startswith("score:"):
                sid = item[6:]
                before = old_scores.get(sid)
                after = new_scores.get(sid)
                if (
                    before is not None
                    and before.value is not None
                    and (after is None or after.value != before.value)
                ):
                    hits.append(i)
            elif c.change in ("option_value_changed", "reverse_changed"):
                if answers.get(item) not in (None, "", []):
                    hits.append(i)
            elif item in errors:
                hits.append(i)
        if hits:
            rid = data.get("id")
            found.append(
                Affected(line, shorten(rid, 128) if isinstance(rid, str) else None, tuple(hits))
            )
    return found

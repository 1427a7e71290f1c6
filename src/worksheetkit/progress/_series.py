"""Progress of the answers themselves: a series over time per numeric item and per score."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from .._results import JsonResult, warn_as_dict
from ..model import iter_items, text_in
from ..model.documents import Worksheet
from ..model.items import Likert, NumberItem, Rating, Section, Table, display_label

_NUMERIC = (NumberItem, Likert, Rating)


@dataclass(frozen=True, slots=True)
class Point(JsonResult):
    occurrence: str | None
    submitted_at: dt.datetime
    value: float
    row: int | None = None  # the table row, for a column series
    band: str | None = None  # the score's band label, for a score series


@dataclass(frozen=True, slots=True)
class WeekMean(JsonResult):
    week: int  # 0 = the assignment's first week
    first_day: dt.date
    mean: float
    n: int


@dataclass(frozen=True, slots=True)
class Series(JsonResult):
    """``kind`` is ``item``, ``column`` (``id`` is ``table.column``) or ``score``."""

    id: str
    kind: str
    worksheet: str
    label: str
    points: tuple[Point, ...]
    weekly: tuple[WeekMean, ...]
    min: float | None = None
    max: float | None = None

    _json_order: ClassVar[tuple[str, ...]] = (
        "id", "kind", "worksheet", "label", "min", "max", "points", "weekly"
    )  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        """Deprecated alias of :meth:`to_dict`."""
        warn_as_dict("Series")
        return self.to_dict()


def _walk(items: Sequence[Any]) -> Iterator[Any]:
    """Every item but sections (their items are walked), in order."""
    return (item for item in iter_items(items) if not isinstance(item, Section))


@dataclass(frozen=True, slots=True)
class Field:
    id: str
    column: str | None
    kind: str
    label: str
    min: float | None
    max: float | None


def _range(item: Any) -> tuple[float | None, float | None]:
    if isinstance(item, Rating):
        return float(item.min), float(item.max)
    if isinstance(item, NumberItem):
        lo = float(item.min) if item.min is not None else None
        hi = float(item.max) if item.max is not None else None
        return lo, hi
    if isinstance(item, Likert):
        from ..model.items import likert_options

        values = [o.value for o in likert_options(item) if isinstance(o.value, int | float)]
        if values:
            return float(min(values)), float(max(values))
    return None, None


def numeric_fields(worksheet: Worksheet) -> list[Field]:
    """Number, likert and rating items, and such columns of tables, in worksheet order."""
    out: list[Field] = []
    lang = worksheet.language
    for item in _walk(worksheet.items):
        if isinstance(item, _NUMERIC):
            lo, hi = _range(item)
            out.append(Field(item.id, None, "item", text_in(display_label(item), lang), lo, hi))
        elif isinstance(item, Table):
            table_label = text_in(display_label(item), lang)
            for column in item.columns:
                if isinstance(column, _NUMERIC):
                    lo, hi = _range(column)
                    label = f"{table_label}: {text_in(display_label(column), lang)}"
                    out.append(Field(item.id, column.id, "column", label, lo, hi))
    return out


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def weekly_means(points: Sequence[Point], start: dt.date, tz: dt.tzinfo) -> tuple[WeekMean, ...]:
    weeks: dict[int, list[float]] = {}
    for p in points:
        index = (p.submitted_at.astimezone(tz).date() - start).days // 7
        weeks.setdefault(index, []).append(p.value)
    return tuple(
        WeekMean(i, start + dt.timedelta(days=7 * i), sum(vs) / len(vs), len(vs))
        for i, vs in sorted(weeks.items())
    )


class SeriesBuilder:
    """Collects points response by response (answers are not kept)."""

    def __init__(self, start: dt.date, tz: dt.tzinfo) -> None:
        self.start = start
        self.tz = tz
        self.fields: dict[str, list[Field]] = {}
        self.points: dict[tuple[str, str, str], list[Point]] = {}
        self.meta: dict[tuple[str, str, str], tuple[str, float | None, float | None]] = {}

    def _fields(self, worksheet: Worksheet) -> list[Field]:
        found = self.fields.get(worksheet.id)
        if found is None:
            found = self.fields[worksheet.id] = numeric_fields(worksheet)
        return found

    def add_answers(
        self,
        worksheet: Worksheet,
        answers: Mapping[str, Any],
        occurrence: str | None,
        submitted_at: dt.datetime,
    ) -> None:
        for f in self._fields(worksheet):
            value = answers.get(f.id)
            if f.column is None:
                v = number(value)
                if v is not None:
                    self._add(worksheet.id, "item", f.id, f, Point(occurrence, submitted_at, v))
                continue
            if not isinstance(value, list):
                continue
            for row_index, row in enumerate(value):
                if isinstance(row, Mapping):
                    v = number(row.get(f.column))
                    if v is not None:
                        point = Point(occurrence, submitted_at, v, row=row_index)
                        self._add(worksheet.id, "column", f"{f.id}.{f.column}", f, point)

    def add_score(
        self,
        worksheet: Worksheet,
        score_id: str,
        label: str,
        value: float,
        band: str | None,
        occurrence: str | None,
        submitted_at: dt.datetime,
        lo: float | None,
        hi: float | None,
    ) -> None:
        key = (worksheet.id, "score", score_id)
        self.meta.setdefault(key, (label, lo, hi))
        self.points.setdefault(key, []).append(Point(occurrence, submitted_at, value, band=band))

    def _add(self, worksheet: str, kind: str, ident: str, f: Field, point: Point) -> None:
        key = (worksheet, kind, ident)
        self.meta.setdefault(key, (f.label, f.min, f.max))
        self.points.setdefault(key, []).append(point)

    def build(self) -> tuple[Series, ...]:
        out: list[Series] = []
        order = {"score": 0, "item": 1, "column": 2}
        for key in sorted(self.points, key=lambda k: (k[0], order[k[1]], k[2])):
            worksheet, kind, ident = key
            points = sorted(
                self.points[key],
                key=lambda p: (p.submitted_at, p.row if p.row is not None else -1),
            )
            label, lo, hi = self.meta[key]
            out.append(
                Series(
                    ident,
                    kind,
                    worksheet,
                    label,
                    tuple(points),
                    weekly_means(points, self.start, self.tz),
                    lo,
                    hi,
                )
            )
        return tuple(out)

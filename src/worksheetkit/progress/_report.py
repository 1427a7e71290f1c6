"""``AdherenceReport``: the result of ``adherence()``, and its JSON form (DESIGN §6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from .._results import JsonResult, dumps, instant, instant_text
from ..errors import Diagnostic, sort_diagnostics
from ._core import Evaluation, Extra, OccurrenceResult, Scores, Trend
from ._series import Series


@dataclass(frozen=True, slots=True)
class ObstacleReport(JsonResult):
    """An obstacle the client reported. ``note`` is client text: show it escaped, never log it."""

    occurrence: str | None
    submitted_at: dt.datetime
    kind: str
    note: str | None
    status: str | None  # the occurrence's status, None when it matched no occurrence


@dataclass(frozen=True, slots=True)
class RaisedAlert(JsonResult):
    """An alert a worksheet's score raised on one response (its message is clinician text)."""

    occurrence: str | None
    submitted_at: dt.datetime
    worksheet: str
    score: str
    severity: str
    message: str


@dataclass(frozen=True)
class AdherenceReport:
    """Adherence of one assignment as of one instant.

    The scores (``quantity`` … ``streak_longest``) are pooled over every eligible occurrence
    (occurrence-weighted); ``steps`` holds the same per pathway step and ``step_weighted`` the
    plain mean over steps. Every score is None when its denominator is 0.
    """

    assignment: str
    as_of: dt.datetime
    timezone: str
    start: dt.date
    evaluation: Evaluation
    scoring_key: str
    series: tuple[Series, ...] = ()
    obstacles: tuple[ObstacleReport, ...] = ()
    alerts: tuple[RaisedAlert, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    threshold: float = 1.0
    late_credit: float | None = None
    #: Extra-practice submissions beyond what is kept per occurrence: counted, not listed
    #: (memory stays bounded by the occurrences, whatever the number of responses).
    extra_not_listed: int = 0

    def __post_init__(self) -> None:
        # Sorted and without duplicates once, here: the JSON form lists them as stored, so a
        # report read back with from_dict() equals the one written.
        object.__setattr__(self, "diagnostics", tuple(sort_diagnostics(self.diagnostics)))

    # Convenience views of the overall scores.
    @property
    def overall(self) -> Scores:
        return self.evaluation.overall

    @property
    def quantity(self) -> float | None:
        return self.overall.quantity

    @property
    def strict_rate(self) -> float | None:
        return self.overall.strict_rate

    @property
    def any_rate(self) -> float | None:
        return self.overall.any_rate

    @property
    def quality(self) -> float | None:
        return self.overall.quality

    @property
    def difficulty_weighted(self) -> float | None:
        return self.overall.difficulty_weighted

    @property
    def obstacle_adjusted(self) -> float | None:
        return self.overall.obstacle_adjusted

    @property
    def engagement(self) -> float | None:
        return self.overall.engagement

    @property
    def level(self) -> float | None:
        return self.overall.level

    @property
    def streak(self) -> tuple[int, int]:
        """(current, longest)."""
        return self.overall.streak_current, self.overall.streak_longest

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.overall.counts)

    @property
    def occurrences(self) -> tuple[OccurrenceResult, ...]:
        return self.evaluation.occurrences

    def status_of(self, occurrence_id: str) -> str:
        for r in self.evaluation.occurrences:
            if r.slot.id == occurrence_id:
                return r.status
        raise KeyError(occurrence_id)

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-ready (schema ``report``), in the shape of DESIGN §6: the overall
        scores at the top, then ``occurrences``, ``steps`` (each with its ``n``), the report's
        own fields, ``policy`` (``threshold``, ``late_credit``), ``weighting`` (the
        evaluation's ``step_weighted``, None without steps), ``engagement_key`` (its ``name`` is
        ``scoring_key``), ``trend``, ``extra_practice`` (the evaluation's ``extra``) and, when not 0,
        ``extra_practice_not_listed`` (``extra_not_listed``)."""
        ev = self.evaluation
        out = ev.overall.to_dict()
        out["occurrences"] = [r.to_dict() for r in ev.occurrences]
        out["steps"] = {step: {**s.to_dict(), "n": s.n} for step, s in ev.steps.items()}
        out.update(
            {
                "assignment": self.assignment,
                "as_of": instant_text(self.as_of),
                "timezone": self.timezone,
                "start": self.start.isoformat(),
                "policy": {"threshold": self.threshold, "late_credit": self.late_credit},
                "weighting": {
                    "shown": "occurrence_weighted",
                    "step_weighted": dict(ev.step_weighted) if ev.steps else None,
                },
                "engagement_key": {"name": self.scoring_key, "heuristic": True},
                "trend": ev.trend.to_dict(),
                "extra_practice": [e.to_dict() for e in ev.extra],
                # Only when some were not listed: a report without any reads as before.
                **(
                    {"extra_practice_not_listed": self.extra_not_listed}
                    if self.extra_not_listed
                    else {}
                ),
                "obstacles": [o.to_dict() for o in self.obstacles],
                "alerts": [a.to_dict() for a in self.alerts],
                "series": [s.to_dict() for s in self.series],
                "diagnostics": [d.to_dict() for d in self.diagnostics],
            }
        )
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        """Deterministic JSON: same input, same bytes (keys in a fixed order, no timestamps
        other than those in the data and ``as_of``), ending in a newline."""
        return dumps(self.to_dict(), indent) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The report :meth:`to_dict` described; occurrence times back in its ``timezone``."""
        zone = data["timezone"]
        steps = {step: Scores.from_dict(s) for step, s in data["steps"].items()}
        weighted = data["weighting"]["step_weighted"]
        evaluation = Evaluation(
            occurrences=tuple(
                OccurrenceResult.from_dict(r, timezone=zone) for r in data["occurrences"]
            ),
            extra=tuple(Extra.from_dict(e) for e in data["extra_practice"]),
            overall=Scores.from_dict(data),
            steps=steps,
            trend=Trend.from_dict(data["trend"]),
            step_weighted=dict(weighted) if weighted is not None else {},
        )
        policy = data["policy"]
        return cls(
            assignment=data["assignment"],
            as_of=instant(data["as_of"]),
            timezone=zone,
            start=dt.date.fromisoformat(data["start"]),
            evaluation=evaluation,
            scoring_key=data["engagement_key"]["name"],
            series=tuple(Series.from_dict(x) for x in data["series"]),
            obstacles=tuple(ObstacleReport.from_dict(o) for o in data["obstacles"]),
            alerts=tuple(RaisedAlert.from_dict(a) for a in data["alerts"]),
            diagnostics=tuple(Diagnostic.from_dict(d) for d in data["diagnostics"]),
            threshold=policy["threshold"],
            late_credit=policy["late_credit"],
            extra_not_listed=int(data.get("extra_practice_not_listed", 0)),
        )

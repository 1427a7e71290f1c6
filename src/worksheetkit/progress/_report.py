"""``AdherenceReport``: the result of ``adherence()``, and its JSON form (DESIGN §6)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import Diagnostic, sort_diagnostics
from ._core import Evaluation, OccurrenceResult, Scores
from ._series import Series


@dataclass(frozen=True, slots=True)
class ObstacleReport:
    """An obstacle the client reported. ``note`` is client text: show it escaped, never log it."""

    occurrence: str | None
    submitted_at: dt.datetime
    kind: str
    note: str | None
    status: str | None  # the occurrence's status, None when it matched no occurrence


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    """An alert a worksheet's score raised on one response (its message is clinician text)."""

    occurrence: str | None
    submitted_at: dt.datetime
    worksheet: str
    score: str
    severity: str
    message: str


def _time(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def scores_dict(s: Scores) -> dict[str, Any]:
    """The score keys of DESIGN §6 (in that order), then the extra ones."""
    return {
        "quantity": s.quantity,
        "strict_rate": s.strict_rate,
        "any_rate": s.any_rate,
        "quality": s.quality,
        "difficulty_weighted": s.difficulty_weighted,
        "obstacle_adjusted": s.obstacle_adjusted,
        "engagement": s.engagement,
        "level": s.level,
        "streak": {"current": s.streak_current, "longest": s.streak_longest},
        "counts": dict(s.counts),
        "level_bias_corrected": s.level_bias_corrected,
        "difficulty_weighted_obstacle_adjusted": s.difficulty_weighted_obstacle_adjusted,
        "denominators": {
            "quantity": s.n,
            "quality": s.quality_n,
            "difficulty_weighted": s.difficulty_n,
            "obstacle_adjusted": s.obstacle_n,
        },
        "mean_ratings": {
            "difficulty": s.mean_difficulty_rating,
            "obstacles": s.mean_obstacles_rating,
        },
        "obstacle_excluded": list(s.obstacle_excluded),
    }


def occurrence_dict(r: OccurrenceResult) -> dict[str, Any]:
    sub = r.submission
    return {
        "id": r.slot.id,
        "status": r.status,
        "credit": r.credit,
        "step": r.slot.step,
        "worksheet": r.slot.worksheet,
        "opens": _time(r.slot.opens),
        "due": _time(r.slot.due),
        "grace_until": _time(r.slot.grace_until),
        "submitted_at": _time(sub.submitted_at) if sub is not None else None,
        "fraction": min(max(sub.fraction, 0.0), 1.0) if sub is not None else None,
        "over": r.over if r.over > 0 else None,
        "planned_difficulty": r.slot.difficulty,
        "obstacle": r.obstacle_kind,
        "excused_reason": r.slot.excused_reason if r.status == "excused" else None,
    }


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
        ev = self.evaluation
        out = scores_dict(ev.overall)
        out["occurrences"] = [occurrence_dict(r) for r in ev.occurrences]
        out["steps"] = {step: {**scores_dict(s), "n": s.n} for step, s in ev.steps.items()}
        out.update(
            {
                "assignment": self.assignment,
                "as_of": _time(self.as_of),
                "timezone": self.timezone,
                "start": self.start.isoformat(),
                "policy": {"threshold": self.threshold, "late_credit": self.late_credit},
                "weighting": {
                    "shown": "occurrence_weighted",
                    "step_weighted": dict(ev.step_weighted) if ev.steps else None,
                },
                "engagement_key": {"name": self.scoring_key, "heuristic": True},
                "trend": {
                    "slope": ev.trend.slope,
                    "declining": ev.trend.declining,
                    "weeks_used": list(ev.trend.used),
                    "weeks": [
                        {"week": i, "first_day": d.isoformat(), "quantity": q, "n": n}
                        for i, d, q, n in ev.trend.weeks
                    ],
                },
                "extra_practice": [
                    {
                        "submitted_at": _time(e.submission.submitted_at),
                        "reason": e.reason,
                        "occurrence": e.occurrence,
                        "fraction": min(max(e.submission.fraction, 0.0), 1.0),
                    }
                    for e in ev.extra
                ],
                **(
                    {"extra_practice_not_listed": self.extra_not_listed}
                    if self.extra_not_listed
                    else {}
                ),
                "obstacles": [
                    {
                        "occurrence": o.occurrence,
                        "submitted_at": _time(o.submitted_at),
                        "kind": o.kind,
                        "note": o.note,
                        "status": o.status,
                    }
                    for o in self.obstacles
                ],
                "alerts": [
                    {
                        "occurrence": a.occurrence,
                        "submitted_at": _time(a.submitted_at),
                        "worksheet": a.worksheet,
                        "score": a.score,
                        "severity": a.severity,
                        "message": a.message,
                    }
                    for a in self.alerts
                ],
                "series": [s.as_dict() for s in self.series],
                "diagnostics": [d.as_dict() for d in sort_diagnostics(self.diagnostics)],
            }
        )
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        """Deterministic JSON: same input, same bytes (keys in a fixed order, no timestamps
        other than those in the data and ``as_of``)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False) + "\n"

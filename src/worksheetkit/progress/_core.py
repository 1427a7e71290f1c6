"""The pure adherence model: occurrence statuses, credits and scores over simple records.

Nothing here knows about YAML, pydantic, packs or files. Occurrences and submissions are small
frozen records; :func:`evaluate` turns them into an :class:`Evaluation`. The public
``adherence()`` (``_api.py``) builds the records from an assignment and its responses.
Formulas follow ../shared/research/adherence.md; docs/adherence.md explains each one.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal, Self

from .._results import dumps, instant, instant_text

Status = Literal[
    "completed_on_time", "completed_late", "partial", "missed", "excused", "open", "upcoming"
]
# Stable order: the table of the research note, by precedence.
STATUSES: tuple[Status, ...] = (
    "excused",
    "upcoming",
    "open",
    "completed_on_time",
    "completed_late",
    "partial",
    "missed",
)
ELIGIBLE: frozenset[str] = frozenset({"completed_on_time", "completed_late", "partial", "missed"})
Timing = Literal["flexible", "strict"]
ObstacleKind = Literal["external", "internal"]


@dataclass(frozen=True, slots=True)
class Slot:
    """One scheduled occurrence, as the adherence model needs it.

    ``opens`` is the scheduled start; ``due`` ≤ ``grace_until``; all aware datetimes.
    ``difficulty`` is the *planned* difficulty (0–1) of the step or assignment, if any.
    ``local_start`` is the scheduled local wall time (``YYYY-MM-DDTHH:MM``) a response may name.
    """

    id: str
    opens: dt.datetime
    due: dt.datetime
    grace_until: dt.datetime
    timing: Timing = "flexible"
    step: str | None = None
    worksheet: str | None = None
    excused: bool = False
    excused_reason: str | None = None
    difficulty: float | None = None
    local_start: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Every field; times as ISO 8601 with their offset."""
        return {
            "id": self.id,
            "opens": instant_text(self.opens),
            "due": instant_text(self.due),
            "grace_until": instant_text(self.grace_until),
            "timing": self.timing,
            "step": self.step,
            "worksheet": self.worksheet,
            "excused": self.excused,
            "excused_reason": self.excused_reason,
            "difficulty": self.difficulty,
            "local_start": self.local_start,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, timezone: str | None = None) -> Self:
        """``timezone`` (an IANA name) puts the times back in that zone."""
        return cls(
            id=data["id"],
            opens=instant(data["opens"], timezone),
            due=instant(data["due"], timezone),
            grace_until=instant(data["grace_until"], timezone),
            timing=_timing(data.get("timing", "flexible")),
            step=data.get("step"),
            worksheet=data.get("worksheet"),
            excused=bool(data.get("excused", False)),
            excused_reason=data.get("excused_reason"),
            difficulty=_real(data.get("difficulty")),
            local_start=data.get("local_start"),
        )


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    """One response, reduced to what adherence needs (not the intake's ``worksheetkit.Submission``,
    which is what ``check_submission`` returns).

    ``fraction`` is the share of the task done (uncapped here: 1.5 means over-achieved; it is
    capped at 1 for credit). ``quality``, ``difficulty`` and ``obstacles`` are the 0–4 ratings.
    ``occurrence`` is the reference the response gave (an id or a scheduled local start), if any.
    ``index`` orders submissions that share a timestamp (line number in a file).
    """

    submitted_at: dt.datetime
    fraction: float
    occurrence: str | None = None
    step: str | None = None
    worksheet: str | None = None
    quality: float | None = None
    difficulty: float | None = None
    obstacles: float | None = None
    obstacle_kind: ObstacleKind | None = None
    obstacle_note: str | None = None
    answered: bool = True
    index: int = 0
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Every field (``fraction`` uncapped); ``submitted_at`` as ISO 8601 with its offset."""
        return {
            "submitted_at": instant_text(self.submitted_at),
            "fraction": self.fraction,
            "occurrence": self.occurrence,
            "step": self.step,
            "worksheet": self.worksheet,
            "quality": self.quality,
            "difficulty": self.difficulty,
            "obstacles": self.obstacles,
            "obstacle_kind": self.obstacle_kind,
            "obstacle_note": self.obstacle_note,
            "answered": self.answered,
            "index": self.index,
            "id": self.id,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        fraction = _real(data["fraction"])
        if fraction is None:
            raise ValueError("a submission's fraction is a number")
        return cls(
            submitted_at=instant(data["submitted_at"]),
            fraction=fraction,
            occurrence=data.get("occurrence"),
            step=data.get("step"),
            worksheet=data.get("worksheet"),
            quality=_real(data.get("quality")),
            difficulty=_real(data.get("difficulty")),
            obstacles=_real(data.get("obstacles")),
            obstacle_kind=_obstacle_kind(data.get("obstacle_kind")),
            obstacle_note=data.get("obstacle_note"),
            answered=bool(data.get("answered", True)),
            index=int(data.get("index", 0)),
            id=data.get("id"),
        )


@dataclass(frozen=True, slots=True)
class Policy:
    """θ, w_late and the other knobs of the model (defaults from the research note).

    ``late_credit`` None means: 1 for ``timing: flexible`` occurrences, 0 for ``strict`` ones.
    """

    threshold: float = 1.0
    late_credit: float | None = None
    count_open: bool = False
    half_life: float = 7.0
    trend_weeks: int = 4
    trend_min_weeks: int = 3
    declining_below: float = -0.05

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        if self.late_credit is not None and not 0 <= self.late_credit <= 1:
            raise ValueError("late_credit must be in [0, 1]")
        if not self.half_life > 0:
            raise ValueError("half_life must be positive")
        if self.trend_min_weeks < 2 or self.trend_weeks < self.trend_min_weeks:
            raise ValueError("trend needs trend_weeks >= trend_min_weeks >= 2")

    def w_late(self, timing: Timing) -> float:
        if self.late_credit is not None:
            return self.late_credit
        return 1.0 if timing == "flexible" else 0.0


# ---------------------------------------------------------------- engagement (scoring key)

EngagementInputs = Mapping[str, float | None]
"""What a scoring key sees: ``quantity`` and ``quality`` in [0, 1] (or None), and the mean
client ratings ``difficulty`` and ``obstacles`` on their 0–4 scale (or None)."""


@dataclass(frozen=True, slots=True)
class EngagementKey:
    """The default engagement composite — a heuristic, not a validated instrument.

    ``E = (w_q·Q + w_ql·QL + w_d·(1 − D/4) + w_o·(1 − O/4)) / Σw`` over the components that
    are known; with the default weights (all 1) and every component known this is the research
    note's ``(4Q + 4QL + (4 − D) + (4 − O)) / 16``. Null when quantity is null. Replace it with
    other weights, or with any callable ``inputs -> float | None`` returning a value in [0, 1].
    """

    name: str = "default-heuristic"
    quantity: float = 1.0
    quality: float = 1.0
    difficulty: float = 1.0
    obstacles: float = 1.0

    def __call__(self, inputs: EngagementInputs) -> float | None:
        q = inputs.get("quantity")
        if q is None:
            return None
        parts: list[tuple[float, float]] = [(self.quantity, q)]
        ql = inputs.get("quality")
        if ql is not None:
            parts.append((self.quality, ql))
        d = inputs.get("difficulty")
        if d is not None:
            parts.append((self.difficulty, 1.0 - d / 4.0))
        o = inputs.get("obstacles")
        if o is not None:
            parts.append((self.obstacles, 1.0 - o / 4.0))
        total = sum(w for w, _ in parts)
        if total <= 0:
            return None
        return sum(w * v for w, v in parts) / total


ScoringKey = EngagementKey | Callable[[EngagementInputs], float | None]
DEFAULT_KEY = EngagementKey()


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class OccurrenceResult:
    slot: Slot
    status: Status
    credit: float | None  # None when not in the denominator
    submission: SubmissionRecord | None = None  # the submission that decided the status
    submissions: int = 0  # how many submissions were matched to it (before grace_until)
    obstacle_kind: ObstacleKind | None = None
    obstacle_note: str | None = None
    over: float = 0.0  # over-achievement beyond a fraction of 1 (reported, never credited)

    @property
    def eligible(self) -> bool:
        return self.status in ELIGIBLE

    def to_dict(self) -> dict[str, Any]:
        """One entry of the report's ``occurrences`` (DESIGN §6 ``id``, ``status``, ``credit``
        first): the slot's fields (its planned ``difficulty`` as ``planned_difficulty``), the
        deciding ``submission`` in full, with its ``submitted_at`` and ``fraction`` (capped at
        1) repeated for display, ``submissions``, ``obstacle`` (the kind), ``obstacle_note`` and
        ``over`` (None when 0)."""
        slot, sub = self.slot, self.submission
        return {
            "id": slot.id,
            "status": self.status,
            "credit": self.credit,
            "step": slot.step,
            "worksheet": slot.worksheet,
            "opens": instant_text(slot.opens),
            "due": instant_text(slot.due),
            "grace_until": instant_text(slot.grace_until),
            "submitted_at": instant_text(sub.submitted_at) if sub is not None else None,
            "fraction": min(max(sub.fraction, 0.0), 1.0) if sub is not None else None,
            "over": self.over if self.over > 0 else None,
            "planned_difficulty": slot.difficulty,
            "obstacle": self.obstacle_kind,
            "excused_reason": slot.excused_reason,
            "timing": slot.timing,
            "excused": slot.excused,
            "local_start": slot.local_start,
            "submission": sub.to_dict() if sub is not None else None,
            "submissions": self.submissions,
            "obstacle_note": self.obstacle_note,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, timezone: str | None = None) -> Self:
        """``timezone`` (an IANA name) puts the slot's times back in that zone."""
        status = data["status"]
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        slot = Slot.from_dict(
            {**data, "difficulty": data.get("planned_difficulty")}, timezone=timezone
        )
        sub = data.get("submission")
        return cls(
            slot=slot,
            status=status,
            credit=_real(data["credit"]),
            submission=SubmissionRecord.from_dict(sub) if sub is not None else None,
            submissions=int(data.get("submissions", 0)),
            obstacle_kind=_obstacle_kind(data.get("obstacle")),
            obstacle_note=data.get("obstacle_note"),
            over=_real(data.get("over")) or 0.0,
        )


ExtraReason = Literal["no_occurrence", "after_grace", "unknown_occurrence", "repeat", "excused"]
EXTRA_REASONS: frozenset[str] = frozenset(
    {"no_occurrence", "after_grace", "unknown_occurrence", "repeat", "excused"}
)


@dataclass(frozen=True, slots=True)
class Extra:
    """A submission that counts for nothing: extra practice (or a late or unknown one)."""

    submission: SubmissionRecord
    reason: ExtraReason
    occurrence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """One entry of the report's ``extra_practice``: ``submitted_at`` and ``fraction``
        (capped at 1) for display, ``reason``, ``occurrence``, and the ``submission`` in full."""
        sub = self.submission
        return {
            "submitted_at": instant_text(sub.submitted_at),
            "reason": self.reason,
            "occurrence": self.occurrence,
            "fraction": min(max(sub.fraction, 0.0), 1.0),
            "submission": sub.to_dict(),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        reason = data["reason"]
        if reason not in EXTRA_REASONS:
            raise ValueError(f"unknown extra-practice reason {reason!r}")
        return cls(SubmissionRecord.from_dict(data["submission"]), reason, data.get("occurrence"))


@dataclass(frozen=True, slots=True)
class Scores:
    """Every score over one set of occurrences (overall, one step, one week)."""

    n: int
    quantity: float | None
    strict_rate: float | None
    any_rate: float | None
    quality: float | None
    quality_n: int
    difficulty_weighted: float | None
    difficulty_n: int
    obstacle_adjusted: float | None
    obstacle_n: int
    difficulty_weighted_obstacle_adjusted: float | None
    mean_difficulty_rating: float | None
    mean_obstacles_rating: float | None
    engagement: float | None
    level: float | None
    level_bias_corrected: float | None
    streak_current: int
    streak_longest: int
    counts: dict[str, int]
    obstacle_excluded: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The score keys of DESIGN §6 (in that order), then the extra ones; every field:
        ``n``, ``quality_n``, ``difficulty_n`` and ``obstacle_n`` are the ``denominators``."""
        return {
            "quantity": self.quantity,
            "strict_rate": self.strict_rate,
            "any_rate": self.any_rate,
            "quality": self.quality,
            "difficulty_weighted": self.difficulty_weighted,
            "obstacle_adjusted": self.obstacle_adjusted,
            "engagement": self.engagement,
            "level": self.level,
            "streak": {"current": self.streak_current, "longest": self.streak_longest},
            "counts": dict(self.counts),
            "level_bias_corrected": self.level_bias_corrected,
            "difficulty_weighted_obstacle_adjusted": self.difficulty_weighted_obstacle_adjusted,
            "denominators": {
                "quantity": self.n,
                "quality": self.quality_n,
                "difficulty_weighted": self.difficulty_n,
                "obstacle_adjusted": self.obstacle_n,
            },
            "mean_ratings": {
                "difficulty": self.mean_difficulty_rating,
                "obstacles": self.mean_obstacles_rating,
            },
            "obstacle_excluded": list(self.obstacle_excluded),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        den, streak, means = data["denominators"], data["streak"], data["mean_ratings"]
        return cls(
            n=int(den["quantity"]),
            quantity=_real(data["quantity"]),
            strict_rate=_real(data["strict_rate"]),
            any_rate=_real(data["any_rate"]),
            quality=_real(data["quality"]),
            quality_n=int(den["quality"]),
            difficulty_weighted=_real(data["difficulty_weighted"]),
            difficulty_n=int(den["difficulty_weighted"]),
            obstacle_adjusted=_real(data["obstacle_adjusted"]),
            obstacle_n=int(den["obstacle_adjusted"]),
            difficulty_weighted_obstacle_adjusted=_real(
                data["difficulty_weighted_obstacle_adjusted"]
            ),
            mean_difficulty_rating=_real(means["difficulty"]),
            mean_obstacles_rating=_real(means["obstacles"]),
            engagement=_real(data["engagement"]),
            level=_real(data["level"]),
            level_bias_corrected=_real(data["level_bias_corrected"]),
            streak_current=int(streak["current"]),
            streak_longest=int(streak["longest"]),
            counts={str(k): int(v) for k, v in data["counts"].items()},
            obstacle_excluded=tuple(data["obstacle_excluded"]),
        )


@dataclass(frozen=True, slots=True)
class Trend:
    weeks: tuple[tuple[int, dt.date, float | None, int], ...]  # (index, first day, Q, n)
    slope: float | None
    declining: bool | None
    used: tuple[int, ...]  # the week indexes the slope was fitted on

    def to_dict(self) -> dict[str, Any]:
        """Every field: ``used`` as ``weeks_used``, each week as ``{week, first_day, quantity,
        n}``."""
        return {
            "slope": self.slope,
            "declining": self.declining,
            "weeks_used": list(self.used),
            "weeks": [
                {"week": i, "first_day": d.isoformat(), "quantity": q, "n": n}
                for i, d, q, n in self.weeks
            ],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            weeks=tuple(
                (
                    int(w["week"]),
                    dt.date.fromisoformat(w["first_day"]),
                    _real(w["quantity"]),
                    int(w["n"]),
                )
                for w in data["weeks"]
            ),
            slope=_real(data["slope"]),
            declining=data["declining"],
            used=tuple(int(i) for i in data["weeks_used"]),
        )


@dataclass(frozen=True)
class Evaluation:
    occurrences: tuple[OccurrenceResult, ...]
    extra: tuple[Extra, ...]
    overall: Scores
    steps: dict[str, Scores]
    trend: Trend
    step_weighted: dict[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Every field, each value through its own ``to_dict()``."""
        return {
            "occurrences": [r.to_dict() for r in self.occurrences],
            "extra": [e.to_dict() for e in self.extra],
            "overall": self.overall.to_dict(),
            "steps": {step: s.to_dict() for step, s in self.steps.items()},
            "trend": self.trend.to_dict(),
            "step_weighted": dict(self.step_weighted),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, timezone: str | None = None) -> Self:
        """``timezone`` (an IANA name) puts the occurrences' times back in that zone."""
        return cls(
            occurrences=tuple(
                OccurrenceResult.from_dict(r, timezone=timezone) for r in data["occurrences"]
            ),
            extra=tuple(Extra.from_dict(e) for e in data["extra"]),
            overall=Scores.from_dict(data["overall"]),
            steps={step: Scores.from_dict(s) for step, s in data["steps"].items()},
            trend=Trend.from_dict(data["trend"]),
            step_weighted={k: _real(v) for k, v in data["step_weighted"].items()},
        )


def _real(value: Any) -> float | None:
    """A JSON number (or null) back as the float it was; ints stay ints (equal anyway)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number or null, got {type(value).__name__}")
    return value


def _timing(value: Any) -> Timing:
    if value == "flexible" or value == "strict":
        return value  # type: ignore[no-any-return]
    raise ValueError(f"timing must be 'flexible' or 'strict', not {value!r}")


def _obstacle_kind(value: Any) -> ObstacleKind | None:
    if value is None or value == "external" or value == "internal":
        return value  # type: ignore[no-any-return]
    raise ValueError(f"an obstacle's kind is 'external' or 'internal', not {value!r}")


# ---------------------------------------------------------------- fast construction

# A frozen dataclass's __init__ sets each field through ``object.__setattr__``, looked up
# field by field; that is half the cost of reading a response in a big export. These build
# the very same frozen records: a plain class with the record's slots, in the same order,
# takes the values with ordinary attribute stores, then becomes the record by ``__class__``
# assignment, which Python allows between classes of the same layout (and refuses with
# TypeError if a field is ever added to one and not the other). A test compares them with the
# ordinary constructors. About 0.17 of the adherence bench's units (one json.loads of a line)
# per record over calling each slot's setter (0.25 → 0.08; 2026-12-04).


class _NewSubmission:
    __slots__ = SubmissionRecord.__slots__  # the same names in the same order: the same layout

    def __init__(
        self,
        submitted_at: dt.datetime,
        fraction: float,
        occurrence: str | None,
        step: str | None,
        worksheet: str | None,
        quality: float | None,
        difficulty: float | None,
        obstacles: float | None,
        obstacle_kind: ObstacleKind | None,
        obstacle_note: str | None,
        answered: bool,
        index: int,
        id: str | None,
    ) -> None:
        self.submitted_at = submitted_at
        self.fraction = fraction
        self.occurrence = occurrence
        self.step = step
        self.worksheet = worksheet
        self.quality = quality
        self.difficulty = difficulty
        self.obstacles = obstacles
        self.obstacle_kind = obstacle_kind
        self.obstacle_note = obstacle_note
        self.answered = answered
        self.index = index
        self.id = id


class _NewResult:
    __slots__ = OccurrenceResult.__slots__

    def __init__(
        self,
        slot: Slot,
        status: Status,
        credit: float | None,
        submission: SubmissionRecord | None,
        submissions: int,
        obstacle_kind: ObstacleKind | None,
        obstacle_note: str | None,
        over: float,
    ) -> None:
        self.slot = slot
        self.status = status
        self.credit = credit
        self.submission = submission
        self.submissions = submissions
        self.obstacle_kind = obstacle_kind
        self.obstacle_note = obstacle_note
        self.over = over


def make_submission(
    submitted_at: dt.datetime,
    fraction: float,
    occurrence: str | None,
    step: str | None,
    worksheet: str | None,
    quality: float | None,
    difficulty: float | None,
    obstacles: float | None,
    obstacle_kind: ObstacleKind | None,
    obstacle_note: str | None,
    answered: bool,
    index: int,
    id: str | None,
) -> SubmissionRecord:
    """``SubmissionRecord(...)`` with every field given positionally, built faster."""
    s: SubmissionRecord = _NewSubmission(  # type: ignore[assignment]
        submitted_at, fraction, occurrence, step, worksheet, quality, difficulty, obstacles,
        obstacle_kind, obstacle_note, answered, index, id,
    )  # fmt: skip
    s.__class__ = SubmissionRecord
    return s


def make_result(
    slot: Slot,
    status: Status,
    credit: float | None,
    submission: SubmissionRecord | None,
    submissions: int,
    obstacle_kind: ObstacleKind | None,
    obstacle_note: str | None,
    over: float,
) -> OccurrenceResult:
    """``OccurrenceResult(...)`` with every field given positionally, built faster."""
    r: OccurrenceResult = _NewResult(  # type: ignore[assignment]
        slot, status, credit, submission, submissions, obstacle_kind, obstacle_note, over
    )
    r.__class__ = OccurrenceResult
    return r


# ---------------------------------------------------------------- matching


def _ref_id(ref: str | None) -> str | None:
    return None if ref is None else ref.split("@", 1)[0]


class _Matcher:
    """Finds the occurrence a submission belongs to (DESIGN §6)."""

    def __init__(self, slots: Sequence[Slot]) -> None:
        """``slots`` in schedule order (by ``opens``)."""
        self.slots = slots
        self.by_id = {s.id: i for i, s in enumerate(slots)}
        self.by_local: dict[str, list[int]] = {}
        self.by_instant: dict[float, list[int]] = {}
        self.opens = [s.opens.timestamp() for s in slots]
        self.graces = [s.grace_until.timestamp() for s in slots]
        for i, s in enumerate(slots):
            if s.local_start:
                self.by_local.setdefault(s.local_start, []).append(i)
            self.by_instant.setdefault(self.opens[i], []).append(i)
        # The longest open → grace_until span bounds how far back an open occurrence can start.
        self.span = max((g - o for o, g in zip(self.opens, self.graces, strict=True)), default=0)
        # No window reaches the next occurrence's start (a daily habit, say): then only the
        # last occurrence opened by an instant can accept it, and open_at looks at that one
        # alone (about 0.5 µs of its 1.2 µs per response naming no occurrence, 2026-12-05).
        self.disjoint = all(g < o for g, o in zip(self.graces, self.opens[1:], strict=False))

    def _pick(self, found: list[int], sub: SubmissionRecord) -> int | None:
        if len(found) > 1 and sub.step is not None:
            narrowed = [i for i in found if self.slots[i].step == sub.step]
            found = narrowed or found
        if len(found) > 1 and sub.worksheet is not None:
            ws = _ref_id(sub.worksheet)
            narrowed = [i for i in found if _ref_id(self.slots[i].worksheet) == ws]
            found = narrowed or found
        return found[0] if found else None

    def by_reference(self, ref: str, sub: SubmissionRecord) -> int | None:
        hit = self.by_id.get(ref)
        if hit is not None:
            return hit
        text = ref.strip()
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            key = moment.strftime("%Y-%m-%dT%H:%M")
            return self._pick(list(self.by_local.get(key, [])), sub)
        return self._pick(list(self.by_instant.get(moment.timestamp(), [])), sub)

    def open_at(self, sub: SubmissionRecord, done: Sequence[bool]) -> int | None:
        """The occurrence accepting ``sub`` at its submission time.

        Among several (overlapping windows): one not excused, the response's own step/worksheet,
        then one not yet completed, then one still on time, then the earliest scheduled.
        """
        t = sub.submitted_at
        ts = t.timestamp()
        last = bisect.bisect_right(self.opens, ts)
        graces = self.graces
        if self.disjoint:
            # Every earlier occurrence's grace ended before the last one opened (<= ts): the
            # candidates below are this one or none.
            return last - 1 if last and ts <= graces[last - 1] else None
        first = bisect.bisect_left(self.opens, ts - self.span, 0, last)
        candidates = [i for i in range(first, last) if ts <= graces[i]]
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        ws = _ref_id(sub.worksheet)

        def rank(i: int) -> tuple[int, int, int, int]:
            s = self.slots[i]
            own = (sub.step is None or s.step == sub.step) and (
                ws is None or s.worksheet is None or _ref_id(s.worksheet) == ws
            )
            return (
                1 if s.excused else 0,
                0 if own else 1,
                1 if done[i] else 0,
                0 if t <= s.due else 1,
            )

        return min(candidates, key=rank)


# ---------------------------------------------------------------- statuses


COMPLETED: frozenset[str] = frozenset({"completed_on_time", "completed_late"})
# Which of two submissions decides an occurrence, after credit: the better status first.
RANK: dict[str, int] = {"completed_on_time": 0, "completed_late": 1, "partial": 2, "missed": 3}


def grade(fraction: float, on_time: bool, late: float, threshold: float) -> tuple[Status, float]:
    """The one status/credit rule: what a submission inside the grace period earns once its
    occurrence is closed. ``fraction`` is the share done (capped to [0, 1] here), ``on_time``
    whether it came by ``due``, ``late`` the occurrence's w_late, ``threshold`` θ."""
    # Capped by comparisons, not min(max(…)): the same value (NaN and -0.0 included) without
    # two calls, for a rule that runs once per occurrence of every assignment.
    f = 0.0 if fraction < 0.0 else (1.0 if fraction > 1.0 else fraction)
    if f >= threshold:
        return ("completed_on_time", 1.0) if on_time else ("completed_late", late)
    if f > 0:
        return "partial", f * (1.0 if on_time else late)
    return "missed", 0.0


def _credit_of(slot: Slot, sub: SubmissionRecord, policy: Policy) -> tuple[Status, float]:
    """Status and credit ``sub`` earns for ``slot`` once the occurrence is closed: ``missed``
    after the grace period, else :func:`grade`."""
    if sub.submitted_at > slot.grace_until:
        return "missed", 0.0
    return grade(
        sub.fraction, sub.submitted_at <= slot.due, policy.w_late(slot.timing), policy.threshold
    )


def _settled(status: Status, still_open: bool) -> bool:
    """Whether an occurrence shows ``status`` yet: one not completed stays ``open`` until its
    grace period ends (``still_open``)."""
    return status in COMPLETED or not still_open


def _decide(
    slot: Slot, subs: list[SubmissionRecord], as_of: dt.datetime, policy: Policy
) -> OccurrenceResult:
    if not subs:
        if slot.excused:
            return OccurrenceResult(slot, "excused", None)
        if as_of < slot.opens:
            return OccurrenceResult(slot, "upcoming", None)
        if as_of <= slot.grace_until:
            return OccurrenceResult(slot, "open", None)
        return OccurrenceResult(slot, "missed", 0.0)
    if len(subs) == 1 and not slot.excused and subs[0].obstacle_kind is None:
        # The common case, without the general search below.
        only = subs[0]
        status: Status
        chosen: SubmissionRecord | None
        if as_of < slot.opens:
            return OccurrenceResult(slot, "upcoming", None)
        if only.submitted_at > slot.grace_until:
            status, credit, n, chosen = "missed", 0.0, 0, None
        else:
            status, credit = _credit_of(slot, only, policy)
            n, chosen = 1, only
        if not _settled(status, as_of <= slot.grace_until):
            return OccurrenceResult(slot, "open", None, chosen, n)
        over = only.fraction - 1.0 if chosen is not None and only.fraction > 1.0 else 0.0
        return OccurrenceResult(slot, status, credit, chosen, n, None, None, over)
    obstacle = next((s for s in reversed(subs) if s.obstacle_kind is not None), None)
    okind = obstacle.obstacle_kind if obstacle else None
    onote = obstacle.obstacle_note if obstacle else None
    if slot.excused:
        return OccurrenceResult(slot, "excused", None, None, 0, okind, onote)
    if as_of < slot.opens:
        return OccurrenceResult(slot, "upcoming", None, None, 0, okind, onote)
    counted = [s for s in subs if s.submitted_at <= slot.grace_until]
    best: SubmissionRecord | None = None
    best_key: tuple[float, int, dt.datetime, int] | None = None
    best_sc: tuple[Status, float] = ("missed", 0.0)
    for s in counted:
        status, credit = _credit_of(slot, s, policy)
        key = (-credit, RANK[status], s.submitted_at, s.index)
        if best_key is None or key < best_key:
            best, best_key, best_sc = s, key, (status, credit)
    over = max(0.0, best.fraction - 1.0) if best is not None else 0.0
    status, credit = best_sc
    if not _settled(status, as_of <= slot.grace_until):
        return OccurrenceResult(slot, "open", None, best, len(counted), okind, onote, over)
    return OccurrenceResult(slot, status, credit, best, len(counted), okind, onote, over)


# ---------------------------------------------------------------- scores


def _mean(values: Iterable[float]) -> float | None:
    vs = list(values)
    return sum(vs) / len(vs) if vs else None


def _weighted(ds: Sequence[tuple[float, float]]) -> float | None:
    """Σ d·c / Σ d over (planned difficulty, credit) pairs; None when Σ d is not positive."""
    total = sum(d for d, _ in ds)
    if not ds or total <= 0:
        return None
    return sum(d * c for d, c in ds) / total


@dataclass(slots=True)
class _Tally:
    """What one pass over the results gathers for :func:`scores_of`."""

    counts: dict[str, int]
    credits: list[float] = field(default_factory=list)
    kept: list[float] = field(default_factory=list)  # credits without external-obstacle misses
    excluded: list[str] = field(default_factory=list)
    qualities: list[float] = field(default_factory=list)
    difficulties: list[float] = field(default_factory=list)
    obstacle_ratings: list[float] = field(default_factory=list)
    ds: list[tuple[float, float]] = field(default_factory=list)  # (planned difficulty, credit)
    ds_kept: list[tuple[float, float]] = field(default_factory=list)
    on_time: int = 0
    completed: int = 0
    level: float = 0.0  # exponential moving average over closed eligible occurrences
    closed: int = 0
    streak: int = 0
    longest: int = 0


def _tally(results: Sequence[OccurrenceResult], policy: Policy, m: float) -> _Tally:
    """One pass over ``results`` (in schedule order); ``m`` is the level's decay per step."""
    # Every list's append is bound once and the ratings are read inline: this pass runs over
    # every occurrence of every assignment (about 0.1 of the adherence bench's units, one
    # json.loads of a line, 2026-12-04).
    t = _Tally(dict.fromkeys(STATUSES, 0))
    counts = t.counts
    count_open = policy.count_open
    add_credit, add_kept, add_ds = t.credits.append, t.kept.append, t.ds.append
    add_ds_kept, add_excluded = t.ds_kept.append, t.excluded.append
    add_quality, add_difficulty = t.qualities.append, t.difficulties.append
    add_obstacles = t.obstacle_ratings.append
    one_minus_m = 1.0 - m
    s_k = 0.0
    k = on_time = completed = 0
    # Streaks walk closed, non-excused occurrences; the rest are transparent.
    current = longest = 0
    for r in results:
        status = r.status
        counts[status] += 1
        closed = status in ELIGIBLE
        if not closed and not (count_open and status == "open"):
            continue
        credit = r.credit
        sub = r.submission
        if credit is None:
            # An open occurrence (count_open) counts with the credit it has so far.
            credit = 0.0 if sub is None else _credit_of(r.slot, sub, policy)[1]
        add_credit(credit)
        if status in COMPLETED:
            completed += 1
            on_time += status == "completed_on_time"
        if sub is not None:
            if sub.quality is not None:
                add_quality(sub.quality / 4.0)
            if sub.difficulty is not None:
                add_difficulty(sub.difficulty)
            if sub.obstacles is not None:
                add_obstacles(sub.obstacles)
        slot = r.slot
        planned = slot.difficulty
        if status == "missed" and r.obstacle_kind == "external":
            add_excluded(slot.id)
        else:
            add_kept(credit)
            if planned is not None:
                add_ds_kept((planned, credit))
        if planned is not None:
            add_ds((planned, credit))
        if closed:
            s_k = m * s_k + one_minus_m * (r.credit or 0.0)
            k += 1
            if status == "completed_on_time" or (
                status == "completed_late" and slot.timing == "flexible"
            ):
                current += 1
                if current > longest:
                    longest = current
            else:
                current = 0
    t.on_time, t.completed, t.level, t.closed = on_time, completed, s_k, k
    t.streak, t.longest = current, longest
    return t


def scores_of(
    results: Sequence[OccurrenceResult], policy: Policy, key: ScoringKey = DEFAULT_KEY
) -> Scores:
    """Every score over ``results`` (in schedule order).

    One pass over the results (this runs once per assignment of a big export); the sums are
    taken with ``sum`` over lists in schedule order, so every figure is the same float as the
    formula written term by term.
    """
    m = 0.5 ** (1.0 / policy.half_life)
    t = _tally(results, policy, m)
    n = len(t.credits)
    quantity = _mean(t.credits)
    quality = _mean(t.qualities)
    mean_diff = _mean(t.difficulties)
    mean_obs = _mean(t.obstacle_ratings)
    engagement = key(
        {
            "quantity": quantity,
            "quality": quality,
            "difficulty": mean_diff,
            "obstacles": mean_obs,
        }
    )
    if engagement is not None and not 0.0 <= engagement <= 1.0:  # also catches NaN
        raise ValueError("the engagement scoring key returned a value outside [0, 1]")
    k = t.closed
    return Scores(
        n=n,
        quantity=quantity,
        strict_rate=t.on_time / n if n else None,
        any_rate=t.completed / n if n else None,
        quality=quality,
        quality_n=len(t.qualities),
        difficulty_weighted=_weighted(t.ds),
        difficulty_n=len(t.ds),
        obstacle_adjusted=_mean(t.kept),
        obstacle_n=len(t.kept),
        difficulty_weighted_obstacle_adjusted=_weighted(t.ds_kept),
        mean_difficulty_rating=mean_diff,
        mean_obstacles_rating=mean_obs,
        engagement=engagement,
        level=t.level if k else None,
        level_bias_corrected=t.level / (1.0 - m**k) if k else None,
        streak_current=t.streak,
        streak_longest=t.longest,
        counts=t.counts,
        obstacle_excluded=tuple(t.excluded),
    )


def _slope(points: Sequence[tuple[float, float]]) -> float:
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return sxy / sxx


def week_indexes(slots: Sequence[Slot], start: dt.date, tz: dt.tzinfo) -> list[int]:
    """The week of each slot, counted from ``start`` in local time (week 0 = first 7 days)."""
    return [(s.opens.astimezone(tz).date() - start).days // 7 for s in slots]


# The complete weeks as of an instant, ``(week index, first day)`` in week order, and for
# each occurrence (by position) the place of its week in that list, or -1 (not complete).
_Weeks = tuple[list[tuple[int, dt.date]], list[int]]


def _complete_weeks(
    weeks_of: Sequence[int], as_of: dt.datetime, start: dt.date, tz: dt.tzinfo
) -> _Weeks:
    """The complete weeks as of ``as_of`` that have occurrences, and where each occurrence
    falls among them."""
    local_now = as_of.astimezone(tz)
    complete: list[tuple[int, dt.date]] = []
    place: dict[int, int] = {}
    for index in sorted(set(weeks_of)):
        first = start + dt.timedelta(days=7 * index)
        end_day = first + dt.timedelta(days=7)
        end = dt.datetime(end_day.year, end_day.month, end_day.day, tzinfo=tz)
        if end > local_now:
            continue  # not complete yet
        place[index] = len(complete)
        complete.append((index, first))
    return complete, [place.get(week, -1) for week in weeks_of]


def _trend(results: Sequence[OccurrenceResult], weeks: _Weeks, policy: Policy) -> Trend:
    complete, place = weeks
    credits: list[list[float]] = [[] for _ in complete]
    for r, k in zip(results, place, strict=True):
        if k >= 0 and r.status in ELIGIBLE:
            credits[k].append(r.credit or 0.0)
    rows: list[tuple[int, dt.date, float | None, int]] = []
    for (index, first), cs in zip(complete, credits, strict=True):
        rows.append((index, first, sum(cs) / len(cs) if cs else None, len(cs)))
    usable = [(i, q) for i, _, q, _ in rows if q is not None][-policy.trend_weeks :]
    if len(usable) < policy.trend_min_weeks:
        return Trend(tuple(rows), None, None, ())
    slope = _slope([(float(i), q) for i, q in usable])
    return Trend(tuple(rows), slope, slope < policy.declining_below, tuple(i for i, _ in usable))


class _Prepared:
    """What ``evaluate`` derives from the slots alone (and, per ``as_of``, from the slots and
    that instant), kept while the same tuple of slots is passed again: thousands of
    assignments sharing one schedule share this work."""

    __slots__ = (
        "as_of",
        "due_utc",
        "empty",
        "grace_utc",
        "matcher",
        "ordered",
        "phases",
        "steps",
        "weeks",
        "weeks_key",
    )

    def __init__(self, ordered: list[Slot]) -> None:
        self.ordered = ordered
        self.matcher = _Matcher(ordered)
        # The same instants in UTC: comparing two datetimes that share their tzinfo is a plain
        # field comparison, and responses mostly carry Z or +00:00 (the UTC singleton).
        self.due_utc = [s.due.astimezone(dt.UTC) for s in ordered]
        self.grace_utc = [s.grace_until.astimezone(dt.UTC) for s in ordered]
        # The pathway steps the slots belong to, sorted (for the per-step scores).
        self.steps = sorted({s.step for s in ordered if s.step is not None})
        self.as_of: dt.datetime | None = None
        # Per slot, as of ``as_of``: 0 upcoming, 1 open (up to grace_until), 2 closed.
        self.phases: list[int] = []
        # The result of each slot that no submission reached (frozen, so shareable).
        self.empty: list[OccurrenceResult | None] = []
        self.weeks_key: tuple[dt.date, dt.tzinfo, dt.datetime] | None = None
        self.weeks: _Weeks = ([], [])

    def at(self, as_of: dt.datetime) -> None:
        if (
            self.as_of is not None
            and self.as_of == as_of
            and self.as_of.utcoffset() == (as_of.utcoffset())
        ):
            return
        self.as_of = as_of
        self.phases = [
            0 if as_of < s.opens else (1 if as_of <= s.grace_until else 2) for s in self.ordered
        ]
        self.empty = [None] * len(self.ordered)

    def complete_weeks(self, start: dt.date, tz: dt.tzinfo, as_of: dt.datetime) -> _Weeks:
        key = (start, tz, as_of)
        if self.weeks_key != key:
            ordered = self.ordered
            self.weeks = _complete_weeks(week_indexes(ordered, start, tz), as_of, start, tz)
            self.weeks_key = key
        return self.weeks


# The last few tuples of slots and their preparation, newest first. Found by the tuple itself
# (``is``), never by its address: each entry holds its tuple, and hashing a year of slots on
# every call would cost a sixth of an evaluation.
_PREPARED: list[tuple[tuple[Slot, ...], _Prepared]] = []
_PREPARED_LIMIT = 16


def _prepare(slots: Sequence[Slot]) -> _Prepared:
    """Slots in schedule order with their matcher; reused while the *same tuple* of slots is
    passed again. Lists are never cached, since they can change between calls."""
    if isinstance(slots, tuple):
        for kept, prepared in _PREPARED:
            if kept is slots:
                return prepared
    prepared = _Prepared(sorted(slots, key=lambda s: (s.opens, s.id)))
    if isinstance(slots, tuple):
        _PREPARED.insert(0, (slots, prepared))
        del _PREPARED[_PREPARED_LIMIT:]
    return prepared


_BY_INDEX = attrgetter("index")
_BY_TIME = attrgetter("submitted_at")


def evaluate(
    slots: Sequence[Slot],
    submissions: Iterable[SubmissionRecord],
    as_of: dt.datetime,
    *,
    policy: Policy = Policy(),  # frozen: one shared default is safe
    key: ScoringKey = DEFAULT_KEY,
    start: dt.date | None = None,
    tz: dt.tzinfo | None = None,
) -> Evaluation:
    """Statuses, credits and every score as of ``as_of`` (an aware datetime).

    Submissions after ``as_of`` have not happened yet and are ignored. ``start``/``tz`` anchor
    the weeks of the trend (default: the first occurrence's local date and zone).
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be an aware datetime (an instant)")
    prepared = _prepare(slots)
    prepared.at(as_of)
    ordered = prepared.ordered
    # Time order, ties by index: two stable sorts with C-level keys.
    as_of_utc = as_of.astimezone(dt.UTC)
    subs = [s for s in submissions if s.submitted_at <= as_of_utc]
    subs.sort(key=_BY_INDEX)
    subs.sort(key=_BY_TIME)
    matched, extra = _match(prepared, subs, policy.threshold)
    results, repeats = _results(prepared, matched, as_of, policy)
    extra.extend(repeats)
    extra.sort(key=lambda e: (e.submission.submitted_at, e.submission.index))
    overall = scores_of(results, policy, key)
    steps, step_weighted = _step_scores(results, policy, key, prepared.steps)
    zone = tz or (ordered[0].opens.tzinfo if ordered else dt.UTC) or dt.UTC
    first_day = start or (ordered[0].opens.astimezone(zone).date() if ordered else as_of.date())
    trend = _trend(results, prepared.complete_weeks(first_day, zone, as_of), policy)
    return Evaluation(tuple(results), tuple(extra), overall, steps, trend, step_weighted)


def _match(
    prepared: _Prepared, subs: Sequence[SubmissionRecord], threshold: float
) -> tuple[list[list[SubmissionRecord] | None], list[Extra]]:
    """Each submission (in time order) into the occurrence it belongs to, or into extra."""
    ordered = prepared.ordered
    matcher = prepared.matcher
    grace_utc = prepared.grace_utc
    matched: list[list[SubmissionRecord] | None] = [None] * len(ordered)
    done = [False] * len(ordered)
    extra: list[Extra] = []
    by_id = matcher.by_id
    for sub in subs:
        reference = sub.occurrence
        if reference is not None:
            i = by_id.get(reference)
            if i is None:
                i = matcher.by_reference(reference, sub)
                if i is None:
                    extra.append(Extra(sub, "unknown_occurrence", reference))
                    continue
            slot = ordered[i]
            # A "could not do it" report (no answers) may arrive after the window closed; it
            # attaches to the occurrence it names. Practice after grace counts for nothing.
            if sub.answered and sub.submitted_at > grace_utc[i]:
                extra.append(Extra(sub, "after_grace", slot.id))
                continue
        else:
            found = matcher.open_at(sub, done)
            if found is None:
                extra.append(Extra(sub, "no_occurrence", None))
                continue
            i = found
            slot = ordered[i]
        if slot.excused and sub.answered:
            extra.append(Extra(sub, "excused", slot.id))
            continue
        bucket = matched[i]
        if bucket is None:
            matched[i] = [sub]
        else:
            bucket.append(sub)
        if sub.fraction >= threshold:  # min(fraction, 1) >= threshold, as threshold <= 1
            done[i] = True
    return matched, extra


def _results(
    prepared: _Prepared,
    matched: Sequence[list[SubmissionRecord] | None],
    as_of: dt.datetime,
    policy: Policy,
) -> tuple[list[OccurrenceResult], list[Extra]]:
    """The result of each occurrence (schedule order) and the repeats: every matched
    submission beyond the one that decided its occurrence."""
    ordered = prepared.ordered
    phases = prepared.phases
    empty = prepared.empty
    due_utc = prepared.due_utc
    grace_utc = prepared.grace_utc
    threshold = policy.threshold
    late = {"flexible": policy.w_late("flexible"), "strict": policy.w_late("strict")}
    results: list[OccurrenceResult] = []
    append = results.append
    repeats: list[Extra] = []
    for i, slot in enumerate(ordered):
        subs_i = matched[i]
        if subs_i is None:
            result = empty[i]
            if result is None:
                result = empty[i] = _decide(slot, [], as_of, policy)
            append(result)
            continue
        phase = phases[i]
        if phase and len(subs_i) == 1 and not slot.excused:
            only = subs_i[0]
            at = only.submitted_at
            if only.obstacle_kind is None and at <= grace_utc[i]:
                # The common case (one submission, inside its window): _decide, shortened.
                # A closed occurrence (phase 2) is settled whatever its status; an open one
                # asks the rule.
                fraction = only.fraction
                status, credit = grade(fraction, at <= due_utc[i], late[slot.timing], threshold)
                if phase == 1 and not _settled(status, True):
                    append(make_result(slot, "open", None, only, 1, None, None, 0.0))
                    continue
                over = fraction - 1.0 if fraction > 1.0 else 0.0
                # make_result, inline (one call fewer per occurrence: about 0.08 µs of a
                # response's 9 in bench_adherence, 2026-12-05).
                made: Any = _NewResult(slot, status, credit, only, 1, None, None, over)
                made.__class__ = OccurrenceResult
                append(made)
                continue
        result = _decide(slot, subs_i, as_of, policy)
        append(result)
        decided = result.submission
        if decided is not None:
            for s in subs_i:
                if s is not decided and s.answered:
                    repeats.append(Extra(s, "repeat", slot.id))
    return results, repeats


def _step_scores(
    results: Sequence[OccurrenceResult], policy: Policy, key: ScoringKey, step_ids: list[str]
) -> tuple[dict[str, Scores], dict[str, float | None]]:
    """Scores per pathway step (none for a single worksheet) and their means; ``step_ids``
    are the steps of the results' slots, sorted."""
    steps: dict[str, Scores] = {}
    if len(step_ids) > 1 or (step_ids and step_ids != ["main"]):
        for step in step_ids:
            steps[step] = scores_of([r for r in results if r.slot.step == step], policy, key)
    step_weighted: dict[str, float | None] = {}
    if steps:
        for name in ("quantity", "quality", "engagement"):
            values = [getattr(s, name) for s in steps.values() if getattr(s, name) is not None]
            step_weighted[name] = sum(values) / len(values) if values else None
    return steps, step_weighted

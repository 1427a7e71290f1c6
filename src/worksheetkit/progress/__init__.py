"""Adherence and progress: one status per occurrence, honest scores, answer series.

``adherence(assignment, responses, as_of)`` returns an :class:`AdherenceReport`. The model
(../shared/research/adherence.md, explained in docs/adherence.md) lives in ``_core`` as a pure
function over simple records (:class:`Slot`, :class:`SubmissionRecord`), so it can be tested and
reused without scheduling, pydantic or files.
"""

from __future__ import annotations

import warnings
from typing import Any

from ._api import adherence, default_fraction, match_occurrence, slot_of, slots_for
from ._combine import combine
from ._core import (
    DEFAULT_KEY,
    ELIGIBLE,
    STATUSES,
    EngagementInputs,
    EngagementKey,
    Evaluation,
    Extra,
    OccurrenceResult,
    Policy,
    Scores,
    ScoringKey,
    Slot,
    Status,
    SubmissionRecord,
    Trend,
    evaluate,
)
from ._core import _credit_of as credit_of
from ._reading import iter_jsonl, read_response
from ._report import AdherenceReport, ObstacleReport, RaisedAlert
from ._series import Point, Series, WeekMean

__all__ = [
    "DEFAULT_KEY",
    "ELIGIBLE",
    "STATUSES",
    "AdherenceReport",
    "EngagementInputs",
    "EngagementKey",
    "Evaluation",
    "Extra",
    "ObstacleReport",
    "OccurrenceResult",
    "Point",
    "Policy",
    "RaisedAlert",
    "Scores",
    "ScoringKey",
    "Series",
    "Slot",
    "Status",
    "SubmissionRecord",
    "Trend",
    "WeekMean",
    "adherence",
    "combine",
    "credit_of",
    "default_fraction",
    "evaluate",
    "iter_jsonl",
    "match_occurrence",
    "read_response",
    "slot_of",
    "slots_for",
]


def __getattr__(name: str) -> Any:
    if name == "Submission":  # renamed: it clashed with the intake's worksheetkit.Submission
        warnings.warn(
            "worksheetkit.progress.Submission is deprecated; use "
            "worksheetkit.progress.SubmissionRecord (worksheetkit.Submission is what "
            "check_submission returns)",
            DeprecationWarning,
            stacklevel=2,
        )
        return SubmissionRecord
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

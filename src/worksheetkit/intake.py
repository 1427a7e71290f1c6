"""Taking a submission: ``check_submission(pack, assignment, response, *, now)``.

What every homework app does when a response arrives, in one call: is the response for this
assignment, which occurrence of its schedule it names and whether that is on time, late or
outside its window, which worksheet version it was recorded against, whether it is valid,
its scores, and the urgent alerts to act on now. Occurrence ids repeat across assignments
(``main/2026-12-01T20:00`` is in every daily 20:00 schedule), so a submission is stored under
``(assignment id, occurrence id)``: :attr:`Submission.key`.

The timing status and the credit are adherence's own rule (``progress``), not a copy of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ._results import JsonResult
from .codes import Code
from .errors import Diagnostic, has_errors

if TYPE_CHECKING:
    from .model import Assignment, Response, Worksheet
    from .responses import ScoreResult
    from .scheduling import Occurrence
    from .validation import LoadedPack

__all__ = ["Submission", "SubmissionStatus", "UrgentAlert", "check_submission", "find_occurrence"]

#: When the submission arrived, relative to its occurrence: by the due time (``on_time``),
#: after it but within the grace period (``late``), before the occurrence opens or after its
#: grace period (``outside_window``), or no occurrence of the schedule found (``unknown``).
SubmissionStatus = Literal["on_time", "late", "outside_window", "unknown"]


@dataclass(frozen=True)
class UrgentAlert(JsonResult):
    """An urgent alert of a score (PHQ-9 item 9): notify the clinician now."""

    score: str
    message: str


@dataclass(frozen=True)
class Submission(JsonResult):
    """Everything an app needs to store and act on one submitted response.

    ``valid`` is False when a diagnostic is an error (the response should be refused and
    shown again with them). ``urgent_alerts`` are computed from the valid answers even when
    other answers are wrong: a safety item is never lost to an unrelated mistake.
    ``credit`` and ``adherence_status`` are what adherence will count for this response alone
    (``completed_on_time``, ``completed_late``, ``partial``, ``missed``), or None with no
    occurrence.
    """

    assignment: str
    occurrence_id: str | None
    status: SubmissionStatus
    occurrence: Occurrence | None = None
    worksheet: str | None = None  # the version checked against, id@x.y.z
    valid: bool = False
    fraction: float | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    scores: Mapping[str, ScoreResult] = field(default_factory=dict)
    urgent_alerts: tuple[UrgentAlert, ...] = ()
    adherence_status: str | None = None
    credit: float | None = None
    received_at: dt.datetime | None = None

    @property
    def key(self) -> tuple[str, str | None]:
        """``(assignment id, occurrence id)``: the key to store the submission under
        (occurrence ids repeat across assignments)."""
        return (self.assignment, self.occurrence_id)

    @staticmethod
    def _json_types() -> dict[str, Any]:
        """The field types this module imports only for type checking (for ``from_dict``)."""
        from .responses import ScoreResult
        from .scheduling import Occurrence

        return {"Occurrence": Occurrence, "ScoreResult": ScoreResult}


# -- finding the occurrence -----------------------------------------------------------------------


def _reference_day(reference: str) -> dt.date | None:
    """The day a reference names: an occurrence id's scheduled local day, or the date of a
    scheduled local start or an instant (the forms adherence accepts)."""
    from ._dates import parse_timestamp
    from .scheduling import local_start_of

    start = local_start_of(reference)
    if start is not None:
        try:
            return dt.date.fromisoformat(start[:10])
        except ValueError:
            return None
    moment = parse_timestamp(reference.strip())
    if moment is not None:
        return moment.date()
    try:  # a scheduled local start without an offset: 2026-12-02T09:00
        return dt.datetime.strptime(reference.strip()[:16], "%Y-%m-%dT%H:%M").date()
    except ValueError:
        return None


#: How far back an occurrence still open at a moment may have opened: the longest window plus
#: grace period a schedule is expected to have (a monthly task with a month's grace).
_OPEN_SPAN = dt.timedelta(days=62)


def _occurrence_for(
    assignment: Assignment,
    reference: str | None,
    moment: dt.datetime,
    *,
    pack: LoadedPack | None,
    responses: Iterable[Response] | None = None,
    step: str | None = None,
    worksheet: str | None = None,
) -> Occurrence | None:
    """Adherence's one matching rule (``progress.match_occurrence``) over the days around the
    reference, or, without one, the days before ``moment``."""
    from ._dates import date_problem
    from .progress import SubmissionRecord, match_occurrence
    from .scheduling import occurrences

    if reference is not None:
        day = _reference_day(reference)
        if day is None or date_problem(day) is not None:
            return None
        # The reference's date is its local (or UTC) day; a day either side covers any shift.
        start, end = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    else:
        start, end = (moment - _OPEN_SPAN).date(), moment.date() + dt.timedelta(days=1)
        if date_problem(start) is not None or date_problem(end) is not None:
            return None
    try:
        found = occurrences(assignment, start, end, pack=pack, responses=responses)
    except ValueError:  # ScheduleError, an unknown zone: no schedule to find it in
        return None
    record = SubmissionRecord(
        submitted_at=moment, fraction=1.0, occurrence=reference, step=step, worksheet=worksheet
    )
    return match_occurrence(found, record)


def find_occurrence(
    assignment: Assignment,
    occurrence_id: str,
    *,
    pack: LoadedPack | None = None,
    responses: Iterable[Response] | None = None,
) -> Occurrence | None:
    """The occurrence of ``assignment``'s schedule that ``occurrence_id`` names, or None.

    Every form adherence accepts in a response's ``occurrence`` works: the id
    (``main/2026-12-02T09:00``), the scheduled local start (``2026-12-02T09:00``) or an instant
    with an offset (``2026-12-02T09:00:00Z``). Only the days around the date it names are
    expanded, so this is quick for schedules of any length (and for those that never end).
    ``pack`` supplies pathways and default schedules; ``responses`` decide which pathway steps
    are unlocked. Ids repeat across assignments: look one up in the assignment it was issued
    for.
    """
    now = dt.datetime.now(dt.UTC)  # unused when a reference is given
    return _occurrence_for(assignment, occurrence_id, now, pack=pack, responses=responses)


# -- taking a submission ------------------------------------------------------------------------


def _worksheet_for(pack: LoadedPack, data: Mapping[str, Any]) -> Worksheet | None:
    from .model.envelope import valid_ref

    ref = data.get("worksheet")
    if not valid_ref(ref):
        return None
    ident = str(ref).partition("@")[0]
    version = data.get("version")
    wanted = [f"{ident}@{version}"] if isinstance(version, str) else []
    for candidate in (*wanted, str(ref), ident):
        try:
            return pack.worksheet(candidate)
        except (KeyError, ValueError):
            continue
    return None


def check_submission(
    pack: LoadedPack,
    assignment: Assignment,
    response: Response | Mapping[str, Any],
    *,
    now: dt.datetime,
    language: str | None = None,
) -> Submission:
    """Check one submitted response to ``assignment`` as it arrives at ``now``.

    ``now`` (aware) is when the server received it: timing is decided by the server's clock,
    not the client's ``submitted_at`` (pass that instead for a submission queued offline, if
    you trust the device). The response names its occurrence in ``occurrence``; its worksheet
    version is ``version`` (else the ``worksheet`` reference, else the newest in the pack).
    Never raises because of the response's content: every problem is a diagnostic.
    """
    from ._dates import parse_timestamp
    from .progress import Policy, credit_of, slot_of
    from .progress import SubmissionRecord as Attempt
    from .responses import check_response
    from .validation.objects import _data_of, check

    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (with a time zone)")
    data = _data_of(response)
    diagnostics: list[Diagnostic] = []
    if not isinstance(data, dict):
        diagnostics = check(data, pack=pack, kind="response")
        return Submission(assignment.id, None, "unknown", diagnostics=tuple(diagnostics),
                          received_at=now)  # fmt: skip
    worksheet = _worksheet_for(pack, data)
    scores: dict[str, ScoreResult] = {}
    fraction: float | None = None
    if worksheet is None:
        # Not in the pack (WK204/WK205 at /worksheet), or no usable reference: what validate
        # says of such a response.
        diagnostics.extend(check(data, pack=pack, kind="response"))
    else:
        result = check_response(worksheet, data, language=language)
        diagnostics.extend(result.diagnostics)
        scores, fraction = dict(result.scores), result.fraction
    named = data.get("assignment")
    if isinstance(named, str) and named != assignment.id:
        diagnostics.append(
            Diagnostic(
                code=Code.WK706,
                message="This response names another assignment than the one it was submitted to.",
                hint="Submit it to the assignment it names, or correct 'assignment'.",
                path=("assignment",),
            )
        )
    reference = data.get("occurrence") if isinstance(data.get("occurrence"), str) else None
    # Matched as adherence will match it (the one rule): by the reference, else at the
    # response's submitted_at (else at arrival).
    moment = parse_timestamp(data.get("submitted_at")) or now
    step = data.get("step") if isinstance(data.get("step"), str) else None
    ws_ref = data.get("worksheet") if isinstance(data.get("worksheet"), str) else None
    occurrence = _occurrence_for(
        assignment, reference, moment, pack=pack, step=step, worksheet=ws_ref
    )
    occurrence_id = occurrence.id if occurrence is not None else reference
    if reference is not None:
        if occurrence is None:
            diagnostics.append(
                Diagnostic(
                    code=Code.WK704,
                    message="This response names an occurrence that is not in the "
                    "assignment's schedule.",
                    severity="warning",
                    hint="Use an occurrence id as 'worksheetkit schedule --format json' lists "
                    "it, from this assignment.",
                    path=("occurrence",),
                )
            )
        elif worksheet is not None and occurrence.worksheet.partition("@")[0] != worksheet.id:
            diagnostics.append(
                Diagnostic(
                    code=Code.WK410,
                    message=f"The occurrence is for the worksheet "
                    f"'{occurrence.worksheet.partition('@')[0]}', but the response is for "
                    f"'{worksheet.id}'.",
                    hint="Send the response of the worksheet this occurrence asks for.",
                    path=("worksheet",),
                )
            )
    status: SubmissionStatus = "unknown"
    adherence_status: str | None = None
    credit: float | None = None
    if occurrence is not None:
        if now < occurrence.opens or now > occurrence.grace_until:
            status = "outside_window"
        else:
            status = "on_time" if now <= occurrence.due else "late"
        # The one status/credit rule of adherence (missed after the grace period).
        policy = Policy(
            threshold=assignment.completion_threshold, late_credit=assignment.late_credit
        )
        attempt = Attempt(submitted_at=now, fraction=fraction or 0.0)
        adherence_status, credit = credit_of(slot_of(occurrence), attempt, policy)
    urgent = tuple(
        UrgentAlert(sid, alert.message)
        for sid, result_ in scores.items()
        for alert in result_.alerts
        if alert.severity == "urgent"
    )
    return Submission(
        assignment=assignment.id,
        occurrence_id=occurrence_id,
        status=status,
        occurrence=occurrence,
        worksheet=None if worksheet is None else f"{worksheet.id}@{worksheet.version}",
        valid=not has_errors(diagnostics),
        fraction=fraction,
        diagnostics=tuple(diagnostics),
        scores=scores,
        urgent_alerts=urgent,
        adherence_status=adherence_status,
        credit=credit,
        received_at=now,
    )

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


def _scheduled_day(occurrence_id: str) -> dt.date | None:
    """The local date an occurrence id names (``scheduling.local_start_of``), if it is one."""
    from .scheduling import local_start_of

    start = local_start_of(occurrence_id)
    try:
        return None if start is None else dt.date.fromisoformat(start[:10])
    except ValueError:
        return None


def find_occurrence(
    assignment: Assignment,
    occurrence_id: str,
    *,
    pack: LoadedPack | None = None,
    responses: Iterable[Response] | None = None,
) -> Occurrence | None:
    """The occurrence of ``assignment``'s schedule with this id, or None.

    Only the days around the date the id names are expanded, so this is quick for schedules
    of any length (and for those that never end). ``pack`` supplies pathways and default
    schedules; ``responses`` decide which pathway steps are unlocked. Ids repeat across
    assignments: look one up in the assignment it was issued for.
    """
    from ._dates import date_problem
    from .scheduling import occurrences

    day = _scheduled_day(occurrence_id)
    if day is None or date_problem(day) is not None:
        return None
    # The id's date is the scheduled local day; a day either side covers any shift.
    start, end = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    try:
        found = occurrences(assignment, start, end, pack=pack, responses=responses)
    except ValueError:  # ScheduleError, an unknown zone: no schedule to find it in
        return None
    return next((o for o in found if o.id == occurrence_id), None)


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
                code="WK706",
                message="This response names another assignment than the one it was submitted to.",
                hint="Submit it to the assignment it names, or correct 'assignment'.",
                path="/assignment",
            )
        )
    occurrence_id = data.get("occurrence") if isinstance(data.get("occurrence"), str) else None
    occurrence = None
    if occurrence_id is not None:
        occurrence = find_occurrence(assignment, occurrence_id, pack=pack)
        if occurrence is None:
            diagnostics.append(
                Diagnostic(
                    code="WK704",
                    message="This response names an occurrence that is not in the "
                    "assignment's schedule.",
                    severity="warning",
                    hint="Use an occurrence id as 'worksheetkit schedule --format json' lists "
                    "it, from this assignment.",
                    path="/occurrence",
                )
            )
        elif worksheet is not None and occurrence.worksheet.partition("@")[0] != worksheet.id:
            diagnostics.append(
                Diagnostic(
                    code="WK410",
                    message=f"The occurrence is for the worksheet "
                    f"'{occurrence.worksheet.partition('@')[0]}', but the response is for "
                    f"'{worksheet.id}'.",
                    hint="Send the response of the worksheet this occurrence asks for.",
                    path="/worksheet",
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

"""``adherence()``: wire the assignment's schedule and its responses into the pure model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .._dates import check_date
from ..errors import Diagnostic
from ..model import text_in
from ..model.documents import Assignment, Response, Worksheet
from ..responses import fraction as response_fraction
from ..responses import score as response_score
from ._core import (
    DEFAULT_KEY,
    EngagementKey,
    Evaluation,
    Policy,
    ScoringKey,
    Slot,
    SubmissionRecord,
    _Matcher,
    _NewSubmission,
    evaluate,
)
from ._reading import (
    NO_SCHEDULE,
    NO_WORKSHEET,
    OTHER_ASSIGNMENT,
    TOO_MANY_UNMATCHED,
    UNKNOWN_OCCURRENCE,
    RawResponse,
    has_answer,
    iter_raw,
)
from ._reduce import Reducer, reduce_after
from ._report import AdherenceReport, ObstacleReport, RaisedAlert
from ._series import SeriesBuilder, number
from ._unlock import UnlockFacts

if TYPE_CHECKING:  # scheduling is imported on first use: it loads dateutil and zoneinfo
    from ..scheduling import Occurrence, PackLike

# Unbounded schedules (no for/count/until) are expanded this far past ``as_of``, so the report
# can show what is coming up.
HORIZON = dt.timedelta(days=14)


def _ref_id(ref: str | None) -> str | None:
    return None if ref is None else ref.split("@", 1)[0]


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ``ValueError`` when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone '{name}'") from exc


def default_fraction(answers: Mapping[str, Any]) -> float:
    """Without the worksheet: any answer given counts as done (documented fallback)."""
    return 1.0 if has_answer(answers) else 0.0


def as_instant(as_of: dt.datetime | dt.date, tz: dt.tzinfo) -> dt.datetime:
    """A date means the end of that local day (the start of the next one). Raises
    ``ValueError`` (``DateOutOfRange``) outside 1900-01-01 … 2200-12-31."""
    check_date(as_of, "as_of")
    if isinstance(as_of, dt.datetime):
        if as_of.tzinfo is None:
            raise ValueError("as_of must have a time zone (an instant), or be a date")
        return as_of
    nxt = as_of + dt.timedelta(days=1)
    return dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)


def slots_for(
    assignment: Assignment,
    as_of: dt.datetime,
    pack: PackLike | None,
    responses: Sequence[Response] | None = None,
) -> list[Slot]:
    """The assignment's occurrences (real scheduling) as adherence slots.

    ``locked`` occurrences (a pathway step not yet unlocked) count as excused: the client could
    not do them. Planned difficulty comes from the pathway step, else the assignment.
    Raises ``ValueError`` (``ScheduleError``) when the schedule cannot be expanded.
    """
    return _expand(assignment, as_of, pack, responses)[0]


def _expand(
    assignment: Assignment,
    as_of: dt.datetime,
    pack: PackLike | None,
    responses: Sequence[Response] | None = None,
) -> tuple[list[Slot], bool]:
    """``slots_for``, and whether they are the whole schedule (False: cut at the horizon)."""
    from ..scheduling import UnboundedScheduleError, occurrences

    whole = True
    try:
        found = occurrences(assignment, pack=pack, responses=responses)
    except UnboundedScheduleError:
        whole = False
        found = occurrences(assignment, end=as_of + HORIZON, pack=pack, responses=responses)
    difficulty: dict[str | None, float | None] = {}
    if assignment.pathway and pack is not None:
        try:
            pathway = pack.pathway(assignment.pathway)
            difficulty = {s.id: s.difficulty for s in pathway.steps}
        except KeyError:
            difficulty = {}
    slots = []
    for o in found:
        planned = difficulty.get(o.step)
        if planned is None:
            planned = assignment.difficulty
        slots.append(slot_of(o, planned))
    return slots, whole


def slot_of(o: Occurrence, difficulty: float | None = None) -> Slot:
    """One occurrence as the adherence model's slot (a locked step counts as excused)."""
    reason = o.excused_reason if o.excused else ("locked" if o.locked else None)
    return Slot(
        id=o.id,
        opens=o.opens,
        due=o.due,
        grace_until=o.grace_until,
        timing=o.timing,
        step=o.step,
        worksheet=o.worksheet,
        excused=o.excused or o.locked,
        excused_reason=reason,
        difficulty=difficulty,
        local_start=o.local_start,
    )


def match_occurrence(
    occurrences: Sequence[Occurrence], record: SubmissionRecord
) -> Occurrence | None:
    """The occurrence among ``occurrences`` that adherence files ``record`` under, by the one
    rule :func:`adherence` uses: the reference it names (an occurrence id, a scheduled local
    start ``2026-12-02T09:00`` or an instant with an offset), or, naming none, the occurrence
    open at its ``submitted_at`` (overlapping windows: one not excused, the response's own
    step and worksheet, then one still on time, then the earliest). None when there is none."""
    ordered = sorted(occurrences, key=lambda o: o.opens)
    matcher = _Matcher([slot_of(o) for o in ordered])
    if record.occurrence is not None:
        i = matcher.by_reference(record.occurrence, record)
    else:
        i = matcher.open_at(record, [False] * len(ordered))
    return None if i is None else ordered[i]


class Shelf:
    """What the assignments of one scoring run share: each worksheet resolved once by
    reference, and the completion fraction each distinct set of answers earned.

    ``adherence_stream`` keeps one for the whole file, so a log's repeated answers (the same
    sets and reps day after day) are worked out once. Memory is bounded: at most
    ``FRACTIONS_KEPT`` answer sets per worksheet, forgotten all at once past that.
    """

    FRACTIONS_KEPT = 4096

    def __init__(self, pack: PackLike | None) -> None:
        self.pack = pack
        self.found: dict[str, Worksheet | None] = {}
        # Per worksheet (by identity; ``found`` keeps it alive): answers key → fraction.
        self.fractions: dict[int, dict[Any, float]] = {}
        # The worksheet of the last call and its memo: a log names one worksheet line after line.
        self._last: Worksheet | None = None
        self._last_memo: dict[Any, float] = {}

    def fraction(self, worksheet: Worksheet, answers: Mapping[str, Any]) -> float:
        """``worksheetkit.responses.fraction`` of ``answers``, remembered for answers that are
        all scalars (text, numbers, true/false, null)."""
        # The key is every answer id, then every value, then every value's type (True == 1 ==
        # 1.0 in Python, not as answers); ids and values flat, not paired: no tuple per answer
        # (about 0.05 µs per response, 2026-12-05). Keys of the same length have the same
        # number of answers, so each part is in the same place.
        # A hit is found with a few C calls where the library checks its plan cache, reads the
        # answers and looks up its own memo: about 0.6 of the adherence bench's units (one
        # json.loads of a line; 2026-12-04). Only keys whose values are all scalars are
        # stored, so a key that hits has scalar values too (the types are part of it).
        if worksheet is self._last:
            memo = self._last_memo
        else:
            kept = self.fractions.get(id(worksheet))
            if kept is None:
                kept = self.fractions[id(worksheet)] = {}
            memo = kept
            self._last, self._last_memo = worksheet, memo
        if type(answers) is not dict:
            return _library_fraction(worksheet, answers)
        try:
            values = answers.values()
            key = (*answers, *values, *map(type, values))
            found = memo.get(key)
        except TypeError:  # a list or object among the answers: not hashable
            return _library_fraction(worksheet, answers)
        if found is not None:
            return found
        found = _library_fraction(worksheet, answers)
        if _SCALARS.issuperset(key[2 * len(answers) :]):
            if len(memo) >= self.FRACTIONS_KEPT:
                memo.clear()
            memo[key] = found
        return found


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _library_fraction(worksheet: Worksheet, answers: Mapping[str, Any]) -> float:
    value = response_fraction(worksheet, answers if type(answers) is dict else dict(answers))
    number_value = number(value)
    return number_value if number_value is not None else 0.0


class _Worksheets:
    """Worksheets by reference, resolved once each (through the run's :class:`Shelf`); the
    references this assignment named that the pack lacks; fractions through
    ``worksheetkit.responses``."""

    def __init__(
        self, pack: PackLike | None, default_ref: str | None, shelf: Shelf | None = None
    ) -> None:
        self.pack = pack
        self.default_ref = default_ref
        self.shelf = shelf if shelf is not None and shelf.pack is pack else Shelf(pack)
        self.cache = self.shelf.found
        self.missing: set[str] = set()

    def get(self, ref: str | None) -> Worksheet | None:
        ref = ref or self.default_ref
        if ref is None or self.pack is None:
            return None
        cache = self.cache
        if ref not in cache:
            try:
                cache[ref] = self.pack.worksheet(ref)
            except KeyError:
                cache[ref] = None
        found = cache[ref]
        if found is None:
            self.missing.add(_ref_id(ref) or ref)
        return found

    def fraction(self, worksheet: Worksheet | None, answers: Mapping[str, Any]) -> float:
        if worksheet is None:
            return default_fraction(answers)
        return self.shelf.fraction(worksheet, answers)


def _score_points(
    worksheet: Worksheet,
    raw: RawResponse,
    occurrence: str | None,
    builder: SeriesBuilder,
    alerts: list[RaisedAlert],
) -> None:
    """Scores of one response into the series, alerts into ``alerts``. Scoring never fails
    because of the answers (``responses.score``); anything it raises is a bug and propagates."""
    if not worksheet.scores:
        return
    # The answers as read, in a response dict (no model is built again from them).
    results = response_score(worksheet, {"worksheetkit": 1, "answers": dict(raw.answers)})
    lang = worksheet.language
    labels = {s.id: (text_in(s.label, lang), s.min, s.max) for s in worksheet.scores}
    for score_id in sorted(results):
        result = results[score_id]
        value = number(result.value)
        label, lo, hi = labels.get(score_id, (score_id, None, None))
        if value is not None:
            builder.add_score(
                worksheet,
                score_id,
                label,
                value,
                result.band,
                occurrence,
                raw.submitted_at,
                float(lo) if lo is not None else None,
                float(hi) if hi is not None else None,
            )
        for alert in result.alerts:
            alerts.append(
                RaisedAlert(
                    occurrence,
                    raw.submitted_at,
                    worksheet.id,
                    score_id,
                    alert.severity,
                    alert.message,
                )
            )


def _key_name(key: ScoringKey) -> str:
    if isinstance(key, EngagementKey):
        return key.name
    return str(getattr(key, "__name__", None) or type(key).__name__)


def adherence(
    assignment: Assignment,
    responses: str | Path | Iterable[Response | Mapping[str, Any]],
    as_of: dt.datetime | dt.date,
    *,
    pack: PackLike | None = None,
    scoring_key: ScoringKey = DEFAULT_KEY,
    count_open: bool = False,
    half_life: float = 7.0,
    series: bool = True,
    fraction: Callable[[Worksheet | None, Mapping[str, Any]], float] | None = None,
    slots: Sequence[Slot] | None = None,
    locations: tuple[str, Sequence[int]] | None = None,
    jobs: int | None = None,
) -> AdherenceReport:
    """Adherence of ``assignment`` as of ``as_of`` (an aware datetime, or a date meaning the end
    of that local day).

    ``responses`` is a path to a JSON Lines file (streamed line by line) or an iterable of
    ``Response`` models or plain dicts. Responses naming another assignment are skipped.
    ``pack`` resolves the worksheets (for completion fractions, item series and scores) and the
    pathway. ``fraction`` overrides how the share done is computed; ``slots`` supplies the
    occurrences ready-made (skipping scheduling; used for caching identical schedules).
    Problems in the responses are reported in ``report.diagnostics``; the rest is still scored.
    ``jobs`` (a path only): processes that read its lines, as for ``adherence_stream`` (None:
    every core for a file of 1 MiB or more, where this process may fork; 1: this one only).
    """
    source_file = str(responses) if isinstance(responses, str | Path) else None
    if locations is not None:
        source_file = locations[0]
    return score_read(
        assignment,
        iter_raw(responses, locations, jobs),
        source_file,
        as_of,
        pack=pack,
        scoring_key=scoring_key,
        count_open=count_open,
        half_life=half_life,
        series=series,
        fraction=fraction,
        slots=slots,
    )


def score_read(
    assignment: Assignment,
    items: Iterable[RawResponse | Diagnostic],
    source_file: str | None,
    as_of: dt.datetime | dt.date,
    *,
    pack: PackLike | None = None,
    scoring_key: ScoringKey = DEFAULT_KEY,
    count_open: bool = False,
    half_life: float = 7.0,
    series: bool = True,
    fraction: Callable[[Worksheet | None, Mapping[str, Any]], float] | None = None,
    slots: Sequence[Slot] | None = None,
    shelf: Shelf | None = None,
) -> AdherenceReport:
    """``adherence()`` over responses already read (``read_response``'s results, in order):
    the streaming scorer reads each line once and hands its group over here, with the
    :class:`Shelf` its assignments share."""
    tz = zone(assignment.timezone)
    moment = as_instant(as_of, tz)
    policy = Policy(
        threshold=assignment.completion_threshold,
        late_credit=assignment.late_credit,
        count_open=count_open,
        half_life=half_life,
    )
    books = _Worksheets(pack, assignment.worksheet, shelf)
    shape = _Shape(assignment, moment, pack, slots)
    reading = _Reading(assignment.id, books, fraction or books.fraction, policy, moment, series)
    reading.read(items, shape)
    diagnostics = reading.diagnostics + _reading_problems(reading, books, source_file)
    if shape.problem is not None:
        diagnostics.append(_no_schedule(shape.problem))
    slots = shape.slots
    if slots is None:
        unlock_input = shape.unlocks.responses() if shape.unlocks is not None else None
        try:
            slots = slots_for(assignment, moment, pack, unlock_input)
        except ValueError as exc:
            diagnostics.append(_no_schedule(exc))
            slots = []
    ev = evaluate(
        slots,
        reading.subs,
        moment,
        policy=policy,
        key=scoring_key,
        start=assignment.start,
        tz=tz,
    )
    ev = _with_dropped(ev, reading.reducer)
    diagnostics += _unknown_occurrences(ev, source_file)
    builder = SeriesBuilder(assignment.start, tz)
    obstacles, alerts = _place(reading, ev, books, builder, series, moment)
    reducer = reading.reducer
    return AdherenceReport(
        assignment=assignment.id,
        as_of=moment,
        timezone=assignment.timezone,
        start=assignment.start,
        evaluation=ev,
        scoring_key=_key_name(scoring_key),
        series=builder.build(),
        obstacles=tuple(obstacles),
        alerts=tuple(alerts),
        diagnostics=tuple(diagnostics),
        threshold=policy.threshold,
        late_credit=assignment.late_credit,
        extra_not_listed=reducer.dropped_extra if reducer is not None else 0,
    )


class _Shape:
    """The occurrences responses are reduced into while they are read.

    Memory stays O(occurrences), not O(lines): the schedule is expanded first and each
    response is reduced into its occurrence as it is read (``_reduce``). A pathway's unlocks
    depend on the responses: its occurrences are expanded first as if nothing were unlocked
    (the same ids and times; only which are locked changes), the few completion times the
    unlock rules can read are kept as the lines go by (``_unlock``), and the schedule is
    expanded again with them at the end (``slots`` stays None until then)."""

    def __init__(
        self,
        assignment: Assignment,
        moment: dt.datetime,
        pack: PackLike | None,
        slots: Sequence[Slot] | None,
    ) -> None:
        self.slots = slots
        self.shape: Sequence[Slot] | None = slots
        self.problem: ValueError | None = None
        self.unlocks: UnlockFacts | None = None
        if slots is not None:
            return
        if assignment.pathway:
            self._pathway(assignment, moment, pack)
            return
        try:
            self.slots = self.shape = slots_for(assignment, moment, pack, None)
        except ValueError as exc:
            self.problem, self.slots = exc, []
            self.shape = self.slots

    def _pathway(self, assignment: Assignment, moment: dt.datetime, pack: PackLike | None) -> None:
        counts: dict[str, int] | None = None
        try:
            shape, whole = _expand(assignment, moment, pack, None)
        except ValueError:  # reported when the schedule is expanded at the end
            shape, whole = None, False
        self.shape = shape
        if whole and shape is not None:  # every step ends: its occurrences are all here
            counts = {}
            for slot in shape:
                if slot.step is not None:
                    counts[slot.step] = counts.get(slot.step, 0) + 1
        self.unlocks = UnlockFacts(assignment, pack, counts)


_NO_REF: Any = object()


class _Reading:
    """The responses of one assignment as submissions, with their raw forms when charted."""

    def __init__(
        self,
        own_id: str,
        books: _Worksheets,
        share: Callable[[Worksheet | None, Mapping[str, Any]], float],
        policy: Policy,
        moment: dt.datetime,
        series: bool,
    ) -> None:
        self.own_id = own_id
        self.books = books
        self.share = share
        self.policy = policy
        self.moment = moment
        self.series = series
        self.diagnostics: list[Diagnostic] = []
        self.raws: list[RawResponse | None] = []  # None: the answers were not kept
        self.subs: list[SubmissionRecord] = []
        self.other = 0
        self.reducer: Reducer | None = None

    def read(self, items: Iterable[RawResponse | Diagnostic], shape: _Shape) -> None:
        own_id, books, share, series = self.own_id, self.books, self.share, self.series
        use_books = books.pack is not None
        threshold = self.policy.threshold
        unlocks = shape.unlocks
        raws, subs = self.raws, self.subs
        reducer: Reducer | None = None
        # Ordinary files are collected as they are (no per-line cost); past this many
        # responses (far more than the occurrences can use) they are folded into the reducer.
        plain_limit = reduce_after(shape.shape) if shape.shape is not None else None
        # Responses name the same worksheet line after line: it is looked up when the
        # reference changes (``books`` still notes each reference the pack lacks).
        last_ref: Any = _NO_REF
        worksheet: Worksheet | None = None
        # With the library's fractions, a response of a worksheet the pack has goes straight to
        # the run's Shelf (books.fraction's own test, one call fewer per response).
        shelf_fraction = books.shelf.fraction if share == books.fraction else None
        for item in items:
            if type(item) is not RawResponse:  # a Diagnostic (the exact type test is fastest)
                self.diagnostics.append(cast(Diagnostic, item))
                continue
            if item.assignment is not None and item.assignment != own_id:
                self.other += 1
                continue
            draft = item.draft  # its fields, read directly (not through the properties)
            ref = draft.worksheet
            if use_books and ref != last_ref:
                worksheet, last_ref = books.get(ref), ref
            # No answer at all is nothing done, whatever a completion formula says of nulls.
            if not draft.answered:
                frac = 0.0
            elif shelf_fraction is not None and worksheet is not None:
                frac = shelf_fraction(worksheet, item.answers)
            else:
                frac = share(worksheet, item.answers)
            # RawResponse.submission, inline for a draft not yet finished (one call fewer).
            sub: SubmissionRecord
            if type(draft) is _NewSubmission:
                draft.fraction = frac
                draft.__class__ = SubmissionRecord  # type: ignore[assignment]
                sub = cast(SubmissionRecord, draft)
            else:
                sub = item.submission(frac)
            if unlocks is not None and frac >= threshold:
                unlocks.add(item.submitted_at, item.step, item.occurrence, item.worksheet)
            if reducer is not None:
                reducer.add(sub, item if series else None)
                continue
            raws.append(item)
            subs.append(sub)
            if plain_limit is not None and len(subs) > plain_limit:
                assert shape.shape is not None
                reducer = self._fold(shape.shape)
                raws, subs = self.raws, self.subs
        if reducer is not None:
            self.subs, self.raws = reducer.result()
        self.reducer = reducer

    def _fold(self, shape: Sequence[Slot]) -> Reducer:
        reducer = Reducer(shape, self.policy, self.moment)
        for old_sub, old_raw in zip(self.subs, self.raws, strict=True):
            reducer.add(old_sub, old_raw if self.series else None)
        self.subs, self.raws = [], []
        return reducer


def _reading_problems(
    reading: _Reading, books: _Worksheets, source_file: str | None
) -> list[Diagnostic]:
    """Responses dropped, of another assignment, or of a worksheet not in the pack."""
    diagnostics: list[Diagnostic] = []
    reducer = reading.reducer
    if reducer is not None and reducer.unmatched_dropped:
        diagnostics.append(
            Diagnostic(
                TOO_MANY_UNMATCHED,
                f"{reducer.unmatched_dropped:,} response(s) name no occurrence and came "
                f"after the first {reducer.limit:,} such responses, so they were not "
                "matched or counted.",
                severity="warning",
                hint="Give each response the occurrence id that 'worksheetkit schedule' prints.",
                file=source_file,
            )
        )
    if reading.other:
        diagnostics.append(
            Diagnostic(
                OTHER_ASSIGNMENT,
                f"{reading.other} response(s) belong to another assignment and were not counted.",
                severity="warning",
                hint="Give this command only the responses of this assignment.",
                file=source_file,
            )
        )
    for ref in sorted(books.missing):
        diagnostics.append(
            Diagnostic(
                NO_WORKSHEET,
                f"The worksheet '{ref}' is not in the pack, so its responses count as done "
                "when they have any answer, and its answers are not charted.",
                severity="warning",
                hint="Pass the pack that holds the worksheet (--pack).",
            )
        )
    return diagnostics


def _with_dropped(ev: Evaluation, reducer: Reducer | None) -> Evaluation:
    """The evaluation counting, per occurrence, the submissions the reducer dropped."""
    if reducer is None or not reducer.dropped_counted:
        return ev
    counted = reducer.dropped_counted
    counted_for = reducer.counted_for
    return replace(
        ev,
        occurrences=tuple(
            replace(r, submissions=r.submissions + counted_for(r.slot.id, r.status))
            if r.slot.id in counted
            else r
            for r in ev.occurrences
        ),
    )


def _unknown_occurrences(ev: Evaluation, source_file: str | None) -> list[Diagnostic]:
    return [
        Diagnostic(
            UNKNOWN_OCCURRENCE,
            "This response names an occurrence that is not in the schedule; it is "
            "listed as extra practice.",
            severity="warning",
            hint="Use an occurrence id as 'worksheetkit schedule --format json' lists it.",
            file=source_file,
            line=e.submission.index if source_file is not None else None,
            path=("occurrence",),
        )
        for e in ev.extra
        if e.reason == "unknown_occurrence"
    ]


def _place(
    reading: _Reading,
    ev: Evaluation,
    books: _Worksheets,
    builder: SeriesBuilder,
    series: bool,
    moment: dt.datetime,
) -> tuple[list[ObstacleReport], list[RaisedAlert]]:
    """Obstacle reports, answer and score series, and alerts, each at the occurrence its
    submission landed on (only responses that carry an obstacle unless charting answers)."""
    obstacles: list[ObstacleReport] = []
    alerts: list[RaisedAlert] = []
    pairs = zip(reading.raws, reading.subs, strict=True)
    placed = list(pairs) if series else [(r, s) for r, s in pairs if s.obstacle_kind]
    if not placed:
        return obstacles, alerts
    where = {id(r.submission): r for r in ev.occurrences if r.submission is not None}
    extra_ids = {id(e.submission): e for e in ev.extra}
    status_of = {r.slot.id: r.status for r in ev.occurrences}
    for raw, sub in placed:
        if sub.submitted_at > moment:
            continue
        landed = where.get(id(sub))
        extra = extra_ids.get(id(sub))
        occ_id = landed.slot.id if landed else (extra.occurrence if extra else None)
        if sub.obstacle_kind is not None:
            obstacles.append(
                ObstacleReport(
                    occ_id,
                    sub.submitted_at,
                    sub.obstacle_kind,
                    sub.obstacle_note,
                    status_of.get(occ_id) if occ_id is not None else None,
                )
            )
        if not series or raw is None:
            continue
        worksheet = books.get(raw.worksheet)
        if worksheet is None or not raw.answered:
            continue
        builder.add_answers(worksheet, raw.answers, occ_id, raw.submitted_at)
        _score_points(worksheet, raw, occ_id, builder, alerts)
    obstacles.sort(key=lambda o: (o.submitted_at, o.occurrence or ""))
    alerts.sort(key=lambda a: (a.submitted_at, a.worksheet, a.score, a.message))
    return obstacles, alerts


def _no_schedule(exc: ValueError) -> Diagnostic:
    return Diagnostic(
        NO_SCHEDULE,
        f"The assignment's schedule cannot be expanded: {exc}.",
        hint="Run 'worksheetkit validate' on the assignment and fix its schedule.",
        path=("schedule",),
    )

"""One status/credit rule: every path that decides an occurrence agrees, at the boundaries too.

The paths: ``evaluate``'s short path (one submission, no obstacle: what a big streamed export
mostly takes), the general path (``_decide``: several submissions, or an obstacle report), the
reducer that keeps a streamed file O(occurrences), and ``credit_of`` (what ``check_submission``
tells a server as a response arrives). Submission times are drawn at and around the window's
end (``due``) and the grace period's end (``grace_until``), fractions at and around θ.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import examples
from worksheetkit.progress import Policy, Slot, Submission, credit_of, evaluate
from worksheetkit.progress._reduce import KEEP_PER_OCCURRENCE, Reducer

UTC = dt.UTC
OPENS = dt.datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
TICK = dt.timedelta(microseconds=1)


@st.composite
def occurrences(draw: st.DrawFn) -> tuple[Slot, Policy]:
    window = dt.timedelta(minutes=draw(st.integers(0, 240)))
    grace = dt.timedelta(minutes=draw(st.integers(0, 240)))
    slot = Slot(
        id="main/2026-03-02T18:00",
        opens=OPENS,
        due=OPENS + window,
        grace_until=OPENS + window + grace,
        timing=draw(st.sampled_from(["flexible", "strict"])),
        local_start="2026-03-02T18:00",
    )
    policy = Policy(
        threshold=draw(st.sampled_from([1.0, 0.8, 0.5, 0.01])),
        late_credit=draw(st.sampled_from([None, 0.0, 0.5, 1.0])),
    )
    return slot, policy


def _moments(slot: Slot) -> st.SearchStrategy[dt.datetime]:
    edges = [slot.opens, slot.due, slot.grace_until]
    near = [e + d for e in edges for d in (-TICK, dt.timedelta(0), TICK)]
    spread = st.integers(0, 600).map(lambda m: slot.opens + dt.timedelta(minutes=m))
    return st.sampled_from(near) | spread


def _fractions(policy: Policy) -> st.SearchStrategy[float]:
    theta = policy.threshold
    return st.sampled_from([0.0, -0.5, theta, theta - 1e-9, 1.0, 1.5]) | st.floats(0, 1.2)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Slot, Policy, Submission, dt.datetime]:
    slot, policy = draw(occurrences())
    sub = Submission(
        submitted_at=draw(_moments(slot)),
        fraction=draw(_fractions(policy)),
        occurrence=slot.id,
        index=1,
    )
    # as of: while the occurrence is open (at the boundaries too) or after it closed
    as_of = draw(st.sampled_from([slot.grace_until, slot.grace_until + TICK]) | _moments(slot))
    return slot, policy, sub, max(as_of, sub.submitted_at)


@settings(max_examples=examples(400), deadline=None)
@given(cases())
def test_short_and_general_paths_and_credit_of_agree(
    case: tuple[Slot, Policy, Submission, dt.datetime],
) -> None:
    slot, policy, sub, as_of = case
    short = evaluate([slot], [sub], as_of, policy=policy).occurrences[0]
    # An obstacle report sends the same submission through the general path.
    reported = dataclasses.replace(sub, obstacle_kind="internal", obstacle_note="x")
    general = evaluate([slot], [reported], as_of, policy=policy).occurrences[0]
    assert (short.status, short.credit) == (general.status, general.credit)
    if as_of > slot.grace_until:  # closed: the status a server was told on arrival
        assert (short.status, short.credit) == credit_of(slot, sub, policy)
    else:
        closed = evaluate([slot], [sub], slot.grace_until + TICK, policy=policy).occurrences[0]
        assert (closed.status, closed.credit) == credit_of(slot, sub, policy)
        if as_of < slot.opens:
            assert short.status == "upcoming"
        else:
            expected = closed.status if closed.status.startswith("completed") else "open"
            assert short.status == expected


@settings(max_examples=examples(150), deadline=None)
@given(occurrences(), st.data())
def test_the_reducer_keeps_what_decides_the_occurrence(
    occurrence: tuple[Slot, Policy], data: st.DataObject
) -> None:
    slot, policy = occurrence
    count = 2 * KEEP_PER_OCCURRENCE + data.draw(st.integers(0, 8))
    subs = [
        Submission(
            submitted_at=data.draw(_moments(slot)),
            fraction=data.draw(_fractions(policy)),
            occurrence=slot.id,
            index=n,
        )
        for n in range(count)
    ]
    as_of = slot.grace_until + dt.timedelta(days=1)
    reducer = Reducer([slot], policy, as_of)
    for sub in subs:
        reducer.add(sub, None)
    kept, _ = reducer.result()
    assert len(kept) < len(subs) or count == len(kept)
    whole = evaluate([slot], subs, as_of, policy=policy).occurrences[0]
    reduced = evaluate([slot], kept, as_of, policy=policy).occurrences[0]
    assert (whole.status, whole.credit) == (reduced.status, reduced.credit)
    assert whole.submission is reduced.submission


def test_credit_of_after_the_grace_period_is_missed() -> None:
    """``check_submission`` and the report agree on a response after grace (was two rules)."""
    slot = Slot(id="o", opens=OPENS, due=OPENS, grace_until=OPENS + dt.timedelta(hours=1))
    late = Submission(submitted_at=slot.grace_until + TICK, fraction=1.0, occurrence="o")
    assert credit_of(slot, late, Policy()) == ("missed", 0.0)
    on_edge = dataclasses.replace(late, submitted_at=slot.grace_until)
    assert credit_of(slot, on_edge, Policy()) == ("completed_late", 1.0)


@given(
    fraction=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-3, 3),
        st.sampled_from([0.0, -0.0, 1.0, 1, 0, float("nan")]),
    ),
    on_time=st.booleans(),
    late=st.sampled_from([0.0, 0.5, 1.0]),
    threshold=st.sampled_from([1.0, 0.8, 0.5, 0.01]),
)
def test_grade_caps_the_fraction_as_min_max_does(
    fraction: float, on_time: bool, late: float, threshold: float
) -> None:
    # grade caps by comparisons (no min/max calls); the status and credit, their types and
    # signs too (NaN, -0.0, whole numbers), are what the formula min(max(f, 0), 1) gives.
    from worksheetkit.progress._core import grade

    f = min(max(fraction, 0.0), 1.0)
    if f >= threshold:
        expected = ("completed_on_time", 1.0) if on_time else ("completed_late", late)
    elif f > 0:
        expected = ("partial", f * (1.0 if on_time else late))
    else:
        expected = ("missed", 0.0)
    status, credit = grade(fraction, on_time, late, threshold)
    assert status == expected[0]
    assert repr(credit) == repr(expected[1])

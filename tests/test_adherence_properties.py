"""Invariants of the adherence model, checked with hypothesis over random schedules."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import examples
from worksheetkit.progress import Evaluation, Policy, Scores, Slot, SubmissionRecord, evaluate

UTC = dt.UTC
BASE = dt.datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
SCORE_FIELDS = (
    "quantity",
    "strict_rate",
    "any_rate",
    "quality",
    "difficulty_weighted",
    "obstacle_adjusted",
    "difficulty_weighted_obstacle_adjusted",
    "engagement",
    "level",
    "level_bias_corrected",
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Slot], list[SubmissionRecord], dt.datetime, Policy]:
    n = draw(st.integers(1, 20))
    window = dt.timedelta(minutes=draw(st.integers(0, 600)))
    grace = dt.timedelta(minutes=draw(st.integers(0, 600)))
    slots = []
    for i in range(n):
        opens = BASE + dt.timedelta(days=i)
        slots.append(
            Slot(
                id=f"o{i}",
                opens=opens,
                due=opens + window,
                grace_until=opens + window + grace,
                timing=draw(st.sampled_from(["flexible", "strict"])),
                step=draw(st.sampled_from(["a", "b"])),
                excused=draw(st.booleans()) and draw(st.booleans()),
                difficulty=draw(st.none() | st.floats(0, 1)),
            )
        )
    rating = st.none() | st.floats(0, 4)
    subs = []
    for k in range(draw(st.integers(0, 30))):
        anchor = draw(st.integers(0, n - 1))
        at = BASE + dt.timedelta(days=anchor, minutes=draw(st.integers(-120, 1500)))
        kind = draw(st.sampled_from([None, None, "external", "internal"]))
        subs.append(
            SubmissionRecord(
                submitted_at=at,
                fraction=draw(st.sampled_from([0.0, 0.2, 0.5, 0.99, 1.0, 1.7])),
                occurrence=draw(st.sampled_from([None, f"o{anchor}", "nope"])),
                quality=draw(rating),
                difficulty=draw(rating),
                obstacles=draw(rating),
                obstacle_kind=kind,
                answered=draw(st.booleans()) or kind is None,
                index=k,
            )
        )
    as_of = BASE + dt.timedelta(hours=draw(st.integers(-24, 24 * (n + 3))))
    policy = Policy(
        threshold=draw(st.sampled_from([0.5, 0.8, 1.0])),
        late_credit=draw(st.none() | st.floats(0, 1)),
        count_open=draw(st.booleans()),
        half_life=draw(st.floats(0.5, 30)),
    )
    return slots, subs, as_of, policy


def assert_unit_or_none(scores: Scores) -> None:
    for name in SCORE_FIELDS:
        value = getattr(scores, name)
        assert value is None or 0.0 <= value <= 1.0 + 1e-12, (name, value)
    if scores.n == 0:
        assert scores.quantity is None
        assert scores.engagement is None


def credits(ev: Evaluation) -> dict[str, float | None]:
    return {r.slot.id: r.credit for r in ev.occurrences}


@settings(max_examples=examples(300), deadline=None)
@given(scenarios())
def test_every_score_is_in_unit_interval_or_null(case) -> None:  # type: ignore[no-untyped-def]
    slots, subs, as_of, policy = case
    ev = evaluate(slots, subs, as_of, policy=policy)
    assert_unit_or_none(ev.overall)
    for step in ev.steps.values():
        assert_unit_or_none(step)
    for _, _, q, _ in ev.trend.weeks:
        assert q is None or 0 <= q <= 1
    for r in ev.occurrences:
        assert (r.credit is None) == (not r.eligible)
        assert r.credit is None or 0 <= r.credit <= 1
    assert sum(ev.overall.counts.values()) == len(slots)


@settings(max_examples=examples(300), deadline=None)
@given(scenarios(), st.data())
def test_completing_a_missed_occurrence_never_lowers_quantity(case, data) -> None:  # type: ignore[no-untyped-def]
    slots, subs, as_of, policy = case
    before = evaluate(slots, subs, as_of, policy=policy)
    missed = [r.slot for r in before.occurrences if r.status == "missed"]
    if not missed:
        return
    target = data.draw(st.sampled_from(missed))
    done = SubmissionRecord(target.opens, 1.0, occurrence=target.id, index=10_000)
    after = evaluate(slots, [*subs, done], as_of, policy=policy)
    assert before.overall.quantity is not None
    assert after.overall.quantity is not None
    assert after.overall.quantity >= before.overall.quantity - 1e-12
    assert credits(after)[target.id] == 1.0
    others = {k: v for k, v in credits(after).items() if k != target.id}
    assert others == {k: v for k, v in credits(before).items() if k != target.id}


@settings(max_examples=examples(300), deadline=None)
@given(scenarios(), st.data())
def test_excusing_an_occurrence_never_changes_another_credit(case, data) -> None:  # type: ignore[no-untyped-def]
    slots, subs, as_of, policy = case
    index = data.draw(st.integers(0, len(slots) - 1))
    excused = list(slots)
    excused[index] = dataclasses.replace(slots[index], excused=True)
    before = credits(evaluate(slots, subs, as_of, policy=policy))
    after = credits(evaluate(excused, subs, as_of, policy=policy))
    target = slots[index].id
    assert after[target] is None
    assert {k: v for k, v in after.items() if k != target} == {
        k: v for k, v in before.items() if k != target
    }


@settings(max_examples=examples(100), deadline=None)
@given(scenarios())
def test_same_input_same_result(case) -> None:  # type: ignore[no-untyped-def]
    slots, subs, as_of, policy = case
    one = evaluate(slots, subs, as_of, policy=policy)
    two = evaluate(list(reversed(slots)), list(reversed(subs)), as_of, policy=policy)
    assert one.overall == two.overall
    assert credits(one) == credits(two)

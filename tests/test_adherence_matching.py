"""The matcher's shortcut for schedules whose windows never reach the next start (issue 18)
finds exactly what its general search finds, for any instant."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from worksheetkit.progress import Slot, SubmissionRecord
from worksheetkit.progress._core import _Matcher

T0 = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
minutes = st.integers(min_value=0, max_value=60 * 24 * 20)


@st.composite
def schedules(draw: st.DrawFn) -> list[Slot]:
    starts = sorted(draw(st.lists(minutes, min_size=0, max_size=12)))
    slots = []
    for n, start in enumerate(starts):
        due = draw(st.integers(min_value=0, max_value=600))
        grace = due + draw(st.integers(min_value=0, max_value=900))
        opens = T0 + dt.timedelta(minutes=start)
        slots.append(
            Slot(
                id=f"o{n}",
                opens=opens,
                due=opens + dt.timedelta(minutes=due),
                grace_until=opens + dt.timedelta(minutes=grace),
                excused=draw(st.booleans()),
            )
        )
    return slots


@settings(max_examples=300, deadline=None)
@given(schedules(), st.lists(st.integers(min_value=-60, max_value=60 * 24 * 21), max_size=20))
def test_shortcut_is_the_general_search(slots: list[Slot], instants: list[int]) -> None:
    fast = _Matcher(slots)
    general = _Matcher(slots)
    general.disjoint = False
    assert fast.disjoint == all(a.grace_until < b.opens for a, b in itertools.pairwise(slots))
    done = [False] * len(slots)
    for m in instants:
        sub = SubmissionRecord(T0 + dt.timedelta(minutes=m), 1.0)
        assert fast.open_at(sub, done) == general.open_at(sub, done)


def test_a_daily_habit_takes_the_shortcut() -> None:
    opens = [T0 + dt.timedelta(days=d, hours=18) for d in range(3)]
    slots = [
        Slot(f"o{d}", o, o + dt.timedelta(hours=4), o + dt.timedelta(hours=16))
        for d, o in enumerate(opens)
    ]
    matcher = _Matcher(slots)
    assert matcher.disjoint
    at = SubmissionRecord(opens[1] + dt.timedelta(hours=15), 1.0)
    assert matcher.open_at(at, [False] * 3) == 1
    late = SubmissionRecord(opens[1] + dt.timedelta(hours=17), 1.0)
    assert matcher.open_at(late, [False] * 3) is None
    early = SubmissionRecord(opens[0] - dt.timedelta(minutes=1), 1.0)
    assert matcher.open_at(early, [False] * 3) is None

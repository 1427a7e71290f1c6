"""Occurrences: shorthands, windows, DST policies, month ends, changes, excused dates, checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from dateutil import rrule as du
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import examples
from worksheetkit.errors import Problem
from worksheetkit.loading.yamlsource import parse_text
from worksheetkit.model import Assignment, Schedule
from worksheetkit.scheduling import (
    ScheduleError,
    check_assignment,
    check_schedule,
    occurrences,
    to_rrule,
)

UTC = dt.UTC


def _yaml(text: str) -> Any:
    """YAML 1.2 as the loader reads it (PyYAML's 1.1 would read `on:` as true)."""
    return parse_text(text).data


def assignment(text: str = "", **schedule: Any) -> Assignment:
    data = {
        "worksheetkit": 1,
        "kind": "assignment",
        "id": "a-test",
        "worksheet": "cbt.thought-record@1.0.0",
        "start": "2026-12-01",
        "timezone": "Europe/London",
        "plan": {"when": "After dinner", "where": "Kitchen table", "confidence": 8},
    }
    if text:
        data.update(_yaml(text))
    if schedule:
        data["schedule"] = schedule
    return Assignment.model_validate(data)


def utc(o: Any) -> str:
    return o.opens_utc.strftime("%m-%d %H:%M")


# -- shorthands ---------------------------------------------------------------------------------


def test_daily_for_seven_days_runs_monday_to_sunday() -> None:
    a = assignment("start: 2026-11-30", repeat="daily", at="20:00", **{"for": "P7D"})
    found = occurrences(a)
    assert [o.opens.date().isoformat() for o in found] == [
        f"2026-{d}" for d in ("11-30", "12-01", "12-02", "12-03", "12-04", "12-05", "12-06")
    ]
    assert found[0].id == "main/2026-11-30T20:00"
    assert found[0].step is None
    assert found[0].worksheet == "cbt.thought-record@1.0.0"


def test_weekly_on_days_with_count() -> None:
    a = assignment(repeat="weekly", on=["mon", "thu"], at="18:00", count=5)
    found = occurrences(a)
    assert [o.opens.strftime("%a %d") for o in found] == [
        "Thu 03",
        "Mon 07",
        "Thu 10",
        "Mon 14",
        "Thu 17",
    ]


def test_every_two_weeks_aligns_on_the_start_week() -> None:
    a = assignment(repeat="weekly", every=2, on=["tue"], at="09:00", count=3)
    assert [o.opens.day for o in occurrences(a)] == [1, 15, 29]


def test_until_is_inclusive_and_several_times_a_day() -> None:
    a = assignment(repeat="daily", at=["18:00", "08:00"], until="2026-12-02")
    assert [o.id for o in occurrences(a)] == [
        "main/2026-12-01T08:00",
        "main/2026-12-01T18:00",
        "main/2026-12-02T08:00",
        "main/2026-12-02T18:00",
    ]


def test_mixed_minutes_are_not_a_cross_product() -> None:
    a = assignment(repeat="daily", at=["08:00", "18:30"], **{"for": "P1D"})
    assert [o.opens.strftime("%H:%M") for o in occurrences(a)] == ["08:00", "18:30"]
    text = to_rrule(a.schedule, a.start, "Europe/London")  # type: ignore[arg-type]
    assert text.count("RRULE:") == 2


def test_once_without_time_is_the_whole_start_day() -> None:
    (only,) = occurrences(assignment(repeat="once"))
    assert only.opens.isoformat() == "2026-12-01T00:00:00+00:00"
    assert only.due.isoformat() == "2026-12-02T00:00:00+00:00"
    assert only.grace_until == only.due


def test_default_window_runs_to_the_next_time_that_day_or_midnight() -> None:
    a = assignment(repeat="daily", at=["08:00", "18:00"], **{"for": "P1D"})
    first, second = occurrences(a)
    assert first.due == second.opens
    assert second.due.isoformat() == "2026-12-02T00:00:00+00:00"


def test_window_grace_and_reminders() -> None:
    a = assignment(
        repeat="daily",
        at="20:00",
        count=1,
        window="PT2H",
        grace="PT12H",
        timing="strict",
        reminders=[{"at": "open"}, {"before_due": "PT30M"}, {"after_open": "PT1H"}, {"at": "due"}],
    )
    (o,) = occurrences(a)
    assert o.due.isoformat() == "2026-12-01T22:00:00+00:00"
    assert o.grace_until.isoformat() == "2026-12-02T10:00:00+00:00"
    assert o.timing == "strict"
    assert [r.strftime("%H:%M") for r in o.reminders] == ["20:00", "21:30", "21:00", "22:00"]


def test_monthly_repeats_on_the_start_day() -> None:
    a = assignment("start: 2026-12-15", repeat="monthly", at="10:00", count=3)
    assert [o.opens.date().isoformat() for o in occurrences(a)] == [
        "2026-12-15",
        "2027-01-15",
        "2027-02-15",
    ]


def test_times_per_week_gives_week_long_slots() -> None:
    a = assignment(repeat="weekly", times_per_week=3, **{"for": "P2W"})
    found = occurrences(a)
    assert [o.id for o in found[:3]] == [
        "main/2026-12-01T00:00#1",
        "main/2026-12-01T00:00#2",
        "main/2026-12-01T00:00#3",
    ]
    assert len(found) == 6
    assert found[0].due.isoformat() == "2026-12-08T00:00:00+00:00"


def test_times_per_week_count_counts_slots() -> None:
    assert len(occurrences(assignment(times_per_week=3, count=4))) == 4


def test_raw_rrule_with_at() -> None:
    a = assignment(rrule="FREQ=WEEKLY;BYDAY=MO,TH", at="18:00", count=3)
    assert [o.opens.strftime("%a %d %H:%M") for o in occurrences(a)] == [
        "Thu 03 18:00",
        "Mon 07 18:00",
        "Thu 10 18:00",
    ]


def test_raw_rrule_with_own_count_and_times() -> None:
    a = assignment(rrule="RRULE:FREQ=DAILY;BYHOUR=9,21;COUNT=3")
    assert [o.id for o in occurrences(a)] == [
        "main/2026-12-01T09:00",
        "main/2026-12-01T21:00",
        "main/2026-12-02T09:00",
    ]


def test_range_by_dates_and_by_instants() -> None:
    a = assignment(repeat="daily", at="20:00", **{"for": "P14D"})
    assert len(occurrences(a, dt.date(2026, 12, 3), dt.date(2026, 12, 4))) == 2
    begin = dt.datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    end = dt.datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
    assert [o.opens.day for o in occurrences(a, begin, end)] == [3, 4]
    with pytest.raises(ValueError, match="time zone"):
        occurrences(a, dt.datetime(2026, 12, 3))


def test_unbounded_needs_an_end() -> None:
    a = assignment(repeat="daily", at="20:00")
    with pytest.raises(ScheduleError, match="no end"):
        occurrences(a)
    assert len(occurrences(a, end=dt.date(2026, 12, 10))) == 10


def test_worksheet_default_schedule_needs_the_pack() -> None:
    a = assignment()
    with pytest.raises(ScheduleError, match="pack"):
        occurrences(a)

    class Pack:
        def worksheet(self, ref: str) -> Any:
            return type(
                "W",
                (),
                {
                    "default_schedule": Schedule.model_validate(
                        {"repeat": "daily", "at": "07:30", "for": "P2D"}
                    )
                },
            )()

        def pathway(self, ref: str) -> Any:
            raise KeyError(ref)

    assert [o.id for o in occurrences(a, pack=Pack())] == [
        "main/2026-12-01T07:30",
        "main/2026-12-02T07:30",
    ]


# -- DST ----------------------------------------------------------------------------------------


def test_worked_example_3_london_spring_forward() -> None:
    """adherence.md §3 example 3: twice daily from 2026-03-28 for 3 days, DST on 03-29."""
    a = assignment(
        "{start: 2026-03-28, timezone: Europe/London}",
        repeat="daily",
        at=["08:00", "18:00"],
        **{"for": "P3D"},
        window="PT2H",
        grace="PT4H",
    )
    found = occurrences(a)
    assert [utc(o) for o in found] == [
        "03-28 08:00",
        "03-28 18:00",
        "03-29 07:00",
        "03-29 17:00",
        "03-30 07:00",
        "03-30 17:00",
    ]
    assert [o.due - o.opens for o in found] == [dt.timedelta(hours=2)] * 6
    assert [o.grace_until - o.due for o in found] == [dt.timedelta(hours=4)] * 6


NY = "{start: 2026-03-07, timezone: America/New_York}"


def test_new_york_nonexistent_shift_forward_by_the_gap() -> None:
    a = assignment(NY, repeat="daily", at="02:30", **{"for": "P3D"})
    found = occurrences(a)
    assert [o.opens.isoformat() for o in found] == [
        "2026-03-07T02:30:00-05:00",
        "2026-03-08T03:30:00-04:00",
        "2026-03-09T02:30:00-04:00",
    ]
    assert found[1].id == "main/2026-03-08T02:30"  # ids keep the scheduled wall time


def test_new_york_nonexistent_skip_and_count_counts_what_happens() -> None:
    a = assignment(NY, repeat="daily", at="02:30", count=3, nonexistent="skip")
    assert [o.opens.day for o in occurrences(a)] == [7, 9, 10]


def test_new_york_ambiguous_earlier_and_later() -> None:
    text = "{start: 2026-10-31, timezone: America/New_York}"
    earlier = occurrences(assignment(text, repeat="daily", at="01:30", **{"for": "P2D"}))
    assert earlier[1].opens.isoformat() == "2026-11-01T01:30:00-04:00"
    assert earlier[1].opens_utc.strftime("%H:%M") == "05:30"
    later = occurrences(
        assignment(text, repeat="daily", at="01:30", **{"for": "P2D"}, ambiguous="later")
    )
    assert later[1].opens.isoformat() == "2026-11-01T01:30:00-05:00"
    assert later[1].opens_utc.strftime("%H:%M") == "06:30"


def test_window_is_elapsed_time_across_a_change() -> None:
    # 01:00 + PT2H on the New York spring-forward night is 04:00 EDT (two real hours).
    a = assignment(
        "{start: 2026-03-08, timezone: America/New_York}", repeat="once", at="01:00", window="PT2H"
    )
    (o,) = occurrences(a)
    assert o.due.isoformat() == "2026-03-08T04:00:00-04:00"
    assert o.due_utc - o.opens_utc == dt.timedelta(hours=2)


def test_day_long_window_is_a_calendar_day() -> None:
    a = assignment(
        "{start: 2026-03-28, timezone: Europe/London}",
        repeat="daily",
        at="12:00",
        window="P1D",
        **{"for": "P2D"},
    )
    first = occurrences(a)[0]
    assert first.due.isoformat() == "2026-03-29T12:00:00+01:00"
    assert first.due_utc - first.opens_utc == dt.timedelta(hours=23)


def test_sydney_both_changes() -> None:
    # Sydney: DST ends 2026-04-05 03:00 → 02:00; starts 2026-10-04 02:00 → 03:00.
    april = occurrences(
        assignment(
            "{start: 2026-04-04, timezone: Australia/Sydney}",
            repeat="daily",
            at="02:30",
            **{"for": "P2D"},
        )
    )
    assert [o.opens.isoformat() for o in april] == [
        "2026-04-04T02:30:00+11:00",
        "2026-04-05T02:30:00+11:00",
    ]
    october = occurrences(
        assignment(
            "{start: 2026-10-03, timezone: Australia/Sydney}",
            repeat="daily",
            at="02:30",
            **{"for": "P2D"},
        )
    )
    assert [o.opens.isoformat() for o in october] == [
        "2026-10-03T02:30:00+10:00",
        "2026-10-04T03:30:00+11:00",
    ]


def test_kolkata_has_no_dst_and_a_half_hour_offset() -> None:
    found = occurrences(
        assignment(
            "{start: 2026-03-28, timezone: Asia/Kolkata}",
            repeat="daily",
            at="08:00",
            **{"for": "P3D"},
        )
    )
    assert [utc(o) for o in found] == ["03-28 02:30", "03-29 02:30", "03-30 02:30"]


def test_london_autumn_default_window_over_the_fold() -> None:
    # Opens 00:00 on the 25-hour day; due at the next midnight (25 hours later).
    found = occurrences(assignment("{start: 2026-10-25, timezone: Europe/London}", repeat="once"))
    assert found[0].due_utc - found[0].opens_utc == dt.timedelta(hours=25)


# -- month ends ---------------------------------------------------------------------------------


def test_monthly_on_the_31st_clamps_from_the_start() -> None:
    a = assignment("start: 2026-01-31", repeat="monthly", at="09:00", count=4)
    assert [o.opens.date().isoformat() for o in occurrences(a)] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
    ]


def test_monthly_on_the_31st_skip() -> None:
    a = assignment("start: 2026-01-31", repeat="monthly", at="09:00", count=3, month_end="skip")
    assert [o.opens.date().isoformat() for o in occurrences(a)] == [
        "2026-01-31",
        "2026-03-31",
        "2026-05-31",
    ]


def test_monthly_on_the_30th_in_a_leap_year_and_twice_a_day() -> None:
    a = assignment("start: 2028-01-30", repeat="monthly", at=["08:00", "20:00"], count=4)
    assert [o.id for o in occurrences(a)] == [
        "main/2028-01-30T08:00",
        "main/2028-01-30T20:00",
        "main/2028-02-29T08:00",
        "main/2028-02-29T20:00",
    ]


# -- changes and excused dates ------------------------------------------------------------------


def test_change_leaves_earlier_occurrences_alone() -> None:
    base = assignment(repeat="daily", at="20:00", **{"for": "P14D"})
    changed = assignment(
        "changes: [{from: 2026-12-08, schedule: {repeat: daily, at: '07:00', for: P3D}}]",
        repeat="daily",
        at="20:00",
        **{"for": "P14D"},
    )
    before = occurrences(base)
    after = occurrences(changed)
    assert after[:7] == before[:7]
    assert [o.id for o in after[7:]] == [
        "main/2026-12-08T07:00",
        "main/2026-12-09T07:00",
        "main/2026-12-10T07:00",
    ]


def test_excused_dates_mark_but_keep_occurrences() -> None:
    a = assignment(
        "excused: [{date: 2026-12-02, reason: ill}, {date: 2026-12-01, occurrence: "
        "'main/2026-12-01T08:00'}]",
        repeat="daily",
        at=["08:00", "18:00"],
        **{"for": "P2D"},
    )
    found = occurrences(a)
    assert len(found) == 4
    assert [o.excused for o in found] == [True, False, True, True]
    assert found[2].excused_reason == "ill"


# -- invariants ---------------------------------------------------------------------------------

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]


@settings(max_examples=examples(60), deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    start=st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)),
    times=st.lists(
        st.tuples(st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
        min_size=1,
        max_size=3,
        unique=True,
    ),
    days=st.integers(1, 60),
    window=st.sampled_from([None, "PT1H", "PT2H30M", "P1D"]),
    grace=st.sampled_from([None, "PT4H", "P1D"]),
)
def test_invariants_against_dateutil(
    zone: str,
    start: dt.date,
    times: list[tuple[int, int]],
    days: int,
    window: str | None,
    grace: str | None,
) -> None:
    at = [f"{h:02d}:{m:02d}" for h, m in times]
    schedule: dict[str, Any] = {"repeat": "daily", "at": at, "for": f"P{days}D"}
    if window:
        schedule["window"] = window
    if grace:
        schedule["grace"] = grace
    a = assignment(f"{{start: {start.isoformat()}, timezone: {zone}}}", **schedule)
    found = occurrences(a)
    midnight = dt.datetime(start.year, start.month, start.day)
    walls = list(
        du.rrule(
            du.DAILY,
            dtstart=midnight,
            until=midnight + dt.timedelta(days=days, seconds=-1),
            byhour=[h for h, _ in times],
            byminute=[m for _, m in times],
            bysecond=0,
        )
    )
    walls = [w for w in walls if (w.hour, w.minute) in times]
    assert [o.id for o in found] == [f"main/{w:%Y-%m-%dT%H:%M}" for w in walls]
    for o, w in zip(found, walls, strict=True):
        assert o.opens_utc <= o.due_utc <= o.grace_until_utc
        assert o.opens.tzinfo is not None
        assert o.opens.tzinfo.key == zone  # type: ignore[union-attr]
        # Each instant agrees with the slow, obvious computation.
        expected = w.replace(tzinfo=a_zone(zone)).astimezone(UTC)
        assert o.opens_utc == expected
    assert [o.opens_utc for o in found] == sorted(o.opens_utc for o in found)


def a_zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


# -- RRULE text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "rule"),
    [
        (
            {"repeat": "daily", "at": "20:00", "for": "P7D"},
            "RRULE:FREQ=DAILY;BYHOUR=20;BYMINUTE=0;BYSECOND=0;UNTIL=20261207T235959Z",
        ),
        (
            {"repeat": "weekly", "on": ["mon", "thu"], "at": "18:00", "count": 6},
            "RRULE:FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=18;BYMINUTE=0;BYSECOND=0;WKST=MO;COUNT=6",
        ),
        (
            {"repeat": "daily", "every": 2, "at": ["08:00", "18:00"], "until": "2026-12-31"},
            "RRULE:FREQ=DAILY;INTERVAL=2;BYHOUR=8,18;BYMINUTE=0;BYSECOND=0;UNTIL=20261231T235959Z",
        ),
        (
            {"repeat": "once", "at": "09:00"},
            "RRULE:FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0;COUNT=1",
        ),
    ],
)
def test_to_rrule(schedule: dict[str, Any], rule: str) -> None:
    text = to_rrule(Schedule.model_validate(schedule), dt.date(2026, 12, 1), "Europe/London")
    assert text.splitlines()[1] == rule
    # DTSTART is the first real occurrence (RFC 5545 counts it as one): 1 Dec 2026 is a
    # Tuesday, so the Mon/Thu rule starts on Thursday 3 Dec.
    first = "20261203T" if "BYDAY=MO,TH" in rule else "20261201T"
    assert text.splitlines()[0].startswith(f"DTSTART;TZID=Europe/London:{first}")


def test_to_rrule_dtstart_is_an_occurrence_so_count_is_right() -> None:
    from dateutil.rrule import rrulestr

    schedule = Schedule.model_validate({"repeat": "weekly", "on": ["mon", "wed", "fri"],
                                        "at": "18:00", "count": 3})  # fmt: skip
    text = to_rrule(schedule, dt.date(2026, 12, 15), None)  # a Tuesday
    expanded = list(rrulestr(text))
    assert [d.date().isoformat() for d in expanded] == ["2026-12-16", "2026-12-18", "2026-12-21"]


def test_to_rrule_month_end_clamp() -> None:
    text = to_rrule(
        Schedule.model_validate({"repeat": "monthly", "at": "09:00", "count": 4}),
        dt.date(2026, 1, 31),
    )
    assert "BYMONTHDAY=28,29,30,31" in text
    assert "BYSETPOS=-1" in text
    rule = du.rrulestr(text)
    assert [d.date().isoformat() for d in rule] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
    ]


# -- static checks ------------------------------------------------------------------------------


def codes(schedule: dict[str, Any]) -> list[tuple[str, tuple[str | int, ...]]]:
    return [(p.code, p.path) for p in check_schedule(Schedule.model_validate(schedule))]


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ({"repeat": "daily", "for": "P7D", "count": 3}, [("WK219", ("count",))]),
        ({"repeat": "daily", "on": ["mon"]}, [("WK219", ("on",))]),
        ({"rrule": "FREQ=FORTNIGHTLY"}, [("WK219", ("rrule",))]),
        ({"rrule": "FREQ=DAILY;BYHOUR=25"}, [("WK219", ("rrule",))]),
        (
            {"repeat": "weekly", "on": ["mon"], "times_per_week": 3},
            [("WK219", ("times_per_week",))],
        ),
        ({"repeat": "daily", "window": "P2D"}, [("WK219", ("window",))]),
        ({"repeat": "daily", "at": ["08:00", "10:00"], "window": "PT3H"}, [("WK219", ("window",))]),
        ({"repeat": "weekly", "window": "P7D"}, []),
        ({"repeat": "daily", "window": "PT0S"}, [("WK218", ("window",))]),
        ({"repeat": "daily", "for": "P20Y"}, [("WK218", ("for",))]),
        ({"repeat": "once", "count": 2}, [("WK219", ("count",))]),
        (
            {"repeat": "daily", "reminders": [{"at": "open", "before_due": "PT1H"}]},
            [("WK219", ("reminders", 0))],
        ),
        ({"repeat": "daily", "rrule": "FREQ=DAILY"}, [("WK219", ("rrule",))]),
        ({"rrule": "FREQ=DAILY;COUNT=3", "count": 3}, [("WK219", ("rrule",))]),
        ({"repeat": "daily", "at": ["08:00", "20:00"], "window": "PT2H", "for": "P7D"}, []),
    ],
)
def test_check_schedule(schedule: dict[str, Any], expected: list[Any]) -> None:
    assert codes(schedule) == expected


def test_check_schedule_messages_are_plain() -> None:
    (problem,) = check_schedule(
        Schedule.model_validate({"repeat": "daily", "for": "P7D", "count": 3})
    )
    assert isinstance(problem, Problem)
    assert "for and count" in problem.message
    assert problem.hint
    assert problem.severity == "error"


def acodes(a: Assignment) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in check_assignment(a)]


def test_check_assignment_clean() -> None:
    assert acodes(assignment(repeat="daily")) == []


def test_check_assignment_codes() -> None:
    bad_zone = assignment("timezone: Europe/Lndon", repeat="daily")
    assert ("WK221", "error") in acodes(bad_zone)
    assert acodes(
        assignment("plan: {when: Evening, where: Home, confidence: 5}", repeat="daily")
    ) == [("WK501", "warning")]
    assert acodes(assignment("plan: {when: Evening, confidence: 9}", repeat="daily")) == [
        ("WK502", "warning")
    ]
    assert acodes(assignment("plan: null", repeat="daily")) == [("WK502", "warning")]
    assert ("WK503", "error") in acodes(assignment("pathway: ocd.erp@1", repeat="daily"))
    assert ("WK503", "error") in acodes(assignment("worksheet: null"))


def test_an_occurrence_carries_its_local_start_without_reading_its_id() -> None:
    # The scheduler sets local_start as it builds the id; nothing reads it back from the id
    # (an occurrence from JSON or built by hand gets it from its id once).
    import dataclasses
    import datetime as dt

    from worksheetkit import Occurrence, loads, occurrences

    a = loads(
        "worksheetkit: 1\nkind: assignment\nid: a-ls\nworksheet: x.y\nstart: 2026-03-27\n"
        "timezone: Europe/London\nschedule: {repeat: daily, at: '01:30', count: 3}\n",
        kind=None,
    )
    found = occurrences(a, dt.date(2026, 3, 27), dt.date(2026, 3, 31))
    assert [o.local_start for o in found] == [o.id.split("/", 1)[1] for o in found]
    assert "local_start" in found[0].__dict__  # set at construction, not computed on access
    by_hand = dataclasses.replace(found[0], local_start=None)
    assert by_hand.local_start == found[0].local_start
    assert Occurrence.from_dict(found[0].to_dict()).local_start == found[0].local_start


def test_counting_a_short_schedule_steps_through_its_own_days_only() -> None:
    """``check_schedule`` counts a `for: P7D` schedule from its 8 days, not from the three
    years of days the expansion cache lists first (1,098 steps: 2.5 ms of validating one
    worksheet)."""
    from worksheetkit.scheduling import _rules
    from worksheetkit.scheduling._checks import occurrence_count

    _rules._day_offsets.cache_clear()
    schedule = Schedule.model_validate({"repeat": "daily", "at": ["08:00", "20:00"], "for": "P7D"})
    assert occurrence_count(schedule) == 14
    assert _rules._day_offsets.cache_info().currsize == 0

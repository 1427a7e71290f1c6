"""ICS export: icalendar parses it, recurring-ical-events expands it to our occurrences."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
import recurring_ical_events

from worksheetkit.loading.yamlsource import parse_text
from worksheetkit.model import Assignment
from worksheetkit.scheduling import occurrences, to_ics

UTC = dt.UTC


def assignment(start: str, zone: str, schedule: str, extra: str = "") -> Assignment:
    text = (
        f"{{worksheetkit: 1, kind: assignment, id: a-ics, worksheet: physio.home-exercise-log@1, "
        f"start: {start}, timezone: {zone}, schedule: {schedule}"
        + (f", {extra}" if extra else "")
        + "}"
    )
    return Assignment.model_validate(parse_text(text).data)


CASES = [
    ("2026-12-01", "Europe/London", "{repeat: daily, at: '20:00', for: P14D}"),
    (
        "2026-03-28",
        "Europe/London",
        "{repeat: daily, at: ['08:00', '18:00'], for: P3D, window: PT2H, grace: PT4H}",
    ),
    ("2026-03-06", "America/New_York", "{repeat: daily, at: '02:30', for: P5D}"),
    (
        "2026-03-06",
        "America/New_York",
        "{repeat: daily, at: '02:30', for: P5D, nonexistent: skip, window: PT1H}",
    ),
    (
        "2026-10-30",
        "America/New_York",
        "{repeat: daily, at: '01:30', for: P4D, ambiguous: later, window: PT20M}",
    ),
    (
        "2026-10-02",
        "Australia/Sydney",
        "{repeat: weekly, on: [sat, sun], at: '02:30', count: 6, window: PT1H}",
    ),
    (
        "2026-12-01",
        "Asia/Kolkata",
        "{repeat: weekly, every: 2, on: [mon, thu], at: ['07:15', '19:15'], for: P8W, window: PT2H}",
    ),
    ("2026-01-31", "Europe/London", "{repeat: monthly, at: '09:00', count: 6, window: PT3H}"),
    (
        "2026-01-31",
        "Europe/London",
        "{repeat: monthly, at: ['09:00', '21:00'], count: 6, window: PT1H}",
    ),
    ("2026-01-31", "Europe/London", "{repeat: monthly, at: '09:00', count: 4, month_end: skip}"),
    ("2026-12-01", "Europe/London", "{repeat: daily, at: ['08:00', '18:30'], for: P5D}"),
    ("2026-12-01", "Europe/London", "{repeat: once, at: '10:00', window: P7D}"),
    ("2026-12-01", "Europe/London", "{times_per_week: 2, for: P3W}"),
    (
        "2026-12-01",
        "America/New_York",
        "{rrule: 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1', at: '18:00', count: 5, window: PT2H}",
    ),
]


def expanded(data: bytes, begin: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, str]]:
    cal = icalendar.Calendar.from_ical(data)
    events = recurring_ical_events.of(cal, components=["VEVENT", "VTODO"]).between(begin, end)
    return sorted((e.get("DTSTART").dt.astimezone(UTC), str(e.get("UID"))) for e in events)


@pytest.mark.parametrize(("start", "zone", "schedule"), CASES)
def test_round_trip(start: str, zone: str, schedule: str) -> None:
    a = assignment(start, zone, schedule)
    ours = occurrences(a)
    data = to_ics(a)
    begin = dt.datetime(2025, 1, 1, tzinfo=UTC)
    end = dt.datetime(2030, 1, 1, tzinfo=UTC)
    theirs = expanded(data, begin, end)
    assert [t for t, _ in theirs] == sorted(o.opens_utc for o in ours)
    # Ends agree too: windows across a DST change are written as events of their own in UTC,
    # since readers add DURATION on the wall clock and worksheetkit counts elapsed time.
    cal = icalendar.Calendar.from_ical(data)
    events = recurring_ical_events.of(cal).between(begin, end)
    pairs = sorted(
        (e.get("DTSTART").dt.astimezone(UTC), e.get("DTEND").dt.astimezone(UTC)) for e in events
    )
    assert pairs == sorted((o.opens_utc, o.due_utc) for o in ours)


def test_one_series_per_step_with_tzid_alarms_and_no_clock() -> None:
    a = assignment(
        "2026-12-01",
        "Europe/London",
        "{repeat: daily, at: ['08:00', '18:00'], for: P7D, window: PT2H, grace: PT4H,"
        " reminders: [{at: open}, {before_due: PT30M}]}",
        "plan: {when: Before breakfast, where: Bedroom}",
    )
    data = to_ics(a)
    assert data == to_ics(a)  # deterministic bytes
    cal = icalendar.Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    assert event.get("DTSTART").params["TZID"] == "Europe/London"
    assert event.get("DTSTAMP").dt == dt.datetime(2026, 12, 1, tzinfo=UTC)
    assert "FREQ=DAILY" in event.get("RRULE").to_ical().decode()
    alarms = event.walk("VALARM")
    assert [str(al.get("TRIGGER").to_ical().decode()) for al in alarms] in (
        ["PT0S", "-PT30M"],
        ["P0D", "-PT30M"],
    )
    assert alarms[1].get("TRIGGER").params["RELATED"] == "END"
    assert cal.walk("VTIMEZONE")
    assert b"Before breakfast" in data
    assert b"c-" not in data  # no client id in the calendar


def test_vtodo() -> None:
    a = assignment("2026-12-01", "Europe/London", "{repeat: daily, at: '20:00', for: P3D}")
    cal = icalendar.Calendar.from_ical(to_ics(a, component="VTODO"))
    assert len(cal.walk("VTODO")) == 1
    assert not cal.walk("VEVENT")
    begin, end = dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 6, 1, tzinfo=UTC)
    assert len(expanded(to_ics(a, component="VTODO"), begin, end)) == 3


def test_range_and_changes() -> None:
    a = assignment(
        "2026-12-01",
        "Europe/London",
        "{repeat: daily, at: '20:00', for: P14D}",
        "changes: [{from: 2026-12-08, schedule: {repeat: daily, at: '07:00', for: P3D}}]",
    )
    ours = occurrences(a, dt.date(2026, 12, 5), dt.date(2026, 12, 9))
    data = to_ics(a, dt.date(2026, 12, 5), dt.date(2026, 12, 9))
    begin, end = dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 6, 1, tzinfo=UTC)
    theirs = expanded(data, begin, end)
    assert [t for t, _ in theirs] == [o.opens_utc for o in ours]
    assert len({uid for _, uid in theirs}) == 2  # one series before the change, one after


def _pathway_pack() -> Any:
    from test_scheduling_pathways import FakePack

    return FakePack()


def test_pathway_round_trip() -> None:
    from test_scheduling_pathways import assignment as pathway_assignment

    a = pathway_assignment()
    pack = _pathway_pack()
    ours = occurrences(a, pack=pack)
    begin, end = dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 6, 1, tzinfo=UTC)
    theirs = expanded(to_ics(a, pack=pack), begin, end)
    assert [t for t, _ in theirs] == sorted(o.opens_utc for o in ours)
    assert {uid.split("/")[1] for _, uid in theirs} == {
        "monitor",
        "hierarchy",
        "practice",
        "review",
    }


def test_control_characters_are_never_written_raw() -> None:
    from worksheetkit.scheduling._ics import CalendarTextWarning

    a = assignment(
        "2026-12-01",
        "Europe/London",
        "{repeat: daily, at: '20:00', for: P3D}",
        'plan: {when: "After\\u0007 dinner\\r\\nor lunch", where: Kitchen}',
    )
    titles = {"physio.home-exercise-log@1": "Log\x00 your\x1b[31m reps\x7f\tnow"}
    with pytest.warns(CalendarTextWarning) as caught:
        data = to_ics(a, titles=titles)
    messages = " ".join(str(w.message) for w in caught)
    assert "WK227" in messages
    assert "title" in messages
    assert "reps" not in messages  # names the field, never the text
    body = data.replace(b"\r\n", b"")
    assert not [c for c in body if (c < 0x20 and c != 0x09) or c == 0x7F]
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event.get("SUMMARY")) == "Log your[31m reps\tnow"
    assert str(event.get("DESCRIPTION")) == "Plan: After dinner\nor lunch, Kitchen"


def test_clean_text_gives_no_warning() -> None:
    import warnings

    a = assignment("2026-12-01", "Europe/London", "{repeat: daily, at: '20:00', for: P3D}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        to_ics(a, titles={"physio.home-exercise-log@1": "Tab\tand line\nbreak"})


def test_month_end_is_written_as_the_last_day_or_as_single_events() -> None:
    last = to_ics(
        assignment(
            "2026-01-31", "Europe/London", "{repeat: monthly, at: '09:00', count: 6, window: PT3H}"
        )
    )
    unfolded = last.replace(b"\r\n ", b"")
    assert b"BYMONTHDAY=-1" in unfolded
    assert b"BYSETPOS" not in unfolded
    assert len(icalendar.Calendar.from_ical(last).walk("VEVENT")) == 1
    thirtieth = to_ics(
        assignment(
            "2026-01-30", "Europe/London", "{repeat: monthly, at: '09:00', count: 6, window: PT3H}"
        )
    )
    assert b"BYMONTHDAY=30" in thirtieth.replace(b"\r\n ", b"")
    (series, february) = icalendar.Calendar.from_ical(thirtieth).walk("VEVENT")
    assert "RRULE" in series
    assert february.get("DTSTART").dt == dt.datetime(2026, 2, 28, 9, tzinfo=UTC)


def test_fall_back_times_are_written_in_utc_whatever_the_policy() -> None:
    for policy, hour in (("earlier", 5), ("later", 6)):
        a = assignment(
            "2026-10-30",
            "America/New_York",
            f"{{repeat: daily, at: '01:30', for: P4D, ambiguous: {policy}}}",
        )
        events = icalendar.Calendar.from_ical(to_ics(a)).walk("VEVENT")
        single = [e for e in events if "RRULE" not in e]
        assert [e.get("DTSTART").dt for e in single] == [
            dt.datetime(2026, 11, 1, hour, 30, tzinfo=UTC)
        ]


def test_vtimezone_has_one_component_per_change_and_no_rdate_lists() -> None:
    a = assignment(
        "2026-12-01", "Europe/London", "{repeat: weekly, on: [mon], at: '09:00', for: P52W}"
    )
    data = to_ics(a)
    (vtz,) = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")
    starts = [c.get("DTSTART").dt for c in vtz.subcomponents]
    assert dt.datetime(2027, 3, 28, 1, 0) in starts
    assert dt.datetime(2027, 10, 31, 2, 0) in starts
    assert b"RDATE" not in data
    assert b"X-WR-TIMEZONE" not in data


def test_events_are_free_time_as_long_as_the_task_with_description_and_link() -> None:
    from worksheetkit.validation import load, load_pack

    pack = load_pack("examples")
    a = load("examples/assignments/thought-record-london.yaml")
    data = to_ics(a, pack=pack, url="https://app.example/task/1")
    events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert events
    for event in events:
        assert str(event.get("TRANSP")) == "TRANSPARENT"
        assert event.get("DURATION").dt == dt.timedelta(minutes=15)  # estimated_minutes, not PT4H
        text = str(event.get("DESCRIPTION"))
        assert text.startswith("Catch a thought that changed your mood")
        assert "Plan: After dinner, Kitchen table" in text
        assert text.endswith("https://app.example/task/1")
        assert str(event.get("URL")) == "https://app.example/task/1"
    # before_due: PT30M with a PT4H window and a 15-minute event: 3h30 after the start (the
    # first week's schedule has the reminders; the change from 8 December has none)
    triggers = [
        (al.get("TRIGGER").dt, al.get("TRIGGER").params["RELATED"])
        for al in events[0].walk("VALARM")
    ]
    assert triggers == [(dt.timedelta(0), "START"), (dt.timedelta(hours=3, minutes=30), "START")]
    todo = icalendar.Calendar.from_ical(to_ics(a, pack=pack, component="VTODO")).walk("VTODO")[0]
    assert todo.get("DURATION").dt == dt.timedelta(hours=4)  # a to-do runs until it is due
    assert "TRANSP" not in todo
    with pytest.raises(ValueError, match="http"):
        to_ics(a, pack=pack, url="javascript:alert(1)")


def test_cli_writes_the_link_and_refuses_other_schemes(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from worksheetkit.cli import cli

    out = tmp_path / "t.ics"
    args = ["schedule", "examples/assignments/thought-record-london.yaml", "--ics", str(out)]
    ok = CliRunner().invoke(cli, [*args, "--url", "https://app.example/t/1"])
    assert ok.exit_code == 0, ok.output
    assert b"URL:https://app.example/t/1" in out.read_bytes()
    bad = CliRunner().invoke(cli, [*args, "--url", "javascript:alert(1)"])
    assert bad.exit_code == 2
    assert "--url" in bad.output

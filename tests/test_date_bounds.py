"""Dates are accepted from 1900-01-01 to 2200-12-31 everywhere (worksheetkit._dates): far
dates are located diagnostics or one-line usage errors, never an OverflowError."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from worksheetkit import WorksheetError, loads
from worksheetkit._dates import MAX_DATE, MIN_DATE, DateOutOfRange, check_date, date_problem
from worksheetkit.cli import cli
from worksheetkit.loading.yamlsource import parse_text
from worksheetkit.model import Assignment
from worksheetkit.progress import adherence
from worksheetkit.scheduling import ScheduleError, occurrences, to_ics

ASSIGNMENT = textwrap.dedent(
    """\
    worksheetkit: 1
    kind: assignment
    id: a-1
    client: c-1
    worksheet: x.y@1.0.0
    start: {start}
    timezone: Pacific/Kiritimati
    plan: {{when: evening, where: home}}
    schedule: {{{head}, {end}}}
    {extra}"""
)


def _text(start: str = "2026-12-01", end: str = "for: P7D", extra: str = "") -> str:
    head = 'at: "23:30"' if end.startswith("rrule") else 'repeat: daily, at: "23:30"'
    return ASSIGNMENT.format(start=start, head=head, end=end, extra=extra)


def _model(**kw: str) -> Assignment:
    return Assignment.model_validate(parse_text(_text(**kw)).data)


def test_the_helper_bounds() -> None:
    assert date_problem(MIN_DATE) is None
    assert date_problem(MAX_DATE) is None
    assert date_problem(dt.datetime(2200, 12, 31, 23, 59, tzinfo=dt.UTC)) is None
    problem = date_problem(dt.date(9999, 12, 31), "'until'")
    assert problem == (
        "'until' (9999-12-31) is outside the dates worksheetkit accepts, 1900-01-01 to 2200-12-31."
    )
    assert date_problem(dt.date(1899, 12, 31)) is not None
    with pytest.raises(DateOutOfRange):
        check_date(dt.date(2201, 1, 1))


@pytest.mark.parametrize(
    ("kw", "line", "column"),
    [
        ({"start": "9999-12-30"}, 6, 8),
        ({"start": "0001-01-01"}, 6, 8),
        ({"end": "until: 9999-12-31"}, 9, 47),
        ({"end": 'rrule: "FREQ=DAILY;UNTIL=99991231"'}, 9, 32),
        ({"extra": "changes: [{from: 9999-12-31, schedule: {repeat: once}}]"}, 10, 18),
        ({"extra": "excused: [{date: 9999-12-31}]"}, 10, 18),
    ],
)
def test_validate_reports_far_dates_as_wk219_located(
    kw: dict[str, str], line: int, column: int
) -> None:
    with pytest.raises(WorksheetError) as info:
        loads(_text(**kw), source="a.yaml")
    errors = [(d.code, d.line, d.column) for d in info.value.diagnostics if d.severity == "error"]
    assert errors == [("WK219", line, column)]
    message = next(d.message for d in info.value.diagnostics if d.code == "WK219")
    assert "1900-01-01 to 2200-12-31" in message


@pytest.mark.parametrize(
    "kw",
    [
        {"start": "9999-12-30"},
        {"end": "until: 9999-12-31"},
        {"end": 'rrule: "FREQ=DAILY;UNTIL=99991231"'},
        {"extra": "changes: [{from: 9999-12-31, schedule: {repeat: once}}]"},
        {"extra": "excused: [{date: 9999-12-31}]"},
    ],
)
def test_the_library_raises_schedule_error_not_overflow(kw: dict[str, str]) -> None:
    model = _model(**kw)
    with pytest.raises(ScheduleError, match="2200-12-31"):
        occurrences(model, end=dt.date(2027, 1, 1))
    with pytest.raises(ScheduleError, match="2200-12-31"):
        to_ics(model, None, dt.date(2027, 1, 1))


def test_range_arguments_are_bounded() -> None:
    model = _model(end="")  # no end: a range must be given
    assert len(occurrences(model, end=dt.date(2026, 12, 3))) == 3
    # Past year 9999 on the far side of the Pacific: the end of the range + a day overflowed.
    for end in (dt.date(9999, 12, 31), dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC)):
        with pytest.raises(ScheduleError, match="outside the dates"):
            occurrences(model, end=end)
    with pytest.raises(ScheduleError, match="outside the dates"):
        occurrences(model, start=dt.date(1, 1, 1), end=dt.date(2026, 12, 3))


def test_the_last_accepted_dates_do_not_overflow() -> None:
    # The far end of the range, with the longest schedule allowed: nothing overflows.
    model = _model(start=MAX_DATE.isoformat(), end="for: P3660D")
    found = occurrences(model)
    assert len(found) == 3660
    assert found[-1].grace_until.year == 2211
    report = adherence(model, [], as_of=MAX_DATE)
    assert report is not None


def test_adherence_refuses_a_far_as_of_and_a_far_response() -> None:
    model = _model()
    with pytest.raises(ValueError, match="outside the dates"):
        adherence(model, [], as_of=dt.date(9999, 12, 31))
    far = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "x.y",
        "assignment": "a-1",
        "submitted_at": "9999-12-31T23:59:59-12:00",
        "answers": {},
    }
    report = adherence(model, [far], as_of=dt.date(2026, 12, 31))
    bad = [d for d in report.diagnostics if d.path[-1:] == ("submitted_at",)]
    assert [d.code for d in bad] == ["WK411"]
    assert "2200-12-31" in bad[0].message


def test_response_timestamps_are_bounded() -> None:
    from worksheetkit.responses import validate_response

    ws = loads(
        "worksheetkit: 1\nid: x.y\nversion: 1.0.0\ntitle: X\nitems: [{id: q, type: text, label: Q}]\n"
    )
    response: dict[str, Any] = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "x.y",
        "version": "1.0.0",
        "started_at": "0001-01-01T00:00:00+00:00",
        "submitted_at": "9999-12-31T23:59:59+00:00",
        "answers": {},
    }
    found = sorted((d.code, d.json_pointer) for d in validate_response(ws, response))  # type: ignore[arg-type]
    assert found == [("WK411", "/started_at"), ("WK411", "/submitted_at")]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["schedule", "{a}", "--from", "9999-12-31"], "--from"),
        (["schedule", "{a}", "--to", "9999-12-31"], "--to"),
        (["score", "{a}", "{r}", "--as-of", "9999-12-31"], "--as-of"),
        (["score", "{a}", "{r}", "--as-of", "9999-12-31T23:00:00-11:00"], "--as-of"),
        (["score", "{a}", "{r}", "--as-of", "0001-01-01T00:00:00+00:00"], "--as-of"),
    ],
)
def test_cli_options_are_one_line_usage_errors(
    tmp_path: Path, args: list[str], option: str
) -> None:
    a = tmp_path / "a.yaml"
    a.write_text(_text(), encoding="utf-8")
    r = tmp_path / "r.jsonl"
    r.write_text("", encoding="utf-8")
    argv = [x.format(a=a, r=r) for x in args]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"worksheetkit: error: {option} (")
    assert "1900-01-01 to 2200-12-31" in lines[0]
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cli_far_dates_in_files_are_diagnostics(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    a.write_text(_text(start="9999-12-30"), encoding="utf-8")
    r = tmp_path / "r.jsonl"
    r.write_text(
        json.dumps(
            {
                "worksheetkit": 1,
                "kind": "response",
                "worksheet": "x.y",
                "submitted_at": "9999-12-31T23:59:59+00:00",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    for argv in (["schedule", str(a)], ["score", str(a), str(r)], ["validate", str(a)]):
        result = runner.invoke(cli, argv)
        assert result.exit_code == 1, result.output
        assert "WK219" in result.output
        assert not isinstance(result.exception, OverflowError)
    a.write_text(_text(), encoding="utf-8")
    result = runner.invoke(cli, ["score", str(a), str(r), "--as-of", "2026-12-31"])
    assert "WK411" in result.output
    assert not isinstance(result.exception, OverflowError)


def test_timestamp_datetime_reads_every_spelling_alike() -> None:
    """``Z``/``z``/``+00:00`` and ``T``/``t``/space give the same datetime (and tzinfo) as the
    upper-cased, ``+00:00`` form: the reader skips upper/replace where fromisoformat needs none."""
    from worksheetkit._dates import parse_timestamp, timestamp_datetime

    for sep in "Tt ":
        for frac in ("", ".1", ".123456", ".123456789"):
            for off in ("Z", "z", "+00:00", "-05:30"):
                text = f"2028-02-29{sep}23:59:59{frac}{off}"
                want = dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
                got = timestamp_datetime(text)
                assert got == want, text
                assert repr(got) == repr(want), text
                assert (got.tzinfo is dt.UTC) == (want.tzinfo is dt.UTC), text
                assert parse_timestamp(text) == want

"""Adherence: the research note's worked examples, statuses, matching, scores and JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import shared
from worksheetkit import loads
from worksheetkit.progress import (
    AdherenceReport,
    EngagementKey,
    Policy,
    Slot,
    SubmissionRecord,
    adherence,
    combine,
    evaluate,
)
from worksheetkit.progress._combine import adherence_stream

UTC = dt.UTC
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TOL = 1e-6


def at(day: int, hour: int = 20, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def daily(days: range, *, excused: tuple[int, ...] = (), timing: str = "flexible") -> list[Slot]:
    """One occurrence a day at 20:00, due 22:00, grace until 02:00."""
    return [
        Slot(f"d{d}", at(d), at(d, 22), at(d + 1, 2), excused=d in excused, timing=timing)  # type: ignore[arg-type]
        for d in days
    ]


# --------------------------------------------------------------------- worked example 1


def example_one() -> tuple[list[Slot], list[SubmissionRecord]]:
    slots = daily(range(1, 8), excused=(6,))
    subs = [
        SubmissionRecord(at(1, 21), 1.0, quality=3),
        SubmissionRecord(at(2, 21), 1.0, quality=2),
        SubmissionRecord(at(3, 23), 1.0, quality=4),  # late
        SubmissionRecord(at(4, 21), 0.5, quality=1),  # partial, on time
        SubmissionRecord(at(7, 21), 1.0, quality=3),
    ]
    return slots, subs


def test_worked_example_1_thought_record() -> None:
    slots, subs = example_one()
    ev = evaluate(slots, subs, at(10), policy=Policy(late_credit=0.75))
    statuses = [r.status for r in ev.occurrences]
    assert statuses == [
        "completed_on_time",
        "completed_on_time",
        "completed_late",
        "partial",
        "missed",
        "excused",
        "completed_on_time",
    ]
    credits = [r.credit for r in ev.occurrences if r.eligible]
    assert credits == pytest.approx([1, 1, 0.75, 0.5, 0, 1], abs=TOL)
    s = ev.overall
    assert s.n == 6
    assert s.quantity == pytest.approx(0.708333, abs=TOL)
    assert s.strict_rate == pytest.approx(0.5, abs=TOL)
    assert s.any_rate == pytest.approx(0.666667, abs=TOL)
    assert s.quality == pytest.approx(0.65, abs=TOL)
    assert (s.streak_current, s.streak_longest) == (1, 3)
    assert s.level == pytest.approx(0.306386, abs=TOL)
    assert s.level_bias_corrected == pytest.approx(0.683966, abs=TOL)
    assert s.counts["excused"] == 1
    assert s.counts["missed"] == 1


# --------------------------------------------------------------------- worked example 2


def test_worked_example_2_exposure_hierarchy() -> None:
    difficulties = [0.3, 0.5, 0.7, 0.9]
    slots = [
        Slot(f"step{i + 1}", at(i * 2 + 1), at(i * 2 + 1, 22), at(i * 2 + 2, 2), difficulty=d)
        for i, d in enumerate(difficulties)
    ]
    rated = {"quality": 3.0, "difficulty": 3.0, "obstacles": 2.0}
    subs = [
        SubmissionRecord(at(1, 21), 1.0, **rated),
        SubmissionRecord(at(3, 21), 1.0, **rated),
        SubmissionRecord(at(5, 21), 0.5, **rated),
        # "Could not do it": no answers, names its occurrence, an external obstacle.
        SubmissionRecord(
            at(8, 9),
            0.0,
            occurrence="step4",
            answered=False,
            obstacle_kind="external",
            obstacle_note="Bus strike",
        ),
    ]
    ev = evaluate(slots, subs, at(12))
    s = ev.overall
    assert [r.status for r in ev.occurrences] == [
        "completed_on_time",
        "completed_on_time",
        "partial",
        "missed",
    ]
    assert ev.occurrences[3].obstacle_kind == "external"
    assert s.quantity == pytest.approx(0.625, abs=TOL)
    assert s.obstacle_adjusted == pytest.approx(0.833333, abs=TOL)
    assert s.difficulty_weighted == pytest.approx(0.479167, abs=TOL)
    assert s.difficulty_weighted_obstacle_adjusted == pytest.approx(0.766667, abs=TOL)
    assert s.engagement == pytest.approx(0.53125, abs=TOL)
    assert s.obstacle_excluded == ("step4",)
    assert ev.extra == ()  # the obstacle report is not practice


def test_internal_obstacle_stays_in_the_denominator() -> None:
    slots = daily(range(1, 3))
    subs = [
        SubmissionRecord(at(1, 21), 1.0),
        SubmissionRecord(at(3, 9), 0.0, occurrence="d2", answered=False, obstacle_kind="internal"),
    ]
    s = evaluate(slots, subs, at(5)).overall
    assert s.quantity == pytest.approx(0.5)
    assert s.obstacle_adjusted == pytest.approx(0.5)  # avoidance is clinical information
    assert s.obstacle_excluded == ()


# --------------------------------------------------------------------- worked example 3 (DST)

PHYSIO = """
worksheetkit: 1
kind: assignment
id: physio-1
worksheet: physio.home-exercise-log@1
start: 2026-03-28
timezone: Europe/London
schedule: {repeat: daily, at: ["08:00", "18:00"], for: P3D, window: PT2H, grace: PT4H}
late_credit: 0.75
"""


def physio_response(occurrence: str | None, submitted_at: str, reps: int) -> dict[str, object]:
    return {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "physio.home-exercise-log",
        "assignment": "physio-1",
        "occurrence": occurrence,
        "submitted_at": submitted_at,
        "answers": {"sets": 3, "reps": reps, "pain": 2},
    }


def physio_responses() -> list[dict[str, object]]:
    # The note lists the late one at "20:30"; that is outside the 08:00 occurrence's grace
    # (10:00 + 4 h), so it is written here at 11:30 local (see docs/adherence.md).
    return [
        physio_response("main/2026-03-28T08:00", "2026-03-28T09:00:00+00:00", 30),
        physio_response("2026-03-28T18:00", "2026-03-28T19:00:00+00:00", 30),  # local start
        physio_response(None, "2026-03-29T08:10:00+01:00", 20),  # the one open then
        physio_response("main/2026-03-29T18:00", "2026-03-29T18:30:00+01:00", 0),
        physio_response("main/2026-03-30T08:00", "2026-03-30T11:30:00+01:00", 30),
        physio_response("2026-03-30T17:00:00Z", "2026-03-30T19:00:00+01:00", 45),  # an instant
    ]


@pytest.fixture(scope="module")
def pack():  # type: ignore[no-untyped-def]
    return shared.examples_pack()  # loaded once per session


def test_worked_example_3_physiotherapy_across_dst(pack) -> None:  # type: ignore[no-untyped-def]
    assignment = loads(PHYSIO)
    report = adherence(assignment, physio_responses(), dt.date(2026, 4, 1), pack=pack)
    opens_utc = [r.slot.opens.astimezone(UTC).strftime("%m-%d %H:%M") for r in report.occurrences]
    assert opens_utc == ["03-28 08:00", "03-28 18:00", "03-29 07:00", "03-29 17:00",
                         "03-30 07:00", "03-30 17:00"]  # fmt: skip
    credits = [r.credit for r in report.occurrences]
    assert credits == pytest.approx([1, 1, 0.666667, 0, 0.75, 1], abs=TOL)
    assert report.quantity == pytest.approx(0.736111, abs=TOL)
    assert report.quantity != pytest.approx(155 / 180, abs=TOL)  # never uncapped
    assert report.strict_rate == pytest.approx(0.5, abs=TOL)
    # 45 of 30 reps: the worksheet's completion caps at 1; the reps series shows the 45.
    assert report.occurrences[5].credit == 1.0
    assert report.diagnostics == ()


def test_series_of_items_and_scores(pack) -> None:  # type: ignore[no-untyped-def]
    report = adherence(loads(PHYSIO), physio_responses(), dt.date(2026, 4, 1), pack=pack)
    by_id = {s.id: s for s in report.series}
    reps = by_id["reps"]
    assert [p.value for p in reps.points] == [30, 30, 20, 0, 30, 45]
    assert reps.points[0].occurrence == "main/2026-03-28T08:00"
    assert reps.weekly[0].week == 0
    assert reps.weekly[0].n == 6
    assert by_id["pain"].max == 10.0


EXPOSURE = """
worksheetkit: 1
kind: assignment
id: expo-1
worksheet: exposure.practice-log@1
start: 2026-03-02
timezone: Europe/London
schedule: {repeat: weekly, on: [mon], at: "18:00", for: P3W, window: PT4H}
"""


def test_suds_before_and_after_per_exposure_from_table_columns(pack) -> None:  # type: ignore[no-untyped-def]
    rows = [
        [{"situation": "lift", "minutes": 10, "suds_before": 70, "suds_after": 40}],
        [
            {"situation": "lift", "minutes": 10, "suds_before": 60, "suds_after": 30},
            {"situation": "bus", "minutes": 20, "suds_before": 80, "suds_after": 50},
        ],
    ]
    responses = [
        {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": "exposure.practice-log",
            "submitted_at": when,
            "answers": {"exposures": r, "learned": "x"},
        }
        for when, r in zip(
            ["2026-03-02T19:00:00+00:00", "2026-03-09T19:00:00+00:00"], rows, strict=True
        )
    ]
    report = adherence(loads(EXPOSURE), responses, dt.date(2026, 3, 30), pack=pack)
    by_id = {s.id: s for s in report.series}
    before = by_id["exposures.suds_before"]
    after = by_id["exposures.suds_after"]
    assert before.kind == "column"
    assert [(p.value, p.row) for p in before.points] == [(70, 0), (60, 0), (80, 1)]
    assert [p.value for p in after.points] == [40, 30, 50]
    assert [(w.week, w.mean) for w in after.weekly] == [(0, 40), (1, 40)]


# --------------------------------------------------------------------- statuses


def test_nothing_eligible_gives_null_never_zero_or_one() -> None:
    slots = daily(range(5, 8))
    ev = evaluate(slots, [], at(1))  # all upcoming
    s = ev.overall
    assert s.n == 0
    for value in (s.quantity, s.strict_rate, s.any_rate, s.quality, s.engagement, s.level,
                  s.obstacle_adjusted, s.difficulty_weighted):  # fmt: skip
        assert value is None
    assert s.counts["upcoming"] == 3


def test_open_until_grace_then_partial() -> None:
    slots = daily(range(1, 2))
    subs = [SubmissionRecord(at(1, 21), 0.4)]
    assert evaluate(slots, subs, at(1, 23)).occurrences[0].status == "open"
    closed = evaluate(slots, subs, at(2, 3)).occurrences[0]
    assert closed.status == "partial"
    assert closed.credit == pytest.approx(0.4)


def test_completed_before_grace_is_counted_at_once() -> None:
    slots = daily(range(1, 2))
    r = evaluate(slots, [SubmissionRecord(at(1, 21), 1.0)], at(1, 21, 30)).occurrences[0]
    assert r.status == "completed_on_time"
    assert r.credit == 1.0


def test_count_open_option() -> None:
    slots = daily(range(1, 3))
    subs = [SubmissionRecord(at(1, 21), 1.0), SubmissionRecord(at(2, 21), 0.5)]
    now = at(2, 23)
    assert evaluate(slots, subs, now).overall.quantity == pytest.approx(1.0)
    opened = evaluate(slots, subs, now, policy=Policy(count_open=True)).overall
    assert opened.quantity == pytest.approx(0.75)


def test_submissions_after_as_of_have_not_happened() -> None:
    slots = daily(range(1, 2))
    ev = evaluate(slots, [SubmissionRecord(at(1, 21), 1.0)], at(1, 20, 30))
    assert ev.occurrences[0].status == "open"


def test_strict_timing_gives_late_no_credit_and_breaks_streak() -> None:
    slots = daily(range(1, 4), timing="strict")
    subs = [
        SubmissionRecord(at(1, 21), 1),
        SubmissionRecord(at(2, 23), 1),
        SubmissionRecord(at(3, 21), 1),
    ]
    ev = evaluate(slots, subs, at(6))
    assert [r.credit for r in ev.occurrences] == [1, 0, 1]
    assert ev.overall.strict_rate == pytest.approx(2 / 3)
    assert ev.overall.any_rate == pytest.approx(1)
    assert (ev.overall.streak_current, ev.overall.streak_longest) == (1, 1)


def test_threshold_below_one() -> None:
    slots = daily(range(1, 2))
    ev = evaluate(slots, [SubmissionRecord(at(1, 21), 0.8)], at(4), policy=Policy(threshold=0.75))
    assert ev.occurrences[0].status == "completed_on_time"
    assert ev.occurrences[0].credit == 1.0


def test_best_submission_decides_and_the_rest_are_repeats() -> None:
    slots = daily(range(1, 2))
    subs = [
        SubmissionRecord(at(1, 20, 30), 0.5, index=1),
        SubmissionRecord(at(1, 21), 1.0, index=2),
    ]
    ev = evaluate(slots, subs, at(4))
    assert ev.occurrences[0].status == "completed_on_time"
    assert [(e.reason, e.occurrence) for e in ev.extra] == [("repeat", "d1")]


def test_over_achievement_is_reported_never_credited() -> None:
    slots = daily(range(1, 3))
    ev = evaluate(slots, [SubmissionRecord(at(1, 21), 3.0)], at(5))
    assert ev.occurrences[0].credit == 1.0
    assert ev.occurrences[0].over == pytest.approx(2.0)
    assert ev.overall.quantity == pytest.approx(0.5)  # one big day never hides a missed one


def test_extra_practice_is_reported_never_counted() -> None:
    slots = daily(range(1, 3))
    subs = [
        SubmissionRecord(at(1, 12), 1.0),  # nothing open at noon
        SubmissionRecord(at(1, 21), 1.0),
        SubmissionRecord(at(3, 12), 1.0, occurrence="d2"),  # after grace
        SubmissionRecord(at(2, 21), 1.0, occurrence="no-such-occurrence"),
    ]
    ev = evaluate(slots, subs, at(5))
    assert [e.reason for e in ev.extra] == ["no_occurrence", "unknown_occurrence", "after_grace"]
    assert ev.overall.quantity == pytest.approx(0.5)
    assert ev.occurrences[1].status == "missed"


def test_work_on_an_excused_day_is_extra_practice() -> None:
    slots = daily(range(1, 2), excused=(1,))
    ev = evaluate(slots, [SubmissionRecord(at(1, 21), 1.0)], at(4))
    assert ev.occurrences[0].status == "excused"
    assert [e.reason for e in ev.extra] == ["excused"]
    assert ev.overall.quantity is None


def test_overlapping_windows_fill_the_open_one_not_yet_done() -> None:
    slots = [
        Slot("a", at(1, 8), at(1, 20), at(1, 23)),
        Slot("b", at(1, 12), at(1, 20), at(1, 23)),
    ]
    subs = [SubmissionRecord(at(1, 13), 1.0, index=1), SubmissionRecord(at(1, 14), 1.0, index=2)]
    ev = evaluate(slots, subs, at(2))
    assert [r.status for r in ev.occurrences] == ["completed_on_time"] * 2


def test_trend_declines_over_complete_weeks() -> None:
    slots = [
        Slot(f"w{d}", at(d, 20), at(d, 22), at(d + 1, 2)) for d in range(1, 29)
    ]  # four weeks from Jan 1
    done_per_week = [7, 5, 3, 1]
    subs = []
    for week, done in enumerate(done_per_week):
        for k in range(done):
            subs.append(SubmissionRecord(at(1 + 7 * week + k, 21), 1.0))
    ev = evaluate(slots, subs, at(30), start=dt.date(2026, 1, 1), tz=UTC)
    assert [q for _, _, q, _ in ev.trend.weeks] == pytest.approx([1, 5 / 7, 3 / 7, 1 / 7])
    assert ev.trend.slope == pytest.approx(-2 / 7)
    assert ev.trend.declining is True


def test_trend_needs_three_complete_weeks() -> None:
    slots = [Slot(f"w{d}", at(d, 20), at(d, 22), at(d + 1, 2)) for d in range(1, 22)]
    ev = evaluate(slots, [], at(20), start=dt.date(2026, 1, 1), tz=UTC)
    assert ev.trend.slope is None
    assert ev.trend.declining is None


def test_per_step_scores_and_step_weighted_mean() -> None:
    slots = [
        Slot("a/1", at(1), at(1, 22), at(2, 2), step="a"),
        Slot("a/2", at(2), at(2, 22), at(3, 2), step="a"),
        Slot("a/3", at(3), at(3, 22), at(4, 2), step="a"),
        Slot("b/1", at(1, 8), at(1, 10), at(1, 12), step="b"),
    ]
    subs = [SubmissionRecord(at(1, 21), 1.0, step="a"), SubmissionRecord(at(1, 9), 1.0, step="b")]
    ev = evaluate(slots, subs, at(6))
    assert ev.steps["a"].quantity == pytest.approx(1 / 3)
    assert ev.steps["b"].quantity == pytest.approx(1.0)
    assert ev.overall.quantity == pytest.approx(0.5)  # occurrence-weighted
    assert ev.step_weighted["quantity"] == pytest.approx(2 / 3)  # step-weighted


# --------------------------------------------------------------------- engagement key


def test_engagement_key_is_replaceable() -> None:
    slots, subs = example_one()
    quantity_only = EngagementKey(name="quantity-only", quality=0, difficulty=0, obstacles=0)
    ev = evaluate(slots, subs, at(10), policy=Policy(late_credit=0.75), key=quantity_only)
    assert ev.overall.engagement == pytest.approx(ev.overall.quantity)

    def halves(inputs):  # type: ignore[no-untyped-def]
        q = inputs["quantity"]
        return None if q is None else q / 2

    ev = evaluate(slots, subs, at(10), policy=Policy(late_credit=0.75), key=halves)
    assert ev.overall.engagement == pytest.approx(0.708333 / 2, abs=TOL)


def test_engagement_key_out_of_range_is_a_programming_error() -> None:
    slots, subs = example_one()
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        evaluate(slots, subs, at(10), key=lambda inputs: 2.0)


def test_engagement_uses_known_components_only() -> None:
    slots, subs = example_one()  # quality rated, no difficulty/obstacle ratings
    s = evaluate(slots, subs, at(10), policy=Policy(late_credit=0.75)).overall
    assert s.engagement == pytest.approx((s.quantity + s.quality) / 2)  # type: ignore[operator]


# --------------------------------------------------------------------- the public API


THOUGHTS = """
worksheetkit: 1
kind: assignment
id: a-0001
worksheet: cbt.thought-record@1
start: 2026-12-01
timezone: Europe/London
schedule: {repeat: daily, at: "20:00", for: P7D, window: PT3H, grace: PT12H}
late_credit: 0.75
excused: [{date: 2026-12-06, reason: ill}]
"""


def thought(day: int, hour: int, quality: int, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "cbt.thought-record",
        "assignment": "a-0001",
        "submitted_at": f"2026-12-{day:02d}T{hour:02d}:30:00+00:00",
        "answers": {"situation": "s"},
        "ratings": {"quality": quality},
    }
    data.update(extra)
    return data


def test_public_api_example_1_with_real_schedule() -> None:
    responses = [
        thought(1, 20, 3),
        thought(2, 21, 2),
        thought(4, 2, 4, occurrence="main/2026-12-03T20:00"),  # late (due 23:00)
        thought(4, 21, 1, answers={}),
        thought(7, 20, 3),
    ]
    # D4: an empty answer set is "nothing done" without the worksheet — use a fraction hook.
    responses[3]["answers"] = {"situation": "half"}

    def fraction(worksheet, answers):  # type: ignore[no-untyped-def]
        return 0.5 if answers.get("situation") == "half" else 1.0

    report = adherence(loads(THOUGHTS), responses, dt.date(2026, 12, 9), fraction=fraction)
    assert report.quantity == pytest.approx(0.708333, abs=TOL)
    assert report.quality == pytest.approx(0.65, abs=TOL)
    assert report.streak == (1, 3)
    assert report.level == pytest.approx(0.306386, abs=TOL)
    assert report.status_of("main/2026-12-06T20:00") == "excused"


def test_json_keys_of_design_section_6_and_deterministic_bytes() -> None:
    report = adherence(loads(THOUGHTS), [thought(1, 20, 3)], dt.date(2026, 12, 9))
    data = json.loads(report.to_json())
    assert list(data)[:12] == [
        "quantity", "strict_rate", "any_rate", "quality", "difficulty_weighted",
        "obstacle_adjusted", "engagement", "level", "streak", "counts",
        "level_bias_corrected", "difficulty_weighted_obstacle_adjusted",
    ]  # fmt: skip
    for key in ("occurrences", "steps", "trend", "extra_practice", "series", "alerts"):
        assert key in data
    assert set(data["streak"]) == {"current", "longest"}
    assert set(data["counts"]) == {
        "completed_on_time", "completed_late", "partial", "missed", "excused", "open",
        "upcoming",
    }  # fmt: skip
    assert list(data["occurrences"][0])[:3] == ["id", "status", "credit"]
    assert data["engagement_key"]["heuristic"] is True
    again = adherence(loads(THOUGHTS), [thought(1, 20, 3)], dt.date(2026, 12, 9))
    assert again.to_json() == report.to_json()


def test_jsonl_bad_lines_are_diagnostics_and_the_rest_is_scored(tmp_path: Path) -> None:
    secret = "my-secret-diary-words"
    lines = [
        json.dumps(thought(1, 20, 3)),
        '{"answers": {"situation": "' + secret + '"',  # cut short
        "",
        json.dumps(thought(2, 20, 3, submitted_at="yesterday", answers={"x": secret})),
        json.dumps(thought(3, 20, 3)),
        "NaN",
    ]
    path = tmp_path / "responses.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = adherence(loads(THOUGHTS), path, dt.date(2026, 12, 9))
    found = [(d.code, d.line, d.json_pointer) for d in report.diagnostics]
    assert found == [("WK701", 2, ""), ("WK411", 4, "/submitted_at"), ("WK701", 6, "")]
    assert all(d.file == str(path) for d in report.diagnostics)
    assert secret not in report.to_json()
    assert report.counts["completed_on_time"] == 2


def test_responses_of_other_assignments_are_skipped_with_a_warning() -> None:
    other = thought(2, 20, 3, assignment="someone-else")
    report = adherence(loads(THOUGHTS), [thought(1, 20, 3), other], dt.date(2026, 12, 9))
    assert report.counts["completed_on_time"] == 1
    assert [d.code for d in report.diagnostics] == ["WK706"]


def test_unknown_occurrence_is_a_warning_and_extra_practice() -> None:
    bad = thought(2, 20, 3, occurrence="main/2031-01-01T20:00")
    report = adherence(loads(THOUGHTS), [bad], dt.date(2026, 12, 9))
    assert [d.code for d in report.diagnostics] == ["WK704"]
    assert [e.reason for e in report.evaluation.extra] == ["unknown_occurrence"]


def test_obstacles_are_listed_with_their_notes() -> None:
    report_in = thought(
        3,
        9,
        0,
        answers={},
        occurrence="main/2026-12-02T20:00",
        obstacle={"kind": "external", "note": "<b>Power cut</b>"},
    )
    report = adherence(loads(THOUGHTS), [report_in], dt.date(2026, 12, 9))
    assert [(o.kind, o.note, o.status) for o in report.obstacles] == [
        ("external", "<b>Power cut</b>", "missed")
    ]
    assert "main/2026-12-02T20:00" in report.overall.obstacle_excluded


def test_naive_as_of_is_rejected() -> None:
    with pytest.raises(ValueError, match="time zone"):
        adherence(loads(THOUGHTS), [], dt.datetime(2026, 12, 9))


def test_combine_names_both_weightings() -> None:
    a = evaluate(daily(range(1, 5)), [SubmissionRecord(at(d, 21), 1.0) for d in range(1, 5)], at(9))
    b = evaluate(daily(range(1, 2)), [], at(9))
    both = combine([a.overall, b.overall])
    assert both["occurrence_weighted"]["quantity"] == pytest.approx(4 / 5)
    assert both["assignment_weighted"]["quantity"] == pytest.approx(0.5)
    assert both["shown"] == "occurrence_weighted"
    assert combine([])["occurrence_weighted"]["quantity"] is None


def test_stream_of_many_assignments(tmp_path: Path) -> None:
    base = loads(THOUGHTS)
    assignments = {f"a{i}": base.model_copy(update={"id": f"a{i}"}) for i in range(3)}
    rows = [
        thought(1, 20, 3, assignment="a0"),
        thought(2, 20, 3, assignment="a0"),
        thought(1, 20, 3, assignment="a1"),
        thought(3, 20, 3, assignment="a0"),  # a0 again: not together
    ]
    path = tmp_path / "all.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = list(adherence_stream(assignments, path, dt.date(2026, 12, 9)))
    reports = [r for r in out if isinstance(r, AdherenceReport)]
    problems = [r for r in out if not isinstance(r, AdherenceReport)]
    assert [r.assignment for r in reports] == ["a0", "a1", "a2"]
    assert [r.counts["completed_on_time"] for r in reports] == [2, 1, 0]
    assert [(p.code, p.line) for p in problems] == [("WK707", 4)]


def test_the_old_name_of_submission_record_is_a_deprecated_alias() -> None:
    import worksheetkit.progress as progress

    with pytest.warns(DeprecationWarning, match="SubmissionRecord"):
        old = progress.Submission  # type: ignore[attr-defined]
    assert old is SubmissionRecord
    assert "Submission" not in progress.__all__
    import worksheetkit as wk

    assert wk.Submission is not SubmissionRecord  # the intake's, what check_submission returns

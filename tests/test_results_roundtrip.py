"""Every result type has one lossless JSON form (issue 15, "Lossy results").

For each published result (``worksheetkit.schema.RESULTS``), on values made by real library calls
on the example pack — occurrences with excused, locked and reminders; prorated PHQ-9 scores with a
missing item and band severity; urgent alerts; adherence reports; diagnostics of invalid
documents — and on hypothesis-built values:

1. ``X.from_dict(json.loads(x.to_json())) == x`` (and the dict written again is the same);
2. ``x.to_dict()`` validates against the published schema (closed objects, every key required);
3. every dataclass field of ``X`` appears in ``to_dict()`` (by name, or under the documented
   key of :data:`RENAMED`): a field added without serialisation fails here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import subprocess
import warnings
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shared
import worksheetkit as wk
from clirun import run_cli
from strategies import examples
from worksheetkit.diff import affected_responses, diff_worksheets
from worksheetkit.errors import Diagnostic
from worksheetkit.progress import AdherenceReport
from worksheetkit.responses import ResponseCheck, ScoreAlert, ScoreResult, check_response
from worksheetkit.scheduling import Occurrence, occurrences, plan
from worksheetkit.schema import RESULTS, result_schema, result_schema_text, result_type

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RESPONSES = EXAMPLES / "responses"
CASES = ROOT / "tests" / "cases"
SCHEMAS = ROOT / "schemas" / "results"

#: Fields a to_dict() writes under another key (DESIGN §6 spelling), or spreads over several.
RENAMED: dict[str, dict[str, tuple[str, ...]]] = {
    "AdherenceReport": {
        # The evaluation is the report's body: overall scores at the top level, then these.
        "evaluation": ("quantity", "occurrences", "steps", "trend", "extra_practice", "weighting"),
        "scoring_key": ("engagement_key",),
        "threshold": ("policy",),
        "late_credit": ("policy",),
        "extra_not_listed": ("extra_practice_not_listed",),
    },
    "OccurrenceResult": {
        # The slot's own fields are the entry's (planned difficulty as planned_difficulty).
        "slot": ("id", "opens", "due", "grace_until", "timing", "excused", "planned_difficulty"),
        "obstacle_kind": ("obstacle",),
    },
    "Scores": {
        "n": ("denominators",),
        "quality_n": ("denominators",),
        "difficulty_n": ("denominators",),
        "obstacle_n": ("denominators",),
        "streak_current": ("streak",),
        "streak_longest": ("streak",),
        "mean_difficulty_rating": ("mean_ratings",),
        "mean_obstacles_rating": ("mean_ratings",),
    },
    "Trend": {"used": ("weeks_used",)},
}


#: Fields to_dict() leaves out while they hold their default (the command line's JSON reads as
#: before); the test sets them to another value and finds them.
OMITTED_AT_DEFAULT: dict[str, dict[str, Any]] = {
    "AdherenceReport": {"extra_not_listed": 3},
}


# -- real values from the example pack ------------------------------------------------------------


@pytest.fixture(scope="module")
def pack() -> Any:
    return shared.examples_pack()  # loaded once per session


def _assignment(text: str) -> Any:
    return wk.loads(
        "worksheetkit: 1\nkind: assignment\nclient: c-synthetic\n" + text, source="a.yaml"
    )


def _example_assignments() -> list[Any]:
    return [wk.load(p) for p in sorted((EXAMPLES / "assignments").glob("*.yaml"))]


def _phq9_assignment() -> Any:
    return _assignment(
        "id: synthetic-a-0001\nworksheet: instruments.phq-9@1\nstart: 2026-12-01\n"
        "timezone: Europe/London\nschedule: {repeat: daily, at: '09:00', for: P7D}\n"
    )


def _phq9_responses() -> list[dict[str, Any]]:
    out = [json.loads(p.read_text("utf-8")) for p in sorted(RESPONSES.glob("phq-9-*.json"))]
    prorated = json.loads((RESPONSES / "phq-9-mild.json").read_text("utf-8"))
    del prorated["answers"]["q3"]  # one item missing: PHQ-9 prorates it
    prorated.update(
        id="synthetic-phq-9-prorated",
        occurrence="2026-12-05T09:00:00+00:00",
        submitted_at="2026-12-05T09:05:30.250000+00:00",  # sub-second: kept
    )
    return [*out, prorated]


def _phq9_with_band_severity(pack: Any) -> Any:
    """The example PHQ-9 with a severity on each band (as a clinic's copy might carry)."""
    text = (EXAMPLES / "instruments" / "phq-9.yaml").read_text("utf-8")
    for label, severity in (
        ("Minimal", "none"),
        ("Mild", "info"),
        ("Moderate", "warning"),
        ("Moderately severe", "warning"),
        ("Severe", "urgent"),
    ):
        text = text.replace(f"label: {label}}}", f"label: {label}, severity: {severity}}}")
    ws = wk.loads(text, source="phq-9-severity.yaml")
    assert all(b.severity for b in ws.scores[0].bands)
    return ws


@pytest.fixture(scope="module")
def values(pack: Any, examples_site_result: Any) -> dict[str, list[Any]]:
    """name → real values of that result type."""
    got: dict[str, list[Any]] = {name: [] for name in RESULTS}
    assignments = _example_assignments()
    for a in assignments:
        got["occurrence"] += occurrences(a, pack=pack)
        got["plan"].append(plan(a, pack))
    got["occurrence"] += occurrences(
        wk.loads(
            "worksheetkit: 1\nkind: assignment\nid: a-locked\nclient: c-synthetic\n"
            "pathway: ocd.erp-first-month@1\nstart: 2026-03-02\ntimezone: Europe/London\n",
            source="a.yaml",
        ),
        pack=pack,
    )

    phq9 = _phq9_with_band_severity(pack)
    for data in _phq9_responses():
        checked = check_response(phq9, data)
        got["response-check"].append(checked)
        got["score"] += checked.scores.values()
    bad = dict(_phq9_responses()[0], answers={"q1": 9, "q2": "often", "nope": 1})
    got["response-check"].append(check_response(phq9, bad))

    reports = [
        wk.adherence(
            assignments[1],
            RESPONSES / "synthetic-home-exercise-dst.jsonl",
            dt.date(2026, 4, 12),
            pack=pack,
        ),
        wk.adherence(
            assignments[2],
            RESPONSES / "synthetic-thought-record-london.jsonl",
            dt.date(2026, 12, 20),
            pack=pack,
        ),
        wk.adherence(assignments[0], [], dt.date(2026, 12, 28), pack=pack),  # a pathway: steps
        wk.adherence(
            _phq9_assignment(),
            _phq9_responses(),
            dt.datetime(2026, 12, 9, 12, tzinfo=dt.UTC),
            pack=pack,
        ),
        # An unreadable response (report diagnostics) and one for no occurrence (extra practice).
        wk.adherence(
            _phq9_assignment(),
            [
                *_phq9_responses(),
                {"worksheetkit": 1, "kind": "response"},
                dict(_phq9_responses()[0], occurrence="2026-12-30T09:00:00+00:00", id="x"),
            ],
            dt.date(2026, 12, 9),
            pack=pack,
        ),
    ]
    got["report"] = reports
    for r in reports:
        ev = r.evaluation
        got["evaluation"].append(ev)
        got["occurrence-result"] += ev.occurrences
        got["slot"] += [o.slot for o in ev.occurrences]
        got["submission-record"] += [
            o.submission for o in ev.occurrences if o.submission is not None
        ]
        got["submission-record"] += [e.submission for e in ev.extra]
        got["extra-practice"] += ev.extra
        got["scores"] += [ev.overall, *ev.steps.values()]
        got["trend"].append(ev.trend)
        got["series"] += r.series
        got["series-point"] += [p for s in r.series for p in s.points]
        got["series-week"] += [w for s in r.series for w in s.weekly]
        got["obstacle-report"] += r.obstacles
        got["raised-alert"] += r.alerts
        got["diagnostic"] += r.diagnostics

    for p in got["plan"]:
        got["plan-step"] += p.steps
        got["plan-week"] += p.weeks
        got["plan-task"] += [t for w in p.weeks for t in w.tasks]
    for c in got["response-check"]:
        got["diagnostic"] += c.diagnostics
    got["score-alert"] += [a for s in got["score"] for a in s.alerts]
    got["diagnostic"] += wk.validate(CASES)
    # Problems: a schedule's (with a path) and an expression's (with an offset).
    from worksheetkit.expressions import check, parse
    from worksheetkit.model import Schedule
    from worksheetkit.scheduling import check_schedule

    got["problem"] += check_schedule(
        Schedule.model_validate({"repeat": "daily", "for": "P7D", "count": 3, "on": ["mon"]})
    )
    got["problem"] += check(parse("nope + 1"), {})

    old = pack.worksheet("instruments.phq-9@1")
    new = phq9.model_copy(update={"version": "2.0.0", "items": phq9.items[:-1]})
    change = diff_worksheets(old, new)
    got["diff"] += [change, diff_worksheets(old, old)]
    got["diff-change"] += change.changes
    stored = list(enumerate(_phq9_responses(), 1))
    got["diff-affected"] += affected_responses(change, old, new, stored)

    # The results read from their fields (JsonResult): cost, runs, FHIR, site, report view.
    from worksheetkit.expressions import Symbol, parse
    from worksheetkit.expressions.cost import cost
    from worksheetkit.fhir import export_questionnaire
    from worksheetkit.fhir.importer import import_questionnaire
    from worksheetkit.lint.engine import lint_paths
    from worksheetkit.reports import build_view
    from worksheetkit.validation import check_paths

    table = {"log": Symbol(kind="table")}
    got["cost"] += [cost(parse("q1 + 1"), {}), cost(parse("any(log, log.x > 1)"), table)]
    got["lint-run"].append(lint_paths(EXAMPLES / "worksheets"))
    got["validation-run"].append(check_paths(CASES / "invalid"))
    exported = export_questionnaire(phq9)
    got["fhir-export"].append(exported)
    got["fhir-import"] += [
        import_questionnaire(exported.resource),
        import_questionnaire({"resourceType": "Questionnaire"}),
    ]
    got["report-view"] += [build_view(r, pack=pack) for r in reports]
    got["site"].append(examples_site_result)  # without PDF handouts (25 s): tests/conftest.py
    phq9_assignment = _phq9_assignment()
    for i, response in enumerate(_phq9_responses()):
        now = dt.datetime(2026, 12, 1 + i, 9, 30, tzinfo=dt.UTC)
        got["submission"].append(wk.check_submission(pack, phq9_assignment, response, now=now))
    got["submission"].append(wk.check_submission(pack, phq9_assignment, [1], now=now))
    got["urgent-alert"] += [a for s in got["submission"] for a in s.urgent_alerts]
    return got


def test_the_example_values_cover_what_the_issue_names(values: dict[str, list[Any]]) -> None:
    for name in RESULTS:
        assert values[name], f"no real {name} value to test"
    occ: list[Occurrence] = values["occurrence"]
    assert any(o.excused and o.excused_reason for o in occ)
    assert any(o.locked for o in occ)
    assert any(o.reminders for o in occ)
    scores: list[ScoreResult] = values["score"]
    assert any(s.prorated and s.missing == 1 for s in scores)
    assert any(s.band_severity == "urgent" for s in scores)
    assert any(a.severity == "urgent" for s in scores for a in s.alerts)
    assert any(r.alerts for r in values["report"])
    assert any(r.evaluation.steps for r in values["report"])
    assert any(r.diagnostics for r in values["report"])
    assert any(p.row is not None for p in values["series-point"])
    assert any(p.band is not None for p in values["series-point"])


# -- 1. round trip ---------------------------------------------------------------------------------


def _round_trip(value: Any) -> Any:
    back = type(value).from_dict(json.loads(value.to_json()))
    assert back == value
    # Also what equality does not compare (Diagnostic.related, a zone's name), byte for byte.
    assert back.to_json() == value.to_json()
    return back


@pytest.mark.parametrize("name", RESULTS)
def test_json_round_trip_is_lossless(values: dict[str, list[Any]], name: str) -> None:
    for value in values[name]:
        assert isinstance(value, result_type(name))
        _round_trip(value)


def test_occurrence_times_come_back_in_their_zone(values: dict[str, list[Any]]) -> None:
    for o in values["occurrence"]:
        back = _round_trip(o)
        assert isinstance(back.opens.tzinfo, ZoneInfo)
        assert back.opens.tzinfo.key == o.opens.tzinfo.key
        # DST-aware arithmetic works on the restored value as on the original.
        assert back.opens + dt.timedelta(days=200) == o.opens + dt.timedelta(days=200)


def test_report_round_trip_keeps_the_occurrence_zone(values: dict[str, list[Any]]) -> None:
    for r in values["report"]:
        back = _round_trip(r)
        for a, b in zip(r.occurrences, back.occurrences, strict=True):
            assert b.slot.opens.utcoffset() == a.slot.opens.utcoffset()
            assert str(b.slot.opens.tzinfo) == r.timezone


# -- 2. published schemas --------------------------------------------------------------------------


@functools.cache  # checked once per schema: property tests ask for it on every example
def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = result_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("name", RESULTS)
def test_to_dict_validates_against_the_published_schema(
    values: dict[str, list[Any]], name: str
) -> None:
    validator = _validator(name)
    for value in values[name]:
        data = json.loads(value.to_json())
        assert _errors(validator, data) == [], value


@pytest.mark.parametrize("name", RESULTS)
def test_schema_catches_a_missing_or_an_extra_key(values: dict[str, list[Any]], name: str) -> None:
    validator = _validator(name)
    data = values[name][0].to_dict()
    assert _errors(validator, {**data, "unexpected": 1})
    for key in data:
        assert _errors(validator, {k: v for k, v in data.items() if k != key}), key


@pytest.mark.parametrize("name", RESULTS)
def test_published_result_schema_has_not_drifted(name: str) -> None:
    published = (SCHEMAS / f"{name}.json").read_text(encoding="utf-8")
    assert published == result_schema_text(name), (
        f"schemas/results/{name}.json is out of date: run `make schemas` and commit the result"
    )
    assert json.loads(published)["$id"].endswith(f"/results/{name}.json")


def test_no_stray_result_schema_files() -> None:
    assert sorted(p.stem for p in SCHEMAS.glob("*.json")) == sorted(RESULTS)


def test_unknown_result_name_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown result 'occurence'"):
        result_schema("occurence")


# -- 3. every field serialised ---------------------------------------------------------------------


#: Fields written through another key: the JSON carries what they are read from, and from_dict
#: gives them back (checked below).
DERIVED: dict[str, dict[str, str]] = {"Occurrence": {"local_start": "id"}}


@pytest.mark.parametrize("name", RESULTS)
def test_every_field_appears_in_to_dict(values: dict[str, list[Any]], name: str) -> None:
    cls = result_type(name)
    renamed = RENAMED.get(cls.__name__, {})
    changed = OMITTED_AT_DEFAULT.get(cls.__name__, {})
    value = dataclasses.replace(values[name][0], **changed)
    data = value.to_dict()
    if changed:
        assert type(value).from_dict(json.loads(value.to_json())) == value
        assert _errors(_validator(name), json.loads(value.to_json())) == []
    for f in dataclasses.fields(cls):
        if f.name.startswith("_") and not f.compare:  # a private cache, not data
            continue
        source = DERIVED.get(cls.__name__, {}).get(f.name)
        if source is not None:
            assert source in data
            back = type(value).from_dict(json.loads(value.to_json()))
            assert getattr(back, f.name) == getattr(value, f.name) is not None
            continue
        keys = renamed.get(f.name, (f.name,))
        missing = [k for k in keys if k not in data]
        assert not missing, f"{cls.__name__}.{f.name} is not in to_dict() (looked for {keys})"
    # The rename table names only real fields.
    assert set(renamed) <= {f.name for f in dataclasses.fields(cls)}


@pytest.mark.parametrize("name", RESULTS)
def test_every_result_is_immutable(values: dict[str, list[Any]], name: str) -> None:
    value = values[name][0]
    first = dataclasses.fields(value)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, first, getattr(value, first))


# -- what the issue found lossy, now kept ----------------------------------------------------------


def test_prorated_phq9_is_told_apart_from_a_complete_one(values: dict[str, list[Any]]) -> None:
    prorated = next(s for s in values["score"] if s.prorated)
    data = json.loads(prorated.to_json())
    assert (data["prorated"], data["missing"], data["label"]) == (True, 1, "PHQ-9 total")
    assert data["band_severity"] in ("none", "info", "warning", "urgent")
    urgent = next(s for s in values["score"] if s.alerts)
    assert json.loads(urgent.to_json())["alerts"][0]["severity"] == "urgent"


def test_occurrence_json_keeps_excused_locked_utc_timing_and_reminders(
    values: dict[str, list[Any]],
) -> None:
    excused = next(o for o in values["occurrence"] if o.excused)
    data = excused.to_dict()
    assert (data["excused"], data["excused_reason"]) == (True, excused.excused_reason)
    locked = next(o for o in values["occurrence"] if o.locked)
    assert locked.to_dict()["locked"] is True
    reminded = next(o for o in values["occurrence"] if o.reminders)
    data = reminded.to_dict()
    assert data["reminders"] == [r.isoformat() for r in reminded.reminders]
    assert data["due_utc"] == reminded.due_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert data["grace_until_utc"] == reminded.grace_until_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert data["timing"] == reminded.timing
    assert data["timezone"] == "Europe/London"


def test_report_keeps_the_uncapped_fraction_and_sub_second_times(
    values: dict[str, list[Any]],
) -> None:
    subs = [o.submission for r in values["report"] for o in r.occurrences if o.submission]
    fractional = [s for s in subs if s.submitted_at.microsecond]
    assert fractional
    back = AdherenceReport.from_dict(json.loads(values["report"][3].to_json()))
    assert any(
        o.submission is not None and o.submission.submitted_at.microsecond == 250000
        for o in back.occurrences
    )


def test_diagnostic_related_survives_though_equality_ignores_it() -> None:
    d = Diagnostic("WK104", "Key written twice.", file="a.yaml", line=3, related=("a.yaml:1:1",))
    data = json.loads(d.to_json())
    assert data["related"] == ["a.yaml:1:1"]
    assert Diagnostic.from_dict(data).related == ("a.yaml:1:1",)


def test_the_closing_wk099_line_keeps_its_counts() -> None:
    from worksheetkit._diagcap import HiddenProblems, cap_per_file

    many = [Diagnostic("WK405", "Out of range.", file="r.json", line=i) for i in range(1, 203)]
    closing = cap_per_file(many)[-1]
    assert isinstance(closing, HiddenProblems)
    data = json.loads(closing.to_json())
    assert (data["code"], data["hidden"], data["hidden_errors"]) == ("WK099", 2, 2)
    assert _errors(_validator("diagnostic"), data) == []
    back = Diagnostic.from_dict(data)
    assert isinstance(back, HiddenProblems)
    assert back == closing


def test_as_dict_is_a_deprecated_alias_of_to_dict(values: dict[str, list[Any]]) -> None:
    for name in (
        *("diagnostic", "occurrence", "score", "score-alert", "response-check", "plan"),
        *("series", "diff-change", "diff-affected"),
    ):
        value = values[name][0]
        with pytest.warns(DeprecationWarning, match=r"as_dict\(\) is deprecated"):
            assert value.as_dict() == value.to_dict()


def test_library_calls_never_use_the_deprecated_alias(values: dict[str, list[Any]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        for name in RESULTS:
            for value in values[name][:3]:
                value.to_json()


# -- the command line writes the same lossless JSON ------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args)  # in this process: the JSON is under test here, not the start-up


def test_cli_schema_prints_each_result_schema() -> None:
    for name in ("occurrence", "score", "report", "diagnostic", "response-check"):
        done = _cli("schema", name)
        assert done.returncode == 0, done.stderr
        assert done.stdout == result_schema_text(name)


def test_cli_schedule_json_reads_back_as_occurrences(pack: Any) -> None:
    path = EXAMPLES / "assignments" / "thought-record-london.yaml"
    done = _cli("schedule", str(path), "--format", "json", "--pack", str(EXAMPLES))
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)["occurrences"]
    validator = _validator("occurrence")
    for data in listed:
        assert _errors(validator, data) == []
    back = [Occurrence.from_dict(d) for d in listed]
    expected = occurrences(wk.load(path), pack=pack)
    assert [o for o in back if o.id in {e.id for e in expected}] == [
        e for e in expected if e.id in {o.id for o in back}
    ]
    assert any(o.reminders for o in back)
    assert any(o.excused for o in back)


def test_cli_score_json_reads_back_as_the_report(pack: Any) -> None:
    path = EXAMPLES / "assignments" / "thought-record-london.yaml"
    lines = RESPONSES / "synthetic-thought-record-london.jsonl"
    done = _cli(
        "score",
        str(path),
        str(lines),
        "--as-of",
        "2026-12-20",
        "--to",
        "json",
        "--pack",
        str(EXAMPLES),
    )
    assert done.returncode in (0, 1), done.stderr
    data = json.loads(done.stdout)
    assert _errors(_validator("report"), data) == []
    report = AdherenceReport.from_dict(data)
    direct = wk.adherence(wk.load(path), str(lines), dt.date(2026, 12, 20), pack=pack)
    assert report.evaluation == direct.evaluation
    assert report.series == direct.series


def test_cli_check_response_json_reads_back(values: dict[str, list[Any]]) -> None:
    done = _cli(
        "check-response",
        str(EXAMPLES / "instruments" / "phq-9.yaml"),
        str(RESPONSES / "phq-9-moderately-severe-item9.json"),
        "--format",
        "json",
    )
    data = json.loads(done.stdout)
    assert _errors(_validator("response-check"), data) == []
    check = ResponseCheck.from_dict(data)
    assert check.scores["total"].label == "PHQ-9 total"
    assert check.scores["total"].alerts[0].severity == "urgent"


# -- hypothesis ------------------------------------------------------------------------------------

_text = st.text(max_size=20)
_opt_text = st.none() | _text
_zones = st.sampled_from(["Europe/London", "America/New_York", "Asia/Kolkata", "UTC"])


@st.composite
def _instants(draw: st.DrawFn, zone: str | None = None) -> dt.datetime:
    naive = draw(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)))
    return naive.replace(tzinfo=ZoneInfo(zone or draw(_zones)))


_diagnostics = st.builds(
    Diagnostic,
    code=st.from_regex(r"WK[0-9]{3}", fullmatch=True),
    message=_text,
    severity=st.sampled_from(["error", "warning"]),
    hint=_opt_text,
    file=_opt_text,
    line=st.none() | st.integers(1, 10**6),
    column=st.none() | st.integers(1, 10**4),
    path=st.lists(_text | st.integers(0, 10**6), max_size=5).map(tuple),
    related=st.lists(_text, max_size=3).map(tuple),
)
_numbers = st.none() | st.integers(-1000, 1000) | st.floats(allow_nan=False, allow_infinity=False)
_score_results = st.builds(
    ScoreResult,
    id=_text,
    label=_text,
    value=_numbers,
    band=_opt_text,
    alerts=st.lists(
        st.builds(
            ScoreAlert, severity=st.sampled_from(["info", "warning", "urgent"]), message=_text
        ),
        max_size=3,
    ).map(tuple),
    missing=st.integers(0, 30),
    prorated=st.booleans(),
    band_severity=st.sampled_from([None, "none", "info", "warning", "urgent"]),
)


@st.composite
def _occurrences(draw: st.DrawFn) -> Occurrence:
    zone = draw(_zones)
    opens = draw(_instants(zone))
    due = opens + dt.timedelta(minutes=draw(st.integers(0, 10**5)))
    return Occurrence(
        id=draw(_text),
        step=draw(_opt_text),
        worksheet=draw(_text),
        opens=opens,
        due=due,
        grace_until=due + dt.timedelta(seconds=draw(st.integers(0, 10**6))),
        timing=draw(st.sampled_from(["flexible", "strict"])),
        reminders=tuple(draw(st.lists(_instants(zone), max_size=3))),
        locked=draw(st.booleans()),
        excused=draw(st.booleans()),
        excused_reason=draw(_opt_text),
    )


def _checked(value: Any, name: str) -> None:
    _round_trip(value)
    assert _errors(_validator(name), json.loads(value.to_json())) == []


@settings(max_examples=examples(60), deadline=None)
@given(_diagnostics)
def test_any_diagnostic_round_trips(d: Diagnostic) -> None:
    _checked(d, "diagnostic")


@settings(max_examples=examples(60), deadline=None)
@given(_score_results)
def test_any_score_result_round_trips(s: ScoreResult) -> None:
    _checked(s, "score")


@settings(max_examples=examples(60), deadline=None)
@given(_occurrences())
def test_any_occurrence_round_trips(o: Occurrence) -> None:
    _checked(o, "occurrence")


@settings(max_examples=examples(30), deadline=None)
@given(
    st.lists(_diagnostics, max_size=4),
    st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), _score_results, max_size=3),
    st.booleans(),
    st.none() | st.floats(0, 1),
)
def test_any_response_check_round_trips(
    diags: list[Diagnostic], scores: dict[str, ScoreResult], valid: bool, frac: float | None
) -> None:
    _checked(ResponseCheck(valid, frac, diags, scores), "response-check")

"""Work bounded by construction: expression cost (WK309) and step budget (WK413), YAML text
expanded through aliases (WK006), occurrences per schedule (WK219). Every bound is asserted on
counted work (row visits, characters, occurrences built), never on the clock."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

import worksheetkit.scheduling._expand as expand_module
from worksheetkit import WorksheetError, loads
from worksheetkit.expressions import (
    COST_BUDGET,
    MAX_STEPS,
    ROW_LIMIT,
    Symbol,
    check,
    cost,
    evaluate,
    parse,
    step_budget,
)
from worksheetkit.loading import yamlsource
from worksheetkit.model import Assignment, Schedule, Worksheet
from worksheetkit.responses import score, validate_response
from worksheetkit.scheduling import ScheduleError, check_schedule, occurrences
from worksheetkit.scheduling._checks import occurrence_count
from worksheetkit.scheduling._expand import MAX_OCCURRENCES

CLI = [sys.executable, "-m", "worksheetkit"]


def _worksheet(table: str, show_if: str, column_show_if: str | None = None) -> str:
    column = f', show_if: "{column_show_if}"' if column_show_if else ""
    return textwrap.dedent(
        f"""\
        worksheetkit: 1
        kind: worksheet
        id: t.cost
        version: 1.0.0
        title: Cost
        language: en
        items:
          - id: log
            type: table
            label: Log
            {table}
            columns:
              - {{id: a, type: number, label: A}}
              - {{id: b, type: number, label: B{column}}}
          - id: q
            type: text
            label: Q
            show_if: "{show_if}"
        """
    )


def _codes(text: str) -> list[tuple[str, int | None, int | None, str]]:
    with pytest.raises(WorksheetError) as info:
        loads(text, source="ws.yaml")
    return [(d.code, d.line, d.column, d.message) for d in info.value.diagnostics]


# -- the static bound ---------------------------------------------------------------------------


def test_cost_is_rows_to_the_nesting_summed_over_the_expression() -> None:
    t = {"t": Symbol("table", columns={"a": Symbol("number")}, max_rows=10)}
    assert cost(parse("a > 1"), t).steps == 0
    assert cost(parse("any(t, a > 1)"), t).steps == 10
    assert cost(parse("any(t, any(t, a > 1))"), t).steps == 10 * (1 + 10)
    assert cost(parse("any(t, a > 1) or all(t, a < 5)"), t).steps == 20
    unbounded = {"t": Symbol("table", columns={"a": Symbol("number")})}
    found = cost(parse("any(t, any(t, any(t, a > 1)))"), unbounded)
    assert found.steps == ROW_LIMIT * (1 + ROW_LIMIT * (1 + ROW_LIMIT))
    assert found.unbounded_tables == ("t",)


def test_nested_any_over_a_table_without_max_rows_is_wk309_at_the_outer_any() -> None:
    text = _worksheet("min_rows: 0", "any(log, any(log, a > 1))")
    ((code, line, column, message),) = _codes(text)
    assert (code, line) == ("WK309", 18)
    assert column == 15  # the opening quote is column 14; the outer any( starts after it
    assert "1,001,000 combinations of rows" in message
    assert "'log' sets no max_rows" in message
    assert f"{ROW_LIMIT:,} rows" in message
    assert "nest fewer any()/all() over tables, name fewer table columns (t.x) or set max_rows" in (
        message
    )


def test_max_rows_brings_the_same_condition_under_the_budget() -> None:
    ws = loads(_worksheet("max_rows: 20", "any(log, any(log, a > 1))"))
    assert isinstance(ws, Worksheet)


def test_a_column_condition_counts_once_per_row() -> None:
    # Alone, any(other, …) is 1,000 visits; as a column's show_if it runs for each row of log.
    def text(rows: str) -> str:
        return textwrap.dedent(
            f"""\
            worksheetkit: 1
            kind: worksheet
            id: t.cost
            version: 1.0.0
            title: Cost
            language: en
            items:
              - id: other
                type: table
                label: Other
                columns: [{{id: c, type: number, label: C}}]
              - id: log
                type: table
                label: Log
                {rows}
                columns:
                  - {{id: a, type: number, label: A, show_if: "any(other, c > 1)"}}
            """
        )

    ((code, line, _column, message),) = _codes(text("min_rows: 0"))
    assert (code, line) == ("WK309", 17)
    assert "1,000,000 combinations of rows once for each row of its table" in message
    assert isinstance(loads(text("max_rows: 100")), Worksheet)  # 100 rows × 1,000 visits


def test_check_reports_wk309_only_above_the_budget() -> None:
    symbols = {"t": Symbol("table", columns={"a": Symbol("number")}, max_rows=315)}
    assert check(parse("any(t, any(t, a > 1))"), symbols) == []  # 315 × 316 ≤ 100,000
    assert 315 * 316 <= COST_BUDGET < 316 * 317
    symbols = {"t": Symbol("table", columns={"a": Symbol("number")}, max_rows=316)}
    (problem,) = check(parse("any(t, any(t, a > 1))"), symbols)
    assert (problem.code, problem.offset) == ("WK309", 0)


# -- the step budget ----------------------------------------------------------------------------


def test_evaluation_stops_after_the_step_budget_and_says_so() -> None:
    rows = [{"a": i} for i in range(200)]
    expr = parse("any(t, any(t, any(t, a > 1000)))")  # 200³ = 8,000,000 visits unbounded
    with step_budget(50_000) as budget:
        assert evaluate(expr, {"t": rows}) is None
        assert budget.exhausted
        assert budget.used == 50_001  # the visit that overflowed, and not one more
        # Later evaluations sharing the exhausted budget do no work at all.
        assert evaluate(parse("any(t, a > 1)"), {"t": rows}) is None
        assert budget.used == 50_001


def test_within_the_budget_the_result_is_exact_and_the_steps_are_counted() -> None:
    rows = [{"a": i} for i in range(30)]
    with step_budget() as budget:
        assert evaluate(parse("any(t, any(t, a > 1000))"), {"t": rows}) is False
    assert not budget.exhausted
    assert budget.used == 30 + 30 * 30  # the static cost is exact for a condition never true
    assert cost(parse("any(t, any(t, a > 1000))"), {}, row_limit=30).steps == budget.used


@pytest.mark.slow
def test_evaluate_without_a_scope_has_its_own_budget() -> None:
    rows = [{"a": i} for i in range(110)]
    # 110³ ≈ 1.3 M > MAX_STEPS: stops (null) instead of running on.
    assert MAX_STEPS < 110**3
    assert evaluate(parse("all(t, all(t, all(t, a < 1000)))"), {"t": rows}) is None
    assert evaluate(parse("all(t, a < 1000)"), {"t": rows}) is True


def _unvalidated_worksheet() -> Worksheet:
    """A worksheet built in code, never validated: the static bound never saw it."""
    return Worksheet.model_validate(
        {
            "worksheetkit": 1,
            "kind": "worksheet",
            "id": "t.unchecked",
            "version": "1.0.0",
            "title": "Unchecked",
            "language": "en",
            "items": [
                {
                    "id": "log",
                    "type": "table",
                    "label": "Log",
                    "columns": [{"id": "a", "type": "number", "label": "A"}],
                },
                {
                    "id": "q",
                    "type": "text",
                    "label": "Q",
                    "show_if": "any(log, any(log, any(log, a > 1000)))",
                },
            ],
            "scores": [{"id": "n", "label": "Rows", "formula": "rows(log)"}],
        }
    )


@pytest.mark.slow
def test_a_response_that_exhausts_the_budget_gets_wk413_not_a_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    visits: list[int] = []
    real = step_budget

    def counting(limit: int = MAX_STEPS) -> Any:
        ctx = real(limit)
        budget = ctx.__enter__()
        visits.append(0)

        class _Ctx:
            def __enter__(self) -> Any:
                return budget

            def __exit__(self, *exc: object) -> None:
                visits[-1] = budget.used
                ctx.__exit__(*exc)

        return _Ctx()

    import worksheetkit.responses.validate as validate_module

    monkeypatch.setattr(validate_module, "step_budget", counting)
    ws = _unvalidated_worksheet()
    rows = [{"a": i} for i in range(1000)]  # 10⁹ visits unbounded
    response = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "t.unchecked",
        "version": "1.0.0",
        "submitted_at": "2026-12-01T20:00:00+00:00",
        "answers": {"log": rows},
    }
    diagnostics = validate_response(ws, response)
    assert [d.code for d in diagnostics] == ["WK413"]
    assert diagnostics[0].json_pointer == "/answers"
    assert f"{MAX_STEPS:,} steps" in diagnostics[0].message
    assert visits == [MAX_STEPS + 1]
    assert score(ws, {"log": rows})["n"].value == 1000  # scores without quantifiers still work


# -- table column references (t.x) ------------------------------------------------------------


def _many_columns(n: int, table: str = "log") -> str:
    # One sum() of many lists: a chain of '+' would hit the nesting limit (WK301) first.
    return "sum(" + ", ".join([f"{table}.a"] * n) + ") > 0"


def test_a_column_reference_costs_the_rows_of_its_table() -> None:
    t = {"t": Symbol("table", columns={"a": Symbol("number")}, max_rows=10)}
    assert cost(parse("sum(t.a)"), t).steps == 10
    assert cost(parse("sum(t.a) + count(t.a) > 1"), t).steps == 20
    assert cost(parse("any(t, sum(t.a) > a)"), t).steps == 10 * (1 + 10)
    unbounded = {"t": Symbol("table", columns={"a": Symbol("number")})}
    found = cost(parse("max(t.a)"), unbounded)
    assert (found.steps, found.unbounded_tables) == (ROW_LIMIT, ("t",))


def test_many_column_references_are_wk309_at_the_first_one() -> None:
    over = COST_BUDGET // ROW_LIMIT + 1  # 101 references × 1,000 rows > 100,000
    ((code, line, column, message),) = _codes(_worksheet("min_rows: 0", _many_columns(over)))
    assert (code, line, column) == ("WK309", 18, 19)  # the first `log.a`, after "sum(
    assert f"{over * ROW_LIMIT:,} combinations of rows" in message
    assert "'log' sets no max_rows" in message
    # Known rows bring it under the budget; the same count at the limit is allowed.
    assert isinstance(loads(_worksheet("max_rows: 20", _many_columns(over))), Worksheet)
    assert isinstance(loads(_worksheet("min_rows: 0", _many_columns(over - 1))), Worksheet)


def test_a_column_reference_in_a_column_condition_counts_per_row() -> None:
    # 2 references to other (1,000 rows) = 2,000; once per row of log: 100 rows 200,000.
    def text(rows: str) -> str:
        return textwrap.dedent(
            f"""\
            worksheetkit: 1
            kind: worksheet
            id: t.cost
            version: 1.0.0
            title: Cost
            language: en
            items:
              - id: other
                type: table
                label: Other
                columns: [{{id: c, type: number, label: C}}]
              - id: log
                type: table
                label: Log
                {rows}
                columns:
                  - {{id: a, type: number, label: A, show_if: "sum(other.c) > max(other.c)"}}
            """
        )

    ((code, line, _column, message),) = _codes(text("max_rows: 100"))
    assert (code, line) == ("WK309", 17)
    assert "200,000 combinations of rows once for each row of its table" in message
    assert isinstance(loads(text("max_rows: 50")), Worksheet)  # 50 × 2,000 = 100,000


def test_building_a_column_is_charged_per_row() -> None:
    rows = [{"a": i, "b": i} for i in range(30)]
    expr = parse("sum(t.a) + sum(t.b) > 0 and not any(t, a > 100)")
    with step_budget() as budget:
        assert evaluate(expr, {"t": rows}) is True
    assert budget.used == 30 + 30 + 30
    assert cost(expr, {}, row_limit=30).steps == budget.used
    # Inside a quantifier the column is built again for every row visited.
    with step_budget() as budget:
        evaluate(parse("any(t, a > sum(t.a))"), {"t": rows})
    assert budget.used == 30 * (1 + 30)


def test_many_column_references_exhaust_the_budget() -> None:
    rows = [{"a": i} for i in range(1000)]
    expr = parse("sum(" + ", ".join(["t.a"] * 200) + ")")  # 200,000 rows read
    with step_budget(50_000) as budget:
        assert evaluate(expr, {"t": rows}) is None
    assert budget.exhausted
    assert budget.used == 50 * 1000 + 1000  # stops at the column that overflowed
    with step_budget() as budget:
        assert evaluate(expr, {"t": rows}) == 200 * sum(range(1000))
    assert budget.used == 200_000


def test_a_response_with_column_references_per_row_gets_wk413() -> None:
    ws = Worksheet.model_validate(
        {
            "worksheetkit": 1,
            "kind": "worksheet",
            "id": "t.columns",
            "version": "1.0.0",
            "title": "Columns",
            "language": "en",
            "items": [
                {
                    "id": "log",
                    "type": "table",
                    "label": "Log",
                    "columns": [
                        {"id": "a", "type": "number", "label": "A"},
                        {
                            "id": "b",
                            "type": "number",
                            "label": "B",
                            # never validated: 100 columns built for each of 1,000 rows = 10⁸
                            "show_if": _many_columns(100),
                        },
                    ],
                }
            ],
        }
    )
    response = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "t.columns",
        "version": "1.0.0",
        "submitted_at": "2026-12-01T20:00:00+00:00",
        "answers": {"log": [{"a": 1, "b": 2} for _ in range(1000)]},
    }
    with step_budget() as outer:
        diagnostics = validate_response(ws, response)
    assert "WK413" in [d.code for d in diagnostics]
    assert outer.used == 0  # validate opened its own budget


# -- YAML text expanded through aliases ---------------------------------------------------------


def _alias_text(copies: int, size: int) -> str:
    # Labels are plain text, so the Markdown size limit (WK229) does not apply to them.
    big = "x" * size
    notes = "".join(f"  - {{type: text, id: t{i}, label: *t}}\n" for i in range(copies))
    return (
        "worksheetkit: 1\nkind: worksheet\nid: a.b\nversion: 1.0.0\n"
        f"title: &t {big}\nitems:\n{notes}"
    )


def test_aliases_of_one_long_text_are_wk006_and_the_text_read_is_bounded() -> None:
    text = _alias_text(3_000, 100_000)  # 300 MB of text once expanded, few nodes
    assert len(text) < yamlsource.MAX_BYTES
    (node,) = list(yaml.compose_all(text, Loader=yamlsource._Loader))
    builder = yamlsource._Builder(yamlsource.SourceMap("bomb.yaml"))
    assert builder.build(node) is None
    assert builder.fatal
    read = yamlsource.MAX_TEXT - builder.text_budget
    assert yamlsource.MAX_TEXT < read <= yamlsource.MAX_TEXT + 100_000  # stopped at the budget
    assert yamlsource.MAX_NODES - builder.budget < 10_000  # far below the node limit
    ((code, line, message),) = [(d.code, d.line, d.message) for d in builder.diagnostics]
    assert code == "WK006"
    assert line == 7  # the top-level value that overflows: items
    assert "bytes of text" in message
    assert "aliases" in message


def test_the_alias_text_budget_scales_with_the_file() -> None:
    mib = 1024 * 1024
    assert yamlsource.text_limit(0) == yamlsource.MIN_TEXT == mib
    assert yamlsource.text_limit(100_000) == mib
    assert yamlsource.text_limit(mib) == 4 * mib
    assert yamlsource.text_limit(yamlsource.MAX_BYTES) == yamlsource.MAX_TEXT == 10 * mib


def test_a_few_aliases_of_a_long_text_are_fine() -> None:
    ws = loads(_alias_text(8, 100_000))  # 0.9 MB expanded from a 0.1 MB file: under 1 MiB
    assert isinstance(ws, Worksheet)
    ws = loads(_alias_text(2, 400_000))  # 1.2 MB expanded from a 0.4 MB file: under 1.6 MB
    assert isinstance(ws, Worksheet)


def _nested_bomb(levels: int, width: int, size: int) -> str:
    """A small file whose aliases nest: `width ** levels` copies of a `size`-byte text."""
    lines = [f"t0: &t0 {'x' * size}"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*t{level - 1}"] * width)
        lines.append(f"t{level}: &t{level} [{refs}]")
    return (
        "worksheetkit: 1\nkind: worksheet\nid: a.b\nversion: 1.0.0\ntitle: T\n"
        "x-bomb:\n" + "".join(f"  {line}\n" for line in lines) + "items: []\n"
    )


def test_a_nested_alias_bomb_stops_at_four_times_the_file_size() -> None:
    # 10 ** 4 copies of 1,000 bytes = 10 MB of text (under the old fixed 10 MiB budget) from
    # a 1.2 KB file, in a few thousand nodes: only the text budget can stop it.
    text = _nested_bomb(4, 10, 1_000)
    assert len(text) < 2_000
    (node,) = list(yaml.compose_all(text, Loader=yamlsource._Loader))
    limit = yamlsource.text_limit(len(text))
    assert limit == yamlsource.MIN_TEXT
    builder = yamlsource._Builder(yamlsource.SourceMap("bomb.yaml"), text_limit=limit)
    assert builder.build(node) is None
    assert builder.fatal
    read = limit - builder.text_budget
    assert limit < read <= limit + 1_000  # stopped at the first text past the budget
    assert yamlsource.MAX_NODES - builder.budget < 2_000  # the node budget never came close
    with pytest.raises(WorksheetError) as info:
        loads(text, source="bomb.yaml")
    ((code, line, message),) = [(d.code, d.line, d.message) for d in info.value.diagnostics]
    assert (code, line) == ("WK006", 7)  # x-bomb's value, the top-level value that overflows
    assert f"more than {yamlsource.MIN_TEXT:,} bytes of text" in message
    # One level fewer (1,111 copies of 900 bytes, 999,900 bytes) is within 1 MiB: as far as
    # YAML goes it loads (x-bomb is then an unknown key of the worksheet).
    smaller = yamlsource.parse_text(_nested_bomb(3, 10, 900))
    assert smaller.data is not None


def test_non_ascii_text_is_counted_in_bytes() -> None:
    # 1,111 copies of 500 "é": 555,500 characters but 1,111,000 bytes, over 1 MiB.
    text = _nested_bomb(3, 10, 500).replace("x" * 500, "é" * 500)
    parsed = yamlsource.parse_text(text)
    assert parsed.data is None
    assert [d.code for d in parsed.diagnostics] == ["WK006"]
    ascii_text = _nested_bomb(3, 10, 500)  # the same in ASCII: 555,500 bytes
    assert yamlsource.parse_text(ascii_text).data is not None


def test_alias_text_bomb_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_text(3_000, 100_000), encoding="utf-8")
    result = subprocess.run(
        [*CLI, "validate", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1
    assert "WK006" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


# -- occurrences per schedule -------------------------------------------------------------------


def _schedule(**data: Any) -> Schedule:
    return Schedule.model_validate(data)


@pytest.mark.parametrize(
    ("data", "count", "where"),
    [
        ({"repeat": "daily", "at": "20:00", "for": "P14D"}, 14, None),
        ({"repeat": "daily", "at": "08:00", "count": 6000}, 6000, ("count",)),
        (
            {
                "repeat": "daily",
                "at": [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)],
                "for": "P180D",
            },
            180 * 48,
            ("for",),
        ),
        ({"rrule": "FREQ=HOURLY", "for": "P200D"}, 4800, None),
    ],
)
def test_occurrences_per_schedule_are_counted_and_capped(
    data: dict[str, Any], count: int, where: tuple[str, ...] | None
) -> None:
    schedule = _schedule(**data)
    assert occurrence_count(schedule) == count
    problems = [p for p in check_schedule(schedule) if "occurrences" in p.message]
    if where is None:
        assert problems == []
    else:
        (problem,) = problems
        assert (problem.code, problem.path) == ("WK219", where)
        assert f"makes {count:,} occurrences" in problem.message
        assert f"at most {MAX_OCCURRENCES:,}" in problem.message


def test_a_minutely_rule_is_estimated_without_expanding_it() -> None:
    schedule = _schedule(rrule="FREQ=MINUTELY", **{"for": "P30D"})
    n = occurrence_count(schedule)
    assert n is not None
    assert abs(n - 30 * 1440) < 30
    (problem,) = [p for p in check_schedule(schedule) if "occurrences" in p.message]
    assert problem.code == "WK219"
    assert problem.path == ("for",)
    assert "about 43," in problem.message


def _assignment(schedule: dict[str, Any]) -> Assignment:
    return Assignment.model_validate(
        {
            "worksheetkit": 1,
            "kind": "assignment",
            "id": "a-1",
            "worksheet": "x.y@1.0.0",
            "start": "2026-12-01",
            "timezone": "Europe/London",
            "schedule": schedule,
        }
    )


@pytest.mark.parametrize(
    "schedule",
    [
        {"rrule": "FREQ=MINUTELY", "for": "P30D"},  # the generic loop
        {"repeat": "daily", "at": [f"{h:02d}:00" for h in range(24)], "for": "P3650D"},  # days
    ],
)
def test_occurrences_refuses_a_series_past_the_cap_and_stops_building(
    schedule: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    built = [0]

    class Counting(expand_module.Occurrence):
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            built[0] += 1
            return object.__new__(cls)

    # Both loops create occurrences through Occurrence.__new__ (the hot one inlines the rest).
    monkeypatch.setattr(expand_module, "Occurrence", Counting)
    with pytest.raises(ScheduleError, match="more than 5,000 occurrences"):
        occurrences(_assignment(schedule))
    assert MAX_OCCURRENCES < built[0] <= MAX_OCCURRENCES + 24  # at most one more day


def test_occurrences_of_an_endless_schedule_over_a_long_range_are_refused() -> None:
    a = _assignment({"repeat": "daily", "at": "20:00"})
    assert len(occurrences(a, end=dt.date(2027, 12, 1))) == 366
    with pytest.raises(ScheduleError):
        occurrences(a, end=dt.date(2046, 12, 1))


def test_cli_schedule_prints_a_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            worksheetkit: 1
            kind: assignment
            id: a-1
            client: c-1
            worksheet: x.y@1.0.0
            start: 2026-12-01
            timezone: Europe/London
            plan: {when: evening, where: home}
            schedule: {repeat: daily, at: "20:00"}
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [*CLI, "schedule", str(path), "--from", "2026-12-01", "--to", "2046-12-01"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "WK219" in result.stderr
    assert "5,000 occurrences" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_reports_a_minutely_assignment_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            worksheetkit: 1
            kind: assignment
            id: a-1
            client: c-1
            worksheet: x.y@1.0.0
            start: 2026-12-01
            timezone: Europe/London
            plan: {when: evening, where: home}
            schedule:
              rrule: FREQ=MINUTELY
              for: P7D
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [*CLI, "validate", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1
    assert ":11:" in result.stdout
    assert "WK219" in result.stdout
    assert "about 10,0" in result.stdout

"""The plan of an assignment in words: week by week, titles, durations and unlocks, no raw forms."""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from clirun import run_cli
from worksheetkit import load, load_pack, loads
from worksheetkit.scheduling import Plan, plan

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
RAW = re.compile(
    r"\bP\d+[DWMY]\b|\bPT\d+[HMS]\b|\d\d:\d\d(?::\d\d)? ?[+-]\d\d:?\d\d\b|\s[+-]\d{4}\b|completed\(|"
    r"\b[a-z_]+/\d{4}-\d\d-\d\dT\d\d:\d\d|\bnull\b"
)


@cache
def _pack() -> Any:
    return load_pack(EXAMPLES)


def _demo(pathway: Any, language: str | None = None) -> Plan:
    assignment = loads(
        f"""
worksheetkit: 1
kind: assignment
id: demo
client: c
pathway: {pathway.id}@{pathway.version}
start: 2026-12-07
timezone: Europe/London
"""
    )
    return plan(assignment, _pack(), language=language)


def pathways() -> list[Any]:
    return list(_pack().pathways)


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_example_pathway_reads_as_a_plan(language: str) -> None:
    assert len(pathways()) >= 5
    for pathway in pathways():
        p = _demo(pathway, language)
        text = p.to_text()
        assert not RAW.search(text), (pathway.id, RAW.search(text))
        for step in pathway.steps:
            assert f"■ {step.id}\n" not in text  # titles, never ids as headings
        assert p.weeks, pathway.id
        # Weeks are consecutive blocks of seven days, each labelled with its dates and year.
        for week in p.weeks:
            assert (week.last - week.first).days == 6
            assert str(week.first.year) in week.label
        # Far fewer rows than occurrences: grouped per step per week.
        rows = sum(len(w.tasks) for w in p.weeks)
        assert rows <= p.total
        assert p.to_dict()["weeks"][0]["first"] == "2026-12-07"


def test_four_weeks_pathway_in_words() -> None:
    pathway = _pack().pathway("anxiety.four-weeks")
    p = _demo(pathway)
    text = p.to_text()
    assert "Mon 7 Dec 2026 (Europe/London)" in text
    assert "Week 1: Mon 7 Dec 2026 – Sun 13 Dec 2026" in text
    assert "every day at 21:00, for 4 weeks" in text
    assert "starts after 2 weeks, on Mon 21 Dec 2026" in text
    assert "opens after you finish “Week 3: build your fear ladder”" in text
    assert "This step opens once your fear ladder is done" in text  # the step's note
    assert "Each week builds on the last." in text  # the pathway's rationale
    assert "about 2 min each time" in text
    exposure = next(s for s in p.steps if s.id == "exposure")
    assert exposure.unlock == "after you finish “Week 3: build your fear ladder”"
    assert exposure.rationale  # the worksheet's rationale
    # 76-row flat list before: now a handful of rows a week.
    assert p.total > 60
    assert sum(len(w.tasks) for w in p.weeks) < 20
    week4 = p.weeks[3]
    last = week4.tasks[-1]
    assert last.title == "Week 4: first steps on the ladder"
    assert last.locked.startswith("opens after you finish")


def test_spanish_plan_words() -> None:
    p = _demo(_pack().pathway("anxiety.four-weeks"), "es")
    text = p.to_text()
    assert "lun 7 dic 2026 (Europe/London)" in text
    assert "todos los días a las 21:00, durante 4 semanas" in text
    assert "Semana 1: lun 7 dic 2026 – dom 13 dic 2026" in text


def test_schedule_cli_prints_the_plan_for_a_pathway() -> None:
    path = EXAMPLES / "assignments" / "anxiety-pathway-new-york.yaml"
    done = run_cli("schedule", path, "--pack", EXAMPLES)  # in this process: the words are tested
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert not RAW.search(out), RAW.search(out)
    assert "Week 2: Mon 7 Dec 2026 – Sun 13 Dec 2026" in out
    assert "opens after you finish “Thought record”" in out
    assert "(America/New_York)" in out


@pytest.mark.slow
def test_schedule_cli_text_has_no_offsets_or_ids() -> None:
    for path in sorted((EXAMPLES / "assignments").glob("*.yaml")):
        model = load(path)
        done = subprocess.run(
            [sys.executable, "-m", "worksheetkit", "schedule", str(path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert not RAW.search(done.stdout), (path.name, RAW.search(done.stdout))
        if model.worksheet:
            assert f"({model.timezone})" in done.stdout
            assert re.search(r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", done.stdout)
        # The ids stay in the machine output.
        js = subprocess.run(
            [sys.executable, "-m", "worksheetkit", "schedule", str(path), "--format", "json"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert '"id": "' in js.stdout


def test_worksheet_assignment_plan() -> None:
    assignment = load(EXAMPLES / "assignments" / "thought-record-london.yaml")
    p = plan(assignment, _pack())
    assert p.title == "Thought record"
    assert [s.id for s in p.steps] == ["main"]
    assert "every day at 20:00" in p.steps[0].schedule

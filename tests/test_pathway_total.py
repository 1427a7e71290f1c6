"""One assignment makes at most 20,000 occurrences across all the steps of its pathway
(each step's own schedule is capped at 5,000): WK219 at validate, ScheduleError when
expanding, a diagnostic (not a traceback) from the CLI. Counted by occurrences, not time."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import worksheetkit.scheduling._expand as expand_module
from worksheetkit import WorksheetError, load_pack
from worksheetkit.model import Assignment
from worksheetkit.scheduling import ScheduleError, occurrences
from worksheetkit.scheduling._expand import MAX_OCCURRENCES, MAX_TOTAL_OCCURRENCES

CLI = [sys.executable, "-m", "worksheetkit"]
TIMES = '["06:00", "10:00", "14:00", "18:00"]'


def _pack(root: Path, steps: int, schedule: str) -> Path:
    (root / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: t.pack\nname: T\nversion: 1.0.0\n", encoding="utf-8"
    )
    (root / "ws.yaml").write_text(
        "worksheetkit: 1\nid: t.diary\nversion: 1.0.0\ntitle: Diary\n"
        "items: [{id: q, type: text, label: Q}]\n",
        encoding="utf-8",
    )
    lines = [
        f"  - {{id: s{i}, worksheet: t.diary@1, start: P0D, schedule: {schedule}}}\n"
        for i in range(steps)
    ]
    (root / "pathway.yaml").write_text(
        "worksheetkit: 1\nkind: pathway\nid: t.long\nversion: 1.0.0\ntitle: Long\nsteps:\n"
        + "".join(lines),
        encoding="utf-8",
    )
    (root / "a.yaml").write_text(
        "worksheetkit: 1\nkind: assignment\nid: a-1\nclient: c-1\npathway: t.long@1\n"
        "start: 2026-12-01\ntimezone: Europe/London\nplan: {when: Evening, where: Home}\n",
        encoding="utf-8",
    )
    return root


def test_validate_reports_the_total_at_the_steps(tmp_path: Path) -> None:
    # 6 steps x 4 a day x 1,000 days: 4,000 each (under 5,000), 24,000 together.
    _pack(tmp_path, 6, f"{{repeat: daily, at: {TIMES}, for: P1000D}}")
    with pytest.raises(WorksheetError) as info:
        load_pack(tmp_path)
    ((code, file, line, message),) = [
        (d.code, d.file, d.line, d.message) for d in info.value.diagnostics if d.severity == "error"
    ]
    assert code == "WK219"
    assert file is not None
    assert file.endswith("pathway.yaml")
    assert line == 7  # the first step, where `steps:` starts
    assert "24,000 occurrences together" in message
    assert f"at most {MAX_TOTAL_OCCURRENCES:,}" in message


def test_five_such_steps_are_within_the_total(tmp_path: Path) -> None:
    _pack(tmp_path, 5, f"{{repeat: daily, at: {TIMES}, for: P1000D}}")  # exactly 20,000
    assert load_pack(tmp_path).pathways


def _endless(tmp_path: Path) -> tuple[Any, Assignment]:
    # Steps without an end cannot be counted statically: the expansion must stop them.
    _pack(tmp_path, 8, f"{{repeat: daily, at: {TIMES}}}")
    pack = load_pack(tmp_path)
    (assignment,) = pack.assignments
    return pack, assignment


def test_expansion_stops_past_the_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack, assignment = _endless(tmp_path)
    built = [0]

    class Counting(expand_module.Occurrence):
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            built[0] += 1
            return object.__new__(cls)

    # Both loops create occurrences through Occurrence.__new__ (the hot one inlines the rest).
    monkeypatch.setattr(expand_module, "Occurrence", Counting)
    # A year: 8 steps x 4 a day x 365 = 11,680 in all, within the total.
    assert len(occurrences(assignment, end=dt.date(2027, 11, 30), pack=pack)) == 8 * 4 * 365
    built[0] = 0
    # Three years: 4 a day x 1,095 days = 4,380 per step (under 5,000), 35,040 in all.
    with pytest.raises(ScheduleError, match="more than 20,000 occurrences in all"):
        occurrences(assignment, end=dt.date(2029, 11, 30), pack=pack)
    assert MAX_TOTAL_OCCURRENCES < built[0] <= MAX_TOTAL_OCCURRENCES + MAX_OCCURRENCES


@pytest.mark.slow
def test_calendar_export_stops_past_the_total(tmp_path: Path) -> None:
    from worksheetkit.scheduling import to_ics

    pack, assignment = _endless(tmp_path)
    with pytest.raises(ScheduleError, match="more than 20,000 occurrences in all"):
        to_ics(assignment, None, dt.date(2029, 11, 30), pack=pack)


def test_cli_schedule_prints_a_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    _endless(tmp_path)
    result = subprocess.run(
        [*CLI, "schedule", str(tmp_path / "a.yaml"), "--to", "2029-11-30"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1  # like a single schedule past 5,000: the assignment's problem
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{tmp_path / 'a.yaml'}:1:1: error WK219 ")
    assert "20,000 occurrences in all" in lines[0]
    assert "Traceback" not in result.stderr

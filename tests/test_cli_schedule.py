"""``worksheetkit schedule``: text, JSON (DESIGN §6 keys), .ics, --explain, errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from worksheetkit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

ASSIGNMENT = """\
worksheetkit: 1
kind: assignment
id: a-cli
worksheet: cbt.thought-record@1.0.0
start: 2026-12-01
timezone: Europe/London
schedule: {repeat: daily, at: "20:00", for: P7D, window: PT4H, grace: PT12H}
plan: {when: After dinner, where: Kitchen table, confidence: 8}
excused: [{date: 2026-12-04, reason: ill}]
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["schedule", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def assignment(tmp_path: Path) -> Path:
    path = tmp_path / "a.yaml"
    path.write_text(ASSIGNMENT, encoding="utf-8")
    return path


def test_json_has_the_design_keys(assignment: Path) -> None:
    code, out, _ = run(
        str(assignment), "--format", "json", "--from", "2026-12-03", "--to", "2026-12-04"
    )
    assert code == 0
    data = json.loads(out)
    # The DESIGN §6 keys first, then the rest of Occurrence.to_dict() (nothing dropped).
    design = ["id", "step", "worksheet", "opens", "due", "grace_until", "opens_utc"]
    assert [list(o)[:7] for o in data["occurrences"]] == [design] * 2
    first = data["occurrences"][0]
    assert first == {
        "id": "main/2026-12-03T20:00",
        "step": None,
        "worksheet": "cbt.thought-record@1.0.0",
        "opens": "2026-12-03T20:00:00+00:00",
        "due": "2026-12-04T00:00:00+00:00",
        "grace_until": "2026-12-04T12:00:00+00:00",
        "opens_utc": "2026-12-03T20:00:00Z",
        "due_utc": "2026-12-04T00:00:00Z",
        "grace_until_utc": "2026-12-04T12:00:00Z",
        "timezone": "Europe/London",
        "timing": "flexible",
        "reminders": [],
        "locked": False,
        "excused": False,
        "excused_reason": None,
    }
    assert data["excused"] == ["main/2026-12-04T20:00"]


def test_text_is_readable(assignment: Path) -> None:
    code, out, _ = run(str(assignment))
    assert code == 0
    assert "a-cli: 7 occurrences (Europe/London)" in out
    assert "Fri 4 Dec 2026, 20:00 (Europe/London)" in out
    assert "excused (ill)" in out
    assert "Traceback" not in out


def test_ics_is_written(assignment: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.ics"
    code, out, _ = run(str(assignment), "--ics", str(target))
    assert code == 0
    assert out == ""
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    assert len(cal.walk("VEVENT")) == 1
    assert not list(target.parent.glob(".*.tmp"))
    code, _, _ = run(str(assignment), "--ics", str(tmp_path / "t.ics"), "--todo")
    assert code == 0
    assert icalendar.Calendar.from_ical((tmp_path / "t.ics").read_bytes()).walk("VTODO")


def test_explain(assignment: Path) -> None:
    code, out, _ = run(str(assignment), "--explain")
    assert code == 0
    assert "DTSTART;TZID=Europe/London:20261201T200000" in out
    assert "RRULE:FREQ=DAILY;BYHOUR=20;BYMINUTE=0;BYSECOND=0;UNTIL=20261207T235959Z" in out


def test_missing_file_is_an_io_error(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "nope.yaml" in err


@pytest.mark.parametrize(
    "args",
    [["--from", "yesterday"], ["--format", "xml"], ["--from", "2026-12-05", "--to", "2026-12-01"]],
)
def test_bad_usage(assignment: Path, args: list[str]) -> None:
    code, _, _ = run(str(assignment), *args)
    assert code == 2


def test_invalid_assignment_prints_located_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(ASSIGNMENT.replace("Europe/London", "Europe/Lndon"), encoding="utf-8")
    code, out, err = run(str(path))
    assert code == 1
    assert f"{path}:6:11: error WK221 'Europe/Lndon' is not an IANA time zone." in err
    assert "Traceback" not in out + err


def test_unbounded_schedule_gets_a_default_horizon(tmp_path: Path) -> None:
    path = tmp_path / "open.yaml"
    path.write_text(ASSIGNMENT.replace(", for: P7D", ""), encoding="utf-8")
    code, out, err = run(str(path), "--format", "json")
    assert code == 0
    assert len(json.loads(out)["occurrences"]) == 12 * 7 + 1
    assert "no end" in err


def test_worksheet_default_schedule_from_the_pack_found_upwards(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: t.pack\nname: T\nversion: 1.0.0\n", encoding="utf-8"
    )
    (tmp_path / "ws.yaml").write_text(
        "worksheetkit: 1\nid: t.sleep\nversion: 1.0.0\ntitle: Sleep diary\n"
        "default_schedule: {repeat: daily, at: '07:00', for: P3D}\n"
        "items: [{id: q, type: text, label: Q}]\n",
        encoding="utf-8",
    )
    sub = tmp_path / "assignments"
    sub.mkdir()
    (sub / "a.yaml").write_text(
        "worksheetkit: 1\nkind: assignment\nid: a-1\nworksheet: t.sleep@1\nstart: 2026-12-01\n"
        "timezone: Asia/Kolkata\nplan: {when: On waking, where: Bed}\n",
        encoding="utf-8",
    )
    code, out, err = run(str(sub / "a.yaml"), "--format", "json")
    assert code == 0, err
    assert [o["opens_utc"] for o in json.loads(out)["occurrences"]] == [
        "2026-12-01T01:30:00Z",
        "2026-12-02T01:30:00Z",
        "2026-12-03T01:30:00Z",
    ]


def test_pathway_from_the_examples_pack() -> None:
    path = EXAMPLES / "assignments" / "anxiety-pathway-new-york.yaml"
    code, out, err = run(str(path), "--format", "json", "--pack", str(EXAMPLES))
    assert code == 0, err
    data = json.loads(out)
    steps = {o["step"] for o in data["occurrences"]}
    assert steps == {"thoughts", "body_scan", "exposure"}
    assert data["locked"]  # exposure waits for completed(thoughts)
    assert all(i.startswith("exposure/") for i in data["locked"])


def test_not_an_assignment_is_a_usage_error() -> None:
    code, _, err = run(str(EXAMPLES / "pack.yaml"))
    assert code == 2
    assert "not an assignment" in err


def test_pathway_without_pack_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        ASSIGNMENT.replace("worksheet: cbt.thought-record@1.0.0", "pathway: x.y@1").replace(
            'schedule: {repeat: daily, at: "20:00", for: P7D, window: PT4H, grace: PT12H}\n', ""
        ),
        encoding="utf-8",
    )
    code, _, err = run(str(path))
    assert code == 1
    assert "error WK219" in err
    assert "pack" in err

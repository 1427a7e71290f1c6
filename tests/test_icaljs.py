"""Calendars every reader expands alike: Mozilla's ical.js (Thunderbird's engine) and Python's
recurring-ical-events both expand every exported calendar to exactly the library's occurrences,
opening and due instants included.

The corpus: every example assignment (with the example pack), the cases of
test_scheduling_ics.py, and a generated set across four zones (Europe/London, America/New_York,
Australia/Sydney, Asia/Kolkata) around their DST changes: fall-back and spring-forward times with
each policy, windows across a change, month ends, weekly days, every-N-days. ONE node process
reads all calendars: ``ICAL.parse``, ``ICAL.Component``, the VTIMEZONE registered with
``ICAL.TimezoneService``, ``ICAL.Event`` with its exceptions, the iterator, UTC instants.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events

from test_scheduling_ics import CASES, assignment
from worksheetkit.model import Assignment
from worksheetkit.scheduling import occurrences, to_ics
from worksheetkit.scheduling._ics import task_end
from worksheetkit.scheduling._zones import _transitions, get_zone
from worksheetkit.validation import load, load_pack

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NODE = shutil.which("node")
ICALJS = ROOT / "node_modules" / "ical.js" / "dist" / "ical.es5.cjs"
UTC = dt.UTC
BEGIN = dt.datetime(2020, 1, 1, tzinfo=UTC)
END = dt.datetime(2035, 1, 1, tzinfo=UTC)
MAX_PER_EVENT = 5000

pytestmark = [
    pytest.mark.skipif(
        NODE is None or not ICALJS.is_file(), reason="node and the npm package ical.js are needed"
    ),
    pytest.mark.slow,  # Node and a corpus of calendars: seconds
]

_RUNNER = r"""
const fs = require("fs");
const ICAL = require("ical.js");
const calendars = JSON.parse(fs.readFileSync(0, "utf8"));
const limit = Number(process.argv[1]);
const iso = (t) => t.toJSDate().toISOString().replace(".000Z", "Z");
const out = calendars.map((text) => {
  ICAL.TimezoneService.reset();
  const root = new ICAL.Component(ICAL.parse(text));
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtz);
  }
  const parts = [...root.getAllSubcomponents("vevent"), ...root.getAllSubcomponents("vtodo")];
  const bases = new Map();
  const exceptions = [];
  for (const part of parts) {
    const uid = part.getFirstPropertyValue("uid");
    if (part.hasProperty("recurrence-id")) exceptions.push([uid, part]);
    else bases.set(uid, new ICAL.Event(part));
  }
  for (const [uid, part] of exceptions) bases.get(uid).relateException(part);
  const found = [];
  for (const event of bases.values()) {
    if (!event.isRecurring()) {
      found.push([iso(event.startDate), iso(event.endDate)]);
      continue;
    }
    const it = event.iterator();
    let next;
    let n = 0;
    while ((next = it.next()) && n < limit) {
      const d = event.getOccurrenceDetails(next);
      found.push([iso(d.startDate), iso(d.endDate)]);
      n += 1;
    }
  }
  return found.sort();
});
process.stdout.write(JSON.stringify(out));
"""


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _python_reader(data: bytes) -> list[list[str]]:
    cal = icalendar.Calendar.from_ical(data)
    events = recurring_ical_events.of(cal, components=["VEVENT", "VTODO"]).between(BEGIN, END)
    out = []
    for e in events:
        start = e.get("DTSTART").dt
        end = e.get("DTEND") or e.get("DUE")
        stop = end.dt if end is not None else start + e.get("DURATION").dt
        out.append([_utc(start), _utc(stop)])
    return sorted(out)


def _ours(a: Assignment, pack: Any = None, component: str = "VEVENT") -> list[list[str]]:
    """(opens, end) of every occurrence: an event lasts the worksheet's estimated_minutes when
    the pack gives it (never past the due time), a to-do until it is due."""
    out = []
    for o in occurrences(a, pack=pack):
        minutes = None
        if pack is not None and component == "VEVENT":
            minutes = pack.worksheet(o.worksheet).estimated_minutes
        out.append([_utc(o.opens), _utc(task_end(o, minutes))])
    return sorted(out)


def _icaljs(calendars: list[bytes]) -> list[list[list[str]]]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", _RUNNER, str(MAX_PER_EVENT)],
        input=json.dumps([c.decode("utf-8") for c in calendars]),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: list[list[list[str]]] = json.loads(done.stdout)
    return result


ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]


def _changes(zone: str, year: int) -> list[tuple[dt.date, str]]:
    """(local date, 'fall-back' or 'spring-forward') of each DST change in ``year``."""
    tz = get_zone(zone)
    return [
        ((instant + before).date(), "fall-back" if after < before else "spring-forward")
        for instant, before, after in _transitions(tz, year)
    ]


def _generated() -> list[tuple[str, str, str]]:
    """(start, zone, schedule) around each zone's DST changes, month ends and plain weeks."""
    out: list[tuple[str, str, str]] = []
    for zone in ZONES:
        changes = _changes(zone, 2026) or [(dt.date(2026, 3, 29), "none")]
        for day, _kind in changes:
            before = (day - dt.timedelta(days=3)).isoformat()
            week = (day - dt.timedelta(days=8)).isoformat()
            for at in ("00:30", "01:30", "02:30", "03:30", "20:00"):
                for policy in ("ambiguous: earlier", "ambiguous: later", "nonexistent: skip",
                               "nonexistent: shift_forward"):  # fmt: skip
                    out.append((before, zone, f"{{repeat: daily, at: '{at}', for: P6D, {policy}}}"))
                out.append((before, zone, f"{{repeat: daily, at: '{at}', for: P6D, window: PT3H}}"))
            out += [
                (week, zone, "{repeat: weekly, on: [sat, sun], at: ['01:30', '02:30'], count: 8,"
                             " window: PT2H}"),
                (week, zone, "{repeat: daily, every: 3, at: '02:15', for: P4W, window: PT1H}"),
                (week, zone, "{repeat: daily, every: 2, at: ['07:00', '21:30'], for: P3W}"),
                (before, zone, "{repeat: daily, at: '23:30', for: P5D, window: PT4H}"),
                (before, zone, "{repeat: daily, at: '12:00', for: P5D, window: P1D}"),
                (before, zone, "{times_per_week: 3, for: P2W}"),
            ]  # fmt: skip
        for start in ("2026-01-31", "2026-01-30", "2026-01-29", "2027-12-31"):
            out += [
                (start, zone, "{repeat: monthly, at: '09:00', count: 14, window: PT3H}"),
                (start, zone, "{repeat: monthly, at: ['02:30', '21:00'], count: 14,"
                              " window: PT1H}"),
                (start, zone, "{repeat: monthly, at: '09:00', count: 6, month_end: skip}"),
            ]  # fmt: skip
        out.append(("2026-01-05", zone, "{repeat: weekly, every: 2, on: [mon, fri], at: '18:00',"
                                        " for: P52W, window: PT90M}"))  # fmt: skip
        out.append(("2026-01-05", zone, "{rrule: 'FREQ=MONTHLY;BYDAY=SU;BYSETPOS=-1',"
                                        " at: '01:30', count: 14, window: PT2H}"))  # fmt: skip
    return out


def _corpus() -> list[tuple[str, Assignment, Any, str]]:
    cases: list[tuple[str, Assignment, Any, str]] = []
    pack = load_pack(EXAMPLES)
    for path in sorted((EXAMPLES / "assignments").glob("*.yaml")):
        doc = load(path)
        assert isinstance(doc, Assignment)
        cases.append((path.name, doc, pack, "VEVENT"))
    for start, zone, schedule in [*CASES, *_generated()]:
        a = assignment(start, zone, schedule)
        cases.append((f"{start} {zone} {schedule}", a, None, "VEVENT"))
    for start, zone, schedule in CASES[:6]:
        a = assignment(start, zone, schedule)
        cases.append((f"VTODO {start} {zone} {schedule}", a, None, "VTODO"))
    return cases


@pytest.fixture(scope="module")
def expanded() -> list[tuple[str, list[list[str]], bytes, list[list[list[str]]]]]:
    corpus = _corpus()
    calendars = [to_ics(a, pack=pack, component=comp) for _, a, pack, comp in corpus]
    theirs = _icaljs(calendars)
    return [
        (label, _ours(a, pack, comp), data, [js, _python_reader(data)])
        for (label, a, pack, comp), data, js in zip(corpus, calendars, theirs, strict=True)
    ]


def test_the_corpus_covers_every_kind_of_trouble(expanded: Any) -> None:
    assert len(expanded) >= 250
    labels = " ".join(label for label, *_ in expanded)
    for zone in ZONES:
        assert zone in labels
    for name in ("anxiety-pathway-new-york.yaml", "home-exercise-dst.yaml", "month_end"):
        assert name in labels
    total = sum(len(ours) for _, ours, _, _ in expanded)
    assert total >= 2000


def test_icaljs_expands_every_calendar_to_our_occurrences(expanded: Any) -> None:
    wrong = [
        f"{label}: ical.js {len(js)} vs ours {len(ours)}; first difference "
        f"{next(((a, b) for a, b in zip(js, ours, strict=False) if a != b), None)}"
        for label, ours, _, (js, _py) in expanded
        if js != ours
    ]
    assert wrong == []


def test_recurring_ical_events_expands_every_calendar_to_our_occurrences(expanded: Any) -> None:
    wrong = [
        f"{label}: python {len(py)} vs ours {len(ours)}; first difference "
        f"{next(((a, b) for a, b in zip(py, ours, strict=False) if a != b), None)}"
        for label, ours, _, (_js, py) in expanded
        if py != ours
    ]
    assert wrong == []


def test_vtimezone_writes_one_value_per_rdate_and_no_multi_value_lists(expanded: Any) -> None:
    for label, _, data, _ in expanded:
        text = data.decode("utf-8")
        for line in text.splitlines():
            if line.startswith(("RDATE", "EXDATE")):
                assert "," not in line.split(":", 1)[1], (label, line)
        assert "BYSETPOS=-2" not in text
        assert "BYMONTHDAY=28,29" not in text, label

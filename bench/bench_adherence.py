"""Adherence over a big JSON Lines file: streamed in bounded memory, ≤ 2.5× json.loads' time.

Writes a synthetic file of N assignments × 100 daily occurrences (about 85 responses each, some
late, partial, repeated or off-schedule), then in one process times

* baseline: ``json.loads`` of every line (the parse alone), and
* target: ``adherence_stream`` scoring every assignment (parse, field checks, matching to the
  expanded schedule, statuses, every score) and folding the reports into ``combine``.

The scenario is a therapist's batch export: ``adherence_stream`` runs with its defaults
(``series=False``: a batch summary charts no item series; pass ``series=True`` to get them) and
each response's completion fraction is computed by the library from the example pack's
worksheet (``worksheetkit.responses.fraction``: its ``completion: min(1, reps / 30)`` formula,
the reps answer checked against the item's constraints).

Memory: tracemalloc's peak while streaming the first tenth and then the whole file; bounded
means the peak does not grow with the file. Also prints the process's peak RSS.

Usage: python bench/bench_adherence.py [--quick]   (N = 10,000, or 1,000 with --quick)
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from worksheetkit import load_pack
from worksheetkit.model import Assignment
from worksheetkit.progress import AdherenceReport, combine
from worksheetkit.progress._combine import adherence_stream

TARGET = 2.5  # issue 18 (was 3.0)
OCCURRENCES = 100
START = dt.date(2026, 1, 5)


def assignments(n: int) -> dict[str, Assignment]:
    base = Assignment.model_validate(
        {
            "worksheetkit": 1,
            "kind": "assignment",
            "id": "a-0",
            "worksheet": "physio.home-exercise-log@1",
            "start": START.isoformat(),
            "timezone": "Europe/London",
            "schedule": {
                "repeat": "daily",
                "at": "18:00",
                "for": f"P{OCCURRENCES}D",
                "window": "PT4H",
                "grace": "PT12H",
            },
        }
    )
    return {f"a-{i:05d}": base.model_copy(update={"id": f"a-{i:05d}"}) for i in range(n)}


def write_file(path: Path, ids: list[str]) -> int:
    rng = random.Random(7)
    lines = 0
    with path.open("w", encoding="utf-8") as fh:
        for ident in ids:
            for day in range(OCCURRENCES):
                roll = rng.random()
                if roll < 0.12:
                    continue  # missed
                local = dt.datetime(2026, 1, 5, 18, 0) + dt.timedelta(days=day)
                # Europe/London: +00:00 in winter, +01:00 from 29 March.
                offset = "+01:00" if local >= dt.datetime(2026, 3, 29, 1) else "+00:00"
                minutes = rng.randint(5, 230) if roll < 0.9 else rng.randint(250, 700)
                when = local + dt.timedelta(minutes=minutes)
                reps = 30 if roll < 0.8 else rng.choice([0, 10, 20, 45])
                record = {
                    "worksheetkit": 1,
                    "kind": "response",
                    "worksheet": "physio.home-exercise-log",
                    "assignment": ident,
                    "occurrence": f"main/{local:%Y-%m-%dT%H:%M}" if roll < 0.7 else None,
                    "submitted_at": f"{when:%Y-%m-%dT%H:%M:%S}{offset}",
                    "answers": {"sets": 3, "reps": reps, "pain": rng.randint(0, 6)},
                    "ratings": {"quality": rng.randint(1, 4), "difficulty": rng.randint(0, 4)},
                }
                fh.write(json.dumps(record) + "\n")
                lines += 1
    return lines


def parse_only(path: Path) -> int:
    count = 0
    loads = json.loads
    with path.open("rb") as fh:
        for line in fh:
            loads(line)
            count += 1
    return count


PACK = load_pack(Path(__file__).resolve().parent.parent / "examples")


def score_all(path: Path, table: dict[str, Assignment], as_of: dt.date) -> tuple[int, dict]:  # type: ignore[type-arg]
    problems = 0
    reports = []

    def only_reports():  # type: ignore[no-untyped-def]
        nonlocal problems
        for item in adherence_stream(table, path, as_of, pack=PACK):
            if isinstance(item, AdherenceReport):
                yield item
            else:
                problems += 1

    summary = combine(only_reports())
    del reports
    return problems, summary


def main() -> int:
    quick = "--quick" in sys.argv
    n = 1_000 if quick else 10_000
    table = assignments(n)
    as_of = START + dt.timedelta(days=OCCURRENCES + 2)
    with tempfile.TemporaryDirectory(prefix="wk-bench-adherence-") as tmp:
        path = Path(tmp) / "responses.jsonl"
        tenth = Path(tmp) / "tenth.jsonl"
        lines = write_file(path, list(table))
        small = {k: table[k] for k in list(table)[: n // 10]}
        write_file(tenth, list(small))
        size_mb = path.stat().st_size / 1e6
        print(f"file: {n} assignments x {OCCURRENCES} occurrences, {lines} lines, {size_mb:.1f} MB")
        print(
            "scenario: batch export; adherence_stream defaults (series=False: no item charts); "
            "completion fractions by the library from the example pack's worksheet"
        )

        # Memory first (tracemalloc slows everything, so it is not timed).
        tracemalloc.start()
        score_all(tenth, small, as_of)
        _, peak_small = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        score_all(path, table, as_of)
        _, peak_all = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"tracemalloc peak: {peak_small / 1e6:.2f} MB for a tenth of the file, "
            f"{peak_all / 1e6:.2f} MB for all of it"
        )

        gc.collect()
        best_parse = best_score = float("inf")
        for _ in range(5 if quick else 3):  # alternate and keep the best: the machine is shared
            t0 = time.perf_counter()
            parse_only(path)
            best_parse = min(best_parse, time.perf_counter() - t0)
            t0 = time.perf_counter()
            problems, summary = score_all(path, table, as_of)
            best_score = min(best_score, time.perf_counter() - t0)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"json.loads of every line: {best_parse:.2f} s")
        print(f"adherence_stream + combine: {best_score:.2f} s ({problems} diagnostics)")
        ow = summary["occurrence_weighted"]["quantity"]
        aw = summary["assignment_weighted"]["quantity"]
        print(f"quantity: occurrence-weighted {ow:.4f}, assignment-weighted {aw:.4f}")
        print(f"peak RSS of this process: {rss:.0f} MB")
    ratio = best_score / best_parse
    bounded = peak_all < 2 * peak_small + 2e6
    ok = ratio <= TARGET and bounded and summary["assignments"] == n
    print(f"memory bounded (peak does not grow with the file): {'yes' if bounded else 'NO'}")
    print(
        f"RESULT adherence_stream ratio={ratio:.2f} target<={TARGET:g} {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: expanding a year of a twice-daily schedule for many assignments, against
iterating the equivalent dateutil rrule alone, in the same process (issue 18: at most 1.5×;
issue 5 asked for 2×).

    python bench/bench_schedule.py            # 10,000 assignments
    python bench/bench_schedule.py --quick    # 500 assignments

Prints one line ``RESULT schedule_expand ratio=<x> target<=1.5 PASS|FAIL``.

The baseline does less than worksheetkit: naive wall times only, no time zone, no DST
policy, no window or grace instants, no ids, no objects; both give the same count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import time

from dateutil import rrule

from worksheetkit.model import Assignment
from worksheetkit.scheduling import occurrences

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
TARGET = 1.5  # issue 18 (was 2.0)


def assignments(n: int) -> list[Assignment]:
    base = dt.date(2026, 1, 1)
    return [
        Assignment.model_validate(
            {
                "worksheetkit": 1,
                "kind": "assignment",
                "id": f"bench-{i}",
                "worksheet": "physio.knee-exercises@1",
                "start": (base + dt.timedelta(days=i % 365)).isoformat(),
                "timezone": ZONES[i % len(ZONES)],
                "schedule": {
                    "repeat": "daily",
                    "at": ["08:00", "18:00"],
                    "for": "P1Y",
                    "window": "PT2H",
                    "grace": "PT4H",
                },
            }
        )
        for i in range(n)
    ]


def run_library(items: list[Assignment]) -> tuple[float, int]:
    total = 0
    started = time.perf_counter()
    for a in items:
        found = occurrences(a)
        total += len(found)
    return time.perf_counter() - started, total


def run_dateutil(items: list[Assignment]) -> tuple[float, int]:
    """The same walls from a bare dateutil rrule: naive, no zone, no objects of our own."""
    total = 0
    started = time.perf_counter()
    for a in items:
        begin = dt.datetime(a.start.year, a.start.month, a.start.day)
        end = dt.datetime(a.start.year + 1, a.start.month, a.start.day)
        rule = rrule.rrule(rrule.DAILY, dtstart=begin, byhour=(8, 18), byminute=0, bysecond=0)
        for wall in rule:
            if wall >= end:
                break
            total += 1
    return time.perf_counter() - started, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 assignments instead of 10,000")
    parser.add_argument("-n", type=int, default=None, help="number of assignments")
    args = parser.parse_args()
    n = args.n or (500 if args.quick else 10_000)
    items = assignments(n)
    occurrences(items[0])  # warm imports and caches of time-zone data
    gc.collect()
    best_lib, best_du = float("inf"), float("inf")
    for _ in range(1 if n >= 5000 else 3):
        t_du, count_du = run_dateutil(items)
        t_lib, count_lib = run_library(items)
        best_du, best_lib = min(best_du, t_du), min(best_lib, t_lib)
    assert count_lib == count_du, (count_lib, count_du)
    ratio = best_lib / best_du
    print(
        f"assignments={n} occurrences={count_lib} dateutil={best_du:.2f}s "
        f"worksheetkit={best_lib:.2f}s ({best_lib / count_lib * 1e6:.2f} µs/occurrence)"
    )
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"RESULT schedule_expand ratio={ratio:.2f} target<={TARGET} {verdict}")


if __name__ == "__main__":
    main()

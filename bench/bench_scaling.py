"""Benchmark: costs that grow linearly (issue 18's scaling table).

Each row runs in a fresh process (so its peak memory is its own): validating packs of 1k and
10k worksheets (100k with ``--full``), scoring adherence streams of 10k and 100k occurrences
(1M with ``--full``), rendering worksheets of 10, 100 and 1,000 items. Per row: time, cost per
unit and the growth of the process's peak RSS during the work. Target per kind: the cost per
unit at the largest size is within 25 % of the smallest (``RESULT scaling_<kind>
ratio=<largest/smallest> target<=1.25``). ``--quick`` uses smaller sizes.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = {
    "validate": ([1_000, 10_000], [100_000], [300, 3_000]),
    "adherence": ([10_000, 100_000], [1_000_000], [10_000, 100_000]),
    "render": ([10, 100, 1_000], [], [10, 100, 1_000]),
}
UNITS = {"validate": "worksheet", "adherence": "occurrence", "render": "item"}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(kind: str, size: int, data: str) -> None:
    """In the child process: do the work once, print seconds and peak RSS growth in MB."""
    sys.path.insert(0, str(HERE))
    if kind == "validate":
        from worksheetkit.cli._common import collector_paused
        from worksheetkit.validation import check_paths

        before = _rss_mb()
        start = time.perf_counter()
        with collector_paused():
            check_paths(Path(data))
        took = time.perf_counter() - start
    elif kind == "adherence":
        import bench_adherence as ba

        table = ba.assignments(size // ba.OCCURRENCES)
        as_of = ba.START + dt.timedelta(days=ba.OCCURRENCES + 2)
        before = _rss_mb()
        start = time.perf_counter()
        ba.score_all(Path(data), table, as_of)
        took = time.perf_counter() - start
    else:
        from worksheetkit import loads
        from worksheetkit.rendering import render

        ws = loads(worksheet_yaml(size), source="bench.yaml")
        render(ws, "html")  # templates compiled once, as in a long-running server
        before = _rss_mb()
        start = time.perf_counter()
        repeats = max(5, 2_000 // size)  # at least 5 renders: one is too noisy to compare
        for _ in range(repeats):
            render(ws, "html")
        took = (time.perf_counter() - start) / repeats
    print(json.dumps({"seconds": took, "rss_mb": _rss_mb() - before}))


def worksheet_yaml(items: int) -> str:
    """A worksheet of ``items`` questions, the item kinds in turn (every fifth has a show_if)."""
    kinds = [
        "{type: text, label: 'What happened?', multiline: true, max_length: 2000}",
        "{type: rating, label: 'How strong, 0 to 10?', min: 0, max: 10}",
        "{type: choice, label: 'Which?', options: [sad, anxious, angry, calm]}",
        "{type: likert, label: 'How often?', scale: frequency-4}",
        "{type: yesno, label: 'Did you practise?', show_if: 'q1 >= 5'}",
    ]
    lines = ["worksheetkit: 1", "id: bench.scaling", "version: 1.0.0", "title: Scaling"]
    lines.append("items:")
    for i in range(items):
        kind = kinds[i % len(kinds)]
        lines.append(f"  - {{id: q{i}, {kind[1:]}")
    return "\n".join(lines) + "\n"


def prepare(kind: str, size: int, tmp: Path) -> str:
    sys.path.insert(0, str(HERE))
    if kind == "validate":
        import bench_validate as bv

        folder = tmp / f"pack-{size}"
        folder.mkdir()
        bv.make_pack(folder, size)
        return str(folder)
    if kind == "adherence":
        import bench_adherence as ba

        path = tmp / f"stream-{size}.jsonl"
        ba.write_file(path, [f"a-{i:05d}" for i in range(size // ba.OCCURRENCES)])
        return str(path)
    return ""


def main() -> int:
    quick, full = "--quick" in sys.argv, "--full" in sys.argv
    print(f"SCALE {'kind':10} {'size':>9} {'seconds':>9} {'µs/unit':>10} {'peak RSS +MB':>13}")
    with tempfile.TemporaryDirectory(prefix="wk-bench-scaling-") as name:
        tmp = Path(name)
        for kind, (normal, extra, small) in SIZES.items():
            sizes = small if quick else normal + (extra if full else [])
            per_unit = []
            for size in sizes:
                data = prepare(kind, size, tmp)
                best = None
                for _ in range(1 if size >= 100_000 else 2):
                    proc = subprocess.run(
                        [sys.executable, __file__, "--one", kind, str(size), data],
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    found = json.loads(proc.stdout.strip().splitlines()[-1])
                    if best is None or found["seconds"] < best["seconds"]:
                        best = found
                assert best is not None
                cost = best["seconds"] / size * 1e6
                per_unit.append(cost)
                print(
                    f"SCALE {kind:10} {size:>9,} {best['seconds']:>9.3f} {cost:>10.2f} "
                    f"{best['rss_mb']:>13.1f}",
                    flush=True,
                )
            ratio = per_unit[-1] / per_unit[0]
            verdict = "PASS" if ratio <= 1.25 else "FAIL"
            print(
                f"RESULT scaling_{kind} ratio={ratio:.2f} target<=1.25 {verdict} "
                f"({UNITS[kind]}s {sizes[0]:,} -> {sizes[-1]:,})",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        one(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(main())

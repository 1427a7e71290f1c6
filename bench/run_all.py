"""`make bench`: run every bench script and print one table of targets, ratios and pass/fail."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LINE = re.compile(r"^RESULT (\S+) ratio=(\S+) target(\S+?)(\d[\d.]*) (PASS|FAIL)")


def main() -> int:
    quick = "--quick" in sys.argv
    rows: list[tuple[str, str, str, str, str]] = []
    for script in sorted(HERE.glob("bench_*.py")):
        cmd = [sys.executable, str(script), *(["--quick"] if quick else [])]
        print(f"running {script.name} …", file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        found = False
        for line in proc.stdout.splitlines():
            m = LINE.match(line)
            if m:
                found = True
                name, ratio, op, target, verdict = m.groups()
                rows.append((script.stem, name, ratio, f"{op}{target}", verdict))
        if not found:
            rows.append((script.stem, "(no result)", "-", "-", "FAIL"))
            sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:])
    widths = [
        max(len(r[i]) for r in [("script", "target", "ratio", "goal", "result"), *rows])
        for i in range(5)
    ]
    header = ("script", "target", "ratio", "goal", "result")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    return 0 if all(r[4] == "PASS" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: run every bench script and print one table of targets, ratios and pass/fail.

Each ``bench/bench_*.py`` measures a target and its baseline in the same process and prints
``RESULT <name> ratio=<x> target<op><y> PASS|FAIL``. This script runs them all (``--quick``
passes through), checks that every performance target named in the issues reported a result
(a target nobody measured is a FAIL marked MISSING) and exits 1 unless every row passed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER = re.compile(r"^PEER (.+?)\|(.+?)\|(\S+)\|(.+)$")
LINE = re.compile(r"^RESULT (\S+) ratio=(\S+) target(<=|>=|<|>|==)(\d[\d.]*) (PASS|FAIL)\b(.*)$")
TIMEOUT = 1800  # seconds per script

#: Every performance target named in the issues: result name → (issue, what it measures, goal).
EXPECTED: dict[str, tuple[str, str, str]] = {
    "validate_vs_parse": ("#2", "validate a 5,000-worksheet pack / CSafeLoader parse", "<=1.3"),
    "validate_vs_check_jsonschema": ("#2", "check-jsonschema time / validate time", ">=3"),
    "import_is_light": ("#2", "import worksheetkit loads no Jinja2/dateutil/browser", ">=1"),
    "render_html_vs_load": ("#18", "render a 30-item worksheet to HTML / load it", "<=0.8"),
    "response_validate": ("#18", "jsonschema time / validate_response time", ">=15"),
    "schedule_expand": ("#18", "expand a year x 10,000 assignments / dateutil", "<=1.5"),
    "adherence_stream": ("#18", "score 10,000 x 100 JSONL / json parse", "<=2.5"),
    # bench_startup.py: whole processes, ours / baseline (issue 18).
    "cli_version_vs_import_click": ("#18", "worksheetkit --version / python -c 'import click'", "<=2"),
    "cli_validate_one_vs_import": (
        "#18",
        "worksheetkit validate ONE.yaml / python -c 'import pydantic, yaml'",
        "<=3",
    ),
    "cli_validate_pack_vs_parse_process": (
        "#18",
        "worksheetkit validate 5,000 worksheets / a CSafeLoader parse process",
        "<=1",
    ),
    # bench_scaling.py: cost per unit, largest size / smallest (issue 18); --full adds 100k/1M.
    "scaling_validate": ("#18", "validate 1k -> 10k worksheets, cost per worksheet", "<=1.25"),
    "scaling_adherence": (
        "#18",
        "adherence 10k -> 100k occurrences, cost per occurrence",
        "<=1.25",
    ),
    "scaling_render": ("#18", "render 10 -> 1,000 items, cost per item", "<=1.25"),
    # bench_peers.py (bench/peers/): ratio = peer time / ours unless said otherwise.
    "response_valid_vs_fastjsonschema": (
        "#21",
        "fastjsonschema / validate_response, valid",
        ">=1.5",
    ),
    "response_first_problem_vs_fastjsonschema": (
        "#21",
        "fastjsonschema / is_valid_response, invalid",
        ">=1",
    ),
    "unknown_key_cost": ("#21", "unknown-key response / valid response, ours", "<=1.2"),
    "fhir_import_vs_fhir_resources": ("#21", "fhir.resources / fhir import, in-process", ">=1.5"),
    "fhir_import_process_vs_fhir_resources": ("#21", "the same, whole process", ">=1"),
    "render_process_vs_xls2xform": ("#21", "xls2xform --skip_validate / render --to html", ">=1.2"),
}

Row = tuple[str, str, str, str, str, str]  # issue, target, ratio, goal, result, script


PEERS: list[tuple[str, str, str, str]] = []  # work, peer, ratio, N (from PEER lines)
SCALING: list[str] = []  # the scaling table's lines (SCALE …), printed as they are


def _run(script: Path, quick: bool, full: bool = False) -> tuple[list[Row], str]:
    cmd = [
        sys.executable,
        str(script),
        *(["--quick"] if quick else []),
        *(["--full"] if full else []),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=TIMEOUT)
        output, errors = proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        return [], f"{script.name}: timed out after {TIMEOUT} s\n{exc.stdout or ''}"
    rows: list[Row] = []
    for line in output.splitlines():
        p = PEER.match(line.strip())
        if p:
            PEERS.append(p.groups())  # type: ignore[arg-type]
        elif line.startswith("SCALE "):
            SCALING.append(line[6:])
        elif line.startswith(("SKIP", "NOTE", "NOT EQUIVALENT")):
            print("  " + line, file=sys.stderr)
        m = LINE.match(line.strip())
        if m:
            name, ratio, op, goal, verdict, note = m.groups()
            issue = EXPECTED.get(name, ("?", "", ""))[0]
            result = verdict + (f" {note.strip()}" if note.strip() else "")
            rows.append((issue, name, ratio, f"{op}{goal}", result, script.stem))
    problem = ""
    if not rows or proc.returncode not in (0, 1):
        problem = f"{script.name} (exit {proc.returncode}):\n{output[-1500:]}{errors[-1500:]}"
    return rows, problem


def main() -> int:
    quick = "--quick" in sys.argv
    full = "--full" in sys.argv
    rows: list[Row] = []
    problems: list[str] = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"running {script.name} …", file=sys.stderr, flush=True)
        start = time.monotonic()
        found, problem = _run(script, quick, full and script.stem == "bench_scaling")
        print(f"  {time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)
        if not found:
            rows.append(("?", "(no RESULT line)", "-", "-", "FAIL", script.stem))
        rows.extend(found)
        if problem:
            problems.append(problem)
    seen = {r[1] for r in rows}
    for name, (issue, _what, goal) in EXPECTED.items():
        if name not in seen:
            rows.append((issue, name, "-", goal, "FAIL (MISSING)", "-"))
    order = list(EXPECTED)
    rows.sort(key=lambda r: (order.index(r[1]) if r[1] in order else len(order), r[1]))
    header: Row = ("issue", "target", "ratio", "goal", "result", "script")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(("quick run: " if quick else "") + "performance targets, each measured against its "
          "baseline in the same process")  # fmt: skip
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if SCALING:
        print("\nscaling (each row a fresh process; peak RSS growth during the work)")
        for line in SCALING:
            print(line)
    if PEERS:
        print("\npeers (ratio = peer time / worksheetkit time; above 1: worksheetkit is faster)")
        head = ("work", "peer", "ratio", "N")
        pw = [max(len(r[i]) for r in [head, *PEERS]) for i in range(4)]
        for row in [head, tuple("-" * w for w in pw), *PEERS]:
            print("  ".join(c.ljust(w) for c, w in zip(row, pw, strict=True)).rstrip())
    for problem in problems:
        sys.stderr.write(problem + "\n")
    passed = sum(1 for r in rows if r[4] == "PASS" or r[4].startswith("PASS "))
    print(f"{passed}/{len(rows)} targets pass")
    return 0 if passed == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())

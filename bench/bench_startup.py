"""Whole-process costs of the command line (issue 18), each against a baseline process.

What a pre-commit hook or a CI step pays is a fresh process, so every row here times complete
processes (``subprocess.run``), alternating ours and the baseline, best of N:

* ``worksheetkit --version`` vs ``python -c "import click"`` (goal ≤ 2×);
* ``worksheetkit validate ONE.yaml`` vs ``python -c "import pydantic, yaml"`` (goal ≤ 3×): the
  thought record copied to a folder of its own (inside a pack, the rest of the pack is read as
  context, which is a different cost);
* ``worksheetkit validate PACK`` of 5,000 generated worksheets vs a fresh process that parses the
  same files with ``yaml.CSafeLoader`` (goal ≤ 1.0×; ``--quick``: 500 worksheets).

Usage: python bench/bench_startup.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_validate import make_pack

ROOT = Path(__file__).resolve().parent.parent
ONE = ROOT / "examples" / "worksheets" / "thought-record.yaml"


def _cli() -> list[str]:
    found = shutil.which("worksheetkit", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "worksheetkit"]


#: As bench/peers/peers.py: an installed package carries its bytecode (pip compiles it), so
#: the processes may write and read __pycache__ even where PYTHONDONTWRITEBYTECODE is set
#: (otherwise every worksheetkit process compiles its modules, 0.15-0.3 s, and the baselines'
#: come from .pyc). The warm-up round writes it.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=ENV, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} … exited {proc.returncode}: {proc.stderr[-800:]!r}")
    return elapsed


def compare(name: str, ours: list[str], base: list[str], goal: float, repeats: int) -> None:
    _time(ours), _time(base)  # warm the page cache and the bytecode of both
    t_ours, t_base = [], []
    for _ in range(repeats):  # alternate, so a noisy moment hits both sides
        t_ours.append(_time(ours))
        t_base.append(_time(base))
    ratio = min(t_ours) / min(t_base)
    print(f"{name}: ours {min(t_ours) * 1000:.0f} ms, baseline {min(t_base) * 1000:.0f} ms")
    print(f"RESULT {name} ratio={ratio:.2f} target<={goal:g} {'PASS' if ratio <= goal else 'FAIL'}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 500 worksheets")
    args = parser.parse_args()
    repeats = 5 if args.quick else 15
    cli, py = _cli(), sys.executable
    compare("cli_version_vs_import_click", [*cli, "--version"], [py, "-c", "import click"], 2,
            repeats)  # fmt: skip
    n = 500 if args.quick else 5000
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.yaml"
        one.write_bytes(ONE.read_bytes())
        compare("cli_validate_one_vs_import", [*cli, "validate", str(one)],
                [py, "-c", "import pydantic, yaml"], 3, repeats)  # fmt: skip
        folder = Path(tmp) / "pack"
        folder.mkdir()
        make_pack(folder, n)
        parse = (
            "import sys, yaml\nfrom pathlib import Path\n"
            "for f in sorted(Path(sys.argv[1]).glob('*.yaml')):\n"
            "    yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)\n"
        )
        compare("cli_validate_pack_vs_parse_process", [*cli, "validate", str(folder)],
                [py, "-c", parse, str(folder)], 1.0, 3)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make fuzz`: run each coverage-guided fuzz target (atheris + libFuzzer) for a fixed time.

    python tests/fuzz/run.py --seconds 60            # all three targets, 20 s each
    python tests/fuzz/run.py --seconds 30 yaml       # one target for 30 s
    python tests/fuzz/run.py --replay                # every corpus file once, no atheris needed

Each target runs in its own process (libFuzzer exits the process when its time is up), reads and
grows ``tests/fuzz/corpus/<target>/`` and writes any crashing input to ``tests/fuzz/crashes/``
(git-ignored). The exit status is 1 when any target crashed. See tests/fuzz/README.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
NAMES = ("yaml", "expression", "response")
DICTIONARIES = {"yaml": "yaml.dict", "expression": "expression.dict", "response": "response.dict"}


def _child(target: str, seconds: int, extra: list[str]) -> None:
    """Inside the child: instrument worksheetkit, then hand over to libFuzzer."""
    import atheris

    with atheris.instrument_imports(include=["worksheetkit"]):
        import fuzz_targets

    function = fuzz_targets.TARGETS[target]
    corpus = HERE / "corpus" / target
    crashes = HERE / "crashes"
    crashes.mkdir(exist_ok=True)
    args = [
        sys.argv[0],
        str(corpus),
        f"-max_total_time={seconds}",
        f"-artifact_prefix={crashes}/{target}-",
        "-timeout=10",  # one input may take at most 10 s: a hang is a crash
        "-rss_limit_mb=2048",
        "-max_len=65536",
        "-print_final_stats=1",
    ]
    dictionary = HERE / "dictionaries" / DICTIONARIES[target]
    if dictionary.is_file():
        args.append(f"-dict={dictionary}")
    atheris.Setup([*args, *extra], function)
    atheris.Fuzz()


def _replay(names: list[str]) -> int:
    import fuzz_targets

    failures = 0
    for name in names:
        function = fuzz_targets.TARGETS[name]
        files = sorted(p for p in (HERE / "corpus" / name).iterdir() if p.is_file())
        for path in files:
            try:
                function(path.read_bytes())
            except Exception as exc:  # report every failing input, then fail
                failures += 1
                print(f"{name}: {path.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        print(f"{name}: replayed {len(files)} inputs", file=sys.stderr)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*", help=f"any of {', '.join(NAMES)} (default: all)")
    parser.add_argument("--seconds", type=int, default=60, help="total time, split evenly")
    parser.add_argument("--replay", action="store_true", help="run every corpus file once")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, extra = parser.parse_known_args()
    if args.child:
        _child(args.child, args.seconds, extra)
        return 0
    names = list(args.targets) or list(NAMES)
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        parser.error(f"unknown target(s): {', '.join(unknown)}; choose from {', '.join(NAMES)}")
    if args.replay:
        return _replay(names)
    try:
        import atheris  # noqa: F401
    except ImportError:
        print(
            "atheris is not installed: `pip install atheris` (make fuzz does it)", file=sys.stderr
        )
        return 2
    each = max(1, args.seconds // len(names))
    crashed = []
    for name in names:
        print(f"== fuzzing {name} for {each} s", file=sys.stderr, flush=True)
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, __file__, "--child", name, "--seconds", str(each), *extra],
            check=False,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        took = time.monotonic() - start
        print(f"== {name}: exit {proc.returncode} after {took:.0f} s", file=sys.stderr, flush=True)
        if proc.returncode != 0:
            crashed.append(name)
    if crashed:
        print(
            f"crashes in: {', '.join(crashed)}; inputs are in {HERE / 'crashes'}. Add each as a "
            "regression test in tests/test_hostile.py.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

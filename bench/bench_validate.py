"""Validation speed (issue 2): a generated pack of worksheets.

Targets, measured in one run:
- validating the pack costs at most 1.3x merely parsing the same files with yaml.CSafeLoader;
- it is at least 3x faster than check-jsonschema validating the same files against the
  published schema;
- `import worksheetkit` and `worksheetkit --version` import neither Jinja2 nor dateutil nor the
  browser stack.
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

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "examples" / "worksheets" / "thought-record.yaml").read_text(encoding="utf-8")


def make_pack(folder: Path, n: int) -> list[Path]:
    (folder / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: bench.pack\nname: Bench\nversion: 1.0.0\n"
        "languages: [en, es]\n",
        encoding="utf-8",
    )
    files = []
    for i in range(n):
        path = folder / f"ws-{i:05d}.yaml"
        path.write_text(
            TEMPLATE.replace("id: cbt.thought-record", f"id: bench.thought-record-{i}"),
            encoding="utf-8",
        )
        files.append(path)
    return files


def best_of(repeats: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def imports_are_light() -> bool:
    code = (
        "import sys, worksheetkit; from worksheetkit.cli import cli; "
        "heavy = [m for m in ('jinja2', 'dateutil', 'playwright', 'icalendar', 'markdown_it', "
        "'fhir', 'rich') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip() == ""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="500 worksheets instead of 5,000")
    args = parser.parse_args()
    n = 500 if args.quick else 5000
    from worksheetkit.cli._common import collector_paused
    from worksheetkit.validation import check_paths

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = make_pack(folder, n)

        def parse_only() -> None:
            for f in files:
                yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)

        def validate() -> None:
            # As `worksheetkit validate` runs it: the command line pauses the cyclic collector
            # for the run (the library never touches the process-wide collector).
            with collector_paused():
                run = check_paths(folder)
            assert run.errors == 0, run.diagnostics[:3]

        parse_only()  # warm the page cache for both
        t_parse = best_of(3, parse_only)
        t_validate = best_of(3, validate)
        ratio = t_validate / t_parse
        print(
            f"{n} worksheets: yaml.CSafeLoader {t_parse:.3f}s, worksheetkit validate "
            f"{t_validate:.3f}s"
        )
        print(
            f"RESULT validate_vs_parse ratio={ratio:.2f} target<=1.3 "
            f"{'PASS' if ratio <= 1.3 else 'FAIL'}"
        )

        cj = shutil.which("check-jsonschema", path=os.path.dirname(sys.executable))
        if cj:
            sample = files[: min(n, 500)]
            schema = ROOT / "schemas" / "worksheet.json"
            start = time.perf_counter()
            subprocess.run(
                [cj, "--schemafile", str(schema), *map(str, sample)],
                capture_output=True,
                check=False,
            )
            t_cj = (time.perf_counter() - start) * (len(files) / len(sample))
            speedup = t_cj / t_validate
            print(f"check-jsonschema (scaled from {len(sample)} files): {t_cj:.3f}s")
            print(
                f"RESULT validate_vs_check_jsonschema ratio={speedup:.2f} target>=3 "
                f"{'PASS' if speedup >= 3 else 'FAIL'}"
            )
        else:
            print("RESULT validate_vs_check_jsonschema ratio=nan target>=3 FAIL (not installed)")
    light = imports_are_light()
    print(
        f"RESULT import_is_light ratio={1.0 if light else 0.0:.2f} target>=1 "
        f"{'PASS' if light else 'FAIL'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

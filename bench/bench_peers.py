"""Benchmark: worksheetkit beside the tools users would pick instead (issue 21).

Runs ``bench/peers/peers.py`` (see its docstring: definitions generated from the examples,
equivalence checked before timing) and passes its ``PEER`` rows and ``RESULT`` lines through.
Needs the ``peers`` extra: ``pip install -e '.[peers]'``; without it, prints one SKIP line and a
FAIL for each peer target.
"""

from __future__ import annotations

import importlib.util
import runpy
import sys
from pathlib import Path

NEEDED = ("pyxform", "openpyxl", "fastjsonschema", "fhir.resources", "jsonschema")
TARGETS = (
    "response_valid_vs_fastjsonschema",
    "response_first_problem_vs_fastjsonschema",
    "unknown_key_cost",
    "fhir_import_vs_fhir_resources",
    "fhir_import_process_vs_fhir_resources",
    "render_process_vs_xls2xform",
)

if __name__ == "__main__":
    missing = [m for m in NEEDED if importlib.util.find_spec(m.split(".")[0]) is None]
    if missing:
        print(f"SKIP peers: install the peers extra (pip install -e '.[peers]'); missing {missing}")
        for name in TARGETS:
            print(f"RESULT {name} ratio=0 target>=1 FAIL (peers extra not installed)")
        sys.exit(1)
    sys.argv[0] = str(Path(__file__).parent / "peers" / "peers.py")
    runpy.run_path(sys.argv[0], run_name="__main__")

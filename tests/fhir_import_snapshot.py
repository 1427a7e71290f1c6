"""Snapshot of `fhir import` output for before/after comparisons (not a test module).

    PYTHONPATH=src python tests/fhir_import_snapshot.py before.json   # on the old code
    PYTHONPATH=src python tests/fhir_import_snapshot.py after.json    # on the new code
    cmp before.json after.json

Imports every Questionnaire in ../shared/fixtures/fhir (or tests/fixtures/fhir, its copy) and
the export of every worksheet in tests/fixtures_fhir_extra and examples/, and writes the YAML,
the diagnostics and the JSON result of each.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import worksheetkit as wk
from worksheetkit.fhir import import_questionnaire, to_fhir
from worksheetkit.model import Worksheet

ROOT = Path(__file__).resolve().parents[1]


def cases() -> dict[str, str]:
    found: dict[str, str] = {}
    shared = ROOT.parent / "shared" / "fixtures" / "fhir"
    for path in sorted(
        (shared if shared.is_dir() else ROOT / "tests/fixtures/fhir").glob("*.json")
    ):
        found[path.name] = path.read_text(encoding="utf-8")
    sheets = [
        *sorted(ROOT.glob("tests/fixtures_fhir_extra/**/*.yaml")),
        *sorted(ROOT.glob("examples/**/*.yaml")),
    ]
    for path in sheets:
        text = path.read_text(encoding="utf-8")
        try:
            ws = wk.loads(text)
        except wk.WorksheetError:
            continue
        if isinstance(ws, Worksheet):
            found[str(path.relative_to(ROOT))] = json.dumps(to_fhir(ws), ensure_ascii=False)
    return found


def main() -> int:
    out = {}
    for name, text in cases().items():
        result = import_questionnaire(text)
        out[name] = {
            "yaml": result.to_yaml() if result.worksheet is not None else None,
            "diagnostics": [d.to_dict() for d in result.diagnostics],
            "json": result.to_json(),
        }
    Path(sys.argv[1]).write_text(json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True))
    print(f"{len(out)} imports written to {sys.argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

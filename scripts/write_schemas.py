"""Regenerate the published JSON Schemas in schemas/ (`make schemas`): the document kinds from the
models, and the results' JSON (schemas/results/NAME.json)."""

from __future__ import annotations

from pathlib import Path

from worksheetkit.model import KINDS
from worksheetkit.schema import RESULTS, result_schema_text, schema_text

OUT = Path(__file__).resolve().parent.parent / "schemas"

if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for kind in KINDS:
        (OUT / f"{kind}.json").write_text(schema_text(kind), encoding="utf-8")
        print(f"wrote schemas/{kind}.json")
    (OUT / "results").mkdir(exist_ok=True)
    for name in RESULTS:
        (OUT / "results" / f"{name}.json").write_text(result_schema_text(name), encoding="utf-8")
        print(f"wrote schemas/results/{name}.json")

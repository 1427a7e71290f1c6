"""Regenerate the published JSON Schemas in schemas/ from the models (`make schemas`)."""

from __future__ import annotations

from pathlib import Path

from worksheetkit.model import KINDS
from worksheetkit.schema import schema_text

OUT = Path(__file__).resolve().parent.parent / "schemas"

if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for kind in KINDS:
        (OUT / f"{kind}.json").write_text(schema_text(kind), encoding="utf-8")
        print(f"wrote schemas/{kind}.json")

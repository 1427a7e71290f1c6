"""worksheetkit: declarative, checkable therapy homework.

The public surface (DESIGN §6). Heavy parts (rendering with Jinja2, scheduling with dateutil,
FHIR) are imported on first use, so ``import worksheetkit`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import Diagnostic, WorksheetError
from .model import Assignment, Pack, Pathway, Response, Worksheet
from .validation import LoadedPack, load, load_pack, loads, validate

if TYPE_CHECKING:  # pragma: no cover
    from .fhir import from_fhir, to_fhir
    from .progress import AdherenceReport, adherence
    from .rendering import render
    from .responses import score, validate_response
    from .scheduling import Occurrence, occurrences

__all__ = [
    "AdherenceReport",
    "Assignment",
    "Diagnostic",
    "LoadedPack",
    "Occurrence",
    "Pack",
    "Pathway",
    "Response",
    "Worksheet",
    "WorksheetError",
    "__version__",
    "adherence",
    "from_fhir",
    "load",
    "load_pack",
    "loads",
    "occurrences",
    "render",
    "score",
    "to_fhir",
    "validate",
    "validate_response",
]

_LAZY = {
    "render": "rendering",
    "validate_response": "responses",
    "score": "responses",
    "occurrences": "scheduling",
    "Occurrence": "scheduling",
    "adherence": "progress",
    "AdherenceReport": "progress",
    "to_fhir": "fhir",
    "from_fhir": "fhir",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'worksheetkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

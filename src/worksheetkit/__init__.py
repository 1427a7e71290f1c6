"""worksheetkit: declarative, checkable therapy homework.

The public surface (DESIGN §6). Every public name is imported on first use (PEP 562), so
``import worksheetkit`` builds no pydantic model and imports neither YAML nor Jinja2: the command
line's ``--version`` and ``--help`` pay for click alone (0.05 s instead of 0.35 s), and a program
that only schedules never builds the document models' validators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_names
from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from .errors import Diagnostic, Problem, WorksheetError
    from .fhir import from_fhir, to_fhir
    from .intake import Submission, check_submission, find_occurrence
    from .model import Assignment, Pack, Pathway, Response, Worksheet
    from .progress import AdherenceReport, adherence
    from .rendering import render, response_from_form
    from .responses import score, validate_response
    from .scheduling import Occurrence, occurrences
    from .validation import LoadedPack, load, load_pack, loads, parse_ref, validate
    from .validation.objects import check

__all__ = [
    "AdherenceReport",
    "Assignment",
    "Diagnostic",
    "LoadedPack",
    "Occurrence",
    "Pack",
    "Pathway",
    "Problem",
    "Response",
    "Submission",
    "Worksheet",
    "WorksheetError",
    "__version__",
    "adherence",
    "check",
    "check_submission",
    "find_occurrence",
    "from_fhir",
    "load",
    "load_pack",
    "loads",
    "occurrences",
    "parse_ref",
    "render",
    "response_from_form",
    "score",
    "to_fhir",
    "validate",
    "validate_response",
]

_LAZY = {
    "Diagnostic": "errors",
    "Problem": "errors",
    "WorksheetError": "errors",
    "Assignment": "model",
    "Pack": "model",
    "Pathway": "model",
    "Response": "model",
    "Worksheet": "model",
    "LoadedPack": "validation",
    "load": "validation",
    "load_pack": "validation",
    "loads": "validation",
    "validate": "validation",
    "parse_ref": "validation",
    "check": "validation.objects",
    "check_submission": "intake",
    "find_occurrence": "intake",
    "Submission": "intake",
    "render": "rendering",
    "response_from_form": "rendering",
    "validate_response": "responses",
    "score": "responses",
    "occurrences": "scheduling",
    "Occurrence": "scheduling",
    "adherence": "progress",
    "AdherenceReport": "progress",
    "to_fhir": "fhir",
    "from_fhir": "fhir",
}


__getattr__, __dir__ = lazy_names(__name__, globals(), _LAZY, __all__)

"""FHIR R4 Questionnaire → worksheet (``_import_questionnaire.py``) and QuestionnaireResponse →
worksheetkit response (``_import_response.py``); reading a resource within the size limit is
shared (``_import_common.py``). This module is the public face of both."""

from __future__ import annotations

from ..rendering import worksheet_to_yaml
from ._import_common import MAX_FHIR_BYTES, FhirSource, read_resource
from ._import_common import _too_large as _too_large  # the command line's WK721 for stdin
from ._import_questionnaire import ImportResult, from_fhir, import_questionnaire
from ._import_response import ResponseImport, import_response, response_from_fhir

__all__ = [
    "MAX_FHIR_BYTES",
    "FhirSource",
    "ImportResult",
    "ResponseImport",
    "from_fhir",
    "import_questionnaire",
    "import_response",
    "read_resource",
    "response_from_fhir",
    "worksheet_to_yaml",
]

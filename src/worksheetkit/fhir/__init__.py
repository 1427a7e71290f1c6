"""FHIR R4 interoperability: worksheets ⇄ Questionnaire, responses ⇄ QuestionnaireResponse.

Plain dicts in and out (ready for ``json.dumps``); no FHIR library is needed at run time.

- :func:`to_fhir` / :func:`export_questionnaire` (the same resource plus WK70x warnings)
- :func:`from_fhir` / :func:`import_questionnaire` (the worksheet plus WK71x warnings),
  :func:`worksheet_to_yaml`
- :func:`response_to_fhir` / :func:`export_response` (WK743), :func:`response_from_fhir` / :func:`import_response` (WK74x)

See ``docs/fhir.md`` for the mapping both ways and what each warning means.
"""

from __future__ import annotations

from ..rendering import worksheet_to_yaml
from ._common import DEFAULT_BASE_URL
from .export import (
    ExportResult,
    export_questionnaire,
    export_response,
    questionnaire_url,
    response_to_fhir,
    to_fhir,
)
from .importer import (
    ImportResult,
    ResponseImport,
    from_fhir,
    import_questionnaire,
    import_response,
    response_from_fhir,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "ExportResult",
    "ImportResult",
    "ResponseImport",
    "export_questionnaire",
    "export_response",
    "from_fhir",
    "import_questionnaire",
    "import_response",
    "questionnaire_url",
    "response_from_fhir",
    "response_to_fhir",
    "to_fhir",
    "worksheet_to_yaml",
]

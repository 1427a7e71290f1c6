"""Responses: validation against the worksheet, completion, instrument scores, JSON Schema.

``validate_response(worksheet, data)`` lists every problem of a response document (codes
WK400–WK413, JSON-pointer paths, never the answers' content); ``score(worksheet, response)``
computes the worksheet's scores, bands and alerts; ``fraction`` says how much was done;
``check_response`` does all three in one pass; ``response_json_schema`` publishes the same
rules as a JSON Schema (Draft 2020-12) for apps in other languages. See docs/responses.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names
from ..codes import Code

if TYPE_CHECKING:
    from ..model.envelope import check_envelope, valid_ref
    from ..model.values import shorten
    from ._checks import key_of
    from ._engine import ScoreAlert, ScoreResult, run
    from ._plan import plan_for, score_plan
    from ._visibility import hidden_items
    from .schema import response_json_schema
    from .validate import (
        ResponseCheck,
        check_response,
        fraction,
        is_valid_response,
        score,
        validate_response,
    )

# Each name is imported from its module when first used (PEP 562): `fhir import` needs one
# score's plan (``_plan``), not the validator, engine and JSON Schema (a few ms of its start).
_LAZY: dict[str, str] = {
    "check_envelope": "..model.envelope",
    "valid_ref": "..model.envelope",
    "shorten": "..model.values",
    "key_of": "._checks",
    "ScoreAlert": "._engine",
    "ScoreResult": "._engine",
    "run": "._engine",
    "plan_for": "._plan",
    "score_plan": "._plan",
    "hidden_items": "._visibility",
    "response_json_schema": ".schema",
    "ResponseCheck": ".validate",
    "check_response": ".validate",
    "fraction": ".validate",
    "is_valid_response": ".validate",
    "score": ".validate",
    "validate_response": ".validate",
}


#: Every diagnostic code of this package with its title (from the catalogue, worksheetkit.codes;
#: documented in docs/responses.md).
CODES: dict[str, str] = {c: c.info.title for c in Code if Code.WK400 <= c <= Code.WK413}

# Besides the public API, the names other worksheetkit packages use: the compiled plan of a
# worksheet and one run of it over answers (diff, FHIR export), one score's plan of a draft
# worksheet, not cached (FHIR import), an answer's comparison key and
# a key shortened for messages (diff). The one envelope reader lives in model/envelope.py
# (the Response model and the loader call it); it is re-exported here with the other checks.
__all__ = [
    "CODES",
    "ResponseCheck",
    "ScoreAlert",
    "ScoreResult",
    "check_envelope",
    "check_response",
    "fraction",
    "hidden_items",
    "is_valid_response",
    "key_of",
    "plan_for",
    "response_json_schema",
    "run",
    "score",
    "score_plan",
    "shorten",
    "valid_ref",
    "validate_response",
]


__getattr__, __dir__ = lazy_names(__name__, globals(), _LAZY, __all__)

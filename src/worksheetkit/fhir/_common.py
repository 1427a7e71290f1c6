"""Shared pieces of the FHIR mapping: extension URLs, linkIds, ids, texts and translations."""

from __future__ import annotations

import math
import re
from typing import Any

from ..model.durations import DURATION_PATTERN
from ..model.items import Text
from ..model.text import text_choice

FHIR_VERSION = "4.0.1"
DEFAULT_BASE_URL = "https://worksheetkit.example"

SD = "http://hl7.org/fhir/StructureDefinition/"
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
SDC_PROFILE = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire|3.0.0"

EXT_ITEM_CONTROL = SD + "questionnaire-itemControl"
EXT_ORDINAL = SD + "ordinalValue"
EXT_ITEM_WEIGHT = SD + "itemWeight"
EXT_CO_VALUE = SD + "iso21090-CO-value"  # the older name of ordinalValue (LOINC forms)
EXT_MIN_VALUE = SD + "minValue"
EXT_MAX_VALUE = SD + "maxValue"
EXT_MIN_LENGTH = SD + "minLength"
EXT_REGEX = SD + "regex"
EXT_ENTRY_FORMAT = SD + "entryFormat"
EXT_UNIT = SD + "questionnaire-unit"
EXT_SLIDER_STEP = SD + "questionnaire-sliderStepValue"
EXT_MIN_OCCURS = SD + "questionnaire-minOccurs"
EXT_MAX_OCCURS = SD + "questionnaire-maxOccurs"
EXT_OPTION_EXCLUSIVE = SD + "questionnaire-optionExclusive"
EXT_CHOICE_ORIENTATION = SD + "questionnaire-choiceOrientation"
EXT_HIDDEN = SD + "questionnaire-hidden"
EXT_MARKDOWN = SD + "rendering-markdown"
EXT_XHTML = SD + "rendering-xhtml"
EXT_TRANSLATION = SD + "translation"
EXT_VARIABLE = SD + "variable"
# R5's answerConstraint backported to R4: may an answer be other than the answerOptions?
EXT_ANSWER_CONSTRAINT = SD + "questionnaire-answerConstraint"
EXT_ITEM_MEDIA = SDC + "sdc-questionnaire-itemMedia"
EXT_ENABLE_WHEN_EXPRESSION = SDC + "sdc-questionnaire-enableWhenExpression"
EXT_CALCULATED_EXPRESSION = SDC + "sdc-questionnaire-calculatedExpression"

# worksheetkit's own extensions: they make export → import lossless where FHIR has no word for
# a worksheetkit notion (a Likert scale vs a plain choice, a ranking, a duration) and keep the
# original expression text next to its FHIRPath translation. Fixed URLs (not the configurable
# base url): an extension's meaning must not depend on who published the Questionnaire.
WK_SD = "https://worksheetkit.example/fhir/StructureDefinition/"
EXT_WK_ITEM_TYPE = WK_SD + "item-type"
EXT_WK_EXPRESSION = WK_SD + "expression"
EXT_WK_REVERSE = WK_SD + "reverse"
# A score's missing-answer rule ("1 prorate"), next to the FHIRPath that implements it.
EXT_WK_MISSING = WK_SD + "missing"

# An ISO 8601 duration as the duration item accepts it (sent as the `regex` extension).
DURATION_REGEX = DURATION_PATTERN

ID_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
FHIR_ID_RE = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
DOC_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$")
SEMVER_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")


def is_item_id(text: str) -> bool:
    return bool(ID_RE.match(text)) and len(text) <= 64


def slug_item_id(text: str) -> str:
    """A linkId as a valid item id: lowercase, runs of other characters become ``_``, a
    leading digit gets a ``q_`` prefix ("H1/T1/Q1" → "h1_t1_q1", "1a-b" → "q_1a_b")."""
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not slug:
        slug = "item"
    if slug[0].isdigit():
        slug = "q_" + slug
    return slug[:64].rstrip("_")


def fhir_id(doc_id: str) -> str:
    """A worksheet id as a FHIR resource id (letters, digits, '-' and '.'; at most 64)."""
    return re.sub(r"[^A-Za-z0-9\-.]", "-", doc_id)[:64]


def fhir_name(doc_id: str) -> str:
    """A computer-friendly name (FHIR constraint que-0: starts with a capital letter)."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", doc_id) if w]
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Worksheet"
    if not name[0].isalpha():
        name = "W" + name
    return name[:255]


def doc_id_from(text: str) -> str:
    """A FHIR id or name as a worksheet id (dotted lowercase slug)."""
    parts = []
    for part in text.lower().split("."):
        slug = re.sub(r"[^a-z0-9_-]+", "-", part).strip("-_")
        if slug:
            parts.append(slug)
    ident = ".".join(parts)[:128].strip(".-_")
    return ident if DOC_ID_RE.match(ident) else "imported.questionnaire"


def main_text(text: Text | None, language: str) -> str | None:
    """The text in the default language (``model.text_in``'s rule); None when there is none."""
    shown, lang = text_choice(text, language)
    return shown if lang is not None or isinstance(text, str) else None


def translations(text: Text | None, language: str) -> list[dict[str, Any]]:
    """The ``translation`` extensions (one per other language, sorted) of a text."""
    if not isinstance(text, dict):
        return []
    out = []
    for lang in sorted(text):
        if lang == language:
            continue
        out.append(
            {
                "url": EXT_TRANSLATION,
                "extension": [
                    {"url": "lang", "valueCode": lang},
                    {"url": "content", "valueString": text[lang]},
                ],
            }
        )
    return out


def read_translations(element: Any) -> dict[str, str]:
    """``{lang: text}`` from the ``translation`` extensions of a primitive's ``_x`` element."""
    out: dict[str, str] = {}
    if not isinstance(element, dict):
        return out
    for ext in as_list(element.get("extension")):
        if not isinstance(ext, dict) or ext.get("url") != EXT_TRANSLATION:
            continue
        lang = content = None
        for part in as_list(ext.get("extension")):
            if not isinstance(part, dict):
                continue
            if part.get("url") == "lang":
                lang = part.get("valueCode")
            elif part.get("url") == "content":
                content = part.get("valueString", part.get("valueMarkdown"))
        if isinstance(lang, str) and isinstance(content, str):
            out[lang] = content
    return out


def number_value(value: float | int) -> float | int:
    """Whole floats become ints, so 2.0 and 2 export (and compare) alike."""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    return value


def code_of(value: object) -> str:
    """The Coding code of an option value: numbers in their shortest spelling."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(number_value(value))
    return str(value)


def as_list(value: Any) -> list[Any]:
    """A JSON array, or [] for anything else (foreign resources are not trusted)."""
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def item_control(code: str) -> dict[str, Any]:
    return {
        "url": EXT_ITEM_CONTROL,
        "valueCodeableConcept": {
            "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": code}],
        },
    }


def item_control_code(item: dict[str, Any]) -> str | None:
    for ext in as_list(item.get("extension")):
        if isinstance(ext, dict) and ext.get("url") == EXT_ITEM_CONTROL:
            concept = as_dict(ext.get("valueCodeableConcept"))
            for coding in as_list(concept.get("coding")):
                if isinstance(coding, dict) and isinstance(coding.get("code"), str):
                    return str(coding["code"])
    return None

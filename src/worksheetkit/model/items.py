"""Worksheet items: one model per item type, a discriminated union on ``type``."""

# No ``from __future__ import annotations`` in the model modules (items, documents, schedule):
# pydantic would evaluate every field's annotation from its text, compiling each one
# (234 compiles); written as objects they are read as they are. `import worksheetkit.model`
# 23 → 19.6 ms (2026-12-05); the models and their schemas are the same. Forward references
# (an item holding items) are written as text.
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, StrictBool, StrictInt, field_validator

from .base import Model

# A text shown to a person: a string in the document's language, or a map language → string.
Text = str | dict[str, str]
ItemId = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$", max_length=64)]
# Numbers are finite: .inf, .nan and 1e400 are refused (WK102) rather than rendered.
Finite = Annotated[float, Field(allow_inf_nan=False)]
Number = StrictInt | Finite
Expression = Annotated[str, Field(min_length=1)]


def _number_key(key: Any) -> Any:
    if isinstance(key, str):
        try:
            number = float(key)
        except ValueError:
            return key
        if number.is_integer() and "." not in key and "e" not in key.lower():
            return int(number)
        return number
    return key


class Option(Model):
    """One answer option. A bare string in YAML (``sad``) is value and label at once."""

    value: StrictInt | Finite | str
    label: Text | None = None
    help: Text | None = None
    exclusive: StrictBool = False  # checklist: "none of these" clears the others
    # The code system of the value when it is a code from a terminology (LOINC answer codes,
    # SNOMED CT …): kept from FHIR imports and written back as Coding.system on export.
    system: Annotated[str, Field(min_length=1, max_length=1024)] | None = None


OptionSpec = Option | StrictInt | Finite | str

# Values are the score weights (DESIGN §2); these spellings are fixed. Labels come in English
# and Spanish; a worksheet declaring another language writes its options out (WK207).
_PRESET_LABELS: dict[str, tuple[tuple[int, str, str], ...]] = {
    "frequency-4": (
        (0, "Not at all", "Ningún día"),
        (1, "Several days", "Varios días"),
        (2, "More than half the days", "Más de la mitad de los días"),
        (3, "Nearly every day", "Casi todos los días"),
    ),
    "agreement-5": (
        (1, "Strongly disagree", "Totalmente en desacuerdo"),
        (2, "Disagree", "En desacuerdo"),
        (3, "Neither agree nor disagree", "Ni de acuerdo ni en desacuerdo"),
        (4, "Agree", "De acuerdo"),
        (5, "Strongly agree", "Totalmente de acuerdo"),
    ),
    "agreement-7": (
        (1, "Strongly disagree", "Totalmente en desacuerdo"),
        (2, "Disagree", "En desacuerdo"),
        (3, "Somewhat disagree", "Algo en desacuerdo"),
        (4, "Neither agree nor disagree", "Ni de acuerdo ni en desacuerdo"),
        (5, "Somewhat agree", "Algo de acuerdo"),
        (6, "Agree", "De acuerdo"),
        (7, "Strongly agree", "Totalmente de acuerdo"),
    ),
    "frequency-5": (
        (0, "Never", "Nunca"),
        (1, "Rarely", "Rara vez"),
        (2, "Sometimes", "A veces"),
        (3, "Often", "A menudo"),
        (4, "Always", "Siempre"),
    ),
    "intensity-5": (
        (0, "Not at all", "Nada"),
        (1, "A little bit", "Un poco"),
        (2, "Moderately", "Moderadamente"),
        (3, "Quite a bit", "Bastante"),
        (4, "Extremely", "Muchísimo"),
    ),
    "difficulty-5": (
        (0, "Very easy", "Muy fácil"),
        (1, "Easy", "Fácil"),
        (2, "Neither easy nor hard", "Ni fácil ni difícil"),
        (3, "Hard", "Difícil"),
        (4, "Very hard", "Muy difícil"),
    ),
}
PRESET_LANGUAGES: tuple[str, ...] = ("en", "es")
# The English labels, as DESIGN §2 lists them.
LIKERT_PRESETS: dict[str, tuple[tuple[int, str], ...]] = {
    name: tuple((value, en) for value, en, _ in rows) for name, rows in _PRESET_LABELS.items()
}


class _Base(Model):
    show_if: Expression | None = None


class _Input(_Base):
    id: ItemId
    # Required on items; optional on table columns, whose header is then the id in words.
    label: Text | None = None
    help: Text | None = None
    required: StrictBool = False
    readonly: StrictBool = False
    reverse: StrictBool = False  # reverse-scored within its range (scores)


class Note(_Base):
    type: Literal["note"]
    text: Text
    id: ItemId | None = None


class Section(_Base):
    type: Literal["section"]
    id: ItemId | None = None
    title: Text
    help: Text | None = None
    items: list["Item"] = Field(min_length=1)


class TextItem(_Input):
    type: Literal["text"]
    multiline: StrictBool = False
    min_length: Annotated[StrictInt, Field(ge=0)] | None = None
    max_length: Annotated[StrictInt, Field(ge=1)] | None = None
    pattern: str | None = None
    pattern_message: Text | None = None
    placeholder: Text | None = None
    default: str | None = None


class NumberItem(_Input):
    type: Literal["number"]
    min: Number | None = None
    max: Number | None = None
    step: Annotated[Number, Field(gt=0)] | None = None
    integer: StrictBool = False
    unit: Text | None = None
    default: Number | None = None


class YesNo(_Input):
    type: Literal["yesno"]
    default: StrictBool | None = None


class DateItem(_Input):
    type: Literal["date"]
    default: str | None = None


class TimeItem(_Input):
    type: Literal["time"]
    default: str | None = None


class DateTimeItem(_Input):
    type: Literal["datetime"]
    default: str | None = None


class DurationItem(_Input):
    type: Literal["duration"]
    min: str | None = None  # ISO 8601 durations, e.g. PT5M
    max: str | None = None
    default: str | None = None


class Choice(_Input):
    type: Literal["choice"]
    options: list[OptionSpec] = Field(min_length=1)
    other: StrictBool = False
    default: StrictInt | Finite | str | None = None


class Checklist(_Input):
    type: Literal["checklist"]
    options: list[OptionSpec] = Field(min_length=1)
    other: StrictBool = False
    min_selected: Annotated[StrictInt, Field(ge=0)] | None = None
    max_selected: Annotated[StrictInt, Field(ge=1)] | None = None
    default: list[StrictInt | Finite | str] | None = None


class Likert(_Input):
    type: Literal["likert"]
    options: list[OptionSpec] | None = None
    scale: str | None = None  # a named preset (LIKERT_PRESETS); exactly one of options/scale
    default: StrictInt | Finite | str | None = None


class Rating(_Input):
    type: Literal["rating"]
    min: Number = 0
    max: Number = 10
    step: Annotated[Number, Field(gt=0)] = 1
    anchors: dict[StrictInt | Finite, Text] | None = None
    widget: Literal["slider", "buttons", "number"] = "slider"
    default: Number | None = None

    @field_validator("anchors", mode="before")
    @classmethod
    def _numeric_keys(cls, value: Any) -> Any:
        # JSON object keys are always text: {"0": …} from JSON means the anchor at 0.
        if isinstance(value, dict):
            return {_number_key(k): v for k, v in value.items()}
        return value


class Ranking(_Input):
    type: Literal["ranking"]
    options: list[OptionSpec] = Field(min_length=2)
    default: list[StrictInt | Finite | str] | None = None


class Table(_Input):
    type: Literal["table"]
    columns: list["ColumnItem"] = Field(min_length=1)
    min_rows: Annotated[StrictInt, Field(ge=0)] = 0
    max_rows: Annotated[StrictInt, Field(ge=1, le=1000)] | None = None
    row_label: Text | None = None
    default: list[dict[str, Any]] | None = None
    # Writing rows on a printed handout (pre-filled rows included); unset: enough for
    # ``min_rows`` and at least 5, never more than ``max_rows``.
    print_rows: Annotated[StrictInt, Field(ge=1, le=100)] | None = None


class Media(_Base):
    type: Literal["media"]
    id: ItemId | None = None
    kind: Literal["audio", "video", "image"]
    url: str
    label: Text | None = None
    duration: str | None = None  # ISO 8601, e.g. PT10M
    transcript: Text | None = None
    alt: Text | None = None
    caption: Text | None = None


Item = Annotated[
    Note
    | Section
    | TextItem
    | NumberItem
    | YesNo
    | DateItem
    | TimeItem
    | DateTimeItem
    | DurationItem
    | Choice
    | Checklist
    | Likert
    | Rating
    | Ranking
    | Table
    | Media,
    Field(discriminator="type"),
]

# Inside a table row: every input type except sections, tables and media.
ColumnItem = Annotated[
    TextItem
    | NumberItem
    | YesNo
    | DateItem
    | TimeItem
    | DateTimeItem
    | DurationItem
    | Choice
    | Checklist
    | Likert
    | Rating,
    Field(discriminator="type"),
]

InputItem = (
    TextItem
    | NumberItem
    | YesNo
    | DateItem
    | TimeItem
    | DateTimeItem
    | DurationItem
    | Choice
    | Checklist
    | Likert
    | Rating
    | Ranking
    | Table
)


def _type_tags(union: Any) -> tuple[str, ...]:
    """The ``type`` of each member of a discriminated union, in the union's order."""
    members = get_args(get_args(union)[0])  # Annotated[A | B | …, Field] → (A, B, …)
    return tuple(get_args(m.model_fields["type"].annotation)[0] for m in members)


#: Every item type, read from the ``Item`` union (its order is the documentation's).
ITEM_TYPES: tuple[str, ...] = _type_tags(Item)
#: The types a table column may have, read from the ``ColumnItem`` union.
COLUMN_TYPES: tuple[str, ...] = _type_tags(ColumnItem)
# No Section.model_rebuild()/Table.model_rebuild() here: with defer_build (model/base.py) the
# forward references are resolved when a model is first used, from this module.


def normalise_options(specs: list[OptionSpec] | None) -> list[Option]:
    """Bare strings/numbers become full options (value is also the label)."""
    out: list[Option] = []
    for spec in specs or []:
        if isinstance(spec, Option):
            out.append(
                spec
                if spec.label is not None
                else spec.model_copy(update={"label": str(spec.value)})
            )
        else:
            out.append(Option(value=spec, label=str(spec)))
    return out


def likert_options(item: Likert) -> list[Option]:
    if item.options is not None:
        return normalise_options(item.options)
    preset = _PRESET_LABELS.get(item.scale or "", ())
    return [Option(value=v, label={"en": en, "es": es}) for v, en, es in preset]


def item_options(item: object) -> list[Option]:
    if isinstance(item, Likert):
        return likert_options(item)
    if isinstance(item, Choice | Checklist | Ranking):
        return normalise_options(item.options)
    return []


def display_label(item: object) -> Text:
    """An item's label, or for an unlabelled table column its id in words ("sleep_hours" →
    "Sleep hours")."""
    label = getattr(item, "label", None)
    if label is not None:
        return label  # type: ignore[no-any-return]
    ident = str(getattr(item, "id", "") or "")
    words = ident.replace("_", " ").strip()
    return words[:1].upper() + words[1:]

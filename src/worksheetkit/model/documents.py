"""The five documents (DESIGN §1): worksheet, pathway, pack manifest, assignment, response."""

# Annotations are objects, not text: see the note at the top of items.py.

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, StrictBool, StrictInt, model_validator

from .._dates import TIMESTAMP_MAX_LENGTH, TIMESTAMP_PATTERN
from .base import Model, empty_dict, empty_list
from .envelope import envelope_problems
from .items import Expression, Item, ItemId, Number, Text
from .schedule import IsoDuration, Schedule
from .text import LANGUAGE_PATTERN, text_in

__all__ = [
    "KINDS", "MODELS", "Alert", "Assignment", "Band", "Document", "Excused", "Insertion",
    "MissingPolicy", "Obstacle", "Pack", "Pathway", "Plan", "Ratings", "Response", "Schedule",
    "ScheduleChange", "Score", "Source", "Step", "Worksheet",
]  # fmt: skip

DocId = Annotated[
    str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$", max_length=128)
]
SemVer = Annotated[
    str, Field(pattern=r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")
]
LangCode = Annotated[str, Field(pattern=LANGUAGE_PATTERN)]
# A reference to another document: ``id``, ``id@major`` or ``id@major.minor.patch``.
DocRef = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*(@\d+(\.\d+){0,2})?$", max_length=160)]
Rating04 = Annotated[float, Field(ge=0, le=4)]
_TIMESTAMP_SCHEMA: dict[str, Any] = {
    "pattern": TIMESTAMP_PATTERN,
    "maxLength": TIMESTAMP_MAX_LENGTH,
}


class Source(Model):
    authors: list[str] = Field(default_factory=empty_list)
    license: str | None = None
    citation: str | None = None
    url: str | None = None
    copyright: str | None = None


class MissingPolicy(Model):
    allow: Annotated[StrictInt, Field(ge=0)] = 0
    method: Literal["prorate", "none"] = "none"


class Band(Model):
    max: Number
    label: Text
    severity: Literal["none", "info", "warning", "urgent"] | None = None


class Alert(Model):
    when: Expression
    severity: Literal["info", "warning", "urgent"] = "warning"
    message: Text


class Score(Model):
    id: ItemId
    label: Text
    formula: Expression
    missing: MissingPolicy = Field(default_factory=MissingPolicy)
    bands: list[Band] = Field(default_factory=empty_list)
    alerts: list[Alert] = Field(default_factory=empty_list)
    min: Number | None = None  # lowest/highest possible score; derived from items when absent
    max: Number | None = None
    # Who sees the score live while the form is filled in: ``client`` (shown under the form)
    # or ``clinician`` (only in the clinician's views). Unset: ``clinician`` when the score
    # declares an urgent alert (a risk screen), else ``client`` (docs/rendering.md, Alerts).
    visibility: Literal["client", "clinician"] | None = None

    @property
    def shown_to_client(self) -> bool:
        """Whether the filled-in form shows this score live to the person answering."""
        if self.visibility is not None:
            return self.visibility == "client"
        return not any(a.severity == "urgent" for a in self.alerts)


class Insertion(Model):
    after: ItemId | None = None
    before: ItemId | None = None
    items: list[Item] = Field(min_length=1)


class _Document(Model):
    worksheetkit: Literal[1]


class _Texts:
    """``text(field, lang=…)``: one text field in one language, by the rule rendering uses
    (the requested language, else the document's own, else the first one written).

    A plain mixin with no annotations: pydantic would take one for a field and change the
    models' field order (the order ``render(to="json")`` writes)."""

    def text(self, field: str, lang: str | None = None) -> str:
        """The text field ``field`` (``"title"``, ``"summary"``, …) in ``lang`` (default: the
        document's language); ``""`` when the field is empty. Raises ``AttributeError`` for a
        field the document does not have, ``TypeError`` for one that is not a text."""
        value = getattr(self, field)
        if value is not None and not isinstance(value, str | dict):
            raise TypeError(f"'{field}' is not a text field")
        default: str = getattr(self, "language")  # noqa: B009 - a field of each model
        return text_in(value, lang or default, default) if value is not None else ""


class Worksheet(_Texts, _Document):
    kind: Literal["worksheet"] = "worksheet"
    id: DocId
    version: SemVer
    title: Text | None = None  # required unless the worksheet `extends` another
    language: LangCode = "en"
    languages: list[LangCode] | None = None
    summary: Text | None = None
    rationale: Text | None = None
    instructions: Text | None = None
    estimated_minutes: Annotated[Number, Field(gt=0, le=1440)] | None = None
    modalities: list[str] = Field(default_factory=empty_list)
    tags: list[str] = Field(default_factory=empty_list)
    source: Source | None = None
    default_schedule: Schedule | None = None
    items: list[Item] = Field(default_factory=empty_list)
    scores: list[Score] = Field(default_factory=empty_list)
    completion: Expression | None = None
    extends: DocRef | None = None
    # Set when a template was resolved: the exact worksheet it was made from (id@x.y.z).
    derived_from: DocRef | None = None
    remove: list[ItemId] = Field(default_factory=empty_list)
    change: dict[str, dict[str, Any]] = Field(default_factory=empty_dict)
    add: list[Insertion] = Field(default_factory=empty_list)
    lint: dict[str, Any] | None = None  # per-worksheet lint settings (``worksheetkit lint``)


class Step(Model):
    id: ItemId
    worksheet: DocRef
    title: Text | None = None
    start: IsoDuration = "P0D"
    schedule: Schedule | None = None
    unlock_when: Expression | None = None
    difficulty: Annotated[float, Field(ge=0, le=1)] | None = None
    note: Text | None = None


class Pathway(_Texts, _Document):
    kind: Literal["pathway"]
    id: DocId
    version: SemVer
    title: Text
    language: LangCode = "en"
    languages: list[LangCode] | None = None
    summary: Text | None = None
    rationale: Text | None = None
    modalities: list[str] = Field(default_factory=empty_list)
    tags: list[str] = Field(default_factory=empty_list)
    source: Source | None = None
    steps: list[Step] = Field(min_length=1)


class Pack(_Texts, _Document):
    kind: Literal["pack"]
    id: DocId
    name: Text
    version: SemVer
    language: LangCode = "en"
    languages: list[LangCode] | None = None
    license: str | None = None
    description: Text | None = None
    homepage: str | None = None
    authors: list[str] = Field(default_factory=empty_list)
    lint: dict[str, Any] | None = None


class Plan(Model):
    when: str | None = None
    where: str | None = None
    how_long: str | None = None
    obstacles: list[str] = Field(default_factory=empty_list)
    coping: str | None = None
    confidence: Annotated[Number, Field(ge=0, le=10)] | None = None


class Excused(Model):
    date: dt.date
    reason: str | None = None
    occurrence: str | None = None  # one occurrence id, when not the whole day


class ScheduleChange(Model):
    """A schedule in force from a date on; earlier occurrences keep the schedule they had."""

    from_: dt.date = Field(alias="from")
    schedule: Schedule
    step: ItemId | None = None


class Assignment(_Document):
    kind: Literal["assignment"]
    id: Annotated[str, Field(min_length=1, max_length=128)]
    client: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    worksheet: DocRef | None = None
    pathway: DocRef | None = None
    start: dt.date
    timezone: str = "UTC"
    start_at_step: ItemId | None = None
    schedule: Schedule | None = None
    changes: list[ScheduleChange] = Field(default_factory=empty_list)
    plan: Plan | None = None
    excused: list[Excused] = Field(default_factory=empty_list)
    difficulty: Annotated[float, Field(ge=0, le=1)] | None = None
    completion_threshold: Annotated[float, Field(gt=0, le=1)] = 1.0
    late_credit: Annotated[float, Field(ge=0, le=1)] | None = None
    paused: StrictBool = False


class Ratings(Model):
    difficulty: Rating04 | None = None
    obstacles: Rating04 | None = None
    quality: Rating04 | None = None


class Obstacle(Model):
    kind: Literal["external", "internal"]
    note: str | None = None


class Response(_Document):
    kind: Literal["response"]
    id: str | None = None
    worksheet: DocRef
    version: SemVer | None = None
    assignment: str | None = None
    step: ItemId | None = None
    occurrence: str | None = None
    # Moments in time carry their UTC offset (…+01:00 or …Z): a bare local time is ambiguous.
    # The one timestamp grammar (_dates.py) is checked by the envelope reader, below.
    started_at: Annotated[AwareDatetime, Field(json_schema_extra=_TIMESTAMP_SCHEMA)] | None = None
    submitted_at: Annotated[AwareDatetime, Field(json_schema_extra=_TIMESTAMP_SCHEMA)] | None = None
    answers: dict[str, Any] = Field(default_factory=empty_dict)
    ratings: Ratings | None = None
    obstacle: Obstacle | None = None
    language: LangCode | None = None
    # The app's own fields (any JSON object), kept as given and never looked into.
    meta: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_envelope(cls, data: Any) -> Any:
        """The envelope is read by the one reader every path uses (model/envelope.py), so
        the model accepts exactly what ``validate_response`` accepts: same timestamps, same
        limits. Python datetimes are written out in the timestamp grammar first."""
        if not isinstance(data, dict):
            return data
        problems = envelope_problems(data)
        if problems:
            raise ValueError(
                "; ".join(f"{d.code} at {d.json_pointer or '/'}: {d.message}" for d in problems)
            )
        return data


Document = Worksheet | Pathway | Pack | Assignment | Response
KINDS: tuple[str, ...] = ("worksheet", "pathway", "pack", "assignment", "response")
MODELS: dict[str, type[Model]] = {
    "worksheet": Worksheet,
    "pathway": Pathway,
    "pack": Pack,
    "assignment": Assignment,
    "response": Response,
}

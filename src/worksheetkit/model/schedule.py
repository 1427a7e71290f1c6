"""Schedules (DESIGN §4): shorthands or an RFC 5545 RRULE, windows, grace, reminders."""

# Annotations are objects, not text: see the note at the top of items.py.

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, StrictInt

from .base import Model, empty_list
from .durations import duration_pattern

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# ISO 8601 duration, e.g. P7D, PT4H, P3W; parsed and checked by the validator.
# (A bare "P" or "PT" passes the pattern; the validator reports it as WK218.)
IsoDuration = Annotated[str, Field(pattern=duration_pattern(empty_parts=True))]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Reminder(Model):
    """``at: open`` | ``at: due`` | ``before_due: PT30M`` | ``after_open: PT1H``."""

    at: Literal["open", "due"] | None = None
    before_due: IsoDuration | None = None
    after_open: IsoDuration | None = None
    message: str | dict[str, str] | None = None


class Schedule(Model):
    repeat: Literal["once", "daily", "weekly", "monthly"] | None = None
    rrule: str | None = None
    every: Annotated[StrictInt, Field(ge=1, le=366)] = 1
    # At least one day: an empty list is a mistake (WK105), not "the start's weekday".
    on: Annotated[list[Weekday], Field(min_length=1)] | None = None
    at: ClockTime | list[ClockTime] | None = None
    for_: IsoDuration | None = Field(default=None, alias="for")
    count: Annotated[StrictInt, Field(ge=1, le=100000)] | None = None
    until: dt.date | None = None
    window: IsoDuration | None = None
    grace: IsoDuration | None = None
    timing: Literal["flexible", "strict"] = "flexible"
    times_per_week: Annotated[StrictInt, Field(ge=1, le=50)] | None = None
    reminders: list[Reminder] = Field(default_factory=empty_list)
    nonexistent: Literal["skip", "shift_forward"] = "shift_forward"
    ambiguous: Literal["earlier", "later"] = "earlier"
    month_end: Literal["clamp", "skip"] = "clamp"

    def times(self) -> list[str]:
        if self.at is None:
            return []
        return [self.at] if isinstance(self.at, str) else list(self.at)

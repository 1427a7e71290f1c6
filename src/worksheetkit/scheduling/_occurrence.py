"""The value this package produces: one scheduled occurrence of a worksheet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Self

from .._results import dumps, instant, instant_text, warn_as_dict, zone_of

_UTC = dt.UTC


def _utc_text(moment: dt.datetime) -> str:
    utc = moment.astimezone(_UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="seconds" if utc.microsecond == 0 else "microseconds") + "Z"


def local_start_of(occurrence_id: str) -> str | None:
    """The scheduled local wall time (``YYYY-MM-DDTHH:MM``) an occurrence id names, or None
    when it has not the shape of one: the one reading of the id grammar
    ``<step>/<YYYY-MM-DDTHH:MM>[#n]`` (the shape only: a date read from text a client sent
    must still be checked)."""
    tail = occurrence_id.rsplit("/", 1)[-1].split("#", 1)[0]
    return tail if len(tail) == 16 and tail[10] == "T" else None


@dataclass(frozen=True)
class Occurrence:
    """One time the client is asked to do a worksheet.

    ``id`` is ``<step>/<YYYY-MM-DDTHH:MM>``: the step id (``main`` for an assignment of a single
    worksheet) and the *scheduled* local wall time, before any DST shift. It never changes when
    later parts of the schedule change. Flexible weekly targets (``times_per_week``) add
    ``#1``, ``#2``… for each slot of the week.

    ``opens``, ``due`` and ``grace_until`` are aware datetimes in the assignment's time zone;
    ``opens_utc`` (and ``due_utc``, ``grace_until_utc``) are the same instants in UTC.
    ``reminders`` are the instants at which to remind, in the assignment's zone.
    ``locked`` marks occurrences of a pathway step whose ``unlock_when`` was not yet true by the
    time they were due; ``excused`` marks occurrences on an excused date. Both stay listed.
    """

    id: str
    step: str | None
    worksheet: str
    opens: dt.datetime
    due: dt.datetime
    grace_until: dt.datetime
    timing: Literal["flexible", "strict"] = "flexible"
    reminders: tuple[dt.datetime, ...] = ()
    locked: bool = False
    excused: bool = False
    excused_reason: str | None = None
    #: The scheduled local wall time (``YYYY-MM-DDTHH:MM``, before any DST shift): what a
    #: response may name instead of the id. Set by the scheduler as it builds the id; an
    #: occurrence built by hand or read from JSON (which carries the id) gets it from the id.
    local_start: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.local_start is None:
            object.__setattr__(self, "local_start", local_start_of(self.id))

    @property
    def opens_utc(self) -> dt.datetime:
        return self.opens.astimezone(_UTC)

    @property
    def due_utc(self) -> dt.datetime:
        return self.due.astimezone(_UTC)

    @property
    def grace_until_utc(self) -> dt.datetime:
        return self.grace_until.astimezone(_UTC)

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-ready (schema ``occurrence``): the DESIGN §6 keys (local ISO times
        with their offset, ``opens_utc`` in ``Z``), then ``due_utc``, ``grace_until_utc``,
        ``timezone`` (the IANA zone of the local times, None for a fixed offset), ``timing``,
        ``reminders`` (local ISO times), ``locked``, ``excused`` and ``excused_reason``."""
        return {
            "id": self.id,
            "step": self.step,
            "worksheet": self.worksheet,
            "opens": instant_text(self.opens),
            "due": instant_text(self.due),
            "grace_until": instant_text(self.grace_until),
            "opens_utc": _utc_text(self.opens),
            "due_utc": _utc_text(self.due),
            "grace_until_utc": _utc_text(self.grace_until),
            "timezone": zone_of(self.opens),
            "timing": self.timing,
            "reminders": [instant_text(r) for r in self.reminders],
            "locked": self.locked,
            "excused": self.excused,
            "excused_reason": self.excused_reason,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The occurrence :meth:`to_dict` described, its times back in ``timezone`` (the UTC
        copies are derived, so they are not read)."""
        zone = data.get("timezone")
        timing = data.get("timing", "flexible")
        if timing not in ("flexible", "strict"):
            raise ValueError(f"timing must be 'flexible' or 'strict', not {timing!r}")
        return cls(
            id=data["id"],
            step=data["step"],
            worksheet=data["worksheet"],
            opens=instant(data["opens"], zone),
            due=instant(data["due"], zone),
            grace_until=instant(data["grace_until"], zone),
            timing=timing,
            reminders=tuple(instant(r, zone) for r in data.get("reminders", ())),
            locked=bool(data.get("locked", False)),
            excused=bool(data.get("excused", False)),
            excused_reason=data.get("excused_reason"),
        )

    def as_dict(self) -> dict[str, Any]:
        """Deprecated alias of :meth:`to_dict`."""
        warn_as_dict("Occurrence")
        return self.to_dict()

"""The value this package produces: one scheduled occurrence of a worksheet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

_UTC = dt.UTC


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(_UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


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

    @property
    def opens_utc(self) -> dt.datetime:
        return self.opens.astimezone(_UTC)

    @property
    def due_utc(self) -> dt.datetime:
        return self.due.astimezone(_UTC)

    @property
    def grace_until_utc(self) -> dt.datetime:
        return self.grace_until.astimezone(_UTC)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of DESIGN §6: local ISO times with offsets, ``opens_utc`` in ``Z``."""
        return {
            "id": self.id,
            "step": self.step,
            "worksheet": self.worksheet,
            "opens": self.opens.isoformat(timespec="seconds"),
            "due": self.due.isoformat(timespec="seconds"),
            "grace_until": self.grace_until.isoformat(timespec="seconds"),
            "opens_utc": _utc_text(self.opens),
        }

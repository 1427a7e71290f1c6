"""The range of dates worksheetkit accepts (1900-01-01 to 2200-12-31), checked in one place.

Python's dates end at 9999-12-31: a schedule starting on 9999-12-30, an ``until`` of
9999-12-31 or ``--as-of 9999-12-31`` would overflow as soon as a day, a grace period or a
horizon is added. Every date and timestamp that reaches date arithmetic — assignment starts,
changes and excused dates, schedule ``until``, response timestamps, command-line dates — is
checked against this range first, so the arithmetic (at most ten years past the end, see
``model/durations.MAX_DAYS``) never leaves what Python can hold.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

__all__ = ["MAX_DATE", "MIN_DATE", "DateOutOfRange", "check_date", "date_problem"]

MIN_DATE: Final = dt.date(1900, 1, 1)
MAX_DATE: Final = dt.date(2200, 12, 31)


class DateOutOfRange(ValueError):
    """A date outside :data:`MIN_DATE` … :data:`MAX_DATE` (``message`` is a sentence)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _day(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        # The calendar day where it was written; an instant near the ends differs by at most
        # a day from its UTC day, which the range leaves plenty of room for.
        return value.date()
    return value


def date_problem(value: dt.date | dt.datetime | None, what: str = "This date") -> str | None:
    """A sentence saying why ``value`` is outside the accepted range, or None when it is inside
    (or None). ``what`` names it: "'until'", "--as-of", "The start date"."""
    if value is None:
        return None
    day = _day(value)
    if MIN_DATE <= day <= MAX_DATE:
        return None
    return (
        f"{what} ({day.isoformat()}) is outside the dates worksheetkit accepts, "
        f"{MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}."
    )


def check_date(value: dt.date | dt.datetime | None, what: str = "This date") -> None:
    """Raise :class:`DateOutOfRange` when ``value`` is outside the accepted range."""
    problem = date_problem(value, what)
    if problem is not None:
        raise DateOutOfRange(problem)

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
import re
from typing import Final

__all__ = [
    "MAX_DATE",
    "MIN_DATE",
    "TIMESTAMP_MAX_LENGTH",
    "TIMESTAMP_PATTERN",
    "DateOutOfRange",
    "check_date",
    "date_problem",
    "is_timestamp",
    "parse_timestamp",
    "timestamp_datetime",
    "timestamp_later",
]

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


# -- the one timestamp grammar -------------------------------------------------------------------
#
# A moment in a response (``started_at``, ``submitted_at``) is an RFC 3339 date-time with its
# UTC offset, on a real calendar day from MIN_DATE to MAX_DATE: ``2026-12-01T20:05:00Z``,
# ``2026-12-01 20:05:00.250+01:00``. Basic format (``20261201T200000Z``), a missing offset,
# 30 February, 29 February 2100 and the year 2201 are refused. The pattern says all of it — the
# calendar and the range too — so the JSON Schema of responses (responses/schema.py) states the
# same grammar as the library's reader (:func:`parse_timestamp`), which is this pattern plus the
# conversion to a datetime. Years: 1900–2199 and 2200; leap years in that range are those
# divisible by 4 except 1900, 2100 and 2200.
_YEAR: Final = r"(?:19\d\d|2[01]\d\d|2200)"
_LEAP_YEAR: Final = (
    r"(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26])"
    r"|21(?:0[48]|[2468][048]|[13579][26]))"
)
_MONTH_DAY: Final = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|02-(?:0[1-9]|1\d|2[0-8]))"
)
_DATE: Final = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
#: The grammar of a response timestamp, anchored, in the dialect Python, RE2 and JavaScript's
#: ``u`` mode share (the JSON Schema uses it as its ``pattern``).
TIMESTAMP_PATTERN: Final = (
    f"^{_DATE}[Tt ](?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{{1,9}})?"
    r"(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
)
#: The longest timestamp the grammar allows (nine fraction digits and an offset).
TIMESTAMP_MAX_LENGTH: Final = 35
# ASCII: Python's \d would otherwise match other scripts' digits, which JavaScript's does not.
_TIMESTAMP: Final = re.compile(TIMESTAMP_PATTERN, re.ASCII)


def is_timestamp(value: object) -> bool:
    """Whether ``value`` is text in the timestamp grammar: what :func:`parse_timestamp`
    accepts, without building the datetime (a validator needs the verdict alone)."""
    return (
        type(value) is str
        and len(value) <= TIMESTAMP_MAX_LENGTH
        and _TIMESTAMP.fullmatch(value) is not None  # fullmatch: "$" alone allows a final "\n"
    )


def parse_timestamp(value: object) -> dt.datetime | None:
    """The aware datetime ``value`` writes in the timestamp grammar, or None when it is not
    text in that grammar (wrong form, no offset, not a calendar day, outside 1900–2200)."""
    if not is_timestamp(value):
        return None
    return timestamp_datetime(value)  # type: ignore[arg-type]


def timestamp_datetime(value: str) -> dt.datetime:
    """The aware datetime of ``value``, text already found in the grammar (:func:`is_timestamp`)."""
    # The pattern admits only what fromisoformat reads, so this never fails. Since Python 3.11
    # fromisoformat reads "Z" (as the UTC singleton, like "+00:00") and any separator, "t"
    # included: only a lowercase "z" needs upper(). Skipping upper/replace buys about 0.06 µs
    # per response (0.02 of bench_adherence's units, 2026-12-05); tests/test_dates.py checks
    # both spellings give the same datetime.
    if value[-1] == "z":
        value = value.upper()
    return dt.datetime.fromisoformat(value)


def _offset(value: str) -> str:
    return value[-1:] if value[-1] in "Zz" else value[-6:]


def timestamp_later(first: str, second: str) -> bool:
    """Whether the moment ``first`` is later than ``second``; both are in the grammar.

    Two timestamps written alike — the same length, separator and UTC offset, as one device
    writes them — are ordered by their text: every field of the grammar then has the same
    width in both (the fraction too), so text order is time order. Only other pairs (offsets
    that differ, ``Z`` beside ``+00:00``, fractions of other lengths) are converted to
    datetimes. Buys about 0.8 µs per response checked (two ``fromisoformat`` with their
    ``upper``/``replace``; measured 2026-12-04 on the shared 2-core machine).
    """
    if len(first) == len(second) and first[10] == second[10]:
        tail = _offset(first)
        if tail == _offset(second):
            return first > second
    return timestamp_datetime(first) > timestamp_datetime(second)

"""IANA zones: wall-clock times to instants with explicit DST policies, and a cheap DST map.

Calendar steps happen on the local wall clock; elapsed durations happen in UTC. A wall-clock
time that does not exist (spring forward) is skipped or shifted forward by the length of the
gap; one that happens twice (fall back) takes the earlier or the later instant.
"""

from __future__ import annotations

import bisect
import datetime as dt
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..model.durations import Duration
from ._durations import add_calendar

UTC = dt.UTC
Nonexistent = Literal["skip", "shift_forward"]
Ambiguous = Literal["earlier", "later"]


@lru_cache(maxsize=512)
def get_zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; ``ValueError`` when there is none."""
    if not isinstance(name, str) or not name or name != name.strip() or ".." in name:
        raise ValueError(f"unknown time zone {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def localize(
    wall: dt.datetime,
    tz: ZoneInfo,
    nonexistent: Nonexistent = "shift_forward",
    ambiguous: Ambiguous = "earlier",
) -> dt.datetime | None:
    """The instant (as an aware local datetime) of naive wall time ``wall``; None if skipped."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    off0, off1 = first.utcoffset(), second.utcoffset()
    if off0 == off1:
        return first
    assert off0 is not None
    assert off1 is not None
    if off0 > off1:  # PEP 495: in a fold, fold=0 is the earlier instant
        return first if ambiguous == "earlier" else second
    # In a gap fold=0 reads the time with the offset before the gap: 02:30 EST is 03:30 EDT,
    # i.e. shifted forward by the gap's length (RFC 5545 §3.3.5 reads DTSTART the same way).
    if nonexistent == "skip":
        return None
    return first.astimezone(UTC).astimezone(tz)


def exists(wall: dt.datetime, tz: ZoneInfo) -> bool:
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    off0, off1 = first.utcoffset(), second.utcoffset()
    return off0 is None or off1 is None or off0 >= off1


def add(local: dt.datetime, duration: Duration, tz: ZoneInfo, ambiguous: Ambiguous) -> dt.datetime:
    """``local`` + ``duration``: calendar part on the wall clock, then seconds in UTC."""
    if not duration.is_exact:
        moved = localize(
            add_calendar(local.replace(tzinfo=None), duration), tz, "shift_forward", ambiguous
        )
        assert moved is not None
        local = moved
    if duration.seconds:
        local = (local.astimezone(UTC) + duration.exact).astimezone(tz)
    return local


# -- a map of the DST changes, for the fast path ------------------------------------------------


@lru_cache(maxsize=1024)
def _transitions(
    tz: ZoneInfo, year: int
) -> tuple[tuple[dt.datetime, dt.timedelta, dt.timedelta], ...]:
    """(UTC instant as naive, offset before, offset after) of each change of offset in ``year``.

    Found by sampling every six hours and bisecting to the second: zones never change offset
    twice within six hours.
    """
    out: list[tuple[dt.datetime, dt.timedelta, dt.timedelta]] = []
    step = 6 * 3600
    begin = int(dt.datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(dt.datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())

    def offset(ts: int) -> dt.timedelta:
        value = dt.datetime.fromtimestamp(ts, tz).utcoffset()
        assert value is not None
        return value

    prev_ts, prev_off = begin, offset(begin)
    for ts in range(begin + step, end + 1, step):
        off = offset(ts)
        if off != prev_off:
            lo, hi = prev_ts, ts  # offset(lo) == prev_off, offset(hi) == off
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(mid) == prev_off:
                    lo = mid
                else:
                    hi = mid
            instant = dt.datetime.fromtimestamp(hi, UTC).replace(tzinfo=None)
            if instant.year == year:
                out.append((instant, prev_off, off))
        prev_ts, prev_off = ts, off
    return tuple(out)


class Timeline:
    """Where the wall clock of a zone is troublesome: the local intervals around each change.

    ``next_trouble(wall, until)`` answers "is every wall time in [wall, until] plain — existing
    once, with one offset?" cheaply enough to ask for every occurrence. One timeline per zone
    is shared by every expansion (:func:`timeline_of`): its state (years covered, interval
    starts, interval ends) is replaced whole, never changed in place, so a reader in another
    thread sees the old state or the new one.
    """

    __slots__ = ("_state", "tz")

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._state: _State = (frozenset(), (), ())

    def _cover(self, year: int) -> _State:
        years, los, his = self._state
        pairs = list(zip(los, his, strict=True))
        covered = set(years)
        for y in range(year - 1, year + 2):
            if y in covered or not (dt.MINYEAR < y < dt.MAXYEAR):
                continue
            covered.add(y)
            for instant, before, after in _transitions(self.tz, y):
                pairs.append((instant + min(before, after), instant + max(before, after)))
        pairs.sort()
        state = self._state = (
            frozenset(covered),
            tuple(p[0] for p in pairs),
            tuple(p[1] for p in pairs),
        )
        return state

    def next_trouble(self, wall: dt.datetime, until: dt.datetime) -> dt.datetime:
        """The start of the first troubled local interval that ends after ``wall``.

        When the answer is after ``until``, every time in [wall, until] is plain. A change of
        offset makes trouble on both sides of its instant, so intervals cover it whole.
        """
        state = self._state
        for year in range(wall.year, min(until.year, dt.MAXYEAR - 1) + 1):
            if year not in state[0]:
                state = self._cover(year)
        _, los, his = state
        i = bisect.bisect_right(his, wall)
        return los[i] if i < len(los) else dt.datetime.max


#: (years covered, starts of the troubled intervals, their ends), sorted.
_State = tuple[frozenset[int], tuple[dt.datetime, ...], tuple[dt.datetime, ...]]


@lru_cache(maxsize=512)
def timeline_of(tz: ZoneInfo) -> Timeline:
    """The shared timeline of ``tz``: building one per assignment (its DST map for three
    years) was ~2 % of expanding a year twice a day (measured 2026-12-04)."""
    return Timeline(tz)

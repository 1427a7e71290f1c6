"""Bounded memory while reading responses: O(occurrences), not O(lines).

A client can send any number of responses, and most of them may name the same few
occurrences. What decides an occurrence is small and known in advance (``_core._decide``): the
best submission inside its grace period, the earliest one that completes it (which closes it
for responses matched by time), the latest obstacle report, and how many were counted. So,
once the schedule is known, each occurrence keeps its first ``KEEP_PER_OCCURRENCE``
submissions as they are (ordinary data loses nothing: every repeat is still listed as extra
practice) and past that only those that can still decide it; the others are counted.
Responses that name no occurrence are matched by time, in time order, so they are kept as they
are, up to ``unmatched_limit(slots)``; past that they are counted and reported (WK414).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from ._core import RANK, Policy, Slot, SubmissionRecord, _credit_of

#: Submissions kept as they are per occurrence; beyond, only those that can decide it.
KEEP_PER_OCCURRENCE: Final = 16
#: Responses matched by time (no occurrence named) kept per occurrence of the schedule, plus
#: a fixed allowance for a schedule with few occurrences.
UNMATCHED_PER_OCCURRENCE: Final = 16
UNMATCHED_ALLOWANCE: Final = 1_000


def unmatched_limit(slots: Sequence[Slot]) -> int:
    """How many responses that name no occurrence are kept for matching by time."""
    return UNMATCHED_PER_OCCURRENCE * len(slots) + UNMATCHED_ALLOWANCE


def reduce_after(slots: Sequence[Slot]) -> int:
    """Responses collected as they are before reducing starts: as many as the reducer could
    keep, so ordinary files never pay for it and hostile ones stay O(occurrences)."""
    return 2 * KEEP_PER_OCCURRENCE * len(slots) + UNMATCHED_ALLOWANCE


class Reducer:
    """Collects submissions (each with a payload: its raw response, or None), keeping
    O(occurrences) of them, in the order they were added."""

    def __init__(self, slots: Sequence[Slot], policy: Policy, as_of: dt.datetime) -> None:
        self.slots = list(slots)
        self.by_id = {s.id: i for i, s in enumerate(self.slots)}
        self.policy = policy
        self.as_of = as_of
        # Everything kept, in arrival order (parallel lists); dropped submissions are marked in
        # ``dead`` and swept out once they are half of the lists, so memory stays bounded.
        self.subs: list[SubmissionRecord] = []
        self.payloads: list[Any] = []
        self.dead: set[int] = set()
        self.buckets: dict[int, list[SubmissionRecord]] = {}
        self.unmatched = 0
        self.limit = unmatched_limit(self.slots)
        #: Per occurrence id: dropped submissions that its result would have counted.
        self.dropped_counted: dict[str, int] = {}
        #: Dropped submissions that would have been listed as extra practice.
        self.dropped_extra = 0
        #: Responses naming no occurrence that were not matched (past ``limit``).
        self.unmatched_dropped = 0

    def add(self, sub: SubmissionRecord, payload: Any) -> None:
        if sub.submitted_at > self.as_of:
            return  # has not happened yet as of the report: ignored, as evaluate() would
        ref = sub.occurrence
        i = self.by_id.get(ref) if ref is not None else None
        if i is None:
            if self.unmatched >= self.limit:
                self.unmatched_dropped += 1
                return
            self.unmatched += 1
        # Appended before any compaction, which may mark this very submission dead.
        self.subs.append(sub)
        self.payloads.append(payload)
        if i is not None:
            bucket = self.buckets.get(i)
            if bucket is None:
                self.buckets[i] = [sub]
            else:
                bucket.append(sub)
                if len(bucket) >= 2 * KEEP_PER_OCCURRENCE:
                    self.buckets[i] = self._compact(self.slots[i], bucket)

    def _compact(self, slot: Slot, bucket: list[SubmissionRecord]) -> list[SubmissionRecord]:
        """The first ``KEEP_PER_OCCURRENCE`` submissions plus those that can decide ``slot``;
        the others are counted and marked dead."""
        roles: set[int] = set()
        best: tuple[tuple[float, int, dt.datetime, int], int] | None = None
        closing: tuple[tuple[dt.datetime, int], int] | None = None
        # The latest obstacle report among responses with no answers (the one an excused
        # occurrence shows) and among answered ones inside grace: the later of the two is the
        # one an occurrence that is not excused shows. Neither depends on ``slot.excused``, so
        # a pathway step's unlock, known only at the end, cannot change what is kept.
        obstacle: tuple[tuple[dt.datetime, int], int] | None = None
        answered_obstacle: tuple[tuple[dt.datetime, int], int] | None = None
        threshold = self.policy.threshold
        grace = slot.grace_until
        for n, s in enumerate(bucket):
            order = (s.submitted_at, s.index)
            inside = s.submitted_at <= grace
            if inside:
                status, credit = _credit_of(slot, s, self.policy)
                key = (-credit, RANK[status], s.submitted_at, s.index)
                if best is None or key < best[0]:
                    best = (key, n)
            if s.fraction >= threshold and (closing is None or order < closing[0]):
                closing = (order, n)
            if s.obstacle_kind is not None:
                if not s.answered:
                    if obstacle is None or order > obstacle[0]:
                        obstacle = (order, n)
                elif inside and (answered_obstacle is None or order > answered_obstacle[0]):
                    answered_obstacle = (order, n)
        for found in (best, closing, obstacle, answered_obstacle):
            if found is not None:
                roles.add(found[1])
        kept = bucket[:KEEP_PER_OCCURRENCE]
        for n in range(KEEP_PER_OCCURRENCE, len(bucket)):
            s = bucket[n]
            if n in roles:
                kept.append(s)
                continue
            self.dead.add(id(s))
            # Counted by the occurrence's result unless it is excused or upcoming (decided
            # when the result is known: ``counted_for``).
            if s.submitted_at <= grace:
                self.dropped_counted[slot.id] = self.dropped_counted.get(slot.id, 0) + 1
            if s.answered:
                self.dropped_extra += 1
        if 2 * len(self.dead) > len(self.subs):
            self._sweep()
        return kept

    def _sweep(self) -> None:
        dead = self.dead
        keep = [id(s) not in dead for s in self.subs]
        self.subs = [s for s, k in zip(self.subs, keep, strict=True) if k]
        self.payloads = [p for p, k in zip(self.payloads, keep, strict=True) if k]
        dead.clear()

    def counted_for(self, slot_id: str, status: str) -> int:
        """Dropped submissions the result of ``slot_id`` counts: those inside grace, unless
        the occurrence is excused (a locked pathway step, too) or not yet open, which count
        none (``_core._decide``)."""
        if status in ("excused", "upcoming"):
            return 0
        return self.dropped_counted.get(slot_id, 0)

    def result(self) -> tuple[list[SubmissionRecord], list[Any]]:
        """The kept submissions and their payloads, in the order they were added."""
        if self.dead:
            self._sweep()
        return self.subs, self.payloads

"""What a pathway's unlock rules read from the responses, kept in O(occurrences).

A step's ``unlock_when`` asks only ``completed(step)``: whether, by some moment, as many
completing responses of that step were in as the step has occurrences to do
(``scheduling._timeline._Unlocks``). So per step only the earliest ``k`` completion times
matter, ``k`` being the number of occurrences the step has at most (at least 1); a step that
never ends can never be completed, so it keeps none. Later completions change no answer of
``completed`` at any moment, and the moments at which an answer changes are among the times
kept, so the first moment an ``unlock_when`` becomes true is the same.
"""

from __future__ import annotations

import datetime as dt
import heapq
from typing import Any

from ..model.documents import Assignment, Response


def _ref_id(ref: str) -> str:
    return ref.split("@", 1)[0]


class UnlockFacts:
    """The earliest completion times per pathway step, at most as many as it has occurrences."""

    def __init__(
        self, assignment: Assignment, pack: Any, counts: dict[str, int] | None = None
    ) -> None:
        """``counts``: the occurrences of each step when the whole schedule is already
        expanded (every step ends); else they are counted here."""
        from ..scheduling import MAX_TOTAL_OCCURRENCES, build, expand, is_bounded, step_plans

        self.assignment_id = assignment.id
        # Per step: a max-heap (negated timestamps) of its ``limit`` earliest completions.
        self.kept: dict[str, list[tuple[float, int, dt.datetime]]] = {}
        self.limit: dict[str, int] = {}
        self.by_worksheet: dict[str, list[str]] = {}
        self.seen = 0
        try:
            plans, _skipped = step_plans(assignment, pack)
            for p in plans:
                if p.step is not None:
                    self.by_worksheet.setdefault(_ref_id(p.worksheet), []).append(p.step)
            if counts is not None:
                for p in plans:
                    if p.step is not None:
                        self.limit[p.step] = max(1, counts.get(p.step, 0))
                return
            tz, timeline, all_series = build(assignment, pack, None)
        except ValueError:  # the schedule cannot be expanded: reported when it is scheduled
            self.by_worksheet.clear()
            self.limit.clear()
            return
        by_step: dict[str | None, list[Any]] = {}
        for s in all_series:
            by_step.setdefault(s.step, []).append(s)
        total = 0
        for step, series in by_step.items():
            if step is None:
                continue
            if not all(is_bounded(s) for s in series[-1:]):
                self.limit[step] = 0  # never ends: completed(step) is never true
                continue
            n = 0
            for s in series:
                s.unlocked_at = None  # every occurrence, as if unlocked from the start
                n += len(expand(s, tz, timeline))
            total += n
            if total > MAX_TOTAL_OCCURRENCES:  # scheduling refuses it too (reported there)
                self.by_worksheet.clear()
                self.limit.clear()
                return
            self.limit[step] = max(1, n)

    def _step(self, step: str | None, occurrence: str | None, worksheet: str | None) -> str | None:
        # The same resolution as the scheduler's: the step named, the step an occurrence id
        # starts with, else the only step of the worksheet.
        if step is not None:
            return step
        if occurrence and "/" in occurrence:
            head = occurrence.split("/", 1)[0]
            if head in self.limit:
                return head
        candidates = self.by_worksheet.get(_ref_id(worksheet or ""), [])
        return candidates[0] if len(candidates) == 1 else None

    def add(
        self,
        submitted_at: dt.datetime,
        step: str | None,
        occurrence: str | None,
        worksheet: str | None,
    ) -> None:
        """A response that completes its occurrence (fraction at or above the threshold)."""
        found = self._step(step, occurrence, worksheet)
        limit = self.limit.get(found, 0) if found is not None else 0
        if found is None or limit == 0:
            return
        self.seen += 1
        entry = (-submitted_at.timestamp(), self.seen, submitted_at)
        heap = self.kept.get(found)
        if heap is None:
            self.kept[found] = [entry]
        elif len(heap) < limit:
            heapq.heappush(heap, entry)
        elif entry[0] > heap[0][0]:  # earlier than the latest kept
            heapq.heapreplace(heap, entry)

    def responses(self) -> list[Response]:
        """The kept completions as responses for ``scheduling.occurrences``."""
        out = []
        for step in sorted(self.kept):
            for _neg, _n, at in sorted(self.kept[step], key=lambda e: (-e[0], e[1])):
                out.append(
                    Response.model_construct(
                        worksheetkit=1,
                        kind="response",
                        worksheet="",
                        assignment=self.assignment_id,
                        step=step,
                        occurrence=None,
                        submitted_at=at,
                        answers={},
                    )
                )
        return out

    def held(self) -> int:
        """How many completion times are held (for tests: bounded by the occurrences)."""
        return sum(len(h) for h in self.kept.values())

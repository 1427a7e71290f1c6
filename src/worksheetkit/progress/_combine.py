"""Many assignments: pooled (occurrence-weighted) and per-assignment (assignment-weighted)
means, and scoring a JSON Lines file of many assignments' responses in bounded memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import Diagnostic
from ..model.documents import Assignment, Worksheet
from ._api import Shelf, as_instant, score_read, slots_for, zone
from ._core import DEFAULT_KEY, Scores, ScoringKey, Slot
from ._reading import NOT_GROUPED, RawResponse, read_lines
from ._report import AdherenceReport

if TYPE_CHECKING:  # scheduling is imported on first use
    from ..scheduling import PackLike

# score name → the attribute of Scores that is its denominator
_DENOMINATORS = {
    "quantity": "n",
    "strict_rate": "n",
    "any_rate": "n",
    "quality": "quality_n",
    "difficulty_weighted": "difficulty_n",
    "obstacle_adjusted": "obstacle_n",
    "engagement": "n",
    "level": "n",
}


def combine(reports: Iterable[AdherenceReport | Scores]) -> dict[str, Any]:
    """Scores across assignments, both ways, named.

    ``occurrence_weighted``: each assignment's score weighted by its own denominator (for
    ``quantity`` this is Σ credits / Σ n over every occurrence of every assignment).
    ``assignment_weighted``: the plain mean of the assignments' scores (each client counts once).
    A score is None when no assignment has it. ``shown`` names the one a summary should lead with.
    Running sums only: memory does not grow with the number of reports.
    """
    totals: dict[str, list[float]] = {name: [0.0, 0.0] for name in _DENOMINATORS}
    plain: dict[str, list[float]] = {name: [0.0, 0.0] for name in _DENOMINATORS}  # Σ, count
    count = 0
    occurrences = 0
    for item in reports:
        s = item.overall if isinstance(item, AdherenceReport) else item
        count += 1
        occurrences += s.n
        for name, denominator in _DENOMINATORS.items():
            value = getattr(s, name)
            if value is None:
                continue
            weight = getattr(s, denominator)
            totals[name][0] += value * weight
            totals[name][1] += weight
            plain[name][0] += value
            plain[name][1] += 1
    return {
        "assignments": count,
        "eligible_occurrences": occurrences,
        "shown": "occurrence_weighted",
        "occurrence_weighted": {
            name: (t[0] / t[1] if t[1] > 0 else None) for name, t in totals.items()
        },
        "assignment_weighted": {name: (p[0] / p[1] if p[1] else None) for name, p in plain.items()},
    }


def _schedule_key(assignment: Assignment) -> str:
    return assignment.model_dump_json(exclude={"id", "client", "plan"})


def adherence_stream(
    assignments: Mapping[str, Assignment],
    path: str | Path,
    as_of: dt.datetime | dt.date,
    *,
    pack: PackLike | None = None,
    scoring_key: ScoringKey = DEFAULT_KEY,
    series: bool = False,
    fraction: Callable[[Worksheet | None, Mapping[str, Any]], float] | None = None,
    jobs: int | None = None,
) -> Iterator[AdherenceReport | Diagnostic]:
    """Score a JSON Lines file holding the responses of many assignments, in bounded memory.

    The responses of one assignment must be on consecutive lines (as an export ordered by
    assignment writes them); only one assignment's responses are held at a time. Yields one
    report per assignment that has responses, then one per assignment without any, in the
    order of ``assignments``; and Diagnostics for bad lines (file:line, never content) and for
    an assignment whose lines are not together (its later lines are not counted). Occurrences
    are expanded once per distinct schedule (pathways with unlock rules excepted).

    Each line is parsed and checked once, as it is read; the report of an assignment is the
    same as ``adherence()`` gives for its lines (``series`` off by default: a batch summary).

    ``jobs``: processes that read the lines (None: every core for a file of 1 MiB or more,
    where this process may fork — Linux, one thread; 1: this process only). Workers parse and
    check the lines while this process scores them; the results are the same either way.
    Raises ``OSError`` when the file cannot be opened, and
    :class:`~worksheetkit.validation.ReadingStopped` when a worker died before it was done.
    """
    name = str(path)
    cache: dict[str, tuple[Slot, ...]] = {}
    finished: set[str] = set()
    current: str | None = None
    group: list[RawResponse | Diagnostic] = []
    warned: set[str] = set()
    shelf = Shelf(pack)  # worksheets and completion fractions, shared by every assignment

    def report(assignment_id: str, items: list[RawResponse | Diagnostic]) -> AdherenceReport:
        assignment = assignments[assignment_id]
        slots = None
        if not assignment.pathway:
            key = _schedule_key(assignment)
            slots = cache.get(key)
            if slots is None:
                moment = as_instant(as_of, zone(assignment.timezone))
                slots = cache[key] = tuple(slots_for(assignment, moment, pack))
        return score_read(
            assignment,
            items,
            name,
            as_of,
            pack=pack,
            scoring_key=scoring_key,
            series=series,
            fraction=fraction,
            slots=slots,
            shelf=shelf,
        )

    for number, found in read_lines(path, jobs):
        if type(found) is not tuple:  # not JSON: duplicate key, NaN, too deep, …
            yield cast(Diagnostic, found)
            continue
        owner, fields = found
        if owner != current or owner is None:
            if type(owner) is not str or owner not in assignments:
                yield Diagnostic(
                    NOT_GROUPED,
                    "This response names no known assignment, so it was not counted.",
                    severity="warning",
                    hint="Each response needs the id of one of the assignments given.",
                    file=name,
                    line=number,
                    column=1,
                    path=("assignment",),
                )
                continue
            if current is not None:
                finished.add(current)
                yield report(current, group)
            group = []
            current = owner
            if owner in finished:
                if owner not in warned:
                    warned.add(owner)
                    yield Diagnostic(
                        NOT_GROUPED,
                        "The responses of this assignment are not on consecutive lines; "
                        "these later ones were not counted.",
                        hint="Sort the file by assignment before scoring it.",
                        file=name,
                        line=number,
                        column=1,
                        path=("assignment",),
                    )
                current = None
                continue
        group.append(
            RawResponse(number, fields) if type(fields) is tuple else cast(Diagnostic, fields)
        )
    if current is not None:
        finished.add(current)
        yield report(current, group)
    for assignment_id in assignments:
        if assignment_id not in finished:
            yield report(assignment_id, [])

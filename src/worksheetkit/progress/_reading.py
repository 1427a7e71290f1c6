"""Reading responses for adherence: JSON Lines streamed one line at a time, lean field checks.

A bad line becomes a :class:`Diagnostic` with ``file:line`` and the rest is still read. Messages
never quote a line's content (answers are health data). The envelope (times, occurrence,
ratings, obstacle, …) is read by model/envelope.py, the reader every path shares; validating
answers is ``validate_response``'s job.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from sys import get_int_max_str_digits
from typing import Any, cast

from pydantic_core import from_json

from .._workers import can_fork, default_jobs, in_order
from ..codes import Code
from ..errors import Diagnostic, DocPath
from ..loading.strictjson import JSONProblem, StrictDecoder
from ..model.envelope import check_envelope
from ._core import SubmissionRecord, _NewSubmission, make_submission

#: What :func:`response_fields` reads: assignment, worksheet, step, occurrence, submitted_at,
#: answers, quality, difficulty, obstacles, obstacle kind, obstacle note, id.
Fields = tuple[Any, ...]
#: One line read by :func:`read_line`: None (blank), the Diagnostic of a line that is not
#: JSON, or ``(the value's "assignment", its fields or the Diagnostic of its envelope)``.
LineRead = tuple[Any, "Fields | Diagnostic"] | Diagnostic | None

_STRICT = StrictDecoder()


def _fast_reader() -> Callable[[bytes], Any]:
    """pydantic-core's JSON parser, NaN/Infinity refused, caching keys only: its default cache
    of every short string kept about 1 MB more alive (bench_adherence's tracemalloc peak, 1.2
    → 1.9 MB; still bounded) and was slower. An older pydantic-core without the option uses
    its default cache."""
    try:
        from_json(b"{}", allow_inf_nan=False, cache_strings="keys")
    except TypeError:  # pragma: no cover - pydantic-core before cache_strings
        return partial(from_json, allow_inf_nan=False)
    return partial(from_json, allow_inf_nan=False, cache_strings="keys")


_from_json = _fast_reader()

# Codes of this package (the WK7xx range). A response's envelope has the code every reader
# gives it (WK411, WK410: model/envelope.py); WK702 is no longer given here.
ENVELOPE = Code.WK411
BAD_JSON = Code.WK701
NO_SUBMITTED_AT = Code.WK703
UNKNOWN_OCCURRENCE = Code.WK704
NO_WORKSHEET = Code.WK705
OTHER_ASSIGNMENT = Code.WK706
NOT_GROUPED = Code.WK707
NO_SCHEDULE = Code.WK708
TOO_MANY_UNMATCHED = Code.WK414


def loads_line(raw: bytes) -> Any:
    """One line's JSON value, read strictly (duplicate keys, NaN/Infinity and too deep nesting
    refused with a :class:`~worksheetkit.loading.strictjson.JSONProblem`, a ValueError)."""
    # The strict reader's duplicate test is a Python hook on every object (three per response)
    # and costs about half of a json.loads. A line it would accept as it is is read instead by
    # pydantic-core's JSON parser (a pydantic dependency; a third of json.loads' time) when
    # that can be proved: as many quotes as two per string of the value, keys included (the
    # text has two per string it writes, plus any escaped one, while a duplicate key drops at
    # least its own string from the value: so equality means no duplicate), at most MAX_DEPTH
    # brackets (so not too deep), no longer than Python reads integers (no number too long)
    # and no NaN/Infinity (refused here). Any other line, or one this parser refuses, goes to
    # the strict reader, which says why. Buys about 0.85 µs of 3.5 per line (bench_adherence:
    # 0.25 of its json.loads units, 2026-12-05); tests/test_adherence_reading.py checks that
    # the two readers agree on generated lines.
    if len(raw) <= (get_int_max_str_digits() or len(raw)):
        try:
            value = _from_json(raw)
        except ValueError:
            pass
        else:
            # A value nesting at most two levels (a response: its answers and ratings objects
            # of plain values) is not too deep for any limit of two or more, so its brackets
            # are counted only when it nests further (two counts of the line fewer: about
            # 0.2 µs per line, 2026-12-05).
            strings, deep = _strings(value)
            if raw.count(b'"') == 2 * strings and (
                not deep or raw.count(b"[") + raw.count(b"{") <= _STRICT.max_depth
            ):
                return value
    return _STRICT.loads(raw.decode("utf-8"))


def _strings(value: Any) -> tuple[int, bool]:
    """How many strings ``value`` holds at every level, the keys of its objects included; and
    whether it may nest more than two levels deep (False: it surely does not)."""
    if type(value) is dict:
        count = len(value)
        items: Iterable[Any] = value.values()
    elif type(value) is list:
        count = 0
        items = value
    else:
        return (1 if type(value) is str else 0), False
    deep = False
    for item in items:
        kind = type(item)
        if kind is str:
            count += 1
        elif kind is dict:
            # An object inside (answers, ratings) is counted here, not by a call of its own,
            # unless it nests further.
            count += len(item)
            for inner in item.values():
                kind = type(inner)
                if kind is str:
                    count += 1
                elif kind is dict or kind is list:
                    count += _strings(inner)[0]
                    deep = True
        elif kind is list:
            count += _strings(item)[0]
            deep = True
    return count, deep


def bad_json(file: str, line: int) -> Diagnostic:
    """The problem of a line that is not JSON (never echoing it: it holds a client's answers)."""
    return Diagnostic(
        BAD_JSON,
        "This line is not a valid JSON object, so it was skipped.",
        hint="Each line of a responses file must be one complete JSON response.",
        file=file,
        line=line,
        column=1,
    )


def json_problem(file: str, line: int, exc: JSONProblem) -> Diagnostic:
    """A line refused by the strict reader: its reason and position, never its content."""
    if exc.reason == "syntax":
        return bad_json(file, line)
    return Diagnostic(
        BAD_JSON,
        exc.message.replace("line 1, column", "column") + " The line was skipped.",
        hint=exc.hint,
        file=file,
        line=line,
        column=exc.column,
        path=exc.path,
    )


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed value or Diagnostic)`` for each non-blank line, streamed.

    Raises ``OSError`` when the file cannot be opened (an I/O problem, not a content one).
    """
    name = str(path)
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                yield number, loads_line(raw)
            except JSONProblem as exc:
                yield number, json_problem(name, number, exc)
            except ValueError:  # UnicodeDecodeError
                yield number, bad_json(name, number)


def read_line(raw: bytes, number: int, name: str) -> LineRead:
    """One line of a responses file, read once for every reader of such files (``adherence``
    and ``adherence_stream``, in this process or in a worker): see :data:`LineRead`.
    A blank line is None; a line that is not JSON its Diagnostic (never its content)."""
    try:
        value = loads_line(raw)
    except JSONProblem as exc:  # duplicate key, NaN, too deep: say which and where
        return json_problem(name, number, exc) if raw.strip() else None
    except ValueError:  # UnicodeDecodeError
        return bad_json(name, number) if raw.strip() else None
    owner = value.get("assignment") if type(value) is dict else None
    return owner, response_fields(value, number, name)


#: Bytes of the file one task of a parallel read covers (about 900 responses of the adherence
#: bench): its result, about 80 KB of pickle, is sent while the next is read, and the parent
#: holds at most a block per worker besides the one it is scoring.
BLOCK = 1 << 18
#: Below this size a file is read in this process: forking (a few ms) would cost more than
#: it saves.
PARALLEL_MIN = 1 << 20


Wire = tuple[Any, ...]


def _block(fd: int, index: int, name: str) -> tuple[int, list[Wire]]:
    """The lines that *start* in bytes ``[index * BLOCK, (index + 1) * BLOCK)`` of the file:
    how many (blank ones included), and each one that is not blank as :func:`_to_wire` sends
    it, numbered from 1 within the block (the parent adds the lines before it)."""
    start = index * BLOCK
    low = start - 1 if start else 0
    data = os.pread(fd, start + BLOCK - low, low)
    if start:  # the first line starting here follows the first newline at or after start - 1
        cut = data.find(b"\n")
        data = b"" if cut < 0 else data[cut + 1 :]
    if data and not data.endswith(b"\n"):  # the last line goes on past the block: finish it
        tail = [data]
        at = start + BLOCK
        while more := os.pread(fd, 1 << 16, at):
            end = more.find(b"\n")
            if end >= 0:
                tail.append(more[: end + 1])
                break
            tail.append(more)
            at += len(more)
        data = b"".join(tail)
    rows: list[Wire] = []
    count = 0
    for count, raw in enumerate(io.BytesIO(data), start=1):  # split at "\n" only, as a file
        found = read_line(raw, count, name)
        if found is not None:
            rows.append(_to_wire(count, found))
    return count, rows


def _to_wire(number: int, found: LineRead) -> Wire:
    """One line as a worker sends it: ``(number, Diagnostic)`` for a line that is not JSON,
    ``(number, owner, Diagnostic or fields)``, or, for the usual response, one flat tuple with
    ``submitted_at`` as its seven date and time numbers and its zone. A datetime pickles about
    four times slower than these numbers (the whole line 0.3 µs against 1.4 µs to pickle,
    0.5 against 0.9 to unpickle; bench_adherence's lines, 2026-12-05)."""
    if type(found) is not tuple:
        return number, found
    owner, fields = found
    if type(fields) is tuple:
        at = fields[4]
        zone = at.tzinfo
        if type(zone) is dt.timezone:
            return (
                number, owner, fields[0], fields[1], fields[2], fields[3], at.year, at.month,
                at.day, at.hour, at.minute, at.second, at.microsecond, _ZONES.setdefault(zone, zone),
                *fields[5:],
            )  # fmt: skip
    return number, owner, fields


#: One object per UTC offset, so that a block's pickle holds each zone once (a pickle writes
#: an object it has already written as a reference to it).
_ZONES: dict[dt.timezone, dt.timezone] = {}


def _from_wire(row: Wire, base: int) -> tuple[int, LineRead]:
    """A line from a worker as :func:`read_line` gave it there, numbered in the file."""
    if len(row) > 3:
        fields = (*row[2:6], dt.datetime(*row[6:14]), *row[14:])
        return base + row[0], (row[1], fields)
    if len(row) == 2:
        problem = cast(Diagnostic, row[1])
        return base + row[0], problem.with_location(line=cast(int, problem.line) + base)
    number, owner, fields = row
    if type(fields) is not tuple:
        problem = cast(Diagnostic, fields)
        return base + number, (owner, problem.with_location(line=cast(int, problem.line) + base))
    return base + number, (owner, fields)


def read_lines(path: str | Path, jobs: int | None = None) -> Iterator[tuple[int, LineRead]]:
    """``(line number, read_line's result)`` for each line of a JSON Lines file that is not
    blank, in file order.

    ``jobs``: how many processes read (None: every core, when the file is a regular file of
    at least :data:`PARALLEL_MIN` bytes and this process may fork, see
    ``worksheetkit._workers.can_fork``; 1: this process alone). With more than one, ``jobs - 1``
    forked workers parse and check blocks of lines while this process uses them (the caller
    scores them): the same results in the same order. Raises ``OSError`` when the file cannot
    be opened, and ``ReadingStopped`` when a worker died before it was done.
    """
    name = str(path)
    with open(path, "rb") as fh:
        info = os.fstat(fh.fileno())
        workers = (default_jobs() if jobs is None else jobs) - 1
        if (
            workers < 1
            or not stat.S_ISREG(info.st_mode)
            or (jobs is None and info.st_size < PARALLEL_MIN)
            or not can_fork()
        ):
            for number, raw in enumerate(fh, start=1):
                found = read_line(raw, number, name)
                if found is not None:
                    yield number, found
            return
        fd = fh.fileno()
        blocks = -(-info.st_size // BLOCK)
        base = 0
        for count, rows in in_order(
            lambda index: _block(fd, index, name), blocks, workers, "the responses", ahead=0
        ):
            for row in rows:
                yield _from_wire(row, base)
            base += count
            del rows  # not held while the next block is received


def has_answer(answers: Mapping[str, Any]) -> bool:
    """True when at least one answer is given (not null, "", [] or {})."""
    for value in answers.values():
        if value is None or value == "":
            continue
        if type(value) in (list, dict) and not value:
            continue
        return True
    return False


class RawResponse:
    """The fields adherence reads from one response, checked but not yet matched.

    A plain slotted class, not a frozen dataclass: one is built per line of a big file. The
    fields a :class:`~worksheetkit.progress.SubmissionRecord` has are held in ``draft``, that
    record's fast builder (``_core._NewSubmission``) with a fraction still to be set: the
    reader finishes it with :meth:`submission` instead of copying thirteen fields into a new
    one (about 0.4 µs per response of bench_adherence, 2026-12-05).
    """

    __slots__ = ("answers", "assignment", "draft")

    def __init__(self, line: int, fields: Fields) -> None:
        """``fields``: what :func:`response_fields` read from the response."""
        (
            assignment, worksheet, step, occurrence, submitted_at, answers, quality,
            difficulty, obstacles, obstacle_kind, obstacle_note, id,
        ) = fields  # fmt: skip
        self.assignment = assignment
        self.answers = answers
        # has_answer(answers), inline: the first value usually settles it.
        answered = False
        for value in answers.values():
            if value is None or value == "" or (type(value) in (list, dict) and not value):
                continue
            answered = True
            break
        self.draft: Any = _NewSubmission(
            submitted_at, 0.0, occurrence, step, worksheet, quality, difficulty, obstacles,
            obstacle_kind, obstacle_note, answered, line, id,
        )  # fmt: skip

    def submission(self, fraction: float) -> SubmissionRecord:
        """The submission of this response with ``fraction`` done: the draft itself, finished,
        the first time; a new record from its fields after that."""
        draft = self.draft
        if type(draft) is _NewSubmission:
            draft.fraction = fraction
            draft.__class__ = SubmissionRecord  # type: ignore[assignment]
            return cast(SubmissionRecord, draft)
        return make_submission(
            draft.submitted_at, fraction, draft.occurrence, draft.step, draft.worksheet,
            draft.quality, draft.difficulty, draft.obstacles, draft.obstacle_kind,
            draft.obstacle_note, draft.answered, draft.index, draft.id,
        )  # fmt: skip

    @property
    def line(self) -> int:
        return cast(int, self.draft.index)

    @property
    def worksheet(self) -> str | None:
        return cast("str | None", self.draft.worksheet)

    @property
    def step(self) -> str | None:
        return cast("str | None", self.draft.step)

    @property
    def occurrence(self) -> str | None:
        return cast("str | None", self.draft.occurrence)

    @property
    def submitted_at(self) -> dt.datetime:
        return cast(dt.datetime, self.draft.submitted_at)

    @property
    def quality(self) -> float | None:
        return cast("float | None", self.draft.quality)

    @property
    def difficulty(self) -> float | None:
        return cast("float | None", self.draft.difficulty)

    @property
    def obstacles(self) -> float | None:
        return cast("float | None", self.draft.obstacles)

    @property
    def obstacle_kind(self) -> Any:
        return self.draft.obstacle_kind

    @property
    def obstacle_note(self) -> str | None:
        return cast("str | None", self.draft.obstacle_note)

    @property
    def id(self) -> str | None:
        return cast("str | None", self.draft.id)

    @property
    def answered(self) -> bool:
        return cast(bool, self.draft.answered)


def _problem(
    code: str, message: str, hint: str, file: str | None, line: int | None, path: DocPath
) -> Diagnostic:
    return Diagnostic(
        code, message, hint=hint, file=file, line=line, column=1 if line else None, path=path
    )


def _is_map(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def read_response(
    data: Any, *, line: int | None = None, file: str | None = None
) -> RawResponse | Diagnostic:
    """The fields adherence needs, read by the one envelope reader every path shares
    (model/envelope.py: same codes, same timestamp grammar as ``validate_response``); a
    Diagnostic (never quoting values) when the envelope has an error or no ``submitted_at``.
    """
    fields = response_fields(data, line, file)
    if type(fields) is not tuple:
        return cast(Diagnostic, fields)
    return RawResponse(line or 0, fields)


def response_fields(data: Any, line: int | None, file: str | None) -> Fields | Diagnostic:
    """What :class:`RawResponse` is made of, as a tuple of plain values (a worker reading
    lines sends these: a tuple pickles several times faster than an object), or the
    Diagnostic of a response that cannot be counted (see :func:`read_response`)."""
    if type(data) is not dict:
        if not isinstance(data, Mapping):
            return _problem(
                ENVELOPE,
                "This line is not a response (a JSON object was expected); it was not counted.",
                "Write one response object per line.",
                file,
                line,
                (),
            )
        data = dict(data)
    found: list[Diagnostic] = []
    times = check_envelope(data, found)
    for problem in found:  # usually none
        if problem.severity == "error":
            return _problem(
                problem.code,
                problem.message + " The response was not counted.",
                problem.hint or "Fix the value in the app that wrote this response.",
                file,
                line,
                problem.path,
            )
    submitted = times.get("submitted_at")
    if submitted is None:
        return _problem(
            NO_SUBMITTED_AT,
            "This response has no submission time, so it cannot be placed in the schedule; "
            "it was not counted.",
            'Add "submitted_at" with a date, time and UTC offset.',
            file,
            line,
            ("submitted_at",),
        )
    get = data.get
    answers = get("answers") or {}
    quality = difficulty = obstacles = None
    ratings = get("ratings")
    if ratings:  # checked: each a number from 0 to 4, or null
        value = ratings.get("quality")
        quality = None if value is None else float(value)
        value = ratings.get("difficulty")
        difficulty = None if value is None else float(value)
        value = ratings.get("obstacles")
        obstacles = None if value is None else float(value)
    obstacle = get("obstacle")
    kind_o: Any = None
    note: str | None = None
    if obstacle is not None:
        kind_o = obstacle.get("kind")
        note = obstacle.get("note")
    return (
        get("assignment"), get("worksheet"), get("step"), get("occurrence"), submitted,
        answers, quality, difficulty, obstacles, kind_o, note, get("id"),
    )  # fmt: skip


def from_model(response: Any) -> dict[str, Any]:
    """A Response model (or anything with ``model_dump``) as plain JSON data."""
    dumped: dict[str, Any] = response.model_dump(mode="json", exclude_none=True, by_alias=True)
    return dumped


def iter_raw(
    source: str | Path | Iterable[Any],
    locations: tuple[str, Sequence[int]] | None = None,
    jobs: int | None = None,
) -> Iterator[RawResponse | Diagnostic]:
    """Responses from a JSONL path (read by :func:`read_lines` with ``jobs``), or from an
    iterable of Response models / dicts (``locations``: the file and line number of each
    dict, when they came from a file)."""
    if isinstance(source, str | Path):
        for number, found in read_lines(source, jobs):
            if type(found) is tuple:
                fields = found[1]
                yield (
                    RawResponse(number, fields)
                    if type(fields) is tuple
                    else cast(Diagnostic, fields)
                )
            else:
                yield cast(Diagnostic, found)
        return
    for index, item in enumerate(source, start=1):
        data = item if _is_map(item) else from_model(item)
        if locations is not None:
            yield read_response(data, line=locations[1][index - 1], file=locations[0])
            continue
        result = read_response(data, line=index, file=None)
        if isinstance(result, Diagnostic):
            # No file: the location is the response's place in the list (line: 1-based,
            # path: the list index).
            result = Diagnostic(
                result.code,
                result.message,
                result.severity,
                result.hint,
                None,
                None,
                None,
                (index - 1, *result.path),
            )
        yield result

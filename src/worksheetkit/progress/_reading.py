"""Reading responses for adherence: JSON Lines streamed one line at a time, lean field checks.

A bad line becomes a :class:`Diagnostic` with ``file:line`` and the rest is still read. Messages
never quote a line's content (answers are health data). The checks here are only those adherence
needs (times, occurrence, ratings, obstacle); validating answers is ``validate_response``'s job.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._dates import MAX_DATE, MIN_DATE, date_problem
from ..errors import Diagnostic
from ..loading.strictjson import JSONProblem, StrictDecoder

_STRICT = StrictDecoder()

# Codes of this package (the WK7xx range).
BAD_JSON = "WK701"
BAD_FIELD = "WK702"
NO_SUBMITTED_AT = "WK703"
UNKNOWN_OCCURRENCE = "WK704"
NO_WORKSHEET = "WK705"
OTHER_ASSIGNMENT = "WK706"
NOT_GROUPED = "WK707"
NO_SCHEDULE = "WK708"
TOO_MANY_UNMATCHED = "WK414"


def loads_line(raw: bytes) -> Any:
    """One line's JSON value, read strictly (duplicate keys, NaN/Infinity and too deep nesting
    refused with a :class:`~worksheetkit.loading.strictjson.JSONProblem`, a ValueError)."""
    return _STRICT.loads(raw.decode("utf-8"))


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
        path=exc.path or "$",
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

    A plain slotted class, not a frozen dataclass: one is built per line of a big file.
    """

    __slots__ = (
        "answered",
        "answers",
        "assignment",
        "difficulty",
        "id",
        "line",
        "obstacle_kind",
        "obstacle_note",
        "obstacles",
        "occurrence",
        "quality",
        "step",
        "submitted_at",
        "worksheet",
    )

    def __init__(
        self,
        line: int,
        assignment: str | None,
        worksheet: str | None,
        step: str | None,
        occurrence: str | None,
        submitted_at: dt.datetime,
        answers: Mapping[str, Any],
        quality: float | None,
        difficulty: float | None,
        obstacles: float | None,
        obstacle_kind: Any,
        obstacle_note: str | None,
        id: str | None,
    ) -> None:
        self.line = line
        self.assignment = assignment
        self.worksheet = worksheet
        self.step = step
        self.occurrence = occurrence
        self.submitted_at = submitted_at
        self.answers = answers
        self.quality = quality
        self.difficulty = difficulty
        self.obstacles = obstacles
        self.obstacle_kind = obstacle_kind
        self.obstacle_note = obstacle_note
        self.id = id
        # has_answer(answers), inline: the first value usually settles it.
        answered = False
        for value in answers.values():
            if value is None or value == "" or (type(value) in (list, dict) and not value):
                continue
            answered = True
            break
        self.answered = answered


def _problem(
    code: str, message: str, hint: str, file: str | None, line: int | None, path: str
) -> Diagnostic:
    return Diagnostic(
        code, message, hint=hint, file=file, line=line, column=1 if line else None, path=path
    )


def _is_map(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or type(value) is str:
        return value
    raise _FieldError(key, "text")


class _FieldError(Exception):
    def __init__(self, path: str, expected: str) -> None:
        super().__init__(path)
        self.path = path
        self.expected = expected


def _rating(ratings: Mapping[str, Any], key: str) -> float | None:
    value = ratings.get(key)
    if value is None:
        return None
    if type(value) is int and 0 <= value <= 4:  # the common case, fast
        return float(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 4
    ):
        raise _FieldError(f"ratings/{key}", "a number from 0 to 4")
    return float(value)


def parse_time(value: Any) -> dt.datetime | None:
    """An aware datetime from ISO 8601 text (``Z`` allowed); None when it is not one."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else None
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _text_fields(**fields: Any) -> None:
    for key, value in fields.items():
        if value is not None and type(value) is not str:
            raise _FieldError(key, "text")


_fromisoformat = dt.datetime.fromisoformat
_FIRST_YEAR, _LAST_YEAR = MIN_DATE.year, MAX_DATE.year
_IN_RANGE = f"a date and time from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}"


def read_response(
    data: Any, *, line: int | None = None, file: str | None = None
) -> RawResponse | Diagnostic:
    """Check the fields adherence needs; a Diagnostic (never quoting values) when one is bad.

    Called once per line of a big file: the common case (plain dicts, exact types) is tested
    first and inline; anything unusual goes through the general checks.
    """
    if type(data) is not dict and not isinstance(data, Mapping):
        return _problem(
            BAD_FIELD,
            "This line is not a response (a JSON object was expected).",
            "Write one response object per line.",
            file,
            line,
            "",
        )
    get = data.get
    try:
        if get("kind", "response") != "response":
            return _problem(
                BAD_FIELD,
                "This document is not a response (its kind is different).",
                'Only documents with "kind": "response" belong in this file.',
                file,
                line,
                "/kind",
            )
        raw_time = get("submitted_at")
        if raw_time is None:
            return _problem(
                NO_SUBMITTED_AT,
                "This response has no submission time, so it cannot be placed in the schedule; "
                "it was not counted.",
                'Add "submitted_at" with a date, time and UTC offset.',
                file,
                line,
                "/submitted_at",
            )
        submitted: dt.datetime | None
        if type(raw_time) is str and len(raw_time) <= 64:
            try:
                submitted = _fromisoformat(raw_time)
            except ValueError:
                submitted = None
            else:
                if submitted.tzinfo is None:
                    submitted = None
        else:
            submitted = parse_time(raw_time)
        if submitted is None:
            raise _FieldError("submitted_at", "a date and time with a UTC offset (ISO 8601)")
        # The year test is the fast path (once per line); date_problem is the rule.
        if not _FIRST_YEAR < submitted.year < _LAST_YEAR and date_problem(submitted):
            raise _FieldError("submitted_at", _IN_RANGE)
        answers = get("answers")
        if answers is None:
            answers = {}
        elif type(answers) is not dict and not isinstance(answers, Mapping):
            raise _FieldError("answers", "an object of answers")
        quality = difficulty = obstacles = None
        ratings = get("ratings")
        if ratings:
            if type(ratings) is not dict and not isinstance(ratings, Mapping):
                raise _FieldError("ratings", "an object of ratings")
            value = ratings.get("quality")
            if value is not None:
                quality = (
                    float(value)
                    if type(value) is int and 0 <= value <= 4
                    else _rating(ratings, "quality")
                )
            value = ratings.get("difficulty")
            if value is not None:
                difficulty = (
                    float(value)
                    if type(value) is int and 0 <= value <= 4
                    else _rating(ratings, "difficulty")
                )
            value = ratings.get("obstacles")
            if value is not None:
                obstacles = (
                    float(value)
                    if type(value) is int and 0 <= value <= 4
                    else _rating(ratings, "obstacles")
                )
        obstacle = get("obstacle")
        kind_o: Any = None
        note: str | None = None
        if obstacle is not None:
            if not _is_map(obstacle):
                raise _FieldError("obstacle", "an object with a kind")
            kind_o = obstacle.get("kind")
            if kind_o not in ("external", "internal"):
                raise _FieldError("obstacle/kind", "external or internal")
            note = _opt_str(obstacle, "note")
        occurrence = get("occurrence")
        if occurrence is not None and type(occurrence) is not str:
            raise _FieldError("occurrence", "an occurrence id or a scheduled start time")
        assignment = get("assignment")
        worksheet = get("worksheet")
        step = get("step")
        ident = get("id")
        if not (
            (assignment is None or type(assignment) is str)
            and (worksheet is None or type(worksheet) is str)
            and (step is None or type(step) is str)
            and (ident is None or type(ident) is str)
        ):
            _text_fields(assignment=assignment, worksheet=worksheet, step=step, id=ident)
        return RawResponse(
            line or 0, assignment, worksheet, step, occurrence, submitted, answers,
            quality, difficulty, obstacles, kind_o, note, ident,
        )  # fmt: skip
    except _FieldError as exc:
        return _problem(
            BAD_FIELD,
            f"The field '{exc.path}' of this response is not {exc.expected}; "
            "the response was not counted.",
            "Fix the value in the app that wrote this response.",
            file,
            line,
            "/" + exc.path,
        )


def from_model(response: Any) -> dict[str, Any]:
    """A Response model (or anything with ``model_dump``) as plain JSON data."""
    dumped: dict[str, Any] = response.model_dump(mode="json", exclude_none=True, by_alias=True)
    return dumped


def iter_raw(
    source: str | Path | Iterable[Any],
    locations: tuple[str, Sequence[int]] | None = None,
) -> Iterator[RawResponse | Diagnostic]:
    """Responses from a JSONL path, or from an iterable of Response models / dicts
    (``locations``: the file and line number of each dict, when they came from a file)."""
    if isinstance(source, str | Path):
        name = str(source)
        for number, value in iter_jsonl(source):
            if isinstance(value, Diagnostic):
                yield value
            else:
                yield read_response(value, line=number, file=name)
        return
    for index, item in enumerate(source, start=1):
        data = item if _is_map(item) else from_model(item)
        if locations is not None:
            yield read_response(data, line=locations[1][index - 1], file=locations[0])
            continue
        result = read_response(data, line=index, file=None)
        if isinstance(result, Diagnostic):
            # No file: the location is the response's position in the list (1-based).
            result = Diagnostic(
                result.code,
                result.message,
                result.severity,
                result.hint,
                None,
                None,
                None,
                f"[{index}]{result.path}",
            )
        yield result

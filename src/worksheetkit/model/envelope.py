"""The one reader of a response's envelope: every key around the answers, one code per fault.

``check_envelope`` checks ``worksheetkit``, ``kind``, ``id``, ``worksheet``, ``version``,
``assignment``, ``step``, ``occurrence``, ``started_at``, ``submitted_at``, ``answers`` (that it
is an object; the answers themselves are checked against the worksheet by
``validate_response``), ``ratings``, ``obstacle``, ``language`` and ``meta``, and returns the
two timestamps it read. Every reader of a response uses it — ``validate_response`` and
``check-response``, ``worksheetkit validate`` on response files, the ``Response`` model and
adherence (``score``) — so one fault gets one code (WK411; WK410 for another worksheet or
version) and one timestamp grammar (:data:`worksheetkit._dates.TIMESTAMP_PATTERN`) everywhere.
The per-worksheet JSON Schema (responses/schema.py) states the same rules. Messages never quote
a value: they name the key and the rule.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from .._dates import (
    MAX_DATE,
    MIN_DATE,
    TIMESTAMP_MAX_LENGTH,
    is_timestamp,
    parse_timestamp,
    timestamp_datetime,
    timestamp_later,
)
from ..codes import Code
from ..errors import Diagnostic, DocPath, Severity
from .text import LANGUAGE_PATTERN
from .values import finite, named, redacted_value, segment, shorten

if TYPE_CHECKING:
    from .documents import Worksheet

__all__ = [
    "ENVELOPE_KEYS",
    "ITEM_ID_PATTERN",
    "LANG_PATTERN",
    "MAX_FIELD",
    "MAX_NOTE",
    "REF_PATTERN",
    "SEMVER_PATTERN",
    "check_envelope",
    "envelope_problems",
    "valid_ref",
]

SEMVER_PATTERN: Final = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$"
REF_PATTERN: Final = r"^[a-z0-9][a-z0-9_.-]*(@\d+(\.\d+){0,2})?$"
ITEM_ID_PATTERN: Final = r"^[a-z_][a-z0-9_]*$"
LANG_PATTERN: Final = LANGUAGE_PATTERN
#: Free-text fields of the response itself (ids, occurrence) are at most this long.
MAX_FIELD: Final = 256
MAX_NOTE: Final = 2000

_SEMVER: Final = re.compile(SEMVER_PATTERN, re.ASCII)
_REF: Final = re.compile(REF_PATTERN, re.ASCII)
_ITEM_ID: Final = re.compile(ITEM_ID_PATTERN, re.ASCII)
_LANG: Final = re.compile(LANG_PATTERN, re.ASCII)
#: Every key a response may have, in the order diagnostics about them are listed.
ENVELOPE_KEYS: Final = (
    "worksheetkit",
    "kind",
    "id",
    "worksheet",
    "version",
    "assignment",
    "step",
    "occurrence",
    "started_at",
    "submitted_at",
    "answers",
    "ratings",
    "obstacle",
    "language",
    "meta",
)
_KNOWN: Final = frozenset(ENVELOPE_KEYS)
#: The keys nearly every response has or may well have; check_envelope looks up the others
#: (version, step, started_at, language, obstacle, meta) only when a response has a key
#: outside this set.
_USUAL: Final = frozenset(
    ("worksheetkit", "kind", "id", "worksheet", "assignment", "occurrence", "submitted_at",
     "answers", "ratings")
)  # fmt: skip


# Responses of one app repeat the same few worksheet references, versions, steps and languages
# line after line (a stream of thousands): each distinct text is matched once.
@lru_cache(maxsize=1024)
def _matches(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.fullmatch(text) is not None


#: Marks a key the response does not have (``data.get(key, _ABSENT)``).
_ABSENT: Final = object()
_RATINGS: Final = ("difficulty", "obstacles", "quality")
_RATING_KEYS: Final = frozenset(_RATINGS)
_TIMES: Final = ("started_at", "submitted_at")


def _shape(
    out: list[Diagnostic], message: str, hint: str, path: DocPath, severity: Severity = "error"
) -> None:
    out.append(
        Diagnostic(code=Code.WK411, message=message, severity=severity, hint=hint, path=path)
    )


def _text_field(out: list[Diagnostic], value: Any, key: str, limit: int) -> None:
    if value is None or (type(value) is str and 0 < len(value) <= limit):
        return
    _shape(
        out,
        f"'{key}' should be text of 1 to {limit} characters"
        + (f", but it is {redacted_value(value)}." if type(value) is not str else "."),
        f"Write '{key}' as a short text, or leave it out.",
        (key,),
    )


def _rating_number(value: Any) -> float | None:
    if type(value) is int and 0 <= value <= 4:  # the common case, first
        return float(value)
    number = finite(value)
    return number if number is not None and 0 <= number <= 4 else None


def check_envelope(
    data: dict[Any, Any],
    out: list[Diagnostic],
    worksheet: Worksheet | None = None,
    *,
    read_times: bool = True,
) -> dict[str, dt.datetime]:
    """Append every problem of the response ``data``'s envelope to ``out``; return the
    timestamps that were read (``started_at``, ``submitted_at``), as aware datetimes — or
    nothing with ``read_times=False`` (a validator needs the verdict alone: no datetime is
    then built where the two timestamps can be ordered by their text).

    With ``worksheet``, the response's ``worksheet`` and ``version`` are also compared with it
    (WK410) and hints name its id. ``meta`` is the app's own object: any JSON, never looked
    into. In paths, a key that is not a plain name is named by its position (``#3``).
    """
    # Each key is read once (``get`` with a marker for "absent"), and a valid value passes its
    # test with no call; the diagnostics are built only where a test fails, in the order
    # ENVELOPE_KEYS lists the keys. Buys about 0.3 of the adherence bench's units (one
    # ``json.loads`` of a line) over testing membership and reading each key again
    # (bench_adherence, 2026-12-04).
    get = data.get
    fmt = get("worksheetkit", _ABSENT)
    kind = get("kind", _ABSENT)
    ref = get("worksheet", _ABSENT)
    # A response with no key beyond the usual ones (tested at once, as the test for unknown
    # keys was) has none of the rarer keys: they are not looked up. Six gets fewer, about
    # 0.2 µs per response (bench_adherence, 2026-12-05).
    if not _USUAL.issuperset(data):
        version, step, started = get("version"), get("step"), get("started_at")
        language, obstacle, meta = get("language"), get("obstacle"), get("meta")
        unknown = not _KNOWN.issuperset(data)
    else:
        version = step = started = language = obstacle = meta = None
        unknown = False
    if fmt is _ABSENT or kind is _ABSENT or ref is _ABSENT or unknown:
        _keys(out, data, worksheet.id if worksheet is not None else "the.worksheet.id")
    if fmt is not _ABSENT and not (fmt == 1 and type(fmt) in (int, float)):
        _shape(
            out,
            "'worksheetkit' should be 1 (the format version).",
            'Write "worksheetkit": 1.',
            ("worksheetkit",),
        )
    if kind is not _ABSENT and kind != "response":
        _shape(out, "'kind' should be \"response\" in a response.", 'Write "kind": "response".',
               ("kind",))  # fmt: skip
    if worksheet is not None:
        if type(ref) is str and (version is None or type(version) is str):
            out.extend(_references_of(worksheet.id, worksheet.version, ref, version))
        else:
            _references(out, ref, version, worksheet, worksheet.id)
    elif version is not None or not (
        ref is _ABSENT or (type(ref) is str and _GOOD_REFS.get(ref)) or valid_ref(ref)
    ):
        _references(out, ref, version, None, "the.worksheet.id")
    # The three short texts tested inline, the diagnostics only when one fails: a loop over
    # the keys cost about 0.3 µs of a valid response's checks (bench_adherence, 2026-12-05).
    ident, owner, occurrence = get("id"), get("assignment"), get("occurrence")
    if not (
        (ident is None or (type(ident) is str and 0 < len(ident) <= MAX_FIELD))
        and (owner is None or (type(owner) is str and 0 < len(owner) <= MAX_FIELD))
        and (occurrence is None or (type(occurrence) is str and 0 < len(occurrence) <= MAX_FIELD))
    ):
        for key, value in (("id", ident), ("assignment", owner), ("occurrence", occurrence)):
            if value is not None and not (type(value) is str and 0 < len(value) <= MAX_FIELD):
                _text_field(out, value, key, MAX_FIELD)
    if step is not None and (
        type(step) is not str or len(step) > 64 or not _matches(_ITEM_ID, step)
    ):
        _shape(out, "'step' should be the id of a pathway step.",
               'Write the step id, e.g. "practice".', ("step",))  # fmt: skip
    if started is not None and not is_timestamp(started):
        _time_problem(out, started, "started_at")
        started = None
    submitted = get("submitted_at")
    if submitted is not None and not is_timestamp(submitted):
        _time_problem(out, submitted, "submitted_at")
        submitted = None
    if started is not None and submitted is not None and timestamp_later(started, submitted):
        _shape(
            out,
            "'started_at' is later than 'submitted_at'.",
            "Check the device clock: a response is started before it is submitted.",
            ("started_at",),
            "warning",
        )
    if language is not None and (
        type(language) is not str or len(language) > 35 or not _matches(_LANG, language)
    ):
        _shape(out, "'language' should be a language code such as en or es.",
               'Write "language": "en".', ("language",))  # fmt: skip
    answers = get("answers", _ABSENT)
    if answers is not _ABSENT and type(answers) is not dict and not isinstance(answers, dict):
        _shape(
            out,
            f"'answers' should be a group of answers keyed by question id, but it is "
            f"{redacted_value(answers)}.",
            'Write "answers": {"question_id": answer, …}.',
            ("answers",),
        )
    ratings = get("ratings")
    if ratings is not None:
        _ratings(out, ratings)
    if obstacle is not None:
        _obstacle(out, obstacle)
    if meta is not None and not isinstance(meta, dict):
        _shape(
            out,
            "'meta' should be an object (the app's own fields).",
            'Write "meta": {"your_field": …}, or leave it out.',
            ("meta",),
        )
    if not read_times:
        return {}
    if started is None:  # the common case: the dict built at once
        return {} if submitted is None else {"submitted_at": timestamp_datetime(submitted)}
    times = {"started_at": timestamp_datetime(started)}
    if submitted is not None:
        times["submitted_at"] = timestamp_datetime(submitted)
    return times


def _time_problem(out: list[Diagnostic], value: Any, key: str) -> None:
    """Why a timestamp was refused: the range has its own sentence (when the form was right)."""
    problem = _range_problem(value, key)
    if problem is not None:
        _shape(out, problem, "Check the device clock that wrote the response.", (key,))
    else:
        _shape(
            out,
            f"'{key}' should be a date and time with its UTC offset, on a real calendar day.",
            f'Write it like "{key}": "2026-12-01T20:05:00+00:00".',
            (key,),
        )


def _keys(out: list[Diagnostic], data: dict[Any, Any], ws_id: str) -> None:
    """Keys a response may not have, then the required keys it lacks."""
    for position, key in enumerate(data, 1):
        if key not in _KNOWN:
            _shape(
                out,
                f"A response has no key {named(key, position)}.",
                "Allowed keys: "
                + ", ".join(ENVELOPE_KEYS)
                + ". Put the app's own fields in 'meta'.",
                (segment(key, position),),
            )
    for key in ("worksheetkit", "kind", "worksheet"):
        if key not in data:
            _shape(
                out,
                f"The key '{key}' is missing from the response.",
                {
                    "worksheetkit": 'Add "worksheetkit": 1.',
                    "kind": 'Add "kind": "response".',
                    "worksheet": f'Add "worksheet": "{ws_id}".',
                }[key],
                (),
            )


def _range_problem(value: Any, key: str) -> str | None:
    """The range sentence when ``value`` has the grammar's form but a year outside it."""
    if type(value) is not str or len(value) > TIMESTAMP_MAX_LENGTH or not value.isascii():
        return None
    year = value[:4]
    if not year.isdigit() or MIN_DATE.year <= int(year) <= MAX_DATE.year:
        return None
    if parse_timestamp("2000" + value[4:]) is None:  # the rest of it is wrong too
        return None
    return (
        f"'{key}' ({value[:10]}) is outside the dates worksheetkit accepts, "
        f"{MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}."
    )


class _Sheet(NamedTuple):
    """What the reference checks read of a worksheet."""

    id: str
    version: str


# An app sends the same worksheet reference and version in every response: the diagnostics of
# each pair are worked out once (about 0.9 µs of a valid response's 10–15 µs, 2026-12-04).
@lru_cache(maxsize=1024)
def _references_of(
    ws_id: str, ws_version: str, ref: str, version: str | None
) -> tuple[Diagnostic, ...]:
    out: list[Diagnostic] = []
    _references(out, ref, version, _Sheet(ws_id, ws_version), ws_id)
    return tuple(out)


def _references(
    out: list[Diagnostic], ref: Any, version: Any, ws: _Sheet | Worksheet | None, ws_id: str
) -> None:
    """The response's ``worksheet`` (``ref``, ``_ABSENT`` when missing) and ``version``."""
    if ref is not _ABSENT:
        _worksheet_ref(out, ref, ws, ws_id)
    if version is not None:
        if type(version) is not str or len(version) > 64 or not _matches(_SEMVER, version):
            _shape(
                out,
                "'version' should be a version number such as 1.0.0.",
                f'Write "version": "{ws.version if ws else "1.0.0"}".',
                ("version",),
            )
        elif ws is not None:
            _check_version(out, ws, version, ("version",), partial=False)


# The verdict of each worksheet reference seen, by its text (at most 1,024 kept; forgotten all
# at once past that). check_envelope reads it inline: a hit is one dict lookup where the call
# of valid_ref and its lru_cache cost about 0.25 µs per response (2026-12-05).
_GOOD_REFS: Final[dict[str, bool]] = {}


def valid_ref(ref: Any) -> bool:
    """Whether ``ref`` is a worksheet reference a response may carry (``id``, ``id@1.2``)."""
    if type(ref) is not str:
        return False
    verdict = _GOOD_REFS.get(ref)
    if verdict is None:
        verdict = len(ref) <= 160 and _REF.fullmatch(ref) is not None
        if len(_GOOD_REFS) >= 1024:
            _GOOD_REFS.clear()
        _GOOD_REFS[ref] = verdict
    return verdict


def _worksheet_ref(
    out: list[Diagnostic], ref: Any, ws: _Sheet | Worksheet | None, ws_id: str
) -> None:
    if not valid_ref(ref):
        _shape(
            out,
            "'worksheet' should be the worksheet's id, optionally with @version.",
            f'Write "worksheet": "{ws_id}".',
            ("worksheet",),
        )
        return
    if ws is None:
        return
    ident, _, declared = ref.partition("@")
    if ident != ws.id:
        out.append(
            Diagnostic(
                code=Code.WK410,
                message=f"This response is for the worksheet '{shorten(ident, 128)}', "
                f"but it is checked against '{ws.id}'.",
                hint="Check the response against the worksheet it was recorded for.",
                path=("worksheet",),
            )
        )
    elif declared:
        _check_version(out, ws, declared, ("worksheet",), partial=True)


def _check_version(
    out: list[Diagnostic], ws: _Sheet | Worksheet, declared: str, path: DocPath, *, partial: bool
) -> None:
    """``declared`` is the version the response was recorded against (maybe only ``1`` or
    ``1.2`` when it comes from ``worksheet: id@1``)."""
    have = ws.version.partition("-")[0].split(".")
    want = declared.partition("-")[0].split(".")
    if want[0] != have[0]:
        out.append(
            Diagnostic(
                code=Code.WK410,
                message=f"This response was recorded against version {declared} of the "
                f"worksheet, but is checked against version {ws.version} (a different major "
                "version).",
                hint=f"Check it against version {declared} of '{ws.id}' (with --pack, the "
                "pack's copy is used).",
                path=path,
            )
        )
    elif (partial and have[: len(want)] != want) or (not partial and declared != ws.version):
        out.append(
            Diagnostic(
                code=Code.WK410,
                message=f"This response was recorded against version {declared} of the "
                f"worksheet, but is checked against version {ws.version}.",
                severity="warning",
                hint="Minor versions should be compatible; check against the recorded version "
                "to be sure.",
                path=path,
            )
        )


def _ratings(out: list[Diagnostic], ratings: Any) -> None:
    if type(ratings) is not dict and not isinstance(ratings, dict):
        _shape(out, "'ratings' should be a group of ratings (difficulty, obstacles, quality).",
               'Write "ratings": {"difficulty": 2}.', ("ratings",))  # fmt: skip
        return
    # Every rating a whole number from 0 to 4, the common case: nothing to say. The keys are
    # tested at once (a frozenset's issuperset) and the loop reads the values alone: about
    # 0.1 µs less per response than testing each pair (bench_adherence, 2026-12-05).
    if _RATING_KEYS.issuperset(ratings):
        for value in ratings.values():
            if type(value) is not int or not 0 <= value <= 4:
                break
        else:
            return
    for position, (key, value) in enumerate(ratings.items(), 1):
        if type(value) is int and 0 <= value <= 4 and key in _RATINGS:
            continue
        if key not in _RATINGS:
            _shape(
                out,
                f"'ratings' has no rating {named(key, position)}.",
                "Ratings are: difficulty, obstacles, quality.",
                ("ratings", segment(key, position)),
            )
            continue
        if value is not None and _rating_number(value) is None:
            _shape(out, f"The rating '{key}' should be a number from 0 to 4.",
                   "Use the 0–4 scale.", ("ratings", key))  # fmt: skip


def _obstacle(out: list[Diagnostic], obstacle: Any) -> None:
    if not isinstance(obstacle, dict):
        _shape(out, "'obstacle' should be a group with 'kind' (external or internal).",
               'Write "obstacle": {"kind": "external"}.', ("obstacle",))  # fmt: skip
        return
    if obstacle.get("kind") not in ("external", "internal"):
        _shape(
            out,
            "'obstacle' needs a 'kind' of external or internal.",
            'Write "kind": "external" (or "internal").',
            ("obstacle", "kind") if "kind" in obstacle else ("obstacle",),
        )
    for position, key in enumerate(obstacle, 1):
        if key not in ("kind", "note"):
            _shape(
                out,
                f"'obstacle' has no key {named(key, position)}.",
                "Use kind and note.",
                ("obstacle", segment(key, position)),
            )
    note = obstacle.get("note")
    if note is not None and (type(note) is not str or len(note) > MAX_NOTE):
        _shape(out, f"The obstacle note should be text of at most {MAX_NOTE} characters.",
               "Shorten the note.", ("obstacle", "note"))  # fmt: skip


def envelope_problems(data: dict[Any, Any]) -> list[Diagnostic]:
    """The errors of ``data``'s envelope (warnings left out), for the ``Response`` model.

    Aware ``datetime`` values (a response built in Python) are read as their ISO text, and
    ``Ratings``/``Obstacle`` models as their fields.
    """
    data = dict(data)
    for key in _TIMES:
        value = data.get(key)
        if isinstance(value, dt.datetime):
            data[key] = value.isoformat()
    for key in ("ratings", "obstacle"):
        value = data.get(key)
        dump = getattr(value, "model_dump", None)
        if dump is not None:  # a Ratings or Obstacle model
            data[key] = dump(exclude_none=True)
    out: list[Diagnostic] = []
    check_envelope(data, out)
    return [d for d in out if d.severity == "error"]

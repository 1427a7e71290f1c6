"""Per-item answer checks: one small closure per item, built once per worksheet, never raising.

A check takes the raw (JSON-decoded) answer, its JSON pointer and a label for messages, appends
diagnostics to a list and returns the answer as expressions should see it: the value itself,
``MISSING`` (not answered: null, ``""``, ``[]``) or ``INVALID`` (wrong; expressions see null).
Messages name the item and the rule, never the answer's content.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, Final

from ..codes import Code
from ..errors import Diagnostic, DocPath, Severity
from ..model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    Likert,
    NumberItem,
    Ranking,
    Rating,
    TextItem,
    TimeItem,
    YesNo,
    duration_pattern,
    item_options,
)
from ..model import duration_seconds as _duration_seconds
from ..model.values import finite, redacted_value


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


MISSING: Final = _Sentinel("MISSING")
INVALID: Final = _Sentinel("INVALID")

#: A text answer to an item without ``max_length`` may be at most this long.
MAX_TEXT: Final = 100_000
#: A text answer checked against a ``pattern`` (and no ``max_length``) may be at most this long:
#: the regular expression only ever runs on bounded input.
MAX_PATTERN_TEXT: Final = 1_000
#: The text of an "Other" answer (``{"other": "…"}``) may be at most this long.
MAX_OTHER: Final = 500
#: A table may never have more rows than this, whatever ``max_rows`` says.
MAX_ROWS: Final = 1_000

Out = list[Diagnostic]
_EXACT: Final = 2**53
Check = Callable[[Any, DocPath, str, Out], Any]

_DATE: Final = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", re.ASCII)
_TIME: Final = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?", re.ASCII)
_DATETIME: Final = re.compile(
    r"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?"
    r"(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?",
    re.ASCII,
)
# Each part of a duration answer has at most six digits (model.durations is the grammar).
_DURATION_DIGITS: Final = r"\d{1,6}"
# JSON Schema spellings of the same rules (anchored; used by the per-worksheet schema).
DATE_PATTERN: Final = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
TIME_PATTERN: Final = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
DATETIME_PATTERN: Final = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d"
    r"(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$"
)
# Messages name a value's kind, never its content (one wording with the document loader).
describe = redacted_value
DURATION_PATTERN: Final = duration_pattern(_DURATION_DIGITS)


def num(x: float) -> str:
    """A number as people write it: 10, 2.5 (no trailing .0)."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:g}" if isinstance(x, float) else str(x)


def diag(
    out: Out, code: str, message: str, hint: str, path: DocPath, severity: Severity = "error"
) -> None:
    out.append(Diagnostic(code=code, message=message, severity=severity, hint=hint, path=path))


def key_of(value: Any) -> tuple[str, Any] | None:
    """How an option value is looked up: numbers by value (1 == 1.0), text exactly; a yes/no
    is never a number."""
    if type(value) is str:
        return ("s", value)
    number = finite(value)
    if number is not None:
        return ("n", number)
    return None


def duration_seconds(text: str) -> float | None:
    return _duration_seconds(text, _DURATION_DIGITS)


def _wrong_type(out: Out, path: DocPath, who: str, expected: str, value: Any) -> Any:
    diag(
        out,
        Code.WK401,
        f"The answer to {who} should be {expected}, but it is {describe(value)}.",
        f"Send {expected}, or null when the question was not answered.",
        path,
    )
    return INVALID


# -- text ---------------------------------------------------------------------------------------


def text_check(item: TextItem, pattern_message: str | None) -> Check:
    limit = item.max_length or (MAX_PATTERN_TEXT if item.pattern else MAX_TEXT)
    low = item.min_length or 0
    # RE2, linear in the answer; None for a pattern outside the dialect (WK217 at validate).
    compiled = None
    if item.pattern is not None:
        # Imported here: RE2 (2-3 ms to import) only for worksheets with a pattern.
        from .._patterns import compile_pattern

        compiled = compile_pattern(item.pattern)
    rule = pattern_message

    def check(value: Any, path: DocPath, who: str, out: Out) -> Any:
        if value is None:
            return MISSING
        if type(value) is not str:
            return _wrong_type(out, path, who, "text", value)
        if not value:
            return MISSING
        n = len(value)
        if n > limit:
            diag(
                out,
                Code.WK404,
                f"The answer to {who} is longer than {limit:,} characters.",
                "Shorten the answer.",
                path,
            )
            return INVALID  # never run a pattern on unbounded input
        if n < low:
            diag(
                out,
                Code.WK404,
                f"The answer to {who} is shorter than {low:,} characters.",
                "Write a little more.",
                path,
            )
            return INVALID
        if compiled is not None and not compiled.fullmatch(value):
            diag(
                out,
                Code.WK404,
                f"The answer to {who} does not have the expected form"
                + (f": {rule}" if rule else "."),
                rule or "Check the answer against the example in the question.",
                path,
            )
            return INVALID
        return value

    return check


# -- numbers ------------------------------------------------------------------------------------


def number_check(item: NumberItem | Rating) -> Check:
    low = None if item.min is None else float(item.min)
    high = None if item.max is None else float(item.max)
    step = None if item.step is None else float(item.step)
    base = low if low is not None else 0.0
    whole = isinstance(item, NumberItem) and item.integer

    def check(value: Any, path: DocPath, who: str, out: Out) -> Any:
        if value is None:
            return MISSING
        kind = type(value)
        if kind is int and -_EXACT <= value <= _EXACT:
            number: float | None = float(value)
        elif kind is float and value - value == 0.0:  # finite (NaN and ±inf give NaN)
            number = value
        else:
            number = finite(value)
        if number is None:
            if isinstance(value, int | float) and not isinstance(value, bool):
                diag(
                    out,
                    Code.WK401,
                    f"The answer to {who} is not a finite number.",
                    "Send an ordinary number (NaN, Infinity and numbers this large are not "
                    "accepted).",
                    path,
                )
                return INVALID
            return _wrong_type(out, path, who, "a number", value)
        if low is not None and number < low:
            diag(
                out,
                Code.WK403,
                f"The answer to {who} is below the lowest allowed value ({num(low)}).",
                f"Choose a value from {num(low)}"
                + (f" to {num(high)}." if high is not None else " upwards."),
                path,
            )
            return INVALID
        if high is not None and number > high:
            diag(
                out,
                Code.WK403,
                f"The answer to {who} is above the highest allowed value ({num(high)}).",
                (f"Choose a value from {num(low)} to " if low is not None else "Choose at most ")
                + f"{num(high)}.",
                path,
            )
            return INVALID
        if whole and not number.is_integer():
            diag(
                out,
                Code.WK403,
                f"The answer to {who} should be a whole number.",
                "Round the answer to a whole number.",
                path,
            )
            return INVALID
        if step is not None:
            quotient = (number - base) / step
            if abs(quotient - round(quotient)) > 1e-9 * max(1.0, abs(quotient)):
                diag(
                    out,
                    Code.WK403,
                    f"The answer to {who} is not on the scale: it moves in steps of {num(step)}"
                    f" from {num(base)}.",
                    f"Choose {num(base)}, {num(base + step)}, {num(base + 2 * step)}, …",
                    path,
                )
                return INVALID
        return value

    return check


def yesno_check(item: YesNo) -> Check:
    def check(value: Any, path: DocPath, who: str, out: Out) -> Any:
        if value is None:
            return MISSING
        if type(value) is bool:
            return value
        return _wrong_type(out, path, who, "true or false", value)

    return check


# -- dates and times ----------------------------------------------------------------------------


def _temporal(expected: str, example: str, valid: Callable[[str], bool]) -> Check:
    def check(value: Any, path: DocPath, who: str, out: Out) -> Any:
        if value is None:
            return MISSING
        if type(value) is not str:
            return _wrong_type(out, path, who, expected, value)
        if not value:
            return MISSING
        if len(value) > 64 or not valid(value):
            diag(
                out,
                Code.WK401,
                f"The answer to {who} should be {expected}, but it is not written as one.",
                f"Write it like {example}.",
                path,
            )
            return INVALID
        return value

    return check


def _valid_date(text: str) -> bool:
    if _DATE.fullmatch(text) is None:
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _valid_datetime(text: str) -> bool:
    m = _DATETIME.fullmatch(text)
    if m is None:
        return False
    try:
        dt.date.fromisoformat(m.group(1))
    except ValueError:
        return False
    return True


def date_check(item: DateItem) -> Check:
    return _temporal("a date", "2026-12-01", _valid_date)


def time_check(item: TimeItem) -> Check:
    return _temporal("a time of day", "20:30", lambda t: _TIME.fullmatch(t) is not None)


def datetime_check(item: DateTimeItem) -> Check:
    return _temporal("a date and time", "2026-12-01T20:30", _valid_datetime)


def duration_check(item: DurationItem) -> Check:
    base = _temporal("a duration", "PT20M (20 minutes)", lambda t: duration_seconds(t) is not None)
    low = duration_seconds(item.min) if item.min else None
    high = duration_seconds(item.max) if item.max else None
    if low is None and high is None:
        return base

    def check(value: Any, path: DocPath, who: str, out: Out) -> Any:
        result = base(value, path, who, out)
        if result is MISSING or result is INVALID:
            return result
        seconds = duration_seconds(result)
        assert seconds is not None
        if low is not None and seconds < low:
            diag(
                out,
                Code.WK403,
                f"The answer to {who} is shorter than the shortest allowed duration ({item.min}).",
                f"Choose at least {item.min}.",
                path,
            )
            return INVALID
        if high is not None and seconds > high:
            diag(
                out,
                Code.WK403,
                f"The answer to {who} is longer than the longest allowed duration ({item.max}).",
                f"Choose at most {item.max}.",
                path,
            )
            return INVALID
        return result

    return check


# -- options ------------------------------------------------------------------------------------


def option_keys(item: Any) -> dict[tuple[str, Any], Any]:
    return {k: o.value for o in item_options(item) if (k := key_of(o.value)) is not None}


def _other_text(value: dict[Any, Any], path: DocPath, who: str, out: Out) -> bool:
    """``{"other": "…"}``: exactly one key, non-empty text, at most MAX_OTHER characters."""
    text = value.get("other")
    if len(value) != 1 or type(text) is not str:
        diag(
            out,
            Code.WK405,
            f'The \'Other\' answer to {who} should be written as {{"other": "…"}} with text.',
            'Send {"other": "the client\'s words"} and nothing else in that object.',
            path,
        )
        return False
    if not text or len(text) > MAX_OTHER:
        diag(
            out,
            Code.WK404,
            f"The 'Other' answer to {who} is "
            + ("empty." if not text else f"longer than {MAX_OTHER} characters."),
            "Write a short description, or choose one of the options.",
            (*path, "other"),
        )
        return False
    return True


def _not_offered(out: Out, path: DocPath, who: str) -> None:
    diag(
        out,
        Code.WK405,
        f"The answer to {who} is an 'Other' answer, but this question offers no 'Other'.",
        "Choose one of the listed options.",
        path,
    )


def choice_check(item: Choice | Likert) -> Check:
    keys = option_keys(item)
    allow_other = isinstance(item, Choice) and item.other

    def check(value: Any, path: DocPath, who: str, out: Out) -> Any:
        if value is None:
            return MISSING
        if type(value) is dict:
            if not allow_other:
                _not_offered(out, path, who)
                return INVALID
            return value if _other_text(value, path, who, out) else INVALID
        if type(value) is bool or not isinstance(value, str | int | float):
            return _wrong_type(out, path, who, "one of the options", value)
        if value == "":
            return MISSING
        key = key_of(value)
        if key is None or key not in keys:
            diag(
                out,
                Code.WK405,
                f"The answer to {who} is not one of the options.",
                "Send the 'value' of one of the question's options"
                + (', or {"other": "…"}.' if allow_other else "."),
                path,
            )
            return INVALID
        return value

    return check


def checklist_check(item: Checklist) -> Check:
    keys = option_keys(item)
    allow_other = item.other
    exclusive = {
        k for o in item_options(item) if o.exclusive and (k := key_of(o.value)) is not None
    }
    most = len(keys) + (1 if allow_other else 0)
    low, high = item.min_selected, item.max_selected

    def check(value: Any, path: DocPath, who: str, out: Out) -> Any:
        if value is None:
            return MISSING
        if type(value) is not list:
            return _wrong_type(out, path, who, "a list of chosen options", value)
        if not value:
            return MISSING
        if len(value) > most:
            diag(
                out,
                Code.WK406,
                f"The answer to {who} chooses more options than the question has ({most}).",
                "Send each chosen option once.",
                path,
            )
            return INVALID
        ok = True
        seen: set[Any] = set()
        others = 0
        hit_exclusive = False
        for i, element in enumerate(value):
            where = (*path, i)
            if type(element) is dict:
                others += 1
                if not allow_other:
                    _not_offered(out, where, who)
                    ok = False
                elif others > 1:
                    diag(
                        out,
                        Code.WK405,
                        f"The answer to {who} has more than one 'Other' answer.",
                        "Put all the 'Other' text in one answer.",
                        where,
                    )
                    ok = False
                elif not _other_text(element, where, who, out):
                    ok = False
                continue
            key = key_of(element)
            if key is None or key not in keys:
                diag(
                    out,
                    Code.WK405,
                    f"Entry {i + 1} of the answer to {who} is not one of the options.",
                    "Send the 'value' of each chosen option.",
                    where,
                )
                ok = False
                continue
            if key in seen:
                diag(
                    out,
                    Code.WK405,
                    f"Entry {i + 1} of the answer to {who} chooses the same option twice.",
                    "Send each chosen option once.",
                    where,
                )
                ok = False
                continue
            seen.add(key)
            if key in exclusive:
                hit_exclusive = True
        if not ok:
            return INVALID
        count = len(value)
        if hit_exclusive and count > 1:
            diag(
                out,
                Code.WK406,
                f"The answer to {who} chooses a 'none of these'-style option together with others.",
                "Choose either that option alone, or the others.",
                path,
            )
            return INVALID
        if low is not None and count < low:
            diag(
                out,
                Code.WK406,
                f"The answer to {who} chooses {count} option"
                f"{'s' if count != 1 else ''}; at least {low} are asked for.",
                f"Choose at least {low}.",
                path,
            )
            return INVALID
        if high is not None and count > high:
            diag(
                out,
                Code.WK406,
                f"The answer to {who} chooses {count} options; at most {high} are allowed.",
                f"Choose at most {high}.",
                path,
            )
            return INVALID
        return value

    return check


def ranking_check(item: Ranking) -> Check:
    keys = option_keys(item)
    n = len(keys)

    def check(value: Any, path: DocPath, who: str, out: Out) -> Any:
        if value is None:
            return MISSING
        if type(value) is not list:
            return _wrong_type(out, path, who, "the options in order (a list)", value)
        if not value:
            return MISSING
        seen: set[Any] = set()
        if len(value) == n:
            for element in value:
                key = key_of(element)
                if key is None or key not in keys or key in seen:
                    break
                seen.add(key)
            else:
                return value
        diag(
            out,
            Code.WK412,
            f"The answer to {who} is not a complete ranking: it should list each of the "
            f"{n} options exactly once.",
            "Send every option's 'value', most important first, with none missing or repeated.",
            path,
        )
        return INVALID

    return check


# -- verdict memo -------------------------------------------------------------------------------

#: Verdicts remembered per question (clean ones only); past this, new values are checked.
MEMO_LIMIT: Final = 512
PLAIN: Final = frozenset({int, float, str, bool})
CLEAN: Final = 1
_UNANSWERED: Final = 2  # the check said MISSING ("")


def memoized(check: Check) -> Check:
    """``check``, remembering its clean verdicts on plain values (numbers, text, yes/no).

    Checks are pure functions of the answer, so the verdict of ``(type, value)`` — the type is
    part of it: ``True == 1 == 1.0`` in Python, not as answers — is looked up instead of
    recomputed. Only verdicts without a diagnostic are kept (a problem is worded by the check,
    every time), at most ``MEMO_LIMIT`` per question, and only where the check gives back the
    answer itself or MISSING. Used for every item but text (free text rarely repeats) and
    tables: a Likert or rating answer then costs one dict look-up instead of a check with
    ``key_of`` and ``finite`` (−3 µs on a PHQ-9 response; in a table, every cell of every row).
    """
    memo: dict[tuple[type, Any], int] = {}

    def remembered(value: Any, path: DocPath, who: str, out: Out) -> Any:
        kind = type(value)
        if kind not in PLAIN:
            return check(value, path, who, out)
        slot = (kind, value)
        verdict = memo.get(slot)
        if verdict is CLEAN:
            return value
        if verdict is _UNANSWERED:
            return MISSING
        mark = len(out)
        result = check(value, path, who, out)
        if len(out) == mark and len(memo) < MEMO_LIMIT:
            if result is value:
                memo[slot] = CLEAN
            elif result is MISSING:
                memo[slot] = _UNANSWERED
        return result

    remembered.memo = memo  # type: ignore[attr-defined]  # looked up inline by _compiled.py
    return remembered


CHECKS: Final[dict[type, Callable[[Any], Check]]] = {
    NumberItem: number_check,
    Rating: number_check,
    YesNo: yesno_check,
    DateItem: date_check,
    TimeItem: time_check,
    DateTimeItem: datetime_check,
    DurationItem: duration_check,
    Choice: choice_check,
    Likert: choice_check,
    Checklist: checklist_check,
    Ranking: ranking_check,
}

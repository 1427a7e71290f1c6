"""Reading responses fast (issue 18) without reading them differently: RawResponse holds its
submission's draft, finished once into the very record the plain constructor gives (a second
reading gets a record of its own); loads_line reads a line by pydantic-core only when the
strict reader would give the same value, and otherwise lets the strict reader say why."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sys
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from worksheetkit.loading.strictjson import JSONProblem
from worksheetkit.progress import SubmissionRecord, _reading
from worksheetkit.progress._reading import RawResponse, loads_line, read_response

LINE = {
    "worksheetkit": 1,
    "kind": "response",
    "worksheet": "physio.home-exercise-log",
    "assignment": "a-1",
    "step": "main",
    "occurrence": "main/2026-01-05T18:00",
    "submitted_at": "2026-01-05T18:35:00+00:00",
    "answers": {"sets": 3, "reps": 30},
    "ratings": {"quality": 3, "difficulty": 2, "obstacles": 1},
    "obstacle": {"kind": "internal", "note": "tired"},
    "id": "r-9",
}


def _plain(fraction: float) -> SubmissionRecord:
    return SubmissionRecord(
        submitted_at=dt.datetime(2026, 1, 5, 18, 35, tzinfo=dt.UTC),
        fraction=fraction,
        occurrence="main/2026-01-05T18:00",
        step="main",
        worksheet="physio.home-exercise-log",
        quality=3.0,
        difficulty=2.0,
        obstacles=1.0,
        obstacle_kind="internal",
        obstacle_note="tired",
        answered=True,
        index=7,
        id="r-9",
    )


def test_the_draft_becomes_the_plain_record() -> None:
    raw = read_response(LINE, line=7, file="x.jsonl")
    assert type(raw) is RawResponse
    assert (raw.assignment, raw.line, raw.answers) == ("a-1", 7, {"sets": 3, "reps": 30})
    sub = raw.submission(0.5)
    assert type(sub) is SubmissionRecord
    assert sub == _plain(0.5)
    assert [getattr(sub, f.name) for f in dataclasses.fields(sub)] == [
        getattr(_plain(0.5), f.name) for f in dataclasses.fields(sub)
    ]
    # The fields read through the response are the record's.
    assert (raw.submitted_at, raw.occurrence, raw.step, raw.worksheet) == (
        sub.submitted_at, sub.occurrence, sub.step, sub.worksheet,
    )  # fmt: skip
    assert (raw.quality, raw.difficulty, raw.obstacles, raw.id, raw.answered) == (
        3.0, 2.0, 1.0, "r-9", True,
    )  # fmt: skip
    assert (raw.obstacle_kind, raw.obstacle_note) == ("internal", "tired")


def test_a_second_reading_gets_its_own_record() -> None:
    raw = read_response(LINE, line=7)
    assert type(raw) is RawResponse
    first = raw.submission(1.0)
    second = raw.submission(0.25)
    assert first is not second
    assert first == _plain(1.0)  # unchanged by the second reading
    assert second == _plain(0.25)
    try:
        first.fraction = 0.0  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:  # pragma: no cover - the record must be frozen like any other
        raise AssertionError("a finished submission must be frozen")


# ---------------------------------------------------------------- loads_line's fast read


def _typed(value: Any) -> Any:
    """The value with every scalar's type kept (1, 1.0 and True differ; -0.0 is not 0.0)."""
    if type(value) is dict:
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    if type(value) is list:
        return ("list", [_typed(v) for v in value])
    if type(value) is float:
        return ("float", repr(value))
    return (type(value).__name__, value)


def _outcome(read: Any, raw: bytes) -> Any:
    try:
        return ("value", _typed(read(raw)))
    except JSONProblem as exc:
        return ("problem", exc.reason, exc.message, exc.hint, exc.line, exc.column, exc.path,
                exc.first)  # fmt: skip
    except ValueError as exc:
        return ("error", type(exc).__name__)


def _strict(raw: bytes) -> Any:
    """What loads_line was before the fast read: the strict reader alone."""
    return _reading._STRICT.loads(raw.decode("utf-8"))


def _same(raw: bytes) -> None:
    assert _outcome(loads_line, raw) == _outcome(_strict, raw)


keys = st.text(alphabet=st.sampled_from('ab9:"\\é \n\x00{}[],'), max_size=4)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.sampled_from('xy:"\\é\u2713 \t\n\x7f\x1f{}[],\ud83d'), max_size=6)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def lines(draw: st.DrawFn) -> bytes:
    """A JSON text as apps write it, maybe with a key written twice, a constant, a stray
    character, other spacing or escapes, or cut short."""
    value = draw(values)
    try:
        text = json.dumps(
            value,
            ensure_ascii=draw(st.booleans()),
            separators=draw(st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")])),
        )
    except UnicodeEncodeError:  # pragma: no cover
        text = "{}"
    edit = draw(st.integers(min_value=0, max_value=9))
    if edit == 1 and text.startswith("{") and len(text) > 2:  # the first key again
        match = re.match(r'\{\s*("(?:[^"\\]|\\.)*"\s*:\s*[^,}]*)', text)
        if match:
            text = "{" + match.group(1) + ", " + text[1:]
    elif edit == 2:
        text = text.replace("0", "NaN", 1)
    elif edit == 3:
        text = draw(st.sampled_from(["", " ", "\t", "\ufeff", "\x0c", "\xa0"])) + text
    elif edit == 4:
        text += draw(st.sampled_from(["", " x", "\r", ",", "}", "\x0b"]))
    elif edit == 5:
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    elif edit == 6:
        text = text.replace('"', "'", 1)
    raw = text.encode("utf-8", "surrogatepass")
    return raw + draw(st.sampled_from([b"\n", b"", b"\r\n"]))


@settings(max_examples=1500, deadline=None)
@given(lines())
@example(b'{"a": 1, "a": 2}\n')
@example(b'{"a": {"b": 1, "b": 1}}\n')
@example(b'[{"k": "v:w", "k": "v:w"}]\n')
@example(b'{"q\\u0039": 1, "q9": 2}\n')
@example(b'{"a": NaN}\n')
@example(b'{"a": 1e400, "b": -0.0, "c": 1E5, "d": -0}\n')
@example(b"\xef\xbb\xbf{}\n")
@example(b'"\xed\xa0\x80"\n')
@example(b"[" * 65 + b"]" * 65 + b"\n")
@example(b"[" * 64 + b"]" * 64 + b"\n")
@example(b'{"a": 01}\n')
@example(b'{"a": "tab\there"}\n')
@example(b"\x0c{}\n")
@example(b'["\\ud83dA", "\\udc00", "\\ud83d\\ud83d", "\\u00e9", "\\/", "\\ud83d\\ude00"]\n')
@example(b'{"a\\"": 1, "a\\"": 2}\n')
def test_fast_read_is_the_strict_read(raw: bytes) -> None:
    _same(raw)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=40))
def test_fast_read_is_the_strict_read_on_any_bytes(raw: bytes) -> None:
    _same(raw)


@settings(max_examples=300, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False), st.integers(-400, 400))
def test_numbers_read_the_same(number: Any, exponent: int) -> None:
    _same(f'{{"n": {number}}}\n'.encode())
    _same(f'{{"n": {number}e{exponent}}}\n'.encode())


def test_long_integers_follow_pythons_limit() -> None:
    digits = "7" * 5000
    _same(f'{{"n": {digits}}}\n'.encode())
    before = sys.get_int_max_str_digits()
    try:
        sys.set_int_max_str_digits(700)
        _same(f'{{"n": {"7" * 690}}}\n'.encode())
        _same(f'{{"n": {"7" * 710}}}\n'.encode())
    finally:
        sys.set_int_max_str_digits(before)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": 1, "b": {"c": "x:y"}}\n',
        b'{"a": "\\u00e9", "b": ["\\n"]}\n',
        b'{"a": 1, "a": 2}\n',
        b'{"a": "say \\"hi\\""}\n',
    ],
)
def test_which_reader_reads(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ordinary lines skip the strict reader (escapes too); a duplicate key and an escaped
    quote go to it."""
    calls: list[str] = []
    real = _reading._STRICT.loads

    def counted(text: str) -> Any:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(_reading._STRICT, "loads", counted)
    if b'"a": 2' in raw:
        with pytest.raises(JSONProblem) as caught:
            loads_line(raw)
        assert caught.value.reason == "duplicate"
        assert caught.value.first is not None  # both positions
    else:
        assert loads_line(raw) == json.loads(raw)
    assert len(calls) == (0 if b'"b"' in raw else 1)


@pytest.mark.parametrize(
    ("raw", "refused"),
    [
        (b'{"a": {"b": 1}, "c": [1]}\n', False),
        (b'{"a": {"b": {"c": 1}}}\n', True),
        (b'{"a": [[1]]}\n', True),
        (b"[[[]]]\n", True),
        (b'{"a": {"b": []}}\n', True),
    ],
)
def test_depth_at_a_small_limit(raw: bytes, refused: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast read skips counting brackets only for values nesting at most two levels: with
    a limit of two, a third level is still refused as the strict reader refuses it."""
    from worksheetkit.loading.strictjson import StrictDecoder

    monkeypatch.setattr(_reading, "_STRICT", StrictDecoder(max_depth=2))
    _same(raw)
    if refused:
        with pytest.raises(JSONProblem) as caught:
            loads_line(raw)
        assert caught.value.reason == "depth"
    else:
        assert loads_line(raw) == json.loads(raw)

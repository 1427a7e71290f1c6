"""Forms that round-trip: the no-JavaScript POST read back into a response document.

The HTML form (docs/rendering.md, "Without JavaScript") names its fields after the answers:
``situation``, ``symptoms[]``, ``emotions[0][intensity]``, ``emotions[0][tags][]`` and
``mood__other``. :func:`response_from_form` reads such a form (any multidict with
``getlist()``, or a list of ``(name, value)`` pairs) into the response document
``validate_response`` takes, reading each value as the browser runtime does. A value that does
not read as its question's type is kept as the text that was sent, so ``validate_response``
reports it; a field that is no question of the worksheet is left out and reported (``WK408``,
a warning naming the field, never its value).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

from .._text import number_text
from ..codes import Code
from ..errors import Diagnostic
from ..model import (
    Checklist,
    Choice,
    DurationItem,
    Likert,
    Media,
    Note,
    NumberItem,
    Ranking,
    Rating,
    Section,
    Table,
    TextItem,
    Worksheet,
    YesNo,
)

__all__ = ["OTHER", "FormData", "response_from_form", "response_from_form_with_diagnostics"]

OTHER = "__other__"
#: Rows of a table read from a form: the same bound as the response checks (MAX_ROWS).
MAX_FORM_ROWS = 1000
#: Fields read from one form at most; the rest are reported once (bounded work).
MAX_FORM_FIELDS = 100_000
_INT = re.compile(r"[+-]?\d{1,15}")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_CELL = re.compile(r"^([^\[\]]+)\[(\d{1,6})\]\[([^\[\]]+)\](\[\])?(__other)?$")


@runtime_checkable
class _MultiDict(Protocol):
    def getlist(self, key: Any) -> list[Any]: ...

    def keys(self) -> Iterable[Any]: ...


FormData = _MultiDict | Iterable[tuple[str, Any]]
"""What :func:`response_from_form` reads: Starlette's ``FormData``, werkzeug's ``MultiDict``,
Django's ``QueryDict`` (anything with ``getlist()`` and ``keys()``), or ``(name, value)``
pairs in the order the browser sent them."""


def _pairs(form: Any) -> list[tuple[str, str]]:
    """The form as (name, value) pairs in order; uploaded files are not answers."""
    out: list[tuple[str, str]] = []
    if isinstance(form, _MultiDict):
        seen: set[str] = set()
        for key in form.keys():  # noqa: SIM118 - a multidict, not a dict
            if key in seen:
                continue
            seen.add(key)
            out.extend((str(key), v) for v in form.getlist(key) if isinstance(v, str))
            if len(out) > MAX_FORM_FIELDS:
                break
    elif isinstance(form, Mapping):
        raise TypeError(
            "a plain dict holds one value per name; pass the framework's multidict "
            "(request.form / await request.form()) or a list of (name, value) pairs"
        )
    else:
        for pair in form:
            name, value = pair
            if isinstance(value, str):
                out.append((str(name), value))
            if len(out) > MAX_FORM_FIELDS:
                break
    return out


def _options(item: Any) -> dict[str, Any]:
    """An item's options by the text its form control sends."""
    from ._config import _options as view_options

    return {
        (o.value if isinstance(o.value, str) else number_text(o.value)): o.value
        for o in view_options(item)
    }


def number_from_text(text: str) -> int | float | str:
    """A number box's text as the browser runtime reads it (``Number(text)``); text that is no
    finite number is kept as it was sent."""
    s = text.strip()
    if _INT.fullmatch(s):
        return int(s)
    if _FLOAT.fullmatch(s):
        value = float(s)
        if math.isfinite(value):
            return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return text


def duration_text(minutes: float) -> str:
    """Minutes → ISO 8601, exactly as the runtime's ``durationText`` (``90`` → ``PT1H30M``)."""
    seconds = round(minutes * 60)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    out = "PT"
    if h:
        out += f"{h}H"
    if m:
        out += f"{m}M"
    if s or out == "PT":
        out += f"{s}S" if s else "0M"
    return out


class _Reader:
    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.fields: dict[str, Any] = {}
        self._walk(ws.items)

    def _walk(self, items: list[Any]) -> None:
        for item in items:
            if isinstance(item, Section):
                self._walk(item.items)
            elif isinstance(item, Note | Media) or getattr(item, "id", None) is None:
                continue
            else:
                self.fields[item.id] = item

    def scalar(self, spec: Any, values: list[str], other: str | None) -> Any:
        """One control set's answer, or None when unanswered (an empty field)."""
        if isinstance(spec, Checklist | Ranking):
            options = _options(spec)
            out: list[Any] = []
            for raw in values:
                if raw == OTHER and isinstance(spec, Checklist) and spec.other:
                    out.append({"other": (other or "").strip()})
                else:
                    out.append(options.get(raw, raw))
            return out or None
        present = [v for v in values if v != ""]
        if not present:
            return None
        if len(present) > 1:
            return present  # one question, several values: validate_response says so (WK401)
        raw = present[0]
        if isinstance(spec, Choice) and spec.other and raw == OTHER:
            return {"other": (other or "").strip()}
        if isinstance(spec, Choice | Likert):
            return _options(spec).get(raw, raw)
        if isinstance(spec, YesNo):
            return {"true": True, "false": False}.get(raw, raw)
        if isinstance(spec, NumberItem | Rating):
            return number_from_text(raw)
        if isinstance(spec, DurationItem):
            minutes = number_from_text(raw)
            if isinstance(minutes, int | float):
                return duration_text(minutes)
            return raw  # ISO 8601 text passes as it is; anything else is reported
        if isinstance(spec, TextItem):
            text = raw.replace("\r\n", "\n").replace("\r", "\n")
            return None if text.strip() == "" else text
        return raw  # date, time, datetime: the browser's ISO text

    def read(
        self, pairs: list[tuple[str, str]], ignore: frozenset[str]
    ) -> tuple[dict[str, Any], list[Diagnostic]]:
        plain: dict[str, list[str]] = {}
        cells: dict[str, dict[int, dict[str, list[str]]]] = {}
        unknown: list[str] = []
        for name, value in pairs:
            if name in ignore:
                continue
            base = name[:-2] if name.endswith("[]") else name
            if base in self.fields and not isinstance(self.fields[base], Table):
                plain.setdefault(name, []).append(value)
                continue
            if name.endswith("__other"):
                stem = name[: -len("__other")]
                if stem in self.fields:
                    plain.setdefault(name, []).append(value)
                    continue
            m = _CELL.match(name)
            if m:
                table = self.fields.get(m.group(1))
                row = int(m.group(2))
                col = m.group(3)
                if (
                    isinstance(table, Table)
                    and row < MAX_FORM_ROWS
                    and any(c.id == col for c in table.columns)
                ):
                    key = col + (m.group(4) or "") + (m.group(5) or "")
                    cells.setdefault(table.id, {}).setdefault(row, {}).setdefault(key, []).append(
                        value
                    )
                    continue
            if name not in unknown:
                unknown.append(name)
        answers: dict[str, Any] = {}
        for item_id, spec in self.fields.items():
            if isinstance(spec, Table):
                rows = self._table(spec, cells.get(item_id, {}))
                if rows:
                    answers[item_id] = rows
                continue
            many = isinstance(spec, Checklist | Ranking)
            values = plain.get(item_id + ("[]" if many else ""), [])
            others = plain.get(item_id + "__other")
            value = self.scalar(spec, values, others[0] if others else None)
            if value is not None:
                answers[item_id] = value
        diagnostics = [_unknown(name) for name in unknown[:100]]
        if len(unknown) > 100:
            diagnostics.append(
                Diagnostic(
                    code=Code.WK408,
                    message=f"{len(unknown) - 100} more form fields are no questions of this "
                    "worksheet; they were left out.",
                    severity="warning",
                    path=("answers",),
                )
            )
        return answers, diagnostics

    def _table(self, spec: Table, rows: dict[int, dict[str, list[str]]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for r in sorted(rows):
            fields = rows[r]
            row: dict[str, Any] = {}
            for col in spec.columns:
                many = isinstance(col, Checklist)
                values = fields.get(col.id + ("[]" if many else ""), [])
                others = fields.get(col.id + "__other")
                value = self.scalar(col, values, others[0] if others else None)
                if value is not None:
                    row[col.id] = value
            if row:  # a row left empty is no answer (as in the browser)
                out.append(row)
        return out


def _unknown(name: str) -> Diagnostic:
    shown = name if len(name) <= 80 else name[:77] + "..."
    return Diagnostic(
        code=Code.WK408,
        message=f"The form field {shown!r} is no question of this worksheet; it was left out.",
        hint="Pass the names your page adds itself (a CSRF token, a button) in ignore=.",
        severity="warning",
        path=("answers",),
    )


def _stamp(value: dt.datetime | None) -> str:
    moment = value or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise ValueError("submitted_at must be an aware datetime (e.g. datetime.now(UTC))")
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def response_from_form_with_diagnostics(
    worksheet: Worksheet,
    form: Any,
    *,
    submitted_at: dt.datetime | None = None,
    draft: bool = False,
    language: str | None = None,
    ignore: Iterable[str] = (),
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Like :func:`response_from_form`, and the warnings about what was left out: fields that
    are no question of the worksheet (``WK408``) and answers to questions their ``show_if``
    hides (``WK409``; the form without JavaScript shows every question, the script sends only
    the visible ones). Messages name fields and questions, never the values sent."""
    if not isinstance(worksheet, Worksheet):
        raise TypeError(f"response_from_form needs a Worksheet, not {type(worksheet).__name__}")
    pairs = _pairs(form)
    answers, diagnostics = _Reader(worksheet).read(pairs, frozenset(ignore))
    stamp = _stamp(submitted_at)
    response: dict[str, Any] = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": worksheet.id,
        "version": worksheet.version,
        "started_at": stamp,
    }
    if not draft:
        response["submitted_at"] = stamp
    response["answers"] = answers
    response["language"] = language or worksheet.language
    diagnostics.extend(_drop_hidden(worksheet, response))
    return response, diagnostics


def _drop_hidden(worksheet: Worksheet, response: dict[str, Any]) -> list[Diagnostic]:
    """Leave out the answers that ``show_if`` hides, as the browser runtime does."""
    from ..responses import validate_response

    dropped: list[Diagnostic] = []
    answers = response["answers"]
    for d in validate_response(worksheet, response):
        if d.code != Code.WK409:
            continue
        parts = d.path[1:]
        if len(parts) == 1 and parts[0] in answers:
            del answers[parts[0]]
        elif len(parts) == 3 and isinstance(answers.get(parts[0]), list):
            rows = answers[parts[0]]
            row = parts[1]
            if isinstance(row, int) and row < len(rows):
                rows[row].pop(parts[2], None)
        else:
            continue
        dropped.append(d)
    for table in {d.path[1] for d in dropped if len(d.path) == 4}:
        rows = [r for r in answers.get(table, []) if r]
        if rows:
            answers[table] = rows
        else:
            answers.pop(table, None)
    return dropped


def response_from_form(
    worksheet: Worksheet,
    form: Any,
    *,
    submitted_at: dt.datetime | None = None,
    draft: bool = False,
    language: str | None = None,
    ignore: Iterable[str] = (),
) -> dict[str, Any]:
    """The response document (the JSON shape ``validate_response`` takes) that a no-JavaScript
    POST of the worksheet's HTML form stands for.

    ``form``: the posted fields — a multidict with ``getlist()`` (Starlette ``FormData``,
    werkzeug ``MultiDict``, Django ``QueryDict``) or ``(name, value)`` pairs. Each value is
    read as the browser runtime reads it (numbers, ``true``/``false``, option values with
    their types, minutes → ISO 8601 durations, ``__other__`` with its text, table rows, the
    ranking's order); one that does not read is kept as the text sent, so
    ``validate_response`` reports it. Fields that are no question, and answers that
    ``show_if`` hides, are left out: :func:`response_from_form_with_diagnostics` says which.

    ``submitted_at`` (default: now, UTC) stamps ``started_at`` and ``submitted_at``; with
    ``draft=True`` there is no ``submitted_at``. ``ignore``: field names your page adds itself.
    """
    return response_from_form_with_diagnostics(
        worksheet,
        form,
        submitted_at=submitted_at,
        draft=draft,
        language=language,
        ignore=ignore,
    )[0]

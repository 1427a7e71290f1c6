"""The words a client sees for a problem the server found in their answers.

``validate_response`` and ``check_submission`` write diagnostics for clinicians and logs: they
name item ids (``The answer to 'q3' is not one of the options.``). Redisplayed beside the
questions (``render(..., diagnostics=...)`` and the runtime's ``showDiagnostics``) a client
reads the browser's own words instead, from the diagnostic's code and the question: "Enter a
number from 0 to 10: Hours slept". Both sides choose them by the same rules (this module and
``clientWords`` in assets/runtime.js; the browser suite compares their markup), in the form's
language. A problem that is not at a question gets one plain sentence in the summary; a
diagnostic whose code is not a worksheetkit code (``WK…``) is the app's own and is shown as
it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .._text import Localiser, number_text
from ..codes import Code
from ..model import Section, Table, Worksheet, display_label

__all__ = ["client_problems", "client_words"]

_GROUP = ("choice", "likert", "yesno", "checklist")
_NUMERIC = ("number", "rating", "duration")
_PLACE = re.compile(r"\{(\w+)\}")

Problem = tuple[str | None, int | None, str | None, str]


def _fmt(template: str, values: dict[str, Any]) -> str:
    """``template`` with ``{name}`` filled in as the runtime's ``fmt`` does (numbers as
    JavaScript writes them)."""

    def one(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            return match.group(0)
        value = values[match.group(1)]
        return number_text(value) if isinstance(value, int | float) else str(value)

    return _PLACE.sub(one, template)


def _bounded(ui: dict[str, str], label: str, low: Any, high: Any, keys: tuple[str, str]) -> str:
    if low is not None and high is None:
        return _fmt(ui[keys[0]], {"n": low, "label": label})
    if high is not None and low is None:
        return _fmt(ui[keys[1]], {"n": high, "label": label})
    return _fmt(ui["err_check"], {"label": label})


def client_words(code: str, spec: dict[str, Any], ui: dict[str, str]) -> str:
    """The client's words for a problem ``code`` at the question ``spec`` (the runtime's
    configuration of the item: ``type``, ``label`` and its constraints)."""
    kind, label = spec.get("type"), str(spec.get("label") or "")
    words = {"label": label}
    if code == Code.WK402:
        if kind == "table":
            return _fmt(ui["err_min_rows"], {"n": max(spec.get("min_rows") or 0, 1), **words})
        return _fmt(ui["err_required_choice" if kind in _GROUP else "err_required"], words)
    if kind in _NUMERIC:
        low, high = spec.get("min"), spec.get("max")
        if code == Code.WK403 and low is not None and high is not None:
            return _fmt(ui["err_range"], {"min": low, "max": high, **words})
        if code == Code.WK403:
            return _bounded(ui, label, low, high, ("err_min", "err_max"))
        return _fmt(ui["err_number"], words)
    if kind in ("date", "time") and code in (Code.WK401, Code.WK403):
        return _fmt(ui[f"err_{kind}"], words)
    if kind == "text" and code == Code.WK404 and "pattern" not in spec:
        return _bounded(
            ui, label, spec.get("min_length"), spec.get("max_length"),
            ("err_min_length", "err_max_length"),
        )  # fmt: skip
    if (
        kind == "text"
        and code == Code.WK404
        and "min_length" not in spec
        and "max_length" not in spec
    ):
        return _fmt(ui["err_pattern"], words)
    if kind in ("choice", "checklist") and code == Code.WK404:  # "Other" without its text
        return _fmt(ui["err_other"], words)
    if kind == "checklist" and code == Code.WK406:
        return _bounded(
            ui, label, spec.get("min_selected"), spec.get("max_selected"),
            ("err_min_selected", "err_max_selected"),
        )  # fmt: skip
    if kind == "table" and code == Code.WK407:
        low = spec.get("min_rows") or None
        return _bounded(ui, label, low, spec.get("max_rows"), ("err_min_rows", "err_max_rows"))
    if kind == "ranking" and code in (Code.WK401, Code.WK405, Code.WK412):
        return _fmt(ui["err_ranking"], words)
    if kind in ("choice", "likert", "yesno") and code in (Code.WK401, Code.WK405):
        return _fmt(ui["err_required_choice"], words)
    return _fmt(ui["err_check"], words)


def _specs(items: Iterable[Any], path: str, found: dict[str, tuple[Any, str]]) -> None:
    """Every question by id, with its JSON path (the form's label paths start there)."""
    for i, item in enumerate(items):
        p = f"{path}[{i}]"
        if isinstance(item, Section):
            _specs(item.items, f"{p}.items", found)
        elif getattr(item, "id", None) is not None and hasattr(item, "label"):
            found.setdefault(item.id, (item, p))


def _spec_of(item: Any, path: str, loc: Localiser) -> dict[str, Any]:
    from ._config import _fill_constraints

    spec: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "label": loc.text(display_label(item), f"{path}.label"),
    }
    _fill_constraints(spec, item)
    if isinstance(item, Table):
        spec["min_rows"] = item.min_rows
        if item.max_rows is not None:
            spec["max_rows"] = item.max_rows
    return spec


def client_problems(
    ws: Worksheet,
    loc: Localiser,
    ui: dict[str, str],
    problems: Iterable[tuple[str | None, int | None, str | None, str, str]],
) -> list[Problem]:
    """``(item, row, column, message, code)`` from the diagnostics → ``(item, row, column,
    words)`` with the client's words (see the module's docstring)."""
    specs: dict[str, tuple[Any, str]] = {}
    _specs(ws.items, "$.items", specs)
    out: list[Problem] = []
    general = False
    for item_id, row, col, message, code in problems:
        if not code.startswith("WK"):
            out.append((item_id, row, col, message))  # the app's own words
            continue
        found = specs.get(item_id) if item_id is not None else None
        if found is None:
            if not general:  # said once, in the summary
                out.append((None, None, None, ui["err_response"]))
                general = True
            continue
        item, path = found
        spec = _spec_of(item, path, loc)
        if isinstance(item, Table) and row is not None and col is not None:
            columns = {c.id: (c, f"{path}.columns[{i}]") for i, c in enumerate(item.columns)}
            if col in columns:
                cell = _spec_of(columns[col][0], columns[col][1], loc)
                words = client_words(code, cell, ui)
                out.append((item_id, row, col, f"{words} ({_fmt(ui['row'], {'n': row + 1})})"))
                continue
        out.append((item_id, row, col, client_words(code, spec, ui)))
    return out

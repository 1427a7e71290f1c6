"""Format parameters of the public API are typed as ``Literal[...]``: a type checker refuses
``render(ws, to="pdf")`` before it runs, and the literal lists are the ones checked at run time."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, get_args

import pytest

from worksheetkit import rendering, reports
from worksheetkit.scheduling import to_ics


def _choices(function: Callable[..., Any], parameter: str) -> tuple[str, ...]:
    hint = typing.get_type_hints(function)[parameter]
    assert typing.get_origin(hint) is typing.Literal, f"{function.__name__}({parameter}=) {hint}"
    return get_args(hint)


@pytest.mark.parametrize(
    ("function", "parameter", "choices"),
    [
        (rendering.render, "to", ("html", "markdown", "json")),
        (rendering.render_with_diagnostics, "to", ("html", "markdown", "json")),
        (rendering.render_pdf, "paper", ("a4", "letter")),
        (reports.render_report, "to", ("html", "markdown", "json")),
        (reports.to_html, "charts", ("auto", "scores", "items", "all", "none")),
        (reports.to_markdown, "charts", ("auto", "scores", "items", "all", "none")),
        (to_ics, "component", ("VEVENT", "VTODO")),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_format_parameters_are_literals(
    function: Callable[..., Any], parameter: str, choices: tuple[str, ...]
) -> None:
    assert _choices(function, parameter) == choices


def test_the_literals_are_what_is_checked_at_run_time() -> None:
    assert get_args(rendering.Format) == rendering.FORMATS
    assert get_args(reports.Charts) == reports.CHART_CHOICES
    from worksheetkit.rendering._pdf import PAPER_SIZES

    assert tuple(PAPER_SIZES) == get_args(rendering.Paper)

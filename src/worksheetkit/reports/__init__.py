"""Session reports of adherence: Markdown and HTML (inline SVG charts, no JavaScript).

``to_markdown(report)`` and ``to_html(report, fragment=False, heading_level=None)`` return
strings; ``stylesheet()`` is the report's CSS (a fragment carries none). Templates are
package data rendered by one Jinja2 environment per process, made by the one factory
(``worksheetkit._templates``: autoescape by extension, ``StrictUndefined``);
client text (obstacle notes) and clinician text (alert messages, labels) only ever reach them as
data, escaped for HTML or for Markdown.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

from jinja2 import Environment
from markupsafe import Markup

from .._templates import make_environment
from .._templates import md as md_escape  # noqa: F401 - the report templates' escaper, kept
from ..progress import AdherenceReport
from ._view import CHART_CHOICES, STATUS_MARK, STATUS_TEXT, Charts, View, build_view

#: What :func:`render_report` writes (``to=``).
ReportFormat = Literal["html", "markdown", "json"]

__all__ = [
    "CHART_CHOICES",
    "STATUS_MARK",
    "STATUS_TEXT",
    "Charts",
    "ReportFormat",
    "View",
    "build_view",
    "render_report",
    "stylesheet",
    "to_html",
    "to_markdown",
]


@lru_cache(maxsize=1)
def environment() -> Environment:
    return make_environment(
        "worksheetkit.reports", trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
    )


def to_markdown(report: AdherenceReport, *, charts: Charts = "auto", pack: Any = None) -> str:
    """The report as Markdown. ``charts``: which answer series to tabulate (``CHART_CHOICES``:
    ``auto`` = the scores when there are any, else the answers); ``pack`` gives step and
    worksheet titles."""
    view = build_view(report, charts=charts, pack=pack)
    return environment().get_template("report.md").render(v=view)


@cache
def stylesheet() -> str:
    """The report's stylesheet: serve it as a file (or inline it in your ``<head>``) for
    report fragments, which carry no ``<style>``. Every rule is scoped under ``.wkr-report``."""
    return (
        resources.files("worksheetkit.reports")
        .joinpath("templates", "report.css")
        .read_text("utf-8")
    )


def to_html(
    report: AdherenceReport,
    *,
    fragment: bool = False,
    charts: Charts = "auto",
    pack: Any = None,
    heading_level: int | None = None,
) -> str:
    """A standalone page (inline CSS, no script), or an embeddable ``<section>`` with no
    ``<style>`` and no script (style it with :func:`stylesheet`), so it works under a strict
    Content-Security-Policy.

    ``charts`` picks the answer series to chart (``auto``, ``scores``, ``items``, ``all`` or
    ``none``; ``auto`` charts the scores when the worksheet has any, so a PHQ-9 shows its total
    rather than nine item charts); ``pack`` gives step and worksheet titles. ``heading_level``
    is the title's level (1 to 4; default 1 on a page, 2 in a fragment): sections are one
    level below it, charts two.
    """
    if heading_level is not None and (
        isinstance(heading_level, bool)
        or not isinstance(heading_level, int)
        or not 1 <= heading_level <= 4
    ):
        raise ValueError(f"heading_level must be a whole number from 1 to 4, not {heading_level!r}")
    level = heading_level if heading_level is not None else (2 if fragment else 1)
    template = environment().get_template("report.html")
    view = build_view(report, charts=charts, pack=pack)
    css = Markup(stylesheet())  # noqa: S704 - our own stylesheet
    return template.render(v=view, fragment=fragment, Markup=Markup, h=level, css=css)


def render_report(
    report: AdherenceReport, to: ReportFormat = "html", *, charts: Charts = "auto", pack: Any = None
) -> str:
    if to == "html":
        return to_html(report, charts=charts, pack=pack)
    if to == "markdown":
        return to_markdown(report, charts=charts, pack=pack)
    if to == "json":
        return report.to_json()
    raise ValueError(f"unknown report format {to!r} (html, markdown or json)")

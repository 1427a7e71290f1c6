"""The rendering functions (``render``, ``render_pdf``, …); the package ``__init__`` gives them
out on first use."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from markupsafe import Markup, escape

from .._identity import WeakIdentityCache
from .._text import Localiser, direction, number_text
from ..errors import Diagnostic, parse_path
from ..model import (
    Model,
    Response,
    Section,
    Table,
    Worksheet,
    display_label,
    is_language_code,
    iter_items,
)
from ._env import Kept, environment, kept_runtime, kept_stylesheet, runtime
from ._strings import ui_strings
from ._views import PageView, ViewBuilder

if TYPE_CHECKING:
    from ._alerts import AlertView

# The modules of the other outputs (canonical JSON, printable Markdown, PDF, a response's
# review and alerts, a redisplayed submission's words) are imported where they are used:
# `worksheetkit render --to html` reads none of them (about 3 ms of its start, 2026-12-04).

#: What :func:`render` writes (``to=``).
Format = Literal["html", "markdown", "json"]
FORMATS: tuple[str, ...] = get_args(Format)
#: The paper :func:`render_pdf` lays a page out on.
Paper = Literal["a4", "letter"]


Drafts = bool | Literal["local", "event"]


def render(
    obj: Any,
    to: Format = "html",
    language: str | None = None,
    fragment: bool = False,
    template_dir: str | os.PathLike[str] | None = None,
    *,
    worksheet: Worksheet | None = None,
    answers: Mapping[str, Any] | None = None,
    diagnostics: Iterable[Diagnostic | Mapping[str, Any]] | None = None,
    heading_level: int | None = None,
    include_runtime: bool = True,
    runtime_url: str | None = None,
    drafts: Drafts = False,
    draft_key: str = "",
) -> str:
    """Render a worksheet (or a response with its worksheet) as ``html``, ``markdown`` or
    ``json``. Missing translations fall back to the default language silently here; use
    :func:`render_with_diagnostics` to receive them as warnings.

    HTML forms only: ``answers`` (the answers, or a whole response document) fill the form in
    and ``diagnostics`` (``Diagnostic`` values or their ``as_dict()`` form, e.g. from
    ``validate_response``) are shown beside their questions with an error summary — a rejected
    submission redisplayed. ``heading_level``: the title's heading level (default 2 in a
    fragment, 1 on a page). ``include_runtime=False`` leaves the inline script out: load
    :func:`runtime` yourself, or pass ``runtime_url`` for a ``<script src>`` with its SRI hash.
    ``drafts`` (``True``/``"local"``: kept in localStorage under ``draft_key``; ``"event"``:
    only the ``worksheetkit:draft`` event) saves the answers as the client types."""
    return render_with_diagnostics(
        obj,
        to,
        language,
        fragment,
        template_dir,
        worksheet=worksheet,
        answers=answers,
        diagnostics=diagnostics,
        heading_level=heading_level,
        include_runtime=include_runtime,
        runtime_url=runtime_url,
        drafts=drafts,
        draft_key=draft_key,
    )[0]


def render_pdf(
    obj: Any,
    *,
    language: str | None = None,
    paper: Paper = "a4",
    worksheet: Worksheet | None = None,
) -> bytes:
    """The printable page of a worksheet (or a filled-in response) as PDF bytes, on ``a4`` or
    ``letter`` paper. Needs the ``pdf`` extra (WeasyPrint); without it raises
    :class:`~worksheetkit.rendering._pdf.PdfUnavailable` saying what to install. The same input
    gives the same bytes."""

    if isinstance(obj, Model) and not isinstance(obj, Worksheet | Response):
        raise TypeError(f"only worksheets and responses render to pdf, not {type(obj).__name__}")
    from ._pdf import html_to_pdf

    html = render(obj, "html", language, worksheet=worksheet)
    return html_to_pdf(html, paper=paper)


def render_with_diagnostics(
    obj: Any,
    to: Format = "html",
    language: str | None = None,
    fragment: bool = False,
    template_dir: str | os.PathLike[str] | None = None,
    *,
    worksheet: Worksheet | None = None,
    answers: Mapping[str, Any] | None = None,
    diagnostics: Iterable[Diagnostic | Mapping[str, Any]] | None = None,
    heading_level: int | None = None,
    include_runtime: bool = True,
    runtime_url: str | None = None,
    drafts: Drafts = False,
    draft_key: str = "",
) -> tuple[str, list[Diagnostic]]:
    """Like :func:`render`, and the ``WK601`` warnings for texts shown in the default language
    because the requested one is missing (each with the JSON path of the text)."""
    if to not in FORMATS:
        raise ValueError(f"unknown format {to!r}; use one of: {', '.join(FORMATS)}")
    if heading_level is not None and (
        isinstance(heading_level, bool)
        or not isinstance(heading_level, int)
        or not 1 <= heading_level <= 5
    ):
        raise ValueError(f"heading_level must be a whole number from 1 to 5, not {heading_level!r}")
    if drafts not in (False, True, "local", "event"):
        raise ValueError(f"drafts must be False, True, 'local' or 'event', not {drafts!r}")
    form_args = FormOptions(
        answers=_answers_arg(answers),
        problems=problems_from(diagnostics),
        include_runtime=include_runtime,
        runtime_url=runtime_url,
        drafts="local" if drafts is True else drafts or "",
        draft_key=str(draft_key),
    )
    if language is not None and not is_language_code(language):
        raise ValueError(f"not a language code: {language!r} (e.g. 'en', 'es', 'pt-BR')")
    response: Response | None = None
    if isinstance(obj, tuple):
        if len(obj) != 2 or not isinstance(obj[0], Worksheet) or not isinstance(obj[1], Response):
            raise TypeError("a pair must be (worksheet, response)")
        worksheet, response = obj
    elif isinstance(obj, Response):
        response = obj
    elif isinstance(obj, Worksheet):
        if worksheet is not None:
            raise TypeError("worksheet= is only for rendering a response")
        worksheet = obj
    elif isinstance(obj, Model):
        if to == "json":
            from ._canonical import canonical_json

            return canonical_json(obj), []
        raise TypeError(f"only worksheets and responses render to {to}; use to='json'")
    else:
        raise TypeError(f"cannot render {type(obj).__name__}")

    if to == "json":
        from ._canonical import canonical_json

        target = response if response is not None else worksheet
        assert target is not None
        return canonical_json(target), []
    if worksheet is None:
        raise TypeError("a response renders with its worksheet: render(response, worksheet=ws)")

    lang = language or (response.language if response is not None and response.language else None)
    lang = lang or worksheet.language
    loc = Localiser(lang, worksheet.language)
    ui = ui_strings(lang)
    level = heading_level if heading_level is not None else (2 if fragment else 1)
    if response is not None:
        text = _response(worksheet, response, loc, ui, to, fragment, template_dir, level)
    elif to == "markdown":
        from ._markdown import MarkdownWriter

        text = MarkdownWriter(worksheet, loc, ui).worksheet()
    else:
        text = _worksheet_html(worksheet, loc, ui, fragment, template_dir, level, form_args)
    return text, list(loc.diagnostics)


@dataclass(frozen=True)
class FormOptions:
    answers: dict[str, Any] | None = None
    problems: list[tuple[str | None, int | None, str | None, str, str]] | None = None
    include_runtime: bool = True
    runtime_url: str | None = None
    drafts: str = ""
    draft_key: str = ""


def _answers_arg(answers: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The answers to fill in: a mapping of answers, or a response (document or model)."""
    if answers is None:
        return None
    if isinstance(answers, Response):
        return dict(answers.answers)
    if not isinstance(answers, Mapping):
        raise TypeError(f"answers must be a mapping (or a response), not {type(answers).__name__}")
    inner = answers.get("answers")
    if "worksheetkit" in answers and isinstance(inner, Mapping):
        return dict(inner)
    return dict(answers)


def _path_of(raw: Any) -> tuple[str | int, ...]:
    """A dict's path: a list of keys and indexes, or JSON pointer / JSONPath text; () when it
    is neither (the diagnostic then belongs to the response as a whole)."""
    if isinstance(raw, list | tuple):
        return tuple(p for p in raw if isinstance(p, str | int))
    try:
        return parse_path(raw) if isinstance(raw, str) else ()
    except ValueError:
        return ()


def problems_from(
    diagnostics: Iterable[Diagnostic | Mapping[str, Any]] | None,
) -> list[tuple[str | None, int | None, str | None, str, str]]:
    """``(item id, row, column, message, code)`` for each diagnostic, from its path:
    ``("answers", item, …)`` or ``("answers", table, row, column, …)``; others (the response as
    a whole) have no item and appear in the error summary only. A dict's ``path`` is the list
    ``to_dict()`` writes, or JSON-pointer text. The form shows the client's words for them
    (``_client_words``), never the message, which names item ids."""
    out: list[tuple[str | None, int | None, str | None, str, str]] = []
    for d in diagnostics or ():
        path: tuple[str | int, ...]
        if isinstance(d, Diagnostic):
            path, message, code = d.path, d.message, d.code
        elif isinstance(d, Mapping):
            path = _path_of(d.get("path"))
            message = str(d.get("message") or "")
            code = str(d.get("code") or "")
        else:
            raise TypeError(
                f"diagnostics must be Diagnostic values or dicts, not {type(d).__name__}"
            )
        if len(path) < 2 or path[0] != "answers":
            out.append((None, None, None, message, code))
            continue
        row = path[2] if len(path) > 3 and isinstance(path[2], int) else None
        out.append((str(path[1]), row, str(path[3]) if row is not None else None, message, code))
    return out


# The view of a blank form, per worksheet object and (language, heading level): what a server
# renders again and again. Building it was 35 % of rendering a 30-item worksheet (0.9 ms of
# 2.6 ms, 2026-12-05); the templates then only read it. Found only by the very worksheet it was
# built for (_identity.py: never by an address a later object could reuse); an entry holds no
# reference to its worksheet (the view's ``worksheet`` is put back on each use), so it goes with
# it. The models are frozen, their lists and dicts are not: every list and dict reachable from
# the worksheet is kept with a copy of its members, compared on each use (C-speed, members
# compared by identity first), and a worksheet changed in place is built again.
_BlankKey = tuple[str, str, str | None, int]
_BlankEntry = tuple[
    tuple[Any, ...],  # every list and dict of the worksheet
    tuple[tuple[Any, ...], ...],  # their members when the view was built
    PageView,  # its ``worksheet`` left out
    tuple[Diagnostic, ...],  # the missing translations it reported
    frozenset[str],  # and their paths
]
_blank_views: WeakIdentityCache[Worksheet, dict[_BlankKey, _BlankEntry]] = WeakIdentityCache(32)
_BLANK_PER_WORKSHEET = 8  # (language, level) pairs kept for one worksheet


def _containers(ws: Worksheet) -> tuple[Any, ...]:
    """Every list and dict reachable from ``ws`` (through models, lists, dicts and tuples)."""
    found: list[Any] = []
    todo: list[Any] = [ws]
    while todo:
        obj = todo.pop()
        kind = type(obj)
        if kind is list:
            found.append(obj)
            todo.extend(obj)
        elif kind is dict:
            found.append(obj)
            todo.extend(obj.values())
            todo.extend(obj)
        elif kind is tuple:
            todo.extend(obj)
        elif isinstance(obj, Model):
            # __dict__, not getattr: the fields as stored (frozen: never reassigned).
            todo.extend(obj.__dict__.values())
    return tuple(found)


def _members(containers: tuple[Any, ...]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(c.items()) if type(c) is dict else tuple(c) for c in containers)


def _blank_page(ws: Worksheet, loc: Localiser, ui: dict[str, str], level: int) -> PageView:
    """The view of ``ws`` with no answers and no problems, built once per worksheet object,
    language and level; the missing-translation warnings of its building are given to ``loc``
    again on each use."""
    seen = loc._seen
    if loc.diagnostics or seen:  # a Localiser that has been used: build as ever
        return ViewBuilder(ws, loc, ui, level=level).page()
    key = (loc.language, loc.default, loc.file, level)
    per_ws = _blank_views.get(ws)
    hit = per_ws.get(key) if per_ws is not None else None
    if hit is not None and _members(hit[0]) == hit[1]:
        # The warnings of building it, as building would have left them.
        loc.diagnostics.extend(hit[3])
        seen.update(hit[4])
        return dataclasses.replace(hit[2], worksheet=ws)
    view = ViewBuilder(ws, loc, ui, level=level).page()
    containers = _containers(ws)
    if per_ws is None:
        per_ws = {}
        _blank_views.put(ws, per_ws)
    elif len(per_ws) >= _BLANK_PER_WORKSHEET and key not in per_ws:
        per_ws.pop(next(iter(per_ws), key), None)  # the oldest
    # The cached view holds no reference to its worksheet: the entry must not keep it alive.
    kept = dataclasses.replace(view, worksheet=None)  # type: ignore[arg-type]
    per_ws[key] = (containers, _members(containers), kept, tuple(loc.diagnostics), frozenset(seen))
    return view


def _worksheet_html(
    ws: Worksheet,
    loc: Localiser,
    ui: dict[str, str],
    fragment: bool,
    template_dir: str | os.PathLike[str] | None,
    level: int = 1,
    options: FormOptions | None = None,
) -> str:
    options = options or FormOptions()
    env = environment(template_dir)
    problems = None
    if options.problems:
        from ._client_words import client_problems

        problems = client_problems(ws, loc, ui, options.problems)
    # The built-in templates only read the view; a user's own (template_dir) could change it.
    if options.answers is None and problems is None and template_dir is None:
        view = _blank_page(ws, loc, ui, level)
    else:
        builder = ViewBuilder(ws, loc, ui, level=level, answers=options.answers, problems=problems)
        view = builder.page()
    runtime_src = None
    if options.runtime_url is not None:
        runtime_src = {"src": options.runtime_url, "integrity": runtime().sha384_integrity}
    form_attrs = ""
    if options.drafts:
        form_attrs += (
            f' data-wk-drafts="{options.drafts}" data-wk-draft-key="{escape(options.draft_key)}"'
        )
    if options.answers is not None:
        form_attrs += " data-wk-prefilled"
    body = env.get_template("worksheet.html.j2").render(
        # Our own script and stylesheet, and HTML our templates just produced: trusted markup.
        v=view,
        ui=ui,
        standalone=not fragment,
        runtime=kept_runtime() if options.include_runtime else None,
        runtime_src=runtime_src,
        form_attrs=Markup(form_attrs),  # noqa: S704 - escaped above
    )
    if fragment:
        return body
    title = view.title_text
    if view.errors:
        title = f"{ui['error_prefix']} {title}"
    return env.get_template("page.html.j2").render(
        v=view,
        ui=ui,
        title=title,
        css=kept_stylesheet(),
        body=Kept(body),
    )


@dataclass
class _Entry:
    kind: str
    label: str
    level: int = 2
    answer: str = ""
    dom_id: str = ""
    headers: list[str] | None = None
    rows: list[list[str]] | None = None


@dataclass
class _ReviewView:
    language: str
    direction: str
    prefix: str
    level: int
    title: Markup
    meta: list[tuple[str, str]]
    entries: list[_Entry]
    scores: list[tuple[str, str]]
    alerts: list[AlertView]
    alert_words: dict[str, str]


def _response(
    ws: Worksheet,
    response: Response,
    loc: Localiser,
    ui: dict[str, str],
    to: str,
    fragment: bool,
    template_dir: str | os.PathLike[str] | None,
    level: int = 1,
) -> str:
    from ._alerts import alert_words, alerts_markdown, response_alerts
    from ._markdown import MarkdownWriter

    writer = MarkdownWriter(ws, loc, ui)
    meta: list[tuple[str, str]] = []
    if response.started_at is not None:
        meta.append((ui["started"], response.started_at.isoformat()))
    if response.submitted_at is not None:
        meta.append((ui["submitted_at"], response.submitted_at.isoformat()))
    scores = _scores(ws, response, loc)
    visible = _visible_ids(ws, response.answers)
    raised = response_alerts(ws, response, loc)
    if to == "markdown":
        alerts = alerts_markdown(raised, loc.language)
        return writer.response(response.answers, meta, scores, visible, alerts)
    entries: list[_Entry] = []

    def walk(items: list[Any], path: str, level: int) -> None:
        for i, item in enumerate(items):
            p = f"{path}[{i}]"
            if isinstance(item, Section):
                entries.append(_Entry("section", loc.text(item.title, f"{p}.title"), min(level, 6)))
                walk(item.items, f"{p}.items", level + 1)
                continue
            item_id = getattr(item, "id", None)
            if item.type in ("note", "media") or item_id is None:
                continue
            if item_id not in visible and item_id not in response.answers:
                continue
            label = loc.text(display_label(item), f"{p}.label")
            value = response.answers.get(item_id)
            if isinstance(item, Table) and isinstance(value, list) and value:
                headers = [
                    loc.text(display_label(c), f"{p}.columns[{k}].label")
                    for k, c in enumerate(item.columns)
                ]
                rows = [
                    [
                        writer.answer_text(c, row.get(c.id), f"{p}.columns[{k}]")
                        for k, c in enumerate(item.columns)
                    ]
                    for row in value
                    if isinstance(row, dict)
                ]
                entries.append(
                    _Entry(
                        "table", label, dom_id=f"wk-answer-{item_id}", headers=headers, rows=rows
                    )
                )
            else:
                text = "" if isinstance(item, Table) else writer.answer_text(item, value, p)
                entries.append(_Entry("answer", label, answer=text))

    walk(ws.items, "$.items", level + 1)
    title = loc.inline(ws.title, "$.title") if ws.title is not None else Markup("{}").format(ws.id)
    view = _ReviewView(
        language=loc.language,
        direction=direction(loc.language),
        prefix="wk-" + re.sub(r"[^a-z0-9_-]+", "-", ws.id.lower()),
        level=level,
        title=title,
        meta=meta,
        entries=entries,
        scores=scores,
        # Raised alerts come first in the view, whatever the answers hide (docs: Alerts).
        alerts=raised,
        alert_words=alert_words(loc.language),
    )
    env = environment(template_dir)
    body = env.get_template("response.html.j2").render(v=view, ui=ui)
    if fragment:
        return body
    return env.get_template("page.html.j2").render(
        v=view,
        ui=ui,
        title=loc.text(ws.title, "$.title") if ws.title is not None else ws.id,
        css=kept_stylesheet(),  # our stylesheet
        body=Kept(body),  # produced by our autoescaped template
    )


def _visible_ids(ws: Worksheet, answers: dict[str, Any]) -> set[str]:
    """Ids of the items shown with these answers: the responses' one visibility rule."""
    from ..responses import hidden_items

    hidden = hidden_items(ws, answers)
    return {i.id for i in iter_items(ws.items) if getattr(i, "id", None) and i.id not in hidden}


def _scores(ws: Worksheet, response: Response, loc: Localiser) -> list[tuple[str, str]]:
    """Computed scores (value and band) for the review."""
    if not ws.scores:
        return []
    from ..responses import score as score_response

    out: list[tuple[str, str]] = []
    for result in score_response(ws, response, language=loc.language).values():
        value = result.value
        text = "–" if value is None else number_text(round(value, 2))
        if result.band:
            text += f" ({result.band})"
        out.append((result.label, text))
    return out

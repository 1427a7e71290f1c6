"""The preview server: a Starlette app over a ``Studio``; watchfiles pushes changes as
server-sent events. Read-only: no route writes to disk.

Security: the Host header must name the bound host, ``localhost`` or ``127.0.0.1`` (stops DNS
rebinding); files are read only inside the pack (``inside_pack``); the worksheet form runs in a
sandboxed iframe without ``allow-same-origin`` under a strict Content-Security-Policy.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import mimetypes
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from .._templates import make_environment
from ..model import text_in
from ..validation import page_name
from ._studio import (
    DOCUMENT_SUFFIXES,
    FileEntry,
    OutsidePack,
    Snapshot,
    Studio,
    assignment_plan,
    calendar,
    check_answers,
    inside_pack,
    lint_problems,
    pathway_plan,
)

if TYPE_CHECKING:
    from ..rendering import Paper

TABS = [
    ("form", "Form"),
    ("printable", "Printable"),
    ("json", "Canonical JSON"),
    ("fhir", "FHIR"),
    ("schema", "Response schema"),
]
MEDIA_PREFIXES = ("image/", "audio/", "video/")
MAX_POST_BYTES = 1024 * 1024
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@cache
def _env() -> Environment:
    return make_environment("worksheetkit.preview", trim_blocks=True, lstrip_blocks=True)


@cache
def _static(name: str) -> str:
    return resources.files("worksheetkit.preview").joinpath("static", name).read_text("utf-8")


def _hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@cache
def _frame_csp() -> str:
    from ..rendering import runtime_script

    scripts = " ".join([_hash(runtime_script()), _hash(_static("bridge.js"))])
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
        "img-src 'self' http: https: data:; media-src 'self' http: https:; "
        "form-action 'none'; base-uri 'none'; frame-ancestors 'self'"
    )


def _page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _env().get_template(template).render(**context)
    return HTMLResponse(
        html, status_code=status, headers={**NO_STORE, "Content-Security-Policy": PAGE_CSP}
    )


def _query(request: Request, **changes: str | None) -> str:
    params = {k: v for k, v in request.query_params.items() if k in ("tab", "lang", "width")}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return ("?" + urlencode(sorted(params.items()))) if params else ""


def _entry(snapshot: Snapshot, rel: str) -> FileEntry:
    inside_pack(snapshot.root, rel)  # raises OutsidePack
    entry = snapshot.files.get(rel)
    if entry is None:
        raise OutsidePack(rel)
    return entry


def _common(request: Request, snapshot: Snapshot, current: str | None) -> dict[str, Any]:
    return {
        "pack_name": snapshot.name,
        "groups": snapshot.groups(),
        "current": current,
        "generation": snapshot.generation,
        "pack_problems": snapshot.pack_problems,
    }


def _not_found(request: Request, snapshot: Snapshot) -> HTMLResponse:
    return _page(
        "missing.html.j2",
        status=404,
        title="Not in this pack",
        **_common(request, snapshot, None),
    )


def create_app(root: str, *, host: str = "127.0.0.1", watch: bool = True) -> Starlette:
    """The preview app for the pack folder ``root``; ``host`` is the name the server binds.

    The routes are the module's functions below; each reads the pack through
    ``request.app.state.studio`` (and the live-reload queues in ``app.state.subscribers``)."""
    routes = [
        Route("/", _home),
        Route("/favicon.ico", _favicon),
        Route("/view/{rel:path}", _view),
        Route("/pack/", _frame),
        Route("/pack/{rel:path}", _pack_file),
        Route("/ics/{rel:path}", _ics),
        Route("/pdf/{rel:path}", _pdf),
        Route("/api/check", _check, methods=["POST"]),
        Route("/api/state", _state),
        Route("/events", _events),
        Route("/static/{name}", _static_file),
    ]
    allowed = sorted({host, *LOOPBACK_NAMES})
    app = Starlette(
        routes=routes,
        lifespan=_lifespan,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=allowed)],
    )
    app.state.studio = Studio(root)
    app.state.subscribers = set()
    app.state.watch = watch
    return app


# -- the app's state and lifespan --------------------------------------------------------------


def _studio(request: Request) -> Studio:
    studio: Studio = request.app.state.studio
    return studio


def _subscribers(app: Starlette) -> set[asyncio.Queue[int]]:
    subscribers: set[asyncio.Queue[int]] = app.state.subscribers
    return subscribers


async def _snapshot(request: Request) -> Snapshot:
    return await asyncio.to_thread(_studio(request).snapshot)


async def _lookup(request: Request, rel: str) -> tuple[Snapshot, FileEntry | None]:
    """The pack as it is now and its file ``rel`` (None: not in this pack)."""
    snap = await _snapshot(request)
    try:
        return snap, _entry(snap, rel)
    except OutsidePack:
        return snap, None


async def _watcher(studio: Studio, subscribers: set[asyncio.Queue[int]]) -> None:
    from watchfiles import awatch

    async for changes in awatch(studio.root, recursive=True, debounce=200, step=50):
        paths = [p for _, p in changes]
        generation = studio.mark_changed(paths)
        for queue in list(subscribers):
            queue.put_nowait(generation)


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    watching = app.state.watch
    task = asyncio.create_task(_watcher(app.state.studio, _subscribers(app))) if watching else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await task


def _not_here(message: str = "Not in this pack.", status: int = 404) -> Response:
    return PlainTextResponse(message, status_code=status, headers=NO_STORE)


# -- pages ----------------------------------------------------------------------------------------


async def _home(request: Request) -> Response:
    snap = await _snapshot(request)
    return _page(
        "home.html.j2",
        title=snap.name,
        root=str(snap.root),
        counts={label: len(entries) for label, entries in snap.groups()},
        **_common(request, snap, None),
    )


async def _view(request: Request) -> Response:
    rel = request.path_params["rel"]
    snap, entry = await _lookup(request, rel)
    if entry is None:
        return _not_found(request, snap)
    context = _common(request, snap, rel)
    context.update(entry=entry, title=entry.title or rel, rel=rel)
    context["lint"] = await asyncio.to_thread(lint_problems, snap, entry)
    ws = snap.worksheet(entry)
    if ws is not None:
        return await asyncio.to_thread(_worksheet_view, request, snap, entry, ws, context)
    if entry.kind == "pathway" and snap.usable(entry):
        context["plan"] = await asyncio.to_thread(pathway_plan, snap, entry.model)
        context["ics"] = "/ics/" + rel
        return _page("pathway.html.j2", **context)
    if entry.kind == "assignment" and snap.usable(entry):
        context["plan"] = await asyncio.to_thread(assignment_plan, snap, entry.model)
        context["ics"] = "/ics/" + rel
        return _page("assignment.html.j2", **context)
    return _page("file.html.j2", **context)


async def _frame(request: Request) -> Response:
    """The form as a client sees it, for the sandboxed iframe."""
    snap, entry = await _lookup(request, request.query_params.get("form", ""))
    if entry is None:
        return _not_here()
    ws = snap.worksheet(entry)
    if ws is None:
        return _not_here("This file has errors.")
    language = _language(request, snap, ws)
    html = await asyncio.to_thread(_form_html, ws, language)
    return HTMLResponse(html, headers={**NO_STORE, "Content-Security-Policy": _frame_csp()})


# -- files ----------------------------------------------------------------------------------------


async def _pack_file(request: Request) -> Response:
    """Media inside the pack (images, audio, video) that worksheets link to."""
    snap = await _snapshot(request)
    try:
        path = inside_pack(snap.root, request.path_params["rel"])
    except OutsidePack:
        return _not_here()
    media_type = mimetypes.guess_type(path.name)[0] or ""
    if not media_type.startswith(MEDIA_PREFIXES) or path.stat().st_size > 64 * 1024 * 1024:
        return _not_here("Not a media file.")
    data = await asyncio.to_thread(path.read_bytes)
    headers = {**NO_STORE, "Content-Security-Policy": "default-src 'none'; sandbox"}
    return Response(data, media_type=media_type, headers=headers)


async def _pdf(request: Request) -> Response:
    # The printable handout as the site and `render --to pdf` make it (WeasyPrint, optional).
    rel = request.path_params["rel"]
    snap, entry = await _lookup(request, rel)
    if entry is None:
        return _not_here()
    ws = snap.worksheet(entry)
    if ws is None:
        return PlainTextResponse("No printable for this file.", status_code=404)
    paper: Paper = "letter" if request.query_params.get("paper") == "letter" else "a4"
    language = _language(request, snap, ws)
    from ..rendering import PdfUnavailable, render_pdf

    try:
        data = await asyncio.to_thread(render_pdf, ws, language=language, paper=paper)
    except PdfUnavailable as exc:
        return _not_here(str(exc), 501)
    name = f"{page_name(ws.id, ws.version)}-{paper}.pdf"
    headers = {**NO_STORE, "Content-Disposition": f'inline; filename="{name}"'}
    return Response(data, media_type="application/pdf", headers=headers)


async def _ics(request: Request) -> Response:
    rel = request.path_params["rel"]
    snap, entry = await _lookup(request, rel)
    if entry is None:
        return _not_here()
    data = await asyncio.to_thread(calendar, snap, entry)
    if data is None:
        return PlainTextResponse("No calendar for this file.", status_code=404)
    name = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0] + ".ics"
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type="text/calendar", headers=headers)


async def _static_file(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ("studio.css", "studio.js"):
        return PlainTextResponse("Not found.", status_code=404)
    media = "text/css" if name.endswith(".css") else "text/javascript"
    return Response(_static(name), media_type=f"{media}; charset=utf-8", headers=NO_STORE)


async def _favicon(request: Request) -> Response:
    return Response(status_code=204)


# -- the API --------------------------------------------------------------------------------------


async def _check_request(request: Request) -> dict[str, Any] | JSONResponse:
    """The body of a check request as ``{file, answers, …}``, or the error to answer."""
    origin = request.headers.get("origin")
    if origin is not None and not _same_origin(origin, request):
        return JSONResponse({"error": "cross-origin request refused"}, status_code=403)
    body = await request.body()
    if len(body) > MAX_POST_BYTES:
        return JSONResponse({"error": "too large"}, status_code=413)
    try:
        data = json.loads(body)
    except ValueError:
        return JSONResponse({"error": "not JSON"}, status_code=400)
    if not isinstance(data, dict) or not isinstance(data.get("file"), str):
        return JSONResponse({"error": "expected {file, answers}"}, status_code=400)
    return data


async def _check(request: Request) -> Response:
    """Validate and score the answers typed so far. Writes nothing; logs nothing."""
    data = await _check_request(request)
    if isinstance(data, JSONResponse):
        return data
    snap, entry = await _lookup(request, data["file"])
    if entry is None:
        return JSONResponse({"error": "not in this pack"}, status_code=404)
    ws = snap.worksheet(entry)
    if ws is None:
        return JSONResponse({"error": "this file has errors"}, status_code=409)
    language = data.get("language") if isinstance(data.get("language"), str) else None
    if language not in snap.languages(ws):
        language = None
    result = await asyncio.to_thread(check_answers, snap, ws, data.get("answers"), language)
    shown = {
        k: v
        for k, v in result["response"].items()
        if k not in ("assignment", "occurrence", "started_at", "submitted_at")
    }
    urgent = [
        (score_id, alert["message"])
        for score_id, s in result["scores"].items()
        for alert in s["alerts"]
        if alert["severity"] == "urgent"
    ]
    result["html"] = (
        _env()
        .get_template("_result.html.j2")
        .render(result=result, shown=json.dumps(shown, indent=2, ensure_ascii=False))
    )
    result["banner"] = _env().get_template("_urgent.html.j2").render(urgent=urgent)
    return JSONResponse(result, headers=NO_STORE)


async def _state(request: Request) -> Response:
    studio = _studio(request)
    return JSONResponse(
        {"generation": studio.generation, "changed": studio.changed_files}, headers=NO_STORE
    )


async def _events(request: Request) -> Response:
    try:
        since = int(request.query_params.get("since", "-1"))
    except ValueError:
        since = -1
    limit = _int(request.query_params.get("limit"), 0)
    stream = _event_stream(_studio(request), _subscribers(request.app), since, limit)
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={**NO_STORE, "X-Accel-Buffering": "no"},
    )


async def _event_stream(
    studio: Studio, subscribers: set[asyncio.Queue[int]], since: int, limit: int
) -> AsyncIterator[str]:
    """Server-sent events: one ``change`` per new generation of the pack (``limit`` of them
    at most when positive), a keep-alive comment every 15 seconds."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    subscribers.add(queue)
    sent = 0
    try:
        yield "retry: 500\n\n"
        current = studio.generation
        if since >= 0 and current > since:
            queue.put_nowait(current)
        while True:
            try:
                generation = await asyncio.wait_for(queue.get(), timeout=15)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            payload = json.dumps({"generation": generation, "changed": studio.changed_files})
            yield f"event: change\ndata: {payload}\n\n"
            sent += 1
            if limit and sent >= limit:
                return
    finally:
        subscribers.discard(queue)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _same_origin(origin: str, request: Request) -> bool:
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


def _language(request: Request, snap: Snapshot, ws: Any) -> str:
    wanted = request.query_params.get("lang")
    return wanted if wanted in snap.languages(ws) else str(ws.language)


def _form_html(ws: Any, language: str) -> str:
    from ..rendering import render

    page = render(ws, to="html", language=language)
    bridge = f"<script>{_static('bridge.js')}</script>"
    at = page.rfind("</body>")
    return page[:at] + bridge + page[at:] if at >= 0 else page + bridge


def _worksheet_view(
    request: Request, snap: Snapshot, entry: FileEntry, ws: Any, context: dict[str, Any]
) -> Response:
    from ..rendering import render, render_with_diagnostics

    tab = request.query_params.get("tab", "form")
    if tab not in dict(TABS):
        tab = "form"
    language = _language(request, snap, ws)
    width = "360" if request.query_params.get("width") == "360" else "desktop"
    html, translation = render_with_diagnostics(ws, to="html", language=language)
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()[:16]
    frame_src = "/pack/?" + urlencode({"form": entry.rel, "lang": language, "v": digest})
    context.update(
        tab=tab,
        tabs=[(key, label, "/view/" + entry.rel + _query(request, tab=key)) for key, label in TABS],
        language=language,
        languages=[
            (code, "/view/" + entry.rel + _query(request, lang=code)) for code in snap.languages(ws)
        ],
        width=width,
        widths=[
            ("desktop", "Desktop", "/view/" + entry.rel + _query(request, width=None)),
            ("360", "Phone (360 px)", "/view/" + entry.rel + _query(request, width="360")),
        ],
        frame_src=frame_src,
        translation=translation,
        ws_title=text_in(ws.title, language, ws.language),
        ws_ref=f"{ws.id}@{ws.version}",
        content=None,
        fhir_warnings=[],
    )
    if tab == "printable":
        from markdown_it import MarkdownIt

        markdown = render(ws, to="markdown", language=language)
        renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
        context.update(content=markdown, printable=renderer.render(markdown))
    elif tab == "json":
        context["content"] = render(ws, to="json")
    elif tab == "fhir":
        from ..fhir import export_questionnaire

        exported = export_questionnaire(ws)
        context["content"] = json.dumps(exported.resource, indent=2, ensure_ascii=False)
        context["fhir_warnings"] = exported.diagnostics
    elif tab == "schema":
        from ..responses import response_json_schema

        schema = response_json_schema(ws)
        context["content"] = json.dumps(schema, indent=2, ensure_ascii=False)
    return _page("worksheet.html.j2", **context)


__all__ = ["DOCUMENT_SUFFIXES", "create_app"]

"""A homework app on worksheetkit's public API only: /therapist assigns, /client/<id> lists and
takes occurrences, /dashboard shows scores (urgent first) and adherence. See README.md."""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

import worksheetkit as wk
from worksheetkit.progress import adherence
from worksheetkit.rendering import runtime, stylesheet
from worksheetkit.reports import stylesheet as report_stylesheet
from worksheetkit.reports import to_html as report_html

HERE = pathlib.Path(__file__).parent
PACK_DIR = HERE.parent  # the examples pack
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
FIELDS = {"on": "days", "for": "weeks"}  # check() path key → form field, if not the same
NAMED = {"worksheet", "timezone", "start", "at", "client", "plan"}
KEYS = ("client", "worksheet", "start", "at", "timezone", "weeks", "when", "where")

metadata = sa.MetaData()
assignments = sa.Table(
    "wk_assignments",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("client", sa.String(64), nullable=False),
    sa.Column("document", sa.Text, nullable=False),  # the assignment, as JSON
)
submissions = sa.Table(
    "wk_submissions",
    metadata,
    sa.Column("assignment", sa.String(64), primary_key=True),
    sa.Column("occurrence", sa.String(128), primary_key=True),
    sa.Column("response", sa.Text, nullable=False),  # the response as received, JSON
    sa.Column("result", sa.Text, nullable=False),  # Submission.to_json()
    sa.Column("urgent", sa.Integer, nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
)


def field_of(path: tuple[str | int, ...]) -> str:
    """The form field a check() diagnostic belongs beside (("schedule", "at") → at)."""
    parts = [p for p in path if isinstance(p, str)]
    for part in reversed(parts):
        if part in NAMED or part in FIELDS:
            return FIELDS.get(part, part)
    return "schedule" if "schedule" in parts else "form"


def create_app(
    database_url: str | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Starlette:
    pack = wk.load_pack(PACK_DIR)
    url = database_url or os.environ.get("WK_APP_DATABASE", "sqlite:///worksheetkit-app.db")
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    rt = runtime()
    picker = [(w.id, w.version, w.text("title")) for w in pack.newest()]

    def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def load_assignment(assignment_id: str) -> wk.Assignment | None:
        with engine.connect() as db:
            row = db.execute(
                sa.select(assignments.c.document).where(assignments.c.id == assignment_id)
            ).first()
        return None if row is None else wk.Assignment.model_validate(json.loads(row[0]))

    def done(assignment_id: str) -> dict[str, dict[str, Any]]:
        with engine.connect() as db:
            query = sa.select(submissions).where(submissions.c.assignment == assignment_id)
            rows = db.execute(query).mappings().all()
        return {r["occurrence"]: json.loads(r["result"]) for r in rows}

    async def static(request: Request) -> Response:
        files = {
            rt.filename: (rt.bytes, "text/javascript"),
            "worksheetkit.css": (stylesheet().encode(), "text/css"),
            "report.css": (report_stylesheet().encode(), "text/css"),
            "app.js": ((HERE / "static" / "app.js").read_bytes(), "text/javascript"),
            "app.css": ((HERE / "static" / "app.css").read_bytes(), "text/css"),
        }
        name = request.path_params["name"]
        if name not in files:
            return Response("Not found", status_code=404)
        body, media = files[name]
        return Response(body, media_type=media)

    async def therapist(request: Request) -> Response:
        errors: dict[str, list[wk.Diagnostic]] = {}
        values: dict[str, Any] = {"at": "20:00", "timezone": "Europe/London", "weeks": "2"}
        values |= {"start": clock().date().isoformat(), "days": DAYS}
        if request.method == "POST":
            form = await request.form()
            values = {k: str(form.get(k, "")).strip() for k in KEYS}
            values["days"] = [d for d in form.getlist("days") if d in DAYS]
            weeks = values["weeks"] if values["weeks"].isdigit() else "0"
            days = values["days"]
            schedule: dict[str, Any] = {"repeat": "weekly", "on": days, "at": values["at"]}
            if len(days) == 7:
                schedule = {"repeat": "daily", "at": values["at"]}
            schedule["for"] = f"P{weeks}W"
            document = {k: values[k] for k in ("client", "worksheet", "start", "timezone")}
            document |= {"worksheetkit": 1, "kind": "assignment", "schedule": schedule}
            document["id"] = f"a-{uuid.uuid4().hex[:12]}"
            if values["when"] or values["where"]:
                document["plan"] = {k: values[k] for k in ("when", "where") if values[k]}
            problems = wk.check(document, pack=pack)  # no days: `on: []` is WK105
            for d in problems:
                errors.setdefault(field_of(d.path), []).append(d)
            if not any(d.severity == "error" for d in problems):
                with engine.begin() as db:
                    db.execute(
                        assignments.insert().values(
                            id=document["id"],
                            client=document["client"],
                            document=json.dumps(document, sort_keys=True),
                        )
                    )
                return RedirectResponse(f"/client/{document['id']}", status_code=303)
        with engine.connect() as db:
            rows = (
                db.execute(sa.select(assignments).order_by(assignments.c.client)).mappings().all()
            )
        listed = [(r["id"], r["client"], json.loads(r["document"])["worksheet"]) for r in rows]
        return page(
            request,
            "therapist.html",
            422 if errors and request.method == "POST" else 200,
            picker=picker,
            values=values,
            errors=errors,
            days=DAYS,
            assignments=listed,
        )

    async def client(request: Request) -> Response:
        assignment = load_assignment(request.path_params["assignment"])
        if assignment is None:
            return Response("Unknown assignment", status_code=404)
        now = clock()
        listed = []
        submitted = done(assignment.id)
        lo, hi = now.date() - dt.timedelta(days=3), now.date() + dt.timedelta(days=1)
        for occ in wk.occurrences(assignment, lo, hi, pack=pack):
            local_today = now.astimezone(occ.opens.tzinfo).date()
            is_open = occ.opens <= now <= occ.grace_until
            if occ.id in submitted or is_open or occ.opens.date() == local_today:
                state = "open" if is_open else "missed" if now > occ.grace_until else "not yet open"
                listed.append((occ, "submitted" if occ.id in submitted else state))
        return page(request, "client.html", assignment=assignment, occurrences=listed, pack=pack)

    async def take(request: Request) -> Response:
        assignment = load_assignment(request.path_params["assignment"])
        occurrence_id = request.path_params["occurrence"]
        occurrence = (
            None if assignment is None else wk.find_occurrence(assignment, occurrence_id, pack=pack)
        )
        if assignment is None or occurrence is None:
            return Response("Unknown assignment or occurrence", status_code=404)
        worksheet = pack.worksheet(occurrence.worksheet)
        wants_json = request.headers.get("content-type", "").startswith("application/json")
        answers: Any = None
        shown: list[wk.Diagnostic] = []
        status = 200
        if occurrence_id in done(assignment.id):
            if request.method == "POST":
                return reply_duplicate(wants_json)
            return page(request, "taken.html", assignment=assignment, occurrence=occurrence)
        if request.method == "POST":
            if wants_json:
                try:
                    response = await request.json()
                except ValueError:
                    return JSONResponse(
                        {"diagnostics": [{"code": "bad-json", "message": "Not JSON."}]},
                        status_code=400,
                    )
                if not isinstance(response, dict):
                    return JSONResponse({"diagnostics": []}, status_code=400)
            else:
                form = await request.form()
                response = wk.response_from_form(worksheet, form, submitted_at=clock())
            response.update(assignment=assignment.id, occurrence=occurrence_id)
            result = wk.check_submission(pack, assignment, response, now=clock())
            if result.valid:
                try:
                    with engine.begin() as db:
                        db.execute(
                            submissions.insert().values(
                                assignment=assignment.id,
                                occurrence=occurrence_id,
                                response=json.dumps(response, sort_keys=True),
                                result=result.to_json(),
                                urgent=len(result.urgent_alerts),
                                received_at=clock().isoformat(),
                            )
                        )
                except sa.exc.IntegrityError:  # a second tab or a double click
                    return reply_duplicate(wants_json)
                if wants_json:
                    return JSONResponse(result.to_dict(), status_code=201)
                return RedirectResponse(f"/client/{assignment.id}?saved=1", status_code=303)
            shown = [d for d in result.diagnostics if d.severity == "error"]
            if wants_json:
                return JSONResponse({"diagnostics": [d.to_dict() for d in shown]}, status_code=422)
            answers, status = response, 422
        fragment = wk.render(
            worksheet,
            to="html",
            fragment=True,
            answers=answers,
            diagnostics=shown or None,
            drafts=True,
            draft_key=f"{assignment.id}/{occurrence_id}",
            include_runtime=False,
            runtime_url=f"/static/{rt.filename}",
        )
        return page(
            request,
            "take.html",
            status,
            assignment=assignment,
            occurrence=occurrence,
            fragment=fragment,
            has_errors=bool(shown),
        )

    def reply_duplicate(wants_json: bool) -> Response:
        message = "This occurrence was already submitted."
        if wants_json:
            return JSONResponse(
                {"diagnostics": [{"code": "duplicate", "message": message}]}, status_code=409
            )
        return Response(message, status_code=409)

    async def dashboard(request: Request) -> Response:
        now = clock()
        with engine.connect() as db:
            rows = (
                db.execute(
                    sa.select(submissions).order_by(
                        submissions.c.urgent.desc(), submissions.c.received_at.desc()
                    )
                )
                .mappings()
                .all()
            )
            docs = (
                db.execute(sa.select(assignments).order_by(assignments.c.client)).mappings().all()
            )
        results = [(r, json.loads(r["result"])) for r in rows]
        reports = []
        for doc in docs:
            assignment = wk.Assignment.model_validate(json.loads(doc["document"]))
            responses = [
                json.loads(r["response"]) for r in rows if r["assignment"] == assignment.id
            ]
            report = adherence(assignment, responses, as_of=now, pack=pack)
            reports.append((assignment, report_html(report, fragment=True, heading_level=3)))
        clients = {doc["id"]: doc["client"] for doc in docs}
        return page(request, "dashboard.html", results=results, reports=reports, clients=clients)

    return Starlette(
        routes=[
            Route("/", lambda request: RedirectResponse("/therapist")),
            Route("/static/{name}", static),
            Route("/therapist", therapist, methods=["GET", "POST"]),
            Route("/dashboard", dashboard),
            Route("/client/{assignment}", client),
            Route("/client/{assignment}/{occurrence:path}", take, methods=["GET", "POST"]),
        ]
    )

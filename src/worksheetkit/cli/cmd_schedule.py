"""``worksheetkit schedule``: list an assignment's occurrences, explain its RRULE, write .ics."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from .._urls import link_kind
from ._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    emit,
    fail_usage,
    refuse_input_as_output,
    usable_date,
    write_atomic,
)

# Without an end in the schedule, list this long from --from (or the start).
DEFAULT_HORIZON = dt.timedelta(weeks=12)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)") from None
    usable_date(day, param)
    return day


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(EXIT_PROBLEMS)


@click.command(name="schedule")
@click.argument("assignment", metavar="ASSIGNMENT")
@click.option("--from", "from_", metavar="DATE", callback=_date, help="First local date to list.")
@click.option(
    "--to", "to", metavar="DATE", callback=_date, help="Last local date to list (included)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)
@click.option("--ics", "ics", metavar="OUT", help="Write an iCalendar file instead of listing.")
@click.option("--todo", is_flag=True, help="With --ics: to-dos (VTODO) instead of events.")
@click.option(
    "--url", metavar="URL", help="With --ics: an https link that opens the task in the app."
)
@click.option(
    "--pack",
    "pack_dir",
    metavar="FOLDER",
    help="Pack that holds the worksheets and pathways (default: nearest pack.yaml upwards).",
)
@click.option("--explain", is_flag=True, help="Show each schedule as an RFC 5545 RRULE.")
def command(
    assignment: str,
    from_: dt.date | None,
    to: dt.date | None,
    fmt: str,
    ics: str | None,
    todo: bool,
    url: str | None,
    pack_dir: str | None,
    explain: bool,
) -> None:
    """List the occurrences of ASSIGNMENT, or write them as an .ics calendar.

    Times are the client's local times (the assignment's time zone). Exit status: 0 listed,
    1 the assignment has problems, 2 usage or I/O error.
    """
    path = Path(assignment)
    if not path.is_file():
        fail_usage(f"cannot read {assignment}: no such file")
    if from_ and to and to < from_:
        fail_usage("--to is before --from")
    if url is not None and not (url.isprintable() and link_kind(url) == "web"):
        fail_usage("--url must be an https:// (or http://) link")
    model, pack, root = _load(assignment, path, pack_dir)
    from ..scheduling import (
        ScheduleError,
        UnboundedScheduleError,
        occurrences,
        to_rrule,
    )

    try:
        if explain:
            _explain(model, pack, to_rrule)
            sys.exit(EXIT_OK)
        end: dt.date | None = to
        note = None
        if end is None:
            try:
                occurrences(model, from_, None, pack=pack)
            except UnboundedScheduleError:
                end = (from_ or model.start) + DEFAULT_HORIZON
                note = f"note: the schedule has no end; showing until {end} (use --to)"
        if ics:
            refuse_input_as_output(ics, (assignment, str(root) if root is not None else None))
            _write_ics(assignment, model, pack, (from_, end), ics, todo, url)
            if note:
                click.echo(note, err=True)
            sys.exit(EXIT_OK)
        found = occurrences(model, from_, end, pack=pack)
    except (ScheduleError, ValueError, KeyError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        _fail([f"{assignment}:1:1: error WK219 {message}"])
        return
    if note:
        click.echo(note, err=True)
    _list(model, pack, found, fmt, from_, end)
    sys.exit(EXIT_OK)


def _load(assignment: str, path: Path, pack_dir: str | None) -> tuple[Any, Any, Path | None]:
    """(the assignment, its pack or None, the pack's folder or None); exits on a problem."""
    from ..errors import WorksheetError
    from ..model import Assignment
    from ..validation import find_pack_root, load, load_pack

    try:
        model = load(path)
    except WorksheetError as exc:
        _fail([d.format() for d in exc.diagnostics])
    except OSError as exc:
        fail_usage(f"cannot read {assignment}: {exc.strerror}")
    if not isinstance(model, Assignment):
        fail_usage(f"{assignment} is a {getattr(model, 'kind', 'document')}, not an assignment")
    pack: Any = None
    root = Path(pack_dir) if pack_dir else find_pack_root(path)
    if pack_dir and not Path(pack_dir).is_dir():
        fail_usage(f"--pack {pack_dir}: no such folder")
    if root is not None:
        try:
            pack = load_pack(root)
        except WorksheetError as exc:
            _fail([d.format() for d in exc.diagnostics])
    return model, pack, root


def _write_ics(
    assignment: str,
    model: Any,
    pack: Any,
    span: tuple[dt.date | None, dt.date | None],
    ics: str,
    todo: bool,
    url: str | None,
) -> None:
    """Write the calendar to ``ics``, echoing what the calendar could not carry (WK227)."""
    import warnings

    from ..scheduling import to_ics

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = to_ics(
            model,
            *span,
            pack=pack,
            component="VTODO" if todo else "VEVENT",
            url=url,
        )
    for w in caught:  # text the calendar could not carry as it was (WK227)
        click.echo(f"{assignment}: warning {w.message}", err=True)
    try:
        write_atomic(ics, data)
    except OSError as exc:
        fail_usage(f"cannot write {ics}: {exc.strerror}")


def _list(
    model: Any, pack: Any, found: list[Any], fmt: str, start: dt.date | None, end: dt.date | None
) -> None:
    """Print the occurrences: JSON, a pathway's plan, or week by week."""
    if fmt == "json":
        payload: dict[str, Any] = {"occurrences": [o.to_dict() for o in found]}
        payload["locked"] = [o.id for o in found if o.locked]
        payload["excused"] = [o.id for o in found if o.excused]
        emit(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", None)
    elif model.pathway:
        from ..scheduling import plan

        the_plan = plan(model, pack, start=start, end=end)
        n = the_plan.total
        head = f"{model.id}: {n} occurrence{'s' if n != 1 else ''} ({model.timezone})\n\n"
        emit(head + the_plan.to_text(), None)
    else:
        emit(_text(model, found, pack), None)


def _text(model: Any, found: list[Any], pack: Any) -> str:
    """Occurrences for a clinician, week by week: local times in words with the zone, the
    worksheet's title; no UTC offsets or occurrence ids (those are in ``--format json``)."""
    from .._humanize import date_text, datetime_text
    from ..model import text_in

    title = model.worksheet
    if pack is not None:
        try:
            ws = pack.worksheet(model.worksheet)
            title = text_in(ws.title, ws.language)
        except KeyError:
            pass
    lines = [
        f"{model.id}: {len(found)} occurrence{'s' if len(found) != 1 else ''} ({model.timezone})"
    ]
    week = None
    for o in found:
        index = (o.opens.date() - model.start).days // 7
        if index != week:
            week = index
            first = model.start + dt.timedelta(days=7 * index)
            last = first + dt.timedelta(days=6)
            lines += ["", f"Week {index + 1}: {date_text(first)} – {date_text(last)}"]

        def clock(moment: dt.datetime, opens: dt.datetime = o.opens) -> str:
            if moment.date() == opens.date():
                return f"{moment:%H:%M}"
            if moment.time() == dt.time() and moment.date() == opens.date() + dt.timedelta(1):
                return "midnight"
            return f"{date_text(moment.date(), year=False)}, {moment:%H:%M}"

        extra = [f"due by {clock(o.due)}"]
        if o.grace_until != o.due:
            extra.append(f"late until {clock(o.grace_until)}")
        if o.locked:
            extra.append("locked")
        if o.excused:
            extra.append("excused" + (f" ({o.excused_reason})" if o.excused_reason else ""))
        lines.append(f"  {datetime_text(o.opens)} — {title}  [{', '.join(extra)}]")
    return "\n".join(lines) + "\n"


def _explain(model: Any, pack: Any, to_rrule: Any) -> None:
    from ..scheduling import step_plans

    plans, _ = step_plans(model, pack)
    out = []
    for plan in plans:
        label = plan.step or "main"
        out.append(f"# {label}: {plan.worksheet}")
        out.append(to_rrule(plan.schedule, plan.start.date(), model.timezone))
        for change in sorted(model.changes, key=lambda c: c.from_):
            if change.step in (None, plan.step):
                day = max(change.from_, plan.start.date())
                out.append(f"# {label}: from {day}")
                out.append(to_rrule(change.schedule, day, model.timezone))
        if plan.schedule.times_per_week:
            out.append(f"# {plan.schedule.times_per_week} times in each week")
    emit("\n".join(out) + "\n", None)

"""What the preview studio shows, built from the public API only: a snapshot of the pack (files,
their kinds and problems), safe file access inside the pack, and the views' data.

Nothing here imports the web stack, so it is easy to test and reason about. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import Diagnostic
from ..model import Assignment, Pack, Pathway, Response, Worksheet, text_in
from ..validation import LoadedPack, load_pack

# Same folders the validator skips; dot-folders and dot-files are never served either.
_SKIP_PARTS = {".git", ".venv", "node_modules", "__pycache__", ".hypothesis", ".pytest_cache"}
DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
MAX_SOURCE_BYTES = 2 * 1024 * 1024
# A pathway's plan is shown from this Monday (a fixed date keeps the page reproducible).
DEMO_START = dt.date(2026, 1, 5)
DEMO_ZONE = "UTC"
PLAN_WEEKS_LIMIT = 26
NEXT_OCCURRENCES = 12


class OutsidePack(ValueError):
    """A requested path is not a regular, visible file inside the pack."""


def inside_pack(root: Path, rel: str) -> Path:
    """The file ``rel`` names inside ``root``, or raise ``OutsidePack``.

    The same rules as the validator's WK220: resolve symbolic links, then require the result
    to lie inside the pack; only regular files; no hidden files or folders.
    """
    if not rel or "\x00" in rel or "\\" in rel:
        raise OutsidePack(rel)
    pure = PurePosixPath(rel)
    if pure.is_absolute() or any(
        part in ("..", "") or part.startswith(".") or part in _SKIP_PARTS for part in pure.parts
    ):
        raise OutsidePack(rel)
    unresolved = root / Path(*pure.parts)
    candidate = unresolved.resolve()
    try:
        candidate.relative_to(root)
    except ValueError:
        raise OutsidePack(rel) from None
    try:
        info = os.stat(candidate)  # the link's target; the link itself was resolved above
    except OSError:
        raise OutsidePack(rel) from None
    # Discovery's WK220 rules: a regular file with one name (a hard link can point anywhere).
    if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
        raise OutsidePack(rel)
    return candidate


@dataclass
class SourceLine:
    number: int
    text: str
    caret: str | None = None  # spaces then '^' under the column, for the offending line


@dataclass
class Problem:
    """A diagnostic as the studio shows it: located, with the offending lines."""

    diagnostic: Diagnostic
    rel: str | None
    lines: list[SourceLine] = field(default_factory=list)

    @property
    def where(self) -> str:
        d = self.diagnostic
        parts = [self.rel or d.file or "pack"]
        if d.line:
            parts.append(str(d.line))
            if d.column:
                parts.append(str(d.column))
        return ":".join(parts)


@dataclass
class FileEntry:
    rel: str
    kind: str  # worksheet | pathway | assignment | pack | response | broken
    title: str
    model: Any
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.diagnostic.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.diagnostic.severity == "warning")


def read_source(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def excerpt(text: str | None, line: int | None, column: int | None) -> list[SourceLine]:
    """The offending line with one line of context either side and a caret at the column."""
    if text is None or not line:
        return []
    lines = text.splitlines()
    if line == len(lines) + 1:  # a problem at the end of the file (an unclosed bracket)
        lines.append("")
    if line > len(lines):
        return []
    out = []
    for number in range(max(1, line - 1), min(len(lines), line + 1) + 1):
        content = lines[number - 1].expandtabs(1)
        caret = None
        if number == line:
            caret = " " * (max(column or 1, 1) - 1) + "^"
        out.append(SourceLine(number, content[:400], caret))
    return out


class Snapshot:
    """The pack as loaded at one generation; built in one go, never mutated afterwards."""

    def __init__(self, root: Path, generation: int) -> None:
        self.root = root
        self.generation = generation
        self.pack: LoadedPack = load_pack(root, strict=False)
        self.manifest: Pack | None = self.pack.manifest
        self.files: dict[str, FileEntry] = {}
        self.pack_problems: list[Problem] = []
        texts: dict[str, str | None] = {}
        for doc in self.pack.documents:
            rel = self.rel(doc.file)
            if rel is None:
                continue
            self.files[rel] = FileEntry(rel, *self._describe(doc.model))
        for d in self.pack.diagnostics:
            rel = self.rel(d.file)
            if rel is None:
                self.pack_problems.append(Problem(d, None))
                continue
            if rel not in texts:
                try:
                    texts[rel] = read_source(inside_pack(root, rel))
                except OutsidePack:
                    texts[rel] = None
            problem = Problem(d, rel, excerpt(texts[rel], d.line, d.column))
            entry = self.files.get(rel)
            if entry is None:
                entry = self.files[rel] = FileEntry(rel, "broken", rel, None)
            entry.problems.append(problem)
        for entry in self.files.values():
            if entry.errors and entry.kind != "pack":
                entry.kind = entry.kind if self.usable(entry) else "broken"

    def rel(self, file: str | None) -> str | None:
        if not file:
            return None
        path = Path(file)
        if not path.is_absolute():
            path = Path(os.path.abspath(path))
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def _describe(self, model: Any) -> tuple[str, str, Any]:
        if isinstance(model, Worksheet):
            return "worksheet", text_in(model.title, None, model.language), model
        if isinstance(model, Pathway):
            return "pathway", text_in(model.title, None, model.language), model
        if isinstance(model, Assignment):
            return "assignment", model.id, model
        if isinstance(model, Pack):
            return "pack", "pack.yaml", model
        if isinstance(model, Response):
            return "response", model.id or model.worksheet, model
        return "broken", "", None

    def usable(self, entry: FileEntry) -> bool:
        """A worksheet or pathway the pack could resolve (its file may still have warnings)."""
        if entry.errors:
            return False
        if isinstance(entry.model, Worksheet):
            return self.pack.has_worksheet(f"{entry.model.id}@{entry.model.version}")
        return entry.model is not None

    def worksheet(self, entry: FileEntry) -> Worksheet | None:
        """The resolved worksheet (template applied) of an error-free worksheet file."""
        if entry.kind != "worksheet" or not self.usable(entry):
            return None
        return self.pack.worksheet(f"{entry.model.id}@{entry.model.version}")

    def groups(self) -> list[tuple[str, list[FileEntry]]]:
        order = [
            ("Worksheets", "worksheet"),
            ("Pathways", "pathway"),
            ("Assignments", "assignment"),
            ("Files with errors", "broken"),
        ]
        out = []
        for label, kind in order:
            entries = sorted(
                (e for e in self.files.values() if e.kind == kind),
                key=lambda e: (e.title.casefold(), e.rel),
            )
            if entries:
                out.append((label, entries))
        others = sorted(
            (e for e in self.files.values() if e.kind in ("pack", "response")),
            key=lambda e: e.rel,
        )
        if others:
            out.append(("Other files", others))
        return out

    @property
    def name(self) -> str:
        if self.manifest is not None:
            return text_in(self.manifest.name, None, self.manifest.language)
        return self.root.name

    def languages(self, ws: Worksheet) -> list[str]:
        langs = [ws.language, *(ws.languages or [])]
        return list(dict.fromkeys(langs))


class Studio:
    """The live state: the newest snapshot, rebuilt after a change; thread-safe."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"not a folder: {root}")
        self._lock = threading.Lock()
        self._generation = 0
        self._snapshot: Snapshot | None = None
        self.changed_files: list[str] = []

    @property
    def generation(self) -> int:
        return self._generation

    def mark_changed(self, paths: list[str]) -> int:
        """Record a change on disk (from the watcher); the next request rebuilds."""
        rels = []
        for p in paths:
            try:
                rels.append(Path(p).resolve().relative_to(self.root).as_posix())
            except ValueError:
                continue
        with self._lock:
            self._generation += 1
            self.changed_files = sorted(set(rels))
            return self._generation

    def snapshot(self) -> Snapshot:
        with self._lock:
            current = self._snapshot
            if current is None or current.generation != self._generation:
                current = self._snapshot = Snapshot(self.root, self._generation)
            return current


# -- views' data ------------------------------------------------------------------------------


def lint_problems(snapshot: Snapshot, entry: FileEntry) -> list[Problem]:
    """The lint warnings (``WL`` codes) of one file; lint runs only on the file shown."""
    from ..lint import lint

    try:
        path = inside_pack(snapshot.root, entry.rel)
        found = lint(path)
    except (OutsidePack, ValueError, OSError):
        return []
    text = read_source(path)
    return [
        Problem(d, entry.rel, excerpt(text, d.line, d.column))
        for d in found
        if d.code.startswith("WL")
    ]


def preview_assignment(ws: Worksheet) -> Assignment:
    """One occurrence of the worksheet, to show the adherence credit a response would earn."""
    return Assignment.model_validate(
        {
            "worksheetkit": 1,
            "kind": "assignment",
            "id": "preview",
            "client": "preview",
            "worksheet": f"{ws.id}@{ws.version}",
            "start": DEMO_START,
            "timezone": DEMO_ZONE,
            "schedule": {"repeat": "once", "window": "P1D"},
        }
    )


def check_answers(
    snapshot: Snapshot, ws: Worksheet, answers: Any, language: str | None
) -> dict[str, Any]:
    """validate_response, scores, bands, alerts and the adherence credit of these answers,
    as if they were submitted now (within the window of a one-occurrence assignment)."""
    from ..progress import adherence
    from ..responses import check_response
    from ..scheduling import occurrences

    assignment = preview_assignment(ws)
    occurrence = occurrences(assignment, pack=snapshot.pack)[0]
    response: dict[str, Any] = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": ws.id,
        "version": ws.version,
        "answers": answers if isinstance(answers, dict) else {},
    }
    if isinstance(language, str) and language:
        response["language"] = language
    moment = occurrence.opens_utc + dt.timedelta(hours=1)
    response["assignment"] = assignment.id
    response["occurrence"] = occurrence.id
    response["started_at"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    response["submitted_at"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    result = check_response(ws, response)
    out: dict[str, Any] = {"response": response, **result.to_dict()}
    report = adherence(
        assignment, [response], occurrence.grace_until + dt.timedelta(days=1), pack=snapshot.pack
    )
    row = json.loads(report.to_json())
    first = (row.get("occurrences") or [{}])[0]
    out["adherence"] = {
        "status": first.get("status"),
        "credit": first.get("credit"),
        "quantity": row.get("quantity"),
    }
    return out


def _weekday(moment: dt.datetime) -> str:
    return moment.strftime("%a %d %b %H:%M")


def pathway_plan(snapshot: Snapshot, pathway: Pathway) -> dict[str, Any]:
    """The week-by-week plan of a pathway, for a client starting on DEMO_START."""
    from ..scheduling import ScheduleError, occurrences

    assignment = Assignment.model_validate(
        {
            "worksheetkit": 1,
            "kind": "assignment",
            "id": "preview",
            "client": "preview",
            "pathway": f"{pathway.id}@{pathway.version}",
            "start": DEMO_START,
            "timezone": DEMO_ZONE,
        }
    )
    titles = {}
    for step in pathway.steps:
        try:
            ws = snapshot.pack.worksheet(step.worksheet)
            titles[step.id] = text_in(ws.title, None, ws.language)
        except KeyError:
            titles[step.id] = step.worksheet
    try:
        found = occurrences(
            assignment,
            DEMO_START,
            DEMO_START + dt.timedelta(weeks=PLAN_WEEKS_LIMIT) - dt.timedelta(days=1),
            pack=snapshot.pack,
        )
    except (ScheduleError, ValueError, KeyError) as exc:
        return {"weeks": [], "error": str(exc), "titles": titles, "start": DEMO_START}
    weeks: dict[int, list[dict[str, Any]]] = {}
    for o in found:
        week = (o.opens.date() - DEMO_START).days // 7 + 1
        weeks.setdefault(week, []).append(
            {
                "when": _weekday(o.opens),
                "due": _weekday(o.due),
                "step": o.step or "",
                "title": titles.get(o.step or "", o.worksheet),
                "locked": o.locked,
            }
        )
    return {
        "weeks": sorted(weeks.items()),
        "error": None,
        "titles": titles,
        "start": DEMO_START,
        "assignment": assignment,
    }


def assignment_plan(snapshot: Snapshot, assignment: Assignment) -> dict[str, Any]:
    """The first occurrences of an assignment from its start date."""
    from ..scheduling import ScheduleError, occurrences

    try:
        found = occurrences(
            assignment,
            assignment.start,
            assignment.start + dt.timedelta(weeks=PLAN_WEEKS_LIMIT),
            pack=snapshot.pack,
        )
    except (ScheduleError, ValueError, KeyError) as exc:
        return {"occurrences": [], "error": str(exc), "total": 0}
    rows = [
        {
            "id": o.id,
            "when": _weekday(o.opens),
            "due": _weekday(o.due),
            "worksheet": o.worksheet,
            "locked": o.locked,
            "excused": o.excused,
        }
        for o in found[:NEXT_OCCURRENCES]
    ]
    return {"occurrences": rows, "error": None, "total": len(found)}


def calendar(snapshot: Snapshot, entry: FileEntry) -> bytes | None:
    """The .ics of an assignment, or of a pathway started on DEMO_START."""
    from ..scheduling import ScheduleError, to_ics

    if entry.kind == "assignment" and snapshot.usable(entry):
        assignment = entry.model
    elif entry.kind == "pathway" and snapshot.usable(entry):
        assignment = pathway_plan(snapshot, entry.model).get("assignment")
        if assignment is None:
            return None
    else:
        return None
    try:
        data: bytes = to_ics(assignment, pack=snapshot.pack)
    except (ScheduleError, ValueError, KeyError):
        return None
    return data

"""The checks of a pack as a whole: ids unique, site page names distinct, references
resolved (worksheets, pathways, steps), templates applied, media files present, schedules,
pathways, assignments and stored responses checked; every document's own checks collected."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._diagcap import cap_per_file
from .._suggest import suggestion_budget
from .._urls import link_kind
from ..codes import Code
from ..errors import Diagnostic, Problem, sort_diagnostics
from ..loading import SourceDocument
from ..loading.modelerrors import did_you_mean
from ..model import Assignment, Pack, Pathway, Response, Worksheet, is_duration
from ._loaded import LoadedPack
from ._templates import Resolved, Templates, unextended
from ._versions import page_name, split_ref, version_key, version_matches
from .located import Located
from .worksheet import WorksheetChecker, check_text_fields, expr_hint

__all__ = ["PackChecker"]


def _schedule_checks(node: Located) -> Iterator[Diagnostic]:
    if not isinstance(node.value, dict):
        return
    key = json.dumps(node.value, sort_keys=True, default=str)
    for problem in _schedule_problems(key):
        yield node.place(problem)


@lru_cache(maxsize=512)
def _schedule_problems(key: str) -> tuple[Problem, ...]:
    """Static schedule problems, memoised: a pack repeats the same few schedules many times."""
    from ..model import Schedule
    from ..scheduling import check_schedule

    try:
        schedule = Schedule.model_validate(json.loads(key))
    except ValidationError:
        return ()  # already reported by the document's model
    return tuple(check_schedule(schedule))


def _worksheet_checks(doc: SourceDocument, resolved: Resolved | None) -> Iterator[Diagnostic]:
    """A worksheet's own checks: its texts, its default schedule and, once its template is
    applied (``resolved``), the meaning of its items."""
    assert isinstance(doc.model, Worksheet)
    root = Located(doc.data, doc, ())
    # A worksheet made from a template inherits its languages: its own texts must carry them.
    texts_of = resolved.model if resolved is not None else doc.model
    yield from check_text_fields(root, texts_of.language, texts_of.languages)
    yield from _schedule_checks(root.at("default_schedule"))
    if resolved is not None:
        yield from WorksheetChecker(resolved.model, resolved.root, resolved.items).run()


def precheck(doc: SourceDocument) -> SourceDocument:
    """Run the own checks of a worksheet that needs nothing but itself (no ``extends``) now,
    and keep them on the document (``doc.checked``) for the pack check.

    The parallel reader (validation._parallel) calls this in its workers: these checks were
    nine tenths of the pack check, which runs in one process after the reading — for a pack
    of thought records, 0.35–0.45× the time of parsing it with yaml.CSafeLoader, left in one
    process while the other cores idled; now the pack check is 0.04× (CPU, 1,000 worksheets,
    2026-12-04). The result is the same diagnostics in the same order: the pack check uses
    them where it would have computed them, and drops them with the document when the
    document is left out (a duplicate id, WK202).
    """
    model = doc.model
    if isinstance(model, Worksheet) and model.extends is None:
        with suggestion_budget():  # as the pack check's, one per document
            doc.checked = list(_worksheet_checks(doc, unextended(doc, model)))
    return doc


class PackChecker:
    def __init__(
        self, root: Path | None, docs: list[SourceDocument], *, standalone: bool = False
    ) -> None:
        # standalone: one document read on its own (``loads``); templates cannot be resolved.
        self.standalone = standalone
        self.pack = LoadedPack(root=root, documents=docs)
        self.docs = docs
        self.out: list[Diagnostic] = []
        self.ws_docs: dict[str, dict[str, SourceDocument]] = {}
        self.templates = Templates(self.ws_docs, self.out)
        self._real_root: Path | None = None  # the pack root, resolved (_media_files)

    @property
    def resolved(self) -> dict[int, Resolved | None]:
        """Every worksheet resolved so far (templates applied), by document."""
        return self.templates.resolved

    def run(self) -> LoadedPack:
        for doc in self.docs:
            self.out.extend(doc.diagnostics)
        self._index()
        # Worksheets first: pathways, assignments and responses refer to them (whatever order
        # the files sort in).
        for doc in self.docs:
            if isinstance(doc.model, Worksheet):
                with suggestion_budget():  # did-you-mean work bounded per document
                    self._worksheet(doc)
        for doc in self.docs:
            with suggestion_budget():
                self._check_other(doc)
        self.pack.diagnostics = cap_per_file(sort_diagnostics(self.out))
        return self.pack

    def _check_other(self, doc: SourceDocument) -> None:
        model = doc.model
        if isinstance(model, Pathway):
            self._pathway(doc, model)
        elif isinstance(model, Assignment):
            self._assignment(doc, model)
        elif isinstance(model, Response) or (
            model is None and doc.kind == "response" and not doc.diagnostics
        ):
            self._response(doc, model)
        elif isinstance(model, Pack):
            if self.pack.manifest is None:
                self.pack.manifest = model
            root = Located(doc.data, doc, ())
            self.out.extend(check_text_fields(root, model.language, model.languages))

    def _index(self) -> None:
        for kind_table, cls in ((self.ws_docs, Worksheet), ({}, Pathway)):
            seen: dict[tuple[str, str], SourceDocument] = {}
            pages: dict[str, tuple[SourceDocument, str]] = {}
            for doc in sorted(self.docs, key=lambda d: d.file or ""):
                model = doc.model
                if not isinstance(model, cls):
                    continue
                key = (model.id, model.version)
                if key in seen:
                    first = seen[key]
                    self.out.append(
                        Located(doc.data, doc, ("id",)).diag(
                            Code.WK202,
                            f"Another {cls.__name__.lower()} in this pack already has id "
                            f"'{model.id}' and version {model.version} ({first.file}).",
                            "Change the id, or raise the version of one of them.",
                        )
                    )
                    doc.model = None
                    continue
                seen[key] = doc
                self._page_names(doc, model, cls.__name__.lower(), pages)
                if cls is Worksheet:
                    kind_table.setdefault(model.id, {})[model.version] = doc
                else:
                    assert isinstance(model, Pathway)
                    self.pack._pathways.setdefault(model.id, {})[model.version] = model

    def _page_names(
        self,
        doc: SourceDocument,
        model: Worksheet | Pathway,
        kind: str,
        pages: dict[str, tuple[SourceDocument, str]],
    ) -> None:
        """WK228 when this document's site pages would have the name of an earlier one's."""
        languages: list[str | None] = [None]
        if isinstance(model, Worksheet):  # translated pages: <name>.<language>
            languages += [lang for lang in model.languages or [] if lang != model.language]
        for language in languages:
            name = page_name(model.id, model.version, language)
            if name not in pages:
                pages[name] = (doc, f"{model.id} {model.version}")
                continue
            first, what = pages[name]
            if first is doc:
                continue
            self.out.append(
                Located(doc.data, doc, ("id",)).diag(
                    Code.WK228,
                    f"This {kind}'s site page would have the same name ('{name}') as the "
                    f"page of {kind} {what} ({first.file}); one would replace the other.",
                    "Make the ids differ in more than capitals or punctuation (page names "
                    "fold case, and '_' and '-' alike).",
                )
            )
            return

    # worksheets ---------------------------------------------------------------------------
    def _worksheet(self, doc: SourceDocument) -> None:
        assert isinstance(doc.model, Worksheet)
        if self.standalone and doc.model.extends is not None:
            root = Located(doc.data, doc, ())
            self.out.extend(check_text_fields(root, doc.model.language, doc.model.languages))
            return
        resolved = self.templates.resolve(doc, [])
        if doc.checked is not None:  # run where it was read (see precheck)
            self.out.extend(doc.checked)
        else:
            self.out.extend(_worksheet_checks(doc, resolved))
        if resolved is None:
            return
        self.out.extend(self._media_files(resolved))
        self.pack._worksheets.setdefault(resolved.model.id, {})[resolved.model.version] = (
            resolved.model
        )

    def _media_files(self, resolved: Resolved) -> Iterator[Diagnostic]:
        """A relative media link must name a file inside the pack (relative to its folder)."""
        if self.pack.root is None:
            return
        from ..model import Media
        from .worksheet import walk_items

        # Resolved once per pack check: once per worksheet was a fifth of this check's time.
        if self._real_root is None:
            self._real_root = self.pack.root.resolve()
        root = self._real_root
        for entry in walk_items(resolved.model.items, resolved.items):
            item = entry.model
            # Addresses on the web, mailto: and #fragments name no file; refused ones are WK212.
            if not isinstance(item, Media) or link_kind(item.url) != "relative":
                continue
            target = (root / item.url.split("#")[0].split("?")[0]).resolve()
            inside = target == root or root in target.parents
            if not inside or not target.is_file():
                yield entry.node.at("url").diag(
                    Code.WK226,
                    f"The media file '{item.url}' is not in the pack"
                    + (" (the link leaves the pack folder)." if not inside else "."),
                    "Relative media links are relative to the pack folder (the one with "
                    "pack.yaml); put the file there, or use an https:// link.",
                    severity="warning",
                )

    # pathways, assignments, responses ------------------------------------------------------
    def _ref_problem(self, node: Located, ref: str, kind: str) -> Diagnostic | None:
        ident, wanted = split_ref(ref)
        versions: list[str] = list(
            self.ws_docs.get(ident, {})
            if kind == "worksheet"
            else self.pack._pathways.get(ident, {})
        )
        if not versions:
            names = self.ws_docs if kind == "worksheet" else self.pack._pathways
            guess = did_you_mean(ident, names.keys())
            unreadable = any(d.model is None and d.diagnostics for d in self.docs)
            if guess:
                hint = f"Did you mean '{guess}'?"
            elif unreadable:
                hint = (
                    f"If the {kind} is in one of the files with errors, fix those first: a file "
                    "that cannot be read is left out of the pack."
                )
            else:
                hint = f"Add the {kind} to the pack, or fix the id."
            return node.diag(Code.WK204, f"There is no {kind} '{ident}' in this pack.", hint)
        if not any(version_matches(v, wanted) for v in versions):
            have = ", ".join(sorted(versions, key=version_key))
            return node.diag(
                Code.WK205,
                f"The {kind} '{ident}' has no version {wanted} in this pack (it has {have}).",
                "Refer to a version the pack has.",
            )
        return None

    def _pathway(self, doc: SourceDocument, model: Pathway) -> None:
        from ..expressions import PATHWAY_FUNCTIONS, ExpressionSyntaxError, Symbol, check, parse

        root = Located(doc.data, doc, ())
        self.out.extend(check_text_fields(root, model.language, model.languages))
        steps = root.at("steps")
        seen: dict[str, int] = {}
        symbols = {s.id: Symbol(kind="step") for s in model.steps}
        for i, step in enumerate(model.steps):
            node = steps.at(i)
            if step.id in seen:
                self.out.append(
                    node.at("id").diag(
                        Code.WK222,
                        f"The step id '{step.id}' is used twice (steps {seen[step.id] + 1} and "
                        f"{i + 1}).",
                        "Give each step its own id.",
                    )
                )
            seen.setdefault(step.id, i)
            if self.pack.root is not None or self.ws_docs:
                problem = self._ref_problem(node.at("worksheet"), step.worksheet, "worksheet")
                if problem:
                    self.out.append(problem)
            self.out.extend(_schedule_checks(node.at("schedule")))
            if not is_duration(step.start):
                self.out.append(
                    node.at("start").diag(
                        Code.WK218,
                        f"'start' is not a duration: '{step.start}'.",
                        "Write the offset from the assignment's start in ISO 8601, e.g. P0D, "
                        "P7D, P2W.",
                    )
                )
            if step.unlock_when:
                wnode = node.at("unlock_when")
                try:
                    expr = parse(step.unlock_when)
                except ExpressionSyntaxError as exc:
                    p = exc.problem
                    hint = p.hint or expr_hint(p.code, symbols)
                    self.out.append(wnode.diag(p.code, p.message, hint, offset=p.offset))
                    continue
                allowed = PATHWAY_FUNCTIONS
                for p in check(expr, symbols, functions_allowed=allowed):
                    hint = p.hint or expr_hint(p.code, symbols)
                    self.out.append(wnode.diag(p.code, p.message, hint, offset=p.offset))
        self.out.extend(self._pathway_total(steps, model))

    def _pathway_total(self, steps: Located, model: Pathway) -> Iterator[Diagnostic]:
        """WK219 when the steps together make more occurrences than one assignment may."""
        from ..model import Schedule
        from ..scheduling import check_pathway_total

        schedules: list[Schedule] = []
        for step in model.steps:
            schedule = step.schedule
            if schedule is None:  # the worksheet's default, when the pack has it
                try:
                    schedule = self.pack.worksheet(step.worksheet).default_schedule
                except KeyError:
                    continue
                schedule = schedule or Schedule(repeat="once")
            schedules.append(schedule)
        problem = check_pathway_total(schedules)
        if problem is not None:
            yield steps.place(problem)  # the pathway's steps, as a whole

    def _assignment(self, doc: SourceDocument, model: Assignment) -> None:
        root = Located(doc.data, doc, ())
        self.pack.assignments.append(model)
        if self.pack.root is not None or self.ws_docs:
            if model.worksheet:
                problem = self._ref_problem(root.at("worksheet"), model.worksheet, "worksheet")
                if problem:
                    self.out.append(problem)
            if model.pathway:
                problem = self._ref_problem(root.at("pathway"), model.pathway, "pathway")
                if problem:
                    self.out.append(problem)
                else:
                    self.out.extend(self._step_refs(root, model))
        self.out.extend(_schedule_checks(root.at("schedule")))
        changes = root.at("changes")
        for i in range(len(model.changes)):
            self.out.extend(_schedule_checks(changes.at(i).at("schedule")))
        from ..scheduling import check_assignment

        self.out.extend(root.place(problem) for problem in check_assignment(model))

    def _step_refs(self, root: Located, model: Assignment) -> Iterator[Diagnostic]:
        """``start_at_step`` and ``changes[].step`` name steps of the assigned pathway."""
        assert model.pathway is not None
        try:
            pathway = self.pack.pathway(model.pathway)
        except KeyError:  # pragma: no cover - reported by _ref_problem
            return
        steps = [s.id for s in pathway.steps]
        named = [(root.at("start_at_step"), model.start_at_step)]
        named += [
            (root.at("changes").at(i).at("step"), c.step) for i, c in enumerate(model.changes)
        ]
        for node, step in named:
            if step is None or step in steps:
                continue
            guess = did_you_mean(step, steps)
            yield node.diag(
                Code.WK219,
                f"The pathway '{pathway.id}' has no step '{step}'.",
                f"Did you mean '{guess}'?" if guess else f"Its steps are: {', '.join(steps)}.",
            )

    def _response(self, doc: SourceDocument, model: Response | None) -> None:
        """The response's envelope and, when its worksheet is known, its answers: one pass
        of ``validate_response`` (the reader ``check-response`` uses), so a bad rating never
        hides a wrong answer. Without the worksheet, the envelope alone."""
        from ..model.envelope import check_envelope, valid_ref
        from ..responses import validate_response
        from ..responses.pointers import resolve_positions

        data: dict[Any, Any] = doc.data
        root = Located(data, doc, ())
        if model is not None:
            self.pack.responses.append(model)
        worksheet: Worksheet | None = None
        ref = data.get("worksheet")
        if (self.pack.root is not None or self.ws_docs) and isinstance(ref, str) and valid_ref(ref):
            problem = self._ref_problem(root.at("worksheet"), ref, "worksheet")
            if problem:
                self.out.append(problem)
            else:
                worksheet = self._response_worksheet(ref, data.get("version"))
        found: list[Diagnostic]
        if worksheet is not None:
            found = validate_response(worksheet, data)
        else:
            found = []
            check_envelope(data, found)
        for d in found:
            parts = resolve_positions(d.path, data)
            line, column = doc.source.locate(parts)
            self.out.append(d.with_location(file=doc.file, line=line, column=column))

    def _response_worksheet(self, ref: str, version: Any) -> Worksheet | None:
        """The version a response was recorded against (``version``, else the ref's), or —
        when the pack lacks it — the newest of that id, so WK410 says which was used."""
        ident, _ = split_ref(ref)
        exact = f"{ident}@{version}" if isinstance(version, str) else ref
        for wanted in (exact, ref, ident):
            try:
                return self.pack.worksheet(wanted)
            except (KeyError, ValueError):
                continue
        return None

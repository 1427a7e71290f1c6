"""Running lint: validate first, then the rules, per pack, with settings and silencing applied.

Files inside a pack are linted with the whole pack as context (templates resolved, pathways
seen, ``pack.yaml`` settings applied), but only the files asked for are reported on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._results import JsonResult
from ..errors import Counted, Diagnostic, sort_diagnostics
from ..loading import SourceDocument
from ..loading.portability import CODE as PORTABILITY
from ..loading.portability import find_portability
from ..model import Pack, Pathway, Worksheet
from ..validation import PACK_FILE, PackChecker, _collect, _read, find_pack_root, split_ref
from ..validation.located import Located
from .config import LintConfig, check_settings, from_mapping
from .rules import Context, Finding, run_checks, schedule_repeats
from .silence import Silencer

READABILITY_SKIPPED = "WL008"


@dataclass(frozen=True)
class LintRun(Counted, JsonResult):
    """Files looked at and every diagnostic, sorted. ``to_dict()``/``to_json()``/
    ``from_dict()``: schema ``lint-run``."""

    files: int
    diagnostics: list[Diagnostic]


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def lint_paths(
    *paths: str | os.PathLike[str],
    config: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LintRun:
    """Validate, then lint, files and folders. ``config`` is layered over each ``pack.yaml``."""
    extra = from_mapping(config)
    found, problems = _collect(paths)
    files: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for path, display in found:  # a file named twice (a folder and a file in it) counts once
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            files.append((path, display))
    groups: dict[Path | None, list[tuple[Path, str]]] = {}
    for path, display in files:
        root = find_pack_root(path) if path.exists() else None
        groups.setdefault(root, []).append((path, display))
    out: list[Diagnostic] = list(problems)
    state = _State()
    done = 0
    for root, members in groups.items():
        requested: list[SourceDocument] = []
        for path, display in members:
            requested.append(_read(path, display))
            done += 1
            if progress is not None:
                progress(done, len(files))
        context: list[SourceDocument] = []
        if root is not None:
            wanted = {p.resolve() for p, _ in members}
            pack_files, _ = _collect([root])
            context = [_read(p, _display(p)) for p, _ in pack_files if p.resolve() not in wanted]
        out.extend(_lint_group(root, requested, context, extra, state))
    if state.readability_skipped is not None:
        out.append(
            Diagnostic(
                code=READABILITY_SKIPPED,
                message="The reading-level check (WL007) was skipped: the readability library "
                "is not installed.",
                severity=state.severity,
                hint="Install it with: pip install 'worksheetkit[lint]'",
                file=state.readability_skipped,
                line=1,
                column=1,
            )
        )
    return LintRun(len(files), sort_diagnostics(out))


@dataclass
class _State:
    readability_skipped: str | None = None
    severity: Any = "warning"


def _pack_settings(
    root: Path | None, docs: list[SourceDocument]
) -> tuple[dict[str, Any], list[Diagnostic]]:
    manifest = None
    for doc in docs:
        if (
            doc.kind == "pack"
            and doc.file
            and Path(doc.file).name == PACK_FILE
            and (root is None or Path(doc.file).resolve().parent == root)
        ):
            manifest = doc
            break
    if manifest is None or not isinstance(manifest.data, dict):
        return {}, []
    return check_settings(Located(manifest.data, manifest, ()).at("lint"), "pack.yaml")


def _lint_group(
    root: Path | None,
    requested: list[SourceDocument],
    context: list[SourceDocument],
    extra: dict[str, Any],
    state: _State,
) -> list[Diagnostic]:
    checker = PackChecker(root, [*requested, *context])
    loaded = checker.run()
    asked = {doc.file for doc in requested}
    out = [d for d in loaded.diagnostics if d.severity == "error" and d.file in asked]
    failed = {d.file for d in out}

    pack_settings, pack_problems = _pack_settings(root, [*requested, *context])
    out.extend(pack_problems)
    base = LintConfig().merged(pack_settings).merged(extra)

    repeated: set[str] = set()
    for pathway in loaded.pathways:
        for step in pathway.steps:
            if schedule_repeats(step.schedule):
                repeated.add(split_ref(step.worksheet)[0])

    for doc in requested:
        model = doc.model
        if doc.file in failed or model is None or isinstance(model, Pack):
            continue
        if isinstance(model, Worksheet):
            resolved = checker.resolved.get(id(doc))
            if resolved is None:
                continue
            own, problems = check_settings(Located(doc.data, doc, ()).at("lint"), "this worksheet")
            out.extend(problems)
            ctx = Context(
                doc,
                resolved.model,
                base.merged(own),
                items=resolved.items,
                repeated_in_pathway=resolved.model.id in repeated,
            )
        elif isinstance(model, Pathway):
            ctx = Context(doc, model, base)
        else:
            continue  # assignments and responses: nothing to lint (and answers are private)
        silencer = Silencer.of(doc)
        out.extend(silencer.problems)
        if ctx.config.enabled(PORTABILITY) and not (doc.file or "").lower().endswith(".json"):
            out.extend(
                p.diagnostic(doc.file, PORTABILITY, ctx.config.severity_of(PORTABILITY))
                for p in find_portability(doc.source.text or "")
                if not silencer.silenced(PORTABILITY, p.path)
            )
        for finding in run_checks(ctx):
            if ctx.config.enabled(finding.code) and not silencer.silenced(
                finding.code, finding.node.path
            ):
                out.append(_diagnostic(finding, ctx.config))
        if (
            ctx.readability_skipped
            and ctx.config.enabled(READABILITY_SKIPPED)
            and ctx.config.enabled("WL007")
            and (state.readability_skipped is None or (doc.file or "") < state.readability_skipped)
        ):
            state.readability_skipped = doc.file or "<string>"
            state.severity = ctx.config.severity_of(READABILITY_SKIPPED)
    return out


def _diagnostic(finding: Finding, config: LintConfig) -> Diagnostic:
    d = finding.node.diag(
        finding.code,
        finding.message,
        finding.hint,
        severity=config.severity_of(finding.code),
        key=finding.key,
        offset=finding.offset,
    )
    if finding.path is not None or finding.position is not None:
        line, column = finding.position or (d.line, d.column)
        return Diagnostic(
            code=d.code,
            message=d.message,
            severity=d.severity,
            hint=d.hint,
            file=d.file,
            line=line,
            column=column,
            path=d.path if finding.path is None else finding.path,
        )
    return d

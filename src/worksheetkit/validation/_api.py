"""The public entry points: ``check_paths`` / ``validate`` (files and folders), ``load``,
``loads`` and ``load_pack``."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

from .._results import JsonResult
from ..codes import Code
from ..errors import Counted, Diagnostic, WorksheetError, has_errors, sort_diagnostics
from ..loading import SourceDocument, SourceMap, parse_document
from ..model import Assignment, Document, Pack, Pathway, Response, Worksheet
from ._discovery import (
    STREAM_SUFFIX,
    _collect,
    _is_document,
    _pack_root_of,
    _read,
    find_pack_root,
    pack_files,
)
from ._loaded import LoadedPack
from ._pack import PackChecker
from ._parallel import read_all

__all__ = ["ValidationRun", "check_paths", "load", "load_pack", "loads", "validate"]


@dataclass(frozen=True)
class ValidationRun(Counted, JsonResult):
    """Files checked and every diagnostic, sorted. ``to_dict()``/``to_json()``/
    ``from_dict()``: schema ``validation-run``."""

    files: int
    diagnostics: list[Diagnostic]


def check_paths(
    *paths: str | os.PathLike[str],
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
    keep: list[object] | None = None,
) -> ValidationRun:
    """Validate files and folders; every problem of every file, sorted.

    ``jobs`` > 1 reads a large pack (200 files or more) on that many forked processes where the
    platform allows it (see ``validation._parallel``); the result is the same either way.
    ``progress(done, total)`` is called as files are read. With ``keep``, what was read and
    checked is appended to it instead of being freed on return (the command line, in its own
    process, leaves freeing it to the process's exit).
    """
    return _check_paths(paths, progress, jobs, keep)


def _check_paths(
    paths: tuple[str | os.PathLike[str], ...],
    progress: Callable[[int, int], None] | None,
    jobs: int = 1,
    keep: list[object] | None = None,
) -> ValidationRun:
    """``check_paths``; with ``keep``, what was read and checked is appended to it instead of
    being freed on return (the command line leaves freeing it to the process's exit)."""
    files, problems = _collect(paths, streams=True)
    groups: dict[Path | None, list[SourceDocument]] = {}
    streams: dict[Path | None, list[tuple[Path, str]]] = {}
    roots: dict[Path, Path | None] = {}
    documents: list[tuple[Path, str]] = []
    document_roots: list[Path | None] = []
    for path, display in files:
        folder = path.parent
        if folder not in roots:
            roots[folder] = _pack_root_of(folder.resolve())
        groups.setdefault(roots[folder], [])
        if path.name.endswith(STREAM_SUFFIX):
            streams.setdefault(roots[folder], []).append((path, display))
        else:
            documents.append((path, display))
            document_roots.append(roots[folder])
    done = len(files) - len(documents)  # streams are read by their own check, later

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, len(files))

    docs = read_all(documents, jobs, advance if progress is not None else None)
    for root, doc in zip(document_roots, docs, strict=True):
        groups[root].append(doc)
    whole = {Path(p).resolve() for p in paths if Path(p).is_dir()}
    diagnostics = list(problems)
    for root, docs in groups.items():
        if root is None or root in whole:
            loaded = PackChecker(root, docs).run()
            diagnostics.extend(loaded.diagnostics)
            diagnostics.extend(_check_streams(streams.get(root, []), loaded)[0])
            if keep is not None:
                keep.append(loaded)
            continue
        # A file named on its own (a pre-commit hook passes single files) is checked with the
        # rest of its pack as context: templates and references resolve. Only the named files
        # are reported on.
        named = {Path(d.file).resolve() for d in docs if d.file}
        context = read_all(
            [(path, shown) for path, shown in _collect([root])[0] if path.resolve() not in named],
            jobs,
        )
        reported = {d.file for d in docs}
        loaded = PackChecker(root, [*docs, *context]).run()
        diagnostics.extend(d for d in loaded.diagnostics if d.file in reported)
        diagnostics.extend(_check_streams(streams.get(root, []), loaded)[0])
        if keep is not None:
            keep.append(loaded)
    if keep is not None:
        keep.append(groups)
    return ValidationRun(len(files), sort_diagnostics(diagnostics))


def validate(*paths: str | os.PathLike[str]) -> list[Diagnostic]:
    """Every diagnostic for these files/folders; never raises for content problems."""
    return check_paths(*paths).diagnostics


_D = TypeVar("_D", Worksheet, Pathway, Pack, Assignment, Response)


@overload
def loads(text: str, source: str | None = None, *, kind: None = None) -> Document: ...
@overload
def loads(text: str, source: str | None = None, *, kind: type[_D]) -> _D: ...
def loads(text: str, source: str | None = None, *, kind: type[Any] | None = None) -> Any:
    """Parse one document from text; raise :class:`WorksheetError` when it has errors.

    With ``kind`` (``Worksheet``, ``Pathway``, ``Pack``, ``Assignment``, ``Response``) a document
    of another kind is an error too (WK104 at its ``kind``), and the return type is that class.
    A worksheet that ``extends`` a template is returned unresolved (there is no pack to look
    in); use :func:`load_pack` or :func:`load` on a file inside a pack.
    """
    return _expect(_loads(text, source), kind, text, source)


@overload
def load(path: str | os.PathLike[str], *, kind: None = None) -> Document: ...
@overload
def load(path: str | os.PathLike[str], *, kind: type[_D]) -> _D: ...
def load(path: str | os.PathLike[str], *, kind: type[Any] | None = None) -> Any:
    """Load one file. Inside a pack, templates and references are resolved against it.

    With ``kind`` (``Worksheet``, ``Assignment``, …) a file of another kind raises
    :class:`WorksheetError` (WK104 at its ``kind``), and type checkers know the result's class:
    ``load(path, kind=Assignment)`` is an ``Assignment``.
    """
    return _expect(_load(path), kind, None, str(path))


def _expect(model: Document, kind: type[Any] | None, text: str | None, file: str | None) -> Any:
    if kind is None or isinstance(model, kind):
        return model
    if kind not in (Worksheet, Pathway, Pack, Assignment, Response):
        raise TypeError(f"kind must be a document class (Worksheet, Assignment, …), not {kind!r}")
    if text is None and file is not None:
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, ValueError):
            text = None
    from ..loading.yamlsource import parse_text

    source = parse_text(text, file).source if text is not None else SourceMap(file)
    wanted = kind.__name__.lower()
    found = model.kind
    raise WorksheetError(
        [
            source.diagnostic(
                Code.WK104,
                f"This file is {_article(found)} {found}, but {_article(wanted)} {wanted} was "
                "expected.",
                ("kind",),
                hint=f"Load it without kind=, or pick the {wanted} file.",
            )
        ]
    )


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _loads(text: str, source: str | None = None) -> Document:
    """Parse one document from text; raise :class:`WorksheetError` when it has errors.

    A worksheet that ``extends`` a template is returned unresolved (there is no pack to look
    in); use :func:`load_pack` or :func:`load` on a file inside a pack.
    """
    doc = parse_document(text, source)
    pack = PackChecker(None, [doc], standalone=True).run()
    if has_errors(pack.diagnostics) or doc.model is None:
        raise WorksheetError(pack.diagnostics)
    model = doc.model
    if isinstance(model, Worksheet) and model.extends is None:
        return pack.worksheet(f"{model.id}@{model.version}")
    return model


def _load(path: str | os.PathLike[str]) -> Document:
    """Load one file. Inside a pack, templates and references are resolved against it."""
    p = Path(path)
    root = find_pack_root(p) if p.exists() else None
    if root is None:
        doc = _read(p, str(path))
        pack = PackChecker(None, [doc]).run()
        if has_errors(pack.diagnostics) or doc.model is None:
            raise WorksheetError(pack.diagnostics)
        return doc.model
    loaded = _load_pack(root)
    target = p.resolve()
    for doc in loaded.documents:
        if doc.file and Path(doc.file).resolve() == target:
            mine = [d for d in loaded.diagnostics if d.file == doc.file]
            if has_errors(mine) or doc.model is None:
                raise WorksheetError(mine or loaded.diagnostics)
            model = doc.model
            if isinstance(model, Worksheet):
                return loaded.worksheet(f"{model.id}@{model.version}")
            return model
    doc = _read(p, str(path))  # not a pack document (e.g. a hidden folder): read it alone
    pack = PackChecker(root, [doc]).run()
    if has_errors(pack.diagnostics) or doc.model is None:
        raise WorksheetError(pack.diagnostics)
    return doc.model


def _load_pack(folder: str | os.PathLike[str]) -> LoadedPack:
    every, problems = pack_files(folder)
    files = [(path, str(path)) for path in every if _is_document(path, True)]
    stream_files = [f for f in files if f[0].name.endswith(STREAM_SUFFIX)]
    docs = [_read(path, display) for path, display in files if (path, display) not in stream_files]
    root = Path(folder).resolve()
    loaded = PackChecker(root, docs).run()
    loaded.files = every
    stream_problems, loaded.response_lines = _check_streams(stream_files, loaded)
    loaded.diagnostics = sort_diagnostics([*problems, *loaded.diagnostics, *stream_problems])
    return loaded


def _check_streams(
    files: list[tuple[Path, str]], loaded: LoadedPack
) -> tuple[list[Diagnostic], list[tuple[str, int, dict[str, Any]]]]:
    """Every line of the pack's ``*.jsonl`` files checked (see validation/streams.py)."""
    if not files:
        return [], []  # without importing the stream reader: 5 ms of validating one file
    from .streams import check_stream

    problems: list[Diagnostic] = []
    lines: list[tuple[str, int, dict[str, Any]]] = []
    for path, display in files:
        found, good = check_stream(path, display, loaded)
        problems.extend(found)
        lines.extend((display, number, data) for number, data in good)
    return problems, lines


def load_pack(folder: str | os.PathLike[str], *, strict: bool = True) -> LoadedPack:
    """Every document of a pack, cross-references resolved.

    Raises :class:`WorksheetError` when the pack has errors, unless ``strict=False``, in which
    case the valid documents are returned and ``.diagnostics`` lists the rest.
    """
    if not Path(folder).is_dir():
        raise FileNotFoundError(f"not a folder: {folder}")
    loaded = _load_pack(folder)
    if strict and has_errors(loaded.diagnostics):
        raise WorksheetError(loaded.diagnostics)
    return loaded

"""Loading and validating documents and packs: ``load``, ``loads``, ``load_pack``, ``validate``.

A run reads every file, checks each on its own, then checks the pack as a whole (ids unique,
references resolved, templates applied) and returns every diagnostic, sorted. One bad file never
hides the others.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar, overload

from pydantic import TypeAdapter, ValidationError

from .._diagcap import cap_per_file
from .._results import JsonResult
from .._suggest import suggestion_budget
from .._urls import link_kind
from ..errors import Diagnostic, WorksheetError, has_errors, sort_diagnostics
from ..loading import SourceDocument, SourceMap, parse_document, read_document
from ..loading.files import FileRefused, read_bounded
from ..loading.modelerrors import convert, convert_relative, did_you_mean
from ..loading.yamlsource import MAX_BYTES, decode
from ..model import (
    Assignment,
    Document,
    Item,
    Pack,
    Pathway,
    Response,
    Worksheet,
    is_duration,
)
from .located import Located
from .worksheet import (
    WorksheetChecker,
    check_text_fields,
    expr_hint,
)

__all__ = [
    "LoadedPack",
    "ValidationRun",
    "check_paths",
    "find_pack_root",
    "load",
    "load_pack",
    "loads",
    "pack_files",
    "page_name",
    "parse_ref",
    "validate",
]

PACK_FILE = "pack.yaml"
SUFFIXES = (".yaml", ".yml", ".json")
STREAM_SUFFIX = ".jsonl"  # response streams: checked line by line (validation/streams.py)
_SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".hypothesis", ".pytest_cache"}


def _version_key(version: str) -> tuple[int, int, int, int]:
    core, _, pre = version.partition("-")
    parts = [int(p) for p in core.split(".")[:3]]
    while len(parts) < 3:
        parts.append(0)
    return parts[0], parts[1], parts[2], 0 if pre else 1


def _matches(version: str, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if "-" in wanted:  # an exact pre-release (1.0.0-beta.1) matches only itself
        return version == wanted
    have = version.partition("-")[0].split(".")
    want = wanted.split(".")
    return have[: len(want)] == want


_PAGE_FOLD = re.compile(r"[^a-z0-9.]+")


def page_name(ident: str, version: str, language: str | None = None) -> str:
    """The name (without extension) of a document's pages in a static site: id and version,
    and the language of a translated page. Case is folded (some disks do) and every run of
    characters other than letters, digits and '.' becomes '-': ``Thought_Record`` and
    ``thought-record`` share a name, so validation reports the pair (WK228) and the site
    never writes one page over the other."""
    name = _PAGE_FOLD.sub("-", f"{ident}-{version}".lower())
    if language:
        name += "." + _PAGE_FOLD.sub("-", language.lower())
    return name


def split_ref(ref: str) -> tuple[str, str | None]:
    ident, _, version = ref.partition("@")
    return ident, version or None


_REF = re.compile(r"[a-z0-9][a-z0-9_.-]*(@\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?)?", re.ASCII)


def parse_ref(ref: str) -> tuple[str, str | None]:
    """``"phq-9@1"`` → ``("phq-9", "1")``; ``"phq-9"`` → ``("phq-9", None)``.

    The version part is ``major``, ``major.minor`` or ``major.minor.patch`` (with a pre-release
    only when complete: ``1.0.0-beta.1``), as references in documents and
    :meth:`LoadedPack.worksheet` take them. Raises ``ValueError`` for anything else.
    """
    if not isinstance(ref, str) or len(ref) > 160 or not _REF.fullmatch(ref):
        raise ValueError(f"not a reference (id, id@1, id@1.2 or id@1.2.3): {ref!r}")
    ident, version = split_ref(ref)
    if version is not None and "-" in version and version.partition("-")[0].count(".") != 2:
        raise ValueError(f"a pre-release needs a complete version (1.0.0-beta.1): {ref!r}")
    return ident, version


@dataclass
class Resolved:
    """A worksheet with its template applied, and where each item was written."""

    model: Worksheet
    root: Located
    items: list[Located]


@dataclass
class LoadedPack:
    """Every document of a pack, cross-references resolved."""

    root: Path | None
    manifest: Pack | None = None
    documents: list[SourceDocument] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _worksheets: dict[str, dict[str, Worksheet]] = field(default_factory=dict)
    _pathways: dict[str, dict[str, Pathway]] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    #: Lines of the pack's response streams that passed every check: (file, line, data).
    response_lines: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    #: Every file of the pack that discovery (:func:`pack_files`) accepted, documents or not:
    #: what ``site`` may publish from ``media/``.
    files: list[Path] = field(default_factory=list)

    @property
    def worksheets(self) -> list[Worksheet]:
        """Every worksheet (templates applied), sorted by id then version."""
        return [
            versions[v]
            for ident in sorted(self._worksheets)
            for v in sorted(self._worksheets[ident], key=_version_key)
            for versions in [self._worksheets[ident]]
        ]

    @property
    def pathways(self) -> list[Pathway]:
        return [
            self._pathways[i][v]
            for i in sorted(self._pathways)
            for v in sorted(self._pathways[i], key=_version_key)
        ]

    def _find(self, table: dict[str, dict[str, Any]], ref: str, what: str) -> Any:
        ident, wanted = split_ref(ref)
        versions = table.get(ident)
        if not versions:
            raise KeyError(f"no {what} '{ident}' in this pack")
        matching = [v for v in versions if _matches(v, wanted)]
        if not matching:
            raise KeyError(f"{what} '{ident}' has no version {wanted}")
        return versions[max(matching, key=_version_key)]

    def worksheet(self, ref: str) -> Worksheet:
        """``id``, ``id@major``, ``id@major.minor`` or ``id@x.y.z``; the newest match."""
        result: Worksheet = self._find(self._worksheets, ref, "worksheet")
        return result

    def pathway(self, ref: str) -> Pathway:
        result: Pathway = self._find(self._pathways, ref, "pathway")
        return result

    def newest(self) -> list[Worksheet]:
        """The newest version of every worksheet, sorted by id: what a picker lists.
        (Pre-releases count as older than their release, as in :meth:`worksheet`.)"""
        return [
            versions[max(versions, key=_version_key)]
            for ident in sorted(self._worksheets)
            for versions in [self._worksheets[ident]]
        ]

    def versions(self, ident: str) -> list[str]:
        """The versions the pack has of the worksheet ``ident``, oldest first (``[]`` if
        none)."""
        return sorted(self._worksheets.get(ident, {}), key=_version_key)

    def has_worksheet(self, ref: str) -> bool:
        try:
            self.worksheet(ref)
        except KeyError:
            return False
        return True


@dataclass(frozen=True)
class ValidationRun(JsonResult):
    """Files checked and every diagnostic, sorted. ``to_dict()``/``to_json()``/
    ``from_dict()``: schema ``validation-run``."""

    files: int
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")


# -- discovery ------------------------------------------------------------------------------


def find_pack_root(path: str | os.PathLike[str]) -> Path | None:
    """The nearest folder, from ``path`` upwards, that holds ``pack.yaml``."""
    here = Path(path).resolve()
    if here.is_file():
        here = here.parent
    return _pack_root_of(here)


def _pack_root_of(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / PACK_FILE).is_file():
            return candidate
    return None


def pack_files(folder: str | os.PathLike[str]) -> tuple[list[Path], list[Diagnostic]]:
    """Every file under ``folder`` that a command may read or publish, and a WK220 for each
    one refused: the one discovery rule of ``validate``, ``load_pack`` and ``site``.

    Hidden names and tool folders (``.git``, ``node_modules``) are skipped. Refused, each
    located at the file and never opened: a symbolic link to a folder (anywhere, ``media/``
    too), a link leaving ``folder``, anything that is not a regular file (a named pipe, which
    would hang a reader; a device; a socket), and a file with more than one name (a hard
    link shares its contents with another name, possibly outside the pack). Only ``lstat`` and
    ``stat`` look at an entry: one system call per file, as a walk needs anyway.
    """
    top = os.path.realpath(folder)
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        kept = []
        for d in sorted(dirnames):
            if d in _SKIP_DIRS or d.startswith("."):
                continue
            if (here / d).is_symlink():
                problems.append(_refused_file(here / d, "folder"))
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = here / name
            why = _file_kind_problem(full, top)
            if why:
                problems.append(_refused_file(full, why))
            else:
                found.append(full)
    return found, problems


def _file_kind_problem(path: Path, top: str) -> str:
    """Why ``path`` may not be read (``""`` when it may), from ``lstat``/``stat`` only."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            real = os.path.realpath(path)
            if not (real == top or real.startswith(top.rstrip(os.sep) + os.sep)):
                return "outside"
            info = os.stat(real)
    except OSError:
        return ""  # gone or a broken link: the reader reports it (WK001) if it is a document
    if stat.S_ISDIR(info.st_mode):
        return "folder"
    if not stat.S_ISREG(info.st_mode):
        return "special"
    if info.st_nlink > 1:
        return "hardlink"
    return ""


_REFUSALS = {
    "outside": (
        "This is a symbolic link to something outside the pack; it was not read.",
        "Copy the file into the pack instead of linking to it.",
    ),
    "folder": (
        "This is a symbolic link to a folder; nothing in it was read or published.",
        "Copy the folder's files into the pack instead of linking to it.",
    ),
    "special": (
        "This is not a regular file (a named pipe, device or socket); it was not read.",
        "Keep only ordinary files in the pack.",
    ),
    "hardlink": (
        "This file has more than one name (a hard link, which may share its contents with a "
        "file outside the pack); it was not read or published.",
        "Replace it by a copy of its own (cp, not ln).",
    ),
}


def _refused_file(path: Path, why: str) -> Diagnostic:
    message, hint = _REFUSALS[why]
    return Diagnostic(code="WK220", message=message, hint=hint, file=str(path), line=1, column=1)


def _is_document(path: Path, streams: bool) -> bool:
    name = path.name
    return name.endswith(SUFFIXES) or (streams and name.endswith(STREAM_SUFFIX))


def _collect(
    paths: Iterable[str | os.PathLike[str]],
    *,
    streams: bool = False,
) -> tuple[list[tuple[Path, str]], list[Diagnostic]]:
    """The documents under ``paths`` (each file once, however often it is named); with
    ``streams``, the ``*.jsonl`` response streams in the folders too. Folders are walked by
    :func:`pack_files`; a file named on its own is the user's choice and read as named."""
    files: list[tuple[Path, str]] = []
    problems: list[Diagnostic] = []
    seen: set[Path] = set()

    def add(path: Path, display: str) -> None:
        # abspath, not resolve(): no system calls per file (links were checked by the walk).
        key = Path(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            files.append((path, display))

    for given in paths:
        p = Path(given)
        if p.is_dir():
            found, refused = pack_files(p)
            problems.extend(refused)
            for full in found:
                if _is_document(full, streams):
                    add(full, str(full))
        elif p.exists() or p.is_symlink():
            add(p, str(given))
        else:
            problems.append(
                Diagnostic(
                    code="WK001",
                    message="No such file or folder.",
                    hint="Check the path.",
                    file=str(given),
                    line=1,
                    column=1,
                )
            )
    return files, problems


def _not_regular(path: Path) -> Diagnostic:
    return _refused_file(path, "special")


def _read(path: Path, display: str) -> SourceDocument:
    try:
        raw = read_bounded(path, MAX_BYTES)
    except FileRefused as exc:
        if exc.reason == "large":
            problem = Diagnostic(
                code="WK008",
                message=f"This file is larger than the {MAX_BYTES // (1024 * 1024)} MB limit for "
                "one document.",
                hint="Split it into several documents.",
                file=display,
                line=1,
                column=1,
            )
        elif exc.reason == "special":
            problem = _not_regular(Path(display))
        else:
            return read_document(path, display)  # missing or unreadable: WK001 says why
        return SourceDocument(display, None, SourceMap(display), None, [problem])
    text, problems = decode(raw, display)
    if text is None:
        return SourceDocument(display, None, SourceMap(display), None, problems)
    return parse_document(text, display, "pack" if path.name == PACK_FILE else "worksheet")


# -- checks ---------------------------------------------------------------------------------


@cache
def _item_adapter() -> TypeAdapter[Any]:
    return TypeAdapter(Item)


def _schedule_checks(node: Located) -> Iterator[Diagnostic]:
    if not isinstance(node.value, dict):
        return
    key = json.dumps(node.value, sort_keys=True, default=str)
    for code, message, hint, subpath in _schedule_problems(key):
        target = node
        for part in subpath:
            target = target.at(part)
        yield target.diag(code, message, hint)


@lru_cache(maxsize=512)
def _schedule_problems(key: str) -> tuple[tuple[str, str, str | None, tuple[str | int, ...]], ...]:
    """Static schedule problems, memoised: a pack repeats the same few schedules many times."""
    from ..model import Schedule
    from ..scheduling import check_schedule

    try:
        schedule = Schedule.model_validate(json.loads(key))
    except ValidationError:
        return ()  # already reported by the document's model
    return tuple(
        (code, message, hint, tuple(subpath))
        for code, message, hint, subpath in check_schedule(schedule)
    )


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
        self.resolved: dict[int, Resolved | None] = {}

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
                            "WK202",
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
                    "WK228",
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
        resolved = self._resolve(doc, [])
        root = Located(doc.data, doc, ())
        # A worksheet made from a template inherits its languages: its own texts must carry them.
        texts_of = resolved.model if resolved is not None else doc.model
        self.out.extend(check_text_fields(root, texts_of.language, texts_of.languages))
        self.out.extend(_schedule_checks(root.at("default_schedule")))
        if resolved is None:
            return
        self.out.extend(WorksheetChecker(resolved.model, resolved.root, resolved.items).run())
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

        root = self.pack.root.resolve()
        for entry in walk_items(resolved.model.items, resolved.items):
            item = entry.model
            # Addresses on the web, mailto: and #fragments name no file; refused ones are WK212.
            if not isinstance(item, Media) or link_kind(item.url) != "relative":
                continue
            target = (root / item.url.split("#")[0].split("?")[0]).resolve()
            inside = target == root or root in target.parents
            if not inside or not target.is_file():
                yield entry.node.at("url").diag(
                    "WK226",
                    f"The media file '{item.url}' is not in the pack"
                    + (" (the link leaves the pack folder)." if not inside else "."),
                    "Relative media links are relative to the pack folder (the one with "
                    "pack.yaml); put the file there, or use an https:// link.",
                    severity="warning",
                )

    def _find_doc(self, ref: str) -> tuple[SourceDocument | None, str | None]:
        ident, wanted = split_ref(ref)
        versions = self.ws_docs.get(ident)
        if not versions:
            return None, "missing"
        matching = [v for v in versions if _matches(v, wanted)]
        if not matching:
            return None, "version"
        return versions[max(matching, key=_version_key)], None

    def _resolve(self, doc: SourceDocument, stack: list[int]) -> Resolved | None:
        key = id(doc)
        if key in self.resolved:
            return self.resolved[key]
        model = doc.model
        assert isinstance(model, Worksheet)
        root = Located(doc.data, doc, ())
        if model.extends is None:
            items = root.at("items")
            result: Resolved | None = Resolved(
                model, root, [items.at(i) for i in range(len(model.items))]
            )
            self.resolved[key] = result
            return result
        node = root.at("extends")
        if key in stack:
            self.out.append(
                node.diag(
                    "WK206",
                    f"'extends: {model.extends}' leads back to this worksheet: the templates "
                    "extend each other in a circle.",
                    "One worksheet in the circle must not use 'extends'.",
                )
            )
            self.resolved[key] = None
            return None
        base_doc, problem = self._find_doc(model.extends)
        ident, wanted = split_ref(model.extends)
        if base_doc is None or not isinstance(base_doc.model, Worksheet):
            if problem == "version":
                have = ", ".join(sorted(self.ws_docs.get(ident, {}), key=_version_key))
                self.out.append(
                    node.diag(
                        "WK205",
                        f"The worksheet '{ident}' has no version {wanted} in this pack "
                        f"(it has {have}).",
                        f"Use one of the versions it has, e.g. {ident}@{have.split(',')[-1].strip().split('.')[0]}.",
                    )
                )
            else:
                guess = did_you_mean(ident, self.ws_docs.keys())
                self.out.append(
                    node.diag(
                        "WK204",
                        f"There is no worksheet '{ident}' in this pack to extend.",
                        f"Did you mean '{guess}'?"
                        if guess
                        else "Check the id; templates are looked up inside the same pack only.",
                    )
                )
            self.resolved[key] = None
            return None
        base = self._resolve(base_doc, [*stack, key])
        if base is None:
            self.resolved[key] = None
            return None
        result = self._apply(doc, model, root, base)
        self.resolved[key] = result
        return result

    def _apply(
        self, doc: SourceDocument, model: Worksheet, root: Located, base: Resolved
    ) -> Resolved | None:
        items: list[Located] = list(base.items)
        ids = _top_ids(items)
        problems = 0

        def missing(node: Located, item_id: str, what: str) -> None:
            nonlocal problems
            problems += 1
            guess = did_you_mean(item_id, ids)
            self.out.append(
                node.diag(
                    "WK203",
                    f"{what} '{item_id}', but the template has no item with that id.",
                    f"Did you mean '{guess}'?" if guess else "Check the id against the template.",
                )
            )

        remove = root.at("remove")
        for i, item_id in enumerate(model.remove):
            if not _remove(items, item_id):
                missing(remove.at(i), item_id, "'remove' names")
        change = root.at("change")
        for item_id, patch in model.change.items():
            node = change.at(item_id)
            located = _find_item(items, item_id)
            if located is None:
                missing(Located(node.value, doc, node.path), item_id, "'change' names")
                continue
            if "id" in patch or "type" in patch:
                self.out.append(
                    node.diag(
                        "WK224",
                        f"'change' cannot alter the id or type of '{item_id}'.",
                        "Remove the item and 'add' a new one instead.",
                    )
                )
                problems += 1
                continue
            merged = {**located.value, **patch}
            try:
                _item_adapter().validate_python(merged)
            except ValidationError as exc:
                problems += 1
                for d, subpath in convert_relative(exc, Item, merged, doc.source):
                    target = node
                    for part in subpath:
                        if isinstance(part, str) and not target.has(part):
                            break
                        target = target.at(part)
                    self.out.append(
                        target.diag(
                            "WK224",
                            f"After 'change', the item '{item_id}' is invalid: {d.message}",
                            d.hint,
                        )
                    )
                continue
            _replace(items, item_id, Located(merged, doc, node.path))
        add = root.at("add")
        for i, insertion in enumerate(model.add):
            anchor = insertion.after or insertion.before
            new = [add.at(i).at("items").at(j) for j in range(len(insertion.items))]
            if anchor is None:
                items.extend(new)
                continue
            index = next((k for k, n in enumerate(items) if _id(n) == anchor), None)
            if index is None:
                missing(
                    add.at(i).at("after" if insertion.after else "before"),
                    anchor,
                    "'add' is placed next to",
                )
                continue
            at = index + 1 if insertion.after else index
            items[at:at] = new
        own_items = root.at("items")
        items.extend(own_items.at(k) for k in range(len(model.items)))
        if problems:
            return None
        data = dict(base.model.model_dump(by_alias=True, exclude_defaults=True, mode="json"))
        overrides = doc.data if isinstance(doc.data, dict) else {}
        for k, v in overrides.items():
            if k not in ("extends", "remove", "change", "add", "items"):
                data[k] = v
        data["items"] = [n.value for n in items]
        data["derived_from"] = f"{base.model.id}@{base.model.version}"
        data.pop("extends", None)
        try:
            resolved = Worksheet.model_validate(data)
        except ValidationError as exc:
            for d in convert(exc, Worksheet, data, doc.source):
                self.out.append(
                    root.at("extends").diag(
                        "WK224",
                        f"With the template applied, the worksheet is invalid: {d.message}",
                        d.hint,
                    )
                )
            return None
        return Resolved(resolved, root, items)

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
            return node.diag("WK204", f"There is no {kind} '{ident}' in this pack.", hint)
        if not any(_matches(v, wanted) for v in versions):
            have = ", ".join(sorted(versions, key=_version_key))
            return node.diag(
                "WK205",
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
                        "WK222",
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
                        "WK218",
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
            code, message, hint, _subpath = problem
            yield steps.diag(code, message, hint)

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

        for code, severity, message, hint, subpath in check_assignment(model):
            target = root
            for part in subpath:
                target = target.at(part)
            self.out.append(target.diag(code, message, hint, severity=severity))

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
                "WK219",
                f"The pathway '{pathway.id}' has no step '{step}'.",
                f"Did you mean '{guess}'?" if guess else f"Its steps are: {', '.join(steps)}.",
            )

    def _response(self, doc: SourceDocument, model: Response | None) -> None:
        """The response's envelope and, when its worksheet is known, its answers: one pass
        of ``validate_response`` (the reader ``check-response`` uses), so a bad rating never
        hides a wrong answer. Without the worksheet, the envelope alone."""
        from ..responses import validate_response
        from ..responses.envelope import check_envelope, valid_ref
        from ..responses.pointers import pointer_parts, resolve_positions

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
            parts = resolve_positions(pointer_parts(d.path), data)
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


def _id(node: Located) -> str | None:
    value = node.value
    return value.get("id") if isinstance(value, dict) else None


def _top_ids(items: list[Located]) -> set[str]:
    out: set[str] = set()
    for n in items:
        if _id(n):
            out.add(_id(n))  # type: ignore[arg-type]
        if isinstance(n.value, dict) and isinstance(n.value.get("items"), list):
            out |= _top_ids([n.at("items").at(i) for i in range(len(n.value["items"]))])
    return out


def _find_item(items: list[Located], item_id: str) -> Located | None:
    for n in items:
        if _id(n) == item_id:
            return n
        if isinstance(n.value, dict) and isinstance(n.value.get("items"), list):
            found = _find_item([n.at("items").at(i) for i in range(len(n.value["items"]))], item_id)
            if found:
                return found
    return None


def _remove(items: list[Located], item_id: str) -> bool:
    for k, n in enumerate(items):
        if _id(n) == item_id:
            del items[k]
            return True
        if isinstance(n.value, dict) and isinstance(n.value.get("items"), list):
            children = [n.at("items").at(i) for i in range(len(n.value["items"]))]
            if _remove(children, item_id):
                items[k] = Located({**n.value, "items": [c.value for c in children]}, n.doc, n.path)
                return True
    return False


def _replace(items: list[Located], item_id: str, new: Located) -> bool:
    for k, n in enumerate(items):
        if _id(n) == item_id:
            items[k] = new
            return True
        if isinstance(n.value, dict) and isinstance(n.value.get("items"), list):
            children = [n.at("items").at(i) for i in range(len(n.value["items"]))]
            if _replace(children, item_id, new):
                items[k] = Located({**n.value, "items": [c.value for c in children]}, n.doc, n.path)
                return True
    return False


# -- public API -----------------------------------------------------------------------------


def check_paths(
    *paths: str | os.PathLike[str],
    progress: Callable[[int, int], None] | None = None,
) -> ValidationRun:
    """Validate files and folders; every problem of every file, sorted."""
    return _check_paths(paths, progress)


def _check_paths(
    paths: tuple[str | os.PathLike[str], ...], progress: Callable[[int, int], None] | None
) -> ValidationRun:
    files, problems = _collect(paths, streams=True)
    groups: dict[Path | None, list[SourceDocument]] = {}
    streams: dict[Path | None, list[tuple[Path, str]]] = {}
    roots: dict[Path, Path | None] = {}
    for n, (path, display) in enumerate(files, 1):
        folder = path.parent
        if folder not in roots:
            roots[folder] = _pack_root_of(folder.resolve())
        if path.name.endswith(STREAM_SUFFIX):
            streams.setdefault(roots[folder], []).append((path, display))
            groups.setdefault(roots[folder], [])
        else:
            groups.setdefault(roots[folder], []).append(_read(path, display))
        if progress is not None:
            progress(n, len(files))
    whole = {Path(p).resolve() for p in paths if Path(p).is_dir()}
    diagnostics = list(problems)
    for root, docs in groups.items():
        if root is None or root in whole:
            loaded = PackChecker(root, docs).run()
            diagnostics.extend(loaded.diagnostics)
            diagnostics.extend(_check_streams(streams.get(root, []), loaded)[0])
            continue
        # A file named on its own (a pre-commit hook passes single files) is checked with the
        # rest of its pack as context: templates and references resolve. Only the named files
        # are reported on.
        named = {Path(d.file).resolve() for d in docs if d.file}
        context = [
            _read(path, display)
            for path, display in _collect([root])[0]
            if path.resolve() not in named
        ]
        reported = {d.file for d in docs}
        loaded = PackChecker(root, [*docs, *context]).run()
        diagnostics.extend(d for d in loaded.diagnostics if d.file in reported)
        diagnostics.extend(_check_streams(streams.get(root, []), loaded)[0])
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
                "WK104",
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

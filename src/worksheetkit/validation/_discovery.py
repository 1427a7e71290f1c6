"""Finding and reading a pack's files: the pack root, the one discovery rule (what is read or
published, what is refused with WK220), and reading one document within the size limit."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from ..codes import Code
from ..errors import Diagnostic
from ..loading import SourceDocument, SourceMap, parse_document, read_document
from ..loading.files import FileRefused, read_bounded
from ..loading.yamlsource import MAX_BYTES, decode

__all__ = [
    "PACK_FILE",
    "STREAM_SUFFIX",
    "SUFFIXES",
    "find_pack_root",
    "pack_files",
]

PACK_FILE = "pack.yaml"
SUFFIXES = (".yaml", ".yml", ".json")
STREAM_SUFFIX = ".jsonl"  # response streams: checked line by line (validation/streams.py)
_SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".hypothesis", ".pytest_cache"}


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
    return Diagnostic(code=Code.WK220, message=message, hint=hint, file=str(path), line=1, column=1)


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
                    code=Code.WK001,
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
                code=Code.WK008,
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

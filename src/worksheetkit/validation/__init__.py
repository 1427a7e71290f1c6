"""Loading and validating documents and packs: ``load``, ``loads``, ``load_pack``, ``validate``.

A run reads every file, checks each on its own, then checks the pack as a whole (ids unique,
references resolved, templates applied) and returns every diagnostic, sorted. One bad file never
hides the others.
"""

from .._workers import ReadingStopped, default_jobs
from ._api import ValidationRun, check_paths, load, load_pack, loads, validate
from ._discovery import PACK_FILE as PACK_FILE
from ._discovery import STREAM_SUFFIX as STREAM_SUFFIX
from ._discovery import SUFFIXES as SUFFIXES
from ._discovery import _collect as _collect  # lint reads files as validate does
from ._discovery import _read as _read
from ._discovery import find_pack_root, pack_files
from ._loaded import LoadedPack
from ._pack import PackChecker as PackChecker  # lint and check() run the pack check themselves
from ._templates import Resolved as Resolved
from ._versions import page_name, parse_ref
from ._versions import split_ref as split_ref

__all__ = [
    "LoadedPack",
    "ReadingStopped",
    "ValidationRun",
    "check_paths",
    "default_jobs",
    "find_pack_root",
    "load",
    "load_pack",
    "loads",
    "pack_files",
    "page_name",
    "parse_ref",
    "validate",
]

"""A loaded pack: every document, cross-references resolved, looked up by reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Diagnostic
from ..loading import SourceDocument
from ..model import Assignment, Pack, Pathway, Response, Worksheet
from ._versions import split_ref, version_key, version_matches

__all__ = ["LoadedPack"]


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
            for v in sorted(self._worksheets[ident], key=version_key)
            for versions in [self._worksheets[ident]]
        ]

    @property
    def pathways(self) -> list[Pathway]:
        return [
            self._pathways[i][v]
            for i in sorted(self._pathways)
            for v in sorted(self._pathways[i], key=version_key)
        ]

    def _find(self, table: dict[str, dict[str, Any]], ref: str, what: str) -> Any:
        ident, wanted = split_ref(ref)
        versions = table.get(ident)
        if not versions:
            raise KeyError(f"no {what} '{ident}' in this pack")
        matching = [v for v in versions if version_matches(v, wanted)]
        if not matching:
            raise KeyError(f"{what} '{ident}' has no version {wanted}")
        return versions[max(matching, key=version_key)]

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
            versions[max(versions, key=version_key)]
            for ident in sorted(self._worksheets)
            for versions in [self._worksheets[ident]]
        ]

    def versions(self, ident: str) -> list[str]:
        """The versions the pack has of the worksheet ``ident``, oldest first (``[]`` if
        none)."""
        return sorted(self._worksheets.get(ident, {}), key=version_key)

    def has_worksheet(self, ref: str) -> bool:
        try:
            self.worksheet(ref)
        except KeyError:
            return False
        return True

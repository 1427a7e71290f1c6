"""Versions and references: the order of versions, which versions a reference matches
(``id``, ``id@1``, ``id@1.2``, ``id@1.2.3``), and the name of a document's site pages."""

from __future__ import annotations

import re

__all__ = ["page_name", "parse_ref", "split_ref", "version_key", "version_matches"]


def version_key(version: str) -> tuple[int, int, int, int]:
    core, _, pre = version.partition("-")
    parts = [int(p) for p in core.split(".")[:3]]
    while len(parts) < 3:
        parts.append(0)
    return parts[0], parts[1], parts[2], 0 if pre else 1


def version_matches(version: str, wanted: str | None) -> bool:
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

"""Worksheets shipped with worksheetkit to start from: ``worksheetkit new ID --from NAME``.

They are byte-for-byte copies of a few worksheets of ``examples/worksheets`` (a test keeps them
identical), shipped as package data so that an installed wheel offers them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Starter", "find", "starters"]


@dataclass(frozen=True)
class Starter:
    """One shipped worksheet: ``name`` is its file name without ``.yaml``."""

    name: str
    id: str
    version: str
    title: str
    text: str


@cache
def starters() -> tuple[Starter, ...]:
    """Every shipped worksheet, by name."""
    from ..model import Worksheet
    from ..validation import loads

    out = []
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        text = entry.read_text(encoding="utf-8")
        model = loads(text, source=entry.name)
        assert isinstance(model, Worksheet)
        title = model.title
        if isinstance(title, dict):
            title = title.get(model.language) or next(iter(title.values()), "")
        out.append(
            Starter(
                name=entry.name.removesuffix(".yaml"),
                id=model.id,
                version=model.version,
                title=str(title),
                text=text,
            )
        )
    return tuple(out)


def find(ref: str) -> Starter | None:
    """The shipped worksheet named ``ref``: its name (``thought-record``) or id
    (``cbt.thought-record``), with or without ``@major``; None when there is none."""
    name, _, major = ref.partition("@")
    for starter in starters():
        if name in (starter.name, starter.id) and (
            not major or starter.version.split(".")[0] == major.split(".")[0]
        ):
            return starter
    return None

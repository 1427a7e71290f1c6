"""Checking a document built in code: ``check(obj_or_dict, *, pack=None)``.

The same checks as ``validate`` on a file, in one pass — shape (the model), meaning (the
worksheet, schedule, assignment and response rules) and the pack's references — over a model
instance or a plain dict. The diagnostics carry the codes a file with the same content gets,
with their ``path`` (``$.items[0].label``; a JSON pointer for responses) and no file, line or
column.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

from ..errors import Diagnostic

if TYPE_CHECKING:
    from ._loaded import LoadedPack

__all__ = ["Kind", "check"]

#: What a document is, as its ``kind:`` key says.
Kind = Literal["worksheet", "pathway", "pack", "assignment", "response"]

# The file name the checked document is given inside the pack check: never a real file (a
# file name cannot hold NUL), so its diagnostics are told apart from the pack's own.
_HERE: Final = "\x00worksheetkit.check"


def _plain(value: Any) -> Any:
    """``value`` as the file reader would have it: dates and times as ISO text (YAML loaders
    and Python code give date objects; a file's reader keeps them as text), tuples as lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    return value


def _data_of(obj: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(obj, Mapping):
        return _plain(dict(obj))
    return _plain(obj)


def check(
    obj: Any, *, pack: LoadedPack | None = None, kind: Kind | None = None
) -> list[Diagnostic]:
    """Every problem of a document built in code, as ``validate`` finds them in a file.

    ``obj`` is a model (``Worksheet``, ``Pathway``, ``Pack``, ``Assignment``, ``Response``) or
    a plain dict, whose kind is read from its ``kind`` key as a file's is (a worksheet when
    absent), or given as ``kind``. With ``pack``, references (``worksheet:``, ``pathway:``,
    ``extends:``) are resolved in it and a response's answers are checked against the worksheet
    version it names. Never raises because of the content; diagnostics are sorted, and carry a
    ``path`` instead of a line and column.
    """
    from ..loading import SourceDocument, SourceMap, build_document
    from ..model import Worksheet
    from ._pack import PackChecker

    data = _data_of(obj)
    if kind is not None and isinstance(data, dict) and "kind" not in data:
        data = {**data, "kind": kind}
    source = SourceMap(_HERE)
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else "a single value"
        return [
            Diagnostic(
                code="WK010",
                message=f"This is {what}; a worksheetkit document is a mapping of keys to values.",
                hint="Pass a dict with 'worksheetkit': 1, 'kind', 'id' …",
                path="$",
            )
        ]
    doc = build_document(SourceDocument(_HERE, data, source, None, []))
    checker = PackChecker(pack.root if pack is not None else None, [doc])
    if pack is not None:
        # The pack as it was loaded (worksheets resolved, pathways indexed): only the checked
        # document is checked, so a request pays for one document, not for the whole pack.
        # The checked document replaces the pack's copy of the same id and version.
        for other in pack.documents:
            model = other.model
            if isinstance(model, Worksheet) and other.file != _HERE:
                checker.ws_docs.setdefault(model.id, {})[model.version] = other
        checker.pack._worksheets = {k: dict(v) for k, v in pack._worksheets.items()}
        checker.pack._pathways = {k: dict(v) for k, v in pack._pathways.items()}
    checked = checker.run()
    return [
        dataclasses.replace(d, file=None, line=None, column=None)
        for d in checked.diagnostics
        if d.file == _HERE
    ]

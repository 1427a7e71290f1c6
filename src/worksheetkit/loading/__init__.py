"""Reading one document: text → data with a source map → a closed model, with diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..codes import Code
from ..errors import Diagnostic, json_path
from ..model import KINDS, MODELS, Document
from ..model.envelope import envelope_problems
from .modelerrors import did_you_mean
from .yamlsource import Parsed, Path, SourceMap, decode, parse_text

__all__ = [
    "Path",
    "SourceDocument",
    "SourceMap",
    "build_document",
    "json_path",
    "parse_document",
    "read_document",
]


@dataclass
class SourceDocument:
    """One file (or string) as read: its data, where each value stands, and its model."""

    file: str | None
    data: Any
    source: SourceMap
    model: Document | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: The worksheet's own checks, when they were run where it was read (a parallel reader's
    #: worker, ``validation._pack.precheck``); None: the pack check runs them.
    checked: list[Diagnostic] | None = None

    @property
    def kind(self) -> str | None:
        if isinstance(self.data, dict):
            kind = self.data.get("kind", "worksheet")
            return kind if isinstance(kind, str) else None
        return None


@cache
def _adapter(kind: str) -> TypeAdapter[Any]:
    return TypeAdapter(MODELS[kind])


def parse_document(
    text: str, file: str | None = None, default_kind: str = "worksheet"
) -> SourceDocument:
    parsed: Parsed = parse_text(text, file)
    doc = SourceDocument(file, parsed.data, parsed.source, None, list(parsed.diagnostics))
    if parsed.data is None:
        return doc
    return build_document(doc, default_kind)


def build_document(doc: SourceDocument, default_kind: str = "worksheet") -> SourceDocument:
    """Give ``doc`` (its data read, a mapping) its model, or the diagnostics saying why not:
    the checks after reading, shared by files (:func:`parse_document`) and by documents built
    in code (``worksheetkit.check``)."""
    data: dict[Any, Any] = doc.data
    source = doc.source
    if data.get("kind") == "response":
        # A response's envelope is read by the one reader every path shares
        # (model/envelope.py); its problems, and its answers' against the worksheet, are
        # reported by the pack check (PackChecker._response), all in one pass. The model is
        # built only from a clean envelope.
        if not envelope_problems(data):
            try:
                doc.model = _adapter("response").validate_python(data)
            except ValidationError as exc:  # what the envelope does not cover (a YAML int key)
                from .modelerrors import convert

                doc.diagnostics.extend(convert(exc, MODELS["response"], data, source, redact=True))
        return doc
    if "worksheetkit" not in data:
        doc.diagnostics.append(
            source.diagnostic(
                Code.WK014,
                "This document does not say which format it uses.",
                (),
                hint="Add 'worksheetkit: 1' as the first line.",
            )
        )
        return doc
    kind = data.get("kind", default_kind)
    if "kind" not in data and default_kind != "worksheet":
        data["kind"] = default_kind
    if kind not in KINDS:
        guess = did_you_mean(str(kind), KINDS)
        doc.diagnostics.append(
            source.diagnostic(
                Code.WK104,
                f"'kind' cannot be '{kind}'; it must be one of: {', '.join(KINDS)}.",
                ("kind",),
                hint=f"Did you mean '{guess}'?" if guess else None,
            )
        )
        return doc
    model_cls: type[BaseModel] = MODELS[kind]
    try:
        doc.model = _adapter(kind).validate_python(data)
    except ValidationError as exc:
        from .modelerrors import convert

        # A response's values are health data: its diagnostics never quote them.
        doc.diagnostics.extend(convert(exc, model_cls, data, source, redact=kind == "response"))
    except (RecursionError, ValueError, TypeError) as exc:  # pragma: no cover - defensive
        doc.diagnostics.append(
            source.diagnostic(
                Code.WK102, f"This document could not be read ({type(exc).__name__}).", ()
            )
        )
    if any(d.severity == "error" for d in doc.diagnostics):
        doc.model = None
    return doc


def read_document(
    path: str | FsPath, display: str | None = None, default_kind: str = "worksheet"
) -> SourceDocument:
    """Read a file; I/O and encoding problems become diagnostics too."""
    name = display if display is not None else str(path)
    try:
        raw = FsPath(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or "unreadable"
        return SourceDocument(
            name,
            None,
            SourceMap(name),
            None,
            [
                Diagnostic(
                    code=Code.WK001,
                    message=f"The file cannot be read: {reason}.",
                    hint="Check the path and the file's permissions.",
                    file=name,
                    line=1,
                    column=1,
                )
            ],
        )
    text, problems = decode(raw, name)
    if text is None:
        return SourceDocument(name, None, SourceMap(name), None, problems)
    return parse_document(text, name, default_kind)

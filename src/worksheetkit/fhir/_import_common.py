"""What both FHIR importers share: reading a resource (a dict, JSON text or a file) within
the size limit, refused unparsed beyond it (WK721) or when it is not strict JSON (WK710)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final

from ..codes import Code
from ..errors import Diagnostic
from ._common import number_value

__all__ = ["MAX_FHIR_BYTES", "FhirSource", "read_resource"]


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return number_value(value)


MAX_FHIR_BYTES: Final = 10 * 1024 * 1024
"""FHIR JSON larger than this (a file, or text given to the importers) is refused, unparsed."""

FhirSource = Mapping[str, Any] | str | bytes | os.PathLike[str]
"""A FHIR resource: already parsed (a dict), its JSON text (``str``/``bytes``) or a file
(a :class:`pathlib.Path`; a plain ``str`` is always JSON text, never a file name)."""


def _too_large(what: str) -> Diagnostic:
    return Diagnostic(
        code=Code.WK721,
        message=f"This FHIR {what} is larger than {MAX_FHIR_BYTES // (1024 * 1024)} MB; it "
        "was not read and nothing was imported.",
        severity="error",
        hint="Split it into smaller resources, or check that this is the file you meant.",
        path=(),
    )


def _utf8_size(text: str, limit: int) -> int:
    """The UTF-8 size of ``text``, computed exactly only when it could exceed ``limit``."""
    if len(text) * 4 <= limit:  # at most four bytes a character
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def read_resource(source: FhirSource, what: str) -> tuple[Any, Diagnostic | None]:
    """The parsed resource from ``source``, or why it was refused: WK721 when its JSON is over
    :data:`MAX_FHIR_BYTES` (checked before parsing, and a file is never read past it), WK710
    when it is not strict JSON. A file that cannot be read raises :class:`OSError`."""
    if isinstance(source, os.PathLike):
        from ..loading.files import FileRefused, read_bounded

        try:
            source = read_bounded(source, MAX_FHIR_BYTES)
        except FileRefused as exc:
            if exc.reason == "large":
                return None, _too_large(what)
            raise
    if isinstance(source, str | bytes):
        size = len(source) if isinstance(source, bytes) else _utf8_size(source, MAX_FHIR_BYTES)
        if size > MAX_FHIR_BYTES:
            return None, _too_large(what)
        from ..loading.strictjson import JSONProblem
        from ..loading.strictjson import loads as strict_loads

        try:
            return strict_loads(source), None
        except JSONProblem as exc:
            return None, Diagnostic(
                code=Code.WK710,
                message=f"{exc.message} The FHIR {what} was not imported.",
                severity="error",
                hint=exc.hint,
                line=exc.line,
                column=exc.column,
                path=exc.path,
            )
    return source, None

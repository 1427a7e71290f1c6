"""Response streams in a pack (``*.jsonl``): every line checked as a response before any use.

A line belongs to the assignment its ``assignment`` field names (that is how ``site`` ties a
line to a report), so that assignment must be in the pack, the line's worksheet must be one
the assignment gives, and its answers must fit that worksheet. Problems name the file and line,
never a line's content.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..codes import Code
from ..errors import Diagnostic, DocPath
from ..loading.files import FileRefused, read_bounded
from ..loading.strictjson import JSONProblem, StrictDecoder

if TYPE_CHECKING:
    from ._loaded import LoadedPack

__all__ = ["MAX_STREAM_BYTES", "STREAM_CODE", "check_stream"]

#: A response stream in a pack is sample or exported data; larger files belong outside it.
MAX_STREAM_BYTES: Final = 16 * 1024 * 1024
#: A line whose assignment or worksheet does not fit the pack.
STREAM_CODE: Final = Code.WK235

_STRICT: Final = StrictDecoder(big_ints_as_text=True)


def _problem(code: str, message: str, hint: str, file: str, line: int, column: int = 1,
             path: DocPath = ()) -> Diagnostic:  # fmt: skip
    return Diagnostic(code, message, hint=hint, file=file, line=line, column=column, path=path)


def check_stream(
    path: Path, display: str, pack: LoadedPack
) -> tuple[list[Diagnostic], list[tuple[int, dict[str, Any]]]]:
    """The problems of every line of ``path``, and the lines that have none (number, data)."""
    from ..responses import validate_response

    out: list[Diagnostic] = []
    good: list[tuple[int, dict[str, Any]]] = []
    try:
        raw = read_bounded(path, MAX_STREAM_BYTES)
    except FileRefused as exc:
        if exc.reason == "large":
            out.append(_problem(Code.WK008, f"This file is larger than the "
                                f"{MAX_STREAM_BYTES // (1024 * 1024)} MB limit for a response "
                                "stream in a pack.", "Keep large exports outside the pack.",
                                display, 1))  # fmt: skip
        elif exc.reason == "special":
            out.append(_problem(Code.WK220, "This is not a regular file (a folder, device, pipe or "
                                "socket); it was not read.",
                                "Keep only ordinary files in the pack.", display, 1))  # fmt: skip
        else:
            out.append(_problem(Code.WK001, "The file cannot be read.",
                                "Check the file's permissions.", display, 1))  # fmt: skip
        return out, good
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        out.append(_problem(Code.WK002, "This file is not UTF-8 text.", "Save it as UTF-8.",
                            display, 1))  # fmt: skip
        return out, good
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = _STRICT.loads(line)
        except JSONProblem as exc:
            message = exc.message.replace("line 1, column", "column")
            if exc.reason == "syntax":
                message = message.replace("This is", "This line is")
            out.append(_problem(Code.WK411, message + " The line is not used.", exc.hint, display,
                                number, exc.column, exc.path))  # fmt: skip
            continue
        if pack.root is None:
            # Not in a pack: nothing to tie the line to; only its JSON and shape are checked.
            problems = [] if type(data) is dict else [_problem(
                Code.WK411, "This line is not a response (a JSON object was expected).",
                "Write one response object per line.", display, number)]  # fmt: skip
        else:
            problems = _line_problems(data, pack, display, number, validate_response)
        out.extend(problems)
        if not any(d.severity == "error" for d in problems):
            good.append((number, data))
    return out, good


def _line_problems(
    data: Any, pack: LoadedPack, file: str, line: int, validate_response: Any
) -> list[Diagnostic]:
    if type(data) is not dict:
        return [_problem(Code.WK411, "This line is not a response (a JSON object was expected).",
                         "Write one response object per line.", file, line)]  # fmt: skip
    assignment_id = data.get("assignment")
    assignment = next(
        (a for a in pack.assignments if isinstance(assignment_id, str) and a.id == assignment_id),
        None,
    )
    if assignment is None:
        return [_problem(STREAM_CODE,
                         "This response names no assignment of this pack, so nothing ties it to "
                         "a client here; it is not used.",
                         'Give each line the "assignment" id of an assignment in the pack, or '
                         "keep other data outside the pack.",
                         file, line, path=("assignment",) if "assignment" in data else ())]  # fmt: skip
    ref = data.get("worksheet")
    ident = ref.partition("@")[0] if isinstance(ref, str) else None
    allowed = _worksheets_of(assignment, pack)
    if ident is None or ident not in allowed:
        return [_problem(STREAM_CODE,
                         f"This response is not for a worksheet that the assignment "
                         f"'{assignment.id}' gives, so it is not used.",
                         "Write the id of the assignment's worksheet (or of one of its pathway's "
                         "steps) in \"worksheet\".",
                         file, line, path=("worksheet",) if "worksheet" in data else ())]  # fmt: skip
    version = data.get("version")
    wanted = f"{ident}@{version}" if isinstance(version, str) else str(ref)
    try:
        worksheet = pack.worksheet(wanted) if pack.has_worksheet(wanted) else pack.worksheet(ident)
    except (KeyError, ValueError):
        return []  # the assignment's own check reports a worksheet missing from the pack
    # A stream records what clients did: a submitted response missing required answers is a
    # partial completion that adherence counts as such, not a broken line (so no WK402).
    return [
        d.with_location(file=file, line=line, column=1)
        for d in validate_response(worksheet, data)
        if d.code != Code.WK402
    ]


def _worksheets_of(assignment: Any, pack: LoadedPack) -> set[str]:
    if assignment.worksheet:
        return {assignment.worksheet.partition("@")[0]}
    try:
        pathway = pack.pathway(assignment.pathway or "")
    except (KeyError, ValueError):
        return set()
    return {step.worksheet.partition("@")[0] for step in pathway.steps}

"""The folder-driven corpus: every broken document in tests/cases/invalid/ gives exactly the
diagnostics written in it; every document in tests/cases/valid/ gives none.

How a case states what it expects
---------------------------------
A single file (``.yaml``, ``.yml``, ``.json``) states its expectations in leading ``#`` comments,
or, when it cannot hold comments (JSON, an empty file), in a sidecar ``<name>.expect``::

    # expect: WK103 7:5                    an error: code line:column
    # expect-warning: WK225 11:40          a warning
    # expect-hint: WK103 7:5 'title'       the hint of that diagnostic contains this text
    # expect-message: WK004 6:1 line 5     its message contains this text
    # xfail: bug: what is wrong            a known bug (strict xfail: fixing it fails the test)

A folder (a small pack) states them in ``expect.txt``, one per line, the file relative to the
folder: ``worksheets/a.yaml WK204 5:11`` (an error), or with a prefix ``warning:``, ``hint:``,
``message:`` (``hint: worksheets/a.yaml WK204 5:11 'base.record'``), or ``xfail: reason``.

The errors found must equal the expected errors exactly, counted as a multiset: a problem
reported twice is a failure, not a pass. Line and column are 1-based.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from budget import counted
from worksheetkit.errors import Diagnostic
from worksheetkit.validation import load, validate

CASES = Path(__file__).resolve().parent / "cases"
INVALID = CASES / "invalid"
VALID = CASES / "valid"
SUFFIXES = (".yaml", ".yml", ".json")
PWNED = Path("/tmp/worksheetkit-corpus-pwned")  # python-tag-apply.yaml would create it

Key = tuple[str, str, int, int]  # (file relative to the case, code, line, column)

_DIRECTIVE = re.compile(
    r"^(?P<kind>expect|expect-warning|expect-hint|expect-message):\s*"
    r"(?P<code>WK\d{3})\s+(?P<line>\d+):(?P<col>\d+)(?:\s+(?P<text>.*))?$"
)
_FOLDER_LINE = re.compile(
    r"^(?:(?P<kind>warning|hint|message):\s*)?(?P<file>\S+)\s+(?P<code>WK\d{3})\s+"
    r"(?P<line>\d+):(?P<col>\d+)(?:\s+(?P<text>.*))?$"
)


@dataclass
class Case:
    path: Path
    errors: Counter[Key] = field(default_factory=Counter)
    warnings: Counter[Key] = field(default_factory=Counter)
    hints: list[tuple[Key, str]] = field(default_factory=list)
    messages: list[tuple[Key, str]] = field(default_factory=list)
    xfail: str | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def is_folder(self) -> bool:
        return self.path.is_dir()


def _leading_comments(path: Path) -> list[str]:
    # Bytes, decoded leniently: the binary fixtures (invalid UTF-8, NUL) keep ASCII headers.
    text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    out: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        out.append(line[1:].strip())
    return out


def _parse_file_case(path: Path) -> Case:
    case = Case(path)
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        lines = [ln.lstrip("#").strip() for ln in sidecar.read_text("utf-8").splitlines()]
    else:
        lines = _leading_comments(path)
    for line in lines:
        if line.startswith("xfail:"):
            case.xfail = line.partition(":")[2].strip()
            continue
        m = _DIRECTIVE.match(line)
        if not m:
            continue
        key: Key = (path.name, m["code"], int(m["line"]), int(m["col"]))
        _add(case, m["kind"].removeprefix("expect").lstrip("-") or "error", key, m["text"])
    return case


def _parse_folder_case(path: Path) -> Case:
    case = Case(path)
    for raw in (path / "expect.txt").read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("xfail:"):
            case.xfail = line.partition(":")[2].strip()
            continue
        m = _FOLDER_LINE.match(line)
        assert m, f"{path / 'expect.txt'}: cannot read {line!r}"
        key: Key = (m["file"], m["code"], int(m["line"]), int(m["col"]))
        _add(case, m["kind"] or "error", key, m["text"])
    return case


def _add(case: Case, kind: str, key: Key, text: str | None) -> None:
    if kind == "error":
        case.errors[key] += 1
    elif kind == "warning":
        case.warnings[key] += 1
    elif kind == "hint":
        assert text, f"{case.path}: a hint expectation needs the text to look for"
        case.hints.append((key, text))
    elif kind == "message":
        assert text, f"{case.path}: a message expectation needs the text to look for"
        case.messages.append((key, text))


def load_cases(folder: Path) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            cases.append(_parse_folder_case(path))
        elif path.suffix in SUFFIXES:
            cases.append(_parse_file_case(path))
    return cases


INVALID_CASES = load_cases(INVALID)
VALID_CASES = load_cases(VALID)


def _params(cases: list[Case]) -> list[object]:
    return [
        pytest.param(
            c,
            id=c.name,
            marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [],
        )
        for c in cases
    ]


def _relative(case: Case, d: Diagnostic) -> str:
    assert d.file is not None, f"diagnostic without a file: {d}"
    if not case.is_folder:
        return Path(d.file).name
    return Path(d.file).resolve().relative_to(case.path.resolve()).as_posix()


#: Python calls validating one case may make; the costliest, the alias bomb, makes about
#: 200,000 (one per node of the YAML node budget). Counted, not timed: see tests/budget.py.
CASE_CALLS = 1_000_000
#: Python calls for validating the whole corpus once (about 300,000 today).
CORPUS_CALLS = 2_000_000


def run(case: Case) -> tuple[list[Diagnostic], int]:
    return counted(CASE_CALLS, validate, case.path)


def _by_key(case: Case, diagnostics: list[Diagnostic]) -> dict[Key, list[Diagnostic]]:
    out: dict[Key, list[Diagnostic]] = {}
    for d in diagnostics:
        key = (_relative(case, d), d.code, d.line or 0, d.column or 0)
        out.setdefault(key, []).append(d)
    return out


def _counter(case: Case, diagnostics: list[Diagnostic], severity: str) -> Counter[Key]:
    return Counter(
        (_relative(case, d), d.code, d.line or 0, d.column or 0)
        for d in diagnostics
        if d.severity == severity
    )


def _check(case: Case, diagnostics: list[Diagnostic]) -> None:
    shown = "\n".join(
        f"  {d.severity} {_relative(case, d)} {d.code} {d.line}:{d.column} {d.message}"
        for d in diagnostics
    )
    assert _counter(case, diagnostics, "error") == case.errors, f"errors were:\n{shown}"
    assert _counter(case, diagnostics, "warning") == case.warnings, f"warnings were:\n{shown}"
    found = _by_key(case, diagnostics)
    for key, text in case.hints:
        hints = [d.hint or "" for d in found.get(key, [])]
        assert any(text in h for h in hints), f"no hint containing {text!r} at {key}: {hints}"
    for key, text in case.messages:
        messages = [d.message for d in found.get(key, [])]
        assert any(text in m for m in messages), f"no message containing {text!r} at {key}"


# -- the corpus ----------------------------------------------------------------------------


def test_corpus_is_large_enough() -> None:
    assert len(INVALID_CASES) >= 45
    assert sum(c.is_folder for c in INVALID_CASES) >= 8
    for case in INVALID_CASES:
        assert case.errors, f"{case.path} states no expected error"


@pytest.mark.parametrize("case", _params(INVALID_CASES))
def test_invalid_case(case: Case) -> None:
    PWNED.unlink(missing_ok=True)
    diagnostics, calls = run(case)
    _check(case, diagnostics)
    assert calls <= CASE_CALLS
    assert not PWNED.exists(), "a YAML tag was executed"


@pytest.mark.parametrize("case", _params(VALID_CASES))
def test_valid_case(case: Case) -> None:
    diagnostics, calls = run(case)
    _check(case, diagnostics)
    assert calls <= CASE_CALLS
    if not case.is_folder:
        model = load(case.path)  # no errors, so loading succeeds
        assert model.worksheetkit == 1


_NO_HINT_YET: dict[str, str] = {}  # known bugs: case name → reason (strict xfail)
_PYTHON_WORDS = re.compile(
    r"Traceback|NoneType|pydantic|ValidationError|\bdict\b|\bstr\b|\bint\b|\bfloat\b|"
    r"\blist\[|KeyError|TypeError|ValueError|object at 0x|<class "
)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c,
            id=c.name,
            marks=[pytest.mark.xfail(strict=True, reason=_NO_HINT_YET[c.name])]
            if c.name in _NO_HINT_YET
            else [],
        )
        for c in INVALID_CASES
    ],
)
def test_every_diagnostic_is_complete(case: Case) -> None:
    """Code, plain-language message, hint, file, 1-based line/column and a JSON path."""
    diagnostics, _ = run(case)
    assert diagnostics
    for d in diagnostics:
        assert re.fullmatch(r"WK\d{3}", d.code), d
        assert d.severity in ("error", "warning")
        assert d.file, d
        assert d.line is not None, d
        assert d.line >= 1, d
        assert d.column is not None, d
        assert d.column >= 1, d
        assert d.json_path.startswith("$"), d
        assert d.message.strip(), d
        assert not _PYTHON_WORDS.search(d.message), f"Python words in {d.message!r}"
        assert d.hint, f"no hint: {d.code} {d.message}"
        assert d.hint.strip(), f"empty hint: {d.code} {d.message}"
        assert not _PYTHON_WORDS.search(d.hint), f"Python words in {d.hint!r}"


def test_whole_corpus_within_its_call_budget() -> None:
    def everything() -> None:
        for case in [*INVALID_CASES, *VALID_CASES]:
            validate(case.path)

    _, calls = counted(CORPUS_CALLS, everything)
    assert calls <= CORPUS_CALLS


def test_validating_twice_gives_identical_output() -> None:
    for case in INVALID_CASES:
        first = [d.to_dict() for d in validate(case.path)]
        assert first == [d.to_dict() for d in validate(case.path)], case.name


# -- the fixtures are what they claim to be (an editor or git must not "fix" them) ---------


def test_binary_fixtures_are_intact() -> None:
    bom = (VALID / "utf8-bom.yaml").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf")
    crlf = (VALID / "crlf-line-endings.yaml").read_bytes()
    assert b"\r\n" in crlf
    assert b"\n" not in crlf.replace(b"\r\n", b"")
    latin1 = (INVALID / "invalid-utf8.yaml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        latin1.decode("utf-8")
    assert b"\x00" in (INVALID / "nul-byte.yaml").read_bytes()
    assert (INVALID / "empty.yaml").read_bytes() == b""
    tab = (INVALID / "yaml-tab-indentation.yaml").read_bytes()
    assert b"\n\tlabel" in tab

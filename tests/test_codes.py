"""One catalogue of codes (issue 14 item 3): every WKnnn code is a member of
``worksheetkit.codes.Code`` with a severity, a title and the docs section that explains it;
source code names codes only through it; diagnostics have the severity it lists."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import worksheetkit as wk
from worksheetkit.codes import CATALOGUE, Code, explain
from worksheetkit.errors import Diagnostic

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "worksheetkit"
DOCS = ROOT / "docs"
_CODE = re.compile(r"WK[0-9]{3}")


def _sources() -> Iterator[Path]:
    yield from (p for p in sorted(SRC.rglob("*.py")) if p.name != "codes.py")


def test_no_code_is_written_as_a_bare_string_outside_the_catalogue() -> None:
    bare = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _CODE.fullmatch(node.value)
            ):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert bare == [], "use worksheetkit.codes.Code instead:\n" + "\n".join(bare)


def test_every_code_named_in_the_source_is_in_the_catalogue() -> None:
    # Members used (Code.WKnnn) and codes named in messages and docstrings ("… (WK309)").
    named: dict[str, str] = {}
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for code in _CODE.findall(text):
            named.setdefault(code, str(path.relative_to(ROOT)))
    unknown = {c: where for c, where in named.items() if c not in Code.__members__}
    assert unknown == {}
    # … and the catalogue lists no code nothing gives.
    used = {m for m in named if m in Code.__members__}
    assert set(Code.__members__) == used


def _sections(page: Path) -> dict[str, str]:
    """Each heading's GitHub anchor → the text up to the next heading of its level or above."""
    lines = page.read_text(encoding="utf-8").splitlines()
    out: dict[str, str] = {}
    heads = [
        (i, len(m.group(1)), m.group(2))
        for i, line in enumerate(lines)
        if (m := re.match(r"(#+) (.*)", line))
    ]
    for n, (i, level, title) in enumerate(heads):
        end = next((j for j, lv, _ in heads[n + 1 :] if lv <= level), len(lines))
        anchor = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        out[anchor] = "\n".join(lines[i:end])
    return out


def test_every_code_is_explained_at_its_anchor() -> None:
    pages: dict[str, dict[str, str]] = {}
    missing = []
    for code, info in CATALOGUE.items():
        assert info.title, code
        assert "\n" not in info.title, code
        assert len(info.title) <= 110, code
        assert info.severity in ("error", "warning", "either"), code
        for doc in info.docs:
            page, _, anchor = doc.partition("#")
            sections = pages.setdefault(page, _sections(DOCS / page))
            if anchor not in sections or not re.search(rf"\b{code}\b", sections[anchor]):
                missing.append(f"{code}: docs/{doc}")
    assert missing == []
    assert list(CATALOGUE) == list(Code)  # every member, in code order


def test_codes_listed_in_the_docs_tables_are_in_the_catalogue() -> None:
    listed = set()
    for page in DOCS.glob("*.md"):
        for line in page.read_text(encoding="utf-8").splitlines():
            if m := re.match(r"\| (?:\*\*)?(WK[0-9]{3})\b", line):
                listed.add(m.group(1))
    assert listed - set(Code.__members__) == set()


def test_members_are_their_text() -> None:
    d = Diagnostic(Code.WK105, "m")
    assert d == Diagnostic("WK105", "m")
    assert d.to_json() == Diagnostic("WK105", "m").to_json()
    assert json.dumps(Code.WK105) == '"WK105"'
    assert f"{Code.WK105}" == "WK105"


def _corpus() -> Iterator[Diagnostic]:
    """Every diagnostic the test corpus and the examples give, through every reader."""
    cases = ROOT / "tests" / "cases"
    yield from wk.validate(cases / "valid", cases / "invalid", cases / "lint", ROOT / "examples")
    for folder in sorted((cases / "invalid").iterdir()):
        if folder.is_dir():  # packs: checked as a whole
            yield from wk.validate(folder)
    yield from wk.validate(cases / "hostile")
    from worksheetkit.responses import validate_response

    worksheet = wk.load(cases / "responses" / "worksheet.yaml", kind=wk.Worksheet)
    for path in sorted((cases / "responses").glob("*/*.json")):
        yield from validate_response(worksheet, json.loads(path.read_text(encoding="utf-8")))
    from worksheetkit.fhir import export_questionnaire, import_questionnaire

    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        document = wk.load(path)
        if isinstance(document, wk.Worksheet):
            yield from export_questionnaire(document).diagnostics

    for path in sorted(ROOT.glob("tests/fixtures*/**/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("resourceType") == "Questionnaire":
            yield from import_questionnaire(data).diagnostics


def test_diagnostics_have_the_severity_the_catalogue_lists() -> None:
    wrong = set()
    seen = set()
    for d in _corpus():
        seen.add(d.code)
        expected = Code(d.code).severity
        if expected != "either" and d.severity != expected:
            wrong.add((d.code, d.severity, expected))
    assert wrong == set()
    assert len(seen) >= 60  # the corpus reaches most codes (60 of 108 when written)


def test_explain_names_severity_title_and_docs() -> None:
    assert explain("wk105") == (
        "WK105 (error): out of range, too short, or wrong format (`at: 25:00`, `for: 4h`) — "
        "see docs/format.md#the-shape-of-the-document-wk1xx"
    )
    with pytest.raises(KeyError):
        explain("WK999")


def test_cli_explain() -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "worksheetkit", "explain", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )

    done = run("WK311", "WK402")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [explain("WK311"), explain("WK402")]
    assert "(warning)" in done.stdout
    assert "(either)" in done.stdout
    refused = run("WK999")
    assert (refused.returncode, refused.stdout) == (2, "")
    assert "unknown code: 'WK999'" in refused.stderr

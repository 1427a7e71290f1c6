"""The docs are executed: YAML examples validate (or fail with the code they claim), and every
diagnostic code the library can emit is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from worksheetkit import validate

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
BLOCK = re.compile(r"(?:<!-- broken: (?P<code>W[KL]\d{3}) -->\n)?```yaml\n(?P<body>.*?)```", re.S)


def _blocks(doc: Path) -> list[tuple[str | None, str]]:
    text = doc.read_text(encoding="utf-8")
    return [
        (m.group("code"), m.group("body"))
        for m in BLOCK.finditer(text)
        if "worksheetkit:" in m.group("body")
    ]


DOC_FILES = sorted(DOCS.glob("*.md"))
BROKEN = [
    pytest.param(code, body, id=f"{doc.name}-{i}-{code}")
    for doc in DOC_FILES
    for i, (code, body) in enumerate(_blocks(doc))
    if code
]


def test_format_reference_has_examples() -> None:
    assert len(_blocks(DOCS / "format.md")) >= 20


@pytest.mark.parametrize("doc", DOC_FILES, ids=lambda p: p.name)
def test_clean_examples_validate_together(doc: Path, tmp_path: Path) -> None:
    clean = [body for code, body in _blocks(doc) if code is None]
    if not clean:
        pytest.skip("no complete YAML examples on this page")
    for i, body in enumerate(clean):
        name = "pack.yaml" if "kind: pack" in body else f"example-{i:02d}.yaml"
        (tmp_path / name).write_text(body, encoding="utf-8")
    problems = [d for d in validate(tmp_path) if d.severity == "error"]
    assert not problems, [
        f"{Path(d.file or '').name}:{d.line}:{d.column} {d.code} {d.message}" for d in problems
    ]


@pytest.mark.parametrize(("code", "body"), BROKEN)
def test_broken_examples_fail_with_their_code(code: str, body: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(body, encoding="utf-8")
    codes = {d.code for d in validate(path) if d.severity == "error"}
    assert codes == {code}


def _emitted_codes() -> set[str]:
    codes: set[str] = set()
    for path in (ROOT / "src" / "worksheetkit").rglob("*.py"):
        codes |= set(re.findall(r'"(W[KL]\d{3})"', path.read_text(encoding="utf-8")))
    return codes


def test_every_diagnostic_code_is_documented() -> None:
    documented = set()
    for doc in DOC_FILES:
        documented |= set(re.findall(r"\b(W[KL]\d{3})\b", doc.read_text(encoding="utf-8")))
    missing = sorted(_emitted_codes() - documented)
    assert not missing, f"codes emitted by the library but not in docs/: {missing}"

"""The Python in the docs runs: every ```python block of README.md and docs/*.md is executed.

Blocks of one file run in order in one namespace (a later block may use what an earlier one
defined), with the repository root as the working directory, so paths such as
``examples/instruments/phq-9.yaml`` work as written. A block preceded by ``<!-- not-run -->``
is illustrative: it is only compiled, not run. Pages are self-contained: a block may use only
what an earlier block of the same page defined.
"""

from __future__ import annotations

import re
import textwrap
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FENCE = re.compile(
    r"^(?P<marker>[ \t]*<!-- not-run -->[ \t]*\n)?[ \t]*```(?:python|py)(?:[ \t][^\n]*)?\n"
    r"(?P<body>.*?)^[ \t]*```[ \t]*$",
    re.S | re.M,
)
NOT_RUN = "<!-- not-run -->"


@dataclass(frozen=True)
class Block:
    number: int  # 1-based, counting every python block of the file
    line: int  # line of the opening fence
    code: str
    run: bool


def python_blocks(text: str) -> list[Block]:
    blocks = []
    for number, m in enumerate(FENCE.finditer(text), start=1):
        fence_line = text.count("\n", 0, m.start("body"))  # the line before the body, 1-based
        code = textwrap.dedent(m.group("body"))  # blocks inside list items are indented
        blocks.append(Block(number, fence_line, code, m.group("marker") is None))
    return blocks


DOC_FILES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def run_blocks(name: str, text: str, namespace: dict[str, Any]) -> list[str]:
    """Run the blocks of one page; return one failure report per failing block (later blocks
    still run, so one page shows all its broken examples)."""
    failures = []
    for block in python_blocks(text):
        where = f"{name} python block {block.number} (line {block.line})"
        try:
            compiled = compile(block.code, f"<{name} block {block.number}>", "exec")
        except SyntaxError as exc:
            failures.append(f"{where}: does not compile: {exc}")
            continue
        if not block.run:
            continue
        try:
            exec(compiled, namespace)
        except Exception:
            failures.append(f"{where} failed:\n{traceback.format_exc(limit=-3)}")
    return failures


@pytest.mark.parametrize("doc", DOC_FILES, ids=lambda p: p.name)
def test_python_blocks_run(doc: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    text = doc.read_text(encoding="utf-8")
    if not python_blocks(text):
        pytest.skip("no python blocks on this page")
    name = str(doc.relative_to(ROOT))
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {"__name__": f"docs:{name}"}
    before = _top_level_entries()
    failures = run_blocks(name, text, namespace)
    capsys.readouterr()  # examples print; their output is not the point here
    assert not failures, "\n\n".join(failures)
    assert _top_level_entries() == before, "a docs example wrote a file into the repository"


def _top_level_entries() -> set[Path]:
    # Where an example that writes "out.ics" or "phq-9.json" would leave it by accident.
    return {p for folder in (ROOT, ROOT / "examples") for p in folder.iterdir()}


def test_marked_blocks_are_compiled_not_run() -> None:
    page = (
        "```python\nx = 1\n```\n\n"
        f"{NOT_RUN}\n```python\nraise SystemExit('must not run')\n```\n\n"
        "```py\ny = x + 1\n```\n"
        "```pycon\n>>> not python\n```\n"
    )
    blocks = python_blocks(page)
    assert [(b.number, b.run) for b in blocks] == [(1, True), (2, False), (3, True)]
    namespace: dict[str, Any] = {}
    assert run_blocks("page.md", page, namespace) == []
    assert namespace["y"] == 2


def test_a_failing_block_names_its_file_and_number() -> None:
    page = "intro\n\n```python\nok = True\n```\n\n```python\n1 / 0\n```\n"
    failures = run_blocks("docs/page.md", page, {})
    assert len(failures) == 1
    assert failures[0].startswith("docs/page.md python block 2 (line 7) failed")
    assert "ZeroDivisionError" in failures[0]


def test_a_not_run_block_must_still_compile() -> None:
    page = f"{NOT_RUN}\n```python\ndef broken(:\n```\n"
    failures = run_blocks("docs/page.md", page, {})
    assert len(failures) == 1
    assert "does not compile" in failures[0]


def test_the_developer_pages_have_runnable_examples() -> None:
    # Guards against the extractor silently finding nothing (a changed fence style).
    for page, least in (("docs/api.md", 8),):
        path = ROOT / page
        if not path.exists():
            pytest.fail(f"{page} is missing")
        runnable = [b for b in python_blocks(path.read_text(encoding="utf-8")) if b.run]
        assert len(runnable) >= least, f"{page} has {len(runnable)} runnable python blocks"


def test_ci_page_shows_the_example_workflow_as_it_is() -> None:
    workflow = (DOCS / "ci" / "github-actions.yml").read_text(encoding="utf-8")
    page = (DOCS / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```$", page, re.S | re.M)
    assert workflow in blocks, "docs/ci.md must show docs/ci/github-actions.yml verbatim"
    steps = yaml.safe_load(workflow)["jobs"]["check"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert any(r.startswith("worksheetkit validate") and "--format github" in r for r in runs)
    assert any(r.startswith("worksheetkit lint") and "--format github" in r for r in runs)


def test_ci_page_names_the_shipped_hooks() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    page = (DOCS / "ci.md").read_text(encoding="utf-8")
    named = set(re.findall(r"- id: (worksheetkit-[a-z]+)", page))
    assert named, "docs/ci.md shows no hook"
    assert named <= {hook["id"] for hook in hooks}

"""Golden renders of every example worksheet in HTML, Markdown and JSON.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_render_golden.py``
(or ``pytest tests/golden tests/test_render_golden.py --update-golden``) and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from worksheetkit import Worksheet, load_pack
from worksheetkit.rendering import render, runtime_script, stylesheet

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = ROOT / "tests" / "golden" / "render"
SUFFIX = {"html": "html", "markdown": "md", "json": "json"}
REGENERATE = "UPDATE_GOLDEN=1 pytest tests/test_render_golden.py"


def example_worksheets() -> list[tuple[str, Worksheet]]:
    """(file stem, resolved worksheet) for every worksheet file under examples/."""
    if not EXAMPLES.is_dir():
        return []
    pack = load_pack(EXAMPLES, strict=False)
    out: dict[str, Worksheet] = {}
    for doc in pack.documents:
        model = doc.model
        if not isinstance(model, Worksheet) or doc.file is None:
            continue
        ref = f"{model.id}@{model.version}"
        if not pack.has_worksheet(ref):
            continue  # it has errors; `worksheetkit validate examples` reports them
        stem = Path(doc.file).stem
        if stem in out:
            stem = f"{Path(doc.file).parent.name}-{stem}"
        out[stem] = pack.worksheet(ref)
    return sorted(out.items())


EXAMPLE_CASES = example_worksheets()


def stored_form(text: str, to: str) -> str:
    """HTML golden files leave out the inlined stylesheet and runtime (the same in every page;
    they have their own tests): each must appear exactly once and is replaced by a marker."""
    if to != "html":
        return text
    for name, asset in (("stylesheet()", stylesheet()), ("runtime_script()", runtime_script())):
        assert text.count(asset) == 1, f"the page should inline {name} exactly once"
        text = text.replace(asset, f"/* worksheetkit {name} */")
    return text


def updating(request: pytest.FixtureRequest) -> bool:
    if os.environ.get("UPDATE_GOLDEN") == "1":
        return True
    try:
        return bool(request.config.getoption("--update-golden"))
    except ValueError:
        return False


def test_there_are_examples() -> None:
    assert EXAMPLE_CASES, "no example worksheets found under examples/"


@pytest.mark.parametrize("to", sorted(SUFFIX))
@pytest.mark.parametrize(("stem", "worksheet"), EXAMPLE_CASES, ids=[s for s, _ in EXAMPLE_CASES])
def test_golden(stem: str, worksheet: Worksheet, to: str, request: pytest.FixtureRequest) -> None:
    path = GOLDEN / f"{stem}.{SUFFIX[to]}"
    text = stored_form(render(worksheet, to), to)
    if updating(request):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    if not path.exists():
        pytest.fail(
            f"no golden file {path.relative_to(ROOT)} for the example '{stem}'. "
            f"Create it with: {REGENERATE}",
            pytrace=False,
        )
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{path.relative_to(ROOT)} differs from the current render. If the change is "
        f"intended, regenerate with: {REGENERATE}"
    )


def test_no_stale_golden_files() -> None:
    """A golden file whose example is gone would silently stop being checked."""
    stems = {s for s, _ in EXAMPLE_CASES}
    stale = sorted(p.name for p in GOLDEN.glob("*.*") if p.stem not in stems)
    assert not stale, f"golden files without an example: {stale}; delete them"

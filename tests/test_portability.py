"""YAML portability (lint rule WL020, yaml-portability): the warning fires exactly where PyYAML's pure-Python SafeLoader
(YAML 1.1) and worksheetkit (YAML 1.2 core, libyaml) read a document differently, and every
example reads the same with ``yaml.safe_load``'s pure-Python loader."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from worksheetkit.lint import lint_paths
from worksheetkit.loading.portability import CODE, MAX_WARNINGS, portability_warnings
from worksheetkit.loading.yamlsource import parse_text
from worksheetkit.validation import loads, validate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml"))


def _normal(value: Any) -> Any:
    """PyYAML's data in worksheetkit's terms: dates (the same day either way) as ISO text."""
    if isinstance(value, dict):
        return {_normal(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


def _readers_disagree(text: str) -> bool:
    ours = parse_text(text, "t.yaml").data
    assert ours is not None
    try:
        theirs = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return True
    return not _equal(ours, _normal(theirs))


# (YAML snippet, whether readers disagree). Each row is checked against PyYAML itself; the
# expected column only documents the outcome and guards against PyYAML changing under us.
SNIPPETS: list[tuple[str, bool]] = [
    ("k: yes", True), ("k: No", True), ("k: ON", True), ("k: off", True), ("on: [mon]", True),
    ("{on: [mon, thu]}", True), ("k: true", False), ("k: False", False), ("k: yess", False),
    ("k: 1:30", True), ("k: 20:00", True), ("k: -1:30", True), ("k: 1:30.5", True),
    ("k: 010", True), ("k: 0o17", True), ("k: 1_000", True), ("k: 0b101", True),
    ("k: 1e20", True), ("k: 1.5e3", True), ("k: 1.0", False), ("k: .5", False),
    ("k: 0x1F", False), ("k: -0x1F", True), ("k: 12", False), ("k: -7", False),
    ("k: .inf", False), ("k: -.Inf", False), ("k: .nan", False), ("k: ~", False),
    ("k: null", False), ("k:", False), ("k: 2026-12-01", False),
    ("k: =", True), ("k: hello world", False), ("k: 'yes'", False), ('k: "20:00"', False),
    ("k: {en: Why?, es: ¿Por qué?}", True), ("k: [why?]", True), ("k: [a?b, c]", True),
    ("k: {en: 'Why?', es: \"¿Por qué?\"}", False), ("k: Why? Because.", False),
    ("k: {a: b, c: 'd'}", False), ("? k\n: v", False),
    ("base: &b {x: 1}\nk:\n  <<: *b\n  z: 2", False),  # PyYAML merges too; YAML 1.2 does not
    ("k: {<<: {x: 1}}", False),
    ("k: <<", True),
]  # fmt: skip

# Where the warning goes beyond what PyYAML shows: the YAML 1.1 specification's y/n booleans
# (PyYAML does not implement them) and merge keys (YAML 1.2 readers keep '<<' as a key).
BEYOND_PYYAML = {"k: y": True, "k: N": True, "base: &b {x: 1}\nk:\n  <<: *b\n  z: 2": True,
                 "k: {<<: {x: 1}}": True}  # fmt: skip


@pytest.mark.parametrize(("text", "disagree"), SNIPPETS, ids=[s for s, _ in SNIPPETS])
def test_warning_fires_exactly_where_readers_disagree(text: str, disagree: bool) -> None:
    assert _readers_disagree(text) is disagree
    warned = [d for d in portability_warnings(text, "t.yaml") if d.code == CODE]
    assert bool(warned) is BEYOND_PYYAML.get(text, disagree)


@pytest.mark.parametrize("text", sorted(BEYOND_PYYAML))
def test_warnings_beyond_pyyaml(text: str) -> None:
    assert [d.code for d in portability_warnings(text, "t.yaml")] == [CODE]


def test_warning_is_located_with_a_quote_fix() -> None:
    text = (
        "worksheetkit: 1\nid: a.b\nversion: 1.0.0\ntitle: T\nitems:\n  - {type: note, text: Ok?}\n"
    )
    (d,) = portability_warnings(text, "w.yaml")
    assert (d.file, d.line, d.column, d.severity) == ("w.yaml", 6, 24, "warning")
    assert d.hint is not None
    assert "Quote the text" in d.hint
    assert '"Ok?"' in d.hint
    (d,) = portability_warnings("schedule: {repeat: weekly, on: [mon]}\n", "w.yaml")
    assert (d.line, d.column) == (1, 28)
    assert "read it as true" in d.message
    assert '"on"' in d.hint


def _lint(tmp_path: Path, text: str, name: str = "w.yaml") -> list[tuple[str, int, str, str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [(d.code, d.line or 0, d.severity, d.json_path) for d in lint_paths(path).diagnostics
            if d.code == CODE]  # fmt: skip


WORKSHEET = (
    "worksheetkit: 1\nid: a.b\nversion: 1.0.0\ntitle: T\n"
    "default_schedule: {repeat: weekly, on: [mon], at: '09:00', count: 2}\n"
    "items:\n  - {id: q, type: yesno, label: {en: Did you?}}\n"
)


def test_lint_reports_the_warning_with_its_path_and_validate_stays_quiet(tmp_path: Path) -> None:
    found = _lint(tmp_path, WORKSHEET)
    assert found == [
        (CODE, 5, "warning", "$.default_schedule.on"),
        (CODE, 7, "warning", "$.items[0].label.en"),
    ]
    assert not [d for d in validate(tmp_path / "w.yaml") if d.code == CODE]
    assert loads(WORKSHEET, source="w.yaml").id == "a.b"  # never stops loading


def test_lint_can_disable_or_silence_the_rule(tmp_path: Path) -> None:
    silenced = WORKSHEET.replace("count: 2}", "count: 2}  # worksheetkit: disable=WL020")
    assert [f[1] for f in _lint(tmp_path, silenced)] == [7]
    path = tmp_path / "w.yaml"
    path.write_text(WORKSHEET, encoding="utf-8")
    assert not [d for d in lint_paths(path, config={"disable": ["yaml-portability"]}).diagnostics
                if d.code == CODE]  # fmt: skip


def test_pathways_are_checked_too(tmp_path: Path) -> None:
    text = (
        "worksheetkit: 1\nkind: pathway\nid: p.x\nversion: 1.0.0\ntitle: P\nsteps:\n"
        "  - {id: one, worksheet: a.b@1, schedule: {repeat: weekly, on: [mon], count: 2}}\n"
    )
    (tmp_path / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: p\nname: P\nversion: 1.0.0\n", encoding="utf-8"
    )
    (tmp_path / "w.yaml").write_text(
        WORKSHEET.replace(" on:", ' "on":').replace("Did you?", "'Did you?'"), encoding="utf-8"
    )
    found = _lint(tmp_path, text, "p.yaml")
    assert [(f[1], f[3]) for f in found] == [(7, "$.steps[0].schedule.on")]


def test_warnings_are_capped_and_linear() -> None:
    text = "k:\n" + "".join(f"  - {{a{i}: yes}}\n" for i in range(5000))
    warnings = portability_warnings(text, "big.yaml")
    assert len(warnings) == MAX_WARNINGS
    assert portability_warnings("k: [unclosed", "bad.yaml") == []  # the loader reports that


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_reads_the_same_with_the_pure_python_safe_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    ours = parse_text(text, str(path)).data
    theirs = yaml.load(text, Loader=yaml.SafeLoader)
    assert _equal(ours, _normal(theirs))
    assert portability_warnings(text, str(path)) == []

"""Answer patterns: the RE2 ∩ JavaScript-`u` dialect, WK217 at validate time, linear matching."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from worksheetkit import loads
from worksheetkit._patterns import MAX_PROGRAM, check_pattern, compile_pattern
from worksheetkit.errors import WorksheetError
from worksheetkit.model import TextItem, Worksheet
from worksheetkit.rendering import runtime_script
from worksheetkit.responses import validate_response

ROOT = Path(__file__).resolve().parent.parent
NODE = shutil.which("node")

OWASP_EMAIL = (
    r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}"
    r"(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$"
)

# Patterns inside the dialect: both engines accept them and read them the same way.
ACCEPTED = [
    "",
    r"\d{3}-\d{4}",
    r"[A-Z]{3}-[0-9]{2}",
    r"^[a-z]+$",
    r"^\d{4}$",
    r"[A-Za-z ]+",
    r".*",
    r"a.b",
    r"a|b|",
    r"(?:ab)+",
    r"(ab)*c?",
    r"[\w.+-]+@[\w-]+\.[a-z]{2,}",
    r"\s*yes\s*",
    r"[\s,]+",
    r"\S+",
    r"\W\D",
    r"\bword\b",
    r"\u00e9\u{1F600}",
    r"\x41+",
    r"\p{Lu}\p{Ll}*",
    r"\P{L}+",
    r"[-a-z]",
    r"[a-z-]",
    r"[^-a]",
    r"[^\]]",
    r"[\-\[\]\\]",
    r"a{2}",
    r"a{2,}?",
    r"a{2,5}",
    r"\/\.\*\+\?\(\)\{\}\|\^\$",
    r"\t\n\r\v\f",
    r"[\t ]",
    "é+😀?",
    r"^(a+)+$",  # the old ReDoS guard refused this; RE2 matches it in linear time
    OWASP_EMAIL,
    r"(a|a)+$",
    r"(.*a){20}",
    r".*.*.*.*=.*",
]

# (pattern, the construct named, character where it starts)
REJECTED = [
    (r"a\Z", "\\Z", 1),
    (r"\Aa", "\\A", 0),
    (r"a\z", "\\z", 1),
    (r"(a)\1", "\\1", 3),
    (r"\k<x>", "\\k", 0),
    (r"(?=a)a", "(?=", 0),
    (r"(?!a)b", "(?!", 0),
    (r"(?<=a)b", "(?<=", 0),
    (r"x(?<!a)b", "(?<!", 1),
    (r"(?>a)", "(?>", 0),
    (r"a++", "++", 2),
    (r"a*+", "*+", 2),
    (r"a{2}+", "{2}+", 4),
    (r"a{3}{2}", "{3}{", 4),
    (r"(?i)yes", "(?flags)", 0),
    (r"(?s:.)", "(?flags)", 0),
    (r"a\-b", "\\-", 1),
    (r"\h", "\\h", 0),
    (r"\e", "\\e", 0),
    (r"\Qa\E", "\\Q", 0),
    (r"(?P<x>a)", "(?P", 0),
    (r"(?<x>a)", "(?<", 0),
    (r"(?#note)", "(?#", 0),
    (r"\p{Greek}", "\\p", 0),
    (r"\pL", "\\p", 0),
    (r"\p{Script=Greek}", "\\p", 0),
    (r"[[:alpha:]]", "[:", 1),
    (r"[a[]", "[", 2),
    (r"a{,3}", "{", 1),
    (r"a]", "]", 1),
    (r"a}", "}", 1),
    (r"*a", "*", 0),
    (r"a|?", "?", 2),
    (r"^*", "*", 1),
    (r"\b+", "+", 2),
    (r"[]a]", "[]", 0),
    (r"[^]", "[]", 0),
    (r"[z-a]", "[z-a]", 1),
    (r"[\d-z]", "[a-\\d]", 3),
    (r"[a-c-e]", "-", 4),
    (r"[\b]", "\\b", 1),
    (r"[\S]", "\\S", 1),
    (r"(a", "(", 0),
    (r"a)", ")", 1),
    ("a\\", "\\", 1),
    (r"\x4", "\\x", 0),
    (r"\u12", "\\u", 0),
    (r"\uD800", "\\u", 0),
    (r"\u{110000}", "\\u", 0),
    (r"\0", "\\0", 0),
    (r"\cJ", "\\c", 0),
    (r"a{1001}", "{n,m}", 1),
    (r"a{5,2}", "{n,m}", 1),
    ("(?:(?:a{1000}){1000}){100}", "size", 0),
    ("a" * 1001, "length", 1000),
]

# Strings the two engines are compared on (every accepted pattern against every sample).
SAMPLES = [
    "",
    "a",
    "b",
    "aa",
    "ab",
    "abc",
    "ABC-12",
    "555-1234",
    "2026",
    "yes",
    " yes ",
    "a\nb",
    "a\rb",
    "a\u2028b",
    "a\u0085b",
    "\u00a0",
    "\u2003",
    "\ufeff",
    "\v",
    "é",
    "é😀",
    "😀",
    "Ωmega",
    "foo.bar@example.org",
    "john_doe@mail.co.uk",
    "a_b",
    "x=1",
    "aaaaaaaaaaaa!",  # short: JavaScript backtracks exponentially on (a|a)+ and friends
    "word",
    "AAA",
    "-",
    "]",
    "\\",
    "/.*+?(){}|^$",
    "\t\n\r\v\f",
]


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_accepted_patterns_compile(pattern: str) -> None:
    assert check_pattern(pattern) is None
    assert compile_pattern(pattern) is not None


@pytest.mark.parametrize(("pattern", "construct", "offset"), REJECTED)
def test_rejected_patterns_name_the_construct(pattern: str, construct: str, offset: int) -> None:
    problem = check_pattern(pattern)
    assert problem is not None, pattern
    assert (problem.construct, problem.offset) == (construct, offset)
    assert problem.message
    assert problem.hint
    assert compile_pattern(pattern) is None


def _worksheet(pattern: str, max_length: int | None = None) -> str:
    extra = f"\n    max_length: {max_length}" if max_length else ""
    return (
        "worksheetkit: 1\nid: t.patterns\nversion: 1.0.0\ntitle: Patterns\nitems:\n"
        f"  - id: code\n    type: text\n    label: Code\n    pattern: {json.dumps(pattern)}"
        f"{extra}\n"
    )


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\d+\Z", "Python/Perl only"),
        (r"(?=.*\d)\w+", "lookahead"),
        (r"(\w)\1", "backreference"),
        (r"a\-b", "error in browsers"),
        (r"(?P<year>\d{4})", "named group"),
        (r"\w++", "Two repeats"),
    ],
)
def test_wk217_is_located_and_says_which_construct(pattern: str, words: str) -> None:
    with pytest.raises(WorksheetError) as info:
        loads(_worksheet(pattern))
    (d,) = info.value.diagnostics
    assert d.code == "WK217"
    assert (d.line, d.column, d.json_path) == (9, 14, "$.items[0].pattern")
    assert words in d.message
    assert "character" in d.message
    assert d.hint
    assert "docs/format.md" in d.hint


def test_the_old_redos_guard_is_gone() -> None:
    ws = loads(_worksheet(r"^(a+)+$"))
    assert isinstance(ws, Worksheet)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (OWASP_EMAIL, "a" * 100_000 + "!", False),
        (OWASP_EMAIL, "a" * 100_000 + "@example.org", True),
        (r"(a|a)+$", "a" * 100_000 + "b", False),
        (r"(a|a)+$", "a" * 100_000, True),
        (r"(.*a){20}", "a" * 19 + "b" * 100_000, False),
        (r"(.*a){20}", "b" * 100_000 + "a" * 20, True),
        (r".*.*.*.*=.*", "x" * 100_000, False),
        (r".*.*.*.*=.*", "x" * 50_000 + "=" + "x" * 50_000, True),
        (r"^(a+)+$", "a" * 100_000 + "b", False),
    ],
)
def test_catastrophic_patterns_match_100kb_answers(pattern: str, text: str, expected: bool) -> None:
    """These made Python's re backtrack for minutes; RE2's automaton is linear in the input and
    its size is bounded by the pattern (no step counter is needed: the bound is structural)."""
    matcher = compile_pattern(pattern)
    assert matcher is not None
    assert matcher.fullmatch(text) is expected
    assert matcher._compiled.programsize <= MAX_PROGRAM


def test_response_check_uses_the_linear_matcher() -> None:
    ws = loads(_worksheet(OWASP_EMAIL, max_length=200_000))
    assert isinstance(ws, Worksheet)
    answer = "a" * 100_000 + "!"
    response = {"worksheetkit": 1, "kind": "response", "worksheet": ws.id, "answers": {}}
    diags = validate_response(ws, {**response, "answers": {"code": answer}})
    assert [d.code for d in diags] == ["WK404"]
    assert answer not in diags[0].message
    assert validate_response(ws, {**response, "answers": {"code": "ann@example.org"}}) == []


def test_dot_and_space_mean_what_the_browser_reads() -> None:
    dot = compile_pattern("a.b")
    space = compile_pattern(r"\s")
    assert dot is not None
    assert space is not None
    for terminator in "\n\r\u2028\u2029":
        assert not dot.fullmatch(f"a{terminator}b")  # JavaScript's '.' skips line terminators
    assert dot.fullmatch("a\u0085b")
    assert space.fullmatch("\u00a0")
    assert space.fullmatch("\ufeff")
    assert space.fullmatch("\v")


def test_lone_surrogate_answer_does_not_match_or_crash() -> None:
    matcher = compile_pattern(".*")
    assert matcher is not None
    assert matcher.fullmatch("\ud800") is False


def test_browser_runtime_reads_patterns_in_u_mode() -> None:
    assert 'new RegExp("^(?:" + spec.pattern + ")$", "u")' in runtime_script()


def _example_patterns() -> set[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if key == "pattern" and isinstance(child, str) and value.get("type") == "text":
                    found.add(child)
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    for folder in ("examples", "tests/cases", "tests/fixtures", "tests/fixtures_fhir_extra"):
        for path in sorted((ROOT / folder).rglob("*.y*ml")):
            if "hostile" in path.parts or path.stat().st_size > 200_000:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if "pattern:" not in text or "&" in text:
                continue  # alias bombs are not for a plain YAML loader
            try:
                walk(yaml.safe_load(text))
            except (yaml.YAMLError, ValueError):
                continue  # hostile and broken cases
    return found


def test_example_patterns_are_in_the_dialect() -> None:
    patterns = _example_patterns()
    assert patterns, "no example patterns found"
    refused = {p: check_pattern(p) for p in patterns}
    expected_bad = {r"^(?=.*\d)[a-z0-9]+$", "[A-Z"}  # the WK217 cases in tests/cases/invalid
    assert {p for p, problem in refused.items() if problem is not None} == expected_bad


@pytest.mark.skipif(NODE is None, reason="node is not installed: cannot compare with JavaScript")
def test_javascript_and_re2_agree() -> None:
    """Every accepted pattern compiles as new RegExp(p, 'u') and matches exactly the samples
    RE2 matches; every refused one that JavaScript does compile is one we refuse on purpose."""
    accepted = sorted({*ACCEPTED, *(p for p in _example_patterns() if check_pattern(p) is None)})
    rejected = [p for p, _, _ in REJECTED]
    script = r"""
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {accepted: {}, rejected: {}};
for (const p of input.accepted) {
  let re = null;
  try { re = new RegExp('^(?:' + p + ')$', 'u'); } catch (e) { out.accepted[p] = 'error: ' + e.message; continue; }
  out.accepted[p] = input.samples.map((s) => re.test(s));
}
for (const p of input.rejected) {
  try { new RegExp('^(?:' + p + ')$', 'u'); out.rejected[p] = true; } catch (e) { out.rejected[p] = false; }
}
process.stdout.write(JSON.stringify(out));
"""
    assert NODE is not None
    payload = json.dumps({"accepted": accepted, "rejected": rejected, "samples": SAMPLES})
    run = subprocess.run(
        [NODE, "-e", script], input=payload, capture_output=True, text=True, timeout=60, check=False
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    for pattern in accepted:
        js = result["accepted"][pattern]
        assert isinstance(js, list), f"{pattern!r}: JavaScript refused it: {js}"
        matcher = compile_pattern(pattern)
        assert matcher is not None
        re2_says = [matcher.fullmatch(s) for s in SAMPLES]
        disagree = [s for s, a, b in zip(SAMPLES, js, re2_says, strict=True) if a != b]
        assert not disagree, f"{pattern!r}: JavaScript and RE2 differ on {disagree!r}"
    # Refused patterns fall in two groups: JavaScript refuses them (\Z, \-, a{,3} in u-mode),
    # or JavaScript compiles them but RE2 cannot or reads them differently ([^] is "any
    # character" in JavaScript and a class starting with ']' in RE2; lookarounds).
    assert result["rejected"][r"a\Z"] is False
    assert result["rejected"][r"a\-b"] is False
    assert result["rejected"][r"a{,3}"] is False
    assert result["rejected"][r"[^]"] is True
    assert result["rejected"][r"(?=a)a"] is True


def test_text_item_model_still_takes_any_string() -> None:
    """The dialect is checked by validation (located WK217), not by the model."""
    item = TextItem.model_validate({"id": "x", "type": "text", "label": "X", "pattern": r"\Z"})
    assert item.pattern == r"\Z"

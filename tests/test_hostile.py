"""The hostile corpus (tests/cases/hostile/): every case gives its diagnostics, within a work
budget, through the library and the command line alike — never a traceback, never a hang,
never an answer's content in a message.

Work is bounded by counted Python calls (``budget.counted``), never by the clock: the same
case makes the same number of calls on a busy CI machine and on a fast laptop. The seconds in
expected.txt only size the hang guard (a subprocess timeout) for the command line.

The expectations live in tests/cases/hostile/expected.txt. Cases too big or too host-specific to
commit (a 50 MB file, symlinks out of the pack, 10,000 table rows, deeply nested responses) are
generated here into a temporary folder. Regression tests for crashes found by fuzzing and by the
property tests sit at the end, as strict xfails while the bug is open.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from budget import counted
from clirun import run_cli
from worksheetkit import render, score, validate_response
from worksheetkit.errors import Diagnostic, WorksheetError
from worksheetkit.loading.strictjson import loads as strict_loads
from worksheetkit.model import Worksheet
from worksheetkit.validation import load, loads, validate

HOSTILE = Path(__file__).resolve().parent / "cases" / "hostile"
RESPONSES = HOSTILE / "responses"
SENTINEL = "SECRET-ANSWER-7731"
ROOT = Path(__file__).resolve().parent.parent
#: Python calls one hostile case may make through the library (validate and load, or
#: validate_response and score). The costliest committed case, the merge-key alias bomb, makes
#: about 3.6 million; a quadratic or unbounded case would make far more and is stopped here.
CASE_CALLS = 5_000_000
#: Seconds before a command-line run counts as hung (a guard, not a speed bound).
HANG_GUARD = 60


@dataclass(frozen=True)
class Case:
    name: str
    codes: frozenset[str]
    seconds: float
    xfail_lib: str | None
    xfail_cli: str | None

    @property
    def path(self) -> Path:
        return HOSTILE / self.name

    @property
    def is_response(self) -> bool:
        return self.name.startswith("responses/")


def _cases() -> list[Case]:
    out = []
    for line in (HOSTILE / "expected.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, codes, seconds, *rest = line.split(None, 3)
        note = rest[0] if rest else ""
        both = note.removeprefix("xfail: ") if note.startswith("xfail: ") else None
        lib = note.removeprefix("xfail-lib: ") if note.startswith("xfail-lib: ") else both
        cli = note.removeprefix("xfail-cli: ") if note.startswith("xfail-cli: ") else both
        wanted = frozenset() if codes == "valid" else frozenset(codes.split(","))
        out.append(Case(name, wanted, float(seconds), lib, cli))
    return out


CASES = _cases()


def _params(which: str) -> list[Any]:
    params = []
    for case in CASES:
        reason = case.xfail_lib if which == "lib" else case.xfail_cli
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        if case.name.startswith("alias-bomb"):
            marks.append(pytest.mark.slow)  # each expands to its budget: a second or more
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


def _cli(*args: str, timeout: float = HANG_GUARD) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "worksheetkit", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=HOSTILE,
    )


def _error_codes(diagnostics: list[Diagnostic]) -> set[str]:
    return {d.code for d in diagnostics if d.severity == "error"}


def _assert_clean_messages(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        assert SENTINEL not in d.message, d
        assert SENTINEL not in (d.hint or ""), d
        assert "Traceback" not in d.message


def _library_in_subprocess(case: Case) -> None:
    """Cases that may hang run the library in a child process we can stop at the bound."""
    code = (
        "import sys; from worksheetkit.validation import validate\n"
        "print(','.join(sorted({d.code for d in validate(sys.argv[1]) if d.severity == 'error'})))"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, str(case.path)],
            capture_output=True,
            text=True,
            timeout=max(case.seconds, HANG_GUARD),
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case.name} did not finish (hung)")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert set(filter(None, proc.stdout.strip().split(","))) == set(case.codes)


@pytest.mark.parametrize("case", _params("lib"))
def test_library_gives_the_expected_diagnostics_within_budget(case: Case) -> None:
    if case.xfail_lib and "never finish" in case.xfail_lib:
        _library_in_subprocess(case)
        return
    (diagnostics, wanted), calls = counted(CASE_CALLS, _library_run, case)
    assert _error_codes(diagnostics) == wanted, diagnostics
    _assert_clean_messages(diagnostics)
    assert calls <= CASE_CALLS


def _library_run(case: Case) -> tuple[list[Diagnostic], set[str]]:
    """The case's diagnostics through the library, and the error codes they must have."""
    if case.is_response:
        ws = load(RESPONSES / "worksheet.yaml")
        assert isinstance(ws, Worksheet)
        text = case.path.read_text(encoding="utf-8")
        try:
            # The one strict reader every command uses: duplicate keys and NaN are refused.
            data: Any = strict_loads(text, big_ints_as_text=True)
        except ValueError:
            # Not JSON the library can be handed: the CLI test checks the file's codes. Here
            # the raw text itself must still be a diagnostic, not an exception.
            diagnostics = validate_response(ws, text)
            score(ws, text)
            return diagnostics, {"WK411"}
        diagnostics = validate_response(ws, data)
        score(ws, data)
    else:
        diagnostics = validate(case.path)
        for d in diagnostics:
            assert d.file is not None
            assert d.line is not None
            assert d.line >= 1
            assert d.column is not None
            assert d.column >= 1
        if case.path.is_file():
            raised: list[Diagnostic] = []
            try:
                load(case.path)
            except WorksheetError as exc:
                raised = exc.diagnostics
            assert bool(raised) == bool(case.codes)
    return diagnostics, set(case.codes)


@pytest.mark.slow
@pytest.mark.parametrize("case", _params("cli"))
def test_command_line_exits_cleanly(case: Case) -> None:
    if case.is_response:
        args = ["check-response", "responses/worksheet.yaml", case.name, "--format", "json"]
    else:
        args = ["validate", case.name, "--format", "json"]
    try:
        proc = _cli(*args, timeout=max(case.seconds, HANG_GUARD))
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case.name}: the command line did not finish (hung)")
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == (1 if case.codes else 0), proc.stdout + proc.stderr
    assert SENTINEL not in proc.stdout
    assert SENTINEL not in proc.stderr
    report = json.loads(proc.stdout)
    codes = {d["code"] for d in report["diagnostics"] if d["severity"] == "error"}
    assert codes == set(case.codes)


def test_every_committed_case_is_listed() -> None:
    listed = {c.name for c in CASES}
    on_disk = {
        p.name
        for p in HOSTILE.iterdir()
        if p.name not in ("expected.txt", "responses", "README.md")
    }
    on_disk |= {f"responses/{p.name}" for p in RESPONSES.iterdir() if p.name != "worksheet.yaml"}
    assert on_disk == listed


# -- hostile text renders as text ------------------------------------------------------------------


class _Markup(HTMLParser):
    """Every element and attribute a browser would build from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def assert_no_injected_markup(html: str) -> None:
    """No element, attribute or script that came from user text (``<script>``, ``onerror=``,
    ``</textarea><b>``, ``javascript:`` links)."""
    parser = _Markup()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ("b", "iframe", "svg"), (tag, attrs)
        assert ("src", "x") not in attrs, (tag, attrs)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:text")), (
                    tag,
                    value,
                )
    for body in parser.scripts:
        assert not body.lstrip().startswith("alert("), body[:80]
    assert "</script><script>" not in html
    assert "<style>body{display:none}" not in html


def _worksheet(name: str) -> Worksheet:
    model = load(HOSTILE / name)
    assert isinstance(model, Worksheet)
    return model


@pytest.mark.parametrize("fragment", [False, True])
def test_template_syntax_renders_literally(fragment: bool) -> None:
    ws = _worksheet("template-syntax.yaml")
    html = render(ws, to="html", fragment=fragment)
    assert "{{ 7*7 }}" in html
    assert "{% raw %}" in html
    assert "{{ self.__init__.__globals__ }}" in html
    assert ">49<" not in html
    assert "49</" not in html
    markdown = render(ws, to="markdown")
    assert "7*7" in markdown
    assert "49" not in markdown


@pytest.mark.parametrize("fragment", [False, True])
def test_script_injection_is_escaped(fragment: bool) -> None:
    ws = _worksheet("script-injection-text.yaml")
    html = render(ws, to="html", fragment=fragment)
    assert_no_injected_markup(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    assert render(ws, to="markdown")


def test_markdown_output_does_not_carry_live_links() -> None:
    markdown = render(_worksheet("script-injection-text.yaml"), to="markdown")
    assert "](javascript:" not in markdown.lower()


def test_unsafe_links_are_each_reported_where_they_stand() -> None:
    diagnostics = validate(HOSTILE / "script-injection-links.yaml")
    assert {d.code for d in diagnostics} == {"WK212"}
    lines = sorted(d.line or 0 for d in diagnostics)
    # instructions (javascript:, data:), help (autolink, mixed case), media ×2, note, source
    assert lines.count(6) == 2
    assert lines.count(8) >= 2
    assert {9, 10, 11} <= set(lines)
    assert len(diagnostics) >= 7


def test_cli_render_of_hostile_text_is_safe(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    # In this process (tests/clirun.py): what is rendered is under test, not the start-up.
    proc = run_cli("render", "script-injection-text.yaml", "--to", "html", "-o", out, cwd=HOSTILE)
    assert proc.returncode == 0, proc.stderr
    assert_no_injected_markup(out.read_text(encoding="utf-8"))
    proc = run_cli("render", "template-syntax.yaml", "--to", "html", cwd=HOSTILE)
    assert proc.returncode == 0, proc.stderr
    assert "{{ 7*7 }}" in proc.stdout


def test_python_tags_are_never_run() -> None:
    marker = Path("/tmp/worksheetkit-hostile-pwned")
    marker.unlink(missing_ok=True)
    validate(HOSTILE / "python-tags.yaml")
    run_cli("validate", "python-tags.yaml", cwd=HOSTILE)
    assert not marker.exists()


# -- generated cases -------------------------------------------------------------------------------


def _fifty_megabytes(tmp_path: Path) -> Path:
    path = tmp_path / "huge.yaml"
    line = b"  - {type: note, text: " + b"x" * 100 + b"}\n"
    with path.open("wb") as fh:
        fh.write(b"worksheetkit: 1\nid: hostile.huge\nversion: 1.0.0\ntitle: Huge\nitems:\n")
        block = line * 10_000
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(block)
    return path


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = _fifty_megabytes(tmp_path)
    diagnostics, calls = counted(10_000, validate, path)  # about 160: the size, then WK008
    assert calls <= 10_000
    assert [(d.code, d.line, d.column) for d in diagnostics] == [("WK008", 1, 1)]
    with pytest.raises(WorksheetError):
        load(path)
    proc = run_cli("validate", path)  # bounded above by counted calls: no hang guard needed
    assert proc.returncode == 1
    assert "WK008" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_a_50_mb_string_through_loads_is_bounded() -> None:
    text = "worksheetkit: 1\nid: a.b\nversion: 1.0.0\ntitle: " + "x" * (50 * 1024 * 1024) + "\n"
    with pytest.raises(WorksheetError) as info:
        counted(1_000, loads, text, source="big.yaml")  # refused before YAML is parsed
    assert "WK008" in {d.code for d in info.value.diagnostics}


@pytest.mark.slow
def test_a_file_just_under_the_limit_is_read_within_budget(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    items = "".join(f"  - {{id: q{i}, type: yesno, label: Question {i}}}\n" for i in range(90_000))
    path.write_text(
        "worksheetkit: 1\nid: hostile.big\nversion: 1.0.0\ntitle: Big\nitems:\n" + items,
        encoding="utf-8",
    )
    assert path.stat().st_size < 5 * 1024 * 1024
    # About 3 million calls: linear in the 90,000 items (a quadratic pass would need billions).
    diagnostics, _calls = counted(10_000_000, validate, path)
    assert all(d.severity != "error" or d.code == "WK006" for d in diagnostics), diagnostics[:3]


def _pack(root: Path) -> Path:
    (root / "pack").mkdir()
    (root / "pack" / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: hostile.links\nname: Links\nversion: 1.0.0\n",
        encoding="utf-8",
    )
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"secret: {SENTINEL}\n", encoding="utf-8")
    return root / "pack"


def test_symlinks_out_of_the_pack_are_not_followed(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    os.symlink(tmp_path / "outside" / "secret.yaml", pack / "linked.yaml")
    os.symlink(tmp_path / "outside", pack / "linked-folder")
    os.symlink("/etc/passwd", pack / "passwd.yaml")
    diagnostics, _calls = counted(200_000, validate, pack)
    assert sorted((Path(d.file or "").name, d.code) for d in diagnostics) == [
        ("linked-folder", "WK220"),
        ("linked.yaml", "WK220"),
        ("passwd.yaml", "WK220"),
    ]
    _assert_clean_messages(diagnostics)
    proc = run_cli("validate", pack)  # bounded above by counted calls: no hang guard needed
    assert proc.returncode == 1
    assert proc.stdout.count("WK220") == 3
    assert SENTINEL not in proc.stdout + proc.stderr
    assert "root:" not in proc.stdout


def _response(answers: Any) -> dict[str, Any]:
    return {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "hostile.responses",
        "version": "1.0.0",
        "submitted_at": "2026-12-01T20:21:00+00:00",
        "answers": answers,
    }


def _deep(levels: int) -> Any:
    value: Any = SENTINEL
    for _ in range(levels):
        value = [value]
    return value


GENERATED_RESPONSES: dict[str, tuple[Any, set[str]]] = {
    "10000-rows": (
        {"situation": "x", "log": [{"what": SENTINEL, "level": 10}] * 10_000},
        {"WK407"},
    ),
    "huge-string": ({"situation": SENTINEL * 600_000, "mood": 3}, {"WK404"}),
    "huge-checklist": ({"situation": "x", "feelings": [SENTINEL] * 100_000}, {"WK405", "WK406"}),
    "deep-answer": ({"situation": "x", "mood": _deep(50_000)}, {"WK401"}),
    "deep-row": ({"situation": "x", "log": [{"what": _deep(50_000)}]}, {"WK401"}),
    "many-unknown-ids": ({f"q{i}": SENTINEL for i in range(20_000)}, {"WK400", "WK408"}),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(GENERATED_RESPONSES))
def test_generated_hostile_responses(name: str, tmp_path: Path) -> None:
    answers, wanted = GENERATED_RESPONSES[name]
    ws = load(RESPONSES / "worksheet.yaml")
    assert isinstance(ws, Worksheet)
    diagnostics, _calls = counted(CASE_CALLS, validate_response, ws, _response(answers))
    counted(CASE_CALLS, score, ws, _response(answers))
    assert _error_codes(diagnostics) <= wanted | {"WK402"}
    assert _error_codes(diagnostics) & wanted
    _assert_clean_messages(diagnostics)
    if name.startswith("deep"):
        return  # json.dumps cannot write it; the CLI case is test_deep_json_response_file
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(_response(answers)), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "worksheetkit", "check-response", str(RESPONSES / "worksheet.yaml"),
         str(path)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert SENTINEL not in proc.stdout + proc.stderr


def test_deep_json_response_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(
        '{"worksheetkit":1,"kind":"response","worksheet":"hostile.responses","answers":{"mood":'
        + "[" * 100_000
        + f'"{SENTINEL}"'
        + "]" * 100_000
        + "}}",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "worksheetkit", "check-response", str(RESPONSES / "worksheet.yaml"),
         str(path)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "WK411" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert SENTINEL not in proc.stdout + proc.stderr


# -- regressions: bugs found by the property tests and the fuzzers --------------------------------

PRE_RELEASE = """\
worksheetkit: 1
id: a.b
version: 1.0.0-beta.1
title: T
items: [{id: q1, type: yesno, label: Q}]
"""


def test_loads_a_worksheet_with_a_pre_release_version() -> None:
    ws = loads(PRE_RELEASE)
    assert isinstance(ws, Worksheet)
    assert ws.version == "1.0.0-beta.1"


def test_load_in_a_pack_with_a_pre_release_version(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: p\nname: P\nversion: 1.0.0\n", encoding="utf-8"
    )
    (tmp_path / "w.yaml").write_text(PRE_RELEASE, encoding="utf-8")
    assert isinstance(load(tmp_path / "w.yaml"), Worksheet)


NONFINITE = [
    "{id: q1, type: number, label: L, max: .inf}",
    "{id: q1, type: number, label: L, min: .nan}",
    "{id: q1, type: number, label: L, default: .inf}",
    "{id: q1, type: choice, label: L, options: [.nan, 1]}",
    "{id: q1, type: choice, label: L, options: [{value: 1e400, label: x}, 1]}",
    "{id: q1, type: rating, label: L, max: .nan}",
]


@pytest.mark.parametrize("item", NONFINITE)
def test_non_finite_numbers_in_items_are_diagnosed(item: str) -> None:
    text = f"worksheetkit: 1\nid: a.b\nversion: 1.0.0\ntitle: T\nitems:\n  - {item}\n"
    with pytest.raises(WorksheetError) as info:
        loads(text)
    assert "WK105" in {d.code for d in info.value.diagnostics}


def test_cli_render_of_a_non_finite_range_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "inf.yaml"
    path.write_text(
        "worksheetkit: 1\nid: a.b\nversion: 1.0.0\ntitle: T\n"
        "items:\n  - {id: q1, type: number, label: L, max: .inf}\n",
        encoding="utf-8",
    )
    proc = run_cli("render", path, "--to", "html")  # an escaped exception shows as a Traceback
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1


def test_json_with_escaped_emoji_loads() -> None:
    data = {"worksheetkit": 1, "id": "a.b", "version": "1.0.0", "title": "Smile \U0001f600",
            "items": [{"type": "note", "text": "x"}]}  # fmt: skip
    ws = loads(json.dumps(data), source="w.json")
    assert isinstance(ws, Worksheet)
    assert ws.title == "Smile \U0001f600"


def test_to_source_of_deep_unary_chains_parses_back() -> None:
    from worksheetkit.expressions import parse, to_json, to_source

    expr = parse("-" * 40 + "a")
    assert to_json(parse(to_source(expr))) == to_json(expr)


@pytest.mark.parametrize(
    "body",
    [
        '{"resourceType": "Questionnaire", "item": ' + "[" * 50_000 + "]" * 50_000 + "}",
        '{"resourceType": "Questionnaire", "status": "active", "x": ' + "9" * 5000 + "}",
    ],
    ids=["deep-arrays", "huge-integer"],
)
def test_fhir_import_of_hostile_json_has_no_traceback(body: str, tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    path.write_text(body, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "worksheetkit", "fhir", "import", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (1, 2)

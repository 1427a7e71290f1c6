"""Behaviour of load / loads / load_pack / validate and of ``worksheetkit validate`` (DESIGN §6).

The per-document diagnostics live in the corpus (tests/cases, test_cases.py); this module
checks the public API around them: what raises and what returns, ordering, hostile input,
packs and symlinks, and the command line's exit codes and output formats.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import worksheetkit
from budget import counted
from clirun import run_cli
from strategies import examples
from test_cases import INVALID, INVALID_CASES, VALID
from worksheetkit.errors import Diagnostic, WorksheetError, sort_diagnostics
from worksheetkit.loading import yamlsource
from worksheetkit.model import ITEM_TYPES, Pathway, Worksheet
from worksheetkit.validation import load, load_pack, loads, validate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

WS = textwrap.dedent(
    """\
    worksheetkit: 1
    kind: worksheet
    id: test.case
    version: 1.0.0
    title: Case
    items:
      - {id: q1, type: text, label: What happened?}
    """
)
PACK = "worksheetkit: 1\nkind: pack\nid: test.pack\nname: Test pack\nversion: 1.0.0\n"
BASE = textwrap.dedent(
    """\
    worksheetkit: 1
    kind: worksheet
    id: base.record
    version: 1.2.0
    title: Thought record
    items:
      - {id: situation, type: text, label: What happened?}
      - {id: belief, type: rating, label: How much do you believe it?}
      - {id: balanced, type: text, label: A balanced thought}
    """
)
SHORT = textwrap.dedent(
    """\
    worksheetkit: 1
    kind: worksheet
    id: clinic.short
    version: 1.0.0
    extends: base.record@1
    title: Short thought record
    remove: [balanced]
    change:
      situation: {label: What happened today?}
    add:
      - after: belief
        items: [{id: confidence, type: rating, min: 0, max: 10, label: How sure are you?}]
    """
)
WARNING_ONLY = textwrap.dedent(
    """\
    worksheetkit: 1
    kind: worksheet
    id: test.warning
    version: 1.0.0
    title: Warning only
    items:
      - {id: q1, type: rating, label: One}
    scores:
      - {id: total, label: Total, formula: "q1", missing: {allow: 0, method: prorate}}
    """
)


def _pack(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _keys(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [(d.code, d.line or 0, d.column or 0) for d in diagnostics]


# -- loads ---------------------------------------------------------------------------------


def test_loads_returns_the_model() -> None:
    ws = loads(WS, source="inline.yaml")
    assert isinstance(ws, Worksheet)
    assert ws.id == "test.case"
    assert [item.id for item in ws.items] == ["q1"]  # type: ignore[union-attr]


def test_loads_raises_worksheet_error_with_sorted_diagnostics() -> None:
    text = WS.replace("title: Case", "titel: Case").replace(
        "  - {id: q1, type: text, label: What happened?}",
        "  - {id: q1, type: text, label: A}\n  - {id: q1, type: numbr, label: B}\n"
        "  - {id: q3, type: text}",
    )
    with pytest.raises(WorksheetError) as info:
        loads(text, source="inline.yaml")
    diags = info.value.diagnostics
    assert len(diags) >= 2
    assert diags == sort_diagnostics(diags)
    assert [d.sort_key() for d in diags] == sorted(d.sort_key() for d in diags)
    assert {d.file for d in diags} == {"inline.yaml"}
    assert "WK103" in {d.code for d in diags}
    assert "WK107" in {d.code for d in diags}
    # The exception's text is the first error, formatted like the CLI's text line.
    assert str(info.value).startswith(diags[0].format())


def test_loads_without_source_still_locates() -> None:
    with pytest.raises(WorksheetError) as info:
        loads("worksheetkit: 1\nkind: worksheet\nid: X\n")
    assert all(d.line and d.column for d in info.value.diagnostics)


def test_loads_keeps_yaml_1_2_scalars_as_written() -> None:
    ws = loads((VALID / "yaml12-scalars.yaml").read_text("utf-8"))
    assert isinstance(ws, Worksheet)
    options = ws.items[0].options  # type: ignore[union-attr]
    assert options == ["yes", "no", "on", "off"]
    assert ws.default_schedule is not None
    assert ws.default_schedule.at == "20:00"
    assert ws.items[1].default == 755  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/new:os.system",
        "!!python/object/apply:subprocess.check_call",
    ],
)
def test_python_tags_are_never_executed(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "executed"
    command = f'["touch {marker}"]' if "subprocess" not in tag else f'[["touch", "{marker}"]]'
    text = WS.replace("label: What happened?", f"label: {tag} {command}")
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorksheetError) as info:
        loads(text)
    assert [d.code for d in info.value.diagnostics] == ["WK005"]
    with pytest.raises(WorksheetError):
        load(path)
    assert [d.code for d in validate(path)] == ["WK005"]
    assert not marker.exists()


def test_alias_bomb_is_rejected_within_the_node_budget() -> None:
    text = (INVALID / "alias-bomb.yaml").read_text("utf-8")
    with pytest.raises(WorksheetError) as info:
        counted(1_000_000, loads, text)  # about 200,000 calls: one per node of the budget
    assert [d.code for d in info.value.diagnostics] == ["WK006"]
    (node,) = list(yaml.compose_all(text, Loader=yamlsource._Loader))
    builder = yamlsource._Builder(yamlsource.SourceMap(None))
    builder.build(node)
    assert builder.fatal
    # Stopped as soon as the node budget ran out: overshot by at most one node's children.
    assert -100 < builder.budget < 0


def test_invalid_utf8_written_by_the_test(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(WS.replace("Case", "Caf\u00e9").encode("latin-1"))
    with pytest.raises(WorksheetError) as info:
        load(path)
    (d,) = info.value.diagnostics
    assert (d.code, d.line, d.column) == ("WK002", 5, 11)


def test_bom_and_crlf_written_by_the_test(tmp_path: Path) -> None:
    path = tmp_path / "windows.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + WS.replace("\n", "\r\n").encode("utf-8"))
    assert validate(path) == []
    assert isinstance(load(path), Worksheet)


def test_duplicate_key_path_is_the_key() -> None:
    with pytest.raises(WorksheetError) as info:
        loads(WS.replace("title: Case", "title: Case\ntitle: Again"))
    (d,) = info.value.diagnostics
    assert (d.code, d.line, d.column) == ("WK004", 6, 1)
    assert "line 5" in d.message
    assert "line 6" in d.message


def test_duplicate_key_json_path() -> None:
    with pytest.raises(WorksheetError) as info:
        loads(WS.replace("title: Case", "title: Case\ntitle: Again"))
    assert info.value.diagnostics[0].json_path == "$.title"


def test_diagnostic_json_paths_point_into_the_document() -> None:
    with pytest.raises(WorksheetError) as info:
        loads(WS.replace("label: What happened?", "lable: What happened?"))
    (d,) = info.value.diagnostics
    assert d.code == "WK103"
    assert d.json_path == "$.items[0].lable"
    assert d.hint is not None
    assert "label" in d.hint


def test_duplicate_score_id_message_names_a_score() -> None:
    diags = validate(INVALID / "duplicate-score-id.yaml")
    (d,) = diags
    assert d.code == "WK201"
    assert "item" not in d.message


def test_unsafe_media_url_is_reported() -> None:
    # Reported exactly once, at the url (the media check; the link walk skips media).
    for name in ("media-javascript-url.yaml", "media-data-url.yaml"):
        diags = validate(INVALID / name)
        assert [(d.code, d.line, d.column) for d in diags] == [("WK212", 12, 8)]


# -- validate never raises -----------------------------------------------------------------

_json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
_KEYS = [
    "id",
    "type",
    "label",
    "options",
    "scale",
    "min",
    "max",
    "step",
    "anchors",
    "show_if",
    "columns",
    "items",
    "url",
    "kind",
    "default",
    "min_rows",
    "max_rows",
    "min_selected",
    "max_selected",
    "pattern",
    "title",
    "text",
]
_item = st.dictionaries(
    st.sampled_from(_KEYS),
    st.one_of(
        st.sampled_from([*ITEM_TYPES, "q1", "q2", "javascript:x", "q1 > 1", "P", "", "[a"]),
        _json_like,
    ),
    max_size=8,
)
_worksheet = st.fixed_dictionaries(
    {
        "worksheetkit": st.sampled_from([1, 1, 1, 2, "1", None]),
        "kind": st.sampled_from(["worksheet", "pathway", "pack", "assignment", "response", "x"]),
        "id": st.sampled_from(["test.case", "Bad Id", ""]),
        "version": st.sampled_from(["1.0.0", "1.0", "x"]),
        "title": _json_like,
        "items": st.lists(_item, max_size=5),
        "scores": st.lists(
            st.fixed_dictionaries(
                {"id": st.sampled_from(["total", "q1"]), "label": st.just("T")},
                optional={
                    "formula": st.sampled_from(["q1 + q2", "sum(q1", "q1 > 'a'", ""]),
                    "bands": _json_like,
                    "missing": _json_like,
                },
            ),
            max_size=2,
        ),
    },
    optional={"languages": _json_like, "default_schedule": _json_like, "extends": _json_like},
)


def _assert_only_diagnostics(path: Path) -> None:
    diags = validate(path)
    for d in diags:
        assert isinstance(d, Diagnostic)
        assert d.file == str(path)
        assert d.line is not None
        assert d.line >= 1
        assert d.column is not None
        assert d.column >= 1
    assert diags == sort_diagnostics(diags)


_FUZZ = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@_FUZZ
@given(text=st.text(max_size=300))
def test_validate_never_raises_on_arbitrary_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _assert_only_diagnostics(path)


@_FUZZ
@given(data=_json_like)
def test_validate_never_raises_on_arbitrary_data(tmp_path: Path, data: object) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _assert_only_diagnostics(path)


@_FUZZ
@given(data=_worksheet)
def test_validate_never_raises_on_worksheet_like_data(tmp_path: Path, data: object) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _assert_only_diagnostics(path)


@_FUZZ
@given(raw=st.binary(max_size=200))
def test_validate_never_raises_on_arbitrary_bytes(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(raw)
    _assert_only_diagnostics(path)


def test_validate_missing_path_is_a_diagnostic(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    (d,) = validate(missing)
    assert d.code == "WK001"
    assert d.file == str(missing)


# -- folders and packs ---------------------------------------------------------------------


def test_validate_folder_reports_every_file_sorted(tmp_path: Path) -> None:
    _pack(
        tmp_path,
        {
            "pack.yaml": PACK,
            "b/second.yaml": WS.replace("id: test.case", "id: test.b").replace(
                "label: What happened?", "lable: X"
            ),
            "a/first.yaml": WS.replace("id: test.case", "id: test.a").replace(
                "version: 1.0.0", "version: one"
            )
            + "  - {id: q1, type: text, label: Again}\n",
            "c.json": '{"worksheetkit": 1, "kind": "worksheet"}',
            "d.yml": "worksheetkit: 1\nkind: worksheet\nid: test.d\nversion: 1.0.0\n\ttitle: T\n",
            "notes.txt": "not a document",
            ".hidden/ignored.yaml": "garbage: [",
        },
    )
    diags = validate(tmp_path)
    files = {Path(d.file).relative_to(tmp_path).as_posix() for d in diags if d.file}
    assert files == {"a/first.yaml", "b/second.yaml", "c.json", "d.yml"}
    assert [(d.file, d.line, d.column) for d in diags] == sorted(
        (d.file or "", d.line or 0, d.column or 0) for d in diags
    )
    assert [d.code for d in diags if d.file and d.file.endswith("c.json")] == ["WK101", "WK101"]


def test_symlink_to_a_file_outside_the_pack_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.yaml"
    secret.write_text("this: [is not valid yaml\n", encoding="utf-8")
    pack = _pack(tmp_path / "pack", {"pack.yaml": PACK, "worksheets/ok.yaml": WS})
    link = pack / "worksheets" / "link.yaml"
    link.symlink_to(secret)
    dir_link = pack / "shared"
    dir_link.symlink_to(outside, target_is_directory=True)
    diags = validate(pack)
    assert sorted((Path(d.file).name, d.code) for d in diags if d.file) == [
        ("link.yaml", "WK220"),
        ("shared", "WK220"),
    ]
    assert all("secret" not in (d.file or "") for d in diags)
    assert all(d.code != "WK003" for d in diags)  # the broken target was never parsed
    loaded = load_pack(pack, strict=False)
    assert [w.id for w in loaded.worksheets] == ["test.case"]
    assert "WK220" in {d.code for d in loaded.diagnostics}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_symlink_to_a_pipe_outside_the_pack_is_never_opened(tmp_path: Path) -> None:
    # Opening a FIFO for reading blocks until a writer comes: if the link were followed, the
    # run would hang and hit the timeout instead of finishing with WK220.
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    pack = _pack(tmp_path / "pack", {"pack.yaml": PACK, "worksheets/ok.yaml": WS})
    (pack / "worksheets" / "pipe.yaml").symlink_to(fifo)
    result = subprocess.run(
        [*CLI, "validate", "--format", "json", str(pack)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    payload = json.loads(result.stdout)
    assert [d["code"] for d in payload["diagnostics"]] == ["WK220"]
    assert result.returncode == 1


def test_oversized_file_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(WS + "#" + "x" * (6 * 1024 * 1024) + "\n", encoding="utf-8")
    (d,), calls = counted(10_000, validate, path)  # the size is checked, the text never parsed
    assert d.code == "WK008"
    assert calls < 10_000


def test_symlink_inside_the_pack_is_read(tmp_path: Path) -> None:
    pack = _pack(tmp_path, {"pack.yaml": PACK, "worksheets/ok.yaml": WS})
    (pack / "alias.yaml").symlink_to(pack / "worksheets" / "ok.yaml")
    codes = {d.code for d in validate(pack)}
    # The same worksheet seen twice through the link is a duplicate, not a symlink problem.
    assert "WK220" not in codes


def test_load_inside_a_pack_resolves_extends(tmp_path: Path) -> None:
    pack = _pack(
        tmp_path,
        {"pack.yaml": PACK, "worksheets/base.yaml": BASE, "worksheets/short.yaml": SHORT},
    )
    ws = load(pack / "worksheets" / "short.yaml")
    assert isinstance(ws, Worksheet)
    assert [item.id for item in ws.items] == ["situation", "belief", "confidence"]  # type: ignore[union-attr]
    assert ws.items[0].label == "What happened today?"  # type: ignore[union-attr]
    assert ws.derived_from == "base.record@1.2.0"
    assert ws.title == "Short thought record"


def test_loads_leaves_extends_unresolved() -> None:
    ws = loads(SHORT)
    assert isinstance(ws, Worksheet)
    assert ws.extends == "base.record@1"
    assert ws.items == []


def test_load_reports_only_that_files_problems(tmp_path: Path) -> None:
    pack = _pack(
        tmp_path,
        {
            "pack.yaml": PACK,
            "worksheets/good.yaml": WS,
            "worksheets/bad.yaml": WS.replace("id: test.case", "id: test.bad").replace(
                "label: What happened?", "lable: X"
            ),
        },
    )
    assert isinstance(load(pack / "worksheets" / "good.yaml"), Worksheet)
    with pytest.raises(WorksheetError) as info:
        load(pack / "worksheets" / "bad.yaml")
    assert {Path(d.file).name for d in info.value.diagnostics if d.file} == {"bad.yaml"}


def test_load_pack_strict_and_lenient(tmp_path: Path) -> None:
    pathway = textwrap.dedent(
        """\
        worksheetkit: 1
        kind: pathway
        id: test.path
        version: 1.0.0
        title: Path
        steps:
          - {id: first, worksheet: base.record@1}
          - {id: second, worksheet: clinic.short, unlock_when: "completed(first)"}
        """
    )
    pack = _pack(
        tmp_path,
        {
            "pack.yaml": PACK,
            "worksheets/base.yaml": BASE,
            "worksheets/short.yaml": SHORT,
            "worksheets/newer.yaml": BASE.replace("version: 1.2.0", "version: 1.10.0"),
            "worksheets/broken.yaml": WS.replace("id: test.case", "id: test.broken").replace(
                "type: text", "type: txet"
            ),
            "pathways/path.yaml": pathway,
        },
    )
    with pytest.raises(WorksheetError) as info:
        load_pack(pack)
    assert {d.code for d in info.value.diagnostics} == {"WK107"}

    loaded = load_pack(pack, strict=False)
    assert loaded.manifest is not None
    assert loaded.manifest.id == "test.pack"
    assert loaded.root == pack.resolve()
    assert [(w.id, w.version) for w in loaded.worksheets] == [
        ("base.record", "1.2.0"),
        ("base.record", "1.10.0"),
        ("clinic.short", "1.0.0"),
    ]
    assert loaded.worksheet("base.record").version == "1.10.0"  # newest
    assert loaded.worksheet("base.record@1.2").version == "1.2.0"
    assert loaded.worksheet("base.record@1.2.0").version == "1.2.0"
    # The template is resolved against the newest matching version.
    assert loaded.worksheet("clinic.short").derived_from == "base.record@1.10.0"
    assert isinstance(loaded.pathway("test.path@1"), Pathway)
    with pytest.raises(KeyError):
        loaded.worksheet("test.broken")
    with pytest.raises(KeyError):
        loaded.worksheet("base.record@2")
    assert [(Path(d.file).name, d.code) for d in loaded.diagnostics if d.file] == [
        ("broken.yaml", "WK107")
    ]


def test_load_pack_of_the_examples_is_clean() -> None:
    loaded = load_pack(EXAMPLES)
    assert loaded.diagnostics == []
    assert len(loaded.worksheets) >= 6


def test_load_pack_needs_a_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_pack(tmp_path / "missing")


def test_top_level_api_is_exported() -> None:
    for name in ("load", "loads", "load_pack", "validate", "Diagnostic", "WorksheetError"):
        assert name in worksheetkit.__all__
    assert worksheetkit.validate is validate
    assert worksheetkit.loads is loads


# -- the command line ----------------------------------------------------------------------

CLI = [sys.executable, "-c", "from worksheetkit.cli import main; main()"]
TEXT_LINE = re.compile(
    r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning) (?P<code>WK\d{3}) (?P<msg>.+)$"
)


def cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """A real process: for exit codes and tracebacks as a shell sees them. Tests of what the
    output says use ``run_cli`` (tests/clirun.py): the same run without starting Python."""
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [*CLI, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
        cwd=cwd,
    )


@pytest.mark.slow  # starts processes or lays out PDFs: seconds
def test_cli_exit_codes(tmp_path: Path) -> None:
    clean = cli("validate", VALID / "instrument.yaml")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert cli("validate", EXAMPLES).returncode == 0
    assert cli("validate", INVALID / "unknown-key-top.yaml").returncode == 1
    missing = cli("validate", tmp_path / "nope.yaml")
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert cli("validate", "--format", "xml", VALID / "instrument.yaml").returncode == 2
    assert cli("validate").returncode == 2  # no path: usage error


def test_cli_text_output() -> None:
    result = run_cli("validate", INVALID / "unknown-key-top.yaml", INVALID / "missing-label.yaml")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    problems = [TEXT_LINE.match(line) for line in lines]
    matched = [m for m in problems if m]
    assert [(m["code"], Path(m["file"]).name) for m in matched] == [
        ("WK101", "missing-label.yaml"),
        ("WK103", "unknown-key-top.yaml"),
    ]
    first = lines.index(matched[1].group(0))
    assert lines[first + 1].strip() == "hint: Did you mean 'title'?"
    assert lines[first + 1].startswith(" ")
    assert matched[1]["file"] == str(INVALID / "unknown-key-top.yaml")
    assert (matched[1]["line"], matched[1]["col"]) == ("8", "1")
    assert "2 files checked" in lines[-1]


def test_cli_json_output() -> None:
    result = run_cli(
        "validate",
        "--format",
        "json",
        INVALID / "unknown-key-top.yaml",
        VALID / "prorate-allow-zero-warning.yaml",
        VALID / "instrument.yaml",
    )
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert set(payload) == {"files", "errors", "warnings", "diagnostics"}
    assert (payload["files"], payload["errors"], payload["warnings"]) == (3, 1, 1)
    for d in payload["diagnostics"]:
        assert list(d) == [  # DESIGN §6, then Diagnostic.to_dict()'s `related`
            *("code", "severity", "message", "hint", "file", "line", "column", "path"),
            *("json_path", "json_pointer", "related"),
        ]
    (error,) = [d for d in payload["diagnostics"] if d["severity"] == "error"]
    assert error["code"] == "WK103"
    assert (error["line"], error["column"], error["json_path"]) == (8, 1, "$.titel")


@pytest.mark.slow  # starts processes or lays out PDFs: seconds
def test_cli_json_output_is_deterministic() -> None:
    first = cli("validate", "--format", "json", INVALID)
    second = cli("validate", "--format", "json", INVALID)
    assert first.stdout == second.stdout
    assert first.returncode == 1


def test_cli_github_output() -> None:
    result = run_cli("validate", "--format", "github", INVALID / "unknown-key-top.yaml")
    assert result.returncode == 1
    annotations = [ln for ln in result.stdout.splitlines() if ln.startswith("::")]
    assert len(annotations) == 1
    assert annotations[0].startswith("::error file=")
    assert ",line=8," in annotations[0]
    assert ",col=1" in annotations[0]
    assert "WK103" in annotations[0]


@pytest.mark.slow  # starts processes or lays out PDFs: seconds
def test_cli_strict_turns_warnings_into_failures(tmp_path: Path) -> None:
    path = tmp_path / "warning.yaml"
    path.write_text(WARNING_ONLY, encoding="utf-8")
    relaxed = cli("validate", path)
    assert relaxed.returncode == 0
    assert "warning WK225" in relaxed.stdout
    strict = cli("validate", "--strict", path)
    assert strict.returncode == 1
    github = cli("validate", "--format", "github", path)
    assert github.stdout.startswith("::warning file=")


@pytest.mark.slow
def test_cli_never_shows_a_traceback_on_the_corpus() -> None:
    paths = [case.path for case in INVALID_CASES]
    for fmt in ("text", "json", "github"):
        result = cli("validate", "--format", fmt, *paths)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "Traceback" not in result.stdout
    # One document at a time too, in process, so a crash names its file.
    from worksheetkit.cli import cli as group

    runner = CliRunner()
    for case in INVALID_CASES:
        outcome = runner.invoke(group, ["validate", str(case.path)])
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit), case.name
        assert outcome.exit_code == 1, case.name
        assert "Traceback" not in outcome.output


def test_cli_entry_point_matches() -> None:
    script = Path(sys.executable).parent / "worksheetkit"
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    result = subprocess.run(
        [str(script), "validate", str(INVALID / "empty.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "WK009" in result.stdout


def test_no_file_is_created_by_the_corpus() -> None:
    # The corpus's python tag would `touch` this file if it were ever executed.
    marker = Path(tempfile.gettempdir()) / "worksheetkit-corpus-pwned"
    marker.unlink(missing_ok=True)
    run_cli("validate", INVALID / "python-tag-apply.yaml")
    validate(INVALID / "python-tag-apply.yaml")
    assert not marker.exists()


# -- files named on their own, and named twice ----------------------------------------------


def test_a_single_file_is_checked_with_its_pack_as_context() -> None:
    # A pre-commit hook passes single files: a worksheet made from a template must still
    # resolve, and only the named file is reported on.
    short = EXAMPLES / "worksheets" / "thought-record-short.yaml"
    assert [d for d in validate(short) if d.severity == "error"] == []


def test_problems_in_context_files_are_not_reported_for_a_named_file(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: t.p\nname: P\nversion: 1.0.0\n", encoding="utf-8"
    )
    (tmp_path / "broken.yaml").write_text("worksheetkit: 1\nid: t.b\n", encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(
        "worksheetkit: 1\nid: t.g\nversion: 1.0.0\ntitle: G\nitems: [{type: note, text: Hi}]\n",
        encoding="utf-8",
    )
    assert validate(good) == []
    assert {Path(d.file or "").name for d in validate(tmp_path)} == {"broken.yaml"}


def test_a_file_named_twice_is_read_once() -> None:
    examples = EXAMPLES
    diags = validate(examples, examples / "worksheets" / "sleep-diary.yaml")
    assert [d.code for d in diags if d.severity == "error"] == []


def _small_pack(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: t.p\nname: P\nversion: 1.0.0\n", encoding="utf-8"
    )
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_responses_are_checked_whatever_order_the_files_sort_in(tmp_path: Path) -> None:
    root = _small_pack(
        tmp_path,
        {
            "a-responses/r.json": '{"worksheetkit": 1, "kind": "response", "worksheet": "t.w",'
            ' "version": "1.0.0", "submitted_at": "2026-12-01T20:00:00Z", "answers": {"n": "x"}}',
            "z-worksheets/w.yaml": """\
                worksheetkit: 1
                id: t.w
                version: 1.0.0
                title: W
                items: [{id: n, type: number, label: N}]
                """,
        },
    )
    codes = {d.code for d in validate(root)}
    assert "WK401" in codes  # the answer's wrong type was checked


def test_a_worksheet_made_from_a_translated_template_must_translate_its_own_text(
    tmp_path: Path,
) -> None:
    root = _small_pack(
        tmp_path,
        {
            "base.yaml": """\
                worksheetkit: 1
                id: t.base
                version: 1.0.0
                title: {en: Base, es: Base}
                languages: [en, es]
                items: [{id: q, type: text, label: {en: Question, es: Pregunta}}]
                """,
            "derived.yaml": """\
                worksheetkit: 1
                id: t.derived
                version: 1.0.0
                extends: t.base@1
                change:
                  q: {label: Only English}
                """,
        },
    )
    diags = [d for d in validate(root) if d.code == "WK207"]
    assert [(Path(d.file or "").name, d.line) for d in diags] == [("derived.yaml", 6)]


@pytest.mark.parametrize(("languages", "expected"), [("[en, es]", set()), ("[en, fr]", {"WK207"})])
def test_likert_presets_carry_english_and_spanish(
    tmp_path: Path, languages: str, expected: set[str]
) -> None:
    root = _small_pack(
        tmp_path,
        {
            "w.yaml": f"""\
                worksheetkit: 1
                id: t.w
                version: 1.0.0
                title: {{en: W, es: W, fr: W}}
                languages: {languages}
                items: [{{id: q, type: likert, label: {{en: Q, es: P, fr: Q}}, scale: frequency-4}}]
                """,
        },
    )
    assert {d.code for d in validate(root) if d.severity == "error"} == expected


def test_response_diagnostics_never_quote_values(tmp_path: Path) -> None:
    secret = "SECRET-7731 private words"
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps(
            {
                "worksheetkit": 1,
                "kind": "response",
                "worksheet": "a.b",
                "answers": secret,
                "started_at": secret,
                "ratings": {"difficulty": secret},
                "obstacle": {"kind": secret},
            }
        ),
        encoding="utf-8",
    )
    diags = validate(path)
    # One reader of the envelope (model/envelope.py): the same WK411 check-response gives.
    assert sorted(d.json_pointer for d in diags) == [
        "/answers",
        "/obstacle/kind",
        "/ratings/difficulty",
        "/started_at",
    ]
    assert {d.code for d in diags} == {"WK411"}
    assert all(secret not in f"{d.message} {d.hint}" for d in diags)


def test_the_library_leaves_the_garbage_collector_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """validate() and load_pack() never pause the process-wide collector; only the CLI may."""
    import gc

    touched: list[str] = []
    monkeypatch.setattr(gc, "disable", lambda: touched.append("disable"))
    monkeypatch.setattr(gc, "freeze", lambda: touched.append("freeze"))
    examples = Path(__file__).resolve().parents[1] / "examples"
    worksheetkit.validate(examples)
    worksheetkit.load_pack(examples)
    assert touched == []

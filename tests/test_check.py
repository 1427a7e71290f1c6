"""``worksheetkit.check``: a document built in code gets the diagnostics ``validate`` gives the
same content in a file — shape, meaning and pack references in one pass, paths instead of lines.

The corpus (tests/cases) is the proof: every invalid file, loaded with ``yaml.safe_load`` (or
``json``), checked with ``check`` must give the codes ``validate`` gives the file. Exceptions are
listed below with their reason: faults that only exist in text (YAML syntax, duplicate keys,
alias bombs, nesting depth, empty files) and YAML 1.1 readings of ``yes``/``no`` by PyYAML's
safe_load (worksheetkit reads YAML 1.2, where they are text).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

import worksheetkit as wk
from worksheetkit.loading.yamlsource import parse_text
from worksheetkit.model import Assignment, Pathway, Worksheet

CASES = Path(__file__).resolve().parent / "cases"
INVALID_FILES = sorted(
    p for p in (CASES / "invalid").iterdir() if p.is_file() and p.suffix in (".yaml", ".json")
)
INVALID_FOLDERS = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())
RESPONSES = sorted((CASES / "responses" / "invalid").glob("*.json"))

# The fault is in the text, so a dict cannot carry it (the dict is what safe_load made of it).
TEXT_ONLY = {
    "alias-bomb.yaml": "WK006: aliases expanded too far (safe_load expands them)",
    "deep-nesting.yaml": "WK007: nesting depth is a property of the text",
    "duplicate-key-in-item.yaml": "WK004: safe_load keeps the last of two keys",
    "duplicate-key-top.yaml": "WK004: safe_load keeps the last of two keys",
    "empty.yaml": "WK009: an empty file is None to safe_load",
    "invalid-utf8.yaml": "WK002: the bytes are not UTF-8 (decoded with replacement here)",
    "only-comments.yaml": "WK009: an empty file is None to safe_load",
}
# PyYAML reads YAML 1.1: `yes`/`No` become booleans, which worksheetkit (YAML 1.2) reads as text.
YAML_11 = {
    "likert-options-and-scale.yaml": "label: No / Yes are booleans to safe_load",
    "wrong-type-required.yaml": "required: yes is true to safe_load",
}


def _codes(diagnostics: list[wk.Diagnostic]) -> Counter[str]:
    return Counter(d.code for d in diagnostics)


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.name)
def test_check_gives_the_codes_validate_gives_the_file(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        pytest.skip("not YAML that safe_load reads: the fault is the text itself")
    if path.name in TEXT_ONLY:
        pytest.skip(TEXT_ONLY[path.name])
    if path.name in YAML_11:
        pytest.skip(YAML_11[path.name])
    expected = _codes(wk.validate(path))
    assert expected, "the corpus file should be invalid"
    found = wk.check(data)
    assert _codes(found) == expected
    assert all(d.file is None and d.line is None and d.column is None for d in found)


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.name)
def test_check_of_what_the_library_reads_gives_the_same_codes(path: Path) -> None:
    """With worksheetkit's own reader (YAML 1.2) the YAML 1.1 exceptions disappear."""
    parsed = parse_text(path.read_bytes().decode("utf-8", errors="replace"), str(path))
    if parsed.data is None or parsed.diagnostics or path.name in TEXT_ONLY:
        pytest.skip("the fault is in the text (a YAML tag, bad bytes, syntax)")
    data = parsed.data
    assert _codes(wk.check(data)) == _codes(wk.validate(path))


# In a pack: each file checked with the rest of its pack as ``pack=``. Exceptions: a cycle of
# templates is reported once by validate (at its first file), by check at the checked one; a
# duplicate id/version is reported by validate, while check treats the checked document as the
# new content of that id and version (it replaces the pack's copy, as an edit would).
FOLDER_EXCEPTIONS = {
    ("extends-cycle", "worksheets/b.yaml"),
    ("pack-duplicate-pathway-ids", "pathways/two.yaml"),
    ("pack-duplicate-worksheet-ids", "worksheets/b-second.yaml"),
}


@pytest.mark.parametrize("folder", INVALID_FOLDERS, ids=lambda p: p.name)
def test_check_with_a_pack_gives_the_codes_validate_gives_in_the_pack(folder: Path) -> None:
    pack = wk.load_pack(folder, strict=False)
    everything = wk.validate(folder)
    for path in sorted(folder.rglob("*.yaml")):
        name = path.relative_to(folder).as_posix()
        if (folder.name, name) in FOLDER_EXCEPTIONS:
            continue
        data = parse_text(path.read_text(encoding="utf-8"), str(path)).data
        if data is None:
            continue
        expected = _codes(
            [d for d in everything if d.file and Path(d.file).resolve() == path.resolve()]
        )
        assert _codes(wk.check(data, pack=pack)) == expected, name


@pytest.fixture(scope="module")
def response_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pack")
    (root / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: t.pack\nname: Test\nversion: 1.0.0\n", encoding="utf-8"
    )
    shutil.copy(CASES / "responses" / "worksheet.yaml", root / "worksheet.yaml")
    return root


@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.name)
def test_check_of_a_response_dict_gives_the_codes_of_the_file_in_a_pack(
    path: Path, response_pack: Path
) -> None:
    target = response_pack / "responses" / path.name
    target.parent.mkdir(exist_ok=True)
    shutil.copy(path, target)
    try:
        expected = _codes(wk.validate(target))
    finally:
        target.unlink()
    assert expected  # in a pack, another worksheet id is WK204 and another major WK205
    pack = wk.load_pack(response_pack)
    assert _codes(wk.check(json.loads(path.read_text(encoding="utf-8")), pack=pack)) == expected


def test_an_assignment_model_with_an_unknown_time_zone_is_reported() -> None:
    # The model accepts it (a zone is data); check() reports what validate reports.
    assignment = Assignment.model_validate(
        {"worksheetkit": 1, "kind": "assignment", "id": "a-1", "worksheet": "x.y",
         "start": "2026-12-01", "timezone": "Mars/Olympus_Mons",
         "plan": {"when": "After dinner"}}
    )  # fmt: skip
    found = [d for d in wk.check(assignment) if d.severity == "error"]
    assert [(d.code, d.json_path) for d in found] == [("WK221", "$.timezone")]


def test_references_are_resolved_in_the_pack() -> None:
    pack = wk.load_pack("examples")
    pathway = Pathway.model_validate(
        {"worksheetkit": 1, "kind": "pathway", "id": "x.path", "version": "1.0.0",
         "title": "Path", "steps": [{"id": "one", "worksheet": "cbt.thought-recrod"}]}
    )  # fmt: skip
    assert wk.check(pathway) == []  # no pack: nothing to resolve against
    found = wk.check(pathway, pack=pack)
    assert [(d.code, d.json_path) for d in found] == [("WK204", "$.steps[0].worksheet")]
    assert "cbt.thought-record" in (found[0].hint or "")


def test_a_pack_worksheet_checked_again_is_not_its_own_duplicate() -> None:
    pack = wk.load_pack("examples")
    phq9 = pack.worksheet("instruments.phq-9")
    assert wk.check(phq9, pack=pack) == []
    broken = phq9.model_dump(mode="json", by_alias=True, exclude_none=True)
    broken["scores"][0]["formula"] = "q1 + q10"
    assert [d.code for d in wk.check(broken, pack=pack)] == ["WK302"]


def test_kind_is_inferred_like_a_file_or_given() -> None:
    bare = {"worksheetkit": 1, "id": "a.b", "version": "1.0.0", "title": "T", "items": []}
    assert wk.check(bare) == wk.check({**bare, "kind": "worksheet"})
    found = wk.check({"worksheetkit": 1, "id": "a-1", "start": "2026-12-01"}, kind="assignment")
    assert "WK101" not in {d.code for d in found if d.json_path == "$.kind"}
    assert wk.check([1, 2])[0].code == "WK010"


def test_typed_loaders() -> None:
    assignment = wk.load("examples/assignments/thought-record-london.yaml", kind=Assignment)
    assert isinstance(assignment, Assignment)
    with pytest.raises(wk.WorksheetError) as caught:
        wk.load("examples/assignments/thought-record-london.yaml", kind=Worksheet)
    problem = caught.value.diagnostics[0]
    assert (problem.code, problem.json_path, problem.line) == ("WK104", "$.kind", 4)
    with pytest.raises(wk.WorksheetError):
        wk.loads("worksheetkit: 1\nkind: pack\nid: a\nname: A\nversion: 1.0.0\n", kind=Worksheet)
    with pytest.raises(TypeError):
        wk.load("examples/assignments/thought-record-london.yaml", kind=dict)  # type: ignore[call-overload]


def test_parse_ref_newest_and_text() -> None:
    assert wk.parse_ref("phq-9@1") == ("phq-9", "1")
    assert wk.parse_ref("cbt.thought-record") == ("cbt.thought-record", None)
    assert wk.parse_ref("a.b@1.2.3-beta.1") == ("a.b", "1.2.3-beta.1")
    for bad in ("Phq@1", "x@", "x@1.2.3.4", "x@1-beta", ""):
        with pytest.raises(ValueError, match=r"reference|pre-release"):
            wk.parse_ref(bad)
    pack = wk.load_pack("examples")
    newest = pack.newest()
    assert [w.id for w in newest] == sorted({w.id for w in pack.worksheets})
    assert all(w.version == pack.versions(w.id)[-1] for w in newest)
    record = pack.worksheet("cbt.thought-record")
    assert record.text("title", lang="es") == "Registro de pensamientos"
    assert record.text("title") == "Thought record"
    assert record.text("title", lang="fr") == "Thought record"  # rendering's fallback
    with pytest.raises(TypeError):
        record.text("items")


# -- one pass: shape errors do not hide the meaning and the references of the rest ---------------

ONE_PASS = {
    "worksheetkit": 1,
    "kind": "assignment",
    "id": "a-0003",
    "client": "c-0003",
    "worksheet": "cbt.thought-record",
    "start": "2026-12-01",
    "timezone": "Europe/London",
    "schedule": {"repeat": "weekly", "on": ["mon"], "at": "20:00", "for": "P2W"},
    "plan": {"when": "After dinner", "where": "Kitchen table"},
}


def _found(data: dict[str, object], pack: wk.LoadedPack | None = None) -> list[tuple[str, str]]:
    return [(d.code, d.json_path) for d in wk.check(data, pack=pack)]


def test_a_shape_error_and_a_bad_pack_reference_are_reported_together() -> None:
    pack = wk.load_pack("examples")
    draft = {**ONE_PASS, "client": "", "worksheet": "cbt.thought-recrod", "timezone": "Mars/X"}
    assert _found(draft, pack) == [
        ("WK105", "$.client"),  # shape: an empty client
        ("WK204", "$.worksheet"),  # pack: no such worksheet
        ("WK221", "$.timezone"),  # meaning: not an IANA zone
    ]
    # The shape error alone, fixed, leaves exactly the rest.
    assert _found({**draft, "client": "c-0003"}, pack) == _found(draft, pack)[1:]


def test_no_follow_on_error_of_a_left_out_key() -> None:
    # `on: []` is refused; the schedule without its days would be valid: nothing more about it.
    days = {**ONE_PASS["schedule"], "on": []}
    assert _found({**ONE_PASS, "schedule": days, "timezone": "Mars/X"}) == [
        ("WK105", "$.schedule.on"),
        ("WK221", "$.timezone"),
    ]
    # A wrong-typed worksheet is not also "no worksheet or pathway" (a document-level problem).
    assert _found({**ONE_PASS, "worksheet": 3, "timezone": "Mars/X"}) == [
        ("WK102", "$.worksheet"),
        ("WK221", "$.timezone"),
    ]
    # A sibling's problem in the same schedule is still found.
    both = {**ONE_PASS["schedule"], "on": [], "count": 3}
    assert _found({**ONE_PASS, "schedule": both}) == [
        ("WK105", "$.schedule.on"),
        ("WK219", "$.schedule.count"),
    ]


def test_a_required_key_at_fault_gives_the_shape_error_alone() -> None:
    # Without an id the document cannot be checked further: no guess, no noise.
    assert _found({**ONE_PASS, "id": "", "timezone": "Mars/X"}) == [("WK105", "$.id")]


def test_a_worksheet_with_an_unknown_key_gets_its_meaning_checked() -> None:
    worksheet = {
        "worksheetkit": 1,
        "id": "t.one-pass",
        "version": "1.0.0",
        "title": "T",
        "items": [
            {"id": "q", "type": "rating", "lable": "x", "label": "Q", "min": 0, "max": 10},
            {"id": "q", "type": "text", "label": "Again"},
        ],
    }
    assert _found(worksheet) == [("WK103", "$.items[0].lable"), ("WK201", "$.items[1].id")]

"""Nothing published from outside the pack, nothing overwritten, nothing hidden (issue 13 §3):
links and special files in a pack, response streams checked by validate, unique site page
names, outputs that are inputs, client keys in paths, and the response plan cache."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from worksheetkit import validate, validate_response
from worksheetkit.cli import cli
from worksheetkit.errors import WorksheetError
from worksheetkit.loading.files import FileRefused, read_bounded
from worksheetkit.model import Worksheet
from worksheetkit.responses._plan import plan_for
from worksheetkit.site import _safe_name, build_site
from worksheetkit.validation import load, load_pack

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PHQ9 = EXAMPLES / "instruments" / "phq-9.yaml"


def _pack(tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(EXAMPLES, root)
    return root


def _phq9_response(q9: int, ident: str) -> dict[str, object]:
    data = json.loads((EXAMPLES / "responses" / "phq-9-moderately-severe-item9.json").read_text())
    data["answers"]["q9"] = q9
    data["id"] = ident
    return data


# -- 1. files a command reads -----------------------------------------------------------------


def test_media_links_outside_the_pack_are_refused_and_not_published(
    tmp_path: Path, no_pdf: None
) -> None:
    root = _pack(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("OUTSIDE-SECRET-4411")
    (root / "media" / "leak.txt").symlink_to(secret)
    (root / "media" / "passwd").symlink_to("/etc/passwd")
    codes = {(d.code, Path(d.file or "").name) for d in validate(root)}
    assert ("WK220", "leak.txt") in codes
    assert ("WK220", "passwd") in codes
    # The refused files are reported and left out; the rest of the site is built (and the
    # command exits 1: tests/test_nothing_published.py).
    result = build_site(root, tmp_path / "site")
    refused = {Path(d.file or "").name for d in result.diagnostics if d.code == "WK220"}
    assert refused == {"leak.txt", "passwd"}
    assert not (tmp_path / "site" / "worksheets" / "media" / "leak.txt").exists()
    assert not (tmp_path / "site" / "worksheets" / "media" / "passwd").exists()
    assert "OUTSIDE-SECRET-4411" not in "".join(
        p.read_text(errors="replace") for p in (tmp_path / "site").rglob("*") if p.is_file()
    )


def test_site_never_copies_links_to_folders_or_devices(tmp_path: Path, no_pdf: None) -> None:
    root = _pack(tmp_path)
    (root / "media" / "up").symlink_to("..")  # inside the pack: copying it would recurse
    (root / "media" / "zero.bin").symlink_to("/dev/zero")  # outside: WK220 from validate
    assert any(d.code == "WK220" for d in validate(root))
    (root / "media" / "zero.bin").unlink()
    os.mkfifo(root / "media" / "pipe.svg")  # a special file inside the pack
    result = build_site(root, tmp_path / "site")
    published = {p.name for p in (tmp_path / "site" / "worksheets" / "media").rglob("*")}
    assert published == {"body-outline.svg"}
    refused = {Path(d.file or "").name for d in result.diagnostics if d.code == "WK220"}
    assert refused == {"up", "pipe.svg"}


def test_reads_are_bounded_and_regular_files_only(tmp_path: Path) -> None:
    with pytest.raises(FileRefused) as exc:
        read_bounded("/dev/zero", 1024)
    assert exc.value.reason == "special"
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    with pytest.raises(FileRefused) as exc:
        read_bounded(big, 1024)
    assert exc.value.reason == "large"
    link = tmp_path / "pack" / "x.json"
    link.parent.mkdir()
    link.symlink_to(big)
    with pytest.raises(FileRefused) as exc:
        read_bounded(link, 4096, root=tmp_path / "pack")
    assert exc.value.reason == "outside"


def test_validate_refuses_a_named_device_and_a_pipe_in_a_pack(tmp_path: Path) -> None:
    assert [d.code for d in validate("/dev/zero")] == ["WK220"]
    root = _pack(tmp_path)
    os.mkfifo(root / "worksheets" / "stuck.yaml")
    codes = [(d.code, Path(d.file or "").name) for d in validate(root)]
    assert codes == [("WK220", "stuck.yaml")]


def test_check_response_refuses_a_device(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check-response", str(PHQ9), "/dev/zero"])
    assert result.exit_code == 2
    assert "not a regular file" in result.output


# -- 2. response streams -----------------------------------------------------------------------


def test_validate_checks_every_line_of_a_stream(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    stream = root / "responses" / "synthetic-thought-record-london.jsonl"
    lines = stream.read_text().splitlines()
    other = json.loads(lines[0])
    other["assignment"] = "another-clinic-a-9"
    wrong_ws = json.loads(lines[0])
    wrong_ws["worksheet"] = "instruments.phq-9"
    lines += [json.dumps(other), json.dumps(wrong_ws), "[" * 5000 + "]" * 5000, '{"a": 1, "a": 2}']
    stream.write_text("\n".join(lines) + "\n")
    n = len(lines)
    found = sorted((d.line or 0, d.code) for d in validate(root) if d.file == str(stream))
    assert found == [(n - 3, "WK235"), (n - 2, "WK235"), (n - 1, "WK411"), (n, "WK411")]
    with pytest.raises(WorksheetError):
        build_site(root, tmp_path / "site")


@pytest.mark.slow  # starts processes or lays out PDFs: seconds
def test_site_reports_use_only_checked_lines(tmp_path: Path) -> None:
    pack = load_pack(EXAMPLES)
    assert pack.response_lines
    assert all(data["assignment"] in {a.id for a in pack.assignments}
               for _, _, data in pack.response_lines)  # fmt: skip


# -- 3. page names ---------------------------------------------------------------------------


def test_page_names_are_unique_and_stable() -> None:
    long_a = "r" * 190 + "-first-0001"
    long_b = "r" * 190 + "-second-002"
    ids = ["a.b", "a-b", "a_b", "a b", "a/b", "A-b", long_a, long_b]
    names = [_safe_name(i) for i in ids]
    assert len({n.lower() for n in names}) == len(ids)
    assert names[:3] == ["a.b", "a-b", "a_b"]  # exact names stay readable
    assert all(len(n) <= 120 for n in names)
    assert [_safe_name(i) for i in ids] == names  # stable


def test_a_phq9_with_item_9_endorsed_keeps_its_own_page(tmp_path: Path, no_pdf: None) -> None:
    root = _pack(tmp_path)
    for path in (root / "responses").glob("phq-9-*.json"):
        path.unlink()
    # Under the old naming both ids became "instruments.phq-9-r-1": the later page replaced
    # the earlier one, and the endorsed item 9 was shown as "Not at all (0)".
    for name, q9, ident in (("a.json", 3, "r 1"), ("b.json", 0, "r/1")):
        data = _phq9_response(q9, ident)
        data["answers"].update({f"q{i}": 0 for i in range(1, 9)})  # type: ignore[attr-defined]
        (root / "responses" / name).write_text(json.dumps(data))
    build_site(root, tmp_path / "site")
    pages = sorted((tmp_path / "site" / "responses").glob("instruments.phq-9-*.html"))
    assert len(pages) == 2
    site = tmp_path / "site" / "responses"
    endorsed = (site / f"{_safe_name('instruments.phq-9-r 1')}.html").read_text(encoding="utf-8")
    other = (site / f"{_safe_name('instruments.phq-9-r/1')}.html").read_text(encoding="utf-8")
    assert "Nearly every day" in endorsed  # q9 = 3, the only answer above 0
    assert "Nearly every day" not in other


# -- 5. outputs that are inputs --------------------------------------------------------------


@pytest.mark.parametrize("command", [["render"], ["fhir", "export"]])
def test_output_that_is_the_input_is_refused(tmp_path: Path, command: list[str]) -> None:
    source = tmp_path / "phq-9.yaml"
    shutil.copy(PHQ9, source)
    os.link(source, tmp_path / "hard.yaml")
    before = source.read_bytes()
    for out in (str(source), str(tmp_path / "." / "phq-9.yaml"), str(tmp_path / "hard.yaml")):
        result = CliRunner().invoke(cli, [*command, str(source), "-o", out])
        assert result.exit_code == 2, result.output
        assert "is the input" in result.output
    assert source.read_bytes() == before


# -- 6. client keys in paths -----------------------------------------------------------------

FORGED = "x\n" + "A" * 5000 + "\nexamples/a.yaml:1:1: error WK000 FORGEDLOG"


def test_a_forged_key_never_appears_in_library_diagnostics() -> None:
    ws = load(PHQ9)
    assert isinstance(ws, Worksheet)
    data = _phq9_response(3, "r1")
    data["answers"][FORGED] = 1  # type: ignore[index]
    data[FORGED] = 1
    data["ratings"] = {FORGED: 1}
    diagnostics = validate_response(ws, data)
    paths = {d.json_pointer for d in diagnostics}
    assert {"/answers/#11", f"/#{list(data).index(FORGED) + 1}", "/ratings/#1"} <= paths
    for d in diagnostics:
        for text in (d.json_pointer, d.message, d.hint or ""):
            assert "AAAA" not in text
            assert "FORGEDLOG" not in text
            assert "\n" not in text


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_forged_key_never_appears_in_cli_output(tmp_path: Path, fmt: str) -> None:
    data = _phq9_response(1, "r1")
    data["answers"][FORGED] = 1  # type: ignore[index]
    response = tmp_path / "r.json"
    response.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["check-response", str(PHQ9), str(response), "--format", fmt])
    assert result.exit_code == 1
    assert "AAAA" not in result.output
    assert "FORGEDLOG" not in result.output
    assert "#11" in result.output


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_a_forged_key_in_a_pack_response_never_reaches_validate_output(
    tmp_path: Path, fmt: str
) -> None:
    root = _pack(tmp_path)
    data = _phq9_response(1, "r1")
    # Under 1,024 characters: the YAML reader (which reads .json documents) refuses longer keys.
    data["answers"]["x\n" + "A" * 900 + "\nFORGEDLOG"] = 1  # type: ignore[index]
    (root / "responses" / "forged.json").write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["validate", str(root), "--format", fmt])
    assert result.exit_code == 1
    assert "WK408" in result.output
    assert "AAAA" not in result.output
    assert "FORGEDLOG" not in result.output


# -- 7. the plan cache -----------------------------------------------------------------------


def test_a_mutated_worksheet_gets_a_fresh_plan() -> None:
    ws = load(PHQ9)
    assert isinstance(ws, Worksheet)
    data = _phq9_response(3, "r1")
    assert validate_response(ws, data) == []
    removed = ws.items.pop()  # the last item: 'difficulty'
    codes = {d.code for d in validate_response(ws, data)}
    assert codes == {"WK408"}  # its answer is now for a question the worksheet lacks
    ws.items.append(removed)
    assert validate_response(ws, data) == []


def test_a_new_worksheet_reusing_an_id_gets_its_own_plan() -> None:
    from worksheetkit.responses import _plan

    base = load(PHQ9)
    assert isinstance(base, Worksheet)
    old = base.model_copy(deep=True)
    old.items.pop()  # without 'difficulty'
    assert "difficulty" not in plan_for(old).fields
    # Simulate CPython handing the freed object's address to a new worksheet: the stale entry
    # sits under the new object's identity hash. Keys compare by the living object itself, so
    # the new worksheet does not find it.
    new = base.model_copy(deep=True)
    entries = _plan._cache._entries
    (stale,) = [key for key in entries if key.ref() is old]
    value = entries.pop(stale)
    stale._hash = object.__hash__(new)
    entries[stale] = value
    assert "difficulty" in plan_for(new).fields
    # And many short-lived worksheets (ids recycled once the cache evicts them) stay right.
    for n in range(2 * _plan._CACHE_SIZE + 10):
        ws = base.model_copy(deep=True)
        if n % 2:
            ws.items.pop()
        assert ("difficulty" in plan_for(ws).fields) == (n % 2 == 0)

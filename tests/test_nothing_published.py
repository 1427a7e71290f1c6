"""Nothing published by accident: one link rule for validate and every renderer, only plain
files read from a pack, `site` exit codes, outputs that would overwrite the pack, and site
page names that collide."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from worksheetkit import render
from worksheetkit._urls import link_kind, link_ok
from worksheetkit.cli import cli
from worksheetkit.fhir import to_fhir
from worksheetkit.model import Worksheet
from worksheetkit.site import build_site
from worksheetkit.validation import load_pack, page_name, validate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# -- 1. one link rule --------------------------------------------------------------------------

REFUSED = [
    "//evil.example/x.png",  # protocol-relative: another site
    "\\\\evil\\x",  # browsers read \ as /
    "/\\evil",
    "\\/evil",
    "https:evil.example",  # a scheme without //
    "https:/evil.example",
    "https:///x",  # no site name
    "jav&#x61;script:alert(1)",  # entity-encoded scheme
    "javascript&#58;alert(1)",
    "jav&amp;#x61;script:alert(1)",  # encoded twice
    "java%73cript:alert(1)",
    "java\tscript:alert(1)",
    "data:image/svg+xml;base64,PHN2Zz4=",
    "vbscript:x",
    "file:///etc/passwd",
    "/etc/passwd",  # absolute path: outside the pack
    "../outside.png",
    "media/../../outside.png",
    "%2e%2e/outside.png",
    "media/%2e%2e/%2e%2e/outside.png",
    "C:/Windows/x.png",
]
ALLOWED = [
    ("https://example.org/breathing.mp3", "web"),
    ("HTTP://Example.org/a?b=1&c=2#d", "web"),
    ("mailto:clinic@example.org", "mailto"),
    ("media/breathing.mp3", "relative"),
    ("media/a b.png", "relative"),
    ("./media/x.png", "relative"),
    ("media/old/../x.png", "relative"),
    ("#step-2", "fragment"),
]


@pytest.mark.parametrize("url", REFUSED)
def test_the_link_rule_refuses(url: str) -> None:
    assert not link_ok(url)
    assert link_kind(url) is None


@pytest.mark.parametrize(("url", "kind"), ALLOWED)
def test_the_link_rule_allows(url: str, kind: str) -> None:
    assert link_ok(url)
    assert link_kind(url) == kind


def _media_worksheet(url: str) -> dict[str, object]:
    return {
        "worksheetkit": 1,
        "id": "test.media",
        "version": "1.0.0",
        "title": "Media",
        "instructions": f"See [this]({url.replace(' ', '%20').replace(chr(9), '%09')}) first.",
        "items": [
            {"type": "media", "kind": "image", "url": url, "alt": "A picture"},
            {"id": "q1", "type": "text", "label": "Q"},
        ],
    }


def _published(ws: Worksheet) -> list[str]:
    """Every destination the HTML page, the printable Markdown and the FHIR export keep that
    the link rule refuses."""
    html_page = render(ws, "html")
    kept = [h.replace("&amp;", "&") for h in re.findall(r'(?:src|href)="([^"]*)"', html_page)]
    kept += [h.replace("&amp;", "&") for h in re.findall(r"\]\(([^)]*)\)", render(ws, "markdown"))]
    stack: list[object] = [to_fhir(ws)]
    while stack:  # attachment URLs, XHTML sources and Markdown links of the FHIR export
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("valueAttachment"), dict):
                kept.append(str(node["valueAttachment"].get("url", "")))
            if isinstance(node.get("valueString"), str):
                kept += re.findall(r'src="([^"]*)"', node["valueString"])
            if isinstance(node.get("valueMarkdown"), str):
                kept += re.findall(r"\]\(([^)]*)\)", node["valueMarkdown"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return [h for h in kept if not link_ok(h)]


@pytest.mark.parametrize("url", REFUSED)
def test_a_refused_address_is_wk212_at_validate_and_gone_from_every_render(
    url: str, tmp_path: Path
) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(_media_worksheet(url), allow_unicode=True), encoding="utf-8")
    found = [d for d in validate(path) if d.code == "WK212"]
    # the media address (at its own line) and the Markdown link in the instructions
    assert len(found) == 2, [d.message for d in found]
    media = [d for d in found if d.path[-1:] == ("url",)]
    assert media
    assert media[0].line is not None
    assert "https://" in media[0].message  # says what is allowed
    assert "mailto:" in media[0].message
    ws = Worksheet.model_validate(_media_worksheet(url))
    assert _published(ws) == []


@pytest.mark.parametrize(("url", "kind"), ALLOWED)
def test_an_allowed_address_passes_validate_and_is_rendered(
    url: str, kind: str, tmp_path: Path
) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(_media_worksheet(url), allow_unicode=True), encoding="utf-8")
    assert [d for d in validate(path) if d.code == "WK212"] == []
    ws = Worksheet.model_validate(_media_worksheet(url))
    assert f'src="{url.replace("&", "&amp;")}"' in render(ws, "html")
    assert f'"url": {json.dumps(url)}' in json.dumps(to_fhir(ws))


def test_fhir_markdown_drops_a_refused_link() -> None:
    ws = Worksheet.model_validate(_media_worksheet("https://example.org/x.png"))
    data = ws.model_dump(mode="json", exclude_none=True)
    data["instructions"] = "Read [this](//evil.example/x) and [that](https://example.org/ok)."
    exported = json.dumps(to_fhir(Worksheet.model_validate(data)))
    shown = re.findall(r'"valueMarkdown": "([^"]*)"', exported)
    assert shown == ["Read this and [that](https://example.org/ok)."]
    # the plain "text" keeps the words as written: no FHIR viewer reads it as a link
    assert "Read [this](//evil.example/x)" in exported


# -- 2. only plain files are read --------------------------------------------------------------


def _pack(tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(EXAMPLES, root)
    return root


def _hostile_files(root: Path, tmp_path: Path) -> set[str]:
    """Plant one of each refused kind of file; the names `validate` must report."""
    secret = tmp_path / "secret.svg"
    secret.write_text("<svg>OUTSIDE-SECRET-7731</svg>", encoding="utf-8")
    os.link(secret, root / "media" / "hard.svg")  # a hard link to a file outside the pack
    bad = tmp_path / "bad.yaml"
    bad.write_text("worksheetkit: [unclosed\n", encoding="utf-8")
    os.link(bad, root / "worksheets" / "hard.yaml")  # read, it would be a YAML error
    os.mkfifo(root / "media" / "pipe.mp3")  # opened, a read would wait for a writer
    os.mkfifo(root / "notes.txt")  # anywhere in the pack, not only documents and media
    (root / "media" / "more").symlink_to(root / "instruments", target_is_directory=True)
    (root / "worksheets" / "extra").symlink_to(root / "media", target_is_directory=True)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "media" / "s.sock"))
    sock.close()
    return {"hard.svg", "hard.yaml", "pipe.mp3", "notes.txt", "more", "extra", "s.sock"}


def test_validate_refuses_hard_links_pipes_sockets_and_linked_folders(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    expected = _hostile_files(root, tmp_path)
    found = validate(root)
    assert {Path(d.file or "").name for d in found} == expected  # nothing else: none was read
    assert {d.code for d in found} == {"WK220"}
    assert all((d.line, d.column) == (1, 1) for d in found)
    hard = next(d for d in found if d.file == str(root / "media" / "hard.svg"))
    assert "hard link" in hard.message


def test_site_refuses_the_same_files_publishes_the_rest_and_exits_1(
    tmp_path: Path, no_pdf: None
) -> None:
    root = _pack(tmp_path)
    expected = _hostile_files(root, tmp_path)
    result = build_site(root, tmp_path / "site")
    refused = {Path(d.file or "").name for d in result.diagnostics if d.code == "WK220"}
    assert refused == expected  # the same discovery as validate
    published = {p.name for p in (tmp_path / "site" / "worksheets" / "media").rglob("*")}
    assert published == {"body-outline.svg"}
    assert (tmp_path / "site" / "index.html").is_file()  # the good pages are written
    every = "".join(
        p.read_text(errors="replace") for p in (tmp_path / "site").rglob("*") if p.is_file()
    )
    assert "OUTSIDE-SECRET-7731" not in every
    cli_run = CliRunner().invoke(cli, ["site", str(root), "-o", str(tmp_path / "site2")])
    assert cli_run.exit_code == 1, cli_run.output
    assert cli_run.output.count("WK220") == len(expected)  # every refusal printed
    assert (tmp_path / "site2" / "index.html").is_file()


def test_site_media_is_read_only_when_it_still_has_one_name(tmp_path: Path) -> None:
    # A hard link made after the walk (a race) is refused when the file is opened.
    from worksheetkit.loading.files import FileRefused, read_bounded

    root = tmp_path / "pack"
    root.mkdir()
    (root / "a.svg").write_text("<svg/>", encoding="utf-8")
    assert read_bounded(root / "a.svg", 1024, root=root) == b"<svg/>"
    os.link(root / "a.svg", tmp_path / "b.svg")
    with pytest.raises(FileRefused) as exc:
        read_bounded(root / "a.svg", 1024, root=root)
    assert exc.value.reason == "linked"


# -- 3. site exit codes ------------------------------------------------------------------------


def test_site_exits_0_when_clean_1_after_errors_2_on_usage(tmp_path: Path, no_pdf: None) -> None:
    root = _pack(tmp_path)
    clean = CliRunner().invoke(cli, ["site", str(root), "-o", str(tmp_path / "a")])
    assert clean.exit_code == 0, clean.output
    os.mkfifo(root / "media" / "pipe.svg")
    after = CliRunner().invoke(cli, ["site", str(root), "-o", str(tmp_path / "a")])
    assert after.exit_code == 1, after.output
    assert "WK220" in after.output
    assert (tmp_path / "a" / "index.html").is_file()
    (root / "media" / "pipe.svg").unlink()
    broken = root / "worksheets" / "coping-mantra.yaml"
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good + "\nnot_a_key: 1\n", encoding="utf-8")
    invalid = CliRunner().invoke(cli, ["site", str(root), "-o", str(tmp_path / "b")])
    assert invalid.exit_code == 1, invalid.output  # a broken worksheet: nothing is written
    assert not (tmp_path / "b").exists()
    broken.write_text(good, encoding="utf-8")
    usage = CliRunner().invoke(cli, ["site", str(root), "-o", str(root / "pack.yaml")])
    assert usage.exit_code == 2, usage.output


# -- 4. outputs that would overwrite the pack --------------------------------------------------


def _outputs(root: Path, tmp_path: Path) -> list[str]:
    """Names that all lead to pack.yaml or another file of the pack."""
    (tmp_path / "link-pack.yaml").symlink_to(root / "worksheets" / "coping-mantra.yaml")
    (tmp_path / "alias").symlink_to(root, target_is_directory=True)
    return [
        str(root / "pack.yaml"),
        str(root / "." / "worksheets" / ".." / "pack.yaml"),
        str(tmp_path / "link-pack.yaml"),
        str(tmp_path / "alias" / "instruments" / "gad-7.yaml"),  # through a linked folder
        str(root / "media" / "body-outline.svg"),  # not a document: still the pack's
    ]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["render", "{pack}/worksheets/thought-record.yaml", "-o"],
        ["render", "{pack}/worksheets/thought-record.yaml", "--to", "markdown", "-o"],
        ["fhir", "export", "{pack}/instruments/phq-9.yaml", "-o"],
        ["fhir", "import", "{questionnaire}", "-o"],
        ["schedule", "{pack}/assignments/thought-record-london.yaml", "--ics"],
    ],
)
def test_no_output_option_writes_over_a_file_of_the_pack(
    tmp_path: Path, command: list[str]
) -> None:
    root = _pack(tmp_path)
    questionnaire = root / "fhir-phq-9.json"  # an input that lives in the pack
    if command[1] == "import":  # (elsewhere it would be a pack document without a format)
        phq9 = load_pack(root).worksheet("instruments.phq-9")
        questionnaire.write_text(json.dumps(to_fhir(phq9)), encoding="utf-8")
    outputs = _outputs(root, tmp_path)
    before = _snapshot(root)
    args = [a.format(pack=root, questionnaire=questionnaire) for a in command]
    for out in outputs:
        result = CliRunner().invoke(cli, [*args, out])
        assert result.exit_code == 2, (out, result.output)
        # one line (after any warnings about the input), no traceback
        assert [x for x in result.output.splitlines() if "worksheetkit: error:" in x] == [
            result.output.strip().splitlines()[-1]
        ]
        assert "file of the pack" in result.output
        assert "Traceback" not in result.output
    assert _snapshot(root) == before
    fresh = CliRunner().invoke(cli, [*args, str(tmp_path / "out.txt")])  # outside: written
    assert fresh.exit_code == 0, fresh.output
    assert (tmp_path / "out.txt").is_file()


def test_an_output_that_is_another_name_of_a_pack_file_is_refused(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    # (A hard link makes the pack itself refuse that file, WK220; render reads only the
    # worksheet's own problems, so it reaches the output check.)
    os.link(root / "worksheets" / "coping-mantra.yaml", tmp_path / "hard.yaml")
    before = _snapshot(root)
    source = str(root / "worksheets" / "thought-record.yaml")
    result = CliRunner().invoke(cli, ["render", source, "-o", str(tmp_path / "hard.yaml")])
    assert result.exit_code == 2, result.output
    assert "file of the pack" in result.output
    assert _snapshot(root) == before


def test_new_never_writes_over_a_file_of_the_pack(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    (root / "worksheets" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")  # broken link
    before = _snapshot(root)
    for args in (
        ["clinic.coping-mantra"],  # worksheets/coping-mantra.yaml exists
        ["clinic.gone"],  # a broken link is a file too
        ["clinic.other", "-o", str(root / "pack.yaml")],
        ["clinic.other", "-o", str(root / "." / "media" / "body-outline.svg")],
    ):
        result = CliRunner().invoke(cli, ["new", *args, "--pack", str(root)])
        assert result.exit_code == 2, (args, result.output)
    assert _snapshot(root) == before
    assert not (tmp_path / "nowhere.yaml").exists()


@pytest.mark.parametrize("where", ["pack", "inside", "parent", "alias", "alias-inside"])
def test_site_output_never_overlaps_the_pack(tmp_path: Path, where: str, no_pdf: None) -> None:
    root = _pack(tmp_path)
    (tmp_path / "alias").symlink_to(root, target_is_directory=True)
    out = {
        "pack": root / "." / "worksheets" / "..",
        "inside": root / "worksheets" / "site",
        "parent": tmp_path,
        "alias": tmp_path / "alias",
        "alias-inside": tmp_path / "alias" / "media",
    }[where]
    before = _snapshot(root)
    result = CliRunner().invoke(cli, ["site", str(root), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert _snapshot(root) == before


# -- 5. page names -----------------------------------------------------------------------------


def _sheet(ident: str, version: str = "1.0.0", **extra: object) -> str:
    data = {
        "worksheetkit": 1,
        "id": ident,
        "version": version,
        "title": "T",
        "items": [{"id": "q1", "type": "text", "label": "Q"}],
        **extra,
    }
    return yaml.safe_dump(data)


def test_page_name_folds_case_and_punctuation() -> None:
    assert page_name("thought_record", "1.0.0") == page_name("thought-record", "1.0.0")
    assert page_name("Thought-Record", "1.0.0") == "thought-record-1.0.0"
    assert page_name("cbt.thought-record", "1.0.0", "pt-BR") == "cbt.thought-record-1.0.0.pt-br"
    assert page_name("a.b", "1.0.0") != page_name("a-b", "1.0.0")  # '.' is kept


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("thought-record", "1.0.0", None), ("thought_record", "1.0.0", None)),
        # "<id>-<version>" read two ways: id a-1.0.0 at 1.0.0, id a at 1.0.0-1.0.0
        (("a-1.0.0", "1.0.0", None), ("a", "1.0.0-1.0.0", None)),
        # a translated page against another worksheet's own page
        (("x", "1.0.0-rc", ["en", "es"]), ("x", "1.0.0-rc.es", None)),
    ],
)
def test_colliding_page_names_are_wk228_at_the_second_document(
    tmp_path: Path, first: tuple[str, str, list[str] | None], second: tuple[str, str, None]
) -> None:
    root = tmp_path / "pack"
    (root / "worksheets").mkdir(parents=True)
    (root / "pack.yaml").write_text(
        "worksheetkit: 1\nkind: pack\nid: test.pack\nname: P\nversion: 1.0.0\n", encoding="utf-8"
    )
    extra = {"languages": first[2], "title": {"en": "T", "es": "T"}} if first[2] else {}
    (root / "worksheets" / "a.yaml").write_text(_sheet(first[0], first[1], **extra))
    (root / "worksheets" / "b.yaml").write_text(_sheet(second[0], second[1]))
    found = [d for d in validate(root) if d.code == "WK228"]
    assert [(Path(d.file or "").name, d.severity) for d in found] == [("b.yaml", "error")]
    lines = (root / "worksheets" / "b.yaml").read_text().splitlines()
    assert found[0].line == next(n for n, x in enumerate(lines, 1) if x.startswith("id:"))
    assert f"{first[0]} {first[1]}" in found[0].message  # names the first
    assert "a.yaml" in found[0].message
    result = CliRunner().invoke(cli, ["site", str(root), "-o", str(tmp_path / "site")])
    assert result.exit_code == 1
    assert "WK228" in result.output
    assert not (tmp_path / "site").exists()  # nothing written, nothing replaced


def test_the_site_names_pages_with_page_name(examples_pack: Any, examples_site: Path) -> None:
    for ws in examples_pack.worksheets:  # both built once per session (tests/conftest.py)
        assert (examples_site / "worksheets" / f"{page_name(ws.id, ws.version)}.html").is_file()

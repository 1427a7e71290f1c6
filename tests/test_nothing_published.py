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

import pytest
import yaml
from click.testing import CliRunner

from worksheetkit import render
from worksheetkit._urls import link_kind, link_ok
from worksheetkit.cli import cli
from worksheetkit.fhir import to_fhir
from worksheetkit.model import Worksheet
from worksheetkit.site import build_site
from worksheetkit.validation import load_pack, validate

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
    media = [d for d in found if d.path and d.path.endswith(".url")]
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

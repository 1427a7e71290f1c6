"""Every example's FHIR export renders in LHC-Forms (the NLM's FHIR form renderer) in Chromium
without errors, and every unconditional question shows its text.

LHC-Forms' prebuilt web-component bundle is loaded from node_modules over file:// (its npm
dependencies are not needed for the bundle). One page renders every example in turn.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from worksheetkit import Worksheet, load_pack
from worksheetkit.fhir import to_fhir

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LFORMS = ROOT / "node_modules" / "lforms" / "dist" / "lforms"
SCRIPTS = [
    LFORMS / "webcomponent" / "assets" / "lib" / "zone.min.js",
    LFORMS / "webcomponent" / "lhc-forms.js",
    LFORMS / "fhir" / "R4" / "lformsFHIR.min.js",
]
EXTRA = ROOT / "tests" / "fixtures_fhir_extra" / "pack"
# LHC-Forms logs (console.log) a warning when an expression cannot be evaluated as required.
EXPRESSION_WARNING = re.compile(r"produced the following warning|did not resolve", re.I)


def _worksheets() -> list[Worksheet]:
    found: list[Worksheet] = []
    for folder in (ROOT / "examples", EXTRA):
        found.extend(load_pack(folder, strict=False).worksheets)
    return found


def _page_html() -> str:
    scripts = "\n".join(f'<script src="{p.as_uri()}"></script>' for p in SCRIPTS)
    styles = (LFORMS / "webcomponent" / "styles.css").as_uri()
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LHC-Forms</title>
<link rel="stylesheet" href="{styles}"></head>
<body><div id="form"></div>
{scripts}
<script>
window.render = (q) => {{
  const holder = document.getElementById('form');
  holder.innerHTML = '';
  return LForms.Util.addFormToPage(q, holder, {{fhirVersion: 'R4'}})
    .then(() => 'ok', (e) => 'error: ' + e);
}};
</script></body></html>"""


def _shown_texts(items: list[dict[str, Any]]) -> list[str]:
    """Texts of the questions (and groups) shown whatever the answers."""
    out: list[str] = []
    for item in items:
        conditional = "enableWhen" in item or any(
            e.get("url", "").endswith("enableWhenExpression") for e in item.get("extension", [])
        )
        if conditional:
            continue
        if item.get("type") != "display" and item.get("text"):
            out.append(item["text"])
        if item.get("type") == "group":
            out.extend(_shown_texts(item.get("item", [])))
    return out


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_every_export_renders_in_lhc_forms(page: Any, tmp_path: Path) -> None:
    missing = [str(p) for p in SCRIPTS if not p.is_file()]
    assert not missing, f"LHC-Forms bundle not found: {missing}"
    html = tmp_path / "lforms.html"
    html.write_text(_page_html(), encoding="utf-8")
    messages: list[tuple[str, str]] = []
    page.on("console", lambda m: messages.append((m.type, m.text)))
    page.goto(html.as_uri())
    page.wait_for_function("() => window.LForms && window.LForms.Util", timeout=60_000)
    problems: dict[str, Any] = {}
    rendered = checked = 0
    worksheets = _worksheets()
    assert len(worksheets) >= 20
    for ws in worksheets:
        messages.clear()
        page.js_errors.clear()
        q = to_fhir(ws)
        status = page.evaluate("q => window.render(q)", json.loads(json.dumps(q)))
        text = _norm(page.inner_text("#form"))
        errors = [t for kind, t in messages if kind == "error"] + list(page.js_errors)
        warnings = [t for _, t in messages if EXPRESSION_WARNING.search(t)]
        texts = _shown_texts(q.get("item", []))
        checked += len(texts)
        absent = [t for t in texts if _norm(t) not in text]
        if status != "ok" or errors or warnings or absent:
            problems[ws.id] = {
                "status": status,
                "errors": errors[:3],
                "warnings": warnings[:3],
                "absent": absent[:3],
            }
        else:
            rendered += 1
    assert not problems, problems
    assert rendered == len(worksheets)
    assert checked >= 200  # the texts really were looked for


def test_broken_fhirpath_is_noticed(page: Any, tmp_path: Path) -> None:
    """The check above is not blind: an expression LHC-Forms cannot use is reported."""
    html = tmp_path / "lforms.html"
    html.write_text(_page_html(), encoding="utf-8")
    messages: list[tuple[str, str]] = []
    page.on("console", lambda m: messages.append((m.type, m.text)))
    page.goto(html.as_uri())
    page.wait_for_function("() => window.LForms && window.LForms.Util", timeout=60_000)
    q = {
        "resourceType": "Questionnaire",
        "status": "active",
        "item": [
            {"linkId": "a", "type": "integer", "text": "A"},
            {
                "linkId": "b",
                "type": "string",
                "text": "B",
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
                        "sdc-questionnaire-enableWhenExpression",
                        "valueExpression": {
                            "language": "text/fhirpath",
                            "expression": "%resource.repeat(item).where(linkId='a').answer.value",
                        },
                    }
                ],
            },
        ],
    }
    page.evaluate("q => window.render(q)", q)
    problems = [t for kind, t in messages if kind == "error" or EXPRESSION_WARNING.search(t)]
    assert problems

"""Urgent alerts reach every view a clinician reads: filled-in HTML, session report, site index.

Every response fixture whose scores raise an urgent alert (examples/, tests/cases/responses/ and
the inline ones below) is rendered in each view; the alert's message must be there, first, in a
``role="alert"`` banner, said in words. Score visibility keeps clinician-only totals out of the
client's live form.
"""

from __future__ import annotations

import json
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import shared
from worksheetkit import Response, Worksheet, load, loads, score
from worksheetkit._text import Localiser
from worksheetkit._text import md_escape as esc
from worksheetkit.progress import adherence
from worksheetkit.rendering import render
from worksheetkit.rendering._alerts import alerts_markdown, response_alerts
from worksheetkit.reports import to_html, to_markdown

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CASES = ROOT / "tests" / "cases" / "responses"
PHQ9_MESSAGE = "Item 9 endorsed: review risk before the next session."


@cache
def _pack() -> Any:
    return shared.examples_pack()  # loaded once per session


def _phq9() -> Worksheet:
    return _pack().worksheet("instruments.phq-9")


def _phq9_response(answers: dict[str, Any], **extra: Any) -> Response:
    return Response.model_validate(
        {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": "instruments.phq-9",
            "version": "1.0.0",
            "submitted_at": "2026-12-02T09:05:30+00:00",
            "answers": answers,
            **extra,
        }
    )


# A worksheet whose alerted item sits in a section that another answer hides, and whose alert
# message contains markup: the banner shows it anyway, as text.
HIDING = """
worksheetkit: 1
id: test.hiding
version: 1.0.0
title: Hiding
items:
  - {id: urge, type: rating, min: 0, max: 5, label: Strongest urge to harm yourself}
  - id: details
    type: section
    title: More about today
    show_if: "urge == 0"
    items:
      - {id: note, type: text, label: Anything else?}
scores:
  - id: urge_score
    label: Urge
    formula: "urge"
    alerts:
      - {when: "urge >= 4", severity: urgent, message: "Strong urge <b>reported</b>: call today."}
"""


def _fixtures() -> list[tuple[str, Worksheet, Response]]:
    out: list[tuple[str, Worksheet, Response]] = []
    pack = _pack()
    for r in pack.responses:
        ref = f"{r.worksheet.split('@')[0]}@{r.version}" if r.version else r.worksheet
        out.append((f"examples:{r.id}", pack.worksheet(ref), r))
    case_ws = load(CASES / "worksheet.yaml")
    for path in sorted((CASES / "valid").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out.append((f"cases:{path.stem}", case_ws, Response.model_validate(data)))
    ws = _phq9()
    answers = {f"q{k}": 0 for k in range(1, 10)}
    out.append(("phq9-q9-only", ws, _phq9_response({**answers, "q9": 1})))
    out.append(("phq9-q9-es", ws, _phq9_response({**answers, "q9": 3}, language="es")))
    out.append(
        ("phq9-q9-missing-others", ws, _phq9_response({"q1": 3, "q9": 2}))  # total not computed
    )
    hiding = loads(HIDING, source="hiding.yaml")
    out.append(
        (
            "hiding-section",
            hiding,
            Response.model_validate(
                {
                    "worksheetkit": 1,
                    "kind": "response",
                    "worksheet": "test.hiding",
                    "answers": {"urge": 5, "note": "hidden by the section"},
                }
            ),
        )
    )
    return out


def _urgent_messages(ws: Worksheet, response: Response) -> list[str]:
    results = score(ws, response)
    return [a.message for r in results.values() for a in r.alerts if a.severity == "urgent"]


URGENT = [(name, ws, r) for name, ws, r in _fixtures() if _urgent_messages(ws, r)]


def test_the_fixtures_include_urgent_alerts() -> None:
    names = {name for name, _, _ in URGENT}
    assert "examples:synthetic-phq-9-moderately-severe-item9" in names
    assert {"phq9-q9-only", "phq9-q9-es", "phq9-q9-missing-others", "hiding-section"} <= names


class _Banner(HTMLParser):
    """The text of the first element with role="alert", and what text came before it."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.found = False
        self.text: list[str] = []
        self.before: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += 1
        elif not self.found and ("role", "alert") in attrs:
            self.depth, self.found = 1, True

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)
        elif not self.found:
            self.before.append(data)


def _banner(page: str) -> _Banner:
    body = page.split("<body", 1)[-1].split(">", 1)[-1] if "<body" in page else page
    parser = _Banner()
    parser.feed(body)
    assert parser.found, "no role=alert element"
    return parser


@pytest.mark.parametrize(("name", "ws", "response"), URGENT, ids=[n for n, _, _ in URGENT])
def test_filled_in_html_view_shows_urgent_alert_first(
    name: str, ws: Worksheet, response: Response
) -> None:
    for fragment in (False, True):
        page = render(response, to="html", worksheet=ws, fragment=fragment)
        banner = _banner(page)
        text = " ".join("".join(banner.text).split())
        for message in _urgent_messages(ws, response):
            assert " ".join(message.split()) in text
        assert "URGENT" in text or "URGENTE" in text  # in words, not colour alone
        # Only the title comes before it: no answer is read first.
        before = " ".join("".join(banner.before).split())
        title = ws.title if isinstance(ws.title, str) else next(iter((ws.title or {}).values()))
        assert before.replace(title or ws.id, "").strip() == ""


def test_banner_names_the_item_and_escapes_the_message() -> None:
    ws, response = next((w, r) for n, w, r in URGENT if n == "hiding-section")
    page = render(response, to="html", worksheet=ws)
    text = " ".join("".join(_banner(page).text).split())
    assert "Strongest urge to harm yourself (urge)" in text
    assert "<b>reported</b>" in text  # shown as text …
    assert "<b>reported</b>" not in page  # … never as markup


def test_phq9_banner_names_item_9() -> None:
    ws, response = next((w, r) for n, w, r in URGENT if n == "phq9-q9-only")
    text = " ".join("".join(_banner(render(response, worksheet=ws)).text).split())
    assert PHQ9_MESSAGE in text
    assert "(q9)" in text
    assert "Score: PHQ-9 total" in text


def test_print_stylesheet_never_hides_the_banner() -> None:
    ws, response = next((w, r) for n, w, r in URGENT if n == "phq9-q9-only")
    page = render(response, worksheet=ws)
    print_css = "".join(re.findall(r"@media print \{(.*?)\n\}", page, flags=re.S))
    assert ".wk-alerts { display: block !important" in print_css
    assert not re.search(r"\.wk-alerts[^{]*\{[^}]*display:\s*none", page)


def test_no_banner_without_alerts() -> None:
    ws = _phq9()
    quiet = _phq9_response({f"q{k}": 1 for k in range(1, 10)} | {"q9": 0})
    assert 'role="alert"' not in render(quiet, worksheet=ws)
    assert response_alerts(ws, quiet, Localiser("en", "en")) == []


def test_markdown_alert_block_escapes_the_message() -> None:
    ws, response = next((w, r) for n, w, r in URGENT if n == "hiding-section")
    block = alerts_markdown(response_alerts(ws, response, Localiser("en", "en")), "en")
    assert block.startswith("> **Urgent alert")
    assert "**URGENT:** Strong urge &lt;b&gt;reported&lt;/b&gt;: call today." in block
    assert alerts_markdown([], "en") == ""


@pytest.mark.parametrize(("name", "ws", "response"), URGENT, ids=[n for n, _, _ in URGENT])
def test_filled_in_markdown_view_shows_urgent_alert_first(
    name: str, ws: Worksheet, response: Response
) -> None:
    text = render(response, to="markdown", worksheet=ws)
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0].startswith("# ")  # the title, then the alert before any answer
    assert lines[1].startswith("> **")
    assert "Urgent" in lines[1] or "urgente" in lines[1]
    block = "\n".join(line for line in lines if line.startswith(">"))
    for message in _urgent_messages(ws, response):
        assert esc(" ".join(message.split())) in " ".join(block.split())


def test_spanish_banner_words() -> None:
    ws, response = next((w, r) for n, w, r in URGENT if n == "phq9-q9-es")
    text = " ".join("".join(_banner(render(response, worksheet=ws)).text).split())
    assert "URGENTE" in text
    assert "Alerta urgente" in text


def test_site_index_row_shows_the_urgent_alert(examples_site: Path) -> None:
    out = examples_site  # built once per session, without PDF handouts (tests/conftest.py)
    index = (out / "index.html").read_text(encoding="utf-8")
    row = re.search(r"<li><a href=\"responses/[^\"]*item9[^\"]*\.html\">.*?</li>", index, re.S)
    assert row is not None
    assert 'role="alert"' in row.group(0)
    assert PHQ9_MESSAGE in row.group(0)
    assert "URGENT" in row.group(0)
    page = next((out / "responses").glob("*item9*.html")).read_text(encoding="utf-8")
    assert PHQ9_MESSAGE in "".join(_banner(page).text)
    # A response without alerts has no alert on its row.
    quiet = re.search(r"<li><a href=\"responses/[^\"]*phq-9-none[^\"]*\.html\">.*?</li>", index)
    assert quiet is not None
    assert 'role="alert"' not in quiet.group(0)


PHQ9_ASSIGNMENT = """
worksheetkit: 1
kind: assignment
id: phq-1
worksheet: instruments.phq-9@1
start: 2026-12-01
timezone: Europe/London
schedule: {repeat: daily, at: "09:00", for: P3D, window: PT4H, grace: PT4H}
"""


def test_session_report_puts_urgent_alert_first() -> None:
    assignment = loads(PHQ9_ASSIGNMENT, source="a.yaml")
    zeros = {f"q{k}": 0 for k in range(1, 10)}
    responses = [
        {
            "worksheetkit": 1,
            "kind": "response",
            "worksheet": "instruments.phq-9",
            "assignment": "phq-1",
            "submitted_at": f"2026-12-0{d}T10:00:00+00:00",
            "answers": {**zeros, "q9": 2 if d == 2 else 0},
        }
        for d in (1, 2, 3)
    ]
    report = adherence(assignment, responses, as_of=dt_date(), pack=_pack())
    html = to_html(report)
    banner = _banner(html)
    assert PHQ9_MESSAGE in "".join(banner.text)
    assert "URGENT" in "".join(banner.text)
    assert "Scores" not in "".join(banner.before)  # before the score table
    md = to_markdown(report)
    assert md.index(PHQ9_MESSAGE) < md.index("## Scores")
    assert "> - **URGENT:** " + PHQ9_MESSAGE.replace(":", ":") in md


def dt_date() -> Any:
    import datetime as dt

    return dt.date(2026, 12, 4)


def test_clinical_totals_are_not_shown_live_to_the_client() -> None:
    for ident in ("instruments.phq-9", "instruments.gad-7"):
        ws = _pack().worksheet(ident)
        form = render(ws)
        assert 'data-wk-score="total"' not in form  # no live total under the form
        assert '"scores":[]' in form.replace(" ", "")
        assert all(s.visibility == "clinician" for s in ws.scores)
    # The clinician's filled-in view still shows the total and its band.
    ws = _phq9()
    view = render(_phq9_response({f"q{k}": 3 for k in range(1, 10)}), worksheet=ws)
    assert "27 (Severe)" in view


def test_visibility_default_and_override() -> None:
    base = HIDING.replace("title: Hiding", "title: Visible")
    ws = loads(base, source="v.yaml")
    assert ws.scores[0].visibility is None
    assert not ws.scores[0].shown_to_client
    assert 'data-wk-score="urge_score"' not in render(ws)
    shown = loads(
        base.replace("    label: Urge\n", "    label: Urge\n    visibility: client\n"),
        source="v.yaml",
    )
    assert 'data-wk-score="urge_score"' in render(shown)
    plain = loads(base.replace("severity: urgent", "severity: warning"), source="v.yaml")
    assert plain.scores[0].shown_to_client  # today's behaviour without an urgent alert

"""Forms that round-trip, in Chromium: the native (no-JavaScript) POST read back by
response_from_form, a rejected submission redisplayed (axe, vnu, screenshots), the runtime's
showDiagnostics writing the same markup as the server, drafts surviving a reload, and a
fragment working under a strict Content-Security-Policy."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from worksheetkit import Worksheet, load, render
from worksheetkit.model import Ranking
from worksheetkit.progress import adherence
from worksheetkit.rendering import response_from_form, runtime, stylesheet
from worksheetkit.reports import stylesheet as report_stylesheet
from worksheetkit.reports import to_html
from worksheetkit.responses import validate_response

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_render_browser import CAPTURE, fill_everything, inputs, kitchen_sink, visible

from conftest import describe_violations

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "http://wk.test"
CSP = "default-src 'self'; script-src 'self'"
SHOTS = Path(os.environ.get("WK_SCREENSHOTS", "")) if os.environ.get("WK_SCREENSHOTS") else None


def sheet(path: str) -> Worksheet:
    ws = load(ROOT / path)
    assert isinstance(ws, Worksheet)
    return ws


THOUGHT = sheet("examples/worksheets/thought-record.yaml")
VALUES = sheet("examples/worksheets/values-clarification.yaml")


def page_html(body: str, *, head: str = "", title: str = "Host") -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>{head}</head><body><main>{body}</main></body></html>"
    )


class Site:
    """Pages served at http://wk.test by Playwright's router (nothing leaves the machine)."""

    def __init__(self, page: Any, headers: dict[str, str] | None = None) -> None:
        self.files: dict[str, tuple[str, str]] = {}
        self.posts: list[str] = []
        self.headers = headers or {}
        page.route(f"{ORIGIN}/**", self.handle)

    def add(self, path: str, body: str, kind: str = "text/html; charset=utf-8") -> str:
        self.files[path] = (body, kind)
        return ORIGIN + path

    def handle(self, route: Any) -> None:
        request = route.request
        path = request.url[len(ORIGIN) :].split("?")[0]
        if request.method == "POST":
            self.posts.append(request.post_data or "")
            route.fulfill(
                status=200, body="<!DOCTYPE html><title>posted</title>", content_type="text/html"
            )
            return
        if path not in self.files:
            route.fulfill(status=404, body="")
            return
        body, kind = self.files[path]
        route.fulfill(status=200, body=body, headers={"content-type": kind, **self.headers})


# -- the browser's own form serialisation ------------------------------------------------------


@pytest.mark.parametrize(
    "ws",
    [THOUGHT, VALUES, sheet("examples/instruments/phq-9.yaml"), kitchen_sink()],
    ids=["thought-record", "values-clarification", "phq-9", "kitchen-sink"],
)
def test_native_post_reads_back_as_the_script_would_send(page: Any, ws: Worksheet) -> None:
    """Fill the form as a person would, once with the script (its submit event) and once
    without it (Chromium's own POST, read by response_from_form): the same answers."""
    site = Site(page)
    page.goto(site.add("/js", page_html(render(ws, "html", fragment=True))))
    page.evaluate(CAPTURE)
    fill_everything(page, ws)
    page.click("button[type=submit]")
    details = page.evaluate("() => window.__wkDetails")
    assert details, "the script did not submit"
    by_script = details[-1]["answers"]

    # Without the script the table rows cannot be added: the page shows as many as the
    # script's answer has (empty rows, as a server adding rows would redisplay them).
    # Nor can a ranking be reordered: its order is put in the same way.
    rankings = {i.id for i in inputs(ws.items) if isinstance(i, Ranking)}
    given = {k: [{}] * len(v) for k, v in by_script.items() if is_table(v)}
    given.update({k: v for k, v in by_script.items() if k in rankings})
    plain = render(ws, "html", fragment=True, include_runtime=False, answers=given)
    page.goto(site.add("/nojs", page_html(plain)))
    assert page.evaluate("() => typeof window.worksheetkit") == "undefined"
    fill_without_script(page, ws, by_script)
    page.click("button[type=submit]")
    page.wait_for_url(f"{ORIGIN}/nojs")
    assert len(site.posts) == 1
    posted = parse_qsl(site.posts[0], keep_blank_values=True)
    response = response_from_form(ws, posted)
    assert response["answers"] == by_script
    assert [d for d in validate_response(ws, response) if d.severity == "error"] == []


def is_table(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and isinstance(value[0], dict)
        and "other" not in value[0]
    )


def fill_without_script(page: Any, ws: Worksheet, answers: dict[str, Any]) -> None:
    """Put the script's answers into the plain form with Playwright's clicks and typing."""
    from worksheetkit.rendering._views import duration_minutes

    prefix = page.evaluate("() => document.querySelector('.wk-title').id.replace(/-title$/, '')")

    def put(scope: str, name: str, value: Any, dom: str) -> None:
        sel = f'{scope} [name="{name}"]'
        if isinstance(value, list):
            for v in value:
                page.check(f'{scope} [name="{name}[]"][value="{fv(v)}"]')
            return
        kind = page.locator(sel).first.evaluate("e => e.tagName + ':' + e.type")
        if kind == "SELECT:select-one":
            page.select_option(sel, fv(value))
        elif kind.endswith(":radio"):
            page.check(f'{sel}[value="{fv(value)}"]')
        elif isinstance(value, str) and value.startswith("PT"):
            minutes = duration_minutes(value)
            assert minutes is not None
            page.fill(sel, f"{minutes:g}")
        else:
            page.fill(sel, fv(value))

    def fv(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    for item_id, value in answers.items():
        scope = f'[data-wk-item="{item_id}"]'
        if is_table(value):
            for r, row in enumerate(value):
                for col, cell in row.items():
                    put(scope, f"{item_id}[{r}][{col}]", cell, f"{prefix}-{item_id}-r{r}-{col}")
        elif page.locator(f"{scope} [data-wk-ranking]").count():
            order = page.locator(f"{scope} li").evaluate_all(
                "els => els.map(e => e.dataset.wkValue)"
            )
            assert order == [fv(v) for v in value], "a ranking without script keeps its order"
        else:
            put(scope, item_id, value, f"{prefix}-{item_id}")


# -- redisplaying a rejected submission --------------------------------------------------------


def rejected() -> tuple[dict[str, Any], list[Any]]:
    form = [
        ("situation", "At work, after the meeting"),
        ("emotions[0][emotion]", "sad"),
        ("emotions[0][intensity]", "80"),
        ("emotions[1][emotion]", "__other__"),
        ("emotions[1][emotion]__other", "flat"),
        ("emotions[1][intensity]", "lots"),
        ("belief", "3"),
        ("difficulty", "12"),
    ]
    response = response_from_form(THOUGHT, form)
    problems = validate_response(THOUGHT, response)
    assert {d.code for d in problems} == {"WK401", "WK402", "WK403"}
    return response, problems


def test_redisplayed_form_is_accessible_and_linked(
    page: Any, tmp_path: Path, axe_violations: Any, vnu_errors: Any
) -> None:
    response, problems = rejected()
    html = render(THOUGHT, "html", answers=response, diagnostics=problems)
    path = tmp_path / "redisplay.html"
    path.write_text(html, "utf-8")
    page.goto(path.as_uri())
    assert page.title() == "Error: Thought record"
    # The summary has the focus on load, as after a failed submit in the browser.
    assert page.evaluate("() => document.activeElement.matches('[data-wk-summary]')")
    assert page.locator("[data-wk-summary] li").count() == len(problems)
    assert page.input_value("#wk-cbt-thought-record-emotions-r1-emotion-other") == "flat"
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    # A summary link moves the focus to the cell it names.
    page.click("[data-wk-summary] a >> nth=0")
    assert (
        page.evaluate("() => document.activeElement.id")
        == "wk-cbt-thought-record-emotions-r1-intensity"
    )
    # The client fixes the answers; the script's own check passes and clears the messages.
    page.evaluate(CAPTURE)
    page.fill("#wk-cbt-thought-record-emotions-r1-intensity", "40")
    page.fill("#wk-cbt-thought-record-thought", "I always get it wrong")
    page.fill("#wk-cbt-thought-record-difficulty", "2")
    page.click("button[type=submit]")
    detail = page.evaluate("() => window.__wkDetails[0]")
    assert validate_response(THOUGHT, detail) == []
    assert page.locator(".wk-item--error").count() == 0
    assert page.locator("[aria-invalid]").count() == 0
    assert page.js_errors == []
    assert vnu_errors([path]) == []
    if SHOTS is not None:
        page.goto(path.as_uri())
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(
                path=str(SHOTS / f"redisplay-thought-record-{width}.png"), full_page=True
            )
        page.set_viewport_size({"width": 1280, "height": 900})


def test_show_diagnostics_writes_the_server_markup(page: Any, tmp_path: Path) -> None:
    response, problems = rejected()
    as_dicts = [d.as_dict() for d in problems] + [
        {"code": "WK410", "message": "This form is out of date.", "path": "/version"}
    ]
    grab = """() => ({
      summary: document.querySelector('[data-wk-summary]').outerHTML,
      hidden: document.querySelector('[data-wk-summary]').hidden,
      boxes: [...document.querySelectorAll('.wk-error')].map(e => e.outerHTML),
      items: [...document.querySelectorAll('.wk-item')].map(e => [...e.classList].sort().join(' ')),
      invalid: [...document.querySelectorAll('[aria-invalid]')].map(e => e.id),
      described: [...document.querySelectorAll('input, textarea, select, fieldset, .wk-group')]
        .map(e => e.id + ':' + (e.getAttribute('aria-describedby') || '')),
    })"""
    server = tmp_path / "server.html"
    server.write_text(render(THOUGHT, "html", answers=response, diagnostics=as_dicts), "utf-8")
    page.goto(server.as_uri())
    expected = page.evaluate(grab)
    client = tmp_path / "client.html"
    client.write_text(render(THOUGHT, "html", answers=response), "utf-8")
    page.goto(client.as_uri())
    page.evaluate(
        "d => worksheetkit.form(document.querySelector('form')).showDiagnostics(d)", as_dicts
    )
    assert page.evaluate(grab) == expected
    assert expected["hidden"] is False
    # a worksheetkit problem not at a question: one plain sentence, never its message
    assert "Some answers could not be accepted." in expected["summary"]
    assert "This form is out of date." not in expected["summary"]
    page.evaluate("() => worksheetkit.form(document.querySelector('form')).clearDiagnostics()")
    cleared = page.evaluate(grab)
    assert cleared["hidden"] is True
    assert cleared["invalid"] == []
    assert not any("wk-item--error" in c for c in cleared["items"])
    assert page.js_errors == []


# -- drafts ------------------------------------------------------------------------------------

LONG = (
    "I was in the team meeting and my manager asked who had not finished the report. "
    "Everyone looked at me, and I felt my face go hot. "
) * 8


def test_a_long_thought_record_survives_a_reload_and_submit_clears_it(page: Any) -> None:
    site = Site(page)
    url = site.add(
        "/tr",
        page_html(render(THOUGHT, "html", fragment=True, drafts=True, draft_key="a-17/occ-3")),
    )
    page.goto(url)
    page.evaluate(
        "() => { window.__drafts = []; document.addEventListener('worksheetkit:draft',"
        " e => window.__drafts.push(e.detail)); }"
    )
    p = "#wk-cbt-thought-record"
    page.fill(f"{p}-situation", LONG)
    page.select_option(f"{p}-emotions-r0-emotion", "anxious")
    page.fill(f"{p}-emotions-r0-intensity", "70")
    page.click('[data-wk-item="emotions"] [data-wk-add]')
    page.select_option(f"{p}-emotions-r1-emotion", "__other__")
    page.fill(f"{p}-emotions-r1-emotion-other", "embarrassed")
    page.fill(f"{p}-thought", "They all think I am lazy.\nI will lose my job.")
    page.check(f"{p}-belief-3")
    page.fill(f"{p}-difficulty", "3")
    drafts = page.evaluate("() => window.__drafts")
    assert drafts
    assert drafts[-1]["key"] == "a-17/occ-3"
    typed = drafts[-1]["answers"]
    assert typed["situation"] == LONG
    assert typed["emotions"][1]["emotion"] == {"other": "embarrassed"}
    key = "worksheetkit:draft:cbt.thought-record@1.0.0:a-17/occ-3"
    assert json.loads(page.evaluate("k => localStorage.getItem(k)", key))["answers"] == typed

    page.reload()  # the tab closed and opened again
    assert page.input_value(f"{p}-situation") == LONG
    assert page.input_value(f"{p}-emotions-r1-emotion") == "__other__"
    assert page.input_value(f"{p}-emotions-r1-emotion-other") == "embarrassed"
    assert page.is_visible(f"{p}-emotions-r1-emotion-other")
    assert page.is_checked(f"{p}-belief-3")
    assert page.input_value(f"{p}-difficulty") == "3"
    answers = page.evaluate(
        "() => worksheetkit.form(document.querySelector('form')).answers(false)"
    )
    assert answers == typed

    page.evaluate(CAPTURE)
    page.click("button[type=submit]")
    detail = page.evaluate("() => window.__wkDetails[0]")
    assert detail["answers"] == typed
    assert validate_response(THOUGHT, detail) == []
    assert page.evaluate("k => localStorage.getItem(k)", key) is None
    page.reload()
    assert page.input_value(f"{p}-situation") == ""
    assert page.js_errors == []


def test_event_only_drafts_leave_local_storage_alone(page: Any) -> None:
    site = Site(page)
    page.goto(site.add("/ev", page_html(render(VALUES, "html", fragment=True, drafts="event"))))
    page.evaluate(
        "() => { window.__drafts = []; document.addEventListener('worksheetkit:draft',"
        " e => window.__drafts.push(e.detail)); }"
    )
    page.fill("#wk-act-values-clarification-action", "Call my sister")
    assert page.evaluate("() => window.__drafts.at(-1).answers.action") == "Call my sister"
    assert page.evaluate("() => localStorage.length") == 0
    # An app restores from its own store with setAnswers (or render(answers=) on the server).
    page.reload()
    page.evaluate(
        "() => worksheetkit.form(document.querySelector('form')).setAnswers({action: 'Run', confidence: 4})"
    )
    assert page.input_value("#wk-act-values-clarification-action") == "Run"
    assert visible(page, "easier")  # confidence < 7 shows the follow-up question


# -- embedding under a strict Content-Security-Policy ------------------------------------------


def test_fragment_and_report_under_a_strict_csp(page: Any, axe_violations: Any) -> None:
    site = Site(page, headers={"content-security-policy": CSP})
    rt = runtime()
    site.add(f"/static/{rt.filename}", rt.text, "text/javascript; charset=utf-8")
    site.add("/static/wk.css", stylesheet(), "text/css; charset=utf-8")
    site.add("/static/report.css", report_stylesheet(), "text/css; charset=utf-8")
    import datetime as dt

    from worksheetkit import load_pack

    pack = load_pack(ROOT / "examples")
    assignment = next(
        a for a in pack.assignments if (a.worksheet or "").startswith("cbt.thought-record")
    )
    report = adherence(
        assignment,
        ROOT / "examples/responses/synthetic-thought-record-london.jsonl",
        as_of=dt.date(2026, 12, 15),
        pack=pack,
    )
    fragment = render(
        VALUES, "html", fragment=True, include_runtime=False, runtime_url=f"/static/{rt.filename}"
    )
    body = "<h1>Homework</h1>" + fragment + to_html(report, fragment=True, pack=pack)
    head = '<link rel="stylesheet" href="/static/wk.css"><link rel="stylesheet" href="/static/report.css">'
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.goto(site.add("/embed", page_html(body, head=head)))
    assert page.evaluate("() => typeof window.worksheetkit") == "object"
    # Conditions work: a low confidence shows the follow-up question, a high one hides it.
    page.fill("#wk-act-values-clarification-confidence", "9")
    assert not visible(page, "easier")
    page.fill("#wk-act-values-clarification-confidence", "3")
    assert visible(page, "easier")
    # The stylesheets applied (no inline style was needed or refused).
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('.wk-error-summary')).display")
        == "none"
    )
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('.wkr-report')).maxWidth")
        != "none"
    )
    assert page.evaluate("() => window.__csp") == []
    assert not [m for m in console if "Content Security Policy" in m], console
    # One heading outline: the page's h1, then each fragment's h2.
    assert page.evaluate("() => [...document.querySelectorAll('h1, h2')].map(h => h.tagName)") == [
        "H1",
        "H2",
        "H2",
    ]
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert page.js_errors == []
    if SHOTS is not None:
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.locator(".wkr-report").screenshot(path=str(SHOTS / f"report-fragment-{width}.png"))
        page.set_viewport_size({"width": 1280, "height": 900})


def test_inline_runtime_is_refused_under_the_same_csp(page: Any) -> None:
    """The control experiment: the inlined runtime does not run under this CSP (so the test
    above proves something), and its csp_hash is what makes it run."""
    site = Site(page, headers={"content-security-policy": CSP})
    site.add("/static/wk.css", stylesheet(), "text/css; charset=utf-8")
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective));"
    )
    page.goto(site.add("/inline", page_html(render(VALUES, "html", fragment=True))))
    assert page.evaluate("() => typeof window.worksheetkit") == "undefined"
    assert page.evaluate("() => window.__csp") != []
    site.headers = {"content-security-policy": f"{CSP} {runtime().csp_hash}"}
    page.goto(site.add("/hashed", page_html(render(VALUES, "html", fragment=True))))
    assert page.evaluate("() => typeof window.worksheetkit") == "object"

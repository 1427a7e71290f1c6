"""The preview studio in a real browser: live reload follows edits on disk, the urgent alert
shows for a PHQ-9 with item 9 endorsed, and every view is axe-core clean."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
UI_WAIT_MS = 2000  # a UI wait for the page to follow an edit, not a speed assertion
SHOTS = os.environ.get("WORKSHEETKIT_PREVIEW_SCREENSHOTS")  # folder to save screenshots to


def describe_violations(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v.get('impact')}): {v.get('help')} at "
        f"{[', '.join(map(str, n.get('target', []))) for n in v.get('nodes', [])][:5]}"
        for v in violations
    )


MOOD = """\
worksheetkit: 1
kind: worksheet
id: clinic.mood-check
version: 1.0.0
title: Mood check
items:
  - id: mood
    type: rating
    label: How is your mood?
    min: 0
    max: 10
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("preview") / "examples"
    shutil.copytree(ROOT / "examples", folder)  # the whole example pack, plus one new worksheet
    (folder / "worksheets/mood-check.yaml").write_text(MOOD, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def server(pack: Path) -> Iterator[str]:
    import uvicorn

    from worksheetkit.preview.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(str(pack)), log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):  # bounded by steps: wait for the server to start
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def studio(browser_context: Any, server: str) -> Iterator[Any]:
    """A page that may talk to the preview server only (and the sandboxed frames it serves)."""
    page = browser_context.new_page()

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith((server, "about:", "data:")):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        page.close()


def _frame(page: Any) -> Any:
    page.wait_for_selector("#form-frame")
    handle = page.query_selector("#form-frame")
    frame = handle.content_frame()
    frame.wait_for_selector("form[data-wk-form]")
    return frame


def _settled(page: Any) -> None:
    """Wait until the form frame stops moving: after a resize the form reflows, posts its new
    height, the studio resizes the frame and the page may scroll. A click computed before that
    lands on whatever moved under it (CI once saw "Clicking the checkbox did not change its
    state"). Settled means five animation frames with the same frame box and scroll offset."""
    page.wait_for_function(
        """() => new Promise((resolve) => {
            let last = null, same = 0;
            const tick = () => {
                const f = document.getElementById("form-frame");
                const r = f ? f.getBoundingClientRect() : null;
                const now = r ? [r.top, r.left, r.width, r.height, scrollX, scrollY].join() : "";
                if (now === last) { same += 1; } else { same = 0; last = now; }
                if (same >= 5) { resolve(true); } else { requestAnimationFrame(tick); }
            };
            tick();
        })""",
        timeout=UI_WAIT_MS,
    )


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(SHOTS) / f"preview-{name}.png"), full_page=False)


def test_live_reload_follows_edits(
    studio: Any, server: str, pack: Path, axe_violations: Any
) -> None:
    page = studio
    page.goto(f"{server}/view/worksheets/mood-check.yaml")
    frame = _frame(page)
    frame.fill("input[name=mood]", "7")
    page.wait_for_function(
        "() => (document.getElementById('result').textContent || '').includes('\"mood\": 7')",
        timeout=UI_WAIT_MS,
    )
    target = pack / "worksheets/mood-check.yaml"

    # 1. Add an item: the form gains it, and the answer typed so far is kept.
    target.write_text(
        MOOD + "  - {id: sleep, type: yesno, label: Did you sleep well?}\n", encoding="utf-8"
    )
    page.wait_for_function(
        "() => { const f = document.getElementById('form-frame');"
        " return f && f.getAttribute('src').length > 0 && window.frames.length > 0; }",
        timeout=UI_WAIT_MS,
    )
    frame = page.frame_locator("#form-frame")
    frame.locator("input[name=sleep]").first.wait_for(timeout=UI_WAIT_MS)
    page.wait_for_function(
        "() => (document.getElementById('result').textContent || '').includes('\"mood\": 7')",
        timeout=UI_WAIT_MS,
    )
    assert frame.locator("input[name=mood]").input_value() == "7"

    # 2. Introduce an error (a misspelt key at line 12, column 30): diagnostics replace the form.
    broken = MOOD + "  - {id: sleep, type: yesno, lable: Did you sleep well?}\n"
    target.write_text(broken, encoding="utf-8")
    page.wait_for_selector(".problem-error", timeout=UI_WAIT_MS)
    assert page.query_selector("#form-frame") is None
    where = page.inner_text(".problem-error .where")
    assert where == "worksheets/mood-check.yaml:12:30"  # the misspelt key
    assert "lable" in page.inner_text(".problem-error .source")
    assert page.inner_text(".problem-error .caret").strip().endswith("^")
    _shot(page, "diagnostics")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    # 3. Fix it: the form comes back with the answer typed before.
    target.write_text(
        MOOD + "  - {id: sleep, type: yesno, label: Did you sleep well?}\n", encoding="utf-8"
    )
    page.wait_for_selector("#form-frame", timeout=UI_WAIT_MS)
    frame = page.frame_locator("#form-frame")
    frame.locator("input[name=sleep]").first.wait_for(timeout=UI_WAIT_MS)
    page.wait_for_function(
        "() => (document.getElementById('result').textContent || '').includes('\"mood\": 7')",
        timeout=UI_WAIT_MS,
    )
    assert page.js_errors == []


def test_phq9_item_9_shows_the_urgent_alert(studio: Any, server: str, axe_violations: Any) -> None:
    page = studio
    page.goto(f"{server}/view/instruments/phq-9.yaml")
    frame = _frame(page)
    _settled(page)
    for q in range(1, 10):
        frame.check(f"input[name=q{q}][value='{2 if q != 9 else 1}']")
    page.wait_for_selector("#urgent [role=alert]", timeout=UI_WAIT_MS)
    banner = page.inner_text("#urgent")
    assert "Item 9 endorsed" in banner
    result = page.inner_text("#result")
    assert "Moderately severe" in result  # 8 × 2 + 1 = 17
    assert "Valid" in result
    assert "completed on time" in result
    _shot(page, "phq9-urgent")
    violations = axe_violations(page)  # the live response and the banner included
    assert violations == [], describe_violations(violations)
    page.set_viewport_size({"width": 360, "height": 780})
    _shot(page, "phq9-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    _settled(page)
    frame.check("input[name=q9][value='0']")
    page.wait_for_function(
        "() => !document.querySelector('#urgent [role=alert]')", timeout=UI_WAIT_MS
    )


VIEWS = [
    "/",
    "/view/instruments/phq-9.yaml",
    "/view/worksheets/thought-record.yaml?lang=es&width=360",
    "/view/instruments/phq-9.yaml?tab=printable",
    "/view/instruments/phq-9.yaml?tab=json",
    "/view/instruments/phq-9.yaml?tab=fhir",
    "/view/instruments/phq-9.yaml?tab=schema",
    "/view/pathways/ocd-erp-first-month.yaml",
    "/view/assignments/thought-record-london.yaml",
    "/view/pack.yaml",
]


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_is_axe_clean(studio: Any, server: str, view: str, axe_violations: Any) -> None:
    for width in (1280, 360):
        studio.set_viewport_size({"width": width, "height": 900})
        studio.goto(server + view)
        if view.startswith(("/view/worksheets/", "/view/instruments/")) and "tab=" not in view:
            _frame(studio)
        violations = axe_violations(studio)
        assert violations == [], describe_violations(violations)
        overflow = studio.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{view} scrolls sideways at {width} px"
        name = view.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
        if width == 1280 and name in (
            "home",
            "view-instruments-phq-9.yaml",
            "view-pathways-ocd-erp-first-month.yaml",
            "view-instruments-phq-9.yaml-tab-printable",
        ):
            _shot(studio, name.replace("view-", "").replace(".yaml", ""))
    assert studio.js_errors == []


def test_table_and_text_answers_survive_a_reload(studio: Any, server: str, pack: Path) -> None:
    page = studio
    page.goto(f"{server}/view/worksheets/thought-record.yaml")
    frame = _frame(page)
    frame.fill("textarea[name=situation], input[name=situation]", "At work")
    frame.select_option("select[name='emotions[0][emotion]']", "anxious")
    frame.fill("input[name='emotions[0][intensity]']", "70")
    frame.check("input[name=belief][value='3']")
    page.wait_for_function(
        "() => (document.getElementById('result').textContent || '').includes('\"intensity\": 70')",
        timeout=UI_WAIT_MS,
    )
    target = pack / "worksheets/thought-record.yaml"
    original = target.read_text(encoding="utf-8")
    target.write_text(original.replace("en: Thought record,", "en: Thought log,"), "utf-8")
    try:
        page.wait_for_function(
            "() => document.querySelector('h1').textContent.includes('Thought log')",
            timeout=UI_WAIT_MS,
        )
        fresh = page.frame_locator("#form-frame")
        fresh.locator("h1:has-text('Thought log')").wait_for(timeout=UI_WAIT_MS)
        page.wait_for_function(
            "() => { const t = document.getElementById('result').textContent || '';"
            " return t.includes('\"intensity\": 70') && t.includes('\"belief\": 3'); }",
            timeout=UI_WAIT_MS,
        )
        assert fresh.locator("select[name='emotions[0][emotion]']").input_value() == "anxious"
        assert fresh.locator("[name=situation]").input_value() == "At work"
    finally:
        target.write_text(original, encoding="utf-8")

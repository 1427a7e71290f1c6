"""The reference app (examples/app/) in Chromium: the JavaScript submit path with the server's
diagnostics shown by `showDiagnostics`, a draft surviving a reload, and an urgent PHQ-9 alert
first on the dashboard."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("sqlalchemy")
pytest.importorskip("multipart")

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)  # the app's clock: 09:30 in London
SHOTS = os.environ.get("WORKSHEETKIT_APP_SCREENSHOTS")  # folder to save screenshots to


def _create_app(url: str) -> Any:
    spec = importlib.util.spec_from_file_location("wk_reference_app", ROOT / "examples/app/app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("wk_reference_app", module)
    spec.loader.exec_module(module)
    return module.create_app(url, clock=lambda: NOW)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    database = tmp_path_factory.mktemp("app") / "app.db"
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(_create_app(f"sqlite:///{database}"), log_level="warning"))
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
def app_page(browser_context: Any, server: str) -> Iterator[Any]:
    """A page that may talk to the app's server only."""
    page = browser_context.new_page()
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith((server, "about:")) else r.abort(),
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    try:
        yield page
    finally:
        page.close()


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"app-{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def _assign(page: Any, server: str, client: str) -> str:
    """Assign PHQ-9 daily at 09:00 from 1 December in the browser; return the form's URL."""
    page.goto(f"{server}/therapist")
    page.fill("#client", client)
    page.select_option("#worksheet", "instruments.phq-9@1.0.0")
    page.fill("#start", "2026-12-01")
    page.fill("#at", "09:00")
    page.fill("#timezone", "Europe/London")
    _shot(page, "assign")
    page.click("form.assign button[type=submit]")
    page.wait_for_url("**/client/a-*")
    _shot(page, "client")
    page.click("ul.occurrences a")
    page.wait_for_selector("form[data-wk-form]")
    return str(page.url)


def _answer(page: Any, q9: int = 0) -> None:
    for i in range(1, 10):
        page.check(f'input[name="q{i}"][value="{q9 if i == 9 else 1}"]', force=True)


def test_js_submit_shows_server_diagnostics_then_saves(app_page: Any, server: str) -> None:
    page = app_page
    url = _assign(page, server, "c-js")
    _answer(page)

    def tamper(route: Any) -> None:  # a fault only the server finds: q3 off the scale
        body = json.loads(route.request.post_data)
        body["answers"]["q3"] = 7
        route.continue_(post_data=json.dumps(body))

    page.route(url, lambda r: tamper(r) if r.request.method == "POST" else r.continue_())
    page.click("form[data-wk-form] [type=submit]")
    page.wait_for_selector(".wk-error-message")
    assert page.url == url  # no reload: the controller shows the server's problem
    messages = page.locator(".wk-error-message").all_inner_texts()
    assert len(messages) == 1
    assert "Select an answer:" in messages[0]
    assert "q3" not in messages[0]
    assert page.is_checked('input[name="q1"][value="1"]')  # answers kept
    _shot(page, "form-server-error")
    page.unroute(url)
    page.click("form[data-wk-form] [type=submit]")
    page.wait_for_url("**?saved=1")
    assert "submitted" in page.inner_text("ul.occurrences")
    assert page.js_errors == []


def test_a_draft_survives_a_reload(app_page: Any, server: str) -> None:
    page = app_page
    _assign(page, server, "c-draft")
    page.check('input[name="q1"][value="2"]', force=True)
    page.check('input[name="q2"][value="3"]', force=True)
    page.wait_for_timeout(300)  # a UI wait for the draft save (debounced), not a speed assertion
    page.reload()
    page.wait_for_selector("form[data-wk-form]")
    assert page.is_checked('input[name="q1"][value="2"]')
    assert page.is_checked('input[name="q2"][value="3"]')
    assert page.js_errors == []


def test_an_urgent_phq9_alert_comes_first_on_the_dashboard(app_page: Any, server: str) -> None:
    page = app_page
    page.clock.set_fixed_time(NOW)  # the device's submitted_at agrees with the app's clock
    _assign(page, server, "c-urgent")
    _answer(page, q9=2)
    page.click("form[data-wk-form] [type=submit]")
    page.wait_for_url("**?saved=1")
    page.goto(f"{server}/dashboard")
    first = page.locator("table.submissions tbody tr").first
    assert first.get_attribute("class") == "urgent"
    assert "Item 9 endorsed" in first.inner_text()
    assert page.locator(".wkr-alert-banner--urgent").count() >= 1
    _shot(page, "dashboard")
    assert page.js_errors == []


def test_a_draft_survives_a_server_rejection_and_a_reload(app_page: Any, server: str) -> None:
    page = app_page
    url = _assign(page, server, "c-rejected")
    _answer(page)

    def tamper(route: Any) -> None:
        body = json.loads(route.request.post_data)
        body["answers"]["q3"] = 7
        route.continue_(post_data=json.dumps(body))

    page.route(url, lambda r: tamper(r) if r.request.method == "POST" else r.continue_())
    page.click("form[data-wk-form] [type=submit]")
    page.wait_for_selector(".wk-error-message")
    page.unroute(url)
    page.reload()
    page.wait_for_selector("form[data-wk-form]")
    assert page.is_checked('input[name="q1"][value="1"]')

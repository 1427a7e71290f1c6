"""Real-browser fixtures: Debian chromium driven by Playwright, axe-core and the Nu HTML Checker.

Fixtures other suites reuse (names are a contract):

* ``browser_context`` — one persistent chromium context for the session (fresh profile).
* ``page`` — a fresh page; every request except ``file:``, ``data:`` and ``about:`` is blocked,
  and any JavaScript dialog (alert/confirm/prompt) is recorded in ``page.dialogs`` and dismissed.
* ``axe_violations(page) -> list[dict]`` — axe-core's WCAG 2.0/2.1 A and AA violations.
* ``vnu_errors(paths) -> list[dict]`` — the Nu HTML Checker's errors for all files, one call.

When chromium, Java or the npm tools are missing the tests FAIL with "run make browser-deps";
set ``WORKSHEETKIT_SKIP_BROWSER=1`` to skip them instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ALLOWED_SCHEMES = ("file:", "data:", "about:")


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _missing() -> list[str]:
    missing = []
    if _chromium() is None:
        missing.append("chromium")
    if shutil.which("java") is None:
        missing.append("java")
    if not AXE.is_file():
        missing.append(str(AXE.relative_to(ROOT)))
    if not VNU.is_file():
        missing.append(str(VNU.relative_to(ROOT)))
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip)")
    return missing


def require_browser_tools() -> None:
    """Fail (never silently skip) when the tools are missing, unless told to skip."""
    missing = _missing()
    if not missing:
        return
    if os.environ.get("WORKSHEETKIT_SKIP_BROWSER") == "1":
        pytest.skip("browser tests skipped (WORKSHEETKIT_SKIP_BROWSER=1)")
    pytest.fail(
        "browser test tools are missing: " + ", ".join(missing) + ". Run `make browser-deps` "
        "(or set WORKSHEETKIT_SKIP_BROWSER=1 to skip the browser tests).",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def browser_context() -> Iterator[Any]:
    require_browser_tools()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="wk-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=_chromium(),
            headless=True,
            args=LAUNCH_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def _block(route: Any) -> None:
    if route.request.url.startswith(ALLOWED_SCHEMES):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    page = browser_context.new_page()
    page.route("**/*", _block)
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.dialogs = dialogs  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        page.close()


@pytest.fixture(scope="session")
def _axe_source() -> str:
    require_browser_tools()
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe_violations(_axe_source: str) -> Callable[[Any], list[dict[str, Any]]]:
    def run(page: Any) -> list[dict[str, Any]]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(_axe_source)
        result = page.evaluate(
            "t => axe.run(document, {runOnly: {type: 'tag', values: t},"
            " resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        violations: list[dict[str, Any]] = result["violations"]
        return violations

    return run


@pytest.fixture(scope="session")
def vnu_errors() -> Callable[[list[Path]], list[dict[str, Any]]]:
    require_browser_tools()

    def run(paths: list[Path]) -> list[dict[str, Any]]:
        if not paths:
            return []
        proc = subprocess.run(
            ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        # vnu writes its JSON report to stderr.
        report = proc.stderr.strip() or proc.stdout.strip()
        try:
            messages = json.loads(report).get("messages", [])
        except json.JSONDecodeError as exc:
            raise AssertionError(f"vnu gave no JSON report: {report[:500]}") from exc
        return [m for m in messages if m.get("type") in ("error", "non-document-error")]

    return run


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """axe violations as readable lines for an assertion message."""
    lines = []
    for v in violations:
        targets = [", ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])][:5]
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')} at {targets}")
    return "\n".join(lines)

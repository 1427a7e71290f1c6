"""The HTML renderer in a real browser: fill, show_if, submit, validate; axe-core and vnu;
keyboard use, reflow at 320 px, right-to-left, and hostile worksheets that must stay inert."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from worksheetkit import Response, Worksheet, load, render
from worksheetkit.expressions import evaluate as py_evaluate
from worksheetkit.expressions import parse
from worksheetkit.expressions.evaluator import truthy
from worksheetkit.model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    Likert,
    NumberItem,
    Ranking,
    Rating,
    Section,
    Table,
    TextItem,
    TimeItem,
    YesNo,
)
from worksheetkit.responses import validate_response

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_render_golden import example_worksheets

pytestmark = pytest.mark.browser
HERE = Path(__file__).resolve().parent
SHEETS = HERE / "worksheets"

CAPTURE = """() => {
  window.__wkDetails = [];
  document.addEventListener('worksheetkit:submit', e => window.__wkDetails.push(e.detail));
}"""


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])][:5]
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')} at {targets}")
    return "\n".join(lines)


def kitchen_sink() -> Worksheet:
    ws = load(SHEETS / "kitchen-sink.yaml")
    assert isinstance(ws, Worksheet)
    return ws


def hostile_sheet() -> Worksheet:
    return Worksheet.model_validate(yaml.safe_load((SHEETS / "hostile.yaml").read_text("utf-8")))


WORKSHEETS: list[tuple[str, Worksheet]] = [*example_worksheets(), ("kitchen-sink", kitchen_sink())]


@pytest.fixture(scope="module")
def pages_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pages")


def open_page(page: Any, folder: Path, name: str, html: str) -> Path:
    path = folder / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    page.evaluate(CAPTURE)
    return path


def visible(page: Any, item_id: str) -> bool:
    return bool(
        page.evaluate(
            'id => { const el = document.querySelector(`[data-wk-item="${id}"]`);'
            " return !!el && el.closest('[hidden]') === null; }",
            item_id,
        )
    )


def inputs(items: list[Any]) -> list[Any]:
    out = []
    for item in items:
        if isinstance(item, Section):
            out.extend(inputs(item.items))
        elif hasattr(item, "required") and not isinstance(item, Section):
            out.append(item)
    return out


def number_for(item: Any) -> float:
    low = item.min if item.min is not None else 0
    high = item.max if item.max is not None else low + 10
    step = getattr(item, "step", None) or 1
    value = low + step * int((high - low) / step / 2)
    return int(value) if float(value).is_integer() else value


def fill_cell(page: Any, item: Any, dom_id: str, col: Any) -> None:
    """Fill one table cell (by its id) with a valid value."""
    target = f"#{dom_id}"
    if isinstance(col, TextItem):
        page.fill(target, "Cell words")
    elif isinstance(col, NumberItem | Rating):
        page.fill(target, str(number_for(col)))
    elif isinstance(col, DurationItem):
        page.fill(target, "10")
    elif isinstance(col, DateItem):
        page.fill(target, "2026-12-01")
    elif isinstance(col, TimeItem):
        page.fill(target, "20:30")
    elif isinstance(col, DateTimeItem):
        page.fill(target, "2026-12-01T20:30")
    elif isinstance(col, Checklist):
        page.check(f"#{dom_id}-0")
    else:  # choice, likert, yesno: a <select>
        page.select_option(target, index=1)


def fill_item(page: Any, prefix: str, item: Any) -> None:
    dom = f"{prefix}-{item.id}"
    if isinstance(item, TextItem):
        words = "Some words"
        if item.min_length:
            words = "w" * item.min_length
        if item.max_length:
            words = words[: item.max_length]
        if item.pattern:
            return  # no generic way to write text for any pattern; covered by kitchen-sink
        page.fill(f"#{dom}", words)
    elif isinstance(item, NumberItem):
        page.fill(f"#{dom}", str(number_for(item)))
    elif isinstance(item, DurationItem):
        page.fill(f"#{dom}", "10")
    elif isinstance(item, DateItem):
        page.fill(f"#{dom}", "2026-12-01")
    elif isinstance(item, TimeItem):
        page.fill(f"#{dom}", "20:30")
    elif isinstance(item, DateTimeItem):
        page.fill(f"#{dom}", "2026-12-01T20:30")
    elif isinstance(item, Rating):
        if page.locator(f"#{dom}-0").count():  # buttons
            page.check(f"#{dom}-{page.locator(f'[name={item.id}]').count() - 1}")
        else:
            page.fill(f"#{dom}", str(number_for(item)))
    elif isinstance(item, YesNo):
        page.check(f"#{dom}-0")
    elif isinstance(item, Choice | Likert):
        options = page.locator(f'[data-wk-item="{item.id}"] input[type=radio]:not([data-wk-other])')
        options.nth(options.count() - 1).check()  # the highest: reveals "if … >= n" items
    elif isinstance(item, Checklist):
        page.check(f"#{dom}-0")
    elif isinstance(item, Ranking):
        page.locator(f'[data-wk-item="{item.id}"] [data-wk-move="1"]').first.click()
    elif isinstance(item, Table):
        table_dom = dom
        rows = page.locator(f'[data-wk-item="{item.id}"] tr[data-wk-row]').count()
        target_rows = max(rows, min(2, item.max_rows or 2), item.min_rows)
        while page.locator(f'[data-wk-item="{item.id}"] tr[data-wk-row]').count() < target_rows:
            page.click(f'[data-wk-item="{item.id}"] [data-wk-add]')
        for r in range(target_rows):
            for col in item.columns:
                cell = f"{table_dom}-r{r}-{col.id}"
                if page.locator(f"#{cell}-item, [id='{cell}'], [id='{cell}-0']").count() == 0:
                    continue
                holder = page.locator(f"tr[data-wk-row] [data-wk-col='{col.id}']").nth(r)
                if holder.is_hidden():
                    continue
                fill_cell(page, item, cell, col)


def fill_everything(page: Any, ws: Worksheet) -> set[str]:
    """Fill every visible control; show_if may reveal more, so repeat until none is left."""
    prefix = page.evaluate("() => document.querySelector('.wk-title').id.replace(/-title$/, '')")
    done: set[str] = set()
    for _ in range(5):
        progress = False
        for item in inputs(ws.items):
            if item.id in done or item.readonly or not visible(page, item.id):
                continue
            fill_item(page, prefix, item)
            done.add(item.id)
            progress = True
        if not progress:
            break
    return done


def submit(page: Any) -> dict[str, Any] | None:
    page.click("button[type=submit]")
    details = page.evaluate("() => window.__wkDetails")
    return details[-1] if details else None


def check_show_if_matches_python(page: Any, ws: Worksheet, answers: dict[str, Any]) -> int:
    """Every show_if: the page shows exactly what the Python evaluator says."""
    checked = 0

    def walk(items: list[Any], parent_shown: bool) -> None:
        nonlocal checked
        for item in items:
            shown = parent_shown
            if item.show_if:
                shown = parent_shown and truthy(py_evaluate(parse(item.show_if), answers))
            if isinstance(item, Section):
                walk(item.items, shown)
            elif (
                getattr(item, "id", None)
                and hasattr(item, "required")
                and (item.show_if or not parent_shown)
            ):
                assert visible(page, item.id) == shown, (item.id, item.show_if)
                checked += 1

    walk(ws.items, True)
    return checked


@pytest.mark.parametrize(("stem", "ws"), WORKSHEETS, ids=[s for s, _ in WORKSHEETS])
def test_fill_submit_validate_and_axe(
    page: Any, pages_dir: Path, axe_violations: Any, stem: str, ws: Worksheet
) -> None:
    open_page(page, pages_dir, stem, render(ws, "html"))
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    filled = fill_everything(page, ws)
    assert filled, "nothing to fill"
    detail = submit(page)
    summary = page.locator("[data-wk-summary]")
    assert detail is not None, "no worksheetkit:submit event; errors shown: " + (
        summary.inner_text() if summary.is_visible() else "none"
    )
    assert page.js_errors == []
    assert detail["kind"] == "response"
    assert detail["worksheet"] == ws.id
    assert detail["version"] == ws.version
    assert detail["worksheetkit"] == 1
    assert detail["submitted_at"].endswith("Z")
    assert detail["started_at"] <= detail["submitted_at"]
    assert set(filled) - {i.id for i in inputs(ws.items) if getattr(i, "pattern", None)} <= set(
        detail["answers"]
    ), "an answered control is missing from the response"
    problems = validate_response(ws, detail)
    assert problems == [], [d.format() + " " + d.path for d in problems]
    check_show_if_matches_python(page, ws, detail["answers"])
    # The filled-in response view is accessible too.
    response = Response.model_validate(detail)
    open_page(page, pages_dir, f"{stem}-response", render(response, "html", worksheet=ws))
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    # Errors after a failed submit are accessible as well (required questions empty).
    if any(i.required for i in inputs(ws.items)):
        open_page(page, pages_dir, f"{stem}-errors", render(ws, "html"))
        assert submit(page) is None
        assert page.evaluate("() => document.activeElement.matches('[data-wk-summary]')")
        violations = axe_violations(page)
        assert violations == [], describe_violations(violations)


def test_show_if_hides_and_shows(page: Any, pages_dir: Path) -> None:
    ws = kitchen_sink()
    open_page(page, pages_dir, "show-if", render(ws, "html"))
    assert not visible(page, "walk_minutes")
    assert not visible(page, "balanced")
    page.check("#wk-test-kitchen-sink-walked-0")  # yes
    assert visible(page, "walk_minutes")
    page.check("#wk-test-kitchen-sink-walked-1")  # no
    assert not visible(page, "walk_minutes")
    page.check("#wk-test-kitchen-sink-belief-3")  # agree (4)
    assert visible(page, "balanced")
    page.check("#wk-test-kitchen-sink-belief-1")
    assert not visible(page, "balanced")
    # A column's show_if works per row.
    note = page.locator("tr[data-wk-row] [data-wk-col='note']").first
    assert note.is_hidden()
    page.fill("#wk-test-kitchen-sink-emotions-r0-intensity", "70")
    assert note.is_visible()
    # Hidden answers are not submitted; "Other" becomes {"other": …}; scores update live.
    page.fill("#wk-test-kitchen-sink-situation", "On the bus")
    page.check("#wk-test-kitchen-sink-walked-0")
    page.fill("#wk-test-kitchen-sink-walk_minutes", "90")
    page.check("#wk-test-kitchen-sink-walked-1")
    page.check("#wk-test-kitchen-sink-mood-o")
    page.fill("#wk-test-kitchen-sink-mood-other", "flat")
    page.select_option("#wk-test-kitchen-sink-emotions-r0-emotion", "sad")
    page.check("#wk-test-kitchen-sink-confidence-7")
    assert page.locator("[data-wk-score=wellbeing]").inner_text() == "9 (High)"
    detail = submit(page)
    assert detail is not None
    answers = detail["answers"]
    assert "walk_minutes" not in answers
    assert "balanced" not in answers
    assert answers["mood"] == {"other": "flat"}
    assert answers["emotions"] == [{"emotion": "sad", "intensity": 70}]
    assert answers["walked"] is False
    assert answers["belief"] == 2
    assert answers["confidence"] == 7
    assert validate_response(ws, detail) == []


def test_client_side_errors_are_announced_and_linked(page: Any, pages_dir: Path) -> None:
    ws = kitchen_sink()
    open_page(page, pages_dir, "errors", render(ws, "html"))
    page.fill("#wk-test-kitchen-sink-hours", "30")  # above max 24
    assert submit(page) is None
    summary = page.locator("[data-wk-summary]")
    assert summary.is_visible()
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("() => document.activeElement.matches('[data-wk-summary]')")
    assert page.title().startswith("Error: ")
    links = summary.locator("a")
    texts = [links.nth(i).inner_text() for i in range(links.count())]
    assert "Answer this question: What was happening?" in texts
    assert "Hours slept must be 24 or less" in texts
    hours = page.locator("#wk-test-kitchen-sink-hours")
    assert hours.get_attribute("aria-invalid") == "true"
    error_id = "wk-test-kitchen-sink-hours-error"
    assert error_id in (hours.get_attribute("aria-describedby") or "").split()
    assert page.locator(f"#{error_id}").text_content() == "Error: Hours slept must be 24 or less"
    links.nth(texts.index("Hours slept must be 24 or less")).click()
    assert page.evaluate("() => document.activeElement.id") == "wk-test-kitchen-sink-hours"
    # Fixing it clears the message on the next submit.
    page.fill("#wk-test-kitchen-sink-hours", "7.5")
    submit(page)
    assert hours.get_attribute("aria-invalid") is None
    # Character count: a polite live region, never a hard block.
    page.fill("#wk-test-kitchen-sink-situation", "x" * 205)
    count = page.locator("#wk-test-kitchen-sink-situation-count")
    assert count.get_attribute("aria-live") == "polite"
    assert count.inner_text() == "You have 5 characters too many"


def test_keyboard_only_ranking_and_table(page: Any, pages_dir: Path) -> None:
    ws = kitchen_sink()
    open_page(page, pages_dir, "keyboard", render(ws, "html"))
    ranking = page.locator("#wk-test-kitchen-sink-values li .wk-rank-label")
    assert [ranking.nth(i).inner_text() for i in range(3)] == ["family", "work", "health"]
    # Tab onto "Move family down" and press Enter twice: family goes to the bottom.
    page.focus("#wk-test-kitchen-sink-energy")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('aria-label')") == (
            "Move family down"
        ):
            break
    else:
        pytest.fail("could not reach the ranking buttons with Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert [ranking.nth(i).inner_text() for i in range(3)] == ["work", "health", "family"]
    # At the bottom the down button is disabled and focus moved to "up".
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == (
        "Move family up"
    )
    live = page.locator("[data-wk-item=values] [data-wk-live]").inner_text()
    assert live == "family moved to position 3 of 3."
    page.keyboard.press("Space")
    assert [ranking.nth(i).inner_text() for i in range(3)] == ["work", "family", "health"]
    # Table: add a row with the keyboard; focus lands in the new row; remove it again.
    page.focus("[data-wk-item=emotions] [data-wk-add]")
    page.keyboard.press("Enter")
    rows = page.locator("[data-wk-item=emotions] tr[data-wk-row]")
    assert rows.count() == 2
    assert (
        page.evaluate("() => document.activeElement.id")
        == "wk-test-kitchen-sink-emotions-r1-emotion"
    )
    assert page.locator("label[for=wk-test-kitchen-sink-emotions-r1-intensity]").inner_text() == (
        "Intensity, row 2"
    )
    assert page.locator("[name='emotions[1][intensity]']").count() == 1
    page.keyboard.press("Space")  # opens nothing harmful on a select; then choose by typing
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    page.keyboard.type("40")
    page.keyboard.press("Enter")  # Enter in a text field submits the form (expected)
    page.click("[data-wk-item=emotions] tr[data-wk-row]:nth-child(1) [data-wk-remove]")
    assert rows.count() == 1
    assert page.locator("[name='emotions[0][intensity]']").input_value() == "40"
    assert page.locator("label[for=wk-test-kitchen-sink-emotions-r0-intensity]").inner_text() == (
        "Intensity, row 1"
    )
    # max_rows is enforced: the add button disappears at 3 rows.
    add = page.locator("[data-wk-item=emotions] [data-wk-add]")
    add.click()
    add.click()
    assert rows.count() == 3
    assert add.is_hidden()
    # Slider and number stay in step, with the anchor words announced.
    page.focus("#wk-test-kitchen-sink-suds-range")
    page.keyboard.press("End")
    assert page.locator("#wk-test-kitchen-sink-suds").input_value() == "100"
    assert page.locator("#wk-test-kitchen-sink-suds-range").get_attribute("aria-valuetext") == (
        "100, Worst ever"
    )


def test_reflow_at_320_css_pixels(page: Any, pages_dir: Path) -> None:
    """WCAG 1.4.10: browser zoom shrinks the CSS viewport — 1280 px at 200 % is 640 px, at
    400 % it is 320 px. Neither may need horizontal scrolling."""
    try:
        for width in (640, 320):
            page.set_viewport_size({"width": width, "height": 640})
            for stem, ws in WORKSHEETS:
                open_page(page, pages_dir, f"{stem}-{width}", render(ws, "html"))
                scroll = page.evaluate("() => document.documentElement.scrollWidth")
                assert scroll <= width, f"{stem}: page is {scroll}px wide in a {width}px viewport"
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_right_to_left(page: Any, pages_dir: Path, axe_violations: Any) -> None:
    ws = Worksheet.model_validate(
        {
            "worksheetkit": 1,
            "id": "t.rtl",
            "version": "1.0.0",
            "language": "ar",
            "title": "سجل الأفكار",
            "items": [
                {"id": "q", "type": "text", "label": "ماذا حدث؟", "required": True},
                {"id": "r", "type": "likert", "label": "كم تصدق الفكرة؟", "scale": "agreement-5"},
            ],
        }
    )
    open_page(page, pages_dir, "rtl", render(ws, "html"))
    assert page.evaluate("() => document.documentElement.dir") == "rtl"
    assert page.evaluate(
        "() => getComputedStyle(document.querySelector('.wk-form')).direction"
    ) == ("rtl")
    # The label starts at the right edge.
    box = page.locator("label[for=wk-t-rtl-q]").bounding_box()
    form = page.locator(".wk-form").bounding_box()
    assert abs((box["x"] + box["width"]) - (form["x"] + form["width"])) < 2
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


def test_hostile_worksheet_is_inert(page: Any, pages_dir: Path, axe_violations: Any) -> None:
    ws = hostile_sheet()
    open_page(page, pages_dir, "hostile", render(ws, "html"))
    page.wait_for_timeout(100)
    # Fire the events planted handlers would wait for, on every element.
    page.evaluate(
        "() => document.querySelectorAll('*').forEach(el => ['mouseover', 'focus', 'load',"
        " 'error', 'click'].forEach(t => { if (t !== 'click' || el.tagName !== 'BUTTON')"
        " el.dispatchEvent(new Event(t)); }))"
    )
    page.fill("#wk-test-hostile-q1", "answer")
    page.check("#wk-test-hostile-q2-0")
    detail = submit(page)
    assert page.dialogs == [], "a planted script ran"
    assert page.js_errors == []
    assert page.evaluate("() => document.querySelectorAll('script').length") == 2
    assert (
        page.evaluate("() => document.querySelectorAll('iframe, svg, object, embed').length") == 0
    )
    assert page.evaluate(
        "() => [...document.querySelectorAll('*')].every(el => "
        "[...el.attributes].every(a => !a.name.startsWith('on')))"
    )
    assert page.evaluate(
        "() => [...document.querySelectorAll('[href], [src]')].every(el => "
        "!/^\\s*[a-z\\t]*script:/i.test(el.getAttribute('href') || el.getAttribute('src')))"
    )
    assert page.locator("label[for=wk-test-hostile-q1]").inner_text().startswith("{{ 7*7 }}")
    assert "<script>alert(1)</script> {{ 7*7 }}" in page.locator("h1").inner_text()
    assert detail is not None
    assert detail["answers"]["q2"] == '"><img src=x onerror=alert(13)>'
    response = Response.model_validate(detail)
    open_page(page, pages_dir, "hostile-response", render(response, "html", worksheet=ws))
    page.wait_for_timeout(50)
    assert page.dialogs == []
    assert page.evaluate("() => document.querySelectorAll('script').length") == 0


def test_embedded_fragments_coexist(page: Any, pages_dir: Path) -> None:
    """Two fragments in one host page: one global, each form works on its own."""
    a = render(kitchen_sink(), "html", fragment=True)
    examples = example_worksheets()
    b = render(examples[0][1], "html", fragment=True) if examples else a
    host = (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Host</title></head>"
        f"<body><main>{a}{b}</main></body></html>"
    )
    open_page(page, pages_dir, "host", host)
    globals_ = page.evaluate(
        "() => Object.keys(window).filter(k => k.toLowerCase().includes('worksheetkit'))"
    )
    assert globals_ == ["worksheetkit"]
    forms = page.evaluate(
        "() => [...document.querySelectorAll('.wk-root')].map(r => !!r._worksheetkit)"
    )
    assert forms == [True, True]


def test_vnu_reports_no_errors(pages_dir: Path, vnu_errors: Any) -> None:
    """Every page written by this module (forms, response views, error states) in one call."""
    # Forms and response views (error states and narrow viewports are the same markup).
    skip = ("host.html", "-errors.html", "-640.html", "-320.html")
    files = sorted(p for p in pages_dir.glob("*.html") if not p.name.endswith(skip))
    extra = pages_dir / "extra"
    extra.mkdir(exist_ok=True)
    for stem, ws in WORKSHEETS:
        for lang in ("es",):
            (extra / f"{stem}-{lang}.html").write_text(render(ws, "html", language=lang), "utf-8")
    (extra / "hostile.html").write_text(render(hostile_sheet(), "html"), "utf-8")
    files += sorted(extra.glob("*.html"))
    assert len(files) >= len(WORKSHEETS)
    errors = vnu_errors(files)
    assert errors == [], json.dumps(errors[:10], indent=1, ensure_ascii=False)

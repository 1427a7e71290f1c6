"""The reference app (examples/app/) through Starlette's TestClient: assign, submit, dashboard.

The app uses only worksheetkit's public API; these tests drive its pages as a browser without
JavaScript would (plain form posts), plus the JSON path the script uses.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
sqlalchemy = pytest.importorskip("sqlalchemy")
pytest.importorskip("multipart")
from starlette.testclient import TestClient  # noqa: E402

APP_FILE = Path(__file__).resolve().parents[1] / "examples" / "app" / "app.py"
NOW = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)  # 09:30 in London, a Wednesday
PHQ9 = "instruments.phq-9@1.0.0"


def _module() -> Any:
    spec = importlib.util.spec_from_file_location("wk_reference_app", APP_FILE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("wk_reference_app", module)
    spec.loader.exec_module(module)
    return module


APP = _module()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    # WORKSHEETKIT_APP_TEST_DATABASE=postgresql+psycopg://… runs the same tests on PostgreSQL
    # (the tables are dropped after each test); by default a fresh SQLite file.
    url = os.environ.get("WORKSHEETKIT_APP_TEST_DATABASE") or f"sqlite:///{tmp_path / 'app.db'}"
    yield TestClient(APP.create_app(url, clock=lambda: NOW))
    engine = sqlalchemy.create_engine(url)
    APP.metadata.drop_all(engine)
    engine.dispose()


def _assign(client: TestClient, **changes: Any) -> Any:
    form: dict[str, Any] = {
        "client": "c-0001",
        "worksheet": PHQ9,
        "start": "2026-12-01",
        "at": "09:00",
        "timezone": "Europe/London",
        "weeks": "2",
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "when": "After breakfast",
        "where": "Kitchen",
    }
    return client.post("/therapist", data={**form, **changes}, follow_redirects=False)


def _form_link(client: TestClient) -> str:
    reply = _assign(client)
    assert reply.status_code == 303
    page = client.get(reply.headers["location"])
    links = re.findall(r'href="(/client/a-[^"/]+/main/[^"]+)"', page.text)
    assert links == [f"{reply.headers['location']}/main/2026-12-02T09:00"]
    return str(links[0])


def _answers(q9: str = "0", **changes: str) -> dict[str, str]:
    return {**{f"q{i}": "1" for i in range(1, 9)}, "q9": q9, **changes}


def test_the_picker_lists_newest_versions_and_wrong_fields_are_shown_beside_them(
    client: TestClient,
) -> None:
    page = client.get("/therapist")
    assert page.status_code == 200
    assert f'<option value="{PHQ9}"' in page.text
    reply = _assign(client, timezone="Europe/Londn", days=[], weeks="x")
    assert reply.status_code == 422
    # no day: WK105 from wk.check beside the days, with the time zone's WK221 in the same pass
    assert re.search(r'id="days-problem-1">Error: [^<]*List at least one day', reply.text)
    assert 'id="timezone" aria-invalid="true" aria-describedby="timezone-problem-1' in reply.text
    assert re.search(r'<a href="#days">[^<]*at least 1 entry', reply.text)
    # WK221 beside the time zone, with the entered values kept
    assert re.search(r'id="timezone-problem-1">Error: [^<]*time zone', reply.text)
    assert 'value="Europe/Londn"' in reply.text
    assert "Assignments</h2>\n<ul><li>None yet." in reply.text


def test_a_valid_no_js_post_is_stored_and_shown_on_the_dashboard(client: TestClient) -> None:
    link = _form_link(client)
    form = client.get(link)
    assert form.status_code == 200
    assert 'data-wk-drafts="local"' in form.text
    assert "<script>" not in form.text
    runtime = re.search(r'<script src="(/static/worksheetkit-[0-9a-f]+\.js)"', form.text)
    assert runtime is not None
    served = client.get(runtime.group(1))
    assert served.headers["content-type"].startswith("text/javascript")
    assert "showDiagnostics" in served.text
    reply = client.post(link, data=_answers(), follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"].endswith("?saved=1")
    assert "submitted" in client.get(reply.headers["location"]).text
    table, reports = client.get("/dashboard").text.split("<h2>Adherence</h2>")
    assert "PHQ-9 total: 8 (Mild)" in table
    assert "Urgent" not in table
    assert '<section class="wkr-report"' in reports
    assert "<style" not in reports


def test_an_invalid_no_js_post_is_redisplayed_with_answers_and_diagnostics(
    client: TestClient,
) -> None:
    link = _form_link(client)
    reply = client.post(link, data=_answers(q3="7"), follow_redirects=False)
    assert reply.status_code == 422
    assert reply.text.count('class="wk-error-message"') == 1
    assert "<title>Error: " in reply.text
    assert re.search(r'name="q1" value="1"[^>]*checked', reply.text)  # the answers kept
    assert "No submissions yet." in client.get("/dashboard").text


def test_the_json_path_returns_diagnostics_for_show_diagnostics(client: TestClient) -> None:
    link = _form_link(client)
    response: dict[str, Any] = {
        "worksheetkit": 1,
        "kind": "response",
        "worksheet": "instruments.phq-9",
        "version": "1.0.0",
        "submitted_at": "2026-12-02T09:29:00Z",
        "answers": {**{f"q{i}": 1 for i in range(1, 10)}, "q3": 7},
    }
    reply = client.post(link, json=response)
    assert reply.status_code == 422
    assert [(d["code"], d["json_pointer"]) for d in reply.json()["diagnostics"]] == [
        ("WK405", "/answers/q3")
    ]
    response["answers"]["q3"] = 1
    reply = client.post(link, json=response)
    assert reply.status_code == 201
    stored = reply.json()
    assert (stored["assignment"], stored["occurrence_id"]) == (
        link.split("/")[2],
        "main/2026-12-02T09:00",
    )
    assert reply.json()["status"] == "on_time"


def test_an_urgent_phq9_alert_comes_first_on_the_dashboard(client: TestClient) -> None:
    link = _form_link(client)
    assert client.post(link, data=_answers(), follow_redirects=False).status_code == 303
    other = _form_link(client)
    assert client.post(other, data=_answers(q9="2"), follow_redirects=False).status_code == 303
    dashboard, reports = client.get("/dashboard").text.split("<h2>Adherence</h2>")
    assert "wkr-alert-banner--urgent" in reports  # the adherence report raises it too
    rows = re.findall(r'<td data-label="Assignment">(a-[^<]+)</td>', dashboard)
    assert rows[0] == other.split("/")[2]  # assigned later, shown first: it has the alert
    assert dashboard.count('class="urgent"') == 1
    assert "Urgent:</strong> Item 9 endorsed" in dashboard


def test_a_second_submission_of_one_occurrence_is_refused(client: TestClient) -> None:
    link = _form_link(client)
    assert client.post(link, data=_answers(), follow_redirects=False).status_code == 303
    again = client.post(link, data=_answers(q9="3"), follow_redirects=False)
    assert again.status_code == 409
    assert client.post(link, json={"answers": {}}).status_code == 409
    assert "Already submitted" in client.get(link).text
    table = client.get("/dashboard").text.split("<h2>Adherence</h2>")[0]
    assert "Urgent" not in table
    assert table.count("PHQ-9 total") == 1


def test_unknown_assignments_and_occurrences_are_not_found(client: TestClient) -> None:
    link = _form_link(client)
    assert client.get("/client/a-nope").status_code == 404
    assert client.get(link.replace("09:00", "10:00")).status_code == 404
    assert client.get("/static/nope.js").status_code == 404


def test_the_database_is_never_written_into_examples(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WK_APP_DATABASE", raising=False)
    TestClient(APP.create_app(clock=lambda: NOW)).get("/therapist")
    assert (tmp_path / "worksheetkit-app.db").is_file()
    assert not list(APP_FILE.parents[1].rglob("*.db"))

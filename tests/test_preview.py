"""The preview server without a browser (Starlette's TestClient): routes, the Host check,
files only from inside the pack, nothing written, broken files shown as diagnostics, and the
server-sent events stream."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("watchfiles")

from starlette.testclient import TestClient

from worksheetkit.preview.app import create_app

ROOT = Path(__file__).resolve().parents[1]
BASE = "http://127.0.0.1:8765"

MOOD = """\
worksheetkit: 1
kind: worksheet
id: clinic.mood-check
version: 1.0.0
title: Mood check
items:
  - {id: mood, type: rating, min: 0, max: 10, label: How is your mood?}
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir()
    shutil.copy(ROOT / "examples/pack.yaml", folder / "pack.yaml")
    (folder / "instruments").mkdir()
    shutil.copy(ROOT / "examples/instruments/phq-9.yaml", folder / "instruments/phq-9.yaml")
    (folder / "worksheets").mkdir()
    for name in ("thought-record.yaml", "body-scan.yaml", "ritual-monitoring.yaml",
                 "exposure-hierarchy.yaml", "exposure-practice-log.yaml"):  # fmt: skip
        shutil.copy(ROOT / "examples/worksheets" / name, folder / "worksheets" / name)
    (folder / "media").mkdir()
    shutil.copy(ROOT / "examples/media/body-outline.svg", folder / "media/body-outline.svg")
    (folder / "pathways").mkdir()
    shutil.copy(
        ROOT / "examples/pathways/ocd-erp-first-month.yaml",
        folder / "pathways/ocd-erp-first-month.yaml",
    )
    (folder / "assignments").mkdir()
    shutil.copy(
        ROOT / "examples/assignments/thought-record-london.yaml",
        folder / "assignments/thought-record-london.yaml",
    )
    (folder / "worksheets/mood-check.yaml").write_text(MOOD, encoding="utf-8")
    (tmp_path / "secret.yaml").write_text("worksheetkit: 1\nsecret: outside\n", encoding="utf-8")
    return folder


@pytest.fixture
def client(pack: Path) -> Iterator[TestClient]:
    with TestClient(create_app(str(pack), watch=False), base_url=BASE) as c:
        yield c


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        + str(p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_home_lists_worksheets_pathways_and_assignments_with_problem_counts(
    client: TestClient,
) -> None:
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    for label in ("Worksheets", "Pathways", "Assignments"):
        assert f"<h2>{label}</h2>" in html
    assert 'href="/view/instruments/phq-9.yaml"' in html
    assert 'href="/view/pathways/ocd-erp-first-month.yaml"' in html
    assert 'href="/view/assignments/thought-record-london.yaml"' in html
    assert "no problems" in html
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_worksheet_view_has_sandboxed_frame_tabs_and_languages(client: TestClient) -> None:
    html = client.get("/view/worksheets/thought-record.yaml").text
    assert 'sandbox="allow-scripts allow-forms"' in html
    assert "allow-same-origin" not in html
    assert 'href="/view/worksheets/thought-record.yaml?lang=es"' in html
    assert 'href="/view/worksheets/thought-record.yaml?width=360"' in html
    for tab in ("printable", "json", "fhir", "schema"):
        assert f'href="/view/worksheets/thought-record.yaml?tab={tab}"' in html
    narrow = client.get("/view/worksheets/thought-record.yaml?width=360&lang=es").text
    assert "width-360" in narrow
    assert "lang=es" in narrow


def test_frame_is_the_standard_form_under_a_strict_policy(client: TestClient) -> None:
    reply = client.get("/pack/", params={"form": "worksheets/thought-record.yaml", "lang": "es"})
    assert reply.status_code == 200
    assert 'lang="es"' in reply.text
    assert "<form" in reply.text
    assert "data-wk-form" in reply.text
    policy = reply.headers["content-security-policy"]
    assert "script-src 'sha256-" in policy
    assert "unsafe-inline" not in policy.split(";")[1]
    assert "form-action 'none'" in policy
    # every inline script in the frame is allowed by its hash, nothing else
    assert reply.text.count("<script>") == 2


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("printable", "<h1>PHQ-9"),
        ("json", "&#34;id&#34;: &#34;instruments.phq-9&#34;"),
        ("fhir", "Questionnaire"),
        ("schema", "$schema"),
    ],
)
def test_tabs(client: TestClient, tab: str, expected: str) -> None:
    reply = client.get(f"/view/instruments/phq-9.yaml?tab={tab}")
    assert reply.status_code == 200
    assert expected in reply.text


def test_printable_never_carries_markup_from_the_worksheet(client: TestClient, pack: Path) -> None:
    (pack / "worksheets/hostile.yaml").write_text(
        MOOD.replace("clinic.mood-check", "clinic.hostile").replace(
            "title: Mood check",
            "title: '<script>alert(1)</script>'\ninstructions: '<img src=x onerror=alert(1)> "
            "[x](javascript:alert(1))'",
        ),
        encoding="utf-8",
    )
    for tab in ("form", "printable", "json"):
        html = client.get(f"/view/worksheets/hostile.yaml?tab={tab}").text
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert 'href="javascript:' not in html


def test_pathway_plan_and_assignment_occurrences_with_ics(client: TestClient) -> None:
    html = client.get("/view/pathways/ocd-erp-first-month.yaml").text
    assert "<h3>Week 1</h3>" in html
    assert "<h3>Week 2</h3>" in html
    assert "Ritual self-monitoring" in html
    html = client.get("/view/assignments/thought-record-london.yaml").text
    assert "main/2026-12-01T20:00" in html
    ics = client.get("/ics/assignments/thought-record-london.yaml")
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.content.startswith(b"BEGIN:VCALENDAR")
    assert b"c-synthetic-01" not in ics.content
    assert client.get("/ics/pathways/ocd-erp-first-month.yaml").content.startswith(b"BEGIN:")


def test_host_header_other_than_the_bound_names_is_refused(pack: Path) -> None:
    app = create_app(str(pack), watch=False)
    with TestClient(app, base_url="http://evil.example:8765") as c:
        assert c.get("/").status_code == 400
        assert c.get("/view/instruments/phq-9.yaml").status_code == 400
    for good in ("http://localhost:8765", "http://127.0.0.1:8765"):
        with TestClient(app, base_url=good) as c:
            assert c.get("/").status_code == 200
    with TestClient(create_app(str(pack), host="192.168.1.5", watch=False),
                    base_url="http://192.168.1.5:8765") as c:  # fmt: skip
        assert c.get("/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/view/../secret.yaml",
        "/view/%2e%2e/secret.yaml",
        "/view/worksheets/%2e%2e/%2e%2e/secret.yaml",
        "/view//etc/passwd",
        "/view/%2fetc%2fpasswd",
        "/pack/../secret.yaml",
        "/pack/%2e%2e/secret.yaml",
        "/pack/%2e%2e%2fsecret.yaml",
        "/ics/%2e%2e/secret.yaml",
        "/view/link-out.yaml",
        "/pack/media/link-out.svg",
        "/view/.hidden.yaml",
        "/pack/pack.yaml",
    ],
)
def test_paths_outside_the_pack_are_refused(client: TestClient, pack: Path, path: str) -> None:
    (pack / "link-out.yaml").symlink_to(pack.parent / "secret.yaml")
    (pack / "media/link-out.svg").symlink_to(pack.parent / "secret.yaml")
    (pack / ".hidden.yaml").write_text(MOOD, encoding="utf-8")
    reply = client.get(path)
    assert reply.status_code in (400, 404)
    assert "outside" not in reply.text.replace("outside the pack", "")
    if path != "/pack/pack.yaml":  # inside the pack, only not a media file
        check = client.post("/api/check", json={"file": path.split("/", 2)[-1], "answers": {}})
        assert check.status_code == 404


def test_frame_refuses_files_outside_the_pack(client: TestClient, pack: Path) -> None:
    for rel in ("../secret.yaml", str(pack.parent / "secret.yaml"), "worksheets/../../secret.yaml"):
        assert client.get("/pack/", params={"form": rel}).status_code == 404


def test_media_inside_the_pack_is_served_sandboxed(client: TestClient) -> None:
    reply = client.get("/pack/media/body-outline.svg")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("image/svg+xml")
    assert "sandbox" in reply.headers["content-security-policy"]
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_check_scores_alerts_and_adherence_credit(client: TestClient) -> None:
    answers = {f"q{i}": 2 for i in range(1, 9)} | {"q9": 1}
    reply = client.post("/api/check", json={"file": "instruments/phq-9.yaml", "answers": answers})
    assert reply.status_code == 200
    data = reply.json()
    assert data["valid"] is True
    assert data["scores"]["total"]["value"] == 17
    assert data["scores"]["total"]["band"] == "Moderately severe"
    assert 'role="alert"' in data["banner"]
    assert "Item 9 endorsed" in data["banner"]
    assert data["adherence"]["status"] == "completed_on_time"
    assert data["adherence"]["credit"] == 1
    partial = client.post(
        "/api/check",
        json={"file": "instruments/phq-9.yaml", "answers": {"q1": 0, "q2": 0, "q3": 1}},
    ).json()
    assert partial["valid"] is False
    assert {d["code"] for d in partial["diagnostics"]} == {"WK402"}
    assert partial["adherence"]["status"] == "partial"
    assert partial["adherence"]["credit"] == pytest.approx(3 / 9)
    assert partial["banner"].strip() == ""


def test_check_rejects_bad_requests(client: TestClient) -> None:
    assert client.post("/api/check", content=b"{not json").status_code == 400
    assert client.post("/api/check", json=[1, 2]).status_code == 400
    assert client.post("/api/check", content=b" " * (1024 * 1024 + 1)).status_code == 413
    foreign = client.post(
        "/api/check",
        json={"file": "instruments/phq-9.yaml", "answers": {}},
        headers={"Origin": "http://evil.example"},
    )
    assert foreign.status_code == 403
    assert client.get("/api/check").status_code == 405


def test_no_request_writes_to_disk(client: TestClient, pack: Path) -> None:
    before = _tree(pack)
    for url in (
        "/",
        "/view/instruments/phq-9.yaml",
        "/view/instruments/phq-9.yaml?tab=printable",
        "/view/instruments/phq-9.yaml?tab=fhir",
        "/view/pathways/ocd-erp-first-month.yaml",
        "/ics/assignments/thought-record-london.yaml",
        "/pack/?form=instruments/phq-9.yaml",
    ):
        assert client.get(url).status_code == 200
    for method in ("PUT", "DELETE", "PATCH"):
        assert client.request(method, "/view/instruments/phq-9.yaml").status_code == 405
    reply = client.post("/api/check", json={"file": "instruments/phq-9.yaml", "answers": {"q1": 3}})
    assert reply.status_code == 200
    assert _tree(pack) == before


def test_broken_yaml_shows_diagnostics_instead_of_the_form(client: TestClient, pack: Path) -> None:
    target = pack / "worksheets/mood-check.yaml"
    target.write_text(MOOD + "  - {id: sleep, type: yesno, lable: Slept well?\n", encoding="utf-8")
    app_studio = client.app.state.studio  # type: ignore[attr-defined]
    app_studio.mark_changed([str(target)])
    html = client.get("/view/worksheets/mood-check.yaml").text
    assert "form-frame" not in html
    assert "worksheets/mood-check.yaml:9:1" in html  # the end of the file: '}' is missing
    assert "WK003" in html
    assert "lable: Slept well?" in html
    assert 'class="caret"' in html
    assert "1 error" in client.get("/").text
    assert client.get("/pack/", params={"form": "worksheets/mood-check.yaml"}).status_code == 404
    assert (
        client.post(
            "/api/check", json={"file": "worksheets/mood-check.yaml", "answers": {}}
        ).status_code
        == 409
    )
    target.write_text(MOOD, encoding="utf-8")
    app_studio.mark_changed([str(target)])
    assert "form-frame" in client.get("/view/worksheets/mood-check.yaml").text


def test_model_error_points_at_the_line_and_column(client: TestClient, pack: Path) -> None:
    target = pack / "worksheets/mood-check.yaml"
    target.write_text(MOOD + "  - {id: sleep, type: yesno, lable: Slept well?}\n", encoding="utf-8")
    client.app.state.studio.mark_changed([str(target)])  # type: ignore[attr-defined]
    html = client.get("/view/worksheets/mood-check.yaml").text
    assert "worksheets/mood-check.yaml:8:30" in html
    assert "WK103" in html
    assert "Did you mean" in html
    assert " " * 29 + "^" in html


def test_sse_stream_emits_on_a_change(pack: Path) -> None:
    app = create_app(str(pack))  # with the watcher
    with TestClient(app, base_url=BASE) as c:
        studio = app.state.studio
        start = studio.generation
        (pack / "worksheets/mood-check.yaml").write_text(
            MOOD + "  - {id: sleep, type: yesno, label: Slept well?}\n", encoding="utf-8"
        )
        for _ in range(400):  # bounded by steps: wait for the watcher to notice
            if studio.generation > start:
                break
            time.sleep(0.025)
        assert studio.generation > start
        with c.stream("GET", f"/events?since={start}&limit=1") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            body = "".join(stream.iter_text())
        assert "event: change" in body
        assert "worksheets/mood-check.yaml" in body


def test_sse_stream_waits_for_the_next_change(pack: Path) -> None:
    app = create_app(str(pack), watch=False)
    with TestClient(app, base_url=BASE) as c:
        studio = app.state.studio
        subscribers = app.state.subscribers

        def change() -> None:
            for _ in range(400):  # bounded: wait for the stream to subscribe
                if subscribers:
                    break
                time.sleep(0.01)
            generation = studio.mark_changed([str(pack / "pack.yaml")])
            for queue in list(subscribers):
                c.portal.call(queue.put, generation)  # type: ignore[union-attr]

        threading.Thread(target=change, daemon=True).start()
        with c.stream("GET", f"/events?since={studio.generation}&limit=1") as stream:
            body = "".join(stream.iter_text())
        assert 'event: change\ndata: {"generation": 1, "changed": ["pack.yaml"]}' in body


def test_the_cli_refuses_without_the_extra(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['starlette'] = None\n"
        "from worksheetkit.cli import main\n"
        f"main(['preview', {str(tmp_path)!r}, '--no-open'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "worksheetkit[preview]" in proc.stderr


def test_the_cli_warns_on_a_network_host(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from worksheetkit.cli import cmd_preview

    assert cmd_preview._is_loopback("127.0.0.1")
    assert cmd_preview._is_loopback("::1")
    assert not cmd_preview._is_loopback("0.0.0.0")
    result = CliRunner().invoke(
        cmd_preview.command, [str(tmp_path / "missing"), "--no-open", "--host", "0.0.0.0"]
    )
    assert result.exit_code == 2
    assert "no such folder" in result.output


def test_the_cli_refuses_a_port_in_use(pack: Path) -> None:
    import socket

    from click.testing import CliRunner

    from worksheetkit.cli import cmd_preview

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            cmd_preview.command, [str(pack), "--no-open", "--port", str(port)]
        )
    assert result.exit_code == 2
    assert "cannot listen on 127.0.0.1" in result.output


@pytest.mark.slow  # starts processes or lays out PDFs: seconds
def test_the_cli_serves_the_pack_on_loopback(pack: Path) -> None:
    import httpx

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "worksheetkit", "preview", str(pack), "--port", "0", "--no-open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # "Previewing … at http://127.0.0.1:PORT/ …"
        assert first.startswith("Previewing ")
        url = first.split(" at ", 1)[1].split(" ", 1)[0]
        assert url.startswith("http://127.0.0.1:")
        for _ in range(200):  # bounded: wait until uvicorn accepts connections
            try:
                reply = httpx.get(url, timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert reply.status_code == 200
        assert "Mood check" in reply.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_hard_links_and_pipes_in_the_pack_are_not_served(client: TestClient, pack: Path) -> None:
    # Discovery's WK220 rules hold for the server too: a hard link can name a file outside the
    # pack, and reading a pipe would hang the server.
    os.link(pack.parent / "secret.yaml", pack / "media/hard.svg")
    os.mkfifo(pack / "media/pipe.svg")
    for path in ("/pack/media/hard.svg", "/pack/media/pipe.svg", "/view/media/hard.svg"):
        reply = client.get(path)
        assert reply.status_code == 404, path
        assert "secret" not in reply.text


@pytest.mark.slow  # starts processes or lays out PDFs: seconds
def test_printable_tab_links_the_pdf_handout(client: TestClient) -> None:
    page = client.get("/view/worksheets/thought-record.yaml", params={"tab": "printable"})
    assert 'href="/pdf/worksheets/thought-record.yaml?lang=en&amp;paper=a4"' in page.text
    assert "paper=letter" in page.text
    reply = client.get("/pdf/worksheets/thought-record.yaml", params={"paper": "letter"})
    if reply.status_code == 501:  # WeasyPrint not installed: the reply says what to install
        assert "worksheetkit[pdf]" in reply.text
        return
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.content.startswith(b"%PDF-")
    from worksheetkit.rendering import render_pdf
    from worksheetkit.validation import load

    letter = render_pdf(load(ROOT / "examples/worksheets/thought-record.yaml"), paper="letter")
    assert reply.content == letter  # the same handout `render --to pdf --paper letter` writes
    assert client.get("/pdf/../secret.yaml").status_code == 404
    assert client.get("/pdf/media/body-outline.svg").status_code == 404

"""The progress bar: on a terminal for large runs, never when output is piped."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from worksheetkit.cli import reporting

WS = "worksheetkit: 1\nid: t.w{n}\nversion: 1.0.0\ntitle: W\nitems: [{{type: note, text: Hi}}]\n"


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with reporting.progress_callback(enabled=True) as update:
        assert update is None


def test_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    with reporting.progress_callback(enabled=True) as update:
        assert update is not None
        update(1, reporting.PROGRESS_THRESHOLD + 10)  # draws without raising


def test_piped_run_prints_no_progress(tmp_path: Path) -> None:
    for n in range(reporting.PROGRESS_THRESHOLD + 5):
        (tmp_path / f"w{n:03d}.yaml").write_text(WS.format(n=n), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "worksheetkit", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stderr == ""
    assert out.stdout.strip().endswith("0 errors, 0 warnings")

"""The command line run in this process: ``run_cli(*args)`` (``from clirun import run_cli``).

It gives what ``subprocess.run([sys.executable, "-m", "worksheetkit", *args], capture_output=True,
text=True)`` gives (a ``CompletedProcess`` with ``returncode``, ``stdout`` and ``stderr`` kept
apart) without starting an interpreter and importing worksheetkit again: about 0.4 s of CPU per
call. An exception that escapes the command becomes exit code 1 and a ``Traceback`` on stderr,
as it would in a real process, so "no traceback" assertions keep their meaning.

Start a real process only where the process is what the test is about: exit codes through the
installed entry point, what a fresh interpreter imports, a timeout that guards against a hang,
whether output is a terminal.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import traceback
from pathlib import Path

from click.testing import CliRunner

from worksheetkit.cli import cli


def run_cli(
    *args: str | os.PathLike[str], cwd: str | os.PathLike[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``worksheetkit *args`` in this process, in ``cwd`` when given."""
    argv = [os.fspath(a) for a in args]
    runner = CliRunner()  # click 8.2+: stdout and stderr apart, as a process has them
    with contextlib.chdir(Path(cwd)) if cwd is not None else contextlib.nullcontext():
        result = runner.invoke(cli, argv, prog_name="worksheetkit", env={"NO_COLOR": "1"})
    stderr = result.stderr
    code = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        stderr += "".join(traceback.format_exception(*result.exc_info))
        code = 1
    return subprocess.CompletedProcess(["worksheetkit", *argv], code, result.stdout, stderr)

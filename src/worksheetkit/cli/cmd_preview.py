"""``worksheetkit preview [PACK]``: a local studio that shows a pack live while you edit it."""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import webbrowser
from pathlib import Path

import click

from ._common import EXIT_USAGE, fail_usage

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _missing_extra() -> str | None:
    for module in ("starlette", "uvicorn", "watchfiles"):
        try:
            __import__(module)
        except ImportError:
            return module
    return None


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        fail_usage(f"cannot listen on {host}:{port}: {exc.strerror or exc} (try --port 0)")
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


@click.command(name="preview")
@click.argument("pack", required=False, type=click.Path(file_okay=False))
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but this computer shows the pack to the network.",
)
@click.option("--no-open", is_flag=True, help="Do not open a web browser.")
def command(pack: str | None, port: int, host: str, no_open: bool) -> None:
    """Preview a pack live: forms, diagnostics, printables, plans; follows your edits.

    PACK is the pack folder (default: the nearest folder upwards holding pack.yaml, else the
    current folder). The server is read-only and listens on 127.0.0.1 unless --host says
    otherwise. Stop it with Ctrl+C.
    """
    missing = _missing_extra()
    if missing is not None:
        click.echo(
            f"worksheetkit: error: preview needs the optional '{missing}' package: "
            "install worksheetkit[preview] (pip install 'worksheetkit[preview]')",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    from ..validation import find_pack_root

    if pack is None:
        root = find_pack_root(Path.cwd()) or Path.cwd()
    else:
        root = Path(pack)
        if not root.is_dir():
            fail_usage(f"no such folder: {pack}")
    if not _is_loopback(host):
        click.echo(
            f"worksheetkit: warning: listening on {host}: anyone who can reach this computer on "
            "that network can read the pack. Use the default (127.0.0.1) unless you mean it.",
            err=True,
        )

    import uvicorn

    from ..preview.app import create_app

    sock = _bind(host, port)
    actual = sock.getsockname()[1]
    # A wildcard address is reached through this computer's own name for the browser.
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - not a bind
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{actual}/"
    app = create_app(str(root.resolve()), host=host)
    click.echo(f"Previewing {root.resolve()} at {url} (Ctrl+C to stop)")
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    if not no_open:
        threading.Timer(0.8, lambda: webbrowser.open(url)).start()
    server.run(sockets=[sock])

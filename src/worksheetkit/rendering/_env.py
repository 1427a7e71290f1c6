"""The forms' Jinja2 environment: one per process (per template folder), made by the one
factory (``worksheetkit._templates``: autoescape, ``StrictUndefined``)."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup, escape

from .._templates import make_environment


def esc(value: object) -> Markup:
    """HTML-escape with quotes as ``html.escape`` writes them (``&quot;``, ``&#x27;``): the
    forms' attribute values and texts, byte for byte as they have always been written."""
    out = escape(str(value))  # & < > " ' (as &#34; and &#39;), in C
    if "&#3" in out:
        return Markup(str(out).replace("&#34;", "&quot;").replace("&#39;", "&#x27;"))  # noqa: S704
    return out


@cache
def _environment(template_dir: str | None) -> Environment:
    env = make_environment(
        "worksheetkit.rendering", template_dir=template_dir, keep_trailing_newline=True
    )
    env.filters["esc"] = esc
    return env


def environment(template_dir: str | os.PathLike[str] | None = None) -> Environment:
    """The shared environment (templates compiled once and cached by Jinja2). A user folder
    overrides individual templates by file name; everything else comes from the package."""
    key = None if template_dir is None else str(Path(template_dir).resolve())
    if key is not None and not Path(key).is_dir():
        raise FileNotFoundError(f"not a folder: {template_dir}")
    return _environment(key)


def _asset(name: str) -> str:
    return resources.files("worksheetkit.rendering").joinpath("assets", name).read_text("utf-8")


@cache
def stylesheet() -> str:
    """The worksheet stylesheet (CSS custom properties for theming; see docs/rendering.md)."""
    return _asset("worksheet.css")


@cache
def runtime_script() -> str:
    """The browser runtime: the expression evaluator (static/expr.js, kept out of the global
    scope) and the form behaviour, exposing one global, ``window.worksheetkit``."""
    expr = resources.files("worksheetkit").joinpath("static", "expr.js").read_text("utf-8")
    runtime = _asset("runtime.js")
    script = (
        "(function () {\n"
        '"use strict";\n'
        "if (window.worksheetkit) { window.worksheetkit.init(); return; }\n"
        "var exprScope = {};\n"
        "(function (window) {\n" + expr + "\n})(exprScope);\n"
        "var worksheetkitExpr = exprScope.worksheetkitExpr;\n" + runtime + "\n})();\n"
    )
    lowered = script.lower()
    if "</script" in lowered or "<!--" in lowered:
        raise RuntimeError("the runtime script must not contain '</script' or '<!--'")
    return script


@dataclass(frozen=True)
class Runtime:
    """The browser runtime as a file to serve (``include_runtime=False``).

    ``text`` is the script (UTF-8, no ``<script>`` element); ``filename`` a name that changes
    with its content (``worksheetkit-<hash>.js``: cache it forever); ``sha384_integrity`` the
    value of a ``<script integrity>`` attribute (Subresource Integrity); ``csp_hash`` the
    ``'sha256-…'`` source that allows the same text as an inline script under a
    Content-Security-Policy; ``media_type`` what to send it as."""

    text: str
    filename: str
    sha384_integrity: str
    csp_hash: str
    media_type: str = "text/javascript; charset=utf-8"

    @property
    def bytes(self) -> bytes:
        return self.text.encode("utf-8")


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


@cache
def runtime() -> Runtime:
    """The runtime script with its hashes (see :class:`Runtime`)."""
    text = runtime_script()
    data = text.encode("utf-8")
    return Runtime(
        text=text,
        filename=f"worksheetkit-{hashlib.sha256(data).hexdigest()[:12]}.js",
        sha384_integrity="sha384-" + _b64(hashlib.sha384(data).digest()),
        csp_hash="'sha256-" + _b64(hashlib.sha256(data).digest()) + "'",
    )

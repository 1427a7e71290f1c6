"""The forms' Jinja2 environment: one per process (per template folder), made by the one
factory (``worksheetkit._templates``: autoescape, ``StrictUndefined``)."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from html import escape as html_escape
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from .._templates import make_environment

# ``str.__new__(Markup, text)``: a Markup of text that is already escaped, without the
# ``__html__`` probe Markup() makes (the text here is always a plain str).
_as_markup: Callable[[str], Markup] = partial(str.__new__, Markup)


def esc(value: object) -> Markup:
    """HTML-escape with quotes as ``html.escape`` writes them (``&quot;``, ``&#x27;``): the
    forms' attribute values and texts, byte for byte as they have always been written."""
    # html.escape itself (& < > " '), wrapped without Markup.__new__'s Python-level checks:
    # the filter runs ~500 times a 30-item render, and this is 40 % cheaper a call than
    # markupsafe's escape plus the quote rewrite (about 0.1 ms a render, 2026-12-04).
    return _as_markup(html_escape(value if type(value) is str else str(value)))


class Kept(Markup):
    """Trusted markup (our stylesheet, our script, the body our templates wrote) that keeps
    its text as a plain ``str`` too, and gives that from ``__html__`` and ``__str__``.

    ``{{ body }}`` in an autoescaped template runs markupsafe's ``escape``, which makes a new
    Markup of ``value.__html__()``; a plain Markup there is copied twice (its ``__str__`` copy,
    then the new Markup), this once. A page carries about 130 KiB of such text (runtime,
    stylesheet, then the whole body in page.html.j2): copying it is 12 % of a 30-item render,
    and this halves it (2026-12-04). It is a Markup in every other way, so a template that
    filters or measures it behaves as before."""

    _text: str

    def __new__(cls, text: str = "") -> Kept:
        plain = str(text)  # an exact str (a Markup's __str__ copies it to one)
        self = str.__new__(cls, plain)
        self._text = plain
        return self

    def __html__(self) -> str:  # type: ignore[override]
        return self._text

    def __str__(self) -> str:
        return self._text


@cache
def kept_runtime() -> Kept:
    """The runtime script as :class:`Kept` markup, made once."""
    return Kept(runtime_script())


@cache
def kept_stylesheet() -> Kept:
    """The stylesheet as :class:`Kept` markup, made once."""
    return Kept(stylesheet())


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


# The package's own files, read beside its modules. Not through importlib.resources: importing
# it (tempfile, shutil, bz2, lzma) and its first ``files()`` (importlib.readers, zipfile) were
# about 6 ms of every `worksheetkit render` process, ~2 % of it (2026-12-05). The package is
# always a folder on disk (Jinja2's PackageLoader reads the templates beside it the same way).
_HERE = Path(__file__).parent


def _asset(name: str) -> str:
    return _HERE.joinpath("assets", name).read_text("utf-8")


@cache
def stylesheet() -> str:
    """The worksheet stylesheet (CSS custom properties for theming; see docs/rendering.md)."""
    return _asset("worksheet.css")


@cache
def runtime_script() -> str:
    """The browser runtime: the expression evaluator (static/expr.js, kept out of the global
    scope) and the form behaviour, exposing one global, ``window.worksheetkit``."""
    expr = _HERE.parent.joinpath("static", "expr.js").read_text("utf-8")
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

"""The one Jinja2 environment factory: every template environment of worksheetkit is made here.

It owns the security policy, the same for forms, reports, the site and the preview server:

- **autoescape by extension**: a template whose name ends in ``.html``, ``.htm`` or ``.xml``
  (optionally followed by ``.j2``) is HTML-escaped; one ending in ``.md`` or ``.txt`` (the same)
  is not — Markdown templates escape with the ``md`` filter instead; any other name, and a
  template made from a string, is escaped (fail closed);
- ``StrictUndefined``: a misspelt or missing name raises instead of rendering as nothing;
- one set of filters: ``md`` (the one Markdown escaper, ``_text.md_escape``) and ``safe_json``
  (JSON text that can sit inside ``<script>`` or an attribute).

Callers choose only where templates come from and the whitespace options, so each output keeps
its bytes. Compiled templates are kept between processes in the user's cache folder
(:func:`cache_dir`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Sequence
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from ._text import md_escape as _md_escape
from ._version import __version__

__all__ = [
    "ESCAPED_EXTENSIONS",
    "UNESCAPED_EXTENSIONS",
    "cache_dir",
    "make_environment",
    "md",
    "safe_json",
]

#: Template names ending in one of these are HTML-escaped (with or without a trailing ``.j2``).
ESCAPED_EXTENSIONS = ("html", "htm", "xml")
#: Template names ending in one of these are text for Markdown or plain text: not HTML-escaped.
UNESCAPED_EXTENSIONS = ("md", "txt")

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", ord("'"): "\\u0027"}


def safe_json(text: str) -> Markup:
    """JSON text that can sit inside ``<script>`` or an attribute: ``< > & '`` escaped."""
    return Markup(text.translate(_JSON_ESCAPES))  # noqa: S704 - escaped just above


def md(value: object) -> str:
    """Text as literal Markdown on one line: the one escaper (``<>&`` become character
    references, Markdown markup characters are backslash-escaped)."""
    return _md_escape(str(value))


def _with_j2(extensions: Sequence[str]) -> tuple[str, ...]:
    return tuple(extensions) + tuple(f"{ext}.j2" for ext in extensions)


_AUTOESCAPE = select_autoescape(
    enabled_extensions=_with_j2(ESCAPED_EXTENSIONS),
    disabled_extensions=_with_j2(UNESCAPED_EXTENSIONS),
    default_for_string=True,
    default=True,
)


def cache_dir() -> Path | None:
    """Where compiled templates are kept between processes: ``worksheetkit/templates-<version>``
    in the user's cache folder (``$XDG_CACHE_HOME``, else ``~/.cache``), private to the user;
    None when ``WORKSHEETKIT_NO_CACHE`` is set or no such folder can be had.

    Compiling the three form templates is about 0.1 s of every ``worksheetkit render`` process
    (2026-12-04); Jinja2's bytecode cache loads them instead. Each entry is keyed by the
    template's name and file and the environment's whitespace options, and carries the SHA-1 of
    its source, checked on every load, so a changed template (a user's ``--templates`` folder
    too) is compiled again; the folder name carries the package version, and Jinja2 adds its own
    and Python's. The output is the same with or without it. Only templates are cached — never
    author text, which is data. A folder that another user owns or can write to is not used
    (an entry is code that gets run).
    """
    if os.environ.get("WORKSHEETKIT_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "worksheetkit" / f"templates-{__version__}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return None
    getuid = getattr(os, "getuid", None)
    if getuid is not None and (info.st_uid != getuid() or info.st_mode & 0o022):
        return None
    return folder if os.access(folder, os.W_OK) else None


class _TemplateCache(FileSystemBytecodeCache):
    """Jinja2's file cache, where a broken or unwritable entry only means compiling again."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            # A truncated or foreign file (what reading a marshal/pickle stream raises on
            # one): compile the template instead.
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # a full disk or a removed folder: no cache
            super().dump_bytecode(bucket)


def _bytecode_cache(options: str) -> _TemplateCache | None:
    folder = cache_dir()
    if folder is None:
        return None
    # Compiled code depends on the whitespace options: one file name per set of them.
    tag = hashlib.sha1(options.encode(), usedforsecurity=False).hexdigest()[:8]
    return _TemplateCache(str(folder), f"__jinja2_{tag}_%s.cache")


def make_environment(
    package: str,
    *,
    template_dir: str | None = None,
    trim_blocks: bool = False,
    lstrip_blocks: bool = False,
    keep_trailing_newline: bool = False,
) -> Environment:
    """A new environment for the ``templates`` folder of ``package`` (for example
    ``"worksheetkit.reports"``). ``template_dir``, a folder, overrides individual templates by
    file name. The whitespace options are Jinja2's; everything else is the policy above.
    Callers cache the result (templates are compiled once per environment)."""
    loader: BaseLoader = PackageLoader(package, "templates")
    if template_dir is not None:
        loader = ChoiceLoader([FileSystemLoader(template_dir), loader])
    env = Environment(
        loader=loader,
        autoescape=_AUTOESCAPE,  # noqa: S701 - select_autoescape, on unless .md or .txt
        undefined=StrictUndefined,
        trim_blocks=trim_blocks,
        lstrip_blocks=lstrip_blocks,
        keep_trailing_newline=keep_trailing_newline,
        auto_reload=False,
        bytecode_cache=_bytecode_cache(f"{trim_blocks} {lstrip_blocks} {keep_trailing_newline}"),
    )
    env.filters["md"] = md
    env.filters["safe_json"] = safe_json
    return env

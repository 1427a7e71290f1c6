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
its bytes. A compiled-template cache, when one is added, belongs here too.
"""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from ._text import md_escape as _md_escape

__all__ = ["ESCAPED_EXTENSIONS", "UNESCAPED_EXTENSIONS", "make_environment", "md", "safe_json"]

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
    )
    env.filters["md"] = md
    env.filters["safe_json"] = safe_json
    return env

"""Rendering worksheets and responses: accessible HTML forms, printable Markdown, canonical JSON.

``render(obj, to="html"|"markdown"|"json", language=None, fragment=False, template_dir=None)``
returns a string; ``render_pdf(obj, language=None, paper="a4"|"letter")`` returns the printable
page as PDF bytes (the ``pdf`` extra, WeasyPrint); ``render_with_diagnostics`` also returns the warnings (``WK601``: a text has
no translation in the requested language and the default language is shown). A filled-in
response needs its worksheet: ``render(response, worksheet=ws)`` or ``render((ws, response))``.
See ``docs/rendering.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:  # pragma: no cover
    from .._text import MISSING_TRANSLATION, direction, is_rtl
    from ._alerts import response_alerts
    from ._canonical import canonical_data, canonical_yaml, worksheet_to_yaml, worksheet_yaml_data
    from ._canonical import canonical_json as canonical_json
    from ._env import Runtime, runtime, runtime_script, stylesheet
    from ._forms import response_from_form, response_from_form_with_diagnostics
    from ._markdown import printable_markdown
    from ._pdf import INSTALL_HINT, PdfUnavailable, html_to_pdf, pdf_available
    from ._render import FORMATS as FORMATS
    from ._render import Drafts, Format, Paper, render, render_pdf, render_with_diagnostics
    from ._render import problems_from as problems_from

# Besides the public API, the names other worksheetkit packages use: the PDF engine (CLI,
# site, preview), a response's raised alerts (site), Markdown rebuilt inert (FHIR export) and
# a worksheet as YAML text (FHIR import).
__all__ = [
    "INSTALL_HINT",
    "MISSING_TRANSLATION",
    "Drafts",
    "Format",
    "Paper",
    "PdfUnavailable",
    "Runtime",
    "canonical_data",
    "canonical_yaml",
    "direction",
    "html_to_pdf",
    "is_rtl",
    "pdf_available",
    "printable_markdown",
    "render",
    "render_pdf",
    "render_with_diagnostics",
    "response_alerts",
    "response_from_form",
    "response_from_form_with_diagnostics",
    "runtime",
    "runtime_script",
    "stylesheet",
    "worksheet_to_yaml",
    "worksheet_yaml_data",
]

# Each name is imported from its module on first use (PEP 562, as the top-level package does):
# ``fhir import`` needs only the YAML writer, and importing the renderers brought Jinja2,
# markupsafe and the form views with them — about 0.06 s of CPU of every `fhir import`
# process (2026-12-04).
_LAZY: dict[str, str] = {
    "canonical_data": "_canonical",
    "canonical_json": "_canonical",
    "canonical_yaml": "_canonical",
    "worksheet_to_yaml": "_canonical",
    "worksheet_yaml_data": "_canonical",
    "Drafts": "_render",
    "FORMATS": "_render",
    "Format": "_render",
    "INSTALL_HINT": "_pdf",
    "MISSING_TRANSLATION": ".._text",
    "Paper": "_render",
    "PdfUnavailable": "_pdf",
    "Runtime": "_env",
    "direction": ".._text",
    "html_to_pdf": "_pdf",
    "is_rtl": ".._text",
    "pdf_available": "_pdf",
    "printable_markdown": "_markdown",
    "problems_from": "_render",
    "render": "_render",
    "render_pdf": "_render",
    "render_with_diagnostics": "_render",
    "response_alerts": "_alerts",
    "response_from_form": "_forms",
    "response_from_form_with_diagnostics": "_forms",
    "runtime": "_env",
    "runtime_script": "_env",
    "stylesheet": "_env",
}


__getattr__, __dir__ = lazy_names(__name__, globals(), _LAZY, __all__)

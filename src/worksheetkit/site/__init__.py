"""A static site of a pack: every worksheet as a form (print-first), a PDF handout, Markdown
text and JSON; each pathway's timeline and calendar; adherence reports and filled-in views of the
sample data. Every page links back to the index; translated pages link each other. Works from
file://."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from .._dates import date_problem
from .._results import JsonResult
from .._templates import make_environment
from ..codes import Code
from ..errors import Diagnostic, WorksheetError
from ..model import Assignment, Pathway, Plan, text_in
from ..validation import LoadedPack, load_pack, page_name

__all__ = ["SiteError", "SiteResult", "build_site"]

MARKER = ".worksheetkit-site"  # written into every site folder: only such folders are replaced


class SiteError(ValueError):
    """The output folder cannot be used (it is the pack, holds it, or is not a site)."""


DEMO_START = dt.date(2026, 12, 7)  # a Monday: example pathway enrolments start here
DEMO_ZONE = "Europe/London"


@dataclass(frozen=True)
class SiteResult(JsonResult):
    """The site's folder, the pages written, problems and notes. ``to_dict()``/``to_json()``/
    ``from_dict()``: schema ``site`` (paths as text)."""

    out: Path
    pages: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Things a person building the site should know once (e.g. PDFs left out: no WeasyPrint).
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _env() -> Environment:
    return make_environment(
        "worksheetkit.site", trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
    )


def _slug(ident: str, version: str, language: str | None = None) -> str:
    """A page name: validation's ``page_name``, so WK228 reports every collision first."""
    return page_name(ident, version, language)


class _Builder:
    def __init__(self, pack: LoadedPack, out: Path) -> None:
        self.pack = pack
        self.out = out
        self.result = SiteResult(out)
        self.written: set[str] = set()
        self.language = pack.manifest.language if pack.manifest else "en"
        from ..rendering import INSTALL_HINT, pdf_available

        self.pdf = pdf_available()
        if not self.pdf:
            self.result.notes.append(f"PDF handouts were left out of the site. {INSTALL_HINT}")

    def write(self, rel: str, content: str | bytes) -> None:
        path = self.out / rel
        # Names come from ids in the pack; whatever they contain, nothing leaves the site folder.
        if not path.resolve().is_relative_to(self.out.resolve()):
            raise SiteError(f"refusing to write outside the site folder: {rel}")
        # Never replace a page written earlier in this build (case-folded: some disks fold).
        if rel.lower() in self.written:
            raise SiteError(f"two pages of this site would both be written to {rel}")
        self.written.add(rel.lower())
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        self.result.pages.append(path)

    def page(self, rel: str, **context: Any) -> None:
        depth = rel.count("/")
        html = (
            _env()
            .get_template("site.html.j2")
            .render(root="../" * depth, lang=self.language, **context)
        )
        self.write(rel, html)

    def worksheets(self) -> list[dict[str, Any]]:
        from ..rendering import html_to_pdf, render, render_with_diagnostics

        rows: list[dict[str, Any]] = []
        for ws in self.pack.worksheets:
            slug = _slug(ws.id, ws.version)
            languages = [ws.language, *(x for x in ws.languages or [] if x != ws.language)]
            versions = [
                {"lang": lang, "name": _LANGUAGE_NAMES.get(lang, lang),
                 "href": f"{slug}.html" if lang == ws.language
                         else f"{_slug(ws.id, ws.version, lang)}.html"}
                for lang in languages
            ]  # fmt: skip
            translations = []
            for lang in languages:
                if lang == ws.language:
                    html, problems = render_with_diagnostics(ws, to="html")
                    self.result.diagnostics.extend(problems)
                    name = slug
                else:
                    html = render(ws, to="html", language=lang)
                    name = _slug(ws.id, ws.version, lang)
                    translations.append(
                        {"lang": lang, "href": f"worksheets/{name}.html",
                         "name": _LANGUAGE_NAMES.get(lang, lang)}
                    )  # fmt: skip
                self.write(f"worksheets/{name}.html", _with_nav(html, "../", lang, versions))
                if self.pdf:
                    # The same print-first page (before the site's links are added) on A4.
                    self.write(f"worksheets/{name}.pdf", _pdf_of(html, html_to_pdf))
            self.write(f"worksheets/{slug}.md", render(ws, to="markdown"))
            self.write(f"worksheets/{slug}.json", render(ws, to="json"))
            rows.append(
                {
                    "id": ws.id,
                    "version": ws.version,
                    "title": text_in(ws.title, ws.language),
                    "modalities": ", ".join(tag_words(m) for m in ws.modalities) or "—",
                    "tags": ", ".join(tag_words(t) for t in ws.tags),
                    "minutes": f"{ws.estimated_minutes:g}" if ws.estimated_minutes else "—",
                    "form": f"worksheets/{slug}.html",
                    "pdf": f"worksheets/{slug}.pdf" if self.pdf else None,
                    "markdown": f"worksheets/{slug}.md",
                    "json": f"worksheets/{slug}.json",
                    "translations": translations,
                }
            )
        return rows

    def pathways(self) -> list[dict[str, Any]]:
        from ..scheduling import plan, to_ics

        rows: list[dict[str, Any]] = []
        for pathway in self.pack.pathways:
            slug = _slug(pathway.id, pathway.version)
            assignment = _demo_assignment(pathway)
            self.write(f"pathways/{slug}.ics", to_ics(assignment, pack=self.pack))
            the_plan = plan(assignment, self.pack).to_dict()  # week by week, in words
            hrefs = {s.id: self._step_href(s.worksheet) for s in pathway.steps}
            for step in the_plan["steps"]:
                step["href"] = hrefs.get(step["id"])
            self.page(
                f"pathways/{slug}.html",
                page="pathway",
                title=text_in(pathway.title, pathway.language),
                summary=text_in(pathway.summary, pathway.language),
                plan=the_plan,
                ics=f"{slug}.ics",
            )
            rows.append(
                {
                    "href": f"pathways/{slug}.html",
                    "title": text_in(pathway.title, pathway.language),
                    "steps": len(pathway.steps),
                }
            )
        return rows

    def _step_title(self, ref: str) -> str:
        try:
            ws = self.pack.worksheet(ref)
        except KeyError:
            return ref
        return text_in(ws.title, ws.language)

    def _step_href(self, ref: str) -> str | None:
        try:
            ws = self.pack.worksheet(ref)
        except KeyError:
            return None
        return f"../worksheets/{_slug(ws.id, ws.version)}.html"

    def reports(self) -> list[dict[str, Any]]:
        from ..progress import adherence
        from ..reports import to_html, to_markdown

        # Only lines that `validate` checked and passed (load_pack refuses a pack with errors,
        # and keeps the lines of its response streams that have none).
        responses = [data for _, _, data in self.pack.response_lines]
        rows: list[dict[str, Any]] = []
        for assignment in sorted(self.pack.assignments, key=lambda a: a.id):
            mine = [r for r in responses if r.get("assignment") == assignment.id]
            submitted = [t for r in mine if (t := _moment(r.get("submitted_at"))) is not None]
            if not submitted:
                continue  # drafts only: nothing to report yet
            moment = max(submitted) + dt.timedelta(days=1)
            report = adherence(assignment, mine, moment, pack=self.pack)
            name = _safe_name(assignment.id)
            html = to_html(report, pack=self.pack)
            self.write(f"reports/{name}.html", _with_nav(html, "../", None, []))
            self.write(f"reports/{name}.md", to_markdown(report, pack=self.pack))
            target = assignment.worksheet or assignment.pathway or ""
            rows.append(
                {
                    "href": f"reports/{name}.html",
                    "markdown": f"reports/{name}.md",
                    "title": f"{assignment.id} — {self._step_title(target) if assignment.worksheet else target}",
                }
            )
        return rows

    def responses(self) -> list[dict[str, Any]]:
        from .._text import Localiser
        from ..rendering import render, response_alerts

        rows: list[dict[str, Any]] = []
        for response in self.pack.responses:
            ref = (
                f"{response.worksheet.split('@')[0]}@{response.version}"
                if response.version
                else response.worksheet
            )
            try:
                ws = self.pack.worksheet(ref)
            except KeyError:
                continue
            name = _safe_name(f"{ws.id}-{response.id or len(rows) + 1}")
            self.write(
                f"responses/{name}.html",
                _with_nav(render(response, to="html", worksheet=ws), "../", None, []),
            )
            rows.append(
                {
                    "href": f"responses/{name}.html",
                    "title": f"{text_in(ws.title, ws.language)} ({response.id or name})",
                    # Raised alerts on the index row too, so a clinician sees them first.
                    "alerts": response_alerts(ws, response, Localiser(ws.language, ws.language)),
                }
            )
        return rows


_LANGUAGE_NAMES = {"es": "Español", "en": "English", "fr": "Français", "de": "Deutsch",
                   "pt": "Português", "ar": "العربية"}  # fmt: skip


# Acronyms and names a slug cannot spell; any other tag reads as its words, first one capitalised.
_TAG_WORDS = {"cbt": "CBT", "cbt-i": "CBT-I", "dbt": "DBT", "act": "ACT", "ocd": "OCD",
              "erp": "ERP", "ptsd": "PTSD", "emdr": "EMDR", "cft": "CFT", "mbct": "MBCT",
              "gad": "GAD", "phq": "PHQ", "ba": "BA"}  # fmt: skip


def tag_words(slug: str) -> str:
    """A tag or modality slug as words: ``cbt`` → "CBT", ``behavioural-activation`` →
    "Behavioural activation", ``cbt.thought-record`` → "CBT thought record"."""
    known = _TAG_WORDS.get(slug.lower())
    if known:
        return known
    words = [w for w in re.split(r"[._\s]+", slug) if w]
    out = [_TAG_WORDS.get(w.lower()) or w.replace("-", " ") for w in words]
    text = " ".join(out)
    return text[:1].upper() + text[1:] if text else slug


_NAV_CSS = Markup(
    '<style>.wk-site-nav{font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;'
    "max-width:44rem;box-sizing:border-box;margin:0 auto;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1.5rem}"
    ".wk-site-nav a{color:#1d4f91}.wk-site-nav a:focus-visible{outline:3px solid #fd0;"
    "background:#fd0;color:#0b0c0c}.wk-site-nav ul{list-style:none;margin:0;padding:0;display:flex;"
    "flex-wrap:wrap;gap:.25rem 1rem}@media print{.wk-site-nav{display:none!important}}</style>"
)
# The way back in the page's own language (the index itself is in the pack's language).
_BACK = {"en": "All worksheets and pathways", "es": "Todas las fichas y programas"}
_BODY = re.compile(r"<body[^>]*>")


_PDF_CACHE: OrderedDict[str, bytes] = OrderedDict()
_PDF_CACHE_SIZE = 128  # pages; a PDF handout is tens of kilobytes


def _pdf_of(html: str, convert: Callable[..., bytes]) -> bytes:
    """The A4 PDF of a page, remembered for the last few pages: laying out takes seconds, and
    a rebuild of an unchanged pack (or `preview`) asks for the same pages again. The bytes are
    the same either way (html_to_pdf is deterministic)."""
    key = hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest()
    found = _PDF_CACHE.get(key)
    if found is None:
        found = convert(html, paper="a4")
        _PDF_CACHE[key] = found
        while len(_PDF_CACHE) > _PDF_CACHE_SIZE:
            _PDF_CACHE.popitem(last=False)
    else:
        _PDF_CACHE.move_to_end(key)
    return found


def _with_nav(html: str, root: str, current: str | None, versions: list[dict[str, str]]) -> str:
    """A page the renderer made, with the site's links added at the top: back to the index and,
    for a translated worksheet, to each language version. Hidden on paper (and never in the PDF)."""
    back = _BACK.get((current or "en").split("-")[0], _BACK["en"])
    parts = [Markup('<nav class="wk-site-nav" aria-label="Site"><a href="{}index.html">'
                    "← {}</a>").format(root, back)]  # fmt: skip
    if len(versions) > 1:
        links = []
        for v in versions:
            if v["lang"] == current:
                links.append(Markup('<li><a href="{}" hreflang="{}" lang="{}" aria-current="page">'
                                    "<strong>{}</strong></a></li>").format(
                                        v["href"], v["lang"], v["lang"], v["name"]))  # fmt: skip
            else:
                links.append(Markup('<li><a href="{}" hreflang="{}" lang="{}">{}</a></li>').format(
                    v["href"], v["lang"], v["lang"], v["name"]))  # fmt: skip
        parts.append(Markup('<ul aria-label="Language">{}</ul>').format(Markup("").join(links)))
    nav = Markup("").join(parts) + Markup("</nav>")
    match = _BODY.search(html)
    if match is None:
        return html
    head, body = html[: match.start()], html[match.end() :]
    if "</head>" in head:
        head = head.replace("</head>", f"{_NAV_CSS}</head>", 1)
    return f"{head}{match.group(0)}\n{nav}{body}"


def _demo_assignment(pathway: Pathway) -> Assignment:
    return Assignment(
        worksheetkit=1,
        kind="assignment",
        id=f"demo-{pathway.id}",
        client="c-demo",
        pathway=f"{pathway.id}@{pathway.version}",
        start=DEMO_START,
        timezone=DEMO_ZONE,
        plan=Plan(when="Evening", where="Home", confidence=8),
    )


def _safe_name(text: str) -> str:
    """A file name made from an id: letters, digits, '.', '_' and '-' only; unique and stable.

    An id that is already such a name (lowercase, at most 120 characters) is used as it is.
    Any other id (punctuation replaced, too long, or with capitals that a case-insensitive disk
    would fold) gets a short hash of the exact id appended, so ``a b`` and ``a/b``, or two long
    ids sharing a prefix, never share a page.
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip(".-")
    if name == text and len(name) <= 120 and name == name.lower():
        return name
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{name[:100].rstrip('.-') or 'unnamed'}-{digest}"


def _moment(value: Any) -> dt.datetime | None:
    """An aware timestamp, or None for anything else (drafts, mistakes: validate reports them)."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if date_problem(moment) is not None:
        return None
    return moment if moment.tzinfo is not None else None


def _prepare(root: Path, out: Path) -> None:
    """Make ``out`` an empty site folder, refusing anything that could lose the author's work."""
    from ..loading.files import within

    target = out.resolve()
    # Folders compared by device and inode, not by name: ./x, links and a disk that folds
    # case (PACK for pack) name the same folder.
    if within(root, out):
        raise SiteError(f"{out} holds the pack itself; choose another output folder")
    if within(out, root):
        raise SiteError(
            f"{out} is inside the pack; choose an output folder outside it (e.g. ../site)"
        )
    if target.exists():
        if not target.is_dir():
            raise SiteError(f"{out} is a file, not a folder")
        if any(target.iterdir()) and not (target / MARKER).is_file():
            raise SiteError(
                f"{out} already holds files that worksheetkit did not write; "
                "choose an empty or new folder"
            )
        shutil.rmtree(target)
    target.mkdir(parents=True)
    (target / MARKER).write_text("A site built by worksheetkit; `worksheetkit site` replaces it.\n")


MAX_MEDIA_BYTES = 64 * 1024 * 1024  # one media file; larger ones are not published


def _refused(path: Path, message: str) -> Diagnostic:
    return Diagnostic(
        code=Code.WK220,
        message=message,
        hint="Copy the file itself into media/ (no links, no special files).",
        file=str(path),
        line=1,
        column=1,
    )


def _media_files(pack: LoadedPack, root: Path) -> list[tuple[Path, str]]:
    """The files under ``root/media`` that may be published: ``(path, relative name)``.

    The pack's own discovery (``validation.pack_files``, the one ``validate`` uses) chose
    them: regular files with one name, links only to such files inside the pack. Links to
    folders, links leaving the pack, pipes, devices, sockets and hard links were refused
    there with WK220, never opened.
    """
    media = root / "media"
    found: list[tuple[Path, str]] = []
    for path in pack.files:
        try:
            rel = path.relative_to(media)
        except ValueError:
            continue
        found.append((path, rel.as_posix()))
    return sorted(found, key=lambda pair: pair[1])


def _publish_media(builder: _Builder, root: Path) -> None:
    from ..loading.files import FileRefused, read_bounded

    problems = builder.result.diagnostics
    for path, rel in _media_files(builder.pack, root):
        try:
            content = read_bounded(path, MAX_MEDIA_BYTES, root=root)
        except FileRefused as exc:
            problems.append(_refused(path, exc.message[0].upper() + exc.message[1:] + "."))
            continue
        # Relative media links are relative to the pack; pages live one folder down.
        for folder in ("worksheets", "responses"):
            builder.write(f"{folder}/media/{rel}", content)


def build_site(pack_dir: str | Path, out_dir: str | Path) -> SiteResult:
    """Build the static site of the pack in ``pack_dir`` into ``out_dir`` (replaced)."""
    root = Path(pack_dir)
    pack = load_pack(root, strict=False)
    # Files refused by discovery (WK220) were never read: the rest of the pack is built and
    # they are reported (the command exits 1). Any other error stops the build: a broken
    # worksheet is never published.
    if any(d.severity == "error" and d.code != Code.WK220 for d in pack.diagnostics):
        raise WorksheetError(pack.diagnostics)
    out = Path(out_dir)
    _prepare(root, out)
    builder = _Builder(pack, out)
    builder.result.diagnostics.extend(d for d in pack.diagnostics if d.code == Code.WK220)
    _publish_media(builder, root)
    worksheets = builder.worksheets()
    pathways = builder.pathways()
    reports = builder.reports()
    responses = builder.responses()
    manifest = pack.manifest
    builder.page(
        "index.html",
        page="index",
        title=text_in(manifest.name, builder.language) if manifest else "Worksheet pack",
        description=text_in(manifest.description, builder.language) if manifest else "",
        pack_id=manifest.id if manifest else "",
        pack_version=manifest.version if manifest else "",
        license=manifest.license if manifest else None,
        worksheets=worksheets,
        pathways=pathways,
        reports=reports,
        responses=responses,
        pdf=builder.pdf,
        notes=builder.result.notes,
    )
    return builder.result

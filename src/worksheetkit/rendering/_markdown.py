"""Printable Markdown: a worksheet with room to answer, and a filled-in response for review."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from ..model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    Likert,
    Media,
    Note,
    NumberItem,
    Ranking,
    Rating,
    Section,
    Table,
    TextItem,
    TimeItem,
    Worksheet,
    YesNo,
    display_label,
    item_options,
)
from ._text import Localiser, safe_url
from ._views import _steps, number_text

LINE = "." * 60
SHORT = "." * 24
BOX = "☐"
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~!])")
_LINE_START = re.compile(r"^(\s*)(?:([#>+\-=])|(\d+)([.)]))", re.M)
_MD_LINK = re.compile(r"(\]\(\s*<?)([^)\s>]*)")
_MD_REFERENCE = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*<?)([^\s>]*)", re.M)
_MD_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def esc(text: str) -> str:
    """Plain text (a label, an option) shown literally in Markdown: no emphasis, links, HTML
    or headings can come out of it; line breaks become spaces."""
    text = " ".join(text.split())
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_line_start, text)


def _escape_line_start(m: re.Match[str]) -> str:
    if m.group(2):
        return m.group(1) + "\\" + m.group(2)
    return m.group(1) + m.group(3) + "\\" + m.group(4)


def cell(text: str) -> str:
    return esc(text) or " "


def _target_ok(target: str) -> bool:
    # What a Markdown viewer will follow: entities decoded first (javascript&#58; …).
    return safe_url(html.unescape(target))


def safe_markdown(text: str) -> str:
    """An author's Markdown, passed on with raw HTML and unsafe links neutralised, so the
    output stays safe in a Markdown viewer that allows HTML: ``<`` is escaped (no HTML, no
    autolinks), character references are escaped so they cannot spell a scheme, and inline
    links and reference definitions to anything but http(s) or relative URLs become ``#``."""
    text = text.replace("<", "\\<")
    text = _MD_REFERENCE.sub(
        lambda m: m.group(1) + (m.group(2) if _target_ok(m.group(2)) else "#"), text
    )
    text = _MD_LINK.sub(
        lambda m: m.group(1) + (m.group(2) if _target_ok(m.group(2)) else "#"), text
    )
    return _MD_ENTITY.sub(r"\\\g<0>", text)


def md_url(url: str) -> str:
    """A URL safe to place in ``(<…>)``: characters that could end it are percent-encoded."""
    return quote(url, safe="/:?#[]@!$&'*+,;=%-._~")


class MarkdownWriter:
    def __init__(self, ws: Worksheet, loc: Localiser, ui: dict[str, str]) -> None:
        self.ws = ws
        self.loc = loc
        self.ui = ui
        self.number = 0

    # -- shared --------------------------------------------------------------------------
    def t(self, value: Any, path: str) -> str:
        return esc(self.loc.text(value, path))

    def md(self, value: Any, path: str) -> str:
        return safe_markdown(self.loc.text(value, path).strip())

    def header(self) -> list[str]:
        ws = self.ws
        out = [f"# {self.t(ws.title, '$.title') if ws.title is not None else esc(ws.id)}", ""]
        if ws.summary is not None:
            out += [self.md(ws.summary, "$.summary"), ""]
        if ws.estimated_minutes is not None:
            out += [
                f"*{esc(self.ui['minutes_estimate'].format(n=number_text(ws.estimated_minutes)))}*",
                "",
            ]
        if ws.rationale is not None:
            out += [self.md(ws.rationale, "$.rationale"), ""]
        if ws.instructions is not None:
            out += [self.md(ws.instructions, "$.instructions"), ""]
        return out

    def footer(self) -> list[str]:
        src = self.ws.source
        if src is None:
            return []
        parts = []
        if src.authors:
            parts.append(f"{esc(self.ui['authors'])}: {esc(', '.join(src.authors))}")
        if src.citation:
            parts.append(f"{esc(self.ui['source'])}: {esc(src.citation)}")
        if src.license:
            parts.append(f"{esc(self.ui['licence'])}: {esc(src.license)}")
        if src.copyright:
            parts.append(f"© {esc(src.copyright)}")
        if not parts:
            return []
        return ["---", "", *[f"{p}  " for p in parts[:-1]], parts[-1], ""]

    def label(self, item: Any, path: str) -> str:
        self.number += 1
        text = self.t(display_label(item), f"{path}.label")
        optional = "" if item.required else f" *{esc(self.ui['optional'])}*"
        return f"**{self.number}. {text}**{optional}"

    def walk(self, items: list[Any], path: str, level: int) -> Iterator[tuple[Any, str, int]]:
        for i, item in enumerate(items):
            yield item, f"{path}[{i}]", level
            if isinstance(item, Section):
                yield from self.walk(item.items, f"{path}[{i}].items", level + 1)

    def block(self, item: Any, path: str, level: int) -> list[str] | None:
        """Notes, sections and media (the same in the blank and the filled-in view)."""
        if isinstance(item, Note):
            return [self.md(item.text, f"{path}.text"), ""]
        if isinstance(item, Section):
            out = [f"{'#' * min(level, 6)} {self.t(item.title, f'{path}.title')}", ""]
            if item.help is not None:
                out += [self.md(item.help, f"{path}.help"), ""]
            return out
        if isinstance(item, Media):
            label = self.t(item.label, f"{path}.label") if item.label is not None else ""
            url = md_url(item.url) if safe_url(item.url) else ""
            out = []
            if item.kind == "image" and url:
                alt = self.t(item.alt if item.alt is not None else item.label, f"{path}.alt")
                out += [f"![{alt}](<{url}>)", ""]
            elif url:
                out += [f"[{label or esc(url)}](<{url}>)", ""]
            elif label:
                out += [label, ""]
            if item.caption is not None:
                out += [f"*{self.t(item.caption, f'{path}.caption')}*", ""]
            if item.transcript is not None:
                out += [
                    f"**{esc(self.ui['transcript'])}**",
                    "",
                    self.md(item.transcript, f"{path}.transcript"),
                    "",
                ]
            return out
        return None

    # -- blank worksheet -------------------------------------------------------------------
    def worksheet(self) -> str:
        out = self.header()
        for item, path, level in self.walk(self.ws.items, "$.items", 2):
            blk = self.block(item, path, level)
            if blk is not None:
                out += blk
                continue
            out += [self.label(item, path), ""]
            if item.help is not None:
                out += [self.md(item.help, f"{path}.help"), ""]
            if item.show_if:
                out += [f"*(if `{item.show_if.replace('`', '')}`)*", ""]
            out += self.blank(item, path)
        for i, score in enumerate(self.ws.scores):
            out += [f"**{self.t(score.label, f'$.scores[{i}].label')}:** {SHORT}", ""]
        out += self.footer()
        return _finish(out)

    def preset_label(self, label: Any, path: str) -> str:
        """A bare option's label (its value), or a named scale's label in every language it
        has (a missing one is reported at the item's ``scale``)."""
        if isinstance(label, dict):
            return self.loc.text(label, f"{path}.scale")
        return str(label)

    def options(self, item: Any, path: str) -> list[tuple[str, str]]:
        raw = getattr(item, "options", None)
        out = []
        for k, opt in enumerate(item_options(item)):
            spec = raw[k] if raw is not None else None
            label_value = getattr(spec, "label", None) if spec is not None else None
            if label_value is not None:
                text = self.t(label_value, f"{path}.options[{k}].label")
            else:
                text = esc(self.preset_label(opt.label, path))
            out.append(
                (text, number_text(opt.value) if not isinstance(opt.value, str) else opt.value)
            )
        return out

    def blank(self, item: Any, path: str) -> list[str]:
        if isinstance(item, TextItem):
            lines = 4 if item.multiline else 1
            return [*(f"{LINE}\\" for _ in range(lines - 1)), LINE, ""]
        if isinstance(item, NumberItem | DurationItem):
            unit = ""
            if isinstance(item, NumberItem) and item.unit is not None:
                unit = " " + self.t(item.unit, f"{path}.unit")
            elif isinstance(item, DurationItem):
                unit = " " + esc(self.ui["minutes"])
            return [f"{SHORT}{unit}", ""]
        if isinstance(item, DateItem | TimeItem | DateTimeItem):
            return [SHORT, ""]
        if isinstance(item, YesNo):
            return [f"{BOX} {esc(self.ui['yes'])}   {BOX} {esc(self.ui['no'])}", ""]
        if isinstance(item, Likert):
            opts = self.options(item, path)
            return [
                "| "
                + " | ".join(f"{text} ({value})" if text != value else text for text, value in opts)
                + " |",
                "|" + "|".join(":-:" for _ in opts) + "|",
                "| " + " | ".join(BOX for _ in opts) + " |",
                "",
            ]
        if isinstance(item, Choice | Checklist):
            hint = self.ui["select_all"] if isinstance(item, Checklist) else self.ui["select_one"]
            out = [f"*{esc(hint)}*", ""]
            out += [f"- {BOX} {text}" for text, _ in self.options(item, path)]
            if item.other:
                out.append(f"- {BOX} {esc(self.ui['other'])}: {SHORT}")
            return [*out, ""]
        if isinstance(item, Ranking):
            out = [f"*{esc(self.ui['ranking_hint'])}*", ""]
            out += [f"- {BOX} {text}" for text, _ in self.options(item, path)]
            return [*out, ""]
        if isinstance(item, Rating):
            steps = _steps(item)
            out = []
            if steps is not None and len(steps) <= 21:
                out += [
                    "| " + " | ".join(number_text(s) for s in steps) + " |",
                    "|" + "|".join(":-:" for _ in steps) + "|",
                    "| " + " | ".join(BOX for _ in steps) + " |",
                    "",
                ]
            else:
                out += [f"{number_text(item.min)}–{number_text(item.max)}: {SHORT}", ""]
            out += self.anchors(item, path)
            return out
        if isinstance(item, Table):
            return self.table(item, path, [{} for _ in range(_print_rows(item))])
        return []

    def anchors(self, item: Rating, path: str) -> list[str]:
        if not item.anchors:
            return []
        parts = [
            f"{number_text(k)} = {self.t(item.anchors[k], f'{path}.anchors.{number_text(k)}')}"
            for k in sorted(item.anchors, key=float)
        ]
        return ["; ".join(parts), ""]

    def table(self, item: Table, path: str, rows: list[Mapping[str, Any]]) -> list[str]:
        heads = [
            cell(self.loc.text(display_label(c), f"{path}.columns[{i}].label"))
            for i, c in enumerate(item.columns)
        ]
        out = ["| " + " | ".join(heads) + " |", "|" + "|".join(" --- " for _ in heads) + "|"]
        for row in rows:
            values = [
                cell(self.answer_text(c, row.get(c.id), f"{path}.columns[{i}]")) if row else " "
                for i, c in enumerate(item.columns)
            ]
            out.append("| " + " | ".join(values) + " |")
        return [*out, ""]

    # -- filled-in response ----------------------------------------------------------------
    def answer_text(self, item: Any, value: Any, path: str) -> str:
        """An answer in words (option labels instead of values)."""
        if value is None or value == "" or value == []:
            return ""
        if isinstance(item, YesNo) and isinstance(value, bool):
            return self.ui["yes"] if value else self.ui["no"]
        labels = {}
        raw = getattr(item, "options", None)
        for k, opt in enumerate(item_options(item)):
            spec = raw[k] if raw is not None else None
            label_value = getattr(spec, "label", None) if spec is not None else None
            text = (
                self.loc.text(label_value, f"{path}.options[{k}].label")
                if label_value is not None
                else self.preset_label(opt.label, path)
            )
            labels[_key(opt.value)] = text

        def one(v: Any) -> str:
            if isinstance(v, Mapping) and isinstance(v.get("other"), str):
                return f"{self.ui['other']}: {v['other']}"
            return labels.get(_key(v), _plain(v))

        if isinstance(value, list):
            if isinstance(item, Ranking):
                return "; ".join(f"{n}. {one(v)}" for n, v in enumerate(value, 1))
            return "; ".join(one(v) for v in value)
        if isinstance(value, Mapping):
            return one(value)
        if labels and _key(value) in labels:
            text = labels[_key(value)]
            if isinstance(item, Likert) and text != _plain(value):
                return f"{text} ({_plain(value)})"
            return text
        if isinstance(item, NumberItem) and item.unit is not None:
            return f"{_plain(value)} {self.loc.text(item.unit, f'{path}.unit')}"
        return _plain(value)

    def response(
        self,
        answers: Mapping[str, Any],
        meta: list[tuple[str, str]],
        scores: list[tuple[str, str]],
        visible: set[str],
    ) -> str:
        out = [
            f"# {self.t(self.ws.title, '$.title') if self.ws.title is not None else esc(self.ws.id)}",
            "",
        ]
        out += [f"{esc(k)}: {esc(v)}  " for k, v in meta]
        if meta:
            out[-1] = out[-1].rstrip()
            out.append("")
        for item, path, level in self.walk(self.ws.items, "$.items", 2):
            if isinstance(item, Note | Media):
                continue
            if isinstance(item, Section):
                out += [f"{'#' * min(level, 6)} {self.t(item.title, f'{path}.title')}", ""]
                continue
            if item.id not in visible and item.id not in answers:
                continue  # hidden by show_if and not answered
            self.number += 1
            out += [f"**{self.number}. {self.t(display_label(item), f'{path}.label')}**", ""]
            value = answers.get(item.id)
            if isinstance(item, Table):
                rows = (
                    [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []
                )
                if rows:
                    out += self.table(item, path, rows)
                    continue
            text = "" if isinstance(item, Table) else self.answer_text(item, value, path)
            if text:
                quoted = [f"> {esc(line) if line.strip() else ''}" for line in text.splitlines()]
                out += [*(q + "  " for q in quoted[:-1]), quoted[-1], ""]
            else:
                out += [f"*{esc(self.ui['no_answer'])}*", ""]
        if scores:
            out += [f"## {esc(self.ui['scores'])}", ""]
            out += [f"- **{esc(label)}:** {esc(value)}" for label, value in scores]
            out.append("")
        return _finish(out)


def _print_rows(item: Table) -> int:
    rows = max(item.min_rows, 1)
    return min(rows, item.max_rows) if item.max_rows is not None else rows


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    return str(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _finish(lines: list[str]) -> str:
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"

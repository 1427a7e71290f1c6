"""Printable Markdown: a worksheet with room to answer, and a filled-in response for review."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, assert_never

from markdown_it.tree import SyntaxTreeNode

from .._text import (
    MARKDOWN_BUDGET,
    MAX_MARKDOWN_CHARS,
    Localiser,
    link_ok,
    md_escape,
    number_text,
    parse_markdown,
)
from ..model import (
    Checklist,
    Choice,
    DateItem,
    DateTimeItem,
    DurationItem,
    Item,
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
from ._conditions import for_worksheet as conditions_for
from ._views import _steps

LINE = "." * 60
SHORT = "." * 24
BOX = "☐"


def esc(text: str) -> str:
    """Plain text (a label, an option) shown literally in Markdown (see ``md_escape``)."""
    return md_escape(text)


def cell(text: str) -> str:
    return esc(text) or " "


_URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#@+,;=")
_HEX = frozenset("0123456789abcdefABCDEF")


def md_url(url: str) -> str:
    """A destination written so that every viewer reads back the same URL: only unreserved
    and a few delimiter characters stay, ``&`` is written ``&amp;``, anything else (space,
    parentheses, quotes, ``<>``, backslash, ``*``, non-ASCII) is percent-encoded."""
    out = []
    for i, ch in enumerate(url):
        if ch in _URL_SAFE:
            out.append(ch)
        elif ch == "&":
            out.append("&amp;")
        elif ch == "%" and url[i + 1 : i + 2] in _HEX and url[i + 2 : i + 3] in _HEX:
            out.append("%")
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def plain_markdown(text: str) -> str:
    """Text shown without Markdown (too long to parse): escaped paragraphs."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    return "\n\n".join(
        "  \n".join(e for e in (esc(line) for line in p.splitlines()) if e) for p in paragraphs
    )


class _Rebuild:
    """Printable Markdown rebuilt from the parse, keeping only chosen constructs. Every text
    run goes through ``md_escape``; links and images keep only destinations ``link_ok``
    accepts; nothing the author wrote is copied through unparsed."""

    def __init__(self, mapping: dict[int, int]) -> None:
        self.mapping = mapping

    def blocks(self, nodes: list[SyntaxTreeNode], *, nested: bool) -> list[list[str]]:
        out: list[list[str]] = []
        for node in nodes:
            out.extend(self.block(node, nested=nested))
        return out

    def block(self, node: SyntaxTreeNode, *, nested: bool) -> list[list[str]]:
        kind = node.type
        if kind == "paragraph":
            lines = self.inline_of(node).split("\n")
            return [[line for line in lines if line.strip()] or [""]]
        if kind == "heading":
            level = self.mapping.get(int(node.tag[1]), 6)
            text = self.inline_of(node).replace("\n", " ").strip()
            return [[f"{'#' * level} {text}".rstrip()]]
        if kind in ("bullet_list", "ordered_list"):
            return [self.listing(node)]
        if kind in ("code_block", "fence"):
            return [self.code_block(node.content, nested=nested)]
        if kind == "hr":
            return [["* * *"]]
        if kind == "blockquote":
            return self.blocks(node.children, nested=nested)
        if node.children:
            return self.blocks(node.children, nested=nested)
        text = plain_markdown(node.content) if node.content else ""
        return [text.split("\n")] if text else []

    def listing(self, node: SyntaxTreeNode) -> list[str]:
        ordered = node.type == "ordered_list"
        start = _int(node.attrs.get("start", 1)) if ordered else 1
        tight = all(
            p.hidden for item in node.children for p in item.children if p.type == "paragraph"
        )
        # Items holding more than one block get a marker four columns wide: CommonMark
        # nests by the content column, Python-Markdown by four spaces; both agree then.
        wide = any(len(item.children) > 1 for item in node.children)
        lines: list[str] = []
        for k, item in enumerate(node.children):
            marker = f"{start + k}." if ordered else "-"
            marker = marker.ljust(4) if wide and len(marker) < 4 else marker + " "
            pad = " " * len(marker)
            body: list[str] = []
            for b, block in enumerate(self.blocks(item.children, nested=True)):
                if b and not tight:
                    body.append("")
                body.extend(block)
            if k and not tight:
                lines.append("")
            if not body:
                lines.append(marker.rstrip())
                continue
            lines.append(marker + body[0])
            lines.extend(pad + line if line else "" for line in body[1:])
        return lines

    def code_block(self, content: str, *, nested: bool) -> list[str]:
        """Indented code (every viewer has it; fences are not in Python-Markdown) when the
        content cannot be read as anything else; otherwise escaped lines."""
        lines = content.rstrip("\n").split("\n")
        if not nested and not _CODE_UNSAFE.search(content) and any(x.strip() for x in lines):
            return ["    " + line.rstrip() if line.strip() else "" for line in lines]
        escaped = [e for e in (md_escape(line) for line in lines) if e]
        return [*(e + "  " for e in escaped[:-1]), *escaped[-1:]]

    def inline_of(self, node: SyntaxTreeNode) -> str:
        inline = node.children[0] if node.children else None
        return self.inline(inline.children) if inline is not None else ""

    def inline(self, nodes: list[SyntaxTreeNode], *, in_link: bool = False) -> str:
        out: list[str] = []
        for node in nodes:
            kind = node.type
            if kind == "text":
                out.append(md_escape(node.content, strip=False))
            elif kind == "softbreak":
                out.append("\n")
            elif kind == "hardbreak":
                out.append("  \n")
            elif kind == "code_inline":
                out.append(_code_span(node.content))
            elif kind in ("em", "strong"):
                mark = "*" if kind == "em" else "**"
                out.append(_wrap(self.inline(node.children, in_link=in_link), mark))
            elif kind == "link":
                text = self.inline(node.children, in_link=True).replace("\n", " ")
                href = str(node.attrs.get("href", ""))
                if in_link or not link_ok(href):
                    out.append(text)
                else:
                    out.append(f"[{text.strip() or md_escape(href)}]({md_url(href)})")
            elif kind == "image":
                alt = md_escape(_plain_text(node))
                src = str(node.attrs.get("src", ""))
                if not link_ok(src):
                    out.append(alt)
                else:
                    out.append(f"![{alt}]({md_url(src)})")
            elif node.children:
                out.append(self.inline(node.children, in_link=in_link))
            else:
                out.append(md_escape(node.content, strip=False))
        return "".join(out)


_CODE_UNSAFE = re.compile(r"[<>&\[\]]")


def _code_span(content: str) -> str:
    content = " ".join(content.split("\n"))
    if not content.strip() or _CODE_UNSAFE.search(content) or "\x00" in content:
        return md_escape(content, strip=False)
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {content} {fence}"


def _wrap(text: str, mark: str) -> str:
    inner = text.strip()
    if not inner or "\n" in inner:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{mark}{inner}{mark}{trail}"


def _plain_text(node: SyntaxTreeNode) -> str:
    parts = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in ("text", "code_inline"):
            parts.append(current.content)
        elif current.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        stack.extend(reversed(current.children))
    return "".join(parts)


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 1


def printable_markdown(text: str, level: int) -> str:
    """An author's Markdown rebuilt for the printable: headings demoted below ``level``."""
    if len(text) > MAX_MARKDOWN_CHARS:
        return plain_markdown(text)
    return _printable_cached(text, level)


@lru_cache(maxsize=2048)
def _printable_cached(text: str, level: int) -> str:
    tokens = parse_markdown(text)
    used = sorted({int(t.tag[1]) for t in tokens if t.type == "heading_open"})
    mapping = {h: min(6, level + 1 + rank) for rank, h in enumerate(used)}
    rebuild = _Rebuild(mapping)
    blocks = rebuild.blocks(SyntaxTreeNode(tokens).children, nested=False)
    return "\n\n".join("\n".join(block) for block in blocks if any(block)).strip("\n")


class MarkdownWriter:
    def __init__(self, ws: Worksheet, loc: Localiser, ui: dict[str, str]) -> None:
        self.ws = ws
        self.loc = loc
        self.ui = ui
        self.number = 0
        self.budget = MARKDOWN_BUDGET
        self.conditions = conditions_for(ws, loc, ui)

    # -- shared --------------------------------------------------------------------------
    def t(self, value: Any, path: str) -> str:
        return esc(self.loc.text(value, path))

    def md(self, value: Any, path: str, level: int = 1) -> str:
        """An author's Markdown, rebuilt (headings below ``level``); past the document's
        Markdown budget (WK229) texts are shown as plain text."""
        text = self.loc.text(value, path)
        if len(text) > self.budget:
            self.budget = 0
            return plain_markdown(text)
        self.budget -= len(text)
        return printable_markdown(text, level)

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
            return [self.md(item.text, f"{path}.text", level), ""]
        if isinstance(item, Section):
            out = [f"{'#' * min(level, 6)} {self.t(item.title, f'{path}.title')}", ""]
            if item.help is not None:
                out += [self.md(item.help, f"{path}.help", level), ""]
            return out
        if isinstance(item, Media):
            label = self.t(item.label, f"{path}.label") if item.label is not None else ""
            url = md_url(item.url) if link_ok(item.url) else ""
            out = []
            if item.kind == "image" and url:
                alt = self.t(item.alt if item.alt is not None else item.label, f"{path}.alt")
                out += [f"![{alt}]({url})", ""]
            elif url:
                out += [f"[{label or esc(item.url)}]({url})", ""]
            elif label:
                out += [label, ""]
            if item.caption is not None:
                out += [f"*{self.t(item.caption, f'{path}.caption')}*", ""]
            if item.transcript is not None:
                out += [
                    f"**{esc(self.ui['transcript'])}**",
                    "",
                    self.md(item.transcript, f"{path}.transcript", level),
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
                out += [self.md(item.help, f"{path}.help", level), ""]
            if item.show_if:
                out += [f"*{esc(self.conditions.sentence(item.show_if))}*", ""]
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
            value = opt.value if isinstance(opt.value, str) else number_text(opt.value)
            out.append((text, esc(value)))
        return out

    def blank(self, item: Item, path: str) -> list[str]:
        match item:
            case TextItem():
                lines = 4 if item.multiline else 1
                return [*(f"{LINE}\\" for _ in range(lines - 1)), LINE, ""]
            case NumberItem() | DurationItem():
                unit = ""
                if isinstance(item, NumberItem) and item.unit is not None:
                    unit = " " + self.t(item.unit, f"{path}.unit")
                elif isinstance(item, DurationItem):
                    unit = " " + esc(self.ui["minutes"])
                return [f"{SHORT}{unit}", ""]
            case DateItem() | TimeItem() | DateTimeItem():
                return [SHORT, ""]
            case YesNo():
                return [f"{BOX} {esc(self.ui['yes'])}   {BOX} {esc(self.ui['no'])}", ""]
            case Likert():
                opts = self.options(item, path)
                return [
                    "| "
                    + " | ".join(
                        f"{text} ({value})" if text != value else text for text, value in opts
                    )
                    + " |",
                    "|" + "|".join(":-:" for _ in opts) + "|",
                    "| " + " | ".join(BOX for _ in opts) + " |",
                    "",
                ]
            case Choice() | Checklist():
                hint = (
                    self.ui["select_all"] if isinstance(item, Checklist) else self.ui["select_one"]
                )
                out = [f"*{esc(hint)}*", ""]
                out += [f"- {BOX} {text}" for text, _ in self.options(item, path)]
                if item.other:
                    out.append(f"- {BOX} {esc(self.ui['other'])}: {SHORT}")
                return [*out, ""]
            case Ranking():
                out = [f"*{esc(self.ui['ranking_hint'])}*", ""]
                out += [f"- {BOX} {text}" for text, _ in self.options(item, path)]
                return [*out, ""]
            case Rating():
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
            case Table():
                return self.table(item, path, [{} for _ in range(_print_rows(item))])
            case Note() | Section() | Media():
                return []
            case _:
                assert_never(item)

    def anchors(self, item: Rating, path: str) -> list[str]:
        if not item.anchors:
            return []
        parts = []
        for k in sorted(item.anchors, key=float):
            at = number_text(k)  # a key of the anchors mapping: quoted, as 2.5 is one too
            parts.append(f"{at} = {self.t(item.anchors[k], path + f'.anchors[{at!r}]')}")
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
        alerts: str = "",
    ) -> str:
        """The filled-in view; ``alerts`` (an escaped block) comes straight after the title,
        before anything an answer could hide."""
        out = [
            f"# {self.t(self.ws.title, '$.title') if self.ws.title is not None else esc(self.ws.id)}",
            "",
        ]
        if alerts:
            out += [alerts.rstrip("\n"), ""]
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

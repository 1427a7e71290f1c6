"""The lint rules: small generators of findings over one worksheet or pathway.

A finding is reported where its text was written: for a worksheet made from a template
(``extends``), inherited items and texts are the template's to fix, and are reported there
when the template is linted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache

from ..loading import Path, SourceDocument, json_path
from ..model import Likert, Media, Note, Pathway, Schedule, Section, Worksheet
from ..validation.located import Located
from ..validation.worksheet import LocatedItem, walk_items
from . import placeholders
from .config import LintConfig
from .placeholders import PLACEHOLDERS
from .text import (
    PROSE_KEYS,
    Readability,
    TextNode,
    client_texts,
    is_english,
    readability,
    reading_grade,
    words,
)
from .translations import check_stamps


@dataclass(frozen=True)
class Finding:
    code: str
    node: Located
    message: str
    hint: str
    key: bool = False
    offset: int | None = None
    path: Path | None = None  # when it differs from the node's (a missing field)
    position: tuple[int, int] | None = None  # line, column when found in the source text


@dataclass
class Context:
    """What the rules see of one document."""

    doc: SourceDocument
    model: Worksheet | Pathway
    config: LintConfig
    items: list[Located] = field(default_factory=list)  # resolved items (worksheets)
    repeated_in_pathway: bool = False
    readability_skipped: bool = False

    @property
    def root(self) -> Located:
        return Located(self.doc.data, self.doc, ())

    @property
    def language(self) -> str:
        return self.model.language

    def own(self, node: Located) -> bool:
        return node.doc is self.doc

    def anchor(self) -> Located:
        """Where a finding about the worksheet as a whole points: its ``id``."""
        return self.root.at("id")

    @property
    def instrument(self) -> bool:
        """A validated questionnaire: its questions and instructions are used as published."""
        tags = {t.lower() for t in getattr(self.model, "tags", [])}
        return bool(tags & set(self.config.instrument_tags)) and isinstance(self.model, Worksheet)

    def texts(self) -> Iterator[TextNode]:
        fixed = ("items", "instructions", "change", "add") if self.instrument else ()
        for t in client_texts(self.root, self.language):
            if not (t.node.path and t.node.path[0] in fixed):
                yield t


Check = Callable[[Context], Iterator[Finding]]


def _filled(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return any(isinstance(v, str) and v.strip() for v in value.values())
    return False


def _missing(ctx: Context, code: str, field_name: str, message: str, hint: str) -> Finding:
    return Finding(code, ctx.anchor(), message, hint, key=True, path=(field_name,))


# -- WL001–WL003: rationale and time -------------------------------------------------------


def missing_rationale(ctx: Context) -> Iterator[Finding]:
    model = ctx.model
    if isinstance(model, Worksheet) and not _filled(model.rationale):
        yield _missing(
            ctx,
            "WL001",
            "rationale",
            "This worksheet does not say why the client is asked to do it.",
            "Add 'rationale:' with one or two plain sentences on how this practice helps.",
        )


def time_estimate(ctx: Context) -> Iterator[Finding]:
    model = ctx.model
    if not isinstance(model, Worksheet):
        return
    minutes = model.estimated_minutes
    if minutes is None:
        yield _missing(
            ctx,
            "WL002",
            "estimated_minutes",
            "This worksheet does not say how long it takes.",
            "Add 'estimated_minutes:' so the client can plan when to do it.",
        )
        return
    limit = ctx.config.max_minutes
    if minutes > limit:
        node = ctx.root.at("estimated_minutes")
        yield Finding(
            "WL003",
            node if ctx.root.has("estimated_minutes") else ctx.anchor(),
            f"This worksheet is estimated to take {_num(minutes)} minutes; practice that takes "
            f"more than {_num(limit)} minutes is often put off or skipped.",
            "Split it into shorter worksheets, or start with a smaller first step.",
            path=("estimated_minutes",),
        )


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# -- WL004–WL006: length -------------------------------------------------------------------


def _inputs(ctx: Context) -> list[LocatedItem]:
    model = ctx.model
    assert isinstance(model, Worksheet)
    return [
        entry
        for entry in walk_items(model.items, ctx.items)
        if entry.table is None and not isinstance(entry.model, Note | Section | Media)
    ]


def _at_item(ctx: Context, entry: LocatedItem) -> Located:
    return entry.node if ctx.own(entry.node) else ctx.root.at("extends")


def too_many_required(ctx: Context) -> Iterator[Finding]:
    if not isinstance(ctx.model, Worksheet) or ctx.instrument:
        return
    required = [e for e in _inputs(ctx) if getattr(e.model, "required", False)]
    limit = ctx.config.max_required
    if len(required) > limit:
        yield Finding(
            "WL004",
            _at_item(ctx, required[limit]),
            f"This worksheet has {len(required)} required questions (more than {limit}); this "
            f"is question {limit + 1}.",
            "Keep only the questions that matter for the next session required, or split the "
            "worksheet.",
        )


def too_many_items(ctx: Context) -> Iterator[Finding]:
    if not isinstance(ctx.model, Worksheet) or ctx.instrument:
        return
    inputs = _inputs(ctx)
    limit = ctx.config.max_items
    if len(inputs) > limit:
        yield Finding(
            "WL005",
            _at_item(ctx, inputs[limit]),
            f"This worksheet asks {len(inputs)} questions (more than {limit}); this is "
            f"question {limit + 1}. Long worksheets are hard to finish, especially with low mood "
            "or poor concentration.",
            "Cut questions, or split the worksheet into shorter ones.",
        )


def long_instructions(ctx: Context) -> Iterator[Finding]:
    root = ctx.root
    if not root.has("instructions") or ctx.instrument:
        return
    node = root.at("instructions")
    limit = ctx.config.max_instruction_words
    targets = (
        [node.at(k) for k in node.value if "~" not in str(k)]
        if isinstance(node.value, dict)
        else [node]
    )
    for target in targets:
        if not isinstance(target.value, str):
            continue
        count = len(words(target.value))
        if count > limit:
            yield Finding(
                "WL006",
                target,
                f"The instructions are {count} words long (more than {limit}).",
                "Keep instructions to a few short steps; move background to the rationale or "
                "to the session.",
            )
            return  # one language is enough to make the point


# -- WL007: reading grade ------------------------------------------------------------------


def reading_level(ctx: Context) -> Iterator[Finding]:
    tools: Readability | None = readability()
    candidates = [t for t in ctx.texts() if t.key in PROSE_KEYS and is_english(t.language)]
    if not candidates:
        return
    if tools is None:
        ctx.readability_skipped = True
        return
    limit = ctx.config.reading_grade_max
    for t in candidates:
        grade, count = reading_grade(t.text, tools)
        # A text at grade 8.x reads at the eighth-grade level: the school grade is the whole
        # part, so "above grade 8" starts at 9.0.
        if count >= ctx.config.reading_min_words and int(grade) > limit:
            yield Finding(
                "WL007",
                t.node,
                f"This text ({_field(t.key)}) reads at school grade {grade:g} (Flesch–Kincaid); "
                f"aim for grade {_num(limit)} or below.",
                "Use shorter sentences and everyday words (e.g. 'notice' for 'identify', "
                "'worry' for 'rumination').",
            )


def _field(key: str) -> str:
    return {"text": "note", "anchor": "scale anchor", "message": "reminder"}.get(key, key)


# -- WL009–WL010: repetition -------------------------------------------------------------


def _tokens(text: str) -> str:
    return " " + " ".join(re.findall(r"[^\W_]+", text.lower())) + " "


def _has_word(text: str, wanted: tuple[str, ...]) -> str | None:
    haystack = _tokens(text)
    for word in wanted:
        if _tokens(word) != "  " and _tokens(word) in haystack:
            return word
    return None


def schedule_repeats(schedule: Schedule | None) -> bool:
    if schedule is None or schedule.count == 1:
        return False
    if schedule.rrule:
        return "COUNT=1" not in schedule.rrule.upper().replace(" ", "").split(";")
    return schedule.repeat in ("daily", "weekly", "monthly") or schedule.times_per_week is not None


def _repeat_hint(ctx: Context) -> tuple[Located, str] | None:
    """The first place (tag, id, title) that says this worksheet is a log/diary/practice."""
    model = ctx.model
    assert isinstance(model, Worksheet)
    words_ = ctx.config.repeat_words
    root = ctx.root
    for i, tag in enumerate(model.tags):
        found = _has_word(tag, words_)
        if found:
            node = root.at("tags").at(i) if ctx.root.has("tags") else ctx.anchor()
            return node, f"its tag '{tag}' says so"
    found = _has_word(model.id.replace(".", " "), words_)
    if found:
        return ctx.anchor(), f"its id contains '{found}'"
    title = model.title
    texts = [title] if isinstance(title, str) else list((title or {}).values())
    for text in texts:
        found = _has_word(text, words_)
        if found:
            node = root.at("title") if root.has("title") else ctx.anchor()
            return node, f"its title contains '{found}'"
    return None


def missing_default_schedule(ctx: Context) -> Iterator[Finding]:
    model = ctx.model
    if not isinstance(model, Worksheet) or model.default_schedule is not None:
        return
    hint = _repeat_hint(ctx)
    if hint is None:
        return
    node, why = hint
    yield Finding(
        "WL009",
        node,
        f"This worksheet looks like one to do again and again ({why}), but it has no "
        "default_schedule.",
        'Add one, e.g. default_schedule: {repeat: daily, at: "20:00", for: P7D}, so every '
        "assignment starts with a concrete when and how often.",
        path=("default_schedule",) if node is ctx.anchor() else None,
    )


def _asks_difficulty(ctx: Context) -> bool:
    model = ctx.model
    assert isinstance(model, Worksheet)
    wanted = ctx.config.difficulty_words
    for entry in walk_items(model.items, ctx.items):
        item = entry.model
        if isinstance(item, Note | Section | Media):
            continue
        if isinstance(item, Likert) and item.scale == "difficulty-5":
            return True
        ident = getattr(item, "id", None) or ""
        label = getattr(item, "label", None)
        texts = [ident.replace("_", " ")]
        texts += [label] if isinstance(label, str) else list((label or {}).values())
        if any(_has_word(t, wanted) for t in texts):
            return True
    return False


def no_difficulty_question(ctx: Context) -> Iterator[Finding]:
    model = ctx.model
    if not isinstance(model, Worksheet) or ctx.instrument:
        return
    if schedule_repeats(model.default_schedule):
        why = "its default_schedule repeats"
    elif ctx.repeated_in_pathway:
        why = "a pathway in this pack repeats it"
    elif model.default_schedule is None and _repeat_hint(ctx) is not None:
        why = "it looks like a log, diary or practice"
    else:
        return
    if _asks_difficulty(ctx):
        return
    node = ctx.root.at("items") if ctx.root.has("items") else ctx.anchor()
    yield Finding(
        "WL010",
        node,
        f"This worksheet is done again and again ({why}), but no question asks how hard it was "
        "or what got in the way.",
        "Add a question such as {id: difficulty, type: likert, scale: difficulty-5, label: How "
        "hard was this today?} or {id: obstacles, type: text, label: What got in the way?}.",
        key=True,
        path=("items",),
    )


# -- WL011–WL012: media --------------------------------------------------------------------


def media_access(ctx: Context) -> Iterator[Finding]:
    model = ctx.model
    if not isinstance(model, Worksheet):
        return
    for entry in walk_items(model.items, ctx.items):
        item = entry.model
        if not isinstance(item, Media) or not ctx.own(entry.node):
            continue
        node = entry.node.at("kind")
        if item.kind in ("audio", "video") and not _filled(item.transcript):
            yield Finding(
                "WL011",
                node,
                f"This {item.kind} has no transcript.",
                "Add 'transcript:' so the client can read it where listening is not possible, or "
                "when they cannot hear it.",
            )
        elif item.kind == "image" and not _filled(item.alt):
            yield Finding(
                "WL012",
                node,
                "This image has no alt text.",
                "Add 'alt:' describing what the image shows, for clients using a screen reader.",
            )


# -- WL013–WL014: translations -------------------------------------------------------------


def translations(ctx: Context) -> Iterator[Finding]:
    for check in check_stamps(ctx.root):
        where = json_path(check.node.path[:-1])[2:] or "the document"
        lang, src = check.language, check.source_language
        if check.problem == "outdated":
            yield Finding(
                "WL013",
                check.node,
                f"The '{lang}' translation of {where} was made from an older '{src}' text; the "
                f"'{src}' text has changed since.",
                f"Check the '{lang}' text against the new '{src}' text, then update the stamp "
                "(worksheetkit lint --stamp-translations FILE prints it).",
            )
        elif check.problem == "malformed":
            yield Finding(
                "WL014",
                check.node,
                f"The stamp '{lang}~{src}' of {where} is not 8 hexadecimal digits.",
                "Use worksheetkit lint --stamp-translations FILE to print the right stamp.",
            )
        elif check.problem == "no-source":
            yield Finding(
                "WL014",
                check.node,
                f"The stamp '{lang}~{src}' of {where} refers to a '{src}' text that is not there.",
                f"Add the '{src}' text, or remove the stamp.",
            )
        else:
            yield Finding(
                "WL014",
                check.node,
                f"The stamp '{lang}~{src}' of {where} belongs to a '{lang}' translation that is "
                "not there.",
                f"Add the '{lang}' translation, or remove the stamp.",
            )


# -- WL015: words to avoid -----------------------------------------------------------------


@cache
def _avoid_pattern(words_: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words_:
        return None
    parts = sorted((re.escape(w) for w in words_), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


def avoid_words(ctx: Context) -> Iterator[Finding]:
    table: Mapping[str, str | None] = ctx.config.avoid_words
    pattern = _avoid_pattern(tuple(sorted(table)))
    if pattern is None:
        return
    for t in ctx.texts():
        seen: set[str] = set()
        for match in pattern.finditer(t.text):
            word = match.group(1).lower()
            if word in seen:
                continue
            seen.add(word)
            instead = table.get(word)
            position = _find_in_source(t.node, pattern, word)
            yield Finding(
                "WL015",
                t.node,
                f"'{match.group(1)}' is a word to avoid in text the client reads.",
                f"Say '{instead}' instead." if instead else "Rephrase it in a neutral way.",
                offset=None if position else match.start(1),
                position=position,
            )


def _find_in_source(node: Located, pattern: re.Pattern[str], word: str) -> tuple[int, int] | None:
    """Where ``word`` first stands in the source text of a scalar that spans several lines
    (folded and literal blocks, wrapped plain or quoted text), whose offsets do not map to
    columns; None for a one-line scalar."""
    scalar = node.doc.source.node_at(node.path)
    if scalar is None or scalar.start_mark.line == scalar.end_mark.line:
        return None
    lines = (node.doc.source.text or "").splitlines()
    first, last = scalar.start_mark.line, min(scalar.end_mark.line, len(lines) - 1)
    for number in range(first, last + 1):
        start = scalar.start_mark.column if number == first else 0
        for match in pattern.finditer(lines[number], start):
            if match.group(1).lower() == word:
                return number + 1, match.start(1) + 1
    return None


# -- WL016: placeholder text left from `worksheetkit new` -----------------------------------


@cache
def _placeholder_pattern() -> re.Pattern[str]:
    phrases = [p for p in PLACEHOLDERS if p != placeholders.AUTHOR]
    parts = (r"\s+".join(re.escape(w) for w in p.split()) for p in phrases)
    return re.compile("(" + "|".join(parts) + ")", re.IGNORECASE)


def _author_pattern() -> re.Pattern[str]:
    # "Your name" is a placeholder only as a whole author; a question may well ask for it.
    return re.compile("^(" + re.escape(placeholders.AUTHOR) + r")\s*$", re.IGNORECASE)


def _placeholder_nodes(ctx: Context) -> Iterator[tuple[Located, str, re.Pattern[str]]]:
    texts = _placeholder_pattern()
    for t in client_texts(ctx.root, ctx.language):
        yield t.node, t.text, texts
    source = ctx.root.at("source") if ctx.root.has("source") else None
    if source is not None and isinstance(source.value, dict) and source.has("authors"):
        authors = source.at("authors")
        for i, name in enumerate(authors.value if isinstance(authors.value, list) else []):
            if isinstance(name, str):
                yield authors.at(i), name, _author_pattern()


def placeholder_text(ctx: Context) -> Iterator[Finding]:
    for node, text, pattern in _placeholder_nodes(ctx):
        match = pattern.search(text)
        if match is None:
            continue
        said = " ".join(match.group(1).split()).lower()
        phrase = next(p for p in PLACEHOLDERS if p.lower() == said)
        where = json_path(node.path)[2:] or "the worksheet"
        scalar = node.doc.source.node_at(node.path)
        one_line = scalar is None or scalar.start_mark.line == scalar.end_mark.line
        position = None if one_line else _find_phrase(node, pattern)
        yield Finding(
            "WL016",
            node,
            f"'{where}' still has the example text `worksheetkit new` wrote: '{phrase}'",
            PLACEHOLDERS[phrase],
            offset=match.start(1) if one_line else None,
            position=position,
        )


def _find_phrase(node: Located, pattern: re.Pattern[str]) -> tuple[int, int] | None:
    """Where a phrase starts in the source of a scalar written over several lines (it may be
    wrapped anywhere between its words); None when it is not found as written (escapes)."""
    scalar = node.doc.source.node_at(node.path)
    if scalar is None:
        return None
    text = node.doc.source.text or ""
    found = pattern.search(text, scalar.start_mark.index, scalar.end_mark.index)
    if found is None:
        return None
    start = found.start(1)
    line = text.count("\n", 0, start)
    return line + 1, start - (text.rfind("\n", 0, start) + 1) + 1


WORKSHEET_CHECKS: tuple[tuple[tuple[str, ...], Check], ...] = (
    (("WL001",), missing_rationale),
    (("WL002", "WL003"), time_estimate),
    (("WL004",), too_many_required),
    (("WL005",), too_many_items),
    (("WL006",), long_instructions),
    (("WL007",), reading_level),
    (("WL009",), missing_default_schedule),
    (("WL010",), no_difficulty_question),
    (("WL011", "WL012"), media_access),
    (("WL013", "WL014"), translations),
    (("WL015",), avoid_words),
    (("WL016",), placeholder_text),
)
PATHWAY_CHECKS: tuple[tuple[tuple[str, ...], Check], ...] = (
    (("WL007",), reading_level),
    (("WL013", "WL014"), translations),
    (("WL015",), avoid_words),
)


def run_checks(ctx: Context) -> Iterator[Finding]:
    checks = WORKSHEET_CHECKS if isinstance(ctx.model, Worksheet) else PATHWAY_CHECKS
    for codes, check in checks:
        if any(ctx.config.enabled(code) for code in codes):
            yield from check(ctx)

"""``worksheetkit new ID``: start a worksheet, blank, from a template in the pack, or from a
worksheet shipped with worksheetkit (``--from thought-record``; ``--list`` shows them)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from ._common import EXIT_OK, EXIT_PROBLEMS, fail_usage, write_atomic

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$")

BLANK = """\
# yaml-language-server: $schema={schema}
worksheetkit: 1
kind: worksheet
id: {id}
version: 1.0.0
title: {title}
summary: {summary}
rationale: >-
  {rationale}
  {rationale_more}
instructions: |
  {instructions}
estimated_minutes: 10
default_schedule: {{repeat: daily, at: "20:00", for: P7D}}
source: {{authors: [{author}], license: CC-BY-4.0}}
items:
  - type: note
    text: Think of one moment from today.
  - id: what_happened
    type: text
    label: What happened?
    multiline: true
    required: true
  - id: rating
    type: rating
    label: How strong was the feeling?
    min: 0
    max: 10
    anchors: {{0: Not at all, 10: The strongest ever}}
  - id: difficulty
    type: rating
    label: How hard was this practice today?
    min: 0
    max: 4
    anchors: {{0: Very easy, 4: Very hard}}
"""

DERIVED = """\
# yaml-language-server: $schema={schema}
# Made from the template {template}. Change what you need; everything else comes from it.
worksheetkit: 1
kind: worksheet
id: {id}
version: 1.0.0
extends: {ref}
{title}# remove: [item_id]                      # items of the template to leave out
# change:
#   item_id: {{label: "New wording"}}      # keys to change on an item
# add:
#   - after: item_id
#     items:
#       - {{id: new_item, type: text, label: "A new question"}}
"""


@click.command("new")
@click.argument("worksheet_id", required=False)
@click.option(
    "--from",
    "template",
    default=None,
    help="Start from this worksheet of the pack (id or id@major, e.g. cbt.thought-record@1), "
    "or from one shipped with worksheetkit (e.g. thought-record; see --list).",
)
@click.option(
    "--list",
    "list_only",
    is_flag=True,
    help="List the worksheets you can start from (shipped ones, and the pack's), then stop.",
)
@click.option(
    "--pack",
    "pack_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="The pack folder (default: the nearest folder upwards holding pack.yaml).",
)
@click.option("--title", default=None, help="The worksheet's title.")
@click.option(
    "-o",
    "--output",
    default=None,
    type=click.Path(dir_okay=False),
    help="Where to write it (default: worksheets/<name>.yaml in the pack).",
)
def command(
    worksheet_id: str | None,
    template: str | None,
    list_only: bool,
    pack_dir: str | None,
    title: str | None,
    output: str | None,
) -> None:
    """Start a new worksheet WORKSHEET_ID (a dotted id such as clinic.worry-log).

    Without --from, a blank worksheet with the keys a good homework task needs; with --from, a
    worksheet that extends a template of the pack, ready for remove/change/add, or a copy of a
    worksheet shipped with worksheetkit (when the pack has no worksheet of that name) to adapt.
    """
    from ..starters import find, starters
    from ..validation import find_pack_root, load_pack

    if list_only:
        _list(pack_dir)
        sys.exit(EXIT_OK)
    if worksheet_id is None:
        fail_usage("give the new worksheet's id, e.g. worksheetkit new clinic.worry-log")
    assert worksheet_id is not None
    if not _ID.match(worksheet_id):
        fail_usage(
            f"'{worksheet_id}' is not a worksheet id: use lowercase words joined by dots, "
            "e.g. clinic.worry-log"
        )
    root = Path(pack_dir) if pack_dir else find_pack_root(Path.cwd())
    if root is None or not (root / "pack.yaml").is_file():
        fail_usage(
            "no pack found: run this inside a pack folder (one with pack.yaml) or pass --pack"
        )
    assert root is not None
    name = worksheet_id.rsplit(".", 1)[-1]
    target = Path(output) if output else root / "worksheets" / f"{name}.yaml"
    # lexists: a link, even a broken one, is an existing file (write_atomic would replace it).
    if os.path.lexists(target):
        fail_usage(f"{target} already exists; choose another id or -o")
    nice_title = title or name.replace("-", " ").replace("_", " ").capitalize()
    schema = _relative_schema(target, root)
    loaded = load_pack(root, strict=False)
    existing = {ws.id for ws in loaded.worksheets}
    if worksheet_id in existing:
        fail_usage(f"the pack already has a worksheet '{worksheet_id}'")
    shipped = None
    if template:
        try:
            base = loaded.worksheet(template)
        except KeyError:
            shipped = find(template)
            if shipped is None:
                from ..loading.modelerrors import did_you_mean

                names = sorted({*existing, *(s.name for s in starters())})
                guess = did_you_mean(template.split("@")[0], names)
                fail_usage(
                    f"neither the pack nor worksheetkit has a worksheet '{template}'"
                    + (f" (did you mean '{guess}'?)" if guess else "")
                    + "; worksheetkit new --list shows them"
                )
    if shipped is not None:
        text = _copy(shipped.text, shipped, schema, worksheet_id, title)
    elif template:
        ref = f"{base.id}@{base.version.split('.')[0]}"
        text = DERIVED.format(
            schema=schema,
            template=f"{base.id} {base.version}",
            id=worksheet_id,
            ref=ref,
            # Without --title the template's title (with its translations) is kept; with it,
            # every language of the template gets the title, ready to be translated.
            title=f"title: {_title_text(title, base.language, base.languages)}\n" if title else "",
        )
    else:
        from ..lint import placeholders

        text = BLANK.format(
            schema=schema,
            id=worksheet_id,
            title=_yaml_text(nice_title),
            author=placeholders.AUTHOR,
            summary=placeholders.SUMMARY,
            rationale=placeholders.RATIONALE,
            rationale_more=placeholders.RATIONALE_MORE,
            instructions=placeholders.INSTRUCTIONS,
        )
    try:
        write_atomic(target, text)
    except OSError as exc:
        fail_usage(f"cannot write {target}: {exc.strerror or exc}")
    from ..validation import check_paths

    problems = [d for d in check_paths(root).diagnostics if d.file and Path(d.file) == target]
    shown = _shown(target)
    click.echo(
        f"Created {shown}"
        + (f", a copy of the worksheetkit example '{shipped.name}'" if shipped else "")
    )
    if any(d.severity == "error" for d in problems):  # pragma: no cover - templates are valid
        for d in problems:
            click.echo(d.format(), err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo(
        f"Next: edit it, then run `worksheetkit validate {_shown(root)}` and "
        f"`worksheetkit render {shown} --to html -o preview.html`."
    )
    sys.exit(EXIT_OK)


def _list(pack_dir: str | None) -> None:
    """The shipped worksheets, then the pack's (when there is a pack)."""
    from ..starters import starters
    from ..validation import find_pack_root, load_pack

    shipped = starters()
    width = max(len(s.name) for s in shipped)
    click.echo("Worksheets shipped with worksheetkit (worksheetkit new ID --from NAME):")
    for s in shipped:
        click.echo(f"  {s.name:<{width}}  {s.title} ({s.id})")
    root = Path(pack_dir) if pack_dir else find_pack_root(Path.cwd())
    if root is None or not (root / "pack.yaml").is_file():
        return
    own = sorted({(ws.id, ws.version) for ws in load_pack(root, strict=False).worksheets})
    if own:
        click.echo(
            f"Worksheets of the pack in {_shown(root)} (--from ID makes one that extends it):"
        )
        for ws_id, version in own:
            click.echo(f"  {ws_id}@{version.split('.')[0]}")


_SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=.*$", re.M)


def _copy(text: str, shipped: Any, schema: str, worksheet_id: str, title: str | None) -> str:
    """A shipped worksheet as the new one: its id, version 1.0.0, the title if given."""
    note = (
        f"# Started from the worksheetkit example {shipped.id} {shipped.version} "
        f"({shipped.name}); adapt it freely."
    )
    text = _SCHEMA_LINE.sub(lambda _: f"# yaml-language-server: $schema={schema}\n{note}", text, 1)
    text = _top_key(text, "id", worksheet_id)
    text = _top_key(text, "version", "1.0.0")
    if title:
        language = re.search(r"^language: *(\S+)", text, re.M)
        languages = re.search(r"^languages: *\[(.*)\]", text, re.M)
        text = _top_key(
            text,
            "title",
            _title_text(
                title,
                language.group(1) if language else "en",
                [x.strip() for x in languages.group(1).split(",")] if languages else None,
            ),
        )
    return text


def _top_key(text: str, key: str, value: str) -> str:
    """``text`` with the top-level ``key: …`` (a one-line value) replaced."""
    return re.sub(rf"^{key}:[^\n]*$", lambda _: f"{key}: {value}", text, count=1, flags=re.M)


def _relative_schema(target: Path, root: Path) -> str:
    import os

    schemas = root.resolve().parent / "schemas" / "worksheet.json"
    if schemas.is_file():
        return os.path.relpath(schemas, target.parent.resolve())
    from ..schema import schema_id

    return schema_id("worksheet")


def _title_text(title: str, language: str, languages: list[str] | None) -> str:
    langs = list(dict.fromkeys([language, *(languages or [])]))
    if len(langs) == 1:
        return _yaml_text(title)
    return "{" + ", ".join(f"{lang}: {_yaml_text(title)}" for lang in langs) + "}"


def _yaml_text(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _shown(path: Path) -> str:
    """The path relative to the current folder when it is inside it (shorter to type)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)

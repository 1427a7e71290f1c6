"""Templates: ``extends`` resolved inside a pack by id, on the raw data, with ``remove``,
``change`` and ``add`` applied; every item carries the file and path it was written in, so the
checks of the resolved worksheet report each problem where it was written (WK203–WK206, WK224).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..codes import Code
from ..errors import Diagnostic
from ..loading import SourceDocument
from ..loading.modelerrors import convert, convert_relative, did_you_mean
from ..model import Item, Worksheet
from ._versions import split_ref, version_key, version_matches
from .located import Located

__all__ = ["Resolved", "Templates", "unextended"]


@dataclass
class Resolved:
    """A worksheet with its template applied, and where each item was written."""

    model: Worksheet
    root: Located
    items: list[Located]


def unextended(doc: SourceDocument, model: Worksheet) -> Resolved:
    """A worksheet without ``extends``, as resolved: itself, its items where it wrote them."""
    root = Located(doc.data, doc, ())
    items = root.at("items")
    return Resolved(model, root, [items.at(i) for i in range(len(model.items))])


@cache
def _item_adapter() -> TypeAdapter[Any]:
    return TypeAdapter(Item)


class Templates:
    """Resolves the worksheets of one pack check; problems are appended to ``out``.

    ``ws_docs`` is the pack's worksheets by id and version (filled by the pack check's index
    before the first :meth:`resolve`); each result is kept, so a template is resolved once.
    """

    def __init__(
        self, ws_docs: dict[str, dict[str, SourceDocument]], out: list[Diagnostic]
    ) -> None:
        self.ws_docs = ws_docs
        self.out = out
        self.resolved: dict[int, Resolved | None] = {}

    def find_doc(self, ref: str) -> tuple[SourceDocument | None, str | None]:
        ident, wanted = split_ref(ref)
        versions = self.ws_docs.get(ident)
        if not versions:
            return None, "missing"
        matching = [v for v in versions if version_matches(v, wanted)]
        if not matching:
            return None, "version"
        return versions[max(matching, key=version_key)], None

    def resolve(self, doc: SourceDocument, stack: list[int]) -> Resolved | None:
        key = id(doc)
        if key in self.resolved:
            return self.resolved[key]
        model = doc.model
        assert isinstance(model, Worksheet)
        if model.extends is None:
            result: Resolved | None = unextended(doc, model)
            self.resolved[key] = result
            return result
        root = Located(doc.data, doc, ())
        node = root.at("extends")
        if key in stack:
            self.out.append(
                node.diag(
                    Code.WK206,
                    f"'extends: {model.extends}' leads back to this worksheet: the templates "
                    "extend each other in a circle.",
                    "One worksheet in the circle must not use 'extends'.",
                )
            )
            self.resolved[key] = None
            return None
        base_doc, problem = self.find_doc(model.extends)
        ident, wanted = split_ref(model.extends)
        if base_doc is None or not isinstance(base_doc.model, Worksheet):
            if problem == "version":
                have = ", ".join(sorted(self.ws_docs.get(ident, {}), key=version_key))
                self.out.append(
                    node.diag(
                        Code.WK205,
                        f"The worksheet '{ident}' has no version {wanted} in this pack "
                        f"(it has {have}).",
                        f"Use one of the versions it has, e.g. {ident}@{have.split(',')[-1].strip().split('.')[0]}.",
                    )
                )
            else:
                guess = did_you_mean(ident, self.ws_docs.keys())
                self.out.append(
                    node.diag(
                        Code.WK204,
                        f"There is no worksheet '{ident}' in this pack to extend.",
                        f"Did you mean '{guess}'?"
                        if guess
                        else "Check the id; templates are looked up inside the same pack only.",
                    )
                )
            self.resolved[key] = None
            return None
        base = self.resolve(base_doc, [*stack, key])
        if base is None:
            self.resolved[key] = None
            return None
        result = self.apply(doc, model, root, base)
        self.resolved[key] = result
        return result

    def apply(
        self, doc: SourceDocument, model: Worksheet, root: Located, base: Resolved
    ) -> Resolved | None:
        items: list[Located] = list(base.items)
        ids = _top_ids(items)
        problems = 0

        def missing(node: Located, item_id: str, what: str) -> None:
            nonlocal problems
            problems += 1
            guess = did_you_mean(item_id, ids)
            self.out.append(
                node.diag(
                    Code.WK203,
                    f"{what} '{item_id}', but the template has no item with that id.",
                    f"Did you mean '{guess}'?" if guess else "Check the id against the template.",
                )
            )

        remove = root.at("remove")
        for i, item_id in enumerate(model.remove):
            if not _remove(items, item_id):
                missing(remove.at(i), item_id, "'remove' names")
        change = root.at("change")
        for item_id, patch in model.change.items():
            node = change.at(item_id)
            located = _find_item(items, item_id)
            if located is None:
                missing(Located(node.value, doc, node.path), item_id, "'change' names")
                continue
            if "id" in patch or "type" in patch:
                self.out.append(
                    node.diag(
                        Code.WK224,
                        f"'change' cannot alter the id or type of '{item_id}'.",
                        "Remove the item and 'add' a new one instead.",
                    )
                )
                problems += 1
                continue
            merged = {**located.value, **patch}
            try:
                _item_adapter().validate_python(merged)
            except ValidationError as exc:
                problems += 1
                for d, subpath in convert_relative(exc, Item, merged, doc.source):
                    target = node
                    for part in subpath:
                        if isinstance(part, str) and not target.has(part):
                            break
                        target = target.at(part)
                    self.out.append(
                        target.diag(
                            Code.WK224,
                            f"After 'change', the item '{item_id}' is invalid: {d.message}",
                            d.hint,
                        )
                    )
                continue
            _replace(items, item_id, Located(merged, doc, node.path))
        add = root.at("add")
        for i, insertion in enumerate(model.add):
            anchor = insertion.after or insertion.before
            new = [add.at(i).at("items").at(j) for j in range(len(insertion.items))]
            if anchor is None:
                items.extend(new)
                continue
            index = next((k for k, n in enumerate(items) if _id(n) == anchor), None)
            if index is None:
                missing(
                    add.at(i).at("after" if insertion.after else "before"),
                    anchor,
                    "'add' is placed next to",
                )
                continue
            at = index + 1 if insertion.after else index
            items[at:at] = new
        own_items = root.at("items")
        items.extend(own_items.at(k) for k in range(len(model.items)))
        if problems:
            return None
        data = dict(base.model.model_dump(by_alias=True, exclude_defaults=True, mode="json"))
        overrides = doc.data if isinstance(doc.data, dict) else {}
        for k, v in overrides.items():
            if k not in ("extends", "remove", "change", "add", "items"):
                data[k] = v
        data["items"] = [n.value for n in items]
        data["derived_from"] = f"{base.model.id}@{base.model.version}"
        data.pop("extends", None)
        try:
            resolved = Worksheet.model_validate(data)
        except ValidationError as exc:
            for d in convert(exc, Worksheet, data, doc.source):
                self.out.append(
                    root.at("extends").diag(
                        Code.WK224,
                        f"With the template applied, the worksheet is invalid: {d.message}",
                        d.hint,
                    )
                )
            return None
        return Resolved(resolved, root, items)


def _id(node: Located) -> str | None:
    value = node.value
    return value.get("id") if isinstance(value, dict) else None


def _top_ids(items: list[Located]) -> set[str]:
    out: set[str] = set()
    for n in items:
        if _id(n):
            out.add(_id(n))  # type: ignore[arg-type]
        if isinstance(n.value, dict) and isinstance(n.value.get("items"), list):
            out |= _top_ids([n.at("items").at(i) for i in range(len(n.value["items"]))])
    return out


def _find_item(items: list[Located], item_id: str) -> Located | None:
    for n in items:
        if _id(n) == item_id:
            return n
        if isinstance(n.value, dict) and isinstance(n.value.get("items"), list):
            found = _find_item([n.at("items").at(i) for i in range(len(n.value["items"]))], item_id)
            if found:
                return found
    return None


def _remove(items: list[Located], item_id: str) -> bool:
    for k, n in enumerate(items):
        if _id(n) == item_id:
            del items[k]
            return True
        if isinstance(n.value, dict) and isinstance(n.value.get("items"), list):
            children = [n.at("items").at(i) for i in range(len(n.value["items"]))]
            if _remove(children, item_id):
                items[k] = Located({**n.value, "items": [c.value for c in children]}, n.doc, n.path)
                return True
    return False


def _replace(items: list[Located], item_id: str, new: Located) -> bool:
    for k, n in enumerate(items):
        if _id(n) == item_id:
            items[k] = new
            return True
        if isinstance(n.value, dict) and isinstance(n.value.get("items"), list):
            children = [n.at("items").at(i) for i in range(len(n.value["items"]))]
            if _replace(children, item_id, new):
                items[k] = Located({**n.value, "items": [c.value for c in children]}, n.doc, n.path)
                return True
    return False

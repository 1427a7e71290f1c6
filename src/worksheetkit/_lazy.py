"""Names a package exports but imports only on first use (PEP 562), for every lazy package.

``import worksheetkit`` and its packages stay light (issue 18: no Jinja2, markdown-it, RE2,
JSON Schema or scheduling engine until a name that needs them is read); each package lists its
lazy names with the module that defines them and gets its ``__getattr__`` and ``__dir__`` here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_names(
    package: str, namespace: dict[str, Any], table: Mapping[str, str], listed: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``table`` maps each lazy name to the
    module defining it, relative to the package (``"_plan"`` or ``"._plan"`` a module inside
    it, ``".._text"`` one beside it). A name read once is kept in ``namespace`` (the package's
    globals), so it is looked up only once."""
    names = frozenset(listed) | frozenset(table)

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        relative = module if module.startswith(".") else f".{module}"
        value = getattr(importlib.import_module(relative, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | names)

    return __getattr__, __dir__

"""A cache keyed by an object's identity that holds the object weakly.

For values computed from objects that are neither hashable by value nor cheap to hash (a
worksheet model hashes its whole content, or cannot be hashed at all). A key compares equal
only to a key of the *same living object* (``is``), and an entry goes when its object does:
an object created later at a reused address never finds an earlier object's value, which a
dictionary keyed by ``id(obj)`` cannot promise. Standard library only.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["WeakIdentityCache"]

K = TypeVar("K")
V = TypeVar("V")


class _Key:
    """One object's identity, held weakly. Equal only to a key of the same living object."""

    __slots__ = ("_hash", "ref")

    def __init__(
        self, obj: object, callback: Callable[[weakref.ref[object]], object] | None = None
    ) -> None:
        self.ref = weakref.ref(obj, callback)
        self._hash = object.__hash__(obj)  # identity-based, whatever the class defines

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, _Key):
            return NotImplemented
        mine = self.ref()
        return mine is not None and mine is other.ref()


class WeakIdentityCache(Generic[K, V]):
    """At most ``limit`` values, each found only by the very object it was stored for (the
    oldest entry goes first when full; an entry goes as soon as its object is collected)."""

    __slots__ = ("_entries", "_limit", "_lock")

    def __init__(self, limit: int) -> None:
        self._entries: dict[_Key, V] = {}
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, obj: K) -> V | None:
        return self._entries.get(_Key(obj))

    def put(self, obj: K, value: V) -> None:
        entries = self._entries

        def drop(_: object) -> None:
            entries.pop(key, None)

        key = _Key(obj, drop)
        with self._lock:
            entries.pop(key, None)
            if len(entries) >= self._limit:
                entries.pop(next(iter(entries)))
            entries[key] = value

    def __len__(self) -> int:
        return len(self._entries)

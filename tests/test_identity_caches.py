"""Caches of values computed from objects are found only by the very object they were made for.

No module-level cache is keyed by ``id(obj)``: CPython hands a freed object's address to the
next object of its size, so such a cache can return an earlier object's value for a new one.
The compiled form of an expression lives on the expression, the checker's column index on
its ``SymbolTable``, a worksheet's plan in a ``WeakIdentityCache`` (compared with ``is``), and
prepared slots in a short list compared with ``is``.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from worksheetkit._identity import WeakIdentityCache, _Key
from worksheetkit.expressions import Symbol, SymbolTable, check, evaluate, parse


class _Alike:
    """Objects that are all equal, with one hash: only identity tells them apart."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Alike)

    def __hash__(self) -> int:
        return 0


def test_an_entry_is_found_only_by_its_own_object() -> None:
    cache: WeakIdentityCache[_Alike, str] = WeakIdentityCache(8)
    first, second = _Alike(), _Alike()
    cache.put(first, "first")
    assert cache.get(first) == "first"
    assert cache.get(second) is None  # equal, but another object


def test_an_entry_goes_with_its_object() -> None:
    cache: WeakIdentityCache[_Alike, str] = WeakIdentityCache(8)
    obj = _Alike()
    cache.put(obj, "value")
    del obj
    gc.collect()
    assert len(cache) == 0


def test_a_new_object_at_a_reused_address_finds_nothing() -> None:
    """CPython reuses a freed object's address at once; a key compares by the living object,
    so even a key with the very same hash (the address) is not a match."""
    cache: WeakIdentityCache[_Alike, str] = WeakIdentityCache(8)
    old = _Alike()
    cache.put(old, "old")
    new = _Alike()
    (stale,) = list(cache._entries)
    value = cache._entries.pop(stale)
    stale._hash = object.__hash__(new)  # as if `new` had been allocated where `old` was
    cache._entries[stale] = value
    assert hash(_Key(new)) == hash(stale)
    assert cache.get(new) is None


def test_the_oldest_entry_goes_when_full() -> None:
    cache: WeakIdentityCache[_Alike, int] = WeakIdentityCache(2)
    objs = [_Alike() for _ in range(3)]
    for n, obj in enumerate(objs):
        cache.put(obj, n)
    assert [cache.get(obj) for obj in objs] == [None, 1, 2]


def test_evaluating_an_expression_keeps_no_reference_to_it() -> None:
    """Its compiled form is kept on the expression itself, not in a table that would keep
    the expression alive (and be found again by address)."""
    expr = parse("a + 1 > 2 and b == 'x'")
    before = sys.getrefcount(expr)
    for _ in range(3):
        assert evaluate(expr, {"a": 5, "b": "x"}) is True
    assert sys.getrefcount(expr) == before
    assert expr == parse("a + 1 > 2 and b == 'x'")  # equality ignores the compiled form


def _codes(symbols: Any) -> list[str]:
    return [p.code for p in check(parse("a > 1"), symbols)]


def test_the_column_index_follows_the_symbols() -> None:
    """'a' is a column of 't' (WK306); after 't' changes in place to another column (same
    number of symbols), 'a' is an unknown name (WK302), not the earlier answer."""
    symbols = {
        "t": Symbol(kind="table", columns={"a": Symbol(kind="number")}),
        "x": Symbol(kind="number"),
    }
    assert _codes(symbols) == ["WK306"]
    symbols["t"] = Symbol(kind="table", columns={"b": Symbol(kind="number")})
    assert _codes(symbols) == ["WK302"]
    table = SymbolTable(symbols)
    assert _codes(table) == ["WK302"]
    assert _codes(table) == ["WK302"]  # the index, built once, serves later questions
    assert dict(table) == symbols


def test_prepared_slots_are_found_by_the_tuple_itself() -> None:
    import datetime as dt

    from worksheetkit.progress._core import Slot, _prepare

    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    slots = tuple(
        Slot(id=f"s{i}", opens=t0, due=t0 + dt.timedelta(hours=1), grace_until=t0) for i in range(3)
    )
    assert _prepare(slots) is _prepare(slots)
    same_content = (*slots,)
    assert same_content is not slots
    assert _prepare(same_content) is not _prepare(slots)

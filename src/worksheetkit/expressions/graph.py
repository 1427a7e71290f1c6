"""Dependency cycles between ids (a score whose formula uses itself, show_if loops, …)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One dependency cycle as ``[a, b, …, a]``, or None when the graph has none.

    ``graph[x]`` lists the ids ``x`` depends on; ids that are not keys have no dependencies.
    Deterministic: nodes and edges are visited in sorted order and the cycle is rotated to
    start at its smallest id. Iterative, so a long chain cannot exhaust Python's stack.
    """
    edges: dict[str, list[str]] = {node: sorted(set(deps)) for node, deps in graph.items()}
    done: set[str] = set()
    for root in sorted(edges):
        if root in done:
            continue
        path: list[str] = [root]
        on_path: dict[str, int] = {root: 0}
        cursors: list[int] = [0]
        while path:
            node = path[-1]
            successors = edges.get(node, [])
            if cursors[-1] < len(successors):
                nxt = successors[cursors[-1]]
                cursors[-1] += 1
                if nxt in on_path:
                    return _canonical(path[on_path[nxt] :])
                if nxt not in done:
                    on_path[nxt] = len(path)
                    path.append(nxt)
                    cursors.append(0)
            else:
                done.add(node)
                del on_path[node]
                path.pop()
                cursors.pop()
    return None


def _canonical(cycle: list[str]) -> list[str]:
    start = cycle.index(min(cycle))
    rotated = cycle[start:] + cycle[:start]
    return [*rotated, rotated[0]]

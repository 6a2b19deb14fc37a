"""The shortest simple paths between two nodes of a directed graph, shortest first.

Yen's algorithm: each next path leaves the ones found at one of their nodes (the spur) by the
shortest way that avoids the services they take from there and the nodes before it; each spur
path is a breadth-first search from both ends that meet in the middle. Paths of equal length
come in the order networkx's ``shortest_simple_paths`` gives them on a ``DiGraph`` whose
services were added in the same order (a test compares the two), without loading networkx.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from heapq import heappop, heappush
from itertools import count

__all__ = ["Adjacency", "shortest_simple_paths"]


class Adjacency:
    """The suppliers and customers of each node of a directed graph, each in the order its
    first service was added (a service added twice counts once).

    Examples
    --------
    >>> graph = Adjacency([(0, 1), (0, 2), (1, 3), (0, 1)])
    >>> graph.succ[0], graph.pred[3]
    ([1, 2], [1])
    """

    def __init__(self, services: Iterable[tuple[int, int]]):
        succ: dict[int, dict[int, None]] = {}
        pred: dict[int, dict[int, None]] = {}
        for u, v in services:
            succ.setdefault(u, {})[v] = None
            pred.setdefault(v, {})[u] = None
        self.succ = {u: list(vs) for u, vs in succ.items()}
        self.pred = {v: list(us) for v, us in pred.items()}


def shortest_simple_paths(graph: Adjacency, source: int, target: int) -> Iterator[list[int]]:
    """The simple paths (no node twice) from ``source`` to ``target``, shortest first, found
    one at a time (nothing when there is none).

    Examples
    --------
    >>> graph = Adjacency([(0, 1), (0, 2), (1, 3), (2, 3), (0, 3)])
    >>> list(shortest_simple_paths(graph, 0, 3))
    [[0, 3], [0, 1, 3], [0, 2, 3]]
    """
    first = _spur(graph, source, target, set(), set())
    if first is None:
        return
    found: list[list[int]] = []
    queue: list = [(len(first), 0, first)]
    queued = {tuple(first)}
    order = count(1)
    while queue:
        _, _, path = heappop(queue)
        queued.discard(tuple(path))
        yield path
        found.append(path)
        avoid_nodes: set[int] = set()
        avoid_services: set[tuple[int, int]] = set()
        for i in range(1, len(path)):
            root = path[:i]
            for done in found:
                if done[:i] == root:
                    avoid_services.add((done[i - 1], done[i]))
            spur = _spur(graph, root[-1], target, avoid_nodes, avoid_services)
            if spur is not None:
                candidate = root[:-1] + spur
                key = tuple(candidate)
                if key not in queued:
                    # (the root's nodes and the spur's: one more than the path's length, for
                    # every candidate alike)
                    heappush(queue, (len(root) + len(spur), next(order), candidate))
                    queued.add(key)
            avoid_nodes.add(root[-1])


def _spur(
    graph: Adjacency,
    source: int,
    target: int,
    avoid_nodes: set[int],
    avoid_services: set[tuple[int, int]],
) -> list[int] | None:
    """A shortest path from ``source`` to ``target`` around the nodes and services to avoid
    (breadth-first from both ends, the smaller side first), or ``None``."""
    if source in avoid_nodes or target in avoid_nodes:
        return None
    if source == target:
        return [source]
    before: dict[int, int | None] = {source: None}
    after: dict[int, int | None] = {target: None}
    forward, backward = [source], [target]
    while forward and backward:
        if len(forward) <= len(backward):
            level, forward = forward, []
            for v in level:
                for w in graph.succ.get(v, ()):
                    if w in avoid_nodes or (v, w) in avoid_services:
                        continue
                    if w not in before:
                        forward.append(w)
                        before[w] = v
                    if w in after:
                        return _joined(before, after, w)
        else:
            level, backward = backward, []
            for v in level:
                for w in graph.pred.get(v, ()):
                    if w in avoid_nodes or (w, v) in avoid_services:
                        continue
                    if w not in after:
                        after[w] = v
                        backward.append(w)
                    if w in before:
                        return _joined(before, after, w)
    return None


def _joined(before: dict, after: dict, middle: int) -> list[int]:
    """The path through ``middle``: back to the source by ``before``, on to the target by
    ``after``."""
    path = []
    node = middle
    while node is not None:
        path.append(node)
        node = after[node]
    node = before[path[0]]
    head = []
    while node is not None:
        head.append(node)
        node = before[node]
    return head[::-1] + path

"""Mutual dependencies: departments serving each other in a loop, and their shortest loops."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ._base import as_graph, node_order

__all__ = ["Cluster", "mutual_dependencies"]


@dataclass(frozen=True)
class Cluster:
    """Departments that depend on each other in a loop (a strongly connected component).

    ``cycles`` lists the shortest loops found (``[a, b, c]`` means a → b → c → a), shortest
    first; ``complete`` is False when the cluster was too large to look at every member.
    """

    members: list[str]
    cycles: list[list[str]]
    complete: bool = True

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {"members": self.members, "cycles": self.cycles, "complete": self.complete}


def _shortest_cycle(graph: nx.DiGraph, node: str, longest: int | None) -> list[str] | None:
    """The shortest loop through ``node`` of at most ``longest`` departments: a breadth-first
    search that stops at the first supplier of ``node`` it reaches."""
    preds = set(graph.predecessors(node))
    if not preds:
        return None
    parent = {node: None}
    limit = None if longest is None else longest - 1
    for child, par in nx.bfs_predecessors(graph, node, depth_limit=limit):
        parent[child] = par
        if child in preds:
            cycle = [child]
            while parent[cycle[-1]] is not None:
                cycle.append(parent[cycle[-1]])
            return cycle[::-1]
    return None


def mutual_dependencies(
    chain_or_graph: Any, *, max_cycles: int = 5, max_starts: int = 200
) -> list[Cluster]:
    """Groups of departments that serve each other in a loop, with their shortest loops.

    Parameters
    ----------
    max_cycles : int
        List at most this many loops per cluster.
    max_starts : int
        Look for the shortest loop through at most this many members of a cluster (all of
        them in a smaller cluster); bounds the work on very large clusters.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("d", "b"), ("x", "a")])
    >>> [(c.members, c.cycles) for c in mutual_dependencies(G)]
    [(['a', 'b', 'c', 'd'], [['a', 'b'], ['b', 'c', 'd']])]
    """
    graph = as_graph(chain_or_graph)
    return _clusters(graph, nx.strongly_connected_components(graph), max_cycles, max_starts)


def _clusters(graph: nx.DiGraph, sccs, max_cycles: int = 5, max_starts: int = 200) -> list[Cluster]:
    order = node_order(graph)
    clusters = []
    for component in sccs:
        if len(component) < 2:
            continue
        members = sorted(component, key=order.__getitem__)
        seen: dict[tuple[str, ...], list[str]] = {}
        lengths: list[int] = []  # of the loops found so far, shortest first
        for node in members[:max_starts]:
            # a loop longer than the max_cycles-th shortest found so far would not be listed
            longest = lengths[max_cycles - 1] if len(lengths) >= max_cycles else None
            cycle = _shortest_cycle(graph, node, longest)
            if cycle:
                first = min(range(len(cycle)), key=lambda i: order[cycle[i]])
                cycle = cycle[first:] + cycle[:first]
                if tuple(cycle) not in seen:
                    seen[tuple(cycle)] = cycle
                    bisect.insort(lengths, len(cycle))
        cycles = sorted(seen.values(), key=lambda c: (len(c), [order[n] for n in c]))
        clusters.append(Cluster(members, cycles[:max_cycles], len(members) <= max_starts))
    clusters.sort(key=lambda c: (-len(c.members), order[c.members[0]]))
    return clusters

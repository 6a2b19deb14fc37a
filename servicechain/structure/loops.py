"""Mutual dependencies: departments serving each other in a loop, and their shortest loops."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..progress import gc_paused
from ._arrays import View, bfs, view

__all__ = ["Cluster", "clusters_of_view", "mutual_dependencies"]


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


def _shortest_cycle(
    out_ptr: list[int],
    out_idx: list[int],
    inside: dict[int, bool],
    preds: set[int],
    node: int,
    longest: int | None,
) -> list[int] | None:
    """The shortest loop through ``node`` of at most ``longest`` members: a breadth-first
    search (networkx's visiting order) that stops at the first supplier of ``node`` it reaches.
    Pure Python, for small clusters."""
    if not preds:
        return None
    parent = {node: -1}
    level, depth = [node], 1
    while level and (longest is None or depth <= longest - 1):
        found = []
        for u in level:
            for w in out_idx[out_ptr[u] : out_ptr[u + 1]]:
                if w in parent or w not in inside:
                    continue
                parent[w] = u
                if w in preds:
                    cycle = [w]
                    while parent[cycle[-1]] >= 0:
                        cycle.append(parent[cycle[-1]])
                    return cycle[::-1]
                found.append(w)
        level, depth = found, depth + 1
    return None


def _shortest_cycle_arrays(
    ptr: np.ndarray, idx: np.ndarray, preds: np.ndarray, node: int, longest: int | None
) -> list[int] | None:
    """:func:`_shortest_cycle` one level at a time on arrays, for large clusters: the first
    supplier of ``node`` in the first level that holds one is the one a queue finds first."""
    if not preds.any():
        return None
    depth = None if longest is None else longest - 1
    if depth is not None and depth < 1:
        return None
    _, levels, parent = bfs(ptr, idx, [node], depth=depth, stop=preds)
    hits = levels[-1][preds[levels[-1]]] if len(levels) > 1 else ()
    if not len(hits):
        return None
    cycle = [int(hits[0])]
    while parent[cycle[-1]] >= 0:
        cycle.append(int(parent[cycle[-1]]))
    return cycle[::-1]


@gc_paused()
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
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "d"), ("d", "b"), ("x", "a")])
    >>> [(c.members, c.cycles) for c in mutual_dependencies(G)]
    [(['a', 'b', 'c', 'd'], [['a', 'b'], ['b', 'c', 'd']])]
    """
    nodes_of = view(chain_or_graph)
    return clusters_of_view(nodes_of, max_cycles, max_starts)


#: clusters with more members than this are searched on arrays, smaller ones in plain Python
LARGE = 256


def clusters_of_view(
    nodes_of: View, max_cycles: int = 5, max_starts: int = 200, *, large: int = LARGE
) -> list[Cluster]:
    """The mutual dependencies of a view, each with a bounded list of its shortest cycles."""
    labels = nodes_of.components
    sizes = np.bincount(labels)
    in_cluster = sizes[labels] >= 2
    members_all = np.flatnonzero(in_cluster)  # node order within each cluster
    if not members_all.size:
        return []
    members_all = members_all[np.argsort(labels[members_all], kind="stable")]
    bounds = np.flatnonzero(np.diff(labels[members_all])) + 1
    ids = nodes_of.ids
    out_ptr, out_idx, in_ptr, in_idx = nodes_of.lists
    clusters = []
    for group in np.split(members_all, bounds):
        members = group.tolist()
        label = labels[members[0]]
        if len(members) > large:
            ptr, idx = _local(nodes_of, group, labels == label)
            local = {m: i for i, m in enumerate(members)}
        else:
            inside = dict.fromkeys(members, True)
        seen: dict[tuple[int, ...], list[int]] = {}
        lengths: list[int] = []  # of the loops found so far, shortest first
        for node in members[:max_starts]:
            # a loop longer than the max_cycles-th shortest found so far would not be listed
            longest = lengths[max_cycles - 1] if len(lengths) >= max_cycles else None
            preds = {p for p in in_idx[in_ptr[node] : in_ptr[node + 1]] if labels[p] == label}
            if len(members) > large:
                mask = np.zeros(len(members), dtype=bool)
                mask[[local[p] for p in preds]] = True
                cycle = _shortest_cycle_arrays(ptr, idx, mask, local[node], longest)
                cycle = None if cycle is None else [members[i] for i in cycle]
            else:
                cycle = _shortest_cycle(out_ptr, out_idx, inside, preds, node, longest)
            if cycle:
                first = cycle.index(min(cycle))
                cycle = cycle[first:] + cycle[:first]
                if tuple(cycle) not in seen:
                    seen[tuple(cycle)] = cycle
                    bisect.insort(lengths, len(cycle))
        cycles = sorted(seen.values(), key=lambda c: (len(c), c))
        listed = [[ids[n] for n in c] for c in cycles[:max_cycles]]
        clusters.append((members, listed, len(members) <= max_starts))
    clusters.sort(key=lambda c: (-len(c[0]), c[0][0]))
    return [Cluster([ids[n] for n in m], cycles, done) for m, cycles, done in clusters]


def _local(nodes_of: View, group: np.ndarray, inside: np.ndarray) -> tuple:
    """The services among ``group`` (sorted node positions) as a CSR over local numbers,
    keeping each node's adjacency order."""
    local = np.full(nodes_of.n, -1, dtype=np.int64)
    local[group] = np.arange(len(group))
    starts = nodes_of.out_ptr[group]
    counts = nodes_of.out_ptr[group + 1] - starts
    ends = np.cumsum(counts)
    positions = np.arange(int(ends[-1])) + np.repeat(starts - (ends - counts), counts)
    targets = nodes_of.out_idx[positions]
    rows = np.repeat(np.arange(len(group)), counts)
    keep = inside[targets]
    rows, targets = rows[keep], local[targets[keep]]
    ptr = np.zeros(len(group) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(group)), out=ptr[1:])
    return ptr, targets

"""Trace a chain: what lies upstream or downstream of a node, and the paths to a segment."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from ..progress import gc_paused
from ..text import pad, text_repr
from ._arrays import bfs, view
from ._base import as_graph, locate
from .kpaths import Adjacency, shortest_simple_paths

__all__ = [
    "Paths",
    "Trace",
    "TracedNode",
    "distance_to_segment",
    "downstream",
    "paths",
    "segment_distances",
    "trace",
    "upstream",
]

DIRECTIONS = ("up", "down")


def _reach(view, start: int, depth: int | None, *, up: bool) -> dict[str, int]:
    if depth is not None and depth < 1:
        raise ValueError(f"depth must be at least 1, not {depth}")
    ptr, idx = (view.in_ptr, view.in_idx) if up else (view.out_ptr, view.out_idx)
    _, levels, _ = bfs(ptr, idx, [start], depth=depth)
    ids = view.ids
    return {ids[j]: d for d, nodes in enumerate(levels[1:], 1) for j in nodes.tolist()}


@gc_paused()
def upstream(chain_or_graph: Any, node: str, *, depth: int | None = None) -> dict[str, int]:
    """Everything upstream of ``node`` (its suppliers, their suppliers, ...) with distances.

    Parameters
    ----------
    chain_or_graph : Chain or networkx.DiGraph
        The chain, or a graph shaped like ``chain.graph`` (a rolled-up one too).
    node : str
        A department, partner or segment id.
    depth : int, optional
        Go at most this many hand-offs back.

    Returns
    -------
    dict
        ``{id: number of hand-offs from it to node}``, nearest first; ``node`` itself is left out.

    Raises
    ------
    UnknownNodeError
        When ``node`` names nothing in the model.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("hr", "it"), ("it", "store"), ("store", "shoppers")])
    >>> upstream(G, "store")
    {'it': 1, 'hr': 2}
    >>> upstream(G, "store", depth=1)
    {'it': 1}
    """
    found = view(chain_or_graph)
    return _reach(found, locate(chain_or_graph, found, node), depth, up=True)


@gc_paused()
def downstream(chain_or_graph: Any, node: str, *, depth: int | None = None) -> dict[str, int]:
    """Everything downstream of ``node`` (its customers, theirs, ... down to the segments).

    Same parameters and errors as :func:`upstream`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("hr", "it"), ("it", "store"), ("store", "shoppers")])
    >>> downstream(G, "it")
    {'store': 1, 'shoppers': 2}
    """
    found = view(chain_or_graph)
    return _reach(found, locate(chain_or_graph, found, node), depth, up=False)


@gc_paused()
def distance_to_segment(chain_or_graph: Any) -> dict[str, int | None]:
    """Hand-offs from each node to its nearest segment (1 = front line).

    Segments get 0; departments and partners whose work reaches no segment get ``None``.
    One breadth-first search from all segments at once, whatever the number of segments.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("hr", "it"), ("it", "store"), ("store", "shoppers")])
    >>> G.add_node("shoppers", kind="segment"); G.add_node("archive")
    >>> distance_to_segment(G)
    {'hr': 3, 'it': 2, 'store': 1, 'shoppers': 0, 'archive': None}
    """
    found = view(chain_or_graph)
    dist = segment_distances(found).tolist()
    return {n: (None if d < 0 else d) for n, d in zip(found.ids, dist, strict=True)}


def segment_distances(found) -> np.ndarray:
    """Distance of each node of a view to its nearest segment, -1 where none is reached."""
    segments = np.flatnonzero(found.is_segment)
    return bfs(found.in_ptr, found.in_idx, segments)[0]


@dataclass(frozen=True)
class TracedNode:
    """One node found by :func:`trace`, ``distance`` hand-offs away."""

    id: str
    name: str
    kind: str
    distance: int

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {"id": self.id, "name": self.name, "kind": self.kind, "distance": self.distance}


@dataclass(frozen=True)
class Trace:
    """What lies upstream (``direction="up"``) or downstream of a node (see :func:`trace`)."""

    node: str
    name: str
    kind: str
    direction: str
    nodes: list[TracedNode]
    depth: int | None = None
    group_by: str | None = None
    top: int | None = None  # the text lists the nearest ``top`` nodes only

    def distances(self) -> dict[str, int]:
        """``{id: distance}``, as :func:`upstream` and :func:`downstream` return it."""
        return {t.id: t.distance for t in self.nodes}

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            "node": self.node,
            "name": self.name,
            "kind": self.kind,
            "direction": self.direction,
            "depth": self.depth,
            "group_by": self.group_by,
            "nodes": [t.to_dict() for t in self.nodes],
        }

    __repr__ = text_repr

    def __str__(self) -> str:
        where = "Upstream" if self.direction == "up" else "Downstream"
        head = f"{where} of {self.node}" + (f" ({self.name})" if self.name != self.node else "")
        if self.group_by:
            head += f", rolled up by {self.group_by}"
        if not self.nodes:
            what = "supplies it" if self.direction == "up" else "receives its work"
            return f"{head}: nothing {what}."
        counts: dict[str, int] = {}
        for t in self.nodes:
            counts[t.kind] = counts.get(t.kind, 0) + 1
        summary = ", ".join(f"{n} {k}{'' if n == 1 else 's'}" for k, n in counts.items())
        reach = max(t.distance for t in self.nodes)
        lines = [f"{head}: {summary}, up to {reach} hand-off{'' if reach == 1 else 's'} away"]
        id_w = max(len(t.id) for t in self.nodes)
        for t in self.nodes[: self.top]:
            lines.append(f"  {t.distance:>3}  {pad(t.id, id_w)}  {t.kind:<10}  {t.name}")
        if self.top is not None and len(self.nodes) > self.top:
            lines.append(f"  ... and {len(self.nodes) - self.top:,} more (--json lists them all)")
        return "\n".join(lines)


@gc_paused()
def trace(
    chain_or_graph: Any,
    node: str,
    *,
    direction: str = "down",
    depth: int | None = None,
    group_by: str | None = None,
    top: int | None = None,
) -> Trace:
    """Upstream or downstream of ``node``, with names, kinds and distances.

    Parameters
    ----------
    chain_or_graph : Chain or networkx.DiGraph
    node : str
        A node id; with ``group_by``, a group or the id of one of its departments.
    direction : {"down", "up"}
        ``"up"``: its suppliers and theirs; ``"down"``: its customers down to the segments.
    depth : int, optional
        At most this many hand-offs away.
    group_by : str, optional
        Trace the graph rolled up by this department attribute (see :func:`rollup`).
    top : int, optional
        The text lists only the ``top`` nearest nodes (the result keeps them all).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("hr", "it"), ("it", "store"), ("store", "shoppers")])
    >>> G.add_node("shoppers", kind="segment")
    >>> print(trace(G, "it", direction="down"))
    Downstream of it: 1 department, 1 segment, up to 2 hand-offs away
        1  store     department  store
        2  shoppers  segment     shoppers
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    target = chain_or_graph
    if group_by:
        from .grouping import rollup

        target = rollup(as_graph(chain_or_graph), by=group_by)
    nodes_of = view(target)
    start = locate(target, nodes_of, node)
    found = _reach(nodes_of, start, depth, up=direction == "up")
    ids, names, kinds, index = nodes_of.ids, nodes_of.names, nodes_of.kinds, nodes_of.index
    nodes = [
        TracedNode(n, names[index[n]], kinds[index[n]], d)
        for n, d in sorted(found.items(), key=lambda item: (item[1], index[item[0]]))
    ]
    return Trace(
        node=ids[start],
        name=names[start],
        kind=kinds[start],
        direction=direction,
        nodes=nodes,
        depth=depth,
        group_by=group_by,
        top=top,
    )


@dataclass(frozen=True)
class Paths:
    """The service paths from one node to another, shortest first (see :func:`paths`)."""

    source: str
    target: str
    paths: list[list[str]]
    limit: int
    more: bool = False
    names: dict[str, str] = field(default_factory=dict)
    group_by: str | None = None

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            "source": self.source,
            "target": self.target,
            "group_by": self.group_by,
            "limit": self.limit,
            "more": self.more,
            "paths": [{"nodes": p, "hand_offs": len(p) - 1} for p in self.paths],
            "names": self.names,
        }

    def _label(self, node: str) -> str:
        name = self.names.get(node, node)
        return node if name == node else f"{node} ({name})"

    __repr__ = text_repr

    def __str__(self) -> str:
        ends = f"from {self._label(self.source)} to {self._label(self.target)}"
        if not self.paths:
            return f"No service path leads {ends}."
        count = len(self.paths)
        lines = [
            f"{count} service path{'' if count == 1 else 's'} {ends}"
            + (", shortest first:" if count > 1 else ":")
        ]
        for i, p in enumerate(self.paths, 1):
            steps = len(p) - 1
            plural = "" if steps == 1 else "s"
            lines.append(f"  {i:>2}. {' → '.join(p)}  ({steps} hand-off{plural})")
        if self.more:
            lines.append(f"  More paths exist; only the {self.limit} shortest are listed.")
        return "\n".join(lines)


@gc_paused()
def paths(
    chain_or_graph: Any,
    source: str,
    segment: str,
    *,
    limit: int = 10,
    group_by: str | None = None,
) -> Paths:
    """The service paths from ``source`` to ``segment`` (or any node), shortest first.

    At most ``limit`` paths are listed; ``more`` says whether others exist. Paths are simple
    (no node twice) and found lazily, so a graph with countless paths stays fast.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("it", "store"), ("it", "web"), ("store", "s"), ("web", "s"),
    ...                 ("it", "stock"), ("stock", "store")])
    >>> result = paths(G, "it", "s", limit=2)
    >>> result.paths, result.more
    ([['it', 'store', 's'], ['it', 'web', 's']], True)
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    target = chain_or_graph
    if group_by:
        from .grouping import rollup

        target = rollup(as_graph(chain_or_graph), by=group_by)
    nodes_of = view(target)
    start = nodes_of.ids[locate(target, nodes_of, source)]
    end = nodes_of.ids[locate(target, nodes_of, segment)]
    found = _shortest_paths(nodes_of, nodes_of.index[start], nodes_of.index[end], limit + 1)
    name_of = nodes_of.names
    index = nodes_of.index
    names = {n: name_of[index[n]] for p in found for n in p}
    names.setdefault(start, name_of[index[start]])
    names.setdefault(end, name_of[index[end]])
    return Paths(
        source=start,
        target=end,
        paths=found[:limit],
        limit=limit,
        more=len(found) > limit,
        names=names,
        group_by=group_by,
    )


def _shortest_paths(nodes_of: Any, start: int, end: int, count: int) -> list[list[str]]:
    """The first ``count`` simple paths from ``start`` to ``end``, shortest first.

    A path of at most ``L`` hand-offs only uses services ``u -> v`` with
    ``dist(start, u) + 1 + dist(v, end) <= L``; the paths are searched (Yen's algorithm, see
    :mod:`servicechain.structure.kpaths`) among those services alone, ``L`` growing from the
    shortest distance until ``count`` paths of at most ``L`` hand-offs are found or no service
    is left out, so a model of any size builds a graph of the few services that matter.
    """
    if start == end:
        return []
    ahead, _, _ = bfs(nodes_of.out_ptr, nodes_of.out_idx, [start])
    behind, _, _ = bfs(nodes_of.in_ptr, nodes_of.in_idx, [end])
    if ahead[end] < 0:
        return []
    net = nodes_of.network
    if net is not None:  # services in file order, as the chain's graph adds them
        src, dst = np.asarray(net.source, dtype=np.int64), np.asarray(net.target, dtype=np.int64)
    else:
        src = np.repeat(np.arange(nodes_of.n), np.diff(nodes_of.out_ptr))
        dst = np.asarray(nodes_of.out_idx)
    useful = (ahead[src] >= 0) & (behind[dst] >= 0)
    src, dst = src[useful], dst[useful]
    through = ahead[src] + 1 + behind[dst]  # the shortest path using each service
    ids = nodes_of.ids
    bound = int(ahead[end])
    while True:
        keep = through <= bound
        graph = Adjacency(zip(src[keep].tolist(), dst[keep].tolist(), strict=True))
        found = list(islice(shortest_simple_paths(graph, start, end), count))
        found = [list(map(ids.__getitem__, p)) for p in found]
        within = [p for p in found if len(p) - 1 <= bound]
        if len(within) >= count or keep.all():
            return within if len(within) >= count else found
        bound = max(bound + 1, int(through[~keep].min()))

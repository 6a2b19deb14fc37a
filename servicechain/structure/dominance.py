"""Gateways: departments that every path of some others to a segment passes through."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..progress import gc_paused
from ..text import text_repr
from ._arrays import View, bfs, view
from ._base import locate_segment, short_list

__all__ = [
    "DominatorTree",
    "Gateway",
    "Gateways",
    "gateways",
    "gateways_of_view",
    "immediate_dominators",
    "single_front_line",
    "single_front_line_of_view",
]


@dataclass(frozen=True)
class Gateway:
    """A department through which every path of ``gates`` to a segment passes."""

    id: str
    name: str
    gates: list[str]

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {"id": self.id, "name": self.name, "gates": self.gates}


class DominatorTree(Mapping):
    """``{node id: id of its immediate dominator}`` read from arrays (positions in ``ids``),
    in file order; the dict is made when first looked into (a text never does).

    Examples
    --------
    >>> tree = DominatorTree(["s", "a", "b"], np.array([2, 1]), np.array([0, 0]))
    >>> len(tree), dict(tree)
    (2, {'a': 's', 'b': 's'})
    """

    def __init__(self, ids: list, below: np.ndarray, above: np.ndarray):
        self._ids, self._below, self._above = ids, below, above

    def __len__(self) -> int:
        return len(self._below)

    @cached_property
    def _dict(self) -> dict:
        ids = self._ids
        order = np.argsort(self._below, kind="stable")
        below = map(ids.__getitem__, self._below[order].tolist())
        return dict(zip(below, map(ids.__getitem__, self._above[order].tolist()), strict=True))

    def __getitem__(self, key: Any) -> Any:
        return self._dict[key]

    def __iter__(self) -> Iterator:
        return iter(self._dict)

    def items(self) -> ItemsView:
        """The pairs of the dict, read in C (``dict(tree.items())`` copies it at once)."""
        return self._dict.items()

    def __repr__(self) -> str:
        return repr(self._dict)


@dataclass(frozen=True)
class Gateways:
    """The gateways of one segment, those gating most first (see :func:`gateways`).

    ``tree`` is the immediate-dominator tree in the reversed graph: for every node upstream of
    the segment, the node its every path to the segment passes through last-but-nearest
    (the segment itself when no single department does).
    """

    segment: str
    name: str
    gateways: list[Gateway]
    tree: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain-data form, for ``--json`` output."""
        return {
            "segment": self.segment,
            "name": self.name,
            "upstream": len(self.tree),
            "gateways": [g.to_dict() for g in self.gateways],
            "tree": dict(self.tree.items()),
        }

    __repr__ = text_repr

    def __str__(self) -> str:
        head = f"{self.segment} ({self.name})" if self.name != self.segment else self.segment
        if not self.gateways:
            return f"{head}: no gateway (no department stands on every path of another to it)"
        lines = [f"{head}:"]
        for g in self.gateways:
            who = f"{g.id} ({g.name})" if g.name != g.id else g.id
            lines.append(f"  {who} gates {len(g.gates)}: {short_list(g.gates)}")
        return "\n".join(lines)


@gc_paused()
def gateways(chain_or_graph: Any, segment: str) -> Gateways:
    """The gateways of ``segment``: departments every path of some others to it passes through.

    Computed from the immediate-dominator tree of the reversed graph rooted at the segment;
    a department gates everything below it in that tree. One linear-time pass per segment,
    only for the segment asked.

    Raises
    ------
    UnknownNodeError
        When ``segment`` is unknown or not a segment.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "g"), ("b", "g"), ("c", "g"), ("g", "s"), ("d", "s")])
    >>> G.add_node("s", kind="segment")
    >>> [(g.id, g.gates) for g in gateways(G, "s").gateways]
    [('g', ['a', 'b', 'c'])]
    """
    nodes_of = view(chain_or_graph)
    seg = locate_segment(chain_or_graph, nodes_of, segment)
    return gateways_of_view(nodes_of, seg)


def gateways_of_view(nodes_of: View, seg: int) -> Gateways:
    """The gateways of segment ``seg`` of a view (see :func:`gateways`), read from the
    dominator tree on arrays: every node is gated by each department among its ancestors."""
    reached, dom = dominator_array(nodes_of, seg)
    below, above = reached[1:], dom[1:]
    ids, names = nodes_of.ids, nodes_of.names
    parent_of = np.full(nodes_of.n, -1, dtype=np.int64)
    parent_of[below] = above
    gate, gated = [], []
    node, up = below, above
    while True:  # one step up the tree at a time: the tree of a real chain is shallow
        inside = up != seg
        if not inside.any():
            break
        node, up = node[inside], up[inside]
        gate.append(up)
        gated.append(node)
        up = parent_of[up]
    result = []
    if gate:
        gate_all, gated_all = np.concatenate(gate), np.concatenate(gated)
        keep = nodes_of.is_department[gate_all]
        gate_all, gated_all = gate_all[keep], gated_all[keep]
        order = np.lexsort((gated_all, gate_all))
        gate_all, gated_all = gate_all[order], gated_all[order]
        heads, counts = np.unique(gate_all, return_counts=True)
        starts = np.concatenate([[0], np.cumsum(counts)]).tolist()
        ranked = np.lexsort((heads, -counts)).tolist()
        heads_list, members = heads.tolist(), gated_all.tolist()
        for g in ranked:
            head = heads_list[g]
            gated_ids = [ids[m] for m in members[starts[g] : starts[g + 1]]]
            result.append(Gateway(ids[head], names[head], gated_ids))
    tree = DominatorTree(ids, below, above)
    return Gateways(ids[seg], names[seg], result, tree)


def immediate_dominators(nodes_of: View, root: int) -> dict[int, int]:
    """Immediate dominators in the reversed graph: ``{node: idom}`` for every node upstream of
    ``root`` (``root`` itself left out, as networkx 3.6 leaves out the start node), in the
    order of :func:`dominator_array`."""
    reached, idom = dominator_array(nodes_of, root)
    return dict(zip(reached[1:].tolist(), idom[1:].tolist(), strict=True))


def dominator_array(nodes_of: View, root: int) -> tuple[np.ndarray, np.ndarray]:
    """The nodes upstream of ``root`` (``root`` first, then breadth-first from it over the
    suppliers) and the immediate dominator of each in the reversed graph (``root``'s own).

    The iterative algorithm of Cooper, Harvey and Kennedy, which ``networkx.immediate_dominators``
    implements, run on arrays a breadth-first level at a time: nodes are numbered down from
    ``root`` in breadth-first order, so every node has a predecessor (a customer) numbered
    higher, its parent in the search, and every tree the passes build points from lower
    numbers to higher ones; the immediate dominator of each node of a level is the nearest
    common ancestor, in the current tree, of its predecessors, paired off and lifted on arrays
    (the lower number of a pair moves to its dominator). Passes repeat until nothing changes.
    The dominator tree is unique, so this equals networkx's on any graph (a property test
    checks it on random graphs).
    """
    n = nodes_of.n
    _, levels, _ = bfs(nodes_of.in_ptr, nodes_of.in_idx, [root])
    reached = np.concatenate(levels)
    k = len(reached)
    number = np.full(n, -1, dtype=np.int64)
    number[reached] = np.arange(k - 1, -1, -1)  # root k - 1, numbers fall level by level
    idom = np.full(k, -1, dtype=np.int64)
    idom[k - 1] = k - 1
    # each level's predecessors (the customers of its nodes that are upstream of root), as
    # the numbers of the level's nodes and pairs of a node's place among them and the
    # predecessor's number
    work = []
    for level in levels[1:]:
        starts = nodes_of.out_ptr[level]
        counts = nodes_of.out_ptr[level + 1] - starts
        ends = np.cumsum(counts)
        positions = np.arange(int(ends[-1])) + np.repeat(starts - (ends - counts), counts)
        preds = number[nodes_of.out_idx[positions]]
        place = np.repeat(np.arange(len(level)), counts)
        keep = preds >= 0
        work.append((number[level], place[keep], preds[keep]))
    changed = True
    while changed:
        changed = False
        for step, (rows, place, preds) in enumerate(work):
            if not len(rows):
                continue
            defined = idom[preds] >= 0
            if defined.all():
                found = _common_ancestors(idom, place, preds, len(rows))
            else:
                found = _common_ancestors(idom, place[defined], preds[defined], len(rows))
            if not np.array_equal(idom[rows], found):
                idom[rows] = found
                changed = True
            # final: a node with one predecessor (its parent in the search) and one whose
            # dominator is root (dominator sets only shrink from pass to pass)
            open_ = (found != k - 1) & (np.bincount(place, minlength=len(rows)) > 1)
            if not open_.all():
                renumber = np.cumsum(open_) - 1
                kept = open_[place]
                work[step] = (rows[open_], renumber[place[kept]], preds[kept])
    return reached, reached[(k - 1) - idom[::-1]]


def _common_ancestors(idom: np.ndarray, group: np.ndarray, nodes: np.ndarray, size: int):
    """For each of ``size`` groups, the nearest common ancestor in the tree ``idom`` of the
    ``nodes`` in it (``group``: sorted group of each node, every group holding one or more):
    pairs of neighbours in a group are lifted to their common ancestor until one is left."""
    nodes = nodes.copy()
    while len(nodes) > size:
        index = np.arange(len(nodes))
        first = np.ones(len(nodes), dtype=bool)
        first[1:] = group[1:] != group[:-1]
        even = (index - np.maximum.accumulate(np.where(first, index, 0))) % 2 == 0
        paired = np.flatnonzero(even[:-1] & (group[1:] == group[:-1]))
        a, b = nodes[paired], nodes[paired + 1]
        active = np.flatnonzero(a != b)
        while len(active):
            x, y = a[active], b[active]
            low = x < y
            x = np.where(low, idom[x], x)
            y = np.where(low, y, idom[y])
            a[active], b[active] = x, y
            active = active[x != y]
        nodes[paired] = a
        nodes, group = nodes[even], group[even]
    return nodes


@gc_paused()
def single_front_line(chain_or_graph: Any) -> dict[str, str]:
    """Segments served by one front-line department only: ``{segment: department}``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "s"), ("a", "t"), ("b", "t")])
    >>> G.add_nodes_from(["s", "t"], kind="segment")
    >>> single_front_line(G)
    {'s': 'a'}
    """
    return single_front_line_of_view(view(chain_or_graph))


def single_front_line_of_view(nodes_of: View) -> dict[str, str]:
    """Segments served by one department only, on a view (see :func:`single_front_line`)."""
    ids = nodes_of.ids
    degree = np.diff(nodes_of.in_ptr)
    single = np.flatnonzero(nodes_of.is_segment & (degree == 1)).tolist()
    return {ids[s]: ids[nodes_of.in_idx[nodes_of.in_ptr[s]]] for s in single}

"""Structure on arrays: a chain's nodes and services as CSR adjacency, and searches over them.

A :class:`View` numbers the nodes in graph order (file order for a chain: departments,
partners, segments) and keeps each node's customers and suppliers in the order networkx
lists them (file order of the services), so searches over it visit nodes in the same order
as networkx's and the results are identical. For a :class:`~servicechain.chain.Chain` the
view is built straight from ``chain.network`` (no networkx graph is built); for a graph it is
read from its adjacency.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model.search import adjacency, bfs
from ._base import is_graph

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["View", "bfs", "view"]

_KIND_NAMES = ("department", "partner", "segment")
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True, eq=False)
class View:
    """Nodes and services of a chain or graph as arrays.

    ``out_ptr``/``out_idx`` list each node's customers (successors), ``in_ptr``/``in_idx``
    its suppliers (predecessors), both in networkx's order.
    """

    ids: list
    names: list[str]
    kinds: list[str]
    out_ptr: np.ndarray
    out_idx: np.ndarray
    in_ptr: np.ndarray
    in_idx: np.ndarray
    title: str
    network_ref: Any = None  # a weak reference: the cache of views is keyed by the network

    @property
    def network(self) -> Any:
        """The chain's :class:`~servicechain.model.network.Network`, or None for a graph's view."""
        return None if self.network_ref is None else self.network_ref()

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.ids)

    @cached_property
    def index(self) -> dict:
        """Node id → position."""
        return {ident: i for i, ident in enumerate(self.ids)}

    def position(self, ident: Any) -> int | None:
        """Position of node ``ident``, None when there is none: looked up in :attr:`index` once
        that is built, else found by a scan of the ids (one lookup builds no index)."""
        if "index" in self.__dict__:
            return self.index.get(ident)
        try:
            return self.ids.index(ident)
        except ValueError:
            return None

    @cached_property
    def kind_codes(self) -> np.ndarray:
        """The kind of each node as a number: 0 department, 1 partner, 2 segment (3 another)."""
        net = self.network
        if net is not None:
            return np.asarray(net.kind, dtype=np.int8)
        codes = {name: code for code, name in enumerate(_KIND_NAMES)}
        return np.array([codes.get(k, 3) for k in self.kinds], dtype=np.int8)

    @cached_property
    def is_segment(self) -> np.ndarray:
        """Boolean mask of the segments."""
        return self.kind_codes == 2

    @cached_property
    def is_department(self) -> np.ndarray:
        """Boolean mask of the departments."""
        return self.kind_codes == 0

    @cached_property
    def lists(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """``out_ptr``, ``out_idx``, ``in_ptr``, ``in_idx`` as Python lists (for loops)."""
        return (
            self.out_ptr.tolist(),
            self.out_idx.tolist(),
            self.in_ptr.tolist(),
            self.in_idx.tolist(),
        )

    @cached_property
    def components(self) -> np.ndarray:
        """Strongly connected component of each node, numbered so that every service between
        two components goes from a higher number to a lower one (sinks first)."""
        from ..model.components import strong_components

        return strong_components(self.out_ptr, self.out_idx, self.in_ptr, self.in_idx)

    def successors(self, i: int) -> np.ndarray:
        """Positions of the customers of node ``i``."""
        return self.out_idx[self.out_ptr[i] : self.out_ptr[i + 1]]

    def predecessors(self, i: int) -> np.ndarray:
        """Positions of the suppliers of node ``i``."""
        return self.in_idx[self.in_ptr[i] : self.in_ptr[i + 1]]

    def bare_graph(self) -> nx.DiGraph:
        """A networkx DiGraph with the same nodes and adjacency order, without attributes."""
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(self.ids)
        ids = self.ids
        net = self.network
        if net is not None:  # services in file order, as chain.graph adds them
            src, dst = net.source, net.target
        else:
            src, dst = np.repeat(np.arange(self.n), np.diff(self.out_ptr)), self.out_idx
        ends = map(ids.__getitem__, np.asarray(dst).tolist())
        graph.add_edges_from(zip(map(ids.__getitem__, np.asarray(src).tolist()), ends, strict=True))
        return graph


def _from_network(net: Any, title: str) -> View:
    n = net.n
    source = np.asarray(net.source, dtype=np.int64)
    target = np.asarray(net.target, dtype=np.int64)
    out_ptr, out_idx = adjacency(source, target, n)
    in_ptr, in_idx = adjacency(target, source, n)
    names = [name or ident for name, ident in zip(net.names, net.ids, strict=True)]
    kinds = list(map(_KIND_NAMES.__getitem__, np.asarray(net.kind).tolist()))
    ref = weakref.ref(net)
    return View(list(net.ids), names, kinds, out_ptr, out_idx, in_ptr, in_idx, title, ref)


def _from_graph(graph: nx.DiGraph) -> View:
    ids = list(graph)
    index = {node: i for i, node in enumerate(ids)}
    n = len(ids)

    def listed(adj: dict) -> tuple[np.ndarray, np.ndarray]:
        counts = np.fromiter((len(adj[u]) for u in ids), dtype=np.int64, count=n)
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=ptr[1:])
        idx = np.fromiter(
            (index[v] for u in ids for v in adj[u]), dtype=np.int64, count=int(ptr[-1])
        )
        return ptr, idx

    out_ptr, out_idx = listed(graph._succ)
    in_ptr, in_idx = listed(graph._pred)
    attrs = graph.nodes
    names = [attrs[u].get("name") or u for u in ids]
    kinds = [attrs[u].get("kind", "department") for u in ids]
    title = graph.graph.get("name") or "Model"
    return View(ids, names, kinds, out_ptr, out_idx, in_ptr, in_idx, title)


def view(chain_or_graph: Any) -> View:
    """The :class:`View` of a chain (cached with its network) or of a graph (read each time)."""
    if is_graph(chain_or_graph):
        return _from_graph(chain_or_graph)
    net = getattr(chain_or_graph, "network", None)
    if net is None:
        graph = getattr(chain_or_graph, "graph", None)
        if is_graph(graph):
            return _from_graph(graph)
        raise TypeError(
            f"expected a Chain or a networkx DiGraph, got {type(chain_or_graph).__name__}"
        )
    found = _CACHE.get(net)
    if found is None:
        found = _CACHE[net] = _from_network(net, chain_or_graph.name or "Model")
    return found

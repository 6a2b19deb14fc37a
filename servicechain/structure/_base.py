"""What the structure analyses share: accepting a chain or a graph, resolving ids, text tables."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from ..errors import UnknownNodeError, did_you_mean, unknown_node

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "as_graph",
    "is_graph",
    "kind_of",
    "label",
    "locate",
    "locate_segment",
    "node_kinds",
    "node_order",
    "resolve",
    "resolve_segment",
    "short_list",
]


def is_graph(obj: Any) -> bool:
    """Whether ``obj`` is a networkx DiGraph, without importing networkx (an object can only be
    one once networkx is imported).

    Examples
    --------
    >>> import networkx as nx
    >>> is_graph(nx.DiGraph()), is_graph({})
    (True, False)
    """
    nx = sys.modules.get("networkx")
    return nx is not None and isinstance(obj, nx.DiGraph)


def as_graph(chain_or_graph: Any) -> nx.DiGraph:
    """The networkx DiGraph of a :class:`~servicechain.chain.Chain`, or the graph itself."""
    if is_graph(chain_or_graph):
        return chain_or_graph
    graph = getattr(chain_or_graph, "graph", None)
    if is_graph(graph):
        return graph
    raise TypeError(f"expected a Chain or a networkx DiGraph, got {type(chain_or_graph).__name__}")


def kind_of(graph: nx.DiGraph, node: str) -> str:
    """``department``, ``partner`` or ``segment`` (department when the graph does not say)."""
    return graph.nodes[node].get("kind", "department")


def label(graph: nx.DiGraph, node: str) -> str:
    """``id (name)``, or just the id when the name is the id."""
    name = graph.nodes[node].get("name") or node
    return node if name == node else f"{node} ({name})"


def node_kinds(graph: nx.DiGraph) -> dict[str, str]:
    """``{node: kind}`` for every node (department when the graph does not say)."""
    return dict(graph.nodes(data="kind", default="department"))


def node_order(graph: nx.DiGraph) -> dict[str, int]:
    """Position of each node in the graph (file order for a chain's graph)."""
    return {node: i for i, node in enumerate(graph)}


def resolve(chain_or_graph: Any, graph: nx.DiGraph, ident: str) -> str:
    """The node of ``graph`` that ``ident`` names.

    On a rolled-up graph a department id names its group's node. Raises
    :class:`~servicechain.errors.UnknownNodeError` with a "did you mean" for an unknown id.
    """
    if ident in graph:
        return ident
    members_of = graph.graph.get("members_of") or {}
    if ident in members_of:
        return members_of[ident]
    network = getattr(chain_or_graph, "network", None)
    if network is not None and not members_of and not is_graph(chain_or_graph):
        network.node(ident)  # raises with the model's own message
    what = "department, segment or partner"
    if members_of:
        what = "group, " + what
    raise unknown_node(ident, [*graph, *members_of], what=what)


def resolve_segment(chain_or_graph: Any, graph: nx.DiGraph, ident: str) -> str:
    """Like :func:`resolve`, and the node must be a segment."""
    node = resolve(chain_or_graph, graph, ident)
    kind = kind_of(graph, node)
    if kind != "segment":
        segments = [n for n, k in graph.nodes(data="kind") if k == "segment"]
        hint = did_you_mean(str(ident), segments, what="segment")
        raise UnknownNodeError(
            ident, f"{ident!r} is a {kind}, not a segment" + (f"; {hint}" if hint else "")
        )
    return node


def short_list(items: list[str], *, limit: int = 8) -> str:
    """``a, b, c`` or ``a, b, ... and 5 more`` for long lists."""
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def locate(chain_or_graph: Any, view: Any, ident: str) -> int:
    """Position in ``view`` of the node ``ident`` names (see :func:`resolve` for the errors)."""
    found = view.position(ident)
    if found is not None:
        return found
    if is_graph(chain_or_graph):
        return view.index[resolve(chain_or_graph, chain_or_graph, ident)]
    if view.network is not None:
        return view.network.node(ident)  # raises with the model's own message
    graph = as_graph(chain_or_graph)
    return view.index[resolve(chain_or_graph, graph, ident)]


def locate_segment(chain_or_graph: Any, view: Any, ident: str) -> int:
    """Like :func:`locate`, and the node must be a segment."""
    found = locate(chain_or_graph, view, ident)
    kind = view.kinds[found]
    if kind != "segment":
        segments = [n for n, k in zip(view.ids, view.kinds, strict=True) if k == "segment"]
        hint = did_you_mean(str(ident), segments, what="segment")
        raise UnknownNodeError(
            ident, f"{ident!r} is a {kind}, not a segment" + (f"; {hint}" if hint else "")
        )
    return found

"""Roll a chain up to group level: one node per group, services between groups aggregated."""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..errors import ServiceChainError
from ._base import as_graph, kind_of

__all__ = ["merge_services", "rollup"]

_SUMMED = ("headcount", "cost")


def rollup(chain_or_graph: Any, *, by: str = "group") -> nx.DiGraph:
    """The chain with the departments of each group merged into one node.

    Parameters
    ----------
    chain_or_graph : Chain or networkx.DiGraph
        The chain, or a graph shaped like ``chain.graph``.
    by : str
        The department attribute whose values form the groups (``group`` in the model file).
        Departments without a value keep their own node; partners and segments stay as
        they are.

    Returns
    -------
    networkx.DiGraph
        Shaped like ``chain.graph``, so every structure analysis runs on it. A group node has
        its value as id (``by:value`` if that id is taken by another node) and attributes
        ``kind="department"``, ``name``, ``group``, ``members`` (ids), ``size``,
        ``internal_services`` (services between its own members, dropped from the edges)
        and the sums of ``headcount`` and ``cost`` where given. Each edge carries ``count``
        (services merged), ``weight`` and ``reliance`` (sums), ``quality`` (weight-averaged
        rating over the rated services, ``None`` if none is rated), ``name`` and ``services``
        (the merged ``(supplier, customer)`` pairs). The graph attribute ``members_of`` maps
        each merged department to its group node.

    Raises
    ------
    ServiceChainError
        When ``by`` is not ``group`` and no department has that attribute.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_nodes_from([("it", {"kind": "department", "group": "Ops"}),
    ...                   ("stock", {"kind": "department", "group": "Ops"}),
    ...                   ("store", {"kind": "department"}), ("s", {"kind": "segment"})])
    >>> G.add_edge("it", "store", weight=1, reliance=0.2, quality=0.6)
    >>> G.add_edge("stock", "store", weight=3, reliance=0.4, quality=1.0)
    >>> G.add_edge("it", "stock", weight=1, reliance=0.3, quality=None)
    >>> G.add_edge("store", "s", weight=1, reliance=1.0, quality=0.9)
    >>> R = rollup(G)
    >>> list(R), R.nodes["Ops"]["members"], R.nodes["Ops"]["internal_services"]
    (['Ops', 'store', 's'], ['it', 'stock'], 1)
    >>> e = R.edges["Ops", "store"]
    >>> e["count"], e["weight"], round(e["reliance"], 3), e["quality"]
    (2, 4, 0.6, 0.9)
    """
    graph = as_graph(chain_or_graph)
    values = {
        n: attrs.get(by)
        for n, attrs in graph.nodes(data=True)
        if kind_of(graph, n) == "department" and attrs.get(by) not in (None, "")
    }
    if not values and by != "group":
        raise ServiceChainError(
            f"no department has a {by!r} attribute to roll up by (use --by-group)"
        )
    taken = set(graph) - set(values)
    group_node = {}
    for value in dict.fromkeys(values.values()):
        ident = str(value)
        group_node[value] = ident if ident not in taken else f"{by}:{ident}"
    members_of = {n: group_node[v] for n, v in values.items()}

    result = nx.DiGraph(**graph.graph)
    result.graph["rolled_up_by"] = by
    result.graph["members_of"] = members_of
    for n, attrs in graph.nodes(data=True):
        if n not in members_of:
            result.add_node(n, **attrs)
            continue
        key = members_of[n]
        if key not in result:
            value = values[n]
            result.add_node(
                key,
                kind="department",
                name=str(value),
                group=value,
                members=[],
                size=0,
                internal_services=0,
            )
        node = result.nodes[key]
        node["members"].append(n)
        node["size"] += 1
        for name in _SUMMED:
            if attrs.get(name) is not None:
                node[name] = node.get(name, 0) + attrs[name]

    for key, count in merge_services(graph, result, members_of).items():
        result.nodes[key]["internal_services"] += count
    return result


def merge_services(graph: nx.DiGraph, result: nx.DiGraph, box: dict) -> dict:
    """Add to ``result`` one edge per pair of boxes for the services of ``graph`` between them.

    ``box`` maps a node to the box it goes into (nodes not in it stay themselves). Each merged
    edge carries ``count`` and ``weight`` (sums), ``reliance`` (sum), ``quality`` (the
    weight-averaged rating of the rated services, ``None`` if none is rated), ``services`` (the
    original ``(supplier, customer)`` pairs) and a ``name``. Returns how many services stay
    inside each box.
    """
    inside: dict = {}
    rated: dict[tuple, list[float]] = {}
    for u, v, attrs in graph.edges(data=True):
        a, b = box.get(u, u), box.get(v, v)
        count = attrs.get("count", 1)
        if a == b:
            inside[a] = inside.get(a, 0) + count
            continue
        weight = attrs.get("weight", 1)
        if not result.has_edge(a, b):
            result.add_edge(a, b, count=0, weight=0, reliance=0.0, quality=None, services=[])
            rated[a, b] = [0.0, 0.0]
        edge = result.edges[a, b]
        edge["count"] += count
        edge["weight"] += weight
        edge["reliance"] += attrs.get("reliance", 0.0)
        edge["services"].extend(attrs.get("services") or [(u, v)])
        if attrs.get("quality") is not None:
            rated[a, b][0] += weight * attrs["quality"]
            rated[a, b][1] += weight
            edge["quality"] = rated[a, b][0] / rated[a, b][1]
        edge["name"] = attrs.get("name", "") if edge["count"] == 1 else f"{edge['count']} services"
    return inside

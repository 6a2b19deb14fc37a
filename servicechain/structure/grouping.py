"""Roll a chain up to group level: one node per group, services between groups aggregated."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from ..errors import ServiceChainError
from ..model.graph import given, node_attributes
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
    if by == "group" and not isinstance(chain_or_graph, nx.DiGraph):
        return _rollup_arrays(chain_or_graph)
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


def _rollup_arrays(chain: Any) -> nx.DiGraph:
    """:func:`rollup` of a chain by ``group``, built from its arrays and records: the same graph
    as the roll-up of ``chain.graph``, without making the graph of every service."""
    net, records = chain.network, chain.records
    parts = [*records.departments, *records.partners, *records.segments]
    departments = len(records.departments)
    groups = [given(d, "group") for d in records.departments]
    ids = net.ids
    taken = {ids[i] for i in range(net.n) if i >= departments or groups[i] in (None, "")}
    graph_attrs = {
        "name": records.name,
        "description": given(records, "description"),
        "scale": (net.scale.min, net.scale.max),
    }
    if given(records, "currency") is not None:
        graph_attrs["currency"] = records.currency
    result = nx.DiGraph(**graph_attrs)
    group_node: dict = {}
    members_of: dict[str, str] = {}
    box = np.arange(net.n)  # the node each node goes into, as a position in ``labels``
    labels = list(ids)
    for i in range(net.n):
        value = groups[i] if i < departments else None
        if value in (None, ""):
            result.add_node(ids[i], **node_attributes(net, i, parts[i]))
            continue
        if value not in group_node:
            key = str(value) if str(value) not in taken else f"group:{value}"
            group_node[value] = (key, i)
            result.add_node(
                key,
                kind="department",
                name=str(value),
                group=value,
                members=[],
                size=0,
                internal_services=0,
            )
        key, first = group_node[value]
        box[i], labels[i] = first, key
        members_of[ids[i]] = key
        node = result.nodes[key]
        node["members"].append(ids[i])
        node["size"] += 1
        for name in _SUMMED:
            if given(parts[i], name) is not None:
                node[name] = node.get(name, 0) + getattr(parts[i], name)
    result.graph["rolled_up_by"] = "group"
    result.graph["members_of"] = members_of
    # services in the order chain.graph lists its edges: by supplier, then as added
    order = np.argsort(net.source, kind="stable")
    src, dst = np.asarray(net.source)[order], np.asarray(net.target)[order]
    a, b = box[src], box[dst]
    inside = a == b
    for key, count in zip(*np.unique(a[inside], return_counts=True), strict=True):
        result.nodes[labels[key]]["internal_services"] += int(count)
    order, src, dst, a, b = order[~inside], src[~inside], dst[~inside], a[~inside], b[~inside]
    pair = a.astype(np.int64) * net.n + b
    _, first, which = np.unique(pair, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first, kind="stable"), kind="stable")
    slot = rank[which]  # each service's merged edge, numbered in order of first appearance
    edges = len(first)
    count = np.bincount(slot, minlength=edges)
    weight = np.bincount(slot, weights=net.weight[order], minlength=edges)
    reliance = np.bincount(slot, weights=net.reliance[order], minlength=edges)
    rating = net.rating[order]
    rated = ~np.isnan(rating)
    rated_weight = np.bincount(slot[rated], weights=net.weight[order][rated], minlength=edges)
    rated_sum = np.bincount(
        slot[rated], weights=(net.weight[order] * rating)[rated], minlength=edges
    )
    names = net.service_names or [""] * net.m
    pairs: list[list] = [[] for _ in range(edges)]
    for k, u, v in zip(slot.tolist(), src.tolist(), dst.tolist(), strict=True):
        pairs[k].append((ids[u], ids[v]))
    heads = order[np.sort(first)]
    for k in range(edges):
        n = int(count[k])
        result.add_edge(
            labels[box[net.source[heads[k]]]],
            labels[box[net.target[heads[k]]]],
            count=n,
            weight=float(weight[k]),
            reliance=float(reliance[k]),
            quality=float(rated_sum[k] / rated_weight[k]) if rated_weight[k] > 0 else None,
            services=pairs[k],
            name=(names[heads[k]] or "") if n == 1 else f"{n} services",
        )
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

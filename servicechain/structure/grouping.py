"""Roll a chain up to group level: one node per group, services between groups aggregated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from ..errors import ServiceChainError
from ..model.graph import given, given_values, node_attributes
from ._base import as_graph, kind_of
from .merging import Arrows, first_seen, merge_arrows

__all__ = [
    "Grouping",
    "group_attributes",
    "group_boxes",
    "merge_services",
    "rolled_graph_attrs",
    "rollup",
]

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


@dataclass(frozen=True)
class Grouping:
    """The nodes of a chain in boxes, one per group and one per node without a group, and its
    services merged between the boxes: the roll-up by ``group`` as arrays.

    Boxes are numbered in the order their first node comes in the model (departments,
    partners, then segments), arrows in the order a graph of the chain lists its services.

    Attributes
    ----------
    box : numpy.ndarray
        The box of each node (by the node's position in ``chain.network``).
    labels : list of str
        The id of each box in the rolled-up graph: the group's name (``group:NAME`` when a
        node has that id), or the node's own id.
    groups : list
        The group of each box, ``None`` for a node that stays itself.
    first : numpy.ndarray
        The first node of each box.
    arrows : Arrows
        The services merged into one arrow per ordered pair of boxes, taken in ``order``.
    order : numpy.ndarray
        The services in the order a graph of the chain lists them: by supplier, then as
        given (``arrows.arrow[k]`` is the arrow of service ``order[k]``).
    """

    box: np.ndarray
    labels: list[str]
    groups: list
    first: np.ndarray
    arrows: Arrows
    order: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def members(self, ids: list[str]) -> list[list[str]]:
        """The ids (of ``ids``, one per node) of each box's nodes, in model order.

        Examples
        --------
        >>> from servicechain import load
        >>> from servicechain.samples.examples import example_path
        >>> chain = load(example_path("sapataria"))
        >>> grouping = group_boxes(chain)
        >>> members = grouping.members(chain.network.ids)
        >>> sum(map(len, members)) == chain.network.n
        True
        """
        order = np.argsort(self.box, kind="stable").tolist()
        ends = np.cumsum(np.bincount(self.box, minlength=len(self))).tolist()
        ordered = [ids[i] for i in order]
        return [ordered[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def group_boxes(chain: Any) -> Grouping:
    """The roll-up of ``chain`` by ``group``, as arrays (see :class:`Grouping`).

    Examples
    --------
    >>> from servicechain import load
    >>> from servicechain.samples.examples import example_path
    >>> chain = load(example_path("sapataria"))
    >>> grouping = group_boxes(chain)
    >>> grouping.labels[:3]
    ['Lojas', 'Digital', 'Operações']
    >>> int(grouping.arrows.count.sum() + grouping.arrows.inside.sum()) == chain.network.m
    True
    """
    net, records = chain.network, chain.records
    ids = net.ids
    values = given_values(records.departments, "group")
    values += [None] * (net.n - len(values))
    code = {v: k for k, v in enumerate(dict.fromkeys(values))}
    code[None] = code[""] = -1  # a node without a group is a box of its own
    keys = np.array([code[v] for v in values], dtype=np.int64)
    alone = np.flatnonzero(keys < 0)
    keys[alone] = -1 - alone
    box, first = first_seen(keys)
    first_list = first.tolist()
    groups = [values[i] if keys[i] >= 0 else None for i in first_list]
    taken = {ids[i] for i, g in zip(first_list, groups, strict=True) if g is None}
    labels = [
        ids[i] if g is None else (str(g) if str(g) not in taken else f"group:{g}")
        for i, g in zip(first_list, groups, strict=True)
    ]
    # services in the order chain.graph lists its edges: by supplier, then as added
    order = np.argsort(net.source, kind="stable")
    arrows = merge_arrows(
        box[net.source[order]],
        box[net.target[order]],
        boxes=len(labels),
        weight=net.weight[order],
        reliance=net.reliance[order],
        rating=net.rating[order],
        head=order,
    )
    return Grouping(box=box, labels=labels, groups=groups, first=first, arrows=arrows, order=order)


def group_attributes(
    grouping: Grouping, chain: Any, *, members: list[list[str]], totals: bool = True
) -> list[dict]:
    """The attributes of each box's node in the rolled-up graph: those of the node itself for
    a node that stays itself; ``kind``, ``name``, ``group``, ``members``, ``size``,
    ``internal_services`` and (unless ``totals`` is false) the sums of ``headcount`` and
    ``cost`` where given, for a group."""
    net, records = chain.network, chain.records
    parts = [*records.departments, *records.partners, *records.segments]
    inside = grouping.arrows.inside.tolist()
    out = []
    for b, (i, group) in enumerate(zip(grouping.first.tolist(), grouping.groups, strict=True)):
        if group is None:
            out.append(node_attributes(net, i, parts[i]))
            continue
        out.append(
            {
                "kind": "department",
                "name": str(group),
                "group": group,
                "members": members[b],
                "size": len(members[b]),
                "internal_services": inside[b],
            }
        )
    if totals and any(g is not None for g in grouping.groups):
        boxes = grouping.box[: len(records.departments)].tolist()
        for name in _SUMMED:
            values = given_values(records.departments, name)
            for b, value in zip(boxes, values, strict=True):
                if value is not None and grouping.groups[b] is not None:
                    node = out[b]
                    node[name] = node.get(name, 0) + value
    return out


def rolled_graph_attrs(chain: Any) -> dict:
    """The graph attributes a roll-up of ``chain`` keeps: name, description, scale and, when
    given, currency."""
    net, records = chain.network, chain.records
    attrs = {
        "name": records.name,
        "description": given(records, "description"),
        "scale": (net.scale.min, net.scale.max),
    }
    if given(records, "currency") is not None:
        attrs["currency"] = records.currency
    return attrs


def _rollup_arrays(chain: Any) -> nx.DiGraph:
    """:func:`rollup` of a chain by ``group``, built from its arrays and records: the same graph
    as the roll-up of ``chain.graph``, without making the graph of every service."""
    net = chain.network
    ids = net.ids
    result = nx.DiGraph(**rolled_graph_attrs(chain))
    grouping = group_boxes(chain)
    members = grouping.members(ids)
    labels = grouping.labels
    attributes = group_attributes(grouping, chain, members=members)
    for label, attrs in zip(labels, attributes, strict=True):
        result.add_node(label, **attrs)
    result.graph["rolled_up_by"] = "group"
    result.graph["members_of"] = {
        m: labels[b] for b, g in enumerate(grouping.groups) if g is not None for m in members[b]
    }
    arrows, order = grouping.arrows, grouping.order
    # each arrow's services, in the order chain.graph lists them
    which = np.flatnonzero(arrows.arrow >= 0)
    by_arrow = which[np.argsort(arrows.arrow[which], kind="stable")]
    ends = np.cumsum(arrows.count).tolist()
    src = [ids[u] for u in net.source[order[by_arrow]].tolist()]
    dst = [ids[v] for v in net.target[order[by_arrow]].tolist()]
    pairs = list(zip(src, dst, strict=True))
    names = net.service_names or [""] * net.m
    quality = arrows.quality.tolist()
    start = 0
    ends_of = zip(
        arrows.source.tolist(), arrows.target.tolist(), arrows.count.tolist(), ends, strict=True
    )
    for k, (a, b, n, end) in enumerate(ends_of):
        result.add_edge(
            labels[a],
            labels[b],
            count=n,
            weight=float(arrows.weight[k]),
            reliance=float(arrows.reliance[k]),
            quality=None if np.isnan(quality[k]) else quality[k],
            services=pairs[start:end],
            name=(names[arrows.head[k]] or "") if n == 1 else f"{n} services",
        )
        start = end
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

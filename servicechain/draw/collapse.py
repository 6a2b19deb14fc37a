"""Collapse the outside of a chain for a diagram: segments by kind and relationship, partners
into one box, so that a rolled-up diagram of a very large model keeps a legible number of boxes."""

from __future__ import annotations

import networkx as nx

from ..structure.grouping import merge_services

__all__ = ["PARTNERS_NODE", "collapse_outside", "segment_box_name"]

#: Id of the one box that stands for every partner.
PARTNERS_NODE = "partners:all"


def segment_box_name(kind: str | None, relationship: str | None, count: int) -> str:
    """Label of a box of ``count`` segments of one kind and relationship.

    Examples
    --------
    >>> segment_box_name("consumer", "customer", 1240)
    'consumer customers (1,240 segments)'
    >>> segment_box_name("business", "client", 1)
    'business clients (1 segment)'
    """
    who = " ".join(part for part in (kind, f"{relationship}s" if relationship else None) if part)
    noun = "segment" if count == 1 else "segments"
    return f"{who or 'other'} ({count:,} {noun})"


def collapse_outside(
    graph: nx.DiGraph, *, segments: bool = True, partners: bool = True
) -> nx.DiGraph:
    """The graph with its segments merged by ``(segment_kind, relationship)`` and its partners
    merged into one box.

    Parameters
    ----------
    graph : networkx.DiGraph
        Shaped like ``chain.graph`` or a roll-up of it; segment nodes carry ``segment_kind``
        and ``relationship``.
    segments, partners : bool
        Which side to collapse.

    Returns
    -------
    networkx.DiGraph
        A new graph shaped like a roll-up: a merged node has ``kind``, ``name``, ``members``
        (ids of the original nodes) and ``size``; merged edges carry ``count``, ``weight``,
        ``reliance`` (sums), ``quality`` (weight-averaged over the rated services), ``name``
        and ``services`` (the original ``(supplier, customer)`` pairs). The graph attribute
        ``members_of`` maps every merged node (and every department already merged by a
        roll-up) to its box.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_nodes_from([("p1", {"kind": "partner"}), ("p2", {"kind": "partner"}),
    ...                   ("d", {"kind": "department", "name": "Shop"}),
    ...                   ("s1", {"kind": "segment", "segment_kind": "consumer",
    ...                           "relationship": "customer"}),
    ...                   ("s2", {"kind": "segment", "segment_kind": "consumer",
    ...                           "relationship": "customer"})])
    >>> G.add_edges_from([("p1", "d"), ("p2", "d"), ("d", "s1"), ("d", "s2")], weight=1,
    ...                  reliance=0.5, quality=0.8)
    >>> C = collapse_outside(G)
    >>> [C.nodes[n]["name"] for n in C]
    ['external partners (2)', 'Shop', 'consumer customers (2 segments)']
    >>> C.edges["partners:all", "d"]["count"], C.edges["partners:all", "d"]["reliance"]
    (2, 1.0)
    """
    box: dict = {}
    for node, attrs in graph.nodes(data=True):
        kind = attrs.get("kind")
        if kind == "partner" and partners:
            box[node] = PARTNERS_NODE
        elif kind == "segment" and segments:
            box[node] = f"segments:{attrs.get('segment_kind')}/{attrs.get('relationship')}"

    result = nx.DiGraph(**graph.graph)
    members_of = dict(graph.graph.get("members_of") or {})
    for member, node in list(members_of.items()):
        members_of[member] = box.get(node, node)
    for node, target in box.items():
        for member in graph.nodes[node].get("members") or [node]:
            members_of[member] = target
    result.graph["members_of"] = members_of

    merged: dict = {}
    for node, attrs in graph.nodes(data=True):
        if node not in box:
            result.add_node(node, **attrs)
            continue
        key = box[node]
        if key not in result:
            merged[key] = attrs
            result.add_node(key, kind=attrs.get("kind"), members=[], size=0)
            if attrs.get("kind") == "segment":
                result.nodes[key]["segment_kind"] = attrs.get("segment_kind")
                result.nodes[key]["relationship"] = attrs.get("relationship")
        entry = result.nodes[key]
        entry["members"].extend(attrs.get("members") or [node])
        entry["size"] += 1
    for key in merged:
        entry = result.nodes[key]
        if key == PARTNERS_NODE:
            entry["name"] = f"external partners ({entry['size']:,})"
        else:
            entry["name"] = segment_box_name(
                entry.get("segment_kind"), entry.get("relationship"), entry["size"]
            )

    merge_services(graph, result, box)
    return result

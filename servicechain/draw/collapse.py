"""The boxes of a grouped diagram, on arrays: one per group, and the segments by kind and
relationship and the partners as one box where there are too many to draw one each, so that a
rolled-up diagram of a very large model keeps a legible number of boxes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from ..model.network import PARTNER, SEGMENT
from ..structure.grouping import group_attributes, group_boxes, rolled_graph_attrs
from ..structure.merging import Arrows

__all__ = [
    "MAX_OUTSIDE_BOXES",
    "MAX_OUTSIDE_PARTNERS",
    "PARTNERS_NODE",
    "SLIDE_BOXES",
    "GroupedBoxes",
    "grouped_boxes",
    "segment_box_name",
]

#: Id of the one box that stands for every partner.
PARTNERS_NODE = "partners:all"
#: A rolled-up diagram with more segments than this draws them collapsed by kind and
#: relationship.
MAX_OUTSIDE_BOXES = 40
#: A rolled-up diagram with more partners than this draws them as one box.
MAX_OUTSIDE_PARTNERS = 8
#: A slide holds about this many boxes; more are drawn only when forced.
SLIDE_BOXES = 60


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


@dataclass(frozen=True)
class GroupedBoxes:
    """What a grouped diagram draws, as arrays: its boxes and the arrows between them.

    Attributes
    ----------
    labels : list of str
        The id of each box: a group's name, a node's own id, :data:`PARTNERS_NODE`, or
        ``segments:KIND/RELATIONSHIP``.
    attrs : list of dict
        The attributes of each box's node (as in a roll-up: ``kind``, ``name``, ``members``,
        ``size``; a segment box also ``segment_kind`` and ``relationship``).
    arrows : Arrows
        The services merged into one arrow per ordered pair of boxes.
    services : numpy.ndarray
        The services of the model merged into arrows (indices into the model's services), by
        arrow, each arrow's in the order its services were merged.
    service_arrow : numpy.ndarray
        The arrow of each service in ``services``.
    service_names : list of str or None
        The model's service names (an arrow of one service takes its name).
    members_of : dict
        Every department merged into a group, and every segment or partner merged into a
        box, to its box.
    note : str
        What was collapsed, for a line under the title ("" for nothing).
    graph_attrs : dict
        The attributes of the graph: the model's ``name``, ``description``, ``scale``
        (and ``currency``), ``rolled_up_by`` and ``members_of``.
    """

    labels: list[str]
    attrs: list[dict]
    arrows: Arrows
    services: np.ndarray
    service_arrow: np.ndarray
    service_names: list[str] | None
    members_of: dict
    note: str
    graph_attrs: dict

    def graph(self, arrows: np.ndarray | None = None, *, data: bool = True) -> nx.DiGraph:
        """The boxes as a graph shaped like a roll-up, with the arrows at positions ``arrows``
        (default all), in that order. Each edge carries ``count``, ``weight``, ``reliance``,
        ``quality`` (``None`` when no merged service is rated) and ``name``; none of them
        when ``data`` is false (a graph for tracing paths only)."""
        result = nx.DiGraph(**self.graph_attrs)
        for label, attrs in zip(self.labels, self.attrs, strict=True):
            result.add_node(label, **attrs)
        a = self.arrows
        keep = np.arange(len(a)) if arrows is None else np.asarray(arrows, dtype=np.intp)
        labels = self.labels
        if not data:
            result.add_edges_from(
                zip(map(labels.__getitem__, a.source[keep].tolist()),
                    map(labels.__getitem__, a.target[keep].tolist()), strict=True)
            )  # fmt: skip
            return result
        quality = a.quality[keep].tolist()
        names = self.service_names
        result.add_edges_from(
            (
                labels[u],
                labels[v],
                {
                    "count": n,
                    "weight": w,
                    "reliance": r,
                    "quality": None if q != q else q,
                    "name": (names[h] or "" if names else "") if n == 1 else f"{n} services",
                },
            )
            for u, v, n, w, r, q, h in zip(
                a.source[keep].tolist(),
                a.target[keep].tolist(),
                a.count[keep].tolist(),
                a.weight[keep].tolist(),
                a.reliance[keep].tolist(),
                quality,
                a.head[keep].tolist(),
                strict=True,
            )
        )
        return result

    def arrow_means(self, values: np.ndarray, arrows: np.ndarray) -> list[float | None]:
        """The mean of ``values`` (one per service of the model) over the services of each
        arrow at positions ``arrows``."""
        keep = np.asarray(arrows, dtype=np.intp)
        where = np.full(len(self.arrows) + 1, -1, dtype=np.intp)
        where[keep] = np.arange(len(keep))
        slot = where[self.service_arrow]
        mine = np.flatnonzero(slot >= 0)
        mine = mine[np.argsort(slot[mine], kind="stable")]
        ends = np.cumsum(np.bincount(slot[mine], minlength=len(keep))).tolist()
        values = np.asarray(values, dtype=float)[self.services[mine]]
        return [float(np.mean(values[a:b])) for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def grouped_boxes(chain: Any, *, slide: int = SLIDE_BOXES) -> GroupedBoxes:
    """The boxes of the diagram of ``chain`` rolled up by ``group``: more than
    :data:`MAX_OUTSIDE_PARTNERS` partners are one "external partners (N)" box, more than
    :data:`MAX_OUTSIDE_BOXES` segments one box per kind and relationship; where the boxes
    would not fit a slide of ``slide`` boxes otherwise, partners and more than 10 segments
    are collapsed too. Built from the chain's arrays, without a graph of every service.

    Examples
    --------
    >>> from servicechain import load
    >>> from servicechain.samples.examples import example_path
    >>> boxes = grouped_boxes(load(example_path("sapataria")), slide=5)
    >>> PARTNERS_NODE in boxes.labels, boxes.note
    (True, '3 partners as one box')
    """
    net = chain.network
    grouping = group_boxes(chain)
    kinds = net.kind[grouping.first]
    segments = int(np.count_nonzero(kinds == SEGMENT))
    partners = int(np.count_nonzero(kinds == PARTNER))
    crowded = len(grouping) > slide
    fold_segments = segments > MAX_OUTSIDE_BOXES or (crowded and segments > 10)
    fold_partners = partners > MAX_OUTSIDE_PARTNERS or (crowded and partners > 1)
    members = grouping.members(net.ids)
    attrs = group_attributes(grouping, chain, members=members, totals=False)
    members_of = {
        m: grouping.labels[b]
        for b, g in enumerate(grouping.groups)
        if g is not None
        for m in members[b]
    }
    keys: list[str] = []
    for b, label in enumerate(grouping.labels):
        if kinds[b] == PARTNER and fold_partners:
            label = PARTNERS_NODE
        elif kinds[b] == SEGMENT and fold_segments:
            label = f"segments:{attrs[b].get('segment_kind')}/{attrs[b].get('relationship')}"
        keys.append(label)
    number: dict[str, int] = {}
    fold = np.array([number.setdefault(k, len(number)) for k in keys], dtype=np.intp)
    labels = list(number)
    boxes: list[dict] = [{} for _ in labels]
    merged: set[int] = set()
    for b, key in enumerate(keys):
        c = int(fold[b])
        if key == grouping.labels[b]:
            boxes[c] = attrs[b]
            continue
        entry = boxes[c]
        if c not in merged:
            merged.add(c)
            entry.update(kind=attrs[b]["kind"], members=[], size=0)
            if kinds[b] == SEGMENT:
                entry["segment_kind"] = attrs[b].get("segment_kind")
                entry["relationship"] = attrs[b].get("relationship")
        entry["members"].extend(members[b])
        entry["size"] += 1
        for member in members[b]:
            members_of[member] = key
    for c in merged:
        entry = boxes[c]
        if labels[c] == PARTNERS_NODE:
            entry["name"] = f"external partners ({entry['size']:,})"
        else:
            entry["name"] = segment_box_name(
                entry.get("segment_kind"), entry.get("relationship"), entry["size"]
            )
    arrows = grouping.arrows.merge(fold, boxes=len(labels))
    # each service's arrow, the services of an arrow in the order they were merged: by the
    # roll-up's arrows in the order a graph lists them, then as each of those took them
    rolled = grouping.arrows
    position = np.flatnonzero(rolled.arrow >= 0)  # in the order chain.graph lists services
    rank = np.empty(len(rolled), dtype=np.intp)
    rank[rolled.graph_order()] = np.arange(len(rolled))
    arrow = arrows.arrow[rolled.arrow[position]]
    position = position[arrow >= 0]
    by = np.lexsort((position, rank[rolled.arrow[position]], arrows.arrow[rolled.arrow[position]]))
    position = position[by]
    services = grouping.order[position]
    service_arrow = arrows.arrow[rolled.arrow[position]]
    parts = []
    if fold_segments:
        drawn = sum(1 for c in merged if boxes[c]["kind"] == "segment")
        parts.append(f"{segments:,} segments drawn as {drawn} boxes by kind and relationship")
    if fold_partners:
        parts.append(f"{partners:,} partners as one box")
    graph_attrs = rolled_graph_attrs(chain)
    graph_attrs["rolled_up_by"] = "group"
    graph_attrs["members_of"] = members_of
    return GroupedBoxes(
        labels=labels,
        attrs=boxes,
        arrows=arrows,
        services=services,
        service_arrow=service_arrow,
        service_names=net.service_names,
        members_of=members_of,
        note="; ".join(parts).capitalize(),
        graph_attrs=graph_attrs,
    )

"""Building a layered layout once its columns are split into layers: dummy nodes for long
arrows, crossing reduction, rows, x positions, arrow routes, the company boundary and the line of
visibility (Sugiyama et al. 1981)."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np

from .crossings import Spans, sweep
from .placement import place_rows, sub_layers
from .plan import Layout
from .routing import route_edges, side_lanes
from .spacing import HEAD, MARGIN, PULL, REGULAR, Spacing

__all__ = ["build_layout"]


def build_layout(
    graph: nx.DiGraph,
    column: dict,
    by_col: list,
    size: dict,
    lines: dict,
    edges: list,
    parts: list,
    sweeps: int,
    spacing: Spacing = REGULAR,
) -> Layout:
    """The layout of ``graph`` with column ``c`` (nodes ``by_col[c]``) split into ``parts[c]``
    layers: crossings reduced over boxes and lane dummies, rows placed, arrows routed, the
    company boundary and line of visibility placed around the departments.

    Parameters
    ----------
    graph : networkx.DiGraph
        Nodes carry ``kind``.
    column : dict
        Node → its column (see :func:`~servicechain.draw.depth.columns`).
    by_col : list of list
        Nodes of each column, in their starting order.
    size, lines : dict
        Node → its box's ``(width, height)`` and its label's lines.
    edges : list of tuple
        The services drawn, without loops.
    parts : list of int
        Layers of each column.
    sweeps : int
        Barycentre sweeps to reduce crossings.
    spacing : Spacing, optional
        Gaps between columns, boxes and lanes.

    Returns
    -------
    Layout
    """
    kinds = nx.get_node_attributes(graph, "kind")
    n_cols = len(by_col)
    first = [sum(parts[:c]) for c in range(n_cols)]
    layer: dict = {}
    for c, col in enumerate(by_col):
        for node, sub in sub_layers(col, parts[c], graph, column).items():
            layer[node] = first[c] + sub
    n_layers = sum(parts)
    column_of_layer = [c for c in range(n_cols) for _ in range(parts[c])]

    # dummy nodes: one per layer an edge crosses
    order: list[list] = [[] for _ in range(n_layers)]
    for node in sorted(graph, key=str):
        order[layer[node]].append(node)
    dummies: dict = {}
    pieces: list[tuple] = []
    item_layer = dict(layer)
    for i, (u, v) in enumerate(edges):
        lu, lv = layer[u], layer[v]
        if abs(lu - lv) <= 1:
            if lu != lv:
                pieces.append((u, v))
            continue
        step = 1 if lv > lu else -1
        chain = [("\x00lane", i, li) for li in range(lu + step, lv, step)]
        dummies[u, v] = chain
        for d, li in zip(chain, range(lu + step, lv, step), strict=True):
            item_layer[d] = li
            order[li].append(d)
        path = [u, *chain, v]
        pieces += itertools.pairwise(path)

    neighbours: dict = {n: [] for n in item_layer}
    for a, b in pieces:
        neighbours[a].append(b)
        neighbours[b].append(a)
    index = {n: i for i, n in enumerate(item_layer)}
    near = {
        n: np.array([index[m] for m in sorted(ms, key=str)], dtype=np.intp)
        for n, ms in neighbours.items()
    }
    spans = Spans(item_layer, pieces)
    best, best_cross = order, spans.count(order) if pieces else 0
    current = order
    for _ in range(sweeps if best_cross else 0):
        for direction in (1, -1):
            current = sweep(current, near, index, direction=direction)
            cross = spans.count(current)
            if cross < best_cross:
                best, best_cross = current, cross
        if best_cross == 0:
            break
    order = best

    # heights: boxes and lanes as close to their neighbours as their order allows
    dummy_set = {d for chain in dummies.values() for d in chain}
    height = {n: (spacing.lane if n in dummy_set else size[n][1]) for n in item_layer}

    def gap(a, b) -> float:
        lanes = (a in dummy_set) + (b in dummy_set)
        return spacing.row_gap if lanes == 0 else spacing.lane_clear if lanes == 1 else 0.0

    before = {n: [m for m in neighbours[n] if item_layer[m] < item_layer[n]] for n in item_layer}
    after = {n: [m for m in neighbours[n] if item_layer[m] > item_layer[n]] for n in item_layer}
    weight = {n: 0.5 if n in dummy_set else 1.0 for n in item_layer}
    ys = place_rows(order, height, before=before, after=after, gap=gap, weight=weight, pull=PULL)

    # x: layers side by side, each as wide as its widest box, gaps wide enough for lanes
    same_layer = [(u, v) for u, v in edges if layer[u] == layer[v]]
    lanes_beside = side_lanes(same_layer, layer, ys)
    lanes_right = [0] * n_layers
    for e, k in lanes_beside.items():
        lanes_right[layer[e[0]]] = max(lanes_right[layer[e[0]]], k + 1)
    through_gap = [0] * n_layers
    for a, b in pieces:
        through_gap[max(item_layer[a], item_layer[b])] += 1
    has_partners = any(kinds.get(n) == "partner" for n in graph)
    widths = [max((size[n][0] for n in col if n in size), default=0.3) for col in order]
    left, right = [], []
    x = 0.0
    for li in range(n_layers):
        if li:
            c, prev = column_of_layer[li], column_of_layer[li - 1]
            g = spacing.column_gap if c != prev else spacing.sub_gap
            if c != prev and (c == n_cols - 1 or (prev == 0 and has_partners)):
                g *= 1.25
            g += min(0.006 * through_gap[li], 0.2)
            if lanes_right[li - 1]:
                g += HEAD + 0.04 + lanes_right[li - 1] * spacing.lane
            x += g
        left.append(x)
        x += widths[li]
        right.append(x)
    pos = {n: ((left[layer[n]] + right[layer[n]]) / 2, ys[n]) for n in graph}
    lane_x = {
        e: right[layer[e[0]]] + HEAD + 0.04 + (k + 0.5) * spacing.lane
        for e, k in lanes_beside.items()
    }
    routes = route_edges(
        edges,
        pos=pos,
        size=size,
        layer=layer,
        left=left,
        right=right,
        lanes={e: [ys[d] for d in chain] for e, chain in dummies.items()},
        side_lane=lane_x,
        head=HEAD,
    )

    def bbox(nodes):
        if not nodes:
            return None
        return (
            min(pos[n][0] - size[n][0] / 2 for n in nodes),
            min(pos[n][1] - size[n][1] / 2 for n in nodes),
            max(pos[n][0] + size[n][0] / 2 for n in nodes),
            max(pos[n][1] + size[n][1] / 2 for n in nodes),
        )

    depts = [n for n in graph if kinds.get(n, "department") not in ("partner", "segment")]
    inner = bbox(depts)
    has_segments = any(kinds.get(n) == "segment" for n in graph)
    front = n_cols - 2 if has_segments else None
    back_layers = [li for li in range(n_layers) if 0 < column_of_layer[li] != front]
    visibility_x = None
    if inner is None:
        inner = (0.0, -0.5, 1.0, 0.5)
        boundary = inner
    else:
        dept_layers = {layer[n] for n in depts}
        lane_ys = [ys[d] for d in dummy_set if item_layer[d] in dept_layers]
        lo_y = min([inner[1], *(y - spacing.lane for y in lane_ys)])
        hi_y = max([inner[3], *(y + spacing.lane for y in lane_ys)])
        pad = 0.1
        x0 = inner[0] - pad
        if has_segments and front is not None and not any(layer[n] in back_layers for n in depts):
            x0 -= 0.3  # a back-office strip, so the line of visibility stands clear
        boundary = (x0, lo_y - pad - spacing.strip, inner[2] + pad, hi_y + pad + spacing.strip)
        if has_segments and front is not None:
            front_x0 = left[first[front]]
            back = [li for li in back_layers if li < first[front] and order[li]]
            if back and any(layer[n] in back for n in depts):
                visibility_x = (front_x0 + right[max(back)]) / 2
            else:
                visibility_x = (boundary[0] + front_x0) / 2
    everything = bbox(list(graph)) or inner
    route_pts = np.concatenate(list(routes.values())) if routes else np.zeros((0, 2))
    extent = (
        min([everything[0], boundary[0], *route_pts[:, 0]]) - MARGIN,
        min([everything[1], boundary[1], *route_pts[:, 1]]) - MARGIN,
        max([everything[2], boundary[2], *route_pts[:, 0]]) + MARGIN,
        max([everything[3], boundary[3], *route_pts[:, 1]]) + MARGIN,
    )
    return Layout(
        pos=pos,
        size=size,
        column=column,
        order=[[n for n in col if n in size] for col in order],
        lines=lines,
        boundary=boundary,
        visibility_x=visibility_x,
        extent=extent,
        crossings=best_cross,
        layer=layer,
        routes=routes,
    )

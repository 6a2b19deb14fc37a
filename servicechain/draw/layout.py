"""Layered left-to-right layout of a chain: positions, box sizes and arrow routes, no drawing.

Columns are the distance to the nearest segment (partners in column 0 on the far left,
segments in the last column). A column taller than its page allows is split into sub-columns
(layers). Every arrow spanning several layers gets a dummy node in each layer it crosses, so
the barycentre sweeps that reduce crossings order its lane too, and the lane is kept free of
boxes (Sugiyama et al. 1981); ties are broken by id so the same graph always gets the same
layout. Boxes and lanes then move as close to their neighbours' heights as their order allows.
Lengths are in layout units: one unit is :data:`EM_PER_UNIT` ems of the label font.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from ..structure.tracing import distance_to_segment
from .crossings import Spans
from .page import MAX_FONT, diagram_aspect, font_per_scale
from .placement import place_rows, split_columns, sub_layers
from .routing import route_edges
from .text import EM_PER_UNIT, LINE_EM, label_lines, text_width

__all__ = [
    "EM_PER_UNIT",
    "HEAD",
    "Layout",
    "columns",
    "diagram_layout",
    "label_lines",
    "layered_layout",
    "segment_distance",
    "text_width",
]

_PAD_W_EM = 1.0
#: Widest line of a label, in ems, and how much wider bold text is.
_LINE_MAX_EM = 7.8
_BOLD = 1.15
_PAD_H_EM = 0.5
_COLUMN_GAP = 0.38
_SUB_GAP = 0.3
_ROW_GAP = 0.1
#: Height of one arrow lane through a layer, and the room between a lane and a box.
_LANE = 0.055
_LANE_CLEAR = 0.035
#: How strongly boxes and lanes are drawn towards the middle (a compact drawing).
_PULL = 0.3
#: Length of an arrowhead, in layout units.
HEAD = 0.085
_MARGIN = 0.05
#: A split whose diagram fits at this share of the best scale may be kept for fewer lanes.
_NEARLY = 0.98
#: Graphs up to this many nodes and edges are laid out once per candidate split, to keep the
#: best; larger ones once, with the split the estimate prefers.
_TRY_SPLITS_UP_TO = 700
#: Room inside the company boundary above and below its boxes, for its captions.
_STRIP = 0.12


def box_size(lines: list[str], *, note: str | None = None, em: float = 1.0) -> tuple[float, float]:
    """Width and height of a box holding ``lines`` and, under them, a ``note`` (a score, in
    bold), its text ``em`` times as wide as the regular font (bold is wider).

    Examples
    --------
    >>> w, h = box_size(["Store staff"])
    >>> w < 1 and h < box_size(["Store staff"], note="4.2")[1]
    True
    """
    width = max(text_width(line) for line in lines) * em
    if note is not None:
        width = max(width, text_width(note) * _BOLD)
    width += _PAD_W_EM
    height = (len(lines) + (note is not None)) * LINE_EM + _PAD_H_EM
    return max(width, 4.5) / EM_PER_UNIT, max(height, 1.9) / EM_PER_UNIT


def segment_distance(graph: nx.DiGraph) -> dict:
    """Distance of every department to the nearest segment (1 = front line).

    Departments whose work reaches no segment get a distance one less than their nearest
    supplier's (at least 2, so they never stand on the front line), or, when no supplier of
    theirs is placed, one more than their farthest placed customer's; segments get 0.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "s"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "department", "b": "department", "c": "department",
    ...                            "s": "segment"}, "kind")
    >>> sorted(segment_distance(G).items())
    [('a', 2), ('b', 1), ('c', 2), ('s', 0)]
    >>> G.add_edges_from([("x", "y")])  # x serves y, neither reaches a segment
    >>> nx.set_node_attributes(G, {"x": "department", "y": "department"}, "kind")
    >>> segment_distance(G)["x"], segment_distance(G)["y"]
    (3, 2)
    """
    kinds = nx.get_node_attributes(graph, "kind")
    segments = [n for n in graph if kinds.get(n) == "segment"]
    departments = [n for n in graph if kinds.get(n, "department") == "department"]
    reached = distance_to_segment(graph) if segments else {}
    dist: dict = {n: reached[n] for n in [*segments, *departments] if reached.get(n) is not None}
    missing = [n for n in departments if n not in dist]
    if missing:
        cond = nx.condensation(graph.subgraph(departments))
        members = cond.graph["mapping"]
        comps = {c: sorted(cond.nodes[c]["members"], key=str) for c in cond}
        for comp in nx.topological_sort(cond):
            nodes = [n for n in comps[comp] if n not in dist]
            if not nodes:
                continue
            supplier = [
                dist[p]
                for n in nodes
                for p in graph.predecessors(n)
                if dist.get(p) is not None
                and kinds.get(p, "department") == "department"
                and members.get(p) != comp
            ]
            d = max(2, min(supplier) - 1) if supplier else None
            for n in nodes:
                dist[n] = d
        # no placed supplier: one column left of the farthest placed customer
        deepest = max([d for d in dist.values() if d is not None], default=1)
        for comp in reversed(list(nx.topological_sort(cond))):
            nodes = [n for n in comps[comp] if dist[n] is None]
            if not nodes:
                continue
            customer = [
                dist[c]
                for n in nodes
                for c in graph.successors(n)
                if dist.get(c) is not None
                and kinds.get(c, "department") == "department"
                and members.get(c) != comp
            ]
            for n in nodes:
                dist[n] = max(customer) + 1 if customer else max(2, deepest)
    return dist


def columns(graph: nx.DiGraph) -> dict:
    """Column of every node: partners 0, departments by distance to the nearest segment
    (the farthest in column 1), segments in the last column.

    Works on any DiGraph whose nodes carry ``kind`` (department, partner, segment), such as
    ``chain.graph`` or a roll-up; a node without ``kind`` counts as a department.

    Examples
    --------
    >>> G = nx.DiGraph([("p", "a"), ("a", "b"), ("b", "s")])
    >>> nx.set_node_attributes(G, {"p": "partner", "a": "department", "b": "department",
    ...                            "s": "segment"}, "kind")
    >>> columns(G)
    {'p': 0, 'a': 1, 'b': 2, 's': 3}
    """
    kinds = nx.get_node_attributes(graph, "kind")
    dist = segment_distance(graph)
    deepest = max([d for n, d in dist.items() if kinds.get(n) != "segment"], default=0)
    result = {}
    for node in graph:
        kind = kinds.get(node, "department")
        if kind == "partner":
            result[node] = 0
        elif kind == "segment":
            result[node] = deepest + 1
        else:
            result[node] = deepest - dist[node] + 1
    return result


@dataclass
class Layout:
    """Where each box of a chain diagram goes and how each arrow runs, in layout units
    (y grows upwards).

    Attributes
    ----------
    pos : dict
        Node id → ``(x, y)`` of its box centre.
    size : dict
        Node id → ``(width, height)`` of its box.
    column : dict
        Node id → column index (0 = partners).
    order : list of list
        Node ids per layer (sub-column), top to bottom.
    lines : dict
        Node id → the wrapped lines of its label.
    boundary : tuple
        ``(x0, y0, x1, y1)`` of the company boundary around the departments.
    visibility_x : float or None
        x of the line of visibility, between the front line and the back office
        (``None`` when the graph has no segment).
    extent : tuple
        ``(x0, y0, x1, y1)`` of everything drawn, margins included.
    crossings : int
        Crossings between adjacent layers of the order chosen.
    layer : dict
        Node id → layer index; a column may be split into several layers.
    routes : dict
        ``(supplier, customer)`` → ``(3 n + 1, 2)`` array of Bézier control points from the
        supplier's box edge to the arrow tip on the customer's box edge; the last piece is
        the arrowhead (see :func:`~servicechain.draw.routing.head_segment`).
    """

    pos: dict
    size: dict
    column: dict
    order: list
    lines: dict
    boundary: tuple
    visibility_x: float | None
    extent: tuple
    crossings: int = field(default=0)
    layer: dict = field(default_factory=dict)
    routes: dict = field(default_factory=dict)


def _sweep(order: list[list], near: dict, index: dict, *, direction: int) -> list[list]:
    """One barycentre sweep: each column in turn sorted by the mean rank position of its
    nodes' neighbours (``near``: node → their indices in ``index``), ties by current place."""
    pos = np.zeros(len(index))
    for col in order:
        pos[[index[n] for n in col]] = (np.arange(len(col)) + 0.5) / len(col)
    cols = range(len(order)) if direction > 0 else range(len(order) - 1, -1, -1)
    new = [list(col) for col in order]
    for c in cols:
        keys = {}
        for i, node in enumerate(new[c]):
            idx = near[node]
            # the same sum and division as numpy's mean, without its per-call overhead
            keys[node] = (np.add.reduce(pos[idx]) / len(idx) if len(idx) else pos[index[node]], i)
        new[c].sort(key=keys.__getitem__)
        pos[[index[n] for n in new[c]]] = (np.arange(len(new[c])) + 0.5) / len(new[c])
    return new


def layered_layout(
    graph: nx.DiGraph,
    *,
    sweeps: int = 6,
    labels: dict | None = None,
    notes: dict | None = None,
    aspect: float | None = None,
    enough: float | None = None,
) -> Layout:
    """Place every node of a chain in columns, left (back office) to right (segments), and
    route every service between them.

    Parameters
    ----------
    graph : networkx.DiGraph
        Nodes carry ``kind`` and ``name`` (as in ``chain.graph`` or a roll-up).
    sweeps : int, optional
        Barycentre sweeps (each one left to right, then right to left) to reduce crossings;
        the order with the fewest crossings seen is kept.
    labels : dict, optional
        Node id → label text; default the node's ``name`` (else its id).
    notes : dict, optional
        Node id → one line its box holds below its label (a score, or "not rated").
    aspect : float, optional
        Width / height of the page the diagram is for: columns taller than that shape allows
        are split into sub-columns. Default: never split.
    enough : float, optional
        With ``aspect``: a scale (the page's height over the drawing's) past which a larger
        drawing gains nothing (its text would be capped); among splits that reach it, the one
        with the fewest hand-offs in lanes beside a column is kept.

    Returns
    -------
    Layout

    Examples
    --------
    >>> G = nx.DiGraph([("p", "a"), ("a", "b"), ("b", "s"), ("p", "b")])
    >>> nx.set_node_attributes(G, {"p": "partner", "a": "department", "b": "department",
    ...                            "s": "segment"}, "kind")
    >>> lay = layered_layout(G)
    >>> [lay.column[n] for n in "pabs"]
    [0, 1, 2, 3]
    >>> lay.pos["a"][0] < lay.pos["b"][0] < lay.boundary[2] < lay.pos["s"][0]
    True
    >>> lay.routes["p", "b"][-1].tolist() == [lay.pos["b"][0] - lay.size["b"][0] / 2,
    ...                                        lay.routes["p", "b"][-1][1]]
    True
    """
    column = columns(graph)
    names = nx.get_node_attributes(graph, "name")
    labels = labels or {}
    notes = notes or {}
    kinds = nx.get_node_attributes(graph, "kind")
    lines, size = {}, {}
    for n in graph:
        bold = _BOLD if kinds.get(n) == "segment" else 1.0  # segment names are set in bold
        # segments wrap as wide as the others (their column has room): no name is cut short
        lines[n] = label_lines(str(labels.get(n, names.get(n, n))), max_em=_LINE_MAX_EM)
        size[n] = box_size(lines[n], note=notes.get(n), em=bold)
    n_cols = max(column.values(), default=-1) + 1
    by_col: list[list] = [[] for _ in range(n_cols)]
    for node in sorted(graph, key=str):
        by_col[column[node]].append(node)
    edges = [(u, v) for u, v in graph.edges() if u != v]

    # layers: each column split into as many sub-columns as the page's shape asks for
    if not (aspect and n_cols):
        return _build(graph, column, by_col, size, lines, edges, [1] * n_cols, sweeps)
    through = [0] * n_cols
    for u, v in edges:
        lo_c, hi_c = sorted((column[u], column[v]))
        for c in range(lo_c + 1, hi_c):
            through[c] += 1
    heights = [
        sum(size[n][1] + _ROW_GAP for n in col) + through[c] * _LANE for c, col in enumerate(by_col)
    ]
    widths = [max((size[n][0] for n in col), default=0.3) for col in by_col]
    # a column whose boxes serve each other a lot starts in two sub-columns: its hand-offs then
    # run between them rather than all in lanes beside one
    inner = [0] * n_cols
    for u, v in edges:
        if column[u] == column[v]:
            inner[column[u]] += 1
    start = [2 if len(col) >= 2 and inner[c] >= len(col) else 1 for c, col in enumerate(by_col)]
    walks = [None, start] if start != [1] * n_cols else [None]
    steps = [
        step
        for begin in walks
        for step in split_columns(
            heights,
            widths,
            counts=[len(col) for col in by_col],
            gap=_COLUMN_GAP,
            sub_gap=_SUB_GAP,
            aspect=aspect,
            steps=True,
            start=begin,
        )
    ]
    if len(graph) + len(edges) > _TRY_SPLITS_UP_TO:  # large: trust the estimate
        best_step = max(steps, key=lambda step: step[1])[0]
        return _build(graph, column, by_col, size, lines, edges, best_step, sweeps)
    # small: lay out each split walked through; of those that fit nearly as large as the
    # best, keep the one with the fewest hand-offs in lanes beside a column
    tried = []
    seen = set()
    for parts, _ in steps:
        if tuple(parts) in seen:
            continue
        seen.add(tuple(parts))
        layout = _build(graph, column, by_col, size, lines, edges, parts, sweeps)
        x0, y0, x1, y1 = layout.extent
        beside = sum(1 for u, v in edges if layout.layer[u] == layout.layer[v])
        tried.append((min(aspect / (x1 - x0), 1.0 / (y1 - y0)), beside, layout))
    top = max(scale for scale, _, _ in tried)
    good = top * _NEARLY if enough is None else min(top * _NEARLY, enough)
    return min((t for t in tried if t[0] >= good), key=lambda t: (t[1], -t[0]))[2]


def _build(
    graph: nx.DiGraph,
    column: dict,
    by_col: list,
    size: dict,
    lines: dict,
    edges: list,
    parts: list,
    sweeps: int,
) -> Layout:
    """The layout with column ``c`` split into ``parts[c]`` layers."""
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
            current = _sweep(current, near, index, direction=direction)
            cross = spans.count(current)
            if cross < best_cross:
                best, best_cross = current, cross
        if best_cross == 0:
            break
    order = best

    # heights: boxes and lanes as close to their neighbours as their order allows
    dummy_set = {d for chain in dummies.values() for d in chain}
    height = {n: (_LANE if n in dummy_set else size[n][1]) for n in item_layer}

    def gap(a, b) -> float:
        lanes = (a in dummy_set) + (b in dummy_set)
        return _ROW_GAP if lanes == 0 else _LANE_CLEAR if lanes == 1 else 0.0

    before = {n: [m for m in neighbours[n] if item_layer[m] < item_layer[n]] for n in item_layer}
    after = {n: [m for m in neighbours[n] if item_layer[m] > item_layer[n]] for n in item_layer}
    weight = {n: 0.5 if n in dummy_set else 1.0 for n in item_layer}
    ys = place_rows(order, height, before=before, after=after, gap=gap, weight=weight, pull=_PULL)

    # x: layers side by side, each as wide as its widest box, gaps wide enough for lanes
    same_layer = [(u, v) for u, v in edges if layer[u] == layer[v]]
    side_lanes = _side_lanes(same_layer, layer, ys)
    lanes_right = [0] * n_layers
    for e, k in side_lanes.items():
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
            g = _COLUMN_GAP if c != prev else _SUB_GAP
            if c != prev and (c == n_cols - 1 or (prev == 0 and has_partners)):
                g *= 1.25
            g += min(0.006 * through_gap[li], 0.2)
            if lanes_right[li - 1]:
                g += HEAD + 0.04 + lanes_right[li - 1] * _LANE
            x += g
        left.append(x)
        x += widths[li]
        right.append(x)
    pos = {n: ((left[layer[n]] + right[layer[n]]) / 2, ys[n]) for n in graph}
    lane_x = {
        e: right[layer[e[0]]] + HEAD + 0.04 + (k + 0.5) * _LANE for e, k in side_lanes.items()
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
        lo_y = min([inner[1], *(y - _LANE for y in lane_ys)])
        hi_y = max([inner[3], *(y + _LANE for y in lane_ys)])
        pad = 0.1
        x0 = inner[0] - pad
        if has_segments and front is not None and not any(layer[n] in back_layers for n in depts):
            x0 -= 0.3  # a back-office strip, so the line of visibility stands clear
        boundary = (x0, lo_y - pad - _STRIP, inner[2] + pad, hi_y + pad + _STRIP)
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
        min([everything[0], boundary[0], *route_pts[:, 0]]) - _MARGIN,
        min([everything[1], boundary[1], *route_pts[:, 1]]) - _MARGIN,
        max([everything[2], boundary[2], *route_pts[:, 0]]) + _MARGIN,
        max([everything[3], boundary[3], *route_pts[:, 1]]) + _MARGIN,
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


def diagram_layout(
    graph: nx.DiGraph, *, page="slide", note: bool = False, scores: dict | None = None
) -> Layout:
    """The layout a chain diagram of ``graph`` is drawn with on ``page`` (``"slide"``,
    ``"a4"``, ``"a4-portrait"`` or inches): room for a score under every name (``scores``:
    node → its text; default "not rated" for a department or partner without ``quality``,
    else a number), columns split to the page's shape, ``note`` saying whether a line under
    the title takes room. The DOT and draw.io exports use it too, so every picture of a model
    agrees.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "s")])
    >>> nx.set_node_attributes(G, {"a": "department", "s": "segment"}, "kind")
    >>> diagram_layout(G).size["a"][1] > layered_layout(G).size["a"][1]
    True
    """
    aspect = diagram_aspect(page, note=note)
    if scores is None:
        scores = {
            n: "not rated" if a.get("kind") != "segment" and a.get("quality") is None else "0.0"
            for n, a in graph.nodes(data=True)
        }
    return layered_layout(
        graph,
        notes=scores,
        aspect=aspect,
        enough=MAX_FONT / font_per_scale(page, aspect),
    )


def _side_lanes(edges: list, layer: dict, ys: dict) -> dict:
    """Lane index (0 = nearest its layer) of each edge between two boxes of one layer: edges
    whose heights overlap get different lanes, as few lanes as that needs (interval
    partitioning: each edge takes the free lane nearest the layer)."""
    by_layer: dict = {}
    for e in edges:
        lo, hi = sorted((ys[e[0]], ys[e[1]]))
        by_layer.setdefault(layer[e[0]], []).append((lo, hi, str(e), e))
    result = {}
    for items in by_layer.values():
        items.sort()
        busy: list = []  # heap of (end, lane) of lanes in use
        free: list = []  # heap of free lanes
        for lo, hi, _, e in items:
            while busy and busy[0][0] < lo:
                heapq.heappush(free, heapq.heappop(busy)[1])
            lane = heapq.heappop(free) if free else len(busy)
            heapq.heappush(busy, (hi, lane))
            result[e] = lane
    return result

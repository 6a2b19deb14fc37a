"""Pinned positions: boxes a user placed by hand (in draw.io) stay where they were put, and the
boxes the model gained since are placed around them without overlap.

The layered layout of the whole chain is computed as usual, then moved so that it lies where
the pinned boxes stand (by the median of their offsets); each pinned box takes its pinned
place and each other box the nearest free place to its layered one, searched outwards in
steps. Arrows then run as direct curves from side to side between their boxes (the lanes of
the layered drawing do not survive hand placement), or round the boxes in their way where a
direct curve would pass behind one. The company boundary is drawn round the departments and
the line of visibility between the back office and the front line where they
stand apart (where the layout's own line crosses no box, that line).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .detour import around_boxes
from .routing import PORT_SPREAD, sample_route

__all__ = ["PIXELS_PER_UNIT", "pin_layout", "pinned_units"]

#: draw.io pixels per layout unit (the draw.io export writes the layout at this scale).
PIXELS_PER_UNIT = 160.0
#: Room kept free between a placed box and its neighbours, in layout units (x, y).
_GAP = (0.12, 0.08)
_STEP = 0.05
_PAD = 0.1
_STRIP = 0.12
_MARGIN = 0.05
#: Boxes within this distance of their layered place (2 draw.io pixels) count as in place.
_SAME = 2 / PIXELS_PER_UNIT


def pinned_units(pinned: dict) -> dict:
    """Pinned centres in draw.io pixels (y down) as layout units (y up).

    Examples
    --------
    >>> pinned_units({"it": (320.0, 80.0)})
    {'it': (2.0, -0.5)}
    """
    return {n: (x / PIXELS_PER_UNIT, -y / PIXELS_PER_UNIT) for n, (x, y) in pinned.items()}


def _overlaps(box, others, gap) -> bool:
    x, y, w, h = box
    for ox, oy, ow, oh in others:
        if abs(x - ox) < (w + ow) / 2 + gap[0] and abs(y - oy) < (h + oh) / 2 + gap[1]:
            return True
    return False


def _free_place(want, size, placed, gap) -> tuple[float, float]:
    """The nearest place to ``want`` where a box of ``size`` overlaps none of ``placed``:
    up and down its column first, then in the columns beside it."""
    w, h = size
    if not _overlaps((*want, w, h), placed, gap):
        return want
    for k in range(1, 4000):
        dy = _STEP * ((k + 1) // 2) * (1 if k % 2 else -1)
        for dx in (0.0, w + gap[0], -(w + gap[0])) if k > 40 else (0.0,):
            spot = (want[0] + dx, want[1] + dy)
            if not _overlaps((*spot, w, h), placed, gap):
                return spot
    low = min((oy - oh / 2 for _, oy, _, oh in placed), default=want[1])
    return want[0], low - h / 2 - gap[1]


def _route(start, tip, out_dir: float, in_dir: float, head: float) -> np.ndarray:
    """A cubic from ``start`` (leaving towards ``out_dir``: +1 right, -1 left) to the base of
    an arrowhead entering at ``tip`` from the side ``in_dir`` (-1: from the left)."""
    start, tip = np.asarray(start, float), np.asarray(tip, float)
    base = tip + np.array([in_dir * head, 0.0])
    reach = max(0.15, abs(base[0] - start[0]) / 2)
    c1 = start + np.array([out_dir * reach, 0.0])
    c2 = base + np.array([in_dir * reach, 0.0])
    return np.array(
        [start, c1, c2, base, base + (tip - base) / 3, base + 2 * (tip - base) / 3, tip]
    )


def _keeps_route(edge, layout, shift, in_place, moved, pos, size) -> bool:
    """Whether ``edge`` keeps its layered route (moved with the drawing): both its boxes stand
    where the layered layout put them and the route passes behind no box that moved."""
    u, v = edge
    if u not in in_place or v not in in_place or edge not in layout.routes:
        return False
    if not moved:
        return True
    points = sample_route(layout.routes[edge] + shift, 8)
    for n in moved:
        (x, y), (w, h) = pos[n], size[n]
        inside = (np.abs(points[:, 0] - x) < w / 2) & (np.abs(points[:, 1] - y) < h / 2)
        if inside.any():
            return False
    return True


def _routes(edges, pos, size, head) -> dict:
    sides = {}
    for u, v in edges:
        (ux, _), (vx, _) = pos[u], pos[v]
        uw, vw = size[u][0], size[v][0]
        if ux + uw / 2 < vx - vw / 2:
            sides[u, v] = (1.0, -1.0)  # right side of u to the left side of v
        elif vx + vw / 2 < ux - uw / 2:
            sides[u, v] = (-1.0, 1.0)
        else:
            sides[u, v] = (1.0, 1.0)  # side by side in one column: round the right
    ends: dict = {}
    for e, (out, into) in sides.items():
        u, v = e
        ends.setdefault((u, out), []).append((-pos[v][1], str(v), e, 0))
        ends.setdefault((v, into), []).append((-pos[u][1], str(u), e, 1))
    port: dict = {e: [None, None] for e in sides}
    for (node, side), items in ends.items():
        items.sort(key=lambda item: item[:2])
        (cx, cy), (w, h) = pos[node], size[node]
        n = len(items)
        for i, (_, _, e, end) in enumerate(items):
            y = cy + h * PORT_SPREAD / 2 * (1 - 2 * (i + 0.5) / n)
            port[e][end] = (cx + side * w / 2, y)
    table = {n: (*pos[n], *size[n]) for n in pos}
    routes = {}
    for e in sides:
        direct = _route(port[e][0], port[e][1], *sides[e], head)
        others = np.array([box for n, box in table.items() if n not in e]).reshape(-1, 4)
        routes[e] = around_boxes(direct, others)
    return routes


def pin_layout(layout, graph, pinned: dict, *, head: float):
    """``layout`` (a :class:`~servicechain.draw.layout.Layout` of ``graph``) with the boxes of
    ``pinned`` (node → centre in draw.io pixels) where they were pinned and every other box at
    the nearest free place to where the layered layout would put it.

    Returns the layout unchanged when no node of the graph is pinned.

    Examples
    --------
    >>> import networkx as nx
    >>> from servicechain.draw.layout import HEAD, layered_layout
    >>> G = nx.DiGraph([("a", "b"), ("c", "b")])
    >>> nx.set_node_attributes(G, "department", "kind")
    >>> lay = pin_layout(layered_layout(G), G, {"a": (800, 400), "b": (1200, 400)}, head=HEAD)
    >>> lay.pos["a"], lay.pos["b"]
    ((5.0, -2.5), (7.5, -2.5))
    """
    pins = {n: p for n, p in pinned_units(pinned).items() if n in layout.pos}
    if not pins:
        return layout
    dx = float(np.median([pins[n][0] - layout.pos[n][0] for n in pins]))
    dy = float(np.median([pins[n][1] - layout.pos[n][1] for n in pins]))
    pos = dict(pins)
    placed = [(*pins[n], *layout.size[n]) for n in pins]
    rest = sorted(
        (n for n in layout.pos if n not in pins),
        key=lambda n: (layout.column.get(n, 0), -layout.pos[n][1], str(n)),
    )
    for n in rest:
        want = (layout.pos[n][0] + dx, layout.pos[n][1] + dy)
        pos[n] = _free_place(want, layout.size[n], placed, _GAP)
        placed.append((*pos[n], *layout.size[n]))
    pos = {n: pos[n] for n in layout.pos}  # the layout's order
    size = layout.size
    shift = np.array([dx, dy])
    in_place = {
        n for n in pos if max(abs(pos[n][0] - layout.pos[n][0] - dx),
                              abs(pos[n][1] - layout.pos[n][1] - dy)) < _SAME
    }  # fmt: skip
    moved = [n for n in pos if n not in in_place]
    edges = [(u, v) for u, v in graph.edges() if u != v and u in pos and v in pos]
    routes = _routes(
        [e for e in edges if not _keeps_route(e, layout, shift, in_place, moved, pos, size)],
        pos,
        size,
        head,
    )
    for e in edges:
        if e not in routes:
            routes[e] = layout.routes[e] + shift
    routes = {e: routes[e] for e in edges}
    kinds = {n: graph.nodes[n].get("kind", "department") for n in pos}

    def bbox(nodes):
        return (
            min(pos[n][0] - size[n][0] / 2 for n in nodes),
            min(pos[n][1] - size[n][1] / 2 for n in nodes),
            max(pos[n][0] + size[n][0] / 2 for n in nodes),
            max(pos[n][1] + size[n][1] / 2 for n in nodes),
        )

    depts = [n for n in pos if kinds[n] == "department"]
    boundary = layout.boundary
    visibility_x = None
    if not moved:  # everything where the layered layout puts it, moved as one
        x0, y0, x1, y1 = layout.boundary
        boundary = (x0 + dx, y0 + dy, x1 + dx, y1 + dy)
        if layout.visibility_x is not None:
            visibility_x = layout.visibility_x + dx
    elif depts:
        x0, y0, x1, y1 = bbox(depts)
        boundary = (x0 - _PAD, y0 - _PAD - _STRIP, x1 + _PAD, y1 + _PAD + _STRIP)
        front = {u for u, v in edges if kinds[u] == "department" and kinds[v] == "segment"}
        back = [n for n in depts if n not in front]
        line = None if layout.visibility_x is None else layout.visibility_x + dx
        if line is not None and not any(
            abs(pos[n][0] - line) < size[n][0] / 2 for n in depts
        ):  # the layout's line still parts the columns: no box was moved across it
            visibility_x = line
        elif front:
            front_left = min(pos[n][0] - size[n][0] / 2 for n in front)
            back_right = max((pos[n][0] + size[n][0] / 2 for n in back), default=-math.inf)
            if back_right < front_left:
                visibility_x = (
                    (back_right + front_left) / 2 if back else (boundary[0] + front_left) / 2
                )
    everything = bbox(list(pos))
    points = np.concatenate(list(routes.values())) if routes else np.zeros((0, 2))
    extent = (
        min([everything[0], boundary[0], *points[:, 0]]) - _MARGIN,
        min([everything[1], boundary[1], *points[:, 1]]) - _MARGIN,
        max([everything[2], boundary[2], *points[:, 0]]) + _MARGIN,
        max([everything[3], boundary[3], *points[:, 1]]) + _MARGIN,
    )
    return dataclasses.replace(
        layout,
        pos=pos,
        routes=routes,
        boundary=boundary,
        visibility_x=visibility_x,
        extent=extent,
    )

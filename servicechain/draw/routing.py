"""Arrow routes of a layered chain diagram, as piecewise cubic Bézier curves.

Each route leaves its supplier's side, crosses every layer between its ends straight through
the lane the layout kept free for it (a dummy node of the crossing reduction), bends only in
the gaps between layers (where no box stands), and ends with a straight stub, the arrowhead,
whose tip touches the customer's box. Arrows between boxes of one layer run in a vertical lane
right of that layer (:func:`side_lanes` gives each its lane). No route can pass behind a box
other than its two ends.
"""

from __future__ import annotations

import heapq

import numpy as np

__all__ = ["PORT_SPREAD", "head_segment", "route_edges", "sample_route", "side_lanes"]

#: Arrow ends are spread over this share of a box's height, centred on it.
PORT_SPREAD = 0.84


def _straight(a, b) -> list:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return [a + (b - a) / 3, a + 2 * (b - a) / 3, b]


def _curve(a, b) -> list:
    """A cubic from ``a`` to ``b`` leaving and arriving horizontally: it stays between the
    two x values, so it never enters a layer."""
    mid = (a[0] + b[0]) / 2
    return [np.array([mid, a[1]]), np.array([mid, b[1]]), np.asarray(b, float)]


def _corner(a, b, *, vertical_first: bool) -> list:
    """A quarter turn from ``a`` to ``b`` (horizontal then vertical, or the other way)."""
    k = 0.55
    a, b = np.asarray(a, float), np.asarray(b, float)
    if vertical_first:
        return [a + np.array([0.0, k * (b[1] - a[1])]), b - np.array([k * (b[0] - a[0]), 0.0]), b]
    return [a + np.array([k * (b[0] - a[0]), 0.0]), b - np.array([0.0, k * (b[1] - a[1])]), b]


def _ports(edges: list, pos: dict, size: dict, sides: dict, toward: dict) -> dict:
    """Where each end of each edge meets its box: ends on one side of a box are spread over
    its height, ordered by the height of the point they head for (top first)."""
    ends: dict[tuple, list] = {}
    for e in edges:
        u, v = e
        s0, s1 = sides[e]
        ends.setdefault((u, s0), []).append((-toward[e][0], str(v), e, 0))
        ends.setdefault((v, s1), []).append((-toward[e][1], str(u), e, 1))
    where: dict = {e: [None, None] for e in edges}
    for (node, side), items in ends.items():
        items.sort(key=lambda item: item[:2])
        (cx, cy), (w, h) = pos[node], size[node]
        x = cx + (w / 2 if side == "R" else -w / 2)
        n = len(items)
        for i, (_, _, e, end) in enumerate(items):
            where[e][end] = np.array([x, cy + h * PORT_SPREAD / 2 * (1 - 2 * (i + 0.5) / n)])
    return where


def route_edges(
    edges: list,
    *,
    pos: dict,
    size: dict,
    layer: dict,
    left: list,
    right: list,
    lanes: dict,
    side_lane: dict,
    head: float,
) -> dict:
    """Routes of ``edges`` (pairs of nodes, no self-loops).

    Parameters
    ----------
    pos, size, layer : dict
        Box centre, box size and layer index of every node.
    left, right : list
        x range of every layer (its widest box).
    lanes : dict
        Edge → y of its lane in each layer it crosses, in crossing order.
    side_lane : dict
        Edge between two boxes of one layer → x of its vertical lane.
    head : float
        Length of an arrowhead (the last, straight piece of every route).

    Returns
    -------
    dict
        Edge → ``(3 n + 1, 2)`` array of the Bézier control points; the last piece is the
        arrowhead, its last point the tip on the customer's box edge.
    """
    sides, toward = {}, {}
    for e in edges:
        u, v = e
        lu, lv = layer[u], layer[v]
        sides[e] = ("R", "L") if lu < lv else ("L", "R") if lu > lv else ("R", "R")
        ys = lanes.get(e) or []
        toward[e] = (ys[0] if ys else pos[v][1], ys[-1] if ys else pos[u][1])
    ports = _ports(edges, pos, size, sides, toward)
    routes = {}
    for e in edges:
        u, v = e
        start, tip = ports[e]
        lu, lv = layer[u], layer[v]
        points = [start]
        if lu == lv:
            x = side_lane[e]
            base = tip + np.array([head, 0.0])
            turn = min(0.05, abs(tip[1] - start[1]) / 2)
            down = -1.0 if tip[1] < start[1] else 1.0
            a = np.array([x - turn, start[1]])
            b = np.array([x, start[1] + down * turn])
            c = np.array([x, tip[1] - down * turn])
            d = np.array([x - turn, tip[1]])
            points += _straight(start, a) + _corner(a, b, vertical_first=False)
            points += _straight(b, c) + _corner(c, d, vertical_first=True)
            points += _straight(d, base) + _straight(base, tip)
            routes[e] = np.array(points)
            continue
        step = 1 if lv > lu else -1
        exit_x = right[lu] if step > 0 else left[lu]
        here = start
        if abs(exit_x - start[0]) > 1e-9:
            here = np.array([exit_x, start[1]])
            points += _straight(start, here)
        crossed = range(lu + step, lv, step)
        for li, y in zip(crossed, lanes.get(e) or [], strict=True):
            enter = np.array([left[li] if step > 0 else right[li], y])
            leave = np.array([right[li] if step > 0 else left[li], y])
            points += _curve(here, enter) + _straight(enter, leave)
            here = leave
        base = tip - np.array([step * head, 0.0])
        edge_x = left[lv] if step > 0 else right[lv]
        reach = np.array([min(edge_x, base[0]) if step > 0 else max(edge_x, base[0]), tip[1]])
        points += _curve(here, reach)
        if abs(reach[0] - base[0]) > 1e-9:
            points += _straight(reach, base)
        points += _straight(base, tip)
        routes[e] = np.array(points)
    return routes


def head_segment(route: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(base, tip)`` of a route's arrowhead."""
    return route[-4], route[-1]


def sample_route(route: np.ndarray, points: int = 16) -> np.ndarray:
    """Points along a route (``points`` per Bézier piece, ends included).

    Examples
    --------
    >>> r = np.array([[0, 0], [1, 0], [2, 0], [3, 0.0]])
    >>> sample_route(r, 4)[:, 0].round(2).tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    t = np.linspace(0.0, 1.0, points)
    basis = np.stack([(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3], axis=1)
    pieces = [route[i : i + 4] for i in range(0, len(route) - 1, 3)]
    return np.concatenate([basis @ piece for piece in pieces])


def side_lanes(edges: list, layer: dict, ys: dict) -> dict:
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

"""Layered left-to-right layout of a chain: positions and box sizes only, no drawing.

Columns are the distance to the nearest segment (partners in column 0 on the far left,
segments in the last column); the order inside a column comes from barycentre sweeps that
reduce edge crossings, with ties broken by id so the same graph always gets the same layout.
Lengths are in layout units: one unit is the width of the widest box (about 16 Latin or 9
Chinese characters per line).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

import networkx as nx
import numpy as np

from ..structure.tracing import distance_to_segment
from .crossings import Spans

__all__ = [
    "EM_PER_UNIT",
    "Layout",
    "columns",
    "label_lines",
    "layered_layout",
    "segment_distance",
    "text_width",
]

#: Font ems in one layout unit: a renderer that sets text at ``s`` points maps one layout unit
#: to ``EM_PER_UNIT * s`` points.
EM_PER_UNIT = 10.5
_MAX_LINE_EM = 8.6
_LINE_EM = 1.25
_PAD_W_EM = 1.3
_PAD_H_EM = 0.9
_MAX_LINES = 4
_COLUMN_GAP = 0.75
_ROW_GAP = 0.28
_MARGIN = 0.3


@cache
def _char_em(char: str) -> float:
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char.isupper() or char in "mwMW@%":
        return 0.72
    if char in "iljtf.,;:'|!() ":
        return 0.34
    return 0.58


@lru_cache(maxsize=65536)
def text_width(text: str) -> float:
    """Generous estimate of the width of ``text`` in ems of a sans-serif font.

    Examples
    --------
    >>> text_width("IT") < text_width("客户服务")
    True
    """
    return sum(_char_em(c) for c in text)


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[tuple[str, bool], ...]:
    """Split into breakable pieces: words, and single wide (CJK) characters.

    Each piece carries whether a space preceded it.
    """
    pieces: list[tuple[str, bool]] = []
    word, space = "", False
    for char in text:
        if char.isspace():
            if word:
                pieces.append((word, space))
                word = ""
            space = True
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            if word:
                pieces.append((word, space))
                word, space = "", False
            pieces.append((char, space))
            space = False
        else:
            word += char
    if word:
        pieces.append((word, space))
    return tuple(pieces)


def label_lines(
    text: str, *, max_em: float = _MAX_LINE_EM, max_lines: int = _MAX_LINES, balanced: bool = False
) -> list[str]:
    """Wrap a name into lines at most ``max_em`` wide; text with no spaces (Chinese) wraps too.

    A word longer than a line is cut; past ``max_lines`` the last line ends with an ellipsis.

    Examples
    --------
    >>> label_lines("Armazém central (Alverca)")
    ['Armazém central', '(Alverca)']
    >>> label_lines("旅客服务与地面保障中心值机柜台")
    ['旅客服务与地面保', '障中心值机柜台']
    """
    lines: list[str] = []
    line = ""
    for piece, space in _tokens(" ".join(text.split())):
        joined = f"{line} {piece}" if line and space else line + piece
        if text_width(joined) <= max_em:
            line = joined
            continue
        if line:
            lines.append(line)
        line = ""
        for char in piece:  # a piece wider than a line is cut
            if line and text_width(line + char) > max_em:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    if 1 < len(lines) <= max_lines and not balanced:
        # the narrowest width that needs no more lines: no lone word on the last line
        pieces = [text_width(p) for p, _ in _tokens(text)]
        lo = max([max_em / len(lines), *(w for w in pieces if w <= max_em)])
        hi = max_em
        best = lines
        for _ in range(12):
            mid = (lo + hi) / 2
            trial = label_lines(text, max_em=mid, max_lines=len(lines), balanced=True)
            if len(trial) <= len(lines) and not trial[-1].endswith("…"):
                best, hi = trial, mid
            else:
                lo = mid
        lines = best
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…") > max_em:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines or [""]


def _box_size(lines: list[str]) -> tuple[float, float]:
    width = max(text_width(line) for line in lines) + _PAD_W_EM
    height = len(lines) * _LINE_EM + _PAD_H_EM
    return max(width, 4.5) / EM_PER_UNIT, max(height, 2.1) / EM_PER_UNIT


def segment_distance(graph: nx.DiGraph) -> dict:
    """Distance of every department to the nearest segment (1 = front line).

    Departments whose work reaches no segment get a distance one less than their nearest
    supplier's (at least 2, so they never stand on the front line); segments get 0.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "s"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "department", "b": "department", "c": "department",
    ...                            "s": "segment"}, "kind")
    >>> sorted(segment_distance(G).items())
    [('a', 2), ('b', 1), ('c', 2), ('s', 0)]
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
                if p in dist
                and kinds.get(p, "department") == "department"
                and members.get(p) != comp
            ]
            d = max(2, min(supplier) - 1) if supplier else None
            for n in nodes:
                dist[n] = d
        deepest = max([d for d in dist.values() if d is not None], default=1)
        for n in departments:
            if dist[n] is None:
                dist[n] = max(2, deepest)
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
    """Where each box of a chain diagram goes, in layout units (y grows upwards).

    Attributes
    ----------
    pos : dict
        Node id → ``(x, y)`` of its box centre.
    size : dict
        Node id → ``(width, height)`` of its box.
    column : dict
        Node id → column index (0 = partners).
    order : list of list
        Node ids per column, top to bottom.
    lines : dict
        Node id → the wrapped lines of its label.
    boundary : tuple
        ``(x0, y0, x1, y1)`` of the company boundary around the departments.
    visibility_x : float or None
        x of the line of visibility, between the front line and the back office
        (``None`` when the graph has no segment).
    extent : tuple
        ``(x0, y0, x1, y1)`` of everything drawn, margins included.
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
) -> Layout:
    """Place every node of a chain in columns, left (back office) to right (segments).

    Parameters
    ----------
    graph : networkx.DiGraph
        Nodes carry ``kind`` and ``name`` (as in ``chain.graph`` or a roll-up).
    sweeps : int, optional
        Barycentre sweeps (each one left to right, then right to left) to reduce crossings;
        the order with the fewest crossings seen is kept.
    labels : dict, optional
        Node id → label text; default the node's ``name`` (else its id).

    Returns
    -------
    Layout

    Examples
    --------
    >>> G = nx.DiGraph([("p", "a"), ("a", "b"), ("b", "s")])
    >>> nx.set_node_attributes(G, {"p": "partner", "a": "department", "b": "department",
    ...                            "s": "segment"}, "kind")
    >>> lay = layered_layout(G)
    >>> [lay.column[n] for n in "pabs"]
    [0, 1, 2, 3]
    >>> lay.pos["a"][0] < lay.pos["b"][0] < lay.boundary[2] < lay.pos["s"][0]
    True
    """
    column = columns(graph)
    names = nx.get_node_attributes(graph, "name")
    labels = labels or {}
    lines = {n: label_lines(str(labels.get(n, names.get(n, n)))) for n in graph}
    size = {n: _box_size(lines[n]) for n in graph}
    n_cols = max(column.values(), default=-1) + 1
    order: list[list] = [[] for _ in range(n_cols)]
    for node in sorted(graph, key=str):
        order[column[node]].append(node)
    edges = [(u, v) for u, v in graph.edges() if u != v]
    neighbours = {n: [] for n in graph}
    for u, v in edges:
        if column[u] != column[v]:
            neighbours[u].append(v)
            neighbours[v].append(u)
    index = {n: i for i, n in enumerate(graph)}
    near = {
        n: np.array([index[m] for m in sorted(ms, key=str)], dtype=np.intp)
        for n, ms in neighbours.items()
    }
    spans = Spans(column, edges)
    best, best_cross = order, spans.count(order) if edges else 0
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

    # x: columns side by side, each as wide as its widest box
    widths = [max((size[n][0] for n in col), default=0.5) for col in order]
    kinds = nx.get_node_attributes(graph, "kind")
    has_partners = any(kinds.get(n) == "partner" for n in graph)
    has_segments = any(kinds.get(n) == "segment" for n in graph)
    between: dict[int, int] = {}  # edges passing through the gap left of each column
    for u, v in edges:
        lo_c, hi_c = sorted((column[u], column[v]))
        for c in range(lo_c + 1, hi_c + 1):
            between[c] = between.get(c, 0) + 1
    centres: list[float] = []
    right = None  # right edge of the last non-empty column
    for c, w in enumerate(widths):
        if not order[c]:
            centres.append(right if right is not None else 0.0)
            continue
        gap = _COLUMN_GAP * (1.5 if c == n_cols - 1 or (c == 1 and has_partners) else 1.0)
        gap += min(0.03 * between.get(c, 0), 1.2)
        left = 0.0 if right is None else right + gap
        centres.append(left + w / 2)
        right = left + w

    # y: stack each column, centred on 0
    pos = {}
    heights = []
    for c, col in enumerate(order):
        total = sum(size[n][1] for n in col) + _ROW_GAP * max(len(col) - 1, 0)
        heights.append(total)
        y = total / 2
        for node in col:
            h = size[node][1]
            pos[node] = (centres[c], y - h / 2)
            y -= h + _ROW_GAP

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
    inner = bbox(depts) or (0.0, -0.5, 1.0, 0.5)
    pad = 0.22
    boundary = (inner[0] - pad, inner[1] - pad - 0.18, inner[2] + pad, inner[3] + pad + 0.18)
    visibility_x = None
    if has_segments and depts:
        front = n_cols - 2
        front_x0 = min(pos[n][0] - size[n][0] / 2 for n in order[front]) if order[front] else 0
        back = [c for c in range(1, front) if order[c]]
        if back:
            back_x1 = max(pos[n][0] + size[n][0] / 2 for n in order[back[-1]])
            visibility_x = (front_x0 + back_x1) / 2
        else:
            visibility_x = front_x0 - pad / 2
    everything = bbox(list(graph)) or inner
    extent = (
        min(everything[0], boundary[0]) - _MARGIN,
        min(everything[1], boundary[1]) - _MARGIN,
        max(everything[2], boundary[2]) + _MARGIN,
        max(everything[3], boundary[3]) + _MARGIN,
    )
    return Layout(
        pos=pos,
        size=size,
        column=column,
        order=order,
        lines=lines,
        boundary=boundary,
        visibility_x=visibility_x,
        extent=extent,
        crossings=best_cross,
    )

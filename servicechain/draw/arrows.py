"""Arrows of a chain diagram: where each service leaves and enters its boxes, the curves and
arrowheads, and the artists that draw them.

Small diagrams get one artist per arrow (curve and head together, so an SVG id can name it);
large ones get one collection in which each arrow is a filled outline (its curve widened to
its line width, and its head) and arrows of one colour and width band share a path, which is
what keeps them fast: a 1,400-arrow diagram writes about a hundred SVG paths, not 2,800.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.path import Path

from .layout import Layout
from .style import FADE, NONE_EDGE, ink, reliance_width

__all__ = [
    "ARROW_ARTIST_LIMIT",
    "WIDTH_BAND",
    "Arrows",
    "arrow_outlines",
    "draw_arrows",
    "edge_geometry",
    "ports",
]

#: Up to this many arrows, each arrow is its own artist (identifiable in SVG); above, all
#: arrows are drawn as two collections.
ARROW_ARTIST_LIMIT = 400
#: Arrows whose line widths differ by less than this many points may share one path (drawn in
#: the same layer); 0.4 pt is a reliance step of 0.1.
WIDTH_BAND = 0.4
_CURVE_POINTS = 24
_T = np.linspace(0.0, 1.0, _CURVE_POINTS)
_BERNSTEIN = np.stack([(1 - _T) ** 3, 3 * (1 - _T) ** 2 * _T, 3 * (1 - _T) * _T**2, _T**3], 1)
_CLEAR = (0.0, 0.0, 0.0, 0.0)


@dataclass
class Arrows:
    """The arrows drawn: ``edges`` (supplier, customer) in drawing order, and either one
    artist per arrow in ``by_edge`` or the collection ``outlines`` of them all."""

    edges: list
    by_edge: dict = field(default_factory=dict)
    outlines: PathCollection | None = None


def ports(graph: nx.DiGraph, layout: Layout) -> dict:
    """Where each edge leaves its supplier and enters its customer: ``(u, v) -> (p0, side0,
    p3, side3)``, ends spread along the box side, ordered by the other end's height."""
    pos, size, col = layout.pos, layout.size, layout.column
    ends: dict[tuple, list] = {}
    sides = {}
    for u, v in graph.edges():
        if u == v:
            continue
        cu, cv = col[u], col[v]
        if cu < cv:
            s0, s3 = "R", "L"
        elif cu > cv:
            s0, s3 = "L", "R"
        else:
            s0, s3 = "R", "R"
        sides[u, v] = (s0, s3)
        back = 1 if cu >= cv else 0
        ends.setdefault((u, s0), []).append((-pos[v][1], back, str(v), (u, v), 0))
        ends.setdefault((v, s3), []).append((-pos[u][1], back, str(u), (u, v), 1))
    where: dict[tuple, list] = {e: [None, None] for e in sides}
    for (node, side), items in ends.items():
        items.sort(key=lambda item: item[:3])
        x0 = pos[node][0] + (size[node][0] / 2 if side == "R" else -size[node][0] / 2)
        h = size[node][1]
        n = len(items)
        for i, (_, _, _, edge, end) in enumerate(items):
            where[edge][end] = (x0, pos[node][1] + h * 0.36 * (1 - 2 * (i + 0.5) / n))
    return {e: (where[e][0], sides[e][0], where[e][1], sides[e][1]) for e in sides}


def edge_geometry(
    graph: nx.DiGraph, layout: Layout, edges: list, *, unit_pt: float, widths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Curves ``(E, points, 2)`` and arrowhead triangles ``(E, 3, 2)`` of ``edges``, in layout
    units; the curve stops at the head's base and the head's tip touches the box edge."""
    where = ports(graph, layout)
    col = layout.column
    p0 = np.array([where[e][0] for e in edges], dtype=float).reshape(-1, 2)
    tip = np.array([where[e][2] for e in edges], dtype=float).reshape(-1, 2)
    out_x = np.array([1.0 if where[e][1] == "R" else -1.0 for e in edges])
    into_x = np.array([1.0 if where[e][3] == "L" else -1.0 for e in edges])
    step = np.array([col[u] - col[v] for u, v in edges], dtype=float)  # > 0: a back edge
    head_len = (5.5 + 0.9 * widths) / unit_pt
    head_half = (2.4 + 0.6 * widths) / unit_pt
    base = tip.copy()
    base[:, 0] -= into_x * head_len
    span = np.abs(base[:, 0] - p0[:, 0])
    k = np.where(
        step < 0,
        np.maximum(span * 0.45, 0.15),
        np.where(step > 0, np.maximum(span * 0.3, 0.2), 0.22 + 0.12 * np.abs(tip[:, 1] - p0[:, 1])),
    )
    bend = np.where(step > 0, -(0.22 + 0.08 * step), 0.0)
    c1 = p0.copy()
    c1[:, 0] += out_x * k
    c1[:, 1] += bend
    c2 = base.copy()
    c2[:, 0] -= into_x * k
    c2[:, 1] += bend
    controls = np.stack([p0, c1, c2, base], axis=1)  # (E, 4, 2)
    curves = np.einsum("tk,ekd->etd", _BERNSTEIN, controls)
    heads = np.empty((len(edges), 3, 2))
    heads[:, 0] = tip
    heads[:, 1] = base
    heads[:, 2] = base
    heads[:, 1, 1] += into_x * head_half
    heads[:, 2, 1] -= into_x * head_half
    return curves, heads


def draw_arrows(
    ax,
    graph: nx.DiGraph,
    layout: Layout,
    *,
    unit_pt: float,
    edge_values: dict | None,
    colormap,
    normalize,
    keep: set | None,
    separate: bool | None = None,
) -> Arrows:
    """Draw every service of ``graph`` as a curved arrow: width = reliance, colour = its value
    (darkened to read on the company background), faded when off the ``keep`` chain.

    Thick and faded arrows are drawn first, so thin and highlighted ones stay visible on top
    (in one collection: by width band of :data:`WIDTH_BAND` points). ``separate`` (default: at
    most :data:`ARROW_ARTIST_LIMIT` arrows) draws one artist per arrow instead of one
    collection.
    """
    edges = [(u, v) for u, v in graph.edges() if u != v]
    widths = np.array([reliance_width(graph.edges[e].get("reliance", 0.3)) for e in edges])
    colours = np.tile(to_rgba(NONE_EDGE), (len(edges), 1))
    if edge_values is not None and edges:
        values = np.array([edge_values.get(e, np.nan) for e in edges], dtype=float)
        valued = ~np.isnan(values)
        if valued.any():
            colours[valued] = ink(colormap(normalize(values[valued])))
    if keep is not None and edges:
        live = np.array([u in keep and v in keep for u, v in edges])
        colours[~live, 3] *= FADE
    order = np.lexsort((-widths, colours[:, 3])) if edges else np.array([], dtype=int)
    curves, heads = edge_geometry(graph, layout, edges, unit_pt=unit_pt, widths=widths)
    result = Arrows(edges=[edges[i] for i in order])
    if separate is None:
        separate = len(edges) <= ARROW_ARTIST_LIMIT
    if separate:
        for i in order:
            artist = PathCollection(
                [Path(curves[i]), Path(np.vstack([heads[i], heads[i][:1]]), closed=True)],
                facecolors=[_CLEAR, colours[i]],
                edgecolors=[colours[i], _CLEAR],
                linewidths=[widths[i], 0.0],
                capstyle="butt",
                joinstyle="round",
                zorder=2,
            )
            ax.add_collection(artist, autolim=False)
            result.by_edge[edges[i]] = artist
        return result
    outlines = arrow_outlines(curves, heads, widths / (2 * unit_pt))
    # one path per run of arrows with the same colour and width band, faded and thick first
    band = np.round(widths / WIDTH_BAND)
    groups: dict[tuple, list] = {}
    for i in order:
        groups.setdefault((colours[i, 3], -band[i], *colours[i, :3]), []).append(i)
    codes = np.full(outlines.shape[1], Path.LINETO, dtype=Path.code_type)
    codes[0], codes[-1] = Path.MOVETO, Path.CLOSEPOLY
    paths = [
        Path(outlines[members].reshape(-1, 2), np.tile(codes, len(members)))
        for members in groups.values()
    ]
    result.outlines = PathCollection(
        paths,
        facecolors=[colours[members[0]] for members in groups.values()],
        edgecolors="none",
        linewidths=0.0,
        zorder=2,
    )
    ax.add_collection(result.outlines, autolim=False)
    return result


def arrow_outlines(curves: np.ndarray, heads: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Closed outlines ``(E, 2 * points + 4, 2)`` of arrows: each curve widened by ``half``
    (layout units) on either side, then its head; all traced clockwise, so that overlapping
    arrows in one path fill as one shape.

    Examples
    --------
    >>> curve = np.array([[[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]]])
    >>> head = np.array([[[3.0, 0.0], [2.0, 0.5], [2.0, -0.5]]])
    >>> arrow_outlines(curve, head, np.array([0.1]))[0].round(2).tolist()[:6]
    [[0.0, 0.1], [1.0, 0.1], [2.0, 0.1], [2.0, 0.5], [3.0, 0.0], [2.0, -0.5]]
    """
    tangent = np.gradient(curves, axis=1)
    tangent /= np.maximum(np.hypot(tangent[..., 0], tangent[..., 1]), 1e-12)[..., None]
    normal = np.stack([-tangent[..., 1], tangent[..., 0]], axis=-1) * half[:, None, None]
    left, right = curves + normal, (curves - normal)[:, ::-1]
    return np.concatenate(
        [left, heads[:, 1:2], heads[:, :1], heads[:, 2:3], right, left[:, :1]], axis=1
    )

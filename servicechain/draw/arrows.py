"""Arrows of a chain diagram: each service drawn along the route the layout gave it, with its
arrowhead at the customer's box edge.

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

from .plan import Layout
from .routing import sample_route
from .style import FADE, NONE_EDGE, UNRATED_EDGE, ink, reliance_width

__all__ = [
    "ARROW_ARTIST_LIMIT",
    "WIDTH_BAND",
    "Arrows",
    "arrow_heads",
    "arrow_outlines",
    "draw_arrows",
]

#: Up to this many arrows, each arrow is its own artist (identifiable in SVG); above, all
#: arrows are drawn as two collections.
ARROW_ARTIST_LIMIT = 400
#: Arrows whose line widths differ by less than this many points may share one path (drawn in
#: the same layer); 0.4 pt is a reliance step of 0.1.
WIDTH_BAND = 0.4
_CLEAR = (0.0, 0.0, 0.0, 0.0)
_DASHES = (0, (2.5, 1.8))


@dataclass
class Arrows:
    """The arrows drawn: ``edges`` (supplier, customer) in drawing order, and either one
    artist per arrow in ``by_edge`` or the collection ``outlines`` of them all; ``heads``
    holds each arrowhead's triangle in layout units."""

    edges: list
    by_edge: dict = field(default_factory=dict)
    outlines: PathCollection | None = None
    heads: dict = field(default_factory=dict)


def arrow_heads(layout: Layout, edges: list, *, half: np.ndarray) -> np.ndarray:
    """Arrowhead triangles ``(E, 3, 2)`` (tip, then the two base corners) of ``edges``:
    each spans the last, straight piece of its route, ``half`` wide either side.

    Examples
    --------
    >>> import networkx as nx
    >>> from servicechain.draw.layout import layered_layout
    >>> G = nx.DiGraph([("a", "s")])
    >>> nx.set_node_attributes(G, {"a": "department", "s": "segment"}, "kind")
    >>> lay = layered_layout(G)
    >>> head = arrow_heads(lay, [("a", "s")], half=np.array([0.02]))[0]
    >>> bool(head[0][0] == lay.pos["s"][0] - lay.size["s"][0] / 2)
    True
    """
    heads = np.empty((len(edges), 3, 2))
    for i, e in enumerate(edges):
        route = layout.routes[e]
        base, tip = route[-4], route[-1]
        direction = (tip - base) / max(float(np.hypot(*(tip - base))), 1e-12)
        normal = np.array([-direction[1], direction[0]]) * half[i]
        heads[i] = (tip, base + normal, base - normal)
    return heads


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
    keep_edges: set | None = None,
    unrated: set | frozenset = frozenset(),
    separate: bool | None = None,
) -> Arrows:
    """Draw every service of ``graph`` along its route: width = reliance, colour = its value
    (darkened to read on the company background), grey and dashed when ``unrated``, faded
    when off the ``keep`` chain (an arrow between two kept nodes is kept unless
    ``keep_edges`` names the arrows to keep).

    Thick and faded arrows are drawn first, so thin and highlighted ones stay visible on top
    (in one collection: by width band of :data:`WIDTH_BAND` points). ``separate`` (default: at
    most :data:`ARROW_ARTIST_LIMIT` arrows) draws one artist per arrow instead of one
    collection.
    """
    edges = [(u, v) for u, v in graph.edges() if u != v]
    widths = np.array([reliance_width(graph.edges[e].get("reliance", 0.3)) for e in edges])
    colours = np.tile(to_rgba(NONE_EDGE), (len(edges), 1))
    dashed = np.array([e in unrated for e in edges], dtype=bool)
    if edge_values is not None and edges:
        values = np.array([edge_values.get(e, np.nan) for e in edges], dtype=float)
        valued = ~np.isnan(values) & ~dashed
        if valued.any():
            colours[valued] = ink(colormap(normalize(values[valued])))
    if dashed.any():
        colours[dashed] = to_rgba(UNRATED_EDGE)
    if keep is not None and edges:
        live = np.array(
            [
                e in keep_edges if keep_edges is not None else e[0] in keep and e[1] in keep
                for e in edges
            ]
        )
        colours[~live, 3] *= FADE
    order = np.lexsort((-widths, colours[:, 3])) if edges else np.array([], dtype=int)
    half = (2.6 + 0.6 * widths) / unit_pt
    heads = arrow_heads(layout, edges, half=half)
    result = Arrows(edges=[edges[i] for i in order], heads=dict(zip(edges, heads, strict=True)))
    if separate is None:
        separate = len(edges) <= ARROW_ARTIST_LIMIT
    if separate:
        for i in order:
            route = layout.routes[edges[i]]
            codes = [Path.MOVETO, *[Path.CURVE4] * (len(route) - 4)]
            artist = PathCollection(
                [Path(route[:-3], codes), Path(np.vstack([heads[i], heads[i][:1]]), closed=True)],
                facecolors=[_CLEAR, colours[i]],
                edgecolors=[colours[i], _CLEAR],
                linewidths=[widths[i], 0.0],
                linestyles=[_DASHES if dashed[i] else "solid", "solid"],
                capstyle="butt",
                joinstyle="round",
                zorder=2,
            )
            ax.add_collection(artist, autolim=False)
            result.by_edge[edges[i]] = artist
        return result
    curves = np.array([_even(sample_route(layout.routes[e][:-3], 8)) for e in edges])
    outlines = arrow_outlines(curves.reshape(len(edges), -1, 2), heads, widths / (2 * unit_pt))
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


def _even(points: np.ndarray, count: int = 48) -> np.ndarray:
    """``count`` points evenly spaced along the polyline ``points``."""
    steps = np.hypot(*np.diff(points, axis=0).T)
    at = np.concatenate([[0.0], np.cumsum(steps)])
    where = np.linspace(0.0, at[-1], count)
    return np.stack([np.interp(where, at, points[:, 0]), np.interp(where, at, points[:, 1])], 1)


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

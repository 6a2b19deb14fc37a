"""The ratings written on arrows: places on each arrow's route, clear of every box, every
arrowhead and every other rating, and the texts drawn there."""

from __future__ import annotations

import numpy as np

from .plan import Layout
from .routing import sample_route
from .text import EM_PER_UNIT, LINE_EM, text_width

__all__ = ["draw_ratings", "label_extent", "place_ratings"]

_PAD = 0.012


def label_extent(text: str, at: tuple[float, float], *, em: float = 1.0) -> tuple:
    """``(x0, y0, x1, y1)`` of ``text`` centred at ``at``, in layout units, for a font of
    ``em`` times the box labels' size (a generous estimate, with a small pad).

    Examples
    --------
    >>> x0, y0, x1, y1 = label_extent("3.8", (1.0, 0.0))
    >>> x0 < 1.0 < x1 and y0 < 0.0 < y1
    True
    """
    w = text_width(text) * em / EM_PER_UNIT / 2 + _PAD
    h = LINE_EM * em / EM_PER_UNIT / 2 + _PAD
    return (at[0] - w, at[1] - h, at[0] + w, at[1] + h)


def _clear(box: tuple, obstacles: np.ndarray) -> bool:
    if not len(obstacles):
        return True
    return not bool(
        np.any(
            (box[0] < obstacles[:, 2])
            & (obstacles[:, 0] < box[2])
            & (box[1] < obstacles[:, 3])
            & (obstacles[:, 1] < box[3])
        )
    )


def place_ratings(
    layout: Layout, texts: dict, *, nodes, heads: dict, em: float = 1.0
) -> tuple[dict, list]:
    """Where to write each arrow's text (``texts``: edge → text) on its route.

    Candidate places run along the route from its middle outwards; the first that overlaps
    no box of ``nodes``, no arrowhead (``heads``: edge → triangle) and no rating already
    placed is taken. Returns ``(places, left_out)``: edge → centre, and the edges for which
    no clear place was found.
    """
    obstacles = [
        (
            layout.pos[n][0] - layout.size[n][0] / 2,
            layout.pos[n][1] - layout.size[n][1] / 2,
            layout.pos[n][0] + layout.size[n][0] / 2,
            layout.pos[n][1] + layout.size[n][1] / 2,
        )
        for n in nodes
    ]
    for tri in heads.values():
        tri = np.asarray(tri)
        obstacles.append((*tri.min(axis=0), *tri.max(axis=0)))
    placed: dict = {}
    left_out: list = []
    table = np.array(obstacles, dtype=float).reshape(-1, 4)
    for edge in sorted(texts, key=str):
        points = sample_route(layout.routes[edge][:-3], 12)
        n = len(points)
        middle = n // 2
        order = sorted(range(n // 8, n - n // 8), key=lambda i: (abs(i - middle), i))
        for i in order:
            box = label_extent(texts[edge], tuple(points[i]), em=em)
            if _clear(box, table):
                placed[edge] = tuple(points[i])
                table = np.vstack([table, box])
                break
        else:
            left_out.append(edge)
    return placed, left_out


def draw_ratings(ax, graph, layout, ratings, heads, fontsize, live) -> tuple[dict, list]:
    """Write each arrow's rating where :func:`place_ratings` finds room.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The diagram's axes, in layout units.
    graph : networkx.DiGraph
        The graph drawn: only its edges get a rating.
    layout : Layout
        Where the arrows run.
    ratings : dict
        ``(supplier, customer)`` → the text to write.
    heads : dict
        Edge → its arrowhead's extent, which no rating covers.
    fontsize : float
        Size of the texts, in points.
    live : set or None
        Edges drawn in full colour (the rest get muted ratings); ``None``: every edge.

    Returns
    -------
    drawn : dict
        Edge → its text artist.
    left_out : list
        Edges with no room for their rating.
    """
    texts = {e: t for e, t in ratings.items() if e in layout.routes and graph.has_edge(*e)}
    places, left_out = place_ratings(layout, texts, nodes=list(graph), heads=heads)
    drawn = {}
    for edge, (x, y) in places.items():
        on = live is None or edge in live
        drawn[edge] = ax.text(
            x,
            y,
            texts[edge],
            fontsize=fontsize,
            ha="center",
            va="center",
            color="#1a1a1a" if on else "#b0b5ba",
            zorder=5,
            bbox={
                "boxstyle": "round,pad=0.12",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.9 if on else 0.4,
            },
        )
    return drawn, left_out

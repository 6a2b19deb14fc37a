"""Places for the ratings written on arrows: on each arrow's route, clear of every box, every
arrowhead and every other rating."""

from __future__ import annotations

import numpy as np

from .layout import Layout
from .routing import sample_route
from .text import EM_PER_UNIT, LINE_EM, text_width

__all__ = ["label_extent", "place_ratings"]

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

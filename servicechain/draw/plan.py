"""The result of laying out a chain diagram: where each box goes and how each arrow runs."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Layout"]


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

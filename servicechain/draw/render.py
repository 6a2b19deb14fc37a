"""Render a chain diagram with matplotlib (``Figure``, never pyplot) from a :class:`Layout`."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch

from ..errors import ServiceChainError
from ..io.atomic import atomic_output
from .arrows import draw_arrows
from .boxes import draw_boxes, fit_caption, fit_labels
from .fonts import font_families
from .layout import EM_PER_UNIT, Layout, layered_layout
from .legend import draw_legend
from .style import BASE_FONT, QUALITY_CMAP

__all__ = [
    "FORMATS",
    "MAX_FIGURE_INCHES",
    "MAX_PIXELS",
    "DiagramTooLargeError",
    "DrawError",
    "Drawing",
    "SavedFigure",
    "render_graph",
    "save_figure",
]

FORMATS = ("svg", "png", "pdf")
#: Neither side of a diagram's figure is longer than this (text shrinks to fit instead).
MAX_FIGURE_INCHES = 120.0
#: A raster (PNG, or any bitmap matplotlib makes) of a figure has at most this many pixels:
#: the resolution is lowered to fit, so memory stays bounded whatever the model or options.
MAX_PIXELS = 50_000_000
_DETERMINISTIC = {
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
    "png": {"Software": None},
}


class DrawError(ServiceChainError):
    """A diagram or chart cannot be made as asked (bad format, nothing to draw, ...)."""


class DiagramTooLargeError(DrawError):
    """A model is too large to draw legibly in full."""


class SavedFigure:
    """What a diagram and a chart share: ``save(path)`` (SVG, PNG or PDF by the suffix,
    atomically, byte-identical for the same input) and SVG display in notebooks. Needs the
    attributes ``figure`` and ``families`` (the font list the figure was drawn with)."""

    figure: Figure
    families: list

    def save(self, path: str | os.PathLike, *, format: str | None = None, dpi: float | None = None):
        """Write the figure to ``path`` (atomically); see :func:`save_figure`."""
        save_figure(self.figure, path, format=format, dpi=dpi, families=self.families)

    def _repr_svg_(self) -> str:
        buffer = io.BytesIO()
        save_figure(self.figure, buffer, format="svg", families=self.families)
        return buffer.getvalue().decode("utf-8")


@dataclass
class Drawing(SavedFigure):
    """A rendered diagram: the figure, its axes and the artists drawn, by node id.

    Arrows are one artist per service pair in ``arrows`` (``(supplier, customer)`` → artist)
    for diagrams of up to :data:`~servicechain.draw.arrows.ARROW_ARTIST_LIMIT` arrows, else
    the one collection ``edges`` (each arrow a filled outline of its curve and head).
    ``save(path)`` writes SVG, PNG
    or PDF (chosen by the suffix), byte-identical for the same input. In a notebook the drawing
    shows itself as SVG.
    """

    figure: Figure
    ax: Axes
    layout: Layout
    boxes: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    edges: PathCollection | None = None
    arrows: dict = field(default_factory=dict)
    captions: list = field(default_factory=list)
    families: list = field(default_factory=list)


def save_figure(
    figure: Figure,
    path: Any,
    *,
    format: str | None = None,
    dpi: float | None = None,
    families: list | None = None,
) -> None:
    """Save a figure as SVG, PNG or PDF with no dates or random ids, so that the same input
    gives the same bytes; ``path`` is a file name (written atomically) or a binary stream.

    Raises
    ------
    DrawError
        When the format is not one of svg, png, pdf.
    """
    fmt = (format or Path(str(path)).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        shown = f".{fmt}" if fmt else "a file without a suffix"
        raise DrawError(f"cannot write {shown}; use a .svg, .png or .pdf file name")
    dpi = capped_dpi(figure.get_size_inches(), dpi or figure.dpi)
    rc = {"svg.hashsalt": "servicechain", "svg.fonttype": "path", "pdf.compression": 6}
    if families:
        rc["font.family"] = families

    def write(handle) -> None:
        with rc_context(rc):
            FigureCanvasAgg(figure)  # a plain canvas, whatever backend the caller uses
            figure.savefig(handle, format=fmt, dpi=dpi, metadata=_DETERMINISTIC[fmt])

    if hasattr(path, "write"):
        write(path)
    else:
        with atomic_output(path, binary=True) as handle:
            write(handle)


def capped_dpi(size_inches, dpi: float) -> float:
    """``dpi``, lowered so that a raster of a figure of ``size_inches`` has at most
    :data:`MAX_PIXELS` pixels.

    Examples
    --------
    >>> capped_dpi((10, 10), 150)
    150
    >>> round(capped_dpi((100, 100), 150), 1)
    70.7
    """
    w, h = size_inches
    if w * h * dpi * dpi <= MAX_PIXELS:
        return dpi
    return (MAX_PIXELS / (w * h)) ** 0.5


def render_graph(
    graph: nx.DiGraph,
    *,
    layout: Layout | None = None,
    node_values: dict | None = None,
    edge_values: dict | None = None,
    cmap: str = QUALITY_CMAP,
    norm: tuple[float, float] = (0.0, 1.0),
    colorbar_label: str = "",
    ticks: tuple[float, float] | None = None,
    keep: set | None = None,
    title: str | None = None,
    caption: str = "",
    ax: Axes | None = None,
    size: tuple[float, float] | None = None,
    dpi: float = 150,
    font: str | None = None,
    separate_arrows: bool | None = None,
    note: str = "",
) -> Drawing:
    """Draw a chain graph: boxes in columns, curved arrows, company boundary and legend.

    Parameters
    ----------
    graph : networkx.DiGraph
        Shaped like ``chain.graph`` (or a roll-up of it); edges carry ``reliance``.
    layout : Layout, optional
        Default :func:`~servicechain.draw.layout.layered_layout` of the graph.
    node_values, edge_values : dict, optional
        Node id / ``(supplier, customer)`` → a value on ``norm``, shown by colour; nodes or
        edges without one get a neutral colour. Without both, no colour bar is drawn.
    cmap, norm, colorbar_label, ticks : optional
        Colour map, the value range it spans, the colour bar's label, and the range its tick
        labels show (for example the model's scale).
    keep : set, optional
        Nodes drawn in full colour; everything else is faded (for a highlighted trace).
    title, caption : str, optional
        Title above the diagram; caption of the company boundary (the company's name).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default a new :class:`~matplotlib.figure.Figure` sized to fit.
    size : (float, float), optional
        Figure size in inches; text scales to fit.
    dpi : float
        Resolution of the figure (for PNG).
    font : str, optional
        A font family to use first.
    separate_arrows : bool, optional
        One artist per arrow (so each can carry an SVG id) instead of one collection;
        default for diagrams of up to :data:`~servicechain.draw.arrows.ARROW_ARTIST_LIMIT`
        arrows.
    note : str, optional
        A line under the title saying what the boxes stand for (for example that segments
        are grouped).

    The figure is at most :data:`MAX_FIGURE_INCHES` on either side (text shrinks to fit) and
    its resolution at most what keeps a raster within :data:`MAX_PIXELS`.

    Returns
    -------
    Drawing
    """
    import matplotlib as mpl

    layout = layout or layered_layout(graph)
    texts = ["\n".join(lines) for lines in layout.lines.values()] + [title or "", caption]
    families = font_families(texts, font=font)
    x0, y0, x1, y1 = layout.extent
    width_u, height_u = x1 - x0, y1 - y0
    coloured = node_values is not None or edge_values is not None
    legend_in = 1.05
    note_in = 0.3 if note else 0.0
    title_in = (0.45 if title else 0.1) + note_in

    with rc_context({"font.family": families, "svg.hashsalt": "servicechain"}):
        own_figure = ax is None
        if own_figure:
            natural = (
                width_u * EM_PER_UNIT * BASE_FONT / 72,
                height_u * EM_PER_UNIT * BASE_FONT / 72 + legend_in + title_in,
            )
            if not size and max(natural) > MAX_FIGURE_INCHES:
                size = tuple(min(side, MAX_FIGURE_INCHES) for side in natural)
            if size:
                scale = min(
                    size[0] / (width_u * EM_PER_UNIT * BASE_FONT / 72),
                    (size[1] - legend_in - title_in) / (height_u * EM_PER_UNIT * BASE_FONT / 72),
                )
                fontsize = BASE_FONT * max(scale, 0.05)
                fig_w, fig_h = size
            else:
                fontsize = BASE_FONT
                fig_w = max(width_u * EM_PER_UNIT * fontsize / 72, 6.0)
                fig_h = height_u * EM_PER_UNIT * fontsize / 72 + legend_in + title_in
            figure = Figure(figsize=(fig_w, fig_h), dpi=capped_dpi((fig_w, fig_h), dpi))
            FigureCanvasAgg(figure)
            diagram_h = (height_u * EM_PER_UNIT * fontsize / 72) / fig_h
            diagram_w = (width_u * EM_PER_UNIT * fontsize / 72) / fig_w
            bottom = legend_in / fig_h
            ax = figure.add_axes(
                (
                    (1 - diagram_w) / 2,
                    bottom + (1 - bottom - title_in / fig_h - diagram_h) / 2,
                    diagram_w,
                    diagram_h,
                )
            )
        else:
            figure = ax.figure
            bbox = ax.get_window_extent()
            fontsize = (
                min(bbox.width / (width_u * EM_PER_UNIT), bbox.height / (height_u * EM_PER_UNIT))
                * 72
                / figure.dpi
            )
        unit_pt = EM_PER_UNIT * fontsize
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()

        colormap = mpl.colormaps[cmap]
        normalize = Normalize(*norm)
        drawing = Drawing(figure=figure, ax=ax, layout=layout, families=families)

        # company boundary and line of visibility
        bx0, by0, bx1, by1 = layout.boundary
        ax.add_patch(
            FancyBboxPatch(
                (bx0, by0),
                bx1 - bx0,
                by1 - by0,
                boxstyle="round,pad=0,rounding_size=0.12",
                facecolor="#f7f8fa",
                edgecolor="#9aa3ad",
                linewidth=1.2,
                zorder=0,
            )
        )
        small = fontsize * 0.78
        strip_y = by1 - 0.09
        if caption:
            drawing.captions.append(
                ax.text(
                    bx0 + 0.06,
                    by0 + 0.09,
                    fit_caption(caption, bx1 - bx0 - 0.15, small / fontsize),
                    fontsize=small,
                    color="#5b6570",
                    va="center",
                    ha="left",
                    fontweight="bold",
                    zorder=1,
                )
            )
        if layout.visibility_x is not None:
            vx = layout.visibility_x
            ax.add_line(
                Line2D(
                    [vx, vx],
                    [by0, by1],
                    color="#6b7580",
                    linewidth=1.0,
                    linestyle=(0, (5, 3)),
                    zorder=1,
                )
            )
            drawing.captions.append(
                ax.text(
                    vx + 0.05,
                    strip_y,
                    "line of visibility",
                    fontsize=small * 0.9,
                    color="#5b6570",
                    va="center",
                    ha="left",
                    style="italic",
                    zorder=1,
                )
            )

        arrows = draw_arrows(
            ax,
            graph,
            layout,
            unit_pt=unit_pt,
            edge_values=edge_values,
            colormap=colormap,
            normalize=normalize,
            keep=keep,
            separate=separate_arrows,
        )
        drawing.edges, drawing.arrows = arrows.outlines, arrows.by_edge
        drawing.boxes, drawing.labels = draw_boxes(
            ax,
            graph,
            layout,
            fontsize=fontsize,
            node_values=node_values,
            colormap=colormap,
            normalize=normalize,
            keep=keep,
            families=families,
        )

        if title and not own_figure:
            drawing.captions.append(ax.set_title(title, fontsize=max(fontsize * 1.3, 8)))
        elif title:
            drawing.captions.append(
                figure.text(
                    0.5,
                    1 - ((title_in - note_in) * 0.5) / figure.get_figheight(),
                    title,
                    ha="center",
                    va="center",
                    fontsize=max(fontsize * 1.5, 9),
                    fontweight="bold",
                )
            )
        if note:
            where = (
                {"x": 0.5, "y": 1 - (title_in - note_in / 2) / figure.get_figheight()}
                if own_figure
                else {"x": 0.5, "y": -0.01, "transform": ax.transAxes, "va": "top"}
            )
            drawing.captions.append(
                figure.text(
                    **{
                        "s": note,
                        "ha": "center",
                        "va": "center",
                        "fontsize": max(fontsize, 7.5),
                        "style": "italic",
                        "color": "#3d4650",
                        **where,
                    }
                )
            )
        if own_figure:
            draw_legend(
                figure,
                coloured=coloured,
                colormap=colormap,
                norm=norm,
                ticks=ticks,
                label=colorbar_label,
                fontsize=max(fontsize * 0.95, 6.5),
                legend_in=legend_in,
            )
        fit_labels(figure, ax, layout, drawing.labels, families)
    return drawing

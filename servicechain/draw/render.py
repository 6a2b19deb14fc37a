"""Render a chain diagram with matplotlib (``Figure``, never pyplot) from a :class:`Layout`."""

from __future__ import annotations

import io
import os
import warnings
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
from ..text import has_controls, plain_text
from .arrows import draw_arrows
from .boxes import draw_boxes, fit_caption, fit_labels
from .fonts import font_families
from .layout import EM_PER_UNIT, Layout, layered_layout, text_width
from .legend import draw_legend
from .page import LEGEND_EM, MIN_SLIDE_FONT, SLIDE_WIDTH, fit_page, page_size
from .ratings import place_ratings
from .style import QUALITY_CMAP

__all__ = [
    "FORMATS",
    "MAX_FIGURE_INCHES",
    "MAX_PIXELS",
    "DiagramTooLargeError",
    "DrawError",
    "Drawing",
    "SavedFigure",
    "SmallTextWarning",
    "render_graph",
    "save_figure",
]

FORMATS = ("svg", "png", "pdf")
#: Neither side of a diagram's figure is longer than this, whatever size is asked for.
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


class SmallTextWarning(UserWarning):
    """A diagram's labels come out smaller than a slide needs (10 pt at 13.33 in wide)."""


class SavedFigure:
    """What a diagram and a chart share: ``save(path)`` (SVG, PNG or PDF by the suffix,
    atomically, byte-identical for the same input) and SVG display in notebooks. Needs the
    attributes ``figure`` and ``families`` (the font list the figure was drawn with)."""

    figure: Figure
    families: list

    def save(self, path: str | os.PathLike, *, format: str | None = None, dpi: float | None = None):
        """Write the figure to ``path`` (atomically); see :func:`save_figure`."""
        save_figure(self.figure, path, format=format, dpi=dpi, families=self.families)

    def __repr__(self) -> str:
        width, height = self.figure.get_size_inches()
        title = self.figure.texts[0].get_text() if self.figure.texts else ""
        title = title or (self.figure.axes[0].get_title() if self.figure.axes else "")
        what = f"{type(self).__name__} {title!r}" if title else type(self).__name__
        return f"<{what}, {width:.2f} x {height:.2f} in: .save(path) writes SVG, PNG or PDF>"

    def _repr_svg_(self) -> str:
        buffer = io.BytesIO()
        save_figure(self.figure, buffer, format="svg", families=self.families)
        return buffer.getvalue().decode("utf-8")


@dataclass(repr=False)
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
    scores: dict = field(default_factory=dict)
    heads: dict = field(default_factory=dict)
    ratings: dict = field(default_factory=dict)
    ratings_left_out: list = field(default_factory=list)
    fontsize: float = 0.0


def _plain_labels(figure: Figure) -> None:
    """Drop control characters and bidi overrides from every text of the figure: they have no
    glyph, and matplotlib's warning about a missing glyph would echo them to the terminal."""
    from matplotlib.category import StrCategoryFormatter
    from matplotlib.text import Text
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    for text in figure.findobj(Text):
        label = text.get_text()
        if has_controls(label):
            text.set_text(plain_text(label))
    for ax in figure.axes:  # tick labels are made at drawing time, from their formatters
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if isinstance(formatter, FixedFormatter):
                formatter.seq = [plain_text(str(label)) for label in formatter.seq]
            elif isinstance(formatter, FuncFormatter):
                formatter.func = lambda x, pos, f=formatter.func: plain_text(str(f(x, pos)))
            elif isinstance(formatter, StrCategoryFormatter):
                axis.set_major_formatter(
                    FuncFormatter(lambda x, pos, f=formatter: plain_text(f(x, pos)))
                )


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

    _plain_labels(figure)

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
    norm=(0.0, 1.0),
    colorbar_label: str = "",
    ticks: tuple | None = None,
    tick_labels: tuple | None = None,
    extend: str = "neither",
    keep: set | None = None,
    keep_edges: set | None = None,
    focus=None,
    scores: dict | None = None,
    ratings: dict | None = None,
    unrated: set | frozenset = frozenset(),
    unrated_edges: set | frozenset = frozenset(),
    title: str | None = None,
    caption: str = "",
    ax: Axes | None = None,
    size=None,
    dpi: float = 150,
    font: str | None = None,
    separate_arrows: bool | None = None,
    note: str = "",
) -> Drawing:
    """Draw a chain graph: boxes in columns, routed arrows, company boundary and legend.

    Parameters
    ----------
    graph : networkx.DiGraph
        Shaped like ``chain.graph`` (or a roll-up of it); edges carry ``reliance``. Only its
        nodes and edges are drawn, at their places in ``layout`` (which may be the layout of
        a larger graph, so that views of one model keep their places).
    layout : Layout, optional
        Default :func:`~servicechain.draw.layout.layered_layout` of the graph.
    node_values, edge_values : dict, optional
        Node id / ``(supplier, customer)`` → a value, shown by colour through ``norm``;
        nodes or edges without one get a neutral colour. Without both, no colour bar.
    cmap, norm, colorbar_label, ticks, tick_labels, extend : optional
        Colour map, the normalisation (a matplotlib ``Normalize`` or ``(lo, hi)``), the colour
        bar's label, its ticks (in the values' units) and their labels, and whether the bar
        shows an arrow for values beyond its low end (``"min"``).
    keep, keep_edges : set, optional
        Nodes (and arrows) drawn in full colour; everything else is faded (for a highlighted
        trace). Without ``keep_edges``, every arrow between two kept nodes is kept.
    focus : optional
        A node drawn with a heavy outline (the highlighted one).
    scores : dict, optional
        Node id → text written in its box under its name.
    ratings : dict, optional
        ``(supplier, customer)`` → text written on its arrow, where there is room.
    unrated, unrated_edges : set, optional
        Nodes drawn grey and hatched, services drawn grey and dashed: no score of their own.
    title, caption : str, optional
        Title above the diagram; caption of the company boundary (the company's name).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default a new :class:`~matplotlib.figure.Figure` of ``size``.
    size : str or (float, float), optional
        The page: ``"slide"`` (16:9, the default), ``"a4"``, ``"a4-portrait"`` or inches.
        One font size, the largest that fits, is used for every label.
    dpi : float
        Resolution of the figure (for PNG).
    font : str, optional
        A font family to use first.
    separate_arrows : bool, optional
        One artist per arrow (so each can carry an SVG id) instead of one collection;
        default for diagrams of up to :data:`~servicechain.draw.arrows.ARROW_ARTIST_LIMIT`
        arrows.
    note : str, optional
        A line under the title saying what the boxes stand for.

    Returns
    -------
    Drawing
    """
    import matplotlib as mpl

    layout = layout or layered_layout(graph)
    texts = ["\n".join(layout.lines[n]) for n in graph] + [title or "", caption]
    families = font_families(texts, font=font)
    x0, y0, x1, y1 = layout.extent
    width_u, height_u = x1 - x0, y1 - y0
    coloured = node_values is not None or edge_values is not None
    normalize = Normalize(*norm) if isinstance(norm, tuple) else norm

    with rc_context({"font.family": families, "svg.hashsalt": "servicechain"}):
        own_figure = ax is None
        fit = None
        if own_figure:
            page = tuple(min(side, MAX_FIGURE_INCHES) for side in page_size(size or "slide"))
            fit = fit_page(
                layout.extent,
                page,
                title=bool(title),
                note=bool(note),
                legend_em=LEGEND_EM,
            )
            fontsize = fit.fontsize
            shown = fontsize * SLIDE_WIDTH / fit.width
            if (size or "slide") == "slide" and shown < MIN_SLIDE_FONT - 0.005:
                warnings.warn(
                    f"the labels come out at {shown:.1f} pt on a {SLIDE_WIDTH:.2f} in slide, "
                    f"less than {MIN_SLIDE_FONT:g} pt; a view with fewer boxes (--segment SEGMENT, "
                    "--by-group) draws them larger",
                    SmallTextWarning,
                    stacklevel=2,
                )
            figure = Figure(
                figsize=(fit.width, fit.height), dpi=capped_dpi((fit.width, fit.height), dpi)
            )
            FigureCanvasAgg(figure)
            diagram_w = width_u * EM_PER_UNIT * fontsize / 72 / fit.width
            diagram_h = height_u * EM_PER_UNIT * fontsize / 72 / fit.height
            bottom = fit.legend_in / fit.height
            top = 1 - (fit.title_in + fit.note_in) / fit.height
            ax = figure.add_axes(
                (
                    (1 - diagram_w) / 2,
                    bottom + (top - bottom - diagram_h) / 2,
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
        drawing = Drawing(figure=figure, ax=ax, layout=layout, families=families)
        drawing.fontsize = fontsize
        _company(ax, layout, caption, fontsize, drawing.captions)

        arrows = draw_arrows(
            ax,
            graph,
            layout,
            unit_pt=unit_pt,
            edge_values=edge_values,
            colormap=colormap,
            normalize=normalize,
            keep=keep,
            keep_edges=keep_edges,
            unrated=unrated_edges,
            separate=separate_arrows,
        )
        drawing.edges, drawing.arrows, drawing.heads = arrows.outlines, arrows.by_edge, arrows.heads
        drawing.boxes, drawing.labels, drawing.scores = draw_boxes(
            ax,
            graph,
            layout,
            fontsize=fontsize,
            node_values=node_values,
            colormap=colormap,
            normalize=normalize,
            keep=keep,
            families=families,
            scores=scores,
            unrated=unrated,
            focus=focus,
        )
        if ratings:
            drawing.ratings, drawing.ratings_left_out = _draw_ratings(
                ax, graph, layout, ratings, arrows.heads, fontsize, keep_edges
            )

        if title and not own_figure:
            drawing.captions.append(ax.set_title(title, fontsize=fontsize * 1.3))
        elif title:
            drawing.captions.append(
                figure.text(
                    0.5,
                    1 - fit.title_in * 0.55 / fit.height,
                    title,
                    ha="center",
                    va="center",
                    fontsize=fontsize * 1.35,
                    fontweight="bold",
                )
            )
        if note:
            where = (
                {"x": 0.5, "y": 1 - (fit.title_in + fit.note_in / 2) / fit.height}
                if own_figure
                else {"x": 0.5, "y": -0.01, "transform": ax.transAxes, "va": "top"}
            )
            drawing.captions.append(
                figure.text(
                    **{
                        "s": note,
                        "ha": "center",
                        "va": "center",
                        "fontsize": fontsize,
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
                norm=normalize,
                ticks=ticks or (normalize.vmin, normalize.vmax),
                tick_labels=tick_labels,
                label=colorbar_label,
                fontsize=fontsize,
                legend_in=fit.legend_in,
                unrated=bool(unrated or unrated_edges),
                focus=f"highlighted: {graph.nodes[focus].get('name', focus)}"
                if focus is not None
                else None,
                extend=extend,
            )
        fit_labels(figure, ax, layout, drawing.labels, families)
    return drawing


def _company(ax, layout: Layout, caption: str, fontsize: float, captions: list) -> None:
    """The company boundary with its name in its bottom strip, and the line of visibility
    with its name in the top strip (the line stops above the company's name where that is
    longer than the back office is wide)."""
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
    small = fontsize
    em_u = small / fontsize / EM_PER_UNIT
    vx = layout.visibility_x
    line_from = by0
    if caption:
        text = fit_caption(caption, bx1 - bx0 - 0.12, 1.0)
        captions.append(
            ax.text(
                bx0 + 0.06,
                by0 + 0.085,
                text,
                fontsize=small,
                color="#5b6570",
                va="center",
                ha="left",
                fontweight="bold",
                zorder=1,
            )
        )
        if vx is not None and bx0 + 0.06 + text_width(text) * 1.1 * em_u > vx - 0.03:
            line_from = by0 + 0.17  # the line of visibility stops above the company's name
    if vx is not None:
        ax.add_line(
            Line2D(
                [vx, vx],
                [line_from, by1],
                color="#6b7580",
                linewidth=1.0,
                linestyle=(0, (5, 3)),
                zorder=1,
            )
        )
        text = "line of visibility"
        right_room = bx1 - vx - 0.1
        fits_right = text_width(text) * em_u <= right_room
        captions.append(
            ax.text(
                vx + 0.05 if fits_right else vx - 0.05,
                by1 - 0.085,
                text if fits_right or text_width(text) * em_u <= vx - bx0 - 0.1 else "visibility",
                fontsize=small,
                color="#5b6570",
                va="center",
                ha="left" if fits_right else "right",
                style="italic",
                zorder=1,
            )
        )


def _draw_ratings(ax, graph, layout, ratings, heads, fontsize, live) -> tuple[dict, list]:
    """Write each arrow's rating where :func:`~servicechain.draw.ratings.place_ratings`
    finds room; returns the texts drawn by edge and the edges left without one."""
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

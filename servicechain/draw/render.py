"""Render a chain diagram with matplotlib (``Figure``, never pyplot) from a :class:`Layout`."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import networkx as nx
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from .arrows import draw_arrows
from .boxes import draw_boxes, fit_labels
from .company import draw_company
from .fonts import font_families
from .layout import EM_PER_UNIT, Layout, layered_layout
from .legend import draw_legend
from .page import LEGEND_EM, MIN_SLIDE_FONT, SLIDE_WIDTH, fit_page, page_size
from .problems import DiagramTooLargeError, DrawError, SmallTextWarning
from .ratings import draw_ratings
from .saving import FORMATS, MAX_PIXELS, SavedFigure, capped_dpi, save_figure
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

#: Neither side of a diagram's figure is longer than this, whatever size is asked for.
MAX_FIGURE_INCHES = 120.0


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
    larger: str = "one box per group (--by-group) draws them larger",
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
    larger : str, optional
        What the warning about labels under 10 pt on a slide says draws them larger.

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
                    f"less than {MIN_SLIDE_FONT:g} pt; {larger}",
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
        draw_company(ax, layout, caption, fontsize, drawing.captions)

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
            drawing.ratings, drawing.ratings_left_out = draw_ratings(
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

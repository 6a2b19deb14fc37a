"""Render a chain diagram with matplotlib (``Figure``, never pyplot) from a :class:`Layout`."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch

from ..errors import ServiceChainError
from ..fileio import atomic_output
from .fonts import font_families
from .layout import EM_PER_UNIT, Layout, layered_layout

__all__ = [
    "FORMATS",
    "DiagramTooLargeError",
    "DrawError",
    "Drawing",
    "render_graph",
    "save_figure",
]

FORMATS = ("svg", "png", "pdf")
QUALITY_CMAP = "RdYlBu"  # ColorBrewer diverging, colour-blind safe
IMPORTANCE_CMAP = "YlOrBr"
BASE_FONT = 8.0
_KIND_FILL = {"department": "#e8ecf1", "partner": "#ffffff", "segment": "#dbe9f6"}
_NONE_EDGE = "#7a8594"
_FADE = 0.15
_CURVE_POINTS = 24
_DETERMINISTIC = {
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
    "png": {"Software": None},
}


class DrawError(ServiceChainError):
    """A diagram or chart cannot be made as asked (bad format, nothing to draw, ...)."""


class DiagramTooLargeError(DrawError):
    """A model is too large to draw legibly in full."""


@dataclass
class Drawing:
    """A rendered diagram: the figure, its axes and the artists drawn, by node id.

    ``save(path)`` writes SVG, PNG or PDF (chosen by the suffix), byte-identical for the same
    input. In a notebook the drawing shows itself as SVG.
    """

    figure: Figure
    ax: Axes
    layout: Layout
    boxes: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    edges: LineCollection | None = None
    arrowheads: PolyCollection | None = None
    captions: list = field(default_factory=list)
    families: list = field(default_factory=list)

    def save(self, path: str | os.PathLike, *, format: str | None = None, dpi: float | None = None):
        """Write the figure to ``path`` (atomically); see :func:`save_figure`."""
        save_figure(self.figure, path, format=format, dpi=dpi, families=self.families)

    def _repr_svg_(self) -> str:
        import io

        buffer = io.BytesIO()
        save_figure(self.figure, buffer, format="svg", families=self.families)
        return buffer.getvalue().decode("utf-8")


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
    rc = {"svg.hashsalt": "servicechain", "svg.fonttype": "path", "pdf.compression": 6}
    if families:
        rc["font.family"] = families

    def write(handle) -> None:
        with rc_context(rc):
            FigureCanvasAgg(figure)  # a plain canvas, whatever backend the caller uses
            figure.savefig(handle, format=fmt, dpi=dpi or figure.dpi, metadata=_DETERMINISTIC[fmt])

    if hasattr(path, "write"):
        write(path)
    else:
        with atomic_output(path, binary=True) as handle:
            write(handle)


# --- geometry -------------------------------------------------------------------------------


def _bezier(p0, p1, p2, p3) -> np.ndarray:
    t = np.linspace(0.0, 1.0, _CURVE_POINTS)[:, None]
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def _ports(graph: nx.DiGraph, layout: Layout) -> dict:
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
            y = pos[node][1] + h * 0.36 * (1 - 2 * (i + 0.5) / n)
            where[edge][end] = np.array([x0, y])
    return {e: (where[e][0], sides[e][0], where[e][1], sides[e][1]) for e in sides}


def _edge_geometry(graph, layout, *, unit_pt: float, widths: dict):
    """Curves (arrays of points) and arrowhead triangles, per edge, in layout units."""
    curves, heads = {}, {}
    ports = _ports(graph, layout)
    col = layout.column
    for (u, v), (p0, s0, p3, s3) in ports.items():
        lw = widths[u, v]
        head_len = (5.5 + 0.9 * lw) / unit_pt
        head_half = (2.4 + 0.6 * lw) / unit_pt
        into = np.array([1.0, 0.0]) if s3 == "L" else np.array([-1.0, 0.0])
        tip = p3
        base = tip - into * head_len
        out = np.array([1.0, 0.0]) if s0 == "R" else np.array([-1.0, 0.0])
        span = abs(base[0] - p0[0])
        if col[u] < col[v]:
            k = max(span * 0.45, 0.15)
            c1, c2 = p0 + out * k, base - into * k
        elif col[u] > col[v]:
            bend = np.array([0.0, -(0.22 + 0.08 * (col[u] - col[v]))])
            k = max(span * 0.3, 0.2)
            c1, c2 = p0 + out * k + bend, base - into * k + bend
        else:
            k = 0.22 + 0.12 * abs(p3[1] - p0[1])
            c1, c2 = p0 + out * k, base + np.array([k, 0.0])
        curves[u, v] = _bezier(p0, c1, c2, base)
        normal = np.array([-into[1], into[0]])
        heads[u, v] = np.array([tip, base + normal * head_half, base - normal * head_half])
    return curves, heads


# --- drawing --------------------------------------------------------------------------------


def _text_colour(fill) -> str:
    r, g, b, _ = to_rgba(fill)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#ffffff" if luminance < 0.45 else "#1a1a1a"


def _ink(colour):
    """A colour dark enough to read as a thin line on the pale company background."""
    import colorsys

    r, g, b, a = to_rgba(colour)
    h, lightness, sat = colorsys.rgb_to_hls(r, g, b)
    r, g, b = colorsys.hls_to_rgb(h, min(lightness, 0.62), sat)
    return (r, g, b, a)


def _faded(colour, keep: bool):
    r, g, b, a = to_rgba(colour)
    return (r, g, b, a if keep else a * _FADE)


def _box_style(kind: str, w: float, h: float) -> dict:
    if kind == "segment":
        return {
            "boxstyle": f"round,pad=0,rounding_size={min(h, w) / 2:.6f}",
            "linewidth": 2.0,
            "linestyle": "-",
        }
    if kind == "partner":
        return {"boxstyle": "square,pad=0", "linewidth": 1.1, "linestyle": (0, (3, 2))}
    return {
        "boxstyle": f"round,pad=0,rounding_size={min(h, w) * 0.18:.6f}",
        "linewidth": 0.9,
        "linestyle": "-",
    }


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
    title_in = 0.45 if title else 0.1

    with rc_context({"font.family": families, "svg.hashsalt": "servicechain"}):
        own_figure = ax is None
        if own_figure:
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
            figure = Figure(figsize=(fig_w, fig_h), dpi=dpi)
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
        kinds = nx.get_node_attributes(graph, "kind")
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
                    _fit(caption, bx1 - bx0 - 0.15, small / fontsize),
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

        # edges
        edges = [(u, v) for u, v in graph.edges() if u != v]
        widths = {
            (u, v): 0.6 + 4.0 * min(float(graph.edges[u, v].get("reliance", 0.3)), 1.0)
            for u, v in edges
        }
        curves, heads = _edge_geometry(graph, layout, unit_pt=unit_pt, widths=widths)
        colours = []
        for u, v in edges:
            value = None if edge_values is None else edge_values.get((u, v))
            base = (
                _NONE_EDGE if value is None or np.isnan(value) else _ink(colormap(normalize(value)))
            )
            live = keep is None or (u in keep and v in keep)
            colours.append(_faded(base, live))
        # thick and faded edges first, so thin and highlighted ones stay visible on top
        order = sorted(range(len(edges)), key=lambda i: (colours[i][3], -widths[edges[i]]))
        drawing.edges = LineCollection(
            [curves[edges[i]] for i in order],
            colors=[colours[i] for i in order],
            linewidths=[widths[edges[i]] for i in order],
            capstyle="butt",
            joinstyle="round",
            zorder=2,
        )
        ax.add_collection(drawing.edges, autolim=False)
        drawing.arrowheads = PolyCollection(
            [heads[edges[i]] for i in order],
            facecolors=[colours[i] for i in order],
            edgecolors="none",
            zorder=2,
        )
        ax.add_collection(drawing.arrowheads, autolim=False)

        # boxes and labels
        for node in graph:
            kind = kinds.get(node, "department")
            (cx, cy), (w, h) = layout.pos[node], layout.size[node]
            value = None if node_values is None else node_values.get(node)
            if value is None or np.isnan(value):
                fill = _KIND_FILL[kind]
            else:
                fill = colormap(normalize(value))
            live = keep is None or node in keep
            style = _box_style(kind, w, h)
            box = FancyBboxPatch(
                (cx - w / 2, cy - h / 2),
                w,
                h,
                facecolor=_faded(fill, live),
                edgecolor=_faded("#2b3138", live),
                zorder=3,
                **style,
            )
            ax.add_patch(box)
            drawing.boxes[node] = box
            text_colour = _text_colour(fill) if live else "#9aa0a6"
            drawing.labels[node] = ax.text(
                cx,
                cy,
                "\n".join(layout.lines[node]),
                ha="center",
                va="center",
                fontsize=fontsize,
                color=text_colour,
                zorder=4,
                linespacing=1.15,
                fontweight="bold" if kind == "segment" else "normal",
            )

        if title and not own_figure:
            drawing.captions.append(ax.set_title(title, fontsize=max(fontsize * 1.3, 8)))
        elif title:
            drawing.captions.append(
                figure.text(
                    0.5,
                    1 - (title_in * 0.5) / figure.get_figheight(),
                    title,
                    ha="center",
                    va="center",
                    fontsize=max(fontsize * 1.5, 9),
                    fontweight="bold",
                )
            )
        if own_figure:
            _legend(
                figure,
                ax,
                coloured=coloured,
                colormap=colormap,
                norm=norm,
                ticks=ticks,
                label=colorbar_label,
                fontsize=max(fontsize * 0.95, 6.5),
                legend_in=legend_in,
            )
        _fit_labels(drawing, fontsize)
    return drawing


def _fit(text: str, width_u: float, em_scale: float) -> str:
    """Cut a caption to fit ``width_u`` layout units."""
    from .layout import text_width

    limit = width_u * EM_PER_UNIT / em_scale
    if text_width(text) <= limit:
        return text
    while text and text_width(text + "…") > limit:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def _legend(figure, ax, *, coloured, colormap, norm, ticks, label, fontsize, legend_in):
    fig_h = figure.get_size_inches()[1]
    handles = [
        Patch(
            facecolor=_KIND_FILL["department"],
            edgecolor="#2b3138",
            linewidth=0.9,
            label="department",
        ),
        Patch(
            facecolor=_KIND_FILL["partner"],
            edgecolor="#2b3138",
            linewidth=1.1,
            linestyle=(0, (3, 2)),
            label="partner (outside supplier)",
        ),
        Patch(
            facecolor=_KIND_FILL["segment"],
            edgecolor="#2b3138",
            linewidth=2.0,
            label="customer segment",
        ),
    ]
    for r in (0.1, 0.4, 0.8):
        handles.append(
            Line2D([], [], color=_NONE_EDGE, linewidth=0.6 + 4.0 * r, label=f"reliance {r:.0%}")
        )
    legend_ax = figure.add_axes(
        (0.02, 0.1 / fig_h, 0.62 if coloured else 0.96, (legend_in - 0.2) / fig_h)
    )
    legend_ax.set_axis_off()
    legend_ax.legend(
        handles=handles,
        loc="center left",
        ncol=2,
        fontsize=fontsize,
        frameon=False,
        handlelength=2.2,
        columnspacing=1.2,
        title="arrow: supplier → customer; width = reliance",
        title_fontsize=fontsize,
        alignment="left",
    )
    if coloured:
        from matplotlib.cm import ScalarMappable

        lo, hi = ticks or norm
        cax = figure.add_axes((0.68, 0.42 / fig_h, 0.28, 0.16 / fig_h))
        mappable = ScalarMappable(norm=Normalize(lo, hi), cmap=colormap)
        bar = figure.colorbar(mappable, cax=cax, orientation="horizontal")
        bar.ax.tick_params(labelsize=fontsize)
        bar.set_label(label, fontsize=fontsize)


def _fit_labels(drawing: Drawing, fontsize: float) -> None:
    """Shrink any label whose rendered text overflows its box (estimates are generous, so
    this rarely triggers)."""
    if not hasattr(drawing.figure.canvas, "get_renderer"):
        FigureCanvasAgg(drawing.figure)  # a figure made without a backend
    renderer = drawing.figure.canvas.get_renderer()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        for node, text in drawing.labels.items():
            box = drawing.boxes[node].get_window_extent(renderer)
            for _ in range(4):
                ext = text.get_window_extent(renderer)
                over = max(ext.width / (box.width * 0.9), ext.height / (box.height * 0.92))
                if over <= 1:
                    break
                text.set_fontsize(text.get_fontsize() / over * 0.97)

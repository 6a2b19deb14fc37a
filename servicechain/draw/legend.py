"""Legend of a chain diagram: box shapes, the unrated style, arrow widths, and the colour bar,
in a strip below the diagram so they never cover it."""

from __future__ import annotations

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .page import LEGEND_EM
from .style import KIND_FILL, NONE_EDGE, UNRATED_EDGE, UNRATED_FILL, UNRATED_HATCH, reliance_width

__all__ = ["LEGEND_EM", "draw_legend"]

#: The legend's text is never set larger than this (it stays beside the colour bar).
_MAX_LEGEND_FONT = 10.5


def draw_legend(
    figure,
    *,
    coloured: bool,
    colormap,
    norm,
    ticks,
    tick_labels=None,
    label: str,
    fontsize: float,
    legend_in: float,
    unrated: bool = True,
    focus: str | None = None,
    extend: str = "neither",
) -> list:
    """Add the legend (and, when ``coloured``, a horizontal colour bar with ``ticks`` on the
    model's scale) in the bottom ``legend_in`` inches of ``figure``; returns the legend and
    colour bar axes."""
    fig_w, fig_h = figure.get_size_inches()
    ink = "#2b3138"
    handles = [
        Patch(facecolor=KIND_FILL["department"], edgecolor=ink, linewidth=0.9, label="department"),
        Patch(
            facecolor=KIND_FILL["partner"],
            edgecolor=ink,
            linewidth=1.1,
            linestyle=(0, (3, 2)),
            label="partner (outside supplier)",
        ),
        Patch(
            facecolor=KIND_FILL["segment"], edgecolor=ink, linewidth=2.0, label="customer segment"
        ),
    ]
    if unrated:
        handles.append(
            Patch(
                facecolor=UNRATED_FILL,
                edgecolor=ink,
                hatch=UNRATED_HATCH,
                linewidth=0.9,
                label="not rated (no own score)",
            )
        )
    if focus:
        handles.append(Patch(facecolor="white", edgecolor=ink, linewidth=3.2, label=focus))
    for r, text in ((0.1, "service: relies 10%"), (0.4, "40%"), (0.8, "80%")):
        handles.append(Line2D([], [], color=NONE_EDGE, linewidth=reliance_width(r), label=text))
    if unrated:
        handles.append(
            Line2D(
                [],
                [],
                color=UNRATED_EDGE,
                linewidth=1.6,
                linestyle=(0, (2.5, 1.8)),
                label="service not rated",
            )
        )
    margin = 0.2 / fig_w
    fontsize = min(fontsize, _MAX_LEGEND_FONT)
    legend_ax = figure.add_axes(
        (margin, 0.05 / fig_h, 1 - 2 * margin, max(legend_in - 0.1, 0.01) / fig_h)
    )
    legend_ax.set_axis_off()
    legend = legend_ax.legend(
        handles=handles,
        loc="center left",
        ncol=(len(handles) + 1) // 2,
        fontsize=fontsize,
        frameon=False,
        handlelength=2.0,
        handleheight=0.8,
        columnspacing=1.0,
        labelspacing=0.25,
        borderpad=0.1,
        alignment="left",
    )
    made = [legend_ax]
    if coloured:
        from matplotlib.backends.backend_agg import RendererAgg
        from matplotlib.cm import ScalarMappable

        renderer = RendererAgg(1, 1, figure.dpi)
        used = legend.get_window_extent(renderer).x1 / figure.bbox.width
        em = fontsize / 72 / fig_h
        left = max(used + 0.03, 0.55)
        width = max(1 - left - margin - 0.02, 0.15)
        cax = figure.add_axes((left, 0.05 / fig_h + 2.0 * em, width, 0.8 * em))
        mappable = ScalarMappable(norm=norm, cmap=colormap)
        bar = figure.colorbar(mappable, cax=cax, orientation="horizontal", extend=extend)
        # vector, not raster: a rasterised bar makes SVG and PDF allocate a bitmap the size of
        # the whole figure, which is most of the time spent saving a large diagram
        bar.solids.set_rasterized(False)
        bar.set_ticks(list(ticks))
        if tick_labels is not None:
            bar.set_ticklabels(list(tick_labels))
        bar.ax.tick_params(labelsize=fontsize)
        bar.ax.xaxis.set_label_position("top")
        bar.set_label(label, fontsize=fontsize)
        made.append(cax)
    return made

"""Legend of a chain diagram: box shapes, arrow widths, and the colour bar, in a strip below
the diagram so they never cover it."""

from __future__ import annotations

from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .style import KIND_FILL, NONE_EDGE, reliance_width

__all__ = ["draw_legend"]


def draw_legend(figure, *, coloured, colormap, norm, ticks, label, fontsize, legend_in) -> None:
    """Add the legend (and, when ``coloured``, a horizontal colour bar) in the bottom
    ``legend_in`` inches of ``figure``."""
    fig_h = figure.get_size_inches()[1]
    handles = [
        Patch(
            facecolor=KIND_FILL["department"],
            edgecolor="#2b3138",
            linewidth=0.9,
            label="department",
        ),
        Patch(
            facecolor=KIND_FILL["partner"],
            edgecolor="#2b3138",
            linewidth=1.1,
            linestyle=(0, (3, 2)),
            label="partner (outside supplier)",
        ),
        Patch(
            facecolor=KIND_FILL["segment"],
            edgecolor="#2b3138",
            linewidth=2.0,
            label="customer segment",
        ),
    ]
    for r in (0.1, 0.4, 0.8):
        handles.append(
            Line2D([], [], color=NONE_EDGE, linewidth=reliance_width(r), label=f"reliance {r:.0%}")
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
        # vector, not raster: a rasterised bar makes SVG and PDF allocate a bitmap the size of
        # the whole figure, which is most of the time spent saving a large diagram
        bar.solids.set_rasterized(False)
        bar.ax.tick_params(labelsize=fontsize)
        bar.set_label(label, fontsize=fontsize)

"""The company on a chain diagram: its boundary, its name, and the line of visibility between
the front line and the back office."""

from __future__ import annotations

from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch

from .boxes import fit_caption
from .plan import Layout
from .text import EM_PER_UNIT, text_width

__all__ = ["draw_company"]


def draw_company(ax, layout: Layout, caption: str, fontsize: float, captions: list) -> None:
    """The company boundary with its name in its bottom strip, and the line of visibility
    with its name in the top strip (the line stops above the company's name where that is
    longer than the back office is wide).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The diagram's axes, in layout units.
    layout : Layout
        Gives the boundary and the line of visibility's x.
    caption : str
        The company's name ("" for none).
    fontsize : float
        Size of the captions, in points.
    captions : list
        The text artists drawn are appended to it.
    """
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

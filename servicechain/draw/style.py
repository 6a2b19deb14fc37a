"""Colours and line styles shared by the parts of a chain diagram (boxes, arrows, legend)."""

from __future__ import annotations

import colorsys

import numpy as np
from matplotlib.colors import to_rgba

__all__ = [
    "BASE_FONT",
    "DEFAULT_THRESHOLD",
    "FADE",
    "IMPORTANCE_CMAP",
    "KIND_FILL",
    "NONE_EDGE",
    "QUALITY_CMAP",
    "UNRATED_EDGE",
    "UNRATED_FILL",
    "UNRATED_HATCH",
    "box_style",
    "faded",
    "ink",
    "quality_norm",
    "reliance_width",
    "score_text",
    "text_colour",
]

QUALITY_CMAP = "RdBu"  # ColorBrewer diverging red-white-blue, colour-blind safe
IMPORTANCE_CMAP = "YlOrBr"
BASE_FONT = 10.0
KIND_FILL = {"department": "#e8ecf1", "partner": "#ffffff", "segment": "#dbe9f6"}
NONE_EDGE = "#7a8594"
FADE = 0.15
#: Share of the scale where the quality colours are neutral: weaker is red, stronger blue.
DEFAULT_THRESHOLD = 0.7
#: Below the threshold, this share of the scale runs from neutral to full red.
_RED_SPAN = 0.3
UNRATED_FILL = "#e3e3e3"
UNRATED_HATCH = "////"
UNRATED_EDGE = "#8c8c8c"


def quality_norm(threshold: float = DEFAULT_THRESHOLD):
    """The colour normalisation of qualities on 0..1: neutral at ``threshold``, full red
    :data:`_RED_SPAN` below it (and under), full blue at the top of the scale.

    Examples
    --------
    >>> norm = quality_norm(0.7)
    >>> [round(float(norm(x)), 6) for x in (0.7, 0.4, 1.0)]
    [0.5, 0.0, 1.0]
    """
    from matplotlib.colors import TwoSlopeNorm

    threshold = min(max(float(threshold), 0.01), 0.99)
    return TwoSlopeNorm(vcenter=threshold, vmin=max(threshold - _RED_SPAN, 0.0), vmax=1.0)


def score_text(value: float, lo: float, hi: float) -> str:
    """A score on the scale ``lo..hi`` rounded as the scale deserves: two decimals on a
    scale of width 1 or less, one up to 20, none beyond.

    Examples
    --------
    >>> score_text(3.847, 1, 5), score_text(0.7351, 0, 1), score_text(71.6, 0, 100)
    ('3.8', '0.74', '72')
    """
    span = hi - lo
    digits = 2 if span <= 1 else 1 if span <= 20 else 0
    return f"{value:.{digits}f}"


def reliance_width(reliance: float) -> float:
    """Arrow line width in points for a reliance of 0..1 (more reliance, thicker arrow).

    Examples
    --------
    >>> reliance_width(0.0), reliance_width(1.0)
    (0.6, 4.6)
    """
    return 0.6 + 4.0 * min(float(reliance), 1.0)


def text_colour(fill) -> str:
    """White on dark fills, near-black on light ones."""
    r, g, b, _ = to_rgba(fill)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#ffffff" if luminance < 0.45 else "#1a1a1a"


def ink(colours: np.ndarray) -> np.ndarray:
    """Darken RGBA colours (an ``(n, 4)`` array) enough to read as thin lines on the pale
    company background."""
    out = np.array(colours, dtype=float)
    for row in out:
        h, lightness, sat = colorsys.rgb_to_hls(*row[:3])
        row[:3] = colorsys.hls_to_rgb(h, min(lightness, 0.62), sat)
    return out


def faded(colour, keep: bool) -> tuple:
    """``colour`` as RGBA, nearly transparent unless ``keep``."""
    r, g, b, a = to_rgba(colour)
    return (r, g, b, a if keep else a * FADE)


def box_style(kind: str, w: float, h: float) -> dict:
    """Box shape by kind: departments slightly rounded, segments rounder with a heavy outline,
    partners square with a dashed outline."""
    if kind == "segment":
        return {
            # rounder than a department, but not a full pill: its corners would clip the label
            "boxstyle": f"round,pad=0,rounding_size={min(h, w) * 0.34:.6f}",
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

"""Pages a chain diagram is drawn for: named sizes, and the one font size that fits a layout
on a page with its title and legend."""

from __future__ import annotations

from dataclasses import dataclass

from .text import EM_PER_UNIT

__all__ = [
    "LEGEND_EM",
    "MAX_FONT",
    "MIN_SLIDE_FONT",
    "PAGES",
    "SLIDE_WIDTH",
    "PageFit",
    "diagram_aspect",
    "fit_page",
    "font_per_scale",
    "page_size",
]

#: Named page sizes in inches (width, height): a 16:9 slide, A4 landscape and portrait.
PAGES = {"slide": (13.333, 7.5), "a4": (11.69, 8.27), "a4-portrait": (8.27, 11.69)}
#: A slide is shown this wide; every label is at least :data:`MIN_SLIDE_FONT` points there.
SLIDE_WIDTH = 13.333
MIN_SLIDE_FONT = 10.0
#: Labels of a small diagram are never set larger than this.
MAX_FONT = 13.0
_MARGIN_IN = 0.1
#: Height of the legend strip under a diagram, in ems of the label font.
LEGEND_EM = 3.4
#: Title and note bands, in ems of the label font.
_TITLE_EM = 2.1
_NOTE_EM = 1.6


def page_size(size) -> tuple[float, float]:
    """Width and height in inches of a page: a name in :data:`PAGES` or ``(w, h)``.

    Examples
    --------
    >>> page_size("slide"), page_size((10, 6))
    ((13.333, 7.5), (10.0, 6.0))
    """
    if isinstance(size, str):
        return PAGES[size]
    w, h = size
    return float(w), float(h)


@dataclass
class PageFit:
    """A layout fitted to a page: the figure size, the label font size, and the heights of
    the title band, note band and legend strip (inches)."""

    width: float
    height: float
    fontsize: float
    title_in: float
    note_in: float
    legend_in: float


def _bands(fontsize: float, *, title: bool, note: bool, legend_em: float) -> tuple:
    title_in = (_TITLE_EM if title else 0.6) * fontsize / 72
    note_in = _NOTE_EM * fontsize / 72 if note else 0.0
    return title_in, note_in, legend_em * fontsize / 72


def diagram_aspect(
    size, *, title: bool = True, note: bool = False, legend_em: float = LEGEND_EM
) -> float:
    """Width / height of the part of a page left for the diagram at the slide's font size.

    Examples
    --------
    >>> 1.5 < diagram_aspect("slide") < 2.5
    True
    """
    w, h = page_size(size)
    title_in, note_in, legend_in = _bands(
        MIN_SLIDE_FONT * w / SLIDE_WIDTH, title=title, note=note, legend_em=legend_em
    )
    return (w - 2 * _MARGIN_IN) / max(h - 2 * _MARGIN_IN - title_in - note_in - legend_in, 0.5)


def font_per_scale(size, aspect: float) -> float:
    """Points of label font per unit of layout scale (the diagram area's height over the
    drawing's, for a page whose diagram area has this ``aspect``).

    Examples
    --------
    >>> round(font_per_scale("slide", 2.0), 2)
    45.03
    """
    w, _ = page_size(size)
    return (w - 2 * _MARGIN_IN) / aspect * 72 / EM_PER_UNIT


def fit_page(
    extent: tuple,
    size,
    *,
    title: bool,
    note: bool,
    legend_em: float,
    max_font: float | None = None,
) -> PageFit:
    """The largest font (at most ``max_font``) at which a layout of ``extent`` fits ``size``
    with its title, note and legend; the page keeps its size whatever the font.

    Examples
    --------
    >>> fit = fit_page((0, 0, 10, 4), "slide", title=True, note=False, legend_em=5.6)
    >>> fit.width, fit.height, round(fit.fontsize, 2)
    (13.333, 7.5, 9.01)
    """
    w, h = page_size(size)
    x0, y0, x1, y1 = extent
    width_em, height_em = (x1 - x0) * EM_PER_UNIT, (y1 - y0) * EM_PER_UNIT
    bands_em = (_TITLE_EM if title else 0.6) + (_NOTE_EM if note else 0.0) + legend_em
    fontsize = min(
        (w - 2 * _MARGIN_IN) * 72 / width_em,
        (h - 2 * _MARGIN_IN) * 72 / (height_em + bands_em),
        MAX_FONT if max_font is None else max_font,
    )
    title_in, note_in, legend_in = _bands(fontsize, title=title, note=note, legend_em=legend_em)
    return PageFit(w, h, fontsize, title_in, note_in, legend_in)

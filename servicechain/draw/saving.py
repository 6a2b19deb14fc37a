"""Saving a figure as SVG, PNG or PDF: the same input gives the same bytes, rasters stay
bounded in memory, and a file is replaced only once it is written in full."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..io.atomic import atomic_output
from ..text import has_controls, plain_text
from .problems import DrawError

__all__ = ["FORMATS", "MAX_PIXELS", "SavedFigure", "capped_dpi", "save_figure"]

FORMATS = ("svg", "png", "pdf")
#: A raster (PNG, or any bitmap matplotlib makes) of a figure has at most this many pixels:
#: the resolution is lowered to fit, so memory stays bounded whatever the model or options.
MAX_PIXELS = 50_000_000
_DETERMINISTIC = {
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
    "png": {"Software": None},
}


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

"""The report as plain data: sections of text, tables and figures, rendered to HTML or Markdown.

Nothing here knows a format; :mod:`~servicechain.report.html` and
:mod:`~servicechain.report.markdown` turn a :class:`Document` into text, escaping user text at
that edge.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

__all__ = [
    "Block",
    "Bullets",
    "Document",
    "Figure",
    "Section",
    "Table",
    "Text",
    "format_cell",
    "png_bytes",
    "svg_text",
]

Cell = str | int | float | None


@dataclass(frozen=True)
class Text:
    """A paragraph of plain text (never markup)."""

    text: str
    note: bool = False


@dataclass(frozen=True)
class Bullets:
    """A list of plain-text items."""

    items: Sequence[str]


@dataclass(frozen=True)
class Table:
    """A table of plain cells; ``formats`` gives a :func:`format` spec per numeric column.

    Examples
    --------
    >>> t = Table(["Department", "Quality"], [["IT", 0.8125]], formats=[None, ".2f"])
    >>> t.numeric, t.text(0, 1)
    ((False, True), '0.81')
    """

    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    formats: Sequence[str | None] = ()
    caption: str = ""
    sortable: bool = True

    @property
    def numeric(self) -> tuple[bool, ...]:
        """Whether each column holds numbers only (blank cells allowed)."""
        out = []
        for c in range(len(self.columns)):
            cells = [row[c] for row in self.rows if row[c] is not None]
            out.append(bool(cells) and all(isinstance(x, int | float) for x in cells))
        return tuple(out)

    def text(self, row: int, col: int) -> str:
        """The cell as display text."""
        spec = self.formats[col] if col < len(self.formats) else None
        return format_cell(self.rows[row][col], spec)


@dataclass
class Figure:
    """A chart: made lazily by ``make()`` (a matplotlib Figure), shown as SVG or PNG.

    ``name`` is a file-name stem (ASCII) used for the Markdown image files and as the id
    prefix of the inlined SVG.
    """

    name: str
    caption: str
    make: Callable[[], MplFigure] | None = None
    svg: str | None = None
    interactive: bool = False
    _figure: Any = field(default=None, repr=False)

    def figure(self) -> MplFigure:
        """The matplotlib figure, made once."""
        if self._figure is None:
            if self.make is None:
                raise ValueError(f"figure {self.name!r} has no maker")
            self._figure = self.make()
        return self._figure

    def svg_text(self) -> str:
        """The chart as SVG text."""
        if self.svg is None:
            self.svg = svg_text(self.figure())
        return self.svg

    def png(self, *, dpi: int = 150) -> bytes:
        """The chart as PNG bytes."""
        return png_bytes(self.figure(), dpi=dpi)


Block = Text | Bullets | Table | Figure


@dataclass
class Section:
    """A titled part of the report; ``anchor`` is its ASCII id in the HTML."""

    anchor: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    intro: str = ""


@dataclass
class Document:
    """A whole report: a title, facts for the header, sections and data for the script."""

    title: str
    subtitle: str
    sections: list[Section]
    facts: list[tuple[str, str]] = field(default_factory=list)
    data: dict = field(default_factory=dict)


def format_cell(value: Cell, spec: str | None = None) -> str:
    """A cell as text: blank for ``None``/NaN, numbers with ``spec`` (default ``g``).

    Examples
    --------
    >>> format_cell(None), format_cell(float("nan")), format_cell(3), format_cell(0.51234, ".1%")
    ('', '', '3', '51.2%')
    >>> format_cell(-0.0001, "+.2f"), format_cell(0.25, "+.2f")
    ('0.00', '+0.25')
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if spec:
            text = format(value, spec)
        else:
            text = f"{value:,}" if isinstance(value, int) else f"{value:.3g}"
        return text.lstrip("+-") if _ZERO.match(text) else text
    return str(value)


_SVG_START = re.compile(r"<svg\b")
_ZERO = re.compile(r"^[-+]?[0.,]+%?$")


def svg_text(fig: MplFigure) -> str:
    """A matplotlib figure as SVG text, without the XML prolog, deterministic for equal input."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "servicechain", "svg.id": None}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buf.getvalue()
    start = _SVG_START.search(text)
    return text[start.start() :] if start else text


def png_bytes(fig: MplFigure, *, dpi: int = 150) -> bytes:
    """A matplotlib figure as PNG bytes, without a timestamp."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, bbox_inches="tight")
    return buf.getvalue()

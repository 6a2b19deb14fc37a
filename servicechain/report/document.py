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
from typing import Any

__all__ = [
    "Block",
    "Bullets",
    "Document",
    "Figure",
    "Findings",
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
class Findings:
    """Statements with a short title each: ``items`` holds ``(title, text, points)``, the
    points being a list the text introduces (may be empty)."""

    items: Sequence[tuple[str, str, Sequence[str]]]


@dataclass(frozen=True)
class Table:
    """A table of plain cells; ``formats`` gives a :func:`format` spec per numeric column.

    ``rest`` is one closing row that stays last when the table is sorted: the line that
    stands for the rows a large model's table leaves out (its first cell says how many).

    Examples
    --------
    >>> t = Table(["Department", "Quality"], [["IT", 0.8125]], formats=[None, ".2f"])
    >>> t.numeric, t.text(0, 1)
    ((False, True), '0.81')
    >>> Table(["Department"], [["IT"]], rest=["... and 3 more departments"]).rest_text(0)
    '... and 3 more departments'
    """

    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    formats: Sequence[str | None] = ()
    caption: str = ""
    sortable: bool = True
    rest: Sequence[Cell] = ()

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

    def rest_text(self, col: int) -> str:
        """A cell of the closing ``rest`` row as display text."""
        spec = self.formats[col] if col < len(self.formats) else None
        return format_cell(self.rest[col], spec)


@dataclass
class Figure:
    """A chart, made lazily by ``make()`` and shown as SVG or PNG.

    ``make`` returns a matplotlib Figure, or a drawing or chart of :mod:`servicechain.draw`
    (anything with ``figure`` and ``families``, the fonts its names need). ``name`` is a
    file-name stem (ASCII) used for the Markdown image files and as the id prefix of the
    inlined SVG.
    """

    name: str
    caption: str
    make: Callable[[], Any] | None = None
    svg: str | None = None
    interactive: bool = False
    _made: Any = field(default=None, repr=False)

    def made(self) -> Any:
        """What ``make()`` returned, made once."""
        if self._made is None:
            if self.make is None:
                raise ValueError(f"figure {self.name!r} has no maker")
            self._made = self.make()
        return self._made

    def svg_text(self) -> str:
        """The chart as SVG text."""
        if self.svg is None:
            self.svg = svg_text(self.made())
        return self.svg

    def png(self, *, dpi: int = 150) -> bytes:
        """The chart as PNG bytes."""
        return png_bytes(self.made(), dpi=dpi)

    def texts(self) -> list[str]:
        """Every piece of text drawn on the chart (tick labels, bar labels, legend), in drawing
        order: what a reader without the picture is given, and what a test can read back."""
        from matplotlib.text import Text as MplText

        made = self.made()
        figure = getattr(made, "figure", made)
        out = []
        for artist in figure.findobj(MplText):
            text = artist.get_text().strip()
            if text and artist.get_visible() and not _NUMBER.match(text):
                out.append(text)
        return out


Block = Text | Bullets | Findings | Table | Figure


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
#: An axis tick: a bare number (not worth reading out).
_NUMBER = re.compile(r"^[−+-]?[\d.,]+%?$")
_ZERO = re.compile(r"^[-+]?[0.,]+%?$")


def _save(made: Any, fmt: str, *, dpi: float | None = None) -> bytes:
    from ..draw.render import save_figure

    figure = getattr(made, "figure", made)
    buf = io.BytesIO()
    save_figure(figure, buf, format=fmt, dpi=dpi, families=getattr(made, "families", None))
    return buf.getvalue()


def svg_text(made: Any) -> str:
    """A figure (or drawing, or chart) as SVG text without the XML prolog, deterministic."""
    text = _save(made, "svg").decode("utf-8")
    start = _SVG_START.search(text)
    return text[start.start() :] if start else text


def png_bytes(made: Any, *, dpi: int = 150) -> bytes:
    """A figure (or drawing, or chart) as PNG bytes, without a timestamp."""
    return _save(made, "png", dpi=dpi)

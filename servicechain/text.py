"""The plain-text form of results: display width, padding, clipping, aligned tables, numbers.

One helper for every table the library's results print (and so every CLI table): widths count
wide East Asian characters twice and combining marks not at all.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from itertools import repeat
from operator import add, itemgetter, sub

__all__ = [
    "BIDI_CONTROLS",
    "LIST_SHOWN",
    "REPR_LINES",
    "clip",
    "clipped",
    "column_table",
    "fmt_score",
    "fmt_scores",
    "has_controls",
    "listed",
    "number",
    "pad",
    "percent",
    "plain_text",
    "table",
    "text_repr",
    "visible",
    "width",
]

#: A result's repr shows at most this many lines of its text (``print()`` shows all of it).
REPR_LINES = 40
#: A list in a result's text shows every item up to this many; a longer one shows the first
#: ``LIST_SHOWN * 2 // 3`` and a count of the rest (``--json`` always has them all).
LIST_SHOWN = 30

_ZERO = re.compile(r"[^1-9]*")


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide East Asian characters count twice; control
    characters and escape sequences, which the terminal edge removes, count nothing).

    Examples
    --------
    >>> width("abc"), width("航空"), width("a\x1b[2Jb")
    (3, 4, 2)
    >>> width("Operac\u0327o\u0303es")  # "Operações" with combining marks
    9
    """
    text = plain_text(text)
    if text.isascii():
        return len(text)
    return sum(map(_columns, text))


@functools.cache
def _columns(ch: str) -> int:
    """Columns of one character (looked up once per character: names repeat their letters)."""
    return 0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def pad(text: str, cols: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``cols`` display columns."""
    fill = " " * max(0, cols - width(text))
    return fill + text if right else text + fill


def clip(text: str, columns: int) -> str:
    """``text`` cut to fit ``columns`` terminal columns, with an ellipsis when cut."""
    if width(text) <= columns:
        return text
    if text.isprintable():  # every character as wide as it shows: cut at the last that fits
        used = 0
        for k, w in enumerate(map(_columns, text)):
            if used + w > columns - 1:
                return text[:k] + "…"
            used += w
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > columns - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def clipped(texts: list[str], columns: int) -> list[str]:
    """:func:`clip` of each of ``texts``, the widths measured as a table column's are (once for
    the whole column when it is all plain one-column characters).

    Examples
    --------
    >>> clipped(["Loja", "Operações de turno", "航空航空航空"], 8)
    ['Loja', 'Operaçõ…', '航空航…']
    """
    widths = _widths(texts)
    if widths is None:
        widths = list(map(len, texts))
    return [
        text if w <= columns else clip(text, columns) for text, w in zip(texts, widths, strict=True)
    ]


def table(rows: list[list[str]], *, right: tuple[int, ...] = (), indent: str = "  ") -> list[str]:
    """Lines of an aligned table; columns whose index is in ``right`` are right-aligned.

    Cells are padded to the display :func:`width` of their column's widest cell; a line ends
    without trailing spaces.

    Examples
    --------
    >>> print("\\n".join(table([["id", "name", "score"], ["it", "航空", "4.20"]], right=(2,))))
      id  name  score
      it  航空   4.20
    """
    if not rows:
        return []
    count = len(rows[0])
    if any(len(row) != count for row in rows):
        raise ValueError("table rows of different lengths")
    if not count:
        return [indent.rstrip()] * len(rows)
    columns = [list(map(itemgetter(k), rows)) for k in range(count)]
    return column_table(columns, right=right, indent=indent)


def column_table(
    columns: list[list[str]], *, right: tuple[int, ...] = (), indent: str = "  "
) -> list[str]:
    """The lines :func:`table` makes of the rows whose cells ``columns`` holds column by
    column (a long table's cells made a column at a time, never a list per row).

    Examples
    --------
    >>> print("\\n".join(column_table([["id", "it"], ["name", "航空"]])))
      id  name
      it  航空
    """
    if not columns:
        return []
    size = len(columns[0])
    if any(len(column) != size for column in columns):
        raise ValueError("table columns of different lengths")
    # each column measured whole, then padded a block of rows at a time (the padded copies
    # of a long table's cells never all exist at once)
    measured = list(map(_measured, columns))
    lines: list[str] = []
    for start in range(0, size, _TABLE_BLOCK):
        padded = [
            _padded(column[start : start + _TABLE_BLOCK], widths, cols, start, k in right)
            for k, (column, (widths, cols)) in enumerate(zip(columns, measured, strict=True))
        ]
        rows = map(indent.__add__, map("  ".join, zip(*padded, strict=True)))
        lines += map(str.rstrip, rows)
    return lines


#: Rows of a table padded at a time.
_TABLE_BLOCK = 8192


def _measured(cells: list[str]) -> tuple[list[int] | None, int]:
    """The display width of each cell of a column (None when each is its length) and the
    width of the column."""
    widths = _widths(cells)
    return widths, max(map(len, cells)) if widths is None else max(widths)


def _padded(
    cells: list[str], widths: list[int] | None, cols: int, start: int, right: bool
) -> list[str]:
    """The cells of one column (from row ``start``) padded with spaces to ``cols`` columns."""
    if widths is None:  # every cell is as wide as it is long
        return list(map(str.rjust if right else str.ljust, cells, repeat(cols)))
    # each cell justified to its own length plus the columns it lacks: cols + len - width
    lengths = map(add, map(len, cells), repeat(cols))
    lengths = map(sub, lengths, widths[start : start + len(cells)])
    return list(map(str.rjust if right else str.ljust, cells, lengths))


def _widths(cells: list[str]) -> list[int] | None:
    """The display width of each cell, or None when each is its length. The column is looked
    at as a whole first: all printable with no wide or combining character (the usual case)
    needs no look at any cell, and then only the cells holding such a character are measured."""
    joined = "".join(cells)
    if not joined.isprintable():  # control characters or escapes: measured as printed
        return list(map(width, cells))
    if joined.isascii():
        return None
    if len(joined) >= _LONG_COLUMN:
        return _long_widths(cells, joined)
    odd = [ch for ch in set(joined) if _columns(ch) != 1]
    if not odd:
        return None
    search = re.compile(f"[{''.join(map(re.escape, odd))}]").search
    return [width(cell) if search(cell) else len(cell) for cell in cells]


#: Characters in a column from which its widths are counted on arrays.
_LONG_COLUMN = 1 << 16


def _long_widths(cells: list[str], joined: str) -> list[int] | None:
    """:func:`_widths` of a long column of printable cells (``joined``: the cells joined),
    counted on the array of its code points. Every printable character below U+0300 takes one
    column, so only the characters from there up are looked at: each one's columns minus one,
    added to the length of the cell it is in (no pass over the whole text but one comparison).
    """
    import numpy as np

    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    where = np.flatnonzero(codes >= _NARROW_BELOW)
    if not len(where):
        return None
    found, inverse = np.unique(codes[where], return_inverse=True)
    extra = np.array([_columns(chr(code)) - 1 for code in found.tolist()], dtype=np.int64)
    extra = extra[inverse]
    odd = extra != 0
    if not odd.any():
        return None
    lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
    cell = np.searchsorted(np.cumsum(lengths), where[odd], side="right")
    more = np.bincount(cell, weights=extra[odd], minlength=len(cells)).astype(np.int64)
    return (lengths + more).tolist()


#: Every printable character below this code point takes one column.
_NARROW_BELOW = 0x300


def fmt_score(value: float, span: float, *, sign: bool = False) -> str:
    """A score on a scale of width ``span``: two decimals, one on scales wider than 20.

    Examples
    --------
    >>> fmt_score(4.2149, 4), fmt_score(71.26, 100), fmt_score(0.031, 4, sign=True)
    ('4.21', '71.3', '+0.03')
    >>> fmt_score(-0.001, 4, sign=True)
    '+0.00'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    digits = 1 if span > 20 else 2
    if round(value, digits) == 0:
        value = 0.0
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def fmt_scores(values: Iterable[float], span: float, *, sign: bool = False) -> list[str]:
    """:func:`fmt_score` of each of ``values`` (floats, NaN for none), in one pass: a column
    of a long table formatted without a Python call per number.

    Examples
    --------
    >>> fmt_scores([4.2149, -0.001, float("nan")], 4)
    ['4.21', '0.00', '-']
    >>> fmt_scores([71.26, -0.04], 100, sign=True)
    ['+71.3', '+0.0']
    """
    digits = 1 if span > 20 else 2
    plus = "+" if sign else ""
    zero = f"{plus}{0:.{digits}f}"
    # what format writes where fmt_score writes otherwise: a negative zero and NaN
    fixes = {f"-{0:.{digits}f}": zero, "nan": "-", "+nan": "-"}
    text = list(map(format, values, repeat(f"{plus}.{digits}f")))
    return list(map(fixes.get, text, text))


def percent(value: float, *, sign: bool = False) -> str:
    """A share as a percentage with one decimal.

    Examples
    --------
    >>> percent(0.1234), percent(-0.005, sign=True), percent(-0.0001)
    ('12.3%', '-0.5%', '0.0%')
    """
    return number(value * 100, "+.1f" if sign else ".1f") + "%"


def listed(items: list, *, limit: int = LIST_SHOWN, indent: str = "  ") -> list[str]:
    """Lines of a list in a result's text: every item up to ``limit``, else the first two
    thirds of ``limit`` and a line saying how many more there are.

    Examples
    --------
    >>> listed(["a", "b"])
    ['  a', '  b']
    >>> listed([f"item {i}" for i in range(100)], limit=3)[-2:]
    ['  item 1', '  ... and 98 more (--json lists them all)']
    """
    shown = len(items) if len(items) <= limit else max(1, limit * 2 // 3)
    lines = [f"{indent}{item}" for item in items[:shown]]
    if shown < len(items):
        lines.append(f"{indent}... and {len(items) - shown:,} more (--json lists them all)")
    return lines


def number(value: float, spec: str) -> str:
    """``format(value, spec)``, never showing a negative zero (``-0``, ``-0.0%``).

    A value that rounds to zero at the precision shown is written as zero, with ``+`` when
    ``spec`` asks for a sign.

    Examples
    --------
    >>> number(-0.3, "+,.0f"), number(-0.0004, ".1%"), number(-2.5, "+.1f"), number(0.0, "+.0f")
    ('+0', '0.0%', '-2.5', '+0')
    """
    text = format(value, spec)
    if text.lstrip().startswith("-") and _ZERO.fullmatch(text):
        text = text.replace("-", "+" if "+" in spec else "", 1)
    return text


def text_repr(result: object) -> str:
    """The repr of a result object: its own text (what ``print`` shows), cut after
    :data:`REPR_LINES` lines, so a result typed at a Python prompt reads like the command's
    output rather than a dump of its fields.

    Examples
    --------
    >>> class Result:
    ...     def __str__(self):
    ...         return "\\n".join(f"row {i}" for i in range(45))
    ...     __repr__ = text_repr
    ...
    >>> print(repr(Result()).splitlines()[-1])
    … 5 more lines (print() shows them all)
    """
    lines = str(result).splitlines()
    if len(lines) <= REPR_LINES:
        return "\n".join(lines)
    more = len(lines) - REPR_LINES
    return "\n".join([*lines[:REPR_LINES], f"… {more:,} more lines (print() shows them all)"])


# --- text from a model, made inert for a display ------------------------------------------
#
# A name may hold anything a file can hold. Before it reaches a terminal, a diagram label or a
# Markdown line, plain_text removes what would act instead of show: terminal escape sequences
# (colours, clearing the screen, OSC-8 hyperlinks, window titles), the other C0 and C1 control
# characters (BEL, backspace, carriage return, NUL), DEL, and the Unicode controls that reorder
# text on screen (right-to-left override and friends). Tabs and line breaks are kept.

#: Embeddings, overrides and isolates: they reorder the text shown around them.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI: colours, cursor moves, clear screen
  | \x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # OSC (hyperlinks, titles), DCS, PM, APC
  | \x9b[0-?]*[ -/]*[@-~]                   # CSI as a single C1 character
  | [\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # OSC, DCS... as C1
  | \x1b[ -/]*[0-~]?                        # any other escape
    """,
    re.VERBOSE,
)
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def plain_text(text: str) -> str:
    """``text`` without terminal escape sequences, control characters or bidi overrides.

    Examples
    --------
    >>> plain_text("\\x1b[2J\\x1b[31mIT\\x1b[0m support\\a")
    'IT support'
    >>> plain_text("\\x1b]8;;https://example.com\\x1b\\\\click\\x1b]8;;\\x1b\\\\ me")
    'click me'
    >>> plain_text("Loja \\u202eadmin\\u202c\\tok\\n")
    'Loja admin\\tok\\n'
    """
    if text.isprintable() or not _CONTROL.search(text):  # every sequence starts with a control
        return text
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


def has_controls(text: str) -> bool:
    """Whether :func:`plain_text` would change ``text`` (tabs and line breaks aside).

    Examples
    --------
    >>> has_controls("Loja Central\\n"), has_controls("Loja\\x1b[2J")
    (False, True)
    """
    return bool(_CONTROL.search(text))


def visible(text: str) -> str:
    """``text`` with each control character or bidi override written as an escape (``\\u001b``):
    for ids, which must stay distinct where :func:`plain_text` would make two of them equal.

    Examples
    --------
    >>> print(visible("it\\x1b[2J"), visible("it\\x1b[3J"), visible("Loja"))
    it\\u001b[2J it\\u001b[3J Loja
    """
    if text.isprintable():
        return text
    return _VISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_VISIBLE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")

"""Small helpers for the text form of flow results: display width, padding, number formats."""

from __future__ import annotations

import math
import unicodedata

from ..model.text import number

__all__ = ["fmt_score", "pad", "percent", "table", "width"]


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide East Asian characters count twice).

    Examples
    --------
    >>> width("abc"), width("航空")
    (3, 4)
    """
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def pad(text: str, cols: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``cols`` display columns."""
    fill = " " * max(0, cols - width(text))
    return fill + text if right else text + fill


def table(rows: list[list[str]], *, right: tuple[int, ...] = (), indent: str = "  ") -> list[str]:
    """Lines of an aligned table; columns whose index is in ``right`` are right-aligned."""
    if not rows:
        return []
    cols = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        (
            indent + "  ".join(pad(cell, cols[i], right=i in right) for i, cell in enumerate(row))
        ).rstrip()
        for row in rows
    ]


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


def percent(value: float, *, sign: bool = False) -> str:
    """A share as a percentage with one decimal.

    Examples
    --------
    >>> percent(0.1234), percent(-0.005, sign=True), percent(-0.0001)
    ('12.3%', '-0.5%', '0.0%')
    """
    return number(value * 100, "+.1f" if sign else ".1f") + "%"

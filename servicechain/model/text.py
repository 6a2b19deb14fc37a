"""How results read as text: numbers without a negative zero, and reprs a person can read."""

from __future__ import annotations

import re

__all__ = ["LIST_SHOWN", "REPR_LINES", "listed", "number", "text_repr"]

#: A result's repr shows at most this many lines of its text (``print()`` shows all of it).
REPR_LINES = 40

#: A list in a result's text is shown whole up to this many items, else its first
#: ``LIST_SHOWN * 2 // 3`` and a count of the rest (``--json`` always has them all).
LIST_SHOWN = 30

_ZERO = re.compile(r"[^1-9]*")


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

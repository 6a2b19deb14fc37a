"""How a large model's report stays readable: long tables and lists cut to their first rows,
with one line that says how many are left out (as the text of ``rank`` and ``explain`` does)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "GLANCE_ROWS",
    "LISTED_NAMES",
    "REPORT_ROWS",
    "SEGMENT_DETAILS",
    "listed_positions",
    "more",
    "most_important",
    "name_list",
    "rest_row",
]

#: Rows a report table lists before one line for the rest (the rows the text of ``rank`` shows).
REPORT_ROWS = 100
#: Segments whose gap is traced term by term, with a chart, in the report.
SEGMENT_DETAILS = 10
#: Names a sentence (or items a list) shows before "and N more".
LISTED_NAMES = 12
#: Rows of the overview's counts (departments by group) before one line for the rest.
GLANCE_ROWS = 20


def more(count: int, one: str, many: str | None = None) -> str:
    """``"... and 1,234 more departments"``: the words for the rows a table leaves out.

    Examples
    --------
    >>> more(1, "segment"), more(9900, "department and partner", "departments and partners")
    ('... and 1 more segment', '... and 9,900 more departments and partners')
    """
    what = one if count == 1 else (many or f"{one}s")
    return f"... and {count:,} more {what}"


def name_list(names: Sequence[str], *, limit: int = LISTED_NAMES) -> str:
    """Names joined by commas, the first ``limit`` only and then how many more there are.

    Examples
    --------
    >>> name_list(["IT", "HR"]), name_list(["a", "b", "c", "d"], limit=2)
    ('IT, HR', 'a, b and 2 more')
    """
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit:,} more"


def rest_row(width: int, text: str, **cells: object) -> list:
    """A table's closing row of ``width`` cells: ``text`` first, ``cells`` by column position
    (``c3=12.5``), blank elsewhere.

    Examples
    --------
    >>> rest_row(4, "... and 7 more", c2=3.5)
    ['... and 7 more', None, 3.5, None]
    """
    row: list = [text] + [None] * (width - 1)
    for key, value in cells.items():
        row[int(key[1:])] = value
    return row


def most_important(ranking: Any, count: int = 2) -> list[int]:
    """Positions in ``ranking.departments`` of the ``count`` rows of largest importance (above
    0), the largest first, the higher ranked among equals; from the ranking's columns, so no
    row of a large model is made for it.

    Examples
    --------
    >>> import servicechain
    >>> chain = servicechain.load(servicechain.example_path("flowershop"))
    >>> ranking = chain.rank()
    >>> [ranking.departments[p].node for p in most_important(ranking)]
    ['bench', 'counter']
    """
    import numpy as np

    columns = (ranking.columns or {}).get("departments")
    if columns is None:
        rows = ranking.departments
        found = [p for p in range(len(rows)) if rows[p].importance > 0]
        return sorted(found, key=lambda p: -rows[p].importance)[:count]
    importance = columns.importance[columns.order]
    found = np.flatnonzero(importance > 0)
    return found[np.argsort(-importance[found], kind="stable")[:count]].tolist()


def listed_positions(ranking: Any) -> list[int]:
    """Positions of the rows of ``ranking.departments`` a report table lists: the first
    :data:`REPORT_ROWS`, and further down those the summary cites for their importance.

    Examples
    --------
    >>> import servicechain
    >>> listed_positions(servicechain.load(servicechain.example_path("flowershop")).rank())
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    """
    first = list(range(min(REPORT_ROWS, len(ranking.departments))))
    return first + sorted(p for p in most_important(ranking) if p >= REPORT_ROWS)

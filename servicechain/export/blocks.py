"""Text of many rows written by columns: the pieces the block writers of big files share.

A row of a file (a node, an edge, a box) is a fixed sequence of pieces: a piece a column
gives (a value with the markup around it) or one every row shares. Each column is a table of
its distinct pieces and a code per row, so a value is turned into text once however often it
repeats; a block of rows is then one gather of each column into a table of rows by pieces and
one join, with no Python object made per row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["distinct_codes", "float_codes", "rows_text"]


def distinct_codes(items: Sequence) -> tuple[list, np.ndarray]:
    """The distinct items in the order they first appear, and the number of each item's
    distinct value (items must be hashable; items equal as keys, such as ``1`` and ``1.0``,
    count as one).

    Examples
    --------
    >>> distinct_codes(["b", "a", "b"])
    (['b', 'a'], array([0, 1, 0]))
    """
    distinct = dict.fromkeys(items)
    number = dict(zip(distinct, range(len(distinct)), strict=True))
    codes = np.fromiter(map(number.__getitem__, items), np.int64, len(items))
    return list(distinct), codes


def float_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct floats of ``values`` (sorted by their bits) and the number of each
    value's. Floats are told apart by their bits, as their texts are: ``-0.0`` and ``0.0``
    are two values (every ``nan`` with the same bits is one).

    Examples
    --------
    >>> unique, codes = float_codes(np.array([2.5, -0.0, 2.5, 0.0]))
    >>> [repr(v) for v in unique.tolist()], codes.tolist()
    (['-0.0', '0.0', '2.5'], [2, 0, 2, 1])
    """
    bits = np.ascontiguousarray(values, dtype=float).view(np.int64)
    unique = np.unique(bits)
    return unique.view(float), np.searchsorted(unique, bits)


def rows_text(pieces: Sequence, n: int) -> str:
    """The text of ``n`` rows, each the concatenation of its pieces in order: each of
    ``pieces`` is a sequence of ``n`` texts (one per row) or a text every row shares.

    Examples
    --------
    >>> rows_text(["<", ["a", "b"], np.array(["1", "2"], dtype=object), ">\\n"], 2)
    '<a1>\\n<b2>\\n'
    """
    table = np.empty((n, len(pieces)), dtype=object)
    for j, piece in enumerate(pieces):
        table[:, j] = piece
    return "".join(table.ravel().tolist())

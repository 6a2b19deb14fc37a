"""``Records``: a list of records with the same fields, held as columns (for large results).

A result of 700,000 services keeps its numbers in arrays; its JSON is written from the columns
(:mod:`servicechain.io.jsonout`) without making a dict per row, and :meth:`Records.to_list`
makes the plain list of dicts only when something asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

__all__ = ["Coded", "Ends", "Joined", "Lists", "Records", "plain"]


class Coded:
    """A column whose row ``i`` holds ``values[codes[i]]`` (ids of the ends of services, kinds):
    each distinct value is encoded once.

    Examples
    --------
    >>> Coded(["a", "b"], np.array([1, 1, 0])).tolist()
    ['b', 'b', 'a']
    """

    __slots__ = ("codes", "values")

    def __init__(self, values: Sequence, codes: np.ndarray):
        self.values = values
        self.codes = np.asarray(codes, dtype=np.intp)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, where):
        return Coded(self.values, self.codes[where])

    def tolist(self) -> list:
        """The plain values of every row."""
        values = self.values
        return [values[i] for i in self.codes.tolist()]


class Ends:
    """A column of node ids and pairs of them: row ``i`` holds the pair
    ``[ids[first[i]], ids[second[i]]]`` (the ends of a service), or ``ids[second[i]]`` alone
    where ``first[i]`` is negative (a department, partner or segment).

    Examples
    --------
    >>> Ends(["a", "b"], np.array([-1, 0]), np.array([1, 1])).tolist()
    ['b', ['a', 'b']]
    """

    __slots__ = ("first", "ids", "second")

    def __init__(self, ids: Sequence[str], first: np.ndarray, second: np.ndarray):
        self.ids = ids
        self.first = np.asarray(first, dtype=np.intp)
        self.second = np.asarray(second, dtype=np.intp)

    def __len__(self) -> int:
        return len(self.second)

    def __getitem__(self, where):
        return Ends(self.ids, self.first[where], self.second[where])

    def tolist(self) -> list:
        """The plain values of every row."""
        ids = self.ids
        return [
            ids[b] if a < 0 else [ids[a], ids[b]]
            for a, b in zip(self.first.tolist(), self.second.tolist(), strict=True)
        ]


class Joined:
    """A column of texts made of pieces: row ``i`` is the concatenation, over ``parts`` (each
    a :class:`Coded` column of strings), of each part's row ``i``. A label such as
    ``"it → store (POS support)"`` is then held as the codes of its ids and names, each of
    which is encoded once when the column is written, not once per row.

    Examples
    --------
    >>> ids = ["it", "store"]
    >>> arrow = Joined([Coded(ids, np.array([0, 1])), Coded([" → "], np.array([0, 0])),
    ...     Coded(ids, np.array([1, 0]))])
    >>> arrow.tolist()
    ['it → store', 'store → it']
    """

    __slots__ = ("parts",)

    def __init__(self, parts: Sequence[Coded]):
        if not parts or len({len(part) for part in parts}) > 1:
            raise ValueError("the parts of a Joined column need one length, and at least one")
        self.parts = list(parts)

    def __len__(self) -> int:
        return len(self.parts[0])

    def __getitem__(self, where):
        return Joined([part[where] for part in self.parts])

    def tolist(self) -> list[str]:
        """The text of every row."""
        return list(map("".join, zip(*(part.tolist() for part in self.parts), strict=True)))


class Lists:
    """A column of lists of ids: row ``i`` holds ``[ids[k] for k in items[starts[i]:stops[i]]]``
    (the customers of each department, say, read from the model's adjacency arrays); each id
    is encoded once when the column is written.

    Examples
    --------
    >>> Lists(["a", "b"], np.array([1, 0, 1]), np.array([0, 1, 3]), np.array([1, 3, 3])).tolist()
    [['b'], ['a', 'b'], []]
    """

    __slots__ = ("ids", "items", "starts", "stops")

    def __init__(
        self, ids: Sequence[str], items: np.ndarray, starts: np.ndarray, stops: np.ndarray
    ):
        self.ids = ids
        self.items = np.asarray(items, dtype=np.intp)
        self.starts = np.asarray(starts, dtype=np.intp)
        self.stops = np.asarray(stops, dtype=np.intp)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, where):
        return Lists(self.ids, self.items, self.starts[where], self.stops[where])

    def positions(self) -> tuple[np.ndarray, np.ndarray]:
        """``(at, ptr)``: the positions in ``items`` of every row's entries, one row after
        another, and where each row's run of them starts (``len(self) + 1`` pointers)."""
        counts = self.stops - self.starts
        ptr = np.zeros(len(counts) + 1, dtype=np.intp)
        np.cumsum(counts, out=ptr[1:])
        at = np.arange(ptr[-1], dtype=np.intp) + np.repeat(self.starts - ptr[:-1], counts)
        return at, ptr

    def tolist(self) -> list[list[str]]:
        """The plain list of ids of every row."""
        at, ptr = self.positions()
        listed = list(map(self.ids.__getitem__, self.items[at].tolist()))
        bounds = ptr.tolist()
        return [listed[a:b] for a, b in pairwise(bounds)]


class Records:
    """Rows with the fields ``columns`` (in order), column ``f`` holding every row's value of
    ``f``: a numpy array or a sequence of plain values, all of one length. ``order``, when given,
    is the positions of the rows to show, in the order to show them.

    Examples
    --------
    >>> rows = Records({"id": ["a", "b"], "q": np.array([0.5, 1.0])}, order=[1, 0])
    >>> len(rows), rows.to_list()
    (2, [{'id': 'b', 'q': 1.0}, {'id': 'a', 'q': 0.5}])
    """

    __slots__ = ("columns", "order")

    def __init__(self, columns: dict[str, Any], *, order: Sequence[int] | np.ndarray | None = None):
        lengths = {len(column) for column in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self.columns = columns
        self.order = None if order is None else np.asarray(order, dtype=np.intp)

    @classmethod
    def from_rows(cls, rows: Sequence) -> Records | list:
        """The ``to_dict()`` of each of ``rows`` (all with the same fields) as columns; an empty
        list stays a list.

        Examples
        --------
        >>> Records.from_rows([{"a": 1}, {"a": 2}]).columns
        {'a': [1, 2]}
        """
        if hasattr(rows, "records"):  # rows that give their own columns (Assumptions)
            return rows.records()
        dicts = [row if isinstance(row, dict) else row.to_dict() for row in rows]
        if not dicts:
            return []
        return cls({key: [row[key] for row in dicts] for key in dicts[0]})

    def __len__(self) -> int:
        if self.order is not None:
            return len(self.order)
        return len(next(iter(self.columns.values()), ()))

    def column(self, name: str, start: int = 0, stop: int | None = None) -> list:
        """Plain Python values of one field for the rows ``start:stop`` (in showing order)."""
        return _tolist(self.slice(name, start, stop))

    def slice(self, name: str, start: int = 0, stop: int | None = None) -> Any:
        """One field for the rows ``start:stop`` (in showing order), as it is held: an array,
        a :class:`Coded`, :class:`Ends`, :class:`Joined` or :class:`Lists` column, or a list."""
        values = self.columns[name]
        stop = len(self) if stop is None else stop
        if self.order is not None:
            where = self.order[start:stop]
            if isinstance(values, np.ndarray | Coded | Ends | Joined | Lists):
                return values[where]
            return [values[i] for i in where.tolist()]
        return values[start:stop]

    def __iter__(self) -> Iterator[dict]:
        return iter(self.to_list())

    def to_list(self) -> list[dict]:
        """The rows as a list of dicts (numpy numbers made plain; NaN as None)."""
        names = list(self.columns)
        values = [_plain(self.column(name)) for name in names]
        return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def plain(data: Any) -> Any:
    """``data`` with every :class:`Records` in it made a list of dicts.

    Examples
    --------
    >>> plain({"rows": Records({"id": ["a"]}), "n": [1]})
    {'rows': [{'id': 'a'}], 'n': [1]}
    """
    if isinstance(data, Records):
        return data.to_list()
    if isinstance(data, dict):
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(value) for value in data]
    return data


def _tolist(values: Any) -> list:
    if isinstance(values, np.ndarray | Coded | Ends | Joined | Lists):
        return values.tolist()
    return list(values)


def _plain(values: list) -> list:
    return [None if isinstance(v, float) and v != v else v for v in values]

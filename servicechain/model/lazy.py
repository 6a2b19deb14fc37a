"""``LazyList``: a read-only list whose items are made on first access (for large results)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = ["REPR_ITEMS", "LazyList"]

#: The repr of a long list shows this many items, then how many more there are.
REPR_ITEMS = 10


class LazyList(Sequence):
    """A read-only sequence of ``length`` items, item ``i`` made by ``make(i)`` when first used.

    Results of large models hold their numbers in arrays; the row objects (and their text) are
    made only for what is looked at. It compares equal to any sequence with equal items.

    Examples
    --------
    >>> rows = LazyList(3, lambda i: i * i)
    >>> len(rows), rows[2], rows[-1], rows[:2], list(rows)
    (3, 4, 4, [0, 1], [0, 1, 4])
    >>> rows == [0, 1, 4]
    True
    """

    __slots__ = ("_length", "_made", "_make")

    def __init__(self, length: int, make: Callable[[int], Any]):
        self._length = int(length)
        self._make = make
        self._made: dict[int, Any] = {}

    def __len__(self) -> int:
        return self._length

    def _item(self, i: int) -> Any:
        item = self._made.get(i)
        if item is None:
            item = self._made[i] = self._make(i)
        return item

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._item(j) for j in range(*i.indices(self._length))]
        i = i.__index__()
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError("LazyList index out of range")
        return self._item(i)

    def __iter__(self) -> Iterator[Any]:
        return map(self._item, range(self._length))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(other) == self._length and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        """Like a list's, one item a line, the first :data:`REPR_ITEMS` only (made on demand).

        Examples
        --------
        >>> LazyList(3, lambda i: i * i)
        [0, 1, 4]
        >>> LazyList(1000, lambda i: (i, "x"))
        [(0, 'x'),
         (1, 'x'),
         (2, 'x'),
         (3, 'x'),
         (4, 'x'),
         (5, 'x'),
         (6, 'x'),
         (7, 'x'),
         (8, 'x'),
         (9, 'x'),
         ... 990 more (1,000 items)]
        """
        shown = [repr(item) for item in self[:REPR_ITEMS]]
        if self._length > REPR_ITEMS:
            shown.append(f"... {self._length - REPR_ITEMS:,} more ({self._length:,} items)")
        text = ", ".join(shown)
        if len(text) > 100 or self._length > REPR_ITEMS:
            text = ",\n ".join(shown)
        return f"[{text}]"

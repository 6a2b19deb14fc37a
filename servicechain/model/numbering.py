"""Node numbers for the ends of services: one numbering for every reader of a model.

Nodes are numbered in the order their ids are given; an end that names no node gets -1.
"""

from __future__ import annotations

from itertools import repeat

import numpy as np

__all__ = ["number_ends"]


def number_ends(ids: list, ends: list, *, by_hash: bool = False) -> np.ndarray:
    """The position in ``ids`` of each of ``ends`` (the first, for an id given twice), or -1.

    ``by_hash`` tries a numpy search first (see :func:`_by_hash`), for many plain ASCII
    strings with no NUL character; anything it cannot tell goes through a dict.

    Examples
    --------
    >>> number_ends(["it", "store", "shop"], ["store", "it", "nobody"]).tolist()
    [1, 0, -1]
    >>> number_ends(["it", "store"], ["store", "it"], by_hash=True).tolist()
    [1, 0]
    """
    numbers = _by_hash(ids, ends) if by_hash and ids and ends else None
    if numbers is None:
        index: dict = {}
        for i, ident in enumerate(ids):
            index.setdefault(ident, i)
        numbers = np.fromiter(map(index.get, ends, repeat(-1)), np.int64, len(ends))
    return numbers.astype(np.int64)


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _by_hash(ids: list[str], ends: list[str]) -> np.ndarray | None:
    """The numbers of ``ends`` in ``ids`` found with numpy, or ``None`` where this cannot
    tell (ids or ends not plain ASCII, two ids with the same hash, an end that is no id): the
    caller then looks every end up in a dict. No string may hold a NUL character (numpy's
    bytes drop trailing NULs).

    A dict lookup hashes each freshly decoded string in Python; here every string becomes a
    row of fixed-width bytes, hashed and found by sorting and binary search, and each found id
    is compared byte for byte with its end: less than half the time at 1.4 million ends.
    """
    # Wider than the longest id, so that an end cut to this width is never equal to an id.
    width = (max(map(len, ids)) // 8 + 1) * 8
    try:
        keys = np.array(ids, dtype=f"S{width}")
        found = np.array(ends, dtype=f"S{width}")
    except UnicodeEncodeError:
        return None
    key_hash, end_hash = _hash(keys, width), _hash(found, width)
    order = np.argsort(key_hash)
    sorted_hash = key_hash[order]
    if (sorted_hash[1:] == sorted_hash[:-1]).any():
        return None  # two ids with the same hash, or an id used twice
    # Buckets by the top bits of the hash (two to four per id): each end starts at the first
    # id of its bucket and steps on while the hash differs; a third of a binary search's time.
    n = len(ids)
    bits = n.bit_length() + 1
    shift = np.uint64(64 - bits)
    # (int32 positions: half the memory to gather from; the end of a bucket is looked up only
    # for the ends its first id is not.)
    starts = np.searchsorted(sorted_hash >> shift, np.arange(2**bits + 1, dtype=np.uint64))
    starts = starts.astype(np.int32)
    bucket = (end_hash >> shift).astype(np.intp)
    position = starts[bucket]
    pending = np.flatnonzero(sorted_hash[np.minimum(position, n - 1)] != end_hash)
    stop = starts[bucket[pending] + 1]
    while pending.size:
        position[pending] += 1
        more = position[pending] < stop
        pending, stop = pending[more], stop[more]
        more = sorted_hash[position[pending]] != end_hash[pending]
        pending, stop = pending[more], stop[more]
    numbers = order[np.minimum(position, n - 1)]
    if not (keys[numbers] == found).all():
        return None
    return numbers.astype(np.int32)


def _hash(rows: np.ndarray, width: int) -> np.ndarray:
    words = rows.view(np.uint64).reshape(len(rows), width // 8)
    hashed = np.zeros(len(rows), dtype=np.uint64)
    for column in words.T:
        hashed ^= column
        hashed *= _MIX
        hashed ^= hashed >> np.uint64(29)
    return hashed

"""Amounts rounded to the cent for display so that a shown column adds up to its shown total."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["cents", "money"]


def cents(values: Sequence[float] | np.ndarray, total: float | None = None) -> list[int]:
    """``values`` in whole cents, rounded by the largest-remainder method so that they add up
    exactly to ``total`` (default: their own sum) rounded to the cent.

    Each value is cut down to the cent; the cents still missing go one each to the values with
    the largest remainders (ties: the larger value, then the earlier one). Every result is
    within one cent of its value.

    Examples
    --------
    >>> cents([1/3, 1/3, 1/3])
    [34, 33, 33]
    >>> sum(cents([0.125, 0.125, 0.25], total=0.5))
    50
    """
    x = np.asarray(values, dtype=float) * 100.0
    if x.size == 0:
        return []
    target = int(np.rint(x.sum() if total is None else total * 100.0))
    floor = np.floor(x)
    missing = target - int(floor.sum())
    missing = max(0, min(len(x), missing))
    remainder = x - floor
    order = np.lexsort((np.arange(len(x)), -x, -remainder))
    out = floor.astype(np.int64)
    out[order[:missing]] += 1
    return out.tolist()


def money(amount_cents: int) -> str:
    """Whole cents as an amount with thousands separators and two decimals.

    Examples
    --------
    >>> money(123456789), money(-5), money(0)
    ('1,234,567.89', '-0.05', '0.00')
    """
    sign = "-" if amount_cents < 0 else ""
    whole, cent = divmod(abs(int(amount_cents)), 100)
    return f"{sign}{whole:,}.{cent:02d}"

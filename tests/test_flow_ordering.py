"""Rankings sorted only as far as they are looked at, against the whole sort (hypothesis):
ties, infinities, signed zeros and NaN included."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from servicechain.flow.ordering import Order, descending

from .test_flow_exact import SETTINGS

# few distinct values, so that ties are common
VALUES = st.sampled_from([0.0, -0.0, 1e-9, 0.25, 0.5, 3.0, -np.inf, np.inf, -1.0])


@st.composite
def lists(draw, *, nan: bool = False) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(0, 300))
    element = st.one_of(VALUES, st.floats(-2, 2)) | (st.just(np.nan) if nan else VALUES)
    values = draw(hnp.arrays(float, n, elements=element))
    known = draw(hnp.arrays(bool, n))
    return values, known


@SETTINGS
@given(lists(nan=True), st.lists(st.integers(0, 320), max_size=6))
def test_the_first_positions_are_those_of_the_whole_sort(data, lengths):
    values, known = data
    whole = np.lexsort((np.arange(len(values)), ~known, -values))
    order = Order(values, known)
    for k in lengths:  # asked for in any order, longer and shorter
        assert np.array_equal(order.head(k), whole[:k])
        if k < len(values):
            assert order[k] == whole[k]
    assert np.array_equal(order.whole(), whole)
    plain = np.argsort(-values, kind="stable")
    for k in lengths:
        assert np.array_equal(descending(values, k), plain[:k])


@SETTINGS
@given(lists(nan=True), st.data())
def test_the_last_position_of_a_marked_item_is_that_of_the_whole_sort(data, draw):
    values, known = data
    mask = draw.draw(hnp.arrays(bool, len(values)))
    whole = np.lexsort((np.arange(len(values)), ~known, -values))
    marked = np.flatnonzero(mask[whole])
    expected = int(marked[-1]) if len(marked) else -1
    assert Order(values, known).last(mask) == expected


def test_a_long_list_is_cut_at_the_first_rows_not_sorted_whole():
    rng = np.random.default_rng(3)
    values = np.round(rng.random(100_000), 3)  # many ties
    known = rng.random(100_000) < 0.01
    order = Order(values, known)
    head = order.head(100)
    assert len(order._head) < 1_000  # the rest was not sorted
    assert np.array_equal(head, np.lexsort((np.arange(len(values)), ~known, -values))[:100])

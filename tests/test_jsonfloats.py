"""The floats of streamed JSON: every number as ``json.dumps`` writes it (``float.__repr__``),
NaN as null, whichever way the text is respelled (number by number, or the whole text at once
where many have exponents of one digit)."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain.io.jsontext import floats


def _repr(values: list[float]) -> list[str]:
    return ["null" if v != v else json.dumps(v) for v in values]


def _signed(low: float, high: float):
    return st.floats(low, high, exclude_max=True) | st.floats(-high, -low, exclude_min=True)


#: Every range msgspec and ``repr`` write differently, the ranges around them, and NaN.
magnitudes = st.one_of(
    st.floats(allow_infinity=False),
    _signed(1e-9, 1e-5),  # one-digit negative exponents
    _signed(5e-324, 1e-9),  # two or three digits
    _signed(1e-5, 1e-4),  # written without an exponent by msgspec
    _signed(1e16, 1.7e308),  # positive exponents
    _signed(1e-4, 1e16),
    st.sampled_from([0.0, -0.0, 1e-9, 1e-5, 1e-4, 1e16, 5e-324, float("nan")]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(magnitudes, min_size=1, max_size=60), st.data())
def test_floats_are_written_as_json_dumps_writes_them(values, data):
    # many one-digit exponents among others, so that the whole text is respelled at once
    extra = data.draw(st.lists(_signed(1e-9, 1e-5), max_size=3 * len(values)))
    for column in (values, values + extra, extra + values[::-1]):
        if column:
            assert floats(np.array(column), "x") == _repr(column)


def test_a_column_of_one_digit_exponents_with_smaller_numbers_among_them():
    values = [1.5e-7, 2e-6, -9.999999999999999e-6, 1e-9, 1.5e-10, -3e-200, 5e-324, 7e-8] * 20
    values += [0.5, float("nan"), 1e16, 1.5e-5]
    assert floats(np.array(values), "x") == _repr(values)

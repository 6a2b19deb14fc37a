"""The block writers of big exports (a column of codes into a table of distinct pieces, a block
of rows one gather and one join) write exactly what writing element by element writes: the
helpers on any values, GraphML's columns on any floats and texts, and the draw.io file of a big
model against the row-by-row writer it replaces, on generated models (hypothesis)."""

from __future__ import annotations

import math
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from servicechain import Chain, ModelError, load
from servicechain.draw.bulk import bulk_placement
from servicechain.export import drawio, export
from servicechain.export.blocks import distinct_codes, float_codes, rows_text
from servicechain.export.drawio_cells import (
    EDGE,
    HEAD,
    STRAIGHT_CELL,
    STYLE,
    TAIL,
    VERTEX,
    attribute,
    attributes,
    background,
    label_attribute,
)
from servicechain.export.graphml import _Column, _value_text
from servicechain.export.graphs import xml_safe
from servicechain.model.network import KIND_NAMES
from servicechain.samples.generate import generate, write_json

from .test_export_graphml import load_json, models, networkx_graphml

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
#: Floats that repeat (a column of them is written from a table of its distinct texts),
#: with the values whose texts are easy to confuse.
POOL = [0.0, -0.0, 0.1, 1 / 3, 2.5, 1e22, 1e-7, math.inf, -math.inf, math.nan, 264000.0]
FLOATS = st.floats(allow_nan=True, allow_infinity=True)
#: Texts with every character an escape treats apart: markup, quotes, line breaks, tabs,
#: control characters, characters beyond ASCII.
TEXT = st.text(
    st.sampled_from(list("ab &<>\"'\t\r\n\x00\x07\x1b\ufffe é服–\u202e")) | st.characters(),
    max_size=8,
).filter(lambda t: not any("\ud800" <= c <= "\udfff" for c in t))


# --- the helpers -------------------------------------------------------------------------------


@PROPERTY
@given(st.lists(st.lists(st.text(max_size=3), min_size=2, max_size=2), max_size=30), st.data())
def test_rows_text_is_each_row_joined_in_turn(rows, data):
    shared = data.draw(st.text(max_size=3))
    pieces = [[r[0] for r in rows], shared, np.array([r[1] for r in rows], dtype=object)]
    expected = "".join(r[0] + shared + r[1] for r in rows)
    assert rows_text(pieces, len(rows)) == expected


@PROPERTY
@given(st.lists(st.sampled_from(POOL) | FLOATS, max_size=60))
def test_float_codes_give_each_value_the_text_it_has(values):
    unique, codes = float_codes(np.array(values, dtype=float))
    assert [repr(v) for v in unique[codes].tolist()] == [repr(v) for v in values]
    bits = unique.view(np.int64)
    assert len(set(bits.tolist())) == len(bits)  # each distinct value once


@PROPERTY
@given(st.lists(st.none() | TEXT | st.integers(-3, 3), max_size=40))
def test_distinct_codes_give_each_item_its_distinct_value_in_order_of_appearance(items):
    distinct, codes = distinct_codes(items)
    assert [distinct[c] for c in codes.tolist()] == items
    assert distinct == list(dict.fromkeys(items))


@PROPERTY
@given(st.lists(TEXT, max_size=12), st.booleans())
def test_texts_escaped_together_are_each_text_escaped_alone(texts, label):
    alone = label_attribute if label else (lambda t: attribute(xml_safe(t)))
    assert attributes(texts, label=label) == [alone(t) for t in texts]


# --- GraphML's columns -------------------------------------------------------------------------


def _lines(column: _Column, n: int, block: int) -> list[str]:
    """Every line of ``column``, taken a block of rows at a time."""
    out: list[str] = []
    for start in range(0, n, block):
        out += list(column.lines(slice(start, min(start + block, n))))
    return out


@PROPERTY
@given(
    st.lists(st.sampled_from(POOL), max_size=80) | st.lists(FLOATS, max_size=40),
    st.integers(1, 9),
)
def test_a_float_column_writes_each_value_as_repr_writes_it(values, block):
    """Repeated values go through the table of distinct texts, values that seldom repeat are
    formatted a block at a time: both write what ``%r`` writes of each value, none for nan."""
    column = _Column("x", np.array(values, dtype=float))
    column.key = "d7"
    expected = ["" if math.isnan(v) else f'      <data key="d7">{v!r}</data>\n' for v in values]
    assert _lines(column, len(values), block) == expected


VALUES = st.none() | TEXT | st.integers(-5, 5) | st.sampled_from(POOL[:-2]) | st.booleans()


@PROPERTY
@given(st.lists(VALUES, max_size=40), st.integers(1, 9), st.permutations(range(40)))
def test_a_column_of_any_values_writes_each_as_networkx_writes_it(values, block, order):
    """Texts escaped, numbers as ``str`` writes them (1, 1.0 and True apart, -0.0 apart from
    0.0), an empty text as an empty element, nothing where a value is absent, in the order
    the rows are written in."""
    order = np.array([i for i in order if i < len(values)], dtype=np.int64)
    column = _Column("x", values, order)
    column.key = "d3"
    expected = []
    for i in order.tolist():
        value = values[i]
        if value is None:
            expected.append("")
        elif value == "" and isinstance(value, str):
            expected.append('      <data key="d3" />\n')
        else:
            expected.append(f'      <data key="d3">{_value_text(value)}</data>\n')
    assert _lines(column, len(values), block) == expected


def test_minus_zero_and_zero_that_repeat_are_written_apart(tmp_path):
    data = generate(30, seed=2)
    for i, record in enumerate(data["departments"]):
        record["dependence"] = -0.0 if i % 3 == 0 else 0.0
    path = tmp_path / "zeros.json"
    write_json(data, path)
    chain = load(path)
    text = export(chain, "graphml")
    assert text == networkx_graphml(chain)
    assert ">-0.0</data>" in text and ">0.0</data>" in text


# --- draw.io files of big models ---------------------------------------------------------------


def row_by_row_drawio(chain: Chain) -> str:
    """The draw.io file of a big model as it was written before the block writer: one
    template filled per box and per arrow, every text escaped on its own."""
    net = chain.network
    place = bulk_placement(chain)
    out = [HEAD % label_attribute(chain.name)]
    out.append(background(chain.name, place.boundary, place.visibility_x))
    groups = [d.group for d in chain.records.departments]
    groups += [None] * (net.n - len(groups))
    kinds = np.asarray(net.kind).tolist()
    ids = [attribute(xml_safe(i)) for i in net.ids]
    for i in range(net.n):
        group = groups[i]
        extra = f' sc_group="{label_attribute(group)}"' if isinstance(group, str) and group else ""
        kind = KIND_NAMES[kinds[i]]
        props = f' sc_id="{ids[i]}" sc_kind="{kind}"{extra}'
        x, y = float(place.x[i]), float(place.y[i])
        w, h = float(place.width[i]), float(place.height[i])
        box = (x - w / 2, y - h / 2, w, h)
        out.append(
            VERTEX % (label_attribute(net.names[i]), props, f"node-{i}", STYLE[kind], "1", *box)
        )
    names = net.service_names or [""] * net.m
    for k in range(net.m):
        s, t = int(net.source[k]), int(net.target[k])
        style = f"{EDGE}strokeWidth={1 + 3 * float(net.reliance[k]):.1f};"
        out.append(STRAIGHT_CELL % (label_attribute(names[k]), ids[s], ids[t], k, style, s, t))
    out.append(TAIL)
    return "".join(out)


def test_a_generated_organisation_is_written_as_row_by_row(tmp_path):
    path = tmp_path / "org.json"
    write_json(generate(2_500, seed=11), path)
    chain = load(path)
    assert chain.network.n >= drawio.BULK_FROM
    with mock.patch.object(drawio, "_BLOCK", 977):  # blocks that end anywhere in a row
        assert export(chain, "drawio") == row_by_row_drawio(chain)


@PROPERTY
@given(models(), st.integers(1, 5))
def test_random_models_written_as_big_ones_are_written_as_row_by_row(data, block):
    try:
        small = Chain.from_dict(data)
    except ModelError:  # a rule of the model refused it (a closed loop, say)
        assume(False)
    with mock.patch.object(drawio, "BULK_FROM", 1), mock.patch.object(drawio, "_BLOCK", block):
        for chain in (small, load_json(data)):
            assert export(chain, "drawio") == row_by_row_drawio(chain)

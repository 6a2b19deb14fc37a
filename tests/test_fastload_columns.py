"""The quick tests of the read path (a column nobody gives, ends that are never missing, no
repeated pair, no unit) give the same arrays and the same messages as reading every value."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st
from msgspec import UNSET

from servicechain.errors import ModelError
from servicechain.io.fastjson import _count, _has_backslash, parse_fast
from servicechain.io.load import parse_model
from servicechain.model.costs import costs_of
from servicechain.model.links import Columns, _given, cross_record_findings
from servicechain.model.network import field_floats, network
from servicechain.model.summary import summarize

from .test_perf_fastload import _assert_same_network

_VALUES = st.one_of(
    st.none(),
    st.just(UNSET),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
)


class _Record:
    def __init__(self, value):
        self.x = value


@settings(max_examples=200, deadline=None)
@given(
    values=st.one_of(
        st.lists(_VALUES, max_size=12),
        st.lists(st.sampled_from([None, UNSET]), max_size=12),  # a column nobody gives
        st.lists(st.floats(-5, 5), max_size=12),  # a column everybody gives
    ),
    default=st.sampled_from([math.nan, 0.0, 0.5, 1.0]),
    missing=st.sampled_from([None, UNSET]),
)
def test_field_floats_reads_every_value_as_a_loop_would(values, default, missing):
    if missing is None:  # records without a marker of their own hold None, never UNSET
        values = [v for v in values if v is not UNSET]
    records = [_Record(v) for v in values]
    expected = [default if v is None or v is missing else float(v) for v in values]
    got = field_floats(records, "x", default, missing)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.array(expected, dtype=float))


_IDS = ["it", "stock", "store", "hr", "ops"]


@st.composite
def _models(draw):
    """Small models, valid or broken in the ways the rules spanning records look for (each
    now and then): ids used twice, unknown ends, self-services, a second service between two
    nodes; with units and volumes given on some services only, and costs."""
    ids = draw(st.lists(st.sampled_from(_IDS), min_size=1, unique=True))
    if draw(st.integers(0, 9)) == 0:
        ids.append(draw(st.sampled_from([*ids, "shop", "post"])))
    departments = [{"id": i, "name": i.upper()} for i in ids]
    for dep in departments:
        if draw(st.booleans()):
            dep["quality"] = draw(st.one_of(st.none(), st.floats(1, 5)))
        if draw(st.booleans()):
            dep["cost"] = draw(st.one_of(st.none(), st.floats(0, 1000)))
        if draw(st.booleans()):
            dep["dependence"] = draw(st.floats(0, 1))
    segments = [
        {"id": "shop", "name": "Shop", "kind": "consumer", "relationship": "customer"}
    ] * draw(st.integers(0, 1))
    partners = [{"id": "post", "name": "Post", "quality": 3.0}] * draw(st.integers(0, 1))
    suppliers = [*ids, *(p["id"] for p in partners)]
    customers = [*ids, *(s["id"] for s in segments)]
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(suppliers), st.sampled_from(customers)).filter(
                lambda pair: pair[0] != pair[1]
            ),
            max_size=10,
            unique=True,
        )
    )
    stray = st.sampled_from([*_IDS, "shop", "post", "nobody"])
    for _ in range(draw(st.integers(0, 9)) // 8):  # one time in five, a broken service
        pairs.insert(draw(st.integers(0, len(pairs))), (draw(stray), draw(stray)))
    if pairs and draw(st.integers(0, 4)) == 0:
        pairs.append(draw(st.sampled_from(pairs)))  # a second service between two nodes
    services = []
    for source, target in pairs:
        service = {"from": source, "to": target}
        for key, values in (
            ("quality", st.one_of(st.none(), st.floats(1, 5))),
            ("weight", st.floats(0.5, 3)),
            ("volume", st.one_of(st.none(), st.floats(0, 10))),
            ("unit", st.sampled_from([None, "hours", "kg"])),
            ("name", st.one_of(st.none(), st.text(min_size=1, max_size=5))),
        ):
            if draw(st.booleans()):
                service[key] = draw(values)
        services.append(service)
    data = {"name": "x", "scale": {"min": 1, "max": 5}, "departments": departments}
    for key, items in (("segments", segments), ("partners", partners), ("services", services)):
        if items or draw(st.integers(0, 9)) == 0:
            data[key] = items
    return data


def _second_services(data):
    """Where a service links two nodes a service before it links already (a reference)."""
    nodes = [r["id"] for key in ("departments", "partners", "segments") for r in data.get(key, [])]
    seen, out = set(), []
    for i, s in enumerate(data.get("services", [])):
        pair = (s["from"], s["to"])
        if s["from"] in nodes and s["to"] in nodes and s["from"] != s["to"]:
            if pair in seen:
                out.append(f"services[{i}]")
            seen.add(pair)
    return out


@settings(max_examples=300, deadline=None)
@given(data=_models())
def test_the_fast_path_and_the_loader_agree_on_generated_models(data):
    text = json.dumps(data, ensure_ascii=False)
    fast = parse_fast(text)
    try:
        slow = parse_model(text, fmt="json")
    except ModelError as err:
        event("refused")
        assert fast is None
        seconds = [p.field for p in err.problems if p.message.startswith("a second service")]
        event(f"second services: {bool(seconds)}")
        assert seconds == _second_services(data)
        return
    assert _second_services(data) == []
    if any(data.get(key) == [] for key in ("segments", "partners", "services")):
        # a section written as an empty list is not encoded again, so its colon is missing
        # from the duplicate-key count and the ordinary loader reads the file
        assert fast is None
        return
    assert fast is not None
    event("read by both")
    model = slow.model
    net = network(model)
    _assert_same_network(fast.network, net)
    slow_costs = costs_of(net, model.departments, model.services, segments=model.segments)
    fast_costs = fast.costs
    assert fast_costs.units == slow_costs.units == [s.get("unit") for s in data.get("services", [])]
    for name in ("direct", "given", "volume", "volume_given", "revenue", "customers"):
        np.testing.assert_array_equal(getattr(fast_costs, name), getattr(slow_costs, name))
    # the front line found on the arrays is the one found by looking every end up
    on_arrays = summarize(fast.document, assumptions=[], network=fast.network)
    looked_up = summarize(model, assumptions=[])
    assert on_arrays == looked_up


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=12))
def test_ends_given_match_a_loop(ends):
    assert _given(ends).tolist() == [end is not None for end in ends]


def test_ids_used_twice_are_named_once_each_after_the_first():
    columns = Columns(
        ids={"departments": ["a", None, "b", None, "a"], "segments": ["b"], "partners": []},
        source=[],
        target=[],
    )
    assert [(loc, message) for loc, message, _ in cross_record_findings(columns)] == [
        (("departments", 4, "id"), "the id 'a' is used twice (first by departments[0])"),
        (("segments", 0, "id"), "the id 'b' is used twice (first by departments[2])"),
    ]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=':\\"ab\u00e9 {}', max_size=40), st.integers(1, 50))
def test_byte_counts_match_python(text, block):
    raw = text.encode()
    assert _count(raw, b":") == _count(raw, b":", block=block) == raw.count(b":")
    assert _has_backslash(raw) == (b"\\" in raw)
    assert _has_backslash(text) == ("\\" in text)

"""Streamed JSON: the exact text of json.dumps, written from columns a block at a time."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import servicechain
from servicechain.cli import main
from servicechain.io import jsonout
from servicechain.io.jsonout import dumps, write_json
from servicechain.model.assumptions import assumptions_of
from servicechain.model.records import Coded, Ends, Records, plain
from servicechain.samples.generate import generate
from servicechain.samples.generate import write_json as write_model
from servicechain.text import has_controls

from .conftest import MODELS

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
#: Characters JSON allows raw but a terminal acts on: the streamed text escapes them.
RAW_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
number = st.floats(allow_nan=False, allow_infinity=False)
scalar = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | number | text


@st.composite
def records(draw):
    rows = draw(st.integers(0, 12))
    names = draw(st.lists(text, min_size=1, max_size=4, unique=True))
    columns = {}
    for name in names:
        form = draw(st.sampled_from(["array", "coded", "list", "ends"]))
        if form == "array":
            columns[name] = np.array(draw(st.lists(number, min_size=rows, max_size=rows)))
        elif form == "coded":
            values = draw(st.lists(scalar, min_size=1, max_size=4))
            codes = draw(st.lists(st.integers(0, len(values) - 1), min_size=rows, max_size=rows))
            columns[name] = Coded(values, np.array(codes, dtype=int))
        elif form == "ends":
            ids = draw(st.lists(text, min_size=1, max_size=4))
            ends = st.integers(-1, len(ids) - 1)
            first = draw(st.lists(ends, min_size=rows, max_size=rows))
            second = draw(st.lists(st.integers(0, len(ids) - 1), min_size=rows, max_size=rows))
            columns[name] = Ends(ids, np.array(first, dtype=int), np.array(second, dtype=int))
        else:
            columns[name] = draw(
                st.lists(scalar | st.lists(text, max_size=2), min_size=rows, max_size=rows)
            )
    order = draw(st.none() | st.permutations(range(rows)))
    return Records(columns, order=order)


@given(
    st.recursive(
        scalar | records(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=6,
    ),
    st.integers(1, 4),
)
def test_streamed_text_is_exactly_json_dumps_of_the_plain_data(data, indent):
    expected = json.dumps(plain(data), indent=indent, ensure_ascii=False, allow_nan=False)
    expected = RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", expected)
    written = dumps(data, indent=indent)
    assert written == expected
    assert json.loads(written) == json.loads(json.dumps(plain(data)))
    assert not has_controls(written)


def test_rows_are_written_in_blocks_without_a_dict_per_row(monkeypatch):
    monkeypatch.setattr(jsonout, "BLOCK", 3)
    monkeypatch.setattr(Records, "to_list", lambda self: pytest.fail("a dict per row was made"))
    rows = Records({"id": [f"n{i}" for i in range(8)], "q": np.arange(8) / 8})
    pieces: list[str] = []
    write_json({"rows": rows}, pieces.append)
    assert len(pieces) >= 3 + 2
    assert [r["id"] for r in json.loads("".join(pieces))["rows"]] == [f"n{i}" for i in range(8)]


def test_nan_in_a_column_is_null_and_infinity_is_refused():
    assert json.loads(dumps(Records({"q": np.array([np.nan, 1.0])}))) == [{"q": None}, {"q": 1.0}]
    with pytest.raises(ValueError, match="q: inf is not a finite number"):
        dumps(Records({"q": np.array([np.inf])}))


def test_floats_of_every_magnitude_are_written_as_json_dumps_writes_them():
    # the numbers are encoded in C a block at a time and respelled where repr writes otherwise
    values = [0.0, -0.0, 5e-324, 1e-5, 1e-4, 1e16, 9999999999999998.0]
    for exponent in range(-324, 309):
        for digits in ("1", "1.5", "9.999999999999999", "1.2345678901234567", "2.0000000000000004"):
            value = float(f"{digits}e{exponent}")
            if 0 < value < math.inf:
                values += [value, -value, math.nextafter(value, 0), math.nextafter(value, math.inf)]
    values = [v for v in values if math.isfinite(v)]
    rows = Records({"x": np.array(values)})
    assert dumps(rows, indent=1) == json.dumps([{"x": v} for v in values], indent=1)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1))
def test_a_column_of_floats_is_written_as_json_dumps_writes_it(values):
    assert dumps(Records({"x": np.array(values)})) == json.dumps(
        [{"x": v} for v in values], indent=2
    )


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="different lengths"):
        Records({"a": [1], "b": [1, 2]})


@pytest.mark.parametrize("example", sorted(MODELS.glob("*.yaml")), ids=lambda p: p.stem)
def test_score_json_is_the_score_to_dict(runner, example):
    result = runner.invoke(main, ["score", str(example), "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    expected = servicechain.load(example).score().to_dict()
    assert result.stdout == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_score_json_of_a_generated_model_lists_every_node_and_service(runner, tmp_path):
    path = tmp_path / "org.json"
    data = generate(300, seed=3)
    write_model(data, path)
    result = runner.invoke(main, ["score", str(path), "--json"], catch_exceptions=False)
    out = json.loads(result.stdout)
    assert len(out["services"]) == len(data["services"])
    assert [s["from"] for s in out["services"]] == [s["from"] for s in data["services"]]
    kinds = [n["kind"] for n in out["nodes"]]
    assert kinds == sorted(kinds, key=["segment", "department", "partner"].index)


def test_assumptions_as_columns_are_the_to_dict_of_each():
    chain = servicechain.Chain.from_dict(
        {
            "name": "Gaps",
            "scale": {"min": 1, "max": 5},
            "departments": [
                {"id": "it", "name": "IT", "dependence": 0.5},
                {"id": "store", "name": "Store 'Norte'", "quality": 4, "dependence": 0.5},
            ],
            "partners": [{"id": "courier", "name": "Courier"}, {"id": "bank", "name": "Bank", "quality": 3}],
            "segments": [
                {"id": "walkin", "name": "Walk-in", "kind": "consumer", "relationship": "customer",
                 "dependence": 0.5},
                {"id": "online", "name": "Online", "kind": "consumer", "relationship": "customer",
                 "dependence": 0.5, "baseline": 4},
            ],
            "services": [
                {"from": "courier", "to": "store", "name": "Delivery"},
                {"from": "it", "to": "store"},
                {"from": "bank", "to": "it", "quality": 3},
                {"from": "store", "to": "walkin", "quality": 4},
                {"from": "store", "to": "online", "quality": 4},
            ],
        }
    )  # fmt: skip
    found = assumptions_of(chain.network)
    assert {field.split("[")[0] for field in found.records().columns["field"]} == {
        "departments", "partners", "segments", "services"
    }  # fmt: skip
    assert found.records().columns == Records.from_rows([a.to_dict() for a in found]).columns
    assert json.loads(dumps(chain.score().json_data()))["assumptions"] == [
        a.to_dict() for a in found
    ]


def test_generated_assumptions_as_columns_are_the_to_dict_of_each():
    chain = servicechain.Chain.from_dict(generate(300, seed=3))
    found = assumptions_of(chain.network)
    assert len(found) > 10
    assert found.records().columns == Records.from_rows([a.to_dict() for a in found]).columns

"""The fast paths of explain and of JSON output against their row-by-row originals, on generated
records and generated models: labels, ids and names written from tables of encoded text
(Joined, Coded and Ends columns), a breakdown's terms sorted and its remainder summed in numpy,
a segment found among the segments; and the model a command loaded kept to the end of the
process."""

from __future__ import annotations

import functools
import gc
import io
import json
import operator
import os
import re
import subprocess
import sys
import weakref

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from servicechain import Chain, load
from servicechain.cli._common import load_chain
from servicechain.cli.terminal import SafeStream
from servicechain.errors import ModelError, UnknownNodeError
from servicechain.flow.columns import labels, name_suffixes, service_labels, term_labels
from servicechain.flow.explain import largest_first
from servicechain.flow.sensitivity import segment_index
from servicechain.io import jsonout
from servicechain.io.jsoncolumns import write_records
from servicechain.io.jsonout import dumps
from servicechain.io.jsontext import bare, strings
from servicechain.model.records import Coded, Ends, Joined, Records, plain

from .conftest import MODELS, ROOT
from .strategies import model_data

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Characters JSON allows raw but a terminal acts on: the streamed text escapes them.
RAW_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: Text with what is hard to encode: quotes, backslashes, NUL and other controls, the escapes
#: ``\u0000`` written out, bidirectional controls, C1 controls, Chinese and emoji.
PIECES = [
    '"',
    "\\",
    "\x00",
    "\n",
    "\x1f",
    "u",
    "0",
    "\\u0000",
    "\u202e",
    "\x85",
    "排",
    "😀",
    "a",
    " ",
]
hard = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)
texts = st.one_of(hard, st.text(alphabet=st.characters(codec="utf-8"), max_size=6))


def _dumped(data, indent: int = 2) -> str:
    """What ``json.dumps`` writes of the plain data, with the terminal's controls escaped."""
    text = json.dumps(plain(data), indent=indent, ensure_ascii=False, allow_nan=False)
    return RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@given(st.lists(texts, max_size=12))
def test_bare_text_is_each_json_string_without_its_quotes(values):
    assert bare(values) == [text[1:-1] for text in strings(values)]


def _codes(rows: int, low: int, high: int):
    """``rows`` integers from ``low`` to ``high``, as an array."""
    return st.lists(st.integers(low, high), min_size=rows, max_size=rows).map(np.array)


@st.composite
def joined_records(draw):
    """Records with Joined columns (parts sharing a list of values, parts of one value), and
    Coded and Ends columns with more values than rows, in some order."""
    rows = draw(st.integers(0, 9))
    shared = draw(st.lists(texts, min_size=1, max_size=5))
    columns = {}
    for name in draw(st.lists(texts, min_size=1, max_size=3, unique=True)):
        form = draw(st.sampled_from(["joined", "coded", "ends", "floats"]))
        if form == "joined":
            parts = []
            for _ in range(draw(st.integers(1, 4))):
                values = draw(st.just(shared) | st.lists(texts, min_size=1, max_size=4))
                parts.append(Coded(values, draw(_codes(rows, 0, len(values) - 1))))
            columns[name] = Joined(parts)
        elif form == "coded":
            values = draw(st.lists(texts | st.none() | st.booleans(), min_size=1, max_size=8))
            codes = draw(st.lists(st.integers(0, len(values) - 1), min_size=rows, max_size=rows))
            columns[name] = Coded(values, np.array(codes, dtype=int))
        elif form == "ends":
            ends = st.integers(0, len(shared) - 1)
            first = draw(st.lists(st.integers(-1, len(shared) - 1), min_size=rows, max_size=rows))
            second = draw(st.lists(ends, min_size=rows, max_size=rows))
            columns[name] = Ends(shared, np.array(first, dtype=int), np.array(second, dtype=int))
        else:
            number = st.floats(allow_infinity=False)
            columns[name] = np.array(draw(st.lists(number, min_size=rows, max_size=rows)))
    order = draw(st.none() | st.permutations(range(rows)))
    return Records(columns, order=order)


@SETTINGS
@given(joined_records(), st.integers(1, 3), st.integers(1, 4))
def test_records_from_tables_are_written_as_json_dumps_writes_their_rows(rows, indent, block):
    written: list[str] = []
    write_records(rows, written.append, 0, indent, block=block)
    assert "".join(written) == _dumped(rows, indent)
    nested = {"a": [1, {"rows": rows}], "b": "é"}
    assert dumps(nested, indent=indent) == _dumped(nested, indent)


def test_a_joined_column_is_the_text_of_its_parts_row_by_row():
    ids = ["it", "store"]
    column = Joined([Coded(ids, np.array([0, 1])), Coded([" → "], np.zeros(2, dtype=int))])
    assert column.tolist() == ["it → ", "store → "]
    assert column[np.array([1])].tolist() == ["store → "]
    assert Records({"label": column}, order=[1, 0]).to_list() == [
        {"label": "store → "},
        {"label": "it → "},
    ]
    with pytest.raises(ValueError, match="one length"):
        Joined([Coded(ids, np.array([0])), Coded(ids, np.array([0, 1]))])


def test_a_few_rows_of_a_large_table_encode_only_the_ids_they_use(monkeypatch):
    ids = [f"n{i}" for i in range(10_000)]
    seen: list[int] = []
    monkeypatch.setattr(
        "servicechain.io.jsoncolumns.bare", lambda values: seen.append(len(values)) or bare(values)
    )
    rows = Records(
        {
            "node": Ends(ids, np.array([-1, 5]), np.array([7, 9_999])),
            "label": Joined([Coded(ids, np.array([7, 5])), Coded(ids, np.array([7, 9_999]))]),
        }
    )
    assert json.loads(dumps(rows)) == [
        {"node": "n7", "label": "n7n7"},
        {"node": ["n5", "n9999"], "label": "n5n9999"},
    ]
    assert max(seen) == 3


@st.composite
def named_models(draw) -> Chain:
    """A random model (see ``strategies.model_data``) whose nodes and services have names with
    hard text in them, some services without a name."""
    data = model_data(draw, max_services=14)
    for key in ("departments", "partners", "segments"):
        for record in data[key]:
            record["name"] = draw(texts) + "n"
    for record in data["services"]:
        name = draw(st.none() | texts)
        if name:
            record["name"] = name
    try:
        return Chain.from_dict(data)
    except ModelError:
        assume(False)


def _original_label(ids, names, service_names, source, target, kind, node, service) -> str:
    """A term's label as the row-by-row original writes it (``Term.label``)."""
    if kind == 0:
        return f"{ids[node]} ({names[node]})"
    if kind == 1:
        return "outside the chain (price, product ...)"
    name = service_names[service]
    a, b = ids[source[service]], ids[target[service]]
    return f"{a} → {b}" + (f" ({name})" if name else "")


@SETTINGS
@given(named_models(), st.data())
def test_label_columns_are_the_labels_written_row_by_row(chain, data):
    net = chain.network
    names = net.service_names or [""] * net.m
    nodes = np.array(data.draw(st.lists(st.integers(0, net.n - 1), max_size=8)), dtype=int)
    assert labels(net.ids, net.names, nodes).tolist() == [
        f"{net.ids[i]} ({net.names[i]})" for i in nodes
    ]
    if net.m:
        picked = st.lists(st.integers(0, net.m - 1), max_size=3 * net.m)
        services = np.array(data.draw(picked), dtype=int)
        assert service_labels(net.ids, net.source, net.target, names, services).tolist() == [
            _original_label(net.ids, net.names, names, net.source, net.target, 2, 0, s)
            for s in services
        ]
        suffixes = name_suffixes(names, services)
        assert len(set(suffixes.values)) == len(suffixes.values)
    count = data.draw(st.integers(0, 10))
    kind = data.draw(_codes(count, 0, 2 if net.m else 1))
    node = data.draw(_codes(count, 0, net.n - 1))
    service = data.draw(_codes(count, 0, max(0, net.m - 1)))
    assert term_labels(net, kind, node, service).tolist() == [
        _original_label(net.ids, net.names, names, net.source, net.target, k, i, s)
        for k, i, s in zip(kind, node, service, strict=True)
    ]


@SETTINGS
@given(named_models(), st.sampled_from(["tracing", "marginal"]), st.none() | st.integers(1, 5))
def test_explain_json_from_columns_is_the_to_dict_of_its_terms(chain, method, top):
    segments = [i for i, k in zip(chain.network.ids, chain.network.kind, strict=True) if k == 2]
    for segment in segments:
        result = chain.explain(segment, method=method, top=top)
        assert result.columns.label(np.arange(len(result.terms))).tolist() == [
            term.label for term in result.terms
        ]
        assert dumps(result.json_data()) == _dumped(result.to_dict())


@SETTINGS
@given(named_models(), st.sampled_from(["gain", "failure", "importance"]))
def test_rank_json_from_columns_is_the_to_dict_of_its_rows(chain, by):
    result = chain.rank(by=by, exact=5)
    assert dumps(result.json_data()) == _dumped(result.to_dict())


def test_the_block_size_read_when_writing(monkeypatch):
    monkeypatch.setattr(jsonout, "BLOCK", 2)
    rows = Records({"label": Joined([Coded(["a", "é"], np.array([0, 1, 1, 0, 1]))])})
    pieces: list[str] = []
    jsonout.write_json(rows, pieces.append)
    assert len(pieces) == 1 + 3 + 1  # "[", three blocks, "]"
    assert json.loads("".join(pieces)) == [{"label": t} for t in ["a", "é", "é", "a", "é"]]


@SETTINGS
@given(named_models(), st.sampled_from(["tracing", "marginal"]), st.integers(0, 12))
def test_the_remainder_is_the_sum_of_the_terms_after_those_shown_added_in_order(
    chain, method, shown
):
    segments = [i for i, k in zip(chain.network.ids, chain.network.kind, strict=True) if k == 2]
    result = chain.explain(segments[0], method=method)
    hidden, rest, label = result.remainder(shown)
    in_order = functools.reduce(operator.add, [t.value for t in result.terms[shown:]], 0.0)
    assert (hidden, rest) == (max(0, len(result.terms) - shown), in_order)
    assert label == f"{hidden:,} smaller term{'s' if hidden != 1 else ''}"


@SETTINGS
@given(joined_records(), st.integers(1, 3))
def test_json_as_bytes_is_the_utf8_of_the_text(rows, indent):
    data = {"rows": rows, "note": "é 排"}
    written: list[bytes] = []
    jsonout.write_json(data, written.append, indent=indent, binary=True)
    assert all(isinstance(piece, bytes) for piece in written)
    assert b"".join(written) == dumps(data, indent=indent).encode()


def test_a_lone_surrogate_stays_in_text_and_is_escaped_in_bytes():
    rows = Records({"label": Joined([Coded(["a\ud800", "é"], np.array([0, 1]))])})
    data = {"rows": rows, "name": "b\udfff"}
    assert dumps(data) == json.dumps(plain(data), indent=2, ensure_ascii=False)
    written: list[bytes] = []
    jsonout.write_json(data, written.append, binary=True)
    assert b"".join(written) == dumps(data).encode("utf-8", "backslashreplace")


def test_the_sanitised_stream_takes_bytes_only_as_utf8_with_plain_line_ends():
    raw = io.BytesIO()
    utf8 = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    utf8.write("pending ")
    write = SafeStream(utf8).inert_bytes()
    assert write is not None
    write('{"name": "Operações"}'.encode())
    assert raw.getvalue() == 'pending {"name": "Operações"}'.encode()
    assert SafeStream(io.TextIOWrapper(io.BytesIO(), encoding="ascii")).inert_bytes() is None
    assert SafeStream(io.StringIO()).inert_bytes() is None


@pytest.mark.parametrize(
    ("encoding", "expected"), [("utf-8", "strict"), ("ascii", "backslashreplace")]
)
def test_explain_json_reaches_any_stdout_as_its_encoding_writes_it(encoding, expected):
    # a whole process: stdout is a real stream, as bytes past the text layer where it is UTF-8
    model = MODELS / "sapataria.yaml"
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "servicechain", "explain", str(model), "clube", "--json"],
        capture_output=True,
        env=env,
        check=True,
    )
    text = json.dumps(load(model).explain("clube").to_dict(), indent=2, ensure_ascii=False)
    assert done.stdout == (text + "\n").encode(encoding, expected)
    assert not text.isascii()


@SETTINGS
@given(named_models())
def test_a_segment_is_found_at_its_position_and_any_other_id_is_refused(chain):
    net = chain.network
    for position, ident in enumerate(net.ids):
        if net.kind[position] == 2:
            assert segment_index(net, ident) == position
        else:
            with pytest.raises(UnknownNodeError, match="is not a segment"):
                segment_index(net, ident)
    with pytest.raises(UnknownNodeError, match="names no segment"):
        segment_index(net, "no-such-node")


def test_the_model_a_command_loaded_is_kept_until_the_next_one(tmp_path):
    # a command returns without freeing its model object by object; the process exit does
    path = tmp_path / "shop.json"
    shop = {
        "name": "Shop",
        "departments": [{"id": "it", "name": "IT", "quality": 0.6}],
        "segments": [{"id": "walkin", "name": "Walk-in", "kind": "consumer",
                      "relationship": "customer"}],
        "services": [{"from": "it", "to": "walkin"}],
    }  # fmt: skip
    path.write_text(json.dumps(shop), encoding="utf-8")
    first = weakref.ref(load_chain(path))
    gc.collect()
    assert first() is not None
    load_chain(path)
    gc.collect()
    assert first() is None


@given(
    st.lists(st.sampled_from([0.5, 0.25, 1e-9, 3.0, -0.5, 0.1 + 0.2, 0.3]), max_size=60)
    | st.lists(st.floats(-10, 10), max_size=60)
)
def test_largest_first_is_the_stable_sort_of_the_values_largest_first(values):
    values = np.array(values, dtype=float)
    assert largest_first(values).tolist() == np.argsort(-values, kind="stable").tolist()

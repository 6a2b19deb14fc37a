"""``analyze --json`` streamed from columns: the exact text of ``json.dumps`` of the analysis's
``to_dict()``, with no dict made per department; lists of ids (:class:`Lists`), integer and
boolean columns written as ``json.dumps`` writes them; nested plain data indented in C as
``json.dumps`` indents it."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import servicechain
from servicechain import Chain
from servicechain.cli import main
from servicechain.errors import ModelError
from servicechain.io.jsoncolumns import write_records
from servicechain.io.jsonout import dumps
from servicechain.io.jsontext import nested
from servicechain.model.records import Coded, Lists, Records, plain
from servicechain.samples.generate import generate
from servicechain.samples.generate import write_json as write_model
from servicechain.structure import analyze
from servicechain.structure.reach import Role

from .conftest import MODELS
from .strategies import model_data

EXAMPLES = sorted(MODELS.glob("*.yaml"))
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Characters JSON allows raw but a terminal acts on: the streamed text escapes them.
RAW_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: Text with what is hard to encode: quotes, backslashes, NUL and other controls, the escape
#: ``\u0000`` written out, bidirectional and C1 controls, Chinese, emoji and a lone surrogate.
PIECES = ['"', "\\", "\x00", "\n", "\x1f", "\\u0000", "\u202e", "\x85", "排", "😀", "a", "\ud800"]
texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=5).map("".join),
    st.text(max_size=5),
)


def _dumped(data, indent: int = 2) -> str:
    """What ``json.dumps`` writes of the plain data, with the terminal's controls escaped."""
    text = json.dumps(plain(data), indent=indent, ensure_ascii=False, allow_nan=False)
    return RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _expected(result) -> str:
    return _dumped(result.to_dict())


def _segment(chain) -> str:
    net = chain.network
    return next(i for i, k in zip(net.ids, net.kind, strict=True) if k == 2)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "org.json"
    write_model(generate(400, seed=5), path)
    return path


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_analyze_json_is_its_to_dict_on_every_example(runner, example):
    chain = servicechain.load(example)
    segment = _segment(chain)
    for args, kwargs in (
        ([], {}),
        (["--segment", segment], {"segment": segment}),
        (["--by-group"], {"group_by": "group"}),
        (["--top", "2"], {"top": 2}),
    ):
        out = runner.invoke(main, ["analyze", str(example), *args, "--json"])
        if kwargs.get("group_by") and out.exit_code == 1:  # an example without groups
            continue
        assert out.exit_code == 0, out.output
        assert out.stdout == _expected(chain.analyze(**kwargs)) + "\n", args


def test_analyze_json_of_a_generated_model_streams_what_to_dict_writes(generated):
    chain = servicechain.load(generated)
    segment = _segment(chain)
    for kwargs in ({}, {"segment": segment}, {"max_segments": 0}, {"group_by": "group"}):
        result = analyze(chain, **kwargs)
        assert isinstance(result.json_data()["roles"], Records)
        assert dumps(result.json_data()) == _expected(result), kwargs


def test_analyze_json_makes_no_dict_per_department(runner, generated, monkeypatch):
    expected = json.loads(_expected(servicechain.load(generated).analyze()))
    monkeypatch.setattr(Role, "to_dict", lambda *a, **k: pytest.fail("a dict per department"))
    out = runner.invoke(main, ["analyze", str(generated), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert len(data["roles"]) == 400
    assert data == expected


@st.composite
def analysed_models(draw) -> Chain:
    """A random model (see ``strategies.model_data``), its nodes named with hard text."""
    data = model_data(draw, max_services=14)
    for key in ("departments", "partners", "segments"):
        for record in data[key]:
            record["name"] = draw(texts) + "n"
    try:
        return Chain.from_dict(data)
    except ModelError:
        assume(False)


@SETTINGS
@given(analysed_models(), st.booleans())
def test_analysis_streamed_equals_its_dicts_on_generated_models(chain, one_segment):
    result = chain.analyze(segment=_segment(chain) if one_segment else None)
    assert dumps(result.json_data()) == _expected(result)
    assert result.table.records().to_list() == [role.to_dict() for role in result.roles]


@st.composite
def list_records(draw):
    """Records with Lists columns (rows sharing entries, empty rows, entries no row shows),
    integer, boolean and Coded columns, in some order."""
    rows = draw(st.integers(0, 9))
    ids = draw(st.lists(texts, min_size=1, max_size=6))
    columns = {}
    for name in draw(st.lists(texts, min_size=1, max_size=4, unique=True)):
        form = draw(st.sampled_from(["lists", "ints", "bools", "coded"]))
        if form == "lists":
            items = draw(st.lists(st.integers(0, len(ids) - 1), max_size=20))
            starts, stops = [], []
            for _ in range(rows):
                a = draw(st.integers(0, len(items)))
                starts.append(a)
                stops.append(draw(st.integers(a, len(items))))
            columns[name] = Lists(
                ids, np.array(items, dtype=int), np.array(starts), np.array(stops)
            )
        elif form == "ints":
            ints = st.integers(-(2**62), 2**62)
            columns[name] = np.array(draw(st.lists(ints, min_size=rows, max_size=rows)))
        elif form == "bools":
            flags = draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
            columns[name] = np.array(flags, dtype=bool)
        else:
            values = draw(st.lists(st.none() | st.integers(-1, 9), min_size=1, max_size=4))
            codes = draw(st.lists(st.integers(0, len(values) - 1), min_size=rows, max_size=rows))
            columns[name] = Coded(values, np.array(codes, dtype=int))
    order = draw(st.none() | st.permutations(range(rows)))
    return Records(columns, order=order)


@SETTINGS
@given(list_records(), st.integers(1, 3), st.integers(1, 4), st.integers(0, 2))
def test_lists_ints_and_flags_are_written_as_json_dumps_writes_them(rows, indent, block, level):
    assume("\ud800" not in repr(rows.to_list()))  # a lone surrogate: see the test below
    written: list[str] = []
    write_records(rows, written.append, level, indent, block=block)
    expected = _dumped(rows, indent).replace("\n", "\n" + " " * (level * indent))
    assert "".join(written) == expected


def test_a_lone_surrogate_in_a_list_is_written_as_text_keeps_it():
    rows = Records({"ids": Lists(["a\ud800", "é"], np.array([1, 0]), np.array([0]), np.array([2]))})
    written: list[str] = []
    write_records(rows, written.append, 0, 2)
    assert "".join(written) == _dumped(rows)


def test_lists_columns_slice_and_list_their_rows():
    column = Lists(["a", "b", "c"], np.array([2, 0, 1]), np.array([0, 1, 3]), np.array([1, 3, 3]))
    assert column.tolist() == [["c"], ["a", "b"], []]
    assert column[1:].tolist() == [["a", "b"], []]
    assert column[np.array([2, 0])].tolist() == [[], ["c"]]
    assert Records({"x": column}, order=[1, 2]).to_list() == [{"x": ["a", "b"]}, {"x": []}]


plain_data = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_infinity=False) | texts,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(texts | st.integers() | st.booleans(), inner, max_size=4)
    ),
    max_leaves=20,
)


@SETTINGS
@given(plain_data, st.integers(0, 2), st.integers(0, 4))
def test_nested_is_json_dumps_indented(value, level, indent):
    assume(not _has_nan(value))  # NaN is written as JSON's NaN by neither
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    text = RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    assert nested(value, level, indent) == (
        text.replace("\n", "\n" + " " * (level * indent)) if level else text
    )


def _has_nan(value) -> bool:
    if isinstance(value, float):
        return value != value
    if isinstance(value, dict):
        return any(map(_has_nan, value.values()))
    return isinstance(value, list) and any(map(_has_nan, value))


def test_nested_refuses_what_json_dumps_refuses():
    with pytest.raises(ValueError):
        nested({"q": [float("nan")]}, 0, 2)
    with pytest.raises(ValueError):
        nested([float("inf")], 1, 2)

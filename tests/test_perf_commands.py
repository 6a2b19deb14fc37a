"""Commands at scale: validate and summary from the fast reader's records, paths among the
few services that matter."""

from __future__ import annotations

import json
from itertools import islice, pairwise

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import servicechain
from servicechain import structure
from servicechain.cli import main
from servicechain.errors import ModelError
from servicechain.io.fastjson import FastLoaded
from servicechain.io.load import load_model
from servicechain.model.assumptions import list_assumptions
from servicechain.model.summary import summarize
from servicechain.samples.generate import generate
from servicechain.samples.generate import write_json as write_model
from servicechain.text import listed

from .conftest import MODELS


def _generated(tmp_path, departments=300):
    path = tmp_path / "org.json"
    write_model(generate(departments, seed=5), path)
    return path


def test_validate_and_summary_of_a_json_model_never_build_the_pydantic_model(
    runner, tmp_path, monkeypatch
):
    path = _generated(tmp_path)
    chain = servicechain.load(path)
    expected_summary = summarize(chain.model)
    expected_assumptions = list_assumptions(chain.model)
    monkeypatch.setattr(FastLoaded, "model", lambda self: pytest.fail("pydantic model built"))
    result = runner.invoke(main, ["summary", str(path)], catch_exceptions=False)
    assert result.stdout == str(expected_summary) + "\n"
    result = runner.invoke(main, ["summary", str(path), "--json"], catch_exceptions=False)
    assert json.loads(result.stdout) == expected_summary.to_dict()
    result = runner.invoke(main, ["validate", str(path)], catch_exceptions=False)
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{path}: valid (300 departments, 6 segments, 6 partners, "
        f"{len(chain.model.services):,} services)"
    )
    assert lines[1] == f"Assumptions ({len(expected_assumptions):,}):"
    assert lines[2:] == listed(expected_assumptions)
    result = runner.invoke(main, ["validate", str(path), "--json"], catch_exceptions=False)
    assert json.loads(result.stdout)["assumptions"] == [a.to_dict() for a in expected_assumptions]


def test_validate_of_a_json_model_with_problems_gives_the_ordinary_messages(runner, tmp_path):
    data = generate(50, seed=5)
    data["services"][3]["to"] = "nowhere"
    data["departments"][1]["quality"] = 99
    path = tmp_path / "bad.json"
    write_model(data, path)
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    with pytest.raises(ModelError) as err:
        load_model(path)
    assert result.stdout.splitlines()[:-1] == [str(p) for p in err.value.problems]
    assert result.stdout.splitlines()[-1] == "2 problems found."


@given(
    st.integers(2, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(
                    lambda e: e[0] != e[1]
                ),
                max_size=40,
            ),
        )
    ),
    st.integers(1, 6),
)
def test_paths_are_the_shortest_simple_paths_of_the_whole_graph(case, limit):
    n, edges = case
    graph = nx.DiGraph()
    graph.add_nodes_from(f"n{i}" for i in range(n))
    graph.add_edges_from((f"n{a}", f"n{b}") for a, b in edges)
    start, end = "n0", f"n{n - 1}"
    if nx.has_path(graph, start, end):
        whole = list(islice(nx.shortest_simple_paths(graph, start, end), limit + 1))
    else:
        whole = []
    found = structure.paths(graph, start, end, limit=limit)
    assert [len(p) for p in found.paths] == [len(p) for p in whole[:limit]]
    assert found.more == (len(whole) > limit)
    assert len({tuple(p) for p in found.paths}) == len(found.paths)
    for path in found.paths:
        assert path[0] == start and path[-1] == end and len(set(path)) == len(path)
        assert all(graph.has_edge(a, b) for a, b in pairwise(path))


def _same_graph(ours: nx.DiGraph, theirs: nx.DiGraph) -> None:
    assert ours.graph == theirs.graph
    assert list(ours.nodes(data=True)) == list(theirs.nodes(data=True))
    assert list(ours.edges) == list(theirs.edges)
    for (_, _, a), (_, _, b) in zip(ours.edges(data=True), theirs.edges(data=True), strict=True):
        assert a.keys() == b.keys()
        for key in a:
            if isinstance(a[key], float):
                assert a[key] == pytest.approx(b[key], rel=1e-12, abs=1e-15)
            else:
                assert a[key] == b[key], key


@pytest.mark.parametrize("example", sorted(MODELS.glob("*.yaml")), ids=lambda p: p.stem)
def test_group_rollup_from_arrays_is_the_rollup_of_the_graph(example):
    chain = servicechain.load(example)
    _same_graph(structure.rollup(chain), structure.rollup(chain.graph))


def test_group_rollup_of_a_json_model_builds_neither_its_graph_nor_its_model(tmp_path, monkeypatch):
    path = _generated(tmp_path, departments=400)
    expected = structure.rollup(servicechain.load(path).graph)
    monkeypatch.setattr(FastLoaded, "model", lambda self: pytest.fail("pydantic model built"))
    chain = servicechain.load(path)
    _same_graph(structure.rollup(chain), expected)
    assert "graph" not in chain.__dict__

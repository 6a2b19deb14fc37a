"""The model → arrays and model ⇄ networkx mappings."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from servicechain import load
from servicechain.model.graph import from_networkx, to_networkx
from servicechain.model.network import DEPARTMENT, PARTNER, SEGMENT

from .conftest import DATA, EXAMPLES

SMALL = DATA / "small.yaml"


def test_network_arrays_of_the_small_model():
    net = load(SMALL).network
    assert net.ids == ["it", "stock", "store", "courier", "walkin", "club"]
    assert net.kind.tolist() == [DEPARTMENT] * 3 + [PARTNER] + [SEGMENT] * 2
    np.testing.assert_allclose(net.own, [0.5, 1.0, np.nan, 0.75, np.nan, 0.75])
    np.testing.assert_allclose(net.dependence, [0.2, 0.5, 0.5, 0.0, 1.0, 0.8])
    assert [net.ids[i] for i in net.source] == ["courier", "it", "it", "stock", "store", "store"]
    assert [net.ids[i] for i in net.target] == [
        "stock",
        "stock",
        "store",
        "store",
        "walkin",
        "club",
    ]
    np.testing.assert_allclose(net.rating, [0.75, 0.25, np.nan, 0.75, 0.875, 1.0])
    # stock gets two services of weight 1: 0.5 * 1/2 each; store gets weights 1 and 3.
    np.testing.assert_allclose(net.reliance, [0.25, 0.25, 0.125, 0.375, 1.0, 0.8])
    # it has no suppliers, so its own share is 1 whatever its dependence says.
    np.testing.assert_allclose(net.own_share, [1.0, 0.5, 0.5, 1.0, 0.0, 0.2])
    np.testing.assert_allclose(net.value, [0, 0, 0, 0, 50000, 30000])
    assert net.to_scale(0.5) == 3.0


def test_unknown_node_suggests_the_closest_id():
    net = load(SMALL).network
    with pytest.raises(KeyError) as info:
        net.node("stok")
    assert (
        str(info.value)
        == "no department, segment or partner has the id 'stok'; did you mean 'stock'?"
    )


def test_networkx_graph_carries_kinds_and_reliance():
    graph = load(SMALL).graph
    assert graph.nodes["courier"]["kind"] == "partner"
    assert graph.nodes["walkin"]["segment_kind"] == "consumer"
    assert graph.nodes["it"]["group"] == "Operações"
    assert graph.edges["stock", "store"]["reliance"] == pytest.approx(0.375)
    assert graph.edges["it", "store"]["quality"] is None
    assert graph.graph["scale"] == (1.0, 5.0)


@pytest.mark.parametrize("path", [SMALL, *EXAMPLES], ids=lambda p: p.stem)
def test_networkx_round_trip_gives_the_same_model(path):
    chain = load(path)
    back = from_networkx(chain.graph)

    def canonical(model):
        data = model.model_dump(exclude={"schema_ref"})
        data["services"].sort(key=lambda s: (s["source"], s["target"]))
        return data

    # Services come back in adjacency order; the model means the same in any order.
    assert canonical(back) == canonical(chain.model)


def test_graph_has_one_node_per_record_and_one_edge_per_service():
    for path in EXAMPLES:
        chain = load(path)
        m = chain.model
        assert chain.graph.number_of_nodes() == len(m.departments) + len(m.partners) + len(
            m.segments
        )
        assert chain.graph.number_of_edges() == len(m.services)
        assert nx.is_directed(chain.graph)


def test_chain_graph_reuses_the_chain_arrays(monkeypatch):
    chain = load(EXAMPLES[0])
    fresh = to_networkx(chain.model)
    _ = chain.network

    def rebuilt(model):
        raise AssertionError("the chain's arrays were built again")

    monkeypatch.setattr("servicechain.model.graph.network", rebuilt)
    graph = chain.graph
    assert dict(graph.nodes(data=True)) == dict(fresh.nodes(data=True))
    assert list(graph.edges(data=True)) == list(fresh.edges(data=True))

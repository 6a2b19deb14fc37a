"""Structure analyses on small hand-built chains, with the expected answers written out."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import servicechain
from servicechain import structure
from servicechain.errors import ServiceChainError, UnknownNodeError

DATA = Path(__file__).resolve().parent / "data" / "structure"


@pytest.fixture
def small() -> servicechain.Chain:
    return servicechain.load(DATA / "small.yaml")


def test_upstream_with_distances(small):
    assert structure.upstream(small, "s1") == {
        "g": 1, "d": 1, "q": 1, "a": 2, "b": 2, "c": 2, "p": 2,
    }  # fmt: skip
    assert structure.upstream(small, "s1", depth=1) == {"g": 1, "d": 1, "q": 1}
    assert structure.upstream(small, "a") == {}


def test_downstream_with_distances(small):
    assert structure.downstream(small, "a") == {"g": 1, "s1": 2}
    assert structure.downstream(small, "p") == {"q": 1, "s1": 2}
    assert structure.downstream(small.graph, "scan") == {"arch": 1}


def test_trace_result_in_order(small):
    result = small.trace("s1", direction="up")
    assert [(t.id, t.distance) for t in result.nodes] == [
        ("g", 1), ("d", 1), ("q", 1), ("a", 2), ("b", 2), ("c", 2), ("p", 2),
    ]  # fmt: skip
    assert result.distances() == structure.upstream(small, "s1")
    assert result.to_dict()["nodes"][0] == {
        "id": "g", "name": "Gate desk", "kind": "department", "distance": 1,
    }  # fmt: skip
    assert str(small.trace("arch", direction="down")) == (
        "Downstream of arch (Archive): nothing receives its work."
    )


def test_trace_rejects_bad_options(small):
    with pytest.raises(ValueError, match="direction must be 'up' or 'down', not 'left'"):
        small.trace("a", direction="left")
    with pytest.raises(ValueError, match="depth must be at least 1, not 0"):
        structure.upstream(small, "a", depth=0)


def test_unknown_id_suggests_the_closest(small):
    with pytest.raises(UnknownNodeError) as info:
        structure.upstream(small, "scann")
    assert str(info.value) == (
        "no department, segment or partner has the id 'scann'; did you mean 'scan'?"
    )
    with pytest.raises(UnknownNodeError) as info:
        structure.downstream(small.graph, "scann")
    assert str(info.value) == (
        "no department, segment or partner has the id 'scann'; did you mean 'scan'?"
    )


def test_distance_to_segment(small):
    assert structure.distance_to_segment(small) == {
        "a": 2, "b": 2, "c": 2, "g": 1, "d": 1, "p": 2, "q": 1, "scan": None, "arch": None,
        "s1": 0, "s2": 0,
    }  # fmt: skip


def test_paths_shortest_first_and_bounded():
    graph = nx.DiGraph(
        [("it", "store"), ("it", "web"), ("store", "s"), ("web", "s"), ("it", "stock"),
         ("stock", "store"), ("stock", "web")]
    )  # fmt: skip
    graph.add_node("s", kind="segment")
    result = structure.paths(graph, "it", "s", limit=3)
    assert result.paths == [["it", "store", "s"], ["it", "web", "s"], ["it", "stock", "store", "s"]]
    assert result.more
    every = structure.paths(graph, "it", "s")
    assert len(every.paths) == 4 and not every.more
    assert str(result).splitlines() == [
        "3 service paths from it to s, shortest first:",
        "   1. it → store → s  (2 hand-offs)",
        "   2. it → web → s  (2 hand-offs)",
        "   3. it → stock → store → s  (3 hand-offs)",
        "  More paths exist; only the 3 shortest are listed.",
    ]


def test_paths_none(small):
    result = small.paths("scan", "s1")
    assert result.paths == [] and not result.more
    assert str(result) == "No service path leads from scan (Scanning) to s1 (Shoppers)."
    assert small.paths("a", "s1").paths == [["a", "g", "s1"]]


def test_roles(small):
    by_id = {r.id: r for r in small.roles()}
    assert list(by_id) == ["a", "b", "c", "g", "d", "p", "q", "scan", "arch"]
    a, g, d, arch = by_id["a"], by_id["g"], by_id["d"], by_id["arch"]
    assert (a.customers, a.suppliers, a.segments_direct, a.segments_indirect) == (["g"], [], [], 1)
    assert (a.distance, a.front_line) == (2, False)
    assert (g.suppliers, g.segments_direct, g.distance, g.front_line) == (
        ["a", "b", "c"], ["s1"], 1, True,
    )  # fmt: skip
    assert (d.segments_direct, d.segments_indirect) == (["s1", "s2"], 0)
    assert (arch.suppliers, arch.distance, arch.segments_indirect) == (["scan"], None, 0)
    assert by_id["p"].to_dict() == {
        "id": "p", "name": "Planning", "customers": ["q"], "suppliers": ["q"],
        "segments_direct": [], "segments_indirect": 1, "distance": 2, "front_line": False,
    }  # fmt: skip


def test_gateway_gates_three_others(small):
    result = small.gateways("s1")
    assert [(g.id, g.gates) for g in result.gateways] == [("g", ["a", "b", "c"]), ("q", ["p"])]
    assert result.tree == {
        "a": "g", "b": "g", "c": "g", "g": "s1", "d": "s1", "p": "q", "q": "s1",
    }  # fmt: skip
    assert str(result).splitlines() == [
        "s1 (Shoppers):",
        "  g (Gate desk) gates 3: a, b, c",
        "  q (Quality) gates 1: p",
    ]
    assert small.gateways("s2").gateways == []


def test_gateways_need_a_segment(small):
    with pytest.raises(UnknownNodeError) as info:
        small.gateways("d")
    assert str(info.value) == "'d' is a department, not a segment; valid segments: s1, s2"


def test_two_departments_in_a_loop(small):
    clusters = small.mutual_dependencies()
    assert [(c.members, c.cycles, c.complete) for c in clusters] == [
        (["p", "q"], [["p", "q"]], True)
    ]


def test_shortest_loops_first_and_bounded():
    graph = nx.DiGraph(
        [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "c"), ("d", "e"), ("e", "a")]
    )
    (cluster,) = structure.mutual_dependencies(graph)
    assert cluster.members == ["a", "b", "c", "d", "e"]
    assert cluster.cycles == [["c", "d"], ["a", "b", "c"], ["a", "b", "c", "d", "e"]]
    (one,) = structure.mutual_dependencies(graph, max_cycles=1)
    assert one.cycles == [["c", "d"]]
    (partial,) = structure.mutual_dependencies(graph, max_starts=2)
    assert not partial.complete and partial.cycles == [["a", "b", "c"]]


def test_orphan_departments(small):
    assert small.disconnected() == ["scan", "arch"]


def test_segment_with_one_front_line_department(small):
    assert structure.single_front_line(small) == {"s2": "d"}


def test_analyze_whole(small):
    result = small.analyze()
    assert [g.segment for g in result.gateways] == ["s1", "s2"]
    assert result.disconnected == ["scan", "arch"]
    assert result.single_front_line == {"s2": "d"}
    data = result.to_dict()
    assert data["disconnected"] == [
        {"id": "scan", "name": "Scanning", "kind": "department"},
        {"id": "arch", "name": "Archive", "kind": "department"},
    ]
    assert data["single_front_line"] == [{"segment": "s2", "department": "d"}]
    assert data["mutual_dependencies"] == [
        {"members": ["p", "q"], "cycles": [["p", "q"]], "complete": True}
    ]
    assert [g.segment for g in small.analyze(segment="s2").gateways] == ["s2"]


def test_analyze_skips_gateways_of_many_segments(small):
    result = structure.analyze(small, max_segments=1)
    assert result.gateways == []
    assert result.notes == [
        "Gateways were not computed: 2 segments is more than 1; ask for one segment at a time."
    ]


def test_rollup_merges_groups(small):
    rolled = small.rollup()
    assert list(rolled) == ["Back", "Front", "Loop", "scan", "arch", "s1", "s2"]
    back = rolled.nodes["Back"]
    assert (back["kind"], back["members"], back["size"], back["internal_services"]) == (
        "department", ["a", "b", "c"], 3, 0,
    )  # fmt: skip
    assert rolled.nodes["Loop"]["internal_services"] == 2
    edge = rolled.edges["Back", "Front"]
    assert (edge["count"], edge["weight"], edge["name"]) == (3, 6, "3 services")
    assert edge["quality"] == pytest.approx((0.5 * 1 + 1.0 * 3) / 4)
    assert edge["reliance"] == pytest.approx(0.5)
    assert edge["services"] == [("a", "g"), ("b", "g"), ("c", "g")]
    assert sorted(rolled.edges) == [
        ("Back", "Front"), ("Front", "s1"), ("Front", "s2"), ("Loop", "s1"), ("scan", "arch"),
    ]  # fmt: skip
    assert rolled.graph["members_of"]["q"] == "Loop"


def test_rollup_keeps_totals(small):
    rolled = small.rollup()
    internal = sum(n.get("internal_services", 0) for _, n in rolled.nodes(data=True))
    assert (
        sum(c for *_, c in rolled.edges(data="count")) + internal == small.graph.number_of_edges()
    )


def test_rollup_group_named_like_a_department():
    graph = nx.DiGraph([("ops", "x"), ("it", "x")])
    graph.add_nodes_from(["it", "x"], kind="department", group="ops")
    graph.add_node("ops", kind="department")
    rolled = structure.rollup(graph)
    assert sorted(rolled) == ["group:ops", "ops"]
    assert rolled.edges["ops", "group:ops"]["count"] == 1


def test_rollup_by_unknown_attribute(small):
    with pytest.raises(ServiceChainError, match="no department has a 'team' attribute"):
        small.rollup(by="team")


def test_analyses_run_on_a_rolled_up_graph(small):
    result = small.trace("a", direction="down", group_by="group")
    assert (result.node, result.distances()) == ("Back", {"Front": 1, "s1": 2, "s2": 2})
    assert small.trace("Back", direction="down", group_by="group").node == "Back"
    analysis = small.analyze(group_by="group")
    assert [(g.id, g.gates) for g in analysis.gateways[0].gateways] == [("Front", ["Back"])]
    assert analysis.single_front_line == {"s2": "Front"}
    assert small.paths("b", "s2", group_by="group").paths == [["Back", "Front", "s2"]]
    with pytest.raises(UnknownNodeError, match="no group, department, segment or partner"):
        small.trace("Bakc", group_by="group")


def test_accepts_only_chains_and_graphs():
    with pytest.raises(TypeError, match="expected a Chain or a networkx DiGraph, got dict"):
        structure.roles({})


def test_unicode_names_line_up():
    chain = servicechain.Chain.from_dict(
        {
            "name": "航空",
            "departments": [
                {"id": "occ", "name": "运行控制中心"},
                {"id": "it", "name": "IT"},
            ],
            "segments": [{"id": "s", "name": "旅客", "kind": "consumer",
                          "relationship": "customer"}],
            "services": [{"from": "it", "to": "occ"}, {"from": "occ", "to": "s"}],
        }
    )  # fmt: skip
    lines = str(chain.analyze()).splitlines()
    assert (
        lines[4] == "  occ  运行控制中心          0          1                       1+0         1"
    )
    assert (
        lines[5] == "  it   IT                    1          0                       0+1         2"
    )

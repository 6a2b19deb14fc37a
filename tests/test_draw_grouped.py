"""The grouped diagram's boxes and arrows, built on arrays, against the same roll-up done one
service at a time on the graph of every service; and the arrows a crowded diagram keeps."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import servicechain
from servicechain import Chain, structure
from servicechain.draw.backbone import strongest
from servicechain.draw.collapse import PARTNERS_NODE, grouped_boxes
from servicechain.draw.diagram import draw_chain
from servicechain.structure.merging import first_seen, merge_arrows

SETTINGS = settings(max_examples=80, deadline=None)
KINDS = ("consumer", "business", "staff")
RELATIONSHIPS = ("customer", "client")


@st.composite
def models(draw: st.DrawFn) -> dict:
    """Random models: departments in a few groups (some in none, one group named like a
    department), partners, segments of a few kinds, and services (no pair twice) with random
    weights, some rated."""
    n_dep = draw(st.integers(1, 9))
    n_ptn = draw(st.integers(0, 12))
    n_seg = draw(st.integers(1, 14))
    groups = [None, "G", "H", "d0", "Ünïcode 组"]
    deps = [
        {"id": f"d{i}", "name": f"D{i}", **({"group": g} if g else {})}
        for i in range(n_dep)
        if (g := draw(st.sampled_from(groups))) or True
    ]
    ptns = [{"id": f"p{i}", "name": f"P{i}", "quality": 0.5} for i in range(n_ptn)]
    segs = [
        {
            "id": f"s{i}",
            "name": f"S{i}",
            "kind": draw(st.sampled_from(KINDS)),
            "relationship": draw(st.sampled_from(RELATIONSHIPS)),
        }
        for i in range(n_seg)
    ]
    suppliers = [d["id"] for d in deps] + [p["id"] for p in ptns]
    customers = [d["id"] for d in deps] + [s["id"] for s in segs]
    pairs = [(u, v) for u in suppliers for v in customers if u != v]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=40, unique=True))
    # every segment is served, every partner serves, so that the model is valid
    chosen += [(deps[0]["id"], s["id"]) for s in segs if (deps[0]["id"], s["id"]) not in chosen]
    chosen += [(p["id"], deps[0]["id"]) for p in ptns if (p["id"], deps[0]["id"]) not in chosen]
    order = draw(st.permutations(range(len(chosen))))
    services = []
    for k in order:
        u, v = chosen[k]
        service = {"from": u, "to": v, "weight": draw(st.sampled_from([0.5, 1, 2, 3.25]))}
        if draw(st.booleans()):
            service["quality"] = draw(st.sampled_from([0.1, 0.45, 0.8, 1.0]))
        services.append(service)
    return {
        "name": "random",
        "departments": deps,
        "partners": ptns,
        "segments": segs,
        "services": services,
    }


def _reference_collapse(graph: nx.DiGraph, *, segments: bool, partners: bool) -> nx.DiGraph:
    """Segments and partners of a rolled-up graph merged one service at a time (the boxes and
    the order in which a graph built service by service lists them)."""
    box = {}
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind") == "partner" and partners:
            box[node] = PARTNERS_NODE
        elif attrs.get("kind") == "segment" and segments:
            box[node] = f"segments:{attrs.get('segment_kind')}/{attrs.get('relationship')}"
    result = nx.DiGraph()
    for node, attrs in graph.nodes(data=True):
        key = box.get(node, node)
        if key not in result:
            result.add_node(key, members=[])
        result.nodes[key]["members"].extend(attrs.get("members") or [node])
    for u, v, attrs in graph.edges(data=True):
        a, b = box.get(u, u), box.get(v, v)
        if a == b:
            continue
        if not result.has_edge(a, b):
            result.add_edge(a, b, count=0, weight=0, reliance=0.0, services=[])
        edge = result.edges[a, b]
        edge["count"] += attrs["count"]
        edge["weight"] += attrs["weight"]
        edge["reliance"] += attrs["reliance"]
        edge["services"].extend(attrs["services"])
    return result


def _rated_mean(chain: Chain, services: list) -> float | None:
    """The weight-averaged rating of the rated services among ``services`` (pairs)."""
    rated = [
        (attrs["weight"], attrs["quality"])
        for attrs in (chain.graph.edges[pair] for pair in services)
        if attrs["quality"] is not None
    ]
    if not rated:
        return None
    return sum(w * q for w, q in rated) / sum(w for w, _ in rated)


@SETTINGS
@given(models(), st.sampled_from([2, 5, 60]))
def test_grouped_boxes_are_the_roll_up_done_service_by_service(data, slide):
    chain = Chain.from_dict(data)
    boxes = grouped_boxes(chain, slide=slide)
    got = boxes.graph()
    rolled = structure.rollup(chain.graph)  # one service at a time, on the graph
    kinds = [k for _, k in rolled.nodes(data="kind")]
    crowded = len(kinds) > slide
    fold_segments = kinds.count("segment") > 40 or (crowded and kinds.count("segment") > 10)
    fold_partners = kinds.count("partner") > 8 or (crowded and kinds.count("partner") > 1)
    expected = _reference_collapse(rolled, segments=fold_segments, partners=fold_partners)
    assert list(got) == list(expected)
    assert list(got.edges) == list(expected.edges)
    for node in got:
        assert (got.nodes[node].get("members") or [node]) == expected.nodes[node]["members"]
    for u, v, attrs in got.edges(data=True):
        want = expected.edges[u, v]
        assert attrs["count"] == want["count"] == len(want["services"])
        assert attrs["weight"] == want["weight"]
        assert attrs["reliance"] == want["reliance"]
        mean = _rated_mean(chain, want["services"])
        assert (attrs["quality"] is None) == (mean is None)
        if mean is not None:
            assert attrs["quality"] == pytest.approx(mean, rel=1e-12)
    inside = sum(
        1 for u, v in chain.graph.edges if boxes.members_of.get(u, u) == boxes.members_of.get(v, v)
    )
    assert int(boxes.arrows.inside.sum()) == inside
    assert boxes.arrows.count.sum() + inside == chain.network.m


@SETTINGS
@given(models())
def test_each_arrow_mean_is_the_mean_over_its_services(data):
    chain = Chain.from_dict(data)
    boxes = grouped_boxes(chain, slide=3)
    values = np.arange(chain.network.m, dtype=float) ** 1.5
    net = chain.network
    arrows = np.arange(len(boxes.arrows))[::-1]
    means = boxes.arrow_means(values, arrows)
    graph = boxes.graph()
    box = {**{i: i for i in net.ids}, **boxes.members_of}
    for k, mean in zip(arrows.tolist(), means, strict=True):
        u, v = boxes.labels[boxes.arrows.source[k]], boxes.labels[boxes.arrows.target[k]]
        mine = [
            values[j]
            for j in range(net.m)
            if (box[net.ids[net.source[j]]], box[net.ids[net.target[j]]]) == (u, v)
        ]
        assert graph.edges[u, v]["count"] == len(mine)
        assert mean == pytest.approx(sum(mine) / len(mine), rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 5), max_size=30),
    st.lists(st.integers(0, 5), max_size=30),
    st.data(),
)
def test_merged_arrows_are_the_sums_over_their_services(sources, targets, data):
    n = min(len(sources), len(targets))
    source, target = np.array(sources[:n], dtype=int), np.array(targets[:n], dtype=int)
    weight = np.array(data.draw(st.lists(st.sampled_from([0.5, 1.0, 3.0]), min_size=n, max_size=n)))
    rating = np.array(
        data.draw(st.lists(st.sampled_from([math.nan, 0.2, 0.9]), min_size=n, max_size=n))
    )
    reliance = weight / 10
    arrows = merge_arrows(source, target, boxes=6, weight=weight, reliance=reliance, rating=rating)
    expected: dict = {}
    for k in range(n):
        if source[k] == target[k]:
            continue
        entry = expected.setdefault((source[k], target[k]), [0, 0.0, 0.0, 0.0, 0.0, k])
        entry[0] += 1
        entry[1] += weight[k]
        entry[2] += reliance[k]
        if not math.isnan(rating[k]):
            entry[3] += weight[k]
            entry[4] += weight[k] * rating[k]
    assert list(zip(arrows.source.tolist(), arrows.target.tolist(), strict=True)) == list(expected)
    for k, (count, w, r, rw, rs, head) in enumerate(expected.values()):
        assert (arrows.count[k], arrows.weight[k], arrows.reliance[k]) == (count, w, r)
        assert (arrows.rated_weight[k], arrows.rated_sum[k], arrows.head[k]) == (rw, rs, head)
        assert math.isnan(arrows.quality[k]) == (rw == 0)
    inside = np.bincount(source[source == target], minlength=6)
    assert arrows.inside.tolist() == inside.tolist()
    # merging again into fewer boxes is merging the services into those boxes at once
    fold = np.array([0, 0, 1, 1, 2, 2])
    again = arrows.merge(fold, boxes=3)
    once = merge_arrows(fold[source], fold[target], boxes=3, weight=weight, reliance=reliance,
                        rating=rating)  # fmt: skip
    pairs = list(zip(once.source.tolist(), once.target.tolist(), strict=True))
    assert sorted(zip(again.source.tolist(), again.target.tolist(), strict=True)) == sorted(pairs)
    for k, pair in enumerate(zip(again.source.tolist(), again.target.tolist(), strict=True)):
        j = pairs.index(pair)
        assert again.count[k] == once.count[j]
        for name in ("weight", "reliance", "rated_weight", "rated_sum"):
            assert getattr(again, name)[k] == pytest.approx(getattr(once, name)[j], rel=1e-12)
    assert again.inside.tolist() == once.inside.tolist()


@given(st.lists(st.integers(-3, 3), max_size=20))
def test_first_seen_numbers_values_as_they_come(keys):
    numbers, firsts = first_seen(np.array(keys, dtype=int))
    seen: dict = {}
    for key in keys:
        seen.setdefault(key, len(seen))
    assert numbers.tolist() == [seen[k] for k in keys]
    assert firsts.tolist() == [keys.index(k) for k in seen]


def _reference_backbone(edges: list, names: list, budget: int) -> list:
    """The arrows kept, chosen one arrow at a time (each node's main supplier and customer,
    then the strongest)."""
    if len(edges) <= budget:
        return list(range(len(edges)))
    ranked = sorted(
        range(len(edges)),
        key=lambda k: (-edges[k][2], -edges[k][3], names[edges[k][0]], names[edges[k][1]]),
    )
    kept: dict = {}
    into: set = set()
    out: set = set()
    for k in ranked:
        u, v = edges[k][:2]
        if v not in into or u not in out:
            kept[k] = True
        into.add(v)
        out.add(u)
    for k in ranked:
        if len(kept) >= budget:
            break
        kept.setdefault(k, True)
    return list(kept)


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 9), st.data())
def test_strongest_keeps_what_one_arrow_at_a_time_keeps(n, data):
    pairs = data.draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            unique=True,
            max_size=40,
        )
    )
    edges = [
        (u, v, data.draw(st.sampled_from([0.1, 0.25, 0.5, 0.7])), data.draw(st.integers(1, 3)))
        for u, v in pairs
    ]
    names = [data.draw(st.sampled_from(["a", "b", "Zé", "组"])) + str(i) for i in range(n)]
    budget = data.draw(st.integers(0, len(edges) + 1))
    kept = strongest(
        np.array([e[0] for e in edges], dtype=int),
        np.array([e[1] for e in edges], dtype=int),
        reliance=np.array([e[2] for e in edges]),
        count=np.array([e[3] for e in edges]),
        names=names,
        budget=budget,
    )
    assert kept.tolist() == _reference_backbone(edges, names, budget)


def test_a_large_grouped_diagram_collapses_the_outside_and_keeps_its_strongest_arrows():
    from servicechain.samples.generate import generate

    data = generate(600, segments=50, seed=3)
    chain = Chain.from_dict(data)
    boxes = grouped_boxes(chain)
    assert boxes.note == (
        f"{len(data['segments']):,} segments drawn as "
        f"{sum(1 for a in boxes.attrs if a['kind'] == 'segment')} boxes by kind and "
        f"relationship; {len(data['partners']):,} partners as one box"
    )
    drawing = draw_chain(chain, group_by="group", force=True, color="importance")
    assert set(drawing.boxes) == set(boxes.labels)
    kept = strongest(
        boxes.arrows.source,
        boxes.arrows.target,
        reliance=boxes.arrows.reliance,
        count=boxes.arrows.count,
        names=boxes.labels,
    )
    assert len(kept) < len(boxes.arrows)
    drawn = {(boxes.labels[boxes.arrows.source[k]], boxes.labels[boxes.arrows.target[k]])
             for k in kept.tolist()}  # fmt: skip
    assert set(drawing.arrows) == drawn


def test_only_the_group_field_rolls_up():
    chain = servicechain.load(servicechain.example_path("sapataria"))
    with pytest.raises(servicechain.errors.ServiceChainError, match="roll up by 'group'"):
        draw_chain(chain, group_by="team")

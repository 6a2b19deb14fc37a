"""Pinned positions: boxes placed by hand stay put in every diagram and export, new boxes are
placed around them without overlap, and ``draw --relayout`` ignores them."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain import Chain, load
from servicechain.cli import main
from servicechain.draw.detour import around_boxes, boxes_hit
from servicechain.draw.diagram import draw_chain
from servicechain.draw.layout import HEAD, diagram_layout, layered_layout
from servicechain.draw.pinned import PIXELS_PER_UNIT, pin_layout
from servicechain.io.yamlout import model_yaml

from .conftest import DATA

PINNED = DATA / "drawio" / "shop-pinned.yaml"
GAP = 0.05  # the room kept free round a placed box is larger than this


def _overlap(a, b, layout, gap=0.0) -> bool:
    (ax, ay), (aw, ah) = layout.pos[a], layout.size[a]
    (bx, by), (bw, bh) = layout.pos[b], layout.size[b]
    return abs(ax - bx) < (aw + bw) / 2 + gap and abs(ay - by) < (ah + bh) / 2 + gap


def _in_pixels(layout, node) -> tuple[float, float]:
    x, y = layout.pos[node]
    return x * PIXELS_PER_UNIT, -y * PIXELS_PER_UNIT


def _with_new_departments(chain: Chain, count: int) -> Chain:
    data = chain.model.model_dump(by_alias=True, exclude_none=True)
    for i in range(count):
        data["departments"].append({"id": f"new{i}", "name": f"New team {i}", "group": "New"})
        data["services"].append({"from": f"new{i}", "to": "store", "name": "Help"})
        data["services"].append({"from": "it", "to": f"new{i}"})
    return Chain.from_dict(data)


def test_pinned_boxes_stay_and_a_new_department_overlaps_nothing():
    chain = load(PINNED)
    grown = _with_new_departments(chain, 1)
    layout = diagram_layout(grown.graph)
    for node, p in chain.model.layout.items():
        assert _in_pixels(layout, node) == pytest.approx((p.x, p.y), abs=1e-9)
    for other in layout.pos:
        if other != "new0":
            assert not _overlap("new0", other, layout, GAP), other
    # and the drawing is made with that layout
    assert draw_chain(grown).layout.pos == layout.pos


@settings(max_examples=12, deadline=None)
@given(
    count=st.integers(1, 6),
    jitter=st.lists(st.tuples(st.integers(-400, 400), st.integers(-300, 300)), min_size=8,
                    max_size=8),
)  # fmt: skip
def test_new_boxes_never_overlap_any_box(count, jitter):
    """Pins anywhere (moved by hand, maybe onto each other): every box the model gained is
    placed clear of every other box, and every pinned box stays where it was pinned."""
    chain = load(PINNED)
    pins = {
        n: (p.x + dx, p.y + dy)
        for (n, p), (dx, dy) in zip(chain.model.layout.items(), jitter, strict=True)
    }
    grown = _with_new_departments(chain, count).graph
    grown.graph["layout"] = pins
    layout = diagram_layout(grown)
    for node, pin in pins.items():
        assert _in_pixels(layout, node) == pytest.approx(pin, abs=1e-9)
    new = [f"new{i}" for i in range(count)]
    for n in new:
        for other in layout.pos:
            if other != n:
                assert not _overlap(n, other, layout, GAP), (n, other)


def test_routes_of_a_pinned_layout_join_their_boxes():
    chain = load(PINNED)
    grown = _with_new_departments(chain, 2)
    layout = diagram_layout(grown.graph)
    assert set(layout.routes) == set(grown.graph.edges())
    for (u, v), route in layout.routes.items():
        assert route.shape[1] == 2 and (len(route) - 1) % 3 == 0
        for node, point in ((u, route[0]), (v, route[-1])):
            (x, y), (w, h) = layout.pos[node], layout.size[node]
            assert abs(abs(point[0] - x) - w / 2) < 1e-9, (u, v)  # on a side of its box
            assert abs(point[1] - y) <= h / 2
        assert np.linalg.norm(route[-1] - route[-4]) == pytest.approx(HEAD)
    x0, y0, x1, y1 = layout.boundary
    for node in layout.pos:
        if grown.graph.nodes[node]["kind"] == "department":
            (x, y), (w, h) = layout.pos[node], layout.size[node]
            assert x0 < x - w / 2 and x + w / 2 < x1 and y0 < y - h / 2 and y + h / 2 < y1


def test_boxes_left_where_the_layout_put_them_keep_its_routes():
    """Pins equal to the layered places (moved as one): the same picture, shifted."""
    chain = load(DATA / "drawio" / "shop.yaml")
    plain = diagram_layout(chain.graph)
    graph = chain.graph.copy()
    graph.graph["layout"] = {
        n: ((x + 2) * PIXELS_PER_UNIT, -(y - 1) * PIXELS_PER_UNIT)
        for n, (x, y) in plain.pos.items()
    }
    pinned = diagram_layout(graph)
    for e, route in plain.routes.items():
        assert np.allclose(pinned.routes[e], route + np.array([2.0, -1.0]))
    assert pinned.visibility_x == pytest.approx(plain.visibility_x + 2)


def test_relayout_ignores_the_pins():
    chain = load(PINNED)
    graph = chain.graph.copy()
    del graph.graph["layout"]
    assert draw_chain(chain, relayout=True).layout.pos == diagram_layout(graph).pos
    assert draw_chain(chain).layout.pos != diagram_layout(graph).pos
    assert diagram_layout(chain.graph, relayout=True).pos == diagram_layout(graph).pos


def test_pin_layout_without_pins_of_the_graph_changes_nothing():
    G = nx.DiGraph([("a", "b")])
    nx.set_node_attributes(G, "department", "kind")
    layout = layered_layout(G)
    assert pin_layout(layout, G, {"zz": (1.0, 2.0)}, head=HEAD) is layout


def test_draw_cli_keeps_the_pins_and_relayout_drops_them(runner, tmp_path):
    for extra in ([], ["--relayout"]):
        out = tmp_path / f"shop{len(extra)}.svg"
        result = runner.invoke(
            main, ["draw", str(PINNED), "-o", str(out), *extra], catch_exceptions=False
        )
        assert result.exit_code == 0 and out.stat().st_size > 1000
    assert (tmp_path / "shop0.svg").read_bytes() != (tmp_path / "shop1.svg").read_bytes()


def test_layout_section_is_written_and_read_back(tmp_path):
    chain = load(PINNED)
    text = model_yaml(chain.model)
    assert "\nlayout:\n  it: {x: 235.3, y: 95.5}\n" in text
    path = tmp_path / "again.yaml"
    path.write_text(text, encoding="utf-8")
    assert load(path).model == chain.model
    as_json = tmp_path / "again.json"
    as_json.write_text(
        json.dumps(chain.model.model_dump(by_alias=True, exclude_defaults=True)), encoding="utf-8"
    )
    again = load(as_json)  # through the fast JSON path
    assert again.graph.graph["layout"] == chain.graph.graph["layout"]


def test_a_position_of_no_node_is_a_problem(runner, tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(
        "name: x\ndepartments:\n  - {id: store, name: Store}\nlayout:\n  stor: {x: 1, y: 2}\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}:5:3: layout.stor: unknown id 'stor' (did you mean 'store'? else delete its "
        "position)\n1 problem found.\n"
    )
    as_json = tmp_path / "m.json"
    as_json.write_text(
        json.dumps(
            {
                "name": "x",
                "departments": [{"id": "store", "name": "Store"}],
                "layout": {"stor": {"x": 1, "y": 2}},
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", str(as_json)])
    assert result.exit_code == 1 and "layout.stor: unknown id 'stor'" in result.stdout


def _boxes_but(layout, edge) -> np.ndarray:
    return np.array([(*layout.pos[n], *layout.size[n]) for n in layout.pos if n not in edge])


def test_an_arrow_goes_round_a_box_moved_into_its_way():
    layout = draw_chain(load(DATA / "drawio" / "shop-in-the-way.yaml")).layout
    direct = layout.pos["it"][1], layout.pos["online"][1]
    assert abs(direct[0] - direct[1]) < 0.1  # the online shop stands in the straight line
    for edge, route in layout.routes.items():
        assert boxes_hit(route, _boxes_but(layout, edge)) == 0, edge
    route = layout.routes["it", "store"]
    y, h = layout.pos["online"][1], layout.size["online"][1]
    assert route[:, 1].min() < y - h / 2 or route[:, 1].max() > y + h / 2  # over or under


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-3, 3), st.floats(-2, 2), st.floats(0.2, 1.2), st.floats(0.2, 0.8)),
        max_size=8,
    ),
    st.floats(-2, 2),
)
def test_a_detour_keeps_its_ends_and_never_hits_more_boxes(boxes, rise):
    start, tip = np.array([-4.0, 0.0]), np.array([4.0, rise])
    base = tip - np.array([HEAD, 0.0])
    direct = np.array(
        [
            start,
            start + np.array([2.0, 0.0]),
            base - np.array([2.0, 0.0]),
            base,
            *(base + (tip - base) * [[1 / 3], [2 / 3]]),
            tip,
        ]
    )
    table = np.array(boxes, dtype=float).reshape(-1, 4)
    route = around_boxes(direct, table)
    assert (len(route) - 1) % 3 == 0
    assert np.allclose(route[0], start) and np.allclose(route[-4:], direct[-4:])
    assert boxes_hit(route, table) in (0, boxes_hit(direct, table))

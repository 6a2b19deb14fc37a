"""Geometry of chain diagrams on every bundled model and on generated ones, in every view: no
arrow behind a box, labels clear of each other, of boxes and of arrowheads, slide-sized
labels, the unrated style, views that keep their places, and the same bytes every time."""

from __future__ import annotations

import io
import itertools
import warnings
from functools import cache
from pathlib import Path

import matplotlib
import networkx as nx
import numpy as np
import pytest

import servicechain
from servicechain import Chain
from servicechain.cli import main
from servicechain.draw.backbone import SLIDE_ARROWS
from servicechain.draw.diagram import SLIDE_BOXES, draw_chain
from servicechain.draw.layout import layered_layout
from servicechain.draw.page import MIN_SLIDE_FONT, SLIDE_WIDTH, diagram_aspect, font_per_scale
from servicechain.draw.render import DiagramTooLargeError, SmallTextWarning
from servicechain.draw.routing import sample_route
from servicechain.draw.style import UNRATED_HATCH
from servicechain.samples.generate import generate
from servicechain.structure.grouping import rollup

matplotlib.use("Agg")

MODELS = Path(__file__).resolve().parent.parent / "models"
HOSPITAL = MODELS / "hospital.yaml"
FLOWERSHOP = MODELS / "flowershop.yaml"


@cache
def _generated(departments: int) -> Chain:
    return Chain.from_dict(generate(departments, seed=5))


def _boxes(layout, nodes) -> dict:
    return {
        n: (
            layout.pos[n][0] - layout.size[n][0] / 2,
            layout.pos[n][1] - layout.size[n][1] / 2,
            layout.pos[n][0] + layout.size[n][0] / 2,
            layout.pos[n][1] + layout.size[n][1] / 2,
        )
        for n in nodes
    }


def _arrows_behind_boxes(layout, graph) -> list:
    """(edge, box) for every sampled point of an arrow strictly inside a box; an arrow may
    not enter even its own ends (it stops at their edges)."""
    boxes = _boxes(layout, graph)
    names = list(boxes)
    table = np.array([boxes[n] for n in names])
    eps = 1e-7
    found = []
    for edge in graph.edges():
        if edge[0] == edge[1]:
            continue
        points = sample_route(layout.routes[edge], 32)
        x, y = points[:, None, 0], points[:, None, 1]
        inside = (
            (x > table[None, :, 0] + eps)
            & (x < table[None, :, 2] - eps)
            & (y > table[None, :, 1] + eps)
            & (y < table[None, :, 3] - eps)
        )
        found += [(edge, names[j]) for j in np.flatnonzero(inside.any(axis=0))]
    return found


def _views(chain: Chain) -> list[dict]:
    graph = chain.graph
    segment = sorted(n for n, k in graph.nodes(data="kind") if k == "segment")[0]
    busiest = max(sorted(graph, key=str), key=graph.degree)
    views = [{}, {"segment": segment}, {"highlight": busiest, "depth": 2}]
    if any(g for _, g in graph.nodes(data="group")):
        views.append({"group_by": "group"})
    return views


def _cases():
    for path in sorted(MODELS.glob("*.yaml")):
        yield pytest.param(path.stem, id=path.stem)
    for n in (20, 60, 150):
        yield pytest.param(n, id=f"generated-{n}")


def _chain_of(case) -> Chain:
    return _generated(case) if isinstance(case, int) else servicechain.load(MODELS / f"{case}.yaml")


# --- routes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _cases())
def test_no_arrow_passes_behind_a_box(case):
    chain = _chain_of(case)
    graphs = [chain.graph]
    if any(g for _, g in chain.graph.nodes(data="group")):
        from servicechain.structure.grouping import rollup

        graphs.append(rollup(chain.graph, by="group"))
    for graph in graphs:
        for aspect in (None, 2.0, 0.8):
            layout = layered_layout(graph, aspect=aspect, notes=dict.fromkeys(graph, "not rated"))
            assert _arrows_behind_boxes(layout, graph) == []
            routes = layout.routes
            assert set(routes) == {(u, v) for u, v in graph.edges() if u != v}
            for (u, v), route in routes.items():
                # starts on the supplier's box edge, the head's tip on the customer's box edge
                box_u, box_v = _boxes(layout, [u])[u], _boxes(layout, [v])[v]
                assert route[0][0] == pytest.approx(box_u[0]) or route[0][0] == pytest.approx(
                    box_u[2]
                )
                assert box_u[1] < route[0][1] < box_u[3]
                assert route[-1][0] == pytest.approx(box_v[0]) or route[-1][0] == pytest.approx(
                    box_v[2]
                )
                assert box_v[1] < route[-1][1] < box_v[3]


def test_a_long_arrow_gets_a_lane_in_every_column_it_crosses():
    graph = nx.DiGraph([("p", "a"), ("a", "b"), ("b", "c"), ("c", "s"), ("p", "c"), ("a", "s")])
    kinds = {"p": "partner", "s": "segment"}
    nx.set_node_attributes(graph, {n: kinds.get(n, "department") for n in graph}, "kind")
    layout = layered_layout(graph)
    assert _arrows_behind_boxes(layout, graph) == []
    # p -> c crosses the columns of a and b: straight through each, beside the boxes there
    route = sample_route(layout.routes["p", "c"], 64)
    for n in ("a", "b"):
        (x, _), (w, h) = layout.pos[n], layout.size[n]
        within = route[np.abs(route[:, 0] - x) < w / 2]
        assert len(within) and np.all(np.abs(within[:, 1] - layout.pos[n][1]) >= h / 2)


def test_reciprocal_services_are_two_distinct_curves():
    chain = servicechain.load(FLOWERSHOP)
    graph = chain.graph
    pairs = [(u, v) for u, v in graph.edges() if u < v and graph.has_edge(v, u)]
    layout = layered_layout(graph)
    assert pairs
    for u, v in pairs:
        a = sample_route(layout.routes[u, v], 16)
        b = sample_route(layout.routes[v, u], 16)[::-1]
        assert np.max(np.hypot(*(a - b).T)) > 0.02


def test_department_that_reaches_no_segment_through_another_is_laid_out():
    # x serves y, neither reaches a segment, x has no supplier: this used to crash
    graph = nx.DiGraph([("a", "s"), ("x", "y"), ("y", "z")])
    nx.set_node_attributes(
        graph,
        {
            "a": "department",
            "s": "segment",
            "x": "department",
            "y": "department",
            "z": "department",
        },
        "kind",
    )
    layout = layered_layout(graph)
    assert layout.column["x"] < layout.column["y"] < layout.column["z"] < layout.column["s"]
    assert _arrows_behind_boxes(layout, graph) == []
    chain = Chain.from_dict(
        {
            "name": "Loose ends",
            "departments": [
                {"id": "a", "name": "Shop"},
                {"id": "x", "name": "Archive"},
                {"id": "y", "name": "Records"},
            ],
            "segments": [
                {"id": "s", "name": "Shoppers", "kind": "consumer", "relationship": "customer"}
            ],
            "services": [{"from": "a", "to": "s"}, {"from": "x", "to": "y"}],
        }
    )
    assert len(draw_chain(chain).boxes) == 4


# --- rendered diagrams --------------------------------------------------------------------


def _pixel_extents(drawing):
    renderer = drawing.figure.canvas.get_renderer()
    return renderer, {
        n: tuple(b.get_window_extent(renderer).extents) for n, b in drawing.boxes.items()
    }


def _overlap(a, b, tol=0.5):
    return a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol


def _check_drawing(drawing, chain):
    renderer, boxes = _pixel_extents(drawing)
    to_px = drawing.ax.transData.transform
    heads = [to_px(np.asarray(t)) for t in drawing.heads.values()]
    heads = [(*t.min(axis=0), *t.max(axis=0)) for t in heads]
    texts = []  # (owner box or None, extent)
    for n, t in [*drawing.labels.items(), *drawing.scores.items()]:
        texts.append((n, tuple(t.get_window_extent(renderer).extents)))
    for t in [*drawing.ratings.values(), *drawing.captions]:
        texts.append((None, tuple(t.get_window_extent(renderer).extents)))
    for owner, ext in texts:
        for n, box in boxes.items():
            if n == owner:  # inside its own box
                assert box[0] <= ext[0] and ext[2] <= box[2], (n, ext, box)
                assert box[1] <= ext[1] and ext[3] <= box[3], (n, ext, box)
            else:
                assert not _overlap(ext, box), (owner, n)
        for head in heads:
            assert not _overlap(ext, head, tol=1.0), owner
    for (o1, a), (o2, b) in itertools.combinations(texts, 2):
        if o1 is not None and o1 == o2:
            continue  # a box's name and score are stacked inside it
        assert not _overlap(a, b), (o1, o2)
    # one font size for every label in the boxes
    sizes = {t.get_fontsize() for t in [*drawing.labels.values(), *drawing.scores.values()]}
    assert sizes == {drawing.fontsize}
    # unrated boxes hatched and saying so, rated ones not
    for n, box in drawing.boxes.items():
        members = drawing.layout.pos and chain.graph.nodes.get(n, {})
        unrated = drawing.scores[n].get_text() == "not rated"
        assert (box.get_hatch() == UNRATED_HATCH) == unrated, n
        if n in chain.graph and members.get("kind") != "segment":
            assert unrated == (chain.graph.nodes[n].get("quality") is None), n


@pytest.mark.parametrize("case", _cases())
def test_every_view_draws_clear_labels_at_slide_size(case):
    chain = _chain_of(case)
    full_positions = None
    for view in _views(chain):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                drawing = draw_chain(chain, labels="ratings", **view)
            except DiagramTooLargeError as err:
                assert len(chain.graph) > SLIDE_BOXES and "group_by" not in view
                assert "--segment SEGMENT" in str(err) and "--by-group" in str(err)
                assert "--force" in str(err)
                continue
        assert tuple(drawing.figure.get_size_inches()) == (13.333, 7.5)
        shown = drawing.fontsize * SLIDE_WIDTH / 13.333
        # at least 10 pt on a 13.33 in slide: dense generated models too (their gaps drawn
        # compact); past what a slide holds, refused above
        assert shown >= MIN_SLIDE_FONT - 0.005, (case, view)
        assert not [w for w in caught if issubclass(w.category, SmallTextWarning)]
        _check_drawing(drawing, chain)
        if not view:
            full_positions = drawing.layout.pos
        elif "group_by" not in view and full_positions is not None:
            # views keep the places of the full diagram
            assert all(drawing.layout.pos[n] == full_positions[n] for n in drawing.boxes)


def test_views_say_what_they_show_in_the_title():
    chain = servicechain.load(HOSPITAL)
    title = draw_chain(chain, segment="gps").captions[-1].get_text()
    assert title == "St Aldric General Hospital — what reaches Referring GPs"
    drawing = draw_chain(chain, highlight="radiology", depth=1)
    assert drawing.captions[-1].get_text() == (
        "St Aldric General Hospital — the chain of Radiology (its suppliers and customers, "
        "1 hand-off each way)"
    )
    assert drawing.boxes["radiology"].get_linewidth() > 3
    kept = {n for n, b in drawing.boxes.items() if b.get_facecolor()[3] == 1.0}
    graph = chain.graph
    assert kept == {"radiology", *graph.predecessors("radiology"), *graph.successors("radiology")}


def test_weak_links_are_red_and_strong_ones_blue():
    chain = servicechain.load(FLOWERSHOP)
    drawing = draw_chain(chain)
    weak = drawing.arrows["platform", "phone_web"]  # rated 2.8 of 5
    r, g, b, _ = weak.get_edgecolor()[0]
    assert r > 0.5 and r > 2 * b and r > 2 * g
    strongest = max((q, e) for *e, q in chain.graph.edges(data="quality") if q is not None)[1]
    r, g, b, _ = drawing.arrows[tuple(strongest)].get_edgecolor()[0]
    assert b > r


def test_threshold_moves_the_neutral_point():
    chain = servicechain.load(FLOWERSHOP)
    low = draw_chain(chain, threshold=2.0).boxes["counter"].get_facecolor()
    high = draw_chain(chain, threshold=4.9).boxes["counter"].get_facecolor()
    assert low[2] > low[0] and high[0] > high[2]  # blue above a low bar, red below a high one


def test_same_model_same_view_same_bytes():
    def svg() -> bytes:
        buffer = io.BytesIO()
        chain = servicechain.load(HOSPITAL)
        draw_chain(chain, highlight="radiology", labels="ratings").save(buffer, format="svg")
        return buffer.getvalue()

    assert svg() == svg()


def test_more_boxes_than_a_slide_holds_are_refused_unless_forced():
    chain = _generated(60)
    with pytest.raises(DiagramTooLargeError) as caught:
        draw_chain(chain)
    assert str(caught.value) == (
        "66 boxes (60 departments, 1 partners, 5 segments) are more than a slide holds "
        "(about 60); draw one segment's chain with --segment SEGMENT, or roll up with "
        "--by-group (which also draws many segments and partners as a few boxes), or draw "
        "them all anyway with --force"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallTextWarning)
        assert len(draw_chain(chain, force=True).boxes) == 66


@pytest.mark.parametrize("seed", [1, 2, 6])
def test_dense_generated_model_holds_10_pt_with_compact_gaps(seed):
    # about five services per department: regular gaps come out under 10 pt for most seeds
    chain = Chain.from_dict(generate(20, seed=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallTextWarning)
        drawing = draw_chain(chain)
    assert drawing.fontsize * SLIDE_WIDTH / 13.333 >= MIN_SLIDE_FONT
    assert _arrows_behind_boxes(drawing.layout, chain.graph) == []
    page, aspect = "slide", diagram_aspect("slide")
    least = MIN_SLIDE_FONT / font_per_scale(page, aspect)

    def scale(layout) -> float:
        x0, y0, x1, y1 = layout.extent
        return min(aspect / (x1 - x0), 1 / (y1 - y0))

    regular = layered_layout(chain.graph, notes=_score_notes(drawing), aspect=aspect)
    assert scale(drawing.layout) >= least
    # the compact gaps are taken only when the regular ones come out too small
    assert (drawing.layout.extent == regular.extent) == (scale(regular) >= least)


def _score_notes(drawing) -> dict:
    return {n: text.get_text() for n, text in drawing.scores.items()}


@pytest.mark.parametrize("departments", [60, 150])
def test_past_a_slide_refused_forced_drawing_keeps_arrows_clear_of_boxes(departments):
    chain = _generated(departments)
    with pytest.raises(DiagramTooLargeError) as caught:
        draw_chain(chain)
    assert "--segment SEGMENT" in str(caught.value) and "--by-group" in str(caught.value)
    assert "--force" in str(caught.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallTextWarning)
        drawing = draw_chain(chain, force=True)
    assert set(drawing.boxes) == set(chain.graph)
    assert _arrows_behind_boxes(drawing.layout, chain.graph) == []


def test_grouped_view_of_2000_departments_draws_the_strongest_arrows_clear_of_boxes():
    # 44 groups that nearly all serve each other: one arrow per pair would be 1,912 arrows
    chain = Chain.from_dict(generate(2000, seed=1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drawing = draw_chain(chain, group_by="group", labels="ratings")
    layout = drawing.layout
    drawn = nx.DiGraph(list(layout.routes))
    drawn.add_nodes_from(layout.pos)
    assert "partners:all" in drawing.boxes  # 40 partners rolled up into one box
    assert drawing.labels["partners:all"].get_text().replace("\n", " ") == (
        "external partners (40)"
    )
    note = drawing.captions[-1].get_text()
    assert note.startswith("40 segments drawn as 10 boxes by kind and relationship; ")
    assert f"arrows: the {len(layout.routes)} of 1,912 hand-offs relied on most" in note
    assert len(layout.routes) == SLIDE_ARROWS
    assert _arrows_behind_boxes(layout, drawn) == []
    # every group serves customers itself: all stand on the front line, right of the line of
    # visibility, even where their arrows to the segments are among those left out
    rolled = rollup(chain, by="group")
    front = {n for n in rolled if any(rolled.nodes[m]["kind"] == "segment" for m in rolled[n])}
    assert len(front) == 43
    assert {layout.column[n] for n in front} == {max(layout.column.values()) - 1}
    assert all(layout.pos[n][0] > layout.visibility_x for n in front)
    _check_drawing(drawing, chain)
    # from 1.9 pt before the arrows were thinned; still under 10 pt, and the user is told
    shown = drawing.fontsize * SLIDE_WIDTH / 13.333
    assert 8.5 < shown < MIN_SLIDE_FONT
    (small,) = [w for w in caught if issubclass(w.category, SmallTextWarning)]
    assert str(small.message).endswith(
        "less than 10 pt; fewer groups (more departments sharing one) draw them larger"
    )


def test_grouped_partners_are_rolled_up():
    data = generate(400, seed=2, services_per_department=3)
    data["partners"] += [{"id": f"px{i}", "name": f"Vendor {i}"} for i in range(12)]
    data["services"] += [{"from": f"px{i}", "to": data["departments"][i]["id"]} for i in range(12)]
    drawing = draw_chain(Chain.from_dict(data), group_by="group")
    assert "partners:all" in drawing.boxes
    assert not any(drawing.labels[n].get_text().startswith("Vendor") for n in drawing.labels)


# --- command line -----------------------------------------------------------------------------


def test_draw_threshold_and_depth_usage(runner, tmp_path):
    out = tmp_path / "x.svg"
    result = runner.invoke(main, ["draw", str(FLOWERSHOP), "-o", str(out), "--depth", "2"])
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --depth needs --highlight NODE\n")
    result = runner.invoke(main, ["draw", str(FLOWERSHOP), "-o", str(out), "--threshold", "7"])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--threshold': 7 is not inside the model's scale (1 to 5)\n"
    )
    result = runner.invoke(main, ["draw", str(FLOWERSHOP), "-o", str(out), "--size", "huge"])
    assert result.exit_code == 2
    assert "'huge' is not a page; give slide, a4, a4-portrait or WIDTHxHEIGHT" in result.stderr
    assert not out.exists()
    for args in (["--threshold", "60%", "--size", "a4-portrait"], ["--labels", "ratings"]):
        result = runner.invoke(
            main, ["draw", str(FLOWERSHOP), "-o", str(out), *args], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(b"<?xml")


def test_draw_says_when_labels_come_out_small(runner, tmp_path, monkeypatch):
    import servicechain.draw.page as page

    monkeypatch.setattr(page, "MAX_FONT", 8.0)  # as a crowded model would come out
    out = tmp_path / "x.png"
    result = runner.invoke(main, ["draw", str(FLOWERSHOP), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stderr == (
        "Warning: the labels come out at 8.0 pt on a 13.33 in slide, less than 10 pt; one box "
        "per group (--by-group) draws them larger\n"
    )


def test_diagram_and_exports_share_one_layout(example):
    from servicechain.draw.layout import diagram_layout
    from servicechain.export import export

    chain = servicechain.load(example)
    layout = diagram_layout(chain.graph)
    assert draw_chain(chain).layout.pos == layout.pos
    dot = export(chain, "dot")
    for node, (x, y) in layout.pos.items():
        assert f'pos="{x * 115.5:.2f},{y * 115.5:.2f}!"' in dot, node
    drawio = export(chain, "drawio")
    assert drawio.count('<Array as="points">') == sum(
        1 for route in layout.routes.values() if len(route) > 7
    )


def test_no_bundled_name_is_cut_short(example):
    from servicechain.draw.layout import diagram_layout

    graph = servicechain.load(example).graph
    layout = diagram_layout(graph)
    for node, name in graph.nodes(data="name"):
        assert "".join(layout.lines[node]).replace(" ", "") == name.replace(" ", ""), node

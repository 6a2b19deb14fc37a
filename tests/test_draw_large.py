"""Diagrams of large models: box limits before any figure, collapsed segments and partners in
grouped diagrams, bounded figure size and raster, crossings counted in linear memory."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import networkx as nx
import numpy as np
import pytest
from matplotlib.colors import to_rgba

import servicechain
from servicechain.cli import main
from servicechain.draw import crossings as crossings_module
from servicechain.draw import layout as layout_module
from servicechain.draw import render as render_module
from servicechain.draw.collapse import PARTNERS_NODE, grouped_boxes
from servicechain.draw.diagram import MAX_OUTSIDE_BOXES, draw_chain
from servicechain.draw.render import (
    MAX_FIGURE_INCHES,
    MAX_PIXELS,
    DiagramTooLargeError,
    render_graph,
)
from servicechain.draw.style import KIND_FILL
from servicechain.errors import UnknownNodeError
from servicechain.samples.generate import generate, write_json

matplotlib.use("Agg")

SAPATARIA = Path(__file__).resolve().parent.parent / "models" / "sapataria.yaml"


@pytest.fixture(scope="module")
def big_path(tmp_path_factory) -> Path:
    """2,100 departments in 45 groups, 42 partners, 45 segments: more of each outside kind
    than a grouped diagram draws one box each."""
    path = tmp_path_factory.mktemp("draw_large") / "big.json"
    write_json(generate(2100, segments=45, seed=1, services_per_department=3), path)
    return path


@pytest.fixture(scope="module")
def big(big_path):
    return servicechain.load(big_path)


def test_grouped_diagram_collapses_segments_and_partners(big):
    net_kinds = [big.graph.nodes[n]["kind"] for n in big.graph]
    segments, partners = net_kinds.count("segment"), net_kinds.count("partner")
    assert segments > MAX_OUTSIDE_BOXES and partners > MAX_OUTSIDE_BOXES

    drawing = draw_chain(big, group_by="group", color="none")
    graph_nodes = set(drawing.boxes)
    assert PARTNERS_NODE in graph_nodes
    labels = {n: drawing.labels[n].get_text().replace("\n", " ") for n in drawing.labels}
    assert labels[PARTNERS_NODE] == f"external partners ({partners})"
    seg_boxes = [n for n in graph_nodes if str(n).startswith("segments:")]
    assert 1 < len(seg_boxes) <= 10  # five kinds x two relationships at most
    assert not any(
        n in graph_nodes for n in big.graph if big.graph.nodes[n]["kind"] != "department"
    )
    counted = sum(int(labels[n].split("(")[1].split()[0].replace(",", "")) for n in seg_boxes)
    assert counted == segments
    assert any(
        labels[n].startswith(("consumer customers (", "business clients (")) for n in seg_boxes
    )
    notes = [t.get_text() for t in drawing.captions]
    said = (
        f"{segments} segments drawn as {len(seg_boxes)} boxes by kind and relationship; "
        f"{partners} partners as one box"
    ).capitalize()
    # and, groups serving nearly every other group, which arrows are drawn
    assert any(note.startswith(f"{said}; arrows: the 110 of ") for note in notes)


def test_grouped_diagram_is_coloured_and_deterministic(big):
    def svg() -> bytes:
        buffer = io.BytesIO()
        draw_chain(big, group_by="group").save(buffer, format="svg")
        return buffer.getvalue()

    first = svg()
    assert first == svg()
    drawing = draw_chain(big, group_by="group")
    # collapsed boxes are coloured by the mean quality of their members, not left neutral
    for box in (PARTNERS_NODE, "segments:consumer/customer"):
        assert drawing.boxes[box].get_facecolor() != to_rgba(KIND_FILL[big_kind(box)])


def big_kind(box: str) -> str:
    return "partner" if box == PARTNERS_NODE else "segment"


def test_highlight_of_a_collapsed_segment_names_its_box(big):
    segment = next(n for n in big.graph if big.graph.nodes[n]["kind"] == "segment")
    drawing = draw_chain(big, group_by="group", color="none", highlight=segment)
    seg = big.graph.nodes[segment]
    box = f"segments:{seg['segment_kind']}/{seg['relationship']}"
    assert drawing.boxes[box].get_facecolor()[3] == pytest.approx(1.0)
    with pytest.raises(UnknownNodeError, match="did you mean"):
        draw_chain(big, group_by="group", color="none", highlight=segment + "x")


def test_small_grouped_diagram_is_not_collapsed():
    chain = servicechain.load(SAPATARIA)
    drawing = draw_chain(chain, group_by="group", color="none")
    assert PARTNERS_NODE not in drawing.boxes
    assert all(not str(n).startswith("segments:") for n in drawing.boxes)
    segments = [n for n in chain.graph if chain.graph.nodes[n]["kind"] == "segment"]
    assert set(segments) <= set(drawing.boxes)


def test_box_limit_is_checked_before_any_figure(monkeypatch):
    chain = servicechain.load(SAPATARIA)
    boxes = chain.graph.number_of_nodes()

    def fail(*args, **kwargs):
        raise AssertionError("a figure was made")

    monkeypatch.setattr(render_module, "render_graph", fail)
    monkeypatch.setattr(layout_module, "layered_layout", fail)
    kinds = [k for _, k in chain.graph.nodes(data="kind")]
    with pytest.raises(DiagramTooLargeError) as info:
        draw_chain(chain, color="none", max_boxes=boxes - 1)
    assert str(info.value) == (
        f"{boxes} boxes ({kinds.count('department')} departments, {kinds.count('partner')} "
        f"partners, {kinds.count('segment')} segments) are too many to draw legibly (at most "
        f"{boxes - 1}); draw one segment's chain with --segment SEGMENT, or roll up with "
        "--by-group (which also draws many segments and partners as a few boxes)"
    )


def test_grouped_diagram_with_too_many_groups_says_what_to_do(big):
    with pytest.raises(DiagramTooLargeError) as info:
        draw_chain(big, group_by="group", color="none", max_departments=10)
    assert str(info.value) == (
        "45 departments and groups are too many to draw legibly (at most 10); give more "
        "departments a group, or draw one segment's chain with --segment SEGMENT --by-group"
    )


def test_cli_large_model_ungrouped_is_refused_grouped_is_drawn(runner, big_path, tmp_path):
    out = tmp_path / "chain.svg"
    result = runner.invoke(main, ["draw", str(big_path), "-o", str(out), "--color", "none"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 2,100 departments are too many to draw legibly (at most 200); draw one "
        "segment's chain with --segment SEGMENT, or roll up with --by-group (which also "
        "draws many segments and partners as a few boxes)\n"
    )
    assert not out.exists()
    result = runner.invoke(
        main,
        ["draw", str(big_path), "-o", str(out), "--by-group", "--color", "none"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {out}\n"
    assert out.stat().st_size > 0


def _tall_graph(n: int) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_node("s", kind="segment", name="Clients")
    for i in range(n):
        graph.add_node(f"d{i:04d}", kind="department", name=f"Department {i}")
        graph.add_edge(f"d{i:04d}", "s", reliance=0.5)
    return graph


def test_figure_size_and_raster_are_capped(monkeypatch):
    # a page far larger than the cap: the figure is capped, the text shrinks to fit
    monkeypatch.setattr(render_module, "MAX_FIGURE_INCHES", 40.0)
    drawing = render_graph(_tall_graph(300), title="Tall", dpi=600, size=(500, 900))
    w, h = drawing.figure.get_size_inches()
    assert max(w, h) <= 40.0 + 1e-9
    assert w * h * drawing.figure.dpi**2 <= MAX_PIXELS * 1.0001
    buffer = io.BytesIO()
    drawing.save(buffer, format="png", dpi=1200)
    width_px = int.from_bytes(buffer.getvalue()[16:20], "big")
    height_px = int.from_bytes(buffer.getvalue()[20:24], "big")
    assert width_px * height_px <= MAX_PIXELS * 1.01
    assert height_px > 1000


def test_default_cap_leaves_ordinary_diagrams_alone():
    chain = servicechain.load(SAPATARIA)
    drawing = draw_chain(chain, color="none", dpi=150)
    assert drawing.figure.dpi == 150
    assert max(drawing.figure.get_size_inches()) < MAX_FIGURE_INCHES


def test_crossings_by_merge_sort_match_the_pairwise_count():
    rng = np.random.default_rng(7)
    for n in (2, 3, 10, 257, 1500):
        a = rng.integers(0, 25, n) / 25
        b = rng.integers(0, 17, n) / 17
        da = a[:, None] - a[None, :]
        db = b[:, None] - b[None, :]
        assert crossings_module.inversions(a, b) == int(np.count_nonzero(da * db < -1e-12)) // 2


def test_collapse_keeps_every_service():
    data = {
        "name": "Desk",
        "departments": [{"id": "d", "name": "Desk"}],
        "partners": [{"id": f"p{i}", "name": f"P{i}"} for i in range(9)],
        "segments": [
            {
                "id": f"s{i}",
                "name": f"S{i}",
                "kind": ("consumer", "business")[i % 2],
                "relationship": "client",
            }
            for i in range(12)
        ],
        "services": [{"from": f"p{i}", "to": "d", "quality": 0.5} for i in range(9)]
        + [
            {"from": "d", "to": f"s{i}", "weight": 2, **({"quality": 1.0} if i % 2 else {})}
            for i in range(12)
        ],
    }
    boxes = grouped_boxes(servicechain.Chain.from_dict(data), slide=3)
    collapsed = boxes.graph()
    assert list(collapsed) == ["d", "partners:all", "segments:consumer/client",
                               "segments:business/client"]  # fmt: skip
    edge = collapsed.edges["d", "segments:business/client"]
    assert edge["count"] == 6 and edge["quality"] == 1.0 and edge["weight"] == 12
    assert collapsed.edges["d", "segments:consumer/client"]["quality"] is None
    assert collapsed.edges[PARTNERS_NODE, "d"]["count"] == 9
    assert sum(c for _, _, c in collapsed.edges(data="count")) == len(data["services"])
    assert boxes.members_of["s3"] == "segments:business/client"
    assert boxes.note == (
        "12 segments drawn as 2 boxes by kind and relationship; 9 partners as one box"
    )

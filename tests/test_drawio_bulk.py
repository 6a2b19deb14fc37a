"""draw.io files of big models: the fast placement on arrays (columns as the diagram has them,
wrapped to a slide's shape, no two boxes overlapping), the file written a block at a time, and
the round trip back into the model at a size where the fast placement is used."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicechain import Chain, load
from servicechain.cli import main
from servicechain.draw import bulk
from servicechain.draw.bulk import BULK_FROM, bulk_columns, bulk_placement
from servicechain.draw.depth import columns
from servicechain.export import drawio, export, export_chunks
from servicechain.export.drawio import drawio_positions
from servicechain.io.drawio import read_drawio
from servicechain.io.merge import merge_sketch
from servicechain.samples.generate import generate, write_json

from . import drawio_edits as edit


def _organisation(tmp_path_factory, departments: int, seed: int) -> Chain:
    path = tmp_path_factory.mktemp("bulk") / f"org-{departments}.json"
    write_json(generate(departments, seed=seed), path)
    return load(path)  # through the JSON fast path, as big models are read


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Chain:
    """The smallest generated organisation placed by the fast placement."""
    chain = _organisation(tmp_path_factory, BULK_FROM, seed=5)
    assert BULK_FROM <= chain.network.n < 2 * BULK_FROM
    return chain


def _boxes(text: str) -> dict:
    """Model id → (x, y, width, height) of its box on the page, and the kind of each."""
    root = ET.fromstring(text)
    out = {}
    for wrapper in root.iter("object"):
        if wrapper.get("sc_id") is None:
            continue
        cell = wrapper.find("mxCell")
        assert cell.get("parent") == "1"  # no group frames: every box on the page itself
        g = cell.find("mxGeometry")
        out[wrapper.get("sc_id")] = tuple(float(g.get(k)) for k in ("x", "y", "width", "height"))
    return out


def _assert_no_overlap(boxes) -> None:
    """No two boxes share any area: boxes stand in sub-columns of one width, apart from each
    other, and one below the other within a sub-column."""
    spans = sorted({(x, x + w) for x, _, w, _ in boxes})
    for (_, right), (left, _) in pairwise(spans):
        assert right < left
    for x0, x1 in spans:
        rows = sorted((y, y + h) for x, y, w, h in boxes if (x, x + w) == (x0, x1))
        for (_, bottom), (top, _) in pairwise(rows):
            assert bottom < top


# --- the placement ---------------------------------------------------------------------------


def test_columns_are_the_diagrams_columns(big):
    found = bulk_columns(big)
    expected = columns(big.graph)
    assert found.tolist() == [expected[n] for n in big.network.ids]


def test_departments_reaching_no_segment_stand_where_the_diagram_puts_them():
    data = {
        "name": "x",
        "departments": [{"id": i, "name": i.upper()} for i in ("a", "b", "c", "d", "e", "f")],
        "partners": [{"id": "p", "name": "P"}],
        "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"}],
        "services": [
            {"from": "p", "to": "a"},
            {"from": "a", "to": "b"},
            {"from": "b", "to": "s"},
            {"from": "a", "to": "c"},  # c, d, e reach no segment
            {"from": "c", "to": "d"},
            {"from": "d", "to": "e"},  # f serves nobody and is served by nobody
        ],
    }
    chain = Chain.from_dict(data)
    expected = columns(chain.graph)
    assert bulk_columns(chain).tolist() == [expected[n] for n in chain.network.ids]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(20, 400), st.integers(0, 10_000))
def test_columns_agree_with_the_diagram_on_generated_organisations(departments, seed):
    chain = Chain.from_dict(generate(departments, seed=seed))
    expected = columns(chain.graph)
    assert bulk_columns(chain).tolist() == [expected[n] for n in chain.network.ids]


@pytest.mark.parametrize("departments", [BULK_FROM, 6_000])
def test_no_two_boxes_overlap_and_columns_read_left_to_right(tmp_path_factory, departments):
    chain = _organisation(tmp_path_factory, departments, seed=departments)
    boxes = _boxes(export(chain, "drawio"))
    assert set(boxes) == set(chain.network.ids)
    _assert_no_overlap(list(boxes.values()))
    column = dict(zip(chain.network.ids, bulk_columns(chain).tolist(), strict=True))
    left = {c: min(boxes[n][0] for n in boxes if column[n] == c) for c in set(column.values())}
    right = {c: max(sum(boxes[n][::2]) for n in boxes if column[n] == c) for c in left}
    order = sorted(left)
    assert order[0] == 0 and order[-1] == max(column.values())  # partners ... segments
    for a, b in pairwise(order):
        assert right[a] < left[b]


def test_the_drawing_has_a_slides_shape_and_the_boundary_holds_the_departments(big):
    place = bulk_placement(big)
    x0, y0 = (place.x - place.width / 2).min(), (place.y - place.height / 2).min()
    x1, y1 = (place.x + place.width / 2).max(), (place.y + place.height / 2).max()
    assert 1.2 < (x1 - x0) / (y1 - y0) < 2.5  # about 16:9, not one endless column
    bx, by, bw, bh = place.boundary
    kind = np.asarray(big.network.kind)
    dept = kind == 0
    assert (place.x[dept] - place.width[dept] / 2 > bx).all()
    assert (place.x[dept] + place.width[dept] / 2 < bx + bw).all()
    assert (place.y[dept] - place.height[dept] / 2 > by).all()
    assert (place.y[dept] + place.height[dept] / 2 < by + bh).all()
    assert (place.x[kind == 1] < bx).all() and (place.x[kind == 2] > bx + bw).all()
    # the line of visibility: right of every back-office box, left of every front-line box
    front = dept & (place.column == place.column[dept].max())
    back = dept & ~front
    assert (place.x[back] + place.width[back] / 2 < place.visibility_x).all()
    assert (place.x[front] - place.width[front] / 2 > place.visibility_x).all()


def test_boxes_that_work_together_stand_level(big, monkeypatch):
    """The barycentre passes bring customers level with their suppliers: arrows rise or fall
    less than with the boxes in their starting order (by group, then file order)."""
    net = big.network
    src, dst = np.asarray(net.source), np.asarray(net.target)
    place = bulk_placement(big)
    monkeypatch.setattr(bulk, "_PASSES", 0)
    start = bulk_placement(big)
    slope = np.abs(place.y[src] - place.y[dst]).mean()
    assert slope < np.abs(start.y[src] - start.y[dst]).mean()


def test_the_same_model_gives_the_same_file(big):
    assert export(big, "drawio") == export(big, "drawio")


# --- the file --------------------------------------------------------------------------------


def test_the_file_is_written_a_block_at_a_time(big, monkeypatch):
    whole = export(big, "drawio")
    monkeypatch.setattr(drawio, "_BLOCK", 1000)
    chunks = list(export_chunks(big, "drawio"))
    assert "".join(chunks) == whole  # no row lost or repeated where a block ends
    assert len(chunks) >= (big.network.n + big.network.m) // 1000
    root = ET.fromstring(whole)
    assert root.tag == "mxfile" and root.find("diagram").get("name") == big.name


def test_every_box_and_arrow_is_bound_and_labelled(big):
    root = ET.fromstring(export(big, "drawio"))
    objects = {o.get("id"): o for o in root.iter("object")}
    net = big.network
    names = dict(zip(net.ids, net.names, strict=True))
    boxes = {o.get("sc_id"): o for o in objects.values() if o.get("sc_id") is not None}
    assert len(boxes) == net.n
    for ident, wrapper in boxes.items():
        assert wrapper.get("label") == names[ident]
        assert wrapper.find("mxCell").get("vertex") == "1"
    arrows = [o for o in objects.values() if o.get("sc_from") is not None]
    assert len(arrows) == net.m
    services = {(s.source, s.target): s for s in big.model.services}
    for wrapper in arrows:
        cell = wrapper.find("mxCell")
        ends = (wrapper.get("sc_from"), wrapper.get("sc_to"))
        assert (
            objects[cell.get("source")].get("sc_id"),
            objects[cell.get("target")].get("sc_id"),
        ) == ends
        assert wrapper.get("label") == (services[ends].name or "")
        width = 1 + 3 * big.graph.edges[ends]["reliance"]  # as the small models' arrows
        assert f"strokeWidth={width:.1f};" in cell.get("style")


# --- the round trip --------------------------------------------------------------------------


def test_every_node_and_service_comes_back_from_a_big_drawing(big):
    text = export(big, "drawio")
    sketch = read_drawio(text)
    placed = drawio_positions(big)
    assert len(sketch.boxes) == big.network.n
    graph = big.graph
    for box in sketch.boxes:
        assert box.centre == pytest.approx(placed[box.model_id], abs=0.11)
        assert box.kind == graph.nodes[box.model_id]["kind"]
        assert box.group == graph.nodes[box.model_id].get("group")
        assert box.label == graph.nodes[box.model_id]["name"]
    assert sorted(a.service for a in sketch.arrows) == sorted(graph.edges())
    merged = merge_sketch(big.model, sketch, placed=placed)
    assert merged.changes == [] and merged.derived == {}
    assert merged.model == big.model


def test_a_box_moved_in_a_big_drawing_pins_every_box_and_comes_back_there(big):
    mx = edit.parse(export(big, "drawio"))
    node = big.network.ids[7]
    edit.move(mx, edit.box(mx, node), 500, -40)
    placed = drawio_positions(big)
    merged = merge_sketch(big.model, read_drawio(edit.saved(mx)), placed=placed)
    assert [c.subject for c in merged.changes] == [node]
    pinned = Chain(merged.model, checked=True)
    again = drawio_positions(pinned)
    want = {n: (p.x, p.y) for n, p in merged.model.layout.items()}
    assert set(want) == set(again)
    for n, centre in again.items():
        assert centre == pytest.approx(want[n], abs=0.11)
    assert again[node] == pytest.approx((placed[node][0] + 500, placed[node][1] - 40), abs=0.11)


def test_boxes_added_to_a_pinned_big_model_stand_clear_of_the_pinned_ones(big):
    data = big.model.model_dump(by_alias=True, exclude_none=True)
    placed = drawio_positions(big)
    # pin a third of the boxes where the drawing put them, the others are placed anew
    data["layout"] = {n: {"x": x, "y": y} for n, (x, y) in list(placed.items())[::3]}
    chain = Chain.from_dict(data)
    again = drawio_positions(chain)
    for n, p in data["layout"].items():
        assert again[n] == pytest.approx((p["x"], p["y"]), abs=0.06)
    boxes = _boxes(export(chain, "drawio"))
    pinned = [boxes[n] for n in data["layout"]]
    free = [boxes[n] for n in boxes if n not in data["layout"]]
    top = min(y for _, y, _, _ in free)
    assert all(y + h < top for _, y, _, h in pinned)
    _assert_no_overlap(free)


def test_cli_writes_a_big_drawing_that_reads_back(big, runner, tmp_path):
    out = tmp_path / "org.drawio"
    args = ["export", big.file, "-o", str(out)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0 and result.stdout == f"Wrote {out} (drawio).\n"
    assert out.read_text(encoding="utf-8") == export(big, "drawio")
    sketch = read_drawio(out.read_bytes())
    assert len(sketch.boxes) == big.network.n and len(sketch.arrows) == big.network.m

"""Exports: every format parsed by a real parser, round trips, hostile names escaped."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from servicechain import Chain, load
from servicechain.cli import main
from servicechain.export import FORMATS, export

FLOWERSHOP = str(Path(__file__).resolve().parent.parent / "models" / "flowershop.yaml")
HOSTILE = '<script>alert("x")</script> ]]> & =HYPERLINK("u") \\N #1; a|b `c`\n客服 [x] {y}'


def hostile_chain() -> Chain:
    return Chain.from_dict(
        {
            "name": HOSTILE,
            "scale": {"min": 1, "max": 5},
            "departments": [
                {"id": "a", "name": HOSTILE, "group": HOSTILE, "quality": 4},
                {"id": 'b"q', "name": "B", "notes": HOSTILE},
            ],
            "partners": [{"id": "p<1>", "name": HOSTILE}],
            "segments": [
                {"id": "s&1", "name": HOSTILE, "kind": "consumer", "relationship": "customer"}
            ],
            "services": [
                {"from": "a", "to": 'b"q', "name": HOSTILE, "quality": 3},
                {"from": 'b"q', "to": "s&1", "name": HOSTILE},
                {"from": "p<1>", "to": "a"},
            ],
        }
    )


def _attrs_without_none(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items() if v is not None}


def test_graphml_reads_back_into_the_same_graph(example):
    chain = load(example)
    back = nx.read_graphml(io.StringIO(export(chain, "graphml")))
    assert list(back.nodes) == list(chain.graph.nodes)
    assert set(back.edges) == set(chain.graph.edges)
    for node, attrs in chain.graph.nodes(data=True):
        assert back.nodes[node] == _attrs_without_none(attrs)
    for u, v, attrs in chain.graph.edges(data=True):
        assert back.edges[u, v] == _attrs_without_none(attrs)
    lo, hi = chain.graph.graph["scale"]
    assert (back.graph["name"], back.graph["scale_min"], back.graph["scale_max"]) == (
        chain.model.name,
        lo,
        hi,
    )


def test_gexf_and_json_read_back(example):
    chain = load(example)
    gexf = nx.read_gexf(io.StringIO(export(chain, "gexf")))
    assert set(gexf.nodes) == set(chain.graph.nodes)
    assert set(gexf.edges) == set(chain.graph.edges)
    some = next(iter(chain.graph))
    assert gexf.nodes[some]["label"] == chain.graph.nodes[some]["name"]
    data = json.loads(export(chain, "json"))
    back = nx.node_link_graph(data, edges="edges")
    assert set(back.edges) == set(chain.graph.edges)
    assert back.nodes[some] == _attrs_without_none(chain.graph.nodes[some])


def test_hostile_text_survives_every_xml_format():
    chain = hostile_chain()
    graph = nx.read_graphml(io.StringIO(export(chain, "graphml")))
    assert graph.nodes["a"]["name"] == HOSTILE
    assert graph.edges["a", 'b"q']["name"] == HOSTILE
    gexf = nx.read_gexf(io.StringIO(export(chain, "gexf")))
    assert gexf.nodes["p<1>"]["label"] == HOSTILE
    root = ET.fromstring(export(chain, "drawio"))
    values = [c.get("label") for c in root.iter("object")]
    assert HOSTILE in values  # the service label, unwrapped
    assert root.find("diagram").get("name") == HOSTILE
    assert {o.get("sc_id") for o in root.iter("object")} >= {"a", 'b"q', "p<1>", "s&1"}


def _drawio_cells(text: str) -> dict:
    """Cell id → the ``mxCell``, with the attributes of its ``<object>`` wrapper (id, label,
    properties) copied onto it, as draw.io reads them."""
    root = ET.fromstring(text)
    assert root.tag == "mxfile"
    cells = {c.get("id"): c for c in root.iter("mxCell") if c.get("id")}
    for wrapper in root.iter("object"):
        cell = wrapper.find("mxCell")
        assert cell.get("id") is None  # draw.io keeps the id on the wrapper
        for key, value in wrapper.attrib.items():
            cell.set("value" if key == "label" else key, value)
        cells[wrapper.get("id")] = cell
    return cells


def _frames_hold_their_members_only(cells: dict, containers: list) -> None:
    """No frame touches a box it does not hold, nor another frame (absolute page pixels)."""

    def absolute(cell) -> tuple[float, float, float, float]:
        g = cell.find("mxGeometry")
        x, y = float(g.get("x", 0)), float(g.get("y", 0))
        parent = cells.get(cell.get("parent"))
        if parent is not None and parent.find("mxGeometry") is not None:
            px, py, _, _ = absolute(parent)
            x, y = x + px, y + py
        return x, y, float(g.get("width")), float(g.get("height"))

    def touch(a, b) -> bool:
        return (
            a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
        )

    boxes = {i: c for i, c in cells.items() if str(i).startswith("node-")}
    for frame in containers:
        area = absolute(frame)
        for box in boxes.values():
            if box.get("parent") != frame.get("id"):
                assert not touch(area, absolute(box)), (frame.get("value"), box.get("value"))
        for other in containers:
            if other is not frame:
                assert not touch(area, absolute(other))


def test_drawio_structure(example):
    chain = load(example)
    cells = _drawio_cells(export(chain, "drawio"))
    vertices = {i: c for i, c in cells.items() if c.get("vertex") == "1"}
    edges = [c for c in cells.values() if c.get("edge") == "1"]
    assert len(edges) == chain.graph.number_of_edges()
    for edge in edges:  # bound to both ends, so an edge follows a moved box
        assert edge.get("source") in vertices and edge.get("target") in vertices
        source, target = cells[edge.get("source")], cells[edge.get("target")]
        assert (edge.get("sc_from"), edge.get("sc_to")) == (
            source.get("sc_id"),
            target.get("sc_id"),
        )
        assert chain.graph.has_edge(edge.get("sc_from"), edge.get("sc_to"))
    for background in ("company", "visibility"):  # locked, behind, holding nothing
        style = vertices[background].get("style")
        assert "locked=1" in style and "container=1" not in style
        assert not any(c.get("parent") == background for c in cells.values())
    groups = {d.group for d in chain.model.departments if d.group}
    containers = [c for i, c in vertices.items() if i.startswith("group-")]
    assert all("container=1" in c.get("style") for c in containers)
    framed = {c.get("value") for c in containers}
    as_property = {c.get("sc_group") for c in vertices.values() if c.get("sc_group")}
    assert framed | as_property == groups and not framed & as_property
    for d in chain.model.departments:  # each member: in its group's frame, or carrying its name
        cell = next(
            c for i, c in vertices.items() if i.startswith("node-") and c.get("sc_id") == d.id
        )
        parent = cells[cell.get("parent")]
        assert (parent.get("value") if parent in containers else cell.get("sc_group")) == d.group
    _frames_hold_their_members_only(cells, containers)
    nodes = [c for i, c in vertices.items() if i.startswith("node-")]
    assert len(nodes) == chain.graph.number_of_nodes()
    assert {c.get("sc_id") for c in nodes} == set(chain.graph)
    for cell in nodes:
        geometry = cell.find("mxGeometry")
        assert float(geometry.get("width")) > 0 and float(geometry.get("height")) > 0
        assert cell.get("parent") in cells
        assert cell.get("sc_kind") == chain.graph.nodes[cell.get("sc_id")]["kind"]


def test_drawio_positions_follow_the_layout_columns():
    from servicechain.draw.layout import layered_layout

    chain = load(FLOWERSHOP)
    layout = layered_layout(chain.graph)
    cells = _drawio_cells(export(chain, "drawio"))

    def absolute_x(cell) -> float:
        x = 0.0
        while cell is not None and cell.find("mxGeometry") is not None:
            x += float(cell.find("mxGeometry").get("x"))
            cell = cells.get(cell.get("parent"))
        return x

    ids = list(chain.graph)
    xs = {n: absolute_x(cells[f"node-{i}"]) for i, n in enumerate(ids)}
    for u in ids:
        for v in ids:
            if layout.column[u] < layout.column[v]:
                assert xs[u] < xs[v]


MERMAID_ID = r"(?!end\b|click\b|style\b|class\b)[A-Za-z][A-Za-z0-9_]*"
MERMAID_LINE = re.compile(
    r"(flowchart LR"
    r'|\s+subgraph \w+\["[^"\n]*"\]'
    r"|\s+end"
    rf'|\s+{MERMAID_ID}(\["[^"\n]*"\]|\(\["[^"\n]*"\]\)|\[/"[^"\n]*"/\])'
    rf'|\s+{MERMAID_ID} -->(\|"[^"|\n]*"\|)? {MERMAID_ID})'
)


def _check_mermaid(text: str) -> None:
    """Every line one of the statements the export writes (no directive, comment, ``click``
    callback, style or class line can appear), quoted labels, balanced subgraphs."""
    assert "%%" not in text and "\x1b" not in text
    depth = 0
    for line in text.splitlines():
        assert MERMAID_LINE.fullmatch(line), line
        depth += line.strip().startswith("subgraph ") - (line.strip() == "end")
        assert depth >= 0
    assert depth == 0


def test_mermaid_structure(example):
    chain = load(example)
    text = export(chain, "mermaid")
    _check_mermaid(text)
    assert text.count("-->") == chain.graph.number_of_edges()
    assert 'subgraph company["' in text


def test_mermaid_escapes_hostile_text():
    text = export(hostile_chain(), "mermaid")
    _check_mermaid(text)
    assert "<script>" not in text and "#lt;script#gt;" in text
    assert "客服" in text


def test_dot_escapes_hostile_text():
    text = export(hostile_chain(), "dot")
    assert r"\"x\"" in text and r"\\N" in text and "\\n客服" in text
    # nodes are named n1, n2, ... and carry the model id, escaped, as a comment
    assert 'comment="b\\"q"' in text and 'comment="s&1"' in text


@pytest.fixture
def graphviz() -> str:
    """The path of Graphviz's ``dot``; skipped without it, except under CI (``.ci/run`` installs
    it there, so a missing ``dot`` is a failure)."""
    found = shutil.which("dot")
    if found is None:
        reason = "Graphviz `dot` is not installed (Debian's graphviz package; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the DOT check cannot run: {reason}")
        pytest.skip(reason)
    return found


def _check_dot(graphviz: str, text: str, tmp_path: Path) -> None:
    path = tmp_path / "chain.dot"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [graphviz, "-Tsvg", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout


def test_dot_is_accepted_by_graphviz(example, graphviz, tmp_path):
    _check_dot(graphviz, export(load(example), "dot"), tmp_path)


def test_dot_with_hostile_names_is_accepted_by_graphviz(graphviz, tmp_path):
    _check_dot(graphviz, export(hostile_chain(), "dot"), tmp_path)


def test_cli_export_every_format(runner, tmp_path):
    for fmt in FORMATS:
        out = tmp_path / f"x.{fmt}"
        result = runner.invoke(
            main,
            ["export", FLOWERSHOP, "-f", fmt, "-o", str(out)],
            catch_exceptions=False,
        )
        assert result.exit_code == 0
        assert result.stdout == f"Wrote {out} ({fmt}).\n"
        assert out.stat().st_size > 0


def test_cli_export_unknown_format_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["export", FLOWERSHOP, "-f", "svgg", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "'svgg' is not one of" in result.stderr


def test_dot_keeps_the_diagram_places_and_routes_under_neato(graphviz, tmp_path):
    from servicechain.draw.layout import diagram_layout
    from servicechain.export.dot import POINTS_PER_UNIT

    chain = load(Path(__file__).resolve().parent.parent / "models" / "hospital.yaml")
    path = tmp_path / "chain.dot"
    path.write_text(export(chain, "dot"), encoding="utf-8")
    neato = str(Path(graphviz).with_name("neato"))
    done = subprocess.run(
        [neato, "-n2", "-Tplain", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    ids = {f"n{i}": ident for i, ident in enumerate(chain.graph, start=1)}
    placed = {
        ids[parts[1]]: (float(parts[2]), float(parts[3]))
        for parts in (line.split() for line in done.stdout.splitlines())
        if parts[0] == "node" and not parts[1].startswith("__column")
    }
    layout = diagram_layout(chain.graph)
    assert set(placed) == set(chain.graph)
    # Graphviz may shift the drawing as a whole: compare every place with one reference
    ref = "it"
    scale = POINTS_PER_UNIT / 72
    for node, (x, y) in placed.items():
        dx = (layout.pos[node][0] - layout.pos[ref][0]) * scale
        dy = (layout.pos[node][1] - layout.pos[ref][1]) * scale
        assert x - placed[ref][0] == pytest.approx(dx, abs=0.01)
        assert y - placed[ref][1] == pytest.approx(dy, abs=0.01)
    text = path.read_text(encoding="utf-8")
    assert text.count(', pos="e,') == chain.graph.number_of_edges()


def test_dot_keeps_ids_apart_that_graphviz_would_merge_or_hide(graphviz, tmp_path):
    """Ids that differ only by a control character, an id shaped like a column anchor and one
    starting with % each stay one node of their own."""
    ids = ["a\x01", "a\x02", "__column_1", "%3", "edge", "node"]
    chain = Chain.from_dict(
        {
            "name": "x",
            "departments": [{"id": i, "name": f"D{k}"} for k, i in enumerate(ids)],
            "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
            "services": [{"from": i, "to": "s"} for i in ids],
        }
    )
    path = tmp_path / "chain.dot"
    path.write_text(export(chain, "dot"), encoding="utf-8")
    done = subprocess.run(
        [graphviz, "-Tplain", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = [line.split() for line in done.stdout.splitlines()]
    nodes = [p[1] for p in lines if p[0] == "node" and not p[1].startswith('"__column')]
    nodes = [n for n in nodes if not n.startswith("__column")]
    assert sorted(nodes) == sorted(f"n{i}" for i in range(1, len(ids) + 2))
    assert sum(p[0] == "edge" for p in lines) >= len(ids)

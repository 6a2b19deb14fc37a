"""Chain diagrams: layout invariants, rendering, determinism, fonts and the draw command."""

from __future__ import annotations

import itertools
import re
import warnings
from pathlib import Path

import matplotlib
import networkx as nx
import pytest

import servicechain
from servicechain.cli import main
from servicechain.draw import columns, label_lines, layered_layout
from servicechain.draw.diagram import draw_chain
from servicechain.draw.fonts import MissingGlyphsWarning, font_families, missing_characters
from servicechain.draw.layout import segment_distance
from servicechain.draw.render import DiagramTooLargeError, DrawError
from servicechain.structure.tracing import distance_to_segment

matplotlib.use("Agg")

MODELS = Path(__file__).resolve().parent.parent / "models"
SAPATARIA = MODELS / "sapataria.yaml"
AIRLINE = MODELS / "airline.yaml"


def _chain(path):
    return servicechain.load(path)


def _overlap(a, b, tol=1e-9):
    return a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol


def _box(layout, n):
    (x, y), (w, h) = layout.pos[n], layout.size[n]
    return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


# --- layout ---------------------------------------------------------------------------------


def test_layout_invariants(example):
    graph = _chain(example).graph
    lay = layered_layout(graph)
    assert set(lay.pos) == set(graph) == set(lay.size) == set(lay.column)
    kinds = dict(graph.nodes(data="kind"))
    last = max(lay.column.values())
    dist = distance_to_segment(graph)
    deepest = max(d for n, d in dist.items() if d is not None and kinds[n] == "department")
    for n, kind in kinds.items():
        if kind == "partner":
            assert lay.column[n] == 0
        elif kind == "segment":
            assert lay.column[n] == last
        elif dist[n] is not None:  # columns match distances to the nearest segment
            assert lay.column[n] == deepest - dist[n] + 1
        else:
            assert 1 <= lay.column[n] < last - 1 or last == 2
    boxes = {n: _box(lay, n) for n in graph}
    for a, b in itertools.combinations(graph, 2):
        assert not _overlap(boxes[a], boxes[b]), (a, b)
    x0, _, x1, _ = lay.boundary
    for n, kind in kinds.items():
        inside = x0 <= boxes[n][0] and boxes[n][2] <= x1
        assert inside == (kind == "department"), n
    # partners left of the boundary, segments right of it, visibility line inside it
    assert x0 < lay.visibility_x < x1
    # same input, same positions
    again = layered_layout(servicechain.load(example).graph)
    assert again.pos == lay.pos and again.order == lay.order


def test_sweeps_reduce_crossings():
    graph = _chain(SAPATARIA).graph
    unswept = layered_layout(graph, sweeps=0)
    assert layered_layout(graph).crossings < unswept.crossings


def test_unreached_department_gets_a_column_beside_its_supplier():
    G = nx.DiGraph([("a", "b"), ("b", "s"), ("a", "x"), ("x", "y"), ("y", "x")])
    kinds = {"a": "department", "b": "department", "s": "segment", "x": "department"}
    nx.set_node_attributes(G, {**kinds, "y": "department"}, "kind")
    assert segment_distance(G) == {"s": 0, "b": 1, "a": 2, "x": 2, "y": 2}
    assert columns(G) == {"a": 1, "b": 2, "s": 3, "x": 1, "y": 1}


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("IT", ["IT"]),
        ("Colaboradores (desconto de pessoal)", ["Colaboradores", "(desconto de", "pessoal)"]),
        ("全球分销系统供应商", ["全球分销系", "统供应商"]),
        ("a " * 60, ["a a a a a a a a a a a a", "a a a a a a a a a a a a"] * 2),
    ],
)
def test_label_lines_wrap_and_balance(name, lines):
    got = label_lines(name)
    if name.startswith("a "):
        assert len(got) == 4 and got[-1].endswith("…")
    else:
        assert got == lines


# --- rendering ------------------------------------------------------------------------------


@pytest.mark.parametrize("color", ["quality", "importance", "none"])
def test_labels_fit_their_boxes_and_never_overlap(color):
    drawing = draw_chain(_chain(SAPATARIA), color=color, title="Check")
    renderer = drawing.figure.canvas.get_renderer()
    texts = {n: t.get_window_extent(renderer) for n, t in drawing.labels.items()}
    boxes = {n: b.get_window_extent(renderer) for n, b in drawing.boxes.items()}
    captions = [t.get_window_extent(renderer) for t in drawing.captions]
    for n, ext in texts.items():
        box = boxes[n]
        assert box.x0 <= ext.x0 and ext.x1 <= box.x1 and box.y0 <= ext.y0 and ext.y1 <= box.y1
    extents = [tuple(e.extents) for e in [*texts.values(), *captions]]
    for a, b in itertools.combinations(extents, 2):
        assert not _overlap(a, b)
    for cap in captions:
        for box in boxes.values():
            assert not _overlap(tuple(cap.extents), tuple(box.extents))


def test_every_example_draws_in_every_format(example, tmp_path):
    chain = _chain(example)
    drawing = draw_chain(chain)
    for fmt in ("svg", "png", "pdf"):
        drawing.save(tmp_path / f"chain.{fmt}")
        assert (tmp_path / f"chain.{fmt}").stat().st_size > 1000


@pytest.mark.parametrize("fmt", ["svg", "pdf", "png"])
def test_same_model_gives_identical_bytes(fmt, tmp_path):
    path = SAPATARIA
    draw_chain(_chain(path)).save(tmp_path / f"a.{fmt}")
    draw_chain(_chain(path)).save(tmp_path / f"b.{fmt}")
    assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()


def test_svg_has_no_date():
    svg = draw_chain(_chain(SAPATARIA))._repr_svg_()
    assert "<dc:date>" not in svg and svg.startswith("<?xml")


def test_highlight_fades_everything_off_the_chain():
    chain = servicechain.load(SAPATARIA)
    node = next(n for n, k in chain.graph.nodes(data="kind") if k == "partner")
    drawing = draw_chain(chain, highlight=node, color="none")
    on_chain = {node, *nx.descendants(chain.graph, node)}
    for n, box in drawing.boxes.items():
        assert (box.get_facecolor()[3] == 1.0) == (n in on_chain), n


def test_segment_draws_only_what_reaches_it():
    chain = servicechain.load(SAPATARIA)
    seg = next(n for n, k in chain.graph.nodes(data="kind") if k == "segment")
    drawing = draw_chain(chain, segment=seg, color="none")
    assert set(drawing.boxes) == {seg, *nx.ancestors(chain.graph, seg)}


def test_group_by_draws_one_box_per_group():
    chain = servicechain.load(SAPATARIA)
    groups = {g for _, g in chain.graph.nodes(data="group") if g}
    drawing = draw_chain(chain, group_by="group")
    assert groups <= set(drawing.boxes)


def test_draw_into_given_axes():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 6))
    ax = fig.add_subplot()
    drawing = servicechain.load(SAPATARIA).draw(ax=ax, color="none")
    assert drawing.figure is fig and drawing.ax is ax and len(fig.axes) == 1


def test_too_many_departments_suggests_group_by():
    chain = servicechain.load(SAPATARIA)
    with pytest.raises(DiagramTooLargeError, match="--by-group"):
        draw_chain(chain, max_departments=3)


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(DrawError, match=r"cannot write \.gif"):
        draw_chain(_chain(SAPATARIA), color="none").save(tmp_path / "x.gif")


# --- fonts ----------------------------------------------------------------------------------


def test_chinese_names_render_every_glyph():
    names = [n for _, n in _chain(AIRLINE).graph.nodes(data="name")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingGlyphsWarning)
        families = font_families(names)
    if len(families) < 2:
        pytest.skip("no CJK font is installed (Debian: apt-get install fonts-noto-cjk)")
    assert len(families) == 2 and "CJK" in families[1]  # an installed CJK font was found
    assert missing_characters([*names, "Formação Città"], families) == ""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no missing-glyph warning from matplotlib either
        drawing = draw_chain(_chain(AIRLINE))
        drawing._repr_svg_()


def test_missing_glyphs_are_named_once():
    with pytest.warns(MissingGlyphsWarning) as caught:
        font_families(["\U0001d11e clef"])  # a musical symbol no installed font has
    assert len(caught) == 1
    assert "\U0001d11e" in str(caught[0].message)
    assert "apt-get install fonts-noto-cjk" in str(caught[0].message)


# --- command line ---------------------------------------------------------------------------


def test_draw_command_writes_the_file(runner, tmp_path):
    out = tmp_path / "chain.svg"
    result = runner.invoke(main, ["draw", str(SAPATARIA), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == f"Wrote {out}\n"
    assert out.read_text(encoding="utf-8").startswith("<?xml")


def test_draw_command_options(runner, tmp_path):
    out = tmp_path / "chain.png"
    args = ["draw", str(SAPATARIA), "-o", str(out), "--by-group", "--color", "none"]
    args += ["--title", "Città — 客户", "--size", "10x7", "--dpi", "60", "--font", "DejaVu Sans"]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_draw_unknown_highlight_is_a_usage_error(runner, tmp_path):
    out = tmp_path / "chain.svg"
    out.write_text("old")
    result = runner.invoke(main, ["draw", str(SAPATARIA), "-o", str(out), "--highlight", "stoer"])
    assert result.exit_code == 2
    assert "Invalid value for '--highlight': no department, segment or partner has the id" in (
        result.stderr
    )
    assert out.read_text() == "old"  # nothing written or truncated


def test_draw_rejects_unknown_suffix_and_bad_size(runner, tmp_path):
    result = runner.invoke(main, ["draw", str(SAPATARIA), "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2
    assert (
        "Error: Invalid value for '-o' / '--output': cannot write .gif; use a .svg, .png or "
        ".pdf file name" in result.stderr
    )
    result = runner.invoke(
        main, ["draw", str(SAPATARIA), "-o", str(tmp_path / "x.svg"), "--size", "big"]
    )
    assert result.exit_code == 2
    assert (
        "'big' is not a page; give slide, a4, a4-portrait or WIDTHxHEIGHT in inches, such as 16x9"
        in result.stderr
    )


def test_draw_unknown_font_is_exit_1(runner, tmp_path):
    result = runner.invoke(
        main, ["draw", str(SAPATARIA), "-o", str(tmp_path / "x.svg"), "--font", "No Such Font"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no installed font is called 'No Such Font' (list them with: fc-list : family)\n"
    )


# --- README images ------------------------------------------------------------------------------


def test_readme_images_are_what_their_commands_make(runner, tmp_path, monkeypatch):
    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)  # the commands name models/... relative to the repository
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    made = re.findall(r"`servicechain ((?:draw|plot) [^`]*?) -o (docs/images/[^\s`]+)`", readme)
    assert len(made) == 2, made
    for command, image in made:
        out = tmp_path / Path(image).name
        args = [*command.split(), "-o", str(out)]
        result = runner.invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == (root / image).read_bytes(), (
            f"{image} is out of date; run: servicechain {command} -o {image}"
        )

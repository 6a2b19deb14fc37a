"""draw.io round trip: export, edit the way draw.io writes files, import --into, and the model
and its pinned positions that come back."""

from __future__ import annotations

import base64
import zlib
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain import load
from servicechain.cli import main
from servicechain.export import export
from servicechain.export.drawio import drawio_positions
from servicechain.io.drawio import compress_page, decompress_page, page_names, read_drawio
from servicechain.io.merge import merge_sketch
from servicechain.io.sketch import DrawingError

from . import drawio_edits as edit
from .conftest import DATA

SHOP = DATA / "drawio" / "shop.yaml"
EDITED = DATA / "drawio" / "shop-edited.drawio"
EDITED_COMPRESSED = DATA / "drawio" / "shop-edited-compressed.drawio"


def _merge(chain, text: str, **options):
    return merge_sketch(chain.model, read_drawio(text), placed=drawio_positions(chain), **options)


# --- round trips without edits ---------------------------------------------------------------


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "compressed"])
def test_export_then_import_without_edits_gives_the_same_model(example, compressed):
    chain = load(example)
    text = edit.saved(edit.parse(export(chain, "drawio")), compressed=compressed)
    merged = _merge(chain, text)
    assert merged.changes == [] and merged.derived == {}
    assert merged.model == chain.model
    assert merged.edits.layout is None  # nothing moved: nothing pinned


def test_every_box_comes_back_where_the_export_put_it(example):
    chain = load(example)
    sketch = read_drawio(export(chain, "drawio"))
    placed = drawio_positions(chain)
    assert {b.model_id for b in sketch.boxes} == set(chain.graph)
    for box in sketch.boxes:
        assert box.centre == pytest.approx(placed[box.model_id], abs=0.11)
        assert box.kind == chain.graph.nodes[box.model_id]["kind"]
        assert box.group == chain.graph.nodes[box.model_id].get("group")
    assert sorted(a.service for a in sketch.arrows) == sorted(chain.graph.edges())


def test_import_cli_without_edits_writes_the_model_unchanged(runner, tmp_path):
    drawing, out = tmp_path / "shop.drawio", tmp_path / "shop-2.yaml"
    assert runner.invoke(main, ["export", str(SHOP), "-o", str(drawing)]).exit_code == 0
    result = runner.invoke(
        main, ["import", str(drawing), "--into", str(SHOP), "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.stdout == f"No change from {drawing}.\nWrote {out}.\n"
    assert out.read_text(encoding="utf-8") == SHOP.read_text(encoding="utf-8")


def test_pinned_positions_come_back_from_a_second_export():
    chain = load(DATA / "drawio" / "shop-pinned.yaml")
    placed = drawio_positions(chain)
    for node, p in chain.model.layout.items():
        assert placed[node] == pytest.approx((p.x, p.y), abs=1e-6)
    merged = _merge(chain, export(chain, "drawio"))
    assert merged.changes == [] and merged.model == chain.model


# --- the files saved by draw.io under tests/data ----------------------------------------------

EXPECTED_CHANGES = [
    "renamed 'it': 'IT support' → 'IT & systems'",
    "added department 'people_culture' (People & culture), its id derived from the label",
    "deleted department 'repairs' (Repairs workshop) and its 1 service",
    "re-attached service 'Parcel delivery': 'courier' → 'online' is now 'courier' → 'stock'",
    "added service 'people_culture' → 'store' (Training)",
    "deleted service 'it' → 'online' (Website hosting)",
    "moved 'web' (Online buyers)",
]


@pytest.mark.parametrize("path", [EDITED, EDITED_COMPRESSED], ids=["plain", "compressed"])
def test_a_file_saved_by_drawio_gives_its_changes(path):
    chain = load(SHOP)
    merged = _merge(chain, path.read_text(encoding="utf-8"), allow_delete=True)
    assert [str(c) for c in merged.changes] == EXPECTED_CHANGES
    m = merged.model
    assert {d.id for d in m.departments} == {"it", "stock", "store", "online", "people_culture"}
    assert m.departments[0].name == "IT & systems" and m.departments[0].quality == 3.8
    assert [(s.source, s.target) for s in m.services if s.name == "Parcel delivery"] == [
        ("courier", "stock")
    ]
    assert [d.group for d in m.departments if d.id == "people_culture"] == ["Back office"]
    assert set(m.layout) == {n for n in chain.graph if n != "repairs"} | {"people_culture"}
    assert merged.derived == {"people_culture": "People & culture"}
    assert merged.ignored == [
        "shape 'Kq8vXb3PvYh2N1c-3' ('Draft for the board, 3 December'): free text"
    ]


def test_the_compressed_page_holds_the_same_xml_as_the_plain_one():
    plain = edit.parse(EDITED.read_text(encoding="utf-8"))
    compressed = edit.parse(EDITED_COMPRESSED.read_text(encoding="utf-8"))
    text = compressed.find("diagram").text
    xml = decompress_page(text, page="p")
    assert xml.startswith("<mxGraphModel") and "IT &amp; systems" in xml
    assert (
        read_drawio(EDITED.read_bytes()).boxes == read_drawio(EDITED_COMPRESSED.read_bytes()).boxes
    )
    assert plain.find("diagram").get("name") == compressed.find("diagram").get("name")


def test_import_cli_lists_the_changes_and_keeps_the_comments(runner, tmp_path):
    out = tmp_path / "shop-2.yaml"
    args = ["import", str(EDITED), "--into", str(SHOP), "--allow-delete", "-o", str(out)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"7 changes from {EDITED}:\n"
        + "".join(f"  {c}\n" for c in EXPECTED_CHANGES)
        + f"Wrote {out}.\n"
        "Ids derived from labels (rename them in the model if you like):\n"
        "  people_culture: People & culture\n"
        "Ignored, as neither a box nor an arrow:\n"
        "  shape 'Kq8vXb3PvYh2N1c-3' ('Draft for the board, 3 December'): free text\n"
    )
    text = out.read_text(encoding="utf-8")
    assert "# the warehouse moved to Alverca in March\n" in text
    assert (
        "{from: stock, to: store, name: Replenishment, quality: 4.0, weight: 2}  # weekly" in text
    )
    assert "Repairs workshop" not in text and "Website hosting" not in text
    assert text == (DATA / "drawio" / "shop-pinned.yaml").read_text(encoding="utf-8")


def test_deleted_boxes_need_allow_delete_and_nothing_is_written(runner, tmp_path):
    out = tmp_path / "shop-2.yaml"
    result = runner.invoke(main, ["import", str(EDITED), "--into", str(SHOP), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{EDITED}: 1 box of the model is not in the drawing: 'repairs' (Repairs workshop) (to "
        "remove it and its services from the model, import again with --allow-delete)\n"
        "1 problem found; nothing written.\n"
    )
    assert not out.exists()


# --- edits made programmatically, plain and compressed -----------------------------------------


@pytest.fixture(params=[False, True], ids=["plain", "compressed"])
def compressed(request) -> bool:
    return request.param


def _shop_file():
    chain = load(SHOP)
    return chain, edit.parse(export(chain, "drawio"))


def test_a_moved_box_pins_every_box_where_it_stands(compressed):
    chain, mx = _shop_file()
    edit.move(mx, edit.box(mx, "stock"), 40, 30)
    merged = _merge(chain, edit.saved(mx, compressed=compressed))
    assert [str(c) for c in merged.changes] == ["moved 'stock' (Warehouse)"]
    placed = drawio_positions(chain)
    layout = merged.model.layout
    assert set(layout) == set(chain.graph)
    assert (layout["stock"].x, layout["stock"].y) == pytest.approx(
        (placed["stock"][0] + 40, placed["stock"][1] + 30), abs=0.11
    )
    for node in set(chain.graph) - {"stock"}:
        assert (layout[node].x, layout[node].y) == pytest.approx(placed[node], abs=0.11)
    # the same model, positions aside
    assert merged.model.model_copy(update={"layout": {}}) == chain.model


def test_a_renamed_box_renames_its_department(compressed):
    chain, mx = _shop_file()
    edit.rename(mx, edit.box(mx, "store"), "Equipa\nda loja")
    merged = _merge(chain, edit.saved(mx, compressed=compressed))
    assert [str(c) for c in merged.changes] == ["renamed 'store': 'Store staff' → 'Equipa da loja'"]
    assert merged.model.departments[3].name == "Equipa da loja"


def test_a_box_added_from_the_palette_becomes_a_department(compressed):
    chain, mx = _shop_file()
    edit.add_box(mx, "new-1", "Finance\n& accounts", 60, 400)
    edit.add_arrow(mx, "new-2", "new-1", edit.box(mx, "it"), "Budget")
    merged = _merge(chain, edit.saved(mx, compressed=compressed))
    assert merged.model.departments[-1].model_dump(exclude_defaults=True) == {
        "id": "finance_accounts",
        "name": "Finance & accounts",
    }
    assert (merged.model.services[-1].source, merged.model.services[-1].target) == (
        "finance_accounts",
        "it",
    )
    assert merged.model.layout["finance_accounts"].x == pytest.approx(120)
    assert merged.model.layout["finance_accounts"].y == pytest.approx(430)


def test_a_deleted_box_takes_its_services_with_it(compressed):
    chain, mx = _shop_file()
    edit.delete(mx, edit.box(mx, "courier"))
    merged = _merge(chain, edit.saved(mx, compressed=compressed), allow_delete=True)
    assert [str(c) for c in merged.changes] == [
        "deleted partner 'courier' (Courier company) and its 1 service"
    ]
    assert merged.model.partners == []
    assert all("courier" not in (s.source, s.target) for s in merged.model.services)
    with pytest.raises(DrawingError, match="--allow-delete"):
        _merge(chain, edit.saved(mx, compressed=compressed))


def test_a_reattached_arrow_keeps_its_service(compressed):
    chain, mx = _shop_file()
    edit.reattach(mx, edit.arrow(mx, "it", "store"), target=edit.box(mx, "walkin"))
    edit.reattach(mx, edit.arrow(mx, "courier", "online"), source=edit.box(mx, "repairs"))
    edit.delete(mx, edit.arrow(mx, "online", "web"))
    merged = _merge(chain, edit.saved(mx, compressed=compressed))
    assert [str(c) for c in merged.changes] == [
        "re-attached service 'POS support': 'it' → 'store' is now 'it' → 'walkin'",
        "re-attached service 'Parcel delivery': 'courier' → 'online' is now 'repairs' → 'online'",
        "deleted service 'online' → 'web' (Online orders)",
    ]
    services = {(s.source, s.target): s for s in merged.model.services}
    assert services["it", "walkin"].name == "POS support"
    assert services["it", "walkin"].quality == 3.2  # the service keeps its rating
    assert services["repairs", "online"].quality == 3.9
    assert ("online", "web") not in services and ("it", "store") not in services
    assert len(merged.model.services) == len(chain.model.services) - 1


def test_two_arrows_between_the_same_boxes_are_refused():
    chain, mx = _shop_file()
    edit.add_arrow(mx, "dup", edit.box(mx, "it"), edit.box(mx, "store"))
    with pytest.raises(DrawingError) as err:
        _merge(chain, edit.saved(mx))
    assert (
        err.value.problems
        == [
            "arrow 'dup' (no label) and arrow 'service-0' ('POS support') both run from 'it' to "
            "'store' (keep one: a service is one arrow)"
        ]
        or "both run from 'it' to 'store'" in err.value.problems[0]
    )


def test_a_box_moved_into_another_group_changes_its_group():
    chain, mx = _shop_file()
    cells = edit.page_root(mx)
    item = next(o for o in cells.iter("object") if o.get("sc_id") == "online")
    group = next(o for o in cells.iter("object") if o.get("label") == "Back office")
    item.find("mxCell").set("parent", group.get("id"))
    merged = _merge(chain, edit.saved(mx))
    assert "regrouped 'online': Shop floor → Back office" in [str(c) for c in merged.changes]
    assert merged.model.departments[4].group == "Back office"


def test_groups_whose_boxes_stand_apart_are_a_property_that_comes_back_edited(compressed):
    chain = load(DATA.parent.parent / "models" / "flowershop.yaml")
    mx = edit.parse(export(chain, "drawio"))
    cells = edit.page_root(mx)
    assert not [o for o in cells.iter("object") if o.get("sc_role") == "group"]  # would cross
    van = next(o for o in cells.iter("object") if o.get("sc_id") == "van")
    old = van.get("sc_group")
    van.set("sc_group", "Back office")  # Edit Data in draw.io
    merged = _merge(chain, edit.saved(mx, compressed=compressed))
    assert [str(c) for c in merged.changes] == [f"regrouped 'van': {old} → Back office"]


# --- a drawing without a model -------------------------------------------------------------------


def test_a_plain_drawing_becomes_a_model(runner, tmp_path):
    out = tmp_path / "whiteboard.yaml"
    source = DATA / "drawio" / "whiteboard.drawio"
    result = runner.invoke(main, ["import", str(source), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        f"Wrote {out}: 3 departments, 1 segment, 0 partners, 3 services, from the drawing {source}.",
        "Note: segment 'clientes_do_almoço' set to kind consumer, relationship customer: check "
        "them.",
    ]
    chain = load(out)
    names = {n: a["name"] for n, a in chain.graph.nodes(data=True)}
    assert names == {
        "cozinha_central": "Cozinha central",
        "sala_esplanada": "Sala & esplanada",
        "compras": "Compras",
        "clientes_do_almoço": "Clientes do almoço",
    }
    assert set(chain.graph.edges()) == {
        ("cozinha_central", "sala_esplanada"),
        ("sala_esplanada", "clientes_do_almoço"),
        ("compras", "cozinha_central"),
    }
    assert chain.graph.edges["cozinha_central", "sala_esplanada"]["name"] == "Pratos do dia"
    assert (chain.model.layout["compras"].x, chain.model.layout["compras"].y) == (140, 330)
    assert "  shape '7Yq2f0cT9mB3xH1uQe5K-10' (no label): an image" in result.stdout


# --- bad input -------------------------------------------------------------------------------------

BAD = {
    "library.drawio": "this is not a draw.io diagram: its root element is <mxlibrary>, not "
    "<mxfile> (give the .drawio file draw.io saves for a diagram)",
    "broken-page.drawio": "page 'Chain': the compressed page is cut short and does not inflate "
    "(save it again from draw.io, or File > Properties > uncheck Compressed)",
    "loose-end.drawio": "page 'Sapataria do Bairro': arrow 'service-0' ('POS support') has a "
    "loose end (connect it to a box: drag the end onto the box until it is outlined, or delete "
    "the arrow)",
    "duplicate-id.drawio": "page 'Sapataria do Bairro': box 'b8Xw2-1' ('IT support (Porto)') and "
    "box 'node-0' ('IT support') both carry the id 'it' (a copy keeps the id of its original: "
    "select the copy, Edit Data (Ctrl+M), delete its sc_id property)",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_drawings_name_the_shape_and_write_nothing(runner, tmp_path, name):
    source = DATA / "drawio" / name
    out = tmp_path / "out.yaml"
    result = runner.invoke(main, ["import", str(source), "--into", str(SHOP), "-o", str(out)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{source}: {BAD[name]}"
    assert lines[-1].endswith("found; nothing written.")
    assert not out.exists()


def test_an_arrow_loose_at_both_ends_is_listed_too():
    with pytest.raises(DrawingError) as err:
        read_drawio((DATA / "drawio" / "loose-end.drawio").read_bytes())
    assert len(err.value.problems) == 2
    assert "arrow 'q0Z3-1' (no label) has a loose start and end" in err.value.problems[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<mxfile><diagram name='P'>not base64!</diagram></mxfile>", "is not base64"),
        (
            "<mxfile><diagram name='P'>" + base64.b64encode(b"\xff" * 40).decode() + "</diagram>"
            "</mxfile>",
            "does not inflate",
        ),
        ("<mxfile><diagram name='P'><mxGraphModel><root>", "not well-formed XML"),
        ("<!DOCTYPE x [<!ENTITY a 'b'>]><mxfile/>", "not well-formed XML"),
        ("<mxfile/>", "has no page"),
    ],
    ids=["base64", "inflate", "xml", "entities", "no-page"],
)
def test_broken_files_are_refused_with_a_reason(text, message):
    with pytest.raises(DrawingError, match=message):
        read_drawio(text, file="x.drawio")


def test_a_page_is_chosen_by_name(runner, tmp_path):
    _, mx = _shop_file()
    first = mx.find("diagram")
    notes = edit.parse(
        "<mxfile><diagram id='n' name='Notes'><mxGraphModel><root><mxCell id='0'/>"
        "<mxCell id='1' parent='0'/></root></mxGraphModel></diagram></mxfile>"
    ).find("diagram")
    mx.remove(first)
    mx.append(notes)
    mx.append(first)
    source = tmp_path / "two-pages.drawio"
    source.write_text(edit.saved(mx, compressed=True), encoding="utf-8")
    assert page_names(source.read_text(encoding="utf-8")) == ["Notes", "Sapataria do Bairro"]
    out = tmp_path / "out.yaml"
    base = ["import", str(source), "--into", str(SHOP), "-o", str(out)]
    result = runner.invoke(main, [*base, "--page", "Sapataria do Bairro"], catch_exceptions=False)
    assert result.exit_code == 0 and result.stdout.startswith("No change")
    result = runner.invoke(main, [*base, "--page", "Sketch", "--force"])
    assert result.exit_code == 1
    assert "no page is named 'Sketch' (the pages: 'Notes', 'Sapataria do Bairro')" in result.stderr
    result = runner.invoke(main, [*base, "--force"])  # the first page: no boxes, all deleted
    assert result.exit_code == 1 and "8 boxes of the model are not in the drawing" in result.stderr


def test_drawing_options_are_refused_for_spreadsheets_and_back(runner, tmp_path):
    out = str(tmp_path / "x.yaml")
    sheet = str(DATA / "io" / "bom_semicolon.csv")
    result = runner.invoke(main, ["import", sheet, "--into", str(SHOP), "-o", out])
    assert result.exit_code == 2 and "--into: for a drawing (.drawio, .mmd) only" in result.stderr
    result = runner.invoke(main, ["import", str(EDITED), "--create-missing", "-o", out])
    assert result.exit_code == 2 and "--create-missing: for spreadsheets only" in result.stderr


# --- the compressed encoding -------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_compressed_pages_round_trip_and_match_drawios_encoding(text):
    page = compress_page(text)
    assert decompress_page(page, page="p") == text
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = deflate.compress(quote(text, safe="-_.!~*'()").encode()) + deflate.flush()
    assert decompress_page(base64.b64encode(raw).decode(), page="p") == text


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(-300, 300), st.integers(-300, 300)), min_size=1, max_size=3))
def test_moves_come_back_as_pinned_positions(moves):
    chain, mx = _shop_file()
    nodes = ["it", "store", "courier"][: len(moves)]
    for node, (dx, dy) in zip(nodes, moves, strict=True):
        edit.move(mx, edit.box(mx, node), dx, dy)
    merged = _merge(chain, edit.saved(mx))
    placed = drawio_positions(chain)
    moved = {n for n, (dx, dy) in zip(nodes, moves, strict=True) if max(abs(dx), abs(dy)) > 1}
    assert {c.subject for c in merged.changes} == moved
    for node, (dx, dy) in zip(nodes, moves, strict=True):
        if moved:
            p = merged.model.layout[node]
            assert (p.x, p.y) == pytest.approx(
                (placed[node][0] + dx, placed[node][1] + dy), abs=0.11
            )


def test_an_arrow_drawn_again_keeps_its_service():
    chain, mx = _shop_file()
    edit.delete(mx, edit.arrow(mx, "stock", "store"))
    edit.add_arrow(mx, "again", edit.box(mx, "stock"), edit.box(mx, "store"))
    merged = _merge(chain, edit.saved(mx))
    assert merged.changes == [] and merged.model == chain.model  # weight 2 and rating kept


def test_an_editable_svg_saved_by_drawio_is_read(runner, tmp_path):
    """draw.io's .drawio.svg keeps the diagram file in the SVG's ``content`` attribute."""
    from xml.sax.saxutils import quoteattr

    inner = EDITED_COMPRESSED.read_text(encoding="utf-8")
    svg = tmp_path / "shop.drawio.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="700" height="320" version="1.1" '
        f"content={quoteattr(inner)}><g/></svg>\n",
        encoding="utf-8",
    )
    out = tmp_path / "shop-2.yaml"
    args = ["import", str(svg), "--into", str(SHOP), "--allow-delete", "-o", str(out)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"7 changes from {svg}:\n")
    assert out.read_text(encoding="utf-8") == (DATA / "drawio" / "shop-pinned.yaml").read_text(
        encoding="utf-8"
    )

"""The model file an import writes: records added and deleted with the file's comments kept, in
YAML (flow or block records) and JSON, a fresh file where the layout cannot be kept, and the
import's --json output; hostile names through the draw.io round trip."""

from __future__ import annotations

import json

import pytest

from servicechain import Chain, load
from servicechain.cli import main
from servicechain.export import export
from servicechain.export.drawio import drawio_positions
from servicechain.io.drawio import read_drawio
from servicechain.io.load import parse_model
from servicechain.io.merge import merge_sketch
from servicechain.io.records import edit_records, edited_text

from . import drawio_edits as edit
from .conftest import DATA
from .test_io_export import HOSTILE, hostile_chain

SHOP = DATA / "drawio" / "shop.yaml"
EDITED = DATA / "drawio" / "shop-edited.drawio"

BLOCK = """\
name: Shop  # the pilot
departments:
  - id: it
    name: IT
    # ask Ana about the help desk
    quality: 0.8
  - id: old
    name: Old team  # closing
  - id: store
    name: Store
services:
  - from: it
    to: store
  - from: old
    to: store
"""


def test_block_records_are_deleted_with_their_lines_and_others_kept():
    text = edit_records(
        BLOCK,
        deleted={("departments", 1), ("services", 1)},
        appended={"departments": [{"id": "hr", "name": "HR"}]},
        values={("departments", 2, "name"): "Store staff"},
    )
    assert text == (
        "name: Shop  # the pilot\n"
        "departments:\n"
        "  - id: it\n"
        "    name: IT\n"
        "    # ask Ana about the help desk\n"
        "    quality: 0.8\n"
        "  - id: store\n"
        "    name: Store staff\n"
        "  - {id: hr, name: HR}\n"
        "services:\n"
        "  - from: it\n"
        "    to: store\n"
    )
    assert [d.id for d in parse_model(text).model.departments] == ["it", "store", "hr"]


def test_a_file_whose_records_cannot_be_edited_in_place_is_written_afresh():
    text = "name: Shop\ndepartments: [{id: it, name: IT}, {id: old, name: Old}]\n"
    model = parse_model("name: Shop\ndepartments: [{id: it, name: IT}]\n").model
    with pytest.raises(KeyError):
        edit_records(text, deleted={("departments", 1)})
    fresh = edited_text(text, model, deleted={("departments", 1)})
    assert parse_model(fresh).model == model
    assert fresh.startswith("# yaml-language-server")


def test_import_into_a_json_model_writes_json(runner, tmp_path):
    model = tmp_path / "shop.json"
    data = load(SHOP).model.model_dump(by_alias=True, exclude_defaults=True)
    model.write_text(json.dumps(data, indent=4, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "shop-2.json"
    args = ["import", str(EDITED), "--into", str(model), "--allow-delete", "-o", str(out), "--json"]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["output"] == str(out) and report["derived"] == {
        "people_culture": "People & culture"
    }
    assert [c["kind"] for c in report["changes"]] == [
        "renamed", "added", "deleted", "re-attached", "added", "deleted", "moved"
    ]  # fmt: skip
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["departments"][0]["name"] == "IT & systems"
    assert set(written["layout"]) >= {"it", "people_culture"}
    assert load(out).model == load(DATA / "drawio" / "shop-pinned.yaml").model


def test_hostile_names_survive_the_drawio_round_trip():
    chain = hostile_chain()
    merged = merge_sketch(
        chain.model, read_drawio(export(chain, "drawio")), placed=drawio_positions(chain)
    )
    assert merged.changes == [] and merged.model == chain.model
    mx = edit.parse(export(chain, "drawio"))
    edit.rename(mx, edit.box(mx, 'b"q'), HOSTILE)
    merged = merge_sketch(chain.model, read_drawio(edit.saved(mx, compressed=True)))
    assert merged.model.departments[1].name == " ".join(HOSTILE.split())


def test_a_name_the_diagram_shortens_is_not_taken_for_a_rename():
    name = "Departamento de planeamento estratégico, orçamentação e controlo de gestão " * 3
    chain = Chain.from_dict(
        {"name": "x", "departments": [{"id": "a", "name": name.strip()}, {"id": "b", "name": "B"}]}
    )
    sketch = read_drawio(export(chain, "drawio"))
    assert sketch.boxes[0].label == name.strip()  # the whole name, not the shortened lines
    merged = merge_sketch(chain.model, sketch, placed=drawio_positions(chain))
    assert merged.changes == []

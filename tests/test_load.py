"""Reading and validating model files: every bad file gets its exact message, position and fix."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from servicechain import Chain, ModelError, load
from servicechain.io.load import load_model, parse_model
from servicechain.model.assumptions import list_assumptions
from servicechain.model.rules import closed_loops

from .conftest import DATA, EXAMPLES

BAD = DATA / "bad"

# file name -> the expected problems, each after "<path>" (":LINE:COL: field: message (fix)")
BAD_FILES = {
    "alias_bomb.yaml": [
        ":1:20: aliases expand this file to over 10,000 values (it holds only 28): an alias bomb or a runaway anchor (write the repeated parts out, or use fewer nested aliases)",
    ],
    "bad_scale.yaml": [
        ":2:1: scale: max (1) must be above min (5) (e.g. scale: {min: 1, max: 5})",
    ],
    "binary_garbage.yaml": [
        ": this is a binary file, not a model (it holds NUL bytes) (give a YAML or JSON model file; spreadsheets go through `servicechain import`)",
    ],
    "closed_loop.yaml": [
        ":3:5: departments[0]: closed loop: departments 'sales', 'planning' serve each other and get nothing from outside the loop (each has dependence 1 or own quality at the minimum) (give one of them its own quality and a dependence below 1, or a supplier outside the loop)",
    ],
    "closed_cost_loop.yaml": [
        ":6:5: departments[1]: closed cost loop: departments 'finance', 'payroll' pass their costs only to each other (give one of them a service with a volume above 0 to a segment or to a department outside the loop)",
    ],
    "dependence_above_one.yaml": [
        ":3:22: departments[0].dependence: 1.4 is outside 0..1 (dependence is a share: use a value from 0 to 1)",
    ],
    "duplicate_id.yaml": [
        ":4:6: departments[1].id: the id 'it' is used twice (first by departments[0]) (give every department, segment and partner an id of its own)",
    ],
    "duplicate_key.yaml": [
        ":2:1: duplicate key 'name' (first at line 1) (keep one of them and remove the other)",
    ],
    "duplicate_service.yaml": [
        ":7:5: services[1]: a second service from 'it' to 'store' (services[0] links them already) (merge them into one service: its quality and weight describe the hand-off as a whole)",
    ],
    "empty.yaml": [
        ": the file is empty (start from `servicechain init model.yaml`)",
    ],
    "id_with_space.yaml": [
        ":3:6: departments[0].id: 'it support' contains spaces; ids may not (use e.g. 'it_support' and keep the name for display)",
    ],
    "json_problems.json": [
        ":1:59: departments[0].quality: 2 is outside the scale 0..1 (use a score from 0 to 1, or change `scale`)",
        ":2:29: services[0].to: unknown id 'b' (declare it under departments, segments or partners)",
    ],
    "json_syntax.json": [
        ":1:45: not valid JSON: Expecting property name enclosed in double quotes (fix the JSON syntax)",
    ],
    "many_problems.yaml": [
        ":4:24: departments[0].quality: 9 is outside the scale 1..5 (use a score from 1 to 5, or change `scale`)",
        ":5:30: departments[1].dependence: -0.1 is outside 0..1 (dependence is a share: use a value from 0 to 1)",
        ":7:49: segments[0].relationship: 'clients' is not a valid relationship (did you mean 'client'?)",
        ":9:16: services[0].to: unknown id 'stor' (did you mean 'store'?)",
        ":10:31: services[1].weight: 0 is not a positive weight (use a weight above 0, e.g. 1)",
    ],
    "missing_field.yaml": [
        ":3:5: departments[0].name: required field is missing (add `name: ...`)",
    ],
    "negative_weight.yaml": [
        ":6:22: services[0].weight: -2 is not a positive weight (use a weight above 0, e.g. 1)",
    ],
    "no_departments.yaml": [
        ":2:1: departments: needs at least one department (add one under `departments:`)",
    ],
    "numeric_id.yaml": [
        ':3:6: departments[0].id: expected text, got 7 (put it in quotes as it should read, e.g. id: "007")',
    ],
    "partner_receiving.yaml": [
        ":7:19: services[0].to: partner 'courier' cannot receive a service (partners are external suppliers with no inputs: make it a department if the company serves it)",
    ],
    "python_tag.yaml": [
        ":1:7: the tag !!python/object/apply:os.system is not allowed (remove it: model files hold plain text, numbers, lists and mappings only)",
    ],
    "score_outside_scale.yaml": [
        ":4:24: departments[0].quality: 7.5 is outside the scale 1..5 (use a score from 1 to 5, or change `scale`)",
    ],
    "segment_supplying.yaml": [
        ":7:6: services[0].from: segment 'shoppers' cannot supply a service (segments are customers: reverse the service or make it a department)",
    ],
    "self_service.yaml": [
        ":5:16: services[0].to: 'it' serves itself (remove the service: a department's own work is its `quality`)",
    ],
    "syntax_error.yaml": [
        ":4:1: not valid YAML: expected ',' or '}', but got '<stream end>' (fix the YAML syntax at that place)",
    ],
    "tab_indent.yaml": [
        ":3:1: a tab character is used for indentation (YAML indents with spaces: replace the tabs with spaces)",
    ],
    "top_level_list.yaml": [
        ":1:1: the top level holds a list, not a mapping of fields (start the file with `name:`, `departments:` and `services:`)",
    ],
    "unknown_field.yaml": [
        ":3:22: departments[0].qualty: unknown field 'qualty' (did you mean 'quality'?)",
    ],
    "unknown_kind.yaml": [
        ":5:22: segments[0].kind: 'consumr' is not a valid kind (did you mean 'consumer'?)",
    ],
    "unknown_reference.yaml": [
        ":6:6: services[0].from: unknown id 'stokc' (did you mean 'stock'?)",
    ],
    "wrong_encoding.yaml": [
        ":1:10: not UTF-8 text: byte 0xE9 cannot be decoded (save the file with the UTF-8 encoding)",
    ],
    "wrong_type.yaml": [
        ":3:22: departments[0].quality: expected a number, got the text 'high' (write a number, e.g. 3.5)",
    ],
}


def test_bad_corpus_is_complete():
    on_disk = {p.name for p in BAD.iterdir()}
    assert on_disk == set(BAD_FILES)
    assert len(on_disk) >= 20


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_gives_exact_problems(name):
    path = BAD / name
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert [str(p) for p in info.value.problems] == [f"{path}{rest}" for rest in BAD_FILES[name]]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_validates(path):
    chain = load(path)
    model = chain.model
    assert 8 <= len(model.departments) <= 40
    assert len(model.segments) >= 2
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=servicechain.schema.json\n"
    )


def test_examples_cover_kinds_relationships_and_languages():
    models = [load(p).model for p in EXAMPLES]
    kinds = {s.kind for m in models for s in m.segments}
    relationships = {s.relationship for m in models for s in m.segments}
    names = " ".join(d.name for m in models for d in m.departments)
    assert kinds == {"consumer", "business", "government", "nonprofit", "staff"}
    assert relationships == {"customer", "client"}
    assert "ã" in names or "é" in names  # Portuguese / Italian
    assert any("\u4e00" <= ch <= "\u9fff" for ch in names)  # Chinese


def test_yaml_1_2_keeps_no_as_text():
    loaded = parse_model(
        "name: Norway\ndepartments:\n  - {id: no, name: Norge, notes: yes}\n"
        "  - {id: off, name: Off, notes: on}\n"
    )
    deps = loaded.model.departments
    assert [(d.id, d.notes) for d in deps] == [("no", "yes"), ("off", "on")]


def test_scores_keep_line_and_column():
    loaded = parse_model("name: X\ndepartments:\n  - id: a\n    name: A\n    quality: 0.5\n")
    assert loaded.positions[("departments", 0, "quality")] == (5, 5)


def test_alias_bomb_fails_fast_without_memory():
    tracemalloc.start()
    with pytest.raises(ModelError, match="alias bomb"):
        load_model(BAD / "alias_bomb.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 50 * 2**20


def test_anchors_within_reason_are_fine():
    text = (
        "name: Anchors\ndepartments:\n  - &base {id: a, name: A, group: Ops}\n"
        "  - {id: b, name: B, group: Ops}\n"
    )
    assert parse_model(text).model.departments[0].group == "Ops"


def test_size_limit_is_refused_with_the_way_out(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("name: Big\ndepartments: [{id: a, name: A}]\n" + "#" * 3000 + "\n")
    with pytest.raises(ModelError) as info:
        load_model(path, max_bytes=1000)
    size = path.stat().st_size
    assert str(info.value.problems[0]) == (
        f"{path}: the file is {size / 2**20:.3g} MB, over the limit of 0.000954 MB "
        "(raise the limit with --max-size MB or the SERVICECHAIN_MAX_SIZE variable)"
    )


def test_utf8_bom_and_utf16_are_read(tmp_path):
    text = "name: Sapataria São João\ndepartments: [{id: a, name: Armazém}]\n"
    for encoding in ("utf-8-sig", "utf-16"):
        path = tmp_path / f"{encoding}.yaml"
        path.write_bytes(text.encode(encoding))
        assert load(path).model.departments[0].name == "Armazém"


def test_json_and_yaml_give_the_same_model(tmp_path):
    source = EXAMPLES[0]
    chain = load(source)
    path = tmp_path / "same.json"
    path.write_text(json.dumps(chain.model.model_dump(by_alias=True, exclude_none=True)))
    assert load(path).model == chain.model


def test_chain_from_python_data_checks_the_rules():
    with pytest.raises(ModelError) as info:
        Chain.from_dict(
            {
                "name": "x",
                "departments": [{"id": "a", "name": "A"}],
                "services": [{"from": "a", "to": "b"}],
            }
        )
    assert [str(p) for p in info.value.problems] == [
        "<model>: services[0].to: unknown id 'b' (declare it under departments, segments or "
        "partners)"
    ]


def test_closed_loop_names_members_and_spares_loops_with_own_work():
    data = {
        "name": "x",
        "departments": [
            {"id": "a", "name": "A", "dependence": 1},
            {"id": "b", "name": "B", "dependence": 0.5},
        ],
        "services": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}],
    }
    chain = Chain.from_dict(data)  # b has its own contribution: a real loop, not a closed one
    assert closed_loops(chain.model) == []
    data["departments"][1]["quality"] = 0
    with pytest.raises(ModelError, match="closed loop: departments 'a', 'b'"):
        Chain.from_dict(data)


def test_assumptions_list_every_missing_score():
    chain = Chain.from_dict(
        {
            "name": "x",
            "scale": {"min": 1, "max": 5},
            "departments": [{"id": "a", "name": "A"}, {"id": "b", "name": "B", "quality": 4}],
            "partners": [{"id": "p", "name": "P"}],
            "segments": [
                {
                    "id": "s",
                    "name": "S",
                    "kind": "consumer",
                    "relationship": "client",
                    "dependence": 0.5,
                }
            ],
            "services": [{"from": "a", "to": "s", "quality": 3}, {"from": "p", "to": "b"}],
        }
    )
    assert [a.text for a in list_assumptions(chain.model)] == [
        "department 'a' (A) has no quality: counted as perfect (5)",
        "partner 'p' (P) has no quality: counted as perfect (5)",
        "segment 's' (S) has no baseline: satisfaction from outside the chain counted as "
        "perfect (5)",
        "service p → b has no quality: taken as what 'p' delivers",
    ]


def test_folded_and_literal_text_read_as_written():
    loaded = parse_model(
        "name: Folded\ndescription: >\n  one line\n  and the next\n"
        "departments:\n  - id: a\n    name: A\n    notes: |\n      first\n      second\n"
    )
    assert loaded.model.description == "one line and the next\n"
    assert loaded.model.departments[0].notes == "first\nsecond\n"


def test_problems_of_a_json_file_keep_their_positions_whatever_yaml_reads_otherwise(tmp_path):
    # JSON allows DEL, C1 controls and line separators raw inside strings, and a tab or a lone
    # carriage return as white space; the YAML reader, which gives the positions, refuses them
    # or reads them as line breaks: every problem still names its line and column.
    path = tmp_path / "m.json"
    path.write_text(
        '\t{"name": "x",\r\n'
        ' "departments": [{"id": "a", "name": "A\x85\x9b"},\n'
        '                 {"id": "b", "name": "B\u2028", "gr\x7foup": "G"}],\n'
        ' "services": [{"from": "a", "to"\r: "b\x7f"}]}\n',
        encoding="utf-8",
    )
    with pytest.raises(ModelError) as info:
        load(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:3:18: departments[1].gr\x7foup: unknown field 'gr\\x7foup' (did you mean "
        "'group'?)",
        f"{path}:4:29: services[0].to: unknown id 'b\\x7f' (did you mean 'b'?)",
    ]

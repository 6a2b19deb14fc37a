"""Mermaid flowcharts as models: the export read back, plain charts from a wiki, bad charts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain import Chain, load
from servicechain.cli import main
from servicechain.export import export
from servicechain.io.merge import merge_sketch, model_from_sketch
from servicechain.io.mermaid import read_mermaid
from servicechain.io.sketch import DrawingError

from .conftest import DATA


def _structure(model) -> dict:
    """What a Mermaid chart carries: ids, names, kinds, groups, services and their names."""
    return {
        "departments": [(d.id, d.name, d.group) for d in model.departments],
        "partners": [(p.id, p.name) for p in model.partners],
        "segments": [(s.id, s.name) for s in model.segments],
        "services": sorted((s.source, s.target, s.name) for s in model.services),
        "name": model.name,
    }


def test_mermaid_export_then_import_gives_the_same_model(example):
    chain = load(example)
    made = model_from_sketch(read_mermaid(export(chain, "mermaid")))
    assert _structure(made.model) == _structure(chain.model)
    assert made.derived == {}


def test_mermaid_export_into_its_model_changes_nothing(example):
    chain = load(example)
    merged = merge_sketch(chain.model, read_mermaid(export(chain, "mermaid")))
    assert merged.changes == [] and merged.model == chain.model


NAMES = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30
).filter(lambda s: s.strip() and s == " ".join(s.split()))


@settings(max_examples=40, deadline=None)
@given(names=st.lists(NAMES, min_size=3, max_size=3), service=NAMES)
def test_any_names_survive_the_mermaid_round_trip(names, service):
    chain = Chain.from_dict(
        {
            "name": names[0],
            "departments": [
                {"id": "a", "name": names[0], "group": names[2]},
                {"id": "end", "name": names[1]},
            ],
            "segments": [
                {"id": "s-1", "name": names[2], "kind": "consumer", "relationship": "client"}
            ],
            "services": [{"from": "a", "to": "end", "name": service}, {"from": "end", "to": "s-1"}],
        }
    )
    sketch = read_mermaid(export(chain, "mermaid"))
    labels = {b.ref: b.label for b in sketch.boxes}
    assert labels["a"] == names[0] and names[1] in labels.values() and names[2] in labels.values()
    assert [a.label for a in sketch.arrows] == [service, ""]
    assert sketch.name == names[0]
    assert {b.group for b in sketch.boxes if b.ref == "a"} == {names[2]}


def test_a_chart_from_a_wiki_becomes_a_model(runner, tmp_path):
    out = tmp_path / "wiki.yaml"
    source = DATA / "drawio" / "chain.mmd"
    result = runner.invoke(main, ["import", str(source), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == (
        f"Wrote {out}: 3 departments, 1 segment, 1 partner, 4 services, from the drawing "
        f"{source}.\n"
        "Note: segment 'walkin' set to kind consumer, relationship customer: check them.\n"
        "Ignored, as neither a box nor an arrow:\n"
        "  line 7: classDef statement (styling)\n"
        "  line 8: class statement (styling)\n"
    )
    model = load(out).model
    assert _structure(model) == {
        "departments": [("stock", "Armazém", None), ("loja", "Loja da Baixa", None),
                        ("it", "Informática", None)],
        "partners": [("supplier", "Fábrica de calçado")],
        "segments": [("walkin", "Clientes de rua")],
        "services": [("it", "loja", None), ("loja", "walkin", None),
                     ("stock", "loja", "Reposição"), ("supplier", "stock", "Sapatos")],
        "name": "chain",
    }  # fmt: skip


def test_the_first_mermaid_block_of_a_markdown_page_is_read(tmp_path):
    page = "# Our chain\n\nSome text.\n\n```mermaid\ngraph TD\n  a[IT] --> b[Shop]\n```\n"
    sketch = read_mermaid(page)
    assert [(b.ref, b.label) for b in sketch.boxes] == [("a", "IT"), ("b", "Shop")]
    assert [(a.source, a.target) for a in sketch.arrows] == [("a", "b")]


def test_chains_and_text_on_links_are_read():
    sketch = read_mermaid("flowchart LR\n  a --> b --> c\n  c -- sends stuff --> d;\n  d ==> a\n")
    assert [(a.source, a.target, a.label) for a in sketch.arrows] == [
        ("a", "b", ""),
        ("b", "c", ""),
        ("c", "d", "sends stuff"),
        ("d", "a", ""),
    ]


def test_an_added_node_in_the_wiki_chart_is_added_to_the_model():
    chain = load(DATA / "drawio" / "shop.yaml")
    text = export(chain, "mermaid") + '  hr["People"] -->|"Training"| store\n'
    merged = merge_sketch(chain.model, read_mermaid(text))
    assert [str(c) for c in merged.changes] == [
        "added department 'hr' (People)",
        "added service 'hr' → 'store' (Training)",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("sequenceDiagram\n  A->>B: hi\n", "line 1: this is not a Mermaid flowchart"),
        ("flowchart LR\n  a --> \n", "line 2: cannot read 'a -->'"),
        ("flowchart LR\n  subgraph g[G]\n  a --> b\n", "subgraph 'g' has no `end` (add one)"),
        ("flowchart LR\n  a --> b\n  end\n", "line 3: `end` without a `subgraph` (delete it)"),
    ],
    ids=["not-flowchart", "dangling-link", "no-end", "stray-end"],
)
def test_bad_charts_are_refused_by_line(text, problem):
    with pytest.raises(DrawingError) as err:
        read_mermaid(text, file="wiki.mmd")
    assert err.value.problems[0].startswith(problem)


def test_a_segment_that_supplies_is_refused_naming_the_arrow():
    sketch = read_mermaid('flowchart LR\n  s(["Shoppers"]) --> a[Shop]\n')
    with pytest.raises(DrawingError) as err:
        model_from_sketch(sketch)
    assert err.value.problems == [
        "arrow 'line 2' (no label) starts at the segment 's': a segment supplies nothing (turn "
        "the arrow round, or make the box a department)"
    ]


def test_ids_mermaid_cannot_hold_come_back_by_name():
    chain = Chain.from_dict(
        {
            "name": "Clinic",
            "departments": [
                {"id": "front-desk", "name": "Front desk", "quality": 0.7},
                {"id": "end", "name": "Records"},
            ],
            "segments": [
                {
                    "id": "walk-ins",
                    "name": "Walk-ins",
                    "kind": "consumer",
                    "relationship": "customer",
                }
            ],
            "services": [
                {"from": "end", "to": "front-desk", "name": "Files", "quality": 0.6},
                {"from": "front-desk", "to": "walk-ins"},
            ],
        }
    )
    text = export(chain, "mermaid")
    assert "front-desk" not in text and " end[" not in text  # written as generated ids
    merged = merge_sketch(chain.model, read_mermaid(text))
    assert merged.changes == [] and merged.model == chain.model

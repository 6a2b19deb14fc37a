"""Results of large models: assumptions from the arrays, lazy rows and terms, no model built."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import servicechain
from servicechain.io.load import read_data
from servicechain.model.assumptions import assumptions_of, list_assumptions
from servicechain.model.lazy import LazyList
from servicechain.model.network import network
from servicechain.model.spec import Model
from servicechain.samples.generate import generate, write_json


def _as_json(path: Path, tmp_path: Path) -> Path:
    data, _ = read_data(path.read_text(encoding="utf-8"))
    target = tmp_path / f"{path.stem}.json"
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return target


def _first_segment(net) -> str:
    return next(i for i, k in zip(net.ids, net.kind, strict=True) if k == 2)


def test_assumptions_from_arrays_match_the_model_on_every_example(example):
    chain = servicechain.load(example)
    expected = list_assumptions(chain.model)
    assert list(assumptions_of(chain.network)) == expected
    assert list(chain.assumptions) == expected


def test_assumptions_from_arrays_match_on_a_generated_model(tmp_path):
    data = generate(300, seed=7)
    model = Model.model_validate(data)
    found = assumptions_of(network(model))
    assert len(found) > 10
    assert list(found) == list_assumptions(model)
    assert [a.to_dict() for a in found] == [a.to_dict() for a in list_assumptions(model)]


def test_assumptions_cover_partners_segments_and_unnamed_services():
    model = Model.model_validate(
        {
            "name": "x",
            "scale": {"min": 1, "max": 5},
            "departments": [{"id": "a", "name": "A", "quality": 3}, {"id": "b", "name": "B"}],
            "partners": [{"id": "p", "name": "P"}],
            "segments": [
                {"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"},
                {
                    "id": "t",
                    "name": "T",
                    "kind": "consumer",
                    "relationship": "customer",
                    "dependence": 1,
                },
                {
                    "id": "u",
                    "name": "U",
                    "kind": "consumer",
                    "relationship": "customer",
                    "dependence": 1,
                },
            ],
            "services": [
                {"from": "p", "to": "a", "name": "Parts"},
                {"from": "a", "to": "s", "quality": 4},
                {"from": "b", "to": "t"},
            ],
        }
    )
    found = list(assumptions_of(network(model)))
    assert found == list_assumptions(model)
    assert [a.node for a in found] == ["b", "p", "u", "a", "t"]


def test_a_score_of_many_assumptions_shows_twenty_and_a_count(tmp_path):
    path = tmp_path / "org.json"
    write_json(generate(2000, seed=3), path)
    chain = servicechain.load(path)
    result = chain.score()
    count = len(chain.assumptions)
    assert count > 30
    text = str(result)
    listed = text.split(f"Assumptions ({count}):\n")[1].splitlines()
    assert listed[:20] == [f"  {a}" for a in chain.assumptions[:20]]
    assert listed[20:] == [f"  ... and {count - 20} more (--json lists them all)"]
    assert len(result.to_dict()["assumptions"]) == count


def test_analyses_leave_the_model_of_a_json_file_unbuilt(tmp_path):
    path = tmp_path / "org.json"
    data = generate(400, seed=2)
    data["segments"][0]["revenue"] = 1000
    data["segments"][0]["revenue_elasticity"] = 0.5
    write_json(data, path)
    chain = servicechain.load(path)
    segment = _first_segment(chain.network)
    department = chain.network.ids[0]
    score = chain.score()
    str(score), score.to_dict()
    str(chain.rank(top=5)), chain.rank(segment=segment, by="importance").to_dict()
    str(chain.explain(segment, top=5)), chain.explain(segment).to_dict()
    fast = chain.impact(fail=[department])
    assert chain._model is None
    slow = servicechain.Chain(chain.model).impact(fail=[department])
    np.testing.assert_array_equal(fast.revenue_change, slow.revenue_change)
    assert not np.isnan(fast.revenue_change).all()


def test_lazy_list_makes_items_once_and_only_when_asked():
    made = []

    def make(i):
        made.append(i)
        return [i]

    rows = LazyList(1000, make)
    assert rows[3] is rows[3] and rows[-1] == [999]
    assert made == [3, 999]
    assert rows[:2] == [[0], [1]] and rows != [[0]] and len(rows) == 1000
    with pytest.raises(IndexError):
        rows[1000]


def _big_chain(tmp_path):
    path = tmp_path / "org.json"
    write_json(generate(600, seed=5), path)
    return servicechain.load(path)


def test_ranking_rows_are_sorted_and_made_only_for_what_is_shown(tmp_path):
    chain = _big_chain(tmp_path)
    ranking = chain.rank(top=5)
    text = str(ranking)
    assert len(ranking.services._made) == 5 and len(ranking.departments._made) == 5
    assert f"  ... {len(ranking.services) - 5} more" in text
    # exact gains where certified, the linear bound (an upper bound) after them
    values = [row.bound if np.isnan(row.gain) else row.gain for row in ranking.services]
    assert values == sorted(values, reverse=True) and len(values) == chain.network.m
    departments = {row.node for row in ranking.departments if row.kind == "department"}
    assert departments == set(chain.network.ids[:600])
    full = str(chain.rank())
    assert f"  ... {chain.network.m - 100} more" in full


def test_breakdown_text_lists_a_hundred_terms_and_the_rest_in_one_line(tmp_path):
    chain = _big_chain(tmp_path)
    breakdown = chain.explain(_first_segment(chain.network))
    count = len(breakdown.terms)
    assert count > 100
    lines = str(breakdown).splitlines()
    assert len(lines) == 1 + 1 + 100 + 1 + 1
    assert lines[-2].startswith(f"  ... {count - 100:,} smaller terms: ")
    assert len(breakdown.terms._made) == 100
    values = [t.value for t in breakdown.terms]
    assert values == sorted(values, reverse=True) == breakdown.values.tolist()
    assert sum(values) == pytest.approx(breakdown.gap, abs=1e-9)
    assert len(breakdown.to_dict()["terms"]) == count

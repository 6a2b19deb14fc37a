"""Delivered quality on hand-computed chains of 2 to 5 nodes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from servicechain import Chain

SEG = {"kind": "consumer", "relationship": "customer"}


def chain(departments, services, segments=(), partners=(), scale=None) -> Chain:
    data = {
        "name": "t",
        "departments": [{"name": d["id"], **d} for d in departments],
        "segments": [{"name": s["id"], **SEG, **s} for s in segments],
        "partners": [{"name": p["id"], **p} for p in partners],
        "services": list(services),
    }
    if scale:
        data["scale"] = scale
    return Chain.from_dict(data)


def test_line_all_rated_is_a_weighted_sum():
    # a -> b -> s; b = 0.5*0.8 + 0.5*0.6 = 0.7; s = 1 * 0.9
    c = chain(
        [{"id": "a", "quality": 0.5, "dependence": 0.3}, {"id": "b", "quality": 0.8}],
        [{"from": "a", "to": "b", "quality": 0.6}, {"from": "b", "to": "s", "quality": 0.9}],
        segments=[{"id": "s"}],
    )
    s = c.score()
    assert s.by_id("a") == 0.5  # no suppliers: a = 1, dependence unused
    assert s.by_id("b") == pytest.approx(0.7, abs=1e-15)
    assert s.by_id("s") == pytest.approx(0.9, abs=1e-15)
    assert s.company == pytest.approx(0.9, abs=1e-15)


def test_line_unrated_passes_supplier_quality():
    # a(0.6) -> b(own 1, dep .5) -> s unrated: b = .5 + .5*.6 = .8, s = .8
    c = chain(
        [{"id": "a", "quality": 0.6}, {"id": "b"}],
        [{"from": "a", "to": "b"}, {"from": "b", "to": "s"}],
        segments=[{"id": "s"}],
    )
    s = c.score()
    assert s.quality.tolist() == pytest.approx([0.6, 0.8, 0.8], abs=1e-15)
    assert s.service_quality.tolist() == pytest.approx([0.6, 0.8], abs=1e-15)


def test_join_weights_and_segment_baseline_on_scale():
    # scale 1..5; a=3 (0.5), b=5 (1.0) serve s with weights 1 and 3, dependence 0.8, baseline 2
    # s = 0.2*0.25 + 0.8*(0.25*0.5 + 0.75*1.0) = 0.05 + 0.7 = 0.75 -> 4.0 on the scale
    c = chain(
        [{"id": "a", "quality": 3}, {"id": "b", "quality": 5}],
        [{"from": "a", "to": "s", "weight": 1}, {"from": "b", "to": "s", "weight": 3}],
        segments=[{"id": "s", "dependence": 0.8, "baseline": 2}],
        scale={"min": 1, "max": 5},
    )
    s = c.score()
    assert s.by_id("s") == pytest.approx(0.75, abs=1e-15)
    d = s.to_dict()
    assert d["nodes"][0] == {
        "id": "s",
        "name": "s",
        "kind": "segment",
        "quality": d["nodes"][0]["quality"],
        "score": pytest.approx(4.0, abs=1e-12),
    }


def test_fork_value_weighted_company():
    # a -> s1 (0.4), a -> s2 (0.9); revenue 300 and 100 -> company = (0.4*300 + 0.9*100)/400
    c = chain(
        [{"id": "a", "quality": 0.7}],
        [{"from": "a", "to": "s1", "quality": 0.4}, {"from": "a", "to": "s2", "quality": 0.9}],
        segments=[{"id": "s1", "revenue": 300}, {"id": "s2", "revenue": 100, "customers": 5}],
    )
    assert c.score().company == pytest.approx((0.4 * 300 + 0.9 * 100) / 400, abs=1e-15)


def test_two_department_loop_unrated():
    # a: own .8, dep .5, gets b unrated; b: own .6, dep .5, gets a unrated
    # a = .4 + .5 b, b = .3 + .5 a -> a = .4 + .15 + .25 a -> a = .55/.75, b = .3 + .5 a
    c = chain(
        [{"id": "a", "quality": 0.8}, {"id": "b", "quality": 0.6}],
        [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}, {"from": "a", "to": "s"}],
        segments=[{"id": "s"}],
    )
    a = 0.55 / 0.75
    assert c.score().quality.tolist() == pytest.approx([a, 0.3 + 0.5 * a, a], abs=1e-14)


def test_partner_quality_and_no_segments():
    c = chain(
        [{"id": "a", "quality": 0.5, "dependence": 0.4}],
        [{"from": "p", "to": "a", "quality": 0.25}],
        partners=[{"id": "p", "quality": 0.9}],
    )
    s = c.score()
    assert s.by_id("p") == 0.9
    assert s.by_id("a") == pytest.approx(0.6 * 0.5 + 0.4 * 0.25, abs=1e-15)
    assert math.isnan(s.company)
    assert s.to_dict()["company"] == {"quality": None, "score": None}


def test_score_is_cached_per_chain():
    c = chain([{"id": "a", "quality": 0.5}], [])
    from servicechain.flow import state_of

    assert state_of(c) is state_of(c)
    assert np.array_equal(c.score().quality, [0.5])


def test_unknown_id_has_did_you_mean():
    c = chain([{"id": "store", "quality": 0.5}], [])
    with pytest.raises(KeyError, match="did you mean 'store'"):
        c.score().by_id("stroe")

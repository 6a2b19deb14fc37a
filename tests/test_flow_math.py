"""Gap breakdown, sensitivities, what-if and failure on hand-computed chains."""

from __future__ import annotations

import numpy as np
import pytest

from servicechain import Chain, UnknownNodeError
from servicechain.flow import (
    ScenarioError,
    SolveError,
    explain,
    impact,
    influence,
    rank,
    sensitivities,
    state_of,
)

SEG = {"kind": "consumer", "relationship": "customer"}


def chain(departments, services, segments=(), partners=()) -> Chain:
    return Chain.from_dict(
        {
            "name": "t",
            "departments": [{"name": d["id"].upper(), **d} for d in departments],
            "segments": [{"name": s["id"].upper(), **SEG, **s} for s in segments],
            "partners": [{"name": p["id"].upper(), **p} for p in partners],
            "services": list(services),
        }
    )


def line() -> Chain:
    # it (0.6, no inputs) -> store (own 0.9, dep .5, rating .5) -> walkin (unrated)
    # store = .45 + .25 = .7 = walkin; e(it->store) = .5/.6
    return chain(
        [{"id": "it", "quality": 0.6}, {"id": "store", "quality": 0.9}],
        [{"from": "it", "to": "store", "quality": 0.5}, {"from": "store", "to": "walkin"}],
        segments=[{"id": "walkin", "revenue": 1000, "revenue_elasticity": 0.5}],
    )


def test_line_breakdown_exact():
    b = explain(line(), "walkin", method="marginal")
    assert b.gap == pytest.approx(0.3, abs=1e-15)
    got = {t.node: t.value for t in b.terms}
    # L[w,it] = r * e = .5 * 5/6 = 5/12; own it: 5/12 * .4; loss: .5 * (1 - 5/6); own store .05
    assert got == pytest.approx(
        {"it": 5 / 12 * 0.4, ("it", "store"): 0.5 / 6, "store": 0.05}, abs=1e-15
    )
    assert [t.node for t in b.terms] == ["it", ("it", "store"), "store"]
    assert sum(t.share_of_gap for t in b.terms) == pytest.approx(1.0, abs=1e-12)
    assert b.terms[0].share_of_gap == pytest.approx((5 / 12 * 0.4) / 0.3, abs=1e-12)


def test_service_rated_above_its_supplier_recovers_gap():
    # a (0.5) -> s rated 0.8 (above what a delivers): loss r(1 - e) = 1 - 1.6 = -0.6
    c = chain(
        [{"id": "a", "quality": 0.5}],
        [{"from": "a", "to": "s", "quality": 0.8}],
        segments=[{"id": "s"}],
    )
    b = explain(c, "s", method="marginal")
    assert b.gap == pytest.approx(0.2, abs=1e-15)
    got = {t.node: t.value for t in b.terms}
    assert got == pytest.approx({"a": 1.6 * 0.5, ("a", "s"): -0.6}, abs=1e-15)
    assert b.terms[-1].kind == "service" and b.terms[-1].share_of_gap == pytest.approx(-3.0)
    # gap tracing: the hand-off adds nothing (0.2 short of perfect, a's gap is 0.5), all of
    # the gap is a's own shortfall passing through
    traced = explain(c, "s")
    assert [(t.kind, t.node) for t in traced.terms] == [("own", "a")]
    assert traced.terms[0].value == pytest.approx(0.2, abs=1e-15)
    # raising a to 0.75 would transmit 1.2: capped at 1
    assert impact(c, set={"a": 0.75}).by_id("s") == pytest.approx((0.8, 1.0), abs=1e-15)
    assert impact(c, set={"a": 0.55}).by_id("s")[1] == pytest.approx(0.88, abs=1e-15)


def test_unrated_service_transmits_one_to_one():
    c = chain(
        [{"id": "a", "quality": 0.4}, {"id": "b", "quality": 1.0, "dependence": 0.25}],
        [{"from": "a", "to": "b"}, {"from": "b", "to": "s", "quality": 0.85}],
        segments=[{"id": "s"}],
    )
    # b = .75 + .25*.4 = .85; s = .85, e(b->s) = 1
    s = sensitivities(c)
    assert s.own.tolist() == pytest.approx([0.25, 0.75, 0.0], abs=1e-15)
    assert s.service.tolist() == pytest.approx([0.25, 1.0], abs=1e-15)
    assert impact(c, set={"a": 0.8}).by_id("s")[1] == pytest.approx(0.95, abs=1e-15)


def test_fork_and_join_value_weighted_importance():
    # a feeds s1 and s2 (unrated); b feeds s2 only; weights equal
    c = chain(
        [{"id": "a", "quality": 0.5}, {"id": "b", "quality": 0.9}],
        [{"from": "a", "to": "s1"}, {"from": "a", "to": "s2"}, {"from": "b", "to": "s2"}],
        segments=[{"id": "s1", "customers": 1}, {"id": "s2", "customers": 3}],
    )
    # s1 = .5; s2 = .7; dQ/db_a = (1*1 + 3*.5)/4
    assert sensitivities(c).own[:2].tolist() == pytest.approx([2.5 / 4, 1.5 / 4], abs=1e-15)
    assert sensitivities(c, segment="s2").own[:2].tolist() == pytest.approx([0.5, 0.5])
    matrix, deps, segs = influence(c)
    assert (deps, segs) == (["a", "b"], ["s1", "s2"])
    assert np.allclose(matrix, [[1.0, 0.5], [0.0, 0.5]], rtol=0, atol=1e-15)


def test_loop_failure_closed_form_and_rank():
    # a <-> b loop, both own .8/.6, dep .5, unrated; a serves s
    c = chain(
        [{"id": "a", "quality": 0.8}, {"id": "b", "quality": 0.6}],
        [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}, {"from": "a", "to": "s"}],
        segments=[{"id": "s"}],
    )
    # fail b: a = .4 -> s = .4; before a = .55/.75
    imp = impact(c, fail=["b"])
    assert imp.by_id("s") == pytest.approx((0.55 / 0.75, 0.4), abs=1e-14)
    assert imp.by_id("b")[1] == 0.0
    r = rank(c, by="failure")
    fail = {row.node: row.failure for row in r.departments}
    assert fail == pytest.approx({"a": 0.55 / 0.75, "b": 0.55 / 0.75 - 0.4}, abs=1e-14)
    assert state_of(c).diagonal(np.array([0, 1])).tolist() == pytest.approx([4 / 3, 4 / 3])


def test_revenue_change_and_empty_scenario():
    c = line()
    imp = impact(c, set={"store": 1.0})
    # store +.05 -> walkin +.05 -> revenue 1000 * .5 * .05
    assert imp.revenue_total == pytest.approx(25.0, abs=1e-9)
    same = impact(c)
    assert np.array_equal(same.after, same.before)
    assert same.company_change == 0.0


def test_scenario_errors_name_the_value():
    c = line()
    with pytest.raises(UnknownNodeError, match=r"did you mean 'store'\?"):
        impact(c, set={"stroe": 0.5})
    with pytest.raises(UnknownNodeError, match="no service from 'store' to 'it'"):
        impact(c, set={"store->it": 0.5})
    with pytest.raises(ScenarioError, match=r"set it=2: outside the scale 0\.\.1"):
        impact(c, set={"it": 2})
    with pytest.raises(ScenarioError, match="only a department or a partner can fail"):
        impact(c, fail=["walkin"])
    with pytest.raises(UnknownNodeError, match="'it' is not a segment"):
        explain(c, "it")


def test_breakdown_check_fails_loudly(monkeypatch):
    import importlib

    mod = importlib.import_module("servicechain.flow.explain")

    c = line()
    monkeypatch.setattr(mod, "service_losses", lambda state: np.zeros(state.net.m))
    with pytest.raises(SolveError, match="does not add up"):
        explain(c, "walkin", method="marginal")

"""Gap tracing, exact gains and exact failures against dense references and forced what-ifs, on
random valid models with loops, unrated services, services rated above their supplier,
partners and baselines (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from servicechain import Chain, ModelError
from servicechain.errors import ServiceChainError
from servicechain.flow import explain, impact, rank, state_of
from servicechain.flow.effects import Effects
from servicechain.flow.solve import SolveError

from .strategies import model_data

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def models(draw) -> Chain:
    """A random valid model; loops are likely (departments serve each other freely)."""
    data = model_data(draw, max_services=14)
    try:
        chain = Chain.from_dict(data)
        state_of(chain).operator.solve(np.ones(chain.network.n))
    except (ModelError, SolveError):
        assume(False)
    return chain


def dense_tracing(chain: Chain, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Own and hand-off terms of node ``k`` straight from the DESIGN formulas, dense."""
    net = chain.network
    q = state_of(chain).quality
    p = np.where(np.isnan(net.rating), q[net.source], net.rating)
    g = 1 - q
    psi = np.zeros((net.n, net.n))
    loss = np.zeros(net.m)
    for s in range(net.m):
        j, i, r = net.source[s], net.target[s], net.reliance[s]
        passed = min(1 - p[s], g[j])
        loss[s] = (1 - p[s]) - passed
        psi[i, j] += r * (passed / g[j] if g[j] > 0 else 0.0)
    t = np.linalg.inv(np.eye(net.n) - psi)
    own = t[k] * net.own_share * (1 - net.own_filled)
    return own, t[k, net.target] * net.reliance * loss


def key(net, s: int) -> str:
    return f"{net.ids[net.source[s]]}->{net.ids[net.target[s]]}"


@SETTINGS
@given(models())
def test_tracing_is_non_negative_adds_up_and_equals_the_dense_formulas(c):
    net = c.network
    for k in np.flatnonzero(net.kind == 2):
        b = explain(c, net.ids[k])
        values = np.array([t.value for t in b.terms])
        assert np.all(values >= 0)
        assert abs(values.sum() - b.gap) <= 1e-9
        own, svc = dense_tracing(c, k)
        assert np.all(own >= -1e-12) and np.all(svc >= -1e-12)
        expected = np.sort(np.concatenate([own, svc])[np.concatenate([own, svc]) > 1e-15])
        assert np.allclose(np.sort(values), expected, rtol=0, atol=1e-10)


@SETTINGS
@given(models())
def test_marginal_breakdown_adds_up(c):
    net = c.network
    for k in np.flatnonzero(net.kind == 2):
        b = explain(c, net.ids[k], method="marginal")
        assert abs(sum(t.value for t in b.terms) - b.gap) <= 1e-9 * max(
            1.0, sum(abs(t.value) for t in b.terms)
        )


def _forced(c: Chain, **changes) -> float:
    """Company change of a what-if forced through ``impact`` (a fresh solve)."""
    result = impact(c, **changes)
    return result.company_after - result.company_before


@SETTINGS
@given(models())
def test_every_exact_gain_equals_a_forced_what_if_and_is_at_most_its_bound(c):
    net = c.network
    ranking = rank(c)
    for row in ranking.departments:
        forced = _forced(c, set={row.node: net.scale.max})
        assert abs(row.gain - forced) <= 1e-9
        assert row.gain <= row.bound + 1e-12
    for row in ranking.services:
        forced = _forced(c, set={f"{row.node[0]}->{row.node[1]}": net.scale.max})
        assert abs(row.gain - forced) <= 1e-9
        assert row.gain <= row.bound + 1e-12


@SETTINGS
@given(models())
def test_every_failure_equals_a_re_solve_and_is_at_most_its_bound(c):
    ranking = rank(c, by="failure")
    for row in ranking.departments:
        assert abs(row.failure + _forced(c, fail=[row.node])) <= 1e-9
        assert row.failure <= row.failure_bound + 1e-12
    for row in ranking.services:
        assert abs(row.failure + _forced(c, fail=[f"{row.node[0]}->{row.node[1]}"])) <= 1e-9
        assert row.failure <= row.failure_bound + 1e-12


@SETTINGS
@given(models(), st.integers(1, 4), st.sampled_from(["gain", "failure"]))
def test_certified_top_n_equals_the_exhaustive_top_n(c, n, by):
    net = c.network
    state = state_of(c)
    eff = Effects(state, net.value / state.total_value, state.adjoint)
    nodes = np.flatnonzero(net.kind != 2)
    services = np.arange(net.m)
    if by == "gain":
        full = (eff.node_gain(nodes), eff.service_gain(services))
    else:
        full = (eff.node_failure(nodes), eff.service_failure(services))
    ranking = rank(c, by=by, top=n)
    for rows, values in zip((ranking.departments, ranking.services), full, strict=True):
        top = [getattr(r, by) for r in rows[:n]]
        assert np.allclose(top, np.sort(values)[::-1][: len(top)], rtol=0, atol=1e-12)


def test_a_service_rated_above_its_supplier_hands_off_nothing_and_traces_the_rest_up():
    # it delivers 0.4 (gap 0.6); the store rates its service 0.8 (shortfall 0.2): the whole
    # shortfall is it's own gap passing through, so the hand-off term is 0 and it's own part
    # reaches the store as r * 0.2 = 0.1 (psi = 0.2 / 0.6).
    c = Chain.from_dict(
        {
            "name": "Above",
            "departments": [
                {"id": "it", "name": "IT", "quality": 0.4, "dependence": 0},
                {"id": "store", "name": "Store", "quality": 0.9, "dependence": 0.5},
            ],
            "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
            "services": [
                {"from": "it", "to": "store", "quality": 0.8},
                {"from": "store", "to": "s"},
            ],
        }
    )
    b = explain(c, "s")
    terms = {t.node: t.value for t in b.terms}
    assert abs(b.gap - 0.15) <= 1e-15
    assert terms.keys() == {"it", "store"}
    assert abs(terms["it"] - 0.1) <= 1e-15 and abs(terms["store"] - 0.05) <= 1e-15
    marginal = {t.node: t.value for t in explain(c, "s", method="marginal").terms}
    assert marginal[("it", "store")] < 0  # the linearised view has a negative hand-off


def test_a_loop_traces_each_gap_around_it_by_hand():
    # a and b serve each other (dependence 0.5, unrated, so each passes its whole gap on:
    # psi = 1), and s rides entirely on a. Psi = [[0, .5], [.5, 0]] on (a, b), so the row of
    # T = (I - Psi)^-1 at s is T[s] = T[a] = [4/3, 2/3]; the own gaps are 0.1 and 0.2.
    c = Chain.from_dict(
        {
            "name": "Loop",
            "departments": [
                {"id": "a", "name": "A", "quality": 0.8, "dependence": 0.5},
                {"id": "b", "name": "B", "quality": 0.6, "dependence": 0.5},
            ],
            "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
            "services": [
                {"from": "a", "to": "b"},
                {"from": "b", "to": "a"},
                {"from": "a", "to": "s"},
            ],
        }
    )
    b = explain(c, "s")
    terms = {t.node: t.value for t in b.terms}
    assert abs(terms["a"] - 4 / 3 * 0.1) <= 1e-15
    assert abs(terms["b"] - 2 / 3 * 0.2) <= 1e-15
    assert abs(b.gap - (4 / 3 * 0.1 + 2 / 3 * 0.2)) <= 1e-15
    # a fails on the loop: L[a,a] = 4/3 and L[s,a] = 4/3, so s loses Q_a L[s,a] / L[a,a] =
    # Q_a (all of it, s rides on a alone), while the linear bound Q_a L[s,a] is 4/3 of that.
    q_a = 1 - b.gap
    row = {r.node: r for r in rank(c, by="failure").departments}
    assert abs(row["a"].failure - q_a) <= 1e-12
    assert abs(row["a"].failure_bound - 4 / 3 * q_a) <= 1e-12


def test_a_breakdown_with_huge_marginal_terms_still_checks_relative_to_their_size():
    # the supplier delivers almost nothing (1e-11) while its service is rated 0.875: the
    # marginal terms reach about 1e10 and cancel; tracing has no such terms at all.
    c = Chain.from_dict(
        {
            "name": "Tiny supplier",
            "departments": [
                {"id": "a", "name": "A", "quality": 1e-11, "dependence": 0},
                {"id": "b", "name": "B", "quality": 0.5, "dependence": 0.5},
            ],
            "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
            "services": [{"from": "a", "to": "b", "quality": 0.875}, {"from": "b", "to": "s"}],
        }
    )
    for method in ("tracing", "marginal"):
        b = explain(c, "s", method=method)
        assert abs(b.gap - 0.3125) <= 1e-12
    assert all(t.value >= 0 for t in explain(c, "s").terms)


def test_the_breakdown_check_still_fails_loudly_on_a_real_error():
    from servicechain.flow.explain import check_sum

    own, svc = np.array([0.2, 0.1]), np.array([0.05])
    assert abs(check_sum(own, svc, 0.35, "'s'")) <= 1e-15
    with pytest.raises(ServiceChainError, match="does not add up"):
        check_sum(own, svc, 0.3, "'s'")
    # relative to the size of the terms: 1e10 terms cancelling to 0.3 pass, but not 0.4
    big = np.array([1e10, -1e10 + 0.25])
    assert abs(check_sum(big, svc, 0.3, "'s'")) <= 1e-5
    with pytest.raises(ServiceChainError, match="does not add up"):
        check_sum(big, svc, 0.4, "'s'")


def test_value_weighting_refuses_what_it_cannot_weigh(tmp_path, runner):
    from servicechain.cli import main

    base = {
        "name": "Values",
        "departments": [{"id": "a", "name": "A", "quality": 0.5}],
        "segments": [
            {"id": "s", "name": "S", "kind": "consumer", "relationship": "client", "revenue": 0},
            {"id": "t", "name": "T", "kind": "consumer", "relationship": "client", "revenue": 0},
        ],
        "services": [{"from": "a", "to": "s"}, {"from": "a", "to": "t", "quality": 0.9}],
    }
    with pytest.raises(ServiceChainError, match="no segment carries any value"):
        rank(Chain.from_dict(base))
    # revenue 0 is a real value: that segment counts for nothing
    base["segments"][1]["revenue"] = 5
    chain = Chain.from_dict(base)
    assert state_of(chain).company(state_of(chain).quality) == pytest.approx(0.9, abs=1e-15)
    base["segments"][1]["revenue_elasticity"] = -0.5
    with pytest.raises(ModelError, match=r"revenue_elasticity: -0\.5 is below 0"):
        Chain.from_dict(base)
    path = tmp_path / "zero.yaml"
    base["segments"][1].update(revenue=0, revenue_elasticity=0.5)
    import yaml

    path.write_text(yaml.safe_dump(base), encoding="utf-8")
    result = runner.invoke(main, ["score", str(path)])
    assert result.exit_code == 1
    assert "no segment carries any value: every segment has revenue 0" in result.stderr


def test_a_segment_baseline_moves_with_set_and_is_refused_at_dependence_one():
    data = {
        "name": "Baseline",
        "departments": [{"id": "a", "name": "A", "quality": 0.6, "dependence": 0}],
        "segments": [
            {
                "id": "s",
                "name": "S",
                "kind": "consumer",
                "relationship": "client",
                "dependence": 0.5,
                "baseline": 0.8,
            },
            {"id": "t", "name": "T", "kind": "consumer", "relationship": "client"},
        ],
        "services": [{"from": "a", "to": "s"}, {"from": "a", "to": "t"}],
    }
    chain = Chain.from_dict(data)
    assert impact(chain, set={"s": 1.0}).by_id("s") == pytest.approx((0.7, 0.8), abs=1e-15)
    from servicechain.flow import ScenarioError

    with pytest.raises(ScenarioError, match="'t' is a segment with dependence 1"):
        impact(chain, set={"t": 1.0})


def test_a_failed_service_equals_its_rating_at_zero_and_the_cli_takes_it(runner):
    from servicechain.cli import main

    from .conftest import DATA

    shop = str(DATA / "flow" / "shop.yaml")
    chain = Chain.from_dict(
        {
            "name": "S",
            "departments": [
                {"id": "it", "name": "IT", "quality": 0.5, "dependence": 0},
                {"id": "loja", "name": "Loja", "quality": 0.9},
            ],
            "segments": [{"id": "c", "name": "C", "kind": "consumer", "relationship": "client"}],
            "services": [{"from": "it", "to": "loja", "quality": 0.5}, {"from": "loja", "to": "c"}],
        }
    )
    failed = impact(chain, fail=["it->loja"])
    zero = impact(chain, set={"it->loja": 0.0})
    assert failed.after.tolist() == pytest.approx(zero.after.tolist(), abs=1e-15)
    assert failed.changes == ["service it->loja fails"]
    result = runner.invoke(main, ["impact", shop, "--fail", "it->loja"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "What-if: service it->loja fails (scale 1..5)\n" in result.stdout
    # loja relies half on the POS service rated 3 on 1..5 (0.5): it loses 0.25 of 0..1, 1 point
    assert "  clientes  Clientes de passagem    3.80   2.80   -1.00" in result.stdout


def test_without_segments_every_command_says_so(runner):
    from servicechain.cli import main

    from .conftest import DATA

    path = str(DATA / "flow" / "no_segments.yaml")
    note = "no segments: nothing reaches a customer"
    for args, code in ((["score"], 0), (["rank"], 0), (["explain", "x"], 1), (["impact"], 1)):
        result = runner.invoke(main, [args[0], path, *args[1:]])
        assert result.exit_code == code, args
        assert note in (result.stdout if code == 0 else result.stderr), args
    assert (
        "  Note: no segments: nothing reaches a customer\n"
        in runner.invoke(main, ["rank", path]).stdout
    )


def test_every_bundled_example_has_a_board_ready_pareto_and_exact_rows(example):
    import servicechain

    chain = servicechain.load(example)
    net = chain.network
    for k in np.flatnonzero(net.kind == 2):
        b = explain(chain, net.ids[k])
        assert all(t.value >= 0 for t in b.terms)
        assert sum(t.share_of_gap for t in b.terms) == pytest.approx(1.0, abs=1e-9)
    ranking = rank(chain, top=3)
    for row in ranking.departments[:3]:
        forced = _forced(chain, set={row.node: net.scale.max})
        assert row.gain == pytest.approx(forced, abs=1e-9) and row.gain <= row.bound + 1e-12
        assert row.failure == pytest.approx(-_forced(chain, fail=[row.node]), abs=1e-9)
    for row in ranking.services[:3]:
        key = f"{row.node[0]}->{row.node[1]}"
        assert row.gain == pytest.approx(_forced(chain, set={key: net.scale.max}), abs=1e-9)
        assert row.failure == pytest.approx(-_forced(chain, fail=[key]), abs=1e-9)

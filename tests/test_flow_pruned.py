"""The pruned ranking against brute force: every department, partner and service made perfect
by a forced what-if, on random models with loops and services rated above their supplier
(hypothesis); and the local proof that no cap is reached, on models built to reach it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from servicechain import Chain
from servicechain.flow import impact, rank, state_of
from servicechain.flow.effects import Effects, certify
from servicechain.flow.upward import Upward
from servicechain.samples.generate import generate

from .test_flow_exact import SETTINGS, models


def _forced(c: Chain, key: str) -> float:
    result = impact(c, set={key: c.network.scale.max})
    return result.company_after - result.company_before


def _brute(c: Chain) -> tuple[dict, dict]:
    net = c.network
    nodes = {net.ids[i]: _forced(c, net.ids[i]) for i in np.flatnonzero(net.kind != 2)}
    services = {}
    for s in range(net.m):
        pair = (net.ids[net.source[s]], net.ids[net.target[s]])
        services[pair] = _forced(c, f"{pair[0]}->{pair[1]}")
    return nodes, services


@SETTINGS
@given(models(), st.integers(1, 5))
def test_the_pruned_top_n_by_gain_is_the_brute_force_top_n(c, n):
    nodes, services = _brute(c)
    ranking = rank(c, top=n)
    for rows, brute in ((ranking.departments, nodes), (ranking.services, services)):
        shown = rows[:n]
        # the values shown are the forced what-ifs' ...
        for row in shown:
            assert abs(row.gain - brute[row.node]) <= 1e-9
        # ... and no item left out gains more than the last one shown
        expected = sorted(brute.values(), reverse=True)[: len(shown)]
        assert np.allclose([r.gain for r in shown], expected, rtol=0, atol=1e-9)


@SETTINGS
@given(models())
def test_a_rise_proven_free_of_caps_gains_exactly_its_linear_value(c):
    net = c.network
    state = state_of(c)
    w = net.value / state.total_value
    up = Upward(state, w)
    nodes = np.flatnonzero(net.kind != 2)
    x = net.own_share[nodes] * (1.0 - net.own_filled[nodes])
    free = up.cap_free(nodes, x)
    for i, extra, ok in zip(nodes, x, free, strict=True):
        linear = up.y[i] * extra
        forced = _forced(c, net.ids[i])
        assert forced <= linear + 1e-12  # the linear rise is an upper bound
        if ok:
            assert abs(forced - linear) <= 1e-12


def _capped(rating: float) -> Chain:
    # a (0.5, on its own) serves b with a service rated `rating`, above what a delivers; b
    # serves the shoppers. Making a perfect raises the service by e = rating / 0.5 per point,
    # until it reaches the top of the scale.
    return Chain.from_dict(
        {
            "name": "Cap",
            "departments": [
                {"id": "a", "name": "A", "quality": 0.5, "dependence": 0},
                {"id": "b", "name": "B", "quality": 0.5, "dependence": 0.5},
            ],
            "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
            "services": [{"from": "a", "to": "b", "quality": rating}, {"from": "b", "to": "s"}],
        }
    )


def test_a_cap_reached_on_the_way_is_found_and_the_gain_solved_exactly():
    # rated 0.9: a at 1 would pass 1.8, capped at 1, so b gains 0.5 * 0.1 (not 0.5 * 0.9)
    c = _capped(0.9)
    up = Upward(state_of(c), np.array([0.0, 0.0, 1.0]))
    assert up.cap_free(np.array([0]), np.array([0.5])).tolist() == [False]
    row = {r.node: r for r in rank(c).departments}["a"]
    assert abs(row.gain - 0.05) <= 1e-15
    assert abs(row.bound - 0.45) <= 1e-15
    # rated 0.55: a at 1 would pass 1.1, capped too: b gains 0.5 * 0.45
    assert abs({r.node: r for r in rank(_capped(0.55)).departments}["a"].gain - 0.225) <= 1e-15


def test_a_service_at_the_top_stays_there_and_is_no_cap_to_reach():
    # rated 1 (the top): a's rise never passes it on, so a gains nothing, proven without a solve
    c = _capped(1.0)
    up = Upward(state_of(c), np.array([0.0, 0.0, 1.0]))
    assert up.y.tolist() == [0.0, 1.0, 1.0]
    assert up.cap_free(np.array([0]), np.array([0.5])).tolist() == [True]
    assert {r.node: r for r in rank(c).departments}["a"].gain == 0.0


@SETTINGS
@given(
    hnp.arrays(float, st.integers(0, 40), elements=st.floats(0, 1)),
    st.data(),
    st.integers(0, 45),
    st.integers(1, 6),
)
def test_the_pruned_walk_finds_the_exhaustive_top_n_and_solves_only_what_it_shows(
    bound, data, count, batch
):
    # exact values anywhere below their bounds, ties and zeros included
    shrink = data.draw(hnp.arrays(float, len(bound), elements=st.floats(0, 1)))
    exact = bound * shrink
    asked = []

    def solve(items: np.ndarray) -> np.ndarray:
        asked.extend(items.tolist())
        return exact[items]

    values, known = certify(bound, solve, count, batch=batch)
    assert len(asked) == len(set(asked))  # no item solved twice
    assert known.sum() == len(asked)
    assert np.array_equal(values[known], exact[known])
    assert np.array_equal(values[~known], bound[~known])
    top = min(count, len(bound))
    if not top:
        return
    # the top ``count`` of what it returns are exact, and they are the exhaustive top
    order = np.lexsort((np.arange(len(bound)), ~known, -values))[:top]
    assert known[order].all()
    assert np.array_equal(values[order], np.sort(exact)[::-1][:top])
    # every item left unsolved has a bound at most the count-th exact value
    assert (bound[~known] <= values[order[-1]]).all()


@pytest.fixture(scope="module")
def organisation() -> Chain:
    # one loop of several hundred departments (swept, not factorised) and many services rated
    # above what their supplier delivers
    return Chain.from_dict(generate(500, seed=11))


def test_gains_of_services_on_a_large_loop_equal_forced_what_ifs(organisation):
    # each what-if keeps in the capped sweeps only the services whose supplier may reach its
    # cap, on a loop too: the values must be those of the full what-if solve
    c = organisation
    state = state_of(c)
    net = state.net
    assert state.largest_loop > 400
    effects = Effects(state, net.value / state.total_value, state.adjoint)
    on_loop = np.flatnonzero(state.on_cycle(net.target) & state.on_cycle(net.source))
    bound = effects.service_gain_bound(on_loop)
    picked = on_loop[np.argsort(-bound, kind="stable")[:40]]
    gains = effects.service_gain(picked)
    for s, gain in zip(picked, gains, strict=True):
        forced = _forced(c, f"{net.ids[net.source[s]]}->{net.ids[net.target[s]]}")
        assert abs(gain - forced) <= 1e-12
    # and some of them did reach a cap (the linear bound was not the answer)
    assert (gains < effects.service_gain_bound(picked) - 1e-9).any()

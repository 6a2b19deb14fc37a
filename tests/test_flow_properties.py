"""Properties of the quality flow on random valid models (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from servicechain import Chain, ModelError
from servicechain.flow import explain, impact, rank, sensitivities, state_of

from .strategies import model_data

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def models(draw) -> Chain:
    data = model_data(draw, max_services=12, elasticity=0.5)
    try:
        return Chain.from_dict(data)
    except ModelError:
        assume(False)


def dense_reference(c: Chain) -> np.ndarray:
    net = c.network
    m = np.eye(net.n)
    rhs = net.own_share * net.own_filled
    for s in range(net.m):
        j, i, r = net.source[s], net.target[s], net.reliance[s]
        if np.isnan(net.rating[s]):
            m[i, j] -= r
        else:
            rhs[i] += r * net.rating[s]
    return np.linalg.solve(m, rhs)


@SETTINGS
@given(models())
def test_current_state_reproduces_data_and_matches_dense_solve(c):
    net, q = c.network, c.score().quality
    assert np.all((q >= 0) & (q <= 1))
    assert np.allclose(q, dense_reference(c), rtol=0, atol=1e-12)
    for i in range(net.n):
        into = net.target == i
        if into.any() and not np.isnan(net.rating[into]).any():
            expected = net.own_share[i] * net.own_filled[i] + net.reliance[into] @ net.rating[into]
            assert abs(q[i] - expected) <= 1e-14


@SETTINGS
@given(models(), st.data())
def test_raising_never_lowers_and_stays_in_range(c, data):
    net, q = c.network, c.score().quality
    # a segment's baseline can be set only where it counts (dependence below 1)
    settable = [i for k, i in enumerate(net.ids) if net.kind[k] != 2 or net.own_share[k] > 0]
    nodes = data.draw(st.lists(st.sampled_from(settable), max_size=3, unique=True))
    changes = {i: data.draw(st.floats(0, 1)) for i in nodes}
    ups = {i: max(v, float(net.own_filled[net.index[i]])) for i, v in changes.items()}
    if net.m:
        for s in data.draw(st.lists(st.integers(0, net.m - 1), max_size=3, unique=True)):
            key = f"{net.ids[net.source[s]]}->{net.ids[net.target[s]]}"
            current = c.score().service_quality[s]
            ups[key] = data.draw(st.floats(float(current), 1))
    after = impact(c, set=ups).after
    assert np.all((after >= 0) & (after <= 1))
    assert np.all(after >= q - 1e-12)


@SETTINGS
@given(models())
def test_breakdown_adds_up_and_empty_scenario_is_exact(c):
    net = c.network
    for k in np.flatnonzero(net.kind == 2):
        b = explain(c, net.ids[k])
        assert abs(sum(t.value for t in b.terms) - b.gap) <= 1e-9
        assert all(t.value >= 0 for t in b.terms if t.kind == "own")
    same = impact(c)
    assert np.array_equal(same.after, c.score().quality)


def _slope(c: Chain, key: str, value: float, company: float, h: float) -> float:
    """The slope of the company quality as ``key`` moves down from ``value``, by a backward
    difference with one Richardson step: ``2 D(h/2) - D(h)`` cancels the first-order error
    term of ``D(h)``, so the error is O(h^2) (a rating moved on a loop changes what travels
    around it, so the company quality is not linear in it). Only decreases are used: they
    never meet the cap, where the slope from above differs."""

    def backward(step: float) -> float:
        return (company - impact(c, set={key: value - step}).company_after) / step

    return 2 * backward(h / 2) - backward(h)


@SETTINGS
@given(models())
def test_sensitivities_match_finite_differences(c):
    net = c.network
    state = state_of(c)
    h = 1e-5
    sens = sensitivities(c)
    company = state.company(state.quality)
    for i in range(net.n):
        b = net.own_filled[i]
        if b < 2 * h or (net.kind[i] == 2 and net.own_share[i] <= 0):
            continue  # a segment with dependence 1 has no baseline to move (refused by set)
        slope = _slope(c, net.ids[i], b, company, h)
        assert abs(slope - sens.own[i]) <= 1e-6 * max(1.0, abs(sens.own[i]))
    for s in range(net.m):
        p = state.service_quality[s]
        if p < 2 * h:
            continue
        key = f"{net.ids[net.source[s]]}->{net.ids[net.target[s]]}"
        slope = _slope(c, key, p, company, h)
        assert abs(slope - sens.service[s]) <= 1e-6 * max(1.0, abs(sens.service[s]))


@SETTINGS
@given(models())
def test_failure_closed_form_equals_resolve(c):
    net = c.network
    state = state_of(c)
    q = state.quality
    ranking = rank(c, by="failure")
    drops = {row.node: row.failure for row in ranking.departments}
    for d in np.flatnonzero(net.kind == 0):
        after = impact(c, fail=[net.ids[d]]).after
        col = state.column(d)
        if q[d] > 1e-12:
            assert np.allclose(after, q - q[d] * col / col[d], rtol=0, atol=1e-12)
        drop = state.company(q) - state.company(after)
        assert abs(drops[net.ids[d]] - drop) <= 1e-12

"""Properties of the cost allocation on random chains: conservation, the reciprocal system solved
densely, step-down equal to direct without service between support departments, linearity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import servicechain
from servicechain.cost import CostError, allocate
from servicechain.model.network import DEPARTMENT, SEGMENT

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
amounts = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
volumes = st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False)


@st.composite
def chains(draw, *, layered: bool = False):
    """A model whose every department's costs can reach a segment.

    Department ``j`` always serves some department after it (the last one serves a segment),
    so no group of departments passes its costs only to itself; other services go anywhere.
    With ``layered``: support departments serve only front-line departments and departments
    that serve no one, and the front line serves only segments.
    """
    n = draw(st.integers(min_value=2, max_value=7))
    n_seg = draw(st.integers(min_value=1, max_value=3))
    deps = [f"d{i}" for i in range(n)]
    segs = [f"s{k}" for k in range(n_seg)]
    pairs: dict[tuple[str, str], float] = {}
    if layered:
        n_front = draw(st.integers(min_value=1, max_value=n - 1))
        front, support = deps[:n_front], deps[n_front:]
        final = draw(st.lists(st.sampled_from(support), unique=True, max_size=len(support) - 1))
        for d in front:
            for s in draw(st.lists(st.sampled_from(segs), min_size=1, unique=True)):
                pairs[(d, s)] = draw(volumes)
        receivers = front + final
        for d in support:
            if d in final:
                continue
            for r in draw(st.lists(st.sampled_from(receivers), min_size=1, unique=True)):
                pairs[(d, r)] = draw(volumes)
    else:
        for i, d in enumerate(deps):
            later = deps[i + 1 :] or segs
            pairs[(d, draw(st.sampled_from(later)))] = draw(volumes)
            for other in draw(st.lists(st.sampled_from(deps + segs), max_size=3, unique=True)):
                if other != d:
                    pairs.setdefault((d, other), draw(volumes))
    data = {
        "name": "random",
        "departments": [{"id": d, "name": d.upper(), "cost": draw(amounts)} for d in deps],
        "segments": [
            {"id": s, "name": s.upper(), "kind": "consumer", "relationship": "customer"}
            for s in segs
        ],
        "services": [{"from": a, "to": b, "volume": v} for (a, b), v in pairs.items()],
    }
    return data


def _chain(data: dict) -> servicechain.Chain:
    return servicechain.Chain.from_dict(data)


def _final(result) -> float:
    return result.to_segments + result.total_kept


@SETTINGS
@given(chains())
def test_total_cost_is_conserved_by_every_method(data):
    chain = _chain(data)
    total = sum(d["cost"] for d in data["departments"])
    for method in ("reciprocal", "step-down", "direct"):
        try:
            result = allocate(chain, method=method)
        except CostError:
            assert method == "direct"  # a support department serving only support departments
            continue
        assert _final(result) == pytest.approx(total, rel=1e-9, abs=1e-6)
        # what each department passes on is what its services carry
        assert result.passed.sum() == pytest.approx(result.amount.sum(), rel=1e-12, abs=1e-6)
        assert (result.amount >= -1e-9).all()


@SETTINGS
@given(chains())
def test_reciprocal_equals_a_dense_solve(data):
    chain = _chain(data)
    result = allocate(chain)
    net, costs = chain.network, chain.costs
    n = net.n
    out = np.bincount(net.source, weights=costs.volume, minlength=n)
    s = np.zeros((n, n))
    for j, i, v in zip(net.source, net.target, costs.volume, strict=True):
        s[j, i] = v / out[j]
    total = np.linalg.solve(np.eye(n) - s.T, costs.direct)
    dep = net.kind == DEPARTMENT
    assert np.allclose(result.total[dep], total[dep], rtol=1e-9, atol=1e-6)
    seg = net.kind == SEGMENT
    assert np.allclose(result.received[seg], total[seg], rtol=1e-9, atol=1e-6)


@SETTINGS
@given(chains(layered=True), st.randoms(use_true_random=False))
def test_step_down_without_service_between_support_departments_is_direct(data, rng):
    chain = _chain(data)
    front = {s["from"] for s in data["services"] if s["to"].startswith("s")}
    order = sorted({s["from"] for s in data["services"]} - front)
    rng.shuffle(order)  # the support departments, in any order (the front line comes after)
    direct = allocate(chain, method="direct")
    stepped = allocate(chain, method="step-down", order=order)
    assert np.allclose(stepped.received, direct.received, rtol=1e-9, atol=1e-6)
    assert np.allclose(stepped.amount, direct.amount, rtol=1e-9, atol=1e-6)


@SETTINGS
@given(chains(), st.lists(amounts, min_size=7, max_size=7), st.floats(0.1, 10))
def test_allocation_is_linear_in_the_costs(data, other_costs, factor):
    first = _chain(data)
    second_data = {
        **data,
        "departments": [{**d, "cost": other_costs[i]} for i, d in enumerate(data["departments"])],
    }
    summed_data = {
        **data,
        "departments": [
            {**d, "cost": d["cost"] + factor * e["cost"]}
            for d, e in zip(data["departments"], second_data["departments"], strict=True)
        ],
    }
    second, summed = _chain(second_data), _chain(summed_data)
    for method in ("reciprocal", "step-down", "direct"):
        try:
            a = allocate(first, method=method)
            b = allocate(second, method=method, order=a.order)
            c = allocate(summed, method=method, order=a.order)
        except CostError:
            assert method == "direct"  # a support department serving only support departments
            continue
        expected = a.amount + factor * b.amount
        assert np.allclose(c.amount, expected, rtol=1e-9, atol=1e-6 * (1 + expected.max()))

"""What-ifs on generated organisations large enough for the iterative solver, where services
rated at the top of the scale sit exactly at the cap."""

from __future__ import annotations

import numpy as np
import pytest

from servicechain import Chain
from servicechain.flow import rank
from servicechain.samples.generate import generate


@pytest.fixture(scope="module")
def chain() -> Chain:
    return Chain.from_dict(generate(500, seed=3))


def test_failures_settle_and_match_the_closed_form(chain):
    net = chain.network
    departments = [i for i, k in enumerate(net.kind) if k == 0][:40]
    state_q = chain.score().quality
    drops = rank(chain, by="failure", exact=net.n)  # every row exact
    failure = {row.node: row.failure for row in drops.departments}
    for d in departments:
        ident = net.ids[d]
        result = chain.impact(fail=[ident])
        assert result.after[d] == 0.0
        assert np.all(result.after <= state_q + 1e-12)
        assert result.company_before - result.company_after == pytest.approx(
            failure[ident], abs=1e-9
        )


def test_rating_raised_far_above_a_weak_supplier_stays_exact():
    """A service of a supplier delivering almost nothing, raised to perfect, transmits at
    e = 1 / 1e-9: held at the cap from the start, the solve stays well conditioned."""
    chain = Chain.from_dict(
        {
            "name": "weak supplier",
            "departments": [{"id": "d0", "name": "D0", "quality": 1e-9, "dependence": 0}],
            "segments": [{"id": "s0", "name": "S0", "kind": "consumer", "relationship": "client"}],
            "services": [{"from": "d0", "to": "s0"}],
        }
    )
    result = chain.impact(set={"d0": 1.0, "d0->s0": 1.0})
    assert result.after.tolist() == [1.0, 1.0]

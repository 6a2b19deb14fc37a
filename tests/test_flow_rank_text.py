"""The text of a ranking solves the failures it shows (when not ranked by them) only to the
digits it writes: the same text as from exact failures, on generated models (hypothesis) and on
an organisation whose loop is swept; every number read from the ranking stays exact."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicechain import Chain
from servicechain.flow import rank, state_of
from servicechain.flow.effects import Effects
from servicechain.flow.rank import _TEXT_TOL, _Deferred
from servicechain.samples.generate import generate
from servicechain.text import fmt_score

from .test_flow_exact import SETTINGS, models


def _exact_text(c: Chain, **options) -> str:
    ranking = rank(c, **options)
    assert ranking.columns is not None  # looking at the numbers solves every failure exactly
    return str(ranking)


@SETTINGS
@given(models(), st.sampled_from([None, 1, 3]), st.sampled_from(["gain", "importance"]))
def test_the_text_is_the_text_of_the_exact_failures(c, top, by):
    ranking = rank(c, top=top, by=by)
    assert str(ranking) == _exact_text(c, top=top, by=by)
    # and the numbers read after the text are the exact ones
    assert ranking.to_dict() == rank(c, top=top, by=by).to_dict()


@SETTINGS
@given(
    st.sampled_from([1.0, 4.0, 10.0, 100.0]),
    st.lists(st.integers(0, 2000), min_size=1, max_size=30),
    st.data(),
)
def test_failures_shown_to_their_digits_are_written_as_the_exact_ones(span, steps, data):
    # exact values at and around the points where the text's rounding turns, and a loose solve
    # anywhere within its tolerance of them
    digits = 1 if span > 20 else 2
    turn = 10.0**-digits / span
    offset = st.floats(-4 * _TEXT_TOL, 4 * _TEXT_TOL)
    exact = np.array([(k + 0.5) * turn + data.draw(offset) for k in steps])
    exact = np.maximum(exact, 0.0)
    noise = np.array([data.draw(st.floats(-_TEXT_TOL, _TEXT_TOL)) for _ in steps])
    asked = []

    def solve(items: np.ndarray, tol: float | None = None) -> np.ndarray:
        asked.append(tol)
        return exact[items] + (0.0 if tol is None else noise[items] * tol / _TEXT_TOL)

    values = np.full(len(exact), np.nan)
    deferred = _Deferred(values, np.arange(len(exact)), solve)
    shown = deferred.to_digits(span)
    assert [fmt_score(v * span, span) for v in shown] == [fmt_score(v * span, span) for v in exact]
    assert np.isnan(values).all()  # the exact values are not taken from the text's
    assert asked[0] == _TEXT_TOL and asked[1:] in ([], [None])
    assert np.array_equal(deferred.settle(), exact)


@pytest.fixture(scope="module")
def organisation() -> Chain:
    return Chain.from_dict(generate(700, seed=5))


@pytest.mark.parametrize("options", [{}, {"top": 5}, {"by": "importance", "top": 30}])
def test_a_swept_loop_gives_the_text_of_the_exact_failures(organisation, options):
    state = state_of(organisation)
    assert state.largest_loop > 400  # the loop is swept, not factorised
    ranking = rank(organisation, **options)
    text = str(ranking)
    # the text did not need the exact failures ...
    assert all(len(listed.failures.items) for listed in ranking._lists.values())
    assert text == _exact_text(organisation, **options)
    # ... and the numbers read afterwards are exact
    effects = Effects(state, state.net.value / state.total_value, state.adjoint)
    nodes = np.array([state.net.index[row.node] for row in ranking.departments[:5]])
    assert [row.failure for row in ranking.departments[:5]] == effects.node_failure(nodes).tolist()


def test_failures_solved_to_a_tolerance_are_within_it(organisation):
    state = state_of(organisation)
    net = state.net
    effects = Effects(state, net.value / state.total_value, state.adjoint)
    nodes = np.flatnonzero(state.on_cycle(np.arange(net.n)))[:80]
    services = np.flatnonzero(state.on_cycle(net.target) & state.on_cycle(net.source))[:80]
    for tol in (1e-4, _TEXT_TOL):
        loose = effects.node_failure(nodes, tol=tol)
        assert np.abs(loose - effects.node_failure(nodes)).max() <= tol
        loose = effects.service_failure(services, tol=tol)
        assert np.abs(loose - effects.service_failure(services)).max() <= tol
    # a loose tolerance is an early stop, not the exact value
    assert not np.array_equal(effects.node_failure(nodes, tol=1e-4), effects.node_failure(nodes))

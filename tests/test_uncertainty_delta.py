"""The delta method for gap terms and gains: its gradients against finite differences of the
model written anew, its standard errors against the Monte Carlo's on models where nothing
reaches a cap or a kink (within the Monte Carlo's own error), and the commands that show both."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from servicechain import Chain, load
from servicechain.cli import main
from servicechain.flow import explain_intervals, ranked_with_stability
from servicechain.flow.delta import company_weights, gain_deltas, term_deltas
from servicechain.flow.drawn_gains import DrawnGains
from servicechain.flow.draws import draw_inputs, drawn_scores, uncertain_inputs
from servicechain.flow.explain import term_values
from servicechain.flow.scenario import Scenario
from servicechain.flow.state import State, state_of
from servicechain.flow.whatif import solve_scenario

from .conftest import shop


def _terms_of(state: State, k: int, items, method: str) -> np.ndarray:
    own, service = term_values(state, k, method)
    return np.array([own[i] if kind == "node" else service[i] for kind, i in items])


def _gains_of(state: State, w: np.ndarray, items) -> np.ndarray:
    base = float(w @ state.quality)
    out = []
    for kind, i in items:
        scenario = Scenario(own={i: 1.0}) if kind == "node" else Scenario(rating={i: 1.0})
        out.append(float(w @ solve_scenario(state, scenario)) - base)
    return np.array(out)


def _finite_difference_se(state: State, inputs, values, h: float = 1e-6) -> np.ndarray:
    """``sqrt(sum (d value / d x)^2 se_x^2)`` with each uncertain input moved by ±h in the
    model's arrays and the model solved anew."""
    net = state.net
    var = 0.0
    for field, where, se in (
        ("own", inputs.nodes, inputs.own_se),
        ("rating", inputs.services, inputs.rating_se),
    ):
        for position, error in zip(where, se, strict=True):
            up, down = getattr(net, field).copy(), getattr(net, field).copy()
            up[position] += h
            down[position] -= h
            slope = (
                values(State(dataclasses.replace(net, **{field: up})))
                - values(State(dataclasses.replace(net, **{field: down})))
            ) / (2 * h)
            var = var + (slope * error) ** 2
    return np.sqrt(var)


@pytest.mark.parametrize("method", ["tracing", "marginal"])
def test_term_gradients_are_those_of_the_model_solved_anew(method):
    state = state_of(Chain.from_dict(shop()))
    inputs = uncertain_inputs(state)
    for segment in ("walkin", "online"):
        k = state.net.index[segment]
        own, service = term_values(state, k, method)
        items = [("node", int(i)) for i in np.flatnonzero(np.abs(own) > 1e-15)]
        items += [("service", int(s)) for s in np.flatnonzero(np.abs(service) > 1e-15)]
        delta = term_deltas(state, inputs, k, items, method=method, z=1.6449)
        expected = _finite_difference_se(
            state, inputs, lambda s, k=k, items=items: _terms_of(s, k, items, method)
        )
        assert delta.se == pytest.approx(expected, abs=1e-7)


def test_gain_gradients_are_those_of_the_what_ifs_solved_anew():
    state = state_of(Chain.from_dict(shop()))
    net = state.net
    inputs = uncertain_inputs(state)
    items = [("node", int(i)) for i in np.flatnonzero(net.kind != 2)]
    items += [("service", s) for s in range(net.m)]
    for w in (company_weights(state, None), company_weights(state, net.index["online"])):
        delta = gain_deltas(state, inputs, w, items)
        assert delta.gain == pytest.approx(_gains_of(state, w, items), abs=1e-12)
        expected = _finite_difference_se(state, inputs, lambda s, w=w: _gains_of(s, w, items))
        assert delta.se == pytest.approx(expected, abs=1e-7)
        assert not delta.capped.any()


def test_a_gain_that_takes_a_hand_off_to_the_top_is_marked():
    """A hand-off rated above what its supplier delivers passes the cap when the supplier is
    made perfect: the gain is marked, and its delta method holds the hand-off at the top."""
    data = {
        "name": "Capped",
        "departments": [
            {"id": "a", "name": "A", "quality": 0.5, "quality_se": 0.02, "dependence": 0},
            {"id": "b", "name": "B", "quality": 0.6, "quality_se": 0.02, "dependence": 0.5},
        ],
        "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
        "services": [{"from": "a", "to": "b", "quality": 0.8, "quality_se": 0.02},
                     {"from": "b", "to": "s"}],
    }  # fmt: skip
    state = state_of(Chain.from_dict(data))
    inputs = uncertain_inputs(state)
    w = company_weights(state, None)
    delta = gain_deltas(state, inputs, w, [("node", 0), ("node", 1)])
    assert delta.capped.tolist() == [True, False]
    # a at 1 makes a → b deliver 1 (capped from 1.6): the gain is 0.5 × (1 - 0.8) = 0.1, and
    # only b's own quality and the rating move it (a's own no longer does)
    assert delta.gain[0] == pytest.approx(0.1)
    expected = _finite_difference_se(state, inputs, lambda s: _gains_of(s, w, [("node", 0)]))
    assert delta.se[0] == pytest.approx(expected[0], abs=1e-7)


@st.composite
def _lines(draw):
    """A line of 2 to 4 departments into one segment; each hand-off rated clearly below what
    its supplier delivers (so neither the tracing's kink nor the cap is near), every score with
    a small standard error."""
    count = draw(st.integers(2, 4))
    se = 0.02
    departments, services = [], []
    q_prev = None
    for d in range(count):
        b = draw(st.floats(0.4, 0.9))
        dep = 0.0 if d == 0 else draw(st.floats(0.2, 0.8))
        departments.append(
            {"id": f"d{d}", "name": f"D{d}", "quality": b, "quality_se": se, "dependence": dep}
        )
        if d == 0:
            q_prev = b
            continue
        rating = q_prev * draw(st.floats(0.4, 0.8))
        services.append({"from": f"d{d - 1}", "to": f"d{d}", "quality": rating, "quality_se": se})
        q_prev = (1 - dep) * b + dep * rating
    services.append({"from": f"d{count - 1}", "to": "s", "quality": q_prev * 0.7,
                     "quality_se": se})  # fmt: skip
    return {
        "name": "Line",
        "departments": departments,
        "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
        "services": services,
    }


DRAWS = 1500


def _drawn_state(net, own: np.ndarray, rating: np.ndarray) -> State:
    """The current state of the model written with one draw's scores."""
    return State(
        dataclasses.replace(net, own=np.where(np.isnan(net.own), np.nan, own), rating=rating)
    )


def _within_monte_carlo_error(delta_se: np.ndarray, mc_sd: np.ndarray) -> None:
    """The standard deviation of ``DRAWS`` draws is off by about sd / sqrt(2 (DRAWS - 1)):
    four of those, and the second-order terms of a small standard error (1e-4)."""
    tolerance = 4 * delta_se / math.sqrt(2 * (DRAWS - 1)) + 1e-4
    assert np.all(np.abs(mc_sd - delta_se) <= tolerance), (delta_se, mc_sd)


@settings(max_examples=5, deadline=None)
@given(_lines())
def test_delta_equals_the_monte_carlo_for_gap_terms_and_gains(data):
    chain = Chain.from_dict(data)
    state = state_of(chain)
    net = state.net
    inputs = uncertain_inputs(state)
    k = net.index["s"]
    # gap terms: each drawn model traced exactly
    own, service = term_values(state, k, "tracing")
    items = [("node", int(i)) for i in np.flatnonzero(np.abs(own) > 1e-15)]
    items += [("service", int(s)) for s in np.flatnonzero(np.abs(service) > 1e-15)]
    delta = term_deltas(state, inputs, k, items, method="tracing", z=1.6449)
    assume(not delta.kink.any())
    draw_own, draw_rating = draw_inputs(inputs, DRAWS, 11)
    b, p = drawn_scores(state, inputs, draw_own, draw_rating)
    terms = np.array(
        [_terms_of(_drawn_state(net, b[:, d], p[:, d]), k, items, "tracing") for d in range(DRAWS)]
    )
    _within_monte_carlo_error(delta.se, terms.std(axis=0, ddof=1))
    # gains: each drawn model's what-if solved exactly, the cap included
    w = company_weights(state, None)
    gains = DrawnGains(state, inputs, draw_own, draw_rating, w)
    nodes = [int(i) for i in np.flatnonzero(net.kind != 2)]
    gain_items = [("node", i) for i in nodes] + [("service", s) for s in range(net.m)]
    gain_delta = gain_deltas(state, inputs, w, gain_items)
    assert not gain_delta.capped.any()
    drawn = np.array(
        [gains.node_gain(i) for i in nodes] + [gains.service_gain(s) for s in range(net.m)]
    )
    _within_monte_carlo_error(gain_delta.se, drawn.std(axis=1, ddof=1))


def test_explain_intervals_gives_delta_and_monte_carlo_side_by_side():
    chain = Chain.from_dict(shop(se=0.1))
    delta_only = explain_intervals(chain, "walkin")
    assert delta_only.draws == 0 and np.isnan(delta_only.mc_low).all()
    both = explain_intervals(chain, "walkin", draws=1000, seed=2)
    assert both.se == pytest.approx(delta_only.se)
    values = np.array([t.value for t in both.breakdown.shown()])
    assert np.all(both.low <= values) and np.all(values <= both.high)
    # where nothing is near a kink the two intervals agree within the draws' error
    smooth = ~both.kink
    assert smooth.any()
    width = both.high - both.low
    assert np.abs(both.mc_low - both.low)[smooth] == pytest.approx(0, abs=0.15 * width.max())
    assert np.abs(both.mc_high - both.high)[smooth] == pytest.approx(0, abs=0.15 * width.max())


def test_stability_rows_carry_the_delta_method_beside_the_draws():
    chain = Chain.from_dict(shop(se=0.05))
    result = ranked_with_stability(chain, top=3, draws=3000, seed=4)
    for row in result.stability.departments + result.stability.services:
        assert row.low <= row.gain <= row.high
        assert row.mc_low <= row.mc_high
        if row.se > 0 and not row.capped:
            # 90% intervals: the delta method's and the draws' within the draws' error
            assert row.mc_low == pytest.approx(row.low, abs=0.25 * (row.high - row.low))
            assert row.mc_high == pytest.approx(row.high, abs=0.25 * (row.high - row.low))


# --- the commands on the bundled survey example ------------------------------------------


def test_explain_uncertainty_is_the_delta_method_and_draws_add_the_monte_carlo(
    runner, surveyed_file
):
    args = ["explain", str(surveyed_file), "compradores_online", "--top", "4", "--uncertainty"]
    text = runner.invoke(main, args, catch_exceptions=False).stdout
    head = text.splitlines()[1].split()
    assert head == ["where", "points", "±", "se", "90%", "interval", "share"]
    assert (
        "  ± se, 90% interval: delta method with the exact gradients of the gap and of each "
        "term, from the 16 scores with a quality_se (inputs independent)." in text
    )
    assert "Monte Carlo:" not in text
    both = runner.invoke(main, [*args, "--draws", "300"], catch_exceptions=False).stdout
    assert both.splitlines()[1].split()[-3:] == ["Monte", "Carlo", "share"]
    assert (
        "  Monte Carlo: 300 draws (seed 0) of those scores within the scale, each drawn "
        "model traced exactly." in both
    )
    data = json.loads(
        runner.invoke(main, [*args, "--draws", "300", "--json"], catch_exceptions=False).stdout
    )
    assert data["uncertainty"]["monte_carlo"] == {"draws": 300, "seed": 0}
    for term in data["terms"]:
        assert term["low_points"] <= term["points"] <= term["high_points"]
        assert term["se_points"] >= 0 and isinstance(term["kink"], bool)
        assert term["monte_carlo"]["low_points"] <= term["monte_carlo"]["high_points"]


def test_rank_uncertainty_shows_delta_and_draws(runner, surveyed_file):
    args = ["rank", str(surveyed_file), "--uncertainty", "--top", "3", "--draws", "300"]
    text = runner.invoke(main, args, catch_exceptions=False).stdout
    assert (
        "      item                                 gain  ± se  90% interval  Monte Carlo  "
        "stays in top 3" in text
    )
    assert (
        "  gain: exact gain if perfect, in points; ± se and 90% interval: delta method with "
        "the exact gradients;" in text
    )
    data = json.loads(runner.invoke(main, [*args, "--json"], catch_exceptions=False).stdout)
    ranked = {tuple(r["node"]) if isinstance(r["node"], list) else r["node"]: r["gain_points"]
              for r in data["departments"] + data["services"]}  # fmt: skip
    for row in data["stability"]["departments"] + data["stability"]["services"]:
        node = tuple(row["node"]) if isinstance(row["node"], list) else row["node"]
        assert row["gain_points"] == pytest.approx(ranked[node], abs=1e-12)
        assert row["low_points"] <= row["gain_points"] <= row["high_points"]
        assert row["se_points"] > 0 and isinstance(row["cap_binds"], bool)
        assert row["monte_carlo"]["low_points"] <= row["monte_carlo"]["high_points"]


def test_delta_gains_match_the_ranking_on_the_survey(surveyed_file):
    chain = load(surveyed_file)
    ranked = ranked_with_stability(chain, top=5, draws=50)
    rows = {row.node: row.gain for row in ranked.ranking.departments[:5]}
    for row in ranked.stability.departments:
        assert row.gain == pytest.approx(rows[row.node], abs=1e-12)

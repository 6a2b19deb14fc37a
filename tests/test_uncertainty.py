"""Survey uncertainty carried to every score and ranking: the delta method against finite
differences and the Monte Carlo, coverage by simulation, the stability of a ranking against
re-solved drawn models, and the commands."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain import Chain, load
from servicechain.cli import main
from servicechain.flow import intervals, ranked_with_stability
from servicechain.flow.drawn_gains import DrawnGains
from servicechain.flow.draws import Inputs, draw_inputs, solve_draws, uncertain_inputs
from servicechain.flow.state import state_of
from servicechain.flow.uncertainty import data_operator, delta_rows
from servicechain.survey.stats import mean_estimate

from .conftest import SAPATARIA, SURVEY, shop


def test_delta_method_equals_finite_differences_of_the_model():
    """Each input moved by h in a model written anew: the change of every delivered quality
    is the exact sensitivity the delta method uses."""
    data = shop()
    result = intervals(Chain.from_dict(data))
    base = Chain.from_dict(data).score().quality
    var = np.zeros_like(base)
    h = 1e-4
    for section, key in (("departments", "quality"), ("partners", "quality"),
                         ("services", "quality"), ("segments", "baseline")):  # fmt: skip
        for record in data[section]:
            if key not in record:
                continue
            moved = json.loads(json.dumps(data))
            target = next(r for r in moved[section] if r == record)
            target[key] += h
            slope = (Chain.from_dict(moved).score().quality - base) / (h / 4)  # per unit 0..1
            var += (slope * record["quality_se"] / 4) ** 2
    assert result.se == pytest.approx(np.sqrt(var), abs=1e-6)
    # the rated hand-off store → walkin was measured itself: Walk-in's error is its own
    walkin = result.ids.index("walkin")
    assert result.se[walkin] == pytest.approx(0.2 / 4)


def test_delta_method_matches_the_monte_carlo_within_its_error():
    chain = Chain.from_dict(shop(se=0.25))
    draws = 4000
    result = intervals(chain, draws=draws, seed=7)
    mc = result.monte_carlo
    # the standard deviation of 4,000 draws is off by about sd / sqrt(2 × 3,999)
    tolerance = 4 * result.se / math.sqrt(2 * (draws - 1)) + 1e-12
    assert np.all(np.abs(mc.se - result.se) <= tolerance)
    state = state_of(chain)
    inputs = uncertain_inputs(state)
    own, rating = draw_inputs(inputs, draws, 7)
    q = solve_draws(state, inputs, own, rating)
    assert np.all(np.abs(q.mean(axis=1) - state.quality) <= 4 * result.se / math.sqrt(draws))


def test_draws_stay_within_the_scale_and_keep_mean_and_spread():
    inputs = Inputs(
        np.array([0, 1, 2]), np.array([0.5, 0.95, 1.0]), np.array([0.1, 0.1, 0.05]),
        np.array([], int), np.array([]), np.array([]),
    )  # fmt: skip
    own, _ = draw_inputs(inputs, 20000, 3)
    assert own.min() >= 0 and own.max() <= 1
    # a Beta where one exists: the same mean and standard deviation
    assert own[0].mean() == pytest.approx(0.5, abs=0.003)
    assert own[0].std() == pytest.approx(0.1, abs=0.003)
    assert own[1].std() == pytest.approx(0.1, abs=0.003)
    # at the top of the scale no Beta has a spread: a normal clipped to the scale
    assert own[2].max() == 1.0 and own[2].min() < 1.0
    again, _ = draw_inputs(inputs, 20000, 3)
    assert np.array_equal(own, again)


def _likert(latent: np.ndarray, spread: float = 0.9) -> np.ndarray:
    """Probabilities of the answers 1..5 when a respondent's view is ``latent + N(0, spread)``
    rounded to the scale (one row per latent score)."""
    from scipy.stats import norm

    cuts = np.arange(1.5, 5.0)
    below = norm.cdf((cuts[None, :] - latent[:, None]) / spread)
    cumulative = np.concatenate([below, np.ones((len(latent), 1))], axis=1)
    return np.diff(cumulative, axis=1, prepend=0.0)


def test_ninety_percent_intervals_cover_the_truth_in_85_to_95_percent():
    """400 seeded repetitions of a survey of every scored input (25 answers each on 1..5,
    from a respondent's view around the score, rounded), folded into means and standard
    errors; each repetition's 90% interval of each segment is checked against the segment's
    true score, the one the expected answers give. (About 1 s.)"""
    data = shop()
    state = state_of(Chain.from_dict(data))
    inputs = uncertain_inputs(state)
    latent = 1 + 4 * np.concatenate([inputs.own, inputs.rating])
    probs = _likert(latent)
    true_scores = probs @ np.arange(1, 6)
    # the true model: every surveyed score at its expected answer
    k = len(inputs.nodes)
    true_state = state_of(
        Chain.from_dict(_with_scores(data, state, inputs, (true_scores - 1) / 4, k))
    )
    truth = true_state.quality
    segments = [state.net.index["walkin"], state.net.index["online"]]
    rng = np.random.default_rng(2026)
    reps, n = 400, 25
    cumulative = np.cumsum(probs, axis=1)
    u = rng.random((len(latent), reps, n))
    answers = 1 + (u[..., None] > cumulative[:, None, None, :-1]).sum(axis=-1)
    means = answers.mean(axis=2)
    ses = answers.std(axis=2, ddof=1) / math.sqrt(n)
    check = mean_estimate(answers[0, 0])
    assert (check.mean, check.se) == pytest.approx((means[0, 0], ses[0, 0]))
    own, rating = (means[:k] - 1) / 4, (means[k:] - 1) / 4
    estimates = solve_draws(true_state, inputs, own, rating)
    op = data_operator(true_state)
    units = np.zeros((state.net.n, len(segments)))
    units[segments, [0, 1]] = 1.0
    rows = op.solve(units, transpose=True)
    covered = np.zeros(len(segments))
    for rep in range(reps):
        rep_inputs = Inputs(
            inputs.nodes, own[:, rep], ses[:k, rep] / 4,
            inputs.services, rating[:, rep], ses[k:, rep] / 4,
        )  # fmt: skip
        se = np.sqrt(delta_rows(true_state, rep_inputs, rows))
        covered += np.abs(estimates[segments, rep] - truth[segments]) <= 1.6449 * se
    coverage = covered / reps
    assert np.all((coverage >= 0.85) & (coverage <= 0.95)), coverage


def _with_scores(data: dict, state, inputs: Inputs, values: np.ndarray, k: int) -> dict:
    """``data`` with the uncertain inputs set to ``values`` (0..1: own first, then ratings)."""
    out = json.loads(json.dumps(data))
    records = {r["id"]: r for s in ("departments", "partners", "segments") for r in out[s]}
    for value, node in zip(values[:k], inputs.nodes, strict=True):
        record = records[state.net.ids[node]]
        record["baseline" if "baseline" in record else "quality"] = 1 + 4 * float(value)
    for value, s in zip(values[k:], inputs.services, strict=True):
        out["services"][s]["quality"] = 1 + 4 * float(value)
    return out


def test_each_draws_exact_gains_are_the_gains_of_the_drawn_model():
    """The stability's gains in a draw equal the exact gains of the model written with that
    draw's scores, ranked from scratch."""
    data = shop(se=0.3)
    chain = Chain.from_dict(data)
    state = state_of(chain)
    inputs = uncertain_inputs(state)
    own, rating = draw_inputs(inputs, 3, 11)
    w = np.where(state.net.kind == 2, state.net.value, 0.0) / state.total_value
    gains = DrawnGains(state, inputs, own, rating, w)
    k = len(inputs.nodes)
    for d in range(3):
        drawn = _with_scores(data, state, inputs, np.concatenate([own[:, d], rating[:, d]]), k)
        ranking = Chain.from_dict(drawn).rank()
        for row in ranking.departments:
            node = state.net.index[row.node]
            exact = gains.node_gain(node)[d]
            assert exact == pytest.approx(row.gain, abs=1e-9)
            assert gains.node_bounds(np.array([node]))[0, d] >= exact - 1e-12
        for s, row in enumerate(ranking.services):
            j = next(i for i, r in enumerate(drawn["services"]) if (r["from"], r["to"]) == row.node)
            assert gains.service_gain(j)[d] == pytest.approx(row.gain, abs=1e-9), (s, row.node)


def test_a_clear_leader_stays_and_a_close_pair_is_tied():
    data = {
        "name": "Three suppliers",
        "departments": [
            {"id": "a", "name": "A", "quality": 0.2, "quality_se": 0.01, "dependence": 0},
            {"id": "b", "name": "B", "quality": 0.6, "quality_se": 0.05, "dependence": 0},
            {"id": "c", "name": "C", "quality": 0.61, "quality_se": 0.05, "dependence": 0},
        ],
        "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
        "services": [{"from": x, "to": "s"} for x in "abc"],
    }
    result = ranked_with_stability(Chain.from_dict(data), top=2, draws=400, seed=1)
    rows = result.stability.departments
    assert [row.node for row in rows] == ["a", "b"]
    assert rows[0].stays == 1.0
    assert 0.3 < rows[1].stays < 0.8  # b and c swap places in many draws
    assert result.stability.ties["departments"] == []  # a and b are far apart
    again = ranked_with_stability(Chain.from_dict(data), top=2, draws=400, seed=1)
    assert again.stability == result.stability


@settings(max_examples=15, deadline=None)
@given(st.floats(0.05, 0.95), st.floats(0.05, 0.95), st.floats(0.0, 0.9), st.floats(0.01, 0.1))
def test_interval_is_within_the_scale_and_centred_on_the_score(b1, b2, dep, se):
    data = {
        "name": "Two",
        "departments": [
            {"id": "a", "name": "A", "quality": b1, "quality_se": se, "dependence": 0},
            {"id": "b", "name": "B", "quality": b2, "quality_se": se, "dependence": dep},
        ],
        "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
        "services": [{"from": "a", "to": "b"}, {"from": "b", "to": "s"}],
    }
    result = intervals(Chain.from_dict(data))
    q, low, high = result.by_id("s")
    assert 0 <= low <= q <= high <= 1
    # s receives b unrated, b receives a unrated: var = (dep se)^2 + ((1 - dep) se)^2
    expected = se * math.sqrt(dep**2 + (1 - dep) ** 2)
    assert result.se[result.ids.index("s")] == pytest.approx(expected)


# --- the commands on the bundled survey example ------------------------------------------


def test_bundled_survey_sets_every_score_with_its_standard_error(surveyed_file):
    model = load(surveyed_file).model
    rated = [s for s in model.services if s.answers]
    assert len(rated) == 16
    assert all(s.quality_se is not None and s.quality_se > 0 for s in rated)


def test_score_uncertainty_text_and_json(runner, surveyed_file):
    args = ["score", str(surveyed_file), "--uncertainty", "--draws", "500", "--seed", "3"]
    text = runner.invoke(main, [*args, "--top", "3"], catch_exceptions=False)
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0] == "Sapataria Central: delivered quality on the scale 1..5, with 90% intervals"
    assert lines[2].split() == ["kind", "id", "name", "score", "±", "se", "90%", "interval",
                                "Monte", "Carlo"]  # fmt: skip
    assert "  ± se: standard error from 16 scores with a quality_se" in text.stdout
    data = json.loads(runner.invoke(main, [*args, "--json"], catch_exceptions=False).stdout)
    assert data["level"] == 0.9 and data["monte_carlo"] == {
        "draws": 500,
        "seed": 3,
        "within_scale": True,
    }
    for node in data["nodes"]:
        assert node["low"] <= node["score"] <= node["high"]
        mc = node["monte_carlo"]
        assert mc["low"] <= mc["high"]
    segment = data["nodes"][0]
    assert segment["kind"] == "segment" and segment["se"] > 0


def test_rank_uncertainty_reports_stability(runner, surveyed_file):
    args = ["rank", str(surveyed_file), "--uncertainty", "--top", "3", "--draws", "200"]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert (
        "How stable is the top 3 for the company? 200 draws (seed 0) of the 16 scores with a "
        "quality_se:" in result.stdout
    )
    data = json.loads(runner.invoke(main, [*args, "--json"], catch_exceptions=False).stdout)
    stability = data["stability"]
    assert [row["node"] for row in stability["departments"]] == [
        row["node"] for row in data["departments"]
    ]
    for row in stability["departments"] + stability["services"]:
        assert 0 <= row["stays_in_top"] <= 1
        assert row["low_points"] <= row["high_points"]


def test_uncertainty_options_need_the_flag_and_a_gain_ranking(runner):
    result = runner.invoke(main, ["score", str(SAPATARIA), "--draws", "100"])
    assert result.exit_code == 2
    assert "Error: --draws needs --uncertainty" in result.output
    result = runner.invoke(main, ["rank", str(SAPATARIA), "--uncertainty", "--by", "failure"])
    assert result.exit_code == 2
    assert "--uncertainty ranks by gain" in result.output
    result = runner.invoke(main, ["score", str(SAPATARIA), "--uncertainty", "--level", "2"])
    assert result.exit_code == 2


def test_a_model_without_standard_errors_says_so(runner):
    result = runner.invoke(main, ["score", str(SAPATARIA), "--uncertainty"], catch_exceptions=False)
    assert "  Note: no score carries a quality_se: every interval is a single value" in (
        result.stdout
    )


def test_explain_uncertainty_gives_the_gap_and_every_shown_term_an_interval(runner, surveyed_file):
    args = ["explain", str(surveyed_file), "compradores_online", "--top", "4", "--uncertainty"]
    result = runner.invoke(main, [*args, "--draws", "100"], catch_exceptions=False)
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith("Compradores online (compradores_online): 3.54 on 1..5 (90% interval")
    data = json.loads(
        runner.invoke(main, [*args, "--draws", "100", "--json"], catch_exceptions=False).stdout
    )
    assert len(data["terms"]) == 4
    for term in data["terms"]:
        assert term["low_points"] <= term["high_points"]
        assert term["monte_carlo"]["low_points"] <= term["monte_carlo"]["high_points"]
    u = data["uncertainty"]
    assert u["gap_low_points"] <= data["gap_points"] <= u["gap_high_points"]
    assert (u["monte_carlo"], u["level"]) == ({"draws": 100, "seed": 0}, 0.9)


def test_a_single_term_moves_with_the_gap_as_the_delta_method_says():
    """One department, one segment: the only term is the gap, so its delta-method interval is
    the gap's, and its interval over the draws is that, within the draws' own error."""
    from servicechain.flow import explain_intervals

    chain = Chain.from_dict(
        {
            "name": "One",
            "departments": [
                {"id": "a", "name": "A", "quality": 0.6, "quality_se": 0.05, "dependence": 0}
            ],
            "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
            "services": [{"from": "a", "to": "s"}],
        }
    )
    result = explain_intervals(chain, "s", draws=4000, seed=5)
    assert result.gap_se == pytest.approx(0.05)
    assert result.se[0] == pytest.approx(0.05)
    z = 1.6448536269514722  # the normal quantile of 95%
    assert result.low[0] == pytest.approx(0.4 - z * 0.05)
    assert result.high[0] == pytest.approx(0.4 + z * 0.05)
    assert result.mc_low[0] == pytest.approx(0.4 - 1.6449 * 0.05, abs=0.006)
    assert result.mc_high[0] == pytest.approx(0.4 + 1.6449 * 0.05, abs=0.006)


def test_draw_labels_interval_writes_each_box_interval(surveyed_file, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from servicechain.draw.diagram import draw_chain

    chain = load(surveyed_file)
    figure = draw_chain(chain, labels="interval")
    texts = [t.get_text() for t in figure.figure.findobj(matplotlib.text.Text)]
    q, low, high = intervals(chain).by_id("compradores_online")
    shown = f"{1 + 4 * q:.1f} ({1 + 4 * low:.1f}–{1 + 4 * high:.1f})"
    assert any(shown in text for text in texts), shown
    assert any("score (90% interval)" in text for text in texts)
    # a box whose score no survey touched keeps its plain score
    assert any(text.endswith("4.4") and "(" not in text for text in texts)


def test_chain_methods_and_notebook_display(surveyed_file):
    chain = load(surveyed_file)
    shown = chain.intervals(top=2)
    assert list(shown._repr_mimebundle_()) == ["text/plain", "text/html"]
    ranked = chain.rank_stability(top=2, draws=50)
    assert [row.node for row in ranked.stability.departments] == ["it", "armazem"]
    gap = chain.explain_intervals("passagem", draws=50, top=2)
    html = gap._repr_mimebundle_()["text/html"]
    assert "low_points" in html and "Clientes de passagem" in html


def test_cli_survey_bootstrap_json(runner, tmp_path):
    out = tmp_path / "boot.yaml"
    args = ["survey", str(SAPATARIA), str(SURVEY), "-o", str(out), "--json"]
    data = json.loads(
        runner.invoke(
            main, [*args, "--bootstrap", "200", "--seed", "4"], catch_exceptions=False
        ).stdout
    )
    assert data["bootstrap"] == {"resamples": 200, "seed": 4}
    assert data["standard_error"] == "bootstrap of the respondents (200 resamples)"
    assert all(s["method"] == "bootstrap" for s in data["services"])
    result = runner.invoke(main, [*args[:-1], "--force", "--bootstrap", "50"])
    assert result.exit_code == 2
    assert "--bootstrap" in result.output and "100" in result.output


@pytest.mark.parametrize("columns", [1, 2, 3])
def test_intervals_solved_a_block_of_rows_at_a_time_are_the_same(
    surveyed_file, monkeypatch, columns
):
    """Rows of L0 solved a few at a time (as a large model's are, to bound the memory) give
    the standard errors of all rows solved at once."""
    import servicechain.flow.uncertainty as uncertainty

    chain = load(surveyed_file)
    whole = intervals(chain)
    monkeypatch.setattr(uncertainty, "BLOCK_ENTRIES", columns * chain.network.n)
    blocked = intervals(chain)
    assert whole.inputs > 0 and not np.isnan(whole.se).any()
    np.testing.assert_allclose(blocked.se, whole.se, rtol=1e-12, atol=1e-15)
    assert blocked.company_se == whole.company_se

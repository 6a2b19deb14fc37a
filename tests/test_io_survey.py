"""Survey arithmetic against hand-computed values, problems, threshold and the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain import load
from servicechain.cli import main
from servicechain.errors import ModelError
from servicechain.io.load import parse_model
from servicechain.survey.fold import enps, fold_survey, servqual_gap
from servicechain.survey.stats import cronbach_alpha

DATA = Path(__file__).resolve().parent / "data" / "io"
SHOP = DATA / "shop.yaml"


def test_hand_computed_service_scores_and_servqual():
    result = fold_survey(
        load(SHOP).model, DATA / "responses.csv", scale=(1, 7), employees=DATA / "employees.csv"
    )
    pos, repl = result.services
    # POS support: perceptions 4 5 6 5 3 7 on 1..7 -> mean 5 -> (5-1)/6*4+1 on the model's 1..5
    assert (pos.source, pos.target, pos.answers, pos.mean) == ("it", "store", 6, 5.0)
    assert pos.quality == 3.667
    # sd = sqrt(10/5); half width = t(0.975, 5) * sd / sqrt(6) = 1.48413 on the survey scale
    assert pos.low == pytest.approx(1 + (5 - 1.484126 - 1) / 6 * 4, abs=1e-5)
    assert pos.high == pytest.approx(1 + (5 + 1.484126 - 1) / 6 * 4, abs=1e-5)
    # SERVQUAL: reliability (-2 - 1)/2, responsiveness +1, tangibles 0, assurance -3, empathy +1
    assert pos.gaps == {
        "reliability": -1.5,
        "responsiveness": 1.0,
        "tangibles": 0.0,
        "assurance": -3.0,
        "empathy": 1.0,
    }
    assert pos.gap == pytest.approx(-0.5)
    assert (repl.answers, repl.used) == (2, False)
    services = {(s.source, s.target): s for s in result.model.services}
    assert services["it", "store"].quality == 3.667
    assert services["stock", "store"].quality == 4.0  # too few answers: unchanged
    it, store = result.departments
    assert (it.id, it.enps, it.enps_answers, it.used) == ("it", 0.0, 1, False)
    assert (store.id, store.mean, store.quality, store.enps) == ("store", 4.0, 4.0, 25.0)
    depts = {d.id: d for d in result.model.departments}
    assert depts["store"].quality == 4.0 and depts["it"].quality == 3.8
    assert parse_model(result.text).model == result.model


def test_min_answers_threshold_is_settable():
    result = fold_survey(load(SHOP).model, DATA / "responses.csv", scale=(1, 7), min_answers=2)
    assert [s.used for s in result.services] == [True, True]
    services = {(s.source, s.target): s for s in result.model.services}
    assert services["stock", "store"].quality == round(1 + (5.5 - 1) / 6 * 4, 3)


def test_enps_and_gap_examples():
    assert enps([9, 10, 0, 6, 7, 8]) == pytest.approx(0.0)
    assert enps([10] * 3 + [5]) == 50.0
    assert servqual_gap([("empathy", 2, 4)]) == (-2.0, {"empathy": -2.0})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=50))
def test_enps_is_bounded_and_matches_counts(scores):
    value = enps(scores)
    assert -100 <= value <= 100
    n = len(scores)
    expected = 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / n
    assert math.isclose(value, expected)


def test_every_bad_answer_is_reported(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(
        "respondent,supplier,service,perception\n"
        "store,itt,,4\n"
        "store,it,Wrong name,4\n"
        "walkin,store,,9\n"
        "stock,it,,3\n",
        encoding="utf-8",
    )
    with pytest.raises(ModelError) as info:
        fold_survey(load(SHOP).model, path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:2:2: supplier: unknown department 'itt' (did you mean 'it'?)",
        f"{path}:3:3: service: 'Wrong name' is not the name of the service it → store "
        "(did you mean 'POS support'?)",
        f"{path}:4:4: perception: 9 is outside 1..5 (fix the answer, or state the survey scale "
        "with --scale)",
        f"{path}:5:1: customer: the model has no service from 'it' to 'stock' (check supplier "
        "and customer, or add the service to the model)",
    ]


def test_cli_survey_text_and_json(runner, tmp_path):
    out = tmp_path / "new.yaml"
    args = ["survey", str(SHOP), str(DATA / "responses.csv"), "--scale", "1:7", "-o", str(out)]
    result = runner.invoke(
        main, [*args, "--employees", str(DATA / "employees.csv")], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.stdout == (
        "Folded in 1 of 2 surveyed services (survey scale 1..7, model scale 1..5):\n"
        "  it → store (POS support): 6 answers, mean 5.00, quality 3.2 → 3.67 (se 0.38), "
        "95% CI 2.68..4.66, SERVQUAL gap -0.50\n"
        "  NOT USED stock → store (Replenishment): only 2 answers (fewer than 5); "
        "quality stays 4\n"
        "  department it: eNPS +0 (1 answer)\n"
        "  department store: own quality 4.5 → 4.00 (5 answers, se 0.32); "
        "eNPS +25 (4 answers)\n"
        "Rule: a score is used when it rests on at least 5 answers.\n"
        "Standard errors: answers taken as independent; written as quality_se.\n"
        f"Wrote {out}.\n"
    )
    assert load(out).model.services[0].quality == 3.667
    result = runner.invoke(main, [*args, "--force", "--json"], catch_exceptions=False)
    data = json.loads(result.stdout)
    assert data["services"][0]["gap"] == pytest.approx(-0.5)
    assert data["services"][1]["used"] is False


def test_cli_survey_problems_write_nothing(runner, tmp_path):
    answers = tmp_path / "a.csv"
    answers.write_text("customer,supplier,perception\nstore,it,x\n", encoding="utf-8")
    out = tmp_path / "new.yaml"
    result = runner.invoke(main, ["survey", str(SHOP), str(answers), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{answers}:2:3: perception: expected a score, got 'x' (write a number from 1 to 5)\n"
        "1 problem found.\n"
    )
    assert not out.exists()


# --- standard errors, respondents, bootstrap and Cronbach's alpha ---------------------------

SURVEY = Path(__file__).resolve().parent / "data" / "survey"


def test_standard_error_is_written_beside_the_score_and_read_back():
    result = fold_survey(load(SHOP).model, DATA / "responses.csv", scale=(1, 7))
    pos = result.services[0]
    # sd of 4 5 6 5 3 7 is sqrt(2); se = sqrt(2/6) on 1..7, times 4/6 on the model's 1..5
    assert pos.se == pytest.approx(math.sqrt(2 / 6) * 4 / 6)
    service = result.model.services[0]
    assert (service.quality_se, service.answers) == (round(pos.se, 3), 6)
    assert load(SHOP).model.services[0].quality_se is None
    reread = parse_model(result.text).model.services[0]
    assert (reread.quality_se, reread.answers) == (service.quality_se, 6)


def test_cluster_robust_standard_error_by_respondent(tmp_path):
    # two respondents, each answering twice alike: 4 4 and 2 2 on 1..5
    path = tmp_path / "answers.csv"
    path.write_text(
        "customer,supplier,perception,respondent_id\n"
        "store,it,4,ana\nstore,it,4,ana\nstore,it,2,rui\nstore,it,2,rui\n",
        encoding="utf-8",
    )
    result = fold_survey(load(SHOP).model, path, scale=(1, 5), min_answers=4)
    pos = result.services[0]
    # deviations per respondent: +2 and -2; se^2 = 2/1 * (4 + 4) / 16 = 1 (the t formula: 1/3)
    assert (pos.respondents, pos.method, pos.used) == (2, "cluster", True)
    assert pos.se == pytest.approx(1.0)
    # t(0.975, 1 df) = 12.706: the interval is clipped to the scale
    assert (pos.low, pos.high) == (1.0, 5.0)
    assert "from at least 2 respondents" in result.rule


def test_one_respondent_is_not_enough(tmp_path):
    path = tmp_path / "answers.csv"
    rows = "".join(f"store,it,{p},ana\n" for p in (3, 4, 5, 4, 3))
    path.write_text("customer,supplier,perception,respondent_id\n" + rows, encoding="utf-8")
    result = fold_survey(load(SHOP).model, path)
    assert (result.services[0].used, result.services[0].se) == (False, None)
    assert "NOT USED it → store (POS support): only 5 answers from 1 respondents " in str(result)


def test_bootstrap_is_reproducible_with_a_seed(tmp_path):
    path = tmp_path / "answers.csv"
    rows = [f"store,it,{(i * 7) % 5 + 1},r{i // 2}" for i in range(16)]
    path.write_text("customer,supplier,perception,respondent_id\n" + "\n".join(rows) + "\n")
    model = load(SHOP).model
    one = fold_survey(model, path, bootstrap=500, seed=3).services[0]
    two = fold_survey(model, path, bootstrap=500, seed=3).services[0]
    other = fold_survey(model, path, bootstrap=500, seed=4).services[0]
    assert one == two and one.method == "bootstrap"
    assert one.se != other.se
    # the bootstrap's standard error is close to the cluster-robust formula's
    formula = fold_survey(model, path).services[0]
    assert one.se == pytest.approx(formula.se, rel=0.25)


def test_cronbach_alpha_hand_computed():
    # item variances 0.7, 0.8, 0.7 (sum 2.2); totals 10 9 13 8 12, variance 4.3
    a = cronbach_alpha([[3, 4, 3], [2, 3, 4], [4, 4, 5], [3, 2, 3], [4, 4, 4]])
    assert a.alpha == pytest.approx(1.5 * (1 - 2.2 / 4.3))
    assert a.flagged is False
    # Feldt, from an F table: F(0.975; 4, 8) = 5.0526 and F(0.025; 4, 8) = 1 / F(0.975; 8, 4)
    # = 1 / 8.9796 give the bounds 1 - (1 - alpha) F
    assert a.low == pytest.approx(1 - (1 - a.alpha) * 5.0526, abs=1e-4)
    assert a.high == pytest.approx(1 - (1 - a.alpha) / 8.9796, abs=1e-4)


def test_cronbach_alpha_published_example():
    """A questionnaire of 10 items on 1..7 answered by 15 people, from C. Zaiontz, Real
    Statistics Using Excel ("Cronbach's Alpha"), as shipped with the pingouin package
    (``cronbach_alpha`` data set, whose documentation gives alpha 0.5917, 95% CI 0.195..0.84,
    the values of R's psych::alpha)."""
    rows = (SURVEY / "cronbach_15x10.csv").read_text(encoding="utf-8").splitlines()[1:]
    scores = [[float(v) for v in row.split(",")[1:]] for row in rows]
    a = cronbach_alpha(scores)
    assert (a.items, a.respondents) == (10, 15)
    assert round(a.alpha, 4) == 0.5917
    assert (round(a.low, 3), round(a.high, 3)) == (0.195, 0.84)
    assert a.flagged


def test_reliability_per_dimension_in_survey_json(runner, tmp_path):
    path = tmp_path / "answers.csv"
    lines = ["customer,supplier,dimension,item,perception,respondent_id"]
    for who, (r1, r2, e1, e2) in enumerate(
        [(4, 5, 2, 4), (2, 2, 3, 3), (3, 4, 5, 1), (5, 5, 2, 5)]
    ):
        lines += [
            f"store,it,reliability,r1,{r1},p{who}",
            f"store,it,reliability,r2,{r2},p{who}",
            f"store,it,empathy,e1,{e1},p{who}",
            f"store,it,empathy,e2,{e2},p{who}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "new.yaml"
    args = ["survey", str(SHOP), str(path), "-o", str(out), "--json"]
    result = runner.invoke(main, args, catch_exceptions=False)
    data = json.loads(result.stdout)
    alphas = {a["dimension"]: a for a in data["reliability"]}
    expected = {
        "reliability": cronbach_alpha([[4, 5], [2, 2], [3, 4], [5, 5]]),
        "empathy": cronbach_alpha([[2, 4], [3, 3], [5, 1], [2, 5]]),
    }
    for name, a in expected.items():
        assert alphas[name]["alpha"] == pytest.approx(a.alpha)
        assert alphas[name]["below_0_7"] == (a.alpha < 0.7)
    assert alphas["reliability"]["below_0_7"] is False and alphas["empathy"]["below_0_7"]
    assert data["standard_error"] == "cluster-robust by respondent"
    assert data["services"][0]["respondents"] == 4
    text = runner.invoke(main, [*args[:-1], "--force"], catch_exceptions=False).stdout
    assert "Reliability of each multi-item dimension (Cronbach's alpha, 95% CI):" in text
    assert "LOW: below 0.7" in text

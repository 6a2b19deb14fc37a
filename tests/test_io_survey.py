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
        "  it → store (POS support): 6 answers, mean 5.00, quality 3.2 → 3.67, "
        "95% CI 2.68..4.66, SERVQUAL gap -0.50\n"
        "  NOT USED stock → store (Replenishment): only 2 answers (fewer than 5); "
        "quality stays 4\n"
        "  department it: eNPS +0 (1 answer)\n"
        "  department store: own quality 4.5 → 4.00 (5 answers); eNPS +25 (4 answers)\n"
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

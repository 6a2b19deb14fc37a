"""A model validates exactly when its quality flow is well defined: a loop whose gain is exactly 1
(``I - A`` singular) is refused, naming the loop, and every model that validates solves.

Models are drawn on a grid of scores (the minimum, steps between, the maximum, unrated), where
loops that pass everything round themselves are common; the spectral radius of the transmission
matrix ``A`` is computed densely and compared with what validation decided.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain import Chain
from servicechain.cli import main
from servicechain.errors import ModelError
from servicechain.flow.state import current_state
from servicechain.model.network import network
from servicechain.model.spec import Model

#: Weighted towards the minimum and a dependence of 1, where loops pass all round themselves.
SCORES = [None, 0.0, 0.0, 0.25, 0.5, 1.0]
RATINGS = [None, 0.0, 0.0, 0.5, 0.8, 1.0]
DEPENDENCES = [0.0, 0.5, 1.0, 1.0, 1.0]
#: What the new rule says (a closed loop without any outside supplier has its own message).
SUSTAINING = "pass all they deliver round the loop"


def _record(base: dict, **fields) -> dict:
    return {**base, **{k: v for k, v in fields.items() if v is not None}}


@st.composite
def grid_models(draw) -> dict:
    n = draw(st.integers(2, 4))
    departments = [
        _record(
            {"id": f"d{i}", "name": f"D{i}"},
            quality=draw(st.sampled_from(SCORES)),
            dependence=draw(st.sampled_from(DEPENDENCES)),
        )
        for i in range(n)
    ]
    partners = [
        _record({"id": f"p{k}", "name": f"P{k}"}, quality=draw(st.sampled_from(SCORES)))
        for k in range(draw(st.integers(0, 2)))
    ]
    pairs = [(f"d{i}", f"d{j}") for i in range(n) for j in range(n) if i != j]
    pairs += [(p["id"], f"d{j}") for p in partners for j in range(n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, min_size=1, max_size=8))
    cycle = []
    if draw(st.booleans()):  # a cycle through every department, rated: the case that matters
        cycle = [(f"d{i}", f"d{(i + 1) % n}") for i in range(n)]
        chosen = [pair for pair in chosen if pair not in cycle]
    services = [
        _record(
            {"from": a, "to": b},
            quality=draw(st.sampled_from(RATINGS[2:] if (a, b) in cycle else RATINGS)),
            weight=draw(st.sampled_from([None, 1, 2, 3])),
        )
        for a, b in [*cycle, *chosen]
    ]
    services.append({"from": "d0", "to": "s"})
    return {
        "name": "grid",
        "departments": departments,
        "partners": partners,
        "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"}],
        "services": services,
    }


def _spectral_radius(data: dict) -> float:
    """Largest ``|eigenvalue|`` of ``A`` at the current state, from the field types alone."""
    net = network(Model.model_validate(data))
    state = current_state(net)
    a = np.zeros((net.n, net.n))
    np.add.at(a, (net.target, net.source), net.reliance * state.e)
    return float(np.abs(np.linalg.eigvals(a)).max())


def _problems(data: dict) -> list[str] | None:
    try:
        Chain.from_dict(data)
    except ModelError as err:
        return [p.message for p in err.problems]
    return None


@settings(max_examples=250, deadline=None)
@given(grid_models())
def test_a_model_validates_exactly_when_every_loop_gain_is_below_one(data):
    problems = _problems(data)
    if problems is None:  # valid: the flow is well defined, and every analysis solves
        assert _spectral_radius(data) < 1 - 1e-9
        chain = Chain.from_dict(data)
        assert np.isfinite(chain.score().quality).all()
        assert np.isfinite(chain.sensitivities().own).all()
        assert chain.rank(top=3).departments
        assert np.isfinite(chain.impact(fail=["d0"]).after).all()
        assert np.isfinite(chain.impact(set={"d1": 0.5}).after).all()
        assert np.isfinite([t.value for t in chain.explain("s").terms]).all()
        return
    assert all("closed loop" in p for p in problems), problems
    if all(SUSTAINING in p for p in problems):  # not refused for a loop with gain below 1
        assert abs(_spectral_radius(data) - 1) < 1e-9


@st.composite
def loops_of_gain_one(draw) -> tuple[dict, list[str]]:
    """A cycle of departments rated above the minimum inside, with no own part (dependence 1,
    or own quality at the minimum) and only outside supplies rated at the minimum; extra
    departments outside it serve it nothing."""
    k = draw(st.integers(2, 4))
    loop = [f"l{i}" for i in range(k)]
    departments = []
    for ident in loop:
        if draw(st.booleans()):
            departments.append({"id": ident, "name": ident.upper(), "dependence": 1})
        else:
            dependence = draw(st.sampled_from([0.3, 0.5, 1]))
            departments.append(
                {"id": ident, "name": ident.upper(), "quality": 1, "dependence": dependence}
            )
    departments.append({"id": "out", "name": "Outside", "quality": 4, "dependence": 0})
    services = [
        {
            "from": loop[i],
            "to": loop[(i + 1) % k],
            "quality": draw(st.sampled_from([1.5, 2, 3.2, 4, 5])),
            "weight": draw(st.sampled_from([1, 2, 7])),
        }
        for i in range(k)
    ]
    # chords inside the loop, rated above the minimum
    for i, j in draw(
        st.lists(st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)), max_size=3, unique=True)
    ):
        if i != j and (i + 1) % k != j:
            services.append({"from": loop[i], "to": loop[j], "quality": 3})
    # supplies from outside, all at the minimum: from a partner, or from a department
    fed = draw(st.lists(st.sampled_from(loop), min_size=1, max_size=k, unique=True))
    for ident in fed:
        supplier = draw(st.sampled_from(["partner", "out"]))
        services.append({"from": supplier, "to": ident, "quality": 1, "weight": 3})
    services.append({"from": loop[0], "to": "s"})
    data = {
        "name": "loop",
        "scale": {"min": 1, "max": 5},
        "departments": departments,
        "partners": [{"id": "partner", "name": "Partner", "quality": 5}],
        "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "client"}],
        "services": services,
    }
    return data, loop


@settings(max_examples=80, deadline=None)
@given(loops_of_gain_one())
def test_a_loop_with_gain_exactly_one_is_refused_naming_it(case):
    data, loop = case
    assert abs(_spectral_radius(data) - 1) < 1e-9  # the model's flow is indeed undetermined
    problems = _problems(data)
    members = ", ".join(repr(m) for m in loop)
    assert problems == [
        f"closed loop: departments {members} pass all they deliver round the loop (each has "
        "dependence 1 or own quality at the minimum, and what they get from outside it is rated "
        "at the minimum or comes from suppliers that deliver nothing), so how a change travels "
        "round it is undetermined"
    ]
    # one outside supply rated above the minimum opens the loop: then it validates and solves
    opened = json.loads(json.dumps(data))
    next(s for s in opened["services"] if s["to"] in loop and s["quality"] == 1)["quality"] = 1.5
    assert _problems(opened) is None
    assert np.isfinite(Chain.from_dict(opened).rank(top=2).departments[0].gain)


def test_the_cli_refuses_the_loop_with_its_position(runner, tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text(
        "name: Loop\n"
        "departments:\n"
        "  - {id: a, name: A, quality: 0.5, dependence: 1}\n"
        "  - {id: b, name: B, quality: 0.5, dependence: 1}\n"
        "partners:\n"
        "  - {id: p, name: P, quality: 0.5}\n"
        "segments:\n"
        "  - {id: s, name: S, kind: consumer, relationship: customer}\n"
        "services:\n"
        "  - {from: p, to: a, quality: 0}\n"
        "  - {from: b, to: a, quality: 0.8}\n"
        "  - {from: a, to: b, quality: 0.6}\n"
        "  - {from: a, to: s}\n",
        encoding="utf-8",
    )
    for command in ("validate", "score", "rank"):
        result = runner.invoke(main, [command, str(path)])
        assert result.exit_code == 1, result.output
        assert f"{path}:3:5: departments[0]: closed loop: departments 'a', 'b' pass all" in (
            result.output
        )
        assert "Traceback" not in result.output


@pytest.mark.parametrize("rating", [0.1, None])
def test_the_same_loop_opened_by_its_outside_supply_solves(runner, tmp_path, rating):
    data = {
        "name": "Loop",
        "departments": [
            {"id": "a", "name": "A", "quality": 0.5, "dependence": 1},
            {"id": "b", "name": "B", "quality": 0.5, "dependence": 1},
        ],
        "partners": [{"id": "p", "name": "P", "quality": 0.5}],
        "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"}],
        "services": [
            _record({"from": "p", "to": "a"}, quality=rating),
            {"from": "b", "to": "a", "quality": 0.8},
            {"from": "a", "to": "b", "quality": 0.6},
            {"from": "a", "to": "s"},
        ],
    }
    path = tmp_path / "open.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert _spectral_radius(data) < 1 - 1e-9
    for command in ("validate", "score", "rank"):
        result = runner.invoke(main, [command, str(path)], catch_exceptions=False)
        assert result.exit_code == 0, result.output


def test_a_what_if_that_closes_a_loop_is_a_clean_error(runner, tmp_path):
    model = tmp_path / "open.yaml"
    model.write_text(
        "name: Open\n"
        "departments:\n"
        "  - {id: a, name: A, quality: 0.5, dependence: 0.5}\n"
        "  - {id: b, name: B, quality: 0.5, dependence: 0.5}\n"
        "segments:\n"
        "  - {id: s, name: S, kind: consumer, relationship: customer}\n"
        "services:\n"
        "  - {from: b, to: a}\n"
        "  - {from: a, to: b}\n"
        "  - {from: a, to: s}\n",
        encoding="utf-8",
    )
    why = (
        "with the dependences, weights and ratings it sets, some departments pass all they "
        "deliver round a loop, so the result is undetermined (keep a dependence below 1, or a "
        "supplier outside the loop, for one of them)"
    )
    args = ["impact", str(model), "--dependence", "a=1", "--dependence", "b=1"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert result.stderr == f"Error: this what-if has no result: {why}\n"
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text(
        "scenarios:\n  both:\n    dependence: {a: 1, b: 1}\n  one:\n    dependence: {a: 1}\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["impact", str(model), "--scenario", str(scenarios)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: 1 problem in the scenario file\n{scenarios}:2:3: scenarios.both: {why}\n"
    )

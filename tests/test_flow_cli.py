"""The score, explain, impact and rank commands: exact output on a small model, every bundled
example, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import servicechain
from servicechain.cli import main
from servicechain.flow import ScenarioError, explain
from servicechain.io.scenario import read_scenarios

DATA = Path(__file__).resolve().parent / "data" / "flow"
SHOP = str(DATA / "shop.yaml")
LOOP = str(DATA / "loop.yaml")


def run(runner, *args):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_score_exact(runner):
    result = run(runner, "score", SHOP)
    assert result.exit_code == 0
    assert result.stdout == (
        "Sapataria Pequena: delivered quality on the scale 1..5\n"
        "  company (value-weighted over segments): 3.80\n"
        "  kind        id        name                  score\n"
        "  segment     clientes  Clientes de passagem   3.80\n"
        "  department  it        Informática            3.00\n"
        "  department  loja      Loja                   3.80\n"
        "Assumptions (1):\n"
        "  service loja → clientes (Venda) has no quality: taken as what 'loja' delivers\n"
    )


def test_score_json(runner):
    data = json.loads(run(runner, "score", SHOP, "--json").stdout)
    assert data["company"]["score"] == pytest.approx(3.8)
    assert data["nodes"][0]["id"] == "clientes"
    assert data["services"][1]["quality"] == pytest.approx(0.7)
    assert data["assumptions"][0]["node"] == "clientes"


def test_explain_exact(runner):
    result = run(runner, "explain", SHOP, "clientes")
    assert result.exit_code == 0
    assert result.stdout == (
        "Clientes de passagem (clientes): 3.80 on 1..5, gap to a perfect 5: 1.20\n"
        "       where             points  share\n"
        "  own  it (Informática)    1.00  83.3%\n"
        "  own  loja (Loja)         0.20  16.7%\n"
        "  gap tracing: each supplier's gap is followed upstream; every term >= 0, adding up to "
        "the gap.\n"
    )
    top = run(runner, "explain", SHOP, "clientes", "--top", "1").stdout
    assert "  ... 1 smaller term: 0.20 (16.7%)\n  gap tracing" in top
    data = json.loads(run(runner, "explain", SHOP, "clientes", "--json").stdout)
    assert data["gap_points"] == pytest.approx(1.2)
    assert [t["node"] for t in data["terms"]] == ["it", "loja"]
    assert data["method"] == "tracing"
    assert [t["kind"] for t in data["terms"]] == ["own", "own"]
    points = [(t["points"], t["share_of_gap"]) for t in data["terms"]]
    assert points[0] == pytest.approx((1.0, 1 / 1.2), abs=1e-12)
    assert points[1] == pytest.approx((0.2, 0.2 / 1.2), abs=1e-12)


def test_impact_exact(runner):
    result = run(runner, "impact", SHOP, "--set", "it=4")
    assert result.stdout == (
        "What-if: it = 4 (scale 1..5)\n"
        "  segment   name                  before  after  change  revenue\n"
        "  clientes  Clientes de passagem    3.80   4.30   +0.50      +62\n"
        "  company   value-weighted          3.80   4.30   +0.50      +62\n"
        "  largest changes inside: it +1.00, loja +0.50\n"
    )
    data = json.loads(run(runner, "impact", SHOP, "--fail", "it", "--json").stdout)
    assert data["company"]["change"] == pytest.approx(-0.25)
    assert data["segments"][0]["revenue_change"] == pytest.approx(-125.0)


def test_impact_scenarios_exact(runner):
    result = run(runner, "impact", SHOP, "--scenario", DATA / "scenarios.yaml")
    assert result.stdout == (
        "2 scenarios (scale 1..5)\n"
        "  better-it: it = 4; it->loja = 4\n"
        "  it-down: department it fails\n"
        "  segment   before     better-it       it-down\n"
        "  clientes    3.80  4.80 (+1.00)  2.80 (-1.00)\n"
        "  company     3.80  4.80 (+1.00)  2.80 (-1.00)\n"
        "  revenue                   +125          -125\n"
    )


def test_rank_exact(runner):
    result = run(runner, "rank", SHOP, "--top", "1")
    assert result.stdout == (
        "Priorities for the company (value-weighted), by gain (scale 1..5)\n"
        "Departments:\n"
        "      department        importance  score  gain  failure  quadrant\n"
        "  1.  it (Informática)       0.500   3.00  1.00     1.00  concentrate here\n"
        "  ... 1 more\n"
        "  quadrants split at importance 0.500 and score 3.80 (means over the 2 of 2 with an "
        "effect)\n"
        "Services:\n"
        "      service                  importance  score  gain  failure  quadrant\n"
        "  1.  loja → clientes (Venda)       1.000   3.80  1.20     2.80  keep up the good work\n"
        "  ... 1 more\n"
        "  quadrants split at importance 0.750 and score 3.40 (means over the 2 of 2 with an "
        "effect)\n"
        "  importance: points the company gains per point of own quality or rating;\n"
        "  gain: points gained if it were perfect (exact, the cap included);\n"
        "  failure: points lost if it delivered nothing (exact);\n"
        "  quadrant: importance and score against their means (- for no effect).\n"
    )
    data = json.loads(run(runner, "rank", SHOP, "--by", "failure", "--json").stdout)
    assert [r["node"] for r in data["departments"]] == ["loja", "it"]
    assert data["departments"][0]["failure_points"] == pytest.approx(2.8)


@pytest.mark.parametrize(
    "args",
    [["score"], ["explain", "s"], ["impact", "--fail", "a"], ["rank"]],
    ids=["score", "explain", "impact", "rank"],
)
def test_closed_loop_refused_with_members(runner, args):
    result = runner.invoke(main, [args[0], LOOP, *args[1:]])
    assert result.exit_code == 1
    assert "closed loop: departments 'a', 'b' serve each other" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["explain", SHOP, "cliente"],
            "Invalid value for SEGMENT: 'cliente' names no segment; did you mean 'clientes'?",
        ),
        (
            ["impact", SHOP, "--set", "lja=3"],
            "Invalid value for --set: no department, segment "
            "or partner has the id 'lja'; did you mean 'loja'?",
        ),
        (
            ["impact", SHOP, "--fail", "ti"],
            "Invalid value for --fail: no department, segment or partner has the id 'ti'",
        ),
        (
            ["impact", SHOP, "--set", "it=9"],
            "Invalid value for --set: set it=9: outside the scale 1..5 (use a value from 1 to 5)",
        ),
        (["impact", SHOP, "--set", "it"], "Invalid value for --set: 'it' is not NODE=NUMBER"),
        (["rank", SHOP, "--segment", "it"], "Invalid value for --segment: 'it' is not a segment"),
        (
            ["rank", SHOP, "--top", "3", "--exact", "5"],
            "Error: --exact is for a ranking without --top: give one of them",
        ),
        (
            ["rank", SHOP, "--uncertainty", "--exact", "5"],
            "Error: --exact is for a ranking without --uncertainty: give one of them",
        ),
        (
            ["rank", SHOP, "--exact", "0"],
            "Invalid value for '--exact': 0 is not in the range x>=1.",
        ),
    ],
)
def test_usage_errors_exit_2(runner, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_scenario_file_unknown_id_exit_1(runner, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("scenarios:\n  x:\n    set: {itt: 3}\n", encoding="utf-8")
    result = runner.invoke(main, ["impact", SHOP, "--scenario", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 1 problem in the scenario file\n"
        f"{path}:3:11: scenarios.x.set.itt: no department, segment or partner has the id 'itt' "
        "(did you mean 'it'?)\n"
    )


#: A scenario file with one problem of every kind the model decides, in YAML; the JSON
#: version of the same scenarios is written by ``json.dumps(..., indent=1)``.
BAD_SCENARIOS = """\
scenarios:
  better:
    set: {itt: 3, it: 9, it->loja: 4, it->clientes: 3}
    fail: [nobody, clientes, loja->it]
  worse:
    weight: {it->loja: 0, loja->clientes: 2}
    dependence: {loja: 1.5, it: 0.2}
  baseline:
    set: {clientes: 4, loja: 1%s}
""" % ("0" * 400)
YAML_PROBLEMS = [
    "{p}:3:11: scenarios.better.set.itt: no department, segment or partner has the id 'itt' "
    "(did you mean 'it'?)",
    "{p}:3:19: scenarios.better.set.it: 9 is outside the scale 1..5 (use a value from 1 to 5)",
    "{p}:3:39: scenarios.better.set.it->clientes: no service from 'it' to 'clientes' "
    "(did you mean 'loja->clientes'?)",
    "{p}:4:12: scenarios.better.fail[0]: no department, segment or partner has the id 'nobody'",
    "{p}:4:20: scenarios.better.fail[1]: 'clientes' is a segment (only a department or a "
    "partner can fail)",
    "{p}:4:30: scenarios.better.fail[2]: no service from 'loja' to 'it' (did you mean "
    "'it->loja'? (a service runs from its supplier))",
    "{p}:6:14: scenarios.worse.weight.it->loja: 0 is not a positive weight (a weight is a "
    "positive number, e.g. 1)",
    "{p}:7:18: scenarios.worse.dependence.loja: 1.5 is outside 0..1 (a dependence is a share "
    "from 0 to 1, e.g. 0.5)",
    "{p}:9:11: scenarios.baseline.set.clientes: 'clientes' is a segment with dependence 1, so "
    "its baseline (what it gets from outside the chain) counts for nothing (give it a "
    "dependence below 1 in the same scenario, e.g. `dependence: {{clientes: 0.8}}`)",
    "{p}:9:24: scenarios.baseline.set.loja: a number of about 401 digits is too large (numbers "
    "are at most 1e+15 in size)",
]
#: The same problems in the JSON file: each id sits on a line of its own.
JSON_POSITIONS = ["5:5", "6:5", "8:5", "11:5", "12:5", "13:5", "18:5", "22:5", "28:5", "29:5"]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_scenario_file_reports_every_problem_with_its_position(runner, tmp_path, fmt):
    import yaml

    path = tmp_path / f"s.{fmt}"
    if fmt == "yaml":
        path.write_text(BAD_SCENARIOS, encoding="utf-8")
        expected = [line.format(p=path) for line in YAML_PROBLEMS]
    else:
        data = yaml.safe_load(BAD_SCENARIOS)
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
        expected = [
            f"{path}:{where}:" + line.format(p="").split(":", 3)[3]
            for line, where in zip(YAML_PROBLEMS, JSON_POSITIONS, strict=True)
        ]
    out = tmp_path / "out.html"
    for args in (
        ["impact", SHOP, "--scenario", str(path)],
        ["report", SHOP, "--scenario", str(path), "-o", str(out)],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [
            "Error: 10 problems in the scenario file",
            *expected,
        ]
        assert not out.exists()
    with pytest.raises(ScenarioError) as info:
        servicechain.flow.compare(servicechain.load(SHOP), read_scenarios(path))
    assert [str(p) for p in info.value.problems] == expected


def test_scenario_file_problems_positioned(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("scenarios:\n  x:\n    sett: {it: 3}\n    fail: it\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_scenarios(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:3:5: scenarios.x.sett: unknown field 'sett' (did you mean 'set'?)",
        f"{path}:4:5: scenarios.x.fail: expected a list of ids (write `fail: [id, ...]`)",
    ]


def test_scenario_and_options_exclusive(runner):
    result = runner.invoke(
        main, ["impact", SHOP, "--fail", "it", "--scenario", str(DATA / "scenarios.yaml")]
    )
    assert result.exit_code == 2
    assert "give either --scenario or --set/--weight/--dependence/--fail" in result.stderr


def test_every_example_exact_and_runs_from_the_cli(example, runner):
    chain = servicechain.load(example)
    net = chain.network
    chain.score()
    for k in np.flatnonzero(net.kind == 2):
        b = explain(chain, net.ids[k])
        assert abs(sum(t.value for t in b.terms) - b.gap) <= 1e-9
    deps = [i for i in net.ids if net.kind[net.index[i]] == 0]
    first = deps[0]
    chain.impact(set={first: net.scale.max}, fail=[deps[-1]])
    chain.rank(by="failure")
    for args in (["score"], ["rank", "--top", "3"], ["impact", "--fail", first]):
        result = run(runner, args[0], example, *args[1:], "--json")
        assert result.exit_code == 0
        json.loads(result.stdout)


def test_rank_json_makes_the_rows_the_text_shows_exact_and_more_on_request(runner, tmp_path):
    from servicechain.samples.generate import generate, write_json

    path = tmp_path / "org.json"
    write_json(generate(300, seed=3), path)
    chain = servicechain.load(path)
    for args, count in (([], 100), (["--exact", "7"], 7), (["--exact", "250"], 250)):
        data = json.loads(run(runner, "rank", path, "--json", *args).stdout)
        assert data["exact_rows"] == count
        for key in ("departments", "services"):
            rows = data[key]
            exact = min(count, len(rows))
            assert all(r["gain_exact"] and r["failure_exact"] for r in rows[:exact])
            # past them, only the gains a certificate needed were solved
            assert sum(r["gain_exact"] for r in rows) < len(rows)
            # the exact rows are the library's exact values, in the library's order
            ranked = getattr(chain.rank(exact=count), key)[:exact]
            assert [r["gain"] for r in rows[:exact]] == [r.gain for r in ranked]
            assert [r["failure"] for r in rows[:exact]] == [r.failure for r in ranked]

"""Commands at scale: validate and summary of a JSON model from the fast reader's records."""

from __future__ import annotations

import json

import pytest

import servicechain
from servicechain.cli import main
from servicechain.errors import ModelError
from servicechain.io.fastjson import FastLoaded
from servicechain.io.load import load_model
from servicechain.model.assumptions import list_assumptions
from servicechain.model.summary import summarize
from servicechain.model.text import listed
from servicechain.samples.generate import generate
from servicechain.samples.generate import write_json as write_model


def _generated(tmp_path, departments=300):
    path = tmp_path / "org.json"
    write_model(generate(departments, seed=5), path)
    return path


def test_validate_and_summary_of_a_json_model_never_build_the_pydantic_model(
    runner, tmp_path, monkeypatch
):
    path = _generated(tmp_path)
    chain = servicechain.load(path)
    expected_summary = summarize(chain.model)
    expected_assumptions = list_assumptions(chain.model)
    monkeypatch.setattr(FastLoaded, "model", lambda self: pytest.fail("pydantic model built"))
    result = runner.invoke(main, ["summary", str(path)], catch_exceptions=False)
    assert result.stdout == str(expected_summary) + "\n"
    result = runner.invoke(main, ["summary", str(path), "--json"], catch_exceptions=False)
    assert json.loads(result.stdout) == expected_summary.to_dict()
    result = runner.invoke(main, ["validate", str(path)], catch_exceptions=False)
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{path}: valid (300 departments, 6 segments, 6 partners, "
        f"{len(chain.model.services):,} services)"
    )
    assert lines[1] == f"Assumptions ({len(expected_assumptions):,}):"
    assert lines[2:] == listed(expected_assumptions)
    result = runner.invoke(main, ["validate", str(path), "--json"], catch_exceptions=False)
    assert json.loads(result.stdout)["assumptions"] == [a.to_dict() for a in expected_assumptions]


def test_validate_of_a_json_model_with_problems_gives_the_ordinary_messages(runner, tmp_path):
    data = generate(50, seed=5)
    data["services"][3]["to"] = "nowhere"
    data["departments"][1]["quality"] = 99
    path = tmp_path / "bad.json"
    write_model(data, path)
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    with pytest.raises(ModelError) as err:
        load_model(path)
    assert result.stdout.splitlines()[:-1] == [str(p) for p in err.value.problems]
    assert result.stdout.splitlines()[-1] == "2 problems found."

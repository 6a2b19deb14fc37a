"""The model commands through the real CLI: validate, summary, schema, init, --version."""

from __future__ import annotations

import json

from servicechain import __version__
from servicechain.cli import main
from servicechain.samples.examples import STARTER, example_path

from .conftest import DATA, MODELS

SMALL = DATA / "small.yaml"


def test_version(runner):
    result = runner.invoke(main, ["--version"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == f"servicechain, version {__version__}\n"


def test_validate_valid_model_lists_assumptions(runner):
    result = runner.invoke(main, ["validate", str(SMALL)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == (
        f"{SMALL}: valid (3 departments, 2 segments, 1 partner, 6 services)\n"
        "Assumptions (2):\n"
        "  department 'store' (Loja) has no quality: counted as perfect (5)\n"
        "  service it → store (Caixas) has no quality: taken as what 'it' delivers\n"
    )


def test_validate_invalid_model_exits_1_with_every_problem(runner):
    path = DATA / "bad" / "many_problems.yaml"
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 6
    assert lines[3] == f"{path}:9:16: services[0].to: unknown id 'stor' (did you mean 'store'?)"
    assert lines[-1] == "5 problems found."
    assert "Traceback" not in result.output


def test_validate_json(runner):
    path = DATA / "bad" / "unknown_reference.yaml"
    result = runner.invoke(main, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert data["problems"] == [
        {
            "file": str(path),
            "line": 6,
            "column": 6,
            "field": "services[0].from",
            "message": "unknown id 'stokc'",
            "fix": "did you mean 'stock'?",
        }
    ]


def test_validate_missing_file_is_a_usage_error(runner):
    result = runner.invoke(main, ["validate", "no-such-model.yaml"])
    assert result.exit_code == 2
    assert "'no-such-model.yaml' does not exist" in result.stderr


def test_max_size_option_and_variable(runner):
    result = runner.invoke(main, ["validate", str(SMALL), "--max-size", "0.0001"])
    assert result.exit_code == 1
    assert "over the limit of 9.92e-05 MB" in result.stdout
    result = runner.invoke(main, ["summary", str(SMALL)], env={"SERVICECHAIN_MAX_SIZE": "0.0001"})
    assert result.exit_code == 1
    assert "over the limit" in result.stderr


def test_summary_text(runner):
    result = runner.invoke(main, ["summary", str(SMALL)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == (
        "Loja Pequena\n"
        "  scale 1..5; 3 departments, 2 segments, 1 partner, 6 services\n"
        "  groups: Operações (2), Vendas (1)\n"
        "  front line (1): Loja (store)\n"
        "  consumer segments: 1 transactional, 1 long-term\n"
        "  assumptions (2):\n"
        "    department 'store' (Loja) has no quality: counted as perfect (5)\n"
        "    service it → store (Caixas) has no quality: taken as what 'it' delivers\n"
    )


def test_summary_json(runner):
    result = runner.invoke(main, ["summary", str(SMALL), "--json"], catch_exceptions=False)
    data = json.loads(result.stdout)
    assert data["counts"] == {"departments": 3, "segments": 2, "partners": 1, "services": 6}
    assert data["groups"] == {"Operações": 2, "Vendas": 1}
    assert data["front_line"] == ["store"]
    assert data["segments"] == {"consumer": {"customer": 1, "client": 1}}
    assert [a["field"] for a in data["assumptions"]] == [
        "departments[2].quality",
        "services[2].quality",
    ]


def test_summary_of_a_bad_model_goes_to_stderr(runner):
    path = DATA / "bad" / "self_service.yaml"
    result = runner.invoke(main, ["summary", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{path}:5:16: services[0].to: 'it' serves itself")


def test_schema_matches_the_committed_file(runner):
    """Fails when spec.py changes without `servicechain schema > models/servicechain.schema.json`."""
    result = runner.invoke(main, ["schema"], catch_exceptions=False)
    committed = (MODELS / "servicechain.schema.json").read_text(encoding="utf-8")
    assert result.stdout == committed


def test_init_writes_starter_and_never_overwrites(runner, tmp_path):
    target = tmp_path / "model.yaml"
    result = runner.invoke(main, ["init", str(target)], catch_exceptions=False)
    assert result.exit_code == 0
    schema = tmp_path / "servicechain.schema.json"
    assert result.stdout == (
        f"Wrote {target} and {schema} (the schema it names, for editors).\n"
        f"Next: servicechain validate {target}\n"
    )
    assert target.read_text(encoding="utf-8") == STARTER
    assert runner.invoke(main, ["validate", str(target)]).exit_code == 0

    target.write_text("mine", encoding="utf-8")
    result = runner.invoke(main, ["init", str(target), "--example", "airline"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target} exists already; use --force to overwrite it\n"
    assert target.read_text(encoding="utf-8") == "mine"

    result = runner.invoke(main, ["init", str(target), "--example", "airline", "--force"])
    assert result.exit_code == 0
    assert target.read_bytes() == example_path("airline").read_bytes()


def test_init_unknown_example_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["init", str(tmp_path / "m.yaml"), "--example", "bakery"])
    assert result.exit_code == 2
    assert "'bakery' is not one of" in result.stderr
    assert not (tmp_path / "m.yaml").exists()

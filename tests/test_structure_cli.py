"""The trace and analyze commands: every bundled example, exact output and exact errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from servicechain.cli import main
from servicechain.io.load import load_model

SMALL = str(Path(__file__).resolve().parent / "data" / "structure" / "small.yaml")


def _first_ids(path: Path) -> tuple[str, str]:
    model = load_model(path).model
    return model.departments[0].id, model.segments[0].id


def test_every_example_through_every_command(runner, example):
    department, segment = _first_ids(example)
    model = str(example)
    for args in (
        ["trace", model, department, "--down"],
        ["trace", model, segment, "--up"],
        ["trace", model, segment, "--up", "--depth", "1", "--json"],
        ["trace", model, department, "--to", segment],
        ["trace", model, department, "--down", "--by-group"],
        ["analyze", model],
        ["analyze", model, "--segment", segment],
        ["analyze", model, "--by-group", "--json"],
    ):
        result = runner.invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        assert result.stdout.strip(), args
        assert result.stderr == ""


def test_every_example_reaches_its_segments(runner, example):
    result = runner.invoke(main, ["analyze", str(example), "--json"], catch_exceptions=False)
    data = json.loads(result.stdout)
    segments = load_model(example).model.segments
    assert [g["segment"] for g in data["gateways"]] == [s.id for s in segments]
    assert any(r["front_line"] for r in data["roles"])


def test_trace_up_text(runner):
    result = runner.invoke(main, ["trace", SMALL, "s1", "--up"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == (
        "Upstream of s1 (Shoppers): 7 departments, up to 2 hand-offs away\n"
        "    1  g  department  Gate desk\n"
        "    1  d  department  Direct sales\n"
        "    1  q  department  Quality\n"
        "    2  a  department  Accounts\n"
        "    2  b  department  Buying\n"
        "    2  c  department  Cleaning\n"
        "    2  p  department  Planning\n"
    )


def test_trace_down_json(runner):
    result = runner.invoke(main, ["trace", SMALL, "p", "--down", "--json"], catch_exceptions=False)
    assert json.loads(result.stdout) == {
        "node": "p",
        "name": "Planning",
        "kind": "department",
        "direction": "down",
        "depth": None,
        "group_by": None,
        "nodes": [
            {"id": "q", "name": "Quality", "kind": "department", "distance": 1},
            {"id": "s1", "name": "Shoppers", "kind": "segment", "distance": 2},
        ],
    }


def test_trace_paths(runner):
    result = runner.invoke(main, ["trace", SMALL, "a", "--to", "s1"], catch_exceptions=False)
    assert result.stdout == (
        "1 service path from a (Accounts) to s1 (Shoppers):\n   1. a → g → s1  (2 hand-offs)\n"
    )
    result = runner.invoke(
        main, ["trace", SMALL, "scan", "--to", "s1", "--json"], catch_exceptions=False
    )
    assert json.loads(result.stdout)["paths"] == []


def test_trace_grouped(runner):
    result = runner.invoke(
        main, ["trace", SMALL, "a", "--down", "--by-group"], catch_exceptions=False
    )
    assert result.stdout == (
        "Downstream of Back, rolled up by group: 1 department, 2 segments, up to 2 hand-offs away\n"
        "    1  Front  department  Front\n"
        "    2  s1     segment     Shoppers\n"
        "    2  s2     segment     Hotels\n"
    )


def test_analyze_text(runner):
    result = runner.invoke(main, ["analyze", SMALL], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == (Path(SMALL).with_name("small-analyze.txt")).read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["trace", SMALL, "scann", "--up"],
            "Error: Invalid value for NODE: no department, segment or partner has the id "
            "'scann'; did you mean 'scan'?",
        ),
        (
            ["trace", SMALL, "a", "--to", "s11"],
            "Error: Invalid value for --to: no department, segment or partner has the id "
            "'s11'; did you mean 's1'?",
        ),
        (
            ["analyze", SMALL, "--segment", "d"],
            "Error: Invalid value for --segment: 'd' is a department, not a segment; "
            "valid segments: s1, s2",
        ),
        (
            ["trace", SMALL, "Bak", "--down", "--by-group"],
            "Error: Invalid value for NODE: no group, department, segment or partner has the "
            "id 'Bak'; did you mean 'Back'?",
        ),
        (
            ["trace", SMALL, "a"],
            "Error: say which way to trace: --up (suppliers) or --down (customers)",
        ),
        (
            ["trace", SMALL, "a", "--up", "--to", "s1"],
            "Error: --to lists the paths from NODE to a segment; drop --up",
        ),
        (
            ["trace", SMALL, "a", "--down", "--to", "s1"],
            "Error: --to lists the paths from NODE to a segment; drop --down",
        ),
        (
            ["trace", SMALL, "a", "--up", "--down"],
            "Error: give one way to trace: --up or --down, not both",
        ),
        (
            ["trace", SMALL, "a", "--to", "s1", "--depth", "2"],
            "Error: --depth does not apply to --to; use --top",
        ),
    ],
)
def test_usage_errors(runner, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == message
    assert "Traceback" not in result.output


def test_bad_model_exits_1(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndepartments:\n  - {id: a, name: A}\n  - {id: a, name: B}\n")
    for args in (["trace", str(bad), "a", "--up"], ["analyze", str(bad)]):
        result = runner.invoke(main, args)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.splitlines()[-1] == "1 problem found."


@pytest.mark.parametrize("command", ["trace", "analyze"])
def test_help_has_an_example(runner, command):
    result = runner.invoke(main, [command, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert f"servicechain {command} models/sapataria.yaml" in result.stdout
    assert "--by-group" in result.stdout and "--json" in result.stdout


def _readme_examples() -> list[tuple[str, str]]:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme.split("## Structure: trace and analyze", 1)[1].split("\n## ", 1)[0]
    examples = []
    for block in section.split("```console\n")[1:]:
        body = block.split("```", 1)[0]
        command, _, output = body.partition("\n")
        examples.append((command.removeprefix("$ "), output))
    return examples


@pytest.mark.parametrize("command, output", _readme_examples())
def test_readme_shows_real_output(runner, command, output, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    args = command.split()[1:]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.stdout == output


def test_readme_has_structure_examples():
    assert len(_readme_examples()) >= 3

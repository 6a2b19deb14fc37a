"""Docs that cannot drift: every command has help with an example, and the README's command
reference is the commands' own --help."""

from __future__ import annotations

import importlib.util

import pytest

from servicechain.cli import main

from .conftest import ROOT

COMMANDS = sorted(main.commands)


def _reference_module():
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "docs" / "cli_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(runner, name):
    result = runner.invoke(main, [name, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert main.commands[name].help, f"{name} has no help text"
    assert "Example" in result.stdout, f"{name} --help shows no example"
    assert f"servicechain {name}" in result.stdout


def test_readme_command_reference_is_current():
    module = _reference_module()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert module.updated(readme) == readme, "run: python3 docs/cli_reference.py"


def test_readme_holds_the_two_setup_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_command = 'python3 -m pip install -e ".[test]" && python3 -m pytest -n 2'
    assert test_command in readme
    assert "python3 -m pip install -e . && servicechain report" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith(test_command)

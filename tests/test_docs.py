"""Docs that cannot drift: every command has help with an example, and the README's command
reference is the commands' own --help."""

from __future__ import annotations

import importlib.util
import shlex

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


def _console_steps() -> list[tuple[str, str]]:
    """Every ``$ servicechain ...`` line of the README's console blocks with the output shown
    under it, in README order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    steps: list[list[str]] = []
    for block in readme.split("```console\n")[1:]:
        for line in block.split("```", 1)[0].splitlines(keepends=True):
            if line.startswith("$ "):
                steps.append([line[2:].strip(), ""])
            else:
                steps[-1][1] += line
    return [(command, output) for command, output in steps]


def test_readme_console_examples_print_what_the_readme_shows(runner, tmp_path, monkeypatch):
    """Runs the README's examples in order (later ones use files earlier ones wrote) in a scratch
    folder that sees the repository's models/ and tests/."""
    for name in ("models", "tests", "notebooks"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    steps = _console_steps()
    assert len(steps) >= 15
    for command, shown in steps:
        args = shlex.split(command)
        assert args[0] == "servicechain", command
        result = runner.invoke(main, args[1:])
        assert result.output == shown, f"README example `{command}` prints something else"

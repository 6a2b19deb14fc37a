"""Docs that cannot drift: every command has help with an example, and the README's command
reference is the commands' own --help."""

from __future__ import annotations

import importlib.util
import re
import shlex

import click
import pytest

from servicechain.cli import main

from .conftest import ROOT

COMMANDS = main.list_commands(None)


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
    assert main.get_command(None, name).help, f"{name} has no help text"
    assert "Example" in result.stdout, f"{name} --help shows no example"
    assert f"servicechain {name}" in result.stdout


GENERIC_METAVARS = ("INTEGER", "FLOAT", "RANGE", "BOOLEAN", "UUID")
#: One metavar per concept: options that take the same kind of value show the same word.
CONCEPTS = {"--segment": "SEGMENT", "--highlight": "NODE", "--to": "NODE", "--fail": "NODE|A->B"}
CONCEPTS |= {"--top": "N", "--depth": "N", "--scenario": "FILE", "--output": "FILE"}


def _help_lines(runner, args: list[str]) -> list[str]:
    result = runner.invoke(main, [*args, "--help"], terminal_width=80, catch_exceptions=False)
    assert result.exit_code == 0
    return result.stdout.splitlines()


def test_top_level_help_gives_every_command_a_whole_one_line_description(runner):
    lines = _help_lines(runner, [])
    listing = lines[lines.index("Commands:") + 1 :]
    assert [line.split()[0] for line in listing] == COMMANDS, "a description wraps or is missing"
    for line in listing:
        name, text = line.split(None, 1)
        assert not text.endswith("..."), f"{name}: description cut: {text}"
        assert text[0].isupper() and text.endswith((".", "?")), f"{name}: {text!r}"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_shows_what_it_takes(runner, name):
    """Walks the help of a command: each option has help text, each metavar names a concept
    (never click's type names), and the same concept reads the same in every command."""
    command = main.get_command(None, name)
    # A child of the group's context, as when the command runs: click keeps the help option a
    # command first makes, and one made without the group's settings would lose ``-h``.
    parent = main.make_context("servicechain", [name], resilient_parsing=True)
    ctx = command.make_context(name, ["--help"], parent=parent, resilient_parsing=True)
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if isinstance(param, click.Option) and param.is_flag:
            assert param.help, f"{name} {param.opts[-1]} has no help"
            continue
        metavar = param.make_metavar(ctx)
        assert not any(word in metavar for word in GENERIC_METAVARS), f"{param.opts}: {metavar}"
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts[-1]} has no help"
            for opt in param.opts:
                if opt in CONCEPTS:
                    assert metavar == CONCEPTS[opt], f"{name} {opt} shows {metavar}"
    assert "Example" in "\n".join(_help_lines(runner, [name]))


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


#: A model file read from git, such as ``HEAD~1:models/sapataria.yaml``.
GIT_REVISION = re.compile(r"[\w~^.-]+:[\w/.-]+\.(yaml|yml|json)$")


def _examples(help_text: str) -> list[str]:
    """The example command lines of a --help text, continuation lines joined."""
    commands: list[str] = []
    for line in help_text.splitlines():
        text = line.strip()
        if commands and commands[-1].endswith("\\"):
            commands[-1] = commands[-1][:-1] + " " + text
        elif text.startswith("servicechain "):
            commands.append(text)
    return [shlex.split(command, comments=True) for command in commands]


@pytest.mark.parametrize("name", ["", *COMMANDS])
def test_every_help_example_runs_as_written(runner, tmp_path, monkeypatch, name):
    """Each example of a --help, run in order from a fresh clone's folder, succeeds."""
    for folder in ("models", "tests", "notebooks"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    monkeypatch.chdir(tmp_path)
    shown = runner.invoke(main, [name, "--help"] if name else ["--help"]).stdout
    examples = _examples(shown)
    assert examples, f"{name or 'servicechain'} --help has no example"
    for args in examples:
        if any(GIT_REVISION.match(arg) for arg in args[2:]):
            continue  # a git revision (HEAD~1:model.yaml) needs a clone's history: run below
        redirect = args.index(">") if ">" in args else None
        result = runner.invoke(main, args[1:redirect])
        assert result.exit_code == 0, f"`{' '.join(args)}` fails: {result.output}"
        if redirect is not None:
            (tmp_path / args[redirect + 1]).write_text(result.stdout, encoding="utf-8")


def test_help_examples_with_a_git_revision_run_in_the_clone(runner, monkeypatch):
    if not (ROOT / ".git").exists():
        pytest.skip("not a git clone: no history to read a revision from")
    monkeypatch.chdir(ROOT)
    for name in COMMANDS:
        for args in _examples(runner.invoke(main, [name, "--help"]).stdout):
            if any(GIT_REVISION.match(arg) for arg in args[2:]):
                result = runner.invoke(main, args[1:])
                assert result.exit_code == 0, f"`{' '.join(args)}` fails: {result.output}"

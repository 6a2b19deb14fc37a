"""Start-up of the command line: commands load on use, and listing them imports nothing heavy."""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import servicechain.cli
from servicechain.cli import INDEX, main

from .conftest import MODELS, ROOT

HEAVY = ("numpy", "scipy", "networkx", "pydantic", "matplotlib", "msgspec", "ruamel")


def _imported_by(code: str, cwd: Path | None = None) -> list[str]:
    """The heavy top-level packages a fresh interpreter has imported after running ``code``."""
    probe = (
        "import atexit, sys\n"
        f"atexit.register(lambda: print(sorted({{m.split('.')[0] for m in sys.modules}}"
        f" & set({HEAVY!r})), file=sys.stderr))\n"
        f"{code}\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=cwd, check=False
    )
    return ast.literal_eval(done.stderr.strip().splitlines()[-1])


def test_importing_the_cli_imports_no_heavy_package():
    assert _imported_by("import servicechain.cli") == []


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_and_version_import_no_heavy_package(args):
    assert _imported_by(f"from servicechain.cli import main; main({args!r})") == []


EXAMPLE = str(MODELS / "sapataria.yaml")


@pytest.mark.parametrize(
    "args",
    [
        ["score", EXAMPLE],
        ["score", EXAMPLE, "--json"],
        ["explain", EXAMPLE, "clube"],
        ["impact", EXAMPLE, "--fail", "it"],
        ["impact", EXAMPLE, "--set", "it=5"],
        ["validate", EXAMPLE],
        ["summary", EXAMPLE, "--json"],
    ],
    ids=" ".join,
)
def test_the_analyses_of_a_small_yaml_model_load_no_sparse_solver_graph_library_or_pydantic(
    args,
):
    # a model a person draws is solved densely, read by the Structs, and its costs checked
    # without a graph algorithm: numpy, msgspec and the YAML reader are all it takes
    code = f"from servicechain.cli import main; main({args!r})"
    assert _imported_by(code) == ["msgspec", "numpy", "ruamel"]


@pytest.fixture(scope="module")
def organisation(tmp_path_factory) -> Path:
    """A generated organisation of 600 departments: its systems are swept, not factorised."""
    from servicechain.samples.generate import generate, write_json

    target = tmp_path_factory.mktemp("org") / "org.json"
    write_json(generate(600, seed=1), target)
    return target


@pytest.mark.parametrize(
    "args",
    [
        ["score"],
        ["explain", "seg-0"],
        ["impact", "--fail", "ops-0"],
        ["trace", "ops-0", "--to", "seg-0"],
    ],
    ids=" ".join,
)
def test_one_system_at_a_time_is_swept_without_scipy(organisation, args):
    # a large model's current state, its gap tracing and a what-if are swept on numpy's
    # products of the entries: loading scipy's sparse arrays would cost more than the sweeps
    done = CliRunner().invoke(main, [args[0], str(organisation), *args[1:]])
    assert done.exit_code == 0, done.output
    found = _imported_by(
        f"from servicechain.cli import main; main([{args[0]!r}, {str(organisation)!r}, "
        f"*{args[1:]!r}])"
    )
    assert "numpy" in found
    assert not {"scipy", "networkx", "pydantic", "matplotlib"} & set(found)


def test_a_ranking_loads_the_sparse_graph_algorithms_and_still_no_drawing():
    found = _imported_by(f"from servicechain.cli import main; main(['rank', {EXAMPLE!r}])")
    assert "scipy" in found
    assert not {"matplotlib", "networkx", "pydantic"} & set(found)


@pytest.mark.parametrize("args", [["analyze", EXAMPLE], ["trace", EXAMPLE, "it"]], ids=" ".join)
def test_the_structure_commands_load_no_pydantic(args):
    # the roll-up helpers they share with the networkx view need neither the spec's models
    # nor, for a trace, networkx itself
    found = _imported_by(f"from servicechain.cli import main; main({args!r})")
    assert "pydantic" not in found
    assert args[0] != "trace" or "networkx" not in found


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", EXAMPLE, "--segment", "clube"],
        ["trace", EXAMPLE, "it"],
        ["trace", EXAMPLE, "it", "--to", "compradores_online"],
    ],
    ids=" ".join,
)
def test_the_structure_of_a_chain_is_searched_on_arrays_without_networkx_or_pydantic(args):
    # a chain's view is built from its arrays, and the paths of trace --to are searched on
    # adjacency lists of it: networkx only for a graph or a roll-up
    found = _imported_by(f"from servicechain.cli import main; main({args!r})")
    assert not {"matplotlib", "networkx", "pydantic"} & set(found)


@pytest.mark.parametrize(
    "args",
    [["analyze", EXAMPLE], ["analyze", EXAMPLE, "--segment", "clube", "--json"]],
    ids=" ".join,
)
def test_analyze_loads_no_sparse_graph_algorithms_graph_library_or_pydantic(args):
    # loops, dominators and roles are found on arrays: scipy's components only for a graph
    # left large once its largest loop is shrunk
    found = _imported_by(f"from servicechain.cli import main; main({args!r})")
    assert found == ["msgspec", "numpy", "ruamel"]


@pytest.mark.parametrize("fmt", ["drawio", "graphml"])
def test_the_exports_of_a_big_model_are_written_from_its_arrays_without_a_graph(tmp_path, fmt):
    # from BULK_FROM boxes the draw.io file is placed on arrays, and GraphML is always
    # written from them: neither loads networkx (0.1 s), pydantic or matplotlib
    from servicechain.draw.bulk import BULK_FROM
    from servicechain.samples.generate import generate, write_json

    model = tmp_path / "big.json"
    write_json(generate(BULK_FROM, seed=1), model)
    args = ["export", str(model), "-f", fmt, "-o", f"big.{fmt}"]
    found = _imported_by(f"from servicechain.cli import main; main({args!r})", cwd=tmp_path)
    assert (tmp_path / f"big.{fmt}").stat().st_size > 0
    assert not {"matplotlib", "networkx", "pydantic"} & set(found)


def test_a_drawing_loads_matplotlib(tmp_path):
    code = (
        f"from servicechain.cli import main; main(['plot', {EXAMPLE!r}, 'tornado', '-o', 'x.png'])"
    )
    assert "matplotlib" in _imported_by(code, cwd=tmp_path)
    assert (tmp_path / "x.png").is_file()


def test_the_index_lists_every_command_where_it_lives_with_its_own_short_help():
    defined = {}
    for info in pkgutil.iter_modules(servicechain.cli.__path__):
        module = importlib.import_module(f"servicechain.cli.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            defined[command.name] = (info.name, command.get_short_help_str(10**6))
    assert defined == INDEX, "servicechain/cli/__init__.py: INDEX must list each command as here"


def test_a_command_loads_on_use_as_the_module_defines_it():
    from servicechain.cli import flow

    assert main.get_command(None, "score") is flow.score
    assert main.get_command(None, "no-such-command") is None


def test_top_level_help_lists_every_command_on_one_whole_line(runner):
    result = runner.invoke(main, ["--help"], terminal_width=80, catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert len(lines) == len(INDEX)
    width = max(map(len, INDEX)) + 2
    for line, (name, (_, text)) in zip(lines, sorted(INDEX.items()), strict=True):
        assert line == f"  {name:<{width}}{text}"
        assert len(line) <= 80


def test_unknown_command_is_a_usage_error(runner):
    result = runner.invoke(main, ["scroe"])
    assert result.exit_code == 2
    assert "No such command 'scroe'." in result.stderr


def test_the_package_names_load_on_first_use():
    import servicechain

    assert "load" in dir(servicechain)
    assert servicechain.load is importlib.import_module("servicechain.chain").load
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        servicechain.nope  # noqa: B018

"""The ``servicechain`` command's exit: output flushed whole, exit codes kept, profilers served."""

from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from servicechain.cli import main

from .conftest import ROOT, SAPATARIA


def _command(*args: str, stdout=subprocess.PIPE, prefix: tuple = ()) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *prefix, "-m", "servicechain", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
    )


def test_the_command_prints_what_the_library_runner_prints():
    done = _command("score", str(SAPATARIA), "--json")
    expected = CliRunner().invoke(main, ["score", str(SAPATARIA), "--json"])
    assert (done.returncode, done.stdout) == (0, expected.stdout)


def test_output_to_a_file_is_written_whole(tmp_path):
    target = tmp_path / "out.txt"
    with target.open("w", encoding="utf-8") as out:
        done = _command("rank", str(SAPATARIA), stdout=out)
    expected = CliRunner().invoke(main, ["rank", str(SAPATARIA)])
    assert done.returncode == 0
    assert target.read_text(encoding="utf-8") == expected.stdout


def test_a_usage_error_exits_2_with_its_message():
    done = _command("score", "--bogus")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "Error: No such option '--bogus'."


def test_a_broken_model_exits_1_with_its_message(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ndepartments: []\n", encoding="utf-8")
    done = _command("validate", str(broken))
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{broken}:2:1: departments: needs at least one department (add one under `departments:`)",
        "1 problem found.",
    ]
    assert done.stderr == ""


def test_a_reader_that_has_gone_gets_no_traceback():
    """``servicechain score m.yaml | head -0``: the pipe is closed before anything is written: exit 1, quietly, as click does."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "servicechain", "score", str(SAPATARIA)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert (proc.wait(), err) == (1, "")


def test_a_profiler_still_writes_its_results(tmp_path):
    target = tmp_path / "score.prof"
    done = _command("score", str(SAPATARIA), prefix=("-m", "cProfile", "-o", str(target)))
    assert done.returncode == 0
    import pstats

    assert pstats.Stats(str(target)).total_calls > 0


def test_the_command_keeps_its_loaded_model_out_of_the_collector():
    """In the command's process the loaded model is frozen (it is never freed); the library
    runner, which goes on after the command, leaves the collector as it was."""
    import gc

    script = (
        "import gc, sys\n"
        "from servicechain.cli import run\n"
        "freeze = gc.freeze\n"
        "gc.freeze = lambda: (sys.stderr.write('frozen\\n'), freeze())\n"
        "run(['summary', sys.argv[1]])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(SAPATARIA)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "frozen\n"
    frozen = gc.get_freeze_count()
    assert CliRunner().invoke(main, ["summary", str(SAPATARIA)]).exit_code == 0
    assert gc.get_freeze_count() == frozen

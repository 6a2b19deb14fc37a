"""The "commands" table of the benchmark: each command as a user runs it, a whole process.

Every command runs as ``python -m servicechain ...`` in a fresh process (imports included, the
package's bytecode compiled first as an installed package has it), its output written to a file
as a shell redirection would. Wall time is measured around the process;
CPU time is the process's own user + system time and peak MB its own ``ru_maxrss`` (both from
``os.wait4``): on a loaded machine CPU time and its ratio to the floor's stay meaningful where
wall times do not. The floor of the same run is
``python -c "import json; json.load(open(F))"`` on the same file, a fresh process too. Each
command is run three times (once at 300k departments; ``--repeat`` sets it) and the median is
shown: at 100k a single run of the same command moves by 0.1 to 0.4 s with the machine's
memory, as much as the margin of a 1.5x target.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Run", "commands_table", "compile_package", "fixed_table", "run_command"]

ROOT = Path(__file__).resolve().parent.parent
#: From this many departments each command runs once (its runs take minutes).
HUGE_FROM = 300_000
EXAMPLE = ROOT / "models" / "sapataria.yaml"
#: Peak memory allowed to the analysis commands and their --json outputs.
MAX_MB = 1024
#: The input limit the commands run with (MB), above the size of every generated model.
MAX_INPUT_MB = 1024


@dataclass
class Run:
    """One command run: wall seconds, peak resident MB, exit code, bytes written to stdout, CPU
    seconds (user + system)."""

    seconds: float
    peak_mb: float
    code: int
    out_bytes: int
    note: str = ""
    cpu: float = 0.0


def run_command(args: list[str], *, timeout: float, workdir: Path, expect: int = 0) -> Run:
    """Run ``args`` as a fresh process with stdout and stderr to files; time and peak memory.
    An exit code other than ``expect`` is noted as a failure."""
    # The 300,000-department model (245 MB) is above the default input limit of 200 MB.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SERVICECHAIN_MAX_SIZE": str(MAX_INPUT_MB)}
    with tempfile.TemporaryFile(dir=workdir) as out, tempfile.TemporaryFile(dir=workdir) as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, cwd=workdir, env=env)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        size = out.seek(0, os.SEEK_END)
        err.seek(0)
        last = (err.read().decode(errors="replace").strip().splitlines() or [""])[-1]
    note = ""
    if seconds >= timeout:
        note = f"killed after {timeout:g} s"
    elif proc.returncode != expect:
        note = f"exit {proc.returncode}: {last[:60]}"
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, size, note, cpu)


def _median_run(
    args: list[str], *, repeat: int, timeout: float, workdir: Path, expect: int = 0
) -> Run:
    runs = [
        run_command(args, timeout=timeout, workdir=workdir, expect=expect) for _ in range(repeat)
    ]
    failed = [r for r in runs if r.note]
    if failed:
        return failed[0]
    middle = statistics.median_low([r.seconds for r in runs])
    return next(r for r in runs if r.seconds == middle)


def _sc(*args: str) -> list[str]:
    return [sys.executable, "-m", "servicechain", *args]


@dataclass
class Target:
    """A target: within ``ratio`` times the floor, or under ``seconds``; under ``mb`` MB."""

    ratio: float | None = None
    seconds: float | None = None
    mb: float | None = None

    def text(self) -> str:
        parts = []
        if self.ratio is not None:
            parts.append(f"{self.ratio:g}x floor")
        if self.seconds is not None:
            parts.append(f"{self.seconds:g} s")
        if self.mb is not None:
            parts.append(f"{self.mb / 1024:g} GB")
        return ", ".join(parts) or "-"

    def misses(self, run: Run, floor: float) -> list[str]:
        """What of this target ``run`` misses, in words (empty when it holds)."""
        out = []
        if run.note:
            return [run.note]
        if self.ratio is not None and run.seconds > self.ratio * floor:
            out.append(f"{run.seconds / (self.ratio * floor):.1f}x too slow")
        if self.seconds is not None and run.seconds > self.seconds:
            out.append(f"{run.seconds / self.seconds:.1f}x too slow")
        if self.mb is not None and run.peak_mb > self.mb:
            out.append(f"{run.peak_mb / self.mb:.1f}x the memory")
        return out


ANALYSIS = Target(ratio=1.5, mb=MAX_MB)
JSON = Target(ratio=2.5, mb=MAX_MB)


def _commands(path: Path, departments: int) -> list[tuple[str, list, Target]]:
    """(label, arguments, target) of every command measured at this size."""
    department, segment = _first_ids(path)
    f = str(path)
    if departments >= 300_000:  # every command but report under 10 s
        analysis = json_target = Target(seconds=10)
        export = Target(seconds=10)
        draw = Target(seconds=10)
        report = None
    elif departments >= 100_000:
        analysis, json_target, export = ANALYSIS, JSON, Target()
        draw, report = Target(seconds=5), Target(seconds=30)
    else:  # the targets are set at 100k departments; smaller sizes show the trend
        analysis = json_target = export = draw = report = Target()
    rows = [
        ("validate", ["validate", f], analysis),
        ("summary", ["summary", f], analysis),
        ("score", ["score", f], analysis),
        ("explain SEG", ["explain", f, segment], analysis),
        ("rank", ["rank", f], analysis),
        ("rank --top 20", ["rank", f, "--top", "20"], analysis),
        ("impact --fail DEPT", ["impact", f, "--fail", department], analysis),
        ("trace DEPT --to SEG", ["trace", f, department, "--to", segment], analysis),
        ("analyze --segment SEG", ["analyze", f, "--segment", segment], analysis),
        ("validate --json", ["validate", f, "--json"], json_target),
        ("summary --json", ["summary", f, "--json"], json_target),
        ("score --json", ["score", f, "--json"], json_target),
        ("explain SEG --json", ["explain", f, segment, "--json"], json_target),
        ("rank --json", ["rank", f, "--json"], json_target),
        ("analyze SEG --json", ["analyze", f, "--segment", segment, "--json"], json_target),
        ("export -f graphml", ["export", f, "-f", "graphml", "-o", "out.graphml"], export),
        ("export -f drawio", ["export", f, "-f", "drawio", "-o", "out.drawio"], export),
        ("draw --by-group", ["draw", f, "--by-group", "--force", "-o", "out.svg"], draw),
    ]
    if report is not None:
        rows.append(("report", ["report", f, "-o", "out.html"], report))
    return [(label, _sc(*args), target) for label, args, target in rows]


def _first_ids(path: Path) -> tuple[str, str]:
    """The first department and the first segment of a generated model (read untimed).

    The file is read in a child process: a child started by this one counts this process's
    peak memory as its own ``ru_maxrss`` (Linux keeps the high-water mark across the fork and
    exec), so the benchmark itself must never hold a model.
    """
    code = (
        "import json, sys; d = json.load(open(sys.argv[1], encoding='utf-8')); "
        "print(d['departments'][0]['id']); print(d['segments'][0]['id'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    department, segment = done.stdout.split()
    return department, segment


def floor_run(path: Path, *, repeat: int, timeout: float, workdir: Path) -> Run:
    """``python -c "import json; json.load(open(F))"`` on ``path``."""
    code = f"import json; json.load(open({str(path)!r}, encoding='utf-8'))"
    return _median_run(
        [sys.executable, "-c", code], repeat=repeat, timeout=timeout, workdir=workdir
    )


def _line(label: str, run: Run, floor: Run | None, target: Target) -> str:
    ratio = f"{run.seconds / floor.seconds:8.2f}" if floor else f"{'':8}"
    cpu_ratio = f"{run.cpu / floor.cpu:8.2f}" if floor and floor.cpu > 0 else f"{'':8}"
    misses = target.misses(run, floor.seconds if floor else math.inf)
    if target.text() == "-":
        holds = run.note or ""
    else:
        holds = "yes" if not misses else "NO: " + "; ".join(misses)
    out_mb = f"{run.out_bytes / 2**20:8.1f}"
    return (
        f"  {label:<24}{run.seconds:9.3f}{run.peak_mb:9.0f}{ratio}{run.cpu:8.2f}{cpu_ratio}"
        f"{out_mb}  {target.text():<18}{holds}"
    )


HEADER = (
    f"  {'command':<24}{'seconds':>9}{'peak MB':>9}{'x floor':>8}{'cpu s':>8}{'cpu x':>8}"
    f"{'out MB':>8}  {'target':<18}holds"
)


def compile_package() -> None:
    """Compile the package's bytecode first, as ``pip install`` does: with
    ``PYTHONDONTWRITEBYTECODE`` set, every command would otherwise compile each module it
    imports, each time (the standard library and the installed dependencies have theirs)."""
    import compileall

    compileall.compile_dir(ROOT / "servicechain", quiet=1)


#: The time a YAML model of about 6 MB must be validated in, with or without problems.
YAML_SECONDS = 5


def fixed_table(*, timeout: float = 60, yaml: tuple[Path, Path] | None = None) -> None:
    """Start-up: --version, --help and score of a bundled example (median of 5); then, given
    ``yaml`` (a YAML model of about 6 MB and a copy of it with problems), ``validate`` of each
    (median of 3)."""
    print("Start-up (whole commands, median of 5)")
    print(HEADER)
    with tempfile.TemporaryDirectory() as tmp:
        for label, args, limit in (
            ("--version", _sc("--version"), 0.15),
            ("--help", _sc("--help"), 0.15),
            ("score sapataria.yaml", _sc("score", str(EXAMPLE)), 0.4),
            ("python -c pass", [sys.executable, "-c", "pass"], None),
        ):
            run = _median_run(args, repeat=5, timeout=timeout, workdir=Path(tmp))
            print(_line(label, run, None, Target(seconds=limit)))
        if yaml is not None:
            good, broken = yaml
            size = good.stat().st_size / 2**20
            print(f"\nA YAML model of {size:.1f} MB (median of 3)")
            print(HEADER)
            # the copy with problems exits 1, with every problem listed
            for label, path, code in (("validate", good, 0), ("validate, 2 problems", broken, 1)):
                args = _sc("validate", str(path))
                run = _median_run(args, repeat=3, timeout=timeout, workdir=Path(tmp), expect=code)
                print(_line(label, run, None, Target(seconds=YAML_SECONDS)))
    print()


def commands_table(
    path: Path, departments: int, *, timeout: float, repeat: int | None = None
) -> dict[str, float]:
    """Print the commands table of one model file; return each command's seconds."""
    if repeat is None:
        repeat = 3 if departments < HUGE_FROM else 1
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        floor = floor_run(path, repeat=repeat, timeout=timeout, workdir=workdir)
        print(
            f'  floor: python -c "import json; json.load(open(F))" {floor.seconds:.3f} s '
            f"({floor.cpu:.2f} s CPU), {floor.peak_mb:.0f} MB"
        )
        print(HEADER)
        for label, args, target in _commands(path, departments):
            run = _median_run(args, repeat=repeat, timeout=timeout, workdir=workdir)
            print(_line(label, run, floor, target))
            sys.stdout.flush()
            if not run.note:
                seconds[label] = run.seconds
    return seconds


def exponents(times: list[tuple[int, dict[str, float]]]) -> None:
    """Print the log-log slope of each command's time against the number of services, over the
    two largest sizes run (start-up dominates the small ones)."""
    if len(times) < 2:
        return
    (s0, t0), (s1, t1) = times[-2], times[-1]
    print(f"Fitted exponent per command, time vs services, {s0:,} -> {s1:,} services (1 = linear)")
    for label in t1:
        if label in t0:
            slope = math.log(t1[label] / t0[label]) / math.log(s1 / s0)
            print(f"  {label:<24}{slope:6.2f}")
    print()

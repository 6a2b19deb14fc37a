"""Benchmark servicechain at 1k, 10k and 100k departments against its peers and the floor.

Run from the repository root:

    python3 benchmarks/bench.py            # 1k, 10k, 100k departments (a few minutes)
    python3 benchmarks/bench.py --quick    # 1k and 10k only
    python3 benchmarks/bench.py --huge     # also 300k departments with one segment
    python3 benchmarks/bench.py --only commands   # or: --only library

Two tables: "commands" runs each command a user runs as a whole process (imports included) and
compares it with the floor of the same run and its target (see ``commands.py``); "library"
times the stages of the library in-process against its peers, as follows.

For each size, a synthetic organisation (``servicechain generate``, seed 1, about 7 services per
department, one segment per 50 departments) is written once to ``benchmarks/data/`` and then:

* ours: load+validate (JSON fast path), build (sparse matrix and current-state solve), score,
  rank (value-weighted; the 100 rows its text shows exact), the certified top 20 by failure and
  by gain (``rank --by failure --top 20``: targets 1 s at 10k and 10 s at 100k departments),
  explain one segment, analyze one segment, draw a grouped diagram (SVG), cost to serve by the
  reciprocal method (one sparse solve) and its text;
* peers on the same matrix ``A`` and constant ``c`` (``Q = c + A Q``): a pure-networkx Jacobi
  iteration on a DiGraph, and a dense ``(I - A)^-1`` as input-output tools compute their
  Leontief inverse (only where it fits: n <= 12,000);
* the floor: ``json.loads`` of the file plus the sparse matrix-vector products of a Jacobi
  iteration to 1e-9 (the least any tool must do: read the file, touch every service per sweep).

Every group of stages runs in a fresh process (imports excluded from the times); "peak MB" is
that process's ``ru_maxrss`` read after the stage, so it includes the stages before it in the
same process. Each of ours is printed as a ratio to the floor and to the best peer (both end to
end: parse, build, solve). The fitted exponent is the log-log slope of our end-to-end time
(load+validate+build+score+rank) against the number of services.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
DENSE_MAX_NODES = 12_000
#: Grouped diagrams are drawn up to this many departments (the box limit and the collapsed
#: segments and partners keep a grouped diagram of 100k departments to about 2 GB).
DRAW_MAX_DEPARTMENTS = 100_000
TOL = 1e-9
#: Departments of the ``--huge`` model (one segment).
HUGE = 300_000
#: Models of up to this many nodes also time 1,000 Monte Carlo draws of their scores.
UNCERTAINTY_DRAWS_MAX = 2_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _emit(stage: str, seconds: float, **extra) -> None:
    print(json.dumps({"stage": stage, "seconds": seconds, "peak_mb": _peak_mb(), **extra}))
    sys.stdout.flush()


def _timed(stage: str, func, **extra):
    start = time.perf_counter()
    result = func()
    _emit(stage, time.perf_counter() - start, **extra)
    return result


# --- workers (each runs in a fresh process) ----------------------------------------------------


def worker_ours(path: str) -> None:
    import servicechain
    from servicechain.flow import state_of

    chain = _timed("load+validate", lambda: servicechain.load(path))
    _timed("build+solve", lambda: state_of(chain))
    _timed("score", chain.score)
    _timed("rank", chain.rank)
    # the certified top 20 (exact gains and failures of every printed row), as the CLI prints it
    _timed("rank --by failure --top 20", lambda: str(chain.rank(by="failure", top=20)))
    _timed("rank --by gain --top 20", lambda: str(chain.rank(by="gain", top=20)))
    segment = _first_segment(chain)
    _timed("explain 1 segment", lambda: chain.explain(segment))
    _timed("text of rank/explain --top 20", lambda: _texts(chain, segment))


def _texts(chain, segment: str) -> None:
    str(chain.rank(top=20))
    str(chain.explain(segment, top=20))


def worker_analyze(path: str) -> None:
    import servicechain

    chain = servicechain.load(path)
    segment = _first_segment(chain)
    department = chain.network.ids[0]
    _timed("impact (1 department fails)", lambda: chain.impact(fail=[department]))
    _timed("trace 1 department", lambda: chain.trace(department))
    _timed("analyze 1 segment", lambda: chain.analyze(segment=segment))


def worker_cost(path: str) -> None:
    import servicechain

    chain = _timed("load+validate (cost)", lambda: servicechain.load(path))
    result = _timed("cost: reciprocal allocation", lambda: chain.cost(method="reciprocal"))
    _timed("text of cost", lambda: str(result))


def worker_draw(path: str) -> None:
    import io

    import servicechain
    from servicechain.draw.diagram import draw_chain

    chain = servicechain.load(path)

    def draw() -> None:
        draw_chain(chain, group_by="group", force=True).save(io.BytesIO(), format="svg")

    _timed("draw grouped (SVG)", draw)


def worker_uncertainty(path: str) -> None:
    import dataclasses
    from types import SimpleNamespace

    import numpy as np

    import servicechain
    from servicechain.flow import explain_intervals, intervals, ranked_with_stability, state_of

    chain = servicechain.load(path)
    net = chain.network
    # every given score carries a standard error, as a survey of every hand-off would write
    span = net.scale.max - net.scale.min
    surveyed = dataclasses.replace(
        net,
        own_se=np.where(np.isnan(net.own), 0.0, 0.15 / span),
        rating_se=np.where(np.isnan(net.rating), 0.0, 0.2 / span),
    )
    model = SimpleNamespace(name=chain.name, network=surveyed)
    state_of(model)
    _timed("uncertainty: delta intervals, every segment", lambda: intervals(model))
    segment = _first_segment(model)
    _timed(
        "uncertainty: explain, delta, 20 terms", lambda: explain_intervals(model, segment, top=20)
    )
    if len(net.ids) <= UNCERTAINTY_DRAWS_MAX:
        _timed("uncertainty: 1,000 Monte Carlo draws", lambda: intervals(model, draws=1000))
        _timed(
            "uncertainty: rank top 10, 1,000 draws",
            lambda: str(ranked_with_stability(model, top=10, draws=1000)),
        )


def _first_segment(chain) -> str:
    net = chain.network
    return next(i for i, k in zip(net.ids, net.kind, strict=True) if k == 2)


def _matrix(path: str):
    """A and c of ``Q = c + A Q`` at the current state, as our flow builds them (untimed)."""
    from scipy import sparse

    import servicechain
    from servicechain.flow import state_of

    state = state_of(servicechain.load(path))
    system = state.operator.matrix  # I - A
    return (sparse.eye_array(system.shape[0], format="csr") - system).tocsr(), state.c


def worker_floor(path: str) -> None:
    import numpy as np

    a, c = _matrix(path)
    text = Path(path).read_text(encoding="utf-8")
    _timed("json.loads", lambda: json.loads(text))

    def jacobi() -> int:
        x, sweeps = c.copy(), 0
        while True:
            new = c + a @ x
            sweeps += 1
            if np.abs(new - x).max() <= TOL:
                return sweeps
            x = new

    start = time.perf_counter()
    sweeps = jacobi()
    _emit("sparse mat-vecs", time.perf_counter() - start, sweeps=sweeps)


def worker_networkx(path: str) -> None:
    import networkx as nx

    a, c = _matrix(path)
    text = Path(path).read_text(encoding="utf-8")
    data = _timed("json.loads", lambda: json.loads(text))
    coo = a.tocoo()
    rows, cols, vals = coo.row.tolist(), coo.col.tolist(), coo.data.tolist()
    constant = c.tolist()

    def build() -> nx.DiGraph:
        graph = nx.DiGraph()
        ids = [
            r["id"] for key in ("departments", "partners", "segments") for r in data.get(key, [])
        ]
        graph.add_nodes_from((i, {"id": ident, "c": constant[i]}) for i, ident in enumerate(ids))
        graph.add_weighted_edges_from(zip(cols, rows, vals, strict=True))
        return graph

    graph = _timed("build DiGraph", build)

    def iterate() -> int:
        x = {node: graph.nodes[node]["c"] for node in graph}
        sweeps = 0
        while True:
            new = {
                node: graph.nodes[node]["c"]
                + sum(w * x[s] for s, _, w in graph.in_edges(node, data="weight"))
                for node in graph
            }
            sweeps += 1
            if max(abs(new[node] - x[node]) for node in graph) <= TOL:
                return sweeps
            x = new

    start = time.perf_counter()
    sweeps = iterate()
    _emit("networkx iteration", time.perf_counter() - start, sweeps=sweeps)


def worker_dense(path: str) -> None:
    import numpy as np

    a, c = _matrix(path)
    text = Path(path).read_text(encoding="utf-8")
    _timed("json.loads", lambda: json.loads(text))
    dense = _timed("build dense I - A", lambda: np.eye(a.shape[0]) - a.toarray())
    inverse = _timed("dense inverse", lambda: np.linalg.inv(dense))
    _timed("L @ c", lambda: inverse @ c)


WORKERS = {
    "ours": worker_ours,
    "analyze": worker_analyze,
    "draw": worker_draw,
    "cost": worker_cost,
    "uncertainty": worker_uncertainty,
    "floor": worker_floor,
    "networkx": worker_networkx,
    "dense": worker_dense,
}


# --- driver ------------------------------------------------------------------------------------


def _run(kind: str, path: Path, timeout: float) -> tuple[list[dict], str]:
    cmd = [sys.executable, __file__, "--worker", kind, str(path)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")], (
            f"over {timeout:g} s"
        )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    note = "" if done.returncode == 0 else (done.stderr.strip().splitlines() or ["failed"])[-1]
    return rows, note


def _in_child(code: str, *args: str) -> None:
    """Run ``code`` with ``args`` in a child process that imports this checkout's package.

    Models are made there, never here: the commands table reads each command's peak memory
    from ``ru_maxrss``, which counts the peak of the process that started it.
    """
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    subprocess.run([sys.executable, "-c", code, *args], env=env, check=True)


# Writes a generated model (argv: departments, segments or "", path, services path).
_MODEL_CODE = """
import sys
from servicechain.samples.generate import generate, write_json

departments, segments, path, meta = sys.argv[1:]
data = generate(int(departments), seed=1, segments=int(segments) if segments else None)
write_json(data, path)
with open(meta, "w") as out:
    out.write(str(len(data["services"])))
"""


def _model(departments: int, segments: int | None = None) -> tuple[Path, int]:
    """The generated model of this size and its number of services, made once."""
    DATA.mkdir(exist_ok=True)
    stem = f"org-{departments}" + (f"-{segments}seg" if segments else "")
    path = DATA / f"{stem}.json"
    meta = DATA / f"{stem}.services"
    if not path.exists() or not meta.exists():
        _in_child(_MODEL_CODE, str(departments), str(segments or ""), str(path), str(meta))
    return path, int(meta.read_text())


#: Departments of the YAML model of the commands table (about 6 MB, the size of its target).
YAML_DEPARTMENTS = 10_000

# Writes the YAML model (argv: departments, path, broken path) and a copy with two problems: a
# quality off the scale and a service from an id nothing has.
_YAML_CODE = """
import re, sys
from pathlib import Path
from servicechain.io.yamlout import model_yaml
from servicechain.model.spec import Model
from servicechain.samples.generate import generate

departments, good, broken = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
text = model_yaml(Model.model_validate(generate(departments, seed=1)))
head, services = text.split("\\nservices:\\n", 1)
head = re.sub(r"quality: [0-9.]+", "quality: 9.5", head, count=1)
services = re.sub(r"from: [^,]+", "from: no-such-department", services, count=1)
broken.write_text(head + "\\nservices:\\n" + services, encoding="utf-8")
good.write_text(text, encoding="utf-8")
"""


def _yaml_models() -> tuple[Path, Path]:
    """The YAML model of the commands table and its copy with two problems, made once."""
    DATA.mkdir(exist_ok=True)
    good = DATA / f"org-{YAML_DEPARTMENTS}.yaml"
    broken = DATA / f"org-{YAML_DEPARTMENTS}-problems.yaml"
    if not good.exists() or not broken.exists():
        _in_child(_YAML_CODE, str(YAML_DEPARTMENTS), str(good), str(broken))
    return good, broken


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def bench_commands(sizes: list[int], timeout: float, huge: bool, repeat: int | None) -> None:
    sys.path.insert(0, str(HERE))
    import commands

    print("== commands: each command as a whole process, imports included ==")
    print(
        "times in seconds; peak MB = the process's ru_maxrss; cpu s = its user + system time, "
        "cpu x = that over the floor's; out MB = what it printed\n"
    )
    commands.compile_package()
    commands.fixed_table(yaml=_yaml_models())
    times = []
    for n in sizes:
        path, services = _model(n)
        size_mb = path.stat().st_size / 2**20
        print(f"N = {n:,} departments, {services:,} services, {size_mb:.0f} MB of JSON ({_load()})")
        times.append((services, commands.commands_table(path, n, timeout=timeout, repeat=repeat)))
        print()
    commands.exponents(times)
    if huge:
        path, services = _model(HUGE, segments=1)
        size_mb = path.stat().st_size / 2**20
        print(
            f"N = {HUGE:,} departments, {services:,} services, one segment, "
            f"{size_mb:.0f} MB of JSON ({_load()})"
        )
        commands.commands_table(path, HUGE, timeout=timeout, repeat=repeat)
        print()


def bench(sizes: list[int], timeout: float) -> None:
    print("== library: stages in-process, imports excluded, against peers and the floor ==")
    print("times in seconds; peak MB = ru_maxrss of the stage's fresh process so far\n")
    header = f"{'N':>7}  {'stage':<40}{'seconds':>9}{'peak MB':>9}{'x floor':>9}{'x peer':>9}"
    ends: list[tuple[int, float]] = []
    for n in sizes:
        path, services = _model(n)
        size_mb = path.stat().st_size / 2**20
        print(f"N = {n:,} departments, {services:,} services, {size_mb:.0f} MB of JSON")
        print(header)
        skip = {"dense"} | ({"draw"} if n > DRAW_MAX_DEPARTMENTS else set())
        results = {kind: _run(kind, path, timeout) for kind in WORKERS if kind not in skip}
        if n > DRAW_MAX_DEPARTMENTS:
            results["draw"] = ([], f"skipped above {DRAW_MAX_DEPARTMENTS:,} departments")
        nodes = n + max(1, n // 50) + min(2000, max(5, n // 50))
        if nodes <= DENSE_MAX_NODES:
            results["dense"] = _run("dense", path, timeout)
        else:
            gb = 3 * nodes**2 * 8 / 2**30
            results["dense"] = ([], f"does not fit: n = {nodes:,} needs about {gb:,.0f} GB")
        floor = _total(results["floor"])
        peers = {k: _total(results[k]) for k in ("networkx", "dense")}
        best = min((t for t in peers.values() if t is not None), default=None)
        ours = results["ours"][0]
        end = sum(r["seconds"] for r in ours[:4])
        complete = len(ours) >= 4
        rows = [*ours]
        if complete:
            peak = max(r["peak_mb"] for r in ours[:4])
            rows.insert(
                4, {"stage": "= load+validate+build+score+rank", "seconds": end, "peak_mb": peak}
            )
            ends.append((services, end))
        rows += results["analyze"][0] + results["draw"][0] + results["uncertainty"][0]
        cost = results["cost"][0]
        if len(cost) >= 2:
            both = cost[0]["seconds"] + cost[1]["seconds"]
            cost.insert(2, {"stage": "= load+validate+cost", "seconds": both, "peak_mb": None})
        rows += cost
        for row in rows:
            print(_line(n, "ours: " + row["stage"], row["seconds"], row["peak_mb"], floor, best))
        for kind in ("analyze", "draw", "cost", "uncertainty", "ours"):
            if results[kind][1]:
                print(f"{n:>7}  ours: {kind}: {results[kind][1]}")
        for kind in ("networkx", "dense", "floor"):
            found, note = results[kind]
            for row in found:
                label = f"{kind}: {row['stage']}"
                if "sweeps" in row:
                    label += f" ({row['sweeps']} sweeps)"
                print(_line(n, label, row["seconds"], row["peak_mb"], None, None))
            total = _total(results[kind])
            if total is not None:
                print(_line(n, f"= {kind} total", total, None, None, None))
            if note:
                print(f"{n:>7}  {kind}: {note}")
        print()
    if len(ends) >= 2:
        xs = [math.log(s) for s, _ in ends]
        ys = [math.log(t) for _, t in ends]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mx) ** 2 for x in xs
        )
        print(f"fitted exponent of end-to-end time vs services: {slope:.2f} (1.00 = linear)")


def _total(result: tuple[list[dict], str]) -> float | None:
    rows, note = result
    if note or not rows:
        return None
    return sum(r["seconds"] for r in rows)


def _line(n, stage, seconds, peak, floor, best) -> str:
    peak_text = f"{peak:9.0f}" if peak is not None else f"{'':9}"
    ratio = f"{seconds / floor:9.2f}" if floor else f"{'':9}"
    peer = f"{seconds / best:9.3f}" if best else f"{'':9}"
    return f"{n:>7}  {stage:<40}{seconds:9.3f}{peak_text}{ratio}{peer}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 1k and 10k departments")
    parser.add_argument("--sizes", type=int, nargs="+", help="department counts to run")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per process")
    parser.add_argument("--huge", action="store_true", help=f"also {HUGE:,} departments")
    parser.add_argument("--only", choices=("commands", "library"), help="run one table only")
    parser.add_argument(
        "--repeat", type=int, help="runs per command (default 3, once at 300k departments)"
    )
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(HERE.parent))
        WORKERS[args.worker[0]](args.worker[1])
        return
    sizes = args.sizes or ([1000, 10_000] if args.quick else [1000, 10_000, 100_000])
    print(f"servicechain benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"at the start: {_load()}\n")
    if args.only != "library":
        bench_commands(sizes, args.timeout, args.huge, args.repeat)
    if args.only != "commands":
        bench(sizes, args.timeout)
    print(f"at the end: {_load()}")


if __name__ == "__main__":
    main()

"""Benchmark ``diff`` of two versions of a synthetic organisation, against the floor.

Run from the repository root:

    python3 benchmarks/bench_diff.py                 # 10,000 departments, 1,000 changed inputs
    python3 benchmarks/bench_diff.py --departments 2000 --changes 300

Version 1 is ``servicechain generate`` (seed 1); version 2 changes the given number of inputs
at random (seed 2), of every kind a diff attributes: service ratings, own qualities, weights,
dependences, services removed, added and unrated, segment revenues. Both are loaded first
(untimed); then ``servicechain.diff`` is timed end to end (matching records, listing the
changes, the exact linear part and the Shapley values, the result object), and the text of the
result. The floor is what any comparison of the two current states
must do: solve both (one sparse solve each). The target is under 3 s for 10,000 departments
and 1,000 changed inputs.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time

import numpy as np


def perturb(data: dict, changes: int, *, seed: int) -> dict:
    """``data`` with ``changes`` inputs changed at random (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    d = copy.deepcopy(data)
    deps, svcs, segs = d["departments"], d["services"], d["segments"]
    ends = {(s["from"], s["to"]) for s in svcs}
    for _ in range(changes):
        k = int(rng.integers(0, 20))
        if k < 6:
            svcs[rng.integers(len(svcs))]["quality"] = round(float(rng.uniform(1, 5)), 2)
        elif k < 10:
            deps[rng.integers(len(deps))]["quality"] = round(float(rng.uniform(1.5, 5)), 2)
        elif k < 14:
            svcs[rng.integers(len(svcs))]["weight"] = round(float(rng.uniform(0.5, 3)), 2)
        elif k < 16:
            deps[rng.integers(len(deps))]["dependence"] = round(float(rng.uniform(0.1, 0.8)), 2)
        elif k < 17:
            gone = svcs.pop(int(rng.integers(len(svcs))))
            ends.discard((gone["from"], gone["to"]))
        elif k < 18:
            a, b = rng.integers(len(deps), size=2)
            pair = (deps[a]["id"], deps[b]["id"])
            if a != b and pair not in ends:
                svcs.append({"from": pair[0], "to": pair[1], "name": "New hand-off"})
                ends.add(pair)
        elif k < 19:
            svcs[rng.integers(len(svcs))].pop("quality", None)
        else:
            segs[rng.integers(len(segs))]["revenue"] = float(rng.integers(10, 1000)) * 1000
    return d


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--departments", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=1_000)
    args = parser.parse_args()

    from servicechain import Chain
    from servicechain.compare import diff
    from servicechain.flow.state import current_state
    from servicechain.samples.generate import generate

    data = generate(args.departments, seed=1)
    old = Chain.from_dict(data)
    new = Chain.from_dict(perturb(data, args.changes, seed=2))
    old.network, new.network  # noqa: B018 - built before timing, as after loading a file

    def stage(name: str, func, **extra):
        start = time.perf_counter()
        out = func()
        seconds = time.perf_counter() - start
        print(json.dumps({"stage": name, "seconds": round(seconds, 4), **extra}))
        sys.stdout.flush()
        return out, seconds

    _, floor = stage(
        "floor: solve both current states",
        lambda: (current_state(old.network), current_state(new.network)),
    )
    result, t_all = stage("servicechain.diff end to end", lambda: diff(old, new))
    stage("text of the result", lambda: str(result))
    structural = sum(1 for i in result.items if i.kind not in ("quality", "rating", "baseline"))
    print(
        json.dumps(
            {
                "departments": args.departments,
                "changes listed": len(result.items),
                "structural changes": structural,
                "exact": result.exact,
                "diff seconds": round(t_all, 3),
                "ratio to floor": round(t_all / floor, 1),
                "target seconds": 3.0,
                "within target": t_all < 3.0,
            }
        )
    )


if __name__ == "__main__":
    main()

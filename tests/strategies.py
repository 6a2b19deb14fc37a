"""Hypothesis strategies shared by the property tests of the quality flow."""

from __future__ import annotations

from hypothesis import strategies as st

quality = st.one_of(st.none(), st.floats(0, 1))


def model_data(draw, *, max_services: int, elasticity: float | None = None) -> dict:
    """A random model as a dict: one to five departments that serve each other freely (loops
    are likely), up to two partners, one to three segments; any quality may be left out."""
    n_dep = draw(st.integers(1, 5))
    n_par = draw(st.integers(0, 2))
    n_seg = draw(st.integers(1, 3))
    deps = [f"d{i}" for i in range(n_dep)]
    pars = [f"p{i}" for i in range(n_par)]
    segs = [f"s{i}" for i in range(n_seg)]
    pairs = [(a, b) for a in deps + pars for b in deps + segs if a != b]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=max_services))
    priced = {} if elasticity is None else {"revenue_elasticity": elasticity}
    return {
        "name": "random",
        "departments": [
            {"id": d, "name": d, "quality": draw(quality), "dependence": draw(st.floats(0, 1))}
            for d in deps
        ],
        "partners": [{"id": p, "name": p, "quality": draw(quality)} for p in pars],
        "segments": [
            {
                "id": s,
                "name": s,
                "kind": "consumer",
                "relationship": "client",
                "dependence": draw(st.floats(0, 1)),
                "baseline": draw(quality),
                "revenue": draw(st.floats(1, 1000)),
                **priced,
            }
            for s in segs
        ],
        "services": [
            {"from": a, "to": b, "quality": draw(quality), "weight": draw(st.floats(0.1, 5))}
            for a, b in chosen
        ],
    }

"""Seeded synthetic organisations of any size, for trying the tool and for benchmarks.

A generated organisation looks like a real one at scale: departments in functional groups and
in layers from the back office to the front line, about seven services per department (most
flowing towards the front line, some feeding back, so a large strongly connected core forms),
partners supplying departments, segments of every kind and both relationships served by the
front line, a few unrated services and missing qualities, and Unicode names here and there.
Every department has an own contribution (a quality above the scale's minimum or none, and a
dependence below 1), so the model never holds a closed loop.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np

from ..io.atomic import write_atomic
from ..model.spec import RELATIONSHIPS, SEGMENT_KINDS
from ..progress import ProgressCallback, report

__all__ = ["generate", "write_json"]

#: (id prefix, group name) of the functional groups, in several languages.
_GROUPS = (
    ("ops", "Operations"),
    ("ret", "Retail"),
    ("dig", "Digital"),
    ("fin", "Finance"),
    ("hr", "People"),
    ("log", "Logística"),
    ("cc", "Customer Care"),
    ("sal", "Vendite"),
    ("mkt", "Marketing"),
    ("it", "IT"),
    ("wl", "物流中心"),
    ("qa", "Qualità"),
    ("man", "Manutenção"),
    ("kf", "客户服务"),
    ("pro", "Procurement"),
    ("leg", "Legal"),
)
_TEAMS = (
    "Support",
    "Planning",
    "Service Desk",
    "Team",
    "Hub",
    "Office",
    "Atendimento",
    "Assistenza clienti",
    "服务台",
    "Squadra",
    "Equipa de turno",
    "Control",
    "Analytics",
    "Centre",
)
_SERVICES = (
    "Stock data",
    "IT support",
    "Payroll",
    "Scheduling",
    "Forecasts",
    "Dati di vendita",
    "Reposição de stock",
    "排班",
    "Training",
    "Invoices",
    "Entregas",
    "系统维护",
    "Reports",
    "Approvals",
)
_PARTNERS = (
    "Courier company",
    "Cloud provider",
    "Fornecedor de embalagens",
    "外包客服",
    "Agenzia di pulizie",
    "Payroll bureau",
    "Security firm",
)
_SEGMENTS = {
    "consumer": ("Walk-in shoppers", "Clientes online", "会员顾客", "Clienti fedeli"),
    "business": ("Business accounts", "Empresas", "企业客户"),
    "government": ("Public agencies", "Pubblica amministrazione"),
    "nonprofit": ("Charities", "Associações"),
    "staff": ("Staff purchases", "员工内购"),
}
_REGIONS = ("North", "Sud", "Lisboa", "上海", "Milano", "Porto", "West", "深圳", "Centro")
#: Layers from the back office (0) to the front line (last), and the share of each.
_LAYER_SHARES = (0.15, 0.2, 0.2, 0.2, 0.25)
#: Share of upstream services (from a layer nearer the front line) kept as feedback loops.
_FEEDBACK = 0.3
#: Share of a department's suppliers taken from its own group.
_LOCAL = 0.75


def generate(
    departments: int,
    *,
    segments: int | None = None,
    seed: int = 0,
    services_per_department: float = 7.0,
    name: str | None = None,
    progress: ProgressCallback | None = None,
) -> dict:
    """A realistic synthetic organisation as plain data shaped like a model file.

    Parameters
    ----------
    departments : int
        Number of departments (at least 2).
    segments : int, keyword-only
        Number of customer segments; default one per 50 departments (at least 5, at most 2,000).
    seed : int, keyword-only
        The same seed gives the same organisation, byte for byte.
    services_per_department : float, keyword-only
        Services per department, all kinds together (default 7).
    name : str, keyword-only
        Name of the model; default ``"Synthetic organisation (N departments, seed S)"``.
    progress : callable, keyword-only
        Called with the name of each stage as it starts (see :mod:`servicechain.progress`).

    Returns
    -------
    dict
        ``name``, ``description``, ``scale`` (1..5), ``departments``, ``segments``,
        ``partners`` and ``services``, ready for :func:`write_json` or
        :meth:`servicechain.Chain.from_dict`.

    Raises
    ------
    ValueError
        If ``departments`` is below 2, ``segments`` below 1 or ``services_per_department``
        below 1.

    Examples
    --------
    >>> data = generate(200, segments=8, seed=1)
    >>> len(data["departments"]), len(data["segments"])
    (200, 8)
    >>> 1200 <= len(data["services"]) <= 1400
    True
    >>> generate(200, segments=8, seed=1) == data
    True
    """
    if departments < 2:
        raise ValueError(f"departments must be at least 2, not {departments}")
    if segments is None:
        segments = int(min(2000, max(5, departments // 50)))
    if segments < 1:
        raise ValueError(f"segments must be at least 1, not {segments}")
    if services_per_department < 1:
        raise ValueError(
            f"services_per_department must be at least 1, not {services_per_department:g}"
        )
    report(progress, "drawing the organisation")
    rng = np.random.default_rng(seed)
    n, k = int(departments), int(segments)
    n_par = max(1, n // 50)

    # Departments: groups in contiguous blocks, layers mixed inside each group.
    n_groups = int(min(max(1, math.isqrt(n)), 150))  # 31 at 1k, 100 at 10k, 150 from 22.5k
    group = np.sort(rng.integers(0, n_groups, size=n))
    group[:n_groups] = np.arange(n_groups)[: min(n, n_groups)]
    group = np.sort(group)
    layer = rng.choice(len(_LAYER_SHARES), size=n, p=_LAYER_SHARES)
    starts = np.searchsorted(group, np.arange(n_groups))
    sizes = np.diff(np.append(starts, n))
    front = np.flatnonzero(layer == len(_LAYER_SHARES) - 1)
    if front.size == 0:
        front = np.array([n - 1])
        layer[n - 1] = len(_LAYER_SHARES) - 1

    # Front line → segments: every front-line department serves one or more segments and every
    # segment is served by at least one.
    per_front = 1 + rng.poisson(0.6, size=front.size)
    fs_src = np.repeat(front, per_front)
    fs_tgt = rng.integers(0, k, size=fs_src.size)
    missing = np.setdiff1d(np.arange(k), fs_tgt)
    fs_src = np.concatenate([fs_src, rng.choice(front, size=missing.size)])
    fs_tgt = np.concatenate([fs_tgt, missing])
    fs_src, fs_tgt = _unique_pairs(fs_src, fs_tgt, n + n_par + k)

    # Partners → departments.
    m_total = round(services_per_department * n)
    m_par = max(n_par, n // 8)
    ps_src = rng.integers(0, n_par, size=m_par)
    ps_tgt = rng.integers(0, n, size=m_par)
    ps_src, ps_tgt = _unique_pairs(ps_src, ps_tgt, n)

    # Department → department: customers at random, suppliers mostly from the same group and
    # mostly further from the front line; some services feed back and close cycles.
    m_dd = max(1, m_total - fs_src.size - ps_src.size)
    want = int(m_dd * 1.6) + 16
    tgt = rng.integers(0, n, size=want)
    local = rng.random(want) < _LOCAL
    g = group[tgt]
    src = np.where(
        local,
        starts[g] + (rng.random(want) * sizes[g]).astype(np.int64),
        rng.integers(0, n, size=want),
    )
    upstream = (layer[src] > layer[tgt]) & (rng.random(want) >= _FEEDBACK)
    src, tgt = np.where(upstream, tgt, src), np.where(upstream, src, tgt)
    keep = src != tgt
    src, tgt = _unique_pairs(src[keep], tgt[keep], n)
    src, tgt = src[:m_dd], tgt[:m_dd]

    # Scores on a 1..5 scale.
    dep_q = np.round(np.clip(rng.normal(3.8, 0.5, size=n), 1.5, 5.0), 1)
    dep_has_q = rng.random(n) >= 0.02
    dependence = np.round(np.clip(0.25 + 0.1 * layer + rng.uniform(-0.1, 0.1, n), 0.05, 0.9), 2)
    par_q = np.round(np.clip(rng.normal(3.6, 0.5, size=n_par), 1.5, 5.0), 1)
    headcount = 1 + rng.poisson(8, size=n)
    cost = headcount * rng.integers(40, 90, size=n) * 1000

    report(progress, "making the records")
    departments_out = []
    team = rng.integers(0, len(_TEAMS), size=n)
    for i in range(n):
        prefix, gname = _GROUPS[group[i] % len(_GROUPS)]
        gnum = group[i] // len(_GROUPS)
        gtitle = f"{gname} {gnum + 1}" if n_groups > len(_GROUPS) else gname
        rec = {
            "id": f"{prefix}-{i}",
            "name": f"{gtitle} – {_TEAMS[team[i]]} {i}",
            "group": gtitle,
        }
        if dep_has_q[i]:
            rec["quality"] = float(dep_q[i])
        rec["dependence"] = float(dependence[i])
        rec["headcount"] = int(headcount[i])
        rec["cost"] = float(cost[i])
        departments_out.append(rec)
    ids = [d["id"] for d in departments_out]

    partners_out = []
    for p in range(n_par):
        rec = {"id": f"ptn-{p}", "name": f"{_PARTNERS[p % len(_PARTNERS)]} {p + 1}"}
        if p % 17 != 5:
            rec["quality"] = float(par_q[p])
        partners_out.append(rec)

    segments_out = []
    customers = np.maximum(1, rng.lognormal(7.0, 1.5, size=k)).astype(np.int64)
    spend = rng.uniform(20, 400, size=k)
    for s in range(k):
        kind = SEGMENT_KINDS[s % len(SEGMENT_KINDS)]
        names = _SEGMENTS[kind]
        base = names[(s // len(SEGMENT_KINDS)) % len(names)]
        region = _REGIONS[s % len(_REGIONS)]
        rec = {
            "id": f"seg-{s}",
            "name": f"{base} ({region}) {s + 1}",
            "kind": kind,
            "relationship": RELATIONSHIPS[(s // 2) % 2],
            "customers": int(customers[s]),
        }
        if s % 4 != 3:
            rec["revenue"] = float(round(customers[s] * spend[s], -2))
            rec["revenue_elasticity"] = float(round(0.2 + (s % 7) * 0.15, 2))
        if s % 3 == 0:
            rec["dependence"] = float(round(0.6 + (s % 4) * 0.1, 2))
            rec["baseline"] = float(round(3.0 + (s % 5) * 0.3, 1))
        segments_out.append(rec)

    services_out = []
    all_ids = ids + [p["id"] for p in partners_out]
    seg_ids = [s["id"] for s in segments_out]
    supplier_q = np.concatenate([np.where(dep_has_q, dep_q, 4.0), par_q])
    for sources, targets, offset, is_segment in (
        (ps_src, ps_tgt, n, False),
        (src, tgt, 0, False),
        (fs_src, fs_tgt, 0, True),
    ):
        count = sources.size
        q = np.round(np.clip(supplier_q[sources + offset] + rng.normal(-0.2, 0.4, count), 1, 5), 1)
        rated = rng.random(count) >= 0.03
        weight = rng.choice((1.0, 1.0, 1.0, 1.5, 2.0, 3.0), size=count)
        label = rng.integers(0, len(_SERVICES), size=count)
        for j in range(count):
            rec = {
                "from": all_ids[sources[j] + offset],
                "to": seg_ids[targets[j]] if is_segment else ids[targets[j]],
                "name": _SERVICES[label[j]],
            }
            if rated[j]:
                rec["quality"] = float(q[j])
            rec["weight"] = float(weight[j])
            services_out.append(rec)

    return {
        "name": name or f"Synthetic organisation ({n:,} departments, seed {seed})",
        "description": "A realistic synthetic organisation made by the servicechain generator.",
        "scale": {"min": 1, "max": 5},
        "departments": departments_out,
        "segments": segments_out,
        "partners": partners_out,
        "services": services_out,
    }


def _unique_pairs(src: np.ndarray, tgt: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop repeated ``(src, tgt)`` pairs, keeping the first of each in the original order."""
    code = src.astype(np.int64) * (n + 1) + tgt.astype(np.int64)
    _, first = np.unique(code, return_index=True)
    first.sort()
    return src[first], tgt[first]


def write_json(data: dict, path: str | os.PathLike) -> None:
    """Write a model as JSON, one record per line, atomically (fast for millions of records).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "org.json"
    >>> write_json(generate(50, segments=3), target)
    >>> json.loads(target.read_text(encoding="utf-8"))["departments"][0]["id"]
    'ops-0'
    """
    parts = ["{"]
    keys = list(data)
    for pos, key in enumerate(keys):
        value = data[key]
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        if isinstance(value, list) and value and text.count("}, {") == len(value) - 1:
            # One "}, {" per gap between flat records and none inside any text: split there.
            text = "[\n    " + text[1:-1].replace("}, {", "},\n    {") + "\n  ]"
        comma = "," if pos < len(keys) - 1 else ""
        parts.append(f"\n  {json.dumps(key)}: {text}{comma}")
    parts.append("\n}\n")
    write_atomic(path, "".join(parts))

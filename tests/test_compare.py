"""The diff of two model versions: matching records, and contributions that add up exactly."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import servicechain
from servicechain import Chain
from servicechain.compare import diff
from servicechain.compare.attribute import EXACT_MAX_GROUPS
from servicechain.flow import state_of

DATA = Path(__file__).resolve().parent / "data" / "compare"
MODELS = Path(__file__).resolve().parent.parent / "models"


def random_model(rng: np.random.Generator, unrated: float = 0.4) -> dict:
    """A small valid model with unrated services and loops (every department keeps an own
    contribution, so no closed loop)."""
    n_dep, n_seg = int(rng.integers(3, 9)), int(rng.integers(1, 4))
    deps = [
        {
            "id": f"d{i}",
            "name": f"Dept {i}",
            "quality": float(rng.uniform(1.5, 5)),
            "dependence": float(rng.uniform(0.1, 0.8)),
        }
        for i in range(n_dep)
    ]
    segs = [
        {
            "id": f"s{k}",
            "name": f"Segment {k}",
            "kind": "consumer",
            "relationship": "customer",
            "revenue": float(rng.integers(1, 100)) * 1000,
            "dependence": float(rng.uniform(0.5, 1.0)),
            "baseline": float(rng.uniform(1, 5)),
        }
        for k in range(n_seg)
    ]
    pairs = set()
    for _ in range(3 * n_dep):
        a, b = rng.integers(n_dep, size=2)
        if a != b:
            pairs.add((f"d{a}", f"d{b}"))
    for k in range(n_seg):
        for a in rng.choice(n_dep, size=min(n_dep, 2), replace=False):
            pairs.add((f"d{a}", f"s{k}"))
    services = []
    for a, b in sorted(pairs):
        s = {"from": a, "to": b, "name": f"{a} to {b}", "weight": float(rng.uniform(0.5, 3))}
        if rng.random() >= unrated:
            s["quality"] = float(rng.uniform(1, 5))
        services.append(s)
    return {
        "name": "Random",
        "scale": {"min": 1, "max": 5},
        "departments": deps,
        "segments": segs,
        "services": services,
    }


def perturb(data: dict, rng: np.random.Generator, count: int) -> dict:
    """``count`` random changes of every kind a diff attributes."""
    d = copy.deepcopy(data)
    deps, svcs, segs = d["departments"], d["services"], d["segments"]
    for _ in range(count):
        k = int(rng.integers(0, 9))
        if k == 0:
            svcs[rng.integers(len(svcs))]["quality"] = float(rng.uniform(1, 5))
        elif k == 1:
            deps[rng.integers(len(deps))]["quality"] = float(rng.uniform(1.5, 5))
        elif k == 2:
            svcs[rng.integers(len(svcs))]["weight"] = float(rng.uniform(0.5, 3))
        elif k == 3:
            deps[rng.integers(len(deps))]["dependence"] = float(rng.uniform(0.1, 0.8))
        elif k == 4 and len(svcs) > 2:
            svcs.pop(int(rng.integers(len(svcs))))
        elif k == 5:
            a, b = rng.integers(len(deps), size=2)
            ends = {(s["from"], s["to"]) for s in svcs}
            pair = (deps[a]["id"], deps[b]["id"])
            if a != b and pair not in ends:
                svcs.append({"from": pair[0], "to": pair[1], "name": "new", "weight": 1.0})
        elif k == 6:
            svcs[rng.integers(len(svcs))].pop("quality", None)
        elif k == 7:
            segs[rng.integers(len(segs))]["revenue"] = float(rng.integers(1, 100)) * 1000
        else:
            segs[rng.integers(len(segs))]["baseline"] = float(rng.uniform(1, 5))
    return d


def assert_adds_up(result, old: Chain, new: Chain) -> None:
    qo, qn = state_of(old).quality, state_of(new).quality
    for move in result.segments:
        before = qo[old.network.index[move.id]]
        after = qn[new.network.index[move.id]]
        assert move.before == pytest.approx(before, abs=1e-12)
        assert move.after == pytest.approx(after, abs=1e-12)
        assert abs(sum(c.amount for c in move.contributions) - move.change) < 1e-9
    if result.company is not None:
        total = sum(c.amount for c in result.company.contributions)
        assert abs(total - result.company.change) < 1e-9


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 10))
def test_contributions_add_up_on_random_pairs(seed: int, count: int) -> None:
    rng = np.random.default_rng(seed)
    data = random_model(rng)
    old, new = Chain.from_dict(data), Chain.from_dict(perturb(data, rng, count))
    assert_adds_up(diff(old, new), old, new)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_sampled_shapley_adds_up_and_is_seeded(seed: int) -> None:
    rng = np.random.default_rng(seed)
    data = random_model(rng, unrated=0.7)
    old, new = Chain.from_dict(data), Chain.from_dict(perturb(data, rng, 12))
    sampled = diff(old, new, exact_max=1, samples=6, seed=3)
    assert_adds_up(sampled, old, new)
    again = diff(old, new, exact_max=1, samples=6, seed=3)
    assert sampled.to_dict() == again.to_dict()


def _dense_gradient(chain: Chain) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``L a`` and ``L[:, target] r`` from a dense inverse (the test's own computation)."""
    net = chain.network
    unrated = np.isnan(net.rating)
    m = np.eye(net.n)
    for s in np.flatnonzero(unrated):
        m[net.target[s], net.source[s]] -= net.reliance[s]
    inv = np.linalg.inv(m)
    return inv * net.own_share[None, :], inv[:, net.target] * net.reliance[None, :], inv


def test_linear_inputs_equal_the_exact_formula() -> None:
    rng = np.random.default_rng(7)
    data = random_model(rng, unrated=0.5)
    new_data = copy.deepcopy(data)
    new_data["departments"][0]["quality"] = 2.0
    new_data["departments"][1]["quality"] = 4.9
    rated = [s for s in new_data["services"] if "quality" in s]
    rated[0]["quality"] = 1.5
    old, new = Chain.from_dict(data), Chain.from_dict(new_data)
    result = diff(old, new)
    d_own, d_rating, _ = _dense_gradient(old)  # structure unchanged: one gradient
    net = old.network
    for move in result.segments:
        k = net.index[move.id]
        expected = {}
        for i in (0, 1):
            delta = new.network.own[i] - net.own[i]
            expected[f"own {i}"] = d_own[k, i] * delta
        s = next(
            j
            for j in range(net.m)
            if net.ids[net.source[j]] == rated[0]["from"]
            and net.ids[net.target[j]] == rated[0]["to"]
        )
        expected["rating"] = d_rating[k, s] * (new.network.rating[s] - net.rating[s])
        got = {c.kind: c.amount for c in move.contributions if c.kind == "rating"}
        assert got.get("rating", 0.0) == pytest.approx(expected["rating"], abs=1e-12)
        owns = {c.id: c.amount for c in move.contributions if c.kind == "quality"}
        for i in (0, 1):
            assert owns.get(net.ids[i], 0.0) == pytest.approx(expected[f"own {i}"], abs=1e-12)
        assert sum(c.amount for c in move.contributions) == pytest.approx(move.change, abs=1e-12)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["departments"][0].update(quality=1.2),
        lambda d: d["services"][0].update(weight=9.0),
        lambda d: d["departments"][2].update(dependence=0.95),
        lambda d: d["services"].pop(0),
        lambda d: d["segments"][0].update(revenue=5.0),
    ],
    ids=["own quality", "weight", "dependence", "service removed", "segment value"],
)
def test_one_change_takes_the_whole_change(edit) -> None:
    rng = np.random.default_rng(11)
    data = random_model(rng, unrated=0.6)
    new_data = copy.deepcopy(data)
    edit(new_data)
    old, new = Chain.from_dict(data), Chain.from_dict(new_data)
    result = diff(old, new)
    assert len(result.items) == 1
    for move in [result.company, *result.segments]:
        if abs(move.change) > 1e-15:
            assert len(move.contributions) == 1
            assert move.contributions[0].amount == pytest.approx(move.change, abs=1e-12)
        assert all(abs(c.amount) < 1e-15 for c in move.contributions[1:])


SYMMETRIC = {
    "name": "Twins",
    "departments": [
        {"id": "a", "name": "A", "quality": 0.6, "dependence": 0.5},
        {"id": "b", "name": "B", "quality": 0.6, "dependence": 0.5},
        {"id": "up", "name": "Upstream", "quality": 0.9, "dependence": 0.0},
    ],
    "segments": [
        {"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"},
    ],
    "services": [
        {"from": "up", "to": "a", "quality": 0.7},
        {"from": "up", "to": "b", "quality": 0.7},
        {"from": "a", "to": "s"},
        {"from": "b", "to": "s"},
    ],
}


def test_identical_changes_get_equal_shares() -> None:
    new_data = copy.deepcopy(SYMMETRIC)
    new_data["departments"][0]["dependence"] = 0.1
    new_data["departments"][1]["dependence"] = 0.1
    result = diff(Chain.from_dict(SYMMETRIC), Chain.from_dict(new_data))
    move = result.segment("s")
    assert [c.id for c in move.contributions] == ["a", "b"]
    a, b = (c.amount for c in move.contributions)
    assert a == pytest.approx(b, abs=1e-15) and a != 0
    assert a + b == pytest.approx(move.change, abs=1e-12)


def test_a_change_that_moves_nothing_gets_zero() -> None:
    new_data = copy.deepcopy(SYMMETRIC)
    new_data["departments"][0]["dependence"] = 0.1
    # A's only supplier: its weight is shared by no other service, so changing it moves nothing.
    new_data["services"][0]["weight"] = 5.0
    new_data["departments"][2]["dependence"] = 0.7  # no suppliers: dependence has no effect
    result = diff(Chain.from_dict(SYMMETRIC), Chain.from_dict(new_data))
    move = result.segment("s")
    shares = {c.id: c.amount for c in move.contributions}
    assert shares.get("up", 0.0) == 0.0
    assert shares["a"] == pytest.approx(move.change, abs=1e-12)
    assert {i.kind for i in result.items} == {"dependence", "weight"}


def test_identical_files_give_an_empty_diff() -> None:
    one = servicechain.load(MODELS / "sapataria.yaml")
    two = servicechain.load(MODELS / "sapataria_q1.yaml")
    result = diff(one, two)
    assert result.empty and result.items == []
    assert all(m.contributions == [] and m.change == 0 for m in result.segments)
    assert result.company.change == 0


def test_records_added_removed_renamed_and_rerouted_are_named() -> None:
    result = servicechain.diff(DATA / "old.yaml", DATA / "new.yaml")
    found = [(i.kind, i.id, i.text) for i in result.items]
    assert found == [
        ("added", "entregas", "department Entregas (entregas) added"),
        ("removed", "limpeza", "department Limpeza (limpeza) removed"),
        ("renamed", "forno", "forno renamed: Forno → Forno e pastelaria"),
        (
            "service rerouted",
            "cafes",
            "Entregas da manhã (Entregas → Cafés): now from Entregas (was Forno e pastelaria)",
        ),
        ("service removed", "limpeza", "Limpeza do forno (Limpeza → Forno e pastelaria): removed"),
        (
            "service added",
            "entregas",
            "Fornadas para entrega (Forno e pastelaria → Entregas): added",
        ),
        ("service added", "cafes", "Encomendas ao balcão (Balcão → Cafés): added"),
    ]
    cafes = result.segment("cafes")
    assert [c.id for c in cafes.contributions] == ["cafes"]
    assert result.segment("bairro").contributions == []


def test_scales_may_differ() -> None:
    data = random_model(np.random.default_rng(3), unrated=0.3)
    ten = copy.deepcopy(data)
    ten["scale"] = {"min": 0, "max": 10}
    for rec in ten["departments"] + ten["services"]:
        if "quality" in rec:
            rec["quality"] = (rec["quality"] - 1) / 4 * 10
    for seg in ten["segments"]:
        seg["baseline"] = (seg["baseline"] - 1) / 4 * 10
    result = diff(Chain.from_dict(data), Chain.from_dict(ten))
    assert result.items == [] and not result.empty
    assert "The scale changed from 1..5 to 0..10" in result.text()
    assert result.to_dict()["scale_changed"] is True
    assert all(abs(m.change) < 1e-12 for m in result.segments)


def test_exact_limit_is_twelve_groups() -> None:
    assert EXACT_MAX_GROUPS == 12


def test_bundled_quarters_tell_the_story() -> None:
    result = servicechain.diff(MODELS / "sapataria_q1.yaml", MODELS / "sapataria_q2.yaml")
    online = result.segment("compradores_online")
    assert online.contributions[0].text.startswith("Entrega e devoluções")
    assert online.change > 0 and result.company.change > 0
    walk_in = result.segment("passagem")
    assert walk_in.contributions[0].text.startswith(
        "Aconselhamento e venda (Loja do Centro Colombo"
    )
    assert walk_in.contributions[0].amount < 0
    data = result.to_dict()
    assert data["method"]["exact"] is True
    assert {c["kind"] for c in data["changes"]} >= {
        "added",
        "removed",
        "renamed",
        "service rerouted",
    }


def test_segments_added_and_removed_still_add_up() -> None:
    rng = np.random.default_rng(5)
    data = random_model(rng, unrated=0.5)
    data["segments"].append(
        {
            "id": "gone",
            "name": "Gone",
            "kind": "business",
            "relationship": "client",
            "revenue": 40000.0,
        }
    )
    data["services"].append({"from": "d0", "to": "gone", "name": "old link", "quality": 2.0})
    new_data = copy.deepcopy(data)
    new_data["segments"] = [s for s in new_data["segments"] if s["id"] != "gone"]
    new_data["services"] = [s for s in new_data["services"] if s["to"] != "gone"]
    new_data["segments"].append(
        {
            "id": "fresh",
            "name": "Fresh",
            "kind": "nonprofit",
            "relationship": "client",
            "revenue": 90000.0,
        }
    )
    new_data["services"].append({"from": "d1", "to": "fresh", "name": "new link"})
    old, new = Chain.from_dict(data), Chain.from_dict(new_data)
    result = diff(old, new)
    kinds = [(i.kind, i.id) for i in result.items]
    assert ("added", "fresh") in kinds and ("removed", "gone") in kinds
    assert {m.id for m in result.segments}.isdisjoint({"fresh", "gone"})
    assert_adds_up(result, old, new)
    shares = {c.id: c.amount for c in result.company.contributions}
    assert set(shares) == {"fresh", "gone"}

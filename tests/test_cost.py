"""Cost to serve: published textbook cases to the cent, hand-worked cases, and the command."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import servicechain
from servicechain.cli import main
from servicechain.cost import CostError, allocate, compare_methods
from servicechain.cost.rounding import cents

DATA = Path(__file__).parent / "data" / "cost"
MODELS = Path(__file__).resolve().parent.parent / "models"


def _two_by_two(costs: dict, volumes: dict, *, segments: bool = False) -> servicechain.Chain:
    """Two support departments s1, s2 serving each other and two operating departments p1, p2
    (serving no one, or each one segment when ``segments``)."""
    names = {"s1": "Support 1", "s2": "Support 2", "p1": "Operating 1", "p2": "Operating 2"}
    services = [
        {"from": source, "to": target, "volume": volume}
        for (source, target), volume in volumes.items()
    ]
    data = {
        "name": "Textbook",
        "departments": [{"id": i, "name": n, "cost": costs[i]} for i, n in names.items()],
    }
    if segments:
        data["segments"] = [
            {"id": f"c{i}", "name": f"Customers {i}", "kind": "business", "relationship": "client"}
            for i in (1, 2)
        ]
        services += [{"from": "p1", "to": "c1"}, {"from": "p2", "to": "c2"}]
    data["services"] = services
    return servicechain.Chain.from_dict(data)


def _cent(value) -> int:
    """A rational amount rounded to the cent (half up), in cents."""
    return round(F(value) * 100)


# --- Horngren, Datar and Rajan: Robinson Company ----------------------------------------------

#: Cost Accounting: A Managerial Emphasis, 14th edition (Pearson, 2012), chapter 15, Robinson
#: Company: exhibit 15-3 (direct), 15-4 (step-down, plant maintenance first), 15-5 (reciprocal).
#: The book prints whole dollars; the exact amounts below are worked by hand (fractions).
ROBINSON_PUBLISHED = {
    "direct": {"machining": 9_700_667, "assembly": 4_051_333},
    "step-down": {"machining": 9_938_667, "assembly": 3_813_333},
    "reciprocal": {"machining": 9_896_849, "assembly": 3_855_151},
}
ROBINSON_RECIPROCATED = {"maintenance": 6_576_735, "systems": 2_767_347}


def _robinson_exact() -> dict:
    pm, is_, mach, asm = F(6_300_000), F(1_452_000), F(4_000_000), F(2_000_000)
    # direct: maintenance 7,000 : 3,000 labour-hours; systems 4,000 : 500 computer hours
    direct = {
        "machining": mach + pm * F(7000, 10000) + is_ * F(4000, 4500),
        "assembly": asm + pm * F(3000, 10000) + is_ * F(500, 4500),
    }
    # step-down, maintenance first: 2,500 / 7,000 / 3,000 of 12,500 hours
    systems = is_ + pm * F(2500, 12500)
    step = {
        "machining": mach + pm * F(7000, 12500) + systems * F(4000, 4500),
        "assembly": asm + pm * F(3000, 12500) + systems * F(500, 4500),
    }
    # reciprocal: PM = 6,300,000 + 0.1 IS; IS = 1,452,000 + 0.2 PM
    pm_total = (pm + F(1, 10) * is_) / (1 - F(1, 10) * F(1, 5))
    is_total = is_ + F(1, 5) * pm_total
    recip = {
        "machining": mach + F(56, 100) * pm_total + F(8, 10) * is_total,
        "assembly": asm + F(24, 100) * pm_total + F(1, 10) * is_total,
        "maintenance": pm_total,
        "systems": is_total,
    }
    return {"direct": direct, "step-down": step, "reciprocal": recip}


@pytest.mark.parametrize("method", ["direct", "step-down", "reciprocal"])
def test_horngren_robinson_company_to_the_cent(method):
    chain = servicechain.load(DATA / "robinson.yaml")
    result = allocate(chain, method=method)
    exact = _robinson_exact()[method]
    for dept, published in ROBINSON_PUBLISHED[method].items():
        total = result.total_of(dept)
        assert round(total * 100) == _cent(exact[dept])
        assert round(total) == published
    if method == "reciprocal":
        for dept, published in ROBINSON_RECIPROCATED.items():
            assert round(result.total_of(dept) * 100) == _cent(exact[dept])
            assert round(result.total_of(dept)) == published
    # every dollar of the four departments ends in machining and assembly
    assert result.total_kept == pytest.approx(13_752_000, rel=1e-12)


def test_horngren_step_down_order_is_printed_and_default():
    chain = servicechain.load(DATA / "robinson.yaml")
    result = allocate(chain, method="step-down")
    assert result.order == ["maintenance", "systems"]
    assert "Step-down order: Plant maintenance → Information systems" in str(result)
    # the other order gives other numbers, worked by hand: systems first
    other = allocate(chain, method="step-down", order=["systems"])
    maintenance = F(6_300_000) + F(1_452_000) * F(500, 5000)
    machining = 4_000_000 + F(1_452_000) * F(4000, 5000) + maintenance * F(7000, 10000)
    assert round(other.total_of("machining") * 100) == _cent(machining)


# --- more published two-by-two problems ---------------------------------------------------------
# Each problem's data and its published answer (whole dollars, as printed) are checked, and every
# amount the source does not print is worked by hand in fractions and checked to the cent.


def _carried(result, supplier: str, customer: str) -> float:
    """The cost the service ``supplier -> customer`` carries in ``result``."""
    s, t = result.ids.index(supplier), result.ids.index(customer)
    (k,) = np.flatnonzero((result.source == s) & (result.target == t))
    return float(result.amount[k])


def _check(chain, method, expected, *, order=None, published=None):
    """Totals by ``method`` equal ``expected`` (exact fractions) to the cent and the
    ``published`` whole-dollar amounts (``(supplier, customer)`` services or departments)."""
    result = allocate(chain, method=method, order=order)
    for dept, exact in expected.items():
        assert round(result.total_of(dept) * 100) == _cent(exact), (method, dept)
    for key, printed in (published or {}).items():
        shown = _carried(result, *key) if isinstance(key, tuple) else result.total_of(key)
        assert round(shown) == printed, (method, key)
    direct = sum(d.cost or 0 for d in chain.model.departments)
    assert result.total_kept == pytest.approx(direct, rel=1e-12)
    return result


def test_lumen_managerial_accounting_maintenance_and_administration():
    """Lumen Learning, *Managerial Accounting* (SUNY), chapters "Direct Method of Allocation",
    "Step Method of Allocation" and "Reciprocal Method of Allocation"
    (https://courses.lumenlearning.com/suny-managacct/chapter/reciprocal-method-of-allocation/).
    Maintenance 8,000 by machine-hours (administration 2,000, department 1 1,500, department 2
    2,500), administration 4,000 by employees (maintenance 100, department 1 250, department 2
    150); departments 1 and 2 carry 32,000 and 36,000. Printed: direct rates $2 per machine-hour
    and $10 per employee; step method, maintenance first, 2,667 to administration, 2,000 and
    3,333 to departments 1 and 2. The reciprocal amounts are worked by hand."""
    volumes = {
        ("s1", "s2"): 2000, ("s1", "p1"): 1500, ("s1", "p2"): 2500,
        ("s2", "s1"): 100, ("s2", "p1"): 250, ("s2", "p2"): 150,
    }  # fmt: skip
    chain = _two_by_two({"s1": 8000, "s2": 4000, "p1": 32_000, "p2": 36_000}, volumes)
    _check(
        chain,
        "direct",
        {"p1": 32_000 + 1500 * 2 + 250 * 10, "p2": 36_000 + 2500 * 2 + 150 * 10},
        published={("s1", "p1"): 3000, ("s1", "p2"): 5000, ("s2", "p1"): 2500},
    )
    admin = 4000 + F(8000 * 2000, 6000)
    _check(
        chain,
        "step-down",
        {"s2": admin, "p1": 32_000 + 2000 + admin * F(250, 400)},
        order=["s1", "s2"],
        published={("s1", "s2"): 2667, ("s1", "p1"): 2000, ("s1", "p2"): 3333},
    )
    # reciprocal: M = 8,000 + A/5 and A = 4,000 + M/3 give M = 8,800 * 15/14
    m = F(8800 * 15, 14)
    a = 4000 + m / 3
    _check(
        chain,
        "reciprocal",
        {"s1": m, "s2": a, "p1": 32_000 + m / 4 + a / 2, "p2": 36_000 + m * 5 / 12 + a * 3 / 10},
    )


def test_university_printers_direct_and_step_down():
    """Lanen, Anderson and Maher, *Fundamentals of Cost Accounting*, exercises "Cost Allocation:
    Direct Method" and "Cost Allocation: Step Method" (University Printers: maintenance by
    machine-hours, personnel by labour-hours, printing and developing), in two of their
    published number sets. Direct: maintenance 5,000 (personnel 1,000, printing 1,000,
    developing 3,000 machine-hours), personnel 12,000 (maintenance 500, printing 500, developing
    2,000 labour-hours); printed: 1,250 and 3,750 of maintenance, 2,400 and 9,600 of personnel.
    Step, maintenance first: maintenance 4,800 (1,500 / 1,500 / 4,500), personnel 14,800 (500 /
    500 / 3,500), printing 16,000, developing 13,300; printed totals 18,930 and 29,970."""
    direct_set = _two_by_two(
        {"s1": 5000, "s2": 12_000, "p1": 15_000, "p2": 10_000},
        {
            ("s1", "s2"): 1000, ("s1", "p1"): 1000, ("s1", "p2"): 3000,
            ("s2", "s1"): 500, ("s2", "p1"): 500, ("s2", "p2"): 2000,
        },
    )  # fmt: skip
    _check(
        direct_set,
        "direct",
        {"p1": 15_000 + 1250 + 2400, "p2": 10_000 + 3750 + 9600},
        published={("s1", "p1"): 1250, ("s1", "p2"): 3750, ("s2", "p1"): 2400, ("s2", "p2"): 9600},
    )
    step_set = _two_by_two(
        {"s1": 4800, "s2": 14_800, "p1": 16_000, "p2": 13_300},
        {
            ("s1", "s2"): 1500, ("s1", "p1"): 1500, ("s1", "p2"): 4500,
            ("s2", "s1"): 500, ("s2", "p1"): 500, ("s2", "p2"): 3500,
        },
    )  # fmt: skip
    personnel = 14_800 + F(4800, 5)
    _check(
        step_set,
        "step-down",
        {
            "s2": personnel,
            "p1": 16_000 + 960 + personnel / 8,
            "p2": 13_300 + 2880 + personnel * 7 / 8,
        },
        order=["s1", "s2"],
        published={"p1": 18_930, "p2": 29_970, ("s1", "s2"): 960, ("s2", "p1"): 1970},
    )
    # the reciprocal method on the step set, by hand: M = 4,800 + P/9, P = 14,800 + M/5
    m = (4800 + F(14_800, 9)) / (1 - F(1, 45))
    p = 14_800 + m / 5
    _check(step_set, "reciprocal", {"s1": m, "s2": p, "p1": 16_000 + m / 5 + p / 9})


def test_delivery_company_reciprocal():
    """The reciprocal example of a management-accounting course text (administration and
    maintenance serving each other and two delivery services; Course Hero file 9099863):
    administration 1,200, maintenance 2,400 by square footage (administration 1,000 of 5,000,
    two-day 1,000, next-day 3,000), administration by hours (maintenance 100 of 600, two-day
    100, next-day 400), two-day delivery 1,500, next-day delivery 4,000. Printed: A = 1,738,
    M = 2,690, two-day 2,328, next-day 6,772 (538 + 290 and 1,614 + 1,158 allocated)."""
    chain = _two_by_two(
        {"s1": 1200, "s2": 2400, "p1": 1500, "p2": 4000},
        {
            ("s1", "s2"): 100, ("s1", "p1"): 100, ("s1", "p2"): 400,
            ("s2", "s1"): 1000, ("s2", "p1"): 1000, ("s2", "p2"): 3000,
        },
    )  # fmt: skip
    a = F(1680 * 30, 29)
    m = 2400 + a / 6
    _check(
        chain,
        "reciprocal",
        {"s1": a, "s2": m, "p1": 1500 + m / 5 + a / 6, "p2": 4000 + m * 3 / 5 + a * 4 / 6},
        published={
            "s1": 1738, "s2": 2690, "p1": 2328, "p2": 6772,
            ("s2", "p1"): 538, ("s1", "p1"): 290, ("s2", "p2"): 1614,
        },
    )  # fmt: skip
    # the notes print 1,158 for administration to next-day delivery so that its row adds up to
    # 6,772; the exact amount is 1,158.62 (4/6 of 1,737.93), which rounds to 1,159
    carried = _carried(allocate(chain), "s1", "p2")
    assert _cent(carried) == _cent(a * 4 / 6) == 115_862
    # direct and step-down (administration first), by hand
    _check(chain, "direct", {"p1": 1500 + 1200 / 5 + 2400 / 4, "p2": 4000 + 1200 * 4 / 5 + 1800})
    m_step = 2400 + F(1200, 6)
    _check(
        chain,
        "step-down",
        {"s2": m_step, "p1": 1500 + 200 + m_step / 4, "p2": 4000 + 800 + m_step * 3 / 4},
        order=["s1", "s2"],
    )


# --- hand-worked three-department case ----------------------------------------------------------


def test_small_model_by_hand():
    """IT (120) and HR (60) serve each other and two front-line departments. By hand:
    IT = 120 + HR/3, HR = 60 + IT/4, so IT = 140 * 12/11; the shop floor takes a quarter of IT
    and a third of HR on top of its 200, the web shop half of IT and a third of HR on its 100."""
    chain = servicechain.load(DATA / "small.yaml")
    result = allocate(chain)
    it = F(140 * 12, 11)
    hr = 60 + it / 4
    shop, web = 200 + it / 4 + hr / 3, 100 + it / 2 + hr / 3
    assert round(result.total_of("it") * 100) == _cent(it)
    assert round(result.total_of("hr") * 100) == _cent(hr)
    assert round(result.cost_to_serve("walkin") * 100) == _cent(shop)
    assert round(result.cost_to_serve("online") * 100) == _cent(web)
    data = result.to_dict()
    walkin = data["segments"][0]
    assert walkin["per_customer"] == pytest.approx(float(shop / 400))
    assert walkin["margin"] == pytest.approx(float(1000 - shop))
    assert walkin["satisfaction"] == pytest.approx(4.4)
    it_price = {s["to"]: s["price_per_unit"] for s in data["services"] if s["from"] == "it"}
    assert it_price == pytest.approx(
        {"hr": float(it / 4), "shop": float(it / 4), "web": float(it / 4)}
    )
    direct = allocate(chain, method="direct")  # IT and HR straight to the front line
    assert direct.cost_to_serve("walkin") == pytest.approx(200 + 40 + 30)
    assert direct.cost_to_serve("online") == pytest.approx(100 + 80 + 30)


# --- rounding -----------------------------------------------------------------------------------


def test_largest_remainder_keeps_sums_and_each_within_a_cent():
    values = [6_576_734.693877551, 2_767_346.93877551, 9_896_848.979591837, 3_855_151.0204081633]
    rounded = cents(values)
    assert sum(rounded) == round(sum(values) * 100)
    assert all(abs(r - v * 100) < 1 for r, v in zip(rounded, values, strict=True))
    assert cents([1 / 3] * 3, 1.0) == [34, 33, 33]


def test_text_columns_add_up_exactly():
    """A cost of 100 shared by three segments shows 33.34 + 33.33 + 33.33 = 100.00."""
    chain = servicechain.Chain.from_dict(
        {
            "name": "Thirds",
            "departments": [{"id": "d", "name": "Desk", "cost": 100}],
            "segments": [
                {"id": s, "name": s.upper(), "kind": "consumer", "relationship": "customer"}
                for s in ("a", "b", "c")
            ],
            "services": [{"from": "d", "to": s} for s in ("a", "b", "c")],
        }
    )
    lines = str(allocate(chain)).split("\n\n")[2].splitlines()
    assert [line.split()[-1] for line in lines[1:]] == ["33.34", "33.33", "33.33", "100.00"]


# --- errors -------------------------------------------------------------------------------------


def test_no_costs_is_a_clean_error():
    chain = servicechain.load(MODELS / "airline.yaml")
    with pytest.raises(CostError, match="no department has a cost"):
        allocate(chain)


def test_direct_refused_where_support_serves_only_support():
    chain = servicechain.load(MODELS / "consulting.yaml")
    with pytest.raises(CostError, match="'people' serves only other support departments"):
        allocate(chain, method="direct")
    both = compare_methods(chain)
    assert [r.method for r in both.results] == ["reciprocal", "step-down"]
    assert "Not shown: direct" in str(both)


def test_bad_step_down_order():
    chain = servicechain.load(DATA / "robinson.yaml")
    with pytest.raises(CostError, match="named twice"):
        allocate(chain, method="step-down", order=["systems", "systems"])
    with pytest.raises(KeyError, match="did you mean 'systems'"):
        allocate(chain, method="step-down", order=["sytems"])


# --- the command --------------------------------------------------------------------------------


@pytest.fixture
def runner():
    return CliRunner()


def test_cli_cost_text(runner):
    result = runner.invoke(main, ["cost", str(DATA / "small.yaml")], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.splitlines()[:8] == [
        "Cost to serve: Demo Shop, reciprocal method (amounts in EUR)",
        "",
        "Department  Direct cost  Received  Passed on  Total cost",
        "IT               120.00     32.73     152.73      152.73",
        "HR                60.00     38.18      98.18       98.18",
        "Shop floor       200.00     70.91     270.91      270.91",
        "Web shop         100.00    109.09     209.09      209.09",
        "Sum              480.00    250.91     730.91      730.91",
    ]
    assert "Walk-in shoppers          4.40         270.91        400" in result.output


def test_cli_cost_json_parses_and_adds_up(runner):
    result = runner.invoke(
        main, ["cost", str(MODELS / "hospital.yaml"), "--json"], catch_exceptions=False
    )
    data = json.loads(result.output)
    assert data["method"] == "reciprocal" and data["currency"] == "EUR"
    total = sum(s["cost_to_serve"] for s in data["segments"]) + data["kept"]
    assert total == pytest.approx(data["total_direct"], rel=1e-9)


def test_cli_cost_all_json(runner):
    result = runner.invoke(main, ["cost", str(DATA / "robinson.yaml"), "--method", "all", "--json"])
    data = json.loads(result.output)
    assert sorted(data["methods"]) == ["direct", "reciprocal", "step-down"]
    assert data["unavailable"] == {}


def test_cli_cost_errors(runner):
    result = runner.invoke(main, ["cost", str(MODELS / "airline.yaml")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no department has a cost: add `cost: AMOUNT`")
    result = runner.invoke(main, ["cost", str(DATA / "robinson.yaml"), "--order", "systems"])
    assert result.exit_code == 2
    assert "--order applies to --method step-down (or all)" in result.output
    result = runner.invoke(
        main, ["cost", str(DATA / "robinson.yaml"), "--method", "step-down", "--order", "x,,y"]
    )
    assert result.exit_code == 2
    assert "'x,,y' is not a list of department ids" in result.output
    result = runner.invoke(
        main, ["cost", str(DATA / "robinson.yaml"), "--method", "step-down", "--order", "sytems"]
    )
    assert result.exit_code == 2
    assert "no department has the id 'sytems'; did you mean 'systems'?" in result.output


@pytest.mark.parametrize(
    ("services", "message"),
    [
        (
            [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}],
            "departments[0]: closed cost loop: departments 'a', 'b' pass their costs only to "
            "each other (give one of them a service with a volume above 0 to a segment or to a "
            "department outside the loop)",
        ),
        (
            [{"from": "a", "to": "b", "volume": 0}, {"from": "b", "to": "s"}],
            "departments[0].cost: 'a' has a cost but every service it supplies has volume 0, so "
            "its cost would reach no one (give at least one of its services a volume above 0)",
        ),
        (
            [
                {"from": "a", "to": "b", "volume": 2, "unit": "hours"},
                {"from": "a", "to": "s", "volume": 1, "unit": "tickets"},
                {"from": "b", "to": "s"},
            ],
            "services[0].unit: the services of 'a' count their volumes in different units "
            "('hours', 'tickets') ('a''s cost is shared by volume: give all its services one unit)",
        ),
        (
            [
                {"from": "a", "to": "b", "volume": 2},
                {"from": "a", "to": "s"},
                {"from": "b", "to": "s"},
            ],
            "services[1].volume: no volume, while other services of 'a' give one (give every "
            "service of 'a' a volume in the same unit: its cost is shared by volume)",
        ),
    ],
)
def test_costs_that_cannot_be_allocated_are_named(services, message):
    """``validate`` refuses them (and so does the cost allocation, for a model built without
    validation)."""
    data = {
        "name": "x",
        "departments": [{"id": "a", "name": "A", "cost": 10}, {"id": "b", "name": "B"}],
        "segments": [{"id": "s", "name": "S", "kind": "consumer", "relationship": "customer"}],
        "services": services,
    }
    with pytest.raises(servicechain.ModelError) as info:
        servicechain.Chain.from_dict(data)
    assert [str(p) for p in info.value.problems] == [f"<model>: {message}"]
    unchecked = servicechain.Chain(servicechain.Model.model_validate(data), checked=True)
    with pytest.raises(CostError) as info:
        allocate(unchecked)
    assert str(info.value) == message


def test_validate_names_a_closed_cost_loop_in_yaml_and_json(runner, tmp_path):
    path = Path(__file__).parent / "data" / "bad" / "closed_cost_loop.yaml"
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        f"{path}:6:5: departments[1]: closed cost loop: departments 'finance', 'payroll' pass "
        "their costs only to each other (give one of them a service with a volume above 0 to a "
        "segment or to a department outside the loop)\n1 problem found.\n"
    )
    import yaml

    from servicechain.io.fastjson import parse_fast

    text = json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert parse_fast(text) is None  # the fast path steps aside: the loader names the loop
    json_path = tmp_path / "loop.json"
    json_path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(json_path)])
    assert result.exit_code == 1
    assert "closed cost loop: departments 'finance', 'payroll'" in result.output


def test_fast_path_reads_the_same_costs(tmp_path):
    """The JSON fast path and the YAML loader give the same cost arrays and allocation."""
    import yaml

    source = MODELS / "hospital.yaml"
    json_path = tmp_path / "hospital.json"
    json_path.write_text(json.dumps(yaml.safe_load(source.read_text(encoding="utf-8"))))
    slow, fast = servicechain.load(source), servicechain.load(json_path)
    assert fast._model is None  # read by the fast path
    for name in ("direct", "volume", "volume_given", "revenue", "customers"):
        np.testing.assert_array_equal(getattr(fast.costs, name), getattr(slow.costs, name))
    assert (fast.costs.units, fast.costs.currency) == (slow.costs.units, "EUR")
    assert allocate(fast).to_dict() == allocate(slow).to_dict()


def test_report_shows_cost_to_serve_beside_satisfaction():
    from servicechain.report import build_document
    from servicechain.report.html import render_html

    doc = build_document(servicechain.load(MODELS / "hospital.yaml"))
    section = next(s for s in doc.sections if s.anchor == "cost")
    segments, departments = (b for b in section.blocks if hasattr(b, "rows"))
    assert segments.columns[:3] == ["Segment", "Satisfaction", "Cost to serve (EUR)"]
    gps = next(row for row in segments.rows if row[0] == "Referring GPs")
    assert gps[1] == pytest.approx(5.98, abs=0.005)
    assert gps[2] == pytest.approx(8_413_449.68, abs=0.005)
    shown = [row[2] for row in segments.rows[:-1]]
    assert round(sum(shown), 2) == segments.rows[-1][2] == 178_350_000.00
    assert [row[0] for row in departments.rows][:2] == [
        "Emergency department",
        "Surgery and theatres",
    ]
    page = render_html(doc)
    assert 'id="cost"' in page and "8,413,449.68" in page
    # no costs, no section
    plain = build_document(servicechain.load(MODELS / "airline.yaml"))
    assert "cost" not in [s.anchor for s in plain.sections]


def test_result_shows_itself_in_a_notebook():
    result = servicechain.load(DATA / "small.yaml").cost()
    bundle = result._repr_mimebundle_()
    assert bundle["text/plain"] == str(result)
    assert "<caption>segments</caption>" in bundle["text/html"]
    assert "Walk-in shoppers" in bundle["text/html"]
    assert repr(result).startswith("Cost to serve: Demo Shop, reciprocal method (amounts in EUR)")


def test_rank_by_gain_per_cost_is_certified_exact():
    """The top rows by gain per cost are those a brute force over every exact gain finds."""
    chain = servicechain.load(MODELS / "hospital.yaml")
    allocated = allocate(chain)
    everything = chain.rank(by="gain", exact=10_000)
    gains = {row.node: row.gain for row in everything.departments}
    totals = {i: allocated.total_of(i) for i in gains if i in allocated.ids[:18]}
    brute = sorted(totals, key=lambda i: -gains[i] / totals[i])
    ranked = chain.rank(by="gain-per-cost", top=5)
    assert [row.node for row in ranked.departments[:5]] == brute[:5]
    first = ranked.departments[0]
    assert first.gain == pytest.approx(gains[first.node], abs=1e-12)
    assert first.cost == pytest.approx(totals[first.node])
    data = ranked.to_dict()["departments"][0]
    assert data["gain_points_per_million"] == pytest.approx(first.gain * 10 / first.cost * 1e6)


def test_cli_rank_by_gain_per_cost(runner):
    result = runner.invoke(
        main,
        ["rank", str(MODELS / "hospital.yaml"), "--by", "gain-per-cost", "--top", "3"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "cost  gain per 1M" in lines[2]
    assert lines[3].split()[:2] == ["1.", "discharge"]
    result = runner.invoke(main, ["rank", str(MODELS / "airline.yaml"), "--by", "gain-per-cost"])
    assert result.exit_code == 1
    assert "no department has a cost" in result.output

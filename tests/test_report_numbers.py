"""Every number the report shows agrees with the command line's JSON for the same model, at the
rounding the report shows it: header facts and the glance (``summary``, ``score``), segments and
their gap tracing (``score``, ``explain``), priorities with their quadrant splits (``rank``,
``impact --set``), cost to serve (``cost``), what-if scenarios (``impact --scenario``), gateways
and loops (``analyze``, the loops' gains from ``score``'s delivered qualities and the model's
reliances), the departments (the model file, ``score``); and every number of the executive
summary is shown again in the section it summarises.

The page is read back with a real HTML parser (:mod:`tests.report_html`); the JSON is what the
command prints; the model file is read with a YAML parser.
"""

from __future__ import annotations

import json
import math
import re

import pytest
import yaml
from click.testing import CliRunner

import servicechain
from servicechain.cli import main
from servicechain.report import html_report
from servicechain.report.labels import anchor, money, score_format

from .conftest import MODELS
from .report_html import Page, PageTable, read_page
from .report_shared import DAY, shared_report

STORIES = ["airline", "consulting", "elettronica", "flowershop", "hospital", "sapataria"]
SCENARIOS = MODELS / "scenarios" / "sapataria.yaml"
#: The report with what-if scenarios: the sapataria model and its scenario file.
WHATIF = "sapataria+scenarios"
#: Rows of each priorities table whose revenue is checked against ``impact --set`` (one
#: command each).
REVENUE_ROWS = 4
#: Mark of a row ranked above its quadrant (see ``servicechain.flow.rank.MARK``).
MARKS = "*†‡"


class Story:
    """One bundled model: its file, its report as read back, and the CLI's JSON (cached)."""

    def __init__(self, name: str, page: Page, chain):
        self.name = name
        self.path = MODELS / f"{name.split('+')[0]}.yaml"
        self.page = page
        self.chain = chain
        self.fmt = score_format(chain)
        self.model = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        self._runner = CliRunner()
        self._cache: dict[tuple, dict] = {}

    def json(self, *args: str) -> dict:
        """``servicechain COMMAND MODEL ARGS --json``, parsed."""
        key = args
        if key not in self._cache:
            command, *rest = args
            result = self._runner.invoke(
                main, [command, str(self.path), *rest, "--json"], catch_exceptions=False
            )
            assert result.exit_code == 0, result.output
            self._cache[key] = json.loads(result.stdout)
        return self._cache[key]

    @property
    def names(self) -> dict[str, str]:
        """Every node's name by id, from ``score --json``."""
        return {n["id"]: n["name"] for n in self.json("score")["nodes"]}


def _read(factory, name: str) -> Story:
    chain = servicechain.load(MODELS / f"{name.split('+')[0]}.yaml")
    if name == WHATIF:
        page = html_report(chain, scenarios=SCENARIOS, today=DAY)
    else:
        page = shared_report(factory, MODELS / f"{name}.yaml").read_text(encoding="utf-8")
    return Story(name, read_page(page), chain)


@pytest.fixture(scope="module", params=STORIES)
def story(request, tmp_path_factory) -> Story:
    return _read(tmp_path_factory, request.param)


@pytest.fixture(scope="module")
def whatif(tmp_path_factory) -> Story:
    return _read(tmp_path_factory, WHATIF)


def shown(value: float, spec: str) -> str:
    """``value`` as the report prints it with ``spec`` (a rounded zero has no sign)."""
    text = format(value, spec)
    return text.lstrip("+-") if re.fullmatch(r"[-+]?[0.,]+%?", text) else text


def amount(cell: str) -> float:
    """A money cell as a number."""
    return float(cell.replace(",", ""))


def _row(table: PageTable, first: str) -> list[str]:
    rows = [r for r in table.rows if r[0] == first]
    assert len(rows) == 1, (first, table.head)
    return rows[0]


# --- header, glance, segments -------------------------------------------------------------


def test_header_facts_and_glance_match_summary_and_score_json(story):
    page, fmt = story.page, story.fmt
    summary, scores = story.json("summary"), story.json("score")
    for kind, count in summary["counts"].items():
        assert page.facts[kind.capitalize()] == f"{count:,}"
    assert page.facts["Customer quality"] == shown(scores["company"]["score"], fmt)
    kinds = page.table("Segment kind")
    assert [r[0] for r in kinds.rows] == list(summary["segments"])
    for row in kinds.rows:
        rels = summary["segments"][row[0]]
        expected = [rels.get("customer", 0), rels.get("client", 0), sum(rels.values())]
        assert row[1:] == [f"{n:,}" for n in expected]
    if summary["groups"]:
        groups = page.table("Group", "Departments")
        assert {r[0]: r[1] for r in groups.rows} == {
            g: f"{n:,}" for g, n in summary["groups"].items()
        }
    assumed = len(summary["assumptions"])
    if assumed:
        assert (
            f"{assumed} score{'s' if assumed != 1 else ''} the model does not give"
            in (page.text["glance"])
        )


def test_segment_table_and_company_line_match_score_and_explain_json(story):
    page, fmt = story.page, story.fmt
    scores = story.json("score")
    table = page.table("Segment", "Kind", "Relationship")
    records = {s["name"]: s for s in story.model["segments"]}
    assert [r[0] for r in table.rows] == list(records)
    for row in table.rows:
        record = records[row[0]]
        gap = story.json("explain", record["id"])
        assert row[1:3] == [record["kind"], record["relationship"]]
        customers, revenue = record.get("customers"), record.get("revenue")
        assert row[3] == ("" if customers is None else f"{customers:,}")
        assert row[4] == ("" if revenue is None else shown(revenue, ",.0f"))
        assert row[5] == shown(gap["score"], fmt)
        assert row[6] == shown(gap["gap_points"], fmt)
    company = shown(scores["company"]["score"], fmt)
    assert f"the company as a whole scores {company}." in page.text["segments"]


def test_each_segment_section_matches_explain_json(story):
    page, fmt = story.page, story.fmt
    lo, hi = story.model.get("scale", {}).get("min", 0), story.model.get("scale", {}).get("max", 1)
    for record in story.model["segments"]:
        gap = story.json("explain", record["id"])
        section = f"segment-{anchor(record['id'])}"
        text = page.text[section]
        assert (
            f"Satisfaction {shown(gap['score'], fmt)} on {lo:g}..{hi:g}; gap to a perfect "
            f"{hi:g}: {shown(gap['gap_points'], fmt)} points." in text
        )
        (table,) = page.tables_in(section)
        terms = gap["terms"]
        for row, term in zip(table.rows, terms, strict=False):
            if row[1] == "together":  # the remainder row
                break
            assert row[2] == shown(-term["points"], fmt)
            assert row[3] == shown(term["share_of_gap"], ".0%")
        if table.rows[-1][1] == "together":
            rest = terms[len(table.rows) - 1 :]
            assert table.rows[-1][2] == shown(-sum(t["points"] for t in rest), fmt)
            share = sum(t["points"] for t in rest) / gap["gap_points"]
            assert table.rows[-1][3] == shown(share, ".0%")


# --- priorities ---------------------------------------------------------------------------


def _item(story: Story, node) -> str:
    names = story.names
    if isinstance(node, str):
        return names[node]
    return f"{names[node[0]]} → {names[node[1]]}"


def _check_priorities(story: Story, table: PageTable, rows: list[dict], top: int | None) -> None:
    fmt, currency = story.fmt, story.chain.model.currency
    head = table.head
    money_col = next((c for c, h in enumerate(head) if h.startswith("Revenue if perfect")), None)
    if money_col is not None and currency:
        assert head[money_col] == f"Revenue if perfect ({currency})"
    assert len(table.rows) == (len(rows) if top is None else min(top, len(rows)))
    for n, (row, data) in enumerate(zip(table.rows, rows, strict=False), 1):
        cells = dict(zip(head, row, strict=True))
        assert cells["Rank"] == str(n)
        name = row[1]
        item = _item(story, data["node"])
        assert name == item or name.startswith(f"{item} ("), (name, item)
        assert cells["Importance"] == shown(data["importance"], ".3f")
        assert cells["Score"] == shown(data["score"], fmt)
        assert cells["Gain if perfect"] == shown(data["gain_points"], fmt)
        assert cells["If it failed"] == shown(data["failure_points"], fmt)
        assert cells["Quadrant"].rstrip(MARKS) == (data["quadrant"] or "no effect")
        if money_col is not None and n <= REVENUE_ROWS:
            node = data["node"] if isinstance(data["node"], str) else "->".join(data["node"])
            top_score = f"{story.model['scale']['max']:g}"
            out = story.json("impact", "--set", f"{node}={top_score}")
            assert row[money_col] == shown(out["company"]["revenue_change"], "+,.0f")


def test_priorities_tables_match_rank_json_column_by_column(story):
    ranked = story.json("rank")
    departments = story.page.table("Rank", "Department or partner")
    services = story.page.table("Rank", "Service")
    _check_priorities(story, departments, ranked["departments"], None)
    shown_services = len(services.rows)
    _check_priorities(story, services, ranked["services"], shown_services)
    total = len(ranked["services"])
    if total > shown_services:
        assert services.caption.endswith(f"(the first {shown_services} of {total})")


def test_quadrant_splits_match_rank_json(story):
    ranked = story.json("rank")
    text = story.page.text["priorities"]
    for kind in ("departments", "services"):
        split = ranked["quadrant_split"][kind]
        said = (
            f"Quadrants split at importance {split['importance']:.3f} and score "
            f"{shown(split['score'], story.fmt)} (means over the {split['items']} of "
            f"{split['total']} with an effect)."
        )
        assert said in text, said


# --- cost to serve ------------------------------------------------------------------------


def test_cost_tables_match_cost_json(story):
    if not any("cost" in d for d in story.model["departments"]):
        assert "cost" not in story.page.text
        return
    costs, scores = story.json("cost"), story.json("score")
    fmt, currency = story.fmt, f" ({costs['currency']})" if costs["currency"] else ""
    delivered = {n["name"]: n["score"] for n in scores["nodes"]}
    segments = story.page.table("Segment", "Satisfaction", f"Cost to serve{currency}")
    assert segments.head[3:] == [
        "Share of direct costs",
        "Per customer",
        "Revenue",
        "Margin after cost to serve",
    ]
    if currency:
        assert segments.caption.endswith(f"; amounts in {costs['currency']}.")
    by_name = {s["name"]: s for s in costs["segments"]}
    total = costs["total_direct"]
    for row in segments.rows[:-1]:
        if row[0] not in by_name:
            assert row[0] == "Kept by departments that serve no one"
            assert abs(amount(row[2]) - costs["kept"]) < 0.01
            continue
        data = by_name[row[0]]
        assert row[1] == shown(data["satisfaction"], fmt)
        # amounts are rounded to the cent so that they add up (largest remainder): within a cent
        assert abs(amount(row[2]) - data["cost_to_serve"]) < 0.01
        assert row[3] == shown(data["cost_to_serve"] / total, ".0%")
        if data["customers"]:
            assert abs(amount(row[4]) - data["per_customer"]) < 0.01
        if data["revenue"] is not None:
            assert row[5] == shown(data["revenue"], ",.2f")
            assert abs(amount(row[6]) - data["margin"]) < 0.011
    last = segments.rows[-1]
    assert last[0] == "Total" and last[2] == shown(total, ",.2f") and last[3] == "100%"
    assert round(sum(amount(r[2]) for r in segments.rows[:-1]), 2) == round(total, 2)
    departments = story.page.table("Department", "Delivered quality")
    rows = {d["name"]: d for d in costs["departments"]}
    assert sorted(r[0] for r in departments.rows) == sorted(rows)
    for row in departments.rows:
        data = rows[row[0]]
        assert row[1] == shown(delivered[row[0]], fmt)
        assert abs(amount(row[2]) - data["direct"]) < 0.01
        assert row[3] == shown(data["direct"] / total, ".1%")
        assert abs(amount(row[4]) - data["total"]) < 0.01


# --- what-if scenarios --------------------------------------------------------------------


def test_scenario_tables_match_impact_json(whatif):
    fmt = whatif.fmt
    out = whatif.json("impact", "--scenario", str(SCENARIOS))["scenarios"]
    table = whatif.page.table("Segment", "Now")
    assert table.head[2:] == [x for s in out for x in (s["scenario"], "change")]
    first = out[0]
    segments = [n for n in first["nodes"] if n["kind"] == "segment"]
    assert [r[0] for r in table.rows] == [n["name"] for n in segments] + [
        "Company (value-weighted)"
    ]
    for row in table.rows:
        if row[0] == "Company (value-weighted)":
            picks = [s["company"] for s in out]
        else:
            picks = [next(n for n in s["nodes"] if n["name"] == row[0]) for s in out]
        assert row[1] == shown(picks[0]["score_before"], fmt)
        for c, pick in enumerate(picks):
            assert row[2 + 2 * c] == shown(pick["score_after"], fmt)
            assert row[3 + 2 * c] == shown(pick["score_change"], "+" + fmt)
    currency = whatif.chain.model.currency
    revenue = whatif.page.table("Scenario", f"Revenue change ({currency})")
    assert revenue.rows == [
        [s["scenario"], shown(s["company"]["revenue_change"], "+,.0f")] for s in out
    ]


# --- gateways, loops, departments ---------------------------------------------------------


def test_gateway_table_and_line_match_analyze_and_rank_json(story):
    gateways = story.json("analyze")["gateways"]
    failure = {r["node"]: r["failure_points"] for r in story.json("rank")["departments"]}
    names = story.names
    merged: dict[tuple, list[str]] = {}
    trivial = []
    for g in gateways:
        for gw in g["gateways"]:
            if len(gw["gates"]) > 1:
                merged.setdefault((gw["id"], tuple(gw["gates"])), []).append(g["segment"])
            else:
                trivial.append((g["segment"], gw["id"]))
    expected = sorted(
        (
            [
                names[gateway],
                ", ".join(names[s] for s in segments),
                str(len(gates)),
                ", ".join(names[x] for x in gates),
                shown(failure[gateway], story.fmt),
            ]
            for (gateway, gates), segments in merged.items()
        ),
        key=lambda r: (-failure[next(k for k in names if names[k] == r[0])], r[0], r[1]),
    )
    tables = [t for t in story.page.tables_in("structure") if t.head[0] == "Gateway"]
    assert [t.rows for t in tables] == ([expected] if expected else [])
    text = story.page.text["structure"]
    if trivial:
        units = len({d for _, d in trivial})
        pairs = len(trivial)
        assert f"{units} more department{'s' if units != 1 else ''} " in text
        assert f"({pairs} pair{'s' if pairs != 1 else ''} of gateway and segment)" in text


def _loop_gains(story: Story, cycles: list[list[str]]) -> list[float]:
    """Each loop's gain from the model's reliances and ``score --json``: the product along the
    loop of ``r_st * P_st / Q_s`` over the hand-offs ``s → t`` (parallel ones summed)."""
    scores = story.json("score")
    quality = {n["id"]: n["quality"] for n in scores["nodes"]}
    rating = {}
    for k, s in enumerate(scores["services"]):
        rating[k] = s["quality"]
    dependence = {d["id"]: d.get("dependence", 0.5) for d in story.model["departments"]}
    weights: dict[str, float] = {}
    for s in story.model["services"]:
        weights[s["to"]] = weights.get(s["to"], 0.0) + s.get("weight", 1)
    link: dict[tuple[str, str], float] = {}
    for k, s in enumerate(story.model["services"]):
        src, dst = s["from"], s["to"]
        if dst not in dependence:
            continue
        r = dependence[dst] * s.get("weight", 1) / weights[dst]
        e = rating[k] / quality[src] if quality[src] > 1e-12 else 0.0
        link[src, dst] = link.get((src, dst), 0.0) + r * e
    return [math.prod(link[a, b] for a, b in zip(c, c[1:] + c[:1], strict=True)) for c in cycles]


def test_loops_table_matches_analyze_and_score_json(story):
    from servicechain.report.weak_points import LOOP_SHOWN, TOP_LOOPS

    clusters = story.json("analyze")["mutual_dependencies"]
    text = story.page.text["mutual"]
    if not clusters:
        assert "None: no departments serve each other in a loop." in text
        return
    cycles = [c for cluster in clusters for c in cluster["cycles"]]
    gains = _loop_gains(story, cycles)
    order = sorted(range(len(cycles)), key=lambda i: (-gains[i], len(cycles[i]), i))
    listed = [i for i in order if gains[i] >= LOOP_SHOWN][:TOP_LOOPS]
    names = story.names
    expected = [
        [
            " → ".join(names[n] for n in [*cycles[i], cycles[i][0]]),
            str(len(cycles[i])),
            shown(gains[i], ".1%"),
        ]
        for i in listed
    ]
    tables = story.page.tables_in("mutual")
    assert [t.rows for t in tables] == ([expected] if expected else [])
    rest = len(cycles) - len(listed)
    if rest:
        assert f"; {rest} more loop{'s' if rest != 1 else ''} " in text
    sizes = sorted((len(c["members"]) for c in clusters), reverse=True)
    assert f"{sum(sizes):,} departments " in text


def test_departments_table_matches_the_model_and_score_json(story):
    fmt = story.fmt
    scores = story.json("score")
    delivered = {n["name"]: n for n in scores["nodes"]}
    table = story.page.table("Name", "Kind", "Group", "Own quality")
    records = {d["name"]: ("department", d) for d in story.model["departments"]}
    records |= {p["name"]: ("partner", p) for p in story.model.get("partners", [])}
    assert sorted(r[0] for r in table.rows) == sorted(records)
    for row in table.rows:
        kind, record = records[row[0]]
        assert row[1] == kind
        assert row[2] == (record.get("group") or "")
        own = record.get("quality")
        assert row[3] == ("" if own is None else shown(own, fmt))
        depends = record.get("dependence", 0.5) if kind == "department" else None
        assert row[4] == ("" if depends is None else shown(depends, ".0%"))
        assert row[5] == shown(delivered[row[0]]["score"], fmt)


def test_every_table_with_numbers_is_checked_here(story, whatif):
    """A new table of numbers must get its check above: this lists the ones checked."""
    checked = {
        ("Segment kind",),
        ("Group", "Departments"),
        ("Segment", "Kind", "Relationship"),
        ("Where", "What", "Points lost"),
        ("Rank", "Department or partner"),
        ("Rank", "Service"),
        ("Segment", "Satisfaction"),
        ("Department", "Delivered quality"),
        ("Segment", "Now"),
        ("Scenario",),
        ("Gateway", "Segments"),  # tests/test_report_summary.py
        ("Loop", "Departments"),
        ("Name", "Kind", "Group"),
    }
    for page in (story.page, whatif.page):
        for table in page.tables:
            if not table.numeric:
                continue
            assert any(tuple(table.head[: len(h)]) == h for h in checked), table.head


# --- the executive summary, traced to its sections -----------------------------------------


def _findings(story: Story):
    from servicechain.flow import compare, explain, rank, score
    from servicechain.io.scenario import read_scenarios
    from servicechain.report.sections import _costs
    from servicechain.report.summary import summarize
    from servicechain.structure import analyze

    chain = story.chain
    comparison = None
    if story.name == WHATIF:
        comparison = compare(chain, dict(read_scenarios(SCENARIOS)))
    costs = _costs(chain)
    return summarize(
        chain,
        result=score(chain),
        ranking=rank(chain, top=None, exact=max(15, len(chain.network.ids))),
        breakdowns={s.id: explain(chain, s.id) for s in chain.model.segments},
        analysis=analyze(chain),
        comparison=comparison,
        costs=None if isinstance(costs, str) else costs,
    ).findings


def _where(table: PageTable, name: str) -> list[str]:
    """The row of ``table`` whose second cell is ``name`` or starts with ``name (``."""
    rows = [r for r in table.rows if r[1] == name or r[1].startswith(f"{name} (")]
    assert len(rows) == 1, (name, table.head)
    return rows[0]


@pytest.mark.parametrize("name", [*STORIES, WHATIF])
def test_every_summary_number_is_shown_again_in_its_section(name, tmp_path_factory):
    story = _read(tmp_path_factory, name)
    page, fmt = story.page, story.fmt
    summary_text = page.text["summary"]
    departments = page.table("Rank", "Department or partner")
    services = page.table("Rank", "Service")
    checked = 0
    for finding in _findings(story):
        for key, value in finding.numbers.items():
            kind, _, ident = key.partition(":")
            node = tuple(ident.split("->")) if "->" in ident else ident
            if kind == "company":
                assert f"scores {shown(value, fmt)}." in page.text["segments"]
            elif kind == "segment":
                table = page.table("Segment", "Kind", "Relationship")
                row = _row(table, story.names[ident])
                assert row[table.head.index("Satisfaction")] == shown(value, fmt)
            elif kind == "importance":
                row = _where(departments, _item(story, node))
                assert row[departments.head.index("Importance")] == shown(value, ".3f")
            elif kind in ("score", "gap", "term"):
                segment = next(
                    s["id"] for s in story.model["segments"] if finding.title.endswith(s["name"])
                )
                section = f"segment-{anchor(segment)}"
                if kind == "score":
                    assert f"Satisfaction {shown(value, fmt)} on" in page.text[section]
                elif kind == "gap":
                    assert f": {shown(value, fmt)} points." in page.text[section]
                else:
                    (table,) = page.tables_in(section)
                    assert shown(-value, fmt) in table.column("Points lost")
            elif kind == "gain":
                table = services if isinstance(node, tuple) else departments
                row = _where(table, _item(story, node))
                assert row[table.head.index("Gain if perfect")] == shown(value, fmt)
            elif kind == "revenue" and (ident in story.names or "->" in ident):
                table = services if isinstance(node, tuple) else departments
                row = _where(table, _item(story, node))
                col = next(c for c, h in enumerate(table.head) if h.startswith("Revenue if"))
                assert row[col] == shown(value, "+,.0f")
                currency = story.chain.model.currency
                assert money(amount(row[col]), currency, sign=True) in summary_text
            elif kind == "revenue":  # of a what-if scenario
                table = page.table("Scenario")
                assert _row(table, ident)[1] == shown(value, "+,.0f")
            elif kind == "failure":
                table = page.table("Gateway", "Segments")
                rows = [r for r in table.rows if r[0] == story.names[ident]]
                assert rows and all(r[4] == shown(value, fmt) for r in rows)
            elif kind in ("scenario", "company_after"):
                table = page.table("Segment", "Now")
                row = _row(table, "Company (value-weighted)")
                scenario = next(k.split(":", 1)[1] for k in finding.numbers if k[:9] == "scenario:")
                col = table.head.index(scenario)
                if kind == "scenario":
                    assert row[col + 1] == shown(value, "+" + fmt)
                else:
                    assert row[col] == shown(value, fmt)
            elif kind in ("cost", "cost_share"):
                currency = story.chain.model.currency
                table = page.table("Segment", "Satisfaction")
                row = _row(table, story.names[ident])
                if kind == "cost":
                    assert abs(amount(row[2]) - value) < 0.01
                    assert money(amount(row[2]), currency) in summary_text
                else:
                    assert row[3] == shown(value, ".0%")
                    assert f"{row[3]} of all direct costs" in summary_text
            elif kind == "assumed":
                n = int(value)
                assert (
                    f"{n} score{'s' if n != 1 else ''} the model does not give"
                    in (page.text["glance"])
                )
            else:
                raise AssertionError(f"summary number {key} is not traced to a section")
            checked += 1
    assert checked >= 8


def test_a_section_that_disagrees_fails_the_check(tmp_path_factory):
    """The checks above catch a number that differs from the JSON by one unit of rounding."""
    story = _read(tmp_path_factory, "hospital")
    table = story.page.table("Rank", "Department or partner")
    c = table.head.index("If it failed")
    value = float(table.rows[0][c])
    table.rows[0][c] = f"{value + 0.01:{story.fmt}}"
    with pytest.raises(AssertionError):
        _check_priorities(story, table, story.json("rank")["departments"], None)


def test_scenario_changes_are_named_never_ids(whatif):
    """The scenario file speaks in ids (``it->armazem: 4.2``); the report in names."""
    text = whatif.page.text["scenarios"]
    names = whatif.names
    assert f"{names['it']} → {names['armazem']}" in text
    assert f"{names['transportadora']} fails" in text
    for ident, name in names.items():
        if name == ident:
            continue
        for shape in (
            f"{ident}->",
            f"->{ident}",
            f" {ident} =",
            f"{ident} fails",
            f"weight {ident}",
        ):
            assert shape not in text, (ident, shape)

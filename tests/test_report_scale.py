"""The report of a large model: tables cut to their first rows with one line for the rest,
the gap traced for the segments that matter, and every number still the CLI's."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import servicechain
from servicechain.cli import main
from servicechain.report import build_document, html_report, markdown_report
from servicechain.report.document import Section, Table
from servicechain.report.rows import REPORT_ROWS, SEGMENT_DETAILS
from servicechain.samples.generate import generate, write_json

from .report_shared import DAY, shared_file

#: Departments and segments of the generated model: more of each than a report lists.
DEPARTMENTS, SEGMENTS = 300, 120


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    def write(path: Path) -> None:
        write_json(generate(DEPARTMENTS, segments=SEGMENTS, seed=3), path)

    return shared_file(tmp_path_factory, "scale-300.json", write)


@pytest.fixture(scope="module")
def chain(model):
    return servicechain.load(model)


@pytest.fixture(scope="module")
def document(chain):
    return build_document(chain, today=DAY)


@pytest.fixture(scope="module")
def page(model, tmp_path_factory) -> str:
    def write(path: Path) -> None:
        path.write_text(html_report(servicechain.load(model), today=DAY), encoding="utf-8")

    return shared_file(tmp_path_factory, "scale-300-report.html", write).read_text("utf-8")


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(main, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def section(document, anchor: str) -> Section:
    def walk(sections):
        for s in sections:
            if s.anchor == anchor:
                return s
            found = walk([b for b in s.blocks if isinstance(b, Section)])
            if found is not None:
                return found
        return None

    found = walk(document.sections)
    assert found is not None, anchor
    return found


def tables(s: Section) -> list[Table]:
    return [b for b in s.blocks if isinstance(b, Table)]


class _Tables(HTMLParser):
    """The tables of a page as lists of body rows and foot rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.found: list[dict] = []
        self.part = None
        self.row: list | None = None
        self.cell: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.found.append({"body": [], "foot": []})
        elif tag in ("tbody", "tfoot"):
            self.part = "body" if tag == "tbody" else "foot"
        elif tag == "tr" and self.part:
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row.append("".join(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.found[-1][self.part].append(self.row)
            self.row = None
        elif tag in ("tbody", "tfoot"):
            self.part = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_tables(page: str, anchor: str) -> list[dict]:
    start = page.index(f'<section id="{anchor}">')
    end = page.index("</section>", start)
    parser = _Tables()
    parser.feed(page[start:end])
    return parser.found


def listed(table: Table, chain) -> set[str]:
    """Ids of the segments a table of segments lists (their names are unique here)."""
    ids = {s.name: s.id for s in chain.model.segments}
    assert len(ids) == len(chain.model.segments)
    return {ids[row[0]] for row in table.rows}


def count_of(text: str) -> int:
    return int(re.search(r"and ([\d,]+) more", text).group(1).replace(",", ""))


def test_priorities_list_the_first_rows_and_count_the_rest(document, model):
    ranked = cli_json("rank", str(model))
    table = tables(section(document, "priorities"))[0]
    total = len(ranked["departments"])
    assert total > REPORT_ROWS
    assert len(table.rows) >= REPORT_ROWS
    assert [r[0] for r in table.rows[:REPORT_ROWS]] == list(range(1, REPORT_ROWS + 1))
    assert count_of(table.rest[1]) == total - len(table.rows)
    span = ranked["scale"]["max"] - ranked["scale"]["min"]
    for row in table.rows:  # rank, name, importance, score, gain, revenue, failure, quadrant
        wanted = ranked["departments"][row[0] - 1]
        assert row[2] == pytest.approx(wanted["importance"], abs=1e-12)
        assert row[3] == pytest.approx(wanted["score"], abs=1e-12)
        assert row[4] == pytest.approx(wanted["gain_points"], abs=1e-9)
        assert row[-2] == pytest.approx(wanted["failure_points"], abs=1e-9)
        assert wanted["gain"] is not None and wanted["failure"] is not None
    # the rows left out gain no more than the last one listed (the top rows are certified):
    # an exact gain, or the bound of one that was not solved
    last = table.rows[REPORT_ROWS - 1][4] / span
    rest = ranked["departments"][REPORT_ROWS:]
    assert any(not r["gain_exact"] for r in rest)
    assert all((r["gain"] if r["gain_exact"] else r["bound"]) <= last + 1e-12 for r in rest)


def test_revenue_if_perfect_is_what_impact_reports(document, model, chain):
    table = tables(section(document, "priorities"))[0]
    assert "Revenue if perfect" in table.columns[5]
    top = chain.model.scale.max
    for row in table.rows[:3]:
        node = next(d.id for d in chain.model.departments if d.name == row[1])
        moved = cli_json("impact", str(model), "--set", f"{node}={top:g}")
        assert row[5] == pytest.approx(moved["company"]["revenue_change"], rel=1e-9)


def test_segments_listed_by_value_and_traced_for_the_weakest(document, model, chain):
    scored = cli_json("score", str(model))
    segments = {s["id"]: s for s in scored["nodes"] if s["kind"] == "segment"}
    assert len(segments) == SEGMENTS
    part = section(document, "segments")
    table = tables(part)[0]
    assert len(table.rows) == REPORT_ROWS
    assert count_of(table.rest[0]) == SEGMENTS - REPORT_ROWS
    by_name = {s["name"]: s for s in segments.values()}
    net = chain.network
    value = [net.value[net.index[by_name[row[0]]["id"]]] for row in table.rows]
    assert value == sorted(value, reverse=True)  # the most valuable first (revenue, customers)
    assert min(value) >= max(
        net.value[net.index[s]] for s in segments if s not in listed(table, chain)
    )
    for row in table.rows:
        assert row[5] == pytest.approx(by_name[row[0]]["score"], abs=1e-12)
    left = [s for s in chain.model.segments if s.id not in listed(table, chain)]
    revenue = [s.revenue for s in left]
    assert table.rest[4] == (None if None in revenue else pytest.approx(sum(revenue)))
    assert table.rest[3] == sum(s.customers for s in left)
    traced = [b for b in part.blocks if isinstance(b, Section)]
    assert len(traced) == SEGMENT_DETAILS
    weakest = min(segments.values(), key=lambda s: s["score"])
    assert weakest["name"] in {s.title for s in traced}


def test_departments_and_costs_count_what_they_leave_out(document, chain):
    units = len(chain.model.departments) + len(chain.model.partners)
    table = tables(section(document, "departments"))[0]
    assert len(table.rows) == REPORT_ROWS
    assert count_of(table.rest[0]) == units - REPORT_ROWS
    segments, departments = tables(section(document, "cost"))
    assert len(departments.rows) == REPORT_ROWS
    assert count_of(departments.rest[0]) == len(chain.model.departments) - REPORT_ROWS
    direct = sum(r[2] for r in departments.rows) + departments.rest[2]
    assert direct == pytest.approx(segments.rows[-1][2], abs=0.01)  # the total direct cost
    listed = [r for r in segments.rows if not str(r[0]).startswith(("...", "Kept", "Total"))]
    assert len(listed) == REPORT_ROWS
    rest = next(r for r in segments.rows if str(r[0]).startswith("..."))
    assert count_of(rest[0]) == SEGMENTS - REPORT_ROWS
    shown = sum(r[2] for r in segments.rows[:-1])
    assert shown == pytest.approx(segments.rows[-1][2], abs=0.01)  # the total adds up


def test_html_keeps_the_rest_row_in_the_foot(page):
    priorities = page_tables(page, "priorities")[0]
    assert len(priorities["body"]) >= REPORT_ROWS
    (foot,) = priorities["foot"]
    assert re.search(r"\.\.\. and [\d,]+ more departments and partners", foot[1])
    segments = page_tables(page, "segments")[0]
    assert len(segments["body"]) == REPORT_ROWS
    assert segments["foot"][0][0].startswith(f"... and {SEGMENTS - REPORT_ROWS} more segments")
    assert page.count('<tfoot><tr class="rest">') >= 3
    # the quadrant chart names few points and the gap is charted for the traced segments only
    assert page.count('<figure id="fig-waterfall-') == SEGMENT_DETAILS


def test_markdown_ends_a_cut_table_with_its_rest_line(chain, tmp_path):
    text, images = markdown_report(chain, folder="x_files", today=DAY)
    assert re.search(r"^\| \.\.\. and 20 more segments, each worth less \|", text, re.M)
    assert sum(name.startswith("waterfall-") for name in images) == SEGMENT_DETAILS


def test_a_small_model_lists_everything():
    chain = servicechain.load(servicechain.example_path("airline"))
    document = build_document(chain, today=DAY)
    for anchor in ("priorities", "segments", "departments"):
        table = tables(section(document, anchor))[0]
        assert not table.rest
    assert len(tables(section(document, "departments"))[0].rows) == len(
        chain.model.departments
    ) + len(chain.model.partners)


def test_a_json_model_is_reported_without_building_the_validated_model(model, monkeypatch):
    from servicechain.io.fastjson import FastLoaded

    chain = servicechain.load(model)

    def refuse(self):
        raise AssertionError("the report built the pydantic model of a JSON file")

    monkeypatch.setattr(FastLoaded, "model", refuse)
    document = build_document(chain, today=DAY)
    assert tables(section(document, "segments"))[0].rows


def test_small_gains_keep_their_digits_in_table_and_summary():
    chain = servicechain.load(servicechain.example_path("airline"))
    from servicechain.report.labels import fine_format

    assert fine_format([0.0042], ".2f") == ".4f"
    document = build_document(chain, today=DAY)
    table = tables(section(document, "priorities"))[0]
    assert float(table.text(0, 4)) > 0  # the first gain never shows as 0.00


def test_a_crowded_diagram_is_a_clean_warning_of_the_command(model, tmp_path):
    from servicechain.draw.render import SmallTextWarning

    out = tmp_path / "report.html"
    with pytest.warns(SmallTextWarning):  # the library warns; the command says it once
        html_report(servicechain.load(model), today=DAY)
    result = CliRunner().invoke(main, ["report", str(model), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Warning: the labels come out at "), lines
    assert result.stdout.startswith(f"Wrote {out} (")

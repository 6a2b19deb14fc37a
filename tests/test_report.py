"""The report: self-contained HTML, Markdown with images, escaping, and the report command."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import servicechain
from servicechain.cli import main
from servicechain.report import ReportError, html_report, markdown_report, write_report
from servicechain.report.document import Document, Section, Table, Text
from servicechain.report.html import escape, render_html, scope_svg, script_json
from servicechain.report.markdown import md_escape
from servicechain.text import plain_text

from .conftest import DATA
from .report_shared import DAY, shared_file, shared_report

HOSTILE = DATA / "report" / "hostile.yaml"


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    """The HTML report of a model file (dated DAY), drawn once per test run."""
    return lambda model: shared_report(tmp_path_factory, model).read_text(encoding="utf-8")


def _strip_scripts(page: str) -> str:
    """The page without its own two script blocks (the data and the embedded program)."""
    page = re.sub(
        r'<script type="application/json" id="sc-data">.*?</script>', "", page, flags=re.S
    )
    return re.sub(r"<script>\n\(function \(\) \{.*?</script>", "", page, flags=re.S)


def test_report_of_every_example_is_self_contained(example, report_page):
    chain = servicechain.load(example)
    page = report_page(example)
    assert page.startswith("<!DOCTYPE html>")
    # nothing is fetched: no external resources of any kind
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(http" not in page
    # the diagram and every section are there
    assert page.count('id="chain-diagram"') == 1
    for anchor in ("glance", "chain", "structure", "disconnected", "departments"):
        assert f'<section id="{anchor}">' in page
    for segment in chain.model.segments:
        assert escape(segment.name) in page
    # exactly the report's own two scripts
    assert page.count("<script") == 2
    data = json.loads(re.search(r'id="sc-data">(.*?)</script>', page, re.S).group(1))
    assert len(data["chain"]["nodes"]) == chain.network.n
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    for i in range(chain.network.n):
        assert f"diagram-node-{i}" in ids
    # ids of the inlined SVGs are unique on the page
    all_ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(all_ids) == len(set(all_ids))


def test_report_is_deterministic(report_page):
    # drawn afresh here, compared with the page drawn by another test (maybe another process)
    model = servicechain.example_path("flowershop")
    assert html_report(servicechain.load(model), today=DAY) == report_page(model)


def test_hostile_names_are_shown_as_text_and_run_nothing(report_page):
    page = report_page(HOSTILE)
    outside = _strip_scripts(page)
    assert "<script" not in outside
    assert "<img" not in outside and "onerror=" not in outside.replace("onerror=alert", "")
    assert "<b>" not in outside and "<u>" not in outside and "<i>" not in outside
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outside
    assert "&lt;/svg&gt;&lt;img src=x onerror=alert(2)&gt;" in outside
    # the data block cannot be closed early, and reads back exactly
    block = re.search(r'id="sc-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block
    names = [n["name"] for n in json.loads(block)["chain"]["nodes"]]
    assert "<script>alert(1)</script>" in names
    assert "客户服务 -->" in names


def test_hostile_names_in_markdown_are_literal():
    chain = servicechain.load(HOSTILE)
    text, images = markdown_report(chain, folder="x_files", today=DAY)
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert r"&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert r"| # Heading? \| pipe | department |" in text
    assert set(images) >= {"diagram.png"}


@pytest.fixture(scope="module")
def markdown_run(tmp_path_factory):
    """``servicechain report sapataria.yaml -o board.md`` run once in a folder of its own:
    the folder and what the command printed."""

    def write(folder: Path) -> None:
        folder.mkdir()
        model = servicechain.example_path("sapataria")
        here = Path.cwd()
        os.chdir(folder)
        try:
            result = CliRunner().invoke(
                main, ["report", str(model), "-o", "board.md"], catch_exceptions=False
            )
        finally:
            os.chdir(here)
        assert result.exit_code == 0, result.output
        (folder / "stdout.txt").write_text(result.stdout, encoding="utf-8")

    folder = shared_file(tmp_path_factory, "markdown-run", write)
    return folder, (folder / "stdout.txt").read_text(encoding="utf-8")


def test_markdown_report_links_every_image(markdown_run):
    folder, _ = markdown_run
    text = (folder / "board.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    images = sorted(f"board_files/{p.name}" for p in (folder / "board_files").iterdir())
    assert links and sorted(set(links)) == images
    for link in links:
        image = folder / link
        assert image.is_file() and image.read_bytes().startswith(b"\x89PNG")


def test_write_report_returns_the_report_then_its_images(tmp_path, monkeypatch):
    chain = servicechain.load(servicechain.example_path("flowershop"))
    # the images' content does not matter here; drawing them is what takes time
    monkeypatch.setattr(
        "servicechain.report.markdown_report",
        lambda chain, *, folder, **kw: ("![d](x_files/d.png)", {"d.png": b"\x89PNG", "e.png": b""}),
    )
    target = tmp_path / "x.md"
    written = write_report(chain, target, today=DAY)
    assert written == [target, tmp_path / "x_files" / "d.png", tmp_path / "x_files" / "e.png"]
    assert target.read_text(encoding="utf-8") == "![d](x_files/d.png)"


def test_write_report_refuses_unknown_suffix_and_writes_nothing(tmp_path):
    chain = servicechain.load(servicechain.example_path("flowershop"))
    with pytest.raises(ReportError, match=r"cannot write a report as \.docx; use a \.html, "):
        write_report(chain, tmp_path / "r.docx")
    assert list(tmp_path.iterdir()) == []


# --- the command ---------------------------------------------------------------------------


def test_report_command_without_model_uses_the_default_example(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["report"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = tmp_path / "sapataria-report.html"
    size = out.stat().st_size
    assert result.stdout == f"Wrote sapataria-report.html ({size / 1024:,.0f} KB)\n"
    assert "Sapataria Central" in out.read_text(encoding="utf-8")


def test_report_command_markdown(markdown_run):
    folder, stdout = markdown_run
    images = sorted((folder / "board_files").iterdir())
    assert len(images) > 1
    size = (folder / "board.md").stat().st_size
    assert (
        stdout
        == f"Wrote board.md ({size / 1024:,.0f} KB) and {len(images)} images in board_files\n"
    )


def test_report_command_bad_suffix(runner, tmp_path):
    out = tmp_path / "report.docx"
    result = runner.invoke(main, ["report", "-o", str(out)])
    assert result.exit_code == 2  # a usage error, as for every command's -o
    assert result.stderr.endswith(
        "Error: Invalid value for '-o' / '--output': cannot write .docx; "
        "use a .html, .htm, .md, .markdown or .pdf file name\n"
    )
    assert not out.exists()


def test_report_command_bad_model_keeps_existing_output(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\ndepartments:\n  - {id: a, name: A, quality: 9}\n", encoding="utf-8")
    out = tmp_path / "report.html"
    out.write_text("previous report", encoding="utf-8")
    result = runner.invoke(main, ["report", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert "problem" in result.stderr and "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "report.html"]


def test_report_command_unknown_model_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["report", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_report_help_has_an_example(runner):
    result = runner.invoke(main, ["report", "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "servicechain report -o sapataria-report.html" in result.stdout


# --- escaping at the edge ------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.text())
def test_escape_round_trips_and_leaves_no_markup(text):
    out = escape(text)
    assert html.unescape(out) == plain_text(text)  # control characters and bidi overrides go
    assert not set("<>\"'") & set(out)


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.text(), st.text() | st.integers() | st.none(), max_size=5))
def test_script_json_round_trips_and_cannot_close_the_script(data):
    out = script_json(data)
    assert json.loads(out) == data
    assert "<" not in out and "\u2028" not in out


@settings(max_examples=80, deadline=None)
@given(st.text())
def test_md_escape_has_no_raw_markup(text):
    out = md_escape(text, line_start=True)
    assert "<" not in out and ">" not in out and "\n" not in out
    assert not re.search(r"(?<!\\)[|*_`\[\]]", out)


def test_scope_svg_prefixes_ids_and_references_and_drops_comments():
    svg = '<svg><!-- a <name> --><defs><path id="g1"/></defs><use xlink:href="#g1"/></svg>'
    assert (
        scope_svg(svg, "d-") == '<svg><defs><path id="d-g1"/></defs><use xlink:href="#d-g1"/></svg>'
    )


def test_tables_carry_sort_keys():
    doc = Document(
        "T",
        "",
        [Section("s", "S", [Table(["a", "n"], [["x", 2.5], ["y", None]], formats=[None, ".1f"])])],
    )
    page = render_html(doc)
    assert '<table class="sortable">' in page
    assert '<td class="num" data-value="2.5">2.5</td>' in page
    assert '<td class="num"></td>' in page


def test_text_is_escaped_in_every_block():
    doc = Document("<T>", "<s>", [Section("a", "<h>", [Text("<p>"), Text("<n>", note=True)])])
    page = render_html(doc)
    for raw in ("<T>", "<s>", "<h>", "<p>", "<n>"):
        assert raw not in page.replace("<p>&lt;", "").replace('<p class="note">', "")


def test_scenarios_are_compared_side_by_side(runner, tmp_path):
    out = tmp_path / "whatif.html"
    scenarios = DATA / "report" / "sapataria-whatif.yaml"
    args = ["report", "--scenario", str(scenarios), "-o", str(out)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    page = out.read_text(encoding="utf-8")
    section = page[page.index('<section id="scenarios">') :]
    section = section[: section.index("</section>")]
    for name in ("better-it", "warehouse-down", "faster-delivery"):
        assert f'<th scope="col" class="num">{name}</th>' in section
    # the changes named as the client reads them, not by the scenario file's ids
    assert "The central warehouse stops for a week (Armazém central (Alverca) fails)" in section
    assert "<td>Company (value-weighted)</td>" in section


def test_bad_scenario_id_is_a_clean_error(runner, tmp_path):
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text("scenarios:\n  oops:\n    fail: [armazen]\n", encoding="utf-8")
    out = tmp_path / "r.html"
    result = runner.invoke(main, ["report", "--scenario", str(scenarios), "-o", str(out)])
    assert result.exit_code == 1
    assert "armazen" in result.stderr and "did you mean 'armazem'?" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()

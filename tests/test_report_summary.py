"""The report tells one story: its executive summary and every table agree, number for number,
with what the command line prints as JSON for the same model (score, explain, rank, impact,
cost), names never ids, money with the model's currency."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import servicechain
from servicechain.cli import main
from servicechain.report import build_document, html_report, markdown_report
from servicechain.report.labels import score_format

from .conftest import MODELS
from .report_shared import DAY

STORIES = ["airline", "consulting", "elettronica", "flowershop", "hospital", "sapataria"]
SCENARIOS = MODELS / "scenarios" / "sapataria.yaml"


def _json(runner, *args: str) -> dict:
    result = runner.invoke(main, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _node(value) -> str:
    return value if isinstance(value, str) else "->".join(value)


class _Tables(HTMLParser):
    """Every table of a page as (section id, caption, header, rows of cell text)."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self.sections: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append(attrs.get("id", ""))
        elif tag == "table":
            self.tables.append(
                {"section": self.sections[-1], "caption": "", "head": [], "rows": []}
            )
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "section":
            self.sections.pop()
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = "".join(self._caption)
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            (table["rows"] if table["head"] else table["head"]).extend(
                [self._row] if table["head"] else self._row
            )
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def _tables(page: str) -> list[dict]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


@pytest.fixture(scope="module", params=STORIES)
def story(request):
    path = MODELS / f"{request.param}.yaml"
    chain = servicechain.load(path)
    doc = build_document(chain, today=DAY)
    page = html_report(chain, today=DAY)
    return path, chain, doc, page


def _summary(doc):
    assert doc.sections[0].anchor == "summary"
    block = doc.sections[0].blocks[0]
    return {title: (text, points) for title, text, points in block.items}


def test_summary_is_first_and_every_number_matches_the_cli_json(runner, story):
    path, chain, doc, _ = story
    from servicechain.flow import explain, rank, score
    from servicechain.report.summary import summarize
    from servicechain.structure import analyze

    found = summarize(
        chain,
        result=score(chain),
        ranking=rank(chain, top=None, exact=len(chain.network.ids)),
        breakdowns={s.id: explain(chain, s.id) for s in chain.model.segments},
        analysis=analyze(chain),
    )
    shown = _summary(doc)
    fmt = score_format(chain)
    scores = _json(runner, "score", str(path))
    ranked = _json(runner, "rank", str(path))
    rows = {_node(r["node"]): r for r in ranked["departments"] + ranked["services"]}
    checked = 0
    for finding in found.findings:
        text, points = shown[finding.title]
        words = " ".join([text, *points])
        for key, value in finding.numbers.items():
            kind, _, ident = key.partition(":")
            if kind == "company":
                expected = scores["company"]["score"]
            elif kind == "segment":
                expected = next(n["score"] for n in scores["nodes"] if n["id"] == ident)
            elif kind == "importance":
                expected = rows[ident]["importance"]
            elif kind == "gain":
                expected = rows[ident]["gain_points"]
            elif kind == "failure":
                expected = rows[ident]["failure_points"]
            elif kind == "revenue":
                top = chain.model.scale.max
                out = _json(runner, "impact", str(path), "--set", f"{ident}={top:g}")
                expected = out["company"]["revenue_change"]
            elif finding.key == "weakest":
                segment = next(
                    s.id
                    for s in chain.model.segments
                    if chain.network.names[chain.network.index[s.id]] in finding.title
                )
                gap = _json(runner, "explain", str(path), segment)
                if kind == "score":
                    expected = gap["score"]
                elif kind == "gap":
                    expected = gap["gap_points"]
                else:
                    expected = next(t["points"] for t in gap["terms"] if _node(t["node"]) == ident)
            elif kind in ("cost", "cost_share"):
                costs = _json(runner, "cost", str(path))
                expected = next(s["cost_to_serve"] for s in costs["segments"] if s["id"] == ident)
                if kind == "cost_share":
                    expected /= costs["total_direct"]
            elif kind == "assumed":
                checks = _json(runner, "validate", str(path))
                expected = len(checks["assumptions"])
            else:
                raise AssertionError(f"unchecked number {key}")
            assert value == pytest.approx(expected, rel=1e-9, abs=1e-9), (key, value, expected)
            # and the sentence quotes it as the tables round it
            if kind in ("company", "segment", "gain", "failure", "score", "gap", "term"):
                assert f"{value:{fmt}}" in words, (key, words)
            checked += 1
    assert checked >= 8
    assert "Fix first" in shown and "Customer quality" in shown


def test_the_top_fix_is_the_first_row_of_the_priorities(story):
    _, _chain, doc, page = story
    _, points = _summary(doc)["Fix first"]
    tables = [t for t in _tables(page) if t["section"] == "priorities"]
    firsts = [t["rows"][0] for t in tables if t["rows"]]
    gains = [float(r[4]) for r in firsts]
    best = firsts[gains.index(max(gains))]
    # the first fix names the item of the highest first row, with the same rounded gain
    assert best[1].split(" (")[0].split(" → ")[0] in points[0]
    assert f"+{best[4]} points" in points[0]


def test_every_breakdown_table_matches_explain_json_and_labels_its_remainder(runner, story):
    path, chain, _, page = story
    from servicechain.flow.explain import SHOWN_TERMS

    fmt = score_format(chain)
    segments = [t for t in _tables(page) if t["head"][:3] == ["Where", "What", "Points lost"]]
    assert len(segments) == len(chain.model.segments)
    for seg, table in zip(chain.model.segments, segments, strict=True):
        gap = _json(runner, "explain", str(path), seg.id)
        terms = gap["terms"]
        for row, term in zip(table["rows"], terms[:SHOWN_TERMS], strict=False):
            assert row[2] == f"{-term['points']:{fmt}}"
        hidden = gap["terms_total"] - SHOWN_TERMS
        if hidden > 0:
            last = table["rows"][-1]
            rest = sum(t["points"] for t in terms[SHOWN_TERMS:])
            assert last[0] == f"{hidden} smaller term{'s' if hidden != 1 else ''}"
            assert last[2] == f"{-rest:{fmt}}"
            assert len(table["rows"]) == SHOWN_TERMS + 1


def test_priorities_and_gateways_match_rank_json(runner, story):
    path, chain, _, page = story
    fmt = score_format(chain)
    ranked = _json(runner, "rank", str(path))
    tables = [t for t in _tables(page) if t["section"] == "priorities"]
    departments, services = tables[0], tables[1]
    for row, data in zip(departments["rows"], ranked["departments"], strict=True):
        assert row[4] == f"{data['gain_points']:{fmt}}"
        name = chain.network.names[chain.network.index[data["node"]]]
        assert row[1] == name
    for row, data in zip(services["rows"], ranked["services"], strict=False):
        assert row[4] == f"{data['gain_points']:{fmt}}"
    failure = {r["node"]: r["failure_points"] for r in ranked["departments"]}
    names = {chain.network.names[chain.network.index[n]]: n for n in failure}
    gateways = [t for t in _tables(page) if t["head"][:2] == ["Gateway", "Segments"]]
    for table in gateways:
        losses = [float(r[4]) for r in table["rows"]]
        assert losses == sorted(losses, reverse=True)
        for row in table["rows"]:
            assert int(row[2]) > 1  # gateways of a single unit are summarised in one line
            assert row[4] == f"{failure[names[row[0]]]:{fmt}}"


def test_segment_table_matches_score_json_with_the_currency(runner, story):
    path, chain, _, page = story
    fmt = score_format(chain)
    scores = _json(runner, "score", str(path))
    table = next(t for t in _tables(page) if t["head"][0] == "Segment" and "Gap" in t["head"])
    currency = chain.model.currency
    assert currency and f"Revenue ({currency})" in table["head"]
    by_name = {n["name"]: n["score"] for n in scores["nodes"] if n["kind"] == "segment"}
    for row in table["rows"]:
        assert row[table["head"].index("Satisfaction")] == f"{by_name[row[0]]:{fmt}}"


def _visible_text(page: str) -> str:
    body = page.split("<body>", 1)[1]
    body = re.sub(r"<script.*?</script>|<svg.*?</svg>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def _leaky_ids(chain) -> list[str]:
    """Ids a reader would not take for a word: those not found in any name."""
    names = " ".join(chain.network.names).lower()
    return [
        i for i in chain.network.ids if i.lower() not in names and not re.fullmatch(r"[a-z]+", i)
    ]


def test_no_model_id_in_the_text_where_a_name_exists(story):
    _, chain, _, page = story
    import html

    text = html.unescape(_visible_text(page))
    for name in sorted(chain.network.names, key=len, reverse=True):  # what is left without names
        text = text.replace(name, "\u2022")
    for ident in chain.network.ids:
        name = chain.network.names[chain.network.index[ident]]
        if name == ident:
            continue
        for shape in (f"({ident})", f"'{ident}'", f"{ident} →", f"→ {ident}", f"{ident}->"):
            assert shape not in text, (ident, shape)
    for ident in _leaky_ids(chain):
        assert not re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", text), ident


def test_markdown_report_opens_with_the_same_summary(story, tmp_path):
    _, chain, doc, _ = story
    text, _ = markdown_report(chain, folder="x_files", today=DAY)
    first = text.split("\n## ", 2)[1]
    assert first.startswith("Executive summary")
    for title, _sentence, points in doc.sections[0].blocks[0].items:
        assert f"**{title}.**" in first
        for point in points:
            assert point.split(":")[0].replace("*", "\\*") in first


def test_scenario_finding_matches_impact_json(runner):
    path = MODELS / "sapataria.yaml"
    chain = servicechain.load(path)
    doc = build_document(chain, scenarios=SCENARIOS, today=DAY)
    text, _ = _summary(doc)["Largest what-if"]
    out = _json(runner, "impact", str(path), "--scenario", str(SCENARIOS))
    big = max(out["scenarios"], key=lambda s: abs(s["company"]["change"]))
    fmt = score_format(chain)
    assert f"'{big['scenario']}'" in text
    assert f"{big['company']['score_change']:+{fmt}} points" in text
    assert f"to {big['company']['score_after']:{fmt}}" in text


def test_fixes_and_money_use_the_currency():
    chain = servicechain.load(MODELS / "hospital.yaml")
    doc = build_document(chain, today=DAY)
    _, points = _summary(doc)["Fix first"]
    assert all("EUR" in p and "a year in revenue" in p for p in points)
    head = next(
        t["head"] for t in _tables(html_report(chain, today=DAY)) if t["section"] == "priorities"
    )
    assert "Revenue if perfect (EUR)" in head


def test_a_model_without_currency_shows_plain_amounts(tmp_path):
    text = (MODELS / "flowershop.yaml").read_text(encoding="utf-8")
    plain = tmp_path / "plain.yaml"
    plain.write_text(text.replace("currency: GBP\n", ""), encoding="utf-8")
    chain = servicechain.load(plain)
    assert chain.model.currency is None
    doc = build_document(chain, today=DAY)
    _, points = _summary(doc)["Fix first"]
    assert points and all(
        re.search(r": \+\d\.\d\d points, [+-][\d,.]+( million)? a year", p) for p in points
    )
    assert not any(c.isalpha() and c.isupper() for p in points for c in p.split("points, ")[1][:4])


def test_report_pdf_prints_the_diagram_on_a_landscape_page(runner, tmp_path):
    from .report_browser import find_chromium

    if find_chromium() is None:
        pytest.skip("no Chromium") if not __import__("os").environ.get("CI") else pytest.fail(
            "CI needs Chromium"
        )
    target = tmp_path / "hospital.pdf"
    result = runner.invoke(
        main, ["report", str(MODELS / "hospital.yaml"), "-o", str(target)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {target} (")
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF")
    sizes = _page_sizes(pdf)
    assert len(sizes) > 5
    landscape = [i for i, (w, h) in enumerate(sizes) if w > h]
    assert len(landscape) == 1 and landscape[0] > 0  # the diagram alone, after the summary
    assert all(h > w for i, (w, h) in enumerate(sizes) if i not in landscape)


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height of each page, from the PDF's page objects (pypdf when installed)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        pytest.skip("pypdf is not installed")
    import io

    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def test_report_pdf_without_chromium_names_the_package(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("SERVICECHAIN_CHROMIUM", "no-such-browser-here")
    target = tmp_path / "out.pdf"
    result = runner.invoke(main, ["report", str(MODELS / "flowershop.yaml"), "-o", str(target)])
    assert result.exit_code == 1
    assert "no Chromium browser found (install the 'chromium' package" in result.output
    assert not target.exists()
    assert not list(Path(tmp_path).iterdir())

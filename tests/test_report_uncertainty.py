"""The report's "How sure are we?" section: segment intervals, stable priorities and which
findings are robust, present only when the model carries standard errors."""

from __future__ import annotations

from servicechain import load
from servicechain.report.document import Bullets, Table
from servicechain.report.uncertainty import uncertainty_section

from .conftest import SAPATARIA


def test_no_section_without_standard_errors():
    assert uncertainty_section(load(SAPATARIA)) is None


def test_section_gives_intervals_stability_and_robust_findings(surveyed):
    section = uncertainty_section(surveyed, draws=200)
    assert section.title == "How sure are we?"
    tables = [b for b in section.blocks if isinstance(b, Table)]
    segments, departments, services = tables
    assert segments.columns == ["Segment", "Satisfaction", "± se", "90% from", "90% to"]
    for _, q, se, low, high in segments.rows:
        assert low <= q <= high and se >= 0
    # names, never ids, in what a client reads
    assert departments.rows[0][0] == "Informática"
    assert departments.columns == ["Department", "Gain", "± se", "90% from", "90% to",
                                   "Stays in top 5"]  # fmt: skip
    for _, gain, se, low, high, stays in departments.rows + services.rows:
        assert low <= gain <= high and se > 0 and 0 <= stays <= 1
    findings = next(b for b in section.blocks if isinstance(b, Bullets)).items
    assert findings[0] == (
        "Robust: Informática is the first department to improve and stays in the top 5 in "
        "100% of the draws."
    )
    assert any(item.startswith("Tied within noise: ") for item in findings)


def test_html_report_holds_the_section(surveyed, tmp_path):
    from servicechain.report import html_report

    html = html_report(surveyed)
    assert "How sure are we?" in html
    assert "Robust: Informática is the first department to improve" in html

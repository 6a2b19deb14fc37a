"""The executive summary says which findings are robust when the scores carry standard errors:
the company's interval, whether the weakest segment is the weakest beyond the noise, and how
often the first fix is the first; each number traced to the results the commands print."""

from __future__ import annotations

import numpy as np
import pytest

from servicechain import Chain, load
from servicechain.flow import intervals, ranked_with_stability
from servicechain.report.robust import first_fix_shares, robust_summary
from servicechain.report.sections import build_document
from servicechain.report.summary import Summary

from .conftest import SAPATARIA


def _summary(chain) -> dict:
    section = build_document(chain).sections[0]
    assert section.title == "Executive summary"
    return {title: (text, items) for title, text, items in section.blocks[0].items}


def test_summary_of_the_surveyed_model_says_which_findings_are_robust(surveyed):
    found = _summary(surveyed)
    titles = list(found)
    assert titles.index("Survey noise") == titles.index("Fix first") + 1
    text, items = found["Survey noise"]
    assert text == (
        "16 scores come from surveys with a standard error; with their noise (500 drawn "
        "models, each solved exactly):"
    )
    result = intervals(surveyed)
    z = result.z
    low = 1 + 4 * (result.company - z * result.company_se)
    high = 1 + 4 * (result.company + z * result.company_se)
    assert items[0] == (
        f"Customer quality: {1 + 4 * result.company:.2f}, between {low:.2f} and {high:.2f} "
        "(90% interval)."
    )
    assert (
        items[1] == "Weakest segment: Compradores online is the weakest beyond the noise: robust."
    )
    # the first fix's share, from the draws the report's stability section shows
    ranked = ranked_with_stability(surveyed, top=5, draws=500)
    shares = first_fix_shares(ranked.stability)
    it, handoff = shares["it"], shares[("expedicao", "compradores_online")]
    assert 0.5 < it < 0.95 and it + handoff == pytest.approx(1.0)
    assert items[2] == (
        f"Fix first: Informática is the first fix in only {it:.0%} of the draws, the hand-off "
        f"Expedição e devoluções → Compradores online in {handoff:.0%}: tied within noise, not "
        "robust."
    )


def test_first_fix_share_counts_the_draws_where_its_gain_is_the_largest(surveyed):
    ranked = ranked_with_stability(surveyed, top=5, draws=300, seed=3)
    stable = ranked.stability
    rows = [*stable.departments, *stable.services]
    gains = np.vstack([r.values for r in rows])
    # every draw's largest gain is among the top rows here, so the shares add up to 1
    assert np.allclose(gains.max(axis=0), np.maximum(*stable.best.values()))
    shares = first_fix_shares(stable)
    leader = gains.argmax(axis=0)
    for t, row in enumerate(rows):
        assert shares[row.node] == pytest.approx((leader == t).mean())


def test_a_clear_first_fix_is_robust_and_close_segments_are_tied():
    chain = Chain.from_dict(
        {
            "name": "Three suppliers",
            "departments": [
                {"id": "a", "name": "Alfa", "quality": 0.2, "quality_se": 0.01, "dependence": 0},
                {"id": "b", "name": "Beta", "quality": 0.6, "quality_se": 0.05, "dependence": 0},
            ],
            "segments": [
                {"id": "s", "name": "Shops", "kind": "consumer", "relationship": "client"},
                {
                    "id": "t",
                    "name": "Trade",
                    "kind": "business",
                    "relationship": "client",
                    "dependence": 0.5,
                    "baseline": 0.39,
                    "quality_se": 0.05,
                },
            ],
            "services": [
                {"from": "a", "to": "s"},
                {"from": "b", "to": "s"},
                {"from": "a", "to": "t"},
                {"from": "b", "to": "t"},
            ],
        }
    )
    ranked = ranked_with_stability(chain, top=5, draws=200)
    found = robust_summary(
        chain, Summary([], fmt=".2f"), result=intervals(chain), ranked=ranked
    ).findings[0]
    assert found.key == "robust"
    assert found.items[1].startswith("Weakest segment: Trade and Shops are tied within noise")
    assert found.items[1].endswith(": not robust.")
    assert found.items[2] == "Fix first: Alfa is the first fix in 100% of the draws: robust."


def test_no_robustness_finding_without_standard_errors():
    found = _summary(load(SAPATARIA))
    assert "Survey noise" not in found


def test_html_report_summary_holds_the_robustness(surveyed):
    from servicechain.report import html_report

    html = html_report(surveyed)
    summary = html[html.index("Executive summary") : html.index("How sure are we?</h2>")]
    assert "Survey noise." in summary
    assert "Informática is the first fix in only" in summary

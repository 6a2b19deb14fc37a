"""Charts of the quality flow: every kind on every bundled example, and the plot command."""

from __future__ import annotations

from pathlib import Path

import pytest

import servicechain
from servicechain.cli import main
from servicechain.draw.charts import KINDS, plot
from servicechain.draw.render import DrawError

HERE = Path(__file__).resolve().parent
SAPATARIA = HERE.parent / "models" / "sapataria.yaml"
SCENARIOS = HERE / "data" / "draw" / "sapataria-whatif.yaml"


def _first_segment(chain):
    return next(n for n, k in chain.graph.nodes(data="kind") if k == "segment")


@pytest.mark.parametrize("kind", ["waterfall", "tornado", "ipa", "heatmap"])
def test_every_chart_on_every_example(example, kind, tmp_path):
    chain = servicechain.load(example)
    chart = plot(chain, kind, segment=_first_segment(chain) if kind == "waterfall" else None)
    ax = chart.ax
    assert ax.get_title() and (ax.get_xlabel() or kind == "heatmap")
    assert ax.patches or ax.collections or ax.images
    chart.save(tmp_path / "chart.png")
    assert (tmp_path / "chart.png").stat().st_size > 1000


def test_waterfall_bars_add_up_to_the_delivered_score():
    chain = servicechain.load(SAPATARIA)
    chart = plot(chain, "waterfall", segment="compradores_online")
    bars = chart.ax.patches
    lo, hi = chain.model.scale.min, chain.model.scale.max
    assert (bars[0].get_x(), bars[0].get_x() + bars[0].get_width()) == (lo, hi)
    delivered = bars[-1].get_x() + bars[-1].get_width()
    assert bars[-1].get_x() == lo
    level = hi
    for bar in bars[1:-1]:  # gap tracing: every bar a loss, starting where the last one ended
        x, width = bar.get_x(), bar.get_width()
        assert width >= 0 and x + width == pytest.approx(level, abs=1e-9)
        level -= width
    assert level == pytest.approx(delivered, abs=1e-9)
    assert lo < delivered < hi


def test_waterfall_shows_the_terms_and_remainder_of_the_report_table():
    from servicechain.flow.explain import SHOWN_TERMS

    chain = servicechain.load(SAPATARIA)
    breakdown = chain.explain("compradores_online")
    chart = plot(chain, "waterfall", segment="compradores_online")
    labels = [t.get_text() for t in chart.ax.get_yticklabels()]
    count, rest, label = breakdown.remainder(SHOWN_TERMS)
    assert count > 0 and len(labels) == 1 + SHOWN_TERMS + 1 + 1
    assert labels[-2] == label == f"{count} smaller terms"
    span = chain.model.scale.max - chain.model.scale.min
    widths = [b.get_width() for b in chart.ax.patches[1:-1]]
    expected = [t.value * span for t in breakdown.terms[:SHOWN_TERMS]] + [rest * span]
    assert widths == pytest.approx(expected, abs=1e-12)


def test_waterfall_axis_stops_at_the_top_of_the_scale(example):
    chain = servicechain.load(example)
    hi = chain.model.scale.max
    ax = plot(chain, "waterfall", segment=_first_segment(chain)).ax
    ticks = ax.get_xticks()
    assert max(ticks) <= hi + 1e-9 and ax.get_xlim()[1] > hi  # room for labels, no ticks there
    assert ax.spines["bottom"].get_bounds()[1] == hi


def test_tornado_is_sorted_largest_first():
    chart = plot(servicechain.load(SAPATARIA), "tornado")
    widths = [b.get_width() for b in chart.ax.patches]
    assert widths == sorted(widths)  # drawn bottom-up, so the largest is on top


def test_ipa_names_the_quadrants():
    chart = plot(servicechain.load(SAPATARIA), "ipa")
    texts = {t.get_text() for t in chart.ax.texts}
    assert {"concentrate here", "keep up the good work", "low priority", "possible overkill"} <= (
        texts
    )
    assert "Informática" in texts


def test_whatif_bars_per_segment_and_scenario(tmp_path):
    chain = servicechain.load(SAPATARIA)
    chart = plot(chain, "whatif", scenario=SCENARIOS)
    segments = sum(1 for _, k in chain.graph.nodes(data="kind") if k == "segment")
    assert len(chart.ax.patches) == segments * 3  # today and two scenarios


@pytest.mark.parametrize("fmt", ["svg", "pdf", "png"])
def test_charts_are_deterministic(fmt, tmp_path):
    for name in ("a", "b"):
        plot(servicechain.load(SAPATARIA), "ipa").save(tmp_path / f"{name}.{fmt}")
    assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()


def test_unknown_kind_and_missing_segment():
    chain = servicechain.load(SAPATARIA)
    with pytest.raises(DrawError, match="unknown chart 'tornada'"):
        plot(chain, "tornada")
    with pytest.raises(DrawError, match="needs a segment"):
        plot(chain, "waterfall")
    assert set(KINDS) == {"waterfall", "tornado", "ipa", "heatmap", "whatif"}


def test_plot_command(runner, tmp_path):
    out = tmp_path / "gap.svg"
    args = ["plot", str(SAPATARIA), "waterfall", "--segment", "clube", "-o", str(out)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == f"Wrote {out}\n"
    out = tmp_path / "whatif.pdf"
    args = ["plot", str(SAPATARIA), "whatif", "--scenario", str(SCENARIOS), "-o", str(out)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0 and out.read_bytes()[:4] == b"%PDF"


def test_plot_command_errors(runner, tmp_path):
    out = str(tmp_path / "x.svg")
    result = runner.invoke(main, ["plot", str(SAPATARIA), "waterfall", "-o", out])
    assert result.exit_code == 2
    assert "Error: the waterfall chart needs --segment SEGMENT" in result.stderr
    args = ["plot", str(SAPATARIA), "waterfall", "--segment", "clbue", "-o", out]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--segment': 'clbue' names no segment; did you mean 'clube'?\n"
    )
    assert not Path(out).exists()


def _boxes_overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_ipa_labels_overlap_nothing_and_unrated_points_are_hollow(example):
    """Every label of the quadrant chart stays inside the axes, clear of every other label,
    every point, the quadrant names and the dashed mean lines; unrated departments (counted as
    perfect) are drawn hollow with a grey label, and the axis says so."""
    import numpy as np
    from matplotlib.colors import to_hex

    chain = servicechain.load(example)
    chart = plot(chain, "ipa")
    ax = chart.ax
    renderer = chart.figure.canvas.get_renderer()
    corners = {"concentrate here", "keep up the good work", "low priority", "possible overkill"}
    texts = [t for t in ax.texts if t.get_text().strip()]
    labels = [t for t in texts if t.get_text() not in corners]
    boxes = [t.get_window_extent(renderer) for t in labels]
    fixed = [t.get_window_extent(renderer) for t in texts if t.get_text() in corners]
    frame = ax.get_window_extent(renderer)
    dots = np.vstack([ax.transData.transform(c.get_offsets()) for c in ax.collections])
    assert len(labels) == len(dots)
    means = [line.get_transform().transform(line.get_xydata()) for line in ax.lines[:2]]
    mean_x, mean_y = means[0][0][0], means[1][0][1]
    for k, box in enumerate(boxes):
        name = labels[k].get_text()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, name
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, name
        assert not any(_boxes_overlap(box, other) for other in boxes[k + 1 :]), name
        assert not any(_boxes_overlap(box, corner) for corner in fixed), name
        assert not any(box.x0 < x < box.x1 and box.y0 < y < box.y1 for x, y in dots), name
        assert not box.x0 < mean_x < box.x1 and not box.y0 < mean_y < box.y1, name
    net = chain.network
    unrated = {
        net.names[k] for k in range(len(net.ids)) if net.kind[k] == 0 and np.isnan(net.own[k])
    }
    grey = {t.get_text() for t in labels if to_hex(t.get_color()) == "#6b7580"}
    assert grey == unrated & {t.get_text() for t in labels}
    hollow = [c for c in ax.collections if to_hex(c.get_facecolor()[0]) == "#ffffff"]
    assert sum(len(c.get_offsets()) for c in hollow) == len(grey)
    assert ("hollow points: not rated" in ax.get_xlabel()) == bool(grey)


def test_a_remainder_of_thousands_of_terms_is_counted_with_separators():
    from servicechain import Chain
    from servicechain.samples.generate import generate

    chain = Chain.from_dict(generate(1000, segments=3, seed=2))
    segment = _first_segment(chain)
    breakdown = chain.explain(segment)
    count, _, label = breakdown.remainder(5)
    assert count >= 1000  # a thousand departments leave thousands of smaller terms
    assert label == f"{count:,} smaller terms" and "," in label

"""Charts of the quality flow: gap waterfall, sensitivity tornado, importance-performance
quadrant, department × segment influence heat map and what-if before/after bars."""

from __future__ import annotations

import warnings
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..text import number
from .fonts import font_families
from .pointlabels import place_point_labels
from .problems import DrawError
from .saving import SavedFigure
from .text import label_lines, text_width

__all__ = ["KINDS", "Chart", "plot"]

KINDS = ("waterfall", "tornado", "ipa", "heatmap", "whatif")
_LOSS, _GAIN, _TOTAL, _NEUTRAL = "#c44e52", "#4c72b0", "#6b7580", "#9aa3ad"
_OUTSIDE = "#dd8452"
_TOP = 14
#: The quadrant chart names this many of its most important points; the rest stay dots.
_IPA_NAMES = 40
#: ... of which this many are named even where no clear place is left.
_IPA_SURE = 15
#: A quadrant chart of more points draws them as a picture within the SVG or PDF.
_IPA_VECTOR_POINTS = 2000


@dataclass(repr=False)
class Chart(SavedFigure):
    """A chart: its figure and axes; ``save(path)`` writes SVG, PNG or PDF."""

    figure: Figure
    ax: Axes
    kind: str
    families: list = field(default_factory=list)


def _short(text: str, width: float = 26) -> str:
    return "\n".join(label_lines(text, max_em=width * 0.58, max_lines=2))


_CHARACTERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _name_characters(net) -> str:
    """Every character of the network's names once (what the fonts must hold), found once
    per network: a report draws a dozen charts of a model of 100,000 names."""
    found = _CHARACTERS.get(net)
    if found is None:
        found = _CHARACTERS[net] = "".join(dict.fromkeys("".join(net.names)))
    return found


_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _names(chain) -> dict:
    """Each node's name by id, made once per network (read only)."""
    net = chain.network
    found = _NAMES.get(net)
    if found is None:
        found = _NAMES[net] = dict(zip(net.ids, net.names, strict=True))
    return found


def _term_label(names: dict, node) -> str:
    if isinstance(node, tuple):
        return f"{names.get(node[0], node[0])} → {names.get(node[1], node[1])}"
    return names.get(node, node)


def _waterfall(
    chain,
    ax: Axes,
    *,
    segment: str | None,
    top: int | None = None,
    breakdown: Any = None,
    **_: Any,
) -> str:
    """Gap tracing of one segment: the largest terms, then one labelled remainder, exactly as
    the report's table shows them (``SHOWN_TERMS`` by default)."""
    from ..flow.explain import SHOWN_TERMS, explain

    if segment is None:
        raise DrawError("the waterfall chart needs a segment: pass --segment SEGMENT")
    lo, hi = chain.network.scale.min, chain.network.scale.max
    span = hi - lo
    if breakdown is None or (breakdown.segment, breakdown.method) != (segment, "tracing"):
        breakdown = explain(chain, segment)
    count = SHOWN_TERMS if top is None else top
    names = _names(chain)
    shown = breakdown.terms[:count]
    hidden, rest, rest_label = breakdown.remainder(len(shown))
    labels = [f"Perfect ({hi:g})"]
    starts, heights, colours = [0.0], [hi], [_TOTAL]
    level = hi
    what = {"own": "own shortfall", "service": "hand-off", "outside": "outside the chain"}
    for term in shown:
        drop = term.value * span
        if term.kind == "outside":
            text = f"{names[segment]}: {what['outside']} (price, product ...)"
        else:
            text = f"{_term_label(names, term.node)} ({what[term.kind]})"
        labels.append(_short(text, 34))
        starts.append(level - drop)
        heights.append(drop)
        colours.append(_LOSS if term.kind != "outside" else _OUTSIDE)
        level -= drop
    if hidden:
        drop = rest * span
        labels.append(rest_label)
        starts.append(level - drop)
        heights.append(drop)
        colours.append(_NEUTRAL)
        level -= drop
    score = lo + breakdown.quality * span
    labels.append(f"Delivered ({score:.2f})")
    starts.append(lo)
    heights.append(score - lo)
    colours.append(_TOTAL)
    starts[0], heights[0] = lo, hi - lo
    y = np.arange(len(labels))
    ax.barh(y, heights, left=starts, color=colours, height=0.62)
    for i in range(1, len(labels) - 1):
        ax.text(
            starts[i] + heights[i] + span * 0.005,
            y[i],
            f"−{heights[i]:.2f} ({heights[i] / (breakdown.gap * span):.0%})"
            if breakdown.gap > 0
            else f"−{heights[i]:.2f}",
            va="center",
            fontsize=7,
            color="#333333",
        )
    ax.set_yticks(y, labels, fontsize=7.5)
    ax.invert_yaxis()
    # Zoomed on the gap (the first and last bars run on to the left edge of the scale).
    left = max(lo, score - 0.6 * (hi - score)) if score < hi else lo
    ax.set_xlim(left, hi + (hi - left) * 0.14)
    # The room right of the scale is for the bar labels: no ticks or axis line past its top.
    ax.set_xticks([t for t in ax.get_xticks() if left - 1e-9 <= t <= hi + 1e-9])
    ax.spines["bottom"].set_bounds(left, hi)
    ax.set_xlabel(f"satisfaction (scale {lo:g}–{hi:g}); each bar is one part of the gap")
    ax.axvline(score, color=_TOTAL, linewidth=0.8, linestyle=":")
    from matplotlib.patches import Patch

    handles = [Patch(color=_LOSS, label="inside the chain (own shortfall or hand-off)")]
    if any(t.kind == "outside" for t in shown):
        handles.append(Patch(color=_OUTSIDE, label="outside the chain (price, product ...)"))
    if hidden:
        handles.append(Patch(color=_NEUTRAL, label="smaller terms together"))
    handles.append(Patch(color=_TOTAL, label="perfect and delivered score"))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.09),
        ncol=2,
        fontsize=7,
        frameon=False,
    )
    return f"Where the gap of {names[segment]} comes from"


def _tornado(chain, ax: Axes, *, segment: str | None, **_: Any) -> str:
    from ..flow import rank

    names = _names(chain)
    ranking = rank(chain, segment=segment, by="importance")
    rows = sorted([*ranking.departments, *ranking.services], key=lambda r: -r.importance)
    rows = rows[:_TOP][::-1]
    labels = [
        _short(
            ("own quality of " if r.kind == "department" else "service ")
            + _term_label(names, r.node),
            40,
        )
        for r in rows
    ]
    values = [r.importance for r in rows]
    colours = [_GAIN if r.kind == "department" else "#dd8452" for r in rows]
    y = np.arange(len(rows))
    ax.barh(y, values, color=colours, height=0.62)
    for i, v in enumerate(values):
        ax.text(v, y[i], f" {v:.3f}", va="center", fontsize=7)
    ax.set_yticks(y, labels, fontsize=7.5)
    ax.set_xlim(0, max(values, default=1) * 1.15 or 1)
    target = names[segment] if segment else "the company (value-weighted)"
    ax.set_xlabel(f"points of {target} quality per point of input (same scale)")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=_GAIN, label="department's own quality"),
            Patch(color="#dd8452", label="service rating"),
        ],
        loc="lower right",
        fontsize=7,
        frameon=False,
    )
    return "Sensitivities, largest first" + (f": {names[segment]}" if segment else "")


def _ipa(chain, ax: Axes, *, segment: str | None, **_: Any) -> str:
    """Importance against performance of the departments and partners with an effect, split
    at the same means as ``rank`` prints (items of structurally zero importance left out)."""
    from ..flow import rank

    lo, hi = chain.network.scale.min, chain.network.scale.max
    span = hi - lo
    names = _names(chain)
    ranking = rank(chain, segment=segment, by="importance", exact=0)
    # the rows' numbers from the ranking's columns, in its order (no row object per point)
    columns = ranking.columns["departments"]
    order = columns.order[columns.quadrant[columns.order] != ""]
    if not len(order):
        raise DrawError("no department reaches a customer: the quadrant chart has nothing to show")
    split = ranking.splits["departments"]
    nodes = columns.ends.second[order]  # positions of the points' nodes in the network
    x = lo + columns.performance[order] * span
    y = columns.importance[order]
    mx, my = lo + split.performance * span, split.importance
    net = chain.network
    unrated = np.isnan(net.own[nodes])
    # thousands of points are drawn as one picture inside an SVG or PDF (a marker each
    # would make a file of megabytes that a viewer draws slowly)
    many = dict(rasterized=True) if len(x) > _IPA_VECTOR_POINTS else {}
    ax.scatter(x[~unrated], y[~unrated], s=28, color=_GAIN, zorder=3, **many)
    if unrated.any():  # counted as perfect, drawn hollow so they never pass for the best
        ax.scatter(
            x[unrated], y[unrated], s=28, facecolors="white", edgecolors=_NEUTRAL, zorder=3, **many
        )
    xpad = max((x.max() - x.min()) * 0.12, span * 0.03)
    ypad = max((y.max() - y.min()) * 0.12, 1e-3)
    x0, x1, y0, y1 = x.min() - xpad, x.max() + xpad, min(0, y.min() - ypad), y.max() + ypad
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.axvline(mx, color=_TOTAL, linewidth=0.8, linestyle="--")
    ax.axhline(my, color=_TOTAL, linewidth=0.8, linestyle="--")
    corner = dict(fontsize=8, color="#5b6570", style="italic", alpha=0.9)
    ax.text(x0 + xpad * 0.1, y1 - ypad * 0.1, "concentrate here", va="top", **corner)
    ax.text(
        x1 - xpad * 0.1, y1 - ypad * 0.1, "keep up the good work", va="top", ha="right", **corner
    )
    ax.text(x0 + xpad * 0.1, y0 + ypad * 0.1, "low priority", va="bottom", **corner)
    ax.text(
        x1 - xpad * 0.1, y0 + ypad * 0.1, "possible overkill", va="bottom", ha="right", **corner
    )
    hollow = f"\nhollow points: not rated, counted as {hi:g}" if unrated.any() else ""
    ax.set_xlabel(
        f"performance: own quality (scale {lo:g}–{hi:g}); dashed lines: means, "
        f"score {mx:.2f} and importance {my:.3f}{hollow}"
    )
    target = names[segment] if segment else "company quality"
    ax.set_ylabel(f"importance: points of {target} per point")
    left = split.total - split.items
    note = f" ({left} without effect left out)" if left else ""
    order = np.argsort(-y, kind="stable")  # the most important get the nearest places
    named, rest = order[:_IPA_NAMES], order[_IPA_NAMES:]
    if len(rest):
        ax.set_xlabel(
            ax.get_xlabel()
            + f"\nnames of the most important (up to {_IPA_NAMES}) of {len(order):,}"
        )

    def finish() -> None:
        labels = [net.names[i] for i in nodes[named].tolist()]
        placed = place_point_labels(
            ax, labels, x[named], y[named], avoid=(x[rest], y[rest]), required=_IPA_SURE
        )
        grey = {net.names[nodes[i]] for i in named if unrated[i]}
        for label in placed:
            if label.text in grey:
                label.artist.set_color(_TOTAL)

    return "Importance and performance of the departments" + note, finish


def _heatmap(chain, ax: Axes, **_: Any) -> str:
    from ..flow import influence

    names = _names(chain)
    matrix, deps, segs = influence(chain)
    if not segs:
        raise DrawError("the heat map needs at least one segment in the model")
    order = np.argsort(-matrix.sum(axis=1), kind="stable")
    matrix, deps = matrix[order], [deps[i] for i in order]
    image = ax.imshow(matrix, cmap="YlOrBr", aspect="auto", vmin=0)
    top = matrix.max() or 1
    for (i, j), v in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            f"{v:.2f}",
            ha="center",
            va="center",
            fontsize=6.5,
            color="white" if v > top * 0.6 else "#222222",
        )
    ax.set_xticks(range(len(segs)), [_short(names[s], 18) for s in segs], fontsize=7)
    ax.set_yticks(
        range(len(deps)), [_short(names[d], 30).replace("\n", " ") for d in deps], fontsize=7
    )
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label("points of segment quality per point of own quality", fontsize=7)
    bar.ax.tick_params(labelsize=7)
    return "Influence of each department on each segment"


def _whatif(chain, ax: Axes, *, scenario: Any = None, **_: Any) -> str:
    from ..flow import compare
    from ..io.scenario import read_scenarios

    if scenario is None:
        raise DrawError("the what-if chart needs a scenario file: pass --scenario FILE")
    scenarios = scenario if isinstance(scenario, dict) else read_scenarios(scenario)
    comparison = compare(chain, scenarios)
    impacts = list(comparison.impacts.values())
    if not impacts:
        raise DrawError("the scenario file holds no scenarios")
    lo, hi = chain.network.scale.min, chain.network.scale.max
    span = hi - lo
    first = impacts[0]
    segs = first.segments()
    n = len(impacts) + 1
    width = 0.8 / n
    x = np.arange(len(segs))
    before = [lo + first.before[i] * span for i in segs]
    ax.bar(x - 0.4 + width / 2, before, width, color=_NEUTRAL, label="today")
    palette = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"]
    for s, imp in enumerate(impacts):
        after = [lo + imp.after[i] * span for i in segs]
        ax.bar(
            x - 0.4 + width * (s + 1.5),
            after,
            width,
            color=palette[s % len(palette)],
            label=_short(imp.name, 30).replace("\n", " "),
        )
        for xi, a, b in zip(x, after, before, strict=True):
            ax.text(
                xi - 0.4 + width * (s + 1.5),
                a,
                number(a - b, "+.2f"),
                ha="center",
                va="bottom",
                fontsize=6,
            )
    ax.set_xticks(x, [_short(first.names[i], 18) for i in segs], fontsize=7)
    ax.set_ylim(lo, hi + span * 0.08)
    ax.set_ylabel(f"satisfaction (scale {lo:g}–{hi:g})")
    ax.legend(fontsize=7, frameon=False, loc="upper left", ncol=min(n, 4))
    return "What-if: satisfaction per segment before and after"


_MAKERS = {
    "waterfall": _waterfall,
    "tornado": _tornado,
    "ipa": _ipa,
    "heatmap": _heatmap,
    "whatif": _whatif,
}
_SIZES = {
    "waterfall": (8.0, 6.0),
    "tornado": (8.0, 6.0),
    "ipa": (8.0, 6.5),
    "heatmap": None,
    "whatif": (8.0, 5.0),
}


def plot(
    chain,
    kind: str,
    *,
    ax: Axes | None = None,
    segment: str | None = None,
    scenario: Any = None,
    title: str | None = None,
    size: tuple[float, float] | None = None,
    dpi: float = 150,
    font: str | None = None,
    breakdown: Any = None,
) -> Chart:
    """Draw one chart of the quality flow.

    Parameters
    ----------
    chain : Chain
        A loaded model.
    kind : {"waterfall", "tornado", "ipa", "heatmap", "whatif"}
        ``waterfall``: a segment's gap from a perfect score down to the delivered one, term by
        term (needs ``segment``); ``tornado``: sensitivities, largest first; ``ipa``:
        importance against performance of each department, with the four quadrants;
        ``heatmap``: influence of each department on each segment; ``whatif``: satisfaction
        per segment before and after each scenario (needs ``scenario``).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default a new :class:`~matplotlib.figure.Figure`.
    segment : str, optional
        The segment of a waterfall; for tornado and ipa, one segment instead of the company.
    scenario : path or dict, optional
        Scenario file (or the dict :func:`~servicechain.flow.read_scenarios` returns).
    title, size, dpi, font : optional
        Title (default one naming the chart), size in inches, PNG resolution, first font.
    breakdown : Breakdown, optional
        For a waterfall: the segment's gap tracing (:func:`~servicechain.flow.explain`)
        when it is already made.

    Returns
    -------
    Chart

    Raises
    ------
    DrawError
        For an unknown kind or a missing segment or scenario.

    Examples
    --------
    >>> from servicechain import load
    >>> from servicechain.samples.examples import example_path
    >>> chart = plot(load(example_path("flowershop")), "heatmap")
    >>> chart.kind
    'heatmap'
    """
    if kind not in _MAKERS:
        from ..errors import did_you_mean

        hint = did_you_mean(kind, KINDS, what="chart")
        raise DrawError(f"unknown chart {kind!r}; " + (hint or f"use one of {', '.join(KINDS)}"))
    net = chain.network
    families = font_families([_name_characters(net), title or "", chain.name], font=font)
    with rc_context({"font.family": families, "svg.hashsalt": "servicechain"}):
        own = ax is None
        if own:
            default = _SIZES[kind]
            if default is None:
                deps = int(np.count_nonzero(net.kind == 0))
                segs = int(np.count_nonzero(net.kind == 2))
                default = (max(6.0, 3.2 + 1.0 * segs), max(4.0, 1.6 + 0.28 * deps))
            figure = Figure(figsize=size or default, dpi=dpi, layout="constrained")
            FigureCanvasAgg(figure)
            ax = figure.add_subplot()
        else:
            figure = ax.figure
        made = _MAKERS[kind](chain, ax, segment=segment, scenario=scenario, breakdown=breakdown)
        # A maker may return a step to run once the title is set and the layout is final.
        heading, finish = made if isinstance(made, tuple) else (made, None)
        full = title if title is not None else f"{heading} — {chain.name}"
        if title is None and text_width(full) * 10 / 72 > figure.get_figwidth() * 0.6:
            full = f"{heading}\n{chain.name}"  # a long title would run past the figure
        ax.set_title(full, fontsize=10)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if finish is not None:
            # Missing glyphs are reported once, named and sanitised, by font_families.
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Glyph .* missing")
                figure.draw_without_rendering()
                if own:
                    figure.set_layout_engine("none")  # keep the places measured for labels
                finish()
    return Chart(figure=figure, ax=ax, kind=kind, families=families)

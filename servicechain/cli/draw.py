"""Drawing commands: the chain diagram (draw) and charts of the quality flow (plot)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click

from ..errors import ServiceChainError, UnknownNodeError
from ._common import (
    echo_drawing_warnings,
    group_option,
    load_chain,
    model_argument,
    output_option,
    reraise,
)

__all__ = ["COMMANDS"]

SUFFIXES = (".svg", ".png", ".pdf")
#: Named pages of ``draw --size`` (kept here so that --help does not import matplotlib).
PAGES = ("slide", "a4", "a4-portrait")


def _size(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None
    try:
        w, h = (float(part) for part in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a size; give WIDTHxHEIGHT in inches, such as 12x8"
        ) from None
    if w <= 0 or h <= 0:
        raise click.BadParameter(f"{value!r}: width and height must be positive")
    return (w, h)


def _page(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None or value.lower() in PAGES:
        return None if value is None else value.lower()
    try:
        return _size(ctx, param, value)
    except click.BadParameter:
        raise click.BadParameter(
            f"{value!r} is not a page; give slide, a4, a4-portrait or WIDTHxHEIGHT in inches, "
            "such as 16x9"
        ) from None


def _threshold(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None
    text = value.strip()
    try:
        number = float(text.removesuffix("%"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a score; give one on the model's scale, such as 3.5, or a "
            "share of the scale, such as 70%"
        ) from None
    return ("share", number / 100) if text.endswith("%") else ("score", number)


_SIZE_HELP = "Figure size in inches, such as 12x8 (default: fitted to the content)."


def _figure_options(func: Callable, *, size_option=None) -> Callable:
    for option in reversed(
        [
            click.option("--title", help="Title above the figure (default: the model's name)."),
            size_option or click.option("--size", callback=_size, metavar="WxH", help=_SIZE_HELP),
            click.option(
                "--dpi",
                type=click.IntRange(min=20, max=1200),
                metavar="DPI",
                default=150,
                show_default=True,
                help="Resolution of PNG output.",
            ),
            click.option(
                "--font",
                metavar="FAMILY",
                help="Font family to use first (CJK fonts are added when needed).",
            ),
        ]
    ):
        func = option(func)
    return func


def _render_and_save(make: Callable[[], Any], output: Path, params: dict[str, str | None]) -> None:
    """Run one library call that returns a drawing, show its font warning once, save it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            drawing = make()
            drawing.save(output)
        except ServiceChainError as err:
            param = None
            if isinstance(err, UnknownNodeError):
                param = next((hint for hint, value in params.items() if value == err.node), None)
            raise reraise(err, param=param) from None
    echo_drawing_warnings(caught)
    click.echo(f"Wrote {output}")


@click.command(short_help="Draw the chain diagram: back office left, customers right.")
@model_argument
@output_option(
    help="Image file to write: .svg, .png or .pdf. Replaced if it exists.", suffixes=SUFFIXES
)
@click.option(
    "--highlight",
    metavar="NODE",
    help="Outline NODE and show its chain of suppliers and customers; the rest is muted.",
)
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --highlight: follow the chain at most N hand-offs each way.",
)
@click.option(
    "--segment",
    metavar="SEGMENT",
    help="Draw only what reaches this segment, at its places in the full diagram.",
)
@group_option("Roll departments up into one box per group (for large models).")
@click.option(
    "--color",
    "color",
    type=click.Choice(["quality", "importance", "none"]),
    default="quality",
    show_default=True,
    help="Colour boxes and arrows by delivered quality, by importance, or not at all.",
)
@click.option(
    "--threshold",
    callback=_threshold,
    metavar="SCORE",
    help="Where quality colours turn from red to blue: a score on the model's scale, or a "
    "share of the scale such as 60%.  [default: 70%]",
)
@click.option(
    "--labels",
    type=click.Choice(["ratings", "interval"]),
    help="ratings: each rated service's rating on its arrow; interval: each box's 90% interval "
    "from the scores' standard errors (quality_se) beside its score.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Draw even when there are more boxes than a slide holds (about 60).",
)
@click.option(
    "--relayout",
    is_flag=True,
    help="Lay every box out afresh, ignoring the positions pinned in the model's layout.",
)
@partial(
    _figure_options,
    size_option=click.option(
        "--size",
        callback=_page,
        metavar="PAGE",
        help="slide (16:9, the default), a4, a4-portrait, or WxH in inches such as 16x9.",
    ),
)
def draw(
    model_path: Path,
    max_bytes: int,
    output: Path,
    highlight: str | None,
    depth: int | None,
    segment: str | None,
    group_by: str | None,
    color: str,
    threshold: tuple | None,
    labels: str | None,
    force: bool,
    relayout: bool,
    title: str | None,
    size,
    dpi: int,
    font: str | None,
) -> None:
    """Draw the chain of MODEL for a slide: departments left to right by distance to the
    customer, partners outside the company on the left, segments on the right behind the
    line of visibility. Each box shows its delivered score; box colour = delivered quality,
    arrow colour = service rating (red below the threshold, blue above; hatched boxes and
    dashed arrows have no score of their own), arrow width = reliance. Boxes the model pins
    (its layout, from `servicechain import FILE.drawio --into`) stay where they were put.

    \b
    Examples:
      servicechain draw models/sapataria.yaml -o chain.svg
      servicechain draw models/sapataria.yaml -o it.png --highlight it --depth 2
      servicechain draw models/hospital.yaml -o gps.pdf --segment gps --labels ratings
      servicechain draw models/hospital.yaml -o groups.svg --by-group --size a4
      servicechain draw tests/data/drawio/shop-pinned.yaml -o shop.svg --relayout
    """
    if depth is not None and highlight is None:
        raise click.UsageError("--depth needs --highlight NODE")
    chain = load_chain(model_path, max_bytes)
    from ..draw.diagram import draw_chain

    score = None
    if threshold is not None:
        lo, hi = chain.model.scale.min, chain.model.scale.max
        kind, number = threshold
        score = lo + number * (hi - lo) if kind == "share" else number
        if not lo < score < hi:
            shown = f"{number * 100:g}%" if kind == "share" else f"{number:g}"
            raise click.BadParameter(
                f"{shown} is not inside the model's scale ({lo:g} to {hi:g})",
                param_hint="'--threshold'",
            )
    _render_and_save(
        lambda: draw_chain(
            chain,
            highlight=highlight,
            depth=depth,
            segment=segment,
            group_by=group_by,
            color=color,
            threshold=score,
            labels=labels,
            force=force,
            relayout=relayout,
            title=title,
            size=size,
            dpi=dpi,
            font=font,
        ),
        output,
        {"'--highlight'": highlight, "'--segment'": segment},
    )


@click.command(short_help="Chart the quality flow: waterfall, tornado, ipa, heatmap, whatif.")
@model_argument
@click.argument("kind", type=click.Choice(["waterfall", "tornado", "ipa", "heatmap", "whatif"]))
@output_option(
    help="Image file to write: .svg, .png or .pdf. Replaced if it exists.", suffixes=SUFFIXES
)
@click.option(
    "--segment",
    metavar="SEGMENT",
    help="waterfall: the segment whose gap to break down (required); tornado, ipa: one "
    "segment instead of the value-weighted company.",
)
@click.option(
    "--scenario",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="whatif: the scenario file (YAML or JSON) to compare with today.",
)
@_figure_options
def plot(
    model_path: Path,
    max_bytes: int,
    kind: str,
    output: Path,
    segment: str | None,
    scenario: Path | None,
    title: str | None,
    size: tuple[float, float] | None,
    dpi: int,
    font: str | None,
) -> None:
    """Chart the quality flow of MODEL. KIND is one of: waterfall (a segment's gap, from a
    perfect score down to the delivered one), tornado (sensitivities, largest first), ipa
    (importance against performance, with quadrants), heatmap (department x segment
    influence), whatif (satisfaction per segment before and after each scenario).

    \b
    Examples:
      servicechain plot models/sapataria.yaml waterfall --segment clube -o gap.svg
      servicechain plot models/sapataria.yaml ipa -o priorities.png
      servicechain plot models/sapataria.yaml whatif --scenario models/scenarios/sapataria.yaml \\
          -o whatif.pdf
    """
    if kind == "waterfall" and segment is None:
        raise click.UsageError("the waterfall chart needs --segment SEGMENT")
    if kind == "whatif" and scenario is None:
        raise click.UsageError("the whatif chart needs --scenario FILE")
    chain = load_chain(model_path, max_bytes)
    from ..draw.charts import plot as make_chart

    _render_and_save(
        lambda: make_chart(
            chain,
            kind,
            segment=segment,
            scenario=scenario,
            title=title,
            size=size,
            dpi=dpi,
            font=font,
        ),
        output,
        {"'--segment'": segment},
    )


COMMANDS = [draw, plot]

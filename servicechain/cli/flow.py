"""Quality-flow commands: score, explain, impact, rank."""

from __future__ import annotations

from pathlib import Path

import click

from .. import flow
from ..errors import ServiceChainError
from ..io.scenario import read_scenarios
from ._common import echo_result, json_option, load_chain, model_argument, reraise, top_option

__all__ = ["COMMANDS"]


@click.command(short_help="Delivered quality of every segment, department and partner.")
@model_argument
@top_option()
@json_option
def score(model_path: Path, max_bytes: int, top: int | None, as_json: bool) -> None:
    """Show the delivered quality of every node of MODEL, segments first, on the model's own
    scale, with the company's value-weighted external quality and the assumptions made.

    A segment is weighted by its revenue, else its number of customers, else 1.

    \b
    Example:
      servicechain score models/sapataria.yaml
      servicechain score models/airline.yaml --json
      servicechain score big.json --top 20
    """
    chain = load_chain(model_path, max_bytes)
    try:
        result = flow.score(chain, top=top)
    except ServiceChainError as err:
        raise reraise(err) from None
    echo_result(result, as_json)


@click.command(short_help="Where a segment's gap to a perfect score comes from.")
@model_argument
@click.argument("segment")
@top_option()
@json_option
def explain(model_path: Path, max_bytes: int, segment: str, top: int | None, as_json: bool) -> None:
    """Split the gap of SEGMENT to a perfect score into each department's own shortfall and each
    hand-off's loss, largest first, with the share of the gap each takes.

    The terms add up to the gap exactly. A negative term is a hand-off rated above what its
    supplier delivers overall: it recovers part of the gap.

    \b
    Example:
      servicechain explain models/sapataria.yaml compradores_online --top 8
    """
    chain = load_chain(model_path, max_bytes)
    try:
        result = flow.explain(chain, segment, top=top)
    except ServiceChainError as err:
        raise reraise(err, param="SEGMENT") from None
    echo_result(result, as_json)


def _pairs(values: tuple[str, ...], option: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        key, sep, text = item.rpartition("=")
        try:
            if not sep or not key:
                raise ValueError
            out[key.strip()] = float(text)
        except ValueError:
            raise click.BadParameter(
                f"{item!r} is not NODE=NUMBER (e.g. it=4 or it->store=3.5)", param_hint=option
            ) from None
    return out


@click.command(short_help="What if a department or hand-off got better, worse, or failed?")
@model_argument
@click.option(
    "--set",
    "set_",
    multiple=True,
    metavar="NODE=VALUE",
    help="Own quality of a node, or SUPPLIER->CUSTOMER=VALUE for a service rating, "
    "on the model's scale. Repeatable.",
)
@click.option(
    "--weight",
    multiple=True,
    metavar="SUPPLIER->CUSTOMER=W",
    help="Weight of a service. Repeatable.",
)
@click.option(
    "--dependence",
    multiple=True,
    metavar="NODE=D",
    help="Dependence (0..1) of a department or segment. Repeatable.",
)
@click.option(
    "--fail",
    multiple=True,
    metavar="NODE",
    help="The department (or partner) delivers nothing: quality 0, every service 0. Repeatable.",
)
@click.option(
    "--scenario",
    "scenario_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML file of named scenarios, compared side by side.",
)
@json_option
def impact(
    model_path: Path,
    max_bytes: int,
    set_: tuple[str, ...],
    weight: tuple[str, ...],
    dependence: tuple[str, ...],
    fail: tuple[str, ...],
    scenario_file: Path | None,
    as_json: bool,
) -> None:
    """What if a department or hand-off got better, worse, or failed? Before, after and change
    of every segment and of the company (value-weighted), and the revenue change where a
    segment has revenue_elasticity.

    Quote arguments holding '->' in the shell. With --scenario FILE, the scenarios of FILE are
    compared side by side (see the README for the format).

    \b
    Examples:
      servicechain impact models/sapataria.yaml --set 'it->armazem=4' --set it=3.8
      servicechain impact models/sapataria.yaml --fail transportadora
      servicechain impact models/sapataria.yaml --scenario scenarios.yaml
    """
    changes = {
        "set": _pairs(set_, "--set"),
        "weight": _pairs(weight, "--weight"),
        "dependence": _pairs(dependence, "--dependence"),
        "fail": list(fail),
    }
    if scenario_file is not None and any(changes.values()):
        raise click.UsageError("give either --scenario or --set/--weight/--dependence/--fail")
    chain = load_chain(model_path, max_bytes)
    try:
        if scenario_file is not None:
            result = flow.compare(chain, read_scenarios(scenario_file))
        else:
            result = flow.impact(chain, **changes)
    except ServiceChainError as err:
        if scenario_file is not None:
            raise reraise(err) from None
        option = getattr(err, "field", None) or str(err).split(" ", 1)[0]
        hint = f"--{option}" if option in changes else "--set"
        raise click.BadParameter(str(err), param_hint=hint) from None
    echo_result(result, as_json)


@click.command(short_help="What to fix first: departments and services by opportunity.")
@model_argument
@click.option(
    "--segment",
    metavar="SEGMENT",
    default=None,
    help="Rank for this segment instead of the company.",
)
@click.option(
    "--by",
    type=click.Choice(flow.BY),
    default="opportunity",
    show_default=True,
    help="opportunity = importance × (1 - score); failure = drop if it delivered nothing.",
)
@top_option()
@json_option
def rank(
    model_path: Path, max_bytes: int, segment: str | None, by: str, top: int | None, as_json: bool
) -> None:
    """What to fix first: departments and services by importance (value-weighted
    sensitivity), score, opportunity, failure impact and importance-performance quadrant.

    \b
    Examples:
      servicechain rank models/sapataria.yaml --top 5
      servicechain rank models/sapataria.yaml --segment compradores_online --by failure
    """
    chain = load_chain(model_path, max_bytes)
    try:
        result = flow.rank(chain, segment=segment, by=by, top=top)
    except ServiceChainError as err:
        raise reraise(err, param="--segment") from None
    echo_result(result, as_json)


COMMANDS = [score, explain, impact, rank]

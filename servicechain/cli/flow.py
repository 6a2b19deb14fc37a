"""Quality-flow commands: score, explain, impact, rank."""

from __future__ import annotations

from pathlib import Path

import click

from .. import flow
from ..errors import ServiceChainError, UnknownNodeError
from ..io.scenario import read_scenarios
from ._common import (
    echo_result,
    json_option,
    load_chain,
    model_argument,
    parse_number,
    reraise,
    top_option,
)

__all__ = ["COMMANDS"]


def uncertainty_options(func):
    """``--uncertainty``, ``--level``, ``--draws N`` and ``--seed N``: intervals from the scores'
    standard errors (``quality_se``); passes them as one dict ``uncertainty`` (None without)."""
    import functools

    @click.option(
        "--uncertainty",
        is_flag=True,
        help="Intervals from the scores' standard errors (quality_se, as survey writes them).",
    )
    @click.option(
        "--level",
        type=click.FloatRange(0.5, 0.999),
        metavar="P",
        default=0.90,
        show_default=True,
        help="Level of the intervals, e.g. 0.95.",
    )
    @click.option(
        "--draws",
        type=click.IntRange(min=10, max=1_000_000),
        metavar="N",
        default=None,
        help="Monte Carlo draws of the scores within the scale, each drawn model solved exactly "
        "(the cap included), reported beside the delta method: score and explain add them as "
        "a check, rank also counts how often each top row stays in the top N [rank: 500].",
    )
    @click.option(
        "--seed",
        type=int,
        metavar="N",
        default=0,
        show_default=True,
        help="Seed of the draws: the same seed gives the same numbers.",
    )
    @functools.wraps(func)
    def wrapper(*args, uncertainty: bool, level: float, draws: int | None, seed: int, **kwargs):
        ctx = click.get_current_context()
        given = [
            f"--{name}"
            for name in ("level", "draws", "seed")
            if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
        ]
        if given and not uncertainty:
            raise click.UsageError(f"{' and '.join(given)} needs --uncertainty")
        options = {"level": level, "draws": draws, "seed": seed} if uncertainty else None
        return func(*args, uncertainty=options, **kwargs)

    return wrapper


@click.command(short_help="Delivered quality of every segment, department and partner.")
@model_argument
@top_option()
@uncertainty_options
@json_option
def score(
    model_path: Path, max_bytes: int, top: int | None, uncertainty: dict | None, as_json: bool
) -> None:
    """Show the delivered quality of every node of MODEL, segments first, on the model's own
    scale, with the company's value-weighted external quality and the assumptions made.

    A segment is weighted by its revenue, else its number of customers, else 1. With
    --uncertainty, every score gets its standard error and a 90% interval (--level) from the
    standard errors of the scores it is computed from (quality_se): the delta method with the
    exact sensitivities, and with --draws N a Monte Carlo check beside it.

    \b
    Example:
      servicechain score models/sapataria.yaml
      servicechain score models/airline.yaml --json
      servicechain score models/sapataria.yaml --uncertainty --draws 1000 --top 8
    """
    chain = load_chain(model_path, max_bytes)
    try:
        if uncertainty is not None:
            result = flow.intervals(
                chain,
                level=uncertainty["level"],
                draws=uncertainty["draws"] or 0,
                seed=uncertainty["seed"],
                top=top,
            )
        else:
            result = flow.score(chain, top=top)
    except ServiceChainError as err:
        raise reraise(err) from None
    echo_result(result, as_json)


@click.command(short_help="Where a segment's gap to a perfect score comes from.")
@model_argument
@click.argument("segment")
@click.option(
    "--method",
    type=click.Choice(flow.METHODS),
    default="tracing",
    show_default=True,
    help="tracing: every term >= 0, each supplier's gap followed upstream; marginal: the "
    "linearised breakdown, where a hand-off rated above its supplier gets a negative term.",
)
@top_option()
@uncertainty_options
@json_option
def explain(
    model_path: Path,
    max_bytes: int,
    segment: str,
    method: str,
    top: int | None,
    uncertainty: dict | None,
    as_json: bool,
) -> None:
    """Split the gap of SEGMENT to a perfect score into each department's own shortfall, each
    hand-off's loss and the part from outside the chain (price, product ...), largest first,
    with the share of the gap each takes.

    The terms are never negative and add up to the gap exactly: a supplier's gap is traced
    upstream in proportion to what its customers receive of it (gap tracing).

    With --uncertainty, the gap and each term get a standard error and a 90% interval
    (--level) by the delta method with the exact gradients, from the scores' quality_se;
    --draws N adds each term's interval over N drawn models, each traced exactly (--seed).

    \b
    Examples:
      servicechain explain models/sapataria.yaml compradores_online --top 8
      servicechain explain models/sapataria.yaml clube --method marginal
      servicechain explain models/sapataria.yaml passagem --top 5 --uncertainty --draws 200
    """
    chain = load_chain(model_path, max_bytes)
    try:
        if uncertainty is not None:
            result = flow.explain_intervals(
                chain,
                segment,
                top=top,
                method=method,
                level=uncertainty["level"],
                draws=uncertainty["draws"] or flow.EXPLAIN_DRAWS,
                seed=uncertainty["seed"],
            )
        else:
            result = flow.explain(chain, segment, top=top, method=method)
    except ServiceChainError as err:
        raise reraise(err, param="SEGMENT") from None
    echo_result(result, as_json)


def _pairs(values: tuple[str, ...], option: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        key, sep, text = item.rpartition("=")
        if not sep or not key:
            raise click.BadParameter(_pair_problem(item, option), param_hint=option)
        out[key.strip()] = parse_number(text, param_hint=option, what=item)
    return out


def _pair_problem(item: str, option: str) -> str:
    if item.endswith("-") and "=" not in item:
        # an unquoted `it->store=4`: the shell took `>store=4` as a redirection
        return (
            f"{item!r} is not NODE=NUMBER: the shell took the '>' of '->' as a redirection "
            f"(and made a file named after what follows it); quote the whole value, "
            f"e.g. {option} '{item}>CUSTOMER=VALUE'"
        )
    return f"{item!r} is not NODE=NUMBER (e.g. it=4 or it->store=3.5)"


@click.command(short_help="What if a department or hand-off got better, worse, or failed?")
@model_argument
@click.option(
    "--set",
    "set_",
    multiple=True,
    metavar="NODE=VALUE",
    help="Own quality of a department or partner, a segment's baseline (its satisfaction "
    "from outside the chain), or SUPPLIER->CUSTOMER=VALUE for a service rating, on the "
    "model's scale. Repeatable.",
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
    metavar="NODE|A->B",
    help="A department or partner delivers nothing (quality 0, every service 0), or "
    "SUPPLIER->CUSTOMER: that service delivers nothing. Repeatable.",
)
@click.option(
    "--scenario",
    "scenario_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML or JSON file of named scenarios, compared side by side.",
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
      servicechain impact models/sapataria.yaml --fail 'armazem->online'
      servicechain impact models/sapataria.yaml --scenario models/scenarios/sapataria.yaml
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
        if scenario_file is not None or not isinstance(err, UnknownNodeError | flow.ScenarioError):
            raise reraise(err) from None
        option = getattr(err, "field", None) or str(err).split(" ", 1)[0]
        hint = f"--{option}" if option in changes else "--set"
        raise click.BadParameter(str(err), param_hint=hint) from None
    echo_result(result, as_json)


@click.command(short_help="What to fix first: exact gain if perfect, importance, failure.")
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
    default="gain",
    show_default=True,
    help="gain = exact gain if it were perfect; importance = points gained per point; "
    "failure = exact drop if it delivered nothing; gain-per-cost = exact gain per million of "
    "the department's total cost (departments need costs).",
)
@top_option()
@click.option(
    "--exact",
    type=click.IntRange(min=1),
    metavar="N",
    default=None,
    help="Make the first N rows of each list exact [default: the rows the text shows: 100, "
    "or --top].",
)
@uncertainty_options
@json_option
def rank(
    model_path: Path,
    max_bytes: int,
    segment: str | None,
    by: str,
    top: int | None,
    exact: int | None,
    uncertainty: dict | None,
    as_json: bool,
) -> None:
    """What to fix first: departments, partners and services by exact gain if perfect,
    importance (value-weighted sensitivity) or exact failure, with their score and
    importance-performance quadrant; all in points of the model's scale.

    The top rows are certified exact with few solves. Without --top, the text shows 100 rows
    of each list and --json gives every row, the same first 100 exact (the others say so and
    carry their linear bound); --exact N makes more of them exact, at the cost of a what-if
    per row on a large model.

    With --uncertainty (ranking by gain), each of the top N rows (--top, default 10) gets its
    gain's standard error and interval by the delta method with the exact gradients, and the
    ranking is redone in 500 draws of the scores within their standard errors (--draws), each
    solved exactly: each row gets its gain's interval over the draws and the share of draws in
    which it stays in the top N, and neighbours whose order the noise can swap are tied.

    \b
    Examples:
      servicechain rank models/sapataria.yaml --top 5
      servicechain rank models/sapataria.yaml --segment compradores_online --by failure
      servicechain rank models/hospital.yaml --by gain-per-cost --top 5
      servicechain rank models/sapataria.yaml --top 5 --uncertainty --draws 500
      servicechain rank models/sapataria.yaml --json --exact 500 > priorities.json
    """
    if uncertainty is not None and by != "gain":
        raise click.UsageError("--uncertainty ranks by gain: leave out --by or give --by gain")
    if exact is not None and (top is not None or uncertainty is not None):
        other = "--top" if top is not None else "--uncertainty"
        raise click.UsageError(f"--exact is for a ranking without {other}: give one of them")
    chain = load_chain(model_path, max_bytes)
    try:
        if uncertainty is not None:
            result = flow.ranked_with_stability(
                chain,
                segment=segment,
                top=top or 10,
                level=uncertainty["level"],
                draws=uncertainty["draws"] or flow.DEFAULT_DRAWS,
                seed=uncertainty["seed"],
            )
        else:
            result = chain.rank(segment=segment, by=by, top=top, exact=exact)
    except ServiceChainError as err:
        raise reraise(err, param="--segment") from None
    echo_result(result, as_json)


COMMANDS = [score, explain, impact, rank]

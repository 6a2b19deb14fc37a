"""The cost command: support costs allocated along the chain to the segments."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ServiceChainError
from ._common import echo_result, json_option, load_chain, model_argument, reraise

__all__ = ["COMMANDS"]


def _order(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str] | None:
    if value is None:
        return None
    ids = [part.strip() for part in value.split(",")]
    if not all(ids):
        raise click.BadParameter(
            f"{value!r} is not a list of department ids, e.g. it,hr,finance", param=param
        )
    return ids


@click.command()
@model_argument
@click.option(
    "--method",
    type=click.Choice(["reciprocal", "step-down", "direct", "all"]),
    default="reciprocal",
    show_default=True,
    help="How support costs are allocated; 'all' shows the three side by side.",
)
@click.option(
    "--order",
    metavar="ID,ID,...",
    callback=_order,
    help="Step-down: allocate these departments first, in this order (default: the one "
    "serving the most other departments first, ties by id).",
)
@json_option
def cost(
    model_path: Path, max_bytes: int, method: str, order: list[str] | None, as_json: bool
) -> None:
    """Show what it costs to serve each segment of MODEL.

    The departments' costs are allocated along the chain to the segments and shown beside
    each segment's satisfaction, revenue and margin.

    Each supplier's cost is shared among its customers in proportion to the volumes of its
    services (a service's weight where no volume is given). Per department: direct cost,
    cost received, passed on and total; per segment: cost to serve, in total and per
    customer; per supplier: its internal price per unit of volume. Amounts are rounded to the
    cent only for display, so that every column adds up.

    \b
    Examples:
      servicechain cost models/hospital.yaml
      servicechain cost models/hospital.yaml --method all
      servicechain cost models/hospital.yaml --method step-down --order it,hr
      servicechain cost models/hospital.yaml --json
    """
    if order is not None and method not in ("step-down", "all"):
        raise click.UsageError("--order applies to --method step-down (or all)")
    chain = load_chain(model_path, max_bytes)
    try:
        result = chain.cost(method=method, order=order)
    except ServiceChainError as err:
        raise reraise(err, param="--order") from None
    echo_result(result, as_json)


COMMANDS = [cost]

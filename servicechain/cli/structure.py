"""Structure commands: trace (upstream, downstream, paths) and analyze (roles, gateways, loops)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ServiceChainError, UnknownNodeError
from ..progress import gc_paused
from ._common import (
    echo_result,
    group_option,
    json_option,
    load_chain,
    model_argument,
    reraise,
    top_option,
)

__all__ = ["COMMANDS"]

group_by_option = group_option("Roll the chain up first: one node per group of departments.")


def _param_of(err: ServiceChainError, params: dict[str, str | None]) -> str | None:
    if isinstance(err, UnknownNodeError):
        for hint, value in params.items():
            if value == err.node:
                return hint
    return None


@click.command(short_help="What lies upstream or downstream of a node; paths to another.")
@model_argument
@click.argument("node")
@click.option("--up", "up", is_flag=True, help="Trace its suppliers, theirs, ...")
@click.option("--down", "down", is_flag=True, help="Trace its customers, down to the segments.")
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    metavar="N",
    help="Go at most this many hand-offs away.",
)
@click.option(
    "--to",
    "to",
    metavar="NODE",
    help="List the service paths from NODE to this one (a segment or a department) instead, "
    "shortest first.",
)
@top_option(
    help="Show only the N nearest nodes; with --to, the N shortest paths [default with --to: 10]."
)
@click.option("--limit", "top", type=click.IntRange(min=1), hidden=True)
@group_by_option
@json_option
def trace(
    model_path: Path,
    max_bytes: int,
    node: str,
    up: bool,
    down: bool,
    depth: int | None,
    to: str | None,
    top: int | None,
    group_by: str | None,
    as_json: bool,
) -> None:
    """Trace what lies upstream (--up) or downstream (--down) of NODE in MODEL, with the
    number of hand-offs to each; or, with --to, the service paths from NODE to a segment or
    another department.

    \b
    Examples:
      servicechain trace models/sapataria.yaml it --down
      servicechain trace models/sapataria.yaml baixa --up --depth 1
      servicechain trace models/sapataria.yaml it --to compradores_online --top 3
      servicechain trace models/sapataria.yaml Suporte --down --by-group
    """
    if up and down:
        raise click.UsageError("give one way to trace: --up or --down, not both")
    if to is not None and (up or down):
        flag = "--up" if up else "--down"
        raise click.UsageError(f"--to lists the paths from NODE to a segment; drop {flag}")
    direction = "up" if up else "down" if down else None
    if to is not None and depth is not None:
        raise click.UsageError("--depth does not apply to --to; use --top")
    if to is None and direction is None:
        raise click.UsageError("say which way to trace: --up (suppliers) or --down (customers)")
    chain = load_chain(model_path, max_bytes)
    try:
        if to is not None:
            result = chain.paths(node, to, limit=top or 10, group_by=group_by)
        else:
            result = chain.trace(node, direction=direction, depth=depth, group_by=group_by, top=top)
    except ServiceChainError as err:
        raise reraise(err, param=_param_of(err, {"--to": to, "NODE": node})) from None
    echo_result(result, as_json)


@click.command(short_help="Roles, gateways, loops and unreached work; no scores needed.")
@model_argument
@click.option(
    "--segment",
    metavar="SEGMENT",
    help="Compute gateways for this segment only (fast on models with many segments).",
)
@group_by_option
@top_option(help="Show only the first N departments in the table of roles.")
@json_option
def analyze(
    model_path: Path,
    max_bytes: int,
    segment: str | None,
    group_by: str | None,
    top: int | None,
    as_json: bool,
) -> None:
    """Analyse the structure of MODEL; no scores needed.

    Lists, for each department, its internal customers, suppliers, the segments its work
    reaches directly and through others, and its distance to the nearest segment (1 = front
    line); the gateways of each segment (departments that every path of some others to it
    passes through); departments that depend on each other in a loop, with the shortest
    loops; work that reaches no segment; and segments served by a single front-line
    department.

    \b
    Examples:
      servicechain analyze models/sapataria.yaml
      servicechain analyze models/sapataria.yaml --segment empresas --json
      servicechain analyze models/airline.yaml --by-group
    """
    # the collector paused from loading to output: its first pass after the load would walk
    # every object of the model (0.1-0.2 s at 100,000 departments) and find nothing to free
    with gc_paused():
        chain = load_chain(model_path, max_bytes)
        try:
            result = chain.analyze(segment=segment, group_by=group_by, top=top)
        except ServiceChainError as err:
            raise reraise(err, param=_param_of(err, {"--segment": segment})) from None
        echo_result(result, as_json)


COMMANDS = [trace, analyze]

"""Quality-flow commands: score, explain, impact, rank."""

from __future__ import annotations

from pathlib import Path

import click

from .. import flow
from ..errors import ServiceChainError
from ._common import echo_json, json_option, load_chain, model_argument, reraise

__all__ = ["COMMANDS"]


@click.command()
@model_argument
@json_option
def score(model_path: Path, max_bytes: int, as_json: bool) -> None:
    """Show the delivered quality of every node of MODEL, segments first, on the model's own
    scale, with the company's value-weighted external quality and the assumptions made.

    A segment is weighted by its revenue, else its number of customers, else 1.

    \b
    Example:
      servicechain score models/sapataria.yaml
      servicechain score models/airline.yaml --json
    """
    chain = load_chain(model_path, max_bytes)
    try:
        result = flow.score(chain)
    except ServiceChainError as err:
        raise reraise(err) from None
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(str(result))


COMMANDS = [score]

"""Commands about the model file itself: validate, summary, schema, init."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ModelError
from ..io.atomic import write_atomic
from ..io.load import load_model
from ..model.rules import list_assumptions
from ..model.spec import json_schema_text
from ..model.summary import summarize
from ..samples.examples import STARTER, example_names, example_path
from ._common import (
    ModelProblems,
    echo_json,
    echo_result,
    json_option,
    load_chain,
    model_argument,
    plural,
)

__all__ = ["COMMANDS"]


@click.command()
@model_argument
@json_option
def validate(model_path: Path, max_bytes: int, as_json: bool) -> None:
    """Check MODEL and list every problem, then the assumptions the analyses will make.

    Exit code 0 when the model is valid, 1 when it has problems, 2 on a usage error.
    Each problem reads FILE:LINE:COLUMN: FIELD: what is wrong (how to fix).

    \b
    Example:
      servicechain validate models/sapataria.yaml
    """
    try:
        loaded = load_model(model_path, max_bytes=max_bytes)
    except ModelError as err:
        if as_json:
            echo_json(
                {
                    "file": str(model_path),
                    "valid": False,
                    "problems": [p.to_dict() for p in err.problems],
                    "assumptions": [],
                }
            )
            raise SystemExit(1) from None
        raise ModelProblems(err, to_stdout=True) from None
    model = loaded.model
    assumptions = list_assumptions(model)
    if as_json:
        echo_json(
            {
                "file": str(model_path),
                "valid": True,
                "problems": [],
                "assumptions": [a.to_dict() for a in assumptions],
            }
        )
        return
    counts = ", ".join(
        plural(len(items), word)
        for items, word in (
            (model.departments, "department"),
            (model.segments, "segment"),
            (model.partners, "partner"),
            (model.services, "service"),
        )
    )
    click.echo(f"{model_path}: valid ({counts})")
    if assumptions:
        click.echo(f"Assumptions ({len(assumptions)}):")
        for a in assumptions:
            click.echo(f"  {a}")


@click.command()
@model_argument
@json_option
def summary(model_path: Path, max_bytes: int, as_json: bool) -> None:
    """Show what MODEL holds: counts by kind, groups, front-line departments, segments by
    kind and relationship, and the assumptions made for missing scores.

    \b
    Example:
      servicechain summary models/sapataria.yaml
      servicechain summary models/airline.yaml --json
    """
    chain = load_chain(model_path, max_bytes)
    result = summarize(chain.model)
    echo_result(result, as_json)


@click.command()
def schema() -> None:
    """Print the JSON Schema of the model file (for editors and other tools).

    \b
    Example:
      servicechain schema > servicechain.schema.json
    """
    click.echo(json_schema_text(), nl=False)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--example",
    type=click.Choice(example_names()),
    help="Copy this bundled example instead of the commented starter model.",
)
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: Path, example: str | None, force: bool) -> None:
    """Write a commented starter model to PATH, or a copy of a bundled example.

    Never overwrites an existing file unless --force is given.

    \b
    Examples:
      servicechain init my-company.yaml
      servicechain init shoes.yaml --example sapataria
    """
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists already; use --force to overwrite it")
    text = example_path(example).read_text(encoding="utf-8") if example else STARTER
    try:
        write_atomic(path, text)
    except OSError as err:
        raise click.ClickException(f"cannot write {path}: {err.strerror}") from None
    click.echo(f"Wrote {path}. Next: servicechain validate {path}")


COMMANDS = [validate, summary, schema, init]

"""Commands about the model file itself: validate, summary, schema, init."""

from __future__ import annotations

from pathlib import Path

import click

from ..chain import load
from ..errors import ModelError, OutputError
from ..io.atomic import write_atomic
from ..io.load import parse_model
from ..model.records import Records
from ..samples.examples import STARTER, example_names, example_path
from ..text import listed
from ._common import (
    ModelProblems,
    echo_json,
    echo_result,
    force_option,
    json_option,
    load_chain,
    model_argument,
    model_format,
    plural,
    progress_bar,
)

__all__ = ["COMMANDS", "SCHEMA_FILE"]

#: The JSON Schema that ``init`` writes beside a new model (its ``$schema`` reference).
SCHEMA_FILE = "servicechain.schema.json"


@click.command(short_help="Check MODEL: every problem at once, then the assumptions.")
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
        with progress_bar(f"Checking {model_path.name}") as progress:
            chain = load(model_path, max_bytes=max_bytes, progress=progress)
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
    assumptions = chain.assumptions
    if as_json:
        echo_json(
            {
                "file": str(model_path),
                "valid": True,
                "problems": [],
                "assumptions": Records.from_rows(assumptions),
            }
        )
        return
    counts = ", ".join(plural(count, kind[:-1]) for kind, count in chain.counts.items())
    click.echo(f"{model_path}: valid ({counts})")
    if assumptions:
        click.echo(f"Assumptions ({len(assumptions):,}):")
        for line in listed(assumptions):
            click.echo(line)


@click.command(short_help="What MODEL holds: counts, groups, front line, segments.")
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
    echo_result(chain.summary(), as_json)


@click.command(short_help="Print the JSON Schema of the model file.")
def schema() -> None:
    """Print the JSON Schema of the model file (for editors and other tools).

    \b
    Example:
      servicechain schema > servicechain.schema.json
    """
    from ..model.spec import json_schema_text  # pydantic: only for the commands that need it

    click.echo(json_schema_text(), nl=False)


@click.command(short_help="Start a model: a commented starter or a bundled example.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--example",
    type=click.Choice(example_names()),
    help="Copy this bundled example instead of the commented starter model.",
)
@force_option
def init(path: Path, example: str | None, force: bool) -> None:
    """Write a commented starter model to PATH, or a copy of a bundled example.

    PATH ending in .yaml or .yml gets YAML with comments, .json gets JSON. The JSON Schema is
    written beside it as servicechain.schema.json, which the model's $schema line points at, so
    that editors complete and check the file. PATH is a file you edit by hand: an existing one
    is never replaced unless --force is given.

    \b
    Examples:
      servicechain init my-company.yaml
      servicechain init shoes.yaml --example sapataria
      servicechain init shoes.json --example sapataria
    """
    from ..io.rewrite import model_text
    from ..model.spec import json_schema_text

    fmt = model_format(path, param="'PATH'")
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists already; use --force to overwrite it")
    text = example_path(example).read_text(encoding="utf-8") if example else STARTER
    if fmt == "json":
        model = parse_model(text, fmt="yaml").model
        model = model.model_copy(update={"schema_ref": SCHEMA_FILE})
        text = model_text(model, changes={}, fmt="json")
    schema_path = path.parent / SCHEMA_FILE
    schema_text = json_schema_text()
    try:
        write_atomic(path, text)
        fresh = schema_path.is_file() and schema_path.read_bytes() == schema_text.encode()
        if not fresh:
            write_atomic(schema_path, schema_text)
    except OutputError as err:
        raise click.ClickException(str(err)) from None
    also = "" if fresh else f" and {schema_path} (the schema it names, for editors)"
    click.echo(f"Wrote {path}{also}.")
    click.echo(f"Next: servicechain validate {path}")


COMMANDS = [validate, summary, schema, init]

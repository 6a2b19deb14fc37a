"""Commands for working at scale: generate a synthetic organisation."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import OutputError
from ..samples.generate import generate as generate_model
from ..samples.generate import write_json
from ._common import output_option, plural, progress_bar, quiet_option

__all__ = ["COMMANDS"]


@click.command(short_help="Write a realistic synthetic organisation as a JSON model.")
@click.option(
    "--departments",
    "-n",
    type=click.IntRange(min=2),
    metavar="N",
    default=1000,
    show_default=True,
    help="Number of departments.",
)
@click.option(
    "--segments",
    "-k",
    type=click.IntRange(min=1),
    metavar="N",
    default=None,
    help="Number of customer segments [default: one per 50 departments, 5 to 2,000].",
)
@click.option("--seed", type=int, metavar="N", default=0, show_default=True, help="Random seed.")
@click.option(
    "--services-per-department",
    type=click.FloatRange(min=1),
    metavar="NUMBER",
    default=7.0,
    show_default=True,
    help="Services per department, all kinds together.",
)
@output_option(help="JSON file to write. Replaced if it exists.", suffixes=(".json",))
@quiet_option
def generate(
    departments: int,
    segments: int | None,
    seed: int,
    services_per_department: float,
    output: Path,
    quiet: bool,
) -> None:
    """Write a realistic synthetic organisation to a JSON model file.

    Departments come in functional groups and in layers from the back office to the front
    line, with about seven services each, a large core of departments that serve each other,
    partners, segments of every kind, a few unrated services and missing qualities, and
    Unicode names. The same seed gives the same file.

    \b
    Examples:
      servicechain generate --departments 2000 --seed 1 -o org.json
      servicechain generate -n 10000 -k 200 -o big.json
      servicechain score big.json --top 20
    """
    with progress_bar(f"Generating {output.name}") as progress:
        data = generate_model(
            departments,
            segments=segments,
            seed=seed,
            services_per_department=services_per_department,
            progress=progress,
        )
        progress("writing")
        try:
            write_json(data, output)
        except OutputError as err:
            raise click.ClickException(str(err)) from None
    counts = ", ".join(
        plural(len(data[key]), key[:-1])
        for key in ("departments", "segments", "partners", "services")
    )
    click.echo(f"Wrote {output}: {counts}. Next: servicechain validate {output}")


COMMANDS = [generate]

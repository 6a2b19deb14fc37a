"""The ``report`` command: the whole analysis as one HTML file or a Markdown file with images."""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from ..errors import ServiceChainError
from ..report import FORMATS, write_report
from ..samples.examples import example_path
from ._common import (
    echo_drawing_warnings,
    load_chain,
    max_size_option,
    output_option,
    plural,
    reraise,
)

__all__ = ["COMMANDS"]


@click.command(short_help="Write a report to hand over: one HTML page, or Markdown.")
@click.argument(
    "model_path",
    metavar="[MODEL]",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@output_option(
    required=False,
    suffixes=tuple(FORMATS),
    help="Report file: .html (one self-contained page), .md (Markdown, images in "
    "<name>_files/ beside it) or .pdf (printed by headless Chromium). Default: "
    "<model>-report.html in the current folder. Replaced if it exists.",
)
@click.option(
    "--scenario",
    "scenario",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A what-if scenario file; its scenarios are compared side by side in the report.",
)
@max_size_option
def report(model_path: Path | None, output: Path | None, scenario: Path | None, max_size: float):
    """Write a report of MODEL a consultant can hand over as is: an executive summary of
    findings first (the customers' quality, the weakest segment and where its gap comes from,
    the top fixes by exact gain, the single points of failure, the largest what-if, what was
    assumed), then the chain diagram, each segment's score and gap, the priorities, the cost
    to serve, the gateways and loops, disconnected work and optional what-if scenarios.

    The HTML report is one file that opens offline: hover over or click a department in the
    diagram to highlight its chain, click a column heading to sort a table; it stays readable
    without JavaScript and prints cleanly (the diagram on a landscape page of its own). A .pdf
    is printed by headless Chromium (Debian's chromium package). Without MODEL, the bundled
    example (sapataria) is used.

    \b
    Examples:
      servicechain report -o sapataria-report.html
      servicechain report models/airline.yaml -o airline.md
      servicechain report models/hospital.yaml -o hospital.pdf
      servicechain report --scenario models/scenarios/sapataria.yaml -o board.html
    """
    path = model_path if model_path is not None else example_path()
    chain = load_chain(path, int(max_size * 2**20))
    target = output if output is not None else Path(f"{path.stem}-report.html")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            written = write_report(chain, target, scenarios=scenario, source=path.name)
        except ServiceChainError as err:
            raise reraise(err) from None
    echo_drawing_warnings(caught)
    size = written[0].stat().st_size
    extra = ""
    if len(written) > 1:
        extra = f" and {plural(len(written) - 1, 'image')} in {written[1].parent}"
    click.echo(f"Wrote {target} ({size / 1024:,.0f} KB){extra}")


COMMANDS = [report]

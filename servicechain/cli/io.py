"""Commands that move data in and out: template, survey, export (import: :mod:`.imports`)."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from ..errors import ServiceChainError
from ..io.atomic import write_atomic
from ._common import (
    echo_json,
    force_option,
    json_option,
    load_chain,
    model_argument,
    model_format,
    output_option,
    parse_number,
)
from ._common import reraise as _reraise

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["COMMANDS", "ScaleType", "refuse_existing", "write_file"]


class ScaleType(click.ParamType):
    """``MIN:MAX`` (or ``MIN..MAX``), e.g. ``1:5``."""

    name = "MIN:MAX"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        parts = str(value).replace("..", ":").split(":")
        if len(parts) != 2:
            self.fail(f"{value!r} is not a scale; write MIN:MAX, e.g. 1:5", param, ctx)
        lo, hi = (parse_number(part, param_hint=_hint(param), what=value) for part in parts)
        if not hi > lo:
            self.fail(f"{value!r}: MAX must be above MIN, e.g. 1:5", param, ctx)
        return lo, hi


def _hint(param: click.Parameter | None) -> str | None:
    return f"'--{param.name.replace('_', '-')}'" if param is not None and param.name else None


def refuse_existing(path: Path, force: bool) -> None:
    """A usage error when ``path`` exists and ``--force`` was not given."""
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists already; use --force to overwrite it")


def write_file(path: Path, data: str | bytes | Callable[[IO], None]) -> None:
    """Write ``path`` atomically; a library error becomes a clean exit."""
    try:
        write_atomic(path, data)
    except ServiceChainError as err:
        raise _reraise(err) from None


@click.command(short_help="Write a ready-to-fill spreadsheet for `import`.")
@click.argument("fmt", metavar="[FORMAT]", required=False, type=click.Choice(["csv", "xlsx"]))
@output_option(help="Spreadsheet to write: a .xlsx workbook or a .csv file.")
@force_option
def template(fmt: str | None, output: Path, force: bool) -> None:
    """Write a ready-to-fill spreadsheet with example rows for the model, departments,
    segments, partners and services; fill it in and run `servicechain import`.

    The format follows the file name (.xlsx or .csv); FORMAT, when given, must agree with it.
    The spreadsheet is a file you edit by hand: an existing one is never replaced unless
    --force is given.

    \b
    Examples:
      servicechain template -o services.xlsx
      servicechain template -o services.csv
    """
    from ..export.table import to_csv, to_xlsx
    from ..io.load import parse_model
    from ..samples.examples import STARTER

    named = {".csv": "csv", ".xlsx": "xlsx"}.get(output.suffix.lower())
    if named is None or (fmt is not None and fmt != named):
        fix = f"name it {output.stem}.{fmt}" if fmt else "name it .xlsx (a workbook) or .csv"
        raise click.BadParameter(
            f"{output.name}: the format follows the file name ({fix})",
            param_hint="'-o' / '--output'",
        )
    fmt = named
    refuse_existing(output, force)
    model = parse_model(STARTER, fmt="yaml").model
    try:
        data = to_csv(model) if fmt == "csv" else to_xlsx(model)
    except ServiceChainError as err:
        raise _reraise(err) from None
    write_file(output, data)
    click.echo(f"Wrote {output}. Fill it in, then: servicechain import {output} -o model.yaml")


#: The file names each export format may be written to (the first is the usual one).
EXPORT_SUFFIXES = {
    "graphml": (".graphml", ".xml"),
    "gexf": (".gexf",),
    "json": (".json",),
    "dot": (".dot", ".gv"),
    "mermaid": (".mmd", ".mermaid", ".md"),
    "drawio": (".drawio", ".xml"),
    "csv": (".csv",),
}


def _export_format(fmt: str | None, output: Path) -> str:
    """The format asked for, checked against the file name, or the one the name implies."""
    suffix = output.suffix.lower()
    if fmt is not None:
        if suffix in EXPORT_SUFFIXES[fmt]:
            return fmt
        fix = f"name it {output.stem}{EXPORT_SUFFIXES[fmt][0]}"
    else:
        named = [f for f, suffixes in EXPORT_SUFFIXES.items() if suffix in suffixes]
        if len(named) == 1:
            return named[0]
        fix = "give -f FORMAT" if named else "name it .graphml, .gexf, .json, .dot, .mmd, "
        fix += "" if named else ".drawio or .csv, or give -f FORMAT"
    raise click.BadParameter(
        f"{output.name}: the format follows the file name ({fix})",
        param_hint="'-o' / '--output'",
    )


@click.command(short_help="Write MODEL for draw.io, Gephi, Graphviz, Mermaid or a sheet.")
@model_argument
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_SUFFIXES)),
    help="Format to write (default: the one the output's file name says).",
)
@output_option(
    help="File to write, named for its format (.graphml, .dot, .drawio, ...). Replaced if it "
    "exists."
)
def export(model_path: Path, max_bytes: int, fmt: str | None, output: Path) -> None:
    """Write MODEL in another tool's format: graphml or gexf (Gephi, yEd; every attribute),
    json (node-link), dot (Graphviz), mermaid (wikis), drawio (diagrams.net, with our layout),
    or csv (the tables, which `servicechain import` reads back).

    The format follows the output's file name (.graphml or .xml, .gexf, .json, .dot or .gv,
    .mmd, .mermaid or .md, .drawio or .xml, .csv); -f picks one where the name allows two.
    The output is derived from MODEL: an existing file is replaced.

    \b
    Examples:
      servicechain export models/sapataria.yaml -o sapataria.drawio
      servicechain export models/airline.yaml -f mermaid -o airline.mmd
    """
    from ..export import export_chunks

    fmt = _export_format(fmt, output)
    chain = load_chain(model_path, max_bytes)
    try:
        chunks = export_chunks(chain, fmt)
    except ServiceChainError as err:
        raise _reraise(err) from None
    write_file(output, lambda handle: handle.writelines(chunks))
    click.echo(f"Wrote {output} ({fmt}).")


@click.command(short_help="Fold survey answers into MODEL's scores; write the new model.")
@model_argument
@click.argument("responses", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option(help="Model file to write (.yaml or .json), with the survey folded in.")
@click.option(
    "--scale",
    type=ScaleType(),
    default="1:5",
    show_default=True,
    help="Likert scale of the answers, e.g. 1:7.",
)
@click.option(
    "--min-answers",
    type=click.IntRange(min=1),
    metavar="N",
    default=5,
    show_default=True,
    help="Services and departments with fewer answers are reported, not used.",
)
@click.option(
    "--employees",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Employee survey (department, item, score); the item enps (0-10) gives the eNPS.",
)
@click.option(
    "--employee-scale",
    type=ScaleType(),
    default="1:5",
    show_default=True,
    help="Scale of the employee survey's items other than enps.",
)
@click.option(
    "--bootstrap",
    type=click.IntRange(min=100),
    metavar="N",
    default=None,
    help="Standard errors and intervals from N bootstrap resamples of the respondents "
    "(of the answers without a respondent_id column), instead of the formula.",
)
@click.option(
    "--seed",
    type=int,
    metavar="N",
    default=0,
    show_default=True,
    help="Seed of the bootstrap: the same seed gives the same numbers.",
)
@force_option
@json_option
def survey(
    model_path: Path,
    max_bytes: int,
    responses: Path,
    output: Path,
    scale: tuple[float, float],
    min_answers: int,
    employees: Path | None,
    employee_scale: tuple[float, float],
    bootstrap: int | None,
    seed: int,
    force: bool,
    as_json: bool,
) -> None:
    """Fold an internal customer survey into MODEL and write the result as a new model.

    RESPONSES is a CSV or XLSX with one row per answer: customer (the respondent's
    department), supplier, service (optional), item (any question; optional), dimension (a
    SERVQUAL dimension; optional), perception, expectation (optional), respondent_id (who
    answered; optional). Each surveyed service gets the mean perception, normalised to the
    model's scale, with its standard error (written as quality_se, with answers), a 95%
    confidence interval and the SERVQUAL gap (perception minus expectation per dimension,
    averaged over the dimensions). With respondent_id, standard errors allow for the answers of
    one respondent being alike (clustered by respondent) and every dimension of several items
    gets Cronbach's alpha, flagged below 0.7.

    \b
    Examples:
      servicechain survey tests/data/io/shop.yaml tests/data/io/responses.csv --scale 1:7 \\
          -o shop-2025.yaml
      servicechain survey tests/data/io/shop.yaml tests/data/io/responses.csv --scale 1:7 \\
          --employees tests/data/io/employees.csv -o shop-2025.json --json
    """
    from ..survey.fold import fold_survey

    fmt = model_format(output)
    refuse_existing(output, force)
    chain = load_chain(model_path, max_bytes)
    try:
        result = fold_survey(
            chain.model,
            responses,
            scale=scale,
            min_answers=min_answers,
            employees=employees,
            employee_scale=employee_scale,
            bootstrap=bootstrap or 0,
            seed=seed,
            original=model_path,
            fmt=fmt,
        )
    except ServiceChainError as err:
        raise _reraise(err) from None
    write_file(output, result.text)
    if as_json:
        echo_json({"output": str(output), **result.to_dict()})
        return
    click.echo(str(result))
    click.echo(f"Wrote {output}.")


COMMANDS = [template, survey, export]

"""Commands that move data in and out: import, template, survey, export."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ServiceChainError
from ..io.atomic import write_atomic
from ._common import echo_json, json_option, load_chain, model_argument, output_option, plural
from ._common import reraise as _reraise

__all__ = ["COMMANDS"]


class ScaleType(click.ParamType):
    """``MIN:MAX`` (or ``MIN..MAX``), e.g. ``1:5``."""

    name = "MIN:MAX"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        text = str(value).replace("..", ":")
        try:
            lo, hi = (float(part) for part in text.split(":"))
        except ValueError:
            self.fail(f"{value!r} is not a scale; write MIN:MAX, e.g. 1:5", param, ctx)
        if not hi > lo:
            self.fail(f"{value!r}: MAX must be above MIN, e.g. 1:5", param, ctx)
        return lo, hi


def _refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists already; use --force to overwrite it")


def _write(path: Path, data: str | bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as err:
        raise click.ClickException(f"cannot write {path}: {err.strerror}") from None


def _table_file(section: str) -> click.Option:
    return click.option(
        f"--{section}",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help=f"A CSV or XLSX file with the {section} table.",
    )


@click.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option(help="Model file to write (YAML).")
@_table_file("departments")
@_table_file("segments")
@_table_file("partners")
@click.option("--name", help="Name of the model (default: the model table's, or the file name).")
@click.option(
    "--scale",
    type=ScaleType(),
    help="Scale of the scores, e.g. 1:5 or 0:10 (default: the model table's, or 1:5).",
)
@click.option(
    "--create-missing",
    is_flag=True,
    help="Create a department for each supplier or customer that no table declares.",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@json_option
def import_(
    source: Path,
    output: Path,
    departments: Path | None,
    segments: Path | None,
    partners: Path | None,
    name: str | None,
    scale: tuple[float, float] | None,
    create_missing: bool,
    force: bool,
    as_json: bool,
) -> None:
    """Build a model file from a spreadsheet: a CSV or XLSX service list (one row per service:
    supplier, customer, name, quality, weight, ...) and, optionally, tables of departments,
    segments and partners (sheets of the workbook, [section] rows of the CSV, or other files).

    Headers are matched case-insensitively with common aliases (supplier/source for from,
    customer/target for to). Every problem is listed as FILE[SHEET]:ROW:COLUMN and nothing is
    written until there are none.

    \b
    Examples:
      servicechain template xlsx -o services.xlsx    # fill it in, then:
      servicechain import services.xlsx -o company.yaml
      servicechain import services.csv --departments depts.csv -o company.yaml
      servicechain import services.csv --create-missing --scale 1:7 -o company.yaml
    """
    from ..io.importer import import_tables

    _refuse_existing(output, force)
    extra = {
        section: path
        for section, path in (
            ("departments", departments),
            ("segments", segments),
            ("partners", partners),
        )
        if path is not None
    }
    try:
        result = import_tables(
            source, extra=extra, name=name, scale=scale, create_missing=create_missing
        )
    except ServiceChainError as err:
        raise _reraise(err) from None
    _write(output, result.text)
    if as_json:
        echo_json({"output": str(output), **result.to_dict()})
        return
    m = result.model
    counts = ", ".join(
        plural(len(items), word)
        for items, word in (
            (m.departments, "department"),
            (m.segments, "segment"),
            (m.partners, "partner"),
            (m.services, "service"),
        )
    )
    scale_text = f"scale {m.scale.min:g}..{m.scale.max:g}"
    if not result.scale_given:
        scale_text += ", the default: set another with --scale"
    click.echo(f"Wrote {output}: {counts} ({scale_text}).")
    if result.created:
        click.echo(
            f"Created {plural(len(result.created), 'department')} that no table declares: "
            + ", ".join(result.created)
        )
    click.echo(f"Next: servicechain validate {output}")


@click.command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["csv", "xlsx"]))
@output_option(help="Spreadsheet to write.")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
def template(fmt: str, output: Path, force: bool) -> None:
    """Write a ready-to-fill spreadsheet (FORMAT csv or xlsx) with example rows for the model,
    departments, segments, partners and services; fill it in and run `servicechain import`.

    \b
    Examples:
      servicechain template xlsx -o services.xlsx
      servicechain template csv -o services.csv
    """
    from ..export.table import to_csv, to_xlsx
    from ..io.load import parse_model
    from ..samples.examples import STARTER

    _refuse_existing(output, force)
    model = parse_model(STARTER, fmt="yaml").model
    try:
        data = to_csv(model) if fmt == "csv" else to_xlsx(model)
    except ServiceChainError as err:
        raise _reraise(err) from None
    _write(output, data)
    click.echo(f"Wrote {output}. Fill it in, then: servicechain import {output} -o model.yaml")


@click.command()
@model_argument
@click.option(
    "-f",
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["graphml", "gexf", "json", "dot", "mermaid", "drawio", "csv"]),
    help="Format to write.",
)
@output_option(help="File to write.")
def export(model_path: Path, max_bytes: int, fmt: str, output: Path) -> None:
    """Write MODEL in another tool's format: graphml or gexf (Gephi, yEd; every attribute),
    json (node-link), dot (Graphviz), mermaid (wikis), drawio (diagrams.net, with our layout),
    or csv (the tables, which `servicechain import` reads back).

    \b
    Examples:
      servicechain export models/sapataria.yaml -f drawio -o sapataria.drawio
      servicechain export models/airline.yaml -f mermaid -o airline.mmd
    """
    from ..export import export as run_export

    chain = load_chain(model_path, max_bytes)
    try:
        text = run_export(chain, fmt)
    except ServiceChainError as err:
        raise _reraise(err) from None
    _write(output, text)
    click.echo(f"Wrote {output} ({fmt}).")


@click.command()
@model_argument
@click.argument("responses", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option(help="Model file to write, with the survey folded in.")
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
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
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
    force: bool,
    as_json: bool,
) -> None:
    """Fold an internal customer survey into MODEL and write the result as a new model.

    RESPONSES is a CSV or XLSX with one row per answer: customer (the respondent's
    department), supplier, service (optional), item (a SERVQUAL dimension or any question;
    optional), perception, expectation (optional). Each surveyed service gets the mean
    perception, normalised to the model's scale, with a 95% confidence interval and the
    SERVQUAL gap (perception minus expectation per dimension, averaged over the dimensions).

    \b
    Examples:
      servicechain survey company.yaml answers.csv --scale 1:7 -o company-2025.yaml
      servicechain survey company.yaml answers.csv --employees staff.csv -o new.yaml --json
    """
    from ..survey.fold import fold_survey

    _refuse_existing(output, force)
    chain = load_chain(model_path, max_bytes)
    try:
        result = fold_survey(
            chain.model,
            responses,
            scale=scale,
            min_answers=min_answers,
            employees=employees,
            employee_scale=employee_scale,
        )
    except ServiceChainError as err:
        raise _reraise(err) from None
    _write(output, result.text)
    if as_json:
        echo_json({"output": str(output), **result.to_dict()})
        return
    click.echo(str(result))
    click.echo(f"Wrote {output}.")


COMMANDS = [import_, template, survey, export]

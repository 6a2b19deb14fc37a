"""The ``import`` command: a model from a spreadsheet (XLSX or CSV), or from a drawing (a draw.io
file or a Mermaid flowchart), new or as the changes made to a model (``--into``)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ServiceChainError
from ..io.rewrite import model_text
from ._common import (
    echo_json,
    force_option,
    json_option,
    load_chain,
    max_size_option,
    model_format,
    output_option,
    plural,
)
from ._common import reraise as _reraise
from .io import ScaleType, refuse_existing, write_file

__all__ = ["COMMANDS", "DRAWING_SUFFIXES", "MERMAID_SUFFIXES", "is_drawing"]

DRAWING_SUFFIXES = (".drawio", ".xml", ".svg")
MERMAID_SUFFIXES = (".mmd", ".mermaid", ".md")


def _counts(model) -> str:
    """``"3 departments, 1 segment, 0 partners, 4 services"``: what a written model holds."""
    return ", ".join(
        plural(len(items), word)
        for items, word in (
            (model.departments, "department"),
            (model.segments, "segment"),
            (model.partners, "partner"),
            (model.services, "service"),
        )
    )


def is_drawing(path: Path) -> bool:
    """Whether ``import`` reads ``path`` as a drawing (draw.io or Mermaid), by its name."""
    return path.suffix.lower() in DRAWING_SUFFIXES + MERMAID_SUFFIXES


class DrawingProblems(click.ClickException):
    """Exit 1 with one line per problem of a drawing, then a count."""

    exit_code = 1

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems

    def show(self, file=None) -> None:
        for problem in self.problems:
            click.echo(problem, err=True)
        count = len(self.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing written.", err=True)


def _read(source: Path, page: str | None, max_bytes: int):
    from ..io.drawio import read_drawio
    from ..io.mermaid import read_mermaid
    from ..io.text import bom_codec

    if source.stat().st_size > max_bytes:
        raise click.ClickException(
            f"{source} is larger than {max_bytes / 2**20:g} MB (raise --max-size to read it)"
        )
    data = source.read_bytes()
    if source.suffix.lower() in MERMAID_SUFFIXES:
        if page is not None:
            raise click.BadParameter("a Mermaid chart has no pages", param_hint="'--page'")
        codec = bom_codec(data) or "utf-8"
        try:
            text = data.decode(codec).lstrip("\ufeff")
        except UnicodeDecodeError as err:
            raise click.ClickException(f"{source}: not UTF-8 text ({err.reason})") from None
        return read_mermaid(text, file=str(source))
    return read_drawio(data, file=str(source), page=page)


def _import_drawing(
    source: Path,
    output: Path,
    *,
    into: Path | None,
    page: str | None,
    allow_delete: bool,
    name: str | None,
    max_bytes: int,
    as_json: bool,
) -> None:
    """Read ``source``, merge it into ``into`` (or build a new model), write ``output`` and
    print the changes."""
    from ..io.merge import merge_sketch, model_from_sketch
    from ..io.records import edited_text
    from ..io.sketch import DrawingError

    fmt = model_format(output)
    if into is not None and name is not None:
        raise click.BadParameter(
            "--name names a new model; with --into the model keeps its name",
            param_hint="'--name'",
        )
    chain = load_chain(into, max_bytes) if into is not None else None
    try:
        sketch = _read(source, page, max_bytes)
        if chain is None:
            merged = model_from_sketch(sketch, name=name)
            text = edited_text(None, merged.model, fmt=fmt)
        else:
            from ..export.drawio import drawio_positions

            placed = drawio_positions(chain) if any(b.centre for b in sketch.boxes) else {}
            merged = merge_sketch(chain.model, sketch, placed=placed, allow_delete=allow_delete)
            original = into.read_text(encoding="utf-8-sig")
            e = merged.edits
            text = edited_text(
                original,
                merged.model,
                original_fmt=model_format(into, param="'--into'"),
                fmt=fmt,
                values=e.values,
                deleted=e.deleted,
                appended=e.appended,
                layout=e.layout,
            )
    except DrawingError as err:
        raise DrawingProblems([f"{err.file}: {p}" for p in err.problems]) from None
    except ServiceChainError as err:
        raise _reraise(err) from None
    write_file(output, text)
    if as_json:
        echo_json({"output": str(output), "source": str(source), **merged.to_dict()})
        return
    if chain is None:
        counts = _counts(merged.model)
        click.echo(f"Wrote {output}: {counts}, from the drawing {source}.")
        for change in merged.changes:
            if change.kind == "assumed":
                click.echo(f"Note: {change}.")
    else:
        if merged.changes:
            click.echo(f"{plural(len(merged.changes), 'change')} from {source}:")
            for change in merged.changes:
                click.echo(f"  {change}")
        else:
            click.echo(f"No change from {source}.")
        click.echo(f"Wrote {output}.")
    if merged.derived:
        click.echo("Ids derived from labels (rename them in the model if you like):")
        for ident, label in merged.derived.items():
            click.echo(f"  {ident}: {label}")
    if merged.ignored:
        click.echo("Ignored, as neither a box nor an arrow:")
        for shape in merged.ignored:
            click.echo(f"  {shape}")


def _table_file(section: str) -> click.Option:
    return click.option(
        f"--{section}",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help=f"A CSV or XLSX file with the {section} table.",
    )


@click.command(
    "import", short_help="Build or update a model from a spreadsheet, draw.io file or Mermaid."
)
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option(help="Model file to write: .yaml (or .json).")
@click.option(
    "--into",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="MODEL",
    help="Drawings: the model the drawing was exported from; its changes are listed and a new "
    "model written with MODEL's comments kept.",
)
@click.option("--page", metavar="NAME", help="draw.io: the page to read (default: the first).")
@click.option(
    "--allow-delete",
    is_flag=True,
    help="With --into: remove the departments, partners and segments whose box was deleted, "
    "with their services.",
)
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
@max_size_option
@force_option
@json_option
def import_(
    source: Path,
    output: Path,
    into: Path | None,
    page: str | None,
    allow_delete: bool,
    departments: Path | None,
    segments: Path | None,
    partners: Path | None,
    name: str | None,
    scale: tuple[float, float] | None,
    create_missing: bool,
    max_size: float,
    force: bool,
    as_json: bool,
) -> None:
    """Build a model file from a spreadsheet: a CSV or XLSX service list (one row per service:
    supplier, customer, name, quality, weight, ...) and, optionally, tables of departments,
    segments and partners (sheets of the workbook, [section] rows of the CSV, or other files).

    Headers are matched case-insensitively with common aliases (supplier/source for from,
    customer/target for to). Every problem is listed as FILE[SHEET]:ROW:COLUMN and nothing is
    written until there are none.

    A draw.io file (.drawio, .xml, .drawio.svg; plain or compressed) or a Mermaid flowchart
    (.mmd, .mermaid, or the first mermaid block of a .md) is read as a drawing. With --into
    MODEL (the model it was exported from), boxes moved, added, renamed, regrouped or deleted
    and arrows added, deleted or re-attached are listed and a new model is written with
    MODEL's comments kept; moved boxes pin every box where it stands (the model's layout).
    Without --into, the drawing's boxes and arrows become a new model.

    \b
    Examples:
      servicechain template -o services.xlsx    # fill it in, then:
      servicechain import services.xlsx -o company.yaml
      servicechain import tests/data/io/bom_semicolon.csv \\
          --departments tests/data/io/departments.csv -o shop.yaml
      servicechain import tests/data/io/bom_semicolon.csv --create-missing --scale 1:7 -o shop7.json
      servicechain import tests/data/drawio/shop-edited.drawio \\
          --into tests/data/drawio/shop.yaml --allow-delete -o shop-2.yaml
      servicechain import tests/data/drawio/whiteboard.drawio -o whiteboard.yaml
      servicechain import tests/data/drawio/chain.mmd -o wiki.yaml
    """
    fmt = model_format(output)
    refuse_existing(output, force)
    if is_drawing(source):
        tables = [
            o
            for o, v in (
                ("--departments", departments),
                ("--segments", segments),
                ("--partners", partners),
                ("--scale", scale),
            )
            if v
        ]
        if create_missing or tables:
            used = ", ".join([*tables, *(["--create-missing"] if create_missing else [])])
            raise click.UsageError(f"{used}: for spreadsheets only, not for a drawing")
        _import_drawing(
            source,
            output,
            into=into,
            page=page,
            allow_delete=allow_delete,
            name=name,
            max_bytes=int(max_size * 2**20),
            as_json=as_json,
        )
        return
    drawing_only = [
        o for o, v in (("--into", into), ("--page", page), ("--allow-delete", allow_delete)) if v
    ]
    if drawing_only:
        raise click.UsageError(
            f"{', '.join(drawing_only)}: for a drawing (.drawio, .mmd) only, not a spreadsheet"
        )
    from ..io.importer import import_tables

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
    text = result.text if fmt == "yaml" else model_text(result.model, changes={}, fmt=fmt)
    write_file(output, text)
    if as_json:
        echo_json({"output": str(output), **result.to_dict()})
        return
    m = result.model
    counts = _counts(m)
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


COMMANDS = [import_]

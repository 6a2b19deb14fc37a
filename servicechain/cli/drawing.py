"""``import`` of a drawing: a draw.io file or a Mermaid flowchart, as a new model or as the
changes made to one (``--into``)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ServiceChainError
from ..io.atomic import write_atomic
from ._common import echo_json, load_chain, model_format, plural
from ._common import reraise as _reraise

__all__ = ["DRAWING_SUFFIXES", "MERMAID_SUFFIXES", "import_drawing", "is_drawing"]

DRAWING_SUFFIXES = (".drawio", ".xml", ".svg")
MERMAID_SUFFIXES = (".mmd", ".mermaid", ".md")


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


def import_drawing(
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
    try:
        write_atomic(output, text)
    except ServiceChainError as err:
        raise _reraise(err) from None
    if as_json:
        echo_json({"output": str(output), "source": str(source), **merged.to_dict()})
        return
    if chain is None:
        m = merged.model
        counts = ", ".join(
            plural(len(items), word)
            for items, word in (
                (m.departments, "department"),
                (m.segments, "segment"),
                (m.partners, "partner"),
                (m.services, "service"),
            )
        )
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

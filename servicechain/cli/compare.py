"""The ``diff`` command: what changed between two versions of a model, and why the scores moved."""

from __future__ import annotations

from pathlib import Path

import click

from ..chain import Chain
from ..errors import ModelError, ServiceChainError, UnknownNodeError
from ..io.load import DEFAULT_MAX_BYTES, parse_model
from ..io.revision import is_revision, read_revision
from ._common import (
    ModelProblems,
    echo_json,
    json_option,
    load_chain,
    max_size_option,
    output_option,
    quiet_option,
    reraise,
    top_option,
)

__all__ = ["COMMANDS"]


def _version(spec: str, param: str, max_bytes: int) -> Chain:
    """A model file, or ``REV:PATH`` read from git."""
    path = Path(spec)
    if path.is_file():
        return load_chain(path, max_bytes)
    if not is_revision(spec):
        raise click.BadParameter(
            f"{spec!r}: no such file (give a model file, or REV:PATH to read one from git, "
            "e.g. HEAD~1:models/x.yaml)",
            param_hint=param,
        )
    try:
        raw = read_revision(spec, max_bytes=max_bytes)
        suffix = Path(spec.partition(":")[2]).suffix.lower()
        loaded = parse_model(raw, file=spec, fmt="json" if suffix == ".json" else None)
    except ModelError as err:
        raise ModelProblems(err) from None
    except ServiceChainError as err:
        raise click.BadParameter(str(err), param_hint=param) from None
    return Chain(loaded.model, file=spec, positions=loaded.positions, checked=True)


@click.command(
    name="diff", short_help="Compare two versions of a model and say why the scores moved."
)
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--segment", "segment", metavar="SEGMENT", help="Show this segment only (its id).")
@top_option(help="Show only the N largest contributions per segment.")
@json_option
@output_option(
    required=False,
    help="Write the diff as one self-contained HTML page (.html): what changed, a waterfall "
    "per segment and the two chain diagrams side by side.",
)
@max_size_option
@quiet_option
def diff(
    old: str,
    new: str,
    segment: str | None,
    top: int | None,
    as_json: bool,
    output: Path | None,
    max_size: float,
    quiet: bool,
) -> None:
    """Compare two versions of a model: departments, segments, partners and services added,
    removed, renamed or rerouted, inputs changed, and each segment's and the company's change
    of delivered quality split into the contributions of the changed inputs, largest first.

    The contributions add up to each change exactly. Own qualities, baselines and ratings
    enter the scores linearly and are attributed exactly; weights, dependences and added or
    removed services are attributed by Shapley values over the departments they belong to.
    Scores are shown on NEW's scale. OLD or NEW may be REV:PATH to read a file from git.

    \b
    Examples:
      servicechain diff models/sapataria_q1.yaml models/sapataria_q2.yaml
      servicechain diff models/sapataria_q1.yaml models/sapataria_q2.yaml --segment clube
      servicechain diff HEAD~1:models/sapataria.yaml models/sapataria.yaml --json
      servicechain diff models/sapataria_q1.yaml models/sapataria_q2.yaml -o diff.html
    """
    from ..compare import diff as compare

    if output is not None and output.suffix.lower() not in (".html", ".htm"):
        raise click.BadParameter(
            f"{output.name}: the page is HTML; name the file .html", param_hint="-o/--output"
        )
    if output is not None and not output.absolute().parent.is_dir():
        raise click.ClickException(
            f"cannot write {output}: the folder {output.absolute().parent} does not exist"
        )
    max_bytes = int(max_size * 2**20) if max_size else DEFAULT_MAX_BYTES
    old_chain = _version(old, "OLD", max_bytes)
    new_chain = _version(new, "NEW", max_bytes)
    try:
        result = compare(old_chain, new_chain, old_label=old, new_label=new)
        if segment is not None:
            result.segment(segment)
    except UnknownNodeError as err:
        raise reraise(err, param="--segment") from None
    except ServiceChainError as err:
        raise reraise(err) from None
    if output is not None:
        from ..report.diffpage import write_diff_page

        try:
            write_diff_page(result, old_chain, new_chain, output)
        except OSError as err:
            raise click.ClickException(f"cannot write {output}: {err.strerror}") from None
        click.echo(f"Wrote {output} ({output.stat().st_size / 1024:,.0f} KB)")
        return
    if as_json:
        data = result.to_dict()
        if segment is not None:
            data["segments"] = [s for s in data["segments"] if s["id"] == segment]
        if top is not None:
            for move in [data["company"], *data["segments"]]:
                if move is not None:
                    move["contributions"] = move["contributions"][:top]
        echo_json(data)
    else:
        click.echo(result.text(top=top, segment=segment))


COMMANDS = [diff]

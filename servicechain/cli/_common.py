"""What every command shares: the MODEL argument, loading with clean errors, JSON output."""

from __future__ import annotations

import gc
import math
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from ..chain import Chain, load
from ..errors import ModelError, ServiceChainError, UnknownNodeError, number_hint
from ..io.jsonout import write_json
from ..io.load import DEFAULT_MAX_BYTES
from ..model.limits import MAX_NUMBER
from ..progress import gc_paused
from .progress import Progress

__all__ = [
    "Megabytes",
    "ModelProblems",
    "check_suffix",
    "echo_drawing_warnings",
    "echo_json",
    "echo_result",
    "force_option",
    "group_option",
    "json_option",
    "load_chain",
    "max_size_option",
    "model_argument",
    "model_format",
    "output_option",
    "parse_number",
    "plural",
    "progress_bar",
    "quiet_option",
    "reraise",
    "top_option",
]


class ModelProblems(click.ClickException):
    """Exit 1 with one line per problem of a model, then a count."""

    exit_code = 1

    def __init__(self, error: ModelError, *, to_stdout: bool = False):
        super().__init__(str(error))
        self.error = error
        self.to_stdout = to_stdout

    def show(self, file: Any = None) -> None:
        stream = sys.stdout if self.to_stdout else sys.stderr
        for problem in self.error.problems:
            click.echo(str(problem), file=stream)
        count = len(self.error.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found.", file=stream)


_QUIET = "servicechain.quiet"


#: ``--max-size MB``: passes ``max_size`` (MB); ``int(max_size * 2**20)`` is the byte limit.
class Megabytes(click.ParamType):
    """A size in MB, above 0; a bad value from ``SERVICECHAIN_MAX_SIZE`` names the variable."""

    name = "MB"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, float):
            return value
        try:
            size = float(value)
        except ValueError:
            size = math.nan
        if 0 < size <= MAX_NUMBER:
            return size
        hint = number_hint(str(value)) or "a number of megabytes above 0, e.g. 500"
        if ctx is not None and ctx.meta.get(_SIZE_SOURCE) is ParameterSource.ENVIRONMENT:
            raise click.UsageError(
                f"the variable SERVICECHAIN_MAX_SIZE is {value!r}, not a size ({hint}); "
                "fix or unset it",
                ctx,
            )
        self.fail(f"{value!r} is not a size ({hint})", param, ctx)


_SIZE_SOURCE = "servicechain.max_size_source"


class _SizeOption(click.Option):
    """Notes where the value came from (the option or the variable) for :class:`Megabytes`."""

    def consume_value(self, ctx: click.Context, opts: Any) -> tuple[Any, ParameterSource]:
        value, source = super().consume_value(ctx, opts)
        ctx.meta[_SIZE_SOURCE] = source
        return value, source


max_size_option = click.option(
    "--max-size",
    "max_size",
    cls=_SizeOption,
    type=Megabytes(),
    metavar="MB",
    default=DEFAULT_MAX_BYTES / 2**20,
    show_default=True,
    envvar="SERVICECHAIN_MAX_SIZE",
    help="Refuse model files larger than this many MB (env SERVICECHAIN_MAX_SIZE).",
)
quiet_option = click.option(
    "--quiet", "-q", "quiet", is_flag=True, help="Show no progress on stderr for long work."
)


def model_argument(func: Callable) -> Callable:
    """Add the MODEL argument, ``--max-size`` and ``--quiet`` to a command; pass
    ``model_path, max_bytes`` (``--quiet`` is read by :func:`progress_bar`)."""

    @click.argument(
        "model_path",
        metavar="MODEL",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
    )
    @max_size_option
    @quiet_option
    @wraps(func)
    def wrapper(*args: Any, max_size: float, quiet: bool, **kwargs: Any) -> Any:
        click.get_current_context().meta[_QUIET] = quiet
        return func(*args, max_bytes=int(max_size * 2**20), **kwargs)

    return wrapper


#: The model loaded last, kept to the end of the process: a command on a model of 100,000
#: departments would free its millions of small objects one by one when it returns, and the
#: process ends without doing so (:func:`servicechain.cli.run`). One model is kept at a time.
_LOADED: list[Chain] = []


def load_chain(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Chain:
    """Load a model, turning its problems into a clean exit 1."""
    try:
        with progress_bar(f"Loading {path.name}") as progress:
            chain = load(path, max_bytes=max_bytes, progress=progress)
    except ModelError as err:
        raise ModelProblems(err) from None
    _LOADED[:] = [chain]
    from . import ENDS_AT_EXIT

    if ENDS_AT_EXIT:
        # Nothing loaded is freed before the process ends: the collector's passes need not
        # walk the model's millions of objects again (0.05 to 0.1 s of a command at 100k).
        gc.freeze()
    return chain


def reraise(err: ServiceChainError, *, param: str | None = None) -> click.ClickException:
    """A library error as the click exception that prints it (usage error for unknown ids)."""
    if isinstance(err, ModelError):
        return ModelProblems(err)
    if isinstance(err, UnknownNodeError) and param:
        return click.BadParameter(str(err), param_hint=param)
    return click.ClickException(str(err))


def progress_bar(label: str) -> Progress:
    """A :class:`~servicechain.progress.Progress` for the current command: shown only on a
    terminal, and never with ``--quiet`` or ``--json``."""
    ctx = click.get_current_context(silent=True)
    quiet = ctx is not None and any(
        (ctx.meta.get(_QUIET), ctx.params.get("quiet"), ctx.params.get("as_json"))
    )
    return Progress(label, enabled=False if quiet else None)


def top_option(help: str = "Show only the first N rows.", **kwargs: Any) -> Callable:
    """``--top N``: how many rows the text shows (``--json`` keeps them all)."""
    return click.option("--top", type=click.IntRange(min=1), metavar="N", help=help, **kwargs)


def group_option(help: str) -> Callable:
    """``--by-group``: roll departments up by their ``group`` field first; passes
    ``group_by`` (``"group"`` or ``None``). ``--group-by group`` is still understood."""

    def decorate(func: Callable) -> Callable:
        func = click.option("--group-by", "group_by", type=click.Choice(["group"]), hidden=True)(
            func
        )
        return click.option("--by-group", "group_by", flag_value="group", help=help)(func)

    return decorate


#: ``--force``: files a user edits by hand (models, spreadsheets) are kept unless it is given;
#: files derived from a model (reports, images, exports) are always replaced.
force_option = click.option(
    "--force",
    is_flag=True,
    help="Replace the output file if it exists (kept by default: it is a file you edit).",
)

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON instead of text."
)


def check_suffix(output: Path, suffixes: tuple[str, ...], what: str = "") -> None:
    """Refuse an output file name whose suffix is not one of ``suffixes`` (a usage error).

    Examples
    --------
    >>> check_suffix(Path("chain.gif"), (".svg", ".png"))
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: cannot write .gif; use a .svg or .png file name
    """
    if output.suffix.lower() in suffixes:
        return
    names = [s for s in suffixes]
    listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
    shown = output.suffix or "a file without a suffix"
    raise click.BadParameter(
        f"cannot write {shown}{f' {what}' if what else ''}; use a {listed} file name",
        param_hint="'-o' / '--output'",
    )


def output_option(
    *, required: bool = True, help: str = "File to write.", suffixes: tuple[str, ...] = ()
) -> Callable:
    """The ``-o/--output FILE`` option; with ``suffixes``, another suffix is a usage error."""

    def check(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
        if value is not None and suffixes:
            check_suffix(value, suffixes)
        return value

    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(dir_okay=False, readable=False, path_type=Path),
        required=required,
        callback=check,
        help=help,
    )


def model_format(
    path: Path, *, formats: tuple[str, ...] = ("yaml", "json"), param: str = "'-o' / '--output'"
) -> str:
    """``"yaml"`` or ``"json"``, from the suffix of a model file to write; a usage error for
    any other suffix (a file's format always follows its name)."""
    suffixes = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
    fmt = suffixes.get(path.suffix.lower())
    if fmt not in formats:
        names = [s for s, f in suffixes.items() if f in formats]
        names = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        raise click.BadParameter(
            f"{path.name}: model files are written as {' or '.join(f.upper() for f in formats)}; "
            f"use a {names} file name",
            param_hint=param,
        )
    return fmt


def parse_number(text: str, *, param_hint: str, what: str = "") -> float:
    """A number given on the command line, finite and at most ``MAX_NUMBER`` in size; a usage
    error that names the cause otherwise (a decimal comma, a percentage, infinity).

    Examples
    --------
    >>> parse_number("3.5", param_hint="--set")
    3.5
    >>> parse_number("3,5", param_hint="--set", what="it=3,5")
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: 'it=3,5': '3,5' is not a number (use a decimal point: 3.5)
    """
    shown = f"{what!r}: " if what else ""
    try:
        value = float(text)
    except ValueError:
        hint = number_hint(text) or "write it like 3.5"
        raise click.BadParameter(
            f"{shown}{text!r} is not a number ({hint})", param_hint=param_hint
        ) from None
    if not abs(value) <= MAX_NUMBER:
        raise click.BadParameter(
            f"{shown}{text!r} is not a finite number of at most {MAX_NUMBER:g} in size",
            param_hint=param_hint,
        )
    return value


def plural(count: int, word: str) -> str:
    """``1 department``, ``2 departments``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def echo_result(result: Any, as_json: bool) -> None:
    """Print a library result: its ``to_dict()`` as JSON (streamed from its columns when it has
    ``json_data()``), or its readable text. The garbage collector pauses meanwhile: the rows of
    a large result are many small objects, and each collection would walk the whole model."""
    with gc_paused():
        if as_json:
            data = result.json_data() if hasattr(result, "json_data") else result.to_dict()
            echo_json(data)
        else:
            click.echo(str(result))


def echo_json(data: Any) -> None:
    """Print data as indented JSON with Unicode kept readable, written a block at a time
    (:func:`~servicechain.io.jsonout.write_json`). The JSON escapes every control character
    in its strings, so it goes to the terminal without a second look: as UTF-8 bytes straight
    to the stream's buffer where it takes them, else as text."""
    stream = sys.stdout
    to_bytes = stream.inert_bytes() if hasattr(stream, "inert_bytes") else None
    if to_bytes is not None:
        write_json(data, to_bytes, binary=True)
        to_bytes(b"\n")
    else:
        write_json(data, getattr(stream, "write_inert", stream.write))
        stream.write("\n")
    stream.flush()


def echo_drawing_warnings(caught: list) -> None:
    """Show each font or label-size warning a drawing raised, once, as ``Warning: ...`` on
    stderr (other warnings stay Python's)."""
    from ..draw.fonts import MissingGlyphsWarning
    from ..draw.render import SmallTextWarning

    shown = set()
    for item in caught:
        told = issubclass(item.category, (MissingGlyphsWarning, SmallTextWarning))
        if told and str(item.message) not in shown:
            shown.add(str(item.message))
            click.echo(f"Warning: {item.message}", err=True)

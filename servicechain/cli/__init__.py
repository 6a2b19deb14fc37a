"""The ``servicechain`` command line: thin commands that parse, call the library and print.

Commands are loaded on use: ``servicechain --help`` and ``--version`` import click alone, and a
command imports only the modules it needs (the index below says where each one lives).
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import NoReturn

import click

from .. import __version__

__all__ = ["INDEX", "LazyGroup", "main", "run"]

#: Every command: the module of :mod:`servicechain.cli` that defines it (in its ``COMMANDS``
#: list) and the one line the top-level ``--help`` shows for it, the command's own
#: ``short_help`` (``tests/test_cli_startup.py`` keeps this index and the modules equal).
INDEX: dict[str, tuple[str, str]] = {
    "validate": ("model", "Check MODEL: every problem at once, then the assumptions."),
    "summary": ("model", "What MODEL holds: counts, groups, front line, segments."),
    "schema": ("model", "Print the JSON Schema of the model file."),
    "init": ("model", "Start a model: a commented starter or a bundled example."),
    "generate": ("perf", "Write a realistic synthetic organisation as a JSON model."),
    "score": ("flow", "Delivered quality of every segment, department and partner."),
    "explain": ("flow", "Where a segment's gap to a perfect score comes from."),
    "impact": ("flow", "What if a department or hand-off got better, worse, or failed?"),
    "cost": ("cost", "Show what it costs to serve each segment of MODEL."),
    "diff": ("compare", "Compare two versions of a model and say why the scores moved."),
    "rank": ("flow", "What to fix first: exact gain if perfect, importance, failure."),
    "trace": ("structure", "What lies upstream or downstream of a node; paths to another."),
    "analyze": ("structure", "Roles, gateways, loops and unreached work; no scores needed."),
    "import": ("imports", "Build or update a model from a spreadsheet, draw.io file or Mermaid."),
    "template": ("io", "Write a ready-to-fill spreadsheet for `import`."),
    "survey": ("io", "Fold survey answers into MODEL's scores; write the new model."),
    "export": ("io", "Write MODEL for draw.io, Gephi, Graphviz, Mermaid or a sheet."),
    "draw": ("draw", "Draw the chain diagram: back office left, customers right."),
    "plot": ("draw", "Chart the quality flow: waterfall, tornado, ipa, heatmap, whatif."),
    "report": ("report", "Write a report to hand over: one HTML page, or Markdown."),
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when that command is used.

    ``index`` maps each command name to ``(module, one_line_help)``: the module (relative to
    this package) holds the command in its ``COMMANDS`` list, and the line is what the group's
    ``--help`` lists, so listing the commands imports nothing.

    Examples
    --------
    >>> group = LazyGroup(name="demo", index={"score": ("flow", "Delivered quality.")})
    >>> group.list_commands(None)
    ['score']
    >>> group.get_command(None, "score").name
    'score'
    >>> group.get_command(None, "nope") is None
    True
    """

    def __init__(self, *args, index: dict[str, tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.index = index

    def list_commands(self, ctx: click.Context | None) -> list[str]:
        return sorted(set(self.commands) | set(self.index))

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.index:
            module = import_module(f"{__name__}.{self.index[cmd_name][0]}")
            for command in module.COMMANDS:
                if command.name == cmd_name:
                    self.add_command(command)
        return self.commands.get(cmd_name)

    def main(self, *args, **kwargs):
        # every command's output passes the terminal sanitiser
        from .terminal import safe_streams

        with safe_streams():
            return super().main(*args, **kwargs)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in self.index:
                rows.append((name, self.index[name][1]))
            elif not self.commands[name].hidden:
                rows.append((name, self.commands[name].get_short_help_str(formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    index=INDEX,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="servicechain")
def main() -> None:
    """Map a company's departments as internal suppliers and customers, trace how the quality
    of each internal service reaches the external customers, and draw the chain.

    \b
    Start with a bundled example:
      servicechain init my-model.yaml --example sapataria
      servicechain validate my-model.yaml
      servicechain summary my-model.yaml

    Files: a file's format follows its name. Outputs derived from a model (report, draw, plot,
    export, generate) are replaced when they exist; files you edit by hand (the models of
    init, import and survey, the spreadsheet of template) are kept unless --force is given.
    """


#: True in the ``servicechain`` process (:func:`run`), which ends without freeing what it
#: loaded: the loaded model is then also kept out of the garbage collector's passes.
ENDS_AT_EXIT = False


def run(args: list[str] | None = None) -> NoReturn:
    """The ``servicechain`` command: :func:`main`, then an exit that leaves the memory to the
    operating system.

    A command on a model of 100,000 departments holds millions of small objects; freeing them
    one by one at exit takes a tenth of a second and changes nothing. So once the command is
    done and its output flushed, the process ends at once with the command's exit code. Under a
    profiler or a tracer (``python -m cProfile``, coverage) it exits the ordinary way, so that
    they can write their results.
    """
    global ENDS_AT_EXIT
    ENDS_AT_EXIT = True
    try:
        main.main(args=args, prog_name="servicechain")
        code: object = 0
    except SystemExit as stop:
        code = stop.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass  # the reader has gone (``| head``): nothing left to tell it
        except OSError as err:
            code = 1
            try:
                print(f"Error: the output could not be written: {err}", file=sys.stderr)
                sys.stderr.flush()
            except OSError:
                pass
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    os._exit(code)

"""The ``servicechain`` command line: thin commands that parse, call the library and print."""

from __future__ import annotations

import click

from .. import __version__

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


def _register() -> None:
    from . import compare, cost, draw, flow, io, model, perf, report, structure

    for module in (model, perf, flow, cost, compare, structure, io, draw, report):
        for command in module.COMMANDS:
            main.add_command(command)


_register()

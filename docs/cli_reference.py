"""Regenerate the README's command reference from the commands' own --help.

python3 docs/cli_reference.py          # rewrite README.md in place
python3 docs/cli_reference.py --check  # exit 1 if README.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from servicechain.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- command-reference -->", "<!-- /command-reference -->"


def reference() -> str:
    """The command reference as Markdown: one section per command with its help text."""
    runner = CliRunner()
    parts = [
        START,
        "",
        "Generated from `--help`; `python3 docs/cli_reference.py` refreshes it.",
        "",
    ]
    for name in main.list_commands(None):
        result = runner.invoke(main, [name, "--help"], terminal_width=100)
        text = result.stdout.replace("Usage: main", "Usage: servicechain")
        parts += [f"### servicechain {name}", "", "```", text.rstrip(), "```", ""]
    parts.append(END)
    return "\n".join(parts)


def updated(readme: str) -> str:
    """README text with the reference block replaced by a fresh one."""
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return head + reference() + tail


def main_() -> int:
    readme = README.read_text(encoding="utf-8")
    fresh = updated(readme)
    if "--check" in sys.argv:
        return 0 if fresh == readme else 1
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main_())

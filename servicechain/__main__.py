"""``python -m servicechain``: the command line, as the ``servicechain`` command."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main(prog_name="servicechain")

"""The bundled example models and the commented starter model of ``servicechain init``."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_EXAMPLE", "EXAMPLES_DIR", "STARTER", "example_names", "example_path"]

#: The folder holding the example models (``models/`` of the source tree).
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "models"
#: The example used when a command is run without a model.
DEFAULT_EXAMPLE = "sapataria"


def example_names() -> list[str]:
    """Names of the bundled examples, sorted.

    Examples
    --------
    >>> "sapataria" in example_names()
    True
    """
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.yaml"))


def example_path(name: str = DEFAULT_EXAMPLE) -> Path:
    """Path of a bundled example; raises ``KeyError`` with the valid names if unknown."""
    path = EXAMPLES_DIR / f"{name}.yaml"
    if not path.is_file():
        raise KeyError(f"no example named {name!r}; examples: {', '.join(example_names())}")
    return path


STARTER = """\
# yaml-language-server: $schema=servicechain.schema.json
# A starter model: replace the departments, segments and services with your own.
# Validate it with `servicechain validate FILE`; see `servicechain schema` for every field.
name: My company
scale: {min: 1, max: 5}          # every score below is on this scale

departments:                      # internal units: each is a supplier and a customer
  - {id: it, name: IT support, group: Support, quality: 3.8, dependence: 0.3}
  - {id: stock, name: Warehouse, group: Operations, quality: 4.1, dependence: 0.4}
  - {id: store, name: Store staff, group: Retail, quality: 4.5, dependence: 0.6}

segments:                         # the customers of the company's offer
  - {id: walkin, name: Walk-in shoppers, kind: consumer, relationship: customer,
     customers: 12000, revenue: 960000, revenue_elasticity: 0.8}

partners:                         # external suppliers: they receive nothing
  - {id: courier, name: Courier company, quality: 3.5}

services:                         # who serves whom: supplier -> customer
  - {from: it, to: store, name: POS support, quality: 3.2, weight: 1}
  - {from: stock, to: store, name: Replenishment, quality: 4.0, weight: 2}
  - {from: courier, to: stock, name: Inbound delivery, quality: 3.9}
  - {from: store, to: walkin, name: Advice and sales, quality: 4.4}
"""

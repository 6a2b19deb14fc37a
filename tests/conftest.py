"""Shared fixtures: paths of the bundled examples and test data, and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = sorted(MODELS.glob("*.yaml"))


@pytest.fixture
def runner() -> CliRunner:
    """A click runner; ``result.stdout`` and ``result.stderr`` are kept apart."""
    return CliRunner()


@pytest.fixture(params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> Path:
    """Each bundled example model in turn."""
    return request.param

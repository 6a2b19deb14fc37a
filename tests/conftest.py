"""Shared fixtures: paths of the bundled examples and test data, and a CLI runner; under CI
nothing may skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# Property tests explore fresh examples on a developer's machine and replay its example
# database; in CI (CI=true) they run derandomized, with no database, so a run is reproducible
# and never depends on files left by an earlier run.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Without the optional system packages (Graphviz, Chromium, a CJK font) the tests that
    need them skip and say why (``-rs``); with ``CI`` set, ``.ci/run`` has installed them, so a
    skip is a failure."""
    outcome = yield
    report = outcome.get_result()
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    if report.skipped and in_ci and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI is set, so nothing may skip: {reason}"

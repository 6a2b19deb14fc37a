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
SAPATARIA = MODELS / "sapataria.yaml"
SURVEY = MODELS / "surveys" / "sapataria-2026.csv"


def shop(se: float = 0.2, **extra) -> dict:
    """IT and a warehouse serve a store (one hand-off rated, one not); the store serves two
    segments, one through a rated hand-off, one through an unrated one."""
    return {
        "name": "Shop",
        "scale": {"min": 1, "max": 5},
        "departments": [
            {"id": "it", "name": "IT", "quality": 3.0, "quality_se": se, "dependence": 0},
            {"id": "stock", "name": "Warehouse", "quality": 3.6, "quality_se": se},
            {"id": "store", "name": "Store", "quality": 4.2, "quality_se": se, "dependence": 0.6},
        ],
        "partners": [{"id": "courier", "name": "Courier", "quality": 3.4, "quality_se": se}],
        "segments": [
            {"id": "walkin", "name": "Walk-in", "kind": "consumer", "relationship": "customer",
             "revenue": 600},
            {"id": "online", "name": "Online", "kind": "consumer", "relationship": "customer",
             "revenue": 400, "dependence": 0.8, "baseline": 3.5, "quality_se": se},
        ],
        "services": [
            {"from": "it", "to": "store", "quality": 2.6, "quality_se": se},
            {"from": "stock", "to": "store", "weight": 2},
            {"from": "courier", "to": "stock", "quality": 3.1, "quality_se": se},
            {"from": "store", "to": "walkin", "quality": 3.9, "quality_se": se},
            {"from": "store", "to": "online"},
        ],
        **extra,
    }  # fmt: skip


@pytest.fixture
def runner() -> CliRunner:
    """A click runner; ``result.stdout`` and ``result.stderr`` are kept apart."""
    return CliRunner()


@pytest.fixture(params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> Path:
    """Each bundled example model in turn."""
    return request.param


@pytest.fixture(scope="session")
def surveyed_file(tmp_path_factory) -> Path:
    """The bundled Sapataria model with the bundled survey folded in, written by `survey`."""
    from servicechain.cli import main

    out = tmp_path_factory.mktemp("surveyed") / "sapataria-2026.yaml"
    result = CliRunner().invoke(
        main, ["survey", str(SAPATARIA), str(SURVEY), "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def surveyed(surveyed_file):
    """The surveyed Sapataria model, loaded."""
    from servicechain import load

    return load(surveyed_file)


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

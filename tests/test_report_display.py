"""Rich display in Jupyter: each object shows itself once, as SVG or HTML plus plain text."""

from __future__ import annotations

import pytest

import servicechain
from servicechain import flow, structure

from .conftest import DATA

IPython = pytest.importorskip("IPython")


def _format(obj):
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(obj)
    return data


@pytest.fixture(scope="module")
def chain():
    return servicechain.load(servicechain.example_path("sapataria"))


def test_chain_shows_its_diagram_once(chain):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    data = _format(chain)
    assert sorted(data) == ["image/svg+xml", "text/plain"]
    assert data["text/plain"] == repr(chain)
    assert "<svg" in data["image/svg+xml"]
    assert plt.get_fignums() == before  # nothing left for pyplot to show a second time


def test_chain_bundle_respects_include_and_exclude(chain):
    assert sorted(chain._repr_mimebundle_(exclude=["image/svg+xml"])) == ["text/plain"]
    assert sorted(chain._repr_mimebundle_(include=["image/svg+xml"])) == ["image/svg+xml"]


@pytest.mark.parametrize(
    "make",
    [
        lambda c: flow.score(c),
        lambda c: flow.explain(c, "passagem", top=5),
        lambda c: flow.rank(c, top=5),
        lambda c: flow.compare(c, {"better-it": {"set": {"it": 4}}}),
        lambda c: structure.analyze(c),
    ],
    ids=["score", "explain", "rank", "compare", "analyze"],
)
def test_results_show_text_and_one_html_table_view(chain, make):
    result = make(chain)
    data = _format(result)
    assert sorted(data) == ["text/html", "text/plain"]
    assert data["text/plain"] == str(result)
    assert data["text/html"].startswith('<div class="sc-result">')
    assert data["text/html"].count('<div class="sc-result">') == 1
    assert "<table>" in data["text/html"]


def test_result_tables_escape_names():
    hostile = servicechain.load(DATA / "report" / "hostile.yaml")
    page = _format(flow.score(hostile))["text/html"]
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page

"""The HTML report in a real headless Chromium: loads cleanly, shows the diagram, highlights a
department's chain on click, sorts tables, stays readable without JavaScript, prints to PDF.

Skipped where no Chromium is installed, except under CI (``CI`` set), where ``.ci/run`` must
have installed it and a missing browser is a failure.
"""

from __future__ import annotations

import io
import os

import networkx as nx
import pytest

import servicechain

from .conftest import DATA
from .report_browser import Browser, find_chromium
from .report_shared import shared_report


def _unavailable() -> str | None:
    if find_chromium() is None:
        return "no Chromium found (install Debian's chromium package; .ci/run does)"
    try:
        import websocket  # noqa: F401
    except ImportError:
        return "websocket-client is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the browser test cannot run: {reason}")
        pytest.skip(reason)
    with Browser(find_chromium()) as b:
        yield b


@pytest.fixture(scope="module")
def sapataria(tmp_path_factory):
    model = servicechain.example_path("sapataria")
    return servicechain.load(model), shared_report(tmp_path_factory, model)


def _centre_of(browser: Browser, element_id: str) -> tuple[float, float, float, float]:
    x, y, w, h = browser.eval(
        f"""(function () {{
            var e = document.getElementById({element_id!r});
            e.scrollIntoView({{block: "center", inline: "center"}});
            var r = e.getBoundingClientRect();
            return [r.x, r.y, r.width, r.height];
        }})()"""
    )
    return x + w / 2, y + h / 2, w, h


def _classes(browser: Browser, n: int) -> list[str]:
    return browser.eval(
        f"""Array.from({{length: {n}}}, function (_, i) {{
            var e = document.getElementById("diagram-node-" + i);
            return e ? e.getAttribute("class") || "" : null;
        }})"""
    )


def test_report_loads_and_highlights_the_chain_of_a_clicked_department(browser, sapataria):
    chain, path = sapataria
    browser.open(path)
    assert browser.errors == []
    assert browser.eval("document.documentElement.classList.contains('js')") is True

    # the diagram is visible
    width, height = browser.eval(
        """(function () {
            var r = document.querySelector("#chain-diagram svg").getBoundingClientRect();
            return [r.width, r.height];
        })()"""
    )
    assert width > 300 and height > 200

    # click a department that is both served and serving
    net = chain.network
    focus = "armazem"
    i = net.index[focus]
    up = {net.index[n] for n in nx.ancestors(chain.graph, focus)}
    down = {net.index[n] for n in nx.descendants(chain.graph, focus)}
    assert up and down
    x, y, w, h = _centre_of(browser, f"diagram-node-{i}")
    assert w > 5 and h > 5
    browser.click(x, y)
    classes = _classes(browser, net.n)
    assert up & down  # a loop through the warehouse: upstream and downstream at once
    for k, cls in enumerate(classes):
        words = set(cls.split()) - {"sc-node"}
        if k == i:
            expected = {"sc-focus"}
        else:
            expected = {"sc-up"} if k in up else set()
            expected |= {"sc-down"} if k in down else set()
            expected = expected or {"sc-faded"}
        assert words == expected, (net.ids[k], cls)
    status = browser.eval("document.querySelector('#chain-diagram .chain-status').textContent")
    assert status.startswith(f"{net.names[i]}: {len(up)} upstream, {len(down)} downstream")

    # a screenshot of the highlighted diagram is far from blank
    from PIL import Image

    image = Image.open(io.BytesIO(browser.screenshot())).convert("RGB")
    assert image.size[0] >= 800
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50
    most = max(count for count, _ in colours)
    assert most < 0.9 * image.size[0] * image.size[1]

    # Escape clears the highlight
    browser.send("Input.dispatchKeyEvent", type="keyDown", key="Escape", code="Escape")
    browser.send("Input.dispatchKeyEvent", type="keyUp", key="Escape", code="Escape")
    assert all("sc-" not in c.replace("sc-node", "") for c in _classes(browser, net.n))
    assert browser.errors == []


def test_report_tables_sort_by_column(browser, sapataria):
    _, path = sapataria
    browser.open(path)
    read = """Array.from(document.querySelectorAll("#departments tbody tr"),
        function (r) { return parseFloat(r.cells[6].getAttribute("data-value")); })"""
    header = browser.eval(
        """(function () {
            var th = document.querySelectorAll("#departments thead th")[6];
            th.scrollIntoView({block: "center"});
            var r = th.getBoundingClientRect();
            return [r.x + r.width / 2, r.y + r.height / 2, th.textContent];
        })()"""
    )
    assert header[2] == "Delivered quality"
    browser.click(header[0], header[1])
    ascending = browser.eval(read)
    assert ascending == sorted(ascending) and len(ascending) > 5
    browser.click(header[0], header[1])
    assert browser.eval(read) == sorted(ascending, reverse=True)
    assert browser.errors == []


def test_hostile_names_run_nothing_in_the_browser(browser, tmp_path_factory):
    model = DATA / "report" / "hostile.yaml"
    chain = servicechain.load(model)
    browser.open(shared_report(tmp_path_factory, model))
    x, y, _, _ = _centre_of(browser, f"diagram-node-{chain.network.index['xss']}")
    browser.click(x, y)
    assert browser.errors == []  # no alert dialog, no error
    assert browser.eval("document.title") == "<script>alert('title')</script> & Co"
    assert browser.eval("document.querySelectorAll('img, iframe, object').length") == 0
    status = browser.eval("document.querySelector('#chain-diagram .chain-status').textContent")
    assert status.startswith("<script>alert(1)</script>: ")


def test_report_is_readable_without_javascript_and_prints(browser, sapataria):
    _, path = sapataria
    browser.send("Emulation.setScriptExecutionDisabled", value=True)
    try:
        browser.open(path)
        assert browser.eval("document.documentElement.classList.contains('js')") is False
        width = browser.eval(
            "document.querySelector('#chain-diagram svg').getBoundingClientRect().width"
        )
        assert width > 300
        hint = browser.eval("getComputedStyle(document.querySelector('.hint')).display")
        assert hint == "none"
        rows = browser.eval("document.querySelectorAll('#departments tbody tr').length")
        assert rows > 5
    finally:
        browser.send("Emulation.setScriptExecutionDisabled", value=False)
    pdf = browser.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000


def test_clicking_a_department_highlights_the_arrows_of_its_chain(browser, sapataria):
    chain, path = sapataria
    net, graph = chain.network, chain.graph
    focus = "marketing"  # a department whose chain leaves some services out
    up, down = nx.ancestors(graph, focus), nx.descendants(graph, focus)
    ends = [(net.ids[s], net.ids[t]) for s, t in zip(net.source, net.target, strict=True)]
    on_chain = {
        j
        for j, (s, t) in enumerate(ends)
        if (s in up and (t in up or t == focus)) or (t in down and (s in down or s == focus))
    }
    first = {}
    for j, pair in enumerate(ends):
        first.setdefault(pair, j)
    drawn = sorted(first.values())  # one arrow per supplier-customer pair
    assert on_chain & set(drawn) and set(drawn) - on_chain

    browser.open(path)
    ids = browser.eval(
        "Array.from(document.querySelectorAll('#chain-diagram [id*=\"-edge-\"]'), e => e.id)"
    )
    assert sorted(ids, key=lambda e: int(e.rsplit("-", 1)[1])) == [
        f"diagram-edge-{j}" for j in drawn
    ]
    x, y, _, _ = _centre_of(browser, f"diagram-node-{net.index[focus]}")
    browser.click(x, y)
    classes = browser.eval(
        f"""{drawn}.map(function (j) {{
            return document.getElementById("diagram-edge-" + j).getAttribute("class") || "";
        }})"""
    )
    for j, cls in zip(drawn, classes, strict=True):
        assert cls == ("sc-on" if j in on_chain else "sc-faded"), (ends[j], cls)
    opacity = browser.eval(
        f"getComputedStyle(document.getElementById('diagram-edge-{min(set(drawn) - on_chain)}'))"
        ".opacity"
    )
    assert float(opacity) < 0.5
    assert browser.errors == []

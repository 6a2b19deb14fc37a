"""The HTML report in a real headless Chromium: loads cleanly, shows the diagram, highlights a
department's chain on click, sorts tables, stays readable without JavaScript, prints to PDF.

Skipped where no Chromium is installed, except under CI (``CI`` set), where ``.ci/run`` must
have installed it and a missing browser is a failure.
"""

from __future__ import annotations

import base64
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
        function (r) { return parseFloat(r.cells[5].getAttribute("data-value")); })"""
    header = browser.eval(
        """(function () {
            var th = document.querySelectorAll("#departments thead th")[5];
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
    # the fade is a short CSS transition: read the opacity once it has run (on a busy machine
    # the first frames may not have been drawn yet)
    faded = f"document.getElementById('diagram-edge-{min(set(drawn) - on_chain)}')"
    settled = browser.eval(
        f"Promise.all({faded}.getAnimations().map(function (a) {{ return a.finished; }}))"
        ".then(function () { return true; })",
        wait=True,
    )
    assert settled is True
    opacity = browser.eval(f"getComputedStyle({faded}).opacity")
    assert float(opacity) < 0.5
    assert browser.errors == []


@pytest.fixture(scope="module", params=["hospital", "airline"])
def story_report(request, tmp_path_factory):
    model = servicechain.example_path(request.param)
    return servicechain.load(model), shared_report(tmp_path_factory, model)


def test_the_summary_comes_first_and_names_the_top_fix(browser, story_report):
    from servicechain.flow import rank
    from servicechain.report.summary import fixes

    chain, path = story_report
    browser.open(path)
    first = browser.eval("document.querySelector('main > section').id")
    assert first == "summary"
    text = browser.eval("document.getElementById('summary').innerText")
    top = fixes(rank(chain, top=None, exact=len(chain.network.ids)))[0]
    net = chain.network
    ends = [top.node] if isinstance(top.node, str) else list(top.node)
    for end in ends:
        assert net.names[net.index[end]] in text.split("Fix first.")[1].split("\n")[1]
    assert browser.errors == []


def test_no_text_shows_a_model_id_where_a_name_exists(browser, story_report):
    import re

    chain, path = story_report
    browser.open(path)
    text = browser.eval("document.body.innerText")
    net = chain.network
    names = " ".join(net.names).lower()
    for name in sorted(net.names, key=len, reverse=True):  # what is left once names are out
        text = text.replace(name, "\u2022")
    for ident, name in zip(net.ids, net.names, strict=True):
        if name == ident:
            continue
        for shape in (f"({ident})", f"'{ident}'", f"{ident} →", f"→ {ident}", f"{ident}->"):
            assert shape not in text, (ident, shape)
        if ident.lower() not in names and not re.fullmatch(r"[a-z]+", ident):
            assert not re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", text), ident


def test_a_breakdown_chart_and_its_table_name_the_same_remainder(browser, story_report):
    _, path = story_report
    browser.open(path)
    pairs = browser.eval(
        """Array.from(document.querySelectorAll("figure[id^='fig-waterfall-']"), function (f) {
            var table = f.nextElementSibling.querySelector("table");
            var last = table.tBodies[0].rows[table.tBodies[0].rows.length - 1];
            return [f.querySelector(".chart-text").textContent,
                    last.cells[0].textContent, last.cells[2].textContent,
                    last.cells[3].textContent, table.tBodies[0].rows.length];
        })"""
    )
    assert pairs
    remainders = 0
    for said, where, points, share, rows in pairs:
        if where.endswith(("smaller terms", "smaller term")):
            remainders += 1
            assert where in said.split("; ")  # the chart's bar carries the same label
            assert f"{points.replace('-', '−')} ({share})" in said  # same number, same sign
            assert rows == 9  # eight terms and the remainder, as the chart
    assert remainders


def test_printing_puts_the_diagram_on_a_landscape_page(browser, story_report):
    import base64

    from pypdf import PdfReader

    _, path = story_report
    browser.open(path)
    data = browser.send("Page.printToPDF", printBackground=True, preferCSSPageSize=True)["data"]
    reader = PdfReader(io.BytesIO(base64.b64decode(data)))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    wide = [i for i, (w, h) in enumerate(sizes) if w > h]
    assert len(wide) == 1 and 0 < wide[0] < 4, sizes[:6]
    page = reader.pages[wide[0]].extract_text()
    assert "The chain" in page
    assert "\u2195" not in "".join(p.extract_text() for p in reader.pages)  # no sort arrows


def _page_rect(browser: Browser, element_id: str) -> tuple[float, float, float, float]:
    """An element's box in page coordinates (what a clipped screenshot takes)."""
    return tuple(
        browser.eval(
            f"""(function () {{
                var r = document.getElementById({element_id!r}).getBoundingClientRect();
                return [r.x + window.scrollX, r.y + window.scrollY, r.width, r.height];
            }})()"""
        )
    )


def _pixels(browser: Browser, rect: tuple[float, float, float, float], grow: float = 0.0):
    from PIL import Image

    x, y, w, h = rect
    clip = {"x": x - grow, "y": y - grow, "width": w + 2 * grow, "height": h + 2 * grow}
    data = browser.send("Page.captureScreenshot", format="png", clip={**clip, "scale": 2})
    return Image.open(io.BytesIO(base64.b64decode(data["data"]))).convert("RGB")


def _changed(a, b) -> int:
    """Pixels that differ visibly (by more than anti-aliasing) between two images."""
    from PIL import ImageChops

    diff = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 24 else 0)
    return diff.histogram()[255]


def _drawn(browser: Browser) -> None:
    """Wait until the page has drawn what the events so far changed (two animation frames)."""
    browser.eval(
        "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))",
        wait=True,
    )


def _tab(browser: Browser) -> str:
    """Press Tab (a real key press) and return the id of the element that has the focus."""
    for kind in ("keyDown", "keyUp"):
        browser.send(
            "Input.dispatchKeyEvent", type=kind, key="Tab", code="Tab", windowsVirtualKeyCode=9
        )
    return browser.eval("document.activeElement ? document.activeElement.id : ''")


def test_focus_and_highlight_rings_never_cover_a_label(browser, tmp_path_factory):
    """Real keyboard focus and a real click on the box whose label comes closest to its edge
    (an unrated, hatched box of the hospital): the ring is drawn outside the box, so not one
    pixel of the label changes, while the ring itself shows; each box is one keyboard stop."""
    model = servicechain.example_path("hospital")
    browser.open(shared_report(tmp_path_factory, model))
    # Rings and fades are checked in their final state: no transition is left running when a
    # picture is taken, however slowly a busy machine draws.
    browser.eval(
        """document.head.appendChild(Object.assign(document.createElement("style"), {
            textContent: "* { transition: none !important; animation: none !important; }"
        })).textContent"""
    )
    margins = browser.eval(
        """Array.from(document.querySelectorAll('[id^="diagram-node-"]'), function (box) {
            var k = box.id.split("-").pop();
            var r = box.getBoundingClientRect();
            var q = document.getElementById("diagram-label-" + k).getBoundingClientRect();
            return [box.id, Math.min(q.left - r.left, r.right - q.right, q.top - r.top,
                                     r.bottom - q.bottom)];
        })"""
    )
    assert len(margins) == servicechain.load(model).network.n
    # every label lies inside its box, so a ring outside the box cannot reach a label
    assert all(m > 0.5 for _, m in margins), margins
    target, _ = min(margins, key=lambda x: x[1])
    label = target.replace("node", "label")
    browser.eval(f"document.getElementById({target!r}).scrollIntoView({{block: 'center'}})")
    # the pointer (left wherever an earlier test put it) off the diagram: nothing highlighted
    browser.send("Input.dispatchMouseEvent", type="mouseMoved", x=2, y=2)
    _drawn(browser)
    lit = "document.querySelectorAll('.sc-faded, .sc-up, .sc-down, .sc-focus, .sc-on').length"
    assert browser.eval(lit) == 0
    box_rect, label_rect = _page_rect(browser, target), _page_rect(browser, label)
    before_label = _pixels(browser, label_rect)
    before_box = _pixels(browser, box_rect, grow=4)

    focused = ""
    for _ in range(200):  # Tab from the top of the page until the box has the focus
        focused = _tab(browser)
        if focused == target:
            break
    assert focused == target
    assert browser.eval("document.activeElement.matches(':focus-visible')") is True
    assert _page_rect(browser, target) == box_rect  # (the box was in view: nothing scrolled)
    ring = browser.eval(
        f"""(function () {{
            var c = getComputedStyle(document.querySelector("#{target} path"));
            return [c.paintOrder, c.strokeWidth, c.stroke];
        }})()"""
    )
    assert ring[0].startswith("stroke") and ring[1] == "6px" and ring[2] == "rgb(0, 0, 0)"
    _drawn(browser)
    assert _changed(before_label, _pixels(browser, label_rect)) == 0
    assert _changed(before_box, _pixels(browser, box_rect, grow=4)) > 50  # the ring shows

    # the next stop is the next box, never the label of this one
    assert _tab(browser) not in (label, target)
    assert browser.eval(f"document.getElementById({label!r}).tabIndex") == -1

    # a real click on the label keeps the highlight on the box, the label untouched
    browser.send("Input.dispatchKeyEvent", type="keyDown", key="Escape", code="Escape")
    x, y, w, h = browser.eval(
        f"""(function () {{
            var r = document.getElementById({label!r}).getBoundingClientRect();
            return [r.x, r.y, r.width, r.height];
        }})()"""
    )
    browser.click(x + w / 2, y + h / 2)
    _drawn(browser)
    assert "sc-focus" in browser.eval(f"document.getElementById({target!r}).className.baseVal")
    assert _changed(before_label, _pixels(browser, _page_rect(browser, label))) == 0
    # the chain's rings (upstream, downstream) are drawn outside their boxes too
    orders = browser.eval(
        """Array.from(document.querySelectorAll(".sc-up path, .sc-down path"),
            function (p) { return getComputedStyle(p).paintOrder; })"""
    )
    assert orders and all(o.startswith("stroke") for o in orders)
    assert browser.errors == []

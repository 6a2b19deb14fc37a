"""The CSS and the plain JavaScript embedded in every HTML report (no network access needed)."""

from __future__ import annotations

__all__ = ["CSS", "SCRIPT"]

CSS = """\
:root { --ink: #1d2430; --muted: #5b6573; --line: #d8dde4; --soft: #f4f6f9;
        --accent: #2b5d9b; --up: #b5540b; --down: #1f7a4d;
        --loop: #7b3fa0; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
       font: 15px/1.45 "Noto Sans", "Segoe UI", Helvetica, Arial, "Noto Sans CJK SC",
             "Microsoft YaHei", sans-serif; }
header, main, footer, nav.toc { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; border-bottom: 3px solid var(--accent); padding-bottom: 12px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 10px; padding-bottom: 4px;
     border-bottom: 1px solid var(--line); }
h3 { font-size: 17px; margin: 22px 0 8px; }
.subtitle { color: var(--muted); margin: 0 0 12px; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 8px 0 0; padding: 0; }
.facts div { min-width: 110px; }
.facts dt { color: var(--muted); font-size: 12px; text-transform: uppercase;
            letter-spacing: .04em; }
.facts dd { margin: 0; font-size: 20px; font-weight: 600; }
nav.toc { margin-top: 14px; }
nav.toc ol { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap;
             gap: 4px 18px; }
nav.toc a { color: var(--accent); text-decoration: none; font-size: 14px; }
nav.toc a:hover { text-decoration: underline; }
p.note { color: var(--muted); font-size: 13px; }
#summary { background: var(--soft); border-left: 4px solid var(--accent); padding: 2px 20px 8px;
           margin-top: 24px; }
#summary h2 { border-bottom: none; margin-top: 16px; }
ul.findings { list-style: none; margin: 6px 0 10px; padding: 0; }
ul.findings li { margin: 0 0 10px; font-size: 16px; }
ul.findings strong.finding { color: var(--accent); }
ul.findings ol { margin: 4px 0 0; padding-left: 24px; }
ul.findings ol li { margin: 2px 0; font-size: 15px; }
ul.bullets { margin: 6px 0 12px; padding-left: 22px; }
figure { margin: 14px 0 20px; break-inside: avoid; page-break-inside: avoid; }
figure .svg-wrap { overflow-x: auto; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.chart-text { position: absolute; width: 1px; height: 1px; overflow: hidden;
              clip: rect(0 0 0 0); white-space: nowrap; margin: -1px; padding: 0; }
.table-wrap { overflow-x: auto; margin: 8px 0 18px; }
table { border-collapse: collapse; font-size: 14px; min-width: 50%; }
caption { text-align: left; color: var(--muted); font-size: 13px; padding-bottom: 4px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left;
         vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: #fafbfd; }
tfoot tr.rest td { color: var(--muted); font-style: italic; border-bottom: none; }
.js table.sortable th { cursor: pointer; user-select: none; }
.js table.sortable th::after { content: " \\2195"; color: #aab2bd; font-size: 11px; }
.js table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; color: var(--accent); }
.js table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; color: var(--accent); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 8px 24px; }
.hint { display: none; color: var(--muted); font-size: 13px; margin: 0 0 6px; }
.js .hint { display: block; }
.chain-status { min-height: 1.4em; font-size: 14px; margin: 4px 0 0; }
.chain-status .up, .hint .up { color: var(--up); font-weight: 600; }
.hint .down { color: var(--down); font-weight: 600; }
.hint .loop { color: var(--loop); font-weight: 600; }
.chain-status .down { color: var(--down); font-weight: 600; }
svg .sc-node, svg .sc-label { cursor: pointer; }
svg .sc-node:focus { outline: none; }
/* Rings round a box are drawn outside it, never over its label: the stroke is painted first
   and the box's fill covers its inner half (paint-order), so 6px show as 3px outside. */
svg .sc-node:focus-visible path, svg .sc-node:focus-visible rect,
svg .sc-focus path, svg .sc-focus rect,
svg .sc-up path, svg .sc-up rect,
svg .sc-down path, svg .sc-down rect { stroke-width: 6px !important; paint-order: stroke fill; }
svg .sc-node:focus-visible path, svg .sc-node:focus-visible rect,
svg .sc-focus path, svg .sc-focus rect { stroke: #000 !important; }
svg .sc-faded { opacity: 0.15; transition: opacity .15s; }
svg .sc-up path, svg .sc-up rect { stroke: var(--up) !important; }
svg .sc-down path, svg .sc-down rect { stroke: var(--down) !important; }
svg .sc-up.sc-down path { stroke: var(--loop) !important; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; padding-bottom: 30px;
         border-top: 1px solid var(--line); padding-top: 10px; }
@page { size: A4; margin: 16mm 14mm; }
@page diagram { size: A4 landscape; margin: 8mm; }
@media print {
  body { font-size: 10.5pt; }
  header, main, footer, nav.toc { max-width: none; padding: 0; }
  nav.toc, .hint, .chain-status { display: none !important; }
  svg .sc-faded { opacity: 1; }
  h1, h2, h3, caption, .table-wrap > table > caption { break-after: avoid;
                                                       page-break-after: avoid; }
  h2, h3 { break-inside: avoid; }
  section > p:first-of-type { break-before: avoid; }
  tr, figure, ul.findings li { break-inside: avoid; page-break-inside: avoid; }
  main section section { break-inside: avoid; }
  section > p + figure.chart { break-before: avoid; }
  section > p + .table-wrap, h2 + .table-wrap, h3 + .table-wrap { break-before: avoid; }
  thead { display: table-header-group; }
  p { orphans: 3; widows: 3; }
  footer { break-before: avoid; margin-top: 12px; }
  h2 + p, h3 + p { break-inside: avoid; }
  .table-wrap, figure .svg-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  .js table.sortable th { cursor: auto; }
  .js table.sortable th::after, .js table.sortable th[aria-sort]::after { content: none; }
  #summary { break-inside: avoid; }
  /* the chain diagram alone on a landscape page, as wide as the page allows */
  #chain { page: diagram; break-before: page; break-after: page; }
  #chain > p { display: none; }
  #chain h2 { margin-top: 0; }
  #chain figure { margin: 0; }
  #chain figure svg { width: 100%; max-height: 170mm; }
  tbody tr:hover { background: none; }
}
"""

SCRIPT = """\
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var dataNode = document.getElementById("sc-data");
  var data = dataNode ? JSON.parse(dataNode.textContent) : {};

  /* --- sortable tables ------------------------------------------------------------ */
  function cellKey(cell, numeric) {
    var raw = cell.getAttribute("data-value");
    if (numeric) {
      var x = parseFloat(raw === null ? cell.textContent : raw);
      return isNaN(x) ? -Infinity : x;
    }
    return (raw === null ? cell.textContent : raw).toLowerCase();
  }
  function sortBy(table, th, col) {
    var numeric = th.classList.contains("num");
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellKey(a.cells[col], numeric), y = cellKey(b.cells[col], numeric);
      var c = x < y ? -1 : x > y ? 1 : 0;
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      th.title = "Sort by this column";
      th.addEventListener("click", function () { sortBy(table, th, col); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, th, col); }
      });
    });
  });

  /* --- chain highlight ------------------------------------------------------------- */
  var chain = data.chain;
  var figure = document.getElementById("chain-diagram");
  if (!chain || !figure) { return; }
  var prefix = chain.prefix;
  var n = chain.nodes.length;
  var succ = [], pred = [], i;
  for (i = 0; i < n; i++) { succ.push([]); pred.push([]); }
  chain.edges.forEach(function (e) { succ[e[0]].push(e[1]); pred[e[1]].push(e[0]); });
  function reach(start, next) {
    var seen = {}, stack = [start], out = [];
    while (stack.length) {
      var v = stack.pop();
      next[v].forEach(function (w) {
        if (!seen[w] && w !== start) { seen[w] = true; out.push(w); stack.push(w); }
      });
    }
    return seen;
  }
  function el(kind, k) { return document.getElementById(prefix + kind + "-" + k); }
  var nodeEls = [], edgeEls = [];
  for (i = 0; i < n; i++) { nodeEls.push([el("node", i), el("label", i)]); }
  chain.edges.forEach(function (e, k) { edgeEls.push(el("edge", k)); });
  var status = figure.querySelector(".chain-status");
  var locked = null;

  function clear() {
    var all = figure.querySelectorAll(".sc-faded, .sc-up, .sc-down, .sc-focus, .sc-on");
    Array.prototype.forEach.call(all, function (x) {
      x.classList.remove("sc-faded", "sc-up", "sc-down", "sc-focus", "sc-on");
    });
    if (status) { status.textContent = ""; }
    figure.removeAttribute("data-focus");
  }
  function mark(k, cls) {
    var box = nodeEls[k][0], label = nodeEls[k][1];
    if (box) { box.classList.add(cls); }
    if (label && cls === "sc-faded") { label.classList.add(cls); }
  }
  function show(f) {
    clear();
    var up = reach(f, pred), down = reach(f, succ), nUp = 0, nDown = 0;
    for (var k = 0; k < n; k++) {
      if (k === f) { mark(k, "sc-focus"); continue; }
      if (up[k]) { mark(k, "sc-up"); nUp++; }
      if (down[k]) { mark(k, "sc-down"); nDown++; }
      if (!up[k] && !down[k]) { mark(k, "sc-faded"); }
    }
    chain.edges.forEach(function (e, k) {
      var x = edgeEls[k];
      if (!x) { return; }
      var s = e[0], t = e[1];
      var onUp = up[s] && (up[t] || t === f);
      var onDown = down[t] && (down[s] || s === f);
      x.classList.add(onUp || onDown ? "sc-on" : "sc-faded");
    });
    figure.setAttribute("data-focus", String(f));
    if (status) {
      status.textContent = "";
      var b = document.createElement("strong");
      b.textContent = chain.nodes[f].name;
      status.appendChild(b);
      var u = document.createElement("span");
      u.className = "up";
      u.textContent = nUp + " upstream";
      var d = document.createElement("span");
      d.className = "down";
      d.textContent = nDown + " downstream";
      status.appendChild(document.createTextNode(": "));
      status.appendChild(u);
      status.appendChild(document.createTextNode(", "));
      status.appendChild(d);
      status.appendChild(document.createTextNode(
        locked === null ? " (click to keep)" : " (click again or press Esc to clear)"));
    }
  }
  nodeEls.forEach(function (pair, k) {
    pair.forEach(function (x, which) {
      if (!x) { return; }
      x.addEventListener("mouseenter", function () { if (locked === null) { show(k); } });
      x.addEventListener("mouseleave", function () { if (locked === null) { clear(); } });
      x.addEventListener("click", function (ev) {
        ev.stopPropagation();
        if (locked === k) { locked = null; clear(); } else { locked = k; show(k); }
      });
      if (which === 1) {  /* a label takes the mouse only (a focus listener would make it a
                             second keyboard stop, ringed by the browser over its text) */
        x.classList.add("sc-label");
        return;
      }
      x.classList.add("sc-node");
      x.setAttribute("tabindex", "0");
      x.setAttribute("role", "button");
      x.setAttribute("aria-label", chain.nodes[k].name);
      x.addEventListener("focus", function () { if (locked === null) { show(k); } });
      x.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          x.dispatchEvent(new MouseEvent("click"));
        }
      });
    });
  });
  figure.addEventListener("click", function () { locked = null; clear(); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { locked = null; clear(); }
  });
})();
"""

"""A model whose names and ids hold escape sequences, hyperlinks, bidi overrides, Mermaid
directives and markup, run through every text command: nothing reaches the terminal that would
act instead of show."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from servicechain.cli import main
from servicechain.text import plain_text

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile" / "names.json"
ROOT = Path(__file__).resolve().parent.parent
#: What must never reach a terminal: C0 controls but tab and newline, DEL, C1, bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SEGMENT = "walk\x07in"
NODE = "it\x1b[2J"

TEXT_COMMANDS = {
    "score": ["score"],
    "summary": ["summary"],
    "rank": ["rank"],
    "analyze": ["analyze"],
    "explain": ["explain", "{model}", SEGMENT],
    "trace-up": ["trace", "{model}", "%3", "--up"],
    "trace-down": ["trace", "{model}", NODE, "--down"],
    "trace-to": ["trace", "{model}", NODE, "--to", SEGMENT],
    "validate": ["validate"],
    "impact": ["impact", "{model}", "--fail", NODE],
}


def _args(command: str) -> list[str]:
    args = TEXT_COMMANDS[command]
    if "{model}" not in args:
        args = [*args, "{model}"]
    return [str(HOSTILE) if a == "{model}" else a for a in args]


@pytest.mark.parametrize("command", sorted(TEXT_COMMANDS))
def test_text_commands_print_nothing_a_terminal_would_act_on(runner, command):
    result = runner.invoke(main, _args(command), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not UNSAFE.search(result.stdout), repr(UNSAFE.search(result.stdout))
    assert not UNSAFE.search(result.stderr)
    assert result.stdout.strip()


@pytest.mark.parametrize("command", ["score", "rank", "analyze", "explain", "trace-up"])
def test_json_output_keeps_names_exact_and_inert(runner, command):
    result = runner.invoke(main, [*_args(command), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not UNSAFE.search(result.stdout)
    data = json.loads(result.stdout)
    strings: list[str] = []
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            todo += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            todo += item
        elif isinstance(item, str):
            strings.append(item)
    # the names and ids come back as the model has them: control characters as JSON escapes
    assert any("\x1b" in s or "\x07" in s for s in strings)


#: A name holding a C1 control (NEXT LINE), a right-to-left override and an escape sequence.
EXACT_NAME = "Loja\x85 \u202eadmin\u202c \x1b[2J\u2028fim\x7f"


def _strings(data) -> list[str]:
    out, todo = [], [data]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            todo += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            todo += item
        elif isinstance(item, str):
            out.append(item)
    return out


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("command", ["score", "summary", "validate"])
def test_json_output_carries_control_and_bidi_characters_exactly(runner, tmp_path, command, fmt):
    model = {
        "name": EXACT_NAME,
        "departments": [{"id": "it", "name": EXACT_NAME, "group": EXACT_NAME}],
        "segments": [
            {"id": "s", "name": EXACT_NAME, "kind": "consumer", "relationship": "customer"}
        ],
        "services": [{"from": "it", "to": "s", "name": EXACT_NAME}],
    }
    path = tmp_path / f"m{EXACT_NAME}.{fmt}"
    path.write_text(json.dumps(model), encoding="utf-8")  # JSON is YAML too
    result = runner.invoke(main, [command, str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not UNSAFE.search(result.stdout), repr(UNSAFE.search(result.stdout))
    data = json.loads(result.stdout)
    strings = _strings(data)
    if command == "validate":  # the file and the assumption naming the department
        assert data["file"] == str(path)
        assert f"department 'it' ({EXACT_NAME}) has no quality" in data["assumptions"][0]["text"]
    elif command == "summary":
        assert data["name"] == EXACT_NAME
        assert data["groups"] == {EXACT_NAME: 1}
    else:
        assert data["name"] == EXACT_NAME
        assert {n["name"] for n in data["nodes"]} == {EXACT_NAME}
        assert [s["name"] for s in data["services"]] == [EXACT_NAME]
    assert EXACT_NAME in strings or command == "validate"
    # the text output of the same command is sanitised for the terminal
    text = runner.invoke(main, [command, str(path)], catch_exceptions=False)
    assert text.exit_code == 0 and not UNSAFE.search(text.stdout)


def test_columns_stay_aligned_with_escape_sequences_in_names(runner):
    result = runner.invoke(main, ["score", str(HOSTILE)], catch_exceptions=False)
    rows = [line for line in result.stdout.splitlines() if line.startswith("  department")]
    assert len(rows) == 6

    def columns(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    assert len({columns(row) for row in rows}) == 1, rows


def test_piped_output_of_a_real_process_is_inert():
    """Outside the test runner too: a real process whose output goes to a pipe."""
    done = subprocess.run(
        [sys.executable, "-c", "from servicechain.cli import main; main()", "score", str(HOSTILE)],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")
    assert not UNSAFE.search(out)
    assert "IT support" in out and "Click here" in out


def test_bad_values_echoed_in_errors_are_inert(runner):
    result = runner.invoke(main, ["explain", str(HOSTILE), "\x1b]8;;https://x\x1b\\no\a"])
    assert result.exit_code == 2
    assert not UNSAFE.search(result.stderr)
    assert "no" in result.stderr


def test_problems_of_a_hostile_file_are_inert(runner, tmp_path):
    bad = tmp_path / "bad.json"
    data = json.loads(HOSTILE.read_text(encoding="utf-8"))
    data["services"].append({"from": "\x1b[31mghost\u202e", "to": SEGMENT})
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert not UNSAFE.search(result.stdout + result.stderr)
    assert "ghost" in result.stdout


def test_plain_text_removes_whole_sequences():
    assert plain_text("\x1b[1;31mred\x1b[0m \x1b]0;title\x07ok") == "red ok"
    assert plain_text("\x9b2Jx\x9d8;;u\x9cy") == "xy"
    assert plain_text("a\rb\x00c\x7fd\u2067e\u2069") == "abcde"


# --- every output format, read back by a real parser -------------------------------------

MERMAID_STATEMENT = re.compile(
    r"(flowchart LR"
    r'|\s+subgraph \w+\["[^"\n]*"\]'
    r"|\s+end"
    r'|\s+[A-Za-z]\w*(\["[^"\n]*"\]|\(\["[^"\n]*"\]\)|\[/"[^"\n]*"/\])'
    r'|\s+[A-Za-z]\w* -->(\|"[^"|\n]*"\|)? [A-Za-z]\w*)'
)


@pytest.fixture
def hostile():
    from servicechain import load

    return load(HOSTILE)


def test_xml_exports_are_well_formed_with_every_node_apart(hostile):
    from defusedxml import ElementTree

    from servicechain.export import export

    ids = {node for node in hostile.graph}
    for fmt, tag in (("graphml", "node"), ("gexf", "node"), ("drawio", "mxCell")):
        root = ElementTree.fromstring(export(hostile, fmt).encode("utf-8"))
        nodes = [el for el in root.iter() if el.tag.rsplit("}", 1)[-1] == tag]
        assert len(nodes) >= len(ids), fmt
    graphml = ElementTree.fromstring(export(hostile, "graphml").encode("utf-8"))
    names = {el.get("id") for el in graphml.iter() if el.tag.endswith("}node")}
    assert len(names) == len(ids) == 9
    assert "it\\u001b[2J" in names and "it\\u001b[3J" in names


def test_mermaid_holds_no_directive_or_callback(hostile):
    from servicechain.export import export

    text = export(hostile, "mermaid")
    assert "%%" not in text and not UNSAFE.search(text)
    for line in text.splitlines():
        assert MERMAID_STATEMENT.fullmatch(line), line
        assert not re.match(r"\s*(click|callback|style|classDef|linkStyle|%%)\b", line)
    assert "#37;#37;{init" in text


def test_html_report_shows_names_as_text(hostile, tmp_path):
    from html.parser import HTMLParser

    from servicechain.report import html_report

    page = html_report(hostile)

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.scripts, self.hrefs, self.text = [], [], []
            self._in_script = self._json = False

        def handle_starttag(self, tag, attrs):
            self._in_script = tag == "script"
            self._json = ("type", "application/json") in attrs
            self.hrefs += [v for k, v in attrs if k in ("href", "src") and v]

        def handle_endtag(self, tag):
            self._in_script = False

        def handle_data(self, data):
            if self._in_script and self._json:
                json.loads(data)  # the report's data: names inside JSON strings, inert
            elif self._in_script:
                self.scripts.append(data)
            else:
                self.text.append(data)

    parser = Collect()
    parser.feed(page)
    assert not any("alert(" in s for s in parser.scripts)
    assert not any(h.lower().startswith("javascript:") for h in parser.hrefs)
    assert any('<script>alert("x")</script>' in t for t in parser.text)  # shown as text
    assert not UNSAFE.search(page)


def test_markdown_report_parses_to_inert_commonmark(hostile, tmp_path):
    from markdown_it import MarkdownIt

    from servicechain.report import write_report

    out = tmp_path / "hostile report.md"
    write_report(hostile, out)
    text = out.read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").parse(text)
    children = [c for t in tokens if t.type == "inline" for c in t.children or []]
    assert not [t for t in tokens if t.type == "html_block"]
    assert not [c for c in children if c.type == "html_inline"]
    links = [c.attrs.get("href", "") for c in children if c.type == "link_open"]
    assert not [h for h in links if h.lower().startswith("javascript:")]
    images = [c.attrs["src"] for c in children if c.type == "image"]
    assert images and all(src.startswith("hostile%20report_files/") for src in images)
    assert not UNSAFE.search(text)


def test_drawings_of_hostile_names_warn_of_nothing_raw(runner, tmp_path):
    for args in (["draw"], ["plot", "{model}", "ipa"], ["plot", "{model}", "tornado"]):
        argv = [str(HOSTILE) if a == "{model}" else a for a in args]
        if "{model}" not in args:
            argv.append(str(HOSTILE))
        out = tmp_path / "x.svg"
        result = runner.invoke(main, [*argv, "-o", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "Glyph" not in result.stderr and not UNSAFE.search(result.stderr)
        svg = out.read_text(encoding="utf-8")
        assert not UNSAFE.search(svg)

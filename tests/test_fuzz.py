"""A seeded, bounded mutation fuzzer over every input kind: YAML and JSON models, CSV and XLSX
imports, survey answers, scenario files and command-line values.

Each mutated input goes through the real command. The run fails on a traceback, an exit code
other than 0, 1 or 2, a number that is not finite in any output, a problem of a file with lines
reported without its line, or an output file touched by a failed command. The seeds are fixed,
so a failure found here is found again by the next run.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from servicechain.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHOP = ROOT / "models" / "flowershop.yaml"
SHOP_IO = DATA / "io" / "shop.yaml"
CSV = DATA / "io" / "bom_semicolon.csv"
RESPONSES = DATA / "io" / "responses.csv"
SCENARIOS = DATA / "flow" / "scenarios.yaml"
FLOW_SHOP = DATA / "flow" / "shop.yaml"
SENTINEL = b"an earlier output, which a failed command must leave as it is\n"
#: Pieces a hostile or careless file might hold.
PIECES = [
    b"\x00",
    b"\x1b[2J",
    b"\x7f",
    b"\x0c",
    b"\t",
    b"\r",
    b"\xff\xfe",
    b"\xc3",
    "é".encode(),
    b"[",
    b"]",
    b"{",
    b"}",
    b":",
    b"- ",
    b"&a ",
    b"*a",
    b"<<: *a",
    b"!!python/object:os.system",
    b"%YAML 1.3\n",
    b"---\n",
    b"1e400",
    b"-1e308",
    b"9" * 400,
    b".inf",
    b".nan",
    b"4,5",
    b"50%",
    b'"',
    b"'",
    b"#",
    b"\n",
    b"  ",
    b"->",
    b"=",
    b";",
    b"%%{init: {}}%%",
]
#: Whole-file problems, which have no line to name.
WHOLE_FILE = re.compile(
    r"the file is empty|binary file|the file holds only comments|over the limit|not UTF-8|"
    r"cannot read|the top level holds|expected one mapping named|is too large to read|"
    r"needs at least one|workbook|no table|not a CSV|the sheet"
)
#: How a non-finite number reads in text (Python's ``nan``, ``inf``) or JSON (``NaN``,
#: ``Infinity``); case-sensitive, so that a name such as "Inf&a ormática" is not taken for one.
NON_FINITE = re.compile(r"(?<![\w.])-?(nan|inf|NaN|Infinity)(?![\w.])")


def _mutate(data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 4)):
        cut = rng.randrange(len(data) + 1)
        kind = rng.random()
        if kind < 0.45:
            data = data[:cut] + rng.choice(PIECES) + data[cut:]
        elif kind < 0.65:
            data = data[:cut] + data[cut + rng.randint(1, 40) :]
        elif kind < 0.8:
            size = rng.randint(1, 200)
            data = data[:cut] + data[cut : cut + size] * rng.randint(2, 5) + data[cut + size :]
        elif kind < 0.9:
            found = list(re.finditer(rb"\d+(\.\d+)?", data))
            if found:
                hit = rng.choice(found)
                data = data[: hit.start()] + rng.choice(PIECES[20:27]) + data[hit.end() :]
        else:
            data = data[:cut]
    return data


def _check(
    result, args: list[str], out: Path | None, source: Path | None, *, located: bool = False
) -> None:
    """Check one run. ``located``: the input is a file every problem of which has a place, so
    a failure must list its problems, each at its line (a scenario file)."""
    text = result.output
    assert result.exit_code in (0, 1, 2), (args, text)
    assert "Traceback" not in text, (args, text)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError((args, repr(result.exception))) from result.exception
    if result.exit_code == 0:
        if "--json" in args:
            json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in {args}"))
        assert not NON_FINITE.search(result.stdout), (args, result.stdout)
        if out is not None and out.exists() and out.suffix in (".yaml", ".json", ".csv"):
            written = out.read_text(encoding="utf-8", errors="replace")
            assert not NON_FINITE.search(written), (args, written)
        return
    if out is not None:
        assert out.read_bytes() == SENTINEL, f"{args}: a failed command touched {out}"
    if result.exit_code == 1 and source is not None:
        lines = text.splitlines()
        for line in lines:
            if line.startswith(f"{source}:") and not WHOLE_FILE.search(line):
                assert re.match(rf"{re.escape(str(source))}(\[[^\]]*\])?:\d+", line), (args, line)
        if located:
            head = r"Error: \d+ problems? in the scenario file"
            assert re.fullmatch(head, lines[0]), (args, text)
            for line in lines[1:]:
                assert line.startswith(f"{source}:"), (args, line)


def _cases(seed: int, base: Path, count: int):
    rng = random.Random(seed)
    data = base.read_bytes()
    for _ in range(count):
        yield _mutate(data, rng)


@pytest.mark.parametrize(
    ("name", "base", "suffix", "command"),
    [
        ("yaml-model", SHOP, ".yaml", ["score", "{in}", "--json"]),
        ("yaml-validate", SHOP, ".yaml", ["validate", "{in}"]),
        ("json-model", None, ".json", ["rank", "{in}", "--json"]),
        # --force: the earlier output stands where the file goes, and only a failure keeps it
        (
            "csv-import",
            CSV,
            ".csv",
            ["import", "{in}", "--create-missing", "-o", "{out}.yaml", "--force"],
        ),
        (
            "survey",
            RESPONSES,
            ".csv",
            ["survey", str(SHOP_IO), "{in}", "-o", "{out}.yaml", "--force"],
        ),
        ("scenario", SCENARIOS, ".yaml", ["impact", str(FLOW_SHOP), "--scenario", "{in}"]),
        ("scenario-json", None, ".json", ["impact", str(FLOW_SHOP), "--scenario", "{in}"]),
    ],
)
def test_mutated_files_never_crash(runner, tmp_path, name, base, suffix, command):
    if base is None:  # the JSON model and scenarios: the YAML files as JSON text
        from servicechain import load
        from servicechain.io.load import read_data

        base = tmp_path / "base.json"
        if name == "json-model":
            data = load(SHOP).model.model_dump(by_alias=True, exclude_none=True)
        else:
            data = read_data(SCENARIOS.read_text(encoding="utf-8"))[0]
        base.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    seed = sum(map(ord, name))
    for i, data in enumerate(_cases(seed, base, 30)):
        source = tmp_path / f"in{i}{suffix}"
        source.write_bytes(data)
        out = tmp_path / f"out{i}"
        args = [a.replace("{in}", str(source)).replace("{out}", str(out)) for a in command]
        target = next((Path(a) for a in args if a.startswith(str(out))), None)
        if target is not None:
            target.write_bytes(SENTINEL)
        result = runner.invoke(main, args, env={"SERVICECHAIN_MAX_SIZE": None})
        _check(result, args, target, source, located=name.startswith("scenario"))


def test_mutated_workbooks_never_crash(runner, tmp_path):
    book = tmp_path / "base.xlsx"
    made = runner.invoke(main, ["template", "xlsx", "-o", str(book)], catch_exceptions=False)
    assert made.exit_code == 0
    for i, data in enumerate(_cases(7, book, 12)):
        source = tmp_path / f"in{i}.xlsx"
        source.write_bytes(data)
        out = tmp_path / f"out{i}.yaml"
        out.write_bytes(SENTINEL)
        args = ["import", str(source), "-o", str(out), "--force"]
        _check(runner.invoke(main, args), args, out, None)


VALUES = [
    "3.5",
    "3,5",
    "50%",
    "1e400",
    "-1e308",
    "inf",
    "nan",
    "",
    "=",
    "it-",
    "\x1b[2J",
    "9" * 400,
]


def test_mutated_option_values_never_crash(runner, tmp_path):
    rng = random.Random(12)
    options = [
        ("impact", "--set", "it={v}"),
        ("impact", "--set", "it->shop={v}"),
        ("impact", "--weight", "it->shop={v}"),
        ("impact", "--dependence", "{v}={v}"),
        ("impact", "--fail", "{v}"),
        ("validate", "--max-size", "{v}"),
        ("explain", None, "{v}"),
        ("trace", None, "{v}"),
    ]
    for _ in range(40):
        command, option, pattern = rng.choice(options)
        value = pattern.replace("{v}", rng.choice(VALUES))
        args = [command, str(FLOW_SHOP)]
        args += [option, value] if option else [value]
        if command == "trace":
            args.append(rng.choice(["--up", "--down"]))
        _check(runner.invoke(main, args), args, None, None)


#: Ids a service list might use: short, long, accented, CJK, look-alikes of layout anchors.
IDS = ["it", "armazém", "loja", "客服", "rh", "__column_1", "compras", "ti-2", "online", "%3"]


def _service_list(rng: random.Random) -> str:
    """A CSV service list between departments only (what `import --create-missing` turns into
    a model with no segment): some chains, some cycles, some departments serving nothing."""
    ids = rng.sample(IDS, rng.randint(2, len(IDS)))
    pairs = {(a, b) for a in ids for b in ids if a != b}
    chosen = rng.sample(sorted(pairs), rng.randint(1, min(len(pairs), 14)))
    # an island: a department serving another one, never reaching what the others reach
    chosen.append(("ilha", rng.choice(["島", "ilha-2"])))
    rows = ["supplier;customer;name;quality;weight"]
    for a, b in chosen:
        quality = rng.choice(["", "1", "2,5", "3", "4.5", "5"])
        rows.append(f"{a};{b};{a} → {b};{quality};{rng.choice(['', '1', '3'])}")
    return "\n".join(rows) + "\n"


def _with_a_segment(path: Path, rng: random.Random) -> None:
    """Give the imported model one segment, served by one department: the others reach it, or
    serve departments that reach no segment at all."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    front = rng.choice([d["id"] for d in data["departments"] if d["id"] in IDS])
    data["segments"] = [{"id": "clientes", "name": "Clientes", "kind": "consumer",
                         "relationship": "customer"}]  # fmt: skip
    data["services"].append({"from": front, "to": "clientes"})
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("seed", range(3))
def test_generated_service_lists_draw_report_and_export(runner, tmp_path, seed):
    """Valid models in which departments that reach no segment serve other departments (a
    service list imported with --create-missing, with or without a segment) work with every
    drawing and export command: exit 0 and the file written."""
    import xml.etree.ElementTree as ET

    rng = random.Random(1000 + seed)
    source = tmp_path / "services.csv"
    source.write_text(_service_list(rng), encoding="utf-8")
    model = tmp_path / "model.yaml"
    made = runner.invoke(main, ["import", str(source), "--create-missing", "-o", str(model)])
    assert made.exit_code == 0, (source.read_text(encoding="utf-8"), made.output)
    if seed % 3 != 0:
        _with_a_segment(model, rng)
    from servicechain import load

    chain = load(model)
    serving = {s.source for s in chain.model.services}
    assert set(chain.disconnected()) & serving  # the class that once crashed the layout
    outputs = {
        "draw": ["draw", str(model), "-o", "{out}.png"],
        "report": ["report", str(model), "-o", "{out}.html"],
        "drawio": ["export", str(model), "-f", "drawio", "-o", "{out}.drawio"],
        "dot": ["export", str(model), "-f", "dot", "-o", "{out}.dot"],
    }
    for name, command in outputs.items():
        out = tmp_path / name
        args = [a.replace("{out}", str(out)) for a in command]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (model.read_text(encoding="utf-8"), args, result.output)
        written = Path(args[args.index("-o") + 1])
        assert written.stat().st_size > 0, args
        if written.suffix == ".drawio":
            ET.parse(written)  # well-formed XML

"""Hostile and broken input files and values: refused with a position and a cause, never a
traceback, never a number that is not finite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from servicechain.cli import main
from servicechain.errors import ModelError
from servicechain.io.load import load_model, parse_model

ROOT = Path(__file__).resolve().parent.parent
SHOP = str(ROOT / "models" / "flowershop.yaml")
SHOP_IO = str(Path(__file__).resolve().parent / "data" / "io" / "shop.yaml")
RESPONSES = str(Path(__file__).resolve().parent / "data" / "io" / "responses.csv")
BIG = 10**400
TOO_LARGE = "is too large: numbers in a model are at most 1e+15 in size"


def _problems(text: str, fmt: str = "yaml") -> list[str]:
    with pytest.raises(ModelError) as info:
        parse_model(text, file="m", fmt=fmt)
    return [str(p) for p in info.value.problems]


MODEL = """\
name: X
scale: {{min: 1, max: {top}}}
departments:
  - {{id: a, name: A, quality: 3, headcount: {count}}}
segments:
  - {{id: s, name: S, kind: consumer, relationship: customer, customers: {count},
     revenue: {revenue}, revenue_elasticity: {elasticity}}}
services:
  - {{from: a, to: s, weight: {weight}}}
"""


def test_numbers_beyond_the_limit_are_refused_where_they_are():
    text = MODEL.format(top=BIG, count=BIG, revenue="1e300", elasticity="1e300", weight="1.7e308")
    problems = _problems(text)
    assert problems[0].startswith(f"m:2:17: scale.max: a number of about 401 digits {TOO_LARGE}")
    fields = [p.split(": ")[1] for p in problems]
    assert fields == [
        "scale.max",
        "departments[0].headcount",
        "segments[0].customers",
        "segments[0].revenue",
        "segments[0].revenue_elasticity",
        "services[0].weight",
    ]
    assert all(TOO_LARGE in p for p in problems)


def test_the_same_numbers_in_json_get_the_same_problems():
    data = {
        "name": "X",
        "scale": {"min": -1e308, "max": 1e308},
        "departments": [{"id": "a", "name": "A", "quality": 3}],
        "services": [{"from": "a", "to": "a2", "weight": 1.7e308}],
    }
    text = json.dumps(data, indent=1)
    problems = _problems(text, "json")
    assert problems[0] == (
        f"m:4:3: scale.min: -1e+308 {TOO_LARGE} (give amounts in thousands or millions, "
        "and scores on a scale such as 1..5)"
    )
    assert any("services[0].weight: 1.7e+308" in p for p in problems)


def test_a_number_of_thousands_of_digits_is_refused_not_a_crash():
    problems = _problems(
        f"name: X\ndepartments:\n  - {{id: a, name: A, headcount: {'9' * 5000}}}\n"
    )
    assert problems == [
        f"m:3:22: departments[0].headcount: infinity {TOO_LARGE} (give amounts in thousands "
        "or millions, and scores on a scale such as 1..5)"
    ]


def test_numbers_at_the_limit_work_with_every_result_finite(runner, tmp_path):
    path = tmp_path / "edge.yaml"
    text = MODEL.format(top="1e15", count=10**15, revenue="1e15", elasticity="1e15", weight="1e15")
    path.write_text(text.replace("quality: 3", "quality: 1e14"), encoding="utf-8")
    for args in (["score", "--json"], ["rank", "--json"], ["impact", "--fail", "a", "--json"]):
        result = runner.invoke(main, [args[0], str(path), *args[1:]], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        json.loads(result.stdout)  # strict: no NaN or Infinity
        assert "inf" not in result.stdout.lower()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%YAML 1.3\n---\nname: X\n", "m:1:1: YAML version 1.3 is not supported"),
        ("name: X\nnotes: a\x7fb\n", "m:2:9: the control character U+007F is not allowed"),
        ("name: X\nnotes: a\x1b[2Jb\n", "m:2:9: the control character U+001B is not allowed"),
        ("name: X\n\x0cnotes: b\n", "m:2:1: the control character U+000C is not allowed"),
        ('name: Lojão\nnotes: "a\x00"\n', "m:2:10: the control character U+0000 is not allowed"),
        ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "m:1:54: values are nested deeper than 50"),
    ],
    ids=["yaml-1.3", "del", "esc", "form-feed", "nul", "deep"],
)
def test_parser_limits_give_a_position(text, expected):
    (problem,) = _problems(text)
    assert problem.startswith(expected), problem


def test_deep_json_is_refused_with_a_position():
    text = '{"name": "X", "departments": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (problem,) = _problems(text, "json")
    assert problem.startswith("m:1:80: values are nested deeper than 50 levels")


def test_one_deep_json_value_keeps_the_positions_of_the_others():
    deep = "[" * 60 + "]" * 60
    text = (
        '{"name": "X",\n "departments": [{"id": "a", "name": ' + deep + "},\n"
        ' {"id": "b", "name": "B", "quality": "4,5", "dependence": "50%"}]}\n'
    )
    problems = _problems(text, "json")
    assert problems == [
        "m:2:30: departments[0].name: expected text, got a list (write text)",
        "m:3:27: departments[1].quality: expected a number, got the text '4,5' "
        "(use a decimal point: 4.5)",
        "m:3:45: departments[1].dependence: expected a number, got the text '50%' "
        "(write a share as a decimal: 0.5)",
    ]


def test_a_million_aliases_are_refused_quickly(tmp_path):
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "name: X\nx: &a {id: a, name: A}\ndepartments:\n" + "  - *a\n" * 1_000_000,
        encoding="utf-8",
    )
    with pytest.raises(ModelError) as info:
        load_model(path)
    (problem,) = map(str, info.value.problems)
    assert ":2:12: aliases expand this file to over 10,000 values (it holds only 11)" in problem


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["survey", SHOP_IO, RESPONSES, "--scale", "1:inf", "-o", "x.yaml"], "'1:inf': 'inf' is"),
        (["survey", SHOP_IO, RESPONSES, "--scale", "1:5,5", "-o", "x.yaml"], "use a decimal point"),
        (["impact", SHOP, "--set", "it=3,5"], "'it=3,5': '3,5' is not a number (use a decimal"),
        (["impact", SHOP, "--dependence", "it=50%"], "(write a share as a decimal: 0.5)"),
        (["impact", SHOP, "--weight", "it->shop=1e300"], "'1e300' is not a finite number"),
        (["impact", SHOP, "--set", "it-"], "quote the whole value, e.g. --set 'it->CUSTOMER"),
        (["trace", SHOP, "it", "--up", "--down"], "give one way to trace: --up or --down"),
        (["validate", SHOP, "--max-size", "abc"], "'abc' is not a size"),
    ],
)
def test_bad_option_values_are_usage_errors_naming_the_cause(runner, tmp_path, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_a_bad_size_variable_is_named(runner, monkeypatch):
    monkeypatch.setenv("SERVICECHAIN_MAX_SIZE", "abc")
    result = runner.invoke(main, ["validate", SHOP])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: the variable SERVICECHAIN_MAX_SIZE is 'abc', not a size (a number of megabytes "
        "above 0, e.g. 500); fix or unset it\n"
    )


def test_a_workbook_that_unpacks_too_far_is_refused_before_reading(runner, tmp_path, monkeypatch):
    book = tmp_path / "services.xlsx"
    made = runner.invoke(main, ["template", "xlsx", "-o", str(book)], catch_exceptions=False)
    assert made.exit_code == 0
    monkeypatch.setenv("SERVICECHAIN_MAX_UNPACKED", "0.01")  # 10 KB: the template unpacks to more
    out = tmp_path / "m.yaml"
    result = runner.invoke(main, ["import", str(book), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{book}: the workbook unpacks to " in result.stderr
    assert "over the limit of 0 MB (a zip bomb, or a very large workbook)" in result.stderr
    assert not out.exists()

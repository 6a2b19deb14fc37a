"""The synthetic organisation generator, its CLI command, and the progress line."""

from __future__ import annotations

import io
import json
import time

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicechain import Chain
from servicechain.cli import main
from servicechain.cli.progress import Progress
from servicechain.model.spec import RELATIONSHIPS, SEGMENT_KINDS
from servicechain.samples.generate import generate, write_json


def test_generate_is_seeded_and_sized():
    data = generate(500, segments=12, seed=3)
    assert data == generate(500, segments=12, seed=3)
    assert data != generate(500, segments=12, seed=4)
    assert len(data["departments"]) == 500
    assert len(data["segments"]) == 12
    assert len(data["services"]) == pytest.approx(7 * 500, rel=0.05)


def test_generate_default_segments_scale_with_departments():
    assert len(generate(100)["segments"]) == 5
    assert len(generate(1000)["segments"]) == 20


@settings(max_examples=8, deadline=None)
@given(n=st.integers(min_value=2, max_value=400), seed=st.integers(0, 10_000))
def test_generated_models_are_valid(n, seed):
    data = generate(n, seed=seed)
    chain = Chain.from_dict(data)
    assert len(chain.model.departments) == n


def test_generated_model_is_realistic():
    data = generate(2000, seed=7)
    chain = Chain.from_dict(data)
    net = chain.network
    kinds = {(s["kind"], s["relationship"]) for s in data["segments"]}
    assert {k for k, _ in kinds} == set(SEGMENT_KINDS)
    assert {r for _, r in kinds} == set(RELATIONSHIPS)
    # every segment is served, and partners supply departments
    assert set(net.target[net.kind[net.target] == 2].tolist()) == set(np.flatnonzero(net.kind == 2))
    assert (net.kind[net.source] == 1).sum() > 0
    # a few unrated services and missing qualities, not many
    assert 0.01 < np.isnan(net.rating).mean() < 0.06
    assert 0.005 < np.isnan(net.own[net.kind == 0]).mean() < 0.05
    # every department has an own contribution
    assert (net.dependence[net.kind == 0] < 1).all()
    # Unicode names and groups
    assert any(not d["name"].isascii() for d in data["departments"])
    assert any(not s["name"].isascii() for s in data["services"])
    # a large strongly connected core of departments
    graph = nx.DiGraph()
    graph.add_edges_from(zip(net.source.tolist(), net.target.tolist(), strict=True))
    core = max(nx.strongly_connected_components(graph), key=len)
    assert len(core) > 1000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"departments": 1}, "departments must be at least 2, not 1"),
        ({"departments": 10, "segments": 0}, "segments must be at least 1, not 0"),
        (
            {"departments": 10, "services_per_department": 0.5},
            "services_per_department must be at least 1, not 0.5",
        ),
    ],
)
def test_generate_refuses_bad_sizes(kwargs, message):
    with pytest.raises(ValueError) as err:
        generate(**kwargs)
    assert str(err.value) == message


def test_write_json_round_trips_one_record_per_line(tmp_path):
    data = generate(60, segments=4, seed=2)
    target = tmp_path / "org.json"
    write_json(data, target)
    text = target.read_text(encoding="utf-8")
    assert json.loads(text) == data
    assert text.count("\n") > len(data["services"])
    assert "Assistenza clienti" in text
    assert "服务台" in text or "排班" in text  # Unicode kept readable


def test_write_json_keeps_awkward_text_intact(tmp_path):
    data = generate(10, segments=2, seed=2)
    data["departments"][0]["name"] = 'odd "}, {" name'
    target = tmp_path / "org.json"
    write_json(data, target)
    assert json.loads(target.read_text(encoding="utf-8")) == data


def test_cli_generate_writes_the_model(runner, tmp_path):
    target = tmp_path / "org.json"
    args = ["generate", "--departments", "300", "--seed", "5", "-o", str(target)]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == (
        f"Wrote {target}: 300 departments, 6 segments, 6 partners, 2,100 services. "
        f"Next: servicechain validate {target}\n"
    )
    assert result.stderr == ""
    first = target.read_bytes()
    runner.invoke(main, args, catch_exceptions=False)
    assert target.read_bytes() == first
    check = runner.invoke(main, ["validate", str(target)], catch_exceptions=False)
    assert check.exit_code == 0
    assert check.stdout.startswith(f"{target}: valid (300 departments, 6 segments")


def test_cli_generate_refuses_other_formats(runner, tmp_path):
    result = runner.invoke(main, ["generate", "-n", "10", "-o", str(tmp_path / "org.yaml")])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '-o' / '--output': cannot write .yaml; use a .json file name\n"
    )
    assert not (tmp_path / "org.yaml").exists()


def test_progress_draws_on_a_terminal_and_clears_the_line():
    stream = io.StringIO()
    with Progress("Loading big.json", enabled=True, stream=stream, delay=0, interval=0.01) as p:
        p("parsing")
        time.sleep(0.1)
    out = stream.getvalue()
    assert "Loading big.json: parsing (" in out
    assert out.endswith("\r\x1b[K")


def test_progress_is_silent_off_a_terminal_and_for_quick_work():
    stream = io.StringIO()
    with Progress("Loading", stream=stream, delay=0) as p:  # StringIO is not a terminal
        p("parsing")
        time.sleep(0.05)
    with Progress("Loading", enabled=True, stream=stream, delay=5) as p:
        p("parsing")
    assert stream.getvalue() == ""
    assert p.stages == ["parsing"]

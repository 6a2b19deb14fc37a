"""``rank --json`` and ``explain --json`` streamed from columns: the exact text of
``json.dumps`` of the result's ``to_dict()``, with no dict made per row."""

from __future__ import annotations

import json

import pytest

import servicechain
from servicechain.cli import main
from servicechain.flow.explain import Term
from servicechain.flow.rank import Row
from servicechain.io.jsonout import dumps
from servicechain.samples.generate import generate
from servicechain.samples.generate import write_json as write_model

from .conftest import MODELS

EXAMPLES = sorted(MODELS.glob("*.yaml"))


def _expected(result) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "org.json"
    write_model(generate(400, seed=5), path)
    return path


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_rank_and_explain_json_are_their_to_dict(runner, example):
    chain = servicechain.load(example)
    segment = next(i for i, k in zip(chain.network.ids, chain.network.kind, strict=True) if k == 2)
    for args, result in (
        (["rank"], chain.rank()),
        (["rank", "--exact", "2000"], chain.rank(exact=2000)),
        (["rank", "--top", "3", "--by", "failure"], chain.rank(top=3, by="failure")),
        (["rank", "--by", "importance", "--segment", segment], None),
        (["explain", segment], chain.explain(segment)),
        (["explain", segment, "--method", "marginal", "--top", "2"], None),
    ):
        out = runner.invoke(main, [args[0], str(example), *args[1:], "--json"])
        assert out.exit_code == 0, out.output
        if result is not None:
            assert out.stdout == _expected(result) + "\n"
        else:  # the same as the plain data, parsed
            assert json.loads(out.stdout)


def test_every_kind_of_ranking_streams_what_to_dict_writes(generated):
    chain = servicechain.load(generated)
    segment = next(i for i, k in zip(chain.network.ids, chain.network.kind, strict=True) if k == 2)
    for kwargs in (
        {},
        {"top": 5},
        {"by": "failure", "exact": 50},
        {"by": "importance", "segment": segment},
        {"by": "gain-per-cost", "top": 7},
    ):
        result = chain.rank(**kwargs)
        assert dumps(result.json_data()) == _expected(result), kwargs
    for kwargs in ({}, {"top": 4}, {"method": "marginal"}):
        result = chain.explain(segment, **kwargs)
        assert dumps(result.json_data()) == _expected(result), kwargs


def test_rank_and_explain_json_make_no_dict_per_row(runner, generated, monkeypatch):
    chain = servicechain.load(generated)
    segment = next(i for i, k in zip(chain.network.ids, chain.network.kind, strict=True) if k == 2)
    for cls in (Row, Term):
        monkeypatch.setattr(cls, "to_dict", lambda *a, **k: pytest.fail("a dict per row"))
    for args in (["rank"], ["explain", segment]):
        out = runner.invoke(main, [args[0], str(generated), *args[1:], "--json"])
        assert out.exit_code == 0, out.output
        data = json.loads(out.stdout)
        rows = data["services"] if args[0] == "rank" else data["terms"]
        assert len(rows) > 1000

"""The shared cases, scored from dicts, from JSON and in one batch."""

import json

import pytest

from conftest import load_cases

CASES = load_cases()


def check(case: dict, result) -> None:
    assert result.verdict == case["verdict"], case["name"]
    assert result.source == case["source"], case["name"]
    assert result.score >= case.get("min_score", 0), case["name"]
    assert result.score <= case.get("max_score", 100), case["name"]


def test_there_are_enough_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_from_dict(engine, case):
    check(case, engine.score(case["click"]))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_from_json(engine, case):
    check(case, engine.score_json(json.dumps(case["click"])))


def test_cases_in_one_batch_keep_their_order(engine):
    results = engine.score_many(c["click"] for c in CASES)
    assert len(results) == len(CASES)
    for case, result in zip(CASES, results):
        check(case, result)

import json
import pathlib

import pytest

import clicksift

CASES = pathlib.Path(__file__).resolve().parents[3] / "fixtures" / "cases" / "cases.jsonl"


@pytest.fixture(scope="session")
def engine() -> clicksift.Engine:
    return clicksift.Engine()


def load_cases() -> list[dict]:
    lines = CASES.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def base_click(**changes) -> dict:
    click = {
        "campaign": "spring-2026",
        "recipient": "ana@example.com",
        "delivered_at": "2026-03-02T09:00:00Z",
        "at": "2026-03-02T09:12:30Z",
        "ip": "81.2.69.142",
        "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36",
    }
    click.update(changes)
    return click

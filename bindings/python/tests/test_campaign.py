"""Campaign heuristics: a whole log at once, and a stream."""

import pytest

import clicksift
from conftest import base_click

# A honeypot hit, then the real link from the same address a second later
# (a gateway following every link), and another recipient's own click.
HONEYPOT = base_click(id="hp", link="hidden", honeypot=True)
MAIN = base_click(id="main", link="main", at="2026-03-02T09:12:31Z")
BOB = base_click(
    id="bob", recipient="bob@example.com", ip="81.2.69.160", at="2026-03-02T10:30:00Z"
)
LOG = [HONEYPOT, MAIN, BOB]


def check(results: dict) -> None:
    assert (results["hp"].verdict, results["hp"].source) == ("machine", "mail_gateway")
    assert (results["main"].verdict, results["main"].source) == ("machine", "mail_gateway")
    assert "campaign.honeypot-near" in [r.rule for r in results["main"].reasons]
    assert results["bob"].verdict == "human"


def test_main_click_alone_looks_human(engine):
    assert engine.score(MAIN).verdict == "human"


def test_score_log_sees_the_honeypot(engine):
    results = engine.score_log(LOG)
    check(dict(zip(["hp", "main", "bob"], results)))


def test_score_log_does_not_depend_on_order(engine):
    forward = [(r.score, r.verdict, r.source) for r in engine.score_log(LOG)]
    backward = [(r.score, r.verdict, r.source) for r in engine.score_log(LOG[::-1])]
    assert forward == backward[::-1]


def test_score_log_keeps_errors_in_place(engine):
    results = engine.score_log([HONEYPOT, {"campaign": "c1"}, MAIN], on_error="keep")
    assert isinstance(results[1], clicksift.RecordError)
    assert results[1].line == 2
    assert results[2].verdict == "machine"


def test_stream_judges_as_events_become_final(engine):
    stream = engine.stream()
    judged = []
    for expected_seq, click in enumerate(LOG):
        assert stream.push(click) == expected_seq
        judged += stream.ready()
    # The last event cannot be final before the end of the stream.
    assert stream.held_events > 0
    judged += stream.finish()
    assert sorted(seq for seq, _ in judged) == [0, 1, 2]
    check({LOG[seq]["id"]: result for seq, result in judged})


def test_stream_refuses_events_out_of_order(engine):
    stream = engine.stream()
    stream.push_json('{"campaign":"c","recipient":"r","at":"2026-03-02T10:00:00Z","ip":"81.2.69.1"}')
    with pytest.raises(clicksift.RecordError) as info:
        stream.push(MAIN, line=5)
    assert (info.value.line, info.value.field) == (5, "at")
    with pytest.raises(clicksift.RecordError):
        stream.push({"campaign": "c"})
    assert [seq for seq, _ in stream.finish()] == [0]

"""The Python API around the cases: results, errors and batches."""

import datetime
import pathlib
import threading

import pytest

import clicksift
from conftest import base_click


def test_result_carries_reasons_strongest_first(engine):
    result = engine.score(base_click(user_agent="python-requests/2.31.0", method="HEAD"))
    assert result.verdict == "machine"
    rules = [r.rule for r in result.reasons]
    assert "agent.library" in rules and "request.head" in rules
    weights = [abs(r.weight) for r in result.reasons]
    assert weights == sorted(weights, reverse=True)
    assert all(isinstance(r.detail, str) and r.detail for r in result.reasons)
    assert repr(result).startswith("Result(score=")
    assert "agent.library" in repr(result)
    assert "agent.library" in repr(result.reasons[0]) or "request.head" in repr(result.reasons[0])


def test_human_result_has_no_machine_reasons(engine):
    result = engine.score(base_click())
    assert (result.verdict, result.source) == ("human", "recipient")
    assert all(r.weight <= 0 for r in result.reasons)


def test_times_may_be_datetimes_and_ids_integers(engine):
    utc = datetime.timezone.utc
    as_text = engine.score(base_click(at="2026-03-02T09:00:04Z"))
    as_datetime = engine.score(
        base_click(
            id=17,
            at=datetime.datetime(2026, 3, 2, 9, 0, 4, tzinfo=utc),
            delivered_at=datetime.datetime(2026, 3, 2, 9, 0, 0, tzinfo=utc),
        )
    )
    assert as_datetime.score == as_text.score
    assert as_datetime.verdict == "uncertain"


def test_headers_are_read(engine):
    result = engine.score(base_click(headers={"Sec-Purpose": "prefetch"}))
    assert result.source == "prefetch"


@pytest.mark.parametrize(
    ("click", "field"),
    [
        (base_click(ip=None), "ip"),
        (base_click(ip="999.1.1.1"), "ip"),
        (base_click(at="yesterday"), "at"),
        (base_click(at=12), "at"),
        (base_click(kind="bounce"), "kind"),
        (base_click(user_agent=b"curl"), "user_agent"),
        (base_click(honeypot="yes"), "honeypot"),
        (base_click(headers=["Accept"]), "headers"),
    ],
)
def test_malformed_record_names_its_field(engine, click, field):
    with pytest.raises(clicksift.RecordError) as info:
        engine.score(click, line=9)
    assert info.value.field == field
    assert info.value.line == 9
    assert info.value.message
    assert isinstance(info.value, clicksift.Error)


def test_not_a_dict_is_a_record_error(engine):
    with pytest.raises(clicksift.RecordError) as info:
        engine.score(["campaign"])
    assert info.value.field is None


def test_bad_json_is_a_record_error(engine):
    with pytest.raises(clicksift.RecordError) as info:
        engine.score_json('{"campaign": ', line=3)
    assert info.value.line == 3
    with pytest.raises(clicksift.RecordError) as info:
        engine.score_json('{"campaign": "c", "recipient": "r", "at": "2026-03-02T09:00:00Z"}')
    assert info.value.field == "ip"


def test_score_many_raises_at_the_first_bad_record(engine):
    clicks = [base_click(), base_click(at="never"), base_click()]
    with pytest.raises(clicksift.RecordError) as info:
        engine.score_many(clicks)
    assert (info.value.line, info.value.field) == (2, "at")


def test_score_many_can_keep_errors_in_place(engine):
    clicks = [base_click(), base_click(at="never"), base_click(user_agent="curl/8.5.0")]
    results = engine.score_many(clicks, on_error="keep")
    assert [type(r).__name__ for r in results] == ["Result", "RecordError", "Result"]
    assert results[0].verdict == "human"
    assert results[1].line == 2
    assert results[2].verdict == "machine"
    with pytest.raises(ValueError):
        engine.score_many(clicks, on_error="ignore")


def test_score_many_takes_any_iterable(engine):
    results = engine.score_many(base_click(id=i) for i in range(1000))
    assert len(results) == 1000
    assert {r.verdict for r in results} == {"human"}
    assert engine.score_many([]) == []


def test_engine_is_shared_between_threads(engine):
    clicks = [base_click(user_agent="Go-http-client/1.1")] * 2000
    outcomes = []

    def work():
        outcomes.append({r.source for r in engine.score_many(clicks)})

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == [{"automation"}] * 4


RULE = """
[[rule]]
id = "local.lab-network"
description = "Our phishing lab's own scanner"
when = 'ip in ["81.2.69.0/24"]'
weight = 100
source = "sandbox"
"""


def test_rule_texts_add_rules():
    engine = clicksift.Engine(rule_texts=[RULE])
    result = engine.score(base_click())
    assert (result.verdict, result.source) == ("machine", "sandbox")
    assert result.reasons[0].rule == "local.lab-network"


def test_rule_files_and_no_default_rules(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text(RULE, encoding="utf-8")
    engine = clicksift.Engine(rules=[path], default_rules=False)
    assert engine.score(base_click(user_agent="curl/8.5.0")).source == "sandbox"
    assert [r.rule for r in engine.score(base_click()).reasons] == ["local.lab-network"]


def test_bad_rules_list_every_diagnostic():
    broken = "[[rule]]\nid = \"a\"\nwhen = 'agent.class == '\nweight = 5\n"
    with pytest.raises(clicksift.RuleError) as info:
        clicksift.Engine(rule_texts=[broken])
    diagnostics = info.value.diagnostics
    assert diagnostics, "no diagnostics"
    first = diagnostics[0]
    assert (first.file, first.line) == ("rule_texts[0]", 3)
    assert first.column > 0 and first.message
    assert str(first).startswith("rule_texts[0]:3:")
    assert isinstance(info.value, clicksift.Error)


def test_missing_rule_file_names_it(tmp_path):
    missing = tmp_path / "missing.toml"
    with pytest.raises(clicksift.RuleError) as info:
        clicksift.Engine(rules=[missing])
    assert info.value.diagnostics[0].file == str(missing)


def test_corrupt_database_is_an_error(tmp_path):
    path = tmp_path / "corrupt.mmdb"
    path.write_bytes(b"not a MaxMind database")
    with pytest.raises(clicksift.Error, match="corrupt.mmdb"):
        clicksift.Engine(mmdb=[path])


def test_unreadable_database_is_an_error(tmp_path):
    with pytest.raises(clicksift.Error, match="not-there.mmdb"):
        clicksift.Engine(mmdb=[tmp_path / "not-there.mmdb"])


def test_package_is_typed():
    import importlib.resources

    files = importlib.resources.files("clicksift")
    assert (files / "py.typed").is_file()
    assert (files / "__init__.pyi").is_file()
    assert clicksift.__version__


MMDB = pathlib.Path(__file__).resolve().parents[3] / "fixtures" / "mmdb"


def test_maxmind_databases_are_used():
    # 149.101.100.0/124 is Cellular in MaxMind's Connection-Type test
    # database; the engine without it knows nothing of the address.
    path = MMDB / "GeoIP2-Connection-Type-Test.mmdb"
    click = base_click(at="2026-03-02T09:00:04Z", ip="149.101.100.1")
    plain = clicksift.Engine().score(click)
    enriched = clicksift.Engine(mmdb=[path]).score(click)
    assert "mmdb.consumer-network" in [r.rule for r in enriched.reasons]
    assert enriched.score < plain.score

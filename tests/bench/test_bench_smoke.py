"""The benchmarks run end to end at tiny sizes and produce well-formed results.

No timing is asserted here: only that every benchmark runs, measures what it says and
writes JSON the README table and the report can be rendered from.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench import __main__ as bench_main
from bench import payloads, report
from bench._harness import Config, Target, percentile
from bench.contract import parse_report


def test_payloads_are_valid_against_the_spec() -> None:
    built = payloads.build()
    assert payloads.validate(built) == []
    items = json.loads(built.list_items)["data"]
    assert len(items) == 100
    assert len({item["type"] for item in items}) == 6
    assert len(json.loads(built.list)["data"]) == 20


def test_target_verdicts() -> None:
    assert Target("a", "", 0.4, 0.5).met is True
    assert Target("a", "", 0.6, 0.5).verdict == "MISSED"
    assert Target("a", "", None, 0.5).met is None
    assert Target("a", "", 3.0, 2.0, kind="min").met is True


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([7.0], 99) == 7.0


def test_contract_report_parsing() -> None:
    text = (
        "[server] GET /chatkit/threads\n"
        "  ok   not_a_server_error                 passed   111  failed   0\n"
        "  FAIL positive_data_acceptance           passed    97  failed   4\n"
        "[server] DELETE /chatkit/threads/{thread_id}\n"
        "  ok   not_a_server_error                 passed    71  failed   1\n"
        "FAILED: 7114 check runs passed, 11 failed (failing checks: x), 0 errors, in 9.1s\n"
    )
    assert parse_report(text) == {"cases": 183, "check_runs": 7125, "check_runs_failed": 11}


@pytest.mark.slow
def test_every_benchmark_runs_at_tiny_sizes() -> None:
    results: dict[str, Any] = bench_main.run_all(
        Config.tiny(), list(bench_main.BENCHMARKS), ["--tiny"]
    )
    results = json.loads(json.dumps(results))  # JSON-serialisable, and read back
    for name, section in results["sections"].items():
        assert section["error"] is None, (name, section["error"])
        assert section["table"]["rows"], name
        for row in section["table"]["rows"]:
            assert len(row) <= len(section["table"]["header"]), (name, row)
    overhead = results["sections"]["overhead"]["data"]
    assert overhead["payloads_valid"] is True
    assert overhead["missing_contenders"] == {}
    assert set(overhead["figures"]["sync"]) == {"retrieve", "list", "list_items"}
    assert results["sections"]["server"]["data"]["errors"] == 0
    for path in results["sections"]["pagination"]["data"]["paths"].values():
        assert path["memory_checkpoints"]
    names = [target["name"] for target in results["targets"]]
    assert len(names) == len(set(names))
    assert all(target["met"] in (True, False) for target in results["targets"])
    assert "targets met" in report.render_text(results)
    assert "| operation |" in report.render_markdown(results)

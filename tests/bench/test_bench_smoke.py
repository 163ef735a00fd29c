"""The benchmarks run end to end at tiny sizes and produce well-formed results.

No timing is asserted here: only that every benchmark runs, measures what it says and
writes JSON the README table and the report can be rendered from.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from bench import __main__ as bench_main
from bench import payloads, report
from bench._harness import Config, Target, percentile
from bench.contenders import CONTENDERS, OPS
from bench.contract import parse_report
from bench.wrk import parse_wrk


def test_payloads_are_valid_against_the_spec() -> None:
    built = payloads.build()
    assert payloads.validate(built) == []
    items = json.loads(built.list_items)["data"]
    assert len(items) == 100
    assert len({item["type"] for item in items}) == 6
    assert len(json.loads(built.list)["data"]) == 20


def test_a_payload_that_departs_from_the_spec_is_named_with_its_path() -> None:
    built = payloads.build()
    thread = json.loads(built.retrieve)
    thread["created_at"] = str(thread["created_at"])
    broken = dataclasses.replace(built, retrieve=json.dumps(thread).encode())
    found = payloads.validate(broken)
    assert len(found) == 1 and found[0].startswith("retrieve: at $.created_at: "), found


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


def test_wrk_output_parsing() -> None:
    text = (
        "Running 2s test @ http://127.0.0.1:4000\n"
        "  1 threads and 4 connections\n"
        "  Latency Distribution\n"
        "     50%  612.00us\n"
        "     75%    1.02ms\n"
        "     99%    3.50ms\n"
        "  9000 requests in 2.00s, 12.00MB read\n"
        "  Non-2xx or 3xx responses: 10\n"
        "Requests/sec:   4500.00\n"
    )
    load = parse_wrk(text)
    assert (load.requests, load.errors, load.wall_s) == (8990, 10, 2.0)
    assert load.p50_ms == pytest.approx(0.612)
    assert load.p99_ms == pytest.approx(3.5)
    assert load.rps == pytest.approx(4495.0)


def test_fixed_server_routes_like_the_in_memory_transport() -> None:
    from bench._fixed_server import responses, route

    assert route(b"GET", b"/v1/chatkit/threads?limit=20") == "list"
    assert route(b"GET", b"/v1/chatkit/threads/cthr_1/items?limit=100") == "list_items"
    assert route(b"DELETE", b"/v1/chatkit/threads/cthr_1") == "delete"
    assert route(b"GET", b"/v1/chatkit/threads/cthr_1") == "retrieve"
    built = payloads.build()
    answer = responses(built)["list_items"]
    head, _, body = answer.partition(b"\r\n\r\n")
    assert body == built.list_items
    assert f"content-length: {len(body)}".encode() in head


@pytest.mark.slow
def test_every_benchmark_runs_at_tiny_sizes() -> None:
    # contention runs a fixed 11 s timeline at any size; tests/mock_server covers it.
    names = [name for name in bench_main.BENCHMARKS if name != "contention"]
    results: dict[str, Any] = bench_main.run_all(Config.tiny(), names, ["--tiny"])
    results = json.loads(json.dumps(results))  # JSON-serialisable, and read back
    for name, section in results["sections"].items():
        assert section["error"] is None, (name, section["error"])
        assert section["table"]["rows"], name
        for row in section["table"]["rows"]:
            assert len(row) <= len(section["table"]["header"]), (name, row)
    for name in ("overhead", "inmemory"):
        overhead = results["sections"][name]["data"]
        assert overhead["payloads_valid"] is True
        assert overhead["missing_contenders"] == {}
        for mode in ("sync", "async"):
            assert set(overhead["figures"][mode]) == set(OPS)
    collections = results["sections"]["inmemory"]["data"]["gc_collections"]["per_op"]
    assert set(collections["list_items"]) == set(CONTENDERS)
    imports = results["sections"]["imports"]["data"]
    assert set(imports["median_ms"]) == {
        "import chatkit_threads",
        "import openai",
        "import httpx, attrs",
    }
    assert imports["top_self_time"]
    assert results["sections"]["server"]["data"]["errors"] == 0
    contract = results["sections"]["contract"]["data"]
    assert contract["cases"] > 0
    assert set(contract["runs_s"]) == {"ours", "plain"}
    for path in results["sections"]["pagination"]["data"]["paths"].values():
        assert path["memory_checkpoints"]
    names = [target["name"] for target in results["targets"]]
    assert len(names) == len(set(names))
    assert all(target["met"] in (True, False) for target in results["targets"])
    assert "targets met" in report.render_text(results)
    assert "| operation |" in report.render_markdown(results)

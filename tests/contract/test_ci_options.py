"""The options a team's CI uses (issue 27): headers, selection, limits, reports, a baseline,
a config file. Each runs the server suite briefly against the mock or a broken variant."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatkit_threads_contract import cli
from chatkit_threads_contract.pacing import parse_rate

from .servers import KEY, mock_app, serve
from .variants import VARIANTS

BRIEF = (
    *("--suites", "server", "--max-examples", "1", "--seed", "5"),
    *("--operations", "listThreads", "--phases", "examples"),
)
GATEWAY_SECRET = "gw-secret-value-0123456789abcdef"


def _recording(app: Any, seen: list[dict[str, str]]) -> Any:
    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append({k.decode(): v.decode() for k, v in scope["headers"]})
        await app(scope, receive, send)

    return wrapper


def test_extra_headers_reach_every_request_and_secret_ones_stay_hidden(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[dict[str, str]] = []
    with serve(_recording(mock_app(), seen)) as base_url:
        status = cli.main(
            [
                *BRIEF,
                *("--base-url", base_url, "--api-key", KEY),
                *("-H", "OpenAI-Project: proj_contract", "-H", f"X-Gateway-Key: {GATEWAY_SECRET}"),
                *("--report", "ndjson,har,vcr", "--report-dir", str(tmp_path)),
            ]
        )
    out = capsys.readouterr().out
    assert status == 0, out
    assert len(seen) > 3
    assert all(h.get("openai-project") == "proj_contract" for h in seen), seen[:2]
    assert all(h.get("x-gateway-key") == GATEWAY_SECRET for h in seen)
    files = [path.read_text(encoding="utf-8") for path in tmp_path.iterdir()]
    assert files and all(GATEWAY_SECRET not in text and KEY not in text for text in files)
    assert any("proj_contract" in text for text in files)


def test_the_report_files_hold_every_exchange_and_real_durations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(mock_app()) as base_url:
        status = cli.main(
            [
                *BRIEF,
                *("--base-url", base_url, "--api-key", KEY),
                *("--report", "junit,har,ndjson,vcr", "--report-dir", str(tmp_path)),
            ]
        )
    assert status == 0, capsys.readouterr().out
    har = json.loads((tmp_path / "exchanges.har").read_text(encoding="utf-8"))
    entries = har["log"]["entries"]
    events = [
        json.loads(line)
        for line in (tmp_path / "events.ndjson").read_text(encoding="utf-8").splitlines()
    ]
    exchanges = [event for event in events if event["event"] == "exchange"]
    assert len(entries) == len(exchanges) > 3
    assert {entry["request"]["method"] for entry in entries} == {"GET"}
    assert all(entry["response"]["status"] for entry in entries)
    assert events[0]["event"] == "run" and events[0]["seed"] == 5
    assert events[-1] == {"event": "finished", "ok": True, "elapsed": events[-1]["elapsed"]}
    cassette = yaml.safe_load((tmp_path / "cassette.yaml").read_text(encoding="utf-8"))
    assert len(cassette["http_interactions"]) == len(entries)
    cases = ET.parse(tmp_path / "junit.xml").getroot().findall(".//testcase")
    assert any(float(case.get("time", "0")) > 0 for case in cases)


def test_exclude_checks_leaves_them_out(capsys: pytest.CaptureFixture[str]) -> None:
    with serve(mock_app()) as base_url:
        status = cli.main(
            [
                *BRIEF,
                *("--base-url", base_url, "--api-key", KEY),
                *("--exclude-checks", "list_walk_complete,ignored_auth"),
            ]
        )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "list_walk_complete" not in out and "ignored_auth" not in out
    assert "list_page_within_limit" in out


def test_max_failures_stops_early_and_says_what_did_not_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    variant = VARIANTS["order_ignored"]
    with serve(variant.build()) as base_url:
        status = cli.main(
            [
                *("--suites", "server", "--max-examples", "3", "--seed", "5"),
                *("--base-url", base_url, "--api-key", KEY, "--max-failures", "1"),
            ]
        )
    out = capsys.readouterr().out
    assert status == 1
    assert "stopped after" in out and "--max-failures 1" in out
    assert "Checks that did not run" in out


def _slow(app: Any) -> Any:
    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        await asyncio.sleep(0.05)
        await app(scope, receive, send)

    return wrapper


def test_max_response_time_names_the_slow_request(capsys: pytest.CaptureFixture[str]) -> None:
    with serve(_slow(mock_app())) as base_url:
        status = cli.main(
            [*BRIEF, *("--base-url", base_url, "--api-key", KEY, "--max-response-time", "1")]
        )
    out = capsys.readouterr().out
    assert status == 1
    assert "FAIL max_response_time" in out
    assert f"GET {base_url}/chatkit/threads" in out


def _run(base_url: str, seed: str, *extra: str) -> int:
    return cli.main(
        [
            *("--suites", "server", "--max-examples", "2", "--seed", seed),
            *("--operations", "listThreads", "--phases", "examples,coverage"),
            *("--base-url", base_url, "--api-key", KEY, *extra),
        ]
    )


def test_a_baseline_keeps_known_findings_green_and_names_new_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    known = tmp_path / "baseline.json"
    with serve(VARIANTS["order_ignored"].build()) as base_url:
        assert _run(base_url, "1", "--save-baseline", str(known)) == 1
        capsys.readouterr()
        # Another seed, other data: the same findings are known.
        assert _run(base_url, "2", "--baseline", str(known)) == 0, capsys.readouterr().out
        assert "PASSED (against the baseline)" in capsys.readouterr().out
    with serve(mock_app()) as base_url:
        assert _run(base_url, "3", "--baseline", str(known)) == 0
        out = capsys.readouterr().out
        assert "no longer seen" in out and "  gone  " in out
    with serve(VARIANTS["limit_ignored"].build()) as base_url:
        assert _run(base_url, "4", "--baseline", str(known)) == 1
        out = capsys.readouterr().out
        assert "NEW   " in out and "list_page_within_limit" in out


def test_options_come_from_pyproject_and_the_command_line_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.chatkit-threads-contract]\n"
        'suites = ["server"]\n'
        "max-examples = 1\n"
        'operations = ["listThreads"]\n'
        'phases = "examples"\n'
        'checks = ["list_page_within_limit", "not_a_server_error"]\n'
        'header = ["OpenAI-Project: proj_from_config"]\n',
        encoding="utf-8",
    )
    with serve(mock_app()) as base_url:
        status = cli.main(
            ["--base-url", base_url, "--api-key", KEY, "--checks", "not_a_server_error"]
        )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "not_a_server_error" in out and "list_page_within_limit" not in out


def test_an_unknown_config_key_is_a_usage_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "contract.toml"
    config.write_text("max-exampels = 3\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--config", str(config), "--list-checks"])
    assert exit_info.value.code == 2
    assert "unknown key `max-exampels`" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("rate", "seconds"),
    [("10/s", 0.1), ("100/m", 0.6), ("5/10s", 2.0), ("10 per second", 0.1), ("600/hour", 6.0)],
)
def test_rate_limit_forms(rate: str, seconds: float) -> None:
    assert parse_rate(rate) == pytest.approx(seconds)


@pytest.mark.parametrize("rate", ["0/s", "ten/s", "10/fortnight", "10/0s"])
def test_bad_rates_are_refused(rate: str) -> None:
    with pytest.raises(ValueError, match=r"invalid rate|period"):
        parse_rate(rate)


@pytest.mark.parametrize("recorded", ["events.ndjson", "exchanges.har"])
def test_replay_resends_a_recorded_report_and_judges_it_again(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(mock_app()) as base_url:
        assert (
            cli.main(
                [
                    *BRIEF,
                    *("--base-url", base_url, "--api-key", KEY),
                    *("--report", "ndjson,har", "--report-dir", str(tmp_path)),
                ]
            )
            == 0
        )
        capsys.readouterr()
        # The same server again: the fix holds.
        args = ["replay", str(tmp_path / recorded), "--base-url", base_url, "--api-key", KEY]
        assert cli.main(args) == 0, capsys.readouterr().out
        out = capsys.readouterr().out
        assert "ok   list_page_in_requested_order" in out and "replayed " in out
    with serve(VARIANTS["order_ignored"].build()) as broken:
        args = ["replay", str(tmp_path / recorded), "--base-url", broken, "--api-key", KEY]
        assert cli.main(args) == 1
        out = capsys.readouterr().out
        assert "FAIL list_page_in_requested_order" in out
        assert KEY not in out

"""The command: the bundled mock by default, a separately started local server, DELETE refusal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chatkit_threads_contract import cli

from .servers import KEY, OTHER_KEY, mock_app, serve
from .variants import VARIANTS

# A seed keeps the command's runs, and so these tests, repeatable.
SEED = "7"
MOCK_COMMAND = (sys.executable, "-m", "chatkit_threads_mock", "serve", "--port", "0")
CONTRACT_COMMAND = (sys.executable, "-m", "chatkit_threads_contract")


def test_default_command_tests_the_bundled_mock_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No --base-url: the bundled mock is started in-process and every check passes."""
    junit = tmp_path / "contract.xml"
    status = cli.main(["--seed", SEED, "--junit-xml", str(junit)])
    captured = capsys.readouterr()
    assert "Testing the bundled mock server at http://127.0.0.1:" in captured.err
    assert status == 0, captured.out
    assert "PASSED" in captured.out
    assert " 0 failed " in captured.out and "FAIL " not in captured.out
    root = ET.parse(junit).getroot()
    assert root.findall(".//failure") == [] and root.findall(".//error") == []
    judged = {case.get("name") for case in root.findall(".//testcase")}
    # The checks that need state, a second key or a 400 must all have judged something.
    assert {
        "list_walk_complete",
        "list_cursors_exclusive",
        "deleted_thread_vanishes",
        "use_after_free",
        "data_isolated_per_key",
        "valid_request_rejected_only_for_cursor",
        "negative_data_rejection",
    } <= judged


@pytest.fixture
def separate_mock() -> Iterator[str]:
    """The mock server's own command in another process, on a free port of 127.0.0.1."""
    process = subprocess.Popen(
        [*MOCK_COMMAND, "--api-key", KEY, "--api-key", OTHER_KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:[0-9]+/v1)", banner)
        assert found, f"the mock server did not start: {banner!r}"
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_command_passes_a_separately_started_server_and_writes_junit(
    separate_mock: str, tmp_path: Path
) -> None:
    """The installed command, in its own process, against a server in another process."""
    junit = tmp_path / "out" / "contract.xml"
    result = subprocess.run(
        [
            *CONTRACT_COMMAND,
            *("--base-url", separate_mock, "--other-api-key", OTHER_KEY, "--allow-destructive"),
            *("--max-examples", "3", "--seed", SEED, "--junit-xml", str(junit)),
        ],
        env={**os.environ, "OPENAI_API_KEY": KEY},
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert f"ChatKit Threads contract against {separate_mock}" in out
    assert "[server] GET /chatkit/threads" in out
    assert "[server] DELETE /chatkit/threads/{thread_id}" in out
    assert "ok   list_walk_complete" in out
    assert "ok   data_isolated_per_key" in out
    assert "PASSED" in out
    root = ET.parse(junit).getroot()
    cases = root.findall(".//testcase")
    assert {c.get("name") for c in cases} >= {"not_a_server_error", "list_walk_complete"}
    assert root.findall(".//failure") == []


def test_command_exits_1_and_shows_a_reproduction_on_a_broken_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit = tmp_path / "contract.xml"
    with serve(VARIANTS["order_ignored"].build()) as base_url:
        status = cli.main(
            [
                "--base-url",
                base_url,
                "--api-key",
                KEY,
                "--max-examples",
                "3",
                "--operations",
                "listThreads",
                "--phases",
                "examples,coverage",
                "--junit-xml",
                str(junit),
            ]
        )
    out = capsys.readouterr().out
    assert status == 1
    assert "FAIL list_page_in_requested_order" in out
    assert "curl -X GET" in out
    failures = ET.parse(junit).getroot().findall(".//testcase[failure]")
    assert "list_page_in_requested_order" in {c.get("name") for c in failures}


def _no_network(*args: object, **kwargs: object) -> None:
    raise AssertionError("the command sent a request to a non-local server")


def test_delete_is_refused_on_a_non_local_url_before_any_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nothing may be sent: every way out of the process is replaced by a failing stub.
    monkeypatch.setattr(httpx.Client, "send", _no_network)
    monkeypatch.setattr("requests.Session.send", _no_network)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(
            [
                "--base-url",
                "https://api.example.invalid/v1",
                "--api-key",
                "sk-x",
                "--operations",
                "deleteThread",
            ]
        )
    assert exit_info.value.code == 2
    assert "--allow-destructive" in capsys.readouterr().err


def test_only_the_bundled_mock_is_deleted_from_without_asking() -> None:
    from chatkit_threads_contract.runner import ContractOptions

    remote, local = "https://api.example.invalid/v1", "http://127.0.0.1:1/v1"
    assert ContractOptions(base_url=remote, api_key="k").delete_policy == "none"
    assert ContractOptions(base_url=local, api_key="k").delete_policy == "none"
    assert ContractOptions(base_url=local, api_key="k", bundled=True).delete_policy == "all"
    opted_in = {"api_key": "k", "allow_destructive": True}
    assert ContractOptions(base_url=remote, **opted_in).delete_policy == "listed"  # type: ignore[arg-type]
    assert ContractOptions(base_url=local, **opted_in).delete_policy == "all"  # type: ignore[arg-type]
    # An IPv4-mapped IPv6 address is not loopback to Python: remote, as CI uses it.
    mapped = "http://[::ffff:127.0.0.1]:1/v1"
    assert ContractOptions(base_url=mapped, **opted_in).delete_policy == "listed"  # type: ignore[arg-type]


def test_remote_without_flag_sends_no_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend a local mock server is remote: the run must send no DELETE at all."""
    from chatkit_threads_contract import options, runner

    monkeypatch.setattr(options, "is_local_url", lambda url: False)
    app = mock_app()
    methods: list[str] = []

    async def recording(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            methods.append(scope["method"])
        await app(scope, receive, send)

    with serve(recording) as base_url:
        report = runner.run_server_contract(
            runner.ContractOptions(base_url=base_url, api_key=KEY, max_examples=3)
        )
    assert "DELETE" not in methods
    assert any("--allow-destructive" in note for note in report.notes)


def test_list_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--list-checks"]) == 0
    assert "list_walk_complete" in capsys.readouterr().out.split()


def test_unknown_check_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--checks", "no_such_check"])
    assert exit_info.value.code == 2

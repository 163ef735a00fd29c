"""Exit codes and error lines: API errors (1), usage errors (2), --debug, --strict,
the console script itself, and the mounted mock and contract commands."""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from chatkit_threads_cli.app import app
from chatkit_threads_cli.main import main

from .conftest import Cli, serve


def test_not_found_is_one_line_with_the_request_id(cli: Cli) -> None:
    result = cli("threads", "get", "cthr_missing")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: HTTP 404 (not_found): ")
    assert "cthr_missing" in lines[0]
    assert "[request id: req_" in lines[0]
    assert "Traceback" not in result.stderr


def test_debug_adds_the_traceback_and_the_request_log(cli: Cli) -> None:
    result = cli("--debug", "threads", "get", "cthr_missing")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert "NotFoundError" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("error: HTTP 404")


def test_wrong_api_key_is_an_api_error(cli: Cli) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["--base-url", cli.server.base_url, "--api-key", "sk-wrong", "threads", "list"],
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: HTTP 401 (invalid_api_key): ")
    assert "sk-wrong" not in result.output


def test_missing_api_key_is_a_usage_error(cli: Cli) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["--base-url", cli.server.base_url, "threads", "list"],
        env={"OPENAI_API_KEY": None},
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no API key: pass --api-key or set OPENAI_API_KEY"


def test_api_key_and_base_url_from_the_environment(cli: Cli) -> None:
    runner = CliRunner()
    env = {"OPENAI_API_KEY": cli.server.api_key, "OPENAI_BASE_URL": cli.server.base_url}
    result = runner.invoke(app, ["threads", "list", "--limit", "1", "--jsonl"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1


def test_unreachable_server_is_an_api_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    runner = CliRunner()
    base = f"http://127.0.0.1:{port}/v1"
    result = runner.invoke(
        app, ["--base-url", base, "--api-key", "k", "--max-retries", "0", "threads", "list"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: GET {base}/chatkit/threads")
    assert "failed" in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["threads", "list", "--limit", "500"],
        ["threads", "list", "--order", "sideways"],
        ["threads", "list", "--json", "--jsonl"],
        ["threads", "items"],
        ["threads", "items", "a/b"],
        ["threads", "delete"],
        ["threads", "delete", "cthr_1", "--user", "u"],
        ["threads", "export"],
        ["--max-retries", "-1", "threads", "list"],
        ["threads", "frobnicate"],
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_invalid_argument_caught_by_the_client_is_named(cli: Cli) -> None:
    result = cli("threads", "get", "..")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid argument: ")
    assert "thread_id" in result.stderr


def test_help_documents_exit_codes() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    for option in ("--base-url", "--api-key", "--timeout", "--max-retries", "--strict", "--debug"):
        assert option in flat
    assert "Exit codes: 0 success; 1 an API error" in flat
    assert "2 a usage error" in flat
    threads_help = CliRunner().invoke(app, ["threads", "--help"])
    assert "Exit codes" in " ".join(threads_help.stdout.split())


def test_main_returns_the_exit_code(cli: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert main(["threads", "list", "--limit", "500"]) == 2
    base = ["--base-url", cli.server.base_url, "--api-key", cli.server.api_key]
    assert main([*base, "threads", "get", "cthr_missing"]) == 1
    assert main([*base, "threads", "list", "--limit", "1"]) == 0
    capsys.readouterr()


def test_module_runs_as_a_program() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chatkit_threads_cli", "threads", "list", "--limit", "999"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "999" in done.stderr


def test_mock_and_contract_commands_are_mounted() -> None:
    runner = CliRunner()
    mock_help = runner.invoke(app, ["mock", "--help"])
    assert mock_help.exit_code == 0
    assert "serve" in mock_help.stdout and "load" in mock_help.stdout
    contract_help = runner.invoke(app, ["contract", "--help"])
    assert contract_help.exit_code == 0
    assert "--base-url" in contract_help.stdout
    # argparse's own usage errors keep their code
    assert runner.invoke(app, ["mock", "serve", "--port", "x"]).exit_code == 2


def test_mock_load_runs_through_the_top_level_command(tmp_path: pytest.TempPathFactory) -> None:
    db = f"{tmp_path}/threads.db"
    result = CliRunner().invoke(app, ["mock", "load", "--db", db])
    assert result.exit_code == 0, result.output


def test_missing_extra_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = importlib.import_module

    def without_mock(name: str) -> object:
        if name.startswith("chatkit_threads_mock"):
            raise ModuleNotFoundError(f"No module named {name!r}", name="chatkit_threads_mock")
        return real_import(name)

    monkeypatch.setattr(importlib, "import_module", without_mock)
    result = CliRunner().invoke(app, ["mock", "serve"])
    assert result.exit_code == 2
    assert "pip install 'chatkit-threads[mock]'" in result.stderr
    assert "Traceback" not in result.output


def test_timeout_option_reaches_the_client() -> None:
    # The server answers after 300 ms; a 50 ms timeout must give up and say so.
    for slow in serve(faults="latency=300ms"):
        result = slow("--timeout", "0.05", "threads", "list")
        assert result.exit_code == 1
        assert "timed out" in result.stderr
        assert len(result.stderr.splitlines()) == 1

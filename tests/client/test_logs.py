"""``OPENAI_LOG`` turns on the client's logging with no code, in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from chatkit_threads_mock import MockServer

CALL = """
import chatkit_threads
client = chatkit_threads.ChatKit()
client.threads.list(limit=1)
client.close()
"""


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


def run_client(server: MockServer, log: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_LOG"}
    env.update(OPENAI_API_KEY=server.api_key, OPENAI_BASE_URL=server.base_url)
    if log is not None:
        env["OPENAI_LOG"] = log
    return subprocess.run(
        [sys.executable, "-c", CALL], env=env, capture_output=True, text=True, timeout=60
    )


def test_debug_logs_every_attempt_without_the_key(server: MockServer) -> None:
    done = run_client(server, "debug")
    assert done.returncode == 0, done.stderr
    assert "chatkit_threads" in done.stderr and "DEBUG" in done.stderr
    assert "/chatkit/threads?limit=1 -> 200 (attempt 1" in done.stderr
    assert server.api_key not in done.stderr


def test_info_leaves_out_the_per_attempt_lines(server: MockServer) -> None:
    done = run_client(server, "INFO")
    assert done.returncode == 0, done.stderr
    assert "HTTP Request: GET" in done.stderr  # httpx's own line, at INFO
    assert "DEBUG" not in done.stderr


def test_without_the_variable_nothing_is_logged(server: MockServer) -> None:
    done = run_client(server, None)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_an_unknown_value_is_named_in_a_warning(server: MockServer) -> None:
    done = run_client(server, "verbose")
    assert done.returncode == 0, done.stderr
    assert "OPENAI_LOG='verbose' is not one of info, debug" in done.stderr
    assert "HTTP Request" not in done.stderr

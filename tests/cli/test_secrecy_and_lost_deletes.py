"""The CLI never prints the key (with or without --debug), and its bulk delete counts
a thread whose delete was confirmed only by a 404 on retry as deleted."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from chatkit_threads import RetryPolicy
from chatkit_threads_cli.app import app
from chatkit_threads_cli.delete import delete_threads
from tests.client.rawserver import RawServer, head
from tests.client.support import API_KEY, error_body, json_response, make_client


def echo_authorization(conn: socket.socket, request: bytes, status: str) -> None:
    auth = next(
        line.split(b":", 1)[1].strip()
        for line in request.split(b"\r\n")
        if line.lower().startswith(b"authorization:")
    )
    body = b"hi " + auth + b" and again " + auth
    conn.sendall(
        head("Content-Type: text/plain", f"Content-Length: {len(body)}", status=status) + body
    )


@pytest.fixture(params=["200 OK", "401 Unauthorized", "500 Internal Server Error"])
def echo_server(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    ref: list[RawServer] = []

    def respond(conn: socket.socket) -> None:
        echo_authorization(conn, ref[0].requests[-1], request.param)

    with RawServer(respond) as server:
        ref.append(server)
        yield server


@pytest.mark.parametrize("debug", [[], ["--debug"]])
@pytest.mark.parametrize("strict", [[], ["--strict"]])
def test_cli_never_prints_the_key(
    echo_server: RawServer, debug: list[str], strict: list[str]
) -> None:
    args = ["--base-url", echo_server.base_url, "--api-key", API_KEY, "--max-retries", "0"]
    result = CliRunner().invoke(app, [*args, *debug, *strict, "threads", "get", "cthr_1"])
    assert result.exit_code == 1
    assert API_KEY not in result.output + result.stderr
    assert "<redacted>" in result.stderr


@pytest.mark.parametrize("debug", [[], ["--debug"]])
def test_cli_refuses_a_key_with_a_newline_without_printing_it(debug: list[str]) -> None:
    args = ["--base-url", "http://127.0.0.1:9/v1", "--api-key", API_KEY + "\n"]
    result = CliRunner().invoke(app, [*args, *debug, "threads", "get", "cthr_1"])
    assert result.exit_code == 2
    assert API_KEY not in result.output + result.stderr
    assert "api_key" in result.stderr


def test_bulk_delete_counts_a_404_on_retry_after_a_lost_response_as_deleted() -> None:
    calls: dict[str, int] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        thread_id = request.url.path.rsplit("/", 1)[-1]
        calls[thread_id] = calls.get(thread_id, 0) + 1
        if thread_id == "cthr_lost" and calls[thread_id] == 1:
            raise httpx.ReadTimeout("response lost after the delete was applied")
        return json_response(404, error_body("No thread found", code="not_found"))

    policy = RetryPolicy(sleep=lambda seconds: None, random=lambda: 0.0)
    client, _ = make_client(handler, policy)
    results: list[tuple[str, str | None]] = []
    summary = delete_threads(
        client,
        ["cthr_lost", "cthr_missing"],
        lambda thread_id, reason: results.append((thread_id, reason)),
    )
    assert summary.deleted == ["cthr_lost"]
    assert [thread_id for thread_id, _ in summary.failed] == ["cthr_missing"]
    assert results[0] == ("cthr_lost", None)

"""Hostile servers and hostile input: the suite stays bounded, quiet and secret-keeping.

Each test names a class of fault (issue 25): a response that never finishes its head,
absurd `Retry-After` values, a YAML alias bomb as the spec, a server echoing the key.
"""

from __future__ import annotations

import json
import logging
import math
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from chatkit_threads_contract import cli
from chatkit_threads_contract.pacing import MAX_WAIT, retry_delay

from .servers import endless_continue, raw_server, serve, trickle

FAST = ("--suites", "server", "--max-examples", "1", "--seed", "3")
TIMEOUT = 1.0
# Generous: a bounded run takes a few timeouts; an unbounded one is held for minutes.
BOUND = 30 * TIMEOUT
SECRET = "sk-contract-echoed-secret-0123456789"


@pytest.mark.parametrize(
    "retry_after",
    [
        "Mon, 01 Jan 99999999999999999999 00:00:00 GMT",
        "Mon, 01 Jan 0000 00:00:00 GMT",
        "1e400",
        "-1e400",
        "nan",
        "-5",
        "99999999999999999999999999999999",
        "soon",
        "",
        "Thu, 31 Feb 2026 25:61:61 GMT",
    ],
)
def test_any_retry_after_gives_a_bounded_wait(retry_after: str) -> None:
    for name in ("Retry-After", "retry-after-ms"):
        for attempt in (0, 3, 10_000):
            delay = retry_delay({name: retry_after}, attempt)
            assert math.isfinite(delay) and 0.0 <= delay <= MAX_WAIT


Answer = Callable[[threading.Event], Callable[[socket.socket, bytes, int], None]]


@pytest.mark.parametrize("hostile", [trickle, endless_continue], ids=["trickle", "continue"])
def test_a_head_that_never_ends_is_cut_off_by_the_request_timeout(
    hostile: Answer, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = threading.Event()
    with raw_server(hostile(stop)) as base_url:
        started = time.monotonic()
        args = [*FAST, "--base-url", base_url, "--api-key", "k", "--request-timeout", "1"]
        status = cli.main(args)
        took = time.monotonic() - started
        stop.set()
    out = capsys.readouterr().out
    assert status == 1
    assert "did not answer within 1s" in out
    assert took < BOUND


def _page_then(
    hostile: Answer, stop: threading.Event
) -> Callable[[socket.socket, bytes, int], None]:
    """Answer the first request (the suite's probe) with an empty page, then turn hostile."""
    body = json.dumps(
        {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}
    ).encode()
    rest = hostile(stop)

    def answer(conn: socket.socket, head: bytes, number: int) -> None:
        if number == 0:
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            return
        rest(conn, head, number)

    return answer


@pytest.mark.parametrize("hostile", [trickle, endless_continue], ids=["trickle", "continue"])
def test_generated_requests_are_bounded_too(
    hostile: Answer, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = threading.Event()
    with raw_server(_page_then(hostile, stop)) as base_url:
        started = time.monotonic()
        args = [
            *FAST,
            *("--base-url", base_url, "--api-key", "k", "--request-timeout", "1"),
            *("--operations", "listThreads", "--phases", "examples"),
        ]
        status = cli.main(args)
        took = time.monotonic() - started
        stop.set()
    out = capsys.readouterr().out
    assert status == 1
    assert "ERROR:" in out and "Traceback" not in out
    # A handful of generated requests, each cut at the timeout.
    assert took < 3 * BOUND


def test_a_yaml_alias_bomb_is_refused_as_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    lines.append("paths: {/chatkit/threads: {get: {responses: {'200': {description: *a11}}}}}")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--suites", "server", "--spec", str(bomb)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("chatkit-threads-contract: error: --spec:"), err
    assert "Traceback" not in "\n".join(err)


def _echo_app() -> Starlette:
    """A server that puts the caller's key into every id and cursor it answers with."""

    def key_of(request: Request) -> str:
        return request.headers.get("authorization", "").removeprefix("Bearer ")

    def thread(key: str, number: int) -> dict[str, object]:
        return {
            "id": f"{key}-{number}",
            "object": "chatkit.thread",
            "created_at": number,
            "title": key,
            "status": {"type": "active"},
            "user": key,
        }

    async def listing(request: Request) -> JSONResponse:
        key = key_of(request)
        data = [thread(key, 2), thread(key, 1), thread(key, 2)]
        return JSONResponse(
            {"object": "list", "data": data, "first_id": key, "last_id": key, "has_more": True}
        )

    async def one(request: Request) -> JSONResponse:
        return JSONResponse(thread(key_of(request), 1))

    async def items(request: Request) -> JSONResponse:
        key = key_of(request)
        return JSONResponse(
            {"object": "list", "data": [], "first_id": key, "last_id": key, "has_more": True}
        )

    return Starlette(
        routes=[
            Route("/v1/chatkit/threads", listing),
            Route("/v1/chatkit/threads/{thread_id}", one),
            Route("/v1/chatkit/threads/{thread_id}/items", items),
        ]
    )


def test_a_key_echoed_as_ids_and_cursors_is_redacted_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    junit = tmp_path / "junit.xml"
    caplog.set_level(logging.DEBUG)
    with serve(_echo_app()) as base_url:
        status = cli.main(
            [
                *FAST,
                *("--base-url", base_url, "--api-key", SECRET, "--junit-xml", str(junit)),
                *("--phases", "examples", "--report", "ndjson,har", "--report-dir", str(tmp_path)),
            ]
        )
    captured = capsys.readouterr()
    assert status == 1
    assert "curl" in captured.out  # failures were found, with reproducers
    shown = [captured.out, captured.err, caplog.text, junit.read_text(encoding="utf-8")]
    shown += [path.read_text(encoding="utf-8") for path in tmp_path.glob("*.*")]
    for text in shown:
        assert SECRET not in text

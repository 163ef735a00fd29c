"""Every phase of a request has a deadline: a response head that trickles in a byte at a
time, or an endless run of ``100 Continue``, ends in ``APITimeoutError`` near the
timeout, in both clients, with the client's own pool or a plain ``httpx`` client given
as ``http_client``. Bounds are generous multiples of the configured timeout."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from chatkit_threads import APITimeoutError, AsyncChatKit, ChatKit, RetryPolicy
from tests.client.rawserver import RawServer, forever, head
from tests.client.support import API_KEY, thread

TIMEOUT = 1.0
# Far above TIMEOUT (and its retries) yet far below the minutes these servers would hold
# a client without a deadline.
BOUND = 10.0
QUICK = RetryPolicy(initial_delay=0.01, max_delay=0.01)

Responder = Callable[[RawServer], Callable[[socket.socket], None]]


def slow_head(server: RawServer) -> Callable[[socket.socket], None]:
    # One byte every 50 ms: every read succeeds well within the read timeout.
    def respond(conn: socket.socket) -> None:
        data = head("Content-Type: application/json", *[f"X-Pad-{n}: {n}" for n in range(2000)])
        for n in forever(server):
            conn.sendall(data[n % len(data) : n % len(data) + 1])
            time.sleep(0.05)

    return respond


def endless_continue(server: RawServer) -> Callable[[socket.socket], None]:
    def respond(conn: socket.socket) -> None:
        for _ in forever(server):
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            time.sleep(0.05)

    return respond


def slow_body(server: RawServer) -> Callable[[socket.socket], None]:
    # A prompt head announcing a body that then trickles in.
    def respond(conn: socket.socket) -> None:
        conn.sendall(head("Content-Type: application/json", "Content-Length: 100000"))
        for _ in forever(server):
            conn.sendall(b" ")
            time.sleep(0.05)

    return respond


@pytest.fixture(params=[slow_head, endless_continue, slow_body])
def hostile(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    ref: list[RawServer] = []
    responder: Responder = request.param
    with RawServer(lambda conn: responder(ref[0])(conn)) as server:
        ref.append(server)
        yield server


@pytest.mark.parametrize("own_http_client", [False, True])
def test_the_whole_response_arrives_within_the_timeout(
    hostile: RawServer, own_http_client: bool
) -> None:
    http_client = httpx.Client() if own_http_client else None
    client = ChatKit(
        api_key=API_KEY,
        base_url=hostile.base_url,
        timeout=TIMEOUT,
        max_retries=0,
        http_client=http_client,
    )
    started = time.monotonic()
    with client, pytest.raises(APITimeoutError, match="read timeout"):
        client.threads.retrieve("t")
    assert time.monotonic() - started < BOUND
    if http_client is not None:
        http_client.close()


@pytest.mark.parametrize("own_http_client", [False, True])
def test_async_the_whole_response_arrives_within_the_timeout(
    hostile: RawServer, own_http_client: bool
) -> None:
    async def main() -> None:
        http_client = httpx.AsyncClient() if own_http_client else None
        client = AsyncChatKit(
            api_key=API_KEY,
            base_url=hostile.base_url,
            timeout=TIMEOUT,
            max_retries=0,
            http_client=http_client,
        )
        async with client:
            with pytest.raises(APITimeoutError, match="read timeout"):
                await client.threads.retrieve("t")
        if http_client is not None:
            await http_client.aclose()

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < BOUND


def test_each_retry_gets_its_own_deadline_and_all_end(
    hostile: RawServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="chatkit_threads")
    client = ChatKit(
        api_key=API_KEY, base_url=hostile.base_url, timeout=TIMEOUT, retry_policy=QUICK
    )
    started = time.monotonic()
    with client, pytest.raises(APITimeoutError):
        client.threads.retrieve("t")  # three attempts, each up to the timeout
    assert time.monotonic() - started < BOUND
    assert [r.getMessage().split()[0] for r in caplog.records] == ["retrying", "retrying"]


def test_a_prompt_server_is_unaffected_and_copies_share_the_deadline() -> None:
    body = json.dumps(thread("t")).encode()
    length = f"Content-Length: {len(body)}"
    data = head("Connection: close", "Content-Type: application/json", length) + body
    with (
        RawServer(lambda conn: conn.sendall(data)) as server,
        ChatKit(api_key=API_KEY, base_url=server.base_url, timeout=TIMEOUT) as client,
    ):
        assert client.threads.retrieve("t").id == "t"
        assert client.with_options(timeout=2.0).threads.retrieve("t").id == "t"


def test_the_deadline_goes_into_every_pool_of_httpx_transports_and_nowhere_else() -> None:
    from chatkit_threads import _deadline

    proxied = httpx.Client(
        mounts={"http://proxied.example": httpx.HTTPTransport(proxy="http://127.0.0.1:9")}
    )
    assert _deadline.install(proxied) == 2  # the default transport and the proxy mount
    assert _deadline.install(proxied) == 2  # idempotent: wrapped once
    mocked = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert _deadline.install(mocked) == 0  # a custom transport: the body deadline only
    assert _deadline.install(httpx.AsyncClient()) == 1
    for client in (proxied, mocked):
        client.close()

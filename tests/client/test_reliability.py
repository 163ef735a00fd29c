"""Hostile responses and inputs: the key never leaks, memory stays bounded, every
failure is a ChatKitError, and a retried DELETE whose first response was lost is
reported as what it is."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import socket
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import httpx2
import pytest

from chatkit_threads import (
    DEFAULT_MAX_RESPONSE_BYTES,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncChatKit,
    ChatKit,
    ChatKitError,
    DeletedOnRetryError,
    InvalidRequestError,
    NotFoundError,
    ResponseTooLargeError,
    ResponseValidationError,
    RetryPolicy,
)
from chatkit_threads.types import UserMessageItem
from tests.client.rawserver import RawServer, chunk, forever, head
from tests.client.support import (
    API_KEY,
    error_body,
    json_response,
    make_async_client,
    make_client,
    thread,
)

# A key whose URL-, HTML- and JSON-escaped spellings all differ from the raw one.
ODD_KEY = "sk-a+b/c=d&e<f>g\"h'i"


def _all_text(error: BaseException) -> str:
    parts = [str(error), repr(error), str(error.args)]
    if isinstance(error, APIError):
        parts += [error.message, str(error.body)]
    if isinstance(error, ResponseValidationError):
        parts.append(str(error.errors))
    cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    if cause is not None:
        parts.append(_all_text(cause))
    return "\n".join(parts)


# -- 6. the key never leaks -------------------------------------------------------


def echo_plain(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text=f"hi {request.headers['Authorization']}")


@pytest.mark.parametrize("prefix", [0, 150, 190, 197])
def test_2xx_non_json_body_echoing_the_key_is_redacted_even_where_it_is_cut(
    prefix: int,
) -> None:
    # The message quotes the first 200 characters: the key must not survive partly.
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="x" * prefix + " " + request.headers["Authorization"])

    client, _ = make_client(handler)
    with pytest.raises(APIError) as info:
        client.threads.retrieve("t")
    text = _all_text(info.value)
    assert API_KEY[:12] not in text
    assert "Bearer" in text or prefix > 190


def test_async_2xx_non_json_body_echoing_the_key_is_redacted() -> None:
    async def main() -> None:
        client, _ = make_async_client(echo_plain)
        with pytest.raises(APIError) as info:
            await client.threads.retrieve("t")
        assert API_KEY not in _all_text(info.value)
        assert "<redacted>" in str(info.value)

    asyncio.run(main())


def echo_in_every_form(request: httpx.Request) -> httpx.Response:
    key = request.headers["Authorization"].removeprefix("Bearer ")
    forms = [key, quote(key, safe=""), quote(key, safe="").lower(), quote_plus(key)]
    forms += [html.escape(key), json.dumps(key)[1:-1], repr(key)]
    return httpx.Response(400, text=" | ".join(forms), headers={"content-type": "text/html"})


def test_url_html_and_json_escaped_forms_of_the_key_are_redacted() -> None:
    client, _ = make_client(echo_in_every_form, api_key=ODD_KEY)
    with pytest.raises(APIError) as info:
        client.threads.retrieve("t")
    text = _all_text(info.value)
    for form in (ODD_KEY, quote(ODD_KEY, safe=""), html.escape(ODD_KEY), quote_plus(ODD_KEY)):
        assert form not in text
    assert text.count("<redacted>") >= 7


def test_json_error_body_with_escaped_key_is_redacted_in_body_and_message() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        key = request.headers["Authorization"].removeprefix("Bearer ")
        # JSON may spell any character as \\uXXXX: only decoding shows the key.
        escaped = "".join(f"\\u{ord(c):04x}" for c in key)
        body = '{"error": {"message": "bad key %s", "type": "x", "code": "%s"}}'
        return httpx.Response(401, text=body % (escaped, escaped))

    client, _ = make_client(handler, api_key=ODD_KEY)
    with pytest.raises(APIError) as info:
        client.threads.retrieve("t")
    assert ODD_KEY not in _all_text(info.value)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_strict_validation_messages_quoting_an_echoed_key_are_redacted(
    asynchronous: bool,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = thread("t")
        body["object"] = request.headers["Authorization"]
        body["status"] = {"type": request.headers["Authorization"]}
        return json_response(200, body)

    if asynchronous:

        async def main() -> ResponseValidationError:
            client, _ = make_async_client(handler, strict=True)
            with pytest.raises(ResponseValidationError) as info:
                await client.threads.retrieve("t")
            return info.value

        error = asyncio.run(main())
    else:
        client, _ = make_client(handler, strict=True)
        with pytest.raises(ResponseValidationError) as raised:
            client.threads.retrieve("t")
        error = raised.value
    text = _all_text(error)
    assert API_KEY not in text
    assert "<redacted>" in text
    assert "$.object" in error.paths


@pytest.mark.parametrize(
    "bad_key", [API_KEY + "\n", API_KEY + "\r\n", "sk-\x00abc", " " + API_KEY, "sk-ключ"]
)
@pytest.mark.parametrize("cls", [ChatKit, AsyncChatKit])
def test_a_key_that_cannot_be_sent_is_refused_at_construction(
    bad_key: str, cls: type[ChatKit] | type[AsyncChatKit]
) -> None:
    with pytest.raises(ValueError, match="api_key") as info:
        cls(api_key=bad_key)
    assert API_KEY not in str(info.value)
    assert "ключ" not in str(info.value)


def test_a_key_with_a_newline_from_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY + "\n")
    with pytest.raises(ValueError, match="newline") as info:
        ChatKit()
    assert API_KEY not in str(info.value)


def test_cause_holding_the_key_is_not_chained() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy said no to {request.headers['Authorization']}")

    client, _ = make_client(handler, max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        client.threads.retrieve("t")
    assert API_KEY not in _all_text(info.value)
    assert info.value.__cause__ is None


# -- 7. bounded memory -------------------------------------------------------------


def endless_chunks(server_ref: list[RawServer]) -> Callable[[socket.socket], None]:
    def respond(conn: socket.socket) -> None:
        conn.sendall(head("Content-Type: application/json", "Transfer-Encoding: chunked"))
        block = chunk(b"[" * 65536)
        for _ in forever(server_ref[0]):
            conn.sendall(block)

    return respond


def gzip_bomb(server_ref: list[RawServer]) -> Callable[[socket.socket], None]:
    # 1 MiB of zeros compresses to ~1 KiB: a 2 GB expansion fits in ~2 MB on the wire.
    def respond(conn: socket.socket) -> None:
        conn.sendall(
            head(
                "Content-Type: application/json",
                "Content-Encoding: gzip",
                "Transfer-Encoding: chunked",
            )
        )
        compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        zeros = b"\0" * (1 << 20)
        for _ in range(2048):  # 2 GiB decoded at most
            if server_ref[0].stopping():
                return
            data = compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
            conn.sendall(chunk(data))
        conn.sendall(chunk(compressor.flush()) + b"0\r\n\r\n")

    return respond


def trickle(server_ref: list[RawServer]) -> Callable[[socket.socket], None]:
    # A byte every 20 ms: each read is quick, so only a whole-body deadline stops it.
    def respond(conn: socket.socket) -> None:
        conn.sendall(head("Content-Type: application/json", "Transfer-Encoding: chunked"))
        for _ in forever(server_ref[0]):
            conn.sendall(chunk(b" "))
            time.sleep(0.02)

    return respond


@pytest.fixture(params=[endless_chunks, gzip_bomb], ids=["endless-chunked", "gzip-bomb"])
def huge_server(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    ref: list[RawServer] = []
    with RawServer(request.param(ref)) as server:
        ref.append(server)
        yield server


@pytest.mark.parametrize("stack", ["httpx", "httpx2"])
def test_huge_body_raises_response_too_large_with_the_default_limit(
    huge_server: RawServer, stack: str
) -> None:
    pool: dict[str, Any] = {} if stack == "httpx" else {"http_client": httpx2.Client()}
    with ChatKit(api_key=API_KEY, base_url=huge_server.base_url, max_retries=0, **pool) as client:
        assert client.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES
        with pytest.raises(ResponseTooLargeError) as info:
            client.threads.retrieve("t")
    assert info.value.limit == DEFAULT_MAX_RESPONSE_BYTES
    assert "max_response_bytes" in str(info.value)
    assert len(huge_server.requests) == 1  # not retried


def test_async_huge_body_raises_response_too_large(huge_server: RawServer) -> None:
    async def main() -> None:
        async with AsyncChatKit(api_key=API_KEY, base_url=huge_server.base_url) as client:
            small = client.with_options(max_response_bytes=100_000)
            with pytest.raises(ResponseTooLargeError) as info:
                await small.threads.retrieve("t")
            assert info.value.limit == 100_000

    asyncio.run(main())


@pytest.mark.parametrize("stack", ["httpx", "httpx2"])
def test_trickling_body_hits_the_total_read_deadline(stack: str) -> None:
    ref: list[RawServer] = []
    pool: dict[str, Any] = {} if stack == "httpx" else {"http_client": httpx2.Client()}
    with RawServer(trickle(ref)) as server:
        ref.append(server)
        client = ChatKit(
            api_key=API_KEY, base_url=server.base_url, timeout=0.5, max_retries=0, **pool
        )
        with client, pytest.raises(APITimeoutError, match="read timeout"):
            client.threads.retrieve("t")


def test_async_trickling_body_hits_the_total_read_deadline() -> None:
    ref: list[RawServer] = []
    with RawServer(trickle(ref)) as server:
        ref.append(server)

        async def main() -> None:
            client = AsyncChatKit(
                api_key=API_KEY, base_url=server.base_url, timeout=0.5, max_retries=0
            )
            async with client:
                with pytest.raises(APITimeoutError):
                    await client.threads.retrieve("t")

        asyncio.run(main())


def test_a_body_one_byte_over_the_limit_fails() -> None:
    size = len(json_response(200, thread("t")).content)
    client, _ = make_client(lambda r: json_response(200, thread("t")), max_response_bytes=size)
    assert client.threads.retrieve("t").id == "t"
    with pytest.raises(ResponseTooLargeError):
        client.with_options(max_response_bytes=size - 1).threads.retrieve("t")


def test_limit_is_configurable_and_can_be_lifted() -> None:
    body = thread("t", title="x" * 5000)
    client, _ = make_client(lambda r: json_response(200, body), max_response_bytes=1000)
    with pytest.raises(ResponseTooLargeError):
        client.threads.retrieve("t")
    assert client.with_options(max_response_bytes=None).threads.retrieve("t").id == "t"
    assert client.with_options(max_response_bytes=10_000).threads.retrieve("t").id == "t"
    assert client.with_options(max_retries=1).max_response_bytes == 1000


@pytest.mark.parametrize("bad", [0, -1, 1.5, "10", True])
def test_bad_limit_is_refused(bad: object) -> None:
    with pytest.raises((TypeError, ValueError), match="max_response_bytes"):
        ChatKit(api_key=API_KEY, max_response_bytes=bad)  # type: ignore[arg-type]


def test_error_bodies_are_bounded_too() -> None:
    body = error_body("x" * 5000)
    client, _ = make_client(lambda r: json_response(500, body), max_response_bytes=1000)
    with pytest.raises(ResponseTooLargeError):
        client.threads.retrieve("t")


# -- 8. every failure is a ChatKitError --------------------------------------------

DEEP = "[" * 200_000 + "]" * 200_000


@pytest.mark.parametrize("status", [200, 404, 500])
@pytest.mark.parametrize("strict", [False, True])
def test_deeply_nested_json_is_an_api_error(status: int, strict: bool) -> None:
    client, _ = make_client(
        lambda r: httpx.Response(status, text=DEEP), strict=strict, max_retries=0
    )
    with pytest.raises(APIError):
        client.threads.retrieve("t")


def test_deeply_nested_json_inside_an_object_is_an_api_error() -> None:
    body = '{"object": "thread", "id": "t", "metadata": ' + DEEP + "}"
    client, _ = make_client(lambda r: httpx.Response(200, text=body))
    with pytest.raises(APIError):
        client.threads.retrieve("t")


@pytest.mark.parametrize(
    "headers", [{"X-Note": "café"}, {"X-Note": "a\r\nX-Injected: 1"}, {"Bad Name": "v"}]
)
def test_unsendable_extra_headers_are_a_chatkit_error(headers: dict[str, str]) -> None:
    client, recorder = make_client(lambda r: json_response(200, thread("t")))
    with pytest.raises(InvalidRequestError) as info:
        client.threads.retrieve("t", extra_headers=headers)
    assert isinstance(info.value, ChatKitError) and isinstance(info.value, ValueError)
    assert recorder.requests == []

    async def main() -> None:
        aclient, _ = make_async_client(lambda r: json_response(200, thread("t")))
        with pytest.raises(InvalidRequestError):
            await aclient.threads.retrieve("t", extra_headers=headers)

    asyncio.run(main())


def test_unsendable_default_headers_are_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="X-Note"):
        ChatKit(api_key=API_KEY, default_headers={"X-Note": "café"})
    with pytest.raises(ValueError, match="OpenAI-Organization"):
        ChatKit(api_key=API_KEY, organization="org\n")


def test_invalid_base_url_is_a_chatkit_error() -> None:
    client = ChatKit(api_key=API_KEY, base_url="http://[::1/v1")
    with pytest.raises(ChatKitError):
        client.threads.retrieve("t")


def test_undecodable_body_is_an_api_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"not gzip", headers={"Content-Encoding": "gzip"})

    client, _ = make_client(handler)
    with pytest.raises(APIError, match="DecodingError"):
        client.threads.retrieve("t")


# -- 10. a retried DELETE whose first response was lost ------------------------------


def lost_then(first: Exception | httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) == 1:
            if isinstance(first, Exception):
                raise first
            return first
        return json_response(404, error_body("No thread found", code="not_found"))

    return handler


@pytest.mark.parametrize(
    "first",
    [
        httpx.ReadTimeout("lost"),
        httpx.RemoteProtocolError("server disconnected"),
        json_response(502, error_body("bad gateway")),
    ],
    ids=["read-timeout", "disconnect", "502"],
)
def test_404_on_a_retried_delete_after_a_lost_response_is_deleted_on_retry(
    first: Exception | httpx.Response, policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="chatkit_threads")
    client, recorder = make_client(lost_then(first), policy)
    with pytest.raises(DeletedOnRetryError) as info:
        client.threads.delete("cthr_1")
    assert isinstance(info.value, NotFoundError)
    assert info.value.attempts == 2
    assert len(recorder.requests) == 2
    assert any("most likely deleted" in r.getMessage() for r in caplog.records)


def test_async_404_on_a_retried_delete_is_deleted_on_retry(policy: RetryPolicy) -> None:
    async def main() -> None:
        client, _ = make_async_client(lost_then(httpx.ReadTimeout("lost")), policy)
        with pytest.raises(DeletedOnRetryError):
            await client.threads.delete("cthr_1")

    asyncio.run(main())


@pytest.mark.parametrize(
    "first",
    [httpx.ConnectError("refused"), json_response(429, error_body("slow down"))],
    ids=["never-sent", "rate-limited"],
)
def test_404_after_an_attempt_that_cannot_have_deleted_is_a_plain_not_found(
    first: Exception | httpx.Response, policy: RetryPolicy
) -> None:
    client, _ = make_client(lost_then(first), policy)
    with pytest.raises(NotFoundError) as info:
        client.threads.delete("cthr_1")
    assert not isinstance(info.value, DeletedOnRetryError)


def test_404_on_a_retried_get_is_a_plain_not_found(policy: RetryPolicy) -> None:
    client, _ = make_client(lost_then(httpx.ReadTimeout("lost")), policy)
    with pytest.raises(NotFoundError) as info:
        client.threads.retrieve("cthr_1")
    assert not isinstance(info.value, DeletedOnRetryError)


def test_a_short_key_is_redacted_as_a_token_not_inside_words() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text="chatkit rejected key k (k)")

    client, _ = make_client(handler, api_key="k", max_retries=0)
    with pytest.raises(APIError) as info:
        client.threads.retrieve("t")
    assert "chatkit rejected key <redacted> (<redacted>)" in str(info.value)


_UNHASHABLE_TYPES = [
    # The right `object` (else it is refused as another resource), and a discriminator
    # that is not a string at all: a list, an object.
    {"object": "chatkit.thread", "id": "t", "status": {"type": [1]}},
    {"object": "list", "data": [{"type": {"type": "active"}}], "has_more": False},
    {
        "object": "list",
        "data": [{"type": "chatkit.user_message", "id": "i", "content": [{"type": ["x"]}]}],
        "has_more": False,
    },
]


def _variant_of(client: ChatKit, body: dict[str, object]) -> object:
    if body["object"] != "list":
        return client.threads.retrieve("t").status
    item: Any = client.threads.list_items("t").data[0]
    return item.content[0] if isinstance(item, UserMessageItem) else item


@pytest.mark.parametrize("body", _UNHASHABLE_TYPES)
def test_a_type_that_is_not_a_string_is_an_unknown_variant_when_lenient(
    body: dict[str, object],
) -> None:
    client, _ = make_client(lambda r: json_response(200, body))
    variant = _variant_of(client, body)
    assert type(variant).__name__.startswith("Unknown")
    assert variant.to_dict() == _innermost(body)  # type: ignore[attr-defined]


@pytest.mark.parametrize("body", _UNHASHABLE_TYPES)
def test_a_type_that_is_not_a_string_is_refused_when_strict(body: dict[str, object]) -> None:
    client, _ = make_client(lambda r: json_response(200, body), strict=True)
    with pytest.raises(ResponseValidationError, match=r"\.type"):
        _variant_of(client, body)


def _innermost(body: dict[str, object]) -> object:
    if body["object"] != "list":
        return body["status"]
    item: Any = body["data"]
    return item[0]["content"][0] if item[0]["type"] == "chatkit.user_message" else item[0]

"""A key that a server echoes back (as a cursor, as a thread id) or that a caller puts in
``extra_query`` ends up in request URLs; it must still never reach a message, a log line
(ours, httpx's, httpcore's) or a repr. Credentials in ``base_url`` are refused."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import httpx
import pytest

import chatkit_threads
from chatkit_threads import APIError, AsyncChatKit, ChatKit, ChatKitError, PaginationError
from tests.client.rawserver import RawServer, head
from tests.client.support import API_KEY, json_response, make_async_client, make_client, page
from tests.client.support import thread as thread_body

# A key whose URL-encoded spellings all differ from the raw one.
ODD_KEY = "sk-echo+a/b=c&d<e>f\"g'h-0123456789"
LOGGERS = ("chatkit_threads", "httpx", "httpcore")


def spellings(key: str) -> list[str]:
    """The raw key and the ways a URL may carry it."""
    return [key, quote(key, safe=""), quote(key), quote_plus(key), key.replace("/", "%2f")]


def assert_hidden(texts: list[str], key: str) -> None:
    for text in texts:
        for form in spellings(key):
            assert form not in text, text


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def echo_as_cursor(key: str) -> RawServer:
    """A real server (so httpx and httpcore log too) whose first page names the key as
    its last id, and which answers the next page with a non-JSON body quoting the URL."""

    def respond(conn: socket.socket) -> None:
        request_line = server.requests[-1].split(b"\r\n", 1)[0]
        if b"after=" in request_line:
            body = b"not json: " + request_line
            conn.sendall(head("Connection: close", f"Content-Length: {len(body)}") + body)
            return
        data = json.dumps(page([thread_body("t1"), thread_body(key)], has_more=True)).encode()
        # One response per connection (the server closes it): say so, or the client
        # may send its next request on a connection that is closing.
        length = f"Content-Length: {len(data)}"
        conn.sendall(head("Connection: close", "Content-Type: application/json", length))
        conn.sendall(data)

    server = RawServer(respond)
    return server


@pytest.mark.parametrize("key", [API_KEY, ODD_KEY])
def test_a_key_echoed_as_a_cursor_reaches_no_message_log_or_repr(
    key: str, all_logs: pytest.LogCaptureFixture
) -> None:
    with echo_as_cursor(key) as server:
        with ChatKit(api_key=key, base_url=server.base_url, max_retries=0) as client:
            first = client.threads.list()
            raw = client.threads.with_raw_response.list()
            with pytest.raises(APIError) as info:
                first.next_page()
        # The key really did travel in the URL: this is what is being hidden.
        assert any(quote_plus(key).encode() in r or key.encode() in r for r in server.requests)
    error = info.value
    assert "Expected a JSON body from GET" in error.message
    assert_hidden([str(error), repr(error), error.message, str(error.body), repr(first)], key)
    assert_hidden([repr(raw), repr(raw.parse())], key)
    assert_hidden([record.getMessage() for record in all_logs.records], key)
    assert {r.name.split(".")[0] for r in all_logs.records} >= {"httpx", "httpcore"}
    assert any("<redacted>" in record.getMessage() for record in all_logs.records)


def test_async_a_key_echoed_as_a_cursor_is_hidden(all_logs: pytest.LogCaptureFixture) -> None:
    with echo_as_cursor(ODD_KEY) as server:

        async def main() -> APIError:
            async with AsyncChatKit(api_key=ODD_KEY, base_url=server.base_url) as client:
                first = await client.threads.list()
                assert_hidden([repr(first)], ODD_KEY)
                with pytest.raises(APIError) as info:
                    await first.next_page()
                return info.value

        error = asyncio.run(main())
    assert_hidden([str(error), repr(error), str(error.body)], ODD_KEY)
    assert_hidden([record.getMessage() for record in all_logs.records], ODD_KEY)


@pytest.mark.parametrize("key", [API_KEY, ODD_KEY])
def test_a_key_in_extra_query_or_as_a_thread_id_stays_out_of_messages_and_logs(
    key: str, all_logs: pytest.LogCaptureFixture
) -> None:
    client, _ = make_client(lambda r: httpx.Response(200, text="<html>oops</html>"), api_key=key)
    errors: list[Exception] = []
    with pytest.raises(APIError) as info:
        client.threads.retrieve("t", extra_query={"debug_key": key})
    errors.append(info.value)
    # An id with a '/' is refused before sending, by a ValueError that quotes the id.
    with pytest.raises(APIError if "/" not in key else ValueError) as refused:
        client.threads.retrieve(key)
    errors.append(refused.value)
    assert_hidden([text for e in errors for text in (str(e), repr(e), str(e.args))], key)
    assert_hidden([record.getMessage() for record in all_logs.records], key)


def test_a_repeated_echoed_cursor_is_refused_without_quoting_the_key() -> None:
    body = page([thread_body("t1"), thread_body(API_KEY)], has_more=True)
    client, _ = make_client(lambda r: json_response(200, body))
    with pytest.raises(PaginationError) as info:
        list(client.threads.list())
    assert_hidden([str(info.value), repr(info.value)], API_KEY)
    assert "<redacted>" in str(info.value)


def test_an_error_built_from_any_text_is_redacted() -> None:
    ChatKit(api_key=API_KEY).close()  # the key is now known to the process
    assert_hidden([str(ChatKitError(f"echo {API_KEY}")), repr(ChatKitError(API_KEY))], API_KEY)


def test_async_key_in_extra_query_is_hidden() -> None:
    client, _ = make_async_client(lambda r: httpx.Response(200, text="nope"))
    with pytest.raises(APIError) as info:
        asyncio.run(client.threads.retrieve("t", extra_query={"k": API_KEY}))
    assert_hidden([str(info.value)], API_KEY)


def test_the_public_redact_helper() -> None:
    ChatKit(api_key=ODD_KEY).close()
    for form in spellings(ODD_KEY):
        assert chatkit_threads.redact(f"GET /v1?after={form} x") == "GET /v1?after=<redacted> x"
    assert chatkit_threads.redact("a sk-other-0123456789 b", "sk-other-0123456789") == (
        "a <redacted> b"
    )
    assert chatkit_threads.redact("nothing secret here") == "nothing secret here"


# -- credentials in base_url ---------------------------------------------------------------

CREDENTIAL_URLS = [
    "https://user:hunter2-pw@api.example.com/v1",
    "http://hunter2-pw@127.0.0.1:8000/v1",
    "https://user:hunter2-pw@api.example.com",
    "user:hunter2-pw@api.example.com/v1",
    "https://a:hunter2-pw@b@api.example.com/v1",
    "HTTPS://user:hunter2-pw@API.example.com:443/v1?x=1",
]


@pytest.mark.parametrize("url", CREDENTIAL_URLS)
@pytest.mark.parametrize("client_class", [ChatKit, AsyncChatKit])
def test_credentials_in_base_url_are_refused_without_showing_them(
    url: str, client_class: type[ChatKit] | type[AsyncChatKit], all_logs: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ValueError, match="base_url must not contain credentials") as info:
        client_class(api_key=API_KEY, base_url=url)
    assert "hunter2" not in str(info.value)
    assert "<redacted>@" in str(info.value)
    shown = str(info.value).lower()  # names the URL, credentials aside
    assert "<redacted>@api.example.com" in shown or "<redacted>@127.0.0.1" in shown
    with pytest.raises(ValueError, match="base_url must not contain credentials"):
        client_class(api_key=API_KEY, base_url=httpx.URL(url) if "://" in url else url)
    assert not any("hunter2" in record.getMessage() for record in all_logs.records)


@pytest.mark.parametrize("url", CREDENTIAL_URLS)
def test_credentials_in_openai_base_url_are_refused_naming_the_variable(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    with pytest.raises(ValueError, match=r"base_url \(from OPENAI_BASE_URL\)") as info:
        ChatKit(api_key=API_KEY)
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    "url", ["https://api.example.com/v1", "http://127.0.0.1:8000/v1/@team", "https://h/v1?a=@"]
)
def test_an_at_sign_outside_the_authority_is_fine(url: str) -> None:
    client, recorder = make_client(lambda r: json_response(200, thread_body("t")), base_url=url)
    client.threads.retrieve("t")
    assert recorder.requests[0].headers["Authorization"] == f"Bearer {API_KEY}"

"""The key never shows; logging says method, URL, status, attempt and elapsed time."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from chatkit_threads import (
    APIConnectionError,
    AsyncChatKit,
    AuthenticationError,
    ChatKit,
    RetryPolicy,
)
from tests.client.support import (
    API_KEY,
    FakeSleep,
    error_body,
    json_response,
    make_client,
    page,
    thread,
)


def echo_key(request: httpx.Request) -> httpx.Response:
    # Like the real API ("Incorrect API key provided: sk-..."), echo the key back.
    key = request.headers["Authorization"].removeprefix("Bearer ")
    return json_response(
        401, error_body(f"Incorrect API key provided: {key}.", code="invalid_api_key")
    )


def test_key_is_absent_from_reprs() -> None:
    client, _ = make_client(lambda r: json_response(200, thread("t")))
    assert API_KEY not in repr(client)
    assert API_KEY not in str(client)
    assert API_KEY not in repr(client.threads.retrieve("t"))
    assert API_KEY not in repr(AsyncChatKit(api_key=API_KEY))
    assert API_KEY not in repr(ChatKit(api_key=API_KEY).retry_policy)


def test_key_is_absent_from_every_exception_string_even_when_the_server_echoes_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client, _ = make_client(echo_key)
    with pytest.raises(AuthenticationError) as info:
        client.threads.retrieve("t")
    error = info.value
    texts = [str(error), repr(error), error.message, str(error.body), str(error.args)]
    assert all(API_KEY not in text for text in texts)
    assert "<redacted>" in str(error)
    assert error.code == "invalid_api_key"
    assert all(API_KEY not in record.getMessage() for record in caplog.records)


def test_key_is_absent_from_connection_errors_and_logs(
    caplog: pytest.LogCaptureFixture, fake_sleep: FakeSleep
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(
            f"proxy refused {request.headers['Authorization']}", request=request
        )

    caplog.set_level(logging.DEBUG)
    client, recorder = make_client(fail, RetryPolicy(sleep=fake_sleep), max_retries=1)
    with pytest.raises(APIConnectionError) as info:
        client.threads.list()
    assert len(recorder.requests) == 2
    assert API_KEY not in str(info.value) and API_KEY not in repr(info.value)
    assert caplog.records
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in str(record.args)


def test_requests_are_logged_with_method_url_status_attempt_and_elapsed(
    caplog: pytest.LogCaptureFixture, fake_sleep: FakeSleep
) -> None:
    answers = [json_response(503, error_body("busy")), json_response(200, page([], False))]
    client, _ = make_client(
        lambda r: answers.pop(0), RetryPolicy(sleep=fake_sleep, random=lambda: 0.0)
    )
    caplog.set_level(logging.DEBUG, logger="chatkit_threads")
    client.threads.list(limit=5)
    records = [r for r in caplog.records if r.name == "chatkit_threads"]
    messages = [r.getMessage() for r in records]
    url = "https://api.test/v1/chatkit/threads?limit=5"
    assert messages[0].startswith(f"GET {url} -> 503 (attempt 1, ")
    assert messages[0].endswith(" ms)")
    assert messages[1] == f"retrying GET {url} in 0.50s (attempt 2 of 3) after 503"
    assert messages[2].startswith(f"GET {url} -> 200 (attempt 2, ")
    assert [r.levelno for r in records] == [logging.DEBUG, logging.INFO, logging.DEBUG]
    for record in caplog.records:
        assert API_KEY not in record.getMessage()


def test_async_key_redaction() -> None:
    client = AsyncChatKit(
        api_key=API_KEY,
        base_url="https://api.test/v1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(echo_key)),
    )

    async def main() -> AuthenticationError:
        with pytest.raises(AuthenticationError) as info:
            await client.threads.list()
        return info.value

    error = asyncio.run(main())
    assert API_KEY not in str(error) and API_KEY not in str(error.body)

"""The SDK-shaped surface where this client's own rules apply: callable keys, the
"not given" timeout, streamed bodies, refused arguments, ``copy``, request ids."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import httpx2
import pytest

from chatkit_threads import (
    NOT_GIVEN,
    APIConnectionError,
    APIError,
    APIKeyProviderError,
    APITimeoutError,
    ChatKit,
    ChatKitError,
    DeletedOnRetryError,
    InternalServerError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    OpenAIError,
    ResponseTooLargeError,
    RetryPolicy,
    StreamedResponse,
    UnknownThreadItem,
)
from chatkit_threads_mock import MockServer
from tests.client.support import (
    API_KEY,
    FakeSleep,
    Recorder,
    fake_api,
    json_response,
    make_async_client,
    make_client,
    page,
    thread,
)


class _Flaky(Recorder):
    """Answers the given error statuses first, then a thread; keeps each attempt's key
    (the retried request is the same object, so its headers are read as it is sent)."""

    def __init__(self, statuses: list[int]) -> None:
        super().__init__(_flaky(statuses))
        self.keys: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.keys.append(request.headers.get("authorization"))
        return super().__call__(request)


def _flaky(statuses: list[int]) -> Callable[[httpx.Request], httpx.Response]:
    remaining = iter(statuses)

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(remaining, 200)
        if status != 200:
            return json_response(status, {"error": {"message": "try again", "type": "x"}})
        return json_response(200, thread("cthr_1"))

    return handler


def test_callable_key_is_called_per_attempt(policy: RetryPolicy) -> None:
    tokens = iter(["sk-token-1", "sk-token-2", "sk-token-3"])
    recorder = _Flaky([500, 503])
    client, _ = make_client(recorder, policy, api_key=lambda: next(tokens))
    assert client.threads.retrieve("cthr_1").id == "cthr_1"
    assert recorder.keys == ["Bearer sk-token-1", "Bearer sk-token-2", "Bearer sk-token-3"]
    assert client.api_key == "sk-token-3"


def test_async_callable_key_is_awaited_per_attempt(policy: RetryPolicy) -> None:
    calls: list[int] = []

    async def provider() -> str:
        calls.append(1)
        return f"sk-async-{len(calls)}"

    recorder = _Flaky([429])
    client, _ = make_async_client(recorder, policy, api_key=provider)
    result = asyncio.run(client.threads.retrieve("cthr_1"))
    assert result.id == "cthr_1"
    assert recorder.keys == [
        "Bearer sk-async-1",
        "Bearer sk-async-2",
    ]


def test_a_failing_key_provider_is_a_library_error() -> None:
    def provider() -> str:
        raise RuntimeError("vault unreachable")

    recorder = _Flaky([])
    client, _ = make_client(recorder, api_key=provider)
    with pytest.raises(APIKeyProviderError, match="vault unreachable") as info:
        client.threads.retrieve("cthr_1")
    assert isinstance(info.value, OpenAIError)
    assert isinstance(info.value.__cause__, RuntimeError)
    assert recorder.requests == []


@pytest.mark.parametrize("bad", ["", "sk-with space", 42, None])
def test_a_key_provider_result_is_checked_and_never_shown(bad: object) -> None:
    recorder = _Flaky([])
    client, _ = make_client(recorder, api_key=lambda: bad)
    with pytest.raises(APIKeyProviderError) as info:
        client.threads.retrieve("cthr_1")
    assert recorder.requests == []
    if isinstance(bad, str) and bad:
        assert bad not in str(info.value)


def test_a_provided_key_is_redacted_from_errors(policy: RetryPolicy) -> None:
    secret = "sk-provided-secret-0123456789"

    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(500, {"error": {"message": f"bad key {secret}", "type": "x"}})

    client, _ = make_client(handler, policy, api_key=lambda: secret, max_retries=0)
    with pytest.raises(InternalServerError) as info:
        client.threads.retrieve("cthr_1")
    assert secret not in str(info.value) and secret not in json.dumps(info.value.body)


def _timeouts(recorder: Recorder) -> list[object]:
    return [r.extensions["timeout"] for r in recorder.requests]


def test_timeout_none_means_no_timeout_and_not_given_the_clients() -> None:
    client, recorder = make_client(fake_api(), timeout=7.0)
    client.threads.retrieve("cthr_001", timeout=None)
    client.threads.retrieve("cthr_001", timeout=NOT_GIVEN)
    client.threads.retrieve("cthr_001")
    none = dict.fromkeys(("connect", "read", "write", "pool"))
    seven = dict.fromkeys(("connect", "read", "write", "pool"), 7.0)
    assert _timeouts(recorder) == [none, seven, seven]
    assert client.with_options(timeout=None).timeout is None
    assert client.with_options(max_retries=1).timeout == 7.0


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"limit": 1000}, InvalidArgumentError),
        ({"order": "sideways"}, InvalidArgumentError),
        ({"limit": "10"}, InvalidArgumentTypeError),
        ({"user": ""}, InvalidArgumentError),
    ],
)
def test_refused_arguments_are_library_errors(kwargs: dict[str, object], error: type) -> None:
    client, recorder = make_client(fake_api())
    with pytest.raises(error) as info:
        client.threads.list(**kwargs)  # type: ignore[arg-type]
    refused = info.value
    builtin = TypeError if error is InvalidArgumentTypeError else ValueError
    assert isinstance(refused, builtin) and isinstance(refused, ChatKitError)
    assert isinstance(refused, InvalidArgumentError | InvalidArgumentTypeError)
    assert refused.param == next(iter(kwargs))
    assert recorder.requests == []


@pytest.mark.parametrize("thread_id", ["", "..", "a/b"])
def test_a_refused_path_argument_is_a_library_error(thread_id: str) -> None:
    client, recorder = make_client(fake_api())
    with pytest.raises(InvalidArgumentError) as info:
        client.beta.chatkit.threads.retrieve(thread_id)
    assert isinstance(info.value, ValueError) and info.value.param == "thread_id"
    assert recorder.requests == []


def test_copy_merges_and_replaces_headers_and_query() -> None:
    client, recorder = make_client(
        fake_api(), default_headers={"X-A": "1"}, default_query={"user": "user_bob"}
    )
    merged = client.copy(default_headers={"X-B": "2"}, default_query={"limit": 2})
    replaced = merged.copy(set_default_headers={"X-C": "3"}, set_default_query={})
    merged.threads.list()
    replaced.threads.list(limit=3)
    first, second = recorder.requests
    assert (first.headers.get("x-a"), first.headers.get("x-b")) == ("1", "2")
    assert dict(first.url.params) == {"user": "user_bob", "limit": "2"}
    assert (second.headers.get("x-a"), second.headers.get("x-c")) == (None, "3")
    assert dict(second.url.params) == {"limit": "3"}
    with pytest.raises(ValueError, match="mutually exclusive"):
        client.copy(default_query={"a": 1}, set_default_query={"b": 2})


def test_copy_takes_key_base_url_and_http_client() -> None:
    client, _ = make_client(fake_api())
    other = Recorder(fake_api())
    moved = client.copy(
        api_key="sk-other",
        base_url="http://127.0.0.1:1/v2",
        organization="org-1",
        http_client=httpx.Client(transport=httpx.MockTransport(other)),
    )
    moved.threads.retrieve("cthr_001")
    (request,) = other.requests
    assert str(request.url) == "http://127.0.0.1:1/v2/chatkit/threads/cthr_001"
    assert request.headers["authorization"] == "Bearer sk-other"
    assert request.headers["openai-organization"] == "org-1"
    assert client.api_key == API_KEY


def test_request_ids_on_models_and_pages() -> None:
    client, _ = make_client(fake_api())
    listed = client.threads.list(limit=2)
    assert listed._request_id == "req_123"
    assert listed.data[0]._request_id is None  # nested, as in the SDK
    assert client.threads.retrieve("cthr_001")._request_id == "req_123"
    assert client.threads.delete("cthr_001")._request_id == "req_123"
    assert listed.get_next_page()._request_id == "req_123"


def test_unknown_variants_speak_type_object_and_json() -> None:
    raw = {"id": "cthri_9", "object": "chatkit.thread_item", "type": "chatkit.hologram"}

    def handler(request: httpx.Request) -> httpx.Response:
        return json_response(200, page([raw], False))

    client, _ = make_client(handler)
    (item,) = client.threads.list_items("cthr_1").data
    assert isinstance(item, UnknownThreadItem)
    assert (item.type, item.object, item._request_id) == ("chatkit.hologram", raw["object"], None)
    assert json.loads(item.to_json()) == raw


def _big_handler(request: httpx.Request) -> httpx.Response:
    body = page([thread(f"cthr_{n}") for n in range(50)], False)
    return json_response(200, body)


def test_a_streamed_body_is_read_only_when_asked_and_within_bounds() -> None:
    client, _ = make_client(_big_handler, max_response_bytes=1000)
    with client.threads.with_streaming_response.list() as response:
        assert isinstance(response, StreamedResponse)
        assert len(b"".join(response.iter_bytes())) > 1000  # streaming is not capped
    with (
        client.threads.with_streaming_response.list() as response,
        pytest.raises(ResponseTooLargeError),
    ):
        response.parse()  # reading it whole is
    with pytest.raises(ResponseTooLargeError):
        client.threads.list()


def test_streamed_text_lines_and_json() -> None:
    client, _ = make_client(fake_api())
    with client.threads.with_streaming_response.retrieve("cthr_001") as response:
        text = "".join(response.iter_text())
    with client.threads.with_streaming_response.retrieve("cthr_001") as response:
        assert response.json() == json.loads(text) == response.parse().to_dict()
        assert response.read() == text.encode()
    assert response.is_closed


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def test_async_streamed_response(loop: asyncio.AbstractEventLoop, fake_sleep: FakeSleep) -> None:
    client, _ = make_async_client(fake_api())

    async def run() -> tuple[list[str], dict[str, object]]:
        threads = client.beta.chatkit.threads
        async with threads.with_streaming_response.list_items("cthr_001") as response:
            lines = [line async for line in response.iter_lines()]
        async with threads.with_streaming_response.list_items("cthr_001") as response:
            parsed = (await response.parse()).to_dict()
        return lines, parsed

    lines, parsed = loop.run_until_complete(run())
    assert json.loads("".join(lines)) == parsed


def test_reading_a_streamed_body_twice_is_a_library_error() -> None:
    # Over a real socket: an in-memory transport hands over bodies already read.
    with (
        MockServer(seed="default", api_keys=("sk-streamer",)) as server,
        ChatKit(api_key="sk-streamer", base_url=server.base_url) as client,
        client.threads.with_streaming_response.list() as response,
    ):
        assert b"".join(response.iter_bytes())
        with pytest.raises(ChatKitError, match="already streamed"):
            response.read()


# --- httpx2: the same code path over the SDK's HTTP stack --------------------------------


def _httpx2_client(handler: Callable[[httpx2.Request], httpx2.Response], **kwargs: Any) -> ChatKit:
    transport = httpx2.MockTransport(handler)
    kwargs.setdefault("api_key", API_KEY)
    kwargs.setdefault("base_url", "https://api.test/v1")
    return ChatKit(http_client=httpx2.Client(transport=transport), **kwargs)


def test_httpx2_transport_errors_are_retried_and_mapped(policy: RetryPolicy) -> None:
    attempts: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        attempts.append(request.method)
        if len(attempts) < 3:
            raise httpx2.ConnectError("refused")
        return httpx2.Response(200, json=thread("cthr_1"))

    client = _httpx2_client(handler, retry_policy=policy)
    assert client.threads.retrieve("cthr_1").id == "cthr_1"
    assert len(attempts) == 3

    def timing_out(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("slow")

    with pytest.raises(APITimeoutError):
        _httpx2_client(timing_out, retry_policy=policy).threads.retrieve("cthr_1")
    # A real httpx2 pool, refused on a closed port of this machine.
    refused = ChatKit(
        api_key=API_KEY, base_url="http://127.0.0.1:1/v1", http_client=httpx2.Client()
    )
    with pytest.raises(APIConnectionError):
        refused.threads.retrieve("x", max_retries=0)


def test_timeouts_cross_between_the_libraries() -> None:
    seen: list[object] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.extensions["timeout"])
        return httpx2.Response(200, json=thread("cthr_1"))

    client = _httpx2_client(handler)  # the default timeout is an httpx.Timeout
    client.threads.retrieve("cthr_1")
    client.threads.retrieve("cthr_1", timeout=httpx.Timeout(3.0))
    client.threads.retrieve("cthr_1", timeout=httpx2.Timeout(4.0))
    assert [t["read"] for t in seen] == [60.0, 3.0, 4.0]  # type: ignore[index]
    plain, recorder = make_client(fake_api())
    plain.threads.retrieve("cthr_001", timeout=httpx2.Timeout(5.0))
    assert recorder.requests[0].extensions["timeout"]["read"] == 5.0


def test_an_http_client_of_neither_library_is_refused() -> None:
    with pytest.raises(TypeError, match="http_client"):
        ChatKit(api_key=API_KEY, http_client=httpx2.AsyncClient())


def test_httpx2_lost_delete_response_then_404_is_deleted_on_retry(policy: RetryPolicy) -> None:
    attempts: list[int] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        attempts.append(1)
        if len(attempts) == 1:
            raise httpx2.RemoteProtocolError("server disconnected")
        body = {"error": {"message": "No thread found", "type": "x", "code": "not_found"}}
        return httpx2.Response(404, json=body)

    client = _httpx2_client(handler, retry_policy=policy)
    with pytest.raises(DeletedOnRetryError) as info:
        client.threads.delete("cthr_1")
    assert info.value.attempts == 2 and info.value.body["code"] == "not_found"  # type: ignore[index]


def test_httpx2_bad_url_and_undecodable_body_are_library_errors() -> None:
    bad = ChatKit(api_key=API_KEY, base_url="http://[::1/v1", http_client=httpx2.Client())
    with pytest.raises(ChatKitError):
        bad.threads.retrieve("t")

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=b"not gzip", headers={"Content-Encoding": "gzip"})

    with pytest.raises(APIError, match="DecodingError"):
        _httpx2_client(handler).threads.retrieve("t")

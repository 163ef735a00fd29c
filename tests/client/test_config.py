"""Configuration: arguments, environment variables, headers, injected clients, closing."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx

from chatkit_threads import (
    DEFAULT_BASE_URL,
    AsyncChatKit,
    ChatKit,
    ChatKitError,
)
from tests.client.support import (
    API_KEY,
    json_response,
    make_async_client,
    make_client,
    page,
    thread,
)
from tests.spec_facts import BETA_HEADER, BETA_VALUE

EMPTY = page([], False)


def test_api_key_from_argument_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ChatKit(api_key="sk-arg").api_key == "sk-arg"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert ChatKit().api_key == "sk-env"
    assert ChatKit(api_key="sk-arg").api_key == "sk-arg"  # the argument wins


def test_a_clear_error_when_no_key_is_set() -> None:
    with pytest.raises(ChatKitError, match="OPENAI_API_KEY"):
        ChatKit()
    with pytest.raises(ChatKitError, match="api_key"):
        AsyncChatKit()


def test_base_url_from_argument_environment_or_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ChatKit(api_key="k").base_url == DEFAULT_BASE_URL == "https://api.openai.com/v1"
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8123/v1/")
    assert ChatKit(api_key="k").base_url == "http://127.0.0.1:8123/v1"
    assert ChatKit(api_key="k", base_url="https://other/v2").base_url == "https://other/v2"


@respx.mock(assert_all_called=True)
def test_owned_client_sends_auth_beta_and_organization_headers(
    respx_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = respx_mock.get("https://api.openai.com/v1/chatkit/threads").mock(
        return_value=json_response(200, EMPTY)
    )
    monkeypatch.setenv("OPENAI_ORG_ID", "org_env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj_env")
    with ChatKit(api_key=API_KEY) as client:
        client.threads.list()
    with ChatKit(api_key=API_KEY, organization="org_arg", project="proj_arg") as client:
        client.threads.list()
    first, second = (call.request.headers for call in route.calls)
    assert first["Authorization"] == f"Bearer {API_KEY}"
    assert first[BETA_HEADER] == BETA_VALUE
    assert (first["OpenAI-Organization"], first["OpenAI-Project"]) == ("org_env", "proj_env")
    assert (second["OpenAI-Organization"], second["OpenAI-Project"]) == ("org_arg", "proj_arg")


def test_no_organization_headers_unless_configured() -> None:
    client, recorder = make_client(lambda r: json_response(200, EMPTY))
    client.threads.list()
    headers = recorder.requests[0].headers
    assert "OpenAI-Organization" not in headers and "OpenAI-Project" not in headers


def test_beta_header_on_every_request_of_every_operation() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return json_response(
                200, {"id": "t", "object": "chatkit.thread.deleted", "deleted": True}
            )
        if request.url.path.endswith("/threads/t"):
            return json_response(200, thread("t"))
        return json_response(200, EMPTY)

    client, recorder = make_client(handler)
    client.threads.list()
    client.threads.retrieve("t")
    client.threads.list_items("t")
    client.threads.delete("t")
    assert len(recorder.requests) == 4
    for request in recorder.requests:
        assert request.headers.get_list(BETA_HEADER) == [BETA_VALUE]
        assert request.headers["Authorization"] == f"Bearer {API_KEY}"


def test_user_value_overrides_the_beta_header_and_default_headers_are_sent() -> None:
    client, recorder = make_client(
        lambda r: json_response(200, EMPTY),
        default_headers={"openai-beta": "chatkit_beta=v2", "X-Team": "support"},
    )
    client.threads.list()
    client.threads.list(extra_headers={"OpenAI-Beta": "chatkit_beta=v3", "X-Call": "1"})
    first, second = (r.headers for r in recorder.requests)
    assert first.get_list("OpenAI-Beta") == ["chatkit_beta=v2"]
    assert first["X-Team"] == "support"
    assert second.get_list("OpenAI-Beta") == ["chatkit_beta=v3"]
    assert (second["X-Team"], second["X-Call"]) == ("support", "1")


@respx.mock
def test_owned_client_default_headers_override_beta(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get("https://api.openai.com/v1/chatkit/threads").mock(
        return_value=json_response(200, EMPTY)
    )
    with ChatKit(api_key="k", default_headers={"OpenAI-Beta": "chatkit_beta=v9"}) as client:
        client.threads.list()
    assert route.calls[0].request.headers.get_list("OpenAI-Beta") == ["chatkit_beta=v9"]


def test_injected_client_keeps_its_own_settings_and_transport() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response(200, EMPTY)

    http = httpx.Client(transport=httpx.MockTransport(handler), headers={"X-Proxy-Auth": "p"})
    client = ChatKit(api_key="k", base_url="http://127.0.0.1:9/v1", http_client=http)
    client.threads.list()
    assert seen[0].headers["X-Proxy-Auth"] == "p"
    assert seen[0].headers["Authorization"] == "Bearer k"
    assert str(seen[0].url) == "http://127.0.0.1:9/v1/chatkit/threads"
    client.close()
    assert not http.is_closed  # not ours to close
    with pytest.raises(TypeError, match="http_client"):
        ChatKit(api_key="k", http_client=httpx.AsyncClient())  # type: ignore[arg-type]


def test_timeout_from_client_and_per_request() -> None:
    client, recorder = make_client(lambda r: json_response(200, EMPTY), timeout=12.5)
    client.threads.list()
    client.threads.list(timeout=httpx.Timeout(1.0, connect=0.5))
    assert recorder.requests[0].extensions["timeout"]["read"] == 12.5
    assert recorder.requests[1].extensions["timeout"] == {
        "connect": 0.5,
        "read": 1.0,
        "write": 1.0,
        "pool": 1.0,
    }
    assert client.with_options(timeout=3.0).timeout == 3.0


def test_context_managers_close_the_pool_they_own() -> None:
    with ChatKit(api_key="k") as client:
        http = client._http
        assert not http.is_closed
    assert http.is_closed

    async def main() -> httpx.AsyncClient:
        async with AsyncChatKit(api_key="k") as async_client:
            async_http = async_client._http
            assert not async_http.is_closed
        return async_http

    assert asyncio.run(main()).is_closed


def test_invalid_max_retries() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        ChatKit(api_key="k", max_retries=-1)
    with pytest.raises(TypeError, match="max_retries"):
        ChatKit(api_key="k", max_retries="3")  # type: ignore[arg-type]
    client, recorder = make_client(lambda r: json_response(200, EMPTY))
    with pytest.raises(ValueError, match="max_retries"):
        client.threads.list(max_retries=-2)
    assert recorder.requests == []


def test_async_client_has_the_same_surface() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return json_response(
                200, {"id": "t", "object": "chatkit.thread.deleted", "deleted": True}
            )
        if request.url.path.endswith("/threads/t"):
            return json_response(200, thread("t"))
        return json_response(200, EMPTY)

    client, recorder = make_async_client(handler)

    async def main() -> None:
        async with client:
            assert (await client.threads.retrieve("t")).id == "t"
            assert (await client.threads.list(limit=1, order="asc", user="u")).data == []
            assert (await client.threads.list_items("t", limit=1, order="desc")).data == []
            assert (await client.threads.delete("t")).deleted is True

    asyncio.run(main())
    assert [r.method for r in recorder.requests] == ["GET", "GET", "GET", "DELETE"]
    assert all(r.headers[BETA_HEADER] == BETA_VALUE for r in recorder.requests)

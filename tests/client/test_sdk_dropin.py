"""The drop-in promise of issue 26: programs written for the openai SDK's ChatKit threads
run unchanged on ``ChatKit``/``AsyncChatKit`` and give the same data and errors.

Every program (``dropin_programs``) runs against the bundled mock with
``openai.OpenAI`` (or ``AsyncOpenAI``), with ``chatkit_threads.ChatKit`` (or
``AsyncChatKit``), and with this client over an httpx2 pool (the SDK's stack, as
``http_client``), each deleting on its own key (the mock gives each key its own copy of the seed
data, so a delete made by one cannot disturb the other; reads share one key, as the mock
spells ids per key); the results must be equal.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx2
import openai
import pytest

import chatkit_threads
from chatkit_threads_mock import MockServer
from tests.client import dropin_programs as programs

READER = "sk-dropin-reader"
DELETERS = ("sk-dropin-sdk-deleter", "sk-dropin-our-deleter", "sk-dropin-httpx2-deleter")
KEYS = (READER, *DELETERS)


def _on_httpx2(**kwargs: Any) -> chatkit_threads.ChatKit:
    return chatkit_threads.ChatKit(http_client=httpx2.Client(), **kwargs)


def _on_async_httpx2(**kwargs: Any) -> chatkit_threads.AsyncChatKit:
    return chatkit_threads.AsyncChatKit(http_client=httpx2.AsyncClient(), **kwargs)


SYNC: dict[str, tuple[Any, ModuleType]] = {
    "openai": (openai.OpenAI, openai),
    "chatkit_threads": (chatkit_threads.ChatKit, chatkit_threads),
    "chatkit_threads on httpx2": (_on_httpx2, chatkit_threads),
}
ASYNC: dict[str, tuple[Any, ModuleType]] = {
    "openai": (openai.AsyncOpenAI, openai),
    "chatkit_threads": (chatkit_threads.AsyncChatKit, chatkit_threads),
    "chatkit_threads on httpx2": (_on_async_httpx2, chatkit_threads),
}


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(seed="default", api_keys=KEYS) as running:
        yield running


def _run(server: MockServer, program: programs.Program, keys: tuple[str, ...]) -> dict[str, Any]:
    results = {}
    for key, (name, (make, module)) in zip(keys, SYNC.items(), strict=True):
        with make(api_key=key, base_url=server.base_url) as client:
            results[name] = program(client, module)
    return results


@pytest.mark.parametrize("program", programs.READ_PROGRAMS, ids=lambda p: p.__name__)
def test_same_program_same_result(server: MockServer, program: programs.Program) -> None:
    results = _run(server, program, (READER,) * len(SYNC))
    assert results["chatkit_threads"] == results["openai"]
    assert results["chatkit_threads on httpx2"] == results["openai"]
    assert results["openai"]  # a program that returned nothing would prove nothing


def test_deleting_gives_the_same_results(server: MockServer) -> None:
    results = _run(server, programs.delete_then_missing, DELETERS)
    assert results["chatkit_threads"] == results["openai"]
    assert results["chatkit_threads on httpx2"] == results["openai"]


@pytest.mark.parametrize("name", SYNC)
def test_sdk_names_are_the_same_objects(name: str) -> None:
    # The SDK names are second names of this library's classes, not copies.
    assert chatkit_threads.OpenAIError is chatkit_threads.ChatKitError
    assert chatkit_threads.APIResponseValidationError is chatkit_threads.ResponseValidationError
    make, module = SYNC[name]
    client = make(api_key="sk-x", base_url="http://127.0.0.1:9/v1")
    assert client.beta.chatkit.threads.with_raw_response is not None
    if module is chatkit_threads:
        assert client.beta.chatkit.threads is client.threads


@pytest.mark.parametrize("limit", [1000, -1])
def test_a_refused_argument_is_caught_as_the_base_error(server: MockServer, limit: int) -> None:
    # The SDK sends it and gets a 400; this client refuses it first (a README
    # difference), with an error that SDK-style `except OpenAIError` still catches.
    for make, module in SYNC.values():
        with make(api_key=READER, base_url=server.base_url) as client:
            with pytest.raises(module.OpenAIError) as info:
                client.beta.chatkit.threads.list(limit=limit)
            if module is chatkit_threads:
                assert isinstance(info.value, ValueError)
                assert isinstance(info.value, chatkit_threads.InvalidArgumentError)
                assert info.value.param == "limit"


# --- async ------------------------------------------------------------------------------


async def _async_program(client: Any, sdk: ModuleType) -> Any:
    """Async SDK-style code: await a list, async for, get_next_page, raw, streamed."""
    threads = client.beta.chatkit.threads
    page = await threads.list(limit=3)
    ids = [t.id async for t in threads.list(limit=4)]
    second = await page.get_next_page()
    info = page.next_page_info()
    pages = [len(p.data) async for p in page.iter_pages()]
    thread = await threads.retrieve(page.data[0].id, timeout=None)
    items = [i.to_dict() async for i in threads.list_items(thread.id, order="asc")]
    raw = await threads.with_raw_response.retrieve(thread.id)
    raw_page = await threads.with_raw_response.list_items(thread.id, limit=2)
    async with threads.with_streaming_response.list(limit=2) as response:
        chunks = [chunk async for chunk in response.iter_bytes()]
        streamed = [response.status_code, json.loads(b"".join(chunks))]
    async with threads.with_streaming_response.retrieve(thread.id) as response:
        parsed = (await response.parse()).to_dict()
    try:
        await threads.retrieve(programs.MISSING)
    except sdk.NotFoundError as exc:
        error = [type(exc).__name__, exc.status_code, exc.body, exc.code, exc.param]
    copy = client.with_options(max_retries=0, default_query={"limit": 2})
    return {
        "first": page.to_dict(),
        "ids": ids,
        "second": [t.to_dict() for t in second.data],
        "info": info.params,
        "pages": pages,
        "thread": [thread.to_dict(), thread.object, thread.status.type, bool(thread._request_id)],
        "items": items,
        "raw": [raw.status_code, raw.parse().to_dict(), raw.http_response.json()],
        "raw_page": raw_page.parse().to_dict(),
        "streamed": streamed,
        "parsed": parsed,
        "error": error,
        "copy": len((await copy.beta.chatkit.threads.list()).data),
    }


def test_async_program_same_result(server: MockServer) -> None:
    async def both() -> dict[str, Any]:
        results = {}
        for name, (make, module) in ASYNC.items():
            async with make(api_key=READER, base_url=server.base_url) as client:
                results[name] = await _async_program(client, module)
        return results

    results = asyncio.run(both())
    assert results["chatkit_threads"] == results["openai"]
    assert results["chatkit_threads on httpx2"] == results["openai"]


def test_environment_variables_are_read_as_the_sdk_reads_them(
    server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", READER)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_ORG_ID", "org-dropin")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-dropin")
    seen = {}
    for name, (make, _module) in SYNC.items():
        with make() as client:
            first = client.beta.chatkit.threads.list(limit=1).data[0].to_dict()
            seen[name] = [client.api_key, client.organization, client.project, first]
    assert seen["chatkit_threads"] == seen["chatkit_threads on httpx2"] == seen["openai"]
    assert seen["openai"][:3] == [READER, "org-dropin", "proj-dropin"]

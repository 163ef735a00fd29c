"""Raw access: the httpx.Response next to the parsed result."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from chatkit_threads import (
    DeletedThreadResource,
    NotFoundError,
    RawResponse,
    SyncCursorPage,
    ThreadResource,
)
from tests.client.support import (
    error_body,
    json_response,
    make_async_client,
    make_client,
    page,
    thread,
)


def handler(request: httpx.Request) -> httpx.Response:
    headers = {"x-request-id": "req_raw", "x-ratelimit-remaining-requests": "99"}
    if request.method == "DELETE":
        return json_response(
            200, {"id": "t", "object": "chatkit.thread.deleted", "deleted": True}, **headers
        )
    if request.url.path.endswith("/threads/missing"):
        return json_response(404, error_body("nope"))
    if request.url.path.endswith("/threads/t"):
        return json_response(200, thread("t"), **headers)
    if "after" in request.url.params:
        return json_response(200, page([thread("b")], False), **headers)
    return json_response(200, page([thread("a")], True), **headers)


def test_sync_raw_responses_for_the_four_operations() -> None:
    client, recorder = make_client(handler)
    raw = client.threads.with_raw_response.retrieve("t")
    assert isinstance(raw, RawResponse)
    assert raw.status_code == 200
    assert raw.request_id == "req_raw"
    assert raw.headers["x-ratelimit-remaining-requests"] == "99"
    assert isinstance(raw.http_response, httpx.Response)
    thread_ = raw.parse()
    assert isinstance(thread_, ThreadResource) and thread_.id == "t"
    assert raw.parse() is thread_  # parsed once

    deleted = client.threads.with_raw_response.delete("t")
    assert isinstance(deleted.parse(), DeletedThreadResource)

    listed = client.threads.with_raw_response.list(limit=1)
    first = listed.parse()
    assert isinstance(first, SyncCursorPage)
    assert [t.id for t in first] == ["a", "b"]  # the parsed page still auto-paginates

    items = client.threads.with_raw_response.list_items("t")
    assert items.http_response.request.url.path == "/v1/chatkit/threads/t/items"
    assert "200" in repr(raw) and "GET" in repr(raw)
    assert len(recorder.requests) == 5


def test_raw_error_statuses_still_raise() -> None:
    client, _ = make_client(handler)
    with pytest.raises(NotFoundError):
        client.threads.with_raw_response.retrieve("missing")


def test_async_raw_responses() -> None:
    client, _ = make_async_client(handler)

    async def main() -> None:
        raw = await client.threads.with_raw_response.retrieve("t")
        assert raw.request_id == "req_raw" and raw.parse().id == "t"
        assert (await client.threads.with_raw_response.delete("t")).parse().deleted is True
        first = (await client.threads.with_raw_response.list()).parse()
        assert [t.id async for t in first] == ["a", "b"]
        items = await client.threads.with_raw_response.list_items("t")
        assert items.status_code == 200

    asyncio.run(main())

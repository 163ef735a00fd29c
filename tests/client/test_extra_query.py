"""``extra_query=`` on every method: sent as given, and kept across auto-pagination."""

from __future__ import annotations

import asyncio

import httpx

from .support import json_response, make_async_client, make_client, page, thread


def _paged(request: httpx.Request) -> httpx.Response:
    after = request.url.params.get("after")
    if request.method == "DELETE":
        return json_response(200, {"id": "t", "object": "chatkit.thread.deleted", "deleted": True})
    if request.url.path.endswith("/threads/t"):
        return json_response(200, thread("t"))
    if after is None:
        return json_response(200, page([thread("a"), thread("b")], True))
    return json_response(200, page([thread("c")], False))


def test_extra_query_is_sent_by_every_method() -> None:
    client, recorder = make_client(_paged)
    client.threads.retrieve("t", extra_query={"x": "1"})
    client.threads.delete("t", extra_query={"x": "2"})
    client.threads.with_raw_response.retrieve("t", extra_query={"x": "3"})
    assert [r["x"] for r in recorder.params] == ["1", "2", "3"]


def test_extra_query_is_kept_on_every_page_of_a_walk() -> None:
    client, recorder = make_client(_paged)
    ids = [t.id for t in client.threads.list(limit=2, extra_query={"include": "x"})]
    assert ids == ["a", "b", "c"]
    assert recorder.params == [
        {"limit": "2", "include": "x"},
        {"limit": "2", "include": "x", "after": "b"},
    ]
    raw = client.threads.with_raw_response.list_items("t", extra_query={"v": "2"})
    assert [p.data[0].id for p in raw.parse().iter_pages()] == ["a", "c"]
    assert recorder.params[2:] == [{"v": "2"}, {"v": "2", "after": "b"}]


def test_async_extra_query_is_kept_on_every_page() -> None:
    async def main() -> list[dict[str, str]]:
        client, recorder = make_async_client(_paged)
        ids = [t.id async for t in client.threads.list(extra_query={"k": "v"})]
        assert ids == ["a", "b", "c"]
        raw = await client.threads.with_raw_response.retrieve("t", extra_query={"k": "w"})
        assert raw.parse().id == "t"
        return recorder.params

    assert asyncio.run(main()) == [{"k": "v"}, {"k": "v", "after": "b"}, {"k": "w"}]

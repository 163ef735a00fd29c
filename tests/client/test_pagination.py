"""Auto-pagination: lazy, one request per page, right cursors, and it cannot loop."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from chatkit_threads import (
    AsyncCursorPage,
    PaginationError,
    SyncCursorPage,
    ThreadResource,
    UserMessageItem,
)
from tests.client.support import json_response, make_async_client, make_client, page, thread


def paged_threads(total: int, per_page: int) -> Any:
    """A server paginating ``total`` threads by ``after`` (forward) or ``before`` (backward)."""
    ids = [f"cthr_{i:03d}" for i in range(total)]

    def handler(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        limit = int(params.get("limit", per_page))
        if "after" in params:
            start = ids.index(params["after"]) + 1
            chunk = ids[start : start + limit]
            more = start + limit < total
        elif "before" in params:
            end = ids.index(params["before"])
            chunk = ids[max(0, end - limit) : end]
            more = end - limit > 0
        else:
            chunk = ids[:limit]
            more = limit < total
        return json_response(200, page([thread(i) for i in chunk], more))

    return handler


def test_three_page_walk_makes_exactly_three_requests_with_the_right_cursors() -> None:
    client, recorder = make_client(paged_threads(7, 3))
    first = client.threads.list(limit=3, order="asc", user="user_1")

    ids = [t.id for t in first]

    assert ids == [f"cthr_{i:03d}" for i in range(7)]
    assert len(recorder.requests) == 3
    assert recorder.params == [
        {"limit": "3", "order": "asc", "user": "user_1"},
        {"limit": "3", "order": "asc", "user": "user_1", "after": "cthr_002"},
        {"limit": "3", "order": "asc", "user": "user_1", "after": "cthr_005"},
    ]


def test_iteration_is_lazy_one_request_per_page_reached() -> None:
    client, recorder = make_client(paged_threads(6, 2))
    iterator = iter(client.threads.list(limit=2))
    assert len(recorder.requests) == 1
    next(iterator), next(iterator)
    assert len(recorder.requests) == 1  # still on the first page
    next(iterator)
    assert len(recorder.requests) == 2


def test_page_fields_next_page_and_iter_pages() -> None:
    client, _ = make_client(paged_threads(5, 2))
    first = client.threads.list(limit=2)
    assert isinstance(first, SyncCursorPage)
    assert [t.id for t in first.data] == ["cthr_000", "cthr_001"]
    assert (first.has_more, first.first_id, first.last_id) == (True, "cthr_000", "cthr_001")
    assert first.has_next_page()
    second = first.next_page()
    assert [t.id for t in second.data] == ["cthr_002", "cthr_003"]
    pages = list(first.iter_pages())
    assert [len(p.data) for p in pages] == [2, 2, 1]
    assert not pages[-1].has_next_page()
    with pytest.raises(PaginationError):
        pages[-1].next_page()
    assert all(isinstance(t, ThreadResource) for p in pages for t in p.data)


def test_asking_the_same_page_twice_for_its_next_page_is_not_a_repeat() -> None:
    client, _ = make_client(paged_threads(4, 2))
    first = client.threads.list(limit=2)
    assert first.next_page().first_id == first.next_page().first_id == "cthr_002"


def test_backward_walk_uses_before_first_id() -> None:
    client, recorder = make_client(paged_threads(7, 3))
    items = list(client.threads.list(before="cthr_006", limit=3))
    assert [t.id for t in items] == [
        "cthr_003",
        "cthr_004",
        "cthr_005",
        "cthr_000",
        "cthr_001",
        "cthr_002",
    ]
    assert recorder.params == [
        {"before": "cthr_006", "limit": "3"},
        {"before": "cthr_003", "limit": "3"},
    ]


def test_list_items_walks_pages_of_items() -> None:
    def item(i: int) -> dict[str, Any]:
        return {
            "id": f"cthi_{i}",
            "object": "chatkit.thread_item",
            "created_at": i,
            "thread_id": "cthr_1",
            "type": "chatkit.user_message",
            "content": [{"type": "input_text", "text": str(i)}],
            "attachments": [],
            "inference_options": None,
        }

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/chatkit/threads/cthr_1/items"
        if "after" in request.url.params:
            return json_response(200, page([item(2)], False))
        return json_response(200, page([item(0), item(1)], True))

    client, recorder = make_client(handler)
    items = list(client.threads.list_items("cthr_1", limit=2))
    assert [i.id for i in items] == ["cthi_0", "cthi_1", "cthi_2"]
    assert all(isinstance(i, UserMessageItem) for i in items)
    assert recorder.params[1] == {"limit": "2", "after": "cthi_1"}


def test_a_repeating_cursor_raises_instead_of_looping() -> None:
    # A broken server that always answers with the same page.
    client, recorder = make_client(
        lambda r: json_response(200, page([thread("cthr_a"), thread("cthr_b")], True))
    )
    with pytest.raises(PaginationError, match="cthr_b"):
        list(client.threads.list())
    assert len(recorder.requests) == 2  # the second page repeated the cursor: stop there


def test_a_cursor_cycle_longer_than_one_page_raises() -> None:
    pages = {
        None: page([thread("a")], True),
        "a": page([thread("b")], True),
        "b": page([thread("a")], True),  # back to "a": A -> B -> A -> ...
    }
    client, recorder = make_client(lambda r: json_response(200, pages[r.url.params.get("after")]))
    with pytest.raises(PaginationError, match="'a'"):
        list(client.threads.list())
    assert len(recorder.requests) == 3


def test_the_callers_own_cursor_coming_back_raises() -> None:
    client, _ = make_client(lambda r: json_response(200, page([thread("start")], True)))
    with pytest.raises(PaginationError):
        list(client.threads.list(after="start"))


def test_has_more_with_an_empty_page_raises() -> None:
    client, recorder = make_client(lambda r: json_response(200, page([], True)))
    first = client.threads.list()
    assert first.data == [] and first.has_more
    with pytest.raises(PaginationError, match="empty page"):
        list(first)
    assert len(recorder.requests) == 1


def test_has_more_without_last_id_raises() -> None:
    body = page([thread("a")], True, last_id=None)
    client, recorder = make_client(lambda r: json_response(200, body))
    with pytest.raises(PaginationError, match="last_id"):
        list(client.threads.list())
    assert len(recorder.requests) == 1


def test_has_more_without_first_id_raises_when_walking_backwards() -> None:
    body = page([thread("a")], True)
    del body["first_id"]
    client, _ = make_client(lambda r: json_response(200, body))
    with pytest.raises(PaginationError, match="first_id"):
        list(client.threads.list(before="z"))


def test_page_to_dict_round_trips_the_envelope() -> None:
    body = page([thread("a")], False, extra_field={"kept": True})
    client, _ = make_client(lambda r: json_response(200, body))
    assert client.threads.list().to_dict() == body


def test_async_walk_three_pages_and_async_for_over_the_call() -> None:
    client, recorder = make_async_client(paged_threads(7, 3))

    async def main() -> tuple[list[str], list[str], AsyncCursorPage[ThreadResource]]:
        async with client:
            first = await client.threads.list(limit=3)
            walked = [t.id async for t in first]
            direct = [t.id async for t in client.threads.list(limit=3)]
            return walked, direct, first

    walked, direct, first = asyncio.run(main())
    expected = [f"cthr_{i:03d}" for i in range(7)]
    assert walked == direct == expected
    assert isinstance(first, AsyncCursorPage)
    assert len(recorder.requests) == 6
    assert recorder.params[:3] == [
        {"limit": "3"},
        {"limit": "3", "after": "cthr_002"},
        {"limit": "3", "after": "cthr_005"},
    ]


def test_async_pages_next_page_iter_pages_and_repeat_detection() -> None:
    client, _ = make_async_client(paged_threads(5, 2))
    looping, _ = make_async_client(lambda r: json_response(200, page([thread("x")], True)))

    async def main() -> list[int]:
        first = await client.threads.list(limit=2)
        second = await first.next_page()
        assert second.first_id == "cthr_002"
        sizes = [len(p.data) async for p in first.iter_pages()]
        with pytest.raises(PaginationError):
            [t async for t in looping.threads.list()]
        return sizes

    assert asyncio.run(main()) == [2, 2, 1]

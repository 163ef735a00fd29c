"""Integration: the client against the project's mock server on 127.0.0.1, in strict mode,
on each HTTP stack it runs on (httpx, its default, and an httpx2 pool given to it)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from chatkit_threads import (
    AsyncChatKit,
    AuthenticationError,
    ChatKit,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    UnknownThreadItem,
)
from chatkit_threads_mock import MockServer
from tests.client.support import FakeSleep

READER, DELETER = "sk-chatkit-reader", "sk-chatkit-deleter"


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    # Each key is its own project with the default threads, so deleting with one key
    # cannot disturb the walks made with the other.
    with MockServer(seed="default", api_keys=(READER, DELETER)) as running:
        yield running


@pytest.fixture(params=["httpx", "httpx2"])
def stack(request: pytest.FixtureRequest) -> str:
    """The HTTP library under the client."""
    name: str = request.param
    return name


def _pool(stack: str, *, sync: bool = True) -> dict[str, Any]:
    if stack == "httpx":
        return {}  # the client builds its own httpx pool
    return {"http_client": httpx2.Client() if sync else httpx2.AsyncClient()}


def test_strict_walks_of_every_thread_and_item(server: MockServer, stack: str) -> None:
    with ChatKit(api_key=READER, base_url=server.base_url, strict=True, **_pool(stack)) as client:
        everything = client.threads.list(limit=100)
        assert not everything.has_more
        walked = list(client.threads.list(limit=5))
        assert [t.id for t in walked] == [t.id for t in everything.data]
        assert len(walked) > 10
        total = 0
        for thread in walked:
            items = list(client.threads.list_items(thread.id, limit=3, order="asc"))
            assert [i.thread_id for i in items if not isinstance(i, UnknownThreadItem)] == [
                thread.id
            ] * len(items)
            assert [i.created_at for i in items] == sorted(i.created_at for i in items)
            total += len(items)
        assert total > 0
        raw = client.threads.with_raw_response.list_items(walked[0].id)
        assert raw.parse().to_dict() == raw.http_response.json()


def test_backward_walk_with_before(server: MockServer, stack: str) -> None:
    with ChatKit(api_key=READER, base_url=server.base_url, **_pool(stack)) as client:
        ids = [t.id for t in client.threads.list(limit=100, order="asc")]
        before = [t.id for t in client.threads.list(before=ids[-1], limit=4, order="asc")]
        assert sorted(before) == sorted(ids[:-1])
        assert len(before) == len(set(before))


def test_delete_then_404(server: MockServer, stack: str) -> None:
    with ChatKit(api_key=DELETER, base_url=server.base_url, strict=True, **_pool(stack)) as client:
        victim = client.threads.list(limit=1).data[0]
        deleted = client.threads.delete(victim.id)
        assert (deleted.id, deleted.deleted) == (victim.id, True)
        with pytest.raises(NotFoundError) as info:
            client.threads.retrieve(victim.id)
        assert info.value.request_id
        with pytest.raises(NotFoundError):
            client.threads.list_items(victim.id)


def test_bad_key_and_injected_rate_limit(
    server: MockServer, fake_sleep: FakeSleep, stack: str
) -> None:
    with ChatKit(api_key="sk-wrong", base_url=server.base_url, **_pool(stack)) as client:
        with pytest.raises(AuthenticationError) as info:
            client.threads.list()
        assert "sk-wrong" not in str(info.value)
    policy = RetryPolicy(sleep=fake_sleep)
    client = ChatKit(api_key=READER, base_url=server.base_url, retry_policy=policy, **_pool(stack))
    with client, pytest.raises(RateLimitError):
        client.threads.list(extra_headers={"X-Mock-Faults": "429=1,retry-after=1,seed=1"})
    assert fake_sleep.waits == [1.0, 1.0]


def test_async_strict_walk(server: MockServer, stack: str) -> None:
    async def main() -> tuple[int, int]:
        async with AsyncChatKit(
            api_key=READER, base_url=server.base_url, strict=True, **_pool(stack, sync=False)
        ) as client:
            ids = [t.id async for t in client.threads.list(limit=4)]
            items = [i async for i in client.threads.list_items(ids[0], limit=2)]
            return len(ids), len(items)

    threads, items = asyncio.run(main())
    assert threads > 10 and items > 0

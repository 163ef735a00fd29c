"""Paging through 10,000 items in every order and direction sees each item exactly once.

Synthetic data gives three items (and two threads) per second, so these walks also
prove that ties in `created_at` are ordered by id and never split or repeated at a page
boundary. The app is called in-process through `httpx.ASGITransport`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chatkit_threads_mock import DEFAULT_API_KEY, MockApp, create_app, project_for_key
from chatkit_threads_mock.seed import synthetic_rows

from .conftest import HEADERS

ITEMS = 10_000
THREADS = 3_000
LIMIT = 7


@pytest.fixture(scope="module")
def big() -> Iterator[tuple[MockApp, str]]:
    """An app holding 3,000 threads, one of them with 10,000 items; that thread's id."""
    app = create_app(seed=f"synthetic:{THREADS}")
    # 10,000 items for the first synthetic thread (only the item rows are used).
    _, items = synthetic_rows(project_for_key(DEFAULT_API_KEY), 1, ITEMS)
    app.store.add_rows([], items)
    thread_id = str(app.store._db.execute("SELECT thread_id FROM items LIMIT 1").fetchone()[0])
    yield app, thread_id
    app.store.close()


def _expected(app: MockApp, path: str, order: str) -> list[str]:
    """All ids of the listing in `order`, from the database directly (not paginated)."""
    if path.endswith("/items"):
        thread_id = path.split("/")[-2]
        sql, args = "SELECT id FROM items WHERE thread_id = ? ORDER BY created_at, id", [thread_id]
    else:
        sql, args = "SELECT id FROM threads ORDER BY created_at, id", []
    ascending = [str(row[0]) for row in app.store._db.execute(sql, args)]
    assert len(ascending) == len(set(ascending))
    return ascending if order == "asc" else ascending[::-1]


async def _walk(
    app: MockApp, path: str, order: str, direction: str, start: str | None
) -> list[str]:
    """Every id a client sees paging from `start` in `direction`, in list order."""
    transport = httpx.ASGITransport(app=app)
    seen: list[str] = []
    params: dict[str, Any] = {"limit": LIMIT, "order": order}
    if start is not None:
        params[direction] = start
    async with httpx.AsyncClient(
        transport=transport, base_url="http://127.0.0.1/v1", headers=HEADERS
    ) as client:
        while True:
            response = await client.get(path, params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            ids = [entry["id"] for entry in page["data"]]
            assert page["first_id"] == (ids[0] if ids else None)
            assert page["last_id"] == (ids[-1] if ids else None)
            # Reading backwards, each page is in list order and goes in front.
            seen = seen + ids if direction == "after" else ids + seen
            if not page["has_more"]:
                return seen
            assert len(ids) == LIMIT
            params[direction] = page["last_id"] if direction == "after" else page["first_id"]


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("direction", ["after", "before"])
@pytest.mark.parametrize("listing", ["items", "threads"])
def test_a_walk_sees_every_entry_once_in_order(
    big: tuple[MockApp, str], order: str, direction: str, listing: str
) -> None:
    app, thread_id = big
    path = f"/chatkit/threads/{thread_id}/items" if listing == "items" else "/chatkit/threads"
    expected = _expected(app, path, order)
    assert len(expected) == (ITEMS if listing == "items" else THREADS)
    if direction == "after":
        seen = asyncio.run(_walk(app, path, order, "after", None))
    else:
        # Start at the far end of the list: that entry, then everything before it.
        seen = [*asyncio.run(_walk(app, path, order, "before", expected[-1])), expected[-1]]
    assert seen == expected

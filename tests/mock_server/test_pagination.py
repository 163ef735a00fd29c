"""Paging through 10,000 items in every order and direction sees each item exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from chatkit_threads_mock import DEFAULT_API_KEY, ThreadStore, apply_seed, create_app

from .conftest import HEADERS

ITEMS = 10_000
LIMIT = 7


@pytest.fixture(scope="module")
def big() -> Iterator[tuple[TestClient, ThreadStore, str]]:
    """A client of a mock holding one thread with 10,000 items, its store, the thread's id."""
    store = ThreadStore()
    apply_seed(store, f"synthetic:1:{ITEMS}", [DEFAULT_API_KEY])
    app = create_app(store)
    with TestClient(app, base_url="http://127.0.0.1/v1", headers=HEADERS) as client:
        yield client, store, client.get("/chatkit/threads").json()["data"][0]["id"]


def _page(client: TestClient, thread_id: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/chatkit/threads/{thread_id}/items", params=params)
    assert response.status_code == 200
    page: dict[str, Any] = response.json()
    ids = [item["id"] for item in page["data"]]
    assert page["first_id"] == (ids[0] if ids else None)
    assert page["last_id"] == (ids[-1] if ids else None)
    return page


def _expected(store: ThreadStore, thread_id: str, order: str) -> list[str]:
    """All ids in `order`, from the database directly (not through pagination)."""
    ascending = [
        row[0]
        for row in store._db.execute(
            "SELECT id FROM items WHERE thread_id = ? ORDER BY created_at, id", (thread_id,)
        )
    ]
    assert len(ascending) == len(set(ascending)) == ITEMS
    return ascending if order == "asc" else ascending[::-1]


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_walk_forwards_with_after(big: tuple[TestClient, ThreadStore, str], order: str) -> None:
    client, store, thread_id = big
    seen: list[str] = []
    params: dict[str, Any] = {"limit": LIMIT, "order": order}
    while True:
        page = _page(client, thread_id, **params)
        seen += [item["id"] for item in page["data"]]
        if not page["has_more"]:
            break
        assert len(page["data"]) == LIMIT
        params["after"] = page["last_id"]
    assert seen == _expected(store, thread_id, order)


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_walk_backwards_with_before(big: tuple[TestClient, ThreadStore, str], order: str) -> None:
    client, store, thread_id = big
    expected = _expected(store, thread_id, order)
    # Start at the far end of the list: the entry itself, then everything before it.
    seen = [expected[-1]]
    params: dict[str, Any] = {"limit": LIMIT, "order": order, "before": expected[-1]}
    while True:
        page = _page(client, thread_id, **params)
        # Each page is in list order and goes in front of what was read so far.
        seen = [item["id"] for item in page["data"]] + seen
        if not page["has_more"]:
            break
        assert len(page["data"]) == LIMIT
        params["before"] = page["first_id"]
    assert seen == expected

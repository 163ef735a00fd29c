"""A read-only smoke test against the real ChatKit API, opt-in.

Run with ``CHATKIT_REAL_API=1 OPENAI_API_KEY=sk-... pytest -m real_api`` (``OPENAI_BASE_URL``
picks another server). It lists, retrieves and lists items; it never deletes. Without both
variables it is skipped with the reason, so the suite never leaves 127.0.0.1 by default.
"""

from __future__ import annotations

import os

import pytest

import chatkit_threads

pytestmark = [
    pytest.mark.real_api,
    pytest.mark.skipif(
        os.environ.get("CHATKIT_REAL_API") != "1" or not os.environ.get("OPENAI_API_KEY"),
        reason="talks to the real API: set CHATKIT_REAL_API=1 and OPENAI_API_KEY to run it",
    ),
]


def test_the_real_api_reads_parse_strictly() -> None:
    with chatkit_threads.ChatKit(strict=True) as client:
        page = client.threads.list(limit=2)
        assert page.first_id == (page.data[0].id if page.data else None)
        for thread in page.data:
            assert client.threads.retrieve(thread.id).id == thread.id
            items = client.threads.list_items(thread.id, limit=5)
            assert all(item.thread_id == thread.id for item in items.data)
        with pytest.raises(chatkit_threads.NotFoundError):
            client.threads.retrieve("cthr_chatkit_threads_smoke_test_missing")

"""Walking every thread of an account (or of one user), oldest first, through the
client's paginator.

The pages come from the client's own ``next_page()``, so its guards hold here too: a
server that repeats a cursor, or says ``has_more`` on an empty page or without a
cursor, ends the walk with ``PaginationError`` instead of looping forever. A thread a
server lists again on a later page is handed out once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from chatkit_threads import ChatKit, SyncCursorPage, ThreadResource

from .limits import OLDEST_FIRST, PAGE_MAX
from .pool import RateLimiter

__all__ = ["list_threads"]


class _Fresh:
    """The threads of each page not handed out before (by id).

    The ids seen so far are kept: one short string per thread, as the export's manifest
    keeps anyway; that is the price of never exporting or deleting a thread twice.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def __call__(self, page: SyncCursorPage[ThreadResource]) -> list[ThreadResource]:
        fresh: list[ThreadResource] = []
        for thread in page.data:
            key = getattr(thread, "id", None)
            if isinstance(key, str):
                if key in self._seen:
                    continue
                self._seen.add(key)
            fresh.append(thread)
        return fresh


def list_threads(
    client: ChatKit,
    limiter: RateLimiter,
    *,
    user: str | None,
    page_size: int = PAGE_MAX,
    on_total: Callable[[int], None] | None = None,
) -> Iterator[ThreadResource]:
    """Every thread of ``user`` (any when ``None``), oldest first, each once.

    Each page is fetched through ``limiter`` (so a 429 pauses and retries it), and the
    next page is fetched before this one's threads are handed out: a caller that
    deletes them never deletes the cursor of a request still to come. ``on_total`` gets
    the number of threads as soon as the last page is in (before its threads are
    handed out: for a one-page listing, before the first).
    """
    fresh = _Fresh()
    page = limiter.call(lambda: client.threads.list(user=user, order=OLDEST_FIRST, limit=page_size))
    threads = fresh(page)
    total = len(threads)
    while True:
        following: SyncCursorPage[ThreadResource] | None = None
        if page.has_next_page():
            # The paginator's next_page(): its repeated-cursor guard applies, and asking
            # again after a 429 is not a repeat (the same page asks twice).
            following = limiter.call(page.next_page)
            following_threads = fresh(following)
            total += len(following_threads)
        if following is None and on_total is not None:
            on_total(total)
        yield from threads
        if following is None:
            return
        page, threads = following, following_threads

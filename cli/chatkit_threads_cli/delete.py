"""Choosing threads to delete, and deleting them concurrently with a per-thread outcome.

A selection (``--user`` / ``--older-than``) is walked twice, never held in memory: once
to count it (for the confirmation prompt, with the first few threads for a preview),
then again to delete as the listing streams, up to the last thread the count saw, so
that a thread created after the prompt is never deleted without having been counted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from chatkit_threads import (
    APIConnectionError,
    APIError,
    ChatKit,
    DeletedOnRetryError,
    NotFoundError,
    ThreadResource,
)

from .errors import describe_error
from .listing import list_threads
from .pool import Outcome, RateLimiter, run_ordered, without_rate_limit_retries

__all__ = [
    "DeleteSummary",
    "Selection",
    "count_selection",
    "delete_threads",
    "select_threads",
    "unique",
]

DAY = 86_400


def unique(ids: Iterable[str]) -> list[str]:
    """The ids in their first-given order, each once (deleting twice would fail the second)."""
    return list(dict.fromkeys(ids))


@dataclass
class Selection:
    """Which threads ``--user`` / ``--older-than`` select, as counted by a first walk."""

    user: str | None
    cutoff: float | None
    """Created before this time (seconds since the epoch); any age when ``None``."""
    count: int = 0
    preview: list[ThreadResource] = field(default_factory=list)
    """The first (oldest) few selected threads, to show before asking."""
    last: ThreadResource | None = None
    """The newest selected thread the count saw: deleting stops there."""

    def matches(self, thread: ThreadResource) -> bool:
        """Whether the thread is old enough (the user filter is the listing's)."""
        created = thread.created_at
        return self.cutoff is None or (isinstance(created, int | float) and created < self.cutoff)


def _walk(client: ChatKit, user: str | None) -> Iterator[ThreadResource]:
    # One request at a time, waiting out 429s like the deletions do.
    api = without_rate_limit_retries(client)
    return list_threads(api, RateLimiter(1, api.retry_policy), user=user)


def count_selection(
    client: ChatKit,
    *,
    user: str | None,
    older_than_days: float | None,
    preview: int = 20,
    now: float | None = None,
) -> Selection:
    """Count the threads of ``user`` (any user when ``None``) created more than
    ``older_than_days`` days ago (any age when ``None``), keeping the ``preview`` oldest."""
    cutoff = None
    if older_than_days is not None:
        cutoff = (time.time() if now is None else now) - older_than_days * DAY
    selection = Selection(user=user, cutoff=cutoff)
    for thread in _walk(client, user):
        if selection.matches(thread):
            selection.count += 1
            selection.last = thread
            if len(selection.preview) < preview:
                selection.preview.append(thread)
    return selection


def select_threads(client: ChatKit, selection: Selection) -> Iterator[str]:
    """The ids of the counted selection, oldest first, streamed from a fresh listing
    (pages are fetched ahead, so deleting what was handed out cannot break the walk);
    stops after the newest thread the count saw."""
    last = selection.last
    if last is None:
        return
    for thread in _walk(client, selection.user):
        if thread.id != last.id and _created_after(thread, last):
            return  # created since the count: not part of what was confirmed
        if selection.matches(thread):
            yield thread.id
        if thread.id == last.id:
            return


def _created_after(thread: ThreadResource, last: ThreadResource) -> bool:
    created, bound = thread.created_at, last.created_at
    return isinstance(created, int | float) and isinstance(bound, int | float) and created > bound


@dataclass
class DeleteSummary:
    """Which threads were deleted, and why the others were not."""

    deleted: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    rate_limited: int = 0
    """429 answers met (and waited out) on the way."""


def _per_thread(exc: BaseException) -> bool:
    return not isinstance(exc, APIError | ValueError)


class _Attempts:
    """Which threads had an attempt of this run whose answer was lost (or was a server
    error), so that it may have deleted them.

    The client knows this within one call (a 404 on its retry is ``DeletedOnRetryError``);
    but a 429 ends the call, and the pool's next call for the thread starts afresh. This
    carries the knowledge across calls: the client's retry policy tells ``witness``
    about each retried attempt, on the worker thread making it.
    """

    def __init__(self) -> None:
        self._current = threading.local()
        self._lock = threading.Lock()
        self._uncertain: set[str] = set()

    def witness(self, method: str, status: int | None) -> None:
        """A failed attempt is about to be retried (``status`` None: no answer)."""
        thread_id = getattr(self._current, "thread_id", None)
        if thread_id is not None and (status is None or status >= 500):
            with self._lock:
                self._uncertain.add(thread_id)

    def delete(self, api: ChatKit, thread_id: str) -> None:
        """Delete the thread; a 404 after an earlier attempt that may have deleted it
        (in this call or an earlier one) counts as deleted, and so does a thread found
        gone after every attempt of a call lost its answer."""
        self._current.thread_id = thread_id
        try:
            api.threads.delete(thread_id)
        except NotFoundError as error:
            if isinstance(error, DeletedOnRetryError):
                return
            with self._lock:
                if thread_id not in self._uncertain:
                    raise
        except APIConnectionError as error:
            # Every attempt lost its answer: the thread may be gone all the same. Ask.
            with self._lock:
                self._uncertain.add(thread_id)
            if not self._gone(api, thread_id):
                raise error from None
        finally:
            self._current.thread_id = None

    @staticmethod
    def _gone(api: ChatKit, thread_id: str) -> bool:
        """Whether the thread no longer exists (``False`` when that cannot be told)."""
        try:
            api.threads.retrieve(thread_id)
        except NotFoundError:
            return True
        except APIConnectionError:
            return False
        return False

    def forget(self, thread_id: str) -> None:
        """The thread's outcome is settled."""
        with self._lock:
            self._uncertain.discard(thread_id)


def delete_threads(
    client: ChatKit,
    ids: Iterable[str],
    on_result: Callable[[str, str | None], None],
    *,
    concurrency: int = 1,
    summary: DeleteSummary | None = None,
) -> DeleteSummary:
    """Delete each thread, ``concurrency`` at a time; a failure is recorded (with its
    reason) and the rest go on. 429 answers slow the run down (see ``pool``).

    ``on_result(id, None)`` is called after each deletion, ``on_result(id, reason)``
    after each failure, in the order of ``ids`` whatever the concurrency. A thread's
    outcome accounts for every attempt made for it: a 404 after a lost answer is a
    deletion. On Ctrl-C the deletions in flight finish and are reported (and counted
    in ``summary``, when given) before ``KeyboardInterrupt`` propagates.
    """
    attempts = _Attempts()
    api = without_rate_limit_retries(client, attempts.witness)
    limiter = RateLimiter(concurrency, api.retry_policy)
    summary = DeleteSummary() if summary is None else summary

    def delete(thread_id: str) -> None:
        attempts.delete(api, thread_id)

    def done(thread_id: str, outcome: Outcome[None]) -> None:
        attempts.forget(thread_id)
        error = outcome.error
        if error is None:
            summary.deleted.append(thread_id)
            on_result(thread_id, None)
        elif isinstance(error, APIError | ValueError):
            reason = describe_error(error)[0].removeprefix("error: ")
            summary.failed.append((thread_id, reason))
            on_result(thread_id, reason)
        else:
            outcome.get()  # re-raises what is not about this one thread

    try:
        run_ordered(ids, delete, done, limiter, fatal=_per_thread)
    finally:
        summary.rate_limited = limiter.rate_limited
    return summary

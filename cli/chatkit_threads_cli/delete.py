"""Choosing threads to delete, and deleting them one by one with a per-thread outcome."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from chatkit_threads import APIError, ChatKit, DeletedOnRetryError, ThreadResource

from .errors import describe_error

__all__ = ["DeleteSummary", "delete_threads", "select_threads", "unique"]

DAY = 86_400


def unique(ids: Iterable[str]) -> list[str]:
    """The ids in their first-given order, each once (deleting twice would fail the second)."""
    return list(dict.fromkeys(ids))


def select_threads(
    client: ChatKit,
    *,
    user: str | None,
    older_than_days: float | None,
    now: float | None = None,
) -> list[ThreadResource]:
    """Threads of ``user`` (any user when ``None``) created more than ``older_than_days``
    days ago (any age when ``None``), oldest first.

    The whole selection is listed before anything is deleted, so deleting cannot shift
    the pages of a walk still in progress.
    """
    cutoff = None
    if older_than_days is not None:
        cutoff = (time.time() if now is None else now) - older_than_days * DAY
    selected = []
    for thread in client.threads.list(user=user, order="asc", limit=100):
        created = thread.created_at
        if cutoff is not None and not (isinstance(created, int | float) and created < cutoff):
            continue
        selected.append(thread)
    return selected


@dataclass
class DeleteSummary:
    """Which threads were deleted, and why the others were not."""

    deleted: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def delete_threads(
    client: ChatKit, ids: Iterable[str], on_result: Callable[[str, str | None], None]
) -> DeleteSummary:
    """Delete each thread; a failure is recorded (with its reason) and the rest go on.

    ``on_result(id, None)`` is called after each deletion, ``on_result(id, reason)``
    after each failure.
    """
    summary = DeleteSummary()
    for thread_id in ids:
        try:
            client.threads.delete(thread_id)
        except DeletedOnRetryError:
            pass  # an earlier attempt deleted it; only its response was lost (logged)
        except (APIError, ValueError) as exc:
            reason = describe_error(exc)[0].removeprefix("error: ")
            summary.failed.append((thread_id, reason))
            on_result(thread_id, reason)
            continue
        summary.deleted.append(thread_id)
        on_result(thread_id, None)
    return summary

"""Argument checks done before anything is sent: what the spec forbids fails fast."""

from __future__ import annotations

from typing import Any

__all__ = ["check_list_params", "check_thread_id"]

_ORDERS = ("asc", "desc")
_MAX_LIMIT = 100
_MAX_USER_LEN = 512


def check_thread_id(thread_id: Any) -> str:
    """A thread id usable as one path segment (it is percent-encoded afterwards)."""
    if not isinstance(thread_id, str):
        raise TypeError(f"thread_id must be a str, got {type(thread_id).__name__}")
    # '.' and '..' survive percent-encoding and are then normalised away by URL
    # resolution: delete('..') would send DELETE /v1/chatkit.
    if not thread_id or thread_id in (".", "..") or "/" in thread_id:
        raise ValueError(
            f"thread_id must be a non-empty id without '/' and not '.' or '..', got {thread_id!r}"
        )
    return thread_id


def check_list_params(
    after: Any, before: Any, limit: Any, order: Any, user: Any = None
) -> dict[str, Any]:
    """The query parameters of a list call, checked against the spec; ``None`` = omitted.

    Only what the caller passed is sent: the spec's ``limit`` default (20) is the
    server's to apply, and sending it would make every URL differ from the caller's.
    """
    params: dict[str, Any] = {}
    if after is not None:
        if not isinstance(after, str):
            raise TypeError(f"after must be a str, got {type(after).__name__}")
        params["after"] = after
    if before is not None:
        if not isinstance(before, str):
            raise TypeError(f"before must be a str, got {type(before).__name__}")
        params["before"] = before
    if limit is not None:
        # bool is an int subclass; limit=True is a bug, not 1.
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise TypeError(f"limit must be an int, got {type(limit).__name__}")
        if not 0 <= limit <= _MAX_LIMIT:
            raise ValueError(f"limit must be between 0 and {_MAX_LIMIT}, got {limit}")
        params["limit"] = limit
    if order is not None:
        if not isinstance(order, str):
            raise TypeError(f"order must be a str, got {type(order).__name__}")
        if order not in _ORDERS:
            raise ValueError(f"order must be 'asc' or 'desc', got {order!r}")
        params["order"] = order
    if user is not None:
        if not isinstance(user, str):
            raise TypeError(f"user must be a str, got {type(user).__name__}")
        if not 1 <= len(user) <= _MAX_USER_LEN:
            raise ValueError(f"user must be 1 to {_MAX_USER_LEN} characters, got {len(user)}")
        params["user"] = user
    return params

"""The request journal: what each key's requests were, for `GET /__admin/requests`.

Each accepted key has a ring of its last `size` requests (a bounded deque): memory stays
bounded however long the server runs. Per request the journal keeps only references to
what the server already has (method, path, query, headers, status, request id, time);
the entry is formatted, and the key redacted from it, when someone asks for it.
Requests without an accepted key, and the admin endpoints' own calls, are not kept.
"""

from __future__ import annotations

import collections
import datetime
import time
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from .middleware import REQUEST_ID, STATUS

__all__ = ["ADMIN_PREFIX", "DEFAULT_JOURNAL_SIZE", "Journal", "JournalMiddleware"]

ADMIN_PREFIX = "/__admin/"
"""Where the admin endpoints live: outside the spec's paths, never journaled."""

DEFAULT_JOURNAL_SIZE = 1000
"""Requests kept per key; the oldest give way."""

REDACTED = "[redacted]"

# (time, method, raw path, path, query string, headers, status, request id): as the
# scope holds them, decoded only when someone asks.
_Entry = tuple[float, str, bytes, str, bytes, list[tuple[bytes, bytes]], int, str]


class Journal:
    """Per-project rings of requests; `keys` maps each accepted key to its project."""

    def __init__(self, keys: Mapping[str, str], size: int = DEFAULT_JOURNAL_SIZE) -> None:
        if size < 1:
            raise ValueError(f"journal size: expected at least 1, got {size}")
        self.size = size
        self._keys = dict(keys)
        self._rings: dict[str, collections.deque[_Entry]] = {
            project: collections.deque(maxlen=size) for project in self._keys.values()
        }
        # `Authorization` values exactly as a client sends them, looked up before any
        # parsing (this runs on every request); `project_of` gives the same answer.
        self._sent = {
            f"Bearer {key}".encode("latin-1"): project
            for key, project in self._keys.items()
            if key == key.strip() and key.isascii()
        }

    def project_of(self, authorization: bytes | None) -> str | None:
        """The project of an `Authorization: Bearer KEY` value, or None."""
        if authorization is None:
            return None
        project = self._sent.get(authorization)
        if project is not None:
            return project
        scheme, _, key = authorization.decode("latin-1").partition(" ")
        return self._keys.get(key.strip()) if scheme.lower() == "bearer" else None

    def add(self, project: str, entry: _Entry) -> None:
        """Keep one request of `project` (the oldest of a full ring gives way)."""
        self._rings[project].append(entry)

    def clear(self, project: str) -> int:
        """Forget `project`'s requests; how many there were."""
        ring = self._rings[project]
        count = len(ring)
        ring.clear()
        return count

    def entries(self, project: str, limit: int | None = None) -> list[dict[str, Any]]:
        """`project`'s requests, newest first (at most `limit`), with every key redacted."""
        ring = self._rings[project]
        count = len(ring) if limit is None else min(limit, len(ring))
        secrets = [key for key, owner in self._keys.items() if owner == project]
        return [_shown(ring[-1 - n], secrets) for n in range(count)]


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _shown(entry: _Entry, secrets: list[str]) -> dict[str, Any]:
    at, method, raw_path, scope_path, query, headers, status, request_id = entry
    path = raw_path.split(b"?", 1)[0].decode("latin-1") or scope_path
    shown: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        # The key is a bearer secret wherever it appears; an unknown scheme's value too.
        value = REDACTED if name in ("authorization", "proxy-authorization") else value
        shown[name] = _redact(value, secrets) if name not in shown else shown[name]
    when = datetime.datetime.fromtimestamp(at, datetime.UTC)
    return {
        "method": method,
        "path": _redact(path, secrets),
        "query": _redact(query.decode("latin-1"), secrets),
        "headers": shown,
        "status": status,
        "request_id": request_id,
        "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


class JournalMiddleware:
    """Keeps each request of an accepted key in the journal once it is answered.

    It wraps `RequestIds` directly, which notes the status and request id in the scope.
    """

    def __init__(self, app: ASGIApp, journal: Journal) -> None:
        self.app = app
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        authorization = None
        for name, value in headers:
            if name == b"authorization":
                authorization = value
                break
        project = self.journal.project_of(authorization)
        if project is None:
            await self.app(scope, receive, send)
            return
        started = time.time()
        try:
            await self.app(scope, receive, send)
        finally:
            # `RequestIds`, inside, noted the answer's status and id in the scope.
            entry = (
                started,
                scope["method"],
                scope.get("raw_path", b""),
                scope["path"],
                scope.get("query_string", b""),
                headers,
                scope.get(STATUS, 0),
                scope.get(REQUEST_ID, ""),
            )
            self.journal.add(project, entry)

"""ASGI middleware around the mock's routes: request ids, crashes, encoded slashes."""

from __future__ import annotations

import logging
import os
import random
from urllib.parse import quote, unquote_to_bytes

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import crash

__all__ = [
    "ESCAPED_SEGMENTS",
    "REQUEST_ID",
    "STATUS",
    "CrashesAsErrors",
    "KeepEncodedSlashes",
    "RequestIds",
]

ESCAPED_SEGMENTS = "chatkit_mock.escaped_segments"
"""Scope key set by `KeepEncodedSlashes` when it re-quoted a path segment."""

REQUEST_ID = "chatkit_mock.request_id"
STATUS = "chatkit_mock.status"
"""Scope keys set by `RequestIds`: the request's id, and the status it was answered with
(for the journal, which reads them once the request is answered)."""

_log = logging.getLogger("chatkit_threads_mock")


# Request ids need to be unique, not secret: a generator seeded once from the OS
# costs no system call per request, as `secrets` does.
_ids = random.Random(os.urandom(16))


class RequestIds:
    """Adds `x-request-id` to every response (errors and faults included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"req_{_ids.getrandbits(96):024x}"
        scope[REQUEST_ID] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
                scope[STATUS] = message["status"]
            await send(message)

        await self.app(scope, receive, send_with_id)


class CrashesAsErrors:
    """Turns an exception in the app into a logged 500 envelope.

    Starlette answers through `errors.crash` and then re-raises so servers can log;
    this logs it once and stops it there, so neither uvicorn nor an in-process caller
    (a test client, schemathesis) sees anything but the 500 answer.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if REQUEST_ID in scope:
            # Inside `RequestIds`, which notes in this scope when the answer starts:
            # no send of its own to wrap (a layer less on every request).
            try:
                await self.app(scope, receive, send)
            except Exception:
                await self._crashed(scope, receive, send, started=STATUS in scope)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            await self._crashed(scope, receive, send, started=started)

    @staticmethod
    async def _crashed(scope: Scope, receive: Receive, send: Send, *, started: bool) -> None:
        # Called in the `except` block: a bare `raise` re-raises the crash.
        if scope["type"] != "http":
            raise
        _log.exception("error while handling %s %s", scope["method"], scope["path"])
        if not started:
            response = await crash(Request(scope), RuntimeError())
            await response(scope, receive, send)


class KeepEncodedSlashes:
    """Routes on the path as sent, keeping a `%2F` inside the segment it was sent in.

    Servers decode the path before routing, so `/threads/a%2Fitems` would reach the
    items route of thread `a`. A segment whose decoded text holds a `/` is re-quoted
    whole instead (and the request marked with `ESCAPED_SEGMENTS`), so it still routes
    as one thread id and `MockApi.thread_id` gives back the exact id that was sent.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path = scope.get("raw_path") if scope["type"] == "http" else None
        if raw_path:
            # Decoded here from what was sent, each segment once: some servers and test
            # clients decode twice (`%2541` -> `A`) or put the query in raw_path.
            raw = raw_path.split(b"?", 1)[0]
            if b"%" not in raw:
                # Nothing escaped (the usual case): decoding changes nothing but the type.
                path = raw.decode("utf-8", "replace")
                if path != scope.get("path"):
                    scope = {**scope, "path": path}
                await self.app(scope, receive, send)
                return
            segments = [unquote_to_bytes(s).decode("utf-8", "replace") for s in raw.split(b"/")]
            escaped = any("/" in s for s in segments)
            path = "/".join(quote(s, safe="") if "/" in s else s for s in segments)
            scope = {**scope, "path": path}
            if escaped:
                scope[ESCAPED_SEGMENTS] = True
        await self.app(scope, receive, send)

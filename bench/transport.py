"""In-memory httpx transports: the same response bytes for every contender, no network.

Routing is a couple of string tests on the path, the same for everyone, so the cost
measured above the transport is the client's own: building the request, sending it
through httpx, reading and parsing the body. `sync_transport` and `async_transport`
build the same transport for httpx or httpx2 (the openai SDK's HTTP library), so each
client runs on its own transport family.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from .payloads import Payloads

__all__ = [
    "FixedAsyncTransport",
    "FixedTransport",
    "async_transport",
    "sync_asgi_transport",
    "sync_transport",
]

_HEADERS = [
    (b"content-type", b"application/json"),
    (b"x-request-id", b"req_bench0000000000000000"),
]


def _body(payloads: Payloads, request: Any) -> bytes:
    path = request.url.path
    if path.endswith("/items"):
        return payloads.list_items
    if path.endswith("/chatkit/threads"):
        return payloads.list
    if request.method == "DELETE":
        return payloads.delete
    return payloads.retrieve


class FixedTransport(httpx.BaseTransport):
    """Answers every request with the payload for its operation (sync)."""

    def __init__(self, payloads: Payloads) -> None:
        self.payloads = payloads
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return httpx.Response(200, headers=_HEADERS, content=_body(self.payloads, request))


class FixedAsyncTransport(httpx.AsyncBaseTransport):
    """Answers every request with the payload for its operation (async)."""

    def __init__(self, payloads: Payloads) -> None:
        self.payloads = payloads
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return httpx.Response(200, headers=_HEADERS, content=_body(self.payloads, request))


def sync_transport(family: Any, payloads: Payloads) -> Any:
    """A sync in-memory transport for `family` (the httpx or the httpx2 module)."""
    if family is httpx:
        return FixedTransport(payloads)

    class _Transport(family.BaseTransport):  # type: ignore[misc]
        def handle_request(self, request: Any) -> Any:
            return family.Response(200, headers=_HEADERS, content=_body(payloads, request))

    return _Transport()


def async_transport(family: Any, payloads: Payloads) -> Any:
    """An async in-memory transport for `family` (the httpx or the httpx2 module)."""
    if family is httpx:
        return FixedAsyncTransport(payloads)

    class _Transport(family.AsyncBaseTransport):  # type: ignore[misc]
        async def handle_async_request(self, request: Any) -> Any:
            return family.Response(200, headers=_HEADERS, content=_body(payloads, request))

    return _Transport()


def sync_asgi_transport(family: Any, app: object) -> Any:
    """Serve an ASGI app to a *sync* client of `family` (httpx or httpx2), in-process.

    `ASGITransport` only works with `AsyncClient`; this drives it from sync code with
    one reused event loop (no thread per request, unlike Starlette's TestClient).
    """

    class _Transport(family.BaseTransport):  # type: ignore[misc]
        def __init__(self) -> None:
            self._inner = family.ASGITransport(app=app)
            self._loop = asyncio.new_event_loop()

        def handle_request(self, request: Any) -> Any:
            content = request.read()
            inner = family.Request(
                request.method, request.url, headers=request.headers, content=content
            )
            response = self._loop.run_until_complete(self._inner.handle_async_request(inner))
            body = self._loop.run_until_complete(response.aread())
            return family.Response(response.status_code, headers=response.headers, content=body)

        def close(self) -> None:
            self._loop.close()

    return _Transport()

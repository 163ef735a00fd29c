"""One deadline for the whole response of an attempt, head included.

httpx's read timeout bounds each socket read, not the response: a server that sends its
status line and headers a byte a second, or ``HTTP/1.1 100 Continue`` forever, never lets
a read time out. So each attempt of the clients' send loops runs in an `attempt` scope
(a context variable: the same thread for the sync client, the same task for the async
one), and the network backend of the client's httpcore pool is wrapped (`install`) so
that every read of the attempt waits at most until ``first read + read timeout``, and
every write until ``first write + write timeout``. Past it, the read or write fails with
httpcore's own timeout, which httpx and the clients turn into ``APITimeoutError``.

Outside an attempt scope the wrapper passes every call through unchanged, so a
user-supplied ``http_client`` that gets it behaves as before for its other uses. Only
httpx's own transports (``HTTPTransport``, ``AsyncHTTPTransport``, their proxies) have a
pool to wrap; a custom transport (``httpx.MockTransport``, a user's own) keeps only the
body's deadline, enforced by ``_body`` as the chunks arrive.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable
from contextvars import ContextVar, Token
from typing import Any

import httpcore
import httpx

__all__ = ["READ_LATE", "attempt", "end_attempt", "install", "response_deadline", "time_left"]


class _Attempt:
    """The deadlines of one attempt, set by its first read and first write."""

    __slots__ = ("read", "write")

    def __init__(self) -> None:
        self.read: float | None = None
        self.write: float | None = None


_current: ContextVar[_Attempt | None] = ContextVar("chatkit_threads_attempt", default=None)


def attempt() -> Token[_Attempt | None]:
    """Start an attempt's deadlines (until `end_attempt` with the returned token)."""
    return _current.set(_Attempt())


def end_attempt(token: Token[_Attempt | None]) -> None:
    """End the attempt started by `attempt`."""
    _current.reset(token)


def time_left(deadline: float) -> float:
    """Seconds until ``deadline`` (negative once past)."""
    return deadline - time.monotonic()


def response_deadline(response: httpx.Response) -> float | None:
    """When the current attempt's response must be complete: the deadline its first read
    set on the library's network backend, else (a custom transport) ``read timeout`` from
    now; ``None`` without a read timeout."""
    current = _current.get()
    if current is not None and current.read is not None:
        return current.read
    timeout = response.request.extensions.get("timeout", {})
    read = timeout.get("read") if isinstance(timeout, dict) else None
    if read is None:
        return None
    deadline = time.monotonic() + float(read)
    if current is not None:
        current.read = deadline
    return deadline


READ_LATE = "the response (status line, headers and body) did not arrive within the read timeout"
_WRITE_LATE = "the request could not be sent within the write timeout"


def _read_timeout(timeout: float | None) -> float | None:
    current = _current.get()
    if current is None or timeout is None:
        return timeout
    now = time.monotonic()
    if current.read is None:
        current.read = now + timeout
        return timeout
    left = current.read - now
    if left <= 0.0:
        raise httpcore.ReadTimeout(READ_LATE)
    return min(timeout, left)


def _write_timeout(timeout: float | None) -> float | None:
    current = _current.get()
    if current is None or timeout is None:
        return timeout
    now = time.monotonic()
    if current.write is None:
        current.write = now + timeout
        return timeout
    left = current.write - now
    if left <= 0.0:
        raise httpcore.WriteTimeout(_WRITE_LATE)
    return min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A sync network stream whose reads and writes obey the attempt's deadlines."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._inner.read(max_bytes, _read_timeout(timeout))
        except httpcore.ReadTimeout:
            # The socket's "timed out" says nothing of which limit; say it.
            raise httpcore.ReadTimeout(READ_LATE) from None

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, _write_timeout(timeout))
        except httpcore.WriteTimeout:
            raise httpcore.WriteTimeout(_WRITE_LATE) from None

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """A sync network backend whose streams are `_Stream`s."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncStream(httpcore.AsyncNetworkStream):
    """The async `_Stream`."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return await self._inner.read(max_bytes, _read_timeout(timeout))
        except httpcore.ReadTimeout:
            raise httpcore.ReadTimeout(READ_LATE) from None

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            await self._inner.write(buffer, _write_timeout(timeout))
        except httpcore.WriteTimeout:
            raise httpcore.WriteTimeout(_WRITE_LATE) from None

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    """The async `_Backend`."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _AsyncStream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def install(http_client: httpx.Client | httpx.AsyncClient) -> int:
    """Wrap the network backend of every httpcore pool behind ``http_client`` (its
    transport and its proxy mounts, when they are httpx's own); returns how many pools
    were wrapped. Idempotent. Connections the pool opened before keep their old streams,
    so this is done when the client is made."""
    # httpx and httpcore keep these as private attributes; a version that renames them
    # leaves the pools unwrapped (the body deadline still holds) and fails the tests.
    transports = [getattr(http_client, "_transport", None)]
    transports += list(getattr(http_client, "_mounts", {}).values())
    wrapped = 0
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, _Backend | _AsyncBackend):
            wrapped += 1
        elif isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = _Backend(backend)  # type: ignore[union-attr]
            wrapped += 1
        elif isinstance(backend, httpcore.AsyncNetworkBackend):
            pool._network_backend = _AsyncBackend(backend)  # type: ignore[union-attr]
            wrapped += 1
    return wrapped

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

import time
from contextvars import ContextVar, Token

import httpx

__all__ = [
    "READ_LATE",
    "WRITE_LATE",
    "attempt",
    "end_attempt",
    "install",
    "read_timeout",
    "response_deadline",
    "time_left",
    "write_timeout",
]


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
WRITE_LATE = "the request could not be sent within the write timeout"


def read_timeout(timeout: float | None) -> float | None:
    current = _current.get()
    if current is None or timeout is None:
        return timeout
    now = time.monotonic()
    if current.read is None:
        current.read = now + timeout
        return timeout
    left = current.read - now
    if left <= 0.0:
        import httpcore  # loaded by httpx's transport before any read

        raise httpcore.ReadTimeout(READ_LATE)
    return min(timeout, left)


def write_timeout(timeout: float | None) -> float | None:
    current = _current.get()
    if current is None or timeout is None:
        return timeout
    now = time.monotonic()
    if current.write is None:
        current.write = now + timeout
        return timeout
    left = current.write - now
    if left <= 0.0:
        import httpcore

        raise httpcore.WriteTimeout(WRITE_LATE)
    return min(timeout, left)


def install(http_client: httpx.Client | httpx.AsyncClient) -> int:
    """Wrap the network backend of every httpcore pool behind ``http_client`` (its
    transport and its proxy mounts, when they are httpx's own); returns how many pools
    were wrapped. Idempotent. Connections the pool opened before keep their old streams,
    so this is done when the client is made."""
    # The wrappers subclass httpcore's backends: loaded here, where httpx's transport has
    # imported httpcore already, so that `import chatkit_threads` does not.
    from ._deadline_backend import wrap_pools

    return wrap_pools(http_client)

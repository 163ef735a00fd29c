"""The one seam between the client and its HTTP library: httpx, and httpx2 when installed.

httpx2 (the stack of the openai SDK 3.x) keeps httpx's API under another module name, so
the client runs one code path on either; what differs is only class identity. A response,
request or client of one library is never an instance of the other's classes, and their
exceptions do not share a base. This module names each class the client checks or
catches as a tuple holding both libraries' (``except TRANSPORT_ERRORS``), says which
library a client object belongs to, and converts a ``Timeout`` of one library for the
other (each refuses the other's).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import httpx

__all__ = [
    "ASYNC_CLIENTS",
    "HTTP_ERRORS",
    "INVALID_URL",
    "NOT_SENT",
    "STREAM_CONSUMED",
    "SYNC_CLIENTS",
    "TIMEOUTS",
    "TRANSPORT_ERRORS",
    "library_of",
    "timeout_for",
]

_LIBRARIES: tuple[ModuleType, ...]
try:
    import httpx2
except ImportError:  # httpx2 is optional: the client depends on httpx alone
    _LIBRARIES = (httpx,)
else:
    _LIBRARIES = (httpx, httpx2)


def _classes(*names: str) -> tuple[type[Any], ...]:
    return tuple(getattr(library, name) for name in names for library in _LIBRARIES)


SYNC_CLIENTS: tuple[type[Any], ...] = _classes("Client")
"""The sync client classes an ``http_client`` may be."""
ASYNC_CLIENTS: tuple[type[Any], ...] = _classes("AsyncClient")
"""The async client classes an ``http_client`` may be."""
TRANSPORT_ERRORS: tuple[type[Exception], ...] = _classes("TransportError")
"""A connection failed, broke or timed out (the retried kind)."""
HTTP_ERRORS: tuple[type[Exception], ...] = _classes("HTTPError")
"""Any failure the HTTP library raises while sending or reading."""
TIMEOUTS: tuple[type[Exception], ...] = _classes("TimeoutException")
"""A connect, read, write or pool timeout."""
NOT_SENT: tuple[type[Exception], ...] = _classes("ConnectError", "ConnectTimeout", "PoolTimeout")
"""Failures raised before the request could reach the server."""
INVALID_URL: tuple[type[Exception], ...] = _classes("InvalidURL")
"""A URL the library refuses to send to."""
STREAM_CONSUMED: tuple[type[Exception], ...] = _classes("StreamConsumed")
"""A streamed body read a second time."""


def library_of(client: object) -> ModuleType:
    """The module (``httpx`` or ``httpx2``) whose client ``client`` is."""
    name = type(client).__module__.partition(".")[0]
    for library in _LIBRARIES:
        if library.__name__ == name:
            return library
    return httpx


def timeout_for(library: ModuleType, timeout: object) -> Any:
    """``timeout`` as ``library`` takes it: seconds and ``None`` as they are, a
    ``Timeout`` of the other library rebuilt from its four values."""
    if timeout is None or isinstance(timeout, int | float | tuple | library.Timeout):
        return timeout
    as_dict = getattr(timeout, "as_dict", None)
    if as_dict is None:
        raise TypeError(f"timeout must be seconds, None or a Timeout, got {type(timeout).__name__}")
    return library.Timeout(**as_dict())

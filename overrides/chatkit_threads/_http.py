"""The one seam between the client and its HTTP library: httpx, and httpx2 when installed.

httpx2 (the stack of the openai SDK 3.x) keeps httpx's API under another module name, so
the client runs one code path on either; what differs is only class identity. A response,
request or client of one library is never an instance of the other's classes, and their
exceptions do not share a base. This module names each class the client checks or
catches as a tuple holding both libraries' (``except _http.TRANSPORT_ERRORS``, read
when used: httpx2's classes join when its first client is adopted), says which
library a client object belongs to, and converts a ``Timeout`` of one library for the
other (each refuses the other's).
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import httpx

__all__ = [
    "ASYNC_CLIENTS",
    "BUILD_ERRORS",
    "HTTP_ERRORS",
    "INVALID_URL",
    "NOT_SENT",
    "STREAM_CONSUMED",
    "SYNC_CLIENTS",
    "TIMEOUTS",
    "TRANSPORT_ERRORS",
    "adopt",
    "library_of",
    "timeout_for",
]

_LIBRARIES: tuple[ModuleType, ...] = (httpx,)
# httpx2 is adopted when a client of it is first seen (`adopt`), not at import: importing
# it costs about as much as the rest of this package, and most users never pass one.


def _classes(*names: str) -> tuple[type[Any], ...]:
    return tuple(getattr(library, name) for name in names for library in _LIBRARIES)


# Read as ``_http.NAME`` at the time of use: `adopt` rebinds them with httpx2's classes.
SYNC_CLIENTS: tuple[type[Any], ...] = ()
"""The sync client classes an ``http_client`` may be."""
ASYNC_CLIENTS: tuple[type[Any], ...] = ()
"""The async client classes an ``http_client`` may be."""
TRANSPORT_ERRORS: tuple[type[Exception], ...] = ()
"""A connection failed, broke or timed out (the retried kind)."""
HTTP_ERRORS: tuple[type[Exception], ...] = ()
"""Any failure the HTTP library raises while sending or reading."""
TIMEOUTS: tuple[type[Exception], ...] = ()
"""A connect, read, write or pool timeout."""
NOT_SENT: tuple[type[Exception], ...] = ()
"""Failures raised before the request could reach the server."""
INVALID_URL: tuple[type[Exception], ...] = ()
"""A URL the library refuses to send to."""
STREAM_CONSUMED: tuple[type[Exception], ...] = ()
"""A streamed body read a second time."""
BUILD_ERRORS: tuple[type[Exception], ...] = ()
"""What building a request may raise: a header that cannot be encoded, a URL refused,
a timeout of a type neither library takes."""


def _bind() -> None:
    global SYNC_CLIENTS, ASYNC_CLIENTS, TRANSPORT_ERRORS, HTTP_ERRORS
    global TIMEOUTS, NOT_SENT, INVALID_URL, STREAM_CONSUMED, BUILD_ERRORS
    SYNC_CLIENTS = _classes("Client")
    ASYNC_CLIENTS = _classes("AsyncClient")
    TRANSPORT_ERRORS = _classes("TransportError")
    HTTP_ERRORS = _classes("HTTPError")
    TIMEOUTS = _classes("TimeoutException")
    NOT_SENT = _classes("ConnectError", "ConnectTimeout", "PoolTimeout")
    INVALID_URL = _classes("InvalidURL")
    STREAM_CONSUMED = _classes("StreamConsumed")
    BUILD_ERRORS = (ValueError, TypeError, *INVALID_URL)


_bind()


def adopt(client: object) -> None:
    """Let the client drive ``client``'s library: an httpx2 client (whose module the
    caller has imported already) adds httpx2's classes to the tuples above, once."""
    global _LIBRARIES
    if type(client).__module__.partition(".")[0] != "httpx2":
        return
    httpx2 = sys.modules.get("httpx2")
    if httpx2 is None or httpx2 in _LIBRARIES:
        return
    _LIBRARIES = (*_LIBRARIES, httpx2)
    _bind()


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

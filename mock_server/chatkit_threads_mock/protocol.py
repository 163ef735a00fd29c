"""How the mock is served: uvicorn's settings, and a time limit on each request.

uvicorn only times out a connection that stays idle after a response
(`timeout_keep_alive`); a client that opens a connection and sends its request a byte
at a time, or never finishes it, holds it forever. `BoundedH11Protocol` closes a
connection whose request (head and body) has not fully arrived `request_timeout`
seconds after the connection opened or the previous response was sent.

What uvicorn answers itself, before the app sees a request (so not in the API's JSON
envelope): a malformed request line or header, or a head over
`h11_max_incomplete_event_size`, gets a `400` with a `text/plain` body ("Invalid HTTP
request received.") and the connection closed; a request that times out here, or an
idle keep-alive connection, is closed without an answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = [
    "DEFAULT_REQUEST_TIMEOUT",
    "KEEP_ALIVE_TIMEOUT",
    "MAX_REQUEST_HEAD",
    "BoundedH11Protocol",
    "bounded_protocol",
    "uvicorn_config",
]

DEFAULT_REQUEST_TIMEOUT = 10.0
"""Seconds a client has to send a whole request."""

KEEP_ALIVE_TIMEOUT = 5
"""Seconds an idle keep-alive connection stays open (uvicorn's `timeout_keep_alive`)."""

MAX_REQUEST_HEAD = 16 * 1024
"""Bytes of a request head uvicorn buffers (`h11_max_incomplete_event_size`)."""


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request is not sent in time."""

    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    _request_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_request()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def _watch_request(self) -> None:
        # The clock starts when the server starts waiting for a request, and more bytes
        # do not restart it: a byte every few seconds must not hold the connection.
        waiting = self.conn.their_state is not h11.DONE and not self.transport.is_closing()
        if waiting and self._request_timer is None:
            self._request_timer = self.loop.call_later(self.request_timeout, self._timed_out)
        elif not waiting:
            self._stop_timer()

    def _stop_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _timed_out(self) -> None:
        self._request_timer = None
        if self.conn.their_state is not h11.DONE and not self.transport.is_closing():
            self.transport.close()


def bounded_protocol(request_timeout: float = DEFAULT_REQUEST_TIMEOUT) -> type[BoundedH11Protocol]:
    """`BoundedH11Protocol` with its `request_timeout`; ValueError for a bad one."""
    if not 0 < request_timeout < float("inf"):
        raise ValueError(
            f"request_timeout: expected a positive number of seconds, got {request_timeout}"
        )
    return type(
        "BoundedH11Protocol", (BoundedH11Protocol,), {"request_timeout": float(request_timeout)}
    )


def uvicorn_config(
    app: Any, *, host: str, port: int, protocol: type[BoundedH11Protocol] | None = None
) -> uvicorn.Config:
    """The uvicorn settings the mock is served with (see the module docstring)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol or bounded_protocol(),
        log_level="error",
        lifespan="off",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD,
        # A request held open by injected latency must not keep stop() waiting.
        timeout_graceful_shutdown=5,
    )

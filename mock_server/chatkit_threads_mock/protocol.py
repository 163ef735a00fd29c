"""How the mock is served: uvicorn's settings, and bounds on each request.

uvicorn only times out a connection that stays idle after a response
(`timeout_keep_alive`); a client that opens a connection and sends its request a byte
at a time, or never finishes it, holds it forever. The protocols here close a
connection whose request (head and body) has not fully arrived `request_timeout`
seconds after the connection opened or the request began, and bound the request head
to `MAX_REQUEST_HEAD` bytes however it arrives (in one read or over many): h11 bounds what
it buffers itself and `_BoundedConnection` the head it parsed; for httptools (used, as
uvicorn's `http="auto"` would, when it is installed) the protocol counts both.

What uvicorn answers itself, before the app sees a request (so not in the API's JSON
envelope): a malformed request line or header, or a head over `MAX_REQUEST_HEAD`
bytes (complete or not), gets a `400` with a `text/plain` body ("Invalid HTTP request
received.") and the connection closed; a request that times out here, or an idle
keep-alive connection, is closed without an answer.
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
"""Bytes of a request head the server accepts (h11's `max_incomplete_event_size`)."""


class _RequestClock:
    """Closes the connection when a request is not fully received in time.

    The clock starts when the server starts waiting for a request, and more bytes do
    not restart it: a byte every few seconds must not hold the connection.

    One timer per connection, not one per request: starting the clock only notes the
    deadline, and a timer is armed only when none is. A timer that fires for a request
    since answered re-arms itself for the current one's deadline, so a busy keep-alive
    connection schedules a timer about once per `request_timeout`, not per request.
    """

    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    # When the request being received must be in (loop time); None while none is.
    _request_deadline: float | None = None
    _request_timer: asyncio.TimerHandle | None = None

    def _start_clock(self) -> None:
        if self._request_deadline is None and not self.transport.is_closing():
            self._request_deadline = self.loop.time() + self.request_timeout
            if self._request_timer is None:
                self._request_timer = self.loop.call_at(self._request_deadline, self._check_clock)

    def _stop_clock(self) -> None:
        self._request_deadline = None

    def _check_clock(self) -> None:
        self._request_timer = None
        deadline = self._request_deadline
        if deadline is None or self.transport.is_closing():
            return
        if self.loop.time() < deadline:
            self._request_timer = self.loop.call_at(deadline, self._check_clock)
            return
        self._request_deadline = None
        self.transport.close()

    def _drop_clock(self) -> None:
        """For a lost connection: no timer left holding on to it."""
        self._request_deadline = None
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None


def _head_size(request: h11.Request) -> int:
    """The bytes of a request head as h11 parsed it (its spacing not counted)."""
    line = len(request.method) + len(request.target) + len(b" HTTP/1.1\r\n") + 1
    return line + sum(len(name) + len(value) + 4 for name, value in request.headers) + 2


class _BoundedConnection(h11.Connection):
    """An h11 connection that refuses a request head over `MAX_REQUEST_HEAD` bytes.

    h11's own bound applies to what it buffers while a head is incomplete: a whole
    100 KB head arriving in one read was accepted. This bound holds however it arrives.
    """

    def next_event(self) -> Any:
        event = super().next_event()
        if isinstance(event, h11.Request) and _head_size(event) > MAX_REQUEST_HEAD:
            raise h11.RemoteProtocolError("request head too large", error_status_hint=431)
        return event


class BoundedH11Protocol(_RequestClock, H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request is not sent in time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _BoundedConnection(h11.SERVER, MAX_REQUEST_HEAD)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        coalescing: Any = _CoalescingTransport(transport, self.loop)
        super().connection_made(coalescing)
        self._watch_request()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._drop_clock()
        super().connection_lost(exc)

    def _watch_request(self) -> None:
        # DONE: the whole request is in (and being answered).
        if self.conn.their_state is h11.DONE:
            self._stop_clock()
        else:
            self._start_clock()


class _CoalescingTransport:
    """A transport whose writes made in one event-loop turn leave in one send.

    uvicorn writes a response's head and its body separately, so each response cost
    two send() calls, and over loopback a send also delivers the packet to the reader:
    the second write was a quarter of the server's time. Writes are gathered and sent
    when the loop turns (`call_soon`), before it waits for more input; closing sends
    what is gathered first. Everything else is the wrapped transport's.

    Sending at the body's write instead (no wait for the turn) measured faster for a
    server with nothing to do per request, and ~9% slower for the mock: waiting for
    the turn sends the answers of the requests that arrived together before reading on.
    """

    __slots__ = ("_loop", "_pending", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def is_closing(self) -> bool:
        # Asked on every request (see `_RequestClock`): no `__getattr__` detour.
        return self._transport.is_closing()

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def _httptools_protocol() -> type[asyncio.Protocol] | None:
    """`BoundedHttpToolsProtocol`, or None where httptools is not installed."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return None

    class BoundedHttpToolsProtocol(_RequestClock, HttpToolsProtocol):
        """uvicorn's httptools protocol with a request clock and a bounded head."""

        # httptools keeps a header's text until it is complete, and uvicorn sets no
        # bound on it: the bytes of an unfinished head are counted here, and those of
        # the parsed head (a whole head can arrive in one read) in `on_url`/`on_header`.
        _in_head = False
        _head_bytes = 0
        _parsed_head = 0

        def _count_head(self, size: int) -> None:
            self._parsed_head += size
            if self._parsed_head > MAX_REQUEST_HEAD:
                # Raised inside the parser's callback: httptools reports it as a parser
                # error, which uvicorn answers with its plain 400.
                raise ValueError("request head too large")

        def on_url(self, url: bytes) -> None:
            self._count_head(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count_head(len(name) + len(value) + 4)
            super().on_header(name, value)

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            coalescing: Any = _CoalescingTransport(transport, self.loop)
            super().connection_made(coalescing)
            self._start_clock()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._in_head and not self.transport.is_closing():
                self._head_bytes += len(data)
                if self._head_bytes > MAX_REQUEST_HEAD:
                    self.send_400_response("Invalid HTTP request received.")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head, self._head_bytes, self._parsed_head = True, 0, 0
            self._start_clock()

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._stop_clock()

        def connection_lost(self, exc: Exception | None) -> None:
            self._drop_clock()
            super().connection_lost(exc)

    return BoundedHttpToolsProtocol


def bounded_protocol(
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT, *, http: str = "auto"
) -> type[asyncio.Protocol]:
    """The bounded protocol for `http` (`auto`: httptools if installed, else `h11`).

    ValueError for a request timeout that is not a positive number of seconds.
    """
    if not 0 < request_timeout < float("inf"):
        raise ValueError(
            f"request_timeout: expected a positive number of seconds, got {request_timeout}"
        )
    if http not in ("auto", "h11", "httptools"):
        raise ValueError(f"http: expected auto, h11 or httptools, got {http!r}")
    base: type[asyncio.Protocol] | None = None
    if http != "h11":
        base = _httptools_protocol()
        if base is None and http == "httptools":
            raise ValueError("http: httptools is not installed (pip install httptools)")
    base = base or BoundedH11Protocol
    return type(base.__name__, (base,), {"request_timeout": float(request_timeout)})


def uvicorn_config(
    app: Any, *, host: str, port: int, protocol: type[asyncio.Protocol] | None = None
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
        # The mock reads no client address or scheme: X-Forwarded-* would only cost
        # a pass over every request's headers.
        proxy_headers=False,
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD,
        # A request held open by injected latency must not keep stop() waiting.
        timeout_graceful_shutdown=5,
    )

"""A deadline for a whole HTTP exchange: status line, headers and body, however they trickle.

HTTP libraries bound each read of the socket, not the exchange: a server that sends one
byte a second, or an endless run of `100 Continue` interim answers, never lets a read
time out. `Deadlines` remembers the sockets each thread opens (through the libraries'
own connection hooks, only while installed) and, when an exchange run under `bound(s)`
outlives `s` seconds, shuts those sockets down: the library's next read fails at once
and the request ends with its usual connection error, which the caller reports.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import httpcore
import urllib3.util.connection as _urllib3_connection

__all__ = ["DeadlineBackend", "DeadlineExceeded", "Deadlines"]


class DeadlineExceeded(OSError):
    """The exchange did not complete within its deadline."""


class _Sockets:
    """The sockets opened by each thread, weakly held (closed ones simply vanish)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_thread: dict[int, weakref.WeakSet[socket.socket]] = {}

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._by_thread.setdefault(threading.get_ident(), weakref.WeakSet()).add(sock)

    def shut_down(self, thread: int, fired: list[bool]) -> None:
        fired.append(True)
        with self._lock:
            found = list(self._by_thread.pop(thread, ()))
        for sock in found:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class Deadlines:
    """Bounds exchanges made in the calling thread (see the module docstring)."""

    def __init__(self) -> None:
        self._sockets = _Sockets()
        self._original: Any = None

    def remember(self, sock: socket.socket) -> None:
        """Track a socket opened by the calling thread."""
        self._sockets.add(sock)

    def install(self) -> None:
        """Track the sockets urllib3 (schemathesis' transport) opens, until `uninstall`."""
        original = _urllib3_connection.create_connection
        self._original = original

        def create_connection(*args: Any, **kwargs: Any) -> socket.socket:
            sock = original(*args, **kwargs)
            self._sockets.add(sock)
            return sock

        _urllib3_connection.create_connection = create_connection

    def uninstall(self) -> None:
        """Stop tracking urllib3's sockets."""
        if self._original is not None:
            _urllib3_connection.create_connection = self._original
            self._original = None

    @contextlib.contextmanager
    def bound(self, seconds: float) -> Iterator[None]:
        """Run the body (one exchange) under a deadline of `seconds`.

        Past the deadline, every socket the thread has (and any it opens afterwards, as a
        library resending on a fresh connection does) is shut down until the body ends.
        An exchange cut short raises `DeadlineExceeded` (whatever error the library
        raised when its socket was shut down is its cause)."""
        thread = threading.get_ident()
        fired: list[bool] = []
        done = threading.Event()

        def watch() -> None:
            if done.wait(seconds):
                return
            while True:
                self._sockets.shut_down(thread, fired)
                if done.wait(0.05):
                    return

        watchdog = threading.Thread(target=watch, daemon=True, name="contract-deadline")
        watchdog.start()
        try:
            yield
        except Exception as error:
            if fired:
                raise DeadlineExceeded(
                    f"no whole answer within {seconds:g}s (status line, headers and body)"
                ) from error
            raise
        finally:
            done.set()


class DeadlineBackend(httpcore.SyncBackend):
    """httpcore's own network backend, telling `deadlines` of every socket it opens."""

    def __init__(self, deadlines: Deadlines) -> None:
        self.deadlines = deadlines

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        """Connect as httpcore does, and remember the socket."""
        stream = super().connect_tcp(host, port, timeout, local_address, socket_options)
        sock = stream.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            self.deadlines.remember(sock)
        return stream

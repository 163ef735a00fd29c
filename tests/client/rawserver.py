"""A tiny raw HTTP/1.1 server on 127.0.0.1 for bodies no framework would send:
endless chunked streams, compression bombs, trickles. One thread, one response shape."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from types import TracebackType

# Writes the response (status line, headers, body) to the socket until done or the
# client goes away.
Responder = Callable[[socket.socket], None]


class RawServer:
    """Serve ``responder`` to every connection; ``base_url`` is ``http://127.0.0.1:PORT/v1``."""

    def __init__(self, responder: Responder) -> None:
        self._responder = responder
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.requests: list[bytes] = []
        port = self._listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/v1"

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = conn.recv(65536)
                    if not data:
                        break
                    head += data
                self.requests.append(head)
                # The client hanging up mid-body is what these tests expect.
                with contextlib.suppress(OSError):
                    self._responder(conn)

    def stopping(self) -> bool:
        """Whether the test is over (responders that loop forever check it)."""
        return self._stop.is_set()


def chunk(data: bytes) -> bytes:
    """``data`` framed as one HTTP/1.1 chunk."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def head(*headers: str, status: str = "200 OK") -> bytes:
    """A response head with ``headers``."""
    lines = [f"HTTP/1.1 {status}", *headers, "", ""]
    return "\r\n".join(lines).encode()


def forever(server: RawServer) -> Iterator[int]:
    """Count up until the server stops (a bound for 'endless' responders)."""
    n = 0
    while not server.stopping():
        yield n
        n += 1

"""Serve the bundled mock server (or a variant of it) on 127.0.0.1 for the suite's own tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from chatkit_threads_mock import DEFAULT_API_KEY, MockApi, ThreadStore, apply_seed, create_app

__all__ = [
    "KEY",
    "KEYS",
    "OTHER_KEY",
    "endless_continue",
    "mock_app",
    "raw_server",
    "serve",
    "trickle",
]

KEY = DEFAULT_API_KEY
OTHER_KEY = "sk-contract-tests-other"
KEYS = (KEY, OTHER_KEY)


def mock_app(store: ThreadStore | None = None, *, api_class: type[MockApi] = MockApi) -> ASGIApp:
    """The mock's ASGI app for both keys, over `store` seeded with the default set."""
    if store is None:
        store = ThreadStore()
    apply_seed(store, "default", KEYS)
    return create_app(store, api_keys=KEYS, api_class=api_class)


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="critical", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def raw_server(answer: Callable[[socket.socket, bytes, int], None]) -> Iterator[str]:
    """A hostile HTTP server on 127.0.0.1: `answer(conn, request_head, number)` writes
    whatever it likes for each request (`number` counts from 0). Yields the base URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    counter = iter(range(1_000_000))

    def handle(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            try:
                while not stop.is_set():
                    head = b""
                    while b"\r\n\r\n" not in head:
                        chunk = conn.recv(65536)
                        if not chunk:
                            return
                        head += chunk
                    answer(conn, head, next(counter))
            except OSError:
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def trickle(stop: threading.Event) -> Callable[[socket.socket, bytes, int], None]:
    """Send the status line and headers one byte a second, until `stop`."""

    def answer(conn: socket.socket, head: bytes, number: int) -> None:
        for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10_000:
            if stop.wait(1.0):
                return
            conn.sendall(bytes([byte]))

    return answer


def endless_continue(stop: threading.Event) -> Callable[[socket.socket, bytes, int], None]:
    """Answer with `100 Continue` interim responses forever (until `stop`)."""

    def answer(conn: socket.socket, head: bytes, number: int) -> None:
        while not stop.wait(0.05):
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    return answer

"""A minimal fixed-response HTTP/1.1 server, in its own process, for client benchmarks.

    python -m bench._fixed_server

Answers every request with the bench payload for its operation (bench.payloads, the
same bytes as the in-memory transport), over keep-alive connections on 127.0.0.1. It
parses no more than the request line and Content-Length and writes pre-built response
bytes, so per request it costs a few microseconds of its own core: what the client
benchmark measures over loopback is each client's own work plus the kernel's socket
round trip, which every contender pays alike.

Prints one JSON line (`{"port": ...}`) once listening, then serves until terminated.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from typing import cast

from .payloads import Payloads, build

__all__ = ["main", "responses"]

_HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b"content-type: application/json\r\n"
    b"x-request-id: req_bench0000000000000000\r\n"
    b"content-length: %d\r\n"
    b"\r\n"
)


def responses(payloads: Payloads) -> dict[str, bytes]:
    """The whole response, head and body, for each operation."""
    bodies = {
        "retrieve": payloads.retrieve,
        "list": payloads.list,
        "list_items": payloads.list_items,
        "delete": payloads.delete,
    }
    return {op: _HEAD % len(body) + body for op, body in bodies.items()}


def route(method: bytes, target: bytes) -> str:
    """The operation a request line names (the same routing as bench.transport)."""
    path = target.split(b"?", 1)[0]
    if path.endswith(b"/items"):
        return "list_items"
    if path.endswith(b"/chatkit/threads"):
        return "list"
    if method == b"DELETE":
        return "delete"
    return "retrieve"


class _Protocol(asyncio.Protocol):
    def __init__(self, answers: dict[str, bytes]) -> None:
        self._answers = answers
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have its methods.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data
        # Every request the buffer holds in full (clients may pipeline; none send bodies
        # here, but a Content-Length is honoured so a body never reads as a request).
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            length = 0
            lowered = head.lower()
            at = lowered.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = lowered.find(b"\r\n", at + 2)
                length = int(lowered[at + 17 : stop if stop >= 0 else None])
            if len(buffer) < end + 4 + length:
                break
            method, target, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
            buffer = buffer[end + 4 + length :]
            assert self._transport is not None
            self._transport.write(self._answers[route(method, target)])
        self._buffer = buffer


async def _serve(answers: dict[str, bytes]) -> None:
    loop = asyncio.get_running_loop()
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    server = await loop.create_server(lambda: _Protocol(answers), sock=sock)
    sys.stdout.write(json.dumps({"port": sock.getsockname()[1]}) + "\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


def main() -> None:
    answers = responses(build())
    try:
        import uvloop  # the mock extra's uvicorn[standard] brings it; plain asyncio otherwise
    except ImportError:
        asyncio.run(_serve(answers))
    else:
        uvloop.run(_serve(answers))


if __name__ == "__main__":
    main()

"""A bounded HTTP/1.1 load generator for 127.0.0.1: raw asyncio sockets, keep-alive.

Deliberately minimal (write the request bytes, read the head, read Content-Length
bytes) so that the generator costs far less per request than the server it measures.
Bounded twice: a number of requests and a wall-time cap, whichever comes first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["LoadResult", "run_load"]


@dataclass
class LoadResult:
    """Latencies of the completed requests, in microseconds, and the wall time."""

    latencies_us: list[float] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0
    bytes_read: int = 0
    first_error: str | None = None


async def _worker(
    host: str,
    port: int,
    requests: Sequence[bytes],
    counter: list[int],
    total: int,
    deadline: float,
    result: LoadResult,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            index = counter[0]
            if index >= total or time.perf_counter() >= deadline:
                return
            counter[0] = index + 1
            request = requests[index % len(requests)]
            started = time.perf_counter_ns()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12]
            length = -1
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
                    break
            if length < 0:
                result.errors += 1
                result.first_error = result.first_error or f"no Content-Length: {head[:200]!r}"
                return
            await reader.readexactly(length)
            elapsed_us = (time.perf_counter_ns() - started) / 1000
            result.bytes_read += len(head) + length
            if status != b"200":
                result.errors += 1
                result.first_error = result.first_error or f"status {status.decode()}"
                continue
            result.latencies_us.append(elapsed_us)
    finally:
        writer.close()


async def _run(
    host: str,
    port: int,
    requests: Sequence[bytes],
    total: int,
    concurrency: int,
    cap_s: float,
) -> LoadResult:
    result = LoadResult()
    counter = [0]
    started = time.perf_counter()
    deadline = started + cap_s
    await asyncio.gather(
        *(
            _worker(host, port, requests, counter, total, deadline, result)
            for _ in range(concurrency)
        )
    )
    result.wall_s = time.perf_counter() - started
    return result


def build_requests(paths: Sequence[str], headers: dict[str, str], host: str) -> list[bytes]:
    """Raw GET requests for `paths` (keep-alive)."""
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return [f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode() for path in paths]


def run_load(
    port: int,
    requests: Sequence[bytes],
    *,
    total: int,
    concurrency: int,
    cap_s: float,
    host: str = "127.0.0.1",
) -> LoadResult:
    """Send up to `total` requests over `concurrency` connections for at most `cap_s`."""
    return asyncio.run(_run(host, port, requests, total, concurrency, cap_s))

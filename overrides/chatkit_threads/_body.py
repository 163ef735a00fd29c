"""Reading a response body within bounds: a size limit and a total deadline.

httpx's ``read()`` buffers whatever arrives, and its read timeout only bounds the gap
between two chunks, so an endless (or trickling) body or a compression bomb would
hold the client until memory runs out. These readers count the *decoded* bytes as
they arrive and stop at the limit, and stop when the whole body takes longer than the
read timeout.
"""

from __future__ import annotations

import time

import httpx

from ._exceptions import APITimeoutError, ResponseTooLargeError

__all__ = ["aread_bounded", "read_bounded"]


def _deadline(response: httpx.Response) -> float | None:
    timeout = response.request.extensions.get("timeout", {})
    read = timeout.get("read") if isinstance(timeout, dict) else None
    return None if read is None else time.monotonic() + float(read)


def _too_large(response: httpx.Response, limit: int) -> ResponseTooLargeError:
    request = response.request
    return ResponseTooLargeError(
        f"The response to {request.method} {request.url} (status {response.status_code}) "
        f"is larger than max_response_bytes={limit}; raise the limit with "
        "with_options(max_response_bytes=...) if the body is expected to be that large",
        request,
        limit=limit,
    )


def _too_slow(response: httpx.Response) -> APITimeoutError:
    request = response.request
    return APITimeoutError(
        request=request,
        message=f"Request timed out: the body of the response to {request.method} "
        f"{request.url} kept arriving for longer than the read timeout",
    )


def _check(response: httpx.Response, size: int, limit: int | None, deadline: float | None) -> None:
    if limit is not None and size > limit:
        raise _too_large(response, limit)
    if deadline is not None and time.monotonic() > deadline:
        raise _too_slow(response)


def read_bounded(response: httpx.Response, limit: int | None) -> None:
    """Read ``response``'s streamed body (then ``response.content`` works) or raise
    ``ResponseTooLargeError``/``APITimeoutError``; the response is closed either way."""
    try:
        deadline = _deadline(response)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            _check(response, size, limit, deadline)
            chunks.append(chunk)
        # What httpx's own read() does with the joined chunks.
        response._content = b"".join(chunks)
    finally:
        response.close()


async def aread_bounded(response: httpx.Response, limit: int | None) -> None:
    """The async `read_bounded`."""
    try:
        deadline = _deadline(response)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            _check(response, size, limit, deadline)
            chunks.append(chunk)
        response._content = b"".join(chunks)
    finally:
        await response.aclose()

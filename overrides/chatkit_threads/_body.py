"""Reading a response body within bounds: a size limit and a total deadline.

httpx's ``read()`` buffers whatever arrives, decodes each chunk whole, and its read
timeout only bounds the gap between two chunks, so an endless (or trickling) body or a
compression bomb would hold the client until memory runs out. These readers take the
raw bytes, decode them with a bounded output (``_decode``), count the *decoded* bytes
and stop at the limit, and stop when the response takes longer than the read timeout
(the deadline of ``_deadline``, which on the library's transport covers the head too).
"""

from __future__ import annotations

import httpx

from ._deadline import READ_LATE, response_deadline, time_left
from ._decode import LimitExceeded, decoder_for
from ._exceptions import ResponseTooLargeError

__all__ = ["aread_bounded", "read_bounded"]


def _too_large(response: httpx.Response, limit: int) -> ResponseTooLargeError:
    request = response.request
    return ResponseTooLargeError(
        f"The response to {request.method} {request.url} (status {response.status_code}) "
        f"is larger than max_response_bytes={limit}; raise the limit with "
        "with_options(max_response_bytes=...) if the body is expected to be that large",
        request,
        limit=limit,
    )


def _too_slow(response: httpx.Response) -> httpx.ReadTimeout:
    # The same failure as a read the network deadline cut short (``_deadline``), so the
    # send loop treats both alike: a timeout, retried if the request may be.
    return httpx.ReadTimeout(READ_LATE, request=response.request)


def _check(response: httpx.Response, size: int, limit: int | None, deadline: float | None) -> None:
    if limit is not None and size > limit:
        raise _too_large(response, limit)
    if deadline is not None and time_left(deadline) <= 0.0:
        raise _too_slow(response)


def _preloaded(response: httpx.Response, limit: int | None) -> bool:
    """Whether the transport handed over a response it had already read (one built
    from bytes, as ``httpx.MockTransport`` handlers do); then only the limit is checked."""
    if not hasattr(response, "_content"):
        return False
    _check(response, len(response.content), limit, None)
    return True


def read_bounded(response: httpx.Response, limit: int | None) -> None:
    """Read ``response``'s streamed body (then ``response.content`` works) or raise
    ``ResponseTooLargeError`` or ``httpx.ReadTimeout`` (which the send loop retries or
    turns into ``APITimeoutError``); the response is closed either way."""
    try:
        if _preloaded(response, limit):
            return
        deadline = response_deadline(response)
        decoder = decoder_for(response.headers, limit)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_raw():
            if decoder is not None:
                chunk = decoder.decode(chunk)
            size += len(chunk)
            _check(response, size, limit, deadline)
            chunks.append(chunk)
        if decoder is not None:
            chunk = decoder.flush()
            size += len(chunk)
            _check(response, size, limit, None)
            chunks.append(chunk)
        # What httpx's own read() does with the joined chunks.
        response._content = b"".join(chunks)
    except LimitExceeded as exc:
        raise _too_large(response, exc.limit) from None
    finally:
        response.close()


async def aread_bounded(response: httpx.Response, limit: int | None) -> None:
    """The async `read_bounded`."""
    try:
        if _preloaded(response, limit):
            return
        deadline = response_deadline(response)
        decoder = decoder_for(response.headers, limit)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_raw():
            if decoder is not None:
                chunk = decoder.decode(chunk)
            size += len(chunk)
            _check(response, size, limit, deadline)
            chunks.append(chunk)
        if decoder is not None:
            chunk = decoder.flush()
            size += len(chunk)
            _check(response, size, limit, None)
            chunks.append(chunk)
        response._content = b"".join(chunks)
    except LimitExceeded as exc:
        raise _too_large(response, exc.limit) from None
    finally:
        await response.aclose()

"""Raw and streamed responses: the ``httpx.Response`` next to the parsed result.

``RawResponse`` is what ``with_raw_response`` methods give (body already read, as the
``openai`` SDK's legacy raw response); ``StreamedResponse``/``AsyncStreamedResponse`` are
what ``with_streaming_response`` methods give inside their context manager (body not
read until asked for, as the SDK's ``APIResponse``).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from . import _http
from ._body import aread_bounded, read_bounded
from ._exceptions import APIConnectionError, APITimeoutError, ChatKitError
from ._secrets import redact

__all__ = [
    "AsyncResponseContextManager",
    "AsyncStreamedResponse",
    "RawResponse",
    "ResponseContextManager",
    "StreamedResponse",
]

T = TypeVar("T")
_R = TypeVar("_R")

_UNPARSED = object()


class _ResponseInfo:
    """The response metadata every flavour shares (all read from ``http_response``)."""

    __slots__ = ("http_response",)

    http_response: httpx.Response
    """The ``httpx.Response``."""

    def __init__(self, http_response: httpx.Response) -> None:
        self.http_response = http_response

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    @property
    def status_code(self) -> int:
        """The HTTP status code."""
        return self.http_response.status_code

    @property
    def request_id(self) -> str | None:
        """The ``x-request-id`` header, for support requests and logs."""
        request_id: str | None = self.http_response.headers.get("x-request-id")
        # A server's value: it may echo the key as much as a body may.
        return None if request_id is None else redact(request_id)

    @property
    def http_request(self) -> httpx.Request:
        """The request that was sent."""
        return self.http_response.request

    @property
    def url(self) -> httpx.URL:
        """The URL requested."""
        return self.http_response.request.url

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self.http_response.request.method

    @property
    def http_version(self) -> str:
        """The HTTP version of the response (``"HTTP/1.1"``)."""
        return self.http_response.http_version

    @property
    def elapsed(self) -> datetime.timedelta:
        """Time from sending the request to the end of the response body."""
        return self.http_response.elapsed

    @property
    def is_closed(self) -> bool:
        """Whether the body has been read (or the response closed)."""
        return self.http_response.is_closed

    def __repr__(self) -> str:
        request = self.http_response.request
        # The URL may carry an echoed key (a cursor) or one passed in extra_query.
        return redact(
            f"<{type(self).__name__} [{self.status_code}] {request.method} {request.url}>"
        )


class RawResponse(_ResponseInfo, Generic[T]):
    """What ``client.threads.with_raw_response.<method>(...)`` returns.

    ``http_response`` is the ``httpx.Response`` (body already read), ``headers``,
    ``status_code``, ``request_id``, ``content`` and ``text`` are shortcuts into it, and
    ``parse()`` gives the object the plain method would have returned (parsed once, then
    cached). Error statuses still raise, as with the plain methods.
    """

    __slots__ = ("_parsed", "_parser")

    def __init__(
        self, http_response: httpx.Response, parser: Callable[[httpx.Response], T]
    ) -> None:
        self.http_response = http_response
        self._parser = parser
        self._parsed: object = _UNPARSED

    @property
    def content(self) -> bytes:
        """The body, as bytes."""
        return self.http_response.content

    @property
    def text(self) -> str:
        """The body, decoded."""
        return self.http_response.text

    def parse(self) -> T:
        """The parsed body: the same object the method without ``with_raw_response`` returns."""
        if self._parsed is _UNPARSED:
            self._parsed = self._parser(self.http_response)
        return self._parsed  # type: ignore[return-value]


def _stream_error(streamed: _Streamed[Any], exc: Exception) -> APIConnectionError:
    """A transport failure while a streamed body arrives, as the library's error."""
    request = streamed.http_response.request
    detail = redact(str(exc) or type(exc).__name__, streamed._secret)
    if isinstance(exc, _http.TIMEOUTS):
        return APITimeoutError(request=request, message=f"Request timed out: {detail}")
    return APIConnectionError(request=request, message=f"Connection error: {detail}")


_CONSUMED = (
    "The body was already streamed (iter_bytes/iter_text/iter_lines), so it cannot be "
    "read whole; call read() before iterating to have both"
)


class _Streamed(_ResponseInfo, Generic[T]):
    __slots__ = ("_limit", "_parsed", "_parser", "_read", "_secret")

    def __init__(
        self,
        http_response: httpx.Response,
        parser: Callable[[httpx.Response], T],
        limit: int | None,
        secret: str,
    ) -> None:
        self.http_response = http_response
        self._parser = parser
        self._limit = limit
        self._secret = secret
        self._parsed: object = _UNPARSED
        self._read = False


class StreamedResponse(_Streamed[T]):
    """What ``with client.threads.with_streaming_response.<method>(...) as response``
    gives: the response with its body not read yet.

    ``iter_bytes()``, ``iter_text()`` and ``iter_lines()`` hand the body over as it
    arrives; ``read()``, ``text()``, ``json()`` and ``parse()`` read it whole (bounded by
    the client's ``max_response_bytes``). The context manager closes the response.
    """

    __slots__ = ()

    def read(self) -> bytes:
        """Read the whole body (once; later calls give the same bytes)."""
        if not self._read:
            try:
                read_bounded(self.http_response, self._limit)
            except _http.STREAM_CONSUMED:
                raise ChatKitError(_CONSUMED) from None
            self._read = True
        return self.http_response.content

    def text(self) -> str:
        """Read and decode the whole body."""
        self.read()
        return self.http_response.text

    def json(self) -> object:
        """Read the whole body and decode it as JSON."""
        return json.loads(self.read())

    def parse(self) -> T:
        """Read the body and parse it: what the method without the prefix returns."""
        if self._parsed is _UNPARSED:
            self.read()
            self._parsed = self._parser(self.http_response)
        return self._parsed  # type: ignore[return-value]

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body's decoded bytes, as they arrive."""
        try:
            yield from self.http_response.iter_bytes(chunk_size)
        except _http.TRANSPORT_ERRORS as exc:
            raise _stream_error(self, exc) from None

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        """The body's text, decoded as it arrives."""
        try:
            yield from self.http_response.iter_text(chunk_size)
        except _http.TRANSPORT_ERRORS as exc:
            raise _stream_error(self, exc) from None

    def iter_lines(self) -> Iterator[str]:
        """The body's text, one line at a time, as it arrives."""
        try:
            yield from self.http_response.iter_lines()
        except _http.TRANSPORT_ERRORS as exc:
            raise _stream_error(self, exc) from None

    def close(self) -> None:
        """Release the connection (the context manager does it on exit)."""
        self.http_response.close()


class AsyncStreamedResponse(_Streamed[T]):
    """The async ``StreamedResponse`` (``async with``, ``await response.parse()``,
    ``async for chunk in response.iter_bytes()``)."""

    __slots__ = ()

    async def read(self) -> bytes:
        """Read the whole body (once; later calls give the same bytes)."""
        if not self._read:
            try:
                await aread_bounded(self.http_response, self._limit)
            except _http.STREAM_CONSUMED:
                raise ChatKitError(_CONSUMED) from None
            self._read = True
        return self.http_response.content

    async def text(self) -> str:
        """Read and decode the whole body."""
        await self.read()
        return self.http_response.text

    async def json(self) -> object:
        """Read the whole body and decode it as JSON."""
        return json.loads(await self.read())

    async def parse(self) -> T:
        """Read the body and parse it: what the awaited method without the prefix gives."""
        if self._parsed is _UNPARSED:
            await self.read()
            self._parsed = self._parser(self.http_response)
        return self._parsed  # type: ignore[return-value]

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body's decoded bytes, as they arrive."""
        try:
            async for chunk in self.http_response.aiter_bytes(chunk_size):
                yield chunk
        except _http.TRANSPORT_ERRORS as exc:
            raise _stream_error(self, exc) from None

    async def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        """The body's text, decoded as it arrives."""
        try:
            async for chunk in self.http_response.aiter_text(chunk_size):
                yield chunk
        except _http.TRANSPORT_ERRORS as exc:
            raise _stream_error(self, exc) from None

    async def iter_lines(self) -> AsyncIterator[str]:
        """The body's text, one line at a time, as it arrives."""
        try:
            async for line in self.http_response.aiter_lines():
                yield line
        except _http.TRANSPORT_ERRORS as exc:
            raise _stream_error(self, exc) from None

    async def close(self) -> None:
        """Release the connection (the context manager does it on exit)."""
        await self.http_response.aclose()


class ResponseContextManager(Generic[_R]):
    """Sends the request when entered and closes the response on exit (as the SDK's)."""

    __slots__ = ("_request", "_response")

    def __init__(self, request: Callable[[], _R]) -> None:
        self._request = request
        self._response: _R | None = None

    def __enter__(self) -> _R:
        self._response = self._request()
        return self._response

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        response: Any = self._response
        if response is not None:
            response.close()


class AsyncResponseContextManager(Generic[_R]):
    """The async ``ResponseContextManager``: awaits the request when entered."""

    __slots__ = ("_request", "_response")

    def __init__(self, request: Awaitable[_R]) -> None:
        self._request = request
        self._response: _R | None = None

    async def __aenter__(self) -> _R:
        self._response = await self._request
        return self._response

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        response: Any = self._response
        if response is not None:
            await response.close()

"""Raw responses: the ``httpx.Response`` next to the parsed result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import httpx

from ._secrets import redact

__all__ = ["RawResponse"]

T = TypeVar("T")

_UNPARSED = object()


class RawResponse(Generic[T]):
    """What ``client.threads.with_raw_response.<method>(...)`` returns.

    ``http_response`` is the ``httpx.Response`` (body already read), ``headers``,
    ``status_code`` and ``request_id`` are shortcuts into it, and ``parse()`` gives the
    object the plain method would have returned (parsed once, then cached). Error
    statuses still raise, as with the plain methods.
    """

    __slots__ = ("_parsed", "_parser", "http_response")

    def __init__(
        self, http_response: httpx.Response, parser: Callable[[httpx.Response], T]
    ) -> None:
        self.http_response = http_response
        self._parser = parser
        self._parsed: object = _UNPARSED

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
        return None if request_id is None else redact(request_id)

    def parse(self) -> T:
        """The parsed body: the same object the method without ``with_raw_response`` returns."""
        if self._parsed is _UNPARSED:
            self._parsed = self._parser(self.http_response)
        return self._parsed  # type: ignore[return-value]

    def __repr__(self) -> str:
        request = self.http_response.request
        # The URL may carry an echoed key (a cursor) or one passed in extra_query.
        return redact(f"<RawResponse [{self.status_code}] {request.method} {request.url}>")

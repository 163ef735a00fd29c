"""Cursor pages and auto-pagination that cannot loop forever.

The pages speak the ``openai`` SDK's page interface too (``has_next_page()``,
``get_next_page()``, ``next_page_info().params``, ``iter_pages()``, ``_request_id``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, TypeVar

from ._exceptions import PaginationError
from ._secrets import redact

__all__ = ["AsyncCursorPage", "AsyncPaginator", "PageInfo", "SyncCursorPage"]

T = TypeVar("T")


class PageInfo:
    """What the next page's request changes, as the ``openai`` SDK's ``PageInfo``:
    ``params`` holds the cursor (``{"after": last_id}``, or ``{"before": first_id}`` on
    a backward walk)."""

    __slots__ = ("params",)

    params: dict[str, Any]

    def __init__(self, *, params: dict[str, Any]) -> None:
        self.params = params

    def __repr__(self) -> str:
        return redact(f"PageInfo(params={self.params!r})")  # the cursor may be an echoed key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PageInfo) and other.params == self.params

    __hash__ = None  # type: ignore[assignment]


class _Walk:
    """State shared by the pages of one walk: every cursor used and at which depth.

    A cursor seen again at another depth means the server is sending us round in a
    circle. Storing the depth (rather than a plain set) lets a caller ask the same page
    for its next page twice without that counting as a repeat. Memory is one short string
    per page, not per item.
    """

    __slots__ = ("seen",)

    def __init__(self, params: dict[str, Any]) -> None:
        # The caller's own cursor counts as used at depth 0.
        first_cursor = params.get("after", params.get("before"))
        self.seen: dict[str, int] = {} if first_cursor is None else {first_cursor: 0}


class _BasePage(Generic[T]):
    """What sync and async pages share: the page's data and the next request's parameters."""

    __slots__ = (
        "_depth",
        "_envelope",
        "_params",
        "_walk",
        "data",
        "first_id",
        "has_more",
        "last_id",
    )

    data: list[T]
    """The items on this page, in the order the server sent them."""
    has_more: bool
    """Whether the server says more items follow this page."""
    first_id: str | None
    """The id of the first item on this page (``None`` on an empty page)."""
    last_id: str | None
    """The id of the last item on this page (``None`` on an empty page)."""

    def __init__(
        self, envelope: Any, params: dict[str, Any], walk: _Walk | None = None, depth: int = 0
    ) -> None:
        self._envelope = envelope
        data = envelope.data
        # Lenient parsing leaves a missing or malformed field as it came; a page still
        # behaves (no data, no next page) instead of crashing the caller's loop.
        self.data = data if isinstance(data, list) else []
        self.has_more = envelope.has_more is True
        first_id, last_id = envelope.first_id, envelope.last_id
        self.first_id = first_id if type(first_id) is str else None
        self.last_id = last_id if type(last_id) is str else None
        self._params = params
        self._walk = walk if walk is not None else _Walk(params)
        self._depth = depth

    @property
    def _backward(self) -> bool:
        # Paginating backwards is what a caller who passed only `before` is doing.
        return "before" in self._params and "after" not in self._params

    def has_next_page(self) -> bool:
        """Whether the server says another page follows (``next_page`` may still raise
        ``PaginationError`` if the server's cursors are inconsistent)."""
        return self.has_more

    @property
    def _request_id(self) -> str | None:
        """The ``x-request-id`` of the response this page came in (as in the SDK)."""
        request_id: str | None = getattr(self._envelope, "_request_id", None)
        return request_id

    def _cursor(self) -> tuple[str, str | None]:
        """The query parameter that continues this walk, and its value from this page."""
        return ("before", self.first_id) if self._backward else ("after", self.last_id)

    def next_page_info(self) -> PageInfo | None:
        """The cursor that would continue after this page (``PageInfo.params``), or
        ``None`` when the page names none; as in the SDK it does not look at ``has_more``
        (``has_next_page()`` does). Requests nothing and checks no cursor."""
        key, cursor = self._cursor()
        return None if cursor is None else PageInfo(params={key: cursor})

    def _next_params(self) -> dict[str, Any]:
        if not self.has_more:
            raise PaginationError("There is no next page: this page has has_more=false.")
        if not self.data:
            raise PaginationError(
                "The server said has_more=true on an empty page; stopping instead of "
                "requesting the same page forever."
            )
        key, cursor = self._cursor()
        if cursor is None:
            name = "first_id" if self._backward else "last_id"
            raise PaginationError(
                f"The server said has_more=true without a {name} to continue from."
            )
        depth = self._depth + 1
        seen = self._walk.seen
        if seen.setdefault(cursor, depth) != depth:
            raise PaginationError(
                f"The server returned the cursor {cursor!r} a second time; stopping instead of "
                "looping over the same pages."
            )
        params = dict(self._params)
        params[key] = cursor
        return params

    def to_dict(self) -> dict[str, Any]:
        """The page as the API sent it (``{"object": "list", "data": [...], ...}``)."""
        result: dict[str, Any] = self._envelope.to_dict()
        return result

    def to_json(self, *, indent: int | None = 2) -> str:
        """``to_dict()`` as JSON text (indented by 2 by default, as in the SDK)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def __repr__(self) -> str:
        return redact(  # a server may echo the key back as a cursor
            f"{type(self).__name__}(data=<{len(self.data)} items>, has_more={self.has_more}, "
            f"first_id={self.first_id!r}, last_id={self.last_id!r})"
        )


class SyncCursorPage(_BasePage[T]):
    """One page of a list result. Iterating it yields every item of every page, lazily.

    ``for item in page`` requests the following pages one at a time as the loop reaches
    them (keeping only the current page in memory); ``iter_pages()`` yields the pages
    themselves, and ``next_page()`` (or its SDK name ``get_next_page()``) fetches just
    the next one.
    """

    __slots__ = ("_fetch",)

    def __init__(
        self,
        envelope: Any,
        params: dict[str, Any],
        fetch: Callable[[dict[str, Any], _Walk, int], SyncCursorPage[T]],
        walk: _Walk | None = None,
        depth: int = 0,
    ) -> None:
        super().__init__(envelope, params, walk, depth)
        self._fetch = fetch

    def next_page(self) -> SyncCursorPage[T]:
        """Request the page after this one (``before`` the first id when walking backwards)."""
        return self._fetch(self._next_params(), self._walk, self._depth + 1)

    get_next_page = next_page

    def iter_pages(self) -> Iterator[SyncCursorPage[T]]:
        """This page, then every following page, one request each."""
        page = self
        yield page
        while page.has_more:
            page = page.next_page()
            yield page

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data


class AsyncCursorPage(_BasePage[T]):
    """One page of a list result; ``async for item in page`` walks every page, lazily."""

    __slots__ = ("_fetch",)

    def __init__(
        self,
        envelope: Any,
        params: dict[str, Any],
        fetch: Callable[[dict[str, Any], _Walk, int], Awaitable[AsyncCursorPage[T]]],
        walk: _Walk | None = None,
        depth: int = 0,
    ) -> None:
        super().__init__(envelope, params, walk, depth)
        self._fetch = fetch

    async def next_page(self) -> AsyncCursorPage[T]:
        """Request the page after this one (``before`` the first id when walking backwards)."""
        return await self._fetch(self._next_params(), self._walk, self._depth + 1)

    get_next_page = next_page

    async def iter_pages(self) -> AsyncIterator[AsyncCursorPage[T]]:
        """This page, then every following page, one request each."""
        page = self
        yield page
        while page.has_more:
            page = await page.next_page()
            yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class AsyncPaginator(Generic[T]):
    """What the async ``list`` methods return: ``await`` it for the first page, or
    ``async for`` over it directly to walk every item of every page."""

    __slots__ = ("_get",)

    def __init__(self, get: Callable[[], Awaitable[AsyncCursorPage[T]]]) -> None:
        self._get = get

    def __await__(self) -> Generator[Any, None, AsyncCursorPage[T]]:
        return self._get().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page = await self._get()
        async for item in page:
            yield item

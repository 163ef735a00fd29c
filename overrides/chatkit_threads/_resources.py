"""``client.threads``: the four operations, sync and async, plus their raw variants.

Each operation is split in three: building the request (the generated operation's
``_get_kwargs`` gives method, path with the id percent-encoded, and query), sending it
(the client's retry loop) and parsing the body (``_models`` tables). Only the middle step
differs between sync and async.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from chatkit_threads_api.api.threads import (
    delete_thread,
    list_thread_items,
    list_threads,
    retrieve_thread,
)
from chatkit_threads_api.types import UNSET

from ._config import BETA_HEADER_VALUE
from ._exceptions import APIError, ResponseValidationError
from ._models import (
    DELETED_THREAD,
    THREAD,
    THREAD_ITEM_LIST,
    THREAD_LIST,
    DeletedThreadResource,
    SortOrder,
    ThreadItem,
    ThreadResource,
    check,
)
from ._pagination import AsyncCursorPage, AsyncPaginator, SyncCursorPage, _Walk
from ._params import check_list_params, check_thread_id
from ._response import RawResponse
from ._schema import Spec
from ._secrets import redact

if TYPE_CHECKING:
    from ._client import AsyncChatKit, ChatKit, Timeout

__all__ = [
    "AsyncThreads",
    "AsyncThreadsWithRawResponse",
    "Threads",
    "ThreadsWithRawResponse",
]


def _decode(response: httpx.Response, secret: str) -> dict[str, Any]:
    """The JSON object of a 2xx body; a body that is not one is an ``APIError``."""
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError) as exc:
        # Redacted before it is cut, so no part of an echoed key survives the cut.
        text = redact(response.text, secret)
        snippet = " ".join(text.split())[:200]
        why = "nested too deeply" if isinstance(exc, RecursionError) else "not JSON"
        raise APIError(
            f"Expected a JSON body from {response.request.method} {response.request.url} "
            f"(status {response.status_code}), got ({why}): {snippet!r}",
            response.request,
            body=text,
        ) from None
    if type(data) is not dict:
        raise APIError(
            f"Expected a JSON object from {response.request.method} {response.request.url}, "
            f"got a JSON {type(data).__name__}",
            response.request,
            body=data,
        )
    return data


def _parser(spec: Spec, strict: bool, what: str, secret: str) -> Callable[[httpx.Response], Any]:
    build = spec.build

    def parse(response: httpx.Response) -> Any:
        data = _decode(response, secret)
        try:
            if strict:
                check(spec, data, what=what)
            return build(data)
        except ResponseValidationError as exc:
            # Its problems quote values from the body, which may echo the key.
            raise exc.redacted(secret) from None
        except RecursionError:
            raise APIError(
                f"The {what} from {response.request.method} {response.request.url} is "
                "nested too deeply to parse",
                response.request,
                body=None,
            ) from None
        except Exception as exc:
            # Lenient parsing tolerates drift, but a body no model can be built from
            # (a discriminator that is a list, say) is still the library's error.
            text = f"{type(exc).__name__}: {exc}"
            detail = redact(text, secret)
            raise APIError(
                f"Could not parse the {what} from {response.request.method} "
                f"{response.request.url}: {detail}",
                response.request,
                body=data,
            ) from (exc if detail == text else None)

    return parse


def _list_query(
    module: Any, thread_id: str | None, params: dict[str, Any]
) -> tuple[str, str, dict[str, Any]]:
    kwargs: dict[str, Any] = {
        "after": params.get("after", UNSET),
        "before": params.get("before", UNSET),
        # UNSET, not the generated default of 20: only what the caller passed is sent.
        "limit": params.get("limit", UNSET),
        "order": params.get("order", UNSET),
        "open_ai_beta": BETA_HEADER_VALUE,
    }
    if thread_id is None:
        kwargs["user"] = params.get("user", UNSET)
    else:
        kwargs["thread_id"] = thread_id
    op = module._get_kwargs(**kwargs)
    return op["method"].upper(), op["url"], op["params"]


class _ThreadsBase:
    """Request building and parsing shared by the sync and async resources."""

    def __init__(self, client: ChatKit | AsyncChatKit) -> None:
        strict = client.strict
        key = client.api_key
        self._base_url = client.base_url
        self._parse_thread: Callable[[httpx.Response], ThreadResource] = _parser(
            THREAD, strict, "retrieved thread", key
        )
        self._parse_deleted: Callable[[httpx.Response], DeletedThreadResource] = _parser(
            DELETED_THREAD, strict, "deleted thread", key
        )
        self._parse_thread_list = _parser(THREAD_LIST, strict, "thread list", key)
        self._parse_item_list = _parser(THREAD_ITEM_LIST, strict, "thread item list", key)

    def _thread_op(self, module: Any, thread_id: str) -> tuple[str, str]:
        op = module._get_kwargs(
            thread_id=check_thread_id(thread_id), open_ai_beta=BETA_HEADER_VALUE
        )
        return op["method"].upper(), self._base_url + op["url"]


_Options = tuple[Mapping[str, str] | None, "Timeout | httpx.Timeout", int | None]


class Threads(_ThreadsBase):
    """Sync thread operations: ``client.threads``.

    Every method also takes ``extra_headers`` (added to this request), ``timeout`` and
    ``max_retries`` (overriding the client's for this request).
    """

    with_raw_response: ThreadsWithRawResponse
    """The same methods, returning a ``RawResponse`` (the ``httpx.Response`` and ``parse()``)."""

    def __init__(self, client: ChatKit) -> None:
        super().__init__(client)
        self._client = client
        self.with_raw_response = ThreadsWithRawResponse(self)

    def retrieve(
        self,
        thread_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> ThreadResource:
        """Retrieve a thread by id. Raises ``NotFoundError`` when there is none."""
        return self._retrieve(thread_id, (extra_headers, timeout, max_retries)).parse()

    def delete(
        self,
        thread_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> DeletedThreadResource:
        """Delete a thread with its items. Raises ``NotFoundError`` when there is none."""
        return self._delete(thread_id, (extra_headers, timeout, max_retries)).parse()

    def list(
        self,
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int | None = None,
        order: SortOrder | None = None,
        user: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> SyncCursorPage[ThreadResource]:
        """List threads (newest first unless ``order="asc"``); ``None`` leaves a filter out.

        Returns the first page; iterating it walks every thread of every page, lazily.
        """
        params = check_list_params(after, before, limit, order, user)
        options = (extra_headers, timeout, max_retries)
        return self._list(list_threads, None, params, _Walk(params), 0, options).parse()

    def list_items(
        self,
        thread_id: str,
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int | None = None,
        order: SortOrder | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> SyncCursorPage[ThreadItem]:
        """List a thread's items by creation time (``order``; the server's default is
        ``desc``); iterating the result walks every item of every page, lazily."""
        check_thread_id(thread_id)
        params = check_list_params(after, before, limit, order)
        options = (extra_headers, timeout, max_retries)
        return self._list(list_thread_items, thread_id, params, _Walk(params), 0, options).parse()

    def _retrieve(self, thread_id: str, options: _Options) -> RawResponse[ThreadResource]:
        method, url = self._thread_op(retrieve_thread, thread_id)
        return RawResponse(self._client._send(method, url, None, *options), self._parse_thread)

    def _delete(self, thread_id: str, options: _Options) -> RawResponse[DeletedThreadResource]:
        method, url = self._thread_op(delete_thread, thread_id)
        return RawResponse(self._client._send(method, url, None, *options), self._parse_deleted)

    def _list(
        self,
        module: Any,
        thread_id: str | None,
        params: dict[str, Any],
        walk: _Walk,
        depth: int,
        options: _Options,
    ) -> RawResponse[SyncCursorPage[Any]]:
        method, path, query = _list_query(module, thread_id, params)
        response = self._client._send(method, self._base_url + path, query, *options)
        parse = self._parse_thread_list if thread_id is None else self._parse_item_list

        def fetch(next_params: dict[str, Any], walk: _Walk, depth: int) -> SyncCursorPage[Any]:
            return self._list(module, thread_id, next_params, walk, depth, options).parse()

        def make_page(response: httpx.Response) -> SyncCursorPage[Any]:
            return SyncCursorPage(parse(response), params, fetch, walk, depth)

        return RawResponse(response, make_page)


class AsyncThreads(_ThreadsBase):
    """Async thread operations: ``client.threads`` of ``AsyncChatKit``.

    Same methods and options as ``Threads``; ``list``/``list_items`` return an
    ``AsyncPaginator``: ``await`` it for the first page or ``async for`` over it.
    """

    with_raw_response: AsyncThreadsWithRawResponse
    """The same methods, returning a ``RawResponse`` (the ``httpx.Response`` and ``parse()``)."""

    def __init__(self, client: AsyncChatKit) -> None:
        super().__init__(client)
        self._client = client
        self.with_raw_response = AsyncThreadsWithRawResponse(self)

    async def retrieve(
        self,
        thread_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> ThreadResource:
        """Retrieve a thread by id. Raises ``NotFoundError`` when there is none."""
        return (await self._retrieve(thread_id, (extra_headers, timeout, max_retries))).parse()

    async def delete(
        self,
        thread_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> DeletedThreadResource:
        """Delete a thread with its items. Raises ``NotFoundError`` when there is none."""
        return (await self._delete(thread_id, (extra_headers, timeout, max_retries))).parse()

    def list(
        self,
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int | None = None,
        order: SortOrder | None = None,
        user: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncPaginator[ThreadResource]:
        """List threads; ``await`` for the first page, ``async for`` to walk them all.

        Arguments are checked here, before anything is awaited or sent.
        """
        params = check_list_params(after, before, limit, order, user)
        options = (extra_headers, timeout, max_retries)
        return AsyncPaginator(
            lambda: self._page(list_threads, None, params, _Walk(params), 0, options)
        )

    def list_items(
        self,
        thread_id: str,
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int | None = None,
        order: SortOrder | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncPaginator[ThreadItem]:
        """List a thread's items; ``await`` for the first page, ``async for`` to walk all."""
        check_thread_id(thread_id)
        params = check_list_params(after, before, limit, order)
        options = (extra_headers, timeout, max_retries)
        return AsyncPaginator(
            lambda: self._page(list_thread_items, thread_id, params, _Walk(params), 0, options)
        )

    async def _retrieve(self, thread_id: str, options: _Options) -> RawResponse[ThreadResource]:
        method, url = self._thread_op(retrieve_thread, thread_id)
        response = await self._client._send(method, url, None, *options)
        return RawResponse(response, self._parse_thread)

    async def _delete(
        self, thread_id: str, options: _Options
    ) -> RawResponse[DeletedThreadResource]:
        method, url = self._thread_op(delete_thread, thread_id)
        response = await self._client._send(method, url, None, *options)
        return RawResponse(response, self._parse_deleted)

    async def _page(
        self,
        module: Any,
        thread_id: str | None,
        params: dict[str, Any],
        walk: _Walk,
        depth: int,
        options: _Options,
    ) -> AsyncCursorPage[Any]:
        return (await self._list(module, thread_id, params, walk, depth, options)).parse()

    async def _list(
        self,
        module: Any,
        thread_id: str | None,
        params: dict[str, Any],
        walk: _Walk,
        depth: int,
        options: _Options,
    ) -> RawResponse[AsyncCursorPage[Any]]:
        method, path, query = _list_query(module, thread_id, params)
        response = await self._client._send(method, self._base_url + path, query, *options)
        parse = self._parse_thread_list if thread_id is None else self._parse_item_list

        def fetch(
            next_params: dict[str, Any], walk: _Walk, depth: int
        ) -> Awaitable[AsyncCursorPage[Any]]:
            return self._page(module, thread_id, next_params, walk, depth, options)

        def make_page(response: httpx.Response) -> AsyncCursorPage[Any]:
            return AsyncCursorPage(parse(response), params, fetch, walk, depth)

        return RawResponse(response, make_page)


class ThreadsWithRawResponse:
    """``client.threads.with_raw_response``: each method returns a ``RawResponse``
    whose ``parse()`` gives what the plain method returns."""

    def __init__(self, threads: Threads) -> None:
        self._threads = threads

    def retrieve(
        self,
        thread_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> RawResponse[ThreadResource]:
        """``threads.retrieve`` with the HTTP response."""
        return self._threads._retrieve(thread_id, (extra_headers, timeout, max_retries))

    def delete(
        self,
        thread_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> RawResponse[DeletedThreadResource]:
        """``threads.delete`` with the HTTP response."""
        return self._threads._delete(thread_id, (extra_headers, timeout, max_retries))

    def list(
        self,
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int | None = None,
        order: SortOrder | None = None,
        user: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> RawResponse[SyncCursorPage[ThreadResource]]:
        """``threads.list`` with the HTTP response of the first page."""
        params = check_list_params(after, before, limit, order, user)
        options = (extra_headers, timeout, max_retries)
        return self._threads._list(list_threads, None, params, _Walk(params), 0, options)

    def list_items(
        self,
        thread_id: str,
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int | None = None,
        order: SortOrder | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> RawResponse[SyncCursorPage[ThreadItem]]:
        """``threads.list_items`` with the HTTP response of the first page."""
        check_thread_id(thread_id)
        params = check_list_params(after, before, limit, order)
        options = (extra_headers, timeout, max_retries)
        return self._threads._list(list_thread_items, thread_id, params, _Walk(params), 0, options)


class AsyncThreadsWithRawResponse:
    """``client.threads.with_raw_response`` of ``AsyncChatKit``: awaitables of ``RawResponse``."""

    def __init__(self, threads: AsyncThreads) -> None:
        self._threads = threads

    async def retrieve(
        self,
        thread_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> RawResponse[ThreadResource]:
        """``threads.retrieve`` with the HTTP response."""
        return await self._threads._retrieve(thread_id, (extra_headers, timeout, max_retries))

    async def delete(
        self,
        thread_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> RawResponse[DeletedThreadResource]:
        """``threads.delete`` with the HTTP response."""
        return await self._threads._delete(thread_id, (extra_headers, timeout, max_retries))

    async def list(
        self,
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int | None = None,
        order: SortOrder | None = None,
        user: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> RawResponse[AsyncCursorPage[ThreadResource]]:
        """``threads.list`` with the HTTP response of the first page."""
        params = check_list_params(after, before, limit, order, user)
        options = (extra_headers, timeout, max_retries)
        return await self._threads._list(list_threads, None, params, _Walk(params), 0, options)

    async def list_items(
        self,
        thread_id: str,
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int | None = None,
        order: SortOrder | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
    ) -> RawResponse[AsyncCursorPage[ThreadItem]]:
        """``threads.list_items`` with the HTTP response of the first page."""
        check_thread_id(thread_id)
        params = check_list_params(after, before, limit, order)
        options = (extra_headers, timeout, max_retries)
        return await self._threads._list(
            list_thread_items, thread_id, params, _Walk(params), 0, options
        )

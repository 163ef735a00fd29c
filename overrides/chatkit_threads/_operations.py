"""The request path every resource method takes, driven by the spec's operation table.

The resource classes (``chatkit_threads_api.client_resources``) are generated from the
spec: one typed method per operation, which hands this module the operation's
description (``Operation``: method, path, parameters with their rules, 200 schema,
paginated or not), the caller's arguments and one ``RequestOptions``. From there:

1. ``build_request``: check every argument against the spec (before anything is sent),
   percent-encode the path parameters, merge ``extra_query``;
2. the client's ``_send`` (retries, errors); the only step that differs between sync and
   async;
3. a parser per operation (``_parsing``): decode, validate in strict mode, refuse a body
   that is not the resource at all even in lenient mode, build the models; a paginated
   operation's result is a page that requests its successor through the same call.

``with_raw_response``/``with_streaming_response`` run the same generated methods on a
*view* of the resource (``_wrappers``): the same class with ``_call`` swapped for
``_call_raw``/``_call_streamed``, so the plain methods pay nothing for the variants.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import quote

import httpx

from chatkit_threads_spec import Operation, Parameter, rules

from ._exceptions import InvalidArgumentError, InvalidArgumentTypeError
from ._pagination import AsyncCursorPage, AsyncPaginator, SyncCursorPage, _Walk
from ._parsing import bound, parser
from ._response import AsyncStreamedResponse, RawResponse, StreamedResponse
from ._secrets import redact
from ._types import NOT_GIVEN, TimeoutArg

if TYPE_CHECKING:
    from collections.abc import Coroutine

__all__ = [
    "NOT_GIVEN",
    "AsyncResource",
    "PreparedRequest",
    "RequestOptions",
    "SyncResource",
    "TimeoutArg",
    "build_request",
    "check_param",
]


class RequestOptions(NamedTuple):
    """What every method takes besides the operation's own parameters (a tuple: made on
    every call, so it is as cheap as can be)."""

    extra_query: Mapping[str, Any] | None = None
    """More query parameters, sent as given (also on every later page)."""
    extra_headers: Mapping[str, str] | None = None
    """More headers for this request (they win over the client's)."""
    timeout: TimeoutArg = NOT_GIVEN
    """This request's timeout; ``None`` for none at all, ``NOT_GIVEN`` keeps the client's."""
    max_retries: int | None = None
    """This request's retry budget; ``None`` keeps the client's."""


class _Sender(Protocol):
    api_key: str
    base_url: str
    strict: bool
    max_response_bytes: int | None
    _default_query: dict[str, Any] | None

    def _send(
        self,
        op: Operation,
        url: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
        stream: bool = False,
    ) -> Any: ...


# --- arguments -------------------------------------------------------------------------


def check_param(param: Parameter, value: Any) -> Any:
    """``value`` if it satisfies the spec's rules for ``param`` (the one check, in
    ``chatkit_threads_spec.rules``); else ``InvalidArgumentTypeError`` (a ``TypeError``:
    wrong type) or ``InvalidArgumentError`` (a ``ValueError``: outside the enum, the
    bounds or the pattern), naming the parameter. Both are ``ChatKitError``s, so
    ``except OpenAIError`` code catches a refused argument too."""
    try:
        return rules.check_param(param, value)
    except rules.ParameterTypeError as exc:
        raise InvalidArgumentTypeError(exc.message, param=exc.param) from None
    except rules.ParameterValueError as exc:
        raise InvalidArgumentError(exc.message, param=exc.param) from None


def _path_segment(param: Parameter, value: Any) -> str:
    value = check_param(param, value)
    # '.' and '..' survive percent-encoding and are then normalised away by URL
    # resolution: delete('..') would send DELETE /v1/chatkit.
    if not value or value in (".", "..") or "/" in value:
        raise InvalidArgumentError(
            f"{param.python_name} must be a non-empty id without '/' and not '.' or '..', "
            f"got {redact(repr(value))}",
            param=param.name,
        )
    return quote(value, safe="")


class PreparedRequest(NamedTuple):
    """An operation call with checked arguments: what ``_send`` needs, and what a page
    needs to request its successor."""

    op: Operation
    url: str
    query: dict[str, Any]
    options: RequestOptions


def build_request(
    client: _Sender,
    op: Operation,
    path_args: Mapping[str, Any],
    query_args: Mapping[str, Any],
    options: RequestOptions,
) -> PreparedRequest:
    """Check the arguments against the spec and build the URL and query; ``None`` query
    arguments are left out (the spec's defaults are the server's to apply)."""
    segments = {p.name: _path_segment(p, path_args[p.name]) for p in op.path_params}
    query: dict[str, Any] = {}
    for param in op.query:
        value = query_args.get(param.name)
        if value is not None:
            query[param.name] = check_param(param, value)
        elif param.required:
            raise InvalidArgumentTypeError(f"{param.python_name} is required", param=param.name)
    if options.extra_query:
        query.update(options.extra_query)
    default_query = client._default_query
    if default_query:
        # The client's default_query goes first: this call's own arguments win.
        query = {**default_query, **query}
    return PreparedRequest(op, client.base_url + op.path.format(**segments), query, options)


# --- resources -------------------------------------------------------------------------


class _Resource:
    """Base of the generated resource classes: holds the client."""

    __slots__ = ("_client",)

    def __init__(self, client: Any) -> None:
        self._client = client

    def _prepare(
        self,
        op: Operation,
        path_args: Mapping[str, Any],
        query_args: Mapping[str, Any],
        options: RequestOptions,
    ) -> PreparedRequest:
        return build_request(self._client, op, path_args, query_args, options)


class SyncResource(_Resource):
    """Sync request path: ``_call`` returns the parsed result, ``_call_raw`` the
    ``RawResponse`` (a paginated operation's ``parse()`` gives the first page) and
    ``_call_streamed`` a ``StreamedResponse`` whose body is not read yet."""

    __slots__ = ()

    def _call(
        self,
        op: Operation,
        path_args: Mapping[str, Any],
        query_args: Mapping[str, Any],
        options: RequestOptions,
    ) -> Any:
        return self._call_raw(op, path_args, query_args, options).parse()

    def _call_raw(
        self,
        op: Operation,
        path_args: Mapping[str, Any],
        query_args: Mapping[str, Any],
        options: RequestOptions,
    ) -> RawResponse[Any]:
        prepared = self._prepare(op, path_args, query_args, options)
        return self._fetch(prepared, prepared.query, None, 0)

    def _call_streamed(
        self,
        op: Operation,
        path_args: Mapping[str, Any],
        query_args: Mapping[str, Any],
        options: RequestOptions,
    ) -> StreamedResponse[Any]:
        prepared = self._prepare(op, path_args, query_args, options)
        client = self._client
        response = client._send(op, prepared.url, prepared.query or None, options, True)
        parse = self._parse_fn(prepared, prepared.query, None, 0)
        return StreamedResponse(response, parse, client.max_response_bytes, client.api_key)

    def _fetch(
        self,
        prepared: PreparedRequest,
        query: dict[str, Any],
        pager: _SyncPager | None,
        depth: int,
    ) -> RawResponse[Any]:
        op = prepared.op
        response = self._client._send(op, prepared.url, query or None, prepared.options)
        return RawResponse(response, self._parse_fn(prepared, query, pager, depth))

    def _parse_fn(
        self,
        prepared: PreparedRequest,
        query: dict[str, Any],
        pager: _SyncPager | None,
        depth: int,
    ) -> Callable[[httpx.Response], Any]:
        op = prepared.op
        parse = bound(parser(op, self._client.strict), self._client.api_key)
        if not op.paginated:
            return parse
        walker = pager if pager is not None else _SyncPager(self, prepared, _Walk(query))

        def make_page(response: httpx.Response) -> SyncCursorPage[Any]:
            return SyncCursorPage(parse(response), query, walker.next, walker.walk, depth)

        return make_page


class _SyncPager:
    """One auto-pagination walk, made once per ``list`` call and shared by its pages: it
    requests the page after a given one, so a page carries no request state of its own."""

    __slots__ = ("prepared", "resource", "walk")

    def __init__(self, resource: SyncResource, prepared: PreparedRequest, walk: _Walk) -> None:
        self.resource, self.prepared, self.walk = resource, prepared, walk

    def next(self, query: dict[str, Any], walk: _Walk, depth: int) -> SyncCursorPage[Any]:
        page: SyncCursorPage[Any] = self.resource._fetch(self.prepared, query, self, depth).parse()
        return page


class AsyncResource(_Resource):
    """Async request path: ``_call`` returns a coroutine of the parsed result, or for a
    paginated operation an ``AsyncPaginator``; ``_call_raw``/``_call_streamed`` a
    coroutine of the ``RawResponse``/``AsyncStreamedResponse``. Arguments are checked at
    call time, before anything is awaited."""

    __slots__ = ()

    def _call(
        self,
        op: Operation,
        path_args: Mapping[str, Any],
        query_args: Mapping[str, Any],
        options: RequestOptions,
    ) -> Any:
        prepared = self._prepare(op, path_args, query_args, options)
        if op.paginated:
            return AsyncPaginator(lambda: self._page(prepared, prepared.query, None, 0))
        return self._parsed(prepared)

    async def _parsed(self, prepared: PreparedRequest) -> Any:
        return (await self._fetch(prepared, prepared.query, None, 0)).parse()

    def _call_raw(
        self,
        op: Operation,
        path_args: Mapping[str, Any],
        query_args: Mapping[str, Any],
        options: RequestOptions,
    ) -> Coroutine[Any, Any, RawResponse[Any]]:
        prepared = self._prepare(op, path_args, query_args, options)
        return self._fetch(prepared, prepared.query, None, 0)

    def _call_streamed(
        self,
        op: Operation,
        path_args: Mapping[str, Any],
        query_args: Mapping[str, Any],
        options: RequestOptions,
    ) -> Coroutine[Any, Any, AsyncStreamedResponse[Any]]:
        prepared = self._prepare(op, path_args, query_args, options)
        return self._stream(prepared)

    async def _stream(self, prepared: PreparedRequest) -> AsyncStreamedResponse[Any]:
        client, op = self._client, prepared.op
        query = prepared.query
        response = await client._send(op, prepared.url, query or None, prepared.options, True)
        parse = self._parse_fn(prepared, query, None, 0)
        return AsyncStreamedResponse(response, parse, client.max_response_bytes, client.api_key)

    async def _page(
        self,
        prepared: PreparedRequest,
        query: dict[str, Any],
        pager: _AsyncPager | None,
        depth: int,
    ) -> AsyncCursorPage[Any]:
        page: AsyncCursorPage[Any] = (await self._fetch(prepared, query, pager, depth)).parse()
        return page

    async def _fetch(
        self,
        prepared: PreparedRequest,
        query: dict[str, Any],
        pager: _AsyncPager | None,
        depth: int,
    ) -> RawResponse[Any]:
        op = prepared.op
        response = await self._client._send(op, prepared.url, query or None, prepared.options)
        return RawResponse(response, self._parse_fn(prepared, query, pager, depth))

    def _parse_fn(
        self,
        prepared: PreparedRequest,
        query: dict[str, Any],
        pager: _AsyncPager | None,
        depth: int,
    ) -> Callable[[httpx.Response], Any]:
        op = prepared.op
        parse = bound(parser(op, self._client.strict), self._client.api_key)
        if not op.paginated:
            return parse
        walker = pager if pager is not None else _AsyncPager(self, prepared, _Walk(query))

        def make_page(response: httpx.Response) -> AsyncCursorPage[Any]:
            return AsyncCursorPage(parse(response), query, walker.next, walker.walk, depth)

        return make_page


class _AsyncPager:
    """The async ``_SyncPager``."""

    __slots__ = ("prepared", "resource", "walk")

    def __init__(self, resource: AsyncResource, prepared: PreparedRequest, walk: _Walk) -> None:
        self.resource, self.prepared, self.walk = resource, prepared, walk

    def next(
        self, query: dict[str, Any], walk: _Walk, depth: int
    ) -> Awaitable[AsyncCursorPage[Any]]:
        return self.resource._page(self.prepared, query, self, depth)

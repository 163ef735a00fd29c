"""The request path every resource method takes, driven by the spec's operation table.

The resource classes (``chatkit_threads_api.client_resources``) are generated from the
spec: one typed method per operation, which hands this module the operation's
description (``Operation``: method, path, parameters with their rules, 200 schema,
paginated or not), the caller's arguments and one ``RequestOptions``. From there:

1. ``build_request``: check every argument against the spec (before anything is sent),
   percent-encode the path parameters, merge ``extra_query``;
2. the client's ``_send`` (retries, errors); the only step that differs between sync and
   async;
3. a parser per operation (``_parsers``): decode, validate in strict mode, refuse a body
   that is not the resource at all even in lenient mode, build the models; a paginated
   operation's result is a page that requests its successor through the same call.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import quote

import httpx

from chatkit_threads_spec import Operation, Parameter
from chatkit_threads_spec.rules import check_param

from ._exceptions import APIError, ResponseValidationError
from ._pagination import AsyncCursorPage, AsyncPaginator, SyncCursorPage, _Walk
from ._response import RawResponse
from ._schema import Spec
from ._secrets import redact, scrub
from ._strict import check

if TYPE_CHECKING:
    from collections.abc import Coroutine

__all__ = [
    "AsyncResource",
    "PreparedRequest",
    "RequestOptions",
    "SyncResource",
    "TimeoutArg",
    "build_request",
    "check_param",
]

TimeoutArg = float | httpx.Timeout | None
"""A per-request timeout: seconds, an ``httpx.Timeout``, or ``None`` for the client's."""


class RequestOptions(NamedTuple):
    """What every method takes besides the operation's own parameters (a tuple: made on
    every call, so it is as cheap as can be)."""

    extra_query: Mapping[str, Any] | None = None
    """More query parameters, sent as given (also on every later page)."""
    extra_headers: Mapping[str, str] | None = None
    """More headers for this request (they win over the client's)."""
    timeout: TimeoutArg = None
    """This request's timeout; ``None`` keeps the client's."""
    max_retries: int | None = None
    """This request's retry budget; ``None`` keeps the client's."""


class _Sender(Protocol):
    api_key: str
    base_url: str
    strict: bool

    def _send(
        self, method: str, url: str, params: dict[str, Any] | None, options: RequestOptions
    ) -> Any: ...


# --- arguments -------------------------------------------------------------------------


def _path_segment(param: Parameter, value: Any) -> str:
    value = check_param(param, value)
    # '.' and '..' survive percent-encoding and are then normalised away by URL
    # resolution: delete('..') would send DELETE /v1/chatkit.
    if not value or value in (".", "..") or "/" in value:
        raise ValueError(
            f"{param.python_name} must be a non-empty id without '/' and not '.' or '..', "
            f"got {redact(repr(value))}"
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
            raise TypeError(f"{param.python_name} is required")
    if options.extra_query:
        query.update(options.extra_query)
    return PreparedRequest(op, client.base_url + op.path.format(**segments), query, options)


# --- responses -------------------------------------------------------------------------


def _decode(response: httpx.Response, secret: str) -> dict[str, Any]:
    """The JSON object of a 2xx body; a body that is not one is an ``APIError``."""
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError) as exc:
        # Redacted before it is cut, so no part of an echoed key survives the cut.
        # Not response.text: its charset is the server's to name, and some names
        # ("rot13", "hex", "idna") make decoding raise instead of decode.
        text = redact(response.content.decode("utf-8", errors="replace"), secret)
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


def _identity_check(spec: Spec) -> Callable[[httpx.Response, dict[str, Any], str], None]:
    """Lenient mode tolerates drift, not a body that is not the resource at all: the
    ``object`` the spec fixes must be there, and a deletion result must say ``deleted``."""
    object_field = spec.fields.get("object")
    expected = object_field.const if object_field is not None else None
    deleted = spec.fields.get("deleted")
    confirm = deleted is not None and deleted.kind == "boolean"

    def identity(response: httpx.Response, data: dict[str, Any], secret: str) -> None:
        request = response.request
        if expected is not None and data.get("object") != expected:
            got = redact(str(data.get("object", "<missing>")), secret)[:80]
            raise APIError(
                f"Expected a {expected!r} object from {request.method} {request.url}, "
                f"got object={got!r}: the body is not a {spec.name}",
                request,
                body=scrub(data, secret),
            )
        if confirm and type(data.get("deleted")) is not bool:
            got = redact(str(data.get("deleted", "<missing>")), secret)[:80]
            raise APIError(
                f"{request.method} {request.url} answered {response.status_code} without "
                f"saying whether it deleted (deleted={got!r})",
                request,
                body=scrub(data, secret),
            )

    return identity


_Parse = Callable[[httpx.Response, str], Any]
_PARSERS: dict[tuple[str, bool], _Parse] = {}


def _parser(op: Operation, strict: bool) -> _Parse:
    """The body parser of ``op`` (built once per operation and mode); it takes the
    response and the client's key, which no message it raises may contain."""
    key = (op.operation_id, strict)
    found = _PARSERS.get(key)
    if found is not None:
        return found
    from chatkit_threads_api.client_models import SPECS

    spec = SPECS[str(op.response_schema)]
    build = spec.build
    identity = _identity_check(spec)
    what = f"{op.operation_id} response"

    def parse(response: httpx.Response, secret: str) -> Any:
        data = _decode(response, secret)
        try:
            if strict:
                check(spec.name, data, what=what)
            identity(response, data, secret)
            return build(data)
        except ResponseValidationError as exc:
            # Its problems quote values from the body, which may echo the key.
            raise exc.redacted(secret) from None
        except APIError:
            raise
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
                body=scrub(data, secret),
            ) from (exc if detail == text else None)

    _PARSERS[key] = parse
    return parse


def _bound(parse: _Parse, secret: str) -> Callable[[httpx.Response], Any]:
    def parse_response(response: httpx.Response) -> Any:
        return parse(response, secret)

    return parse_response


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
    ``RawResponse`` (a paginated operation's ``parse()`` gives the first page)."""

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

    def _fetch(
        self,
        prepared: PreparedRequest,
        query: dict[str, Any],
        pager: _SyncPager | None,
        depth: int,
    ) -> RawResponse[Any]:
        op, options = prepared.op, prepared.options
        response = self._client._send(op.method, prepared.url, query or None, options)
        parse = _bound(_parser(op, self._client.strict), self._client.api_key)
        if not op.paginated:
            return RawResponse(response, parse)
        walker = pager if pager is not None else _SyncPager(self, prepared, _Walk(query))

        def make_page(response: httpx.Response) -> SyncCursorPage[Any]:
            return SyncCursorPage(parse(response), query, walker.next, walker.walk, depth)

        return RawResponse(response, make_page)


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
    paginated operation an ``AsyncPaginator``; ``_call_raw`` a coroutine of the
    ``RawResponse``. Arguments are checked at call time, before anything is awaited."""

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
        op, options = prepared.op, prepared.options
        response = await self._client._send(op.method, prepared.url, query or None, options)
        parse = _bound(_parser(op, self._client.strict), self._client.api_key)
        if not op.paginated:
            return RawResponse(response, parse)
        walker = pager if pager is not None else _AsyncPager(self, prepared, _Walk(query))

        def make_page(response: httpx.Response) -> AsyncCursorPage[Any]:
            return AsyncCursorPage(parse(response), query, walker.next, walker.walk, depth)

        return RawResponse(response, make_page)


class _AsyncPager:
    """The async ``_SyncPager``."""

    __slots__ = ("prepared", "resource", "walk")

    def __init__(self, resource: AsyncResource, prepared: PreparedRequest, walk: _Walk) -> None:
        self.resource, self.prepared, self.walk = resource, prepared, walk

    def next(
        self, query: dict[str, Any], walk: _Walk, depth: int
    ) -> Awaitable[AsyncCursorPage[Any]]:
        return self.resource._page(self.prepared, query, self, depth)

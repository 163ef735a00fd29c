"""`MockApi`: the HTTP handlers of the spec's operations over a `ThreadStore`.

Query parameters (types, bounds, enums, defaults) and the required headers come from
the spec; each operation is answered by the method named after its operation id
(`listThreads` -> `list_threads`).
"""

from __future__ import annotations

import collections
import functools
import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar
from urllib.parse import unquote

import anyio.to_thread
from anyio import CapacityLimiter
from starlette.requests import Request
from starlette.responses import Response

from chatkit_threads_spec import Operation, Parameter, load_spec
from chatkit_threads_spec.rules import ParameterError, parse_query

from .errors import JSON, Reject, reject
from .middleware import ESCAPED_SEGMENTS
from .query import first_headers, query_items, single
from .store import Page, ThreadStore, UnknownCursor, project_for_key

__all__ = [
    "BETA_HEADER_VALUE",
    "DEFAULT_API_KEY",
    "EXPOSED_HEADERS",
    "OPERATION_KEY",
    "REQUIRED_HEADERS",
    "SPEC",
    "MockApi",
]

DEFAULT_API_KEY = "sk-chatkit-mock"
"""The key the mock accepts when no keys are configured."""

SPEC = load_spec()
"""The spec the mock implements (the project's document)."""

OPERATIONS = SPEC.operations

REQUIRED_HEADERS = dict(SPEC.fixed_headers)
"""The fixed headers of the spec's operations (`OpenAI-Beta`), name -> value. Each request
must carry those of the operation it routes to (`Operation.headers`)."""

EXPOSED_HEADERS = frozenset(
    name.lower()
    for operation in OPERATIONS
    for response in operation.responses.values()
    for name in response.headers
)
"""The response headers the spec declares (a browser page may read them)."""

BETA_HEADER_VALUE = next(iter(REQUIRED_HEADERS.values()), "")
"""The value the spec requires in the `OpenAI-Beta` header."""


class _HeaderCheck(NamedTuple):
    """What `MockApi.project` checks in one operation's requests, worked out once."""

    read: frozenset[bytes]
    """The request headers it reads, as they arrive in the ASGI scope (lower case)."""
    fixed: tuple[tuple[str, bytes, str], ...]
    """Each fixed header: its name, its name as read, its one value."""


def _header_check(headers: Mapping[str, str]) -> _HeaderCheck:
    fixed = tuple((name, name.lower().encode("latin-1"), value) for name, value in headers.items())
    return _HeaderCheck(frozenset([b"authorization", *(raw for _, raw, _ in fixed)]), fixed)


# Scope keys: the operation a request was routed to, and its checked parameters.
OPERATION_KEY = "chatkit_mock.operation"
_PARAMS = "chatkit_mock.params"
_T = TypeVar("_T")
# How many query strings' checked values `MockApi.params` keeps: the few a client repeats
# (a first page polled, the same filters). A walk's cursors are each new, and so are
# most of the bench's (it rotates through 500): those take the full check, as they should.
_PARSED_QUERIES = 64


def _refused(error: ParameterError) -> Reject:
    """The 400 for a query value the spec's rules refuse, worded by the rules."""
    return reject(400, error.message, param=error.param, code=error.code)


def _query_of(operation: Operation) -> tuple[tuple[str, Parameter], ...]:
    """An operation's query parameters with their wire names, in the document's order."""
    return tuple((parameter.name, parameter) for parameter in operation.query)


def _keywords(method: Callable[..., Any]) -> frozenset[str]:
    """The keyword parameters a store method takes."""
    return _parameters_of(getattr(method, "__func__", method))


@functools.cache
def _parameters_of(function: Callable[..., Any]) -> frozenset[str]:
    return frozenset(inspect.signature(function).parameters)


class MockApi:
    """HTTP handlers over a store. Subclass and override one method to change one behaviour."""

    operations: tuple[Operation, ...] = OPERATIONS
    """The spec's operations; each is routed to the method named after its id."""

    def __init__(
        self,
        store: ThreadStore,
        api_keys: Sequence[str],
        *,
        require_beta_header: bool = True,
    ) -> None:
        self.store = store
        self.projects = {key: project_for_key(key) for key in api_keys}
        self.require_beta_header = require_beta_header
        # Worked out per operation once, not per request (`project` runs on every one).
        self._header_checks = {
            operation.operation_id: _header_check(operation.headers)
            for operation in self.operations
        }
        # A request that routes to no operation (judged before routing, by the fault
        # injector) must carry every fixed header of the spec.
        self._unrouted_check = _header_check(REQUIRED_HEADERS)
        # Each operation's query parameters by wire name, also worked out once.
        # The checked values of the query strings last seen, per operation: a client
        # sends the same few again and again, and `parse_query` is a pure function of
        # the parameter and the text. Only `MockApi`'s own `check_param` is skipped so;
        # a subclass's is called on every request.
        self._parsed: collections.OrderedDict[tuple[str, bytes], dict[str, Any]]
        self._parsed = collections.OrderedDict()
        self._parsed_is_pure = type(self).check_param is MockApi.check_param
        self._queries = {
            operation.operation_id: _query_of(operation) for operation in self.operations
        }
        # Reads and writes wait in separate pools, so deletes waiting for a locked file
        # never hold up the reads.
        self._reads = CapacityLimiter(32)
        self._writes = CapacityLimiter(16)

    # -- request checks ----------------------------------------------------------

    def project(self, request: Request) -> str:
        """The caller's project, from the bearer key; 401/400 envelopes otherwise.

        The request must also carry the fixed headers (`OpenAI-Beta`) of the operation it
        routes to (unless `require_beta_header` is off).
        """
        operation: Operation | None = request.scope.get(OPERATION_KEY)
        check = self._unrouted_check
        if operation is not None:
            found = self._header_checks.get(operation.operation_id)
            check = self._checks_of(operation) if found is None else found
        sent = first_headers(request.scope, check.read)
        scheme, _, key = sent.get(b"authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise reject(
                401,
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
            )
        project = self.projects.get(key.strip())
        if project is None:
            # Never echo the key: it may be a real secret sent to the wrong server.
            raise reject(401, "Incorrect API key provided.", code="invalid_api_key")
        for name, raw_name, value in check.fixed if self.require_beta_header else ():
            if sent.get(raw_name) != value:
                raise reject(
                    400,
                    f"The '{name}' header must be '{value}' for the ChatKit API.",
                    param=name,
                    code="missing_beta_header",
                )
        return project

    def _checks_of(self, operation: Operation) -> _HeaderCheck:
        # An operation routed here that is not one of `operations` (a subclass's own).
        check = self._header_checks[operation.operation_id] = _header_check(operation.headers)
        return check

    def authorized(self, request: Request) -> bool:
        """Whether `project` accepts the request (faults apply only then)."""
        try:
            self.project(request)
        except Reject:
            return False
        return True

    def query(self, request: Request, name: str) -> str | None:
        """One query parameter; repeating it is an error."""
        return single(name, request.query_params.getlist(name))

    def params(self, request: Request) -> dict[str, Any]:
        """Every query parameter of the request's operation, by name, checked by the spec's
        rules (`chatkit_threads_spec.rules.parse_query`, the client's own check).

        A parameter not sent (or sent empty where its rules allow an empty string:
        `after=` means no cursor) has its spec default, or None.
        """
        scope = request.scope
        cached: dict[str, Any] | None = scope.get(_PARAMS)
        if cached is not None:
            return cached
        operation: Operation | None = scope.get(OPERATION_KEY)
        values: dict[str, Any] = {}
        if operation is None:
            scope[_PARAMS] = values
            return values
        query = self._queries.get(operation.operation_id)
        if query is None:
            # An operation routed here that is not one of `operations` (a subclass's own).
            query = self._queries[operation.operation_id] = _query_of(operation)
        raw: bytes = scope.get("query_string", b"")
        known = self._parsed.get((operation.operation_id, raw))
        if known is not None:
            values.update(known)
            scope[_PARAMS] = values
            return values
        # What `request.query_params` holds, without building it: each name's first
        # value, and every value of a name sent more than once.
        sent: dict[str, str] = {}
        repeated: dict[str, list[str]] = {}
        if raw:
            for name, value in query_items(raw.decode("latin-1")):
                if name not in sent:
                    sent[name] = value
                else:
                    repeated.setdefault(name, [sent[name]]).append(value)
        if not self._parsed_is_pure:
            for name, parameter in query:
                text = single(name, repeated[name]) if name in repeated else sent.get(name)
                values[name] = self.check_param(parameter, text)
            scope[_PARAMS] = values
            return values
        try:
            # `check_param`'s own work, in one `try` for every parameter.
            for name, parameter in query:
                text = single(name, repeated[name]) if name in repeated else sent.get(name)
                values[name] = parse_query(parameter, text)
        except ParameterError as error:
            raise _refused(error) from None
        if len(self._parsed) >= _PARSED_QUERIES:
            # Bounded: a client sending a new query each time must not grow memory. (An
            # OrderedDict: a dict's first key is found by skipping the ones popped before.)
            self._parsed.popitem(last=False)
        self._parsed[operation.operation_id, raw] = dict(values)
        scope[_PARAMS] = values
        return values

    def check_param(self, parameter: Parameter, text: str | None) -> Any:
        """One query value (None: not sent), converted and checked; a 400 naming it."""
        try:
            return parse_query(parameter, text)
        except ParameterError as error:
            raise _refused(error) from None

    def page_params(self, request: Request) -> dict[str, Any]:
        """The listing's query parameters, checked against the spec (see `params`)."""
        return dict(self.params(request))

    def store_args(self, function: Callable[..., Any], request: Request) -> dict[str, Any]:
        """`page_params` that the store method `function` takes, as keyword arguments.

        The store's listings name their keywords after the spec's parameters; one the
        store does not take (a parameter the spec added) is checked but not applied.
        """
        accepted = _keywords(function)
        return {k: v for k, v in self.page_params(request).items() if k in accepted}

    def thread_id(self, request: Request) -> str:
        """The path's thread id (an encoded `/` in it stays part of it)."""
        thread_id = str(request.path_params["thread_id"])
        if request.scope.get(ESCAPED_SEGMENTS):
            # `KeepEncodedSlashes` quoted the one segment that held a `%2F`; only the
            # thread id can have matched it, since the route's other segments are words.
            return unquote(thread_id)
        return thread_id

    # -- the store, off the event loop -------------------------------------------

    async def read(self, function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """Call a store method that reads: in a worker thread for a file database."""
        if not self.store.blocking:
            return function(*args, **kwargs)  # see `_call`
        return await self._call(self._reads, function, *args, **kwargs)

    async def write(self, function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """Call a store method that writes (it may wait up to the store's `lock_timeout`)."""
        return await self._call(self._writes, function, *args, **kwargs)

    async def _call(
        self, limiter: CapacityLimiter, function: Callable[..., _T], *args: Any, **kwargs: Any
    ) -> _T:
        if not self.store.blocking:
            # In memory a query is CPU work under the GIL and never waits on another
            # process: a thread would only add latency.
            return function(*args, **kwargs)
        call = functools.partial(function, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=limiter)

    # -- answers -----------------------------------------------------------------

    def json(self, body: str) -> Response:
        """A 200 answer with an already-serialised JSON body."""
        return Response(body, media_type=JSON)

    def page(self, page: Page) -> Response:
        """A list envelope."""
        return self.json(page.to_json())

    def not_found(self, thread_id: str) -> Reject:
        """The 404 for a thread this key cannot see (missing, deleted or someone else's)."""
        return reject(
            404,
            f"Thread with id '{thread_id[:100]}' not found.",
            param="thread_id",
            code="not_found",
        )

    def unknown_cursor(self, error: UnknownCursor) -> Reject:
        """The 400 for a cursor that names nothing in the listing."""
        return reject(
            400,
            f"Invalid '{error.param}': {error.value[:100]!r} is not an id in this listing.",
            param=error.param,
            code="invalid_cursor",
        )

    # -- the operations, named after their operation ids ---------------------------

    async def list_threads(self, request: Request) -> Response:
        """GET /chatkit/threads"""
        project = self.project(request)
        params = self.store_args(self.store.list_threads, request)
        try:
            page = await self.read(self.store.list_threads, project, **params)
        except UnknownCursor as error:
            raise self.unknown_cursor(error) from None
        return self.page(page)

    async def retrieve_thread(self, request: Request) -> Response:
        """GET /chatkit/threads/{thread_id}"""
        project = self.project(request)
        thread_id = self.thread_id(request)
        body = await self.read(self.store.get_thread, project, thread_id)
        if body is None:
            raise self.not_found(thread_id)
        return self.json(body)

    async def delete_thread(self, request: Request) -> Response:
        """DELETE /chatkit/threads/{thread_id}"""
        project = self.project(request)
        thread_id = self.thread_id(request)
        if not await self.write(self.store.delete_thread, project, thread_id):
            raise self.not_found(thread_id)
        operation: Operation = request.scope[OPERATION_KEY]
        body = {"id": thread_id, "object": operation.response_object, "deleted": True}
        return self.json(json.dumps(body))

    async def list_thread_items(self, request: Request) -> Response:
        """GET /chatkit/threads/{thread_id}/items (answered by `list_items`)."""
        return await self.list_items(request)

    async def list_items(self, request: Request) -> Response:
        """GET /chatkit/threads/{thread_id}/items"""
        project = self.project(request)
        params = self.store_args(self.store.list_items, request)
        thread_id = self.thread_id(request)
        try:
            page = await self.read(self.store.list_items, project, thread_id, **params)
        except UnknownCursor as error:
            raise self.unknown_cursor(error) from None
        if page is None:
            raise self.not_found(thread_id)
        return self.page(page)

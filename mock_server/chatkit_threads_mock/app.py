"""The Starlette application: the spec's operations over a `ThreadStore`.

Routes, query parameters (types, bounds, enums, defaults) and the required headers
come from the bundled OpenAPI document (`schema`); each operation is answered by the
`MockApi` method named after its operation id (`listThreads` -> `list_threads`).
Every answer is JSON with an `x-request-id`; every error uses the API's envelope
(`errors`), including unknown routes, wrong methods, a busy database and crashes.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote

import anyio.to_thread
from anyio import CapacityLimiter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import JSON, Reject, crash, error_response, exception_handlers, reject
from .faults import FaultInjector, FaultSpec, parse_faults
from .middleware import ESCAPED_SEGMENTS, CrashesAsErrors, KeepEncodedSlashes, RequestIds
from .schema import Operation, Parameter, base_path, operations
from .store import DEFAULT_LOCK_TIMEOUT, Page, ThreadStore, UnknownCursor, project_for_key

__all__ = [
    "BETA_HEADER_VALUE",
    "DEFAULT_API_KEY",
    "MockApi",
    "MockApp",
    "StoreFactory",
    "create_app",
    "error_response",
]

DEFAULT_API_KEY = "sk-chatkit-mock"
"""The key the mock accepts when no keys are configured."""

_OPERATIONS = operations()


def _fixed_value(schema: dict[str, Any]) -> str | None:
    """The one value a schema allows (`const`, or an enum of one), or None."""
    values = schema.get("enum", [schema["const"]] if "const" in schema else [])
    return str(values[0]) if len(values) == 1 else None


# Header parameters every request must carry with one fixed value (`OpenAI-Beta`).
_REQUIRED_HEADERS = {
    p.name: value
    for operation in _OPERATIONS
    for p in operation.parameters_in("header")
    if p.required and (value := _fixed_value(p.schema)) is not None
}
BETA_HEADER_VALUE = next(iter(_REQUIRED_HEADERS.values()), "")
"""The value the spec requires in the `OpenAI-Beta` header."""

# The request headers `MockApi.project` reads, as they arrive in the ASGI scope.
_CHECKED_HEADERS = frozenset(
    [b"authorization", *(name.lower().encode("latin-1") for name in _REQUIRED_HEADERS)]
)

_log = logging.getLogger("chatkit_threads_mock")
_INTEGER = re.compile(r"(-?)([0-9]+)")
# Scope keys: the operation a request was routed to, and its checked parameters.
_OPERATION = "chatkit_mock.operation"
_PARAMS = "chatkit_mock.params"
_T = TypeVar("_T")


def _shown(text: str) -> str:
    """A sent value quoted for an error message, cut at 40 characters."""
    return f"{text[:40]!r}" + ("..." if len(text) > 40 else "")


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


class MockApi:
    """HTTP handlers over a store. Subclass and override one method to change one behaviour."""

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
        # Reads and writes wait in separate pools, so deletes waiting for a locked file
        # never hold up the reads.
        self._reads = CapacityLimiter(32)
        self._writes = CapacityLimiter(16)

    # -- request checks ----------------------------------------------------------

    def project(self, request: Request) -> str:
        """The caller's project, from the bearer key; 401/400 envelopes otherwise."""
        sent = _headers(request.scope, _CHECKED_HEADERS)
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
        if self.require_beta_header:
            for name, value in _REQUIRED_HEADERS.items():
                if sent.get(name.lower().encode("latin-1")) != value:
                    raise reject(
                        400,
                        f"The '{name}' header must be '{value}' for the ChatKit API.",
                        param=name,
                        code="missing_beta_header",
                    )
        return project

    def authorized(self, request: Request) -> bool:
        """Whether `project` accepts the request (faults apply only then)."""
        try:
            self.project(request)
        except Reject:
            return False
        return True

    def query(self, request: Request, name: str) -> str | None:
        """One query parameter; repeating it is an error."""
        return _single(name, request.query_params.getlist(name))

    def params(self, request: Request) -> dict[str, Any]:
        """Every query parameter of the request's operation, checked against its schema.

        A parameter not sent (or sent empty where its schema allows an empty string:
        `after=` means no cursor) has its schema's default, or None.
        """
        cached: dict[str, Any] | None = request.scope.get(_PARAMS)
        if cached is not None:
            return cached
        operation: Operation | None = request.scope.get(_OPERATION)
        # What `request.query_params` holds, without building it: this runs on every
        # request.
        query = request.scope.get("query_string", b"").decode("latin-1")
        sent: dict[str, list[str]] = {}
        for name, value in _query_items(query):
            sent.setdefault(name, []).append(value)
        values: dict[str, Any] = {}
        for parameter in operation.parameters_in("query") if operation else ():
            text = _single(parameter.name, sent.get(parameter.name, ()))
            if text is None or (text == "" and parameter.empty_means_absent):
                values[parameter.name] = parameter.default
            else:
                values[parameter.name] = self.check_param(parameter, text)
        request.scope[_PARAMS] = values
        return values

    def check_param(self, parameter: Parameter, text: str) -> Any:
        """One query value, converted and checked against its schema; a 400 naming it."""
        schema = parameter.schema
        if "enum" in schema:
            return self.enum(parameter.name, schema, text)
        if schema.get("type") == "integer":
            return self.integer(parameter.name, schema, text)
        if schema.get("type") == "boolean":
            if text not in ("true", "false"):
                raise reject(
                    400,
                    f"Invalid '{parameter.name}': expected 'true' or 'false', got {text[:40]!r}.",
                    param=parameter.name,
                    code="invalid_type",
                )
            return text == "true"
        if schema.get("type") == "number":
            return self.number(parameter.name, schema, text)
        if schema.get("type") == "string":
            pattern = schema.get("pattern")
            if pattern is not None and re.search(pattern, text) is None:
                raise reject(
                    400,
                    f"Invalid '{parameter.name}': does not match the pattern {pattern!r}.",
                    param=parameter.name,
                    code=f"invalid_{parameter.name}",
                )
            low, high = schema.get("minLength", 0), schema.get("maxLength")
            if len(text) < low or (high is not None and len(text) > high):
                expected = f"{low} to {high}" if high is not None else f"at least {low}"
                raise reject(
                    400,
                    f"Invalid '{parameter.name}': expected {expected} characters, got {len(text)}.",
                    param=parameter.name,
                    code=f"invalid_{parameter.name}",
                )
        return text

    def enum(self, name: str, schema: dict[str, Any], text: str) -> str:
        """A value of the schema's enum; an empty value is refused, not defaulted."""
        allowed = [str(value) for value in schema["enum"]]
        if text not in allowed:
            expected = " or ".join(f"'{value}'" for value in allowed)
            raise reject(
                400,
                f"Invalid '{name}': expected {expected}, got {text[:40]!r}.",
                param=name,
                code=f"invalid_{name}",
            )
        return text

    def integer(self, name: str, schema: dict[str, Any], text: str) -> int:
        """An integer within the schema's bounds; a 400 worded as the API words it."""
        low, high = schema.get("minimum"), schema.get("maximum")
        match = _INTEGER.fullmatch(text)
        if match is None:
            shown = _shown(text)
            bounds = f" from {low} to {high}" if low is not None and high is not None else ""
            raise reject(
                400,
                f"Invalid '{name}': expected an integer{bounds}, but got {shown} instead.",
                param=name,
                code="invalid_type",
            )
        sign, digits = match.groups()
        digits = digits.lstrip("0") or "0"
        # A huge digit string is out of any bound: int() of it is slow, or refused.
        value = int(sign + digits) if len(digits) <= 30 else (-1 if sign == "-" else 1) * 10**30
        if low is not None and value < low:
            raise reject(
                400,
                f"Invalid '{name}': integer below minimum value. "
                f"Expected a value >= {low}, but got {_shown(text)} instead.",
                param=name,
                code="integer_below_min_value",
            )
        if high is not None and value > high:
            raise reject(
                400,
                f"Invalid '{name}': integer above maximum value. "
                f"Expected a value <= {high}, but got {_shown(text)} instead.",
                param=name,
                code="integer_above_max_value",
            )
        return value

    def number(self, name: str, schema: dict[str, Any], text: str) -> float:
        """A finite number within the schema's bounds; a 400 naming the parameter."""
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        low, high = schema.get("minimum"), schema.get("maximum")
        if (
            not math.isfinite(value)
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            raise reject(
                400,
                f"Invalid '{name}': expected a number"
                + (f" from {low}" if low is not None else "")
                + (f" to {high}" if high is not None else "")
                + f", got {text[:40]!r}.",
                param=name,
                code="invalid_type",
            )
        return value

    def page_params(self, request: Request) -> dict[str, Any]:
        """`limit`, `order`, `after` and `before`, validated against the spec."""
        params = self.params(request)
        return {name: params.get(name) for name in ("limit", "order", "after", "before")}

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
        params = self.page_params(request)
        user = self.params(request).get("user")
        try:
            page = await self.read(self.store.list_threads, project, user=user, **params)
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
        operation: Operation = request.scope[_OPERATION]
        body = {"id": thread_id, "object": operation.response_object, "deleted": True}
        return self.json(json.dumps(body))

    async def list_thread_items(self, request: Request) -> Response:
        """GET /chatkit/threads/{thread_id}/items (answered by `list_items`)."""
        return await self.list_items(request)

    async def list_items(self, request: Request) -> Response:
        """GET /chatkit/threads/{thread_id}/items"""
        project = self.project(request)
        params = self.page_params(request)
        thread_id = self.thread_id(request)
        try:
            page = await self.read(self.store.list_items, project, thread_id, **params)
        except UnknownCursor as error:
            raise self.unknown_cursor(error) from None
        if page is None:
            raise self.not_found(thread_id)
        return self.page(page)


def _query_items(query: str) -> list[tuple[str, str]]:
    """`parse_qsl(query, keep_blank_values=True)`, quicker when nothing is escaped."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    # Nothing to unquote: what parse_qsl does then is split on `&` and the first `=`.
    items = []
    for piece in query.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            items.append((name, value))
    return items


def _headers(scope: Scope, names: frozenset[bytes]) -> dict[bytes, str]:
    """The first value of each header in `names` (lower case), as Starlette reads them.

    One pass over the raw headers: this runs on every request, and building Starlette's
    `Headers` to look up two names cost more than the lookups.
    """
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in names and name not in found:
            found[name] = value.decode("latin-1")
    return found


def _single(name: str, values: Sequence[str]) -> str | None:
    if len(values) > 1:
        raise reject(400, f"'{name}' was given {len(values)} times.", param=name)
    return values[0] if values else None


Handler = Callable[[Request], Awaitable[Response]]


def _routes(api: MockApi) -> list[Route]:
    """One route per spec path, answering exactly the spec's methods there."""
    prefix = base_path()
    by_path: dict[str, dict[str, tuple[Operation, Handler]]] = {}
    for operation in _OPERATIONS:
        handler = getattr(api, _snake(operation.operation_id), None)
        if handler is None:
            # A new operation the mock does not implement yet: not routed (404/405).
            _log.debug("no MockApi method for operation %s", operation.operation_id)
            continue
        by_path.setdefault(operation.path, {})[operation.method] = (operation, handler)
    routes = []
    for path, handlers in by_path.items():
        route = Route(prefix + path, _dispatch(handlers), methods=list(handlers))
        # Starlette answers HEAD wherever GET is; the spec has no HEAD, so neither
        # does the mock (405, and not listed in `Allow`).
        if "HEAD" not in handlers and route.methods is not None:
            route.methods.discard("HEAD")
        routes.append(route)
    return routes


def _dispatch(handlers: dict[str, tuple[Operation, Handler]]) -> Handler:
    async def endpoint(request: Request) -> Response:
        operation, handler = handlers[request.scope["method"]]
        request.scope[_OPERATION] = operation
        return await handler(request)

    return endpoint


class _Direct:
    """Calls the endpoint of a request the app routes, without Starlette's layers.

    What Starlette would do for such a request (path parameters, the `Request`, the
    app's exception handlers) done in one step: these layers were a noticeable share of
    each request's time. Everything else (no route, a wrong method, other scope types)
    goes to the Starlette app as it is, so 404, 405 and `Allow` stay Starlette's.
    """

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.routes = [
            (route.path_regex, route.param_convertors, route.methods or set(), route.endpoint)
            for route in app.router.routes
            if isinstance(route, Route)
        ]
        self.handlers = exception_handlers()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            path, method = scope["path"], scope["method"]
            for regex, convertors, methods, endpoint in self.routes:
                match = regex.match(path)
                if match is None:
                    continue
                if method not in methods:
                    break
                params = {
                    name: convertors[name].convert(value)
                    for name, value in match.groupdict().items()
                }
                # In place, as Starlette's router adds them.
                scope.update(app=self.app, path_params=params, endpoint=endpoint)
                await self._answer(endpoint, scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _answer(self, endpoint: Handler, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request)
        except Exception as error:
            handler = next(
                (self.handlers[kind] for kind in type(error).__mro__ if kind in self.handlers),
                None,
            )
            # A crash goes up to `CrashesAsErrors`, which logs it and answers the 500.
            if handler is None or handler is crash:
                raise
            # Nothing was sent yet: endpoints return their answer, they do not send it.
            response = await handler(request, error)
            error.__traceback__ = None
        await response(scope, receive, send)


class MockApp:
    """The mock API as an ASGI app, with its store and handlers at hand."""

    def __init__(self, app: ASGIApp, store: ThreadStore, api: MockApi, *, owns_store: bool):
        self._app = app
        self.store = store
        """The store the app serves (also a test's way to look at the data directly)."""
        self.api = api
        """The `MockApi` whose methods answer the requests."""
        self.owns_store = owns_store
        """Whether `create_app` made the store (so whoever stops the app may close it)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)


StoreFactory = Callable[[], ThreadStore]
"""Makes a fresh store, e.g. a `ThreadStore` subclass; `create_app` then seeds it."""


def create_app(
    store: ThreadStore | StoreFactory | None = None,
    *,
    api_keys: Sequence[str] = (DEFAULT_API_KEY,),
    seed: str = "default",
    fixtures: Sequence[str] = (),
    allow_drift: bool = False,
    require_beta_header: bool = True,
    faults: FaultSpec | str | None = None,
    db_path: str | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    api_class: type[MockApi] = MockApi,
) -> MockApp:
    """Build the mock API as an ASGI app, with routes under `/v1`.

    `store` is one of:

    - None: a new SQLite store (the file `db_path`, or in memory), seeded with `seed`
      (`default`, `none`, or `synthetic:THREADS[:ITEMS_PER_THREAD]`) and the JSONL
      `fixtures`; a request waits at most `lock_timeout` seconds for the file's write
      lock before a 503;
    - a factory (any zero-argument callable, e.g. a `ThreadStore` subclass): the store
      it makes is seeded the same way;
    - a `ThreadStore` instance: served as it is, with no seed and no fixtures.

    `allow_drift` serves fixture lines that depart from the spec as they are written.
    `api_class` swaps in a subclass of `MockApi`, to change how requests are answered.
    """
    from .fixtures import load_fixtures
    from .seed import apply_seed

    if not api_keys:
        raise ValueError("api_keys: at least one API key is needed")
    owns_store = not isinstance(store, ThreadStore)
    if isinstance(store, ThreadStore):
        if db_path is not None:
            raise ValueError("db_path: only for a store that create_app makes")
    else:
        if store is None:
            store = ThreadStore(db_path, lock_timeout=lock_timeout)
        else:
            store = _made_by(store, db_path)
        apply_seed(store, seed, api_keys)
        for path in fixtures:
            load_fixtures(store, api_keys[0], path, allow_drift=allow_drift)
    if isinstance(faults, str):
        faults = parse_faults(faults)
    api = api_class(store, api_keys, require_beta_header=require_beta_header)
    app = Starlette(routes=_routes(api), exception_handlers=exception_handlers())
    # No 307 from `/threads/` to `/threads`: a redirect has no JSON body, and the
    # empty thread id it stands for is simply not a thread (404 envelope).
    app.router.redirect_slashes = False
    app.state.store = store
    app.state.api = api

    def authorized(scope: Scope) -> bool:
        return api.authorized(Request(scope))

    wrapped = RequestIds(
        CrashesAsErrors(FaultInjector(KeepEncodedSlashes(_Direct(app)), faults, authorized))
    )
    return MockApp(wrapped, store, api, owns_store=owns_store)


def _made_by(factory: StoreFactory, db_path: str | None) -> ThreadStore:
    if db_path is not None:
        raise ValueError("db_path: a store factory opens its own database")
    store = factory()
    if not isinstance(store, ThreadStore):
        raise TypeError(f"store: the factory made a {type(store).__name__}, not a ThreadStore")
    return store

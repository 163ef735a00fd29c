"""The Starlette application: the four operations over a `ThreadStore`.

Every answer is JSON with an `x-request-id`; every error uses the API's envelope
`{"error": {"message", "type", "param", "code"}}`, including unknown routes, wrong
methods and crashes, so a client or contract test never sees a bare stack trace.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, unquote, unquote_to_bytes

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .faults import FAULT_HEADER, FaultSpec, parse_faults
from .store import Page, ThreadStore, UnknownCursor, project_for_key

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

BETA_HEADER_VALUE = "chatkit_beta=v1"

_log = logging.getLogger("chatkit_threads_mock")
_LIMIT = re.compile(r"(-?)([0-9]+)")
_JSON = "application/json"
# Scope key set by `_KeepEncodedSlashes` when it re-quoted a path segment.
_ESCAPED_SEGMENTS = "chatkit_mock.escaped_segments"


def error_response(
    status: int,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    type: str = "invalid_request_error",
    headers: dict[str, str] | None = None,
) -> Response:
    """An error in the API's envelope."""
    body = {"error": {"message": message, "type": type, "param": param, "code": code}}
    return Response(json.dumps(body), status_code=status, media_type=_JSON, headers=headers)


class _Reject(Exception):
    """Raised inside a handler to answer with an error envelope."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _reject(status: int, message: str, **fields: Any) -> _Reject:
    return _Reject(error_response(status, message, **fields))


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

    # -- request checks ----------------------------------------------------------

    def project(self, request: Request) -> str:
        """The caller's project, from the bearer key; 401/400 envelopes otherwise."""
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise _reject(
                401,
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
            )
        project = self.projects.get(key.strip())
        if project is None:
            # Never echo the key: it may be a real secret sent to the wrong server.
            raise _reject(401, "Incorrect API key provided.", code="invalid_api_key")
        if self.require_beta_header and request.headers.get("openai-beta") != BETA_HEADER_VALUE:
            raise _reject(
                400,
                f"The 'OpenAI-Beta' header must be '{BETA_HEADER_VALUE}' for the ChatKit API.",
                param="OpenAI-Beta",
                code="missing_beta_header",
            )
        return project

    def query(self, request: Request, name: str) -> str | None:
        """One query parameter; repeating it is an error."""
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise _reject(400, f"'{name}' was given {len(values)} times.", param=name)
        return values[0] if values else None

    def page_params(self, request: Request) -> dict[str, Any]:
        """`limit`, `order`, `after` and `before`, validated against the spec."""
        limit_text = self.query(request, "limit")
        limit = 20 if limit_text is None else self.limit(limit_text)
        order = self.query(request, "order")
        if order is None:
            order = "desc"
        elif order not in ("asc", "desc"):
            # An empty `order=` is not a value of the enum either: refused, not defaulted.
            raise _reject(
                400,
                f"Invalid 'order': expected 'asc' or 'desc', got {order[:40]!r}.",
                param="order",
                code="invalid_order",
            )
        # An empty cursor is allowed by the spec and means "no cursor".
        return {
            "limit": limit,
            "order": order,
            "after": self.query(request, "after") or None,
            "before": self.query(request, "before") or None,
        }

    def limit(self, text: str) -> int:
        """`limit` as an integer in 0..100; a 400 naming it otherwise (as the API words it)."""
        match = _LIMIT.fullmatch(text)
        shown = f"{text[:40]!r}" + ("..." if len(text) > 40 else "")
        if match is None:
            raise _reject(
                400,
                f"Invalid 'limit': expected an integer from 0 to 100, but got {shown} instead.",
                param="limit",
                code="invalid_type",
            )
        sign, digits = match.groups()
        digits = digits.lstrip("0") or "0"
        if sign and digits != "0":
            raise _reject(
                400,
                "Invalid 'limit': integer below minimum value. "
                f"Expected a value >= 0, but got {shown} instead.",
                param="limit",
                code="integer_below_min_value",
            )
        # Compared by length first: int() of a huge digit string is slow, or refused.
        if len(digits) > 3 or int(digits) > 100:
            raise _reject(
                400,
                "Invalid 'limit': integer above maximum value. "
                f"Expected a value <= 100, but got {shown} instead.",
                param="limit",
                code="integer_above_max_value",
            )
        return int(digits)

    def thread_id(self, request: Request) -> str:
        """The path's thread id (an encoded `/` in it stays part of it)."""
        thread_id = str(request.path_params["thread_id"])
        if request.scope.get(_ESCAPED_SEGMENTS):
            # `_KeepEncodedSlashes` quoted the one segment that held a `%2F`; only the
            # thread id can have matched it, since the route's other segments are words.
            return unquote(thread_id)
        return thread_id

    # -- answers -----------------------------------------------------------------

    def json(self, body: str) -> Response:
        """A 200 answer with an already-serialised JSON body."""
        return Response(body, media_type=_JSON)

    def page(self, page: Page) -> Response:
        """A list envelope."""
        return self.json(page.to_json())

    def not_found(self, thread_id: str) -> _Reject:
        """The 404 for a thread this key cannot see (missing, deleted or someone else's)."""
        return _reject(
            404,
            f"Thread with id '{thread_id[:100]}' not found.",
            param="thread_id",
            code="not_found",
        )

    def unknown_cursor(self, error: UnknownCursor) -> _Reject:
        """The 400 for a cursor that names nothing in the listing."""
        return _reject(
            400,
            f"Invalid '{error.param}': {error.value[:100]!r} is not an id in this listing.",
            param=error.param,
            code="invalid_cursor",
        )

    # -- the four operations -----------------------------------------------------

    async def list_threads(self, request: Request) -> Response:
        """GET /chatkit/threads"""
        project = self.project(request)
        params = self.page_params(request)
        user = self.query(request, "user")
        if user is not None and not 1 <= len(user) <= 512:
            raise _reject(
                400,
                f"Invalid 'user': expected 1 to 512 characters, got {len(user)}.",
                param="user",
                code="invalid_user",
            )
        try:
            return self.page(self.store.list_threads(project, user=user, **params))
        except UnknownCursor as error:
            raise self.unknown_cursor(error) from None

    async def retrieve_thread(self, request: Request) -> Response:
        """GET /chatkit/threads/{thread_id}"""
        project = self.project(request)
        body = self.store.get_thread(project, self.thread_id(request))
        if body is None:
            raise self.not_found(self.thread_id(request))
        return self.json(body)

    async def thread(self, request: Request) -> Response:
        """GET or DELETE /chatkit/threads/{thread_id}"""
        if request.method == "DELETE":
            return await self.delete_thread(request)
        return await self.retrieve_thread(request)

    async def delete_thread(self, request: Request) -> Response:
        """DELETE /chatkit/threads/{thread_id}"""
        project = self.project(request)
        thread_id = self.thread_id(request)
        if not self.store.delete_thread(project, thread_id):
            raise self.not_found(thread_id)
        body = {"id": thread_id, "object": "chatkit.thread.deleted", "deleted": True}
        return self.json(json.dumps(body))

    async def list_items(self, request: Request) -> Response:
        """GET /chatkit/threads/{thread_id}/items"""
        project = self.project(request)
        params = self.page_params(request)
        try:
            page = self.store.list_items(project, self.thread_id(request), **params)
        except UnknownCursor as error:
            raise self.unknown_cursor(error) from None
        if page is None:
            raise self.not_found(self.thread_id(request))
        return self.page(page)


def _endpoint(handler: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            response: Response = await handler(request)
        except _Reject as rejection:
            return rejection.response
        return response

    return endpoint


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(
            405,
            f"Method {request.method} is not allowed on {request.url.path}.",
            code="method_not_allowed",
            headers=dict(exc.headers or {}),
        )
    if exc.status_code == 404:
        return error_response(404, f"Unknown path {request.url.path[:200]!r}.", code="unknown_url")
    return error_response(exc.status_code, str(exc.detail))


class _RequestIds:
    """Adds `x-request-id` to every response (errors and faults included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = "req_" + secrets.token_hex(12)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)


async def _crash(request: Request, exc: Exception) -> Response:
    return error_response(
        500, "The server had an error while processing your request.", type="server_error"
    )


class _CrashesAsErrors:
    """Turns an exception in the app into a logged 500 envelope.

    Starlette answers through `_crash` and then re-raises so servers can log; this logs
    it once and stops it there, so neither uvicorn nor an in-process caller (a test
    client, schemathesis) sees anything but the 500 answer.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if scope["type"] != "http":
                raise
            _log.exception("error while handling %s %s", scope["method"], scope["path"])
            if not started:
                response = await _crash(Request(scope), RuntimeError())
                await response(scope, receive, send)


class _Faults:
    """Injects latency, 429/500/503 answers and dropped connections (see `faults`)."""

    # Specs sent in the header, by their text: each keeps drawing from its own seeded
    # sequence across requests, so `500=0.3,seed=7` fails about 30% of a run's requests,
    # the same ones on every run against a fresh server.
    _MAX_HEADER_SPECS = 256

    def __init__(self, app: ASGIApp, spec: FaultSpec | None) -> None:
        self.app = app
        self.spec = spec
        self._header_specs: dict[str, FaultSpec] = {}

    def _from_header(self, text: str) -> FaultSpec:
        spec = self._header_specs.get(text)
        if spec is None:
            spec = parse_faults(text)
            if len(self._header_specs) >= self._MAX_HEADER_SPECS:
                # A client sending a new spec per request must not grow memory forever.
                self._header_specs.pop(next(iter(self._header_specs)))
            self._header_specs[text] = spec
        return spec

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        spec = self.spec
        for name, value in scope.get("headers", []):
            if name == _FAULT_HEADER_BYTES:
                try:
                    spec = self._from_header(value.decode("latin-1"))
                except ValueError as error:
                    response = error_response(
                        400, str(error), param=FAULT_HEADER, code="invalid_faults"
                    )
                    await response(scope, receive, send)
                    return
        if spec is None:
            await self.app(scope, receive, send)
            return
        if spec.latency:
            await asyncio.sleep(spec.latency)
        fault = spec.draw()
        if fault in _INJECTED:
            status = int(fault)
            message, code, kind = _INJECTED[fault]
            headers = None
            if status == 429:
                headers = {
                    "retry-after": f"{spec.retry_after:g}",
                    "retry-after-ms": str(round(spec.retry_after * 1000)),
                }
            response = error_response(status, message, code=code, type=kind, headers=headers)
            await response(scope, receive, send)
            return
        if fault == "drop":
            await self.app(scope, receive, _dropping(send))
            return
        await self.app(scope, receive, send)


_FAULT_HEADER_BYTES = FAULT_HEADER.encode()
_INJECTED = {
    "429": (
        "Rate limit reached; retry after the time in Retry-After.",
        "rate_limit_exceeded",
        "requests",
    ),
    "500": (
        "The server had an error while processing your request.",
        "server_error",
        "server_error",
    ),
    "503": ("The server is overloaded; try again later.", "server_overloaded", "server_error"),
}


class _Dropped(Exception):
    """Ends a response halfway through its body, as a failing server or proxy would."""


def _dropping(send: Send) -> Send:
    async def half_send(message: Message) -> None:
        if message["type"] == "http.response.body":
            body = message.get("body", b"")
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
            raise _Dropped
        await send(message)

    return half_send


class _SwallowDrops:
    """Lets a dropped response end the connection without a 500 or a logged traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except _Dropped:
            # Returning with the body incomplete makes the server close the connection;
            # the client sees a truncated response.
            return


class _KeepEncodedSlashes:
    """Routes on the path as sent, keeping a `%2F` inside the segment it was sent in.

    Servers decode the path before routing, so `/threads/a%2Fitems` would reach the
    items route of thread `a`. A segment whose decoded text holds a `/` is re-quoted
    whole instead (and the request marked), so it still routes as one thread id and
    `MockApi.thread_id` gives back the exact id that was sent.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path = scope.get("raw_path") if scope["type"] == "http" else None
        if raw_path:
            # Decoded here from what was sent, each segment once: some servers and test
            # clients decode twice (`%2541` -> `A`) or put the query in raw_path.
            raw = raw_path.split(b"?", 1)[0]
            segments = [unquote_to_bytes(s).decode("utf-8", "replace") for s in raw.split(b"/")]
            escaped = any("/" in s for s in segments)
            path = "/".join(quote(s, safe="") if "/" in s else s for s in segments)
            scope = {**scope, "path": path}
            if escaped:
                scope[_ESCAPED_SEGMENTS] = True
        await self.app(scope, receive, send)


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
    api_class: type[MockApi] = MockApi,
) -> MockApp:
    """Build the mock API as an ASGI app, with routes under `/v1`.

    `store` is one of:

    - None: a new SQLite store (the file `db_path`, or in memory), seeded with `seed`
      (`default`, `none`, or `synthetic:THREADS[:ITEMS_PER_THREAD]`) and the JSONL
      `fixtures`;
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
        store = ThreadStore(db_path) if store is None else _made_by(store, db_path)
        apply_seed(store, seed, api_keys)
        for path in fixtures:
            load_fixtures(store, api_keys[0], path, allow_drift=allow_drift)
    if isinstance(faults, str):
        faults = parse_faults(faults)
    api = api_class(store, api_keys, require_beta_header=require_beta_header)
    routes = [
        Route("/v1/chatkit/threads", _endpoint(api.list_threads), methods=["GET"]),
        # One route for both methods, so a 405 on this path lists both in `Allow`.
        Route("/v1/chatkit/threads/{thread_id}", _endpoint(api.thread), methods=["GET", "DELETE"]),
        Route("/v1/chatkit/threads/{thread_id}/items", _endpoint(api.list_items), methods=["GET"]),
    ]
    app = Starlette(
        routes=routes, exception_handlers={HTTPException: _http_error, Exception: _crash}
    )
    # No 307 from `/threads/` to `/threads`: a redirect has no JSON body, and the
    # empty thread id it stands for is simply not a thread (404 envelope).
    app.router.redirect_slashes = False
    app.state.store = store
    app.state.api = api
    wrapped = _RequestIds(
        _CrashesAsErrors(_SwallowDrops(_Faults(_KeepEncodedSlashes(app), faults)))
    )
    return MockApp(wrapped, store, api, owns_store=owns_store)


def _made_by(factory: StoreFactory, db_path: str | None) -> ThreadStore:
    if db_path is not None:
        raise ValueError("db_path: a store factory opens its own database")
    store = factory()
    if not isinstance(store, ThreadStore):
        raise TypeError(f"store: the factory made a {type(store).__name__}, not a ThreadStore")
    return store

"""Routing: one route per spec path, and a direct path to the endpoint of a routed request."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from chatkit_threads_spec import Operation

from .api import OPERATION_KEY, SPEC, MockApi
from .errors import crash, exception_handlers

__all__ = ["Direct", "Handler", "routes"]

_log = logging.getLogger("chatkit_threads_mock")


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


Handler = Callable[[Request], Awaitable[Response]]


def routes(api: MockApi) -> list[Route]:
    """One route per spec path, answering exactly the spec's methods there."""
    prefix = SPEC.base_path
    by_path: dict[str, dict[str, tuple[Operation, Handler]]] = {}
    for operation in api.operations:
        handler = getattr(api, _snake(operation.operation_id), None)
        if handler is None:
            # A new operation the mock does not implement yet: not routed (404/405).
            _log.debug("no MockApi method for operation %s", operation.operation_id)
            continue
        by_path.setdefault(operation.path, {})[operation.method] = (operation, handler)
    routes = []
    for path, handlers in by_path.items():
        route = Route(prefix + path, _Dispatch(handlers).endpoint, methods=list(handlers))
        # Starlette answers HEAD wherever GET is; the spec has no HEAD, so neither
        # does the mock (405, and not listed in `Allow`).
        if "HEAD" not in handlers and route.methods is not None:
            route.methods.discard("HEAD")
        routes.append(route)
    return routes


class _Dispatch:
    """One spec path's endpoint: the operation and `MockApi` handler of each method."""

    def __init__(self, handlers: dict[str, tuple[Operation, Handler]]) -> None:
        self.handlers = handlers

    def operation(self, method: str) -> Operation | None:
        """The operation `method` is at this path, or None."""
        found = self.handlers.get(method)
        return None if found is None else found[0]

    # A bound method, so Starlette's `Route` calls it with a `Request`.
    async def endpoint(self, request: Request) -> Response:
        operation, handler = self.handlers[request.scope["method"]]
        request.scope[OPERATION_KEY] = operation
        return await handler(request)


class Direct:
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

    def operation(self, scope: Scope) -> Operation | None:
        """The spec operation the request routes to; None where no route or method answers.

        For layers that run before routing (the fault injector), matched as Starlette's
        router matches it.
        """
        for route in self.app.router.routes:
            if not isinstance(route, Route):
                continue
            match, child = route.matches(scope)
            if match is Match.NONE:
                continue
            dispatch = getattr(child.get("endpoint"), "__self__", None)
            if match is Match.FULL and isinstance(dispatch, _Dispatch):
                return dispatch.operation(scope["method"])
            return None
        return None

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

"""A small, correct ChatKit Threads server, and a way to break it on purpose.

The contract suite's own tests need a server whose every behaviour they control: this one
is correct, and each broken variant (see `variants.py`) overrides one method of `Store`
or wraps the app, so a variant differs from a passing server by exactly one bug.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

KEY = "sk-reference-key"
OTHER_KEY = "sk-reference-other"
STATUSES: list[dict[str, Any]] = [
    {"type": "active"},
    {"type": "locked", "reason": None},
    {"type": "closed", "reason": "resolved"},
]


def _thread(key_index: int, number: int) -> dict[str, Any]:
    return {
        "id": f"cthr_{key_index}_{number:03d}",
        "object": "chatkit.thread",
        # Pairs share a timestamp so that ordering ties are exercised; ids break them.
        "created_at": 1_712_000_000 + number // 2,
        "title": None if number % 3 else f"Thread {number}",
        "status": STATUSES[number % 3],
        "user": f"user_{number % 4}",
    }


def _item(thread_id: str, number: int) -> dict[str, Any]:
    return {
        "id": f"{thread_id}_item_{number:02d}",
        "object": "chatkit.thread_item",
        "created_at": 1_712_100_000 + number,
        "thread_id": thread_id,
        "type": "chatkit.widget",
        "widget": "{}",
    }


class Store:
    """Threads and items per API key, in memory, with keyset pagination."""

    def __init__(self, threads_per_key: int = 23, items_per_thread: int = 7) -> None:
        self.lock = threading.Lock()
        self.threads: dict[str, dict[str, dict[str, Any]]] = {}
        self.items: dict[str, list[dict[str, Any]]] = {}
        for index, key in enumerate((KEY, OTHER_KEY)):
            owned = [_thread(index, n) for n in range(threads_per_key)]
            self.threads[key] = {t["id"]: t for t in owned}
            for thread in owned:
                self.items[thread["id"]] = [_item(thread["id"], n) for n in range(items_per_thread)]

    def owner_threads(self, key: str) -> dict[str, dict[str, Any]]:
        """The threads an API key can see."""
        return self.threads.get(key, {})

    def sort(self, rows: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
        """Rows in `order` by (created_at, id)."""
        return sorted(rows, key=lambda r: (r["created_at"], r["id"]), reverse=order == "desc")

    def paginate(
        self,
        rows: list[dict[str, Any]],
        *,
        order: str,
        after: str | None,
        before: str | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page and `has_more`; cursors are exclusive; unknown cursors give an empty page."""
        rows = self.sort(rows, order)
        ids = [r["id"] for r in rows]
        if after:
            if after not in ids:
                return [], False
            rows = rows[ids.index(after) + 1 :]
        if before:
            ids = [r["id"] for r in rows]
            if before not in ids:
                return [], False
            rows = rows[: ids.index(before)]
            return (rows[len(rows) - limit :] if limit else []), len(rows) > limit
        return rows[:limit], len(rows) > limit

    def list_threads(
        self,
        key: str,
        *,
        order: str,
        after: str | None,
        before: str | None,
        limit: int,
        user: str | None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """A page of the key's threads."""
        rows = list(self.owner_threads(key).values())
        if user is not None:
            rows = [r for r in rows if r["user"] == user]
        return self.paginate(rows, order=order, after=after, before=before, limit=limit)

    def get_thread(self, key: str, thread_id: str) -> dict[str, Any] | None:
        """One thread, or None when the key cannot see it."""
        return self.owner_threads(key).get(thread_id)

    def delete_thread(self, key: str, thread_id: str) -> bool:
        """Delete a thread with its items; False when there was none."""
        with self.lock:
            if self.owner_threads(key).pop(thread_id, None) is None:
                return False
            self.items.pop(thread_id, None)
            return True

    def list_items(
        self,
        key: str,
        thread_id: str,
        *,
        order: str,
        after: str | None,
        before: str | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], bool] | None:
        """A page of a thread's items, or None when the key cannot see the thread."""
        if self.get_thread(key, thread_id) is None:
            return None
        rows = list(self.items.get(thread_id, []))
        return self.paginate(rows, order=order, after=after, before=before, limit=limit)


def error(status: int, message: str, param: str | None = None, code: str | None = None) -> Response:
    """The API's error envelope."""
    body = {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }
    return JSONResponse(body, status_code=status)


class Api:
    """HTTP handlers over a `Store`; variants override methods here or in the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def authenticate(self, request: Request) -> str | Response:
        """The caller's key, or the 401/400 answer."""
        header = request.headers.get("authorization", "")
        key = header.removeprefix("Bearer ").strip()
        if key not in self.store.threads:
            return error(401, "Invalid or missing API key.")
        if request.headers.get("openai-beta") != "chatkit_beta=v1":
            return error(400, "The OpenAI-Beta header must be chatkit_beta=v1.", "OpenAI-Beta")
        return key

    def page_params(self, request: Request) -> dict[str, Any] | Response:
        """Validated after/before/limit/order."""
        query = request.query_params
        for name in ("after", "before", "limit", "order", "user"):
            if len(query.getlist(name)) > 1:
                return error(400, f"Repeated '{name}'.", name)
        try:
            limit = int(query.get("limit", "20"))
        except ValueError:
            return error(400, "Invalid 'limit'.", "limit")
        if not 0 <= limit <= 100:
            return error(400, "Invalid 'limit'.", "limit", "integer_out_of_range")
        order = query.get("order", "desc")
        if order not in ("asc", "desc"):
            return error(400, "Invalid 'order'.", "order")
        return {
            "order": order,
            "after": query.get("after"),
            "before": query.get("before"),
            "limit": limit,
        }

    def envelope(self, rows: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
        """The list envelope around a page."""
        return {
            "object": "list",
            "data": rows,
            "first_id": rows[0]["id"] if rows else None,
            "last_id": rows[-1]["id"] if rows else None,
            "has_more": has_more,
        }

    def respond(self, body: Any, status: int = 200) -> Response:
        """A JSON answer (variants change how it is sent)."""
        return JSONResponse(body, status_code=status)

    async def list_threads(self, request: Request) -> Response:
        key = self.authenticate(request)
        if isinstance(key, Response):
            return key
        params = self.page_params(request)
        if isinstance(params, Response):
            return params
        user = request.query_params.get("user")
        if user is not None and not 1 <= len(user) <= 512:
            return error(400, "Invalid 'user'.", "user")
        rows, has_more = self.store.list_threads(key, user=user, **params)
        return self.respond(self.envelope(rows, has_more))

    async def thread(self, request: Request) -> Response:
        key = self.authenticate(request)
        if isinstance(key, Response):
            return key
        thread_id = request.path_params["thread_id"]
        if request.method == "DELETE":
            if not self.store.delete_thread(key, thread_id):
                return error(
                    404, f"Thread with id '{thread_id}' not found.", "thread_id", "not_found"
                )
            return self.respond(
                {"id": thread_id, "object": "chatkit.thread.deleted", "deleted": True}
            )
        thread = self.store.get_thread(key, thread_id)
        if thread is None:
            return error(404, f"Thread with id '{thread_id}' not found.", "thread_id", "not_found")
        return self.respond(thread)

    async def items(self, request: Request) -> Response:
        key = self.authenticate(request)
        if isinstance(key, Response):
            return key
        params = self.page_params(request)
        if isinstance(params, Response):
            return params
        thread_id = request.path_params["thread_id"]
        found = self.store.list_items(key, thread_id, **params)
        if found is None:
            return error(404, f"Thread with id '{thread_id}' not found.", "thread_id", "not_found")
        return self.respond(self.envelope(*found))


async def _crash(request: Request, exc: Exception) -> Response:
    return error(500, "The server had an error while processing your request.")


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    response = error(405, f"Method {request.method} not allowed.")
    # Starlette puts the `Allow` header on the exception; RFC 9110 requires it on the 405.
    response.headers.update(getattr(exc, "headers", None) or {})
    return response


def create_app(api: Api | None = None) -> ASGIApp:
    """The Starlette app serving `api` under /v1."""
    api = api or Api(Store())
    routes = [
        Route("/v1/chatkit/threads", api.list_threads, methods=["GET"]),
        Route("/v1/chatkit/threads/{thread_id}", api.thread, methods=["GET", "DELETE"]),
        Route("/v1/chatkit/threads/{thread_id}/items", api.items, methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={405: _method_not_allowed, 404: _not_found_route},
        middleware=[Middleware(ServerErrorMiddleware, handler=_crash)],
    )


async def _not_found_route(request: Request, exc: Exception) -> Response:
    return error(404, "Not found.")


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the reference server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

"""The admin API under `/__admin/`: state set up and inspected over HTTP, per key.

For test suites in any language, which cannot reach into the mock's Python objects:

- `POST /__admin/reset[?seed=SPEC]`: the caller's project back to its seed state (what
  the server was started with), or to `SPEC` (`none`: empty; any `--seed` value);
- `POST /__admin/fixtures`: JSONL in the `--fixtures` format loaded into the caller's
  project, all or nothing (a 400 names the line and the problem; lines that depart
  from the spec are refused unless the server runs with `--allow-drift`);
- `GET /__admin/requests[?limit=N]`, `DELETE /__admin/requests`: the journal of the
  caller's requests, newest first (see `journal`).

Every call needs an accepted key (`Authorization: Bearer KEY`), as the API does, and acts
on that key's project only. Answers and errors are JSON, errors in the API's envelope.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .connections import DatabaseBusy, StoreFull
from .errors import JSON, error_response, exception_handlers
from .fixtures import FixtureError, load_fixture_lines
from .journal import ADMIN_PREFIX, Journal
from .seed import apply_seed, parse_seed
from .store import ThreadStore, project_for_key

__all__ = ["ADMIN_METHODS", "AdminApi", "clear_project"]

ADMIN_METHODS = frozenset(["GET", "POST", "DELETE"])
"""The methods of the admin endpoints."""

MAX_FIXTURES_BYTES = 64 * 1024 * 1024
"""The largest fixtures body `POST /__admin/fixtures` reads."""


def clear_project(store: ThreadStore, project: str) -> tuple[int, int]:
    """Remove every thread, item, deleted-thread mark and seed mark of `project`.

    One transaction; returns the (threads, items) removed.
    """
    with store.transaction() as db:
        items = db.execute(
            "DELETE FROM items WHERE thread_id IN (SELECT id FROM threads WHERE project = ?)",
            (project,),
        ).rowcount
        threads = db.execute("DELETE FROM threads WHERE project = ?", (project,)).rowcount
        db.execute("DELETE FROM deleted_threads WHERE project = ?", (project,))
        db.execute("DELETE FROM seeds WHERE project = ?", (project,))
    return threads, items


class AdminApi:
    """ASGI layer answering `/__admin/...` and passing everything else to `app`.

    `seed`, `fixtures` and `allow_drift` are what the server was started with: a reset
    brings a project back to them (the first key gets the synthetic sets and fixtures,
    as at start).
    """

    def __init__(
        self,
        app: ASGIApp,
        store: ThreadStore,
        *,
        api_keys: Sequence[str],
        journal: Journal,
        seed: str,
        fixtures: Sequence[str],
        allow_drift: bool,
        call: Callable[..., Any],
    ) -> None:
        self.app = app
        self.store = store
        self.api_keys = tuple(api_keys)
        self.journal = journal
        self.seed = seed
        self.fixtures = tuple(fixtures)
        self.allow_drift = allow_drift
        # How a store call is run (off the event loop for a file database).
        self._call = call
        self._keys = {key: project_for_key(key) for key in self.api_keys}
        self._routes: dict[tuple[str, str], Callable[[Request, str], Any]] = {
            ("POST", "reset"): self.reset,
            ("POST", "fixtures"): self.load,
            ("GET", "requests"): self.requests,
            ("DELETE", "requests"): self.forget_requests,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        response = await self._answer(request)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        name = request.url.path[len(ADMIN_PREFIX) :]
        handler = self._routes.get((request.method, name))
        if handler is None:
            allowed = sorted(method for method, path in self._routes if path == name)
            if allowed:
                return error_response(
                    405,
                    f"Method {request.method} is not allowed on {request.url.path}.",
                    code="method_not_allowed",
                    headers={"allow": ", ".join(allowed)},
                )
            return error_response(
                404, f"Unknown admin path {request.url.path[:200]!r}.", code="unknown_url"
            )
        key = self._key(request)
        if key is None:
            return error_response(
                401,
                "The admin API needs an accepted API key: 'Authorization: Bearer <key>'.",
                code="invalid_api_key",
            )
        try:
            response: Response = await handler(request, key)
        except (DatabaseBusy, StoreFull) as error:
            # The store's own answers (503 busy, 507 full), as the API gives them.
            response = await exception_handlers()[type(error)](request, error)
        return response

    def _key(self, request: Request) -> str | None:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        key = key.strip()
        return key if scheme.lower() == "bearer" and key in self._keys else None

    async def reset(self, request: Request, key: str) -> Response:
        """`POST /__admin/reset`: the key's project as at start, or as `?seed=`."""
        seed = request.query_params.get("seed")
        project = self._keys[key]
        try:
            counts = await self._call(self._reset, key, project, seed)
        except FixtureError as error:
            return error_response(400, str(error), code="invalid_fixtures")
        except ValueError as error:
            return error_response(400, str(error), param="seed", code="invalid_seed")
        except OSError as error:
            # A --fixtures file gone or unreadable since the server started.
            return error_response(
                500,
                f"A fixtures file of the server cannot be read again: {error.strerror}.",
                type="server_error",
                code="fixtures_unreadable",
            )
        threads, items = counts
        return _json({"object": "mock.reset", "threads": threads, "items": items})

    def _reset(self, key: str, project: str, seed: str | None) -> tuple[int, int]:
        # The key's share of the start: the default set is every key's, synthetic sets
        # and fixtures the first key's.
        # A seed the caller names applies whole to the caller's project.
        first = key == self.api_keys[0]
        fixtures = self.fixtures if first and seed is None else ()
        synthetic = first or seed is not None
        seed = self.seed if seed is None else seed
        # Checked and read before anything is removed: a bad spec, or a fixtures file gone
        # since the start, leaves the project as it was.
        parse_seed(seed)
        contents = [(path, Path(path).read_bytes().splitlines()) for path in fixtures]
        clear_project(self.store, project)
        apply_seed(self.store, seed, [key], synthetic=synthetic)
        for path, lines in contents:
            load_fixture_lines(self.store, key, lines, name=path, allow_drift=self.allow_drift)
        return self._counts(project)

    def _counts(self, project: str) -> tuple[int, int]:
        with self.store.snapshot() as db:
            threads = db.execute(
                "SELECT count(*) FROM threads WHERE project = ?", (project,)
            ).fetchone()[0]
            items = db.execute(
                "SELECT count(*) FROM items WHERE thread_id IN "
                "(SELECT id FROM threads WHERE project = ?)",
                (project,),
            ).fetchone()[0]
        return int(threads), int(items)

    async def load(self, request: Request, key: str) -> Response:
        """`POST /__admin/fixtures`: JSONL lines into the key's project, all or nothing."""
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FIXTURES_BYTES:
                return error_response(
                    413,
                    f"The fixtures body is over {MAX_FIXTURES_BYTES} bytes; "
                    "send it in several calls.",
                    code="fixtures_too_large",
                )
        lines = bytes(body).splitlines()
        try:
            threads, items = await self._call(
                load_fixture_lines,
                self.store,
                key,
                lines,
                name="fixtures",
                allow_drift=self.allow_drift,
            )
        except FixtureError as error:
            return error_response(400, str(error), code="invalid_fixtures")
        return _json({"object": "mock.fixtures", "threads": threads, "items": items})

    async def requests(self, request: Request, key: str) -> Response:
        """`GET /__admin/requests[?limit=N]`: the key's requests, newest first."""
        text = request.query_params.get("limit")
        limit = None
        if text is not None:
            if not text.isdigit() or len(text) > 9:
                return error_response(
                    400,
                    f"Invalid 'limit': expected a whole number, got {text[:40]!r}.",
                    param="limit",
                    code="invalid_limit",
                )
            limit = int(text)
        entries = self.journal.entries(self._keys[key], limit)
        return _json({"object": "list", "data": entries})

    async def forget_requests(self, request: Request, key: str) -> Response:
        """`DELETE /__admin/requests`: forget the key's requests."""
        count = self.journal.clear(self._keys[key])
        return _json({"object": "mock.requests.deleted", "deleted": count})


def _json(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), media_type=JSON)

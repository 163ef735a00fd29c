"""The mock API as an ASGI app: `create_app` puts the routes, the store and the layers together.

Routes, query parameters (types, bounds, enums, defaults) and the required headers
come from the spec; each operation is answered by the `MockApi` method named after its
operation id (`listThreads` -> `list_threads`). Every answer is JSON with an
`x-request-id`; every error uses the API's envelope (`errors`), including unknown
routes, wrong methods, a busy or full database and crashes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .admin import ADMIN_METHODS, AdminApi
from .api import (
    BETA_HEADER_VALUE,
    DEFAULT_API_KEY,
    EXPOSED_HEADERS,
    OPERATION_KEY,
    REQUIRED_HEADERS,
    MockApi,
)
from .cors import with_cors
from .errors import error_response, exception_handlers
from .faults import FaultInjector, FaultSpec, parse_faults
from .journal import DEFAULT_JOURNAL_SIZE, Journal, JournalMiddleware
from .middleware import CrashesAsErrors, KeepEncodedSlashes, RequestIds
from .routing import Direct, routes
from .store import DEFAULT_LOCK_TIMEOUT, ThreadStore

__all__ = [
    "BETA_HEADER_VALUE",
    "DEFAULT_API_KEY",
    "REQUIRED_HEADERS",
    "MockApi",
    "MockApp",
    "StoreFactory",
    "create_app",
    "error_response",
]


class MockApp:
    """The mock API as an ASGI app, with its store and handlers at hand."""

    def __init__(
        self,
        app: ASGIApp,
        store: ThreadStore,
        api: MockApi,
        *,
        owns_store: bool,
        journal: Journal | None = None,
    ):
        self._app = app
        self.journal = journal
        """The journal of each key's requests (None without the admin API)."""
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
    admin: bool = True,
    journal_size: int = DEFAULT_JOURNAL_SIZE,
    cors: Sequence[str] = (),
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

    `admin` serves the admin API under `/__admin/` (reset, fixtures, the journal of the
    last `journal_size` requests of each key; see `admin`); `cors` lists the origins
    (or `*`) whose browser pages may call the mock (see `cors`).
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
    app = Starlette(routes=routes(api), exception_handlers=exception_handlers())
    # No 307 from `/threads/` to `/threads`: a redirect has no JSON body, and the
    # empty thread id it stands for is simply not a thread (404 envelope).
    app.router.redirect_slashes = False
    app.state.store = store
    app.state.api = api

    direct = Direct(app)

    def authorized(scope: Scope) -> bool:
        # Faults are drawn before routing: the request is judged as the operation it
        # routes to would judge it (its own fixed headers).
        return api.authorized(Request({**scope, OPERATION_KEY: direct.operation(scope)}))

    # Encoded slashes are kept before faults are drawn, so both see the path as routed.
    inner: ASGIApp = KeepEncodedSlashes(FaultInjector(direct, faults, authorized))
    journal = Journal(api.projects, journal_size) if admin else None
    if journal is not None:
        inner = AdminApi(
            inner,
            store,
            api_keys=api_keys,
            journal=journal,
            # A store given as it is was not seeded: a reset empties the project.
            seed=seed if owns_store else "none",
            fixtures=fixtures if owns_store else (),
            allow_drift=allow_drift,
            call=api.write,
        )
    wrapped: ASGIApp = RequestIds(CrashesAsErrors(inner))
    if journal is not None:
        wrapped = JournalMiddleware(wrapped, journal)
    methods = {operation.method for operation in api.operations} | ADMIN_METHODS
    wrapped = with_cors(wrapped, cors, methods=methods, expose=EXPOSED_HEADERS)
    return MockApp(wrapped, store, api, owns_store=owns_store, journal=journal)


def _made_by(factory: StoreFactory, db_path: str | None) -> ThreadStore:
    if db_path is not None:
        raise ValueError("db_path: a store factory opens its own database")
    store = factory()
    if not isinstance(store, ThreadStore):
        raise TypeError(f"store: the factory made a {type(store).__name__}, not a ThreadStore")
    return store

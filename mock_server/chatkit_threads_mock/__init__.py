"""Reference mock server for the ChatKit Threads API (Starlette + SQLite).

    from chatkit_threads_mock import MockServer

    with MockServer() as server:          # 127.0.0.1, a free port, the default seed
        print(server.base_url, server.api_key)

`create_app(...)` gives the ASGI app itself (routes under `/v1`), for in-process use
with `httpx.ASGITransport` or any ASGI server.
"""

from .app import (
    BETA_HEADER_VALUE,
    DEFAULT_API_KEY,
    MockApi,
    MockApp,
    StoreFactory,
    create_app,
    error_response,
)
from .errors import Reject
from .faults import FAULT_HEADER, FaultSpec, parse_faults
from .fixtures import FixtureError, load_fixtures
from .seed import apply_seed, default_threads, seed_default, seed_synthetic
from .server import MockServer
from .store import DatabaseBusy, Page, StoreOpenError, ThreadStore, UnknownCursor, project_for_key

__all__ = [
    "BETA_HEADER_VALUE",
    "DEFAULT_API_KEY",
    "FAULT_HEADER",
    "DatabaseBusy",
    "FaultSpec",
    "FixtureError",
    "MockApi",
    "MockApp",
    "MockServer",
    "Page",
    "Reject",
    "StoreFactory",
    "StoreOpenError",
    "ThreadStore",
    "UnknownCursor",
    "apply_seed",
    "create_app",
    "default_threads",
    "error_response",
    "load_fixtures",
    "parse_faults",
    "project_for_key",
    "seed_default",
    "seed_synthetic",
]

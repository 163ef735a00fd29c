"""Serve the bundled mock server (or a variant of it) on 127.0.0.1 for the suite's own tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from chatkit_threads_mock import DEFAULT_API_KEY, MockApi, ThreadStore, apply_seed, create_app

__all__ = ["KEY", "KEYS", "OTHER_KEY", "mock_app", "serve"]

KEY = DEFAULT_API_KEY
OTHER_KEY = "sk-contract-tests-other"
KEYS = (KEY, OTHER_KEY)


def mock_app(store: ThreadStore | None = None, *, api_class: type[MockApi] = MockApi) -> ASGIApp:
    """The mock's ASGI app for both keys, over `store` seeded with the default set."""
    if store is None:
        store = ThreadStore()
    apply_seed(store, "default", KEYS)
    return create_app(store, api_keys=KEYS, api_class=api_class)


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="critical", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

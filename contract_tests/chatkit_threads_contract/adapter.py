"""The one place the suite touches schemathesis' internals (pinned version checked here).

schemathesis' public API covers loading a spec and registering checks and hooks. The
suite also drives the engine directly, reads its events, builds JSON Schema strategies
with its generator, derives example cases, and paces and retries its requests. Those
names are not public and change between releases, so they are imported and patched only
here: the next schemathesis upgrade is this file, and an unexpected version fails at
import with a message saying so.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import schemathesis

from .pacing import Pacer

__all__ = [
    "PINNED_VERSION",
    "Case",
    "CheckContext",
    "Response",
    "Status",
    "build_strategy",
    "check",
    "derive_case",
    "events",
    "execute",
    "hook",
    "paced",
]

PINNED_VERSION = "4.32.5"
if schemathesis.__version__ != PINNED_VERSION:
    raise ImportError(
        f"chatkit_threads_contract is built for schemathesis {PINNED_VERSION}, found "
        f"{schemathesis.__version__}: review contract_tests/chatkit_threads_contract/adapter.py "
        "against the new release, then update PINNED_VERSION and the pin in pyproject.toml"
    )

# Imported after the version check, so a release that moved them fails with the message above.
import schemathesis.transport.requests as _transport  # noqa: E402
from schemathesis import CheckContext, Response  # noqa: E402
from schemathesis.engine import Status, events, from_schema  # noqa: E402
from schemathesis.generation.case import Case as _Case  # noqa: E402
from schemathesis.generation.jsonschema.builder import build as build_strategy  # noqa: E402

# The checks never touch the request body, so its type does not matter here.
Case = _Case[Any]
check = schemathesis.check
hook = schemathesis.hook


def derive_case(
    case: Any,
    *,
    query: dict[str, Any] | None = None,
    path_parameters: dict[str, Any] | None = None,
) -> Any:
    """A copy of an example `case` (credentials kept) with other query or path parameters."""
    derived = case.derive(query=query, keep_auth=True)
    if path_parameters:
        derived.path_parameters.update(path_parameters)
    return derived


def execute(schema: Any) -> Iterable[events.EngineEvent]:
    """Run every configured phase over `schema`; yields the engine's events."""
    return from_schema(schema).execute()


# Every request schemathesis sends goes through `_request_with_retries(session, data, ...)`;
# wrapping it is the only way to wait out a 429 before the engine judges the answer
# (its own `rate-limit = "auto"` judges every 429 it waited out).
_ORIGINAL_SEND = _transport._request_with_retries
_PACERS: dict[str, Pacer] = {}
_PACERS_LOCK = threading.Lock()


def _pacer_for(url: str) -> Pacer | None:
    with _PACERS_LOCK:
        for base_url, pacer in _PACERS.items():
            if url.startswith(base_url):
                return pacer
    return None


def _paced_send(session: Any, data: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
    pacer = _pacer_for(str(data.get("url", "")))
    if pacer is None:
        return _ORIGINAL_SEND(session, data, *args, **kwargs)

    def call() -> Any:
        return _ORIGINAL_SEND(session, data, *args, **kwargs)

    return pacer.send(call, lambda r: int(r.status_code), lambda r: dict(r.headers))


_transport._request_with_retries = _paced_send


@contextlib.contextmanager
def paced(base_url: str, pacer: Pacer) -> Iterator[None]:
    """Send schemathesis' requests to `base_url` through `pacer` for the duration."""
    key = base_url.rstrip("/")
    with _PACERS_LOCK:
        _PACERS[key] = pacer
    try:
        yield
    finally:
        with _PACERS_LOCK:
            if _PACERS.get(key) is pacer:
                del _PACERS[key]

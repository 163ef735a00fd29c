"""Error answers in the API's envelope, and the exception handlers that give them.

Every error the mock sends is `{"error": {"message", "type", "param", "code"}}` as JSON:
a handler's refusal (`Reject`), an unknown route or method, a busy database and a crash.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .connections import DatabaseBusy, StoreFull

__all__ = [
    "JSON",
    "STORAGE_FULL_STATUS",
    "Reject",
    "crash",
    "error_response",
    "exception_handlers",
    "reject",
    "retry_after_headers",
]

JSON = "application/json"

BUSY_RETRY_AFTER = 1.0
"""Seconds a 503 for a busy database asks the client to wait (`Retry-After`)."""


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
    return Response(json.dumps(body), status_code=status, media_type=JSON, headers=headers)


def retry_after_headers(seconds: float) -> dict[str, str]:
    """`Retry-After` (seconds) and `retry-after-ms`, as the API sends them."""
    return {"retry-after": f"{seconds:g}", "retry-after-ms": str(round(seconds * 1000))}


class Reject(Exception):
    """Raised inside a handler to answer with an error envelope."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def reject(status: int, message: str, **fields: Any) -> Reject:
    """A `Reject` carrying `error_response(status, message, **fields)`."""
    return Reject(error_response(status, message, **fields))


async def _rejected(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Reject)
    return exc.response


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


async def _busy(request: Request, exc: Exception) -> Response:
    # A 5xx the client retries, sent as soon as the wait for the lock gives up.
    return error_response(
        503,
        "The database is busy: another connection holds its write lock. "
        "Retry after the time in Retry-After.",
        code="database_busy",
        type="server_error",
        headers=retry_after_headers(BUSY_RETRY_AFTER),
    )


STORAGE_FULL_STATUS = 507
"""The status of a write the store has no room for (507 Insufficient Storage)."""

_log = logging.getLogger("chatkit_threads_mock")


async def _full(request: Request, exc: Exception) -> Response:
    # One line, no traceback: every DELETE on a full disk fails the same way, and a
    # traceback per request would fill what is left of it with logs.
    _log.error("%s %s: %s", request.method, request.url.path[:200], exc)
    return error_response(
        STORAGE_FULL_STATUS,
        "The mock server's database is out of space (its disk is full): nothing was "
        "changed. Reads still work; free some space and retry.",
        code="storage_full",
        type="server_error",
    )


async def crash(request: Request, exc: Exception) -> Response:
    """The 500 envelope for an unexpected exception (logged by the caller)."""
    return error_response(
        500, "The server had an error while processing your request.", type="server_error"
    )


def exception_handlers() -> dict[Any, Any]:
    """Starlette `exception_handlers`: each exception the app expects, as its envelope."""
    return {
        Reject: _rejected,
        DatabaseBusy: _busy,
        StoreFull: _full,
        HTTPException: _http_error,
        Exception: crash,
    }

"""CORS, for a browser app in development calling the mock directly (`--cors ORIGIN`).

Starlette's `CORSMiddleware` answers preflight `OPTIONS` requests and adds the CORS
headers to every answer for an allowed origin. It is installed only when origins are
given: a server without `--cors` pays nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["PREFLIGHT_MAX_AGE", "with_cors"]

PREFLIGHT_MAX_AGE = 600
"""Seconds a browser may cache a preflight answer."""


def with_cors(
    app: ASGIApp, origins: Sequence[str], *, methods: Iterable[str], expose: Iterable[str]
) -> ASGIApp:
    """`app` answering CORS for `origins` (`*`: any), or `app` itself when there are none.

    `methods` are the methods a preflight may ask for; `expose` the response headers a
    page's script may read (the request id, `Retry-After`...). Any request header may be
    sent (a preflight's list is echoed), since the key and the beta header must be.
    """
    if not origins:
        return app
    for origin in origins:
        if origin != "*" and ("://" not in origin or origin.endswith("/")):
            raise ValueError(
                f"--cors {origin!r}: expected an origin like http://localhost:5173 "
                "(scheme, host and port, no path), or *"
            )
    cors = CORSMiddleware(
        app,
        allow_origins=list(origins),
        allow_methods=sorted({*methods, "OPTIONS"}),
        allow_headers=["*"],
        expose_headers=sorted(set(expose)),
        max_age=PREFLIGHT_MAX_AGE,
    )
    return _OnlyWithOrigin(app, cors)


class _OnlyWithOrigin:
    """`cors` for a request that has an `Origin` header, `app` for any other.

    A request without one (a client that is not a browser page) is no CORS request: it
    skips the middleware's parsing of its headers.
    """

    def __init__(self, app: ASGIApp, cors: ASGIApp) -> None:
        self.app = app
        self.cors = cors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, _ in scope["headers"]:
                if name == b"origin":
                    await self.cors(scope, receive, send)
                    return
        await self.app(scope, receive, send)

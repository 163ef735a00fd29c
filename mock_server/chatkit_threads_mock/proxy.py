"""The validation proxy: forwards to an upstream, checks answers against the spec, records.

`chatkit-threads-mock proxy --upstream URL` serves the API's paths (under the spec's
base path, `/v1`) and forwards each request to the same path under `URL` with the
caller's method, query, headers and body, then returns the upstream's status, headers
and body as they came (hop-by-hop headers aside). Each answer of an operation of the
spec is checked against that operation's response schema with the project's one
validator (`chatkit_threads_spec.validate.problems`, as `chatkit-threads spec drift`
uses it) and its departures counted by JSON path (`proxy_drift`). `GET /__admin/drift`
shows a caller the departures of its own requests, and needs the same authentication as
the API: the proxy cannot check a key itself, so it takes a key the upstream has accepted
(answered other than 401) and shows no caller another key's findings. The operator sees
every caller's on shutdown. With a `Recorder`, successful answers are kept as fixtures
(`proxy_record`).

An upstream that cannot be reached, or does not answer within the timeout, gets a 502
in the API's envelope naming the upstream (without its credentials); nothing here
answers with a traceback. Request bodies and headers are never logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .errors import JSON, error_response
from .journal import ADMIN_PREFIX
from .proxy_drift import DriftTally
from .proxy_record import REDACTED, Recorder

__all__ = ["DEFAULT_UPSTREAM_TIMEOUT", "MAX_BODY_BYTES", "ValidationProxy", "shown_url"]

DEFAULT_UPSTREAM_TIMEOUT = 30.0
"""Seconds the proxy waits for the upstream's whole answer."""

MAX_BODY_BYTES = 64 * 1024 * 1024
"""The largest body (request or answer, as sent or decoded) the proxy handles."""

# Headers about one connection, not the message (RFC 9110 7.6.1), and those httpx sets.
_HOP_BY_HOP = frozenset(
    [
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "host",
        "content-length",
    ]
)
_log = logging.getLogger("chatkit_threads_mock")


def shown_url(url: str) -> str:
    """`url` without its credentials (`user:pass@`), for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class _Route:
    """One operation of the spec, matched by method and path."""

    def __init__(self, operation: Any, base_path: str) -> None:
        self.operation = operation
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(operation.path))
        self.regex = re.compile(re.escape(base_path) + pattern + "$")

    def schema(self, status: int) -> Any:
        """The operation's schema for an answer with `status` (None: none declared)."""
        responses = self.operation.responses
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            response = responses.get(key)
            if response is not None:
                return response.schema
        return None


class ValidationProxy:
    """The proxy as an ASGI app; `tally` counts departures, `recorder` keeps fixtures."""

    def __init__(
        self,
        upstream: str,
        *,
        timeout: float = DEFAULT_UPSTREAM_TIMEOUT,
        recorder: Recorder | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        from chatkit_threads_spec import load_spec

        parts = urlsplit(upstream)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--upstream {shown_url(upstream)!r}: expected an http(s) URL")
        if not 0 < timeout < float("inf"):
            raise ValueError(f"upstream timeout: expected positive seconds, got {timeout}")
        self.spec = load_spec()
        self.upstream = upstream.rstrip("/")
        self.shown_upstream = shown_url(self.upstream)
        self.tally = DriftTally()
        # A caller's own departures, by a digest of its Authorization header (the key
        # itself is never kept), once the upstream has accepted that key.
        self.tallies: dict[str, DriftTally] = {}
        self.recorder = recorder
        self.base_path = self.spec.base_path
        self.routes = [_Route(operation, self.base_path) for operation in self.spec.operations]
        # No redirects followed, no environment proxies: the caller sees the upstream's
        # own answer, whatever it is.
        self.client = httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False, transport=transport
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive, send)
        if scope["path"] == ADMIN_PREFIX + "drift":
            response = self._drift(request)
        else:
            response = await self._forward(request)
        await response(scope, receive, send)

    def _drift(self, request: Request) -> Response:
        tally = self.tallies.get(_caller(request))
        if tally is None:
            return error_response(
                401,
                "Send the Authorization header of your API requests: the drift report shows "
                "the departures of requests made with a key the upstream accepted.",
                code="invalid_api_key",
            )
        wants_json = request.query_params.get("format") == "json" or (
            "application/json" in request.headers.get("accept", "")
        )
        if wants_json:
            return Response(json.dumps(tally.as_json()), media_type=JSON)
        return Response(tally.as_text(), media_type="text/plain; charset=utf-8")

    async def _forward(self, request: Request) -> Response:
        path = request.url.path
        raw_path = request.scope.get("raw_path") or path.encode()
        raw_path = raw_path.split(b"?", 1)[0].decode("latin-1")
        if not path.startswith(self.base_path + "/"):
            return error_response(
                404,
                f"Unknown path {path[:200]!r}: the proxy forwards the API's paths, "
                f"under {self.base_path}/.",
                code="unknown_url",
            )
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return error_response(413, "The request body is too large to forward.")
        url = self.upstream + raw_path[len(self.base_path) :]
        query = request.scope.get("query_string", b"")
        headers = [
            (name, value)
            for name, value in request.scope["headers"]
            if name.decode("latin-1").lower() not in _HOP_BY_HOP
        ]
        try:
            outgoing = self.client.build_request(
                request.method,
                url + ("?" + query.decode("latin-1") if query else ""),
                headers=headers,
                content=body or None,
            )
            answer = await self.client.send(outgoing, stream=True)
            try:
                raw = await _read(answer)
            finally:
                await answer.aclose()
        except httpx.TimeoutException:
            return self._unavailable("did not answer in time", "upstream_timeout")
        except _TooLarge:
            return self._unavailable(
                f"answered with more than {MAX_BODY_BYTES} bytes", "upstream_too_large"
            )
        except (httpx.HTTPError, OSError, ValueError) as error:
            return self._unavailable(f"could not be reached ({type(error).__name__})", None)
        self._check(request, answer, raw)
        kept = [(k, v) for k, v in answer.headers.raw if k.decode().lower() not in _HOP_BY_HOP]
        response = Response(raw, status_code=answer.status_code)
        response.raw_headers = [*kept, (b"content-length", str(len(raw)).encode())]
        return response

    def _unavailable(self, what: str, code: str | None) -> Response:
        _log.warning("upstream %s %s", self.shown_upstream, what)
        return error_response(
            502,
            f"The upstream {self.shown_upstream} {what}.",
            code=code or "upstream_unavailable",
            type="server_error",
        )

    def _check(self, request: Request, answer: httpx.Response, raw: bytes) -> None:
        path = request.url.path
        found = next(
            (
                (route, match)
                for route in self.routes
                if route.operation.method == request.method
                and (match := route.regex.match(path)) is not None
            ),
            None,
        )
        tallies = [self.tally]
        if answer.status_code != 401:
            tallies.append(self.tallies.setdefault(_caller(request), DriftTally()))
        if found is None:
            for tally in tallies:
                tally.skip()
            return
        route, match = found
        operation = route.operation
        schema = route.schema(answer.status_code)
        body = _decoded_json(answer, raw)
        if schema is None:
            problems = [("$", f"status {answer.status_code} is not among the spec's answers")]
        elif body is _NOT_JSON:
            problems = [("$", "the body is not JSON")]
        else:
            from chatkit_threads_spec.validate import problems as validate

            problems = [(p.path, p.message) for p in validate(schema, body, spec=self.spec)]
        # An upstream may echo the caller's key back: it never reaches the report.
        secrets = _keys(request.headers.getlist("authorization"))
        shown = [_redacted(p, secrets) for p in problems]
        for tally in tallies:
            tally.add(operation.operation_id, shown)
        if self.recorder is not None and 200 <= answer.status_code < 300:
            _record(self.recorder, request, operation, match.groupdict(), body)

    async def aclose(self) -> None:
        """Close the connections to the upstream."""
        await self.client.aclose()


def _record(
    recorder: Recorder, request: Request, operation: Any, params: dict[str, str], body: Any
) -> None:
    """Keep what a successful answer says about the data (see `proxy_record`)."""
    secrets = _keys(request.headers.getlist("authorization"))
    if operation.method == "DELETE":
        for value in params.values():
            recorder.forget(value)
        return
    if operation.method != "GET" or not isinstance(body, dict):
        return
    parent = next(iter(params.values()), None)
    entries = body.get("data") if operation.paginated else [body]
    if isinstance(entries, list):
        recorder.keep(entries, secrets, parent=parent)


_NOT_JSON: Any = object()


class _TooLarge(Exception):
    """The upstream's answer is over `MAX_BODY_BYTES`."""


_SLICE = 16 * 1024


def _caller(request: Request) -> str:
    """Who is asking, as a digest of the Authorization header(s) ("" without one)."""
    values = request.headers.getlist("authorization")
    if not values:
        return ""
    return hashlib.sha256("\n".join(values).encode("utf-8", "surrogateescape")).hexdigest()


def _keys(values: Sequence[str]) -> list[str]:
    """The secrets of `Authorization` values (the key of `Bearer KEY`, any other value)."""
    return [value.partition(" ")[2].strip() or value for value in values]


def _redacted(problem: tuple[str, str], secrets: Sequence[str]) -> tuple[str, str]:
    path, message = problem
    for secret in secrets:
        if secret:
            path, message = path.replace(secret, REDACTED), message.replace(secret, REDACTED)
    return path, message


async def _read(answer: httpx.Response) -> bytes:
    body = bytearray()
    async for chunk in answer.aiter_raw():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _TooLarge
    return bytes(body)


def _decoded_json(answer: httpx.Response, raw: bytes) -> Any:
    """The JSON of an answer's raw body (decompressed within the size bound)."""
    # Fed in slices, so a compressed body expands a slice at a time within the bound.
    slices = (raw[start : start + _SLICE] for start in range(0, len(raw), _SLICE))
    decoded = httpx.Response(answer.status_code, headers=answer.headers, content=slices)
    text = bytearray()
    try:
        for chunk in decoded.iter_bytes():
            text += chunk
            if len(text) > MAX_BODY_BYTES:
                return _NOT_JSON
        return json.loads(bytes(text))
    except (httpx.DecodingError, ValueError, RecursionError):
        return _NOT_JSON

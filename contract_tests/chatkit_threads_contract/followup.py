"""Extra requests that custom checks send to confirm what one response claims.

A check sees one response; properties such as "a pagination walk returns every item once"
need more requests. They go to the same server with the same credentials as the request
under test, both read back from that request, so the checks need no global state.
"""

from __future__ import annotations

import contextvars
import json
import shlex
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpcore
import httpx

from .adapter import Exchange
from .contract import SpecContract
from .deadline import DeadlineBackend, DeadlineExceeded, Deadlines
from .pacing import RATE_LIMITED, Pacer
from .redaction import Redactor

__all__ = [
    "Followup",
    "Page",
    "RunTarget",
    "StillRateLimited",
    "curl",
    "last_request",
    "recording",
    "sent_query",
    "targeting",
]

# A walk stops here even if the server keeps answering `has_more: true`: a contract check
# must not loop forever on the very bug it is looking for.
MAX_PAGES = 500


class StillRateLimited(RuntimeError):
    """A follow-up request was still answered 429 after every retry: there is no answer to judge."""


@dataclass(frozen=True)
class Page:
    """One page of a list response, reduced to what the pagination checks compare."""

    status: int
    ids: list[str]
    created_at: list[int]
    users: list[str | None]
    first_id: str | None
    last_id: str | None
    has_more: bool | None
    body: Any


def sent_query(request_url: str) -> dict[str, str]:
    """The query parameters as the server received them (last value wins)."""
    return dict(parse_qsl(urlsplit(request_url).query, keep_blank_values=True))


def _page_from(response: httpx.Response) -> Page:
    try:
        body = response.json()
    except json.JSONDecodeError:
        body = None
    data = body.get("data") if isinstance(body, dict) else None
    rows = [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []
    return Page(
        status=response.status_code,
        ids=[str(row.get("id")) for row in rows],
        created_at=[row.get("created_at", 0) for row in rows],
        users=[row.get("user") for row in rows],
        first_id=body.get("first_id") if isinstance(body, dict) else None,
        last_id=body.get("last_id") if isinstance(body, dict) else None,
        has_more=body.get("has_more") if isinstance(body, dict) else None,
        body=body,
    )


@dataclass
class RunTarget:
    """A contract run in progress: its server, its spec, how it sends requests, and what
    its checks learnt (so no check keeps state of its own beyond the run)."""

    base_url: str
    contract: SpecContract
    pacer: Pacer = field(default_factory=Pacer)
    timeout: float = 30.0
    headers: dict[str, str] = field(default_factory=dict)
    """Extra headers (`-H`) sent with every request of the run."""
    redactor: Redactor = field(default_factory=Redactor)
    other_api_key: str | None = None
    """A second key of the server, for the isolation check."""
    client: httpx.Client = field(init=False, repr=False)
    deadlines: Deadlines = field(init=False, repr=False)
    verified: set[tuple[Any, ...]] = field(default_factory=set, repr=False)
    """Follow-up verifications already passed, by the check and the state it saw:
    re-checking identical data on every generated case would only multiply requests."""
    reproducers: dict[str, str] = field(default_factory=dict, repr=False)
    """The curl of the follow-up request that showed each failure, by its message."""
    exchanges: list[Exchange] = field(default_factory=list, repr=False)
    """Every exchange sent through `send` (the probe, the checks' follow-ups)."""

    def __post_init__(self) -> None:
        # One pooled client per run: a new connection per request would double the cost
        # of every check that looks further than the response it was given. Its sockets
        # are known to `deadlines`, which bounds each whole exchange by the timeout.
        self.deadlines = Deadlines()
        transport = httpx.HTTPTransport()
        transport._pool = httpcore.ConnectionPool(  # no public way to pass a network backend
            ssl_context=httpx.create_ssl_context(),
            network_backend=DeadlineBackend(self.deadlines),
        )
        self.client = httpx.Client(timeout=self.timeout, transport=transport)

    @property
    def key(self) -> str:
        """The base URL without its trailing slash."""
        return self.base_url.rstrip("/")

    def send(self, request: httpx.Request) -> httpx.Response:
        """Send `request` paced, 429s waited out, each exchange within the timeout."""

        def once() -> httpx.Response:
            started = time.time()
            try:
                with self.deadlines.bound(self.timeout):
                    response = self.client.send(request)
            except DeadlineExceeded as error:
                raise httpx.ReadTimeout(str(error), request=request) from None
            self.exchanges.append(_exchange(request, response, started))
            return response

        return self.pacer.send(once, lambda r: r.status_code, lambda r: r.headers)


def _exchange(request: httpx.Request, response: httpx.Response, started: float) -> Exchange:
    return Exchange(
        method=request.method,
        url=str(request.url),
        request_headers=tuple(request.headers.items()),
        request_body=request.content or None,
        status=response.status_code,
        response_headers=tuple(response.headers.items()),
        response_body=response.content,
        elapsed=response.elapsed.total_seconds(),
        started=started,
    )


# The runs under way, by base URL. The checks are registered with schemathesis globally,
# so they also run inside any other schemathesis test in the same process, where a
# follow-up could go anywhere (for an in-process app, to the spec's `servers` URL, the
# real API). Follow-ups are sent only to the target of a run in progress.
_TARGETS: dict[str, list[RunTarget]] = {}
_TARGETS_LOCK = threading.Lock()


@contextmanager
def targeting(target: RunTarget | str) -> Iterator[RunTarget]:
    """Allow follow-up requests to the target's base URL for the duration of a run."""
    if isinstance(target, str):
        from .contract import load_contract

        target = RunTarget(target, load_contract())
    target.redactor.add_url(target.base_url)
    with _TARGETS_LOCK:
        _TARGETS.setdefault(target.key, []).append(target)
    try:
        yield target
    finally:
        target.client.close()
        with _TARGETS_LOCK:
            runs = _TARGETS[target.key]
            runs.remove(target)
            if not runs:
                del _TARGETS[target.key]


def target_for(url: str) -> RunTarget | None:
    """The run in progress whose base URL `url` starts with, if any."""
    with _TARGETS_LOCK:
        for key, runs in _TARGETS.items():
            if url == key or url.startswith(key + "/"):
                return runs[-1]
    return None


# The follow-up requests sent by the check running in this thread, so that a failing
# check is reproduced with the request that showed the failure.
_SENT: contextvars.ContextVar[list[httpx.Request] | None] = contextvars.ContextVar(
    "chatkit_contract_sent", default=None
)


@contextmanager
def recording() -> Iterator[list[httpx.Request]]:
    """Collect the follow-up requests sent in this thread for the duration."""
    sent: list[httpx.Request] = []
    token = _SENT.set(sent)
    try:
        yield sent
    finally:
        _SENT.reset(token)


def last_request(sent: list[httpx.Request]) -> httpx.Request | None:
    """The most recent follow-up request, if any was sent."""
    return sent[-1] if sent else None


def curl(request: httpx.Request, redactor: Redactor | None = None) -> str:
    """A curl command for `request`, the API key as `$OPENAI_API_KEY` and every secret
    (the key wherever it appears, secret-looking headers) redacted."""
    redactor = redactor or Redactor()
    parts = ["curl", "-X", request.method, shlex.quote(redactor.text(str(request.url)))]
    for name, value in request.headers.items():
        if name.lower() == "authorization":
            parts += ["-H", '"Authorization: Bearer $OPENAI_API_KEY"']
            continue
        if name.lower() in ("host", "accept", "accept-encoding", "connection", "user-agent"):
            continue
        parts += ["-H", shlex.quote(f"{name}: {redactor.header(name, value)}")]
    return " ".join(parts)


class Followup:
    """Sends follow-up requests to the server that answered `request_url`."""

    def __init__(
        self, request_url: str, request_headers: Mapping[str, str], target: RunTarget
    ) -> None:
        self.base_url = target.key
        self.target = target
        headers = {**target.contract.fixed_headers, **target.headers}
        authorization = _header(request_headers, "Authorization")
        if authorization is not None:
            headers["Authorization"] = authorization
        self.headers = headers

    @classmethod
    def from_response(cls, response: Any) -> Followup | None:
        """Build from a schemathesis response.

        `None` (the check does not apply) when the request was not authorised, or when
        its server is not the target of a contract run in progress (see `targeting`).
        """
        request = response.request
        headers = {str(k): str(v) for k, v in request.headers.items()}
        if _header(headers, "Authorization") is None:
            return None
        target = target_for(str(request.url))
        if target is None:
            return None
        return cls(str(request.url), headers, target)

    def with_key(self, api_key: str) -> Followup:
        """The same server, another API key (for isolation checks)."""
        other = Followup.__new__(Followup)
        other.base_url = self.base_url
        other.target = self.target
        other.headers = {**self.headers, "Authorization": f"Bearer {api_key}"}
        return other

    def request(
        self, method: str, path: str, params: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        """Send one request (paced, 429s waited out); `path` is relative to the base URL,
        `params` named by role (`limit`, `after`...: see `contract.PARAM_ROLES`)."""
        client = self.target.client
        # The checks name listing parameters by role; the spec under test names them.
        wire = self.target.contract.on_wire(dict(params or {}))
        request = client.build_request(
            method,
            self.base_url + path,
            params={k: v for k, v in wire.items() if v is not None},
            headers=self.headers,
        )
        sent = _SENT.get()
        if sent is not None:
            sent.append(request)
        response = self.target.send(request)
        if response.status_code == RATE_LIMITED:
            shown = self.target.redactor.text(str(request.url))
            raise StillRateLimited(f"{method} {shown} still answered 429 after retries")
        return response

    def page(self, path: str, **params: Any) -> Page:
        """GET one page of a list operation."""
        return _page_from(self.request("GET", path, params))

    def walk(self, path: str, *, limit: int, direction: str = "after", **params: Any) -> list[Page]:
        """Follow `after=<last_id>` (or `before=<first_id>`) from the first page until the end.

        Returns every page fetched. The walk ends at `has_more: false` (forward) or an empty
        page (backward, where `has_more` is not defined by the spec), at a non-200 answer,
        or when a cursor comes back that was already followed: the server would answer the
        same page again, and the pages so far already show the repetition.
        """
        pages: list[Page] = []
        cursor: str | None = params.pop(direction, None)
        followed = {cursor}
        for _ in range(MAX_PAGES):
            page = self.page(path, limit=limit, **{direction: cursor}, **params)
            pages.append(page)
            if page.status != 200 or not page.ids:
                break
            if direction == "after" and not page.has_more:
                break
            cursor = page.last_id if direction == "after" else page.first_id
            if cursor is None or cursor in followed:
                break
            followed.add(cursor)
        return pages


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None

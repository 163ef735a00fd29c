"""Fault injection, for testing how clients cope with a misbehaving server.

A fault spec is a comma-separated list of `name=value`, each name at most once:

    latency=50ms     added before every answer (also `0.05s`, or a bare number of ms);
                     at most 30 s
    429=0.1          rate of 429 answers, with `Retry-After` (see `retry-after`)
    retry-after=1    seconds sent in `Retry-After` on an injected 429 (default 1);
                     at most 3600
    500=0.05         rate of 500 answers
    503=0.05         rate of 503 answers
    drop=0.01        rate of connections dropped halfway through the response body
    seed=42          seed of the random draws, for reproducible runs (default 0);
                     an integer from 0 to 2**64 - 1

Rates are probabilities in 0..1, drawn once per request in that order. A spec can be
set for the whole server (`--faults`) or sent with one request in the
`X-Mock-Faults` header, which then replaces the server's spec for that request. Faults
apply only to requests that pass the API key and beta header checks: a request without
a valid key gets its 401 whatever it asks for, and cannot use the header. A bad header
spec is a 400 `invalid_faults` naming the header. Each distinct header spec keeps its
own seeded sequence for the life of the server, so sending `500=0.3,seed=7` with every
request fails about 30% of them, the same ones on every run against a fresh server. An
injected 429 carries `Retry-After` (seconds) and `retry-after-ms`; `drop` sends the
status line and half the body, then closes the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response, retry_after_headers

__all__ = [
    "FAULT_HEADER",
    "MAX_LATENCY",
    "MAX_RETRY_AFTER",
    "MAX_SEED",
    "FaultInjector",
    "FaultSpec",
    "parse_faults",
]

FAULT_HEADER = "x-mock-faults"

MAX_LATENCY = 30.0
"""The longest `latency` a spec may ask for, in seconds."""

MAX_RETRY_AFTER = 3600.0
"""The longest `retry-after` a spec may ask for, in seconds."""

MAX_SEED = 2**64 - 1
"""The largest `seed`."""

_RATES = {"429": "rate_429", "500": "rate_500", "503": "rate_503", "drop": "rate_drop"}
_KNOWN = ("latency", "retry-after", "seed", *_RATES)


@dataclass
class FaultSpec:
    """What to inject, and the seeded random source that decides when."""

    latency: float = 0.0
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    rate_drop: float = 0.0
    retry_after: float = 1.0
    seed: int = 0
    _random: random.Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check("latency", self.latency, MAX_LATENCY)
        _check("retry-after", self.retry_after, MAX_RETRY_AFTER)
        for name, attribute in _RATES.items():
            _check(name, getattr(self, attribute), 1.0)
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed: expected an integer from 0 to {MAX_SEED}, got {self.seed}")
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        """The fault for the next request (`"429"`, `"500"`, `"503"`, `"drop"`) or None."""
        with self._lock:
            for name, attribute in _RATES.items():
                rate = getattr(self, attribute)
                if rate and self._random.random() < rate:
                    return name
        return None


def _check(name: str, value: float, most: float) -> None:
    unit = "" if name in _RATES else " s"
    if value < 0:
        raise ValueError(f"{name}: must not be negative (0 to {most:g}{unit})")
    # `not x <= most` also refuses NaN, which every comparison fails.
    if not value <= most:
        raise ValueError(f"{name}: must be at most {most:g}{unit}, got {value:g}")


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {text.strip()!r}")
    return value


def _seconds(text: str) -> float:
    text = text.strip().lower()
    if text.endswith("ms"):
        return _number(text[:-2]) / 1000
    if text.endswith("s"):
        return _number(text[:-1])
    return _number(text) / 1000


def _seed(text: str) -> int:
    text = text.strip()
    # Checked before int(): a huge digit string is slow to convert.
    if not text.isdigit() or len(text) > len(str(MAX_SEED)):
        raise ValueError(f"expected an integer from 0 to {MAX_SEED}")
    return int(text)


def parse_faults(spec: str) -> FaultSpec:
    """Parse a fault spec (see the module docstring); ValueError names the bad part."""
    values: dict[str, float] = {}
    seed = 0
    seen: set[str] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, raw = part.partition("=")
        name = name.strip().lower()
        shown = part[:60] + ("..." if len(part) > 60 else "")
        try:
            if not sep:
                raise ValueError("expected name=value")
            if name not in _KNOWN:
                raise ValueError(f"unknown fault (known: {', '.join(_KNOWN)})")
            if name in seen:
                raise ValueError("given twice")
            seen.add(name)
            if name == "latency":
                values["latency"] = _seconds(raw)
                _check(name, values["latency"], MAX_LATENCY)
            elif name == "retry-after":
                values["retry_after"] = _number(raw)
                _check(name, values["retry_after"], MAX_RETRY_AFTER)
            elif name == "seed":
                seed = _seed(raw)
            else:
                values[_RATES[name]] = _number(raw)
                _check(name, values[_RATES[name]], 1.0)
        except ValueError as error:
            reason = str(error).removeprefix(f"{name}: ")
            if "could not convert" in reason:
                reason = "not a number"
            raise ValueError(f"fault {shown!r}: {reason}") from None
    return FaultSpec(**values, seed=seed)


class FaultInjector:
    """ASGI middleware that injects the faults of the server's spec or the header's.

    `authorized(scope)` says whether a request passes the API's key and header checks;
    the others go through untouched (to get their 401 or 400), header or not.
    """

    # Specs sent in the header, by their text: each keeps drawing from its own seeded
    # sequence across requests, so `500=0.3,seed=7` fails about 30% of a run's requests,
    # the same ones on every run against a fresh server.
    _MAX_HEADER_SPECS = 256

    def __init__(
        self, app: ASGIApp, spec: FaultSpec | None, authorized: Callable[[Scope], bool]
    ) -> None:
        self.app = app
        self.spec = spec
        self.authorized = authorized
        self._header_specs: dict[str, FaultSpec] = {}

    def _from_header(self, text: str) -> FaultSpec:
        spec = self._header_specs.get(text)
        if spec is None:
            spec = parse_faults(text)
            if len(self._header_specs) >= self._MAX_HEADER_SPECS:
                # A client sending a new spec per request must not grow memory forever.
                self._header_specs.pop(next(iter(self._header_specs)))
            self._header_specs[text] = spec
        return spec

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = None
        for name, value in scope.get("headers", ()):  # a loop: no generator per request
            if name == _FAULT_HEADER_BYTES:
                header = value
                break
        if (header is None and self.spec is None) or not self.authorized(scope):
            await self.app(scope, receive, send)
            return
        spec = self.spec
        if header is not None:
            try:
                spec = self._from_header(header.decode("latin-1"))
            except ValueError as error:
                response = error_response(
                    400, str(error), param=FAULT_HEADER, code="invalid_faults"
                )
                await response(scope, receive, send)
                return
        assert spec is not None
        if spec.latency:
            await asyncio.sleep(spec.latency)
        fault = spec.draw()
        if fault in _INJECTED:
            status = int(fault)
            message, code, kind = _INJECTED[fault]
            headers = retry_after_headers(spec.retry_after) if status == 429 else None
            response = error_response(status, message, code=code, type=kind, headers=headers)
            await response(scope, receive, send)
            return
        if fault == "drop":
            # Returning with the body incomplete makes the server close the connection;
            # the client sees a truncated response.
            with contextlib.suppress(_Dropped):
                await self.app(scope, receive, _dropping(send))
            return
        await self.app(scope, receive, send)


_FAULT_HEADER_BYTES = FAULT_HEADER.encode()
_INJECTED = {
    "429": (
        "Rate limit reached; retry after the time in Retry-After.",
        "rate_limit_exceeded",
        "requests",
    ),
    "500": (
        "The server had an error while processing your request.",
        "server_error",
        "server_error",
    ),
    "503": ("The server is overloaded; try again later.", "server_overloaded", "server_error"),
}


class _Dropped(Exception):
    """Ends a response halfway through its body, as a failing server or proxy would."""


def _dropping(send: Send) -> Send:
    async def half_send(message: Message) -> None:
        if message["type"] == "http.response.body":
            body = message.get("body", b"")
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
            raise _Dropped
        await send(message)

    return half_send

"""Exchanges of a run as plain, redacted records: what the HAR, NDJSON and VCR reports and
`replay` read and write.

A record holds the request (method, URL, headers, body) and the answer (status,
headers, body, time taken); every secret the run knows is redacted in the URL, the
header values and the bodies before it is kept, so no report can leak one.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from typing import Any

from .adapter import Exchange
from .redaction import Redactor

__all__ = ["Recorded", "record_exchange"]


@dataclass(frozen=True)
class Recorded:
    """One exchange, redacted (bodies as text when UTF-8, else base64 with `encoding`)."""

    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: str
    status: int | None
    response_headers: list[tuple[str, str]]
    response_body: str
    response_encoding: str
    """`text` or `base64`."""
    elapsed: float
    started: float

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recorded:
        """Read back what `as_dict` gave (e.g. a line of an NDJSON report)."""
        return cls(
            method=str(data["method"]),
            url=str(data["url"]),
            request_headers=[(str(k), str(v)) for k, v in data.get("request_headers", [])],
            request_body=str(data.get("request_body", "")),
            status=None if data.get("status") is None else int(data["status"]),
            response_headers=[(str(k), str(v)) for k, v in data.get("response_headers", [])],
            response_body=str(data.get("response_body", "")),
            response_encoding=str(data.get("response_encoding", "text")),
            elapsed=float(data.get("elapsed", 0.0)),
            started=float(data.get("started", 0.0)),
        )


def _body(data: bytes | None, redactor: Redactor) -> tuple[str, str]:
    if not data:
        return "", "text"
    try:
        return redactor.text(data.decode("utf-8")), "text"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), "base64"


def record_exchange(exchange: Exchange, redactor: Redactor) -> Recorded:
    """The exchange with every secret redacted."""
    request_body, _ = _body(exchange.request_body, redactor)
    response_body, encoding = _body(exchange.response_body, redactor)
    return Recorded(
        method=exchange.method,
        url=redactor.text(exchange.url),
        request_headers=[(k, redactor.header(k, v)) for k, v in exchange.request_headers],
        request_body=request_body,
        status=exchange.status,
        response_headers=[(k, redactor.header(k, v)) for k, v in exchange.response_headers],
        response_body=response_body,
        response_encoding=encoding,
        elapsed=exchange.elapsed,
        started=exchange.started,
    )

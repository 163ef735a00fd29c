"""A small hostile HTTP server on 127.0.0.1 for the command line's tests.

Independent of the mock server: each test states, in a few lines, what every request
gets back (bodies the spec forbids, repeated cursors, echoed keys, absurd headers), and
``Hostile.cli`` runs a command against it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from typer.testing import CliRunner, Result

from chatkit_threads_cli.app import app

KEY = "sk-hostile-test-key-0123456789"


@dataclass
class Request:
    """What the server received: method, path (without the /v1 prefix) and query."""

    method: str
    path: str
    query: dict[str, str]


@dataclass
class Reply:
    """What the server sends back: a status, headers and a body (text or JSON-able)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    """The body's bytes exactly (overrides ``body``)."""
    drop: bool = False
    """Close the connection without answering (the request was received)."""


Handler = Callable[[Request], Reply]


@dataclass
class Hostile:
    """A running hostile server: its URL, the requests it got, and a runner."""

    base_url: str
    requests: list[Request]

    def cli(self, *args: str, input: str | None = None, key: str = KEY, retries: int = 0) -> Result:
        """``chatkit-threads --base-url ... --api-key KEY --max-retries N ARGS``."""
        base = ["--base-url", self.base_url, "--api-key", key, "--max-retries", str(retries)]
        return CliRunner().invoke(app, [*base, *args], input=input)


def page(data: list[Any], *, has_more: bool = False, last_id: str | None = None) -> Reply:
    """A list envelope around ``data``; ``last_id`` defaults to the last entry's id."""
    ids = [entry.get("id") for entry in data if isinstance(entry, dict)]
    return Reply(
        body={
            "object": "list",
            "data": data,
            "first_id": ids[0] if ids else None,
            "last_id": last_id if last_id is not None else (ids[-1] if ids else None),
            "has_more": has_more,
        }
    )


def thread(thread_id: str, *, title: str = "t", created_at: Any = 1_700_000_000) -> dict[str, Any]:
    """A thread object as the spec describes it."""
    return {
        "id": thread_id,
        "object": "chatkit.thread",
        "created_at": created_at,
        "title": title,
        "status": {"type": "active"},
        "user": "user_x",
    }


def message(item_id: str, thread_id: str, text: str = "hello") -> dict[str, Any]:
    """A user message item."""
    return {
        "id": item_id,
        "object": "chatkit.thread_item",
        "created_at": 1_700_000_001,
        "thread_id": thread_id,
        "type": "chatkit.user_message",
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": None,
    }


def not_found() -> Reply:
    """The error envelope of a 404."""
    return Reply(404, {"error": {"message": "not found", "type": "invalid_request_error"}})


@contextmanager
def hostile(handler: Handler) -> Iterator[Hostile]:
    """Serve ``handler`` on 127.0.0.1 (an ephemeral port) for the block."""
    requests: list[Request] = []

    class Handle(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            url = urlsplit(self.path)
            query = {name: values[-1] for name, values in parse_qs(url.query).items()}
            request = Request(self.command, url.path.removeprefix("/v1"), query)
            requests.append(request)
            reply = handler(request)
            if reply.drop:
                self.close_connection = True
                return
            if reply.raw is not None:
                payload = reply.raw
            elif isinstance(reply.body, str):
                payload = reply.body.encode("utf-8", "surrogatepass")
            else:
                payload = json.dumps(reply.body).encode("utf-8", "surrogatepass")
            self.send_response(reply.status)
            self.send_header("content-type", "application/json")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_DELETE = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read ``requests`` instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
    server.daemon_threads = True
    worker = threading.Thread(target=server.serve_forever, daemon=True)
    worker.start()
    try:
        yield Hostile(f"http://127.0.0.1:{server.server_address[1]}/v1", requests)
    finally:
        server.shutdown()
        server.server_close()

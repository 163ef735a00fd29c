"""Fixtures for the command line's tests: the mock server on 127.0.0.1 and a runner.

Every command runs in-process through click's runner against a real ``MockServer``
(HTTP on 127.0.0.1), so the whole path is exercised: options, the public client,
the server, rendering, exit codes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response
from typer.testing import CliRunner, Result

from chatkit_threads import ChatKit
from chatkit_threads_cli.app import app
from chatkit_threads_mock import FAULT_HEADER, MockApi, MockServer, error_response

# The default seed gives each key's project these: 12 threads, 8 items each, 3 users.
SEEDED_THREADS = 12
ITEMS_PER_THREAD = 8


@dataclass
class Cli:
    """Runs ``chatkit-threads --base-url ... --api-key ... ARGS`` against ``server``."""

    server: MockServer

    def __call__(self, *args: str, input: str | None = None, env: Any = None) -> Result:
        runner = CliRunner()
        base = ["--base-url", self.server.base_url, "--api-key", self.server.api_key]
        # No retries: an injected failure must surface at once, and tests stay quick.
        return runner.invoke(app, [*base, "--max-retries", "0", *args], input=input, env=env)

    def client(self) -> ChatKit:
        """A client of the same server, to check what a command did."""
        return ChatKit(api_key=self.server.api_key, base_url=self.server.base_url)


class _FaultFreeCli(Cli):
    def client(self) -> ChatKit:
        # The per-request header replaces the server's fault spec with none at all.
        return ChatKit(
            api_key=self.server.api_key,
            base_url=self.server.base_url,
            default_headers={FAULT_HEADER: "seed=0"},
        )


def serve_faulty(faults: str, **options: Any) -> Iterator[Cli]:
    """A server injecting ``faults`` into the command's requests; ``client()`` (for
    checking what the command did) gets no faults."""
    with MockServer(port=0, faults=faults, **options) as server:
        yield _FaultFreeCli(server)


def serve(**options: Any) -> Iterator[Cli]:
    """Start a fresh, default-seeded mock server for one test."""
    with MockServer(port=0, **options) as server:
        yield Cli(server)


@pytest.fixture
def cli() -> Iterator[Cli]:
    """A fresh default-seeded server (tests may delete from it) and its runner."""
    yield from serve()


class FailingItems:
    """A switch for a server whose item listings fail (500) after ``allowed`` requests."""

    def __init__(self) -> None:
        self.allowed: int | None = None
        self.calls = 0

    def arm(self, allowed: int) -> None:
        """Let ``allowed`` more item listings through, then fail every one."""
        self.allowed, self.calls = allowed, 0

    def disarm(self) -> None:
        """Let every request through again."""
        self.allowed = None


@pytest.fixture
def failing() -> FailingItems:
    """The switch of the ``flaky_cli`` server."""
    return FailingItems()


@pytest.fixture
def flaky_cli(failing: FailingItems) -> Iterator[Cli]:
    """A server whose item listings can be made to fail mid-export (see ``FailingItems``)."""

    class FlakyApi(MockApi):
        async def list_items(self, request: Request) -> Response:
            failing.calls += 1
            if failing.allowed is not None and failing.calls > failing.allowed:
                return error_response(500, "injected failure", type="server_error")
            return await super().list_items(request)

    yield from serve(api_class=FlakyApi)


def drifting_server(items: Sequence[dict[str, Any]]) -> Callable[[], Iterator[Cli]]:
    """A server whose every item listing is ``items`` verbatim (payloads off the spec)."""

    class DriftingApi(MockApi):
        async def list_items(self, request: Request) -> Response:
            self.project(request)
            body = {
                "object": "list",
                "data": list(items),
                "first_id": items[0].get("id") if items else None,
                "last_id": items[-1].get("id") if items else None,
                "has_more": False,
            }
            return self.json(json.dumps(body))

    def factory() -> Iterator[Cli]:
        return serve(api_class=DriftingApi)

    return factory

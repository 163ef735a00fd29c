"""pytest fixtures for the mock server.

Load them with `pytest_plugins = ["chatkit_threads_mock.pytest_plugin"]` in a root
`conftest.py`, or import the fixtures into a test module or conftest.

    def test_list(chatkit_mock_server):
        client = ChatKit(api_key=chatkit_mock_server.api_key,
                         base_url=chatkit_mock_server.base_url)

    def test_retries(chatkit_mock_server_factory):
        server = chatkit_mock_server_factory(faults="429=0.5,seed=3")
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .server import MockServer

__all__ = ["chatkit_mock_server", "chatkit_mock_server_factory"]


@pytest.fixture
def chatkit_mock_server() -> Iterator[MockServer]:
    """A mock server with the default seed on a free port of 127.0.0.1, fresh per test."""
    with MockServer() as server:
        yield server


@pytest.fixture
def chatkit_mock_server_factory() -> Iterator[Callable[..., MockServer]]:
    """Starts mock servers with any `MockServer` options; all are stopped after the test."""
    started: list[MockServer] = []

    def start(**options: Any) -> MockServer:
        server = MockServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()

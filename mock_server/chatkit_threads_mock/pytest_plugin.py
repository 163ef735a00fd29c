"""pytest fixtures for the mock server.

Load them with `pytest_plugins = ["chatkit_threads_mock.pytest_plugin"]`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import MockServer

__all__ = ["chatkit_mock_server"]


@pytest.fixture
def chatkit_mock_server() -> Iterator[MockServer]:
    """A mock server with the default seed on a free port of 127.0.0.1, fresh per test."""
    with MockServer() as server:
        yield server

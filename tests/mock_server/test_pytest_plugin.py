"""The pytest fixtures other projects load from `chatkit_threads_mock.pytest_plugin`."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from chatkit_threads_mock import MockServer
from chatkit_threads_mock.pytest_plugin import (
    chatkit_mock_server,  # noqa: F401  (fixtures are found by name)
    chatkit_mock_server_factory,  # noqa: F401
)

from .conftest import HEADERS


def test_the_fixture_serves_the_default_seed(chatkit_mock_server: MockServer) -> None:  # noqa: F811
    assert chatkit_mock_server.base_url.startswith("http://127.0.0.1:")
    assert chatkit_mock_server.base_url.endswith("/v1")
    page = httpx.get(chatkit_mock_server.base_url + "/chatkit/threads", headers=HEADERS)
    assert page.status_code == 200 and len(page.json()["data"]) == 12


def test_the_factory_passes_options(
    chatkit_mock_server_factory: Callable[..., MockServer],  # noqa: F811
) -> None:
    failing = chatkit_mock_server_factory(faults="503=1", seed="none")
    empty = chatkit_mock_server_factory(seed="none", api_keys=("sk-one",))
    assert httpx.get(failing.base_url + "/chatkit/threads", headers=HEADERS).status_code == 503
    headers = HEADERS | {"Authorization": "Bearer sk-one"}
    assert httpx.get(empty.base_url + "/chatkit/threads", headers=headers).json()["data"] == []

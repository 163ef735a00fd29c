"""Fixtures for the mock server's tests: the app in-process, and helpers to call it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import pytest
from starlette.testclient import TestClient

from chatkit_threads_mock import DEFAULT_API_KEY, create_app
from chatkit_threads_spec import Schema, load_spec, validate
from tests.spec_facts import api_headers

OTHER_KEY = "sk-chatkit-mock-other"
HEADERS = api_headers(DEFAULT_API_KEY)
OTHER_HEADERS = api_headers(OTHER_KEY)


@pytest.fixture
def client() -> Iterator[TestClient]:
    """The default-seeded app with two keys, called in-process, with key one's headers."""
    app = create_app(api_keys=(DEFAULT_API_KEY, OTHER_KEY))
    with TestClient(app, base_url="http://127.0.0.1/v1", headers=HEADERS) as test_client:
        yield test_client


def response_schema(operation_id: str, status: int) -> Schema:
    """The spec's schema for an operation's response with `status` (or its `NXX` range)."""
    responses = load_spec().operation(operation_id).responses
    response = responses.get(str(status)) or responses[f"{str(status)[0]}XX"]
    assert response.schema is not None, f"{operation_id} {status}: no JSON body in the spec"
    return response.schema


def assert_conforms(operation_id: str, response: Any) -> Any:
    """Assert a response is JSON with a request id and matches the spec; return its body.

    Judged by the one validator of bodies (`chatkit_threads_spec.validate.problems`).
    """
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"].startswith("req_")
    body = response.json()
    schema = response_schema(operation_id, response.status_code)
    found = validate.problems(schema, body, spec=load_spec())
    assert found == [], [f"{p.path}: {p.message}" for p in found]
    return body


class Served(NamedTuple):
    """A `chatkit-threads-mock serve` process, the base URL it printed, and its banner."""

    process: subprocess.Popen[str]
    base_url: str
    banner: str


@contextmanager
def serving(*options: str) -> Iterator[Served]:
    """`chatkit-threads-mock serve --port 0 OPTIONS` in its own process (killed at the end)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "chatkit_threads_mock", "serve", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert " on " in banner, process.stderr.read() if process.stderr else banner
        yield Served(process, banner.split(" on ", 1)[1].split(" ", 1)[0], banner)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()

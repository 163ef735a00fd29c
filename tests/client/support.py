"""Helpers for the public client's tests: an in-memory API, spec examples, a fake sleep."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

from chatkit_threads import AsyncChatKit, ChatKit, RetryPolicy

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi" / "chatkit-threads.yaml"
API_KEY = "sk-test-SECRET-0123456789abcdef"
BASE = "https://api.test/v1"

Handler = Callable[[httpx.Request], httpx.Response]


@functools.cache
def load_spec() -> dict[str, Any]:
    """The OpenAPI document, parsed (once; callers must not mutate it)."""
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return spec


def spec_example(path: str, method: str, name: str) -> dict[str, Any]:
    """One named 200-response example of the spec."""
    content = load_spec()["paths"][path][method]["responses"]["200"]["content"]
    value: dict[str, Any] = content["application/json"]["examples"][name]["value"]
    return copy.deepcopy(value)


def reference_examples() -> list[dict[str, Any]]:
    """The reference pages' JSON examples (tests/fixtures), conforming and drifting."""
    path = ROOT / "tests" / "fixtures" / "reference_examples.json"
    examples: list[dict[str, Any]] = json.loads(path.read_text())["examples"]
    return examples


def thread(thread_id: str, **overrides: Any) -> dict[str, Any]:
    """A spec-valid thread JSON object."""
    body = {
        "id": thread_id,
        "object": "chatkit.thread",
        "created_at": 1712345600,
        "title": f"Thread {thread_id}",
        "status": {"type": "active"},
        "user": "user_1",
    }
    body.update(overrides)
    return body


def page(data: list[dict[str, Any]], has_more: bool, **overrides: Any) -> dict[str, Any]:
    """A list envelope around ``data``."""
    body: dict[str, Any] = {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }
    body.update(overrides)
    return body


class Recorder:
    """An in-memory API: answers with ``handler`` and remembers every request."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    @property
    def params(self) -> list[dict[str, str]]:
        """The query parameters of every request, in order."""
        return [dict(r.url.params) for r in self.requests]


class FakeSleep:
    """Records the waits a retry loop asks for, without waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_client(
    handler: Handler, policy: RetryPolicy | None = None, **kwargs: Any
) -> tuple[ChatKit, Recorder]:
    """A sync client over an in-memory transport, and the recorder of its requests."""
    recorder = Recorder(handler)
    kwargs.setdefault("api_key", API_KEY)
    kwargs.setdefault("base_url", BASE)
    client = ChatKit(
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        retry_policy=policy,
        **kwargs,
    )
    return client, recorder


def make_async_client(
    handler: Handler, policy: RetryPolicy | None = None, **kwargs: Any
) -> tuple[AsyncChatKit, Recorder]:
    """An async client over an in-memory transport, and the recorder of its requests."""
    recorder = Recorder(handler)
    kwargs.setdefault("api_key", API_KEY)
    kwargs.setdefault("base_url", BASE)
    client = AsyncChatKit(
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        retry_policy=policy,
        **kwargs,
    )
    return client, recorder


def json_response(status: int, body: Any, **headers: str) -> httpx.Response:
    """A JSON response with a request id."""
    headers.setdefault("x-request-id", "req_123")
    return httpx.Response(status, json=body, headers=headers)


def error_body(
    message: str,
    *,
    type: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """The API's error envelope."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}

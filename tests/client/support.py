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
    # A required field the spec gains later gets a minimal valid value, so these bodies
    # stay spec-valid (strict mode) through additive spec changes.
    body.update(missing_required("ThreadResource", body))
    body.update(overrides)
    return body


def missing_required(schema_name: str, body: dict[str, Any]) -> dict[str, Any]:
    """Minimal spec-valid values for the required fields of ``schema_name`` not in ``body``."""
    schema = load_spec()["components"]["schemas"][schema_name]
    properties = schema.get("properties", {})
    return {key: _minimal(properties[key]) for key in schema.get("required", []) if key not in body}


def _minimal(schema: dict[str, Any]) -> Any:
    while "$ref" in schema:
        schema = load_spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "oneOf" in schema:
        return _minimal(schema["oneOf"][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = "null" if "null" in kind else kind[0]
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {key: _minimal(properties[key]) for key in schema.get("required", [])}
    values: dict[str, Any] = {
        "null": None,
        "array": [],
        "string": "x" * schema.get("minLength", 1),
        "integer": schema.get("minimum", 0),
        "number": schema.get("minimum", 0),
        "boolean": False,
    }
    return values.get(str(kind))


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


class FakeAPI:
    """A small in-memory ChatKit API (threads and items, cursors, 404s) for examples.

    Lists are newest first by default; ``after`` continues in list order, ``before``
    gives the page just before the cursor; ``limit`` defaults to 20.
    """

    def __init__(
        self, threads: list[dict[str, Any]], items: dict[str, list[dict[str, Any]]]
    ) -> None:
        self.threads = threads
        self.items = items

    @staticmethod
    def _page(entries: list[dict[str, Any]], params: httpx.QueryParams) -> dict[str, Any]:
        ordered = sorted(entries, key=lambda e: (e["created_at"], e["id"]))
        if params.get("order", "desc") == "desc":
            ordered.reverse()
        ids = [e["id"] for e in ordered]
        limit = int(params.get("limit", 20))
        if "after" in params:
            start = ids.index(params["after"]) + 1
            chunk, more = ordered[start : start + limit], start + limit < len(ordered)
        elif "before" in params:
            end = ids.index(params["before"])
            chunk, more = ordered[max(0, end - limit) : end], end - limit > 0
        else:
            chunk, more = ordered[:limit], limit < len(ordered)
        return page(chunk, more)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/chatkit/threads", 1)[1].strip("/").split("/")
        params = request.url.params
        if parts == [""]:
            threads = [t for t in self.threads if params.get("user", t["user"]) == t["user"]]
            return json_response(200, self._page(threads, params))
        found = [t for t in self.threads if t["id"] == parts[0]]
        if not found:
            message = f"Thread with id '{parts[0]}' not found."
            return json_response(404, error_body(message, param="thread_id", code="not_found"))
        if len(parts) == 2:
            return json_response(200, self._page(self.items.get(parts[0], []), params))
        if request.method == "DELETE":
            self.threads.remove(found[0])
            return json_response(
                200, {"id": parts[0], "object": "chatkit.thread.deleted", "deleted": True}
            )
        return json_response(200, found[0])


def fake_api() -> FakeAPI:
    """Seven threads of three users, each with the spec's six example items."""
    users = ["user_alice", "user_bob", "user_carol"]
    threads = [
        thread(f"cthr_{n:03d}", created_at=1712345600 + n, user=users[n % 3]) for n in range(7)
    ]
    example = spec_example("/chatkit/threads/{thread_id}/items", "get", "every_item_type")
    items: dict[str, list[dict[str, Any]]] = {}
    for t in threads:
        items[t["id"]] = []
        for n, item in enumerate(copy.deepcopy(example["data"])):
            item.update(id=f"cthi_{t['id'][5:]}_{n}", thread_id=t["id"])
            items[t["id"]].append(item)
    return FakeAPI(threads, items)

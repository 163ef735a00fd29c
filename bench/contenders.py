"""The clients the overhead benchmark compares, each making the four calls.

Contenders, each reading every returned entry's `id` the same way; `list_items_all`
also reads every field of every item, nested ones included (this client builds nested
models on first read, so there it builds them all):

- `chatkit_threads`: this library's `ChatKit` / `AsyncChatKit` (on httpx, its default);
- `chatkit_threads/httpx2`: the same client given an httpx2 pool as `http_client`;
- `openai`: the official SDK's `client.beta.chatkit.threads` (pinned in the bench extra);
- `httpx`: raw httpx + `json.loads`, the transport this library is built on: the floor;
- `httpx2`: the same raw calls on httpx2, the transport the SDK is built on (its floor).

Two setups. Over loopback (`base_url` given) every client is built as a user builds it,
with only an API key and a base URL, so each runs on its own default HTTP client and
connection pool. In memory (`payloads` given) each gets an HTTP client of its own
transport family whose transport answers from memory (bench.transport).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._harness import request_headers
from .payloads import ITEMS_THREAD_ID, THREAD_ID, Payloads
from .transport import async_transport, sync_transport

__all__ = [
    "API_KEY",
    "CONTENDERS",
    "EXPECTED",
    "OPS",
    "AsyncCall",
    "Contenders",
    "SyncCall",
    "async_contenders",
    "sync_contenders",
]

API_KEY = "sk-bench-0000000000000000"
MEMORY_BASE_URL = "http://bench.invalid/v1"
OPS = ("retrieve", "list", "list_items", "list_items_all", "delete")
CONTENDERS = ("chatkit_threads", "openai", "httpx", "httpx2", "chatkit_threads/httpx2")
OURS, SDK, RAW, RAW2, OURS2 = CONTENDERS
EXPECTED = {"retrieve": 1, "list": 20, "list_items": 100, "list_items_all": 100, "delete": 1}
_PATHS = {
    "retrieve": ("GET", f"/chatkit/threads/{THREAD_ID}", None),
    "list": ("GET", "/chatkit/threads", {"limit": 20}),
    "list_items": ("GET", f"/chatkit/threads/{ITEMS_THREAD_ID}/items", {"limit": 100}),
    "list_items_all": ("GET", f"/chatkit/threads/{ITEMS_THREAD_ID}/items", {"limit": 100}),
    "delete": ("DELETE", f"/chatkit/threads/{THREAD_ID}", None),
}

SyncCall = Callable[[], int]
AsyncCall = Callable[[], Awaitable[int]]


def _count(entries: Iterable[Any]) -> int:
    """Read every entry's id (attribute for models), as a caller would."""
    n = 0
    for entry in entries:
        if entry.id:
            n += 1
    return n


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    """The data fields of a model class: attrs (this client) or pydantic (the SDK)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        fields = getattr(cls, "__attrs_attrs__", None)
        if fields is not None:
            # Not a JSON field: the JSON keys the spec does not define.
            names = tuple(f.name for f in fields if f.name != "additional_properties")
        else:
            names = tuple(getattr(cls, "model_fields", ()))
        _FIELD_NAMES[cls] = names
    return names


def _read_all(value: Any) -> None:
    """Read every field of a model, dict or list, recursively."""
    if isinstance(value, list):
        for element in value:
            _read_all(element)
    elif isinstance(value, dict):
        for element in value.values():
            _read_all(element)
    else:
        for name in _field_names(type(value)):
            _read_all(getattr(value, name))


def _count_all(entries: list[Any]) -> int:
    _read_all(entries)
    return len(entries)


def _count_body(body: dict[str, Any]) -> int:
    if "data" not in body:
        return 1 if body["id"] else 0
    n = 0
    for entry in body["data"]:
        if entry["id"]:
            n += 1
    return n


def _count_all_body(body: dict[str, Any]) -> int:
    return _count_all(body["data"])


def _body_reader(op: str) -> Callable[[dict[str, Any]], int]:
    """How the raw contenders read `op`'s decoded body (as `_resources_*` read models)."""
    return _count_all_body if op == "list_items_all" else _count_body


@dataclass
class Contenders:
    """Per contender, one call per operation; the ones that could not load; what to close."""

    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    closers: list[Callable[[], Any]] = field(default_factory=list)


def _resources_sync(threads: Any) -> dict[str, SyncCall]:
    return {
        "retrieve": lambda: 1 if threads.retrieve(THREAD_ID).id else 0,
        "list": lambda: _count(threads.list(limit=20).data),
        "list_items": lambda: _count(threads.list_items(ITEMS_THREAD_ID, limit=100).data),
        "list_items_all": lambda: _count_all(threads.list_items(ITEMS_THREAD_ID, limit=100).data),
        "delete": lambda: 1 if threads.delete(THREAD_ID).id else 0,
    }


def _raw_sync(client: Any) -> dict[str, SyncCall]:
    def call(op: str) -> SyncCall:
        method, path, params = _PATHS[op]
        count = _body_reader(op)

        def run() -> int:
            response = client.request(method, path, params=params)
            response.raise_for_status()
            return count(json.loads(response.content))

        return run

    return {op: call(op) for op in OPS}


def sync_contenders(*, base_url: str | None = None, payloads: Payloads | None = None) -> Contenders:
    """Loopback (`base_url`) or in-memory (`payloads`) sync contenders."""
    out = Contenders()
    url = base_url or MEMORY_BASE_URL

    def http(family: Any) -> dict[str, Any]:
        if payloads is None:
            return {}
        return {"http_client": family.Client(transport=sync_transport(family, payloads))}

    try:
        from chatkit_threads import ChatKit

        ours = ChatKit(api_key=API_KEY, base_url=url, **http(httpx))
        out.closers.append(ours.close)
        out.calls[OURS] = _resources_sync(ours.threads)
    except Exception as error:  # pragma: no cover - reported in the results
        out.missing[OURS] = f"{type(error).__name__}: {error}"
    try:
        import httpx2

        from chatkit_threads import ChatKit

        pool = http(httpx2).get("http_client") or httpx2.Client()
        out.closers.append(pool.close)
        out.calls[OURS2] = _resources_sync(
            ChatKit(api_key=API_KEY, base_url=url, http_client=pool).threads
        )
    except Exception as error:  # pragma: no cover - reported in the results
        out.missing[OURS2] = f"{type(error).__name__}: {error}"
    try:
        import httpx2
        from openai import OpenAI

        sdk = OpenAI(api_key=API_KEY, base_url=url, **http(httpx2))
        out.closers.append(sdk.close)
        out.calls[SDK] = _resources_sync(sdk.beta.chatkit.threads)
    except Exception as error:  # pragma: no cover - reported in the results
        out.missing[SDK] = f"{type(error).__name__}: {error}"
    for name, module in ((RAW, "httpx"), (RAW2, "httpx2")):
        try:
            family = __import__(module)
            extra = {} if payloads is None else {"transport": sync_transport(family, payloads)}
            raw = family.Client(base_url=url, headers=request_headers(API_KEY), **extra)
            out.closers.append(raw.close)
            out.calls[name] = _raw_sync(raw)
        except Exception as error:  # pragma: no cover - reported in the results
            out.missing[name] = f"{type(error).__name__}: {error}"
    return out


def _resources_async(threads: Any) -> dict[str, AsyncCall]:
    async def retrieve() -> int:
        return 1 if (await threads.retrieve(THREAD_ID)).id else 0

    async def list_() -> int:
        return _count((await threads.list(limit=20)).data)

    async def list_items() -> int:
        return _count((await threads.list_items(ITEMS_THREAD_ID, limit=100)).data)

    async def list_items_all() -> int:
        return _count_all((await threads.list_items(ITEMS_THREAD_ID, limit=100)).data)

    async def delete() -> int:
        return 1 if (await threads.delete(THREAD_ID)).id else 0

    return {
        "retrieve": retrieve,
        "list": list_,
        "list_items": list_items,
        "list_items_all": list_items_all,
        "delete": delete,
    }


def _raw_async(client: Any) -> dict[str, AsyncCall]:
    def call(op: str) -> AsyncCall:
        method, path, params = _PATHS[op]
        count = _body_reader(op)

        async def run() -> int:
            response = await client.request(method, path, params=params)
            response.raise_for_status()
            return count(json.loads(response.content))

        return run

    return {op: call(op) for op in OPS}


def async_contenders(
    *, base_url: str | None = None, payloads: Payloads | None = None
) -> Contenders:
    """Async counterparts of `sync_contenders` (build them inside a running loop)."""
    out = Contenders()
    url = base_url or MEMORY_BASE_URL

    def http(family: Any) -> dict[str, Any]:
        if payloads is None:
            return {}
        return {"http_client": family.AsyncClient(transport=async_transport(family, payloads))}

    try:
        from chatkit_threads import AsyncChatKit

        ours = AsyncChatKit(api_key=API_KEY, base_url=url, **http(httpx))
        out.closers.append(ours.close)
        out.calls[OURS] = _resources_async(ours.threads)
    except Exception as error:  # pragma: no cover - reported in the results
        out.missing[OURS] = f"{type(error).__name__}: {error}"
    try:
        import httpx2

        from chatkit_threads import AsyncChatKit

        pool = http(httpx2).get("http_client") or httpx2.AsyncClient()
        out.closers.append(pool.aclose)
        out.calls[OURS2] = _resources_async(
            AsyncChatKit(api_key=API_KEY, base_url=url, http_client=pool).threads
        )
    except Exception as error:  # pragma: no cover - reported in the results
        out.missing[OURS2] = f"{type(error).__name__}: {error}"
    try:
        import httpx2
        from openai import AsyncOpenAI

        sdk = AsyncOpenAI(api_key=API_KEY, base_url=url, **http(httpx2))
        out.closers.append(sdk.close)
        out.calls[SDK] = _resources_async(sdk.beta.chatkit.threads)
    except Exception as error:  # pragma: no cover - reported in the results
        out.missing[SDK] = f"{type(error).__name__}: {error}"
    for name, module in ((RAW, "httpx"), (RAW2, "httpx2")):
        try:
            family = __import__(module)
            extra = {} if payloads is None else {"transport": async_transport(family, payloads)}
            raw = family.AsyncClient(base_url=url, headers=request_headers(API_KEY), **extra)
            out.closers.append(raw.aclose)
            out.calls[name] = _raw_async(raw)
        except Exception as error:  # pragma: no cover - reported in the results
            out.missing[name] = f"{type(error).__name__}: {error}"
    return out

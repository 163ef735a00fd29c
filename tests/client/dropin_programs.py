"""SDK-style programs, written once against the ``openai`` SDK's ChatKit threads API.

Each program takes a client and the module its names come from (``openai`` or
``chatkit_threads``: the only two lines a user changes) and returns plain data, so the
test can run it with both and compare. Nothing here knows which client it drives.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

Program = Callable[[Any, ModuleType], Any]
AsyncProgram = Callable[[Any, ModuleType], Awaitable[Any]]

MISSING = "cthr_does_not_exist"


def _error(exc: Exception, sdk: ModuleType) -> dict[str, Any]:
    """What an SDK user reads from an API error."""
    # str(exc) is left out: it is worded differently (a README difference).
    out: dict[str, Any] = {"class": type(exc).__name__, "has_message": bool(str(exc))}
    if isinstance(exc, sdk.APIStatusError):
        out |= {
            "status_code": exc.status_code,
            "body": exc.body,
            "code": exc.code,
            "param": exc.param,
            "type": exc.type,
            "has_request_id": bool(exc.request_id),
            "response_status": exc.response.status_code,
            "is_api_error": isinstance(exc, sdk.APIError),
            "is_base_error": isinstance(exc, sdk.OpenAIError),
        }
    return out


def walk_every_thread(client: Any, sdk: ModuleType) -> Any:
    """Auto-pagination: ``for`` over a list walks every page."""
    return [t.to_dict() for t in client.beta.chatkit.threads.list(limit=4)]


def walk_pages_by_hand(client: Any, sdk: ModuleType) -> Any:
    """The SDK README's manual loop: has_next_page / next_page_info / get_next_page."""
    page = client.beta.chatkit.threads.list(limit=5, order="asc")
    seen: list[Any] = []
    while True:
        info = page.next_page_info()
        seen.append([[t.id for t in page.data], info.params if info else None, page.last_id])
        if not page.has_next_page():
            break
        page = page.get_next_page()
    return seen


def iterate_pages(client: Any, sdk: ModuleType) -> Any:
    """``iter_pages()`` and a page's ``to_dict()``."""
    first = client.beta.chatkit.threads.list(limit=7)
    return [page.to_dict() for page in first.iter_pages()]


def read_one_thread(client: Any, sdk: ModuleType) -> Any:
    """Attributes the SDK's ChatKitThread has, ``to_dict``/``to_json``, ``_request_id``."""
    threads = client.beta.chatkit.threads
    first = threads.list(limit=1).data[0]
    thread = threads.retrieve(first.id)
    text = thread.to_json()
    return {
        "dict": thread.to_dict(),
        "object": thread.object,
        "status": thread.status.type,
        "status_dict": thread.status.to_dict(),
        "fields": [thread.id, thread.created_at, thread.title, thread.user],
        "json": json.loads(text),
        "json_indented": text.startswith('{\n  "'),
        "request_id": thread._request_id.startswith("req_"),
    }


def read_items_by_type(client: Any, sdk: ModuleType) -> Any:
    """Dispatch on ``item.type``, nested content and annotations included."""
    threads = client.beta.chatkit.threads
    out: list[Any] = []
    for thread in threads.list(limit=100):
        for item in threads.list_items(thread.id, order="asc", limit=10):
            row: list[Any] = [item.type, item.object, item.to_dict()]
            if item.type in ("chatkit.user_message", "chatkit.assistant_message"):
                for part in item.content:
                    row.append(part.type)
                    row += [a.type for a in getattr(part, "annotations", None) or []]
            out.append(row)
    return out


def raw_responses(client: Any, sdk: ModuleType) -> Any:
    """``with_raw_response``: headers, status, http_response, parse()."""
    threads = client.beta.chatkit.threads
    listed = threads.with_raw_response.list(limit=2)
    page = listed.parse()
    got = threads.with_raw_response.retrieve(page.data[0].id)
    thread = got.parse()
    items = threads.with_raw_response.list_items(thread.id, limit=3).parse()
    return {
        "list": [listed.status_code, listed.headers["content-type"], page.to_dict()],
        "list_json": listed.http_response.json(),
        "retrieve": [got.status_code, thread.to_dict(), got.http_response.json()],
        "request_id": got.headers.get("x-request-id") == thread._request_id,
        "items": [i.to_dict() for i in items.data],
    }


def streamed_responses(client: Any, sdk: ModuleType) -> Any:
    """``with_streaming_response``: the body as it arrives, or parsed."""
    threads = client.beta.chatkit.threads
    with threads.with_streaming_response.list(limit=3) as response:
        status, kind = response.status_code, response.headers["content-type"]
        body = json.loads(b"".join(response.iter_bytes()))
    thread_id = body["data"][0]["id"]
    with threads.with_streaming_response.list_items(thread_id, limit=4) as response:
        lines = "".join(response.iter_lines())
    with threads.with_streaming_response.retrieve(thread_id) as response:
        thread = response.parse()
        same = response.http_response.status_code == response.status_code
    with threads.with_streaming_response.list(limit=2) as response:
        page = response.parse()
    return [status, kind, body, json.loads(lines), thread.to_dict(), same, page.to_dict()]


def handle_errors(client: Any, sdk: ModuleType) -> Any:
    """Errors by their SDK names, with their SDK attributes."""
    threads = client.beta.chatkit.threads
    out: list[Any] = []
    calls: list[Callable[[], Any]] = [
        lambda: threads.retrieve(MISSING),
        lambda: threads.list_items(MISSING),
        lambda: threads.delete(MISSING),
        lambda: threads.with_raw_response.retrieve(MISSING),
        lambda: threads.list(after=MISSING),
    ]
    for call in calls:
        try:
            call()
        except sdk.NotFoundError as exc:
            out.append(["not found", _error(exc, sdk)])
        except sdk.BadRequestError as exc:
            out.append(["bad request", _error(exc, sdk)])
    try:
        with threads.with_streaming_response.retrieve(MISSING):
            pass
    except sdk.APIStatusError as exc:
        out.append(["streamed", _error(exc, sdk)])
    return out


def wrong_key(client: Any, sdk: ModuleType) -> Any:
    """A client with another key: AuthenticationError, caught as OpenAIError too."""
    bad = client.with_options(api_key="sk-not-a-known-key")
    try:
        bad.beta.chatkit.threads.list()
    except sdk.AuthenticationError as exc:
        return _error(exc, sdk)
    return None


def options_and_copies(client: Any, sdk: ModuleType) -> Any:
    """``with_options``/``copy`` with the SDK's arguments, and per-call options."""
    threads = client.beta.chatkit.threads
    quick = client.with_options(timeout=20.0, max_retries=0)
    two = client.copy(default_query={"limit": 2}, default_headers={"X-Trace": "t1"})
    replaced = two.copy(set_default_query={"limit": 3}, set_default_headers={"X-Other": "x"})
    first = threads.list(limit=1).data[0].id
    return {
        "retries": [quick.max_retries, client.max_retries],
        "timeout": quick.timeout,
        "default_query": len(two.beta.chatkit.threads.list().data),
        "set_default_query": len(replaced.beta.chatkit.threads.list().data),
        "no_timeout": threads.retrieve(first, timeout=None).id,
        "extra_query": len(threads.list(extra_query={"limit": 1}).data),
        "extra_headers": threads.retrieve(first, extra_headers={"X-Trace": "t2"}).id,
        "base_url": str(quick.base_url).rstrip("/") == str(client.base_url).rstrip("/"),
        "exclusive": _exclusive(client),
    }


def _exclusive(client: Any) -> str:
    try:
        client.copy(default_headers={"a": "1"}, set_default_headers={"b": "2"})
    except ValueError as exc:
        return str(exc)
    return "accepted"


def callable_key(client: Any, sdk: ModuleType) -> Any:
    """A callable ``api_key`` (a token provider) is called per request."""
    key: str = client.api_key
    calls: list[int] = []

    def provider() -> str:
        calls.append(1)
        return key

    rotating = client.copy(api_key=provider)
    first = rotating.beta.chatkit.threads.list(limit=1).data[0].id
    rotating.beta.chatkit.threads.retrieve(first)
    return [len(calls) >= 2, rotating.api_key == key]


def delete_then_missing(client: Any, sdk: ModuleType) -> Any:
    """Delete a thread; it is gone afterwards."""
    threads = client.beta.chatkit.threads
    victim = threads.list(limit=1, order="asc").data[0]
    deleted = threads.delete(victim.id)
    result: list[Any] = [deleted.to_dict(), deleted.object, deleted.deleted]
    try:
        threads.retrieve(victim.id)
    except sdk.NotFoundError as exc:
        result.append(_error(exc, sdk))
    # Each client deletes with its own key, and the mock spells ids per key.
    return json.loads(json.dumps(result).replace(victim.id, "<victim>"))


READ_PROGRAMS: list[Program] = [
    walk_every_thread,
    walk_pages_by_hand,
    iterate_pages,
    read_one_thread,
    read_items_by_type,
    raw_responses,
    streamed_responses,
    handle_errors,
    wrong_key,
    options_and_copies,
    callable_key,
]

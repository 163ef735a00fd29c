"""A typed usage example: ``mypy --strict`` must accept it (checked by test_typing.py).

It is never run against a server; it exists so that the public annotations stay usable
by strictly typed code: the narrowing a user writes must type-check without casts.
"""

from __future__ import annotations

import asyncio

import httpx

import chatkit_threads
from chatkit_threads import (
    UNSET,
    ActiveStatus,
    AssistantMessageItem,
    AsyncChatKit,
    AsyncCursorPage,
    ChatKit,
    DeletedThreadResource,
    FileAnnotation,
    LockedStatus,
    PageInfo,
    RawResponse,
    ResponseOutputText,
    RetryPolicy,
    SyncCursorPage,
    ThreadItem,
    ThreadResource,
    UnknownThreadItem,
    UserMessageItem,
)
from chatkit_threads.types import ThreadStatus, UserMessageContent


def describe_status(status: ThreadStatus) -> str:
    if isinstance(status, ActiveStatus):
        return "active"
    if isinstance(status, LockedStatus):
        return f"locked: {status.reason or 'no reason'}"
    return str(status.type_)


def describe_item(item: ThreadItem) -> str:
    if isinstance(item, UserMessageItem):
        parts: list[UserMessageContent] = item.content
        # Name the variants you handle: a variant the spec adds later is skipped, not an
        # attribute error (and mypy keeps passing).
        texts = [
            part.text
            for part in parts
            if isinstance(
                part, chatkit_threads.InputTextContent | chatkit_threads.QuotedTextContent
            )
        ]
        return "user: " + " ".join(texts)
    if isinstance(item, AssistantMessageItem):
        for part in item.content:
            if isinstance(part, ResponseOutputText):
                files = [
                    a.source.filename for a in part.annotations if isinstance(a, FileAnnotation)
                ]
                return f"assistant: {part.text} {files}"
        return "assistant"
    if isinstance(item, UnknownThreadItem):
        return f"unknown {item.type_!r}: {sorted(item.raw)}"
    return item.type_


def sync_usage() -> None:
    policy = RetryPolicy(initial_delay=0.1, max_delay=2.0)
    with ChatKit(api_key="sk-example", max_retries=3, strict=True, retry_policy=policy) as client:
        page: SyncCursorPage[ThreadResource] = client.threads.list(limit=10, order="asc", user="u")
        for thread in page:
            title: str | None = thread.title
            print(thread.id, title, describe_status(thread.status), thread.created_at)
        first_id: str | None = page.first_id
        if page.has_next_page():
            page = page.next_page()
        thread = client.threads.retrieve(first_id or "cthr_1", timeout=5.0)
        items: SyncCursorPage[ThreadItem] = client.threads.list_items(thread.id, limit=100)
        for items_page in items.iter_pages():
            print([describe_item(item) for item in items_page.data])
        deleted: DeletedThreadResource = client.threads.delete(thread.id, max_retries=0)
        print(deleted.deleted)
        raw: RawResponse[ThreadResource] = client.threads.with_raw_response.retrieve(thread.id)
        request_id: str | None = raw.request_id
        print(raw.status_code, request_id, raw.parse().to_dict())
        if not thread.title:  # None (no title) or UNSET (lenient parse, field missing)
            print(thread.title is None, repr(UNSET))
    try:
        ChatKit(api_key="k", http_client=httpx.Client()).threads.retrieve("x")
    except chatkit_threads.NotFoundError as error:
        print(error.status_code, error.code, error.param, error.request_id)
    except chatkit_threads.ResponseValidationError as error:
        print(error.paths)
    except chatkit_threads.APIError as error:
        print(error.message)


async def async_usage() -> None:
    async with AsyncChatKit(api_key="sk-example", http_client=httpx.AsyncClient()) as client:
        first: AsyncCursorPage[ThreadResource] = await client.threads.list(limit=5)
        async for thread in first:
            print(thread.id)
        async for item in client.threads.list_items("cthr_1"):
            print(describe_item(item))
        thread = await client.threads.retrieve("cthr_1")
        raw = await client.threads.with_raw_response.list_items(thread.id)
        page: AsyncCursorPage[ThreadItem] = raw.parse()
        async for item_page in page.iter_pages():
            print(len(item_page.data))
        print((await client.threads.delete(thread.id)).id)
        threads = client.beta.chatkit.threads  # the openai SDK's path, the same object
        async with threads.with_streaming_response.list(limit=2) as streamed:
            async for chunk in streamed.iter_bytes():
                print(len(chunk))
            listed: AsyncCursorPage[ThreadResource] = await streamed.parse()
            print(listed._request_id, await listed.get_next_page())


def sdk_style_usage() -> None:
    # Code written for the openai SDK's ChatKit threads, with its names.
    client = ChatKit(api_key=lambda: "sk-from-a-vault", default_query={"user": "u"})
    threads = client.with_options(timeout=None, max_retries=0).beta.chatkit.threads
    page = threads.list(limit=2)
    info: PageInfo | None = page.next_page_info()
    if info is not None and page.has_next_page():
        page = page.get_next_page()
    thread: ThreadResource = threads.retrieve(page.data[0].id)
    kind: str = thread.status.type
    print(thread.object, kind, thread.to_json(), thread._request_id)
    with threads.with_streaming_response.retrieve(thread.id) as response:
        lines: list[str] = list(response.iter_lines())
        parsed: ThreadResource = response.parse()
        print(response.headers, lines, parsed.id)
    try:
        threads.list(limit=1000)
    except chatkit_threads.OpenAIError as error:
        print(isinstance(error, ValueError), error)


if __name__ == "__main__":
    sync_usage()
    sdk_style_usage()
    asyncio.run(async_usage())

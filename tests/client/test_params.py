"""Arguments the spec forbids fail before the wire; what is sent is exactly what was passed."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.client.support import (
    json_response,
    load_spec,
    make_async_client,
    make_client,
    page,
    thread,
)


def _query_schema(path: str, name: str) -> dict[str, Any]:
    """The schema of a query parameter of GET ``path``, as the spec states it."""
    spec = load_spec()
    for param in spec["paths"][path]["get"]["parameters"]:
        if "$ref" in param:
            param = spec["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        if param["name"] == name:
            schema: dict[str, Any] = param["schema"]
            return schema
    raise KeyError(name)


# The bounds under test come from the spec, so that changing one there is followed.
MAX_LIMIT: int = _query_schema("/chatkit/threads", "limit")["maximum"]
MAX_USER: int = _query_schema("/chatkit/threads", "user")["maxLength"]


def never(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request should be sent, got {request.method} {request.url}")


BAD_LIST_ARGS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"limit": MAX_LIMIT + 1}, ValueError, "limit"),
    ({"limit": -1}, ValueError, "limit"),
    ({"limit": "20"}, TypeError, "limit"),
    ({"limit": 2.0}, TypeError, "limit"),
    ({"limit": True}, TypeError, "limit"),
    ({"order": "ascending"}, ValueError, "order"),
    ({"order": "ASC"}, ValueError, "order"),
    ({"order": 1}, TypeError, "order"),
    ({"after": 5}, TypeError, "after"),
    ({"before": ["x"]}, TypeError, "before"),
]
BAD_USER: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"user": ""}, ValueError, "user"),
    ({"user": "u" * (MAX_USER + 1)}, ValueError, "user"),
    ({"user": 42}, TypeError, "user"),
]
BAD_IDS: list[tuple[Any, type[Exception]]] = [
    ("", ValueError),
    (".", ValueError),
    ("..", ValueError),
    ("a/b", ValueError),
    ("/", ValueError),
    (None, TypeError),
    (123, TypeError),
]


@pytest.mark.parametrize(("kwargs", "error", "name"), BAD_LIST_ARGS + BAD_USER)
def test_invalid_list_arguments_send_nothing(
    kwargs: dict[str, Any], error: type[Exception], name: str
) -> None:
    client, recorder = make_client(never)
    with pytest.raises(error, match=name):
        client.threads.list(**kwargs)
    with pytest.raises(error, match=name):
        client.threads.with_raw_response.list(**kwargs)
    assert recorder.requests == []


@pytest.mark.parametrize(("kwargs", "error", "name"), BAD_LIST_ARGS)
def test_invalid_list_items_arguments_send_nothing(
    kwargs: dict[str, Any], error: type[Exception], name: str
) -> None:
    client, recorder = make_client(never)
    with pytest.raises(error, match=name):
        client.threads.list_items("cthr_1", **kwargs)
    assert recorder.requests == []


@pytest.mark.parametrize(("thread_id", "error"), BAD_IDS)
def test_invalid_thread_ids_send_nothing(thread_id: Any, error: type[Exception]) -> None:
    client, recorder = make_client(never)
    for call in (
        client.threads.retrieve,
        client.threads.delete,
        client.threads.list_items,
        client.threads.with_raw_response.retrieve,
        client.threads.with_raw_response.delete,
        client.threads.with_raw_response.list_items,
    ):
        with pytest.raises(error, match="thread_id"):
            call(thread_id)
    assert recorder.requests == []


def test_async_invalid_arguments_fail_at_call_time_and_send_nothing() -> None:
    client, recorder = make_async_client(never)
    with pytest.raises(ValueError, match="limit"):
        client.threads.list(limit=500)  # raised before anything is awaited
    with pytest.raises(ValueError, match="thread_id"):
        client.threads.list_items("..")

    async def main() -> None:
        with pytest.raises(ValueError, match="thread_id"):
            await client.threads.delete("..")
        with pytest.raises(ValueError, match="order"):
            await client.threads.with_raw_response.list(order="up")  # type: ignore[arg-type]

    asyncio.run(main())
    assert recorder.requests == []


@pytest.mark.parametrize("limit", [0, 1, MAX_LIMIT])
def test_limit_bounds_are_inclusive(limit: int) -> None:
    client, recorder = make_client(lambda r: json_response(200, page([], False)))
    client.threads.list(limit=limit)
    assert recorder.params == [{"limit": str(limit)}]


def test_user_of_the_maximum_length_is_accepted() -> None:
    client, recorder = make_client(lambda r: json_response(200, page([], False)))
    client.threads.list(user="u" * MAX_USER)
    assert recorder.params[0]["user"] == "u" * MAX_USER


def test_only_the_parameters_passed_are_sent() -> None:
    client, recorder = make_client(lambda r: json_response(200, page([], False)))
    client.threads.list()
    client.threads.list_items("cthr_1")
    client.threads.list(after="a", before="b", limit=5, order="desc", user="me")
    # No limit=20: the spec's default is the server's to apply.
    assert [r.url.query for r in recorder.requests[:2]] == [b"", b""]
    assert recorder.params[2] == {
        "after": "a",
        "before": "b",
        "limit": "5",
        "order": "desc",
        "user": "me",
    }


@pytest.mark.parametrize(
    ("thread_id", "path"),
    [
        ("cthr_abc123", "/v1/chatkit/threads/cthr_abc123"),
        ("a b", "/v1/chatkit/threads/a%20b"),
        ("a?b#c", "/v1/chatkit/threads/a%3Fb%23c"),
        ("...", "/v1/chatkit/threads/..."),
        ("%2F", "/v1/chatkit/threads/%252F"),
        ("é", "/v1/chatkit/threads/%C3%A9"),
    ],
)
def test_path_parameters_are_percent_encoded(thread_id: str, path: str) -> None:
    client, recorder = make_client(
        lambda r: json_response(
            200, page([], False) if r.url.path.endswith("/items") else thread(thread_id)
        )
    )
    client.threads.retrieve(thread_id)
    client.threads.list_items(thread_id)
    assert recorder.requests[0].url.raw_path.decode() == path
    assert recorder.requests[1].url.raw_path.decode() == path + "/items"


def test_methods_and_paths_of_the_four_operations() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return json_response(
                200, {"id": "t", "object": "chatkit.thread.deleted", "deleted": True}
            )
        if request.url.path.endswith("/threads/t"):
            return json_response(200, thread("t"))
        return json_response(200, page([], False))

    client, recorder = make_client(handler)
    client.threads.list()
    client.threads.retrieve("t")
    client.threads.list_items("t")
    client.threads.delete("t")
    assert [(r.method, str(r.url)) for r in recorder.requests] == [
        ("GET", "https://api.test/v1/chatkit/threads"),
        ("GET", "https://api.test/v1/chatkit/threads/t"),
        ("GET", "https://api.test/v1/chatkit/threads/t/items"),
        ("DELETE", "https://api.test/v1/chatkit/threads/t"),
    ]


AWKWARD_VALUES = ["a b", "a&b=c", "a+b", "é", "%2F", "a/b?c#d", "'\"<>", "~._-"]


@pytest.mark.parametrize("value", AWKWARD_VALUES)
def test_the_query_is_the_one_httpx_builds_from_params(value: str) -> None:
    client, recorder = make_client(lambda r: json_response(200, page([], False)))
    client.threads.list(after=value, user=value, limit=3, extra_query={"x": [1, True]})
    expected = httpx.Request(
        "GET",
        "https://example.test/v1/chatkit/threads",
        params={"after": value, "limit": 3, "user": value, "x": [1, True]},
    )
    assert recorder.requests[0].url.query == expected.url.query
    assert recorder.params[0]["after"] == value


def test_a_given_http_client_with_default_params_still_merges_them() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response(200, page([], False))

    from chatkit_threads import ChatKit

    http = httpx.Client(transport=httpx.MockTransport(handler), params={"tenant": "t1", "limit": 9})
    client = ChatKit(api_key="sk-test", base_url="https://example.test/v1", http_client=http)
    client.threads.list(limit=5)
    assert dict(seen[0].url.params) == {"tenant": "t1", "limit": "5"}

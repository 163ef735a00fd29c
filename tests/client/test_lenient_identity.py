"""Lenient parsing tolerates drift, never a 200 body that is not the resource (#14 item 9)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from chatkit_threads import APIError, ChatKit, ResponseValidationError

from .support import error_body, json_response, make_async_client, make_client, page, thread

CALLS: dict[str, Callable[[ChatKit], Any]] = {
    "retrieve": lambda c: c.threads.retrieve("cthr_1"),
    "delete": lambda c: c.threads.delete("cthr_1"),
    "list": lambda c: c.threads.list(),
    "list_items": lambda c: c.threads.list_items("cthr_1"),
}
NOT_THE_RESOURCE: dict[str, Any] = {
    "empty object": {},
    "error envelope": error_body("boom"),
    "another resource": {**thread("cthr_1"), "object": "chatkit.thread_item"},
}


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("body", NOT_THE_RESOURCE)
@pytest.mark.parametrize("strict", [False, True])
def test_a_200_body_that_is_not_the_resource_raises(call: str, body: str, strict: bool) -> None:
    client, _ = make_client(lambda r: json_response(200, NOT_THE_RESOURCE[body]), strict=strict)
    # Strict mode reports the departures from the schema instead.
    expected = ResponseValidationError if strict else APIError
    with pytest.raises(expected):
        CALLS[call](client)


def test_the_lenient_error_names_what_was_expected_and_what_came() -> None:
    client, _ = make_client(lambda r: json_response(200, error_body("boom")))
    with pytest.raises(APIError, match=r"'chatkit\.thread'.*got object='<missing>'"):
        client.threads.retrieve("cthr_1")
    client, _ = make_client(lambda r: json_response(200, thread("t", object="list")))
    with pytest.raises(APIError, match="got object='list'"):
        client.threads.retrieve("t")


def test_delete_without_deleted_raises_and_deleted_false_is_reported() -> None:
    body = {"id": "cthr_1", "object": "chatkit.thread.deleted"}
    client, _ = make_client(lambda r: json_response(200, body))
    with pytest.raises(APIError, match="deleted='<missing>'"):
        client.threads.delete("cthr_1")
    client, _ = make_client(lambda r: json_response(200, {**body, "deleted": "yes"}))
    with pytest.raises(APIError, match="deleted='yes'"):
        client.threads.delete("cthr_1")
    client, _ = make_client(lambda r: json_response(200, {**body, "deleted": False}))
    assert client.threads.delete("cthr_1").deleted is False


def test_drift_is_still_tolerated_when_the_object_is_right() -> None:
    drifting = {"object": "chatkit.thread", "id": 5, "status": "weird", "extra": 1}
    client, _ = make_client(lambda r: json_response(200, drifting))
    parsed = client.threads.retrieve("t")
    assert parsed.id == 5  # type: ignore[comparison-overlap]
    assert parsed.to_dict() == drifting
    client, _ = make_client(lambda r: json_response(200, page([], False)))
    assert list(client.threads.list()) == []


def test_async_raises_too() -> None:
    async def main() -> None:
        client, _ = make_async_client(lambda r: json_response(200, {}))
        with pytest.raises(APIError):
            await client.threads.retrieve("cthr_1")
        with pytest.raises(APIError):
            await client.threads.list()

    asyncio.run(main())

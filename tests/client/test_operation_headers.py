"""Each request carries its own operation's fixed headers (``Operation.headers``: the
required header parameters with one allowed value, the beta header today), not a
client-wide table; the user's ``default_headers`` and ``extra_headers`` still win."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from chatkit_threads import AsyncChatKit, ChatKit
from chatkit_threads._operations import RequestOptions
from chatkit_threads_api.spec_constants import OPERATIONS
from chatkit_threads_spec import Operation, Parameter
from chatkit_threads_spec._record import replace
from tests.client.support import (
    API_KEY,
    BASE,
    json_response,
    make_async_client,
    make_client,
    thread,
)
from tests.spec_facts import BETA_HEADER, BETA_VALUE

RETRIEVE = OPERATIONS["retrieveThread"]
VARIANT = Parameter(
    name="X-Op-Variant",
    python_name="x_op_variant",
    kind="string",
    location="header",
    required=True,
    enum=("two",),
)
# Not fixed: optional, or with a choice of values. Neither is sent unasked.
OPTIONAL = replace(VARIANT, name="X-Optional", required=False)
CHOICE = replace(VARIANT, name="X-Choice", enum=("a", "b"))


def variant(*headers: Parameter) -> Operation:
    """``retrieveThread`` with ``headers`` as its only header parameters."""
    others = tuple(p for p in RETRIEVE.parameters if p.location != "header")
    return replace(RETRIEVE, parameters=(*others, *headers))


NONE = variant()
TWO = variant(*RETRIEVE.parameters_in("header"), VARIANT, OPTIONAL, CHOICE)


def answer(request: httpx.Request) -> httpx.Response:
    return json_response(200, thread("t"))


def call(client: ChatKit, op: Operation, **options: Any) -> None:
    client.threads._call(op, {"thread_id": "t"}, {}, RequestOptions(**options))


def sent(requests: list[httpx.Request], name: str) -> list[list[str]]:
    return [request.headers.get_list(name) for request in requests]


def test_the_spec_operations_declare_the_header_the_client_sends() -> None:
    assert all(op.headers == {BETA_HEADER: BETA_VALUE} for op in OPERATIONS.values())
    assert NONE.headers == {}
    assert TWO.headers == {BETA_HEADER: BETA_VALUE, "X-Op-Variant": "two"}


def owned_client(**kwargs: Any) -> ChatKit:
    return ChatKit(api_key=API_KEY, base_url=BASE, max_retries=0, **kwargs)


@pytest.mark.parametrize(
    "make",
    [lambda: make_client(answer), lambda: (owned_client(), None)],
    ids=["injected pool", "own pool"],
)
def test_each_request_carries_exactly_its_operations_fixed_headers(
    make: Callable[[], tuple[ChatKit, Any]],
) -> None:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        route = router.get("/chatkit/threads/t").mock(side_effect=answer)
        client, recorder = make()
        call(client, NONE)
        call(client, TWO)
        call(client, RETRIEVE)
        client.threads.retrieve("t")
        requests = recorder.requests if recorder is not None else [c.request for c in route.calls]
    assert sent(requests, BETA_HEADER) == [[], [BETA_VALUE], [BETA_VALUE], [BETA_VALUE]]
    assert sent(requests, "X-Op-Variant") == [[], ["two"], [], []]
    assert sent(requests, "X-Optional") == sent(requests, "X-Choice") == [[]] * 4
    # The client's own headers go with every operation's request all the same.
    assert all(r.headers["Authorization"] == f"Bearer {API_KEY}" for r in requests)


@pytest.mark.parametrize("own_pool", [False, True])
def test_default_and_extra_headers_override_an_operations_fixed_headers(own_pool: bool) -> None:
    defaults = {"x-op-variant": "mine", BETA_HEADER.lower(): "chatkit_beta=v2"}
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        route = router.get("/chatkit/threads/t").mock(side_effect=answer)
        if own_pool:
            client, recorder = owned_client(default_headers=defaults), None
        else:
            client, recorder = make_client(answer, default_headers=defaults)
        call(client, TWO)
        call(client, TWO, extra_headers={"X-OP-VARIANT": "call", BETA_HEADER: "chatkit_beta=v3"})
        call(client, NONE)
        requests = recorder.requests if recorder is not None else [c.request for c in route.calls]
    # Once each, case-insensitively: the user's value replaces the operation's.
    assert sent(requests, "X-Op-Variant") == [["mine"], ["call"], ["mine"]]
    v2, v3 = "chatkit_beta=v2", "chatkit_beta=v3"
    assert sent(requests, BETA_HEADER) == [[v2], [v3], [v2]]


def test_an_async_request_carries_its_operations_fixed_headers() -> None:
    client, recorder = make_async_client(answer)

    async def main() -> None:
        async with client:
            for op in (NONE, TWO):
                await client.threads._call(op, {"thread_id": "t"}, {}, RequestOptions())

    asyncio.run(main())
    assert sent(recorder.requests, BETA_HEADER) == [[], [BETA_VALUE]]
    assert sent(recorder.requests, "X-Op-Variant") == [[], ["two"]]


@pytest.mark.parametrize("client_class", [ChatKit, AsyncChatKit])
def test_an_operations_headers_are_merged_once_not_per_call(
    client_class: type[ChatKit] | type[AsyncChatKit],
) -> None:
    client = client_class(api_key=API_KEY, base_url=BASE)
    first = client._headers_for(TWO)
    assert first is not None and first is client._headers_for(TWO)
    assert first.get_list("X-Op-Variant") == ["two"]
    # The pool the client made carries its headers; nothing to add for an operation
    # with no fixed headers.
    assert client._headers_for(NONE) is None

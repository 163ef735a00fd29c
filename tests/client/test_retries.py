"""Retries: idempotent requests, the right statuses, server-given waits, never real sleeping."""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import Callable

import httpx
import pytest

from chatkit_threads import (
    APIConnectionError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
)
from tests.client.support import (
    FakeSleep,
    error_body,
    json_response,
    make_async_client,
    make_client,
    thread,
)


def serve(*responses: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    """A handler answering with ``responses`` in turn."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler


def rate_limited(**headers: str) -> httpx.Response:
    return json_response(429, error_body("Slow down", type="rate_limit_error"), **headers)


def ok() -> httpx.Response:
    return json_response(200, thread("t"))


def test_429_with_retry_after_1_is_retried_after_one_second(
    policy: RetryPolicy, fake_sleep: FakeSleep
) -> None:
    client, recorder = make_client(serve(rate_limited(**{"Retry-After": "1"}), ok()), policy)
    assert client.threads.retrieve("t").id == "t"
    assert len(recorder.requests) == 2
    assert fake_sleep.waits == [1.0]


def test_400_is_not_retried(policy: RetryPolicy, fake_sleep: FakeSleep) -> None:
    client, recorder = make_client(serve(json_response(400, error_body("bad")), ok()), policy)
    with pytest.raises(BadRequestError):
        client.threads.retrieve("t")
    assert len(recorder.requests) == 1
    assert fake_sleep.waits == []


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses(status: int, policy: RetryPolicy, fake_sleep: FakeSleep) -> None:
    client, recorder = make_client(serve(json_response(status, error_body("x")), ok()), policy)
    client.threads.retrieve("t")
    assert len(recorder.requests) == 2
    assert len(fake_sleep.waits) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_non_retryable_statuses(status: int, policy: RetryPolicy, fake_sleep: FakeSleep) -> None:
    client, recorder = make_client(serve(json_response(status, error_body("x")), ok()), policy)
    with pytest.raises(Exception):  # noqa: B017 - the class is tested in test_errors
        client.threads.retrieve("t")
    assert len(recorder.requests) == 1 and fake_sleep.waits == []


def test_gives_up_after_max_retries_with_capped_exponential_backoff(
    policy: RetryPolicy, fake_sleep: FakeSleep
) -> None:
    errors = [json_response(500, error_body("boom")) for _ in range(7)]
    client, recorder = make_client(serve(*errors), policy, max_retries=6)
    with pytest.raises(InternalServerError):
        client.threads.retrieve("t")
    assert len(recorder.requests) == 7
    # random() == 0: no jitter taken off; 0.5 doubling, capped at 8.
    assert fake_sleep.waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_jitter_shortens_waits_by_at_most_a_quarter(fake_sleep: FakeSleep) -> None:
    policy = RetryPolicy(sleep=fake_sleep, random=lambda: 0.999)
    client, _ = make_client(serve(json_response(503, {}), json_response(503, {}), ok()), policy)
    client.threads.retrieve("t")
    assert fake_sleep.waits[0] == pytest.approx(0.5 * (1 - 0.25 * 0.999))
    assert fake_sleep.waits[1] == pytest.approx(1.0 * (1 - 0.25 * 0.999))


def test_default_is_two_retries_and_zero_disables(
    policy: RetryPolicy, fake_sleep: FakeSleep
) -> None:
    client, recorder = make_client(serve(*[rate_limited() for _ in range(3)]), policy)
    with pytest.raises(RateLimitError):
        client.threads.list()
    assert len(recorder.requests) == 3

    client, recorder = make_client(serve(rate_limited(), ok()), policy, max_retries=0)
    with pytest.raises(RateLimitError):
        client.threads.retrieve("t")
    assert len(recorder.requests) == 1


def test_per_request_override(policy: RetryPolicy) -> None:
    client, recorder = make_client(serve(rate_limited(), ok()), policy, max_retries=0)
    assert client.threads.retrieve("t", max_retries=1).id == "t"
    assert len(recorder.requests) == 2
    client, recorder = make_client(serve(rate_limited(), ok()), policy, max_retries=5)
    with pytest.raises(RateLimitError):
        client.threads.retrieve("t", max_retries=0)
    assert len(recorder.requests) == 1
    client, recorder = make_client(serve(rate_limited(), ok()), policy, max_retries=0)
    assert client.with_options(max_retries=1).threads.retrieve("t").id == "t"


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "3"}, 0.25),
        ({"Retry-After": "2.5"}, 2.5),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": email.utils.formatdate(1_700_000_000 + 7, usegmt=True)}, 7.0),
        ({"Retry-After": email.utils.formatdate(1_700_000_000 - 60, usegmt=True)}, 0.0),
        ({"Retry-After": "3600"}, 0.5),  # beyond the 60 s cap: own backoff instead
        ({"Retry-After": "-1"}, 0.5),
        ({"Retry-After": "soon"}, 0.5),
        ({"retry-after-ms": "nan"}, 0.5),
    ],
)
def test_server_given_waits(
    headers: dict[str, str], wait: float, policy: RetryPolicy, fake_sleep: FakeSleep
) -> None:
    client, _ = make_client(serve(rate_limited(**headers), ok()), policy)
    client.threads.retrieve("t")
    assert fake_sleep.waits == [pytest.approx(wait)]


def test_connection_errors_and_timeouts_are_retried(
    policy: RetryPolicy, fake_sleep: FakeSleep
) -> None:
    request = httpx.Request("GET", "https://api.test/v1/chatkit/threads/t")
    client, recorder = make_client(
        serve(
            httpx.ConnectError("refused", request=request),
            httpx.ReadTimeout("slow", request=request),
            ok(),
        ),
        policy,
    )
    assert client.threads.retrieve("t").id == "t"
    assert len(recorder.requests) == 3
    assert fake_sleep.waits == [0.5, 1.0]

    client, recorder = make_client(
        serve(*[httpx.ConnectError("refused", request=request)] * 3), policy
    )
    with pytest.raises(APIConnectionError):
        client.threads.list_items("t")
    assert len(recorder.requests) == 3


def test_only_idempotent_methods_are_retried() -> None:
    policy = RetryPolicy()
    assert policy.should_retry_status("GET", 429) and policy.should_retry_status("DELETE", 503)
    assert not policy.should_retry_status("POST", 429)
    assert not policy.should_retry_error("POST")


def test_delete_is_retried(policy: RetryPolicy) -> None:
    deleted = json_response(200, {"id": "t", "object": "chatkit.thread.deleted", "deleted": True})
    client, recorder = make_client(serve(json_response(503, {}), deleted), policy)
    assert client.threads.delete("t").deleted is True
    assert [r.method for r in recorder.requests] == ["DELETE", "DELETE"]


def test_async_retries_use_the_same_policy(policy: RetryPolicy, fake_sleep: FakeSleep) -> None:
    client, recorder = make_async_client(serve(rate_limited(**{"Retry-After": "1"}), ok()), policy)
    no_retry, no_retry_recorder = make_async_client(
        serve(json_response(400, error_body("bad"))), policy
    )

    async def main() -> None:
        assert (await client.threads.retrieve("t")).id == "t"
        with pytest.raises(BadRequestError):
            await no_retry.threads.retrieve("t")

    asyncio.run(main())
    assert len(recorder.requests) == 2 and len(no_retry_recorder.requests) == 1
    assert fake_sleep.waits == [1.0]

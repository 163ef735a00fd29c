"""Values a server sends cannot crash the client: absurd Retry-After dates and numbers,
odd request ids, content lengths and encodings all end as a result or a ChatKitError."""

from __future__ import annotations

import asyncio
import email.utils

import httpx
import pytest

from chatkit_threads import AsyncChatKit, ChatKit, ChatKitError, RateLimitError, RetryPolicy
from tests.client.rawserver import RawServer, head
from tests.client.support import (
    API_KEY,
    FakeSleep,
    error_body,
    json_response,
    make_async_client,
    make_client,
    thread,
)

ABSURD_WAITS = [
    "Mon, 01 Jan 99999999999999999999 00:00:00 GMT",
    "Mon, 01 Jan 9999999999 00:00:00 GMT",
    "Mon, 01 Jan 0000 00:00:00 GMT",
    "Thu, 01 Jan 1 00:00:00 -0000",
    "Mon, 99 Jan 2020 00:00:00 GMT",
    "Mon, 01 Jan 2020 99:99:99 +9999",
    "Mon, 01 Jan 3000 00:00:00",
    "9" * 5000,
    "1e400",
    "1e-400",
    "-1",
    "-0",
    "+5",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "infinity",
    "1_0",
    "0x10",
    "\u0661",  # an Arabic-Indic digit: float() accepts it, HTTP does not
    "",
    " ",
    "5, 6",
    "\x00",
]


@pytest.mark.parametrize("value", ABSURD_WAITS)
@pytest.mark.parametrize("header", ["Retry-After", "retry-after-ms"])
def test_an_absurd_server_wait_is_no_hint(header: str, value: str) -> None:
    policy = RetryPolicy(clock=lambda: 1_700_000_000.0, random=lambda: 0.0)
    # A date long past (year 0 reads as 2000) means "now"; anything else is no hint.
    now = header == "Retry-After" and value.endswith(("0000 00:00:00 GMT", "1 00:00:00 -0000"))
    assert policy.server_wait({header.lower(): value}) == (0.0 if now else None)
    assert policy.delay(0, {header.lower(): value}) == (0.0 if now else 0.5)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": " 2.5 "}, 2.5),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "nan", "retry-after": "3"}, 3.0),
        ({"retry-after": email.utils.formatdate(1_700_000_000 + 9, usegmt=True)}, 9.0),
    ],
)
def test_sane_server_waits_still_count(headers: dict[str, str], wait: float) -> None:
    policy = RetryPolicy(clock=lambda: 1_700_000_000.0, random=lambda: 0.0)
    assert policy.server_wait(headers) == pytest.approx(wait)


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("value", [ABSURD_WAITS[0], ABSURD_WAITS[1], "1e400", "nan", "-1"])
def test_both_clients_retry_through_an_absurd_retry_after(
    status: int, value: str, policy: RetryPolicy, fake_sleep: FakeSleep
) -> None:
    def answers() -> list[httpx.Response]:
        # Latin-1 is what a header can carry; httpx refuses to build others.
        return [
            httpx.Response(status, json=error_body("slow"), headers={"Retry-After": value}),
            json_response(200, thread("t")),
        ]

    queue = answers()
    client, _ = make_client(lambda r: queue.pop(0), policy)
    assert client.threads.retrieve("t").id == "t"
    aqueue = answers()
    aclient, _ = make_async_client(lambda r: aqueue.pop(0), policy)
    assert asyncio.run(aclient.threads.retrieve("t")).id == "t"
    assert fake_sleep.waits == [0.5, 0.5]  # the computed backoff, not the server's


def test_an_absurd_retry_after_on_the_last_attempt_is_a_rate_limit_error(
    policy: RetryPolicy,
) -> None:
    headers = {"Retry-After": ABSURD_WAITS[0], "x-request-id": "\x7f" * 3}
    client, _ = make_client(
        lambda r: httpx.Response(429, json=error_body("slow"), headers=headers), policy
    )
    with pytest.raises(RateLimitError) as info:
        client.threads.retrieve("t", max_retries=0)
    assert info.value.request_id == "\x7f" * 3


def _raw(*headers: str, body: bytes = b"", status: str = "200 OK") -> RawServer:
    data = head(*headers, status=status) + body
    return RawServer(lambda conn: conn.sendall(data))


@pytest.mark.parametrize(
    "headers",
    [
        ("Content-Length: " + "9" * 5000,),
        ("Content-Length: -1",),
        ("Content-Length: 1e3",),
        ("Content-Length: 5", "Content-Length: 7"),
        ("Content-Length: 99999999999999999999999",),
        ("Content-Encoding: gzip",),  # and a body that is not gzip
        ("Content-Encoding: " + ", ".join(["gzip"] * 200),),
        ("Content-Encoding: x-unknown",),
        ("Transfer-Encoding: chunked",),  # and no chunks
        ("Retry-After: " + ABSURD_WAITS[0], "Content-Length: 2"),
    ],
)
def test_hostile_framing_headers_end_as_a_chatkit_error(headers: tuple[str, ...]) -> None:
    quick = RetryPolicy(initial_delay=0.01, max_delay=0.01, max_retry_after=0.01)
    for status in ["200 OK", "503 Service Unavailable"]:
        with _raw(*headers, body=b"{}", status=status) as server:
            client = ChatKit(
                api_key=API_KEY, base_url=server.base_url, timeout=5, retry_policy=quick
            )
            with client, pytest.raises(ChatKitError):
                client.threads.retrieve("t")

            async def main() -> None:
                async with AsyncChatKit(
                    api_key=API_KEY, base_url=server.base_url, timeout=5, retry_policy=quick
                ) as aclient:
                    with pytest.raises(ChatKitError):
                        await aclient.threads.retrieve("t")

            asyncio.run(main())


@pytest.mark.parametrize(
    "charset", ["rot13", "hex", "base64", "zlib_codec", "uu", "idna", "punycode", "utf-32", "x-no"]
)
@pytest.mark.parametrize("status", [200, 500])
def test_a_hostile_charset_does_not_break_the_message(charset: str, status: int) -> None:
    headers = {"content-type": f"application/json; charset={charset}"}
    client, _ = make_client(
        lambda r: httpx.Response(status, content=b"not json \xff", headers=headers), max_retries=0
    )
    with pytest.raises(ChatKitError, match="not json"):
        client.threads.retrieve("t")


def test_a_request_id_echoing_the_key_is_redacted() -> None:
    headers = {"x-request-id": f"req-{API_KEY}"}
    client, _ = make_client(lambda r: httpx.Response(404, json=error_body("gone"), headers=headers))
    with pytest.raises(ChatKitError) as info:
        client.threads.retrieve("t")
    assert getattr(info.value, "request_id", None) == "req-<redacted>"
    ok, _ = make_client(lambda r: json_response(200, thread("t"), **headers))
    assert ok.threads.with_raw_response.retrieve("t").request_id == "req-<redacted>"

"""Malformed requests sent byte for byte: what HTTP clients would tidy up first.

httpx normalises `..`, re-encodes bad escapes and never sends some of these at all, so
they go over a raw socket to a running server. Each must get a 4xx error envelope as
JSON with a request id, never a 5xx, a redirect or a stack trace.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from chatkit_threads_mock import DEFAULT_API_KEY, MockServer
from tests.spec_facts import BETA_HEADER, BETA_VALUE, raw_api_headers

AUTH = raw_api_headers(DEFAULT_API_KEY)
BETA = f"{BETA_HEADER}: {BETA_VALUE}\r\n"


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


def _exchange(server: MockServer, request_line: str, headers: str) -> bytes:
    """The whole answer to a request sent as written, on its own connection."""
    head = f"{request_line}\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def _send(server: MockServer, request_line: str) -> tuple[int, dict[str, str], bytes]:
    data = _exchange(server, request_line, AUTH)
    header_block, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = header_block.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    ("request_line", "status", "param"),
    [
        ("GET /v1/chatkit/threads/.. HTTP/1.1", 404, "thread_id"),
        ("DELETE /v1/chatkit/threads/.. HTTP/1.1", 404, "thread_id"),
        ("GET /v1/chatkit/threads/../threads HTTP/1.1", 404, None),
        ("GET /v1/chatkit/threads/%2E%2E/items HTTP/1.1", 404, "thread_id"),
        ("GET /v1/chatkit/threads/ HTTP/1.1", 404, None),
        ("GET /v1/chatkit/threads/%ZZ HTTP/1.1", 404, "thread_id"),
        ("GET /v1/chatkit/threads/%FF%FE HTTP/1.1", 404, "thread_id"),
        ("GET /v1/chatkit/threads/a%00b HTTP/1.1", 404, "thread_id"),
        ("GET /v1/chatkit/threads/a%2Fitems HTTP/1.1", 404, "thread_id"),
        ("GET /v1/chatkit/threads?limit=5%ZZ HTTP/1.1", 400, "limit"),
        ("GET /v1/chatkit/threads?order=%FF HTTP/1.1", 400, "order"),
        ("GET /v1/chatkit/threads?user=" + "u" * 8000 + " HTTP/1.1", 400, "user"),
        ("GET /v1/chatkit/threads?limit=" + "9" * 8000 + " HTTP/1.1", 400, "limit"),
        ("GET /v1/chatkit/threads?after=%00 HTTP/1.1", 400, "after"),
        ("OPTIONS /v1/chatkit/threads HTTP/1.1", 405, None),
        ("TRACE /v1/chatkit/threads/x HTTP/1.1", 405, None),
        ("GET //v1//chatkit/threads HTTP/1.1", 404, None),
        ("GET * HTTP/1.1", 404, None),
    ],
)
def test_malformed_requests_get_a_4xx_envelope(
    server: MockServer, request_line: str, status: int, param: str | None
) -> None:
    got, headers, body = _send(server, request_line)
    assert got == status, body[:300]
    assert headers["content-type"] == "application/json"
    assert headers["x-request-id"].startswith("req_")
    error = json.loads(body)["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["param"] == param
    assert b"Traceback" not in body


@pytest.mark.parametrize(
    "repeated",
    [
        "Authorization: Bearer not-the-key\r\n",
        f"{BETA_HEADER}: not-{BETA_VALUE}\r\n",
        "authorization: nonsense\r\n",
    ],
)
def test_a_repeated_header_is_read_as_its_first_value(server: MockServer, repeated: str) -> None:
    # As Starlette's `Headers` reads it: the valid first value counts, the later one not.
    data = _exchange(server, "GET /v1/chatkit/threads HTTP/1.1", AUTH + repeated)
    assert int(data.split()[1]) == 200, data[:300]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        (
            "authorization: BEARER " + DEFAULT_API_KEY + "\r\n" + BETA.lower(),
            200,
            None,
        ),
        (
            "Authorization: Basic " + DEFAULT_API_KEY + "\r\n" + BETA,
            401,
            None,
        ),
        (
            "Authorization: Bearer "
            + DEFAULT_API_KEY
            + f"\r\n{BETA_HEADER}: {BETA_VALUE.swapcase()}\r\n",
            400,
            "missing_beta_header",
        ),
        (
            BETA + "Authorization: Bearer " + DEFAULT_API_KEY + "\r\n",
            200,
            None,
        ),
    ],
)
def test_auth_headers_are_matched_by_name_in_any_case(
    server: MockServer, headers: str, status: int, code: str | None
) -> None:
    data = _exchange(server, "GET /v1/chatkit/threads HTTP/1.1", headers)
    assert int(data.split()[1]) == status, data[:300]
    if code is not None:
        assert json.loads(data.partition(b"\r\n\r\n")[2])["error"]["code"] == code

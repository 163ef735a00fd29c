"""Typed errors: one class per status with the envelope's fields; connection and timeout."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from chatkit_threads import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ChatKitError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from tests.client.support import error_body, json_response, make_async_client, make_client

STATUS_CLASSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (502, InternalServerError),
    (503, InternalServerError),
    (418, APIStatusError),
    (302, APIStatusError),
]


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_each_status_maps_to_its_class_with_its_fields(
    status: int, cls: type[APIStatusError]
) -> None:
    body = error_body("Thread 'x' not found.", param="thread_id", code="not_found")
    client, recorder = make_client(
        lambda r: json_response(status, body, **{"x-request-id": "req_abc"}), max_retries=0
    )
    with pytest.raises(cls) as info:
        client.threads.retrieve("x")
    error = info.value
    assert type(error) is cls
    assert isinstance(error, APIStatusError) and isinstance(error, APIError)
    assert isinstance(error, ChatKitError)
    assert error.status_code == status
    assert error.request_id == "req_abc"
    assert error.message == f"Error code: {status} - Thread 'x' not found."
    assert (error.type, error.param, error.code) == (
        "invalid_request_error",
        "thread_id",
        "not_found",
    )
    assert error.body == body["error"]  # the inner object, as the openai SDK gives it
    assert error.response.status_code == status
    assert str(error) == error.message
    assert len(recorder.requests) == 1


def test_null_param_and_code_stay_none() -> None:
    client, _ = make_client(
        lambda r: json_response(401, error_body("You didn't provide an API key."))
    )
    with pytest.raises(AuthenticationError) as info:
        client.threads.list()
    assert info.value.param is None and info.value.code is None
    assert info.value.type == "invalid_request_error"


def test_non_json_error_body_still_gives_a_readable_message() -> None:
    html = "<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>"
    client, _ = make_client(
        lambda r: httpx.Response(502, text=html, headers={"content-type": "text/html"}),
        max_retries=0,
    )
    with pytest.raises(InternalServerError) as info:
        client.threads.retrieve("x")
    assert (
        str(info.value)
        == "Error code: 502 - <html><body><h1>502 Bad Gateway</h1> <p>nginx</p></body></html>"
    )
    assert info.value.body == html
    assert info.value.type is None and info.value.request_id is None


def test_json_error_without_envelope_and_empty_body() -> None:
    client, _ = make_client(lambda r: json_response(400, {"detail": "bad"}))
    with pytest.raises(BadRequestError) as info:
        client.threads.retrieve("x")
    assert str(info.value) == 'Error code: 400 - {"detail":"bad"}'
    assert info.value.body == {"detail": "bad"}
    client, _ = make_client(lambda r: httpx.Response(404))
    with pytest.raises(NotFoundError, match="Error code: 404 - Not Found"):
        client.threads.retrieve("x")


def test_long_bodies_are_cut_in_the_message() -> None:
    client, _ = make_client(lambda r: httpx.Response(400, text="x" * 5000))
    with pytest.raises(BadRequestError) as info:
        client.threads.retrieve("x")
    assert len(str(info.value)) < 600
    assert info.value.body == "x" * 5000


def test_connection_error_and_timeout(policy: object) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client, _ = make_client(refuse, max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        client.threads.retrieve("x")
    assert type(info.value) is APIConnectionError
    assert "connection refused" in str(info.value)
    assert info.value.request.url.path == "/v1/chatkit/threads/x"
    assert isinstance(info.value.__cause__, httpx.ConnectError)

    client, _ = make_client(slow, max_retries=0)
    with pytest.raises(APITimeoutError) as timeout:
        client.threads.retrieve("x")
    assert isinstance(timeout.value, APIConnectionError)


def test_success_body_that_is_not_a_json_object_is_an_api_error() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(APIError, match="Expected a JSON body"):
        client.threads.retrieve("x")
    client, _ = make_client(lambda r: json_response(200, [1, 2]))
    with pytest.raises(APIError, match="JSON object"):
        client.threads.retrieve("x")


def test_async_errors_map_the_same_way() -> None:
    client, _ = make_async_client(
        lambda r: json_response(404, error_body("nope", code="not_found"))
    )

    async def main() -> None:
        with pytest.raises(NotFoundError) as info:
            await client.threads.delete("x")
        assert info.value.code == "not_found" and info.value.request_id == "req_123"

    asyncio.run(main())

"""Exception hierarchy, named after the official ``openai`` SDK's so handlers port over.

The SDK's own names for this library's classes (``OpenAIError``, ``APIResponseValidationError``)
are the same class objects under a second name, so ``except openai_name`` code catches them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import httpx

from ._secrets import bearer_token, redact, scrub

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIKeyProviderError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChatKitError",
    "ConflictError",
    "DeletedOnRetryError",
    "InternalServerError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "InvalidRequestError",
    "NotFoundError",
    "OpenAIError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "UnprocessableEntityError",
]

# Long error bodies (an HTML error page from a proxy, say) are cut so that a message
# stays one readable line in logs and tracebacks.
_MAX_BODY_IN_MESSAGE = 500


class ChatKitError(Exception):
    """Base class of every error this library raises (``OpenAIError`` is the same class).

    An argument refused before anything is sent raises ``InvalidArgumentError`` (also a
    ``ValueError``) or ``InvalidArgumentTypeError`` (also a ``TypeError``).
    Its message never holds a client's API key, whatever text it was built from
    (``chatkit_threads.redact`` is applied to it).
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(arg) if isinstance(arg, str) else arg for arg in args))


OpenAIError = ChatKitError
"""The ``openai`` SDK's name for the base class: the same class object."""


class APIError(ChatKitError):
    """A request to the API failed: no usable response, or an error status.

    ``message`` is the human-readable text, ``request`` the ``httpx.Request`` that failed
    and ``body`` the decoded error body (``None`` when there was no response), shaped as
    the ``openai`` SDK shapes it: the inner error object of an ``{"error": {...}}``
    envelope. ``code``, ``param`` and ``type`` come from that object (``None`` otherwise).
    """

    message: str
    request: httpx.Request
    body: object | None
    code: str | None
    param: str | None
    type: str | None

    def __init__(self, message: str, request: httpx.Request, *, body: object | None) -> None:
        # The key the request carried, whichever way it got there (extra_headers too).
        super().__init__(redact(message, bearer_token(request.headers)))
        self.message = self.args[0]
        self.request = request
        self.body = body
        if isinstance(body, dict):
            code = body.get("code")
            # As the SDK does: a numeric code is still readable as its text.
            self.code = None if code is None else str(code)
            self.param = _str_or_none(body.get("param"))
            self.type = _str_or_none(body.get("type"))
        else:
            self.code = self.param = self.type = None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class InvalidRequestError(ChatKitError, ValueError):
    """A request could not be built from the arguments (a header that cannot be sent,
    a URL httpx rejects); nothing was sent. Also a ``ValueError``."""


class InvalidArgumentError(InvalidRequestError):
    """An argument the spec forbids (``limit=1000``, an ``order`` outside its enum, an
    empty ``thread_id``), refused before anything is sent. Both a ``ChatKitError`` and a
    ``ValueError``; ``param`` is the argument's Python name."""

    param: str | None
    message: str

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = str(self.args[0])
        self.param = param


class InvalidArgumentTypeError(ChatKitError, TypeError):
    """An argument of the wrong type (``limit="10"``), or a required one missing, refused
    before anything is sent. Both a ``ChatKitError`` and a ``TypeError``; ``param`` is
    the argument's Python name."""

    param: str | None
    message: str

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = str(self.args[0])
        self.param = param


class APIKeyProviderError(ChatKitError):
    """A callable ``api_key`` raised, or returned something that is not a usable key;
    nothing was sent. The provider's own exception is the ``__cause__``."""


class ResponseTooLargeError(APIError):
    """The response body exceeded the client's ``max_response_bytes`` (counted after
    decompression, while it arrives); the connection was closed and nothing retried.

    ``limit`` is the limit in bytes that was exceeded.
    """

    limit: int

    def __init__(self, message: str, request: httpx.Request, *, limit: int) -> None:
        super().__init__(message, request, body=None)
        self.limit = limit


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke before a response arrived."""

    def __init__(self, *, request: httpx.Request, message: str = "Connection error.") -> None:
        super().__init__(message, request, body=None)


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or pool timeout)."""

    def __init__(self, *, request: httpx.Request, message: str = "Request timed out.") -> None:
        super().__init__(request=request, message=message)


class APIStatusError(APIError):
    """The API answered with a non-success HTTP status.

    Carries ``status_code``, ``request_id`` (the ``x-request-id`` header), the fields of
    the error envelope ``{"error": {"message", "type", "param", "code"}}`` as ``message``
    ``type``, ``param`` and ``code`` (``None`` when the body had no envelope), ``body``
    (the envelope's inner error object as in the ``openai`` SDK; the decoded JSON when
    there was no envelope, or the text when the body was not JSON) and the
    ``httpx.Response`` itself as ``response``.
    """

    response: httpx.Response
    status_code: int
    request_id: str | None

    def __init__(self, message: str, *, response: httpx.Response, body: object | None) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        request_id = response.headers.get("x-request-id")
        # A server's value: it may echo the key as much as a body may.
        self.request_id = None if request_id is None else redact(request_id)


class BadRequestError(APIStatusError):
    """HTTP 400: a parameter is invalid (``param`` usually names it)."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the API key is missing or not valid."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the key may not access this resource."""


class NotFoundError(APIStatusError):
    """HTTP 404: no such thread for this key (or it was deleted)."""


class DeletedOnRetryError(NotFoundError):
    """HTTP 404 on a *retry* of a delete whose earlier attempt may have reached the
    server (its response was lost: a broken connection, a read timeout, a 5xx).

    The thread is gone, most likely deleted by that earlier attempt; treat it as deleted.
    A ``NotFoundError``, so code that already treats "not found" on delete as done keeps
    working. ``attempts`` is how many attempts were made.
    """

    attempts: int

    def __init__(
        self, message: str, *, response: httpx.Response, body: object | None, attempts: int
    ) -> None:
        super().__init__(message, response=response, body=body)
        self.attempts = attempts


class ConflictError(APIStatusError):
    """HTTP 409: the resource changed concurrently."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: the request was well-formed but could not be processed."""


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests; the client retries these (see ``max_retries``)."""


class InternalServerError(APIStatusError):
    """Any HTTP 5xx status."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


class ResponseValidationError(ChatKitError):
    """In strict mode, a response departed from the spec (``APIResponseValidationError``
    is the same class).

    ``errors`` lists ``(json_path, problem)`` pairs, one per departure, and ``paths``
    the JSON paths alone (``$`` is the body root, e.g. ``$.data[1].type``).
    """

    errors: list[tuple[str, str]]

    def __init__(self, errors: Sequence[tuple[str, str]], *, what: str = "response") -> None:
        self.errors = list(errors)
        lines = "; ".join(f"{path}: {problem}" for path, problem in self.errors)
        count = f"{len(self.errors)} error{'' if len(self.errors) == 1 else 's'}"
        super().__init__(f"{what} does not match the spec ({count}): {lines}")

    def redacted(self, secret: str | None) -> ResponseValidationError:
        """This error with ``secret`` redacted from every problem (which quote values)."""
        errors = [(redact(path, secret), redact(problem, secret)) for path, problem in self.errors]
        if errors == self.errors:
            return self
        clone = ResponseValidationError(errors)
        clone.args = (redact(str(self), secret),)
        return clone

    @property
    def paths(self) -> list[str]:
        """The JSON path of every departure, in document order."""
        return [path for path, _ in self.errors]


APIResponseValidationError = ResponseValidationError
"""The ``openai`` SDK's name for the strict-mode validation error: the same class object."""


class PaginationError(ChatKitError):
    """The server's cursors would make auto-pagination loop or stall.

    Raised when a next-page cursor repeats one already used in this walk, or when a page
    claims ``has_more`` but is empty or lacks the cursor id.
    """


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def make_status_error(response: httpx.Response, *, secret: str | None) -> APIStatusError:
    """Build the exception for an error response (its body must already be read).

    Never raises itself: a body that is not JSON, or JSON without the envelope, still
    gives a readable message naming the status.
    """
    status = response.status_code
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else APIStatusError
    # Redacted before anything is parsed or cut, so no part of the key survives a cut.
    text = redact(response.content.decode("utf-8", errors="replace"), secret)
    body: object
    try:
        body = scrub(json.loads(text), secret) if text else None
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to decode
        body = text
    envelope = body.get("error") if isinstance(body, dict) else None
    if isinstance(envelope, dict):
        message = _str_or_none(envelope.get("message")) or json.dumps(envelope)
        detail = f"Error code: {status} - {message}"
        # `body` is the inner error object, as the SDK gives it (`e.body["code"]`).
        return cls(detail, response=response, body=envelope)
    if not text.strip():
        detail = f"Error code: {status} - {response.reason_phrase or 'no body'}"
    else:
        snippet = " ".join(text.split())
        if len(snippet) > _MAX_BODY_IN_MESSAGE:
            snippet = snippet[:_MAX_BODY_IN_MESSAGE] + "..."
        detail = f"Error code: {status} - {snippet}"
    return cls(detail, response=response, body=body)

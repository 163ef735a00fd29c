"""The sync and async clients: configuration, the send loop with retries, logging."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

import httpx

from . import _deadline
from ._body import aread_bounded, read_bounded
from ._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    build_headers,
    check_max_response_bytes,
    resolve_api_key,
    resolve_base_url,
)
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    DeletedOnRetryError,
    InvalidRequestError,
    make_status_error,
)
from ._operations import RequestOptions
from ._resources import AsyncThreads, Threads
from ._retries import RetryPolicy
from ._secrets import check_header_value, redact

__all__ = ["AsyncChatKit", "ChatKit"]

log = logging.getLogger("chatkit_threads")

Timeout = float | httpx.Timeout | None


# "Not given" for with_options arguments where None is a meaningful value.
_KEEP: Any = object()

# Transport errors raised before the request could reach the server; any other one
# (a read error, a broken connection) may come after the server acted on it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _may_have_applied(exc: httpx.TransportError | None, response: httpx.Response | None) -> bool:
    """Whether a failed attempt may have been carried out by the server all the same."""
    if response is not None:
        return response.status_code >= 500 and response.status_code != 503
    return not isinstance(exc, _NOT_SENT)


def _check_max_retries(max_retries: Any, name: str = "max_retries") -> int:
    if not isinstance(max_retries, int) or isinstance(max_retries, bool):
        raise TypeError(f"{name} must be an int, got {type(max_retries).__name__}")
    if max_retries < 0:
        raise ValueError(f"{name} must be >= 0, got {max_retries}")
    return max_retries


_HttpT = TypeVar("_HttpT", httpx.Client, httpx.AsyncClient)


class _BaseClient(Generic[_HttpT]):
    """Everything the two clients share, constructor and ``with_options`` included; only
    the two send loops differ (sync vs await). A subclass names its httpx client class
    and its resource class."""

    _http_class: ClassVar[type[httpx.Client] | type[httpx.AsyncClient]]
    _threads_class: ClassVar[type[Any]]

    api_key: str
    """The API key (never shown by ``repr``, logs or exceptions)."""
    base_url: str
    """The API root, without a trailing slash (e.g. ``https://api.openai.com/v1``)."""
    organization: str | None
    project: str | None
    timeout: Timeout
    max_retries: int
    strict: bool
    """Whether responses are validated against the spec (see ``ResponseValidationError``)."""
    retry_policy: RetryPolicy
    max_response_bytes: int | None
    """The largest response body read (decoded), in bytes; ``None`` for no limit."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: _HttpT | None = None,
        strict: bool = False,
        retry_policy: RetryPolicy | None = None,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        http_class = self._http_class
        if http_client is not None and not isinstance(http_client, http_class):
            raise TypeError(
                f"http_client must be an httpx.{http_class.__name__}, "
                f"got {type(http_client).__name__}"
            )
        owns_http_client = http_client is None
        self.api_key = resolve_api_key(api_key)
        self.base_url = resolve_base_url(base_url)
        self.organization = organization
        self.project = project
        self.timeout = timeout
        self.max_retries = _check_max_retries(max_retries)
        self.strict = bool(strict)
        self.retry_policy = retry_policy if retry_policy is not None else RetryPolicy()
        self.max_response_bytes = check_max_response_bytes(max_response_bytes)
        self._default_headers = dict(default_headers) if default_headers else None
        self._headers = build_headers(self.api_key, organization, project, default_headers)
        self._owns_http_client = owns_http_client
        # A client we create carries the headers itself, so a request needs none of its
        # own; an injected client has its own defaults, so ours go with every request.
        self._request_headers: httpx.Headers | None = None if owns_http_client else self._headers
        self._http: _HttpT = (
            http_client
            if http_client is not None
            else http_class(headers=self._headers, timeout=timeout)  # type: ignore[assignment]
        )
        _deadline.install(self._http)  # the whole response within the read timeout
        self.threads = self._threads_class(self)

    def with_options(
        self,
        *,
        timeout: Timeout | httpx.Timeout = None,
        max_retries: int | None = None,
        strict: bool | None = None,
        max_response_bytes: int | None = _KEEP,
    ) -> Self:
        """A copy with some options changed, sharing this client's connection pool.

        ``max_response_bytes=None`` lifts the response size limit."""
        return type(self)(
            **self._copy_options(
                timeout=timeout,
                max_retries=max_retries,
                strict=strict,
                max_response_bytes=max_response_bytes,
            ),
            http_client=self._http,
        )

    def __repr__(self) -> str:
        return redact(
            f"{type(self).__name__}(base_url={self.base_url!r}, max_retries={self.max_retries}, "
            f"strict={self.strict})"
        )

    def _build_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        extra_headers: Mapping[str, str] | None,
        timeout: Timeout | httpx.Timeout,
    ) -> httpx.Request:
        headers = self._request_headers
        try:
            if extra_headers:
                for name, value in extra_headers.items():
                    check_header_value(name, value)
                headers = httpx.Headers(headers if headers is not None else {})
                headers.update(extra_headers)
            if params and not http.params:
                # The query encoded by httpx's own rules, in the URL: the same request as
                # `params=`, which makes httpx parse and rebuild the whole URL a second
                # time (about half of its request building). A client given with default
                # params of its own still merges through `params=`, as before.
                url, params = f"{url}?{httpx.QueryParams(params)}", None
            return http.build_request(
                method,
                url,
                params=params,
                headers=headers,
                timeout=self.timeout if timeout is None else timeout,
            )
        except (ValueError, httpx.InvalidURL) as exc:
            # Raised before anything is sent: a header that cannot be encoded, a URL
            # httpx rejects (a bad base_url); a ChatKitError like every call's failure.
            message = redact(f"Cannot build the {method} request: {exc}", self.api_key)
            raise InvalidRequestError(message) from None

    def _retry_delay(
        self, request: httpx.Request, response: httpx.Response | None, attempt: int, retries: int
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` when not retrying."""
        method = request.method
        policy = self.retry_policy
        if attempt >= retries:
            return None
        if response is None:
            if not policy.should_retry_error(method):
                return None
            delay = policy.delay(attempt)
        else:
            if not policy.should_retry_status(method, response.status_code):
                return None
            delay = policy.delay(attempt, response.headers)
        log.info(
            "retrying %s %s in %.2fs (attempt %d of %d) after %s",
            method,
            request.url,
            delay,
            attempt + 2,
            retries + 1,
            response.status_code if response is not None else "a connection error",
        )
        return delay

    def _log_response(
        self, request: httpx.Request, response: httpx.Response, attempt: int, started: float
    ) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s -> %d (attempt %d, %.1f ms)",
                request.method,
                request.url,
                response.status_code,
                attempt + 1,
                (time.perf_counter() - started) * 1000.0,
            )

    def _copy_options(
        self,
        *,
        timeout: Timeout | httpx.Timeout,
        max_retries: int | None,
        strict: bool | None,
        max_response_bytes: object,
    ) -> dict[str, Any]:
        """Constructor arguments for `with_options`: this client's, with the given changes."""
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "organization": self.organization,
            "project": self.project,
            "timeout": self.timeout if timeout is None else timeout,
            "max_retries": self.max_retries if max_retries is None else max_retries,
            "default_headers": self._default_headers,
            "strict": self.strict if strict is None else strict,
            "retry_policy": self.retry_policy,
            "max_response_bytes": self.max_response_bytes
            if max_response_bytes is _KEEP
            else max_response_bytes,
        }

    def _status_error(
        self, response: httpx.Response, attempt: int, maybe_applied: bool
    ) -> APIStatusError:
        """The exception for a final error response; a 404 to a retried DELETE whose
        earlier attempt may have gone through is a ``DeletedOnRetryError``."""
        error = make_status_error(response, secret=self.api_key)
        request = response.request
        if maybe_applied and request.method == "DELETE" and response.status_code == 404:
            log.warning(
                "%s %s -> 404 on attempt %d after an earlier attempt's response was lost; "
                "the thread is gone, most likely deleted by that attempt",
                request.method,
                request.url,
                attempt + 1,
            )
            return DeletedOnRetryError(
                f"{error.message} (on attempt {attempt + 1}, after an earlier attempt's "
                "response was lost: most likely deleted by that attempt)",
                response=response,
                body=error.body,
                attempts=attempt + 1,
            )
        return error

    def _cause(self, exc: Exception) -> Exception | None:
        """``exc`` to chain as the cause, unless its text holds the key (a traceback
        prints the cause's text, and the library's message is already redacted)."""
        text = str(exc)
        return exc if redact(text, self.api_key) == text else None

    def _other_error(self, request: httpx.Request, exc: httpx.HTTPError) -> APIError:
        """An httpx failure that is neither a transport error nor retried (a body that
        does not decode, too many redirects)."""
        detail = redact(str(exc) or type(exc).__name__, self.api_key)
        return APIError(
            f"{request.method} {request.url} failed: {type(exc).__name__}: {detail}",
            request,
            body=None,
        )

    def _connection_error(
        self, request: httpx.Request, exc: Exception, attempt: int, started: float
    ) -> APIConnectionError:
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        detail = redact(str(exc) or type(exc).__name__, self.api_key)
        log.debug(
            "%s %s -> %s (attempt %d, %.1f ms)",
            request.method,
            request.url,
            type(exc).__name__,
            attempt + 1,
            elapsed_ms,
        )
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(request=request, message=f"Request timed out: {detail}")
        return APIConnectionError(request=request, message=f"Connection error: {detail}")


class ChatKit(_BaseClient[httpx.Client]):
    """Synchronous client of the ChatKit Threads API (beta).

    ``api_key`` defaults to ``OPENAI_API_KEY`` and ``base_url`` to ``OPENAI_BASE_URL``
    (else ``https://api.openai.com/v1``); ``organization``/``project`` to
    ``OPENAI_ORG_ID``/``OPENAI_PROJECT_ID``. ``default_headers`` are added to every
    request and override the client's own (including ``OpenAI-Beta``). ``http_client``
    lets you bring a configured ``httpx.Client`` (proxies, transport...); the client
    closes only a pool it created itself. ``strict=True`` validates every response
    against the spec. ``retry_policy`` tunes backoff (and injects sleep/clock in tests).

    Use as a context manager, or call ``close()``::

        with ChatKit() as client:
            thread = client.threads.retrieve("cthr_abc123")
    """

    _http_class = httpx.Client
    _threads_class = Threads
    threads: Threads
    """The thread operations (``list``, ``retrieve``, ``delete``, ``list_items``...)."""

    def close(self) -> None:
        """Close the connection pool (if this client created it)."""
        if self._owns_http_client:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _send(
        self, method: str, url: str, params: dict[str, Any] | None, options: RequestOptions
    ) -> httpx.Response:
        """Send with retries; return a 2xx response (body read) or raise an ``APIError``."""
        max_retries = options.max_retries
        retries = self.max_retries if max_retries is None else _check_max_retries(max_retries)
        request = self._build_request(
            self._http, method, url, params, options.extra_headers, options.timeout
        )
        attempt = 0
        maybe_applied = False
        while True:
            started = time.perf_counter()
            scope = _deadline.attempt()
            try:
                response = self._http.send(request, stream=True)
                read_bounded(response, self.max_response_bytes)
            except httpx.TransportError as exc:
                delay = self._retry_delay(request, None, attempt, retries)
                error = self._connection_error(request, exc, attempt, started)  # logs it
                if delay is None:
                    raise error from self._cause(exc)
                maybe_applied = maybe_applied or _may_have_applied(exc, None)
            except httpx.HTTPError as exc:
                failure = self._other_error(request, exc)
                raise failure from self._cause(exc)
            else:
                self._log_response(request, response, attempt, started)
                if response.is_success:
                    return response
                delay = self._retry_delay(request, response, attempt, retries)
                if delay is None:
                    raise self._status_error(response, attempt, maybe_applied)
                maybe_applied = maybe_applied or _may_have_applied(None, response)
            finally:
                _deadline.end_attempt(scope)
            self.retry_policy.sleep(delay)
            attempt += 1


class AsyncChatKit(_BaseClient[httpx.AsyncClient]):
    """Asynchronous client of the ChatKit Threads API (beta); same surface as ``ChatKit``.

    Use as an async context manager, or ``await client.close()``::

        async with AsyncChatKit() as client:
            thread = await client.threads.retrieve("cthr_abc123")
    """

    _http_class = httpx.AsyncClient
    _threads_class = AsyncThreads
    threads: AsyncThreads
    """The thread operations, each awaitable (``list``/``list_items`` return a paginator)."""

    async def close(self) -> None:
        """Close the connection pool (if this client created it)."""
        if self._owns_http_client:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _send(
        self, method: str, url: str, params: dict[str, Any] | None, options: RequestOptions
    ) -> httpx.Response:
        """Send with retries; return a 2xx response (body read) or raise an ``APIError``."""
        max_retries = options.max_retries
        retries = self.max_retries if max_retries is None else _check_max_retries(max_retries)
        request = self._build_request(
            self._http, method, url, params, options.extra_headers, options.timeout
        )
        attempt = 0
        maybe_applied = False
        while True:
            started = time.perf_counter()
            scope = _deadline.attempt()
            try:
                response = await self._http.send(request, stream=True)
                await aread_bounded(response, self.max_response_bytes)
            except httpx.TransportError as exc:
                delay = self._retry_delay(request, None, attempt, retries)
                error = self._connection_error(request, exc, attempt, started)  # logs it
                if delay is None:
                    raise error from self._cause(exc)
                maybe_applied = maybe_applied or _may_have_applied(exc, None)
            except httpx.HTTPError as exc:
                failure = self._other_error(request, exc)
                raise failure from self._cause(exc)
            else:
                self._log_response(request, response, attempt, started)
                if response.is_success:
                    return response
                delay = self._retry_delay(request, response, attempt, retries)
                if delay is None:
                    raise self._status_error(response, attempt, maybe_applied)
                maybe_applied = maybe_applied or _may_have_applied(None, response)
            finally:
                _deadline.end_attempt(scope)
            await self.retry_policy.async_sleep(delay)
            attempt += 1

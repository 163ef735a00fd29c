"""The sync and async clients: the send loop with retries, and the context managers.

Everything else they share (configuration, ``copy``/``with_options``, errors) is in
``_client_base``.

This module is part of the package's façade (with ``__init__`` and ``types``): the
modules that assemble the core and the generated layer, and the only ones that import
``chatkit_threads_api``. It hands the core what it reads of the generated layer: the
spec's defaults (``DEFAULT_BASE_URL``, ``BETA_HEADER_VALUE``), the model tables and
schemas (``_tables``, loaded on first use) and the resource classes (on the first
client made).
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from chatkit_threads_api import spec_constants as _spec

from . import _deadline, _http, _tables
from ._body import aread_bounded, read_bounded
from ._client_base import BaseClient, Beta
from ._config import check_max_retries
from ._operations import RequestOptions

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chatkit_threads_api.client_resources import AsyncThreads, Threads
    from chatkit_threads_spec import Operation, Schema

    from ._schema import Spec

__all__ = ["BETA_HEADER_VALUE", "DEFAULT_BASE_URL", "AsyncChatKit", "ChatKit"]

DEFAULT_BASE_URL: str = _spec.DEFAULT_BASE_URL
"""The API root when neither ``base_url`` nor ``OPENAI_BASE_URL`` is given (the spec's server)."""
# The value of the spec's fixed header (the beta opt-in), for callers who set it
# themselves. Requests do not read it: each carries its own operation's fixed headers
# (``Operation.headers``, see ``BaseClient._headers_for``).
BETA_HEADER_VALUE: str = next(
    (value for op in _spec.OPERATIONS.values() for value in op.headers.values()), ""
)


def _model_tables() -> Mapping[str, Spec]:
    # The models are most of the package's import time: loaded on the first response.
    from chatkit_threads_api.client_models import SPECS

    return SPECS


def _schemas() -> Mapping[str, Schema]:
    # Only strict mode reads them: loaded on the first strict check.
    from chatkit_threads_api.spec_schemas import SCHEMAS

    return SCHEMAS


_tables.MODELS.provide(_model_tables)
_tables.SCHEMAS.provide(_schemas)


def _may_have_applied(exc: Exception | None, response: httpx.Response | None) -> bool:
    """Whether a failed attempt may have been carried out by the server all the same:
    a transport error other than one raised before sending (``NOT_SENT``: any other, a
    read error or a broken connection, may come after the server acted on it)."""
    if response is not None:
        return response.status_code >= 500 and response.status_code != 503
    return not isinstance(exc, _http.NOT_SENT)


class ChatKit(BaseClient[httpx.Client]):
    """Synchronous client of the ChatKit Threads API (beta).

    ``api_key`` defaults to ``OPENAI_API_KEY`` and may be a callable returning the key,
    called before every attempt; ``base_url`` defaults to ``OPENAI_BASE_URL`` (else
    ``https://api.openai.com/v1``); ``organization``/``project`` to
    ``OPENAI_ORG_ID``/``OPENAI_PROJECT_ID``. ``default_headers`` are added to every
    request and override the client's own (including ``OpenAI-Beta``); ``default_query``
    is added to every query. ``http_client`` lets you bring a configured ``httpx.Client``
    or ``httpx2.Client`` (proxies, transport...); the client closes only a pool it
    created itself, which is an ``httpx.Client``.
    ``strict=True`` validates every response against the spec. ``retry_policy`` tunes
    backoff (and injects sleep/clock in tests).

    Use as a context manager, or call ``close()``::

        with ChatKit() as client:
            thread = client.threads.retrieve("cthr_abc123")
    """

    _http_class = httpx.Client
    _http_classes = "SYNC_CLIENTS"
    _default_base_url = DEFAULT_BASE_URL
    threads: Threads
    """The thread operations (``list``, ``retrieve``, ``delete``, ``list_items``...)."""
    beta: Beta[Threads]
    """``client.beta.chatkit.threads``: ``client.threads`` under the SDK's path."""

    def _make_threads(self) -> Threads:
        from chatkit_threads_api.client_resources import Threads

        return Threads(self)

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

    def _refresh_key(self, request: httpx.Request) -> None:
        provider = self._api_key_provider
        assert provider is not None
        try:
            key = provider()
        except Exception as exc:
            raise self._provider_error(exc) from self._cause(exc)
        self._new_key(key)
        self._authorize(request)

    def _send(
        self,
        op: Operation,
        url: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
        stream: bool = False,
    ) -> httpx.Response:
        """Send with retries; return a 2xx response (body read, unless ``stream``) or
        raise an ``APIError``."""
        max_retries = options.max_retries
        retries = self.max_retries if max_retries is None else check_max_retries(max_retries)
        request = self._build_request(
            self._http, op, url, params, options.extra_headers, options.timeout
        )
        attempt = 0
        maybe_applied = False
        while True:
            if self._api_key_provider is not None:
                self._refresh_key(request)
            started = time.perf_counter()
            scope = _deadline.attempt()
            try:
                response = self._http.send(request, stream=True)
                if not stream or not response.is_success:
                    read_bounded(response, self.max_response_bytes)
            except _http.TRANSPORT_ERRORS as exc:
                delay = self._retry_delay(request, None, attempt, retries)
                error = self._connection_error(request, exc, attempt, started)  # logs it
                if delay is None:
                    raise error from self._cause(exc)
                maybe_applied = maybe_applied or _may_have_applied(exc, None)
            except _http.HTTP_ERRORS as exc:
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


class AsyncChatKit(BaseClient[httpx.AsyncClient]):
    """Asynchronous client of the ChatKit Threads API (beta); same surface as ``ChatKit``
    (a callable ``api_key`` returns an awaitable key).

    Use as an async context manager, or ``await client.close()``::

        async with AsyncChatKit() as client:
            thread = await client.threads.retrieve("cthr_abc123")
    """

    _http_class = httpx.AsyncClient
    _http_classes = "ASYNC_CLIENTS"
    _default_base_url = DEFAULT_BASE_URL
    threads: AsyncThreads
    """The thread operations, each awaitable (``list``/``list_items`` return a paginator)."""
    beta: Beta[AsyncThreads]
    """``client.beta.chatkit.threads``: ``client.threads`` under the SDK's path."""

    def _make_threads(self) -> AsyncThreads:
        from chatkit_threads_api.client_resources import AsyncThreads

        return AsyncThreads(self)

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

    async def _refresh_key(self, request: httpx.Request) -> None:
        provider = self._api_key_provider
        assert provider is not None
        try:
            key = await provider()
        except Exception as exc:
            raise self._provider_error(exc) from self._cause(exc)
        self._new_key(key)
        self._authorize(request)

    async def _send(
        self,
        op: Operation,
        url: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
        stream: bool = False,
    ) -> httpx.Response:
        """Send with retries; return a 2xx response (body read, unless ``stream``) or
        raise an ``APIError``."""
        max_retries = options.max_retries
        retries = self.max_retries if max_retries is None else check_max_retries(max_retries)
        request = self._build_request(
            self._http, op, url, params, options.extra_headers, options.timeout
        )
        attempt = 0
        maybe_applied = False
        while True:
            if self._api_key_provider is not None:
                await self._refresh_key(request)
            started = time.perf_counter()
            scope = _deadline.attempt()
            try:
                response = await self._http.send(request, stream=True)
                if not stream or not response.is_success:
                    await aread_bounded(response, self.max_response_bytes)
            except _http.TRANSPORT_ERRORS as exc:
                delay = self._retry_delay(request, None, attempt, retries)
                error = self._connection_error(request, exc, attempt, started)  # logs it
                if delay is None:
                    raise error from self._cause(exc)
                maybe_applied = maybe_applied or _may_have_applied(exc, None)
            except _http.HTTP_ERRORS as exc:
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

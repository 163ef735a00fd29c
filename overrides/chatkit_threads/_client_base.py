"""What the sync and async clients share: configuration, ``copy``/``with_options``, the
API key (a string or a callable called on every attempt), building requests and errors."""

from __future__ import annotations

import logging
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeAlias, TypeVar

import httpx

from . import _deadline, _http
from ._beta import Beta
from ._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    auth_header,
    build_headers,
    check_max_response_bytes,
    check_max_retries,
    merged_defaults,
    operation_headers,
    resolve_api_key,
    resolve_base_url,
)
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIKeyProviderError,
    APIStatusError,
    APITimeoutError,
    ChatKitError,
    DeletedOnRetryError,
    InvalidRequestError,
    make_status_error,
)
from ._http import library_of, timeout_for
from ._retries import RetryPolicy
from ._secrets import check_header_value, redact
from ._types import NOT_GIVEN, NotGiven, TimeoutArg

__all__ = ["ApiKey", "BaseClient", "Beta", "Timeout", "log"]

log = logging.getLogger("chatkit_threads")

if TYPE_CHECKING:
    import httpx2

    from chatkit_threads_spec import Operation

    Timeout: TypeAlias = float | httpx.Timeout | httpx2.Timeout | None
else:  # httpx2 is optional at run time (see `_http`)
    Timeout = float | httpx.Timeout | None

ApiKey = str | Callable[[], str] | Callable[[], Awaitable[str]]
"""An API key, or a callable returning one (awaitable for the async client), called
before every attempt of every request (short-lived tokens, key rotation)."""


_HttpT = TypeVar("_HttpT", httpx.Client, httpx.AsyncClient)
if TYPE_CHECKING:
    # An httpx2 client is taken as well (the openai SDK's stack; see `_http`).
    HttpClient2: TypeAlias = httpx2.Client | httpx2.AsyncClient


class BaseClient(ABC, Generic[_HttpT]):
    """Everything the two clients share, constructor and ``copy`` included; only the
    two send loops differ (sync vs await). A subclass names its httpx client class and
    its resource class."""

    _http_class: ClassVar[type[httpx.Client] | type[httpx.AsyncClient]]
    """The class of the pool the client creates when given no ``http_client``."""
    _http_classes: ClassVar[str]
    """The name of the ``_http`` tuple of classes an ``http_client`` may be (httpx's,
    and httpx2's once adopted)."""
    _default_base_url: ClassVar[str]
    """The API root by default: the spec's server (the façade, ``_client``, reads it)."""

    api_key: str
    """The API key (never shown by ``repr``, logs or exceptions); with a callable key,
    the one it last returned (``""`` before the first request)."""
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
        api_key: ApiKey | None = None,
        organization: str | None = None,
        project: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: _HttpT | HttpClient2 | None = None,
        strict: bool = False,
        retry_policy: RetryPolicy | None = None,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        http_class = self._http_class
        if http_client is not None:
            _http.adopt(http_client)
        if http_client is not None and not isinstance(
            http_client, getattr(_http, self._http_classes)
        ):
            raise TypeError(
                f"http_client must be an httpx.{http_class.__name__} (or httpx2's), "
                f"got {type(http_client).__name__}"
            )
        owns_http_client = http_client is None
        if callable(api_key):
            self._api_key_provider: Callable[[], Any] | None = api_key
            self.api_key = ""
        else:
            self._api_key_provider = None
            self.api_key = resolve_api_key(api_key)
        self.base_url = resolve_base_url(base_url, self._default_base_url)
        if organization is None:
            organization = os.environ.get("OPENAI_ORG_ID")
        if project is None:
            project = os.environ.get("OPENAI_PROJECT_ID")
        self.organization = organization
        self.project = project
        self.timeout = timeout
        self.max_retries = check_max_retries(max_retries)
        self.strict = bool(strict)
        self.retry_policy = retry_policy if retry_policy is not None else RetryPolicy()
        self.max_response_bytes = check_max_response_bytes(max_response_bytes)
        self._default_headers = dict(default_headers) if default_headers else None
        self._default_query: dict[str, Any] | None = dict(default_query) if default_query else None
        key = None if self._api_key_provider is not None else self.api_key
        self._headers = build_headers(key, organization, project, default_headers)
        self._owns_http_client = owns_http_client
        # What each operation's requests add to the pool's headers: made on its first
        # call (`_headers_for`), the same for every later one. Keyed by the operation
        # object's id, and holding the object, so the id cannot be reused while kept.
        self._op_headers: dict[int, tuple[Operation, httpx.Headers | None]] = {}
        # httpx2 keeps httpx's API: one code path drives either (see `_http`).
        self._http: _HttpT = (
            http_client  # type: ignore[assignment]
            if http_client is not None
            else http_class(headers=self._headers, timeout=timeout_for(httpx, timeout))
        )
        _deadline.install(self._http)  # the whole response within the read timeout
        self._library = library_of(self._http)
        self._http_timeout = timeout_for(self._library, timeout)
        self.threads = self._make_threads()
        self.beta = Beta(self.threads)

    @abstractmethod
    def _make_threads(self) -> Any:
        """The client's resource (``client.threads``). The resource classes are generated
        and import this core: the façade's subclasses (``_client``) load them, on the
        first client made, so that the core imports nothing generated."""

    @property
    def default_query(self) -> dict[str, object]:
        """The query parameters sent with every request (``default_query``)."""
        return dict(self._default_query or {})

    def copy(
        self,
        *,
        api_key: ApiKey | None = None,
        organization: str | None = None,
        project: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        http_client: _HttpT | HttpClient2 | None = None,
        max_retries: int | NotGiven | None = NOT_GIVEN,
        default_headers: Mapping[str, str] | None = None,
        set_default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        set_default_query: Mapping[str, object] | None = None,
        strict: bool | None = None,
        retry_policy: RetryPolicy | None = None,
        max_response_bytes: int | NotGiven | None = NOT_GIVEN,
    ) -> Self:
        """A new client with some options changed, as the ``openai`` SDK's ``copy``.

        What is not given is this client's; ``default_headers``/``default_query`` add to
        this client's, ``set_default_headers``/``set_default_query`` replace them.
        ``timeout=None`` means no timeout; ``max_response_bytes=None`` no size limit. The
        copy shares this client's connection pool unless given an ``http_client``."""
        headers = merged_defaults(
            "headers", self._default_headers, default_headers, set_default_headers
        )
        query = merged_defaults("query", self._default_query, default_query, set_default_query)
        return type(self)(
            api_key=api_key or self._api_key_provider or self.api_key,
            organization=organization or self.organization,
            project=project or self.project,
            base_url=base_url or self.base_url,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=(
                self.max_retries
                if isinstance(max_retries, NotGiven) or max_retries is None
                else max_retries
            ),
            default_headers=headers,
            default_query=query,
            http_client=http_client or self._http,
            strict=self.strict if strict is None else strict,
            retry_policy=retry_policy or self.retry_policy,
            max_response_bytes=(
                self.max_response_bytes
                if isinstance(max_response_bytes, NotGiven)
                else max_response_bytes
            ),
        )

    with_options = copy
    """The ``openai`` SDK's other name for ``copy``, for one-off option changes:
    ``client.with_options(timeout=5).threads.retrieve(...)``."""

    def _new_key(self, key: object) -> None:
        """Check what the key provider returned, and use it from now on."""
        try:
            if not isinstance(key, str):
                raise TypeError(f"it returned a {type(key).__name__}, not a str")
            self.api_key = resolve_api_key(key)
        except (ChatKitError, TypeError, ValueError) as exc:
            message = redact(f"The api_key callable gave no usable key: {exc}", self.api_key)
            raise APIKeyProviderError(message) from None

    def _provider_error(self, exc: Exception) -> APIKeyProviderError:
        detail = redact(f"{type(exc).__name__}: {exc}", self.api_key)
        return APIKeyProviderError(f"The api_key callable raised {detail}")

    def _authorize(self, request: httpx.Request) -> None:
        """Put the key just returned by the provider on ``request`` (one call per attempt)."""
        name, value = auth_header(self.api_key)
        request.headers[name] = value

    def __repr__(self) -> str:
        return redact(
            f"{type(self).__name__}(base_url={self.base_url!r}, max_retries={self.max_retries}, "
            f"strict={self.strict})"
        )

    def _headers_for(self, op: Operation) -> httpx.Headers | None:
        """What ``op``'s requests add to the pool's headers (``operation_headers``: its
        fixed headers, unless the user's override them), made once per operation."""
        try:
            return self._op_headers[id(op)][1]
        except KeyError:
            pass
        found = operation_headers(op, self._headers, pool_has_them=self._owns_http_client)
        self._op_headers[id(op)] = (op, found)
        return found

    def _build_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        op: Operation,
        url: str,
        params: dict[str, Any] | None,
        extra_headers: Mapping[str, str] | None,
        timeout: TimeoutArg,
    ) -> httpx.Request:
        method = op.method
        headers = self._headers_for(op)
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
                timeout=self._http_timeout
                if isinstance(timeout, NotGiven)
                else timeout_for(self._library, timeout),
            )
        except _http.BUILD_ERRORS as exc:
            # Raised before anything is sent: a header that cannot be encoded, a URL
            # httpx rejects (a bad base_url), a timeout of a type neither library takes;
            # a ChatKitError like every call's failure.
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

    def _other_error(self, request: httpx.Request, exc: Exception) -> APIError:
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
        if isinstance(exc, _http.TIMEOUTS):
            return APITimeoutError(request=request, message=f"Request timed out: {detail}")
        return APIConnectionError(request=request, message=f"Connection error: {detail}")

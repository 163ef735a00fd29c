"""ChatKit Threads API (beta): typed sync and async client.

::

    from chatkit_threads import ChatKit

    with ChatKit() as client:              # OPENAI_API_KEY from the environment
        for thread in client.threads.list(limit=50):
            print(thread.id, thread.title)

The clients (``ChatKit``, ``AsyncChatKit``), their pages (``SyncCursorPage``,
``AsyncCursorPage``), raw and streamed responses (``RawResponse``,
``StreamedResponse``), the exceptions (named as in the ``openai`` SDK, whose
``OpenAIError`` and ``APIResponseValidationError`` are the same classes under a second
name) and every response model are importable from here; the models are also in
``chatkit_threads.types``. Logging goes to the ``chatkit_threads`` logger.

Code written for the SDK's ChatKit threads (``client.beta.chatkit.threads``) runs
unchanged with ``ChatKit``/``AsyncChatKit`` in place of ``OpenAI``/``AsyncOpenAI``.

Layout: imports run one way. The generated layer (``chatkit_threads_api``: models,
resources, the spec's data) imports this package's core; the core imports nothing
generated, not even inside a function. The façade is the three modules that assemble
the two, and the only ones of this package that import ``chatkit_threads_api``: this
``__init__`` (public names, the models and resources loaded on first use), ``types``
(the models) and ``_client`` (the clients; it hands the core the spec's defaults and
the generated tables, ``_tables``). Every other module is core.
(``tests/test_import_graph.py`` holds the same list and checks it.)
"""

from typing import TYPE_CHECKING, Any

from chatkit_threads_api.spec_constants import MODEL_NAMES as _MODEL_NAMES

from . import types as types
from ._client import BETA_HEADER_VALUE, DEFAULT_BASE_URL, AsyncChatKit, ChatKit
from ._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
)
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIKeyProviderError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ChatKitError,
    ConflictError,
    DeletedOnRetryError,
    InternalServerError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidRequestError,
    NotFoundError,
    OpenAIError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnprocessableEntityError,
)
from ._logs import setup_logging as _setup_logging
from ._pagination import AsyncCursorPage, AsyncPaginator, PageInfo, SyncCursorPage
from ._response import AsyncStreamedResponse, RawResponse, StreamedResponse
from ._retries import RetryPolicy
from ._secrets import redact
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__

if TYPE_CHECKING:
    # The response models; at run time they load on first use (`types.load_model`).
    from chatkit_threads_api.client_models import *  # noqa: F403
    from chatkit_threads_api.client_resources import (
        AsyncThreads,
        AsyncThreadsWithRawResponse,
        AsyncThreadsWithStreamingResponse,
        Threads,
        ThreadsWithRawResponse,
        ThreadsWithStreamingResponse,
    )

# The resource classes are generated (``chatkit_threads_api.client_resources``, one typed
# method per operation) and import this package's core: they load on first use, so that
# this package imports nothing generated that imports it back.
_RESOURCES = frozenset(
    {
        "AsyncThreads",
        "AsyncThreadsWithRawResponse",
        "AsyncThreadsWithStreamingResponse",
        "Threads",
        "ThreadsWithRawResponse",
        "ThreadsWithStreamingResponse",
    }
)

__all__ = [
    "BETA_HEADER_VALUE",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIKeyProviderError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChatKit",
    "AsyncCursorPage",
    "AsyncPaginator",
    "AsyncStreamedResponse",
    "AsyncThreads",
    "AsyncThreadsWithRawResponse",
    "AsyncThreadsWithStreamingResponse",
    "AuthenticationError",
    "BadRequestError",
    "ChatKit",
    "ChatKitError",
    "ConflictError",
    "DeletedOnRetryError",
    "InternalServerError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "InvalidRequestError",
    "NotFoundError",
    "NotGiven",
    "OpenAIError",
    "PageInfo",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryPolicy",
    "StreamedResponse",
    "SyncCursorPage",
    "Threads",
    "ThreadsWithRawResponse",
    "ThreadsWithStreamingResponse",
    "UnprocessableEntityError",
    "__version__",
    "redact",
]
# The response models (generated from the spec).
__all__ += _MODEL_NAMES


if not TYPE_CHECKING:  # for type checkers a misspelt name stays an error, not an Any

    def __getattr__(name: str) -> Any:
        if name in _RESOURCES:
            from chatkit_threads_api import client_resources

            value = globals()[name] = getattr(client_resources, name)
            return value
        value = globals()[name] = types.load_model(name, __name__)
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_RESOURCES, *_MODEL_NAMES})


_setup_logging()  # OPENAI_LOG=info|debug, as in the openai SDK

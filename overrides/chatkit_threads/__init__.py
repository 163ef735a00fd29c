"""ChatKit Threads API (beta): typed sync and async client.

::

    from chatkit_threads import ChatKit

    with ChatKit() as client:              # OPENAI_API_KEY from the environment
        for thread in client.threads.list(limit=50):
            print(thread.id, thread.title)

The clients (``ChatKit``, ``AsyncChatKit``), their pages (``SyncCursorPage``,
``AsyncCursorPage``), raw responses (``RawResponse``), the exceptions (named as in the
``openai`` SDK) and every response model are importable from here; the models are also
in ``chatkit_threads.types``. Logging goes to the ``chatkit_threads`` logger.
"""

from ._client import AsyncChatKit, ChatKit
from ._config import BETA_HEADER_VALUE, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._exceptions import (
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
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
)
from ._logs import setup_logging as _setup_logging
from ._pagination import AsyncCursorPage, AsyncPaginator, SyncCursorPage
from ._resources import AsyncThreads, AsyncThreadsWithRawResponse, Threads, ThreadsWithRawResponse
from ._response import RawResponse
from ._retries import RetryPolicy
from ._version import __version__
from .types import (
    UNSET,
    ActiveStatus,
    Annotation,
    AssistantMessageContent,
    AssistantMessageItem,
    Attachment,
    AttachmentType,
    ClientToolCallItem,
    ClientToolCallStatus,
    ClosedStatus,
    DeletedThreadResource,
    FileAnnotation,
    FileAnnotationSource,
    InferenceOptions,
    InputTextContent,
    LockedStatus,
    QuotedTextContent,
    ResponseOutputText,
    SortOrder,
    TaskGroupItem,
    TaskGroupTask,
    TaskItem,
    TaskType,
    ThreadItem,
    ThreadItemListResource,
    ThreadListResource,
    ThreadResource,
    ThreadStatus,
    ToolChoice,
    UnknownAnnotation,
    UnknownContent,
    UnknownThreadItem,
    UnknownThreadStatus,
    Unset,
    UrlAnnotation,
    UrlAnnotationSource,
    UserMessageContent,
    UserMessageItem,
    WidgetItem,
)

__all__ = [
    "BETA_HEADER_VALUE",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "UNSET",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "ActiveStatus",
    "Annotation",
    "AssistantMessageContent",
    "AssistantMessageItem",
    "AsyncChatKit",
    "AsyncCursorPage",
    "AsyncPaginator",
    "AsyncThreads",
    "AsyncThreadsWithRawResponse",
    "Attachment",
    "AttachmentType",
    "AuthenticationError",
    "BadRequestError",
    # clients and their parts
    "ChatKit",
    # exceptions
    "ChatKitError",
    "ClientToolCallItem",
    "ClientToolCallStatus",
    "ClosedStatus",
    "ConflictError",
    "DeletedThreadResource",
    "FileAnnotation",
    "FileAnnotationSource",
    "InferenceOptions",
    "InputTextContent",
    "InternalServerError",
    "LockedStatus",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "QuotedTextContent",
    "RateLimitError",
    "RawResponse",
    "ResponseOutputText",
    "ResponseValidationError",
    "RetryPolicy",
    "SortOrder",
    "SyncCursorPage",
    "TaskGroupItem",
    "TaskGroupTask",
    "TaskItem",
    "TaskType",
    "ThreadItem",
    "ThreadItemListResource",
    "ThreadListResource",
    # models
    "ThreadResource",
    "ThreadStatus",
    "Threads",
    "ThreadsWithRawResponse",
    "ToolChoice",
    "UnknownAnnotation",
    "UnknownContent",
    "UnknownThreadItem",
    "UnknownThreadStatus",
    "UnprocessableEntityError",
    "Unset",
    "UrlAnnotation",
    "UrlAnnotationSource",
    "UserMessageContent",
    "UserMessageItem",
    "WidgetItem",
    "__version__",
]

_setup_logging()  # OPENAI_LOG=info|debug, as in the openai SDK

"""``client.threads``: the resource classes, generated from the spec's operations.

``chatkit_threads_api.client_resources`` (made by ``scripts/generate``) has one typed
method per operation, sync and async, each a one-line call into ``_operations``, which
checks the arguments, sends the request and parses the body. Their
``with_raw_response`` and ``with_streaming_response`` variants wrap those same methods
(``_wrappers``), as the ``openai`` SDK does. A new query parameter in the spec becomes a
keyword argument of every variant without a hand edit.
"""

from chatkit_threads_api.client_resources import (
    AsyncThreads,
    AsyncThreadsWithRawResponse,
    AsyncThreadsWithStreamingResponse,
    Threads,
    ThreadsWithRawResponse,
    ThreadsWithStreamingResponse,
)

__all__ = [
    "AsyncThreads",
    "AsyncThreadsWithRawResponse",
    "AsyncThreadsWithStreamingResponse",
    "Threads",
    "ThreadsWithRawResponse",
    "ThreadsWithStreamingResponse",
]

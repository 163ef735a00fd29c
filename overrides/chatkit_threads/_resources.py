"""``client.threads``: the resource classes, generated from the spec's operations.

``chatkit_threads_api.client_resources`` (made by ``scripts/generate``) has one typed
method per operation in four flavours (sync, async, and their ``with_raw_response``
variants), each a one-line call into ``_operations``, which checks the arguments, sends
the request and parses the body. A new query parameter in the spec becomes a keyword
argument of all four without a hand edit.
"""

from chatkit_threads_api.client_resources import (
    AsyncThreads,
    AsyncThreadsWithRawResponse,
    Threads,
    ThreadsWithRawResponse,
)

__all__ = [
    "AsyncThreads",
    "AsyncThreadsWithRawResponse",
    "Threads",
    "ThreadsWithRawResponse",
]

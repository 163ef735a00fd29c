"""``with_raw_response`` and ``with_streaming_response``: generic wrappers of a method.

As in the ``openai`` SDK, a resource's ``with_raw_response.<name>`` is
``to_raw_response_wrapper(resource.<name>)``, typed with a ``ParamSpec`` so it takes the
very arguments of the plain method. The wrapped method runs on a *view* of its resource:
the same class with ``_call`` swapped for the raw or streamed path, bound to the same
client. The plain methods pay nothing for the variants, and the one generated method
per operation (with its one description) makes all of them.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, cast

from ._operations import AsyncResource, SyncResource, _Resource
from ._response import (
    AsyncResponseContextManager,
    AsyncStreamedResponse,
    RawResponse,
    ResponseContextManager,
    StreamedResponse,
)

__all__ = [
    "async_to_raw_response_wrapper",
    "async_to_streamed_response_wrapper",
    "to_raw_response_wrapper",
    "to_streamed_response_wrapper",
]

P = ParamSpec("P")
R = TypeVar("R")


class _SyncRaw(SyncResource):
    __slots__ = ()
    _call = SyncResource._call_raw


class _SyncStreamed(SyncResource):
    __slots__ = ()
    _call = SyncResource._call_streamed


class _AsyncRaw(AsyncResource):
    __slots__ = ()
    _call = AsyncResource._call_raw


class _AsyncStreamed(AsyncResource):
    __slots__ = ()
    _call = AsyncResource._call_streamed


_MODES: dict[tuple[bool, str], type[_Resource]] = {
    (False, "raw"): _SyncRaw,
    (False, "stream"): _SyncStreamed,
    (True, "raw"): _AsyncRaw,
    (True, "stream"): _AsyncStreamed,
}
_VIEWS: dict[tuple[type[_Resource], str], type[_Resource]] = {}

_R = TypeVar("_R", bound=_Resource)


def _view(resource: _R, mode: str) -> _R:
    """``resource``'s class with ``_call`` swapped for the ``"raw"`` or ``"stream"``
    path, bound to the same client: its generated methods then return raw or streamed
    responses. The class is made once per resource class and mode."""
    cls = type(resource)
    view_cls = _VIEWS.get((cls, mode))
    if view_cls is None:
        base = _MODES[(isinstance(resource, AsyncResource), mode)]
        name = f"{cls.__name__}{base.__name__}"
        view_cls = _VIEWS[(cls, mode)] = type(name, (base, cls), {"__slots__": ()})
    made: _R = view_cls(resource._client)  # type: ignore[assignment]
    return made


def _view_method(func: Callable[..., Any], mode: str) -> Callable[..., Any]:
    """The method ``func`` (bound to a resource) as the ``mode`` view of it."""
    resource = getattr(func, "__self__", None)
    if not isinstance(resource, _Resource):
        raise TypeError(f"expected a bound method of a resource, got {func!r}")
    method: Callable[..., Any] = getattr(_view(resource, mode), func.__name__)
    return method


def to_raw_response_wrapper(func: Callable[P, R]) -> Callable[P, RawResponse[R]]:
    """``func`` (a sync resource method) returning the ``RawResponse`` instead: the body
    is read, ``parse()`` gives what ``func`` returns."""
    return cast("Callable[P, RawResponse[R]]", _view_method(func, "raw"))


def async_to_raw_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[RawResponse[R]]]:
    """The async ``to_raw_response_wrapper``: ``await`` gives the ``RawResponse``."""
    return cast("Callable[P, Awaitable[RawResponse[R]]]", _view_method(func, "raw"))


def to_streamed_response_wrapper(
    func: Callable[P, R],
) -> Callable[P, ResponseContextManager[StreamedResponse[R]]]:
    """``func`` returning a context manager that sends the request when entered and
    gives the ``StreamedResponse`` (body unread), closing it on exit."""
    method = _view_method(func, "stream")

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseContextManager[StreamedResponse[R]]:
        return ResponseContextManager(functools.partial(method, *args, **kwargs))

    return wrapped


def async_to_streamed_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, AsyncResponseContextManager[AsyncStreamedResponse[R]]]:
    """The async ``to_streamed_response_wrapper`` (``async with``). The arguments are
    checked when called; the request is sent when the context manager is entered."""
    method = _view_method(func, "stream")

    @functools.wraps(func)
    def wrapped(
        *args: P.args, **kwargs: P.kwargs
    ) -> AsyncResponseContextManager[AsyncStreamedResponse[R]]:
        return AsyncResponseContextManager(method(*args, **kwargs))

    return wrapped

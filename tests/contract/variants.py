"""Deliberately broken servers: each differs from the reference server by one bug.

`VARIANTS` maps a variant name to how to build its app and the check that must catch it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from .reference_server import Api, Store, create_app, error


class WrongHasMoreStore(Store):
    """`has_more` is always false, so clients stop after the first page."""

    def paginate(
        self, rows: list[dict[str, Any]], **kwargs: Any
    ) -> tuple[list[dict[str, Any]], bool]:
        page, _ = super().paginate(rows, **kwargs)
        return page, False


class RepeatedItemStore(Store):
    """One thread sorts into the listing twice, so a walk meets it on two pages."""

    def sort(self, rows: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
        ordered = super().sort(rows, order)
        if len(ordered) > 4 and ordered[0].get("object") == "chatkit.thread":
            ordered.insert(3, ordered[0])
        return ordered


class OrderIgnoredStore(Store):
    """`order` is ignored: always newest first."""

    def sort(self, rows: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
        return super().sort(rows, "desc")


class InclusiveAfterStore(Store):
    """`after=X` starts at X instead of just after it."""

    def paginate(
        self,
        rows: list[dict[str, Any]],
        *,
        order: str,
        after: str | None,
        before: str | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], bool]:
        ordered = self.sort(rows, order)
        ids = [r["id"] for r in ordered]
        if after and after in ids:
            rest = ordered[ids.index(after) :]
            return rest[:limit], len(rest) > limit
        return super().paginate(rows, order=order, after=after, before=before, limit=limit)


class UserFilterIgnoredStore(Store):
    """`user` is ignored: every user's threads are listed."""

    def list_threads(self, key: str, **kwargs: Any) -> tuple[list[dict[str, Any]], bool]:
        return super().list_threads(key, **{**kwargs, "user": None})


class LimitIgnoredStore(Store):
    """`limit` is ignored above 0: pages always hold up to 20."""

    def paginate(
        self, rows: list[dict[str, Any]], **kwargs: Any
    ) -> tuple[list[dict[str, Any]], bool]:
        return super().paginate(rows, **{**kwargs, "limit": 20 if kwargs["limit"] else 0})


class UnknownStatusStore(Store):
    """Some threads carry a status type the spec does not know."""

    def __init__(self) -> None:
        super().__init__()
        for threads in self.threads.values():
            for thread in threads.values():
                if thread["status"]["type"] == "closed":
                    thread["status"] = {"type": "archived", "reason": None}


class DeleteLeavesItemsStore(Store):
    """Delete removes the thread but its items stay readable by id."""

    def delete_thread(self, key: str, thread_id: str) -> bool:
        with self.lock:
            return self.owner_threads(key).pop(thread_id, None) is not None

    def list_items(self, key: str, thread_id: str, **kwargs: Any) -> Any:
        if thread_id not in self.items:
            return None
        return self.paginate(list(self.items[thread_id]), **kwargs)


class DeletedStillListedStore(Store):
    """Delete answers 200 and hides the thread by id, but listings still show it."""

    def __init__(self) -> None:
        super().__init__()
        self.tombstones: set[str] = set()

    def delete_thread(self, key: str, thread_id: str) -> bool:
        if thread_id in self.tombstones or self.get_thread(key, thread_id) is None:
            return False
        self.tombstones.add(thread_id)
        return True

    def get_thread(self, key: str, thread_id: str) -> dict[str, Any] | None:
        return None if thread_id in self.tombstones else super().get_thread(key, thread_id)


class SharedDataStore(Store):
    """Every API key sees the first key's threads: data leaks between keys."""

    def owner_threads(self, key: str) -> dict[str, dict[str, Any]]:
        return next(iter(self.threads.values())) if key in self.threads else {}


class ServerErrorOnLimitZeroApi(Api):
    """`limit=0` crashes the server."""

    def page_params(self, request: Request) -> dict[str, Any] | Response:
        params = super().page_params(request)
        if isinstance(params, dict) and params["limit"] == 0:
            raise ZeroDivisionError("page size of zero")
        return params


class MissingAuthApi(Api):
    """No API key check: a request without a key reads the first key's data."""

    def authenticate(self, request: Request) -> str | Response:
        header = request.headers.get("authorization", "")
        key = header.removeprefix("Bearer ").strip()
        if key not in self.store.threads:
            key = next(iter(self.store.threads))
        return key


class WrongContentTypeApi(Api):
    """Successful answers are JSON sent as `text/plain`."""

    def respond(self, body: Any, status: int = 200) -> Response:
        return JSONResponse(body, status_code=status, media_type="text/plain")


class WrongPageIdsApi(Api):
    """`last_id` repeats `first_id`."""

    def envelope(self, rows: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
        body = super().envelope(rows, has_more)
        body["last_id"] = body["first_id"]
        return body


class BareErrorApi(Api):
    """404s answer `{"detail": ...}` instead of the error envelope."""

    async def thread(self, request: Request) -> Response:
        answer = await super().thread(request)
        if answer.status_code == 404:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        return answer


class UnknownIdServerErrorApi(Api):
    """Retrieving a thread that does not exist crashes instead of answering 404."""

    async def thread(self, request: Request) -> Response:
        answer = await super().thread(request)
        if answer.status_code == 404 and request.method == "GET":
            return error(500, "lookup failed")
        return answer


@dataclass(frozen=True)
class Variant:
    """A broken server and the check that must catch it."""

    build: Callable[[], ASGIApp]
    expected_check: str
    phases: tuple[str, ...] = ("examples", "coverage", "fuzzing")
    # The stateful phase needs longer chains before it reaches a successful DELETE.
    max_examples: int = 5


def _with_store(store: Callable[[], Store]) -> Callable[[], ASGIApp]:
    return lambda: create_app(Api(store()))


def _with_api(api: Callable[[Store], Api]) -> Callable[[], ASGIApp]:
    return lambda: create_app(api(Store()))


VARIANTS: dict[str, Variant] = {
    "wrong_has_more": Variant(_with_store(WrongHasMoreStore), "list_has_more_truthful"),
    "item_repeated_across_pages": Variant(_with_store(RepeatedItemStore), "list_walk_complete"),
    "order_ignored": Variant(_with_store(OrderIgnoredStore), "list_page_in_requested_order"),
    "inclusive_after_cursor": Variant(_with_store(InclusiveAfterStore), "list_cursors_exclusive"),
    "user_filter_ignored": Variant(
        _with_store(UserFilterIgnoredStore), "list_user_filter_respected"
    ),
    "limit_ignored": Variant(_with_store(LimitIgnoredStore), "list_page_within_limit"),
    "unknown_status_value": Variant(_with_store(UnknownStatusStore), "response_schema_conformance"),
    "delete_leaves_items": Variant(
        _with_store(DeleteLeavesItemsStore), "deleted_thread_vanishes", ("stateful",), 30
    ),
    "deleted_thread_still_listed": Variant(
        _with_store(DeletedStillListedStore), "deleted_thread_vanishes", ("stateful",), 30
    ),
    "data_leaks_between_keys": Variant(_with_store(SharedDataStore), "data_isolated_per_key"),
    "server_error_on_limit_zero": Variant(
        _with_api(ServerErrorOnLimitZeroApi), "not_a_server_error"
    ),
    "missing_auth_check": Variant(_with_api(MissingAuthApi), "ignored_auth"),
    "wrong_content_type": Variant(_with_api(WrongContentTypeApi), "content_type_conformance"),
    "wrong_first_last_id": Variant(_with_api(WrongPageIdsApi), "list_page_ids_match_data"),
    "error_without_envelope": Variant(_with_api(BareErrorApi), "error_uses_envelope"),
    "unknown_id_server_error": Variant(_with_api(UnknownIdServerErrorApi), "unknown_thread_is_404"),
}

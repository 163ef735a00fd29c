"""Deliberately broken variants of the bundled mock server, one bug each.

Every variant subclasses the mock's `ThreadStore` or `MockApi` and overrides one
behaviour, so it differs from a server the suite passes (the mock itself) by exactly one
bug. `VARIANTS` maps a variant name to how to build its app and the check that must
catch it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from chatkit_threads_mock import (
    MockApi,
    Page,
    ThreadStore,
    UnknownCursor,
    error_response,
)
from chatkit_threads_mock.store import Order
from tests.spec_facts import BETA_HEADER, BETA_VALUE, query_param

from .servers import mock_app

# More than any listing of the seeded data holds: "the whole listing in one page".
EVERYTHING = 1_000_000


def _position(ids: list[str], param: str, value: str) -> int:
    try:
        return ids.index(value)
    except ValueError:
        raise UnknownCursor(param, value) from None


def _slice(
    ids: list[str],
    bodies: list[str],
    *,
    limit: int,
    after: str | None,
    before: str | None,
    inclusive_after: bool = False,
) -> Page:
    """A page of a listing held in memory, with the mock's cursor semantics."""
    start, end = 0, len(ids)
    if after:
        start = _position(ids, "after", after) + (0 if inclusive_after else 1)
    if before:
        end = _position(ids, "before", before)
    if before and not after:
        # The previous page: the `limit` entries just before `before`, in list order.
        low = max(start, end - limit)
        return Page(ids[low:end], bodies[low:end], low > start)
    high = max(start, min(end, start + limit))
    return Page(ids[start:high], bodies[start:high], high < end)


class _InMemoryPages(ThreadStore):
    """Pages cut from the whole listing in Python, so a variant can bend the listing."""

    def listing(self, table: str, ids: list[str], bodies: list[str]) -> None:
        """Change the whole listing (in list order) in place; the base keeps it as is."""

    inclusive_after = False

    def _page(
        self,
        table: str,
        scope: str,
        args: list[Any],
        *,
        limit: int,
        order: Order,
        after: str | None,
        before: str | None,
    ) -> Page:
        whole = super()._page(
            table, scope, args, limit=EVERYTHING, order=order, after=None, before=None
        )
        ids, bodies = list(whole.ids), list(whole.bodies)
        self.listing(table, ids, bodies)
        return _slice(
            ids,
            bodies,
            limit=limit,
            after=after,
            before=before,
            inclusive_after=self.inclusive_after,
        )


# ------------------------------------------------------------------------ store variants


class WrongHasMoreStore(ThreadStore):
    """`has_more` is always false, so clients stop after the first page."""

    def _page(
        self,
        table: str,
        scope: str,
        args: list[Any],
        *,
        limit: int,
        order: Order,
        after: str | None,
        before: str | None,
    ) -> Page:
        page = super()._page(
            table, scope, args, limit=limit, order=order, after=after, before=before
        )
        return Page(page.ids, page.bodies, False)


class RepeatedThreadStore(_InMemoryPages):
    """The third thread of every listing is listed twice, so a walk meets it twice."""

    def listing(self, table: str, ids: list[str], bodies: list[str]) -> None:
        if table == "threads" and len(ids) > 4:
            ids.insert(3, ids[2])
            bodies.insert(3, bodies[2])


class InclusiveAfterStore(_InMemoryPages):
    """`after=X` starts at X instead of just after it."""

    inclusive_after = True


class OrderIgnoredStore(ThreadStore):
    """`order` is ignored: always newest first."""

    def _page(
        self,
        table: str,
        scope: str,
        args: list[Any],
        *,
        limit: int,
        order: Order,
        after: str | None,
        before: str | None,
    ) -> Page:
        return super()._page(
            table, scope, args, limit=limit, order="desc", after=after, before=before
        )


class LimitIgnoredStore(ThreadStore):
    """`limit` is ignored above 0: pages always hold up to 20 entries."""

    def _page(
        self,
        table: str,
        scope: str,
        args: list[Any],
        *,
        limit: int,
        order: Order,
        after: str | None,
        before: str | None,
    ) -> Page:
        limit = 20 if limit else 0
        return super()._page(
            table, scope, args, limit=limit, order=order, after=after, before=before
        )


class UserFilterIgnoredStore(ThreadStore):
    """`user` is ignored: every user's threads are listed."""

    def list_threads(
        self,
        project: str,
        *,
        limit: int = 20,
        order: Order = "desc",
        after: str | None = None,
        before: str | None = None,
        user: str | None = None,
    ) -> Page:
        return super().list_threads(project, limit=limit, order=order, after=after, before=before)


class UnknownStatusStore(ThreadStore):
    """Closed threads are stored with a status type the spec does not know."""

    def add_rows(
        self,
        thread_rows: Any,
        item_rows: Any,
        *,
        project: str = "",
        seed: str | None = None,
    ) -> bool:
        archived = (
            (*row[:4], row[4].replace('"type":"closed"', '"type":"archived"'))
            for row in thread_rows
        )
        return super().add_rows(archived, item_rows, project=project, seed=seed)


class DeleteLeavesItemsStore(ThreadStore):
    """Delete removes the thread row but not its items, which stay listed under its id."""

    def __init__(self) -> None:
        super().__init__()
        # No cascade: the database is opened without foreign keys, as a careless server is.
        self._db.execute("PRAGMA foreign_keys = OFF")

    def delete_thread(self, project: str, thread_id: str) -> bool:
        with self.transaction() as db:
            deleted = db.execute(
                "DELETE FROM threads WHERE id = ? AND project = ?", (thread_id, project)
            ).rowcount
        return bool(deleted)

    def list_items(
        self,
        project: str,
        thread_id: str,
        *,
        limit: int = 20,
        order: Order = "desc",
        after: str | None = None,
        before: str | None = None,
    ) -> Page | None:
        page = super().list_items(
            project, thread_id, limit=limit, order=order, after=after, before=before
        )
        if page is not None:
            return page
        # Items are looked up by their thread id alone, so leftovers are still served.
        leftovers = self._page(
            "items",
            "thread_id = ?",
            [thread_id],
            limit=limit,
            order=order,
            after=after,
            before=before,
        )
        return leftovers if leftovers.ids else None


class DeletedStillListedStore(ThreadStore):
    """Delete answers 200 and hides the thread by id, but listings still show it."""

    def __init__(self) -> None:
        super().__init__()
        self.tombstones: set[str] = set()

    def delete_thread(self, project: str, thread_id: str) -> bool:
        if self.get_thread(project, thread_id) is None:
            return False
        self.tombstones.add(thread_id)
        return True

    def get_thread(self, project: str, thread_id: str) -> str | None:
        if thread_id in self.tombstones:
            return None
        return super().get_thread(project, thread_id)


# -------------------------------------------------------------------------- API variants


class SharedDataApi(MockApi):
    """Every valid API key reads the first key's project: data leaks between keys."""

    def project(self, request: Request) -> str:
        super().project(request)
        return next(iter(self.projects.values()))


class ServerErrorOnLimitZeroApi(MockApi):
    """`limit=0` crashes the server."""

    def page_params(self, request: Request) -> dict[str, Any]:
        params = super().page_params(request)
        if params["limit"] == 0:
            raise ZeroDivisionError("page size of zero")
        return params


class MissingAuthApi(MockApi):
    """No API key check: a request without a valid key reads the first key's data."""

    def project(self, request: Request) -> str:
        if self.require_beta_header and request.headers.get(BETA_HEADER) != BETA_VALUE:
            return super().project(request)  # the beta header is still refused as usual
        return next(iter(self.projects.values()))


class WrongContentTypeApi(MockApi):
    """Successful answers are JSON sent as `text/plain`."""

    def json(self, body: str) -> Response:
        return Response(body, media_type="text/plain")


class WrongPageIdsApi(MockApi):
    """`last_id` repeats `first_id`."""

    def page(self, page: Page) -> Response:
        body = json.loads(page.to_json())
        body["last_id"] = body["first_id"]
        return self.json(json.dumps(body))


class BareErrorApi(MockApi):
    """A thread that is not found answers `{"detail": ...}` instead of the error envelope."""

    async def retrieve_thread(self, request: Request) -> Response:
        project = self.project(request)
        body = self.store.get_thread(project, self.thread_id(request))
        if body is None:
            return Response(
                '{"detail":"Not Found"}', status_code=404, media_type="application/json"
            )
        return self.json(body)


class UnknownIdServerErrorApi(MockApi):
    """Retrieving a thread that does not exist crashes instead of answering 404."""

    async def retrieve_thread(self, request: Request) -> Response:
        project = self.project(request)
        body = self.store.get_thread(project, self.thread_id(request))
        if body is None:
            raise LookupError("thread lookup returned no row")
        return self.json(body)


# A page size in the middle of the spec's range: valid, and neither a bound nor the default.
_LIMIT = query_param("listThreads", "limit")
MIDDLE_LIMIT = (int(_LIMIT.minimum or 0) + int(_LIMIT.maximum or 0)) // 2


class MiddleLimitRejectedApi(MockApi):
    """A valid `limit` in the middle of the spec's range is answered 400, as if the
    maximum were below it."""

    def page_params(self, request: Request) -> dict[str, Any]:
        params = super().page_params(request)
        if params["limit"] == MIDDLE_LIMIT:
            raise _LimitRefused
        return params

    async def list_threads(self, request: Request) -> Response:
        try:
            return await super().list_threads(request)
        except _LimitRefused:
            return _limit_refused()

    async def list_items(self, request: Request) -> Response:
        try:
            return await super().list_items(request)
        except _LimitRefused:
            return _limit_refused()


class _LimitRefused(Exception):
    pass


def _limit_refused() -> Response:
    return error_response(
        400,
        f"Invalid 'limit': expected at most {MIDDLE_LIMIT - 1}.",
        param="limit",
        code="invalid_limit",
    )


# ------------------------------------------------------------------------------ registry


@dataclass(frozen=True)
class Variant:
    """A broken server, the check that must catch it, and how hard to look."""

    build: Callable[[], ASGIApp]
    expected_check: str
    operations: tuple[str, ...] = ("listThreads",)
    phases: tuple[str, ...] = ("examples", "coverage")
    max_examples: int = 3


def _store(store: Callable[[], ThreadStore]) -> Callable[[], ASGIApp]:
    return lambda: mock_app(store())


def _api(api_class: type[MockApi]) -> Callable[[], ASGIApp]:
    return lambda: mock_app(api_class=api_class)


# The stateful phase needs every operation, and longer chains before it reaches a DELETE.
STATEFUL: dict[str, Any] = {
    "operations": ("listThreads", "retrieveThread", "listThreadItems", "deleteThread"),
    "phases": ("stateful",),
    "max_examples": 15,
}
RETRIEVE = ("retrieveThread",)

VARIANTS: dict[str, Variant] = {
    "wrong_has_more": Variant(_store(WrongHasMoreStore), "list_has_more_truthful"),
    "item_repeated_across_pages": Variant(_store(RepeatedThreadStore), "list_walk_complete"),
    "order_ignored": Variant(_store(OrderIgnoredStore), "list_page_in_requested_order"),
    "inclusive_after_cursor": Variant(_store(InclusiveAfterStore), "list_cursors_exclusive"),
    "user_filter_ignored": Variant(_store(UserFilterIgnoredStore), "list_user_filter_respected"),
    "limit_ignored": Variant(_store(LimitIgnoredStore), "list_page_within_limit"),
    "unknown_status_value": Variant(_store(UnknownStatusStore), "response_schema_conformance"),
    "delete_leaves_items": Variant(
        _store(DeleteLeavesItemsStore), "deleted_thread_vanishes", **STATEFUL
    ),
    "deleted_thread_still_listed": Variant(
        _store(DeletedStillListedStore), "deleted_thread_vanishes", **STATEFUL
    ),
    "data_leaks_between_keys": Variant(_api(SharedDataApi), "data_isolated_per_key"),
    "server_error_on_limit_zero": Variant(_api(ServerErrorOnLimitZeroApi), "not_a_server_error"),
    "missing_auth_check": Variant(_api(MissingAuthApi), "ignored_auth"),
    "wrong_content_type": Variant(_api(WrongContentTypeApi), "content_type_conformance"),
    "wrong_first_last_id": Variant(_api(WrongPageIdsApi), "list_page_ids_match_data"),
    "error_without_envelope": Variant(_api(BareErrorApi), "error_uses_envelope", RETRIEVE),
    "unknown_id_server_error": Variant(
        _api(UnknownIdServerErrorApi), "unknown_thread_is_404", RETRIEVE
    ),
    "valid_middle_limit_rejected": Variant(
        _api(MiddleLimitRejectedApi), "valid_request_rejected_only_for_cursor"
    ),
}
"""The suite passes the mock and fails each variant, for the expected check."""

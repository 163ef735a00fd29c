"""ChatKit checks that judge one response on its own (no follow-up requests).

See `registry` for how a check is written and registered; the helpers here are shared
with `checks_followup`.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from .adapter import Case, CheckContext, Response
from .contract import SpecContract
from .followup import Followup, Page, sent_query
from .registry import SKIP, Listed, body_of, fail, on_list_page, on_response, require, run_of

__all__ = [
    "error_uses_envelope",
    "items_belong_to_thread",
    "list_page_ids_match_data",
    "list_page_in_requested_order",
    "list_page_within_limit",
    "require_all_ok",
    "require_each_once",
    "require_sorted",
    "state_of",
    "valid_request_rejected_only_for_cursor",
    "walk_ids",
]

ERROR_FIELDS = ("message", "type", "param", "code")
CURSOR_ROLES = ("after", "before")


def walk_ids(pages: Sequence[Page]) -> list[str]:
    return [item for page in pages for item in page.ids]


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def require_sorted(
    created_at: Sequence[object], order: str, contract: SpecContract, what: str
) -> None:
    """Require `created_at` to follow `order` (numbers only)."""
    # Only numbers can be out of order; a created_at of another type is
    # response_schema_conformance's finding, not a crash of this check.
    numbers = [_number(value) for value in created_at]
    pairs = [
        (a, b) if a is not None and b is not None else (0.0, 0.0) for a, b in pairwise(numbers)
    ]
    if contract.is_descending(order):
        bad = [i for i, (a, b) in enumerate(pairs) if a < b]
    else:
        bad = [i for i, (a, b) in enumerate(pairs) if a > b]
    if bad:
        fail(
            f"{what} is not in `order={order}` by created_at: "
            f"position {bad[0]} has {created_at[bad[0]]} then {created_at[bad[0] + 1]}"
        )


def require_each_once(ids: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    repeated = [item for item in ids if item in seen or seen.add(item)]  # type: ignore[func-returns-value]
    if repeated:
        fail(f"{what} returns {repeated[0]!r} more than once")


def state_of(follow: Followup, path: str, filters: dict[str, str], page: Page) -> tuple[Any, ...]:
    """What a follow-up verification depends on: server, key, list, filters and the page."""
    return (
        follow.base_url,
        follow.headers.get("Authorization"),
        path,
        tuple(sorted(filters.items())),
        tuple(page.ids),
        page.has_more,
    )


def require_all_ok(pages: Sequence[Page], what: str) -> None:
    for page in pages:
        require(
            page.status == 200,
            f"{what}: a page request answered HTTP {page.status}",
        )


@on_list_page
def list_page_ids_match_data(listed: Listed) -> bool | None:
    """`first_id`/`last_id` are the first and last `data[].id`, both null on an empty page."""
    page = listed.page
    expected = (page.ids[0], page.ids[-1]) if page.ids else (None, None)
    require(
        (page.first_id, page.last_id) == expected,
        f"first_id/last_id are {page.first_id!r}/{page.last_id!r} "
        f"but data runs from {expected[0]!r} to {expected[1]!r}",
    )
    return None


@on_list_page
def list_page_within_limit(listed: Listed) -> bool | None:
    """A page never holds more than `limit` entries (the spec's default when it is not sent)."""
    limit = listed.limit
    if limit is None:
        return SKIP
    count = len(listed.page.ids)
    require(
        count <= limit,
        f"limit={limit} but the page holds {count} entries",
    )
    return None


@on_list_page
def list_page_in_requested_order(listed: Listed) -> bool | None:
    """Entries on a page follow `order` (the spec's default when not sent) by `created_at`."""
    order = listed.order
    if order is None:
        return SKIP
    require_sorted(listed.page.created_at, order, listed.contract, "the page")
    return None


@on_list_page
def items_belong_to_thread(listed: Listed) -> bool | None:
    """Every item listed for a thread carries that thread's id."""
    if listed.role != "list_items":
        return SKIP
    thread_id = listed.thread_id
    foreign = [
        row.get("id")
        for row in listed.page.body["data"]
        if isinstance(row, dict) and row.get("thread_id") != thread_id
    ]
    require(
        not foreign,
        f"items {foreign[:3]} listed for thread {thread_id!r} belong to another",
    )
    return None


@on_response
def error_uses_envelope(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx/5xx answer is JSON `{"error": {message, type, param, code}}`."""
    if response.status_code < 400:
        return SKIP
    body = body_of(response)
    where = f"HTTP {response.status_code}"
    require(
        isinstance(body, dict) and isinstance(body.get("error"), dict),
        f"{where} body is not an error envelope: {response.content[:200]!r}",
    )
    error = body["error"]
    missing = [name for name in ERROR_FIELDS if name not in error]
    require(
        not missing,
        f"{where} error envelope lacks {missing}",
    )
    require(
        isinstance(error["message"], str) and isinstance(error["type"], str),
        f"{where} error `message`/`type` must be strings",
    )
    for name in ("param", "code"):
        require(
            error[name] is None or isinstance(error[name], str),
            f"{where} error `{name}` must be a string or null",
        )
    return None


@on_response
def valid_request_rejected_only_for_cursor(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """A schema-valid request is answered, or refused with HTTP 400 only for an `after`/`before` id.

    The schema cannot say which ids exist, so a server may refuse a cursor that names
    nothing in the listing (the bundled mock does, naming the parameter). Any other 400
    for a valid request is a bug. `positive_data_acceptance` is configured to leave 400
    answers to this check (see `runner`). Every schema-valid request is judged, so the
    check runs whether or not the server ever refuses one.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return SKIP
    if response.status_code != 400:
        return None
    body = body_of(response)
    error = body.get("error") if isinstance(body, dict) else None
    param = error.get("param") if isinstance(error, dict) else None
    target = run_of(response)
    if target is None:
        return SKIP
    cursors = {target.contract.wire(role) for role in CURSOR_ROLES}
    sent = sent_query(str(response.request.url))
    require(
        param in cursors and sent.get(str(param)),
        f"a schema-valid request was rejected with HTTP 400 (error.param={param!r}); "
        "only an after/before cursor the server does not know may be refused",
    )
    return None

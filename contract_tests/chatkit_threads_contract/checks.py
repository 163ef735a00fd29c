"""Custom schemathesis checks: ChatKit semantics that a JSON schema cannot express.

Each check is a small function registered with `@schemathesis.check`, with one purpose,
named after the property it asserts. A check returns `True` when it does not apply to the
response (schemathesis then records nothing), `None` when it passed, and raises
`AssertionError` with a readable message when the server breaks the property.

Checks that need more than the response under test (a pagination walk, a follow-up
retrieve after a delete) send extra requests through `Followup`, to the same server with
the same credentials as the request under test. They only ever send GET requests.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import schemathesis
from schemathesis import CheckContext, Response
from schemathesis.generation.case import Case as _Case

from .followup import THREADS_PATH, Followup, Page, sent_query

# The checks never touch the request body, so its type does not matter here.
Case = _Case[Any]

__all__ = ["CUSTOM_CHECKS", "ISOLATION_CHECK", "SKIP", "reset"]

SKIP = True
"""What a check returns when the response is not one it judges."""

ISOLATION_CHECK = "data_isolated_per_key"
"""Name of the check that needs a second API key (`other_api_key` in its config)."""

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
ERROR_FIELDS = ("message", "type", "param", "code")
# Follow-up verifications already passed in this run, keyed by the check and the state it
# saw; re-checking identical data on every generated case would only multiply requests.
_VERIFIED: set[tuple[Any, ...]] = set()


def reset() -> None:
    """Forget what earlier runs verified (a new run may face another server on the same port)."""
    _VERIFIED.clear()


def _seen(*key: Any) -> bool:
    """True when `key` was verified before; otherwise remember it as verified now.

    Call it after the assertions that verify `key`, never before.
    """
    if key in _VERIFIED:
        return True
    _VERIFIED.add(key)
    return False


def _verified(*key: Any) -> bool:
    return key in _VERIFIED


# ----------------------------------------------------------------------------- helpers


def _is_list_threads(case: Case) -> bool:
    return bool(case.operation.method.upper() == "GET" and case.operation.path == THREADS_PATH)


def _is_list_items(case: Case) -> bool:
    return bool(case.operation.method.upper() == "GET" and case.operation.path.endswith("/items"))


def _is_list(case: Case) -> bool:
    return _is_list_threads(case) or _is_list_items(case)


def _list_path(case: Case, response: Response) -> str:
    """The list path as sent, with the thread id filled in for items."""
    if _is_list_threads(case):
        return THREADS_PATH
    thread_id = (case.path_parameters or {}).get("thread_id", "")
    return f"{THREADS_PATH}/{thread_id}/items"


def _json(response: Response) -> Any:
    try:
        return response.json()
    except Exception:
        return None


def _list_page(case: Case, response: Response) -> tuple[Page, dict[str, str]] | None:
    """The page and the query as sent, when this is a 200 list response worth judging."""
    if not _is_list(case) or response.status_code != 200:
        return None
    body = _json(response)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return None  # response_schema_conformance reports malformed bodies
    rows = [row for row in body["data"] if isinstance(row, dict)]
    page = Page(
        status=200,
        ids=[str(row.get("id")) for row in rows],
        created_at=[row.get("created_at", 0) for row in rows],
        users=[row.get("user") for row in rows],
        first_id=body.get("first_id"),
        last_id=body.get("last_id"),
        has_more=body.get("has_more"),
        body=body,
    )
    return page, sent_query(str(response.request.url))


def _limit(query: dict[str, str]) -> int | None:
    """The `limit` the server was asked for; `None` when it is not a valid one."""
    raw = query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if 0 <= value <= MAX_LIMIT else None


def _order(query: dict[str, str]) -> str | None:
    order = query.get("order", "desc")
    return order if order in ("asc", "desc") else None


def _followup(response: Response) -> Followup | None:
    return Followup.from_response(response)


def _filters(query: dict[str, str]) -> dict[str, str]:
    return {"user": query["user"]} if "user" in query else {}


def _walk_ids(pages: Sequence[Page]) -> list[str]:
    return [item for page in pages for item in page.ids]


def _assert_sorted(created_at: Sequence[int], order: str, what: str) -> None:
    pairs = list(pairwise(created_at))
    if order == "desc":
        bad = [i for i, (a, b) in enumerate(pairs) if a < b]
    else:
        bad = [i for i, (a, b) in enumerate(pairs) if a > b]
    assert not bad, (
        f"{what} is not in `order={order}` by created_at: "
        f"position {bad[0]} has {created_at[bad[0]]} then {created_at[bad[0] + 1]}"
    )


def _assert_each_once(ids: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    repeated = [item for item in ids if item in seen or seen.add(item)]  # type: ignore[func-returns-value]
    assert not repeated, f"{what} returns {repeated[0]!r} more than once"


def _state(follow: Followup, path: str, filters: dict[str, str], page: Page) -> tuple[Any, ...]:
    """What a follow-up verification depends on: server, key, list, filters and the page."""
    return (
        follow.base_url,
        follow.headers.get("Authorization"),
        path,
        tuple(sorted(filters.items())),
        tuple(page.ids),
        page.has_more,
    )


def _all_statuses_ok(pages: Sequence[Page], what: str) -> None:
    for page in pages:
        assert page.status == 200, f"{what}: a page request answered HTTP {page.status}"


# --------------------------------------------------------------- checks on one response


@schemathesis.check
def list_page_ids_match_data(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """`first_id`/`last_id` are the first and last `data[].id`, both null on an empty page."""
    found = _list_page(case, response)
    if found is None:
        return SKIP
    page, _ = found
    expected = (page.ids[0], page.ids[-1]) if page.ids else (None, None)
    assert (page.first_id, page.last_id) == expected, (
        f"first_id/last_id are {page.first_id!r}/{page.last_id!r} "
        f"but data runs from {expected[0]!r} to {expected[1]!r}"
    )
    return None


@schemathesis.check
def list_page_within_limit(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A page never holds more than `limit` entries (20 when `limit` is not sent)."""
    found = _list_page(case, response)
    if found is None:
        return SKIP
    page, query = found
    limit = _limit(query)
    if limit is None:
        return SKIP
    assert len(page.ids) <= limit, f"limit={limit} but the page holds {len(page.ids)} entries"
    return None


@schemathesis.check
def list_page_in_requested_order(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Entries on a page follow `order` (default desc) by `created_at`."""
    found = _list_page(case, response)
    if found is None:
        return SKIP
    page, query = found
    order = _order(query)
    if order is None:
        return SKIP
    _assert_sorted(page.created_at, order, "the page")
    return None


@schemathesis.check
def items_belong_to_thread(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every item listed for a thread carries that thread's id."""
    found = _list_page(case, response) if _is_list_items(case) else None
    if found is None:
        return SKIP
    page, _ = found
    thread_id = (case.path_parameters or {}).get("thread_id")
    foreign = [
        row.get("id")
        for row in page.body["data"]
        if isinstance(row, dict) and row.get("thread_id") != thread_id
    ]
    assert not foreign, f"items {foreign[:3]} listed for thread {thread_id!r} belong to another"
    return None


@schemathesis.check
def error_uses_envelope(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx/5xx answer is JSON `{"error": {message, type, param, code}}`."""
    if response.status_code < 400:
        return SKIP
    body = _json(response)
    where = f"HTTP {response.status_code}"
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), (
        f"{where} body is not an error envelope: {response.content[:200]!r}"
    )
    error = body["error"]
    missing = [name for name in ERROR_FIELDS if name not in error]
    assert not missing, f"{where} error envelope lacks {missing}"
    assert isinstance(error["message"], str) and isinstance(error["type"], str), (
        f"{where} error `message`/`type` must be strings"
    )
    for name in ("param", "code"):
        assert error[name] is None or isinstance(error[name], str), (
            f"{where} error `{name}` must be a string or null"
        )
    return None


CURSOR_PARAMS = ("after", "before")


@schemathesis.check
def valid_request_rejected_only_for_cursor(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """A schema-valid request gets HTTP 400 only for an `after`/`before` id it sent.

    The schema cannot say which ids exist, so a server may refuse a cursor that names
    nothing in the listing (the bundled mock does, naming the parameter, as its issue
    asks). Any other 400 for a valid request is a bug. `positive_data_acceptance` is
    configured to leave 400 answers to this check (see `runner`).
    """
    meta = case.meta
    if response.status_code != 400 or meta is None or not meta.generation.mode.is_positive:
        return SKIP
    body = _json(response)
    error = body.get("error") if isinstance(body, dict) else None
    param = error.get("param") if isinstance(error, dict) else None
    sent = sent_query(str(response.request.url))
    assert param in CURSOR_PARAMS and sent.get(str(param)), (
        f"a schema-valid request was rejected with HTTP 400 (error.param={param!r}); "
        "only an after/before cursor the server does not know may be refused"
    )
    return None


# --------------------------------------------------------- checks with follow-up requests


@schemathesis.check
def list_has_more_truthful(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """`has_more` is true exactly when another page follows in the direction of reading.

    Forwards that is `after=<last_id>`; for a page requested with `before` alone it is
    `before=<first_id>` (the spec: "beyond this page in the direction of reading").
    """
    found = _list_page(case, response)
    follow = _followup(response)
    if found is None or follow is None:
        return SKIP
    page, query = found
    limit, order = _limit(query), _order(query)
    backward = bool(query.get("before")) and not query.get("after")
    if limit is None or order is None or not page.ids:
        return SKIP
    if query.get("before") and query.get("after"):
        return SKIP  # a range between two cursors: the spec leaves has_more to reading forwards
    path = _list_path(case, response)
    direction = "before" if backward else "after"
    state = ("has_more", direction, order, limit, *_state(follow, path, _filters(query), page))
    if _verified(*state):
        return None
    cursor = page.first_id if backward else page.last_id
    nxt = follow.page(
        path, limit=max(limit, 1), order=order, **{direction: cursor}, **_filters(query)
    )
    if nxt.status != 200:
        return SKIP  # another check reports a failing follow-up; this one judges has_more only
    following = f"{direction}={'first_id' if backward else 'last_id'}"
    if page.has_more:
        assert nxt.ids, f"has_more is true but the next page ({following}) is empty"
    else:
        assert not nxt.ids, f"has_more is false but {following} still returns {nxt.ids[:3]}"
    _seen(*state)
    return None


@schemathesis.check
def list_cursors_exclusive(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """`after=X` starts right after X and `before=X` ends right before X; X itself never returns."""
    found = _list_page(case, response)
    follow = _followup(response)
    if found is None or follow is None:
        return SKIP
    page, query = found
    order = _order(query)
    if order is None or len(page.ids) < 2:
        return SKIP
    path = _list_path(case, response)
    filters = _filters(query)
    state = ("cursors", order, *_state(follow, path, filters, page))
    if _verified(*state):
        return None
    first, second, last, before_last = page.ids[0], page.ids[1], page.ids[-1], page.ids[-2]
    after = follow.page(path, limit=1, order=order, after=first, **filters)
    assert after.status == 200, f"after={first!r} (an id just listed) answered HTTP {after.status}"
    assert first not in after.ids, f"after={first!r} returned {first!r} itself (inclusive cursor)"
    assert after.ids == [second], f"after={first!r} should start with {second!r}, got {after.ids}"
    before = follow.page(path, limit=1, order=order, before=last, **filters)
    assert before.status == 200, (
        f"before={last!r} (an id just listed) answered HTTP {before.status}"
    )
    assert last not in before.ids, f"before={last!r} returned {last!r} itself (inclusive cursor)"
    assert before.ids == [before_last], (
        f"before={last!r} should end with {before_last!r}, got {before.ids}"
    )
    _seen(*state)
    return None


@schemathesis.check
def list_walk_complete(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Walking every page (after and before, both orders) returns each entry once, in order."""
    found = _list_page(case, response)
    follow = _followup(response)
    if found is None or follow is None:
        return SKIP
    _, query = found
    if "after" in query or "before" in query or _limit(query) is None or _order(query) is None:
        return SKIP
    path = _list_path(case, response)
    filters = _filters(query)
    everything = follow.page(path, limit=MAX_LIMIT, order="asc", **filters)
    if everything.status != 200:
        return SKIP
    state = _state(follow, path, filters, everything)
    if _verified("walk", *state):
        return None
    # About five pages per walk: enough pages to exercise cursors, few enough requests.
    size = max(1, len(everything.ids) // 5) if not everything.has_more else MAX_LIMIT
    asc_pages = follow.walk(path, limit=size, order="asc", **filters)
    desc_pages = follow.walk(path, limit=size, order="desc", **filters)
    for label, pages, order in (("asc", asc_pages, "asc"), ("desc", desc_pages, "desc")):
        _all_statuses_ok(pages, f"the order={order} walk")
        ids = _walk_ids(pages)
        _assert_each_once(ids, f"the order={label} walk (limit={size})")
        _assert_sorted([c for p in pages for c in p.created_at], order, f"the order={label} walk")
    asc_ids, desc_ids = _walk_ids(asc_pages), _walk_ids(desc_pages)
    assert asc_ids == desc_ids[::-1], "the order=asc walk is not the order=desc walk reversed"
    if not everything.has_more:
        assert asc_ids == everything.ids, (
            f"the walk with limit={size} returns {len(asc_ids)} entries, "
            f"one page with limit=100 returns {len(everything.ids)}"
        )
    if asc_ids:
        # Backwards from the last entry with `before=<first_id>`: the entries before it, once each.
        back_pages = follow.walk(
            path, limit=size, order="asc", direction="before", before=asc_ids[-1], **filters
        )
        _all_statuses_ok(back_pages, "the before= walk")
        back_ids = [item for p in reversed(back_pages) for item in p.ids] + [asc_ids[-1]]
        _assert_each_once(back_ids, f"the before= walk (limit={size})")
        assert back_ids == asc_ids, (
            f"walking back with before= returns {len(back_ids)} entries in another order "
            f"or set than walking forward ({len(asc_ids)})"
        )
    _seen("walk", *state)
    return None


@schemathesis.check
def list_limit_bounds(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """`limit=0` gives an empty page and `limit=100` a full one that extends this page."""
    found = _list_page(case, response)
    follow = _followup(response)
    if found is None or follow is None:
        return SKIP
    page, query = found
    order = _order(query)
    if order is None or "after" in query or "before" in query or _limit(query) is None:
        return SKIP
    path = _list_path(case, response)
    filters = _filters(query)
    state = ("limits", order, *_state(follow, path, filters, page))
    if _verified(*state):
        return None
    zero = follow.page(path, limit=0, order=order, **filters)
    assert zero.status == 200, f"limit=0 answered HTTP {zero.status}"
    assert zero.ids == [], f"limit=0 returned {len(zero.ids)} entries"
    assert (zero.first_id, zero.last_id) == (None, None), "limit=0 page has first_id/last_id set"
    full = follow.page(path, limit=MAX_LIMIT, order=order, **filters)
    assert full.status == 200, f"limit=100 answered HTTP {full.status}"
    assert len(full.ids) <= MAX_LIMIT, f"limit=100 returned {len(full.ids)} entries"
    assert full.ids[: len(page.ids)] == page.ids, (
        "the limit=100 page does not start with the entries of this smaller page"
    )
    assert len(full.ids) >= len(page.ids), "limit=100 returned fewer entries than a smaller limit"
    _seen(*state)
    return None


@schemathesis.check
def list_user_filter_respected(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """`user=U` lists only U's threads, and finds a thread listed as U's without the filter."""
    found = _list_page(case, response) if _is_list_threads(case) else None
    if found is None:
        return SKIP
    page, query = found
    if "user" in query:
        others = {u for u in page.users if u != query["user"]}
        assert not others, (
            f"user={query['user']!r} also lists threads of {sorted(map(str, others))[:3]}"
        )
        return None
    follow = _followup(response)
    if follow is None or not page.ids or not isinstance(page.users[0], str) or not page.users[0]:
        return SKIP
    user, thread_id = page.users[0], page.ids[0]
    state = ("user", user, thread_id, follow.base_url, follow.headers.get("Authorization"))
    if _verified(*state):
        return None
    pages = follow.walk(THREADS_PATH, limit=MAX_LIMIT, user=user)
    _all_statuses_ok(pages, f"listing user={user!r}")
    users = {u for p in pages for u in p.users}
    assert users <= {user}, (
        f"user={user!r} also lists threads of {sorted(map(str, users - {user}))[:3]}"
    )
    assert thread_id in _walk_ids(pages), (
        f"user={user!r} does not list {thread_id!r}, a thread of that user"
    )
    _seen(*state)
    return None


@schemathesis.check
def deleted_thread_vanishes(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """After a delete, the thread and its items give 404 and no listing shows it."""
    if case.operation.method.upper() != "DELETE" or response.status_code != 200:
        return SKIP
    follow = _followup(response)
    thread_id = (case.path_parameters or {}).get("thread_id")
    if follow is None or not isinstance(thread_id, str):
        return SKIP
    body = _json(response)
    assert isinstance(body, dict) and body.get("id") == thread_id and body.get("deleted") is True, (
        f"delete of {thread_id!r} answered {body!r}"
    )
    retrieve = follow.request("GET", f"{THREADS_PATH}/{thread_id}")
    assert retrieve.status_code == 404, (
        f"retrieving deleted {thread_id!r} gives HTTP {retrieve.status_code}"
    )
    items = follow.request("GET", f"{THREADS_PATH}/{thread_id}/items")
    assert items.status_code == 404, f"items of deleted {thread_id!r} give HTTP {items.status_code}"
    pages = follow.walk(THREADS_PATH, limit=MAX_LIMIT, order="desc")
    assert thread_id not in _walk_ids(pages), f"deleted {thread_id!r} is still listed"
    return None


@schemathesis.check
def unknown_thread_is_404(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A thread id that never existed gives 404 with the error envelope, for retrieve and items."""
    if case.operation.method.upper() != "GET" or case.operation.path == THREADS_PATH:
        return SKIP
    follow = _followup(response)
    if follow is None or response.status_code in (401, 403):
        return SKIP
    suffix = "/items" if _is_list_items(case) else ""
    state = ("unknown", suffix, follow.base_url, follow.headers.get("Authorization"))
    if _verified(*state):
        return None
    missing = f"cthr_contract_missing_{secrets.token_hex(6)}"
    answer = follow.request("GET", f"{THREADS_PATH}/{missing}{suffix}")
    assert answer.status_code == 404, (
        f"GET {THREADS_PATH}/{missing}{suffix} gives HTTP {answer.status_code}"
    )
    body = (
        answer.json()
        if answer.headers.get("content-type", "").startswith("application/json")
        else None
    )
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), (
        "404 for an unknown thread lacks the error envelope"
    )
    _seen(*state)
    return None


@schemathesis.check
def data_isolated_per_key(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Threads seen with one API key are invisible to another (needs `other_api_key`)."""
    other_key = ctx.config.custom_kwargs.get(ISOLATION_CHECK, {}).get("other_api_key")
    follow = _followup(response)
    if not other_key or follow is None or response.status_code != 200:
        return SKIP
    other = follow.with_key(str(other_key))
    if case.operation.method.upper() == "GET" and case.operation.path == THREADS_PATH:
        found = _list_page(case, response)
        if found is None or not found[0].ids:
            return SKIP
        theirs = set(_walk_ids(other.walk(THREADS_PATH, limit=MAX_LIMIT)))
        shared = [item for item in found[0].ids if item in theirs]
        assert not shared, f"threads {shared[:3]} are listed for two API keys"
        return None
    thread_id = (case.path_parameters or {}).get("thread_id")
    if case.operation.method.upper() != "GET" or not isinstance(thread_id, str):
        return SKIP
    suffix = "/items" if _is_list_items(case) else ""
    answer = other.request("GET", f"{THREADS_PATH}/{thread_id}{suffix}")
    assert answer.status_code == 404, (
        f"thread {thread_id!r} of one API key answers HTTP {answer.status_code} to another key"
    )
    return None


CUSTOM_CHECKS: tuple[str, ...] = (
    "list_page_ids_match_data",
    "list_page_within_limit",
    "list_page_in_requested_order",
    "items_belong_to_thread",
    "error_uses_envelope",
    "valid_request_rejected_only_for_cursor",
    "list_has_more_truthful",
    "list_cursors_exclusive",
    "list_walk_complete",
    "list_limit_bounds",
    "list_user_filter_respected",
    "deleted_thread_vanishes",
    "unknown_thread_is_404",
    ISOLATION_CHECK,
)
"""Names of the checks this module registers, in the order the summary lists them."""

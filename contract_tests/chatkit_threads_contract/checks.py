"""Custom schemathesis checks: ChatKit semantics that a JSON schema cannot express.

Each check is a small function registered with `@schemathesis.check`, with one purpose,
named after the property it asserts. A check returns `True` when it does not apply to the
response (schemathesis then records nothing), `None` when it passed, and raises
`AssertionError` with a readable message when the server breaks the property.

What a check judges is stated by the guard it is registered with (`on_list_page`,
`on_list_page_with_followup`, `on_response_with_followup`), as schemathesis' own checks
use guards: the guard skips every other response and hands the check the parsed page,
the query as sent and the spec under test, whose bounds, orders and defaults the checks
use (never constants of their own).

Checks that need more than the response under test (a pagination walk, a follow-up
retrieve after a delete) send extra requests through `Followup`, to the same server with
the same credentials as the request under test. They only ever send GET requests. When
one fails, its reproducer is the follow-up request that showed the failure.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from .adapter import Case, CheckContext, Response, check
from .contract import SpecContract, load_contract
from .followup import (
    THREADS_PATH,
    Followup,
    Page,
    StillRateLimited,
    curl,
    recording,
    sent_query,
    target_for,
)

__all__ = ["CUSTOM_CHECKS", "ISOLATION_CHECK", "SKIP", "Listed", "reproducer_for", "reset"]

SKIP = True
"""What a check returns when the response is not one it judges."""

ISOLATION_CHECK = "data_isolated_per_key"
"""Name of the check that needs a second API key (`other_api_key` in its config)."""

ERROR_FIELDS = ("message", "type", "param", "code")
# Follow-up verifications already passed in this run, keyed by the check and the state it
# saw; re-checking identical data on every generated case would only multiply requests.
_VERIFIED: set[tuple[Any, ...]] = set()
# The follow-up request that showed each failure, by the failure's message.
_REPRODUCERS: dict[str, str] = {}


def reset() -> None:
    """Forget what earlier runs verified (a new run may face another server on the same port)."""
    _VERIFIED.clear()
    _REPRODUCERS.clear()


def reproducer_for(message: str) -> str | None:
    """The curl of the follow-up request that showed the failure with this message, if any."""
    return _REPRODUCERS.get(message.strip())


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


@functools.cache
def _bundled() -> SpecContract:
    return load_contract()


def _contract(response: Response) -> SpecContract:
    """The spec of the run that sent `response` (the bundled spec outside a run)."""
    target = target_for(str(response.request.url))
    return target.contract if target is not None else _bundled()


# ----------------------------------------------------------------------------- helpers


def _role(case: Case, contract: SpecContract) -> str | None:
    return contract.role_of(case.operation.method, case.operation.path)


def _json(response: Response) -> Any:
    try:
        return response.json()
    except Exception:
        return None


@dataclass(frozen=True)
class Listed:
    """A 200 list response a check judges: the page, the query as sent, and the run's spec."""

    case: Case
    response: Response
    contract: SpecContract
    role: str
    page: Page
    query: dict[str, str]

    @property
    def path(self) -> str:
        """The list path as sent, with the thread id filled in for items."""
        if self.role == "list_threads":
            return THREADS_PATH
        thread_id = (self.case.path_parameters or {}).get("thread_id", "")
        return f"{THREADS_PATH}/{thread_id}/items"

    @property
    def limit(self) -> int | None:
        """The `limit` the server was asked for; `None` when it is not a valid one."""
        raw = self.query.get("limit")
        if raw is None:
            return self.contract.limit_default
        try:
            value = int(raw)
        except ValueError:
            return None
        return value if self.contract.limit_min <= value <= self.contract.limit_max else None

    @property
    def order(self) -> str | None:
        """The `order` the server was asked for; `None` when it is not a valid one."""
        order = self.query.get("order", self.contract.default_order)
        return order if order in self.contract.orders else None

    @property
    def filters(self) -> dict[str, str]:
        """The filters sent (`user`), to repeat on follow-up requests."""
        return {"user": self.query["user"]} if "user" in self.query else {}

    @property
    def cursored(self) -> bool:
        """Whether an `after` or `before` cursor was sent."""
        return "after" in self.query or "before" in self.query


def _listed(case: Case, response: Response) -> Listed | None:
    """The list response, when this is a 200 list response worth judging."""
    contract = _contract(response)
    role = _role(case, contract)
    if role not in ("list_threads", "list_items") or response.status_code != 200:
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
    query = sent_query(str(response.request.url))
    return Listed(case, response, contract, str(role), page, query)


# ------------------------------------------------------------------------ guards
# Each check states what it judges with one guard, the way schemathesis' own checks do;
# the guard returns SKIP for every other response.

ListCheck = Callable[[Listed], "bool | None"]
FollowListCheck = Callable[[Listed, Followup], "bool | None"]
ResponseCheck = Callable[[CheckContext, Response, Case], "bool | None"]


def _reproduced(func: ResponseCheck) -> ResponseCheck:
    """Remember the last follow-up request a failing check sent: it showed the failure.

    A check whose follow-up was rate limited past every retry judges nothing (the run's
    coverage counts such requests).
    """

    @functools.wraps(func)
    def wrapper(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        with recording() as sent:
            try:
                return func(ctx, response, case)
            except StillRateLimited:
                return SKIP
            except AssertionError as error:
                if sent:
                    _REPRODUCERS[str(error).strip()] = curl(sent[-1])
                raise

    return wrapper


def on_list_page(func: ListCheck) -> ResponseCheck:
    """Register `func` as a check of 200 list responses (threads or items)."""

    @functools.wraps(func)
    def wrapper(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        listed = _listed(case, response)
        return SKIP if listed is None else func(listed)

    return check(_reproduced(wrapper))


def on_list_page_with_followup(func: FollowListCheck) -> ResponseCheck:
    """Register `func` as a check of 200 list responses that sends follow-up requests."""

    @functools.wraps(func)
    def wrapper(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        listed = _listed(case, response)
        follow = Followup.from_response(response)
        if listed is None or follow is None:
            return SKIP
        return func(listed, follow)

    return check(_reproduced(wrapper))


def on_response_with_followup(func: ResponseCheck) -> ResponseCheck:
    """Register `func` as a check of any response that may send follow-up requests."""
    return check(_reproduced(func))


def _walk_ids(pages: Sequence[Page]) -> list[str]:
    return [item for page in pages for item in page.ids]


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _assert_sorted(created_at: Sequence[object], order: str, what: str) -> None:
    # Only numbers can be out of order; a created_at of another type is
    # response_schema_conformance's finding, not a crash of this check.
    numbers = [_number(value) for value in created_at]
    pairs = [
        (a, b) if a is not None and b is not None else (0.0, 0.0) for a, b in pairwise(numbers)
    ]
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


@on_list_page
def list_page_ids_match_data(listed: Listed) -> bool | None:
    """`first_id`/`last_id` are the first and last `data[].id`, both null on an empty page."""
    page = listed.page
    expected = (page.ids[0], page.ids[-1]) if page.ids else (None, None)
    assert (page.first_id, page.last_id) == expected, (
        f"first_id/last_id are {page.first_id!r}/{page.last_id!r} "
        f"but data runs from {expected[0]!r} to {expected[1]!r}"
    )
    return None


@on_list_page
def list_page_within_limit(listed: Listed) -> bool | None:
    """A page never holds more than `limit` entries (the spec's default when it is not sent)."""
    limit = listed.limit
    if limit is None:
        return SKIP
    count = len(listed.page.ids)
    assert count <= limit, f"limit={limit} but the page holds {count} entries"
    return None


@on_list_page
def list_page_in_requested_order(listed: Listed) -> bool | None:
    """Entries on a page follow `order` (the spec's default when not sent) by `created_at`."""
    order = listed.order
    if order is None:
        return SKIP
    _assert_sorted(listed.page.created_at, order, "the page")
    return None


@on_list_page
def items_belong_to_thread(listed: Listed) -> bool | None:
    """Every item listed for a thread carries that thread's id."""
    if listed.role != "list_items":
        return SKIP
    thread_id = (listed.case.path_parameters or {}).get("thread_id")
    foreign = [
        row.get("id")
        for row in listed.page.body["data"]
        if isinstance(row, dict) and row.get("thread_id") != thread_id
    ]
    assert not foreign, f"items {foreign[:3]} listed for thread {thread_id!r} belong to another"
    return None


@check
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


@check
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


@on_list_page_with_followup
def list_has_more_truthful(listed: Listed, follow: Followup) -> bool | None:
    """`has_more` is true exactly when another page follows in the direction of reading.

    Forwards that is `after=<last_id>`; for a page requested with `before` alone it is
    `before=<first_id>` (the spec: "beyond this page in the direction of reading").
    """
    page, query = listed.page, listed.query
    limit, order = listed.limit, listed.order
    backward = bool(query.get("before")) and not query.get("after")
    if limit is None or order is None or not page.ids:
        return SKIP
    if query.get("before") and query.get("after"):
        return SKIP  # a range between two cursors: the spec leaves has_more to reading forwards
    direction = "before" if backward else "after"
    state = (
        "has_more",
        direction,
        order,
        limit,
        *_state(follow, listed.path, listed.filters, page),
    )
    if _verified(*state):
        return None
    cursor = page.first_id if backward else page.last_id
    nxt = follow.page(
        listed.path, limit=max(limit, 1), order=order, **{direction: cursor}, **listed.filters
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


@on_list_page_with_followup
def list_cursors_exclusive(listed: Listed, follow: Followup) -> bool | None:
    """`after=X` starts right after X and `before=X` ends right before X; X itself never returns."""
    page, order = listed.page, listed.order
    if order is None or len(page.ids) < 2:
        return SKIP
    path, filters = listed.path, listed.filters
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


@on_list_page_with_followup
def list_walk_complete(listed: Listed, follow: Followup) -> bool | None:
    """Walking every page (after and before, both orders) returns each entry once, in order."""
    if listed.cursored or listed.limit is None or listed.order is None:
        return SKIP
    contract = listed.contract
    path, filters = listed.path, listed.filters
    largest = contract.limit_max
    everything = follow.page(path, limit=largest, order="asc", **filters)
    if everything.status != 200:
        return SKIP
    state = _state(follow, path, filters, everything)
    if _verified("walk", *state):
        return None
    # About five pages per walk: enough pages to exercise cursors, few enough requests.
    size = max(1, len(everything.ids) // 5) if not everything.has_more else largest
    walks: dict[str, list[Page]] = {}
    for order in ("asc", "desc"):
        pages = follow.walk(path, limit=size, order=order, **filters)
        _all_statuses_ok(pages, f"the order={order} walk")
        ids = _walk_ids(pages)
        _assert_each_once(ids, f"the order={order} walk (limit={size})")
        _assert_sorted([c for p in pages for c in p.created_at], order, f"the order={order} walk")
        walks[order] = pages
    asc_ids, desc_ids = _walk_ids(walks["asc"]), _walk_ids(walks["desc"])
    assert asc_ids == desc_ids[::-1], "the order=asc walk is not the order=desc walk reversed"
    if not everything.has_more:
        assert asc_ids == everything.ids, (
            f"the walk with limit={size} returns {len(asc_ids)} entries, "
            f"one page with limit={largest} returns {len(everything.ids)}"
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


@on_list_page_with_followup
def list_limit_bounds(listed: Listed, follow: Followup) -> bool | None:
    """The smallest `limit` gives at most that many entries; the largest extends this page."""
    order = listed.order
    if order is None or listed.cursored or listed.limit is None:
        return SKIP
    contract, page = listed.contract, listed.page
    path, filters = listed.path, listed.filters
    state = ("limits", order, *_state(follow, path, filters, page))
    if _verified(*state):
        return None
    smallest, largest = contract.limit_min, contract.limit_max
    low = follow.page(path, limit=smallest, order=order, **filters)
    assert low.status == 200, f"limit={smallest} answered HTTP {low.status}"
    assert len(low.ids) <= smallest, f"limit={smallest} returned {len(low.ids)} entries"
    if not low.ids:
        assert (low.first_id, low.last_id) == (None, None), (
            f"limit={smallest} page is empty but has first_id/last_id set"
        )
    full = follow.page(path, limit=largest, order=order, **filters)
    assert full.status == 200, f"limit={largest} answered HTTP {full.status}"
    assert len(full.ids) <= largest, f"limit={largest} returned {len(full.ids)} entries"
    assert full.ids[: len(page.ids)] == page.ids, (
        f"the limit={largest} page does not start with the entries of this smaller page"
    )
    assert len(full.ids) >= len(page.ids), (
        f"limit={largest} returned fewer entries than a smaller limit"
    )
    _seen(*state)
    return None


@on_response_with_followup
def list_user_filter_respected(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """`user=U` lists only U's threads, and finds a thread listed as U's without the filter."""
    listed = _listed(case, response)
    if listed is None or listed.role != "list_threads":
        return SKIP
    page, query = listed.page, listed.query
    if "user" in query:
        others = {u for u in page.users if u != query["user"]}
        assert not others, (
            f"user={query['user']!r} also lists threads of {sorted(map(str, others))[:3]}"
        )
        return None
    follow = Followup.from_response(response)
    if follow is None or not page.ids or not isinstance(page.users[0], str) or not page.users[0]:
        return SKIP
    user, thread_id = page.users[0], page.ids[0]
    state = ("user", user, thread_id, follow.base_url, follow.headers.get("Authorization"))
    if _verified(*state):
        return None
    pages = follow.walk(THREADS_PATH, limit=listed.contract.limit_max, user=user)
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


@on_response_with_followup
def deleted_thread_vanishes(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """After a delete, the thread and its items give 404 and no listing shows it."""
    contract = _contract(response)
    if _role(case, contract) != "delete_thread" or response.status_code != 200:
        return SKIP
    follow = Followup.from_response(response)
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
    pages = follow.walk(THREADS_PATH, limit=contract.limit_max, order="desc")
    assert thread_id not in _walk_ids(pages), f"deleted {thread_id!r} is still listed"
    return None


@on_response_with_followup
def unknown_thread_is_404(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A thread id that never existed gives 404 with the error envelope, for retrieve and items."""
    role = _role(case, _contract(response))
    if role not in ("retrieve_thread", "list_items"):
        return SKIP
    follow = Followup.from_response(response)
    if follow is None or response.status_code in (401, 403):
        return SKIP
    suffix = "/items" if role == "list_items" else ""
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


@on_response_with_followup
def data_isolated_per_key(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Threads seen with one API key are invisible to another (needs `other_api_key`)."""
    other_key = ctx.config.custom_kwargs.get(ISOLATION_CHECK, {}).get("other_api_key")
    follow = Followup.from_response(response)
    if not other_key or follow is None or response.status_code != 200:
        return SKIP
    contract = _contract(response)
    role = _role(case, contract)
    other = follow.with_key(str(other_key))
    if role == "list_threads":
        listed = _listed(case, response)
        if listed is None or not listed.page.ids:
            return SKIP
        theirs = set(_walk_ids(other.walk(THREADS_PATH, limit=contract.limit_max)))
        shared = [item for item in listed.page.ids if item in theirs]
        assert not shared, f"threads {shared[:3]} are listed for two API keys"
        return None
    thread_id = (case.path_parameters or {}).get("thread_id")
    if role not in ("retrieve_thread", "list_items") or not isinstance(thread_id, str):
        return SKIP
    suffix = "/items" if role == "list_items" else ""
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
